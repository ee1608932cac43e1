package metrics

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// collector is a family whose series a callback emits at scrape time.
type collector struct {
	desc
	f func(emit func(value float64, labelPairs ...string))
}

// GaugeFunc registers an unlabelled gauge whose value is f's result at
// scrape time (bytes on disk, goroutines). f runs on every scrape without
// any registry lock held, possibly concurrently with itself. It panics on an
// invalid or taken name, or a nil f.
func (r *Registry) GaugeFunc(name, help string, f func() float64) {
	if f == nil {
		panic(fmt.Sprintf("metrics: %s: nil GaugeFunc", name))
	}
	r.Collect(name, help, "gauge", func(emit func(float64, ...string)) { emit(f()) })
}

// Collect registers a family whose series f emits at scrape time, one emit
// call per series; labelPairs are label names and values alternating (name,
// value, name, value, ...), in any order of names. typ is "counter",
// "gauge" or "untyped". f runs on every scrape without any registry lock
// held, possibly concurrently with itself; emit may be called only from f's
// goroutine and only until f returns. A scrape at which f emits nothing leaves the family out.
//
// Collect panics on an invalid or taken name, an unknown typ or a nil f. An
// invalid sample (odd number of labelPairs, invalid or repeated label name,
// label value not valid UTF-8, two series with the same labels) makes the
// scrape fail: WriteText returns an error and metricshttp.Handler answers 500.
func (r *Registry) Collect(name, help, typ string, f func(emit func(value float64, labelPairs ...string))) {
	d := newDesc(name, help, typ)
	switch typ {
	case "counter", "gauge", "untyped":
	default:
		panic(fmt.Sprintf("metrics: %s: Collect type %q is not counter, gauge or untyped", name, typ))
	}
	if f == nil {
		panic(fmt.Sprintf("metrics: %s: nil Collect func", name))
	}
	r.register(&collector{desc: d, f: f}, name)
}

func (c *collector) familyName() string { return c.name }

// sample is one series emitted by a collector callback.
type sample struct {
	pairs []string // name, value, ... sorted by name
	value float64
}

func (c *collector) appendText(b []byte) ([]byte, error) {
	var samples []sample
	var err error
	c.f(func(value float64, labelPairs ...string) {
		if err != nil {
			return
		}
		var pairs []string
		if pairs, err = checkPairs(labelPairs); err == nil {
			samples = append(samples, sample{pairs: pairs, value: value})
		}
	})
	if err != nil {
		return b, err
	}
	if len(samples) == 0 {
		return b, nil
	}
	slices.SortFunc(samples, func(a, b sample) int { return slices.Compare(a.pairs, b.pairs) })
	for i := 1; i < len(samples); i++ {
		if slices.Equal(samples[i-1].pairs, samples[i].pairs) {
			return b, fmt.Errorf("duplicate series {%s}", renderPairs(samples[i].pairs))
		}
	}
	b = c.appendHeader(b)
	for _, s := range samples {
		b = appendSample(b, c.name, "", renderPairs(s.pairs), "", s.value)
	}
	return b, nil
}

// checkPairs validates the label pairs of one emitted sample and returns a
// copy with the pairs sorted by label name.
func checkPairs(labelPairs []string) ([]string, error) {
	if len(labelPairs)%2 != 0 {
		return nil, fmt.Errorf("odd number of label names and values (%d): %q", len(labelPairs), labelPairs)
	}
	n := len(labelPairs) / 2
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
		name, value := labelPairs[2*i], labelPairs[2*i+1]
		if !validLabelName(name) {
			return nil, fmt.Errorf("invalid label name %q", name)
		}
		if !utf8.ValidString(value) {
			return nil, fmt.Errorf("value of label %s is not valid UTF-8: %q", name, value)
		}
	}
	slices.SortFunc(idx, func(a, b int) int { return strings.Compare(labelPairs[2*a], labelPairs[2*b]) })
	pairs := make([]string, 0, len(labelPairs))
	for k, i := range idx {
		name := labelPairs[2*i]
		if k > 0 && pairs[len(pairs)-2] == name {
			return nil, errors.New("duplicate label name " + name)
		}
		pairs = append(pairs, name, labelPairs[2*i+1])
	}
	return pairs, nil
}

// renderPairs renders sorted name, value pairs as the text between a sample
// line's braces.
func renderPairs(pairs []string) string {
	var b []byte
	for i := 0; i < len(pairs); i += 2 {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendLabelPair(b, pairs[i], pairs[i+1])
	}
	return string(b)
}
