// Package metrics is a small Prometheus-style metrics registry that serves
// the text exposition format, version 0.0.4. It imports only the standard
// library.
//
// A Registry holds metric families. Each family has a name, a help text and a
// type; a labelled family (a "vec") holds one series per set of label values:
//
//	reg := metrics.NewRegistry()
//	puts := reg.CounterVec("eddy_put_records_total", "Records accepted by PutRecord(s).", "stream")
//	lat := reg.HistogramVec("eddy_request_seconds", "Request latency.", metrics.LatencyBuckets, "op")
//	reg.GaugeFunc("eddy_disk_bytes", "Bytes on disk.", func() float64 { return float64(du()) })
//
//	c := puts.With("orders") // look up once, keep the pointer on hot paths
//	c.Add(float64(n))
//	lat.With("PutRecords").Observe(time.Since(start).Seconds())
//
//	http.Handle("/metrics", metricshttp.Handler(reg))
//
// Updating a series (Counter.Inc/Add, Gauge.Set/Add, Histogram.Observe) is
// lock-free and does not allocate. Looking a series up with With takes a read
// lock and does not allocate once the series exists (as long as the label
// values total under about 120 bytes; longer ones cost one allocation). Vec.Delete removes a
// series from the output; a pointer kept from an earlier With still accepts
// updates but is no longer exported, and a later With with the same values
// starts a fresh series at zero.
//
// Scrape-time values come from GaugeFunc (one unlabelled gauge) and Collect
// (any number of series, emitted by a callback). Callbacks run on every
// scrape, without any registry lock held, possibly from several scrapes at
// once, so they must be safe for concurrent use.
//
// # Exposition
//
// WriteText (and metricshttp.Handler) render every family that has at least one series,
// families sorted by name and series sorted by label values:
//
//	# HELP eddy_put_records_total Records accepted by PutRecord(s).
//	# TYPE eddy_put_records_total counter
//	eddy_put_records_total{stream="clicks"} 17
//	eddy_put_records_total{stream="orders"} 1000000
//	# HELP eddy_request_seconds Request latency.
//	# TYPE eddy_request_seconds histogram
//	eddy_request_seconds_bucket{op="PutRecords",le="0.0001"} 0
//	...
//	eddy_request_seconds_bucket{op="PutRecords",le="+Inf"} 3
//	eddy_request_seconds_sum{op="PutRecords"} 0.0042
//	eddy_request_seconds_count{op="PutRecords"} 3
//
// Label values are escaped (backslash, double quote, newline), as is help
// text (backslash, newline). Values are printed as Prometheus reads them:
// integers up to 2^53 in magnitude without an exponent, other finite values
// in the shortest form that round-trips, and +Inf, -Inf and NaN.
//
// # Programmer errors
//
// Registering a family panics if its name is not a valid metric name
// ([a-zA-Z_:][a-zA-Z0-9_:]*), a label name is not valid ([a-zA-Z_][a-zA-Z0-9_]*,
// not starting with "__", no repeats, and not "le" on a histogram), or any
// series name it would expose is already taken (a histogram named x takes
// x_bucket, x_sum and x_count). With and Delete panic when given the wrong
// number of label values, With also on a label value that is not valid UTF-8,
// and Counter.Add panics on a negative increment. Invalid samples emitted by
// a Collect callback are a scrape-time error instead: WriteText returns it and
// writes nothing, and metricshttp.Handler answers 500.
package metrics
