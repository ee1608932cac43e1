// Package producermetrics exports a producer's metrics (package producer,
// named as the KPL names them) through Eddy's metrics registry, in the
// Prometheus text format:
//
//	reg := metrics.NewRegistry()
//	p, err := producer.New(ctx, client, "orders", producer.WithMetrics(producermetrics.New(reg)))
//	http.Handle("/metrics", metricshttp.Handler(reg))
//
// Each KPL metric becomes one family, its name in snake case under the
// prefix kpl_: counters end in _total and carry the labels stream and
// shard (ErrorsByCode also error_code); BufferingTime and RequestTime are
// histograms in seconds (the KPL reports milliseconds); the other
// distributions are histograms of counts; UserRecordsPending is a gauge.
//
//	UserRecordsReceived                 kpl_user_records_received_total{stream,shard}
//	UserRecordsPut                      kpl_user_records_put_total{stream,shard}
//	UserRecordsDataPut                  kpl_user_records_data_put_bytes_total{stream,shard}
//	KinesisRecordsPut                   kpl_kinesis_records_put_total{stream,shard}
//	KinesisRecordsDataPut               kpl_kinesis_records_data_put_bytes_total{stream,shard}
//	ErrorsByCode                        kpl_errors_by_code_total{stream,shard,error_code}
//	AllErrors                           kpl_all_errors_total{stream,shard}
//	UserRecordExpired                   kpl_user_record_expired_total{stream,shard}
//	BufferingTime                       kpl_buffering_time_seconds{stream}
//	RequestTime                         kpl_request_time_seconds{stream}
//	RetriesPerRecord                    kpl_retries_per_record{stream}
//	UserRecordsPerKinesisRecord         kpl_user_records_per_kinesis_record{stream}
//	KinesisRecordsPerPutRecordsRequest  kpl_kinesis_records_per_put_records_request{stream}
//	UserRecordsPerPutRecordsRequest     kpl_user_records_per_put_records_request{stream}
//	UserRecordsPending                  kpl_user_records_pending{stream}
package producermetrics

import (
	"github.com/eddy-streams/eddy/client/producer"
	"github.com/eddy-streams/eddy/metrics"
)

// countBuckets are the upper bounds of the count distributions: retries
// per record, records per Kinesis record and per call.
var countBuckets = []float64{0, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000}

// Metrics implements producer.Metrics on a metrics.Registry.
type Metrics struct {
	counters map[string]*metrics.CounterVec
	errors   *metrics.CounterVec
	hists    map[string]histogram
	pending  *metrics.GaugeVec
}

type histogram struct {
	vec   *metrics.HistogramVec
	scale float64 // multiplies the producer's value (ms -> s)
}

// New registers the producer's families with reg. It panics if reg has
// families of the same names (one Metrics can serve many producers: the
// stream label tells them apart).
func New(reg *metrics.Registry) *Metrics {
	m := &Metrics{counters: map[string]*metrics.CounterVec{}, hists: map[string]histogram{}}
	counter := func(name, family, help string) {
		m.counters[name] = reg.CounterVec(family, help, "stream", "shard")
	}
	counter(producer.UserRecordsReceived, "kpl_user_records_received_total", "User records accepted by Put.")
	counter(producer.UserRecordsPut, "kpl_user_records_put_total", "User records put successfully.")
	counter(producer.UserRecordsDataPut, "kpl_user_records_data_put_bytes_total", "Bytes of data in the user records put successfully.")
	counter(producer.KinesisRecordsPut, "kpl_kinesis_records_put_total", "Kinesis records put successfully.")
	counter(producer.KinesisRecordsDataPut, "kpl_kinesis_records_data_put_bytes_total", "Bytes of data in the Kinesis records put successfully.")
	counter(producer.AllErrors, "kpl_all_errors_total", "Errors: failed PutRecords calls and failed entries.")
	counter(producer.UserRecordExpired, "kpl_user_record_expired_total", "User records failed because RecordTtl passed.")
	m.errors = reg.CounterVec("kpl_errors_by_code_total", "Errors by error code.", "stream", "shard", "error_code")
	hist := func(name, family, help string, buckets []float64, scale float64) {
		m.hists[name] = histogram{reg.HistogramVec(family, help, buckets, "stream"), scale}
	}
	hist(producer.BufferingTime, "kpl_buffering_time_seconds", "Time from Put to a user record's first attempt.", metrics.LatencyBuckets, 1e-3)
	hist(producer.RequestTime, "kpl_request_time_seconds", "Time of a PutRecords call.", metrics.LatencyBuckets, 1e-3)
	hist(producer.RetriesPerRecord, "kpl_retries_per_record", "Attempts after the first, per user record completed.", countBuckets, 1)
	hist(producer.UserRecordsPerKinesisRecord, "kpl_user_records_per_kinesis_record", "User records per Kinesis record sent.", countBuckets, 1)
	hist(producer.KinesisRecordsPerPutRecordsRequest, "kpl_kinesis_records_per_put_records_request", "Kinesis records per PutRecords call.", countBuckets, 1)
	hist(producer.UserRecordsPerPutRecordsRequest, "kpl_user_records_per_put_records_request", "User records per PutRecords call.", countBuckets, 1)
	m.pending = reg.GaugeVec("kpl_user_records_pending", "User records put and not completed.", "stream")
	return m
}

// Add implements producer.Metrics.
func (m *Metrics) Add(name string, d producer.Dimensions, value float64) {
	if name == producer.ErrorsByCode {
		m.errors.With(d.StreamName, d.ShardID, d.ErrorCode).Add(value)
		return
	}
	if c, ok := m.counters[name]; ok {
		c.With(d.StreamName, d.ShardID).Add(value)
	}
}

// Observe implements producer.Metrics.
func (m *Metrics) Observe(name string, d producer.Dimensions, value float64) {
	if h, ok := m.hists[name]; ok {
		h.vec.With(d.StreamName).Observe(value * h.scale)
	}
}

// Set implements producer.Metrics.
func (m *Metrics) Set(name string, d producer.Dimensions, value float64) {
	if name == producer.UserRecordsPending {
		m.pending.With(d.StreamName).Set(value)
	}
}

var _ producer.Metrics = (*Metrics)(nil)
