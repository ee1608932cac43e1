package metrics_test

import (
	"os"

	"github.com/eddy-streams/eddy/metrics"
)

func Example() {
	reg := metrics.NewRegistry()
	puts := reg.CounterVec("eddy_put_records_total", "Records accepted.", "stream")
	lat := reg.HistogramVec("eddy_request_seconds", "Request latency.", []float64{0.001, 0.01}, "op")
	reg.GaugeFunc("eddy_streams", "Streams.", func() float64 { return 2 })

	orders := puts.With("orders") // keep the pointer on hot paths
	orders.Add(500)
	orders.Inc()
	lat.With("PutRecords").Observe(0.004)

	reg.WriteText(os.Stdout)
	// Output:
	// # HELP eddy_put_records_total Records accepted.
	// # TYPE eddy_put_records_total counter
	// eddy_put_records_total{stream="orders"} 501
	// # HELP eddy_request_seconds Request latency.
	// # TYPE eddy_request_seconds histogram
	// eddy_request_seconds_bucket{op="PutRecords",le="0.001"} 0
	// eddy_request_seconds_bucket{op="PutRecords",le="0.01"} 1
	// eddy_request_seconds_bucket{op="PutRecords",le="+Inf"} 1
	// eddy_request_seconds_sum{op="PutRecords"} 0.004
	// eddy_request_seconds_count{op="PutRecords"} 1
	// # HELP eddy_streams Streams.
	// # TYPE eddy_streams gauge
	// eddy_streams 2
}
