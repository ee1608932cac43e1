package engine

import (
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
// stream and shard: kinesis_shard_incoming_bytes_total,
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

// engineMetrics are the engine's metric families.
type engineMetrics struct {
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
}

func (e *Engine) registerMetrics(r *metrics.Registry) {
	m := &e.metrics
	lat := metrics.LatencyBuckets
	m.incomingBytes = r.CounterVec("kinesis_incoming_bytes_total", "Bytes (data and partition keys) put to the stream (CloudWatch IncomingBytes).", "stream")
	m.incomingRecords = r.CounterVec("kinesis_incoming_records_total", "Records put to the stream (CloudWatch IncomingRecords).", "stream")
	m.putRecordSuccess = r.CounterVec("kinesis_put_record_success_total", "Successful PutRecord calls (CloudWatch PutRecord.Success).", "stream")
	m.putRecordBytes = r.CounterVec("kinesis_put_record_bytes_total", "Bytes put with PutRecord (CloudWatch PutRecord.Bytes).", "stream")
	m.putRecordLatency = r.HistogramVec("kinesis_put_record_latency_seconds", "PutRecord latency (CloudWatch PutRecord.Latency).", lat, "stream")
	m.putRecordsSuccess = r.CounterVec("kinesis_put_records_success_total", "PutRecords calls that wrote every record (CloudWatch PutRecords.Success).", "stream")
	m.putRecordsBytes = r.CounterVec("kinesis_put_records_bytes_total", "Bytes put with PutRecords (CloudWatch PutRecords.Bytes).", "stream")
	m.putRecordsRecs = r.CounterVec("kinesis_put_records_records_total", "PutRecords entries by result (CloudWatch PutRecords.SuccessfulRecords, FailedRecords, ThrottledRecords).", "stream", "result")
	m.putRecordsLatency = r.HistogramVec("kinesis_put_records_latency_seconds", "PutRecords latency (CloudWatch PutRecords.Latency).", lat, "stream")
	m.getRecordsSuccess = r.CounterVec("kinesis_get_records_success_total", "Successful GetRecords calls (CloudWatch GetRecords.Success).", "stream")
	m.getRecordsBytes = r.CounterVec("kinesis_get_records_bytes_total", "Bytes returned by GetRecords (CloudWatch GetRecords.Bytes).", "stream")
	m.getRecordsRecs = r.CounterVec("kinesis_get_records_records_total", "Records returned by GetRecords (CloudWatch GetRecords.Records).", "stream")
	m.getRecordsLatency = r.HistogramVec("kinesis_get_records_latency_seconds", "GetRecords latency (CloudWatch GetRecords.Latency).", lat, "stream")
	m.iteratorAge = r.GaugeVec("kinesis_get_records_iterator_age_milliseconds", "Age of the last record the last GetRecords call returned; 0 when it returned none (CloudWatch GetRecords.IteratorAgeMilliseconds).", "stream")
	m.writeThrottled = r.CounterVec("kinesis_write_provisioned_throughput_exceeded_total", "Records refused by a shard's write limits (CloudWatch WriteProvisionedThroughputExceeded).", "stream")
	m.readThrottled = r.CounterVec("kinesis_read_provisioned_throughput_exceeded_total", "GetRecords calls refused by a shard's read limits (CloudWatch ReadProvisionedThroughputExceeded).", "stream")
	m.subMillisBehind = r.GaugeVec("kinesis_subscribe_to_shard_event_millis_behind_latest", "MillisBehindLatest of the consumer's last SubscribeToShard event (CloudWatch SubscribeToShardEvent.MillisBehindLatest).", "stream", "consumer")
	m.subBytes = r.CounterVec("kinesis_subscribe_to_shard_event_bytes_total", "Bytes pushed to the consumer (CloudWatch SubscribeToShardEvent.Bytes).", "stream", "consumer")
	m.subRecords = r.CounterVec("kinesis_subscribe_to_shard_event_records_total", "Records pushed to the consumer (CloudWatch SubscribeToShardEvent.Records).", "stream", "consumer")

	r.GaugeFunc("eddy_streams", "Streams, in any status.", func() float64 {
		e.mu.RLock()
		defer e.mu.RUnlock()
		return float64(len(e.mu.streams))
	})
	r.GaugeFunc("eddy_open_shards", "Open shards of all streams.", func() float64 { return float64(e.openShardCount()) })
	for _, sm := range shardMetrics {
		r.Collect(sm.prom, sm.help, sm.typ, func(emit func(float64, ...string)) { e.collectShardMetric(sm, emit) })
	}
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
	for _, vec := range []*metrics.CounterVec{m.incomingBytes, m.incomingRecords, m.putRecordSuccess, m.putRecordBytes,
		m.putRecordsSuccess, m.putRecordsBytes, m.getRecordsSuccess, m.getRecordsBytes, m.getRecordsRecs,
		m.writeThrottled, m.readThrottled} {
		vec.Delete(name)
	}
	for _, r := range []string{"successful", "failed", "throttled"} {
		m.putRecordsRecs.Delete(name, r)
	}
	for _, vec := range []*metrics.HistogramVec{m.putRecordLatency, m.putRecordsLatency, m.getRecordsLatency} {
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
			emit(float64(sm.value(st.usage)), "stream", v.meta.Name, "shard", shardID(idx))
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
