// Package consumermetrics exports a consumer's metrics (package consumer,
// named as the KCL names them) through Eddy's metrics registry, in the
// Prometheus text format:
//
//	reg := metrics.NewRegistry()
//	w, err := consumer.New(consumer.Config{..., Metrics: consumermetrics.New(reg)}, newProcessor)
//	http.Handle("/metrics", metricshttp.Handler(reg))
//
// Each KCL metric becomes one family, its name in snake case under the
// prefix kcl_, with the labels stream, worker and (per-shard metrics)
// shard:
//
//	RecordsProcessed    kcl_records_processed_total{stream,worker,shard}
//	DataBytesProcessed  kcl_data_processed_bytes_total{stream,worker,shard}
//	MillisBehindLatest  kcl_millis_behind_latest{stream,worker,shard}
//	CurrentLeases       kcl_current_leases{stream,worker}
//	TakenLeases         kcl_taken_leases_total{stream,worker}
//	LostLeases          kcl_lost_leases_total{stream,worker}
package consumermetrics

import (
	"github.com/eddy-streams/eddy/client/consumer"
	"github.com/eddy-streams/eddy/metrics"
)

// Metrics implements consumer.Metrics on a metrics.Registry.
type Metrics struct {
	shardCounters  map[string]*metrics.CounterVec
	workerCounters map[string]*metrics.CounterVec
	behind         *metrics.GaugeVec
	leases         *metrics.GaugeVec
}

// New registers the consumer's families with reg. It panics if reg has
// families of the same names (one Metrics can serve many workers: the
// stream and worker labels tell them apart).
func New(reg *metrics.Registry) *Metrics {
	m := &Metrics{shardCounters: map[string]*metrics.CounterVec{}, workerCounters: map[string]*metrics.CounterVec{}}
	m.shardCounters[consumer.RecordsProcessed] = reg.CounterVec("kcl_records_processed_total", "User records handed to ProcessRecords.", "stream", "worker", "shard")
	m.shardCounters[consumer.DataBytesProcessed] = reg.CounterVec("kcl_data_processed_bytes_total", "Bytes of data in the user records handed to ProcessRecords.", "stream", "worker", "shard")
	m.workerCounters[consumer.TakenLeases] = reg.CounterVec("kcl_taken_leases_total", "Leases taken (new, expired or stolen).", "stream", "worker")
	m.workerCounters[consumer.LostLeases] = reg.CounterVec("kcl_lost_leases_total", "Leases held and lost.", "stream", "worker")
	m.behind = reg.GaugeVec("kcl_millis_behind_latest", "How far the last batch read was behind the shard's tip, in milliseconds.", "stream", "worker", "shard")
	m.leases = reg.GaugeVec("kcl_current_leases", "Leases the worker holds.", "stream", "worker")
	return m
}

// Add implements consumer.Metrics.
func (m *Metrics) Add(name string, d consumer.Dimensions, value float64) {
	if c, ok := m.shardCounters[name]; ok {
		c.With(d.StreamName, d.WorkerID, d.ShardID).Add(value)
	} else if c, ok := m.workerCounters[name]; ok {
		c.With(d.StreamName, d.WorkerID).Add(value)
	}
}

// Observe implements consumer.Metrics; the consumer has no distributions.
func (m *Metrics) Observe(string, consumer.Dimensions, float64) {}

// Set implements consumer.Metrics.
func (m *Metrics) Set(name string, d consumer.Dimensions, value float64) {
	switch name {
	case consumer.MillisBehindLatest:
		m.behind.With(d.StreamName, d.WorkerID, d.ShardID).Set(value)
	case consumer.CurrentLeases:
		m.leases.With(d.StreamName, d.WorkerID).Set(value)
	}
}

var _ consumer.Metrics = (*Metrics)(nil)
