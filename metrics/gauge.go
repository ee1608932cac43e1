package metrics

import (
	"math"
	"sync/atomic"
)

// Gauge is a value that goes up and down: open connections, bytes buffered.
// Its methods are safe for concurrent use, lock-free and allocation-free.
type Gauge struct {
	bits atomic.Uint64 // float64 bits
}

// Set sets the gauge to v.
func (g *Gauge) Set(v float64) { g.bits.Store(math.Float64bits(v)) }

// Add adds n, which may be negative.
func (g *Gauge) Add(n float64) { addFloat(&g.bits, n) }

// Inc adds 1.
func (g *Gauge) Inc() { addFloat(&g.bits, 1) }

// Dec subtracts 1.
func (g *Gauge) Dec() { addFloat(&g.bits, -1) }

// Value returns the current value.
func (g *Gauge) Value() float64 { return math.Float64frombits(g.bits.Load()) }

// GaugeVec is a gauge family with labels: one Gauge per distinct list of
// label values.
type GaugeVec struct {
	v *vec[Gauge]
}

// With returns the gauge for the label values, given in the order the labels
// were registered, creating it at zero if needed. The same values always give
// the same *Gauge until Delete, so callers on hot paths should keep the
// pointer. With panics if the number of values is not the number of labels,
// or if a new series' value is not valid UTF-8.
func (gv *GaugeVec) With(values ...string) *Gauge { return gv.v.with(values) }

// Delete removes the gauge for the label values from the family and reports
// whether it was there. It panics if the number of values is not the number
// of labels.
func (gv *GaugeVec) Delete(values ...string) bool { return gv.v.delete(values) }

func (gv *GaugeVec) familyName() string { return gv.v.name }

func (gv *GaugeVec) appendText(b []byte) ([]byte, error) {
	ss := gv.v.snapshot()
	if len(ss) == 0 {
		return b, nil
	}
	b = gv.v.appendHeader(b)
	for _, s := range ss {
		b = appendSample(b, gv.v.name, "", s.labels, "", s.metric.Value())
	}
	return b, nil
}
