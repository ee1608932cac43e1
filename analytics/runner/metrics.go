package runner

import (
	"github.com/eddy-streams/eddy/metrics"
)

// Metrics. The runner publishes per application (label application, its
// ARN) what Kinesis Data Analytics reports to CloudWatch for an SQL
// application (SQL Developer Guide, "Kinesis Data Analytics Metrics"),
// under Prometheus names:
//
//	CloudWatch            Prometheus
//	Records (input)       analytics_input_records_total (records read from the streaming input)
//	Bytes (input)         analytics_input_bytes_total
//	Records (output)      analytics_output_records_total (rows written, label output: its name)
//	(error stream)        analytics_error_rows_total (rows the input could not make, to error_stream)
//	MillisBehindLatest    analytics_millis_behind_latest (now minus the arrival time of the last
//	                      record read, when it was read; 0 once the input is read to its end)
type Metrics struct {
	inRecords, inBytes, errors *metrics.CounterVec
	outRecords                 *metrics.CounterVec
	behind                     *metrics.GaugeVec
}

// NewMetrics registers the families in r.
func NewMetrics(r *metrics.Registry) *Metrics {
	return &Metrics{
		inRecords:  r.CounterVec("analytics_input_records_total", "Records read from the application's streaming input (CloudWatch Records, input).", "application"),
		inBytes:    r.CounterVec("analytics_input_bytes_total", "Bytes of the records read from the streaming input (CloudWatch Bytes, input).", "application"),
		errors:     r.CounterVec("analytics_error_rows_total", "Input records that made no row and went to error_stream.", "application"),
		outRecords: r.CounterVec("analytics_output_records_total", "Rows written to the output's destination (CloudWatch Records, output).", "application", "output"),
		behind:     r.GaugeVec("analytics_millis_behind_latest", "How far behind the end of its input the application reads, in milliseconds (CloudWatch MillisBehindLatest).", "application"),
	}
}

// forget removes a stopped application's series.
func (m *Metrics) forget(app string, outputs []string) {
	if m == nil {
		return
	}
	m.inRecords.Delete(app)
	m.inBytes.Delete(app)
	m.errors.Delete(app)
	m.behind.Delete(app)
	for _, o := range outputs {
		m.outRecords.Delete(app, o)
	}
}
