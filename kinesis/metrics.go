package kinesis

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/eddy-streams/eddy/metrics"
)

// Metrics. The engine publishes, in Config.Metrics, the CloudWatch metrics
// of Kinesis Data Streams under Prometheus names:
//
//	CloudWatch (stream level)             Prometheus
//	IncomingBytes                         kinesis_incoming_bytes_total{stream}
//	IncomingRecords                       kinesis_incoming_records_total{stream}
//	PutRecord.Success / .Bytes / .Latency kinesis_put_record_success_total, _bytes_total, _latency_seconds
//	PutRecords.Success / .Bytes / .Latency kinesis_put_records_success_total, _bytes_total, _latency_seconds
//	PutRecords.SuccessfulRecords, .FailedRecords, .ThrottledRecords
//	                                      kinesis_put_records_records_total{stream,result="successful|failed|throttled"}
//	GetRecords.Success / .Bytes / .Records / .Latency
//	                                      kinesis_get_records_success_total, _bytes_total, _records_total, _latency_seconds
//	GetRecords.IteratorAgeMilliseconds    kinesis_get_records_iterator_age_milliseconds{stream} (gauge, last call)
//	WriteProvisionedThroughputExceeded    kinesis_write_provisioned_throughput_exceeded_total{stream} (records)
//	ReadProvisionedThroughputExceeded     kinesis_read_provisioned_throughput_exceeded_total{stream} (calls)
//	SubscribeToShardEvent.MillisBehindLatest
//	                                      kinesis_subscribe_to_shard_event_millis_behind_latest{stream,consumer} (gauge)
//	SubscribeToShardEvent.Bytes / .Records kinesis_subscribe_to_shard_event_bytes_total, _records_total{stream,consumer}
//
// The shard-level metrics of enhanced monitoring are published for the
// metrics a stream has enabled (EnableEnhancedMonitoring), with labels
// region, stream and shard: kinesis_shard_incoming_bytes_total,
// kinesis_shard_incoming_records_total, kinesis_shard_outgoing_bytes_total,
// kinesis_shard_outgoing_records_total,
// kinesis_shard_write_provisioned_throughput_exceeded_total,
// kinesis_shard_read_provisioned_throughput_exceeded_total and
// kinesis_shard_iterator_age_milliseconds. They are read from per-shard
// counters at scrape time, so they cost the write and read paths nothing
// more than an atomic add per shard and call.
//
// Plus eddy_streams and eddy_open_shards. Latencies are seconds, as
// Prometheus prefers; CloudWatch reports milliseconds.
//
// Every series also has the label region, first: CloudWatch keeps each
// region's metrics apart, and a stream name may exist in several regions
// (see Regions). The label is there with one region too, so dashboards do
// not change when a second region is used.

// metricFamilies are the engine's metric families in one registry. The
// engines of every region share them (a registry takes a family once), and
// every series carries its engine's region as its first label.
type metricFamilies struct {
	incomingBytes, incomingRecords                     *metrics.CounterVec
	putRecordSuccess, putRecordBytes                   *metrics.CounterVec
	putRecordLatency                                   *metrics.HistogramVec
	putRecordsSuccess, putRecordsBytes, putRecordsRecs *metrics.CounterVec
	putRecordsLatency                                  *metrics.HistogramVec
	getRecordsSuccess, getRecordsBytes, getRecordsRecs *metrics.CounterVec
	getRecordsLatency                                  *metrics.HistogramVec
	iteratorAge                                        *metrics.GaugeVec
	writeThrottled, readThrottled                      *metrics.CounterVec
	subMillisBehind                                    *metrics.GaugeVec
	subBytes, subRecords                               *metrics.CounterVec

	mu struct {
		sync.Mutex
		engines []*Engine // for the scrape-time collectors
	}
}

// newMetricFamilies registers the engine's metrics in r.
func newMetricFamilies(r *metrics.Registry) *metricFamilies {
	f := &metricFamilies{}
	lat := metrics.LatencyBuckets
	f.incomingBytes = r.CounterVec("kinesis_incoming_bytes_total", "Bytes (data and partition keys) put to the stream (CloudWatch IncomingBytes).", "region", "stream")
	f.incomingRecords = r.CounterVec("kinesis_incoming_records_total", "Records put to the stream (CloudWatch IncomingRecords).", "region", "stream")
	f.putRecordSuccess = r.CounterVec("kinesis_put_record_success_total", "Successful PutRecord calls (CloudWatch PutRecord.Success).", "region", "stream")
	f.putRecordBytes = r.CounterVec("kinesis_put_record_bytes_total", "Bytes put with PutRecord (CloudWatch PutRecord.Bytes).", "region", "stream")
	f.putRecordLatency = r.HistogramVec("kinesis_put_record_latency_seconds", "PutRecord latency (CloudWatch PutRecord.Latency).", lat, "region", "stream")
	f.putRecordsSuccess = r.CounterVec("kinesis_put_records_success_total", "PutRecords calls that wrote every record (CloudWatch PutRecords.Success).", "region", "stream")
	f.putRecordsBytes = r.CounterVec("kinesis_put_records_bytes_total", "Bytes put with PutRecords (CloudWatch PutRecords.Bytes).", "region", "stream")
	f.putRecordsRecs = r.CounterVec("kinesis_put_records_records_total", "PutRecords entries by result (CloudWatch PutRecords.SuccessfulRecords, FailedRecords, ThrottledRecords).", "region", "stream", "result")
	f.putRecordsLatency = r.HistogramVec("kinesis_put_records_latency_seconds", "PutRecords latency (CloudWatch PutRecords.Latency).", lat, "region", "stream")
	f.getRecordsSuccess = r.CounterVec("kinesis_get_records_success_total", "Successful GetRecords calls (CloudWatch GetRecords.Success).", "region", "stream")
	f.getRecordsBytes = r.CounterVec("kinesis_get_records_bytes_total", "Bytes returned by GetRecords (CloudWatch GetRecords.Bytes).", "region", "stream")
	f.getRecordsRecs = r.CounterVec("kinesis_get_records_records_total", "Records returned by GetRecords (CloudWatch GetRecords.Records).", "region", "stream")
	f.getRecordsLatency = r.HistogramVec("kinesis_get_records_latency_seconds", "GetRecords latency (CloudWatch GetRecords.Latency).", lat, "region", "stream")
	f.iteratorAge = r.GaugeVec("kinesis_get_records_iterator_age_milliseconds", "Age of the last record the last GetRecords call returned; 0 when it returned none (CloudWatch GetRecords.IteratorAgeMilliseconds).", "region", "stream")
	f.writeThrottled = r.CounterVec("kinesis_write_provisioned_throughput_exceeded_total", "Records refused by a shard's write limits (CloudWatch WriteProvisionedThroughputExceeded).", "region", "stream")
	f.readThrottled = r.CounterVec("kinesis_read_provisioned_throughput_exceeded_total", "GetRecords calls refused by a shard's read limits (CloudWatch ReadProvisionedThroughputExceeded).", "region", "stream")
	f.subMillisBehind = r.GaugeVec("kinesis_subscribe_to_shard_event_millis_behind_latest", "MillisBehindLatest of the consumer's last SubscribeToShard event (CloudWatch SubscribeToShardEvent.MillisBehindLatest).", "region", "stream", "consumer")
	f.subBytes = r.CounterVec("kinesis_subscribe_to_shard_event_bytes_total", "Bytes pushed to the consumer (CloudWatch SubscribeToShardEvent.Bytes).", "region", "stream", "consumer")
	f.subRecords = r.CounterVec("kinesis_subscribe_to_shard_event_records_total", "Records pushed to the consumer (CloudWatch SubscribeToShardEvent.Records).", "region", "stream", "consumer")

	r.Collect("eddy_streams", "Streams, in any status.", "gauge", func(emit func(float64, ...string)) {
		for _, e := range f.engines() {
			e.mu.RLock()
			n := len(e.mu.streams)
			e.mu.RUnlock()
			emit(float64(n), "region", e.metricsRegion())
		}
	})
	r.Collect("eddy_open_shards", "Open shards of all streams.", "gauge", func(emit func(float64, ...string)) {
		for _, e := range f.engines() {
			emit(float64(e.openShardCount()), "region", e.metricsRegion())
		}
	})
	for _, sm := range shardMetrics {
		r.Collect(sm.prom, sm.help, sm.typ, func(emit func(float64, ...string)) {
			for _, e := range f.engines() {
				e.collectShardMetric(sm, emit)
			}
		})
	}
	return f
}

// add makes e's streams part of the scrape-time metrics.
func (f *metricFamilies) add(e *Engine) {
	f.mu.Lock()
	f.mu.engines = append(f.mu.engines, e)
	f.mu.Unlock()
}

// remove takes back add, for an engine that failed to open.
func (f *metricFamilies) remove(e *Engine) {
	f.mu.Lock()
	f.mu.engines = slices.DeleteFunc(f.mu.engines, func(x *Engine) bool { return x == e })
	f.mu.Unlock()
}

func (f *metricFamilies) engines() []*Engine {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.mu.engines)
}

// engineMetrics are an engine's handles on the families: each prepends the
// engine's region to the labels it is given.
type engineMetrics struct {
	incomingBytes, incomingRecords                     regionVec[metrics.Counter]
	putRecordSuccess, putRecordBytes                   regionVec[metrics.Counter]
	putRecordLatency                                   regionVec[metrics.Histogram]
	putRecordsSuccess, putRecordsBytes, putRecordsRecs regionVec[metrics.Counter]
	putRecordsLatency                                  regionVec[metrics.Histogram]
	getRecordsSuccess, getRecordsBytes, getRecordsRecs regionVec[metrics.Counter]
	getRecordsLatency                                  regionVec[metrics.Histogram]
	iteratorAge                                        regionVec[metrics.Gauge]
	writeThrottled, readThrottled                      regionVec[metrics.Counter]
	subMillisBehind                                    regionVec[metrics.Gauge]
	subBytes, subRecords                               regionVec[metrics.Counter]
}

// labeled is a metric family with labels: *metrics.CounterVec, GaugeVec or
// HistogramVec.
type labeled[M any] interface {
	With(values ...string) *M
	Delete(values ...string) bool
}

// regionVec is a family seen from one region.
type regionVec[M any] struct {
	v      labeled[M]
	region string
}

// With returns the series of the region and the other label values.
func (r regionVec[M]) With(values ...string) *M {
	return r.v.With(append([]string{r.region}, values...)...)
}

// Delete removes the series of the region and the other label values.
func (r regionVec[M]) Delete(values ...string) {
	r.v.Delete(append([]string{r.region}, values...)...)
}

// useMetrics gives e its handles on f and adds it to f's collectors.
func (e *Engine) useMetrics(f *metricFamilies) {
	r := e.metricsRegion()
	e.metrics = engineMetrics{
		incomingBytes: regionVec[metrics.Counter]{f.incomingBytes, r}, incomingRecords: regionVec[metrics.Counter]{f.incomingRecords, r},
		putRecordSuccess: regionVec[metrics.Counter]{f.putRecordSuccess, r}, putRecordBytes: regionVec[metrics.Counter]{f.putRecordBytes, r},
		putRecordLatency:  regionVec[metrics.Histogram]{f.putRecordLatency, r},
		putRecordsSuccess: regionVec[metrics.Counter]{f.putRecordsSuccess, r}, putRecordsBytes: regionVec[metrics.Counter]{f.putRecordsBytes, r},
		putRecordsRecs:    regionVec[metrics.Counter]{f.putRecordsRecs, r},
		putRecordsLatency: regionVec[metrics.Histogram]{f.putRecordsLatency, r},
		getRecordsSuccess: regionVec[metrics.Counter]{f.getRecordsSuccess, r}, getRecordsBytes: regionVec[metrics.Counter]{f.getRecordsBytes, r},
		getRecordsRecs: regionVec[metrics.Counter]{f.getRecordsRecs, r}, getRecordsLatency: regionVec[metrics.Histogram]{f.getRecordsLatency, r},
		iteratorAge:    regionVec[metrics.Gauge]{f.iteratorAge, r},
		writeThrottled: regionVec[metrics.Counter]{f.writeThrottled, r}, readThrottled: regionVec[metrics.Counter]{f.readThrottled, r},
		subMillisBehind: regionVec[metrics.Gauge]{f.subMillisBehind, r},
		subBytes:        regionVec[metrics.Counter]{f.subBytes, r}, subRecords: regionVec[metrics.Counter]{f.subRecords, r},
	}
	f.add(e)
}

// streamMetrics are a stream's series, looked up once.
type streamMetrics struct {
	incomingBytes, incomingRecords                     *metrics.Counter
	putRecordSuccess, putRecordBytes                   *metrics.Counter
	putRecordLatency                                   *metrics.Histogram
	putRecordsSuccess, putRecordsBytes                 *metrics.Counter
	putRecordsOK, putRecordsFailed, putRecordsThrottle *metrics.Counter
	putRecordsLatency                                  *metrics.Histogram
	getRecordsSuccess, getRecordsBytes, getRecordsRecs *metrics.Counter
	getRecordsLatency                                  *metrics.Histogram
	iteratorAge                                        *metrics.Gauge
	writeThrottled, readThrottled                      *metrics.Counter
}

// metricsOf returns s's series, creating them on first use.
func (e *Engine) metricsOf(s *stream) *streamMetrics {
	if sm := s.metrics.Load(); sm != nil {
		return sm
	}
	name := s.view.Load().meta.Name
	m := &e.metrics
	sm := &streamMetrics{
		incomingBytes: m.incomingBytes.With(name), incomingRecords: m.incomingRecords.With(name),
		putRecordSuccess: m.putRecordSuccess.With(name), putRecordBytes: m.putRecordBytes.With(name),
		putRecordLatency:  m.putRecordLatency.With(name),
		putRecordsSuccess: m.putRecordsSuccess.With(name), putRecordsBytes: m.putRecordsBytes.With(name),
		putRecordsOK: m.putRecordsRecs.With(name, "successful"), putRecordsFailed: m.putRecordsRecs.With(name, "failed"),
		putRecordsThrottle: m.putRecordsRecs.With(name, "throttled"),
		putRecordsLatency:  m.putRecordsLatency.With(name),
		getRecordsSuccess:  m.getRecordsSuccess.With(name), getRecordsBytes: m.getRecordsBytes.With(name),
		getRecordsRecs: m.getRecordsRecs.With(name), getRecordsLatency: m.getRecordsLatency.With(name),
		iteratorAge:    m.iteratorAge.With(name),
		writeThrottled: m.writeThrottled.With(name), readThrottled: m.readThrottled.With(name),
	}
	if !s.metrics.CompareAndSwap(nil, sm) {
		return s.metrics.Load()
	}
	return sm
}

// forgetStreamMetrics removes a deleted stream's series.
func (e *Engine) forgetStreamMetrics(v *streamView) {
	m := &e.metrics
	name := v.meta.Name
	for _, vec := range []regionVec[metrics.Counter]{m.incomingBytes, m.incomingRecords, m.putRecordSuccess, m.putRecordBytes,
		m.putRecordsSuccess, m.putRecordsBytes, m.getRecordsSuccess, m.getRecordsBytes, m.getRecordsRecs,
		m.writeThrottled, m.readThrottled} {
		vec.Delete(name)
	}
	for _, r := range []string{"successful", "failed", "throttled"} {
		m.putRecordsRecs.Delete(name, r)
	}
	for _, vec := range []regionVec[metrics.Histogram]{m.putRecordLatency, m.putRecordsLatency, m.getRecordsLatency} {
		vec.Delete(name)
	}
	m.iteratorAge.Delete(name)
	for _, c := range v.meta.Consumers {
		e.forgetConsumerMetrics(name, c.Name)
	}
}

func (e *Engine) forgetConsumerMetrics(stream, consumer string) {
	m := &e.metrics
	m.subMillisBehind.Delete(stream, consumer)
	m.subBytes.Delete(stream, consumer)
	m.subRecords.Delete(stream, consumer)
}

// shardCounters are a shard's running totals, kept in its shardUsage.
type shardCounters struct {
	outBytes, outRecords       atomic.Int64
	writeThrottled, readThrott atomic.Int64
	iteratorAge                atomic.Int64 // ms, of the last GetRecords
}

// shardMetric is one enhanced-monitoring metric.
type shardMetric struct {
	name, prom, help, typ string
	value                 func(u *shardUsage) int64
}

var shardMetrics = []*shardMetric{
	{"IncomingBytes", "kinesis_shard_incoming_bytes_total", "Bytes put to the shard (enhanced monitoring IncomingBytes).", "counter",
		func(u *shardUsage) int64 { return u.bytes.Load() }},
	{"IncomingRecords", "kinesis_shard_incoming_records_total", "Records put to the shard (enhanced monitoring IncomingRecords).", "counter",
		func(u *shardUsage) int64 { return u.records.Load() }},
	{"OutgoingBytes", "kinesis_shard_outgoing_bytes_total", "Bytes read from the shard by GetRecords (enhanced monitoring OutgoingBytes).", "counter",
		func(u *shardUsage) int64 { return u.outBytes.Load() }},
	{"OutgoingRecords", "kinesis_shard_outgoing_records_total", "Records read from the shard by GetRecords (enhanced monitoring OutgoingRecords).", "counter",
		func(u *shardUsage) int64 { return u.outRecords.Load() }},
	{"WriteProvisionedThroughputExceeded", "kinesis_shard_write_provisioned_throughput_exceeded_total", "Records refused by the shard's write limits.", "counter",
		func(u *shardUsage) int64 { return u.writeThrottled.Load() }},
	{"ReadProvisionedThroughputExceeded", "kinesis_shard_read_provisioned_throughput_exceeded_total", "GetRecords calls refused by the shard's read limits.", "counter",
		func(u *shardUsage) int64 { return u.readThrott.Load() }},
	{"IteratorAgeMilliseconds", "kinesis_shard_iterator_age_milliseconds", "Age of the last record the shard's last GetRecords call returned.", "gauge",
		func(u *shardUsage) int64 { return u.iteratorAge.Load() }},
}

// collectShardMetric emits sm for every listed shard of every stream that
// has it enabled.
func (e *Engine) collectShardMetric(sm *shardMetric, emit func(float64, ...string)) {
	streams := e.allStreams()
	for _, s := range streams {
		v := s.view.Load()
		enabled := false
		for _, m := range v.meta.Metrics {
			enabled = enabled || m == sm.name
		}
		if !enabled {
			continue
		}
		for idx, st := range v.shards {
			emit(float64(sm.value(st.usage)), "region", e.metricsRegion(), "stream", v.meta.Name, "shard", shardID(idx))
		}
	}
}

// observePut records a PutRecord or PutRecords call that returned results.
func (e *Engine) observePut(s *stream, op string, start time.Time, entries []putEntry, res []putResult) {
	sm := e.metricsOf(s)
	var bytes, ok, failed, throttled int
	for i, r := range res {
		switch r.ErrorCode {
		case "":
			ok++
			bytes += entries[i].size()
		case "ProvisionedThroughputExceededException":
			throttled++
		default:
			failed++
		}
	}
	sm.incomingBytes.Add(float64(bytes))
	sm.incomingRecords.Add(float64(ok))
	if throttled > 0 {
		sm.writeThrottled.Add(float64(throttled))
	}
	secs := time.Since(start).Seconds()
	if op == "PutRecord" {
		if ok == 1 {
			sm.putRecordSuccess.Inc()
			sm.putRecordBytes.Add(float64(bytes))
		}
		sm.putRecordLatency.Observe(secs)
		return
	}
	if ok == len(res) {
		sm.putRecordsSuccess.Inc()
	}
	sm.putRecordsBytes.Add(float64(bytes))
	sm.putRecordsOK.Add(float64(ok))
	if failed > 0 {
		sm.putRecordsFailed.Add(float64(failed))
	}
	if throttled > 0 {
		sm.putRecordsThrottle.Add(float64(throttled))
	}
	sm.putRecordsLatency.Observe(secs)
}

// metricsRegion is the "region" label of the engine's series
// (Config.MetricsRegion).
func (e *Engine) metricsRegion() string {
	if e.cfg.MetricsRegion != "" {
		return e.cfg.MetricsRegion
	}
	return e.cfg.Region
}
