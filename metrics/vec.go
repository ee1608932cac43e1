package metrics

import (
	"encoding/binary"
	"fmt"
	"slices"
	"sync"
	"unicode/utf8"
)

// vec is the set of series behind CounterVec, GaugeVec and HistogramVec: one
// *T per distinct list of label values.
//
// Series are keyed by an encoding of the label values (each value preceded
// by its length as a uvarint, so no two lists share a key). Lookups build the
// key in a stack buffer and index the map with string(key), which the
// compiler does without allocating.
type vec[T any] struct {
	desc
	labels    []string
	newMetric func() *T

	mu struct {
		sync.RWMutex
		series map[string]*series[T]
	}
}

// series is one labelled series of a vec.
type series[T any] struct {
	values []string // label values, in the order of vec.labels
	labels string   // rendered label pairs, without braces; "" without labels
	metric *T
}

func newVec[T any](d desc, labels []string, newMetric func() *T) *vec[T] {
	v := &vec[T]{desc: d, labels: slices.Clone(labels), newMetric: newMetric}
	v.mu.series = make(map[string]*series[T])
	if len(labels) == 0 {
		// An unlabelled family has exactly one series; export it (at zero)
		// from the start rather than from the first With.
		v.with(nil)
	}
	return v
}

// keyBufSize is the stack buffer for lookup keys; longer keys still work but
// allocate.
const keyBufSize = 128

// appendKey appends the map key for values.
func appendKey(b []byte, values []string) []byte {
	for _, s := range values {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	return b
}

// checkArity panics if values does not have one value per label.
func (v *vec[T]) checkArity(op string, values []string) {
	if len(values) != len(v.labels) {
		panic(fmt.Sprintf("metrics: %s %s: got %d label values, want %d %q", v.name, op, len(values), len(v.labels), v.labels))
	}
}

// with returns the series for values, creating it if needed.
func (v *vec[T]) with(values []string) *T {
	v.checkArity("With", values)
	var buf [keyBufSize]byte
	key := appendKey(buf[:0], values)
	v.mu.RLock()
	s := v.mu.series[string(key)]
	v.mu.RUnlock()
	if s != nil {
		return s.metric
	}
	return v.create(string(key), values)
}

// create adds the series for values under key unless another goroutine got
// there first, and returns the series' metric.
func (v *vec[T]) create(key string, values []string) *T {
	for i, s := range values {
		if !utf8.ValidString(s) {
			panic(fmt.Sprintf("metrics: %s With: value of label %s is not valid UTF-8: %q", v.name, v.labels[i], s))
		}
	}
	// A new variable, not values = Clone(values): escape analysis does not
	// track flow order, and values must not escape or every With allocates.
	own := slices.Clone(values)
	s := &series[T]{values: own, labels: renderLabels(v.labels, own), metric: v.newMetric()}
	v.mu.Lock()
	defer v.mu.Unlock()
	if old := v.mu.series[key]; old != nil {
		return old.metric
	}
	v.mu.series[key] = s
	return s.metric
}

// delete removes the series for values and reports whether it existed.
func (v *vec[T]) delete(values []string) bool {
	v.checkArity("Delete", values)
	var buf [keyBufSize]byte
	key := appendKey(buf[:0], values)
	v.mu.Lock()
	defer v.mu.Unlock()
	if _, ok := v.mu.series[string(key)]; !ok {
		return false
	}
	delete(v.mu.series, string(key))
	return true
}

// snapshot returns the current series sorted by label values. The slice is
// the caller's; the series are shared and read-only.
func (v *vec[T]) snapshot() []*series[T] {
	v.mu.RLock()
	ss := make([]*series[T], 0, len(v.mu.series))
	for _, s := range v.mu.series {
		ss = append(ss, s)
	}
	v.mu.RUnlock()
	slices.SortFunc(ss, func(a, b *series[T]) int { return slices.Compare(a.values, b.values) })
	return ss
}

func (v *vec[T]) familyName() string { return v.name }
