package delivery

import (
	"time"

	"github.com/eddy-streams/eddy/metrics"
)

// Metrics. Pipelines publish, per delivery stream (label delivery_stream,
// its name) and destination (label destination: S3, HttpEndpoint, ...),
// Firehose's CloudWatch delivery metrics (Firehose developer guide,
// "Data delivery CloudWatch metrics") under Prometheus names:
//
//	CloudWatch                          Prometheus
//	DeliveryTo<destination>.Records     firehose_delivery_records_total
//	DeliveryTo<destination>.Bytes       firehose_delivery_bytes_total
//	DeliveryTo<destination>.Success     firehose_delivery_success_total / firehose_delivery_attempts_total
//	                                    (CloudWatch reports the ratio; both counts are here)
//	DeliveryTo<destination>.DataFreshness  firehose_delivery_data_freshness_seconds (gauge: age of the
//	                                    oldest record read and not yet delivered; 0 when none is)
//	DataReadFromKinesisStream.Records   firehose_read_records_total (records read from the source,
//	                                    its own log for a DirectPut stream)
//	DataReadFromKinesisStream.Bytes     firehose_read_bytes_total
//	(records to the error output)       firehose_failed_records_total (processing or conversion failed)
//
// IncomingRecords, IncomingBytes and IncomingPutRequests are counted where
// records are put (the firehose service).
type Metrics struct {
	records, bytes, success, attempts, read, readBytes, failed *metrics.CounterVec
	freshness                                                  *metrics.GaugeVec
}

// NewMetrics registers the families in r.
func NewMetrics(r *metrics.Registry) *Metrics {
	l := []string{"delivery_stream", "destination"}
	return &Metrics{
		records:   r.CounterVec("firehose_delivery_records_total", "Records delivered to the destination (CloudWatch DeliveryTo<destination>.Records).", l...),
		bytes:     r.CounterVec("firehose_delivery_bytes_total", "Bytes of record data delivered to the destination (CloudWatch DeliveryTo<destination>.Bytes).", l...),
		success:   r.CounterVec("firehose_delivery_success_total", "Deliveries (objects, requests) the destination acknowledged (CloudWatch DeliveryTo<destination>.Success, with firehose_delivery_attempts_total).", l...),
		attempts:  r.CounterVec("firehose_delivery_attempts_total", "Deliveries attempted, acknowledged or not.", l...),
		read:      r.CounterVec("firehose_read_records_total", "Records read from the delivery stream's source (CloudWatch DataReadFromKinesisStream.Records).", l...),
		readBytes: r.CounterVec("firehose_read_bytes_total", "Bytes of record data read from the source (CloudWatch DataReadFromKinesisStream.Bytes).", l...),
		failed:    r.CounterVec("firehose_failed_records_total", "Records sent to the error output (processing or format conversion failed).", l...),
		freshness: r.GaugeVec("firehose_delivery_data_freshness_seconds", "Age of the oldest record read and not yet delivered (CloudWatch DeliveryTo<destination>.DataFreshness).", l...),
	}
}

// StreamMetrics are one pipeline's series.
type StreamMetrics struct {
	records, bytes, success, attempts, read, readBytes, failed *metrics.Counter
	freshness                                                  *metrics.Gauge
}

// For returns the series of a delivery stream's destination.
func (m *Metrics) For(stream, destination string) *StreamMetrics {
	return &StreamMetrics{
		records: m.records.With(stream, destination), bytes: m.bytes.With(stream, destination),
		success: m.success.With(stream, destination), attempts: m.attempts.With(stream, destination),
		read: m.read.With(stream, destination), readBytes: m.readBytes.With(stream, destination),
		failed: m.failed.With(stream, destination), freshness: m.freshness.With(stream, destination),
	}
}

// Forget removes a deleted delivery stream's series.
func (m *Metrics) Forget(stream, destination string) {
	for _, v := range []*metrics.CounterVec{m.records, m.bytes, m.success, m.attempts, m.read, m.readBytes, m.failed} {
		v.Delete(stream, destination)
	}
	m.freshness.Delete(stream, destination)
}

// Attempt counts one delivery attempt (for destinations that retry inside
// Deliver); nil-safe.
func (s *StreamMetrics) Attempt(err error) {
	if s == nil {
		return
	}
	s.attempts.Inc()
	if err == nil {
		s.success.Inc()
	}
}

func (s *StreamMetrics) readRecords(recs []Record) {
	if s == nil {
		return
	}
	n := 0
	for i := range recs {
		n += len(recs[i].Data)
	}
	s.read.Add(float64(len(recs)))
	s.readBytes.Add(float64(n))
}

func (s *StreamMetrics) delivered(b *Buffer) {
	if s == nil {
		return
	}
	s.records.Add(float64(len(b.Records)))
	s.bytes.Add(float64(b.Bytes))
}

func (s *StreamMetrics) failedRecords(n int) {
	if s != nil {
		s.failed.Add(float64(n))
	}
}

func (s *StreamMetrics) fresh(age time.Duration) {
	if s != nil {
		s.freshness.Set(max(age, 0).Seconds())
	}
}
