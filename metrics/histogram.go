package metrics

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"sync/atomic"
)

// LatencyBuckets are upper bounds in seconds for latencies from 0.1 ms to
// 10 s, roughly three per decade.
var LatencyBuckets = latencyBuckets()

// DefBuckets are the buckets HistogramVec uses when given none; the same
// bounds as LatencyBuckets, in a slice of their own.
var DefBuckets = latencyBuckets()

func latencyBuckets() []float64 {
	return []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}
}

// linearSearchMax is the most bounds Observe scans linearly; above it, it
// searches binary.
const linearSearchMax = 32

// Histogram counts observations in buckets and keeps their sum. Its methods
// are safe for concurrent use, lock-free and allocation-free.
//
// Counts are kept per bucket (not cumulative) and the total count is their
// sum at scrape time, so the exposed _count always equals the +Inf bucket and
// the cumulative buckets never decrease. The sum is a separate word, so a
// scrape racing an Observe may see the observation in the counts but not yet
// in the sum.
type Histogram struct {
	upper  []float64       // upper bounds, strictly increasing, shared by the family
	counts []atomic.Uint64 // counts[i]: observations in (upper[i-1], upper[i]]; the last is (upper[n-1], +Inf]
	sum    atomic.Uint64   // float64 bits
}

func newHistogram(upper []float64) *Histogram {
	return &Histogram{upper: upper, counts: make([]atomic.Uint64, len(upper)+1)}
}

// Observe records v: it counts v in the first bucket whose upper bound is at
// least v and adds v to the sum. A NaN v is counted in the +Inf bucket and
// makes the sum NaN.
func (h *Histogram) Observe(v float64) {
	var i int
	if len(h.upper) <= linearSearchMax {
		for i < len(h.upper) && !(v <= h.upper[i]) {
			i++
		}
	} else {
		i = sort.SearchFloat64s(h.upper, v) // len(upper) for NaN
	}
	h.counts[i].Add(1)
	addFloat(&h.sum, v)
}

// Count returns the number of observations.
func (h *Histogram) Count() uint64 {
	var n uint64
	for i := range h.counts {
		n += h.counts[i].Load()
	}
	return n
}

// Sum returns the sum of the observations.
func (h *Histogram) Sum() float64 { return math.Float64frombits(h.sum.Load()) }

// HistogramVec is a histogram family with labels: one Histogram per distinct
// list of label values, all with the same buckets.
type HistogramVec struct {
	v  *vec[Histogram]
	le []string // rendered le="..." pairs, one per bound, then le="+Inf"
}

// With returns the histogram for the label values, given in the order the
// labels were registered, creating it empty if needed. The same values
// always give the same *Histogram until Delete, so callers on hot paths
// should keep the pointer. With panics if the number of values is not the
// number of labels, or if a new series' value is not valid UTF-8.
func (hv *HistogramVec) With(values ...string) *Histogram { return hv.v.with(values) }

// Delete removes the histogram for the label values from the family and
// reports whether it was there. It panics if the number of values is not the
// number of labels.
func (hv *HistogramVec) Delete(values ...string) bool { return hv.v.delete(values) }

func (hv *HistogramVec) familyName() string { return hv.v.name }

func (hv *HistogramVec) appendText(b []byte) ([]byte, error) {
	ss := hv.v.snapshot()
	if len(ss) == 0 {
		return b, nil
	}
	name := hv.v.name
	b = hv.v.appendHeader(b)
	for _, s := range ss {
		h := s.metric
		var cum uint64
		for i := range h.counts {
			cum += h.counts[i].Load()
			b = appendSample(b, name, "_bucket", s.labels, hv.le[i], float64(cum))
		}
		b = appendSample(b, name, "_sum", s.labels, "", h.Sum())
		b = appendSample(b, name, "_count", s.labels, "", float64(cum))
	}
	return b, nil
}

// checkBuckets returns the upper bounds to use for buckets: DefBuckets if
// it is empty, otherwise a copy without a trailing +Inf (which every
// histogram has). It panics unless the bounds are strictly increasing and
// not NaN.
func checkBuckets(name string, buckets []float64) []float64 {
	if len(buckets) == 0 {
		buckets = DefBuckets
	}
	for i, u := range buckets {
		if math.IsNaN(u) || (i > 0 && !(buckets[i-1] < u)) {
			panic(fmt.Sprintf("metrics: %s: buckets are not strictly increasing: %v", name, buckets))
		}
	}
	upper := slices.Clone(buckets)
	if math.IsInf(upper[len(upper)-1], 1) {
		upper = upper[:len(upper)-1]
	}
	return upper
}

// renderLe renders the le pair of every bucket, +Inf last.
func renderLe(upper []float64) []string {
	le := make([]string, 0, len(upper)+1)
	for _, u := range upper {
		le = append(le, `le="`+string(appendFloat(nil, u))+`"`)
	}
	return append(le, `le="+Inf"`)
}
