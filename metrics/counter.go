package metrics

import (
	"math"
	"sync/atomic"
)

// Counter is a value that only goes up: requests served, records written.
// Its methods are safe for concurrent use, lock-free and allocation-free.
type Counter struct {
	// The value is ints + float64frombits(bits). Whole-number increments
	// (Inc, and Add of an integral n) take the ints path, a single atomic
	// add; others take a compare-and-swap loop on the float bits.
	ints atomic.Uint64
	bits atomic.Uint64
}

// Inc adds 1.
func (c *Counter) Inc() { c.ints.Add(1) }

// Add adds n. It panics if n is negative; a NaN n makes the counter NaN.
func (c *Counter) Add(n float64) {
	if n < 0 {
		panic("metrics: counter cannot decrease")
	}
	// uint64(n) of an n outside the uint64 range (or NaN) is some value that
	// does not convert back to n, so such n take the float path.
	if u := uint64(n); float64(u) == n {
		c.ints.Add(u)
		return
	}
	addFloat(&c.bits, n)
}

// Value returns the current value.
func (c *Counter) Value() float64 {
	return float64(c.ints.Load()) + math.Float64frombits(c.bits.Load())
}

// addFloat adds n to the float64 whose bits are in p.
func addFloat(p *atomic.Uint64, n float64) {
	for {
		old := p.Load()
		if p.CompareAndSwap(old, math.Float64bits(math.Float64frombits(old)+n)) {
			return
		}
	}
}

// CounterVec is a counter family with labels: one Counter per distinct list
// of label values.
type CounterVec struct {
	v *vec[Counter]
}

// With returns the counter for the label values, given in the order the
// labels were registered, creating it at zero if needed. The same values
// always give the same *Counter until Delete, so callers on hot paths should
// keep the pointer. With panics if the number of values is not the number of
// labels, or if a new series' value is not valid UTF-8.
func (cv *CounterVec) With(values ...string) *Counter { return cv.v.with(values) }

// Delete removes the counter for the label values from the family and
// reports whether it was there. It panics if the number of values is not the
// number of labels.
func (cv *CounterVec) Delete(values ...string) bool { return cv.v.delete(values) }

func (cv *CounterVec) familyName() string { return cv.v.name }

func (cv *CounterVec) appendText(b []byte) ([]byte, error) {
	ss := cv.v.snapshot()
	if len(ss) == 0 {
		return b, nil
	}
	b = cv.v.appendHeader(b)
	for _, s := range ss {
		b = appendSample(b, cv.v.name, "", s.labels, "", s.metric.Value())
	}
	return b, nil
}
