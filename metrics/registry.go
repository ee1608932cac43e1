package metrics

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// Registry holds metric families and renders them in the text exposition
// format. Its methods are safe for concurrent use. The zero value is an
// empty registry, like the result of NewRegistry.
type Registry struct {
	mu struct {
		sync.Mutex
		families []family          // sorted by name
		samples  map[string]string // every sample name in use -> its family's name
	}
}

// family is one registered metric family.
type family interface {
	familyName() string
	// appendText appends the family's exposition (nothing if it has no
	// series), or returns an error for invalid samples from a callback.
	appendText(b []byte) ([]byte, error)
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{} }

// CounterVec registers a counter family with the given label names and
// returns it. Without labels the family has one series, exported from the
// start: use With() to get it. It panics on an invalid or taken name (see
// the package doc).
func (r *Registry) CounterVec(name, help string, labels ...string) *CounterVec {
	d := newDesc(name, help, "counter")
	checkLabels(name, labels, false)
	cv := &CounterVec{v: newVec(d, labels, func() *Counter { return new(Counter) })}
	r.register(cv, name)
	return cv
}

// GaugeVec registers a gauge family with the given label names and returns
// it. Without labels the family has one series, exported from the start: use
// With() to get it. It panics on an invalid or taken name (see the package
// doc).
func (r *Registry) GaugeVec(name, help string, labels ...string) *GaugeVec {
	d := newDesc(name, help, "gauge")
	checkLabels(name, labels, false)
	gv := &GaugeVec{v: newVec(d, labels, func() *Gauge { return new(Gauge) })}
	r.register(gv, name)
	return gv
}

// HistogramVec registers a histogram family with the given bucket upper
// bounds and label names and returns it. buckets must be strictly
// increasing; nil or empty means DefBuckets, and the +Inf bucket is always
// added. Without labels the family has one series, exported from the start:
// use With() to get it. It panics on an invalid or taken name, or on the
// label name "le" (see the package doc).
func (r *Registry) HistogramVec(name, help string, buckets []float64, labels ...string) *HistogramVec {
	d := newDesc(name, help, "histogram")
	checkLabels(name, labels, true)
	upper := checkBuckets(name, buckets)
	hv := &HistogramVec{
		v:  newVec(d, labels, func() *Histogram { return newHistogram(upper) }),
		le: renderLe(upper),
	}
	r.register(hv, name+"_bucket", name+"_sum", name+"_count")
	return hv
}

// register adds f, whose series use the given sample names, keeping the
// families sorted by name. It panics if the family name or any sample name
// is taken.
func (r *Registry) register(f family, samples ...string) {
	name := f.familyName()
	r.mu.Lock()
	defer r.mu.Unlock()
	i, found := slices.BinarySearchFunc(r.mu.families, name, func(f family, name string) int {
		return strings.Compare(f.familyName(), name)
	})
	if found {
		panic(fmt.Sprintf("metrics: duplicate metric name %s", name))
	}
	for _, s := range samples {
		if other, ok := r.mu.samples[s]; ok {
			panic(fmt.Sprintf("metrics: %s: series name %s is taken by %s", name, s, other))
		}
	}
	if r.mu.samples == nil {
		r.mu.samples = make(map[string]string)
	}
	for _, s := range samples {
		r.mu.samples[s] = name
	}
	r.mu.families = slices.Insert(r.mu.families, i, f)
}

// WriteText writes every family that has series, in the text exposition
// format (see ContentType), with one Write call. If a Collect callback emits
// an invalid sample, WriteText writes nothing and returns an error naming
// the family.
func (r *Registry) WriteText(w io.Writer) error {
	bp := bufPool.Get().(*[]byte)
	defer putBuf(bp)
	b, err := r.appendText((*bp)[:0])
	*bp = b
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// AppendText appends WriteText's output to b. On error it returns nil and
// the error.
func (r *Registry) AppendText(b []byte) ([]byte, error) { return r.appendText(b) }

// appendText appends the exposition of every family. Family callbacks run
// without r.mu held, so they may use the registry.
func (r *Registry) appendText(b []byte) ([]byte, error) {
	r.mu.Lock()
	fams := slices.Clone(r.mu.families)
	r.mu.Unlock()
	for _, f := range fams {
		var err error
		if b, err = f.appendText(b); err != nil {
			return nil, fmt.Errorf("metrics: %s: %w", f.familyName(), err)
		}
	}
	return b, nil
}

// bufPool holds exposition buffers between scrapes.
var bufPool = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledBuf is the largest buffer put back in bufPool.
const maxPooledBuf = 4 << 20

func putBuf(bp *[]byte) {
	if cap(*bp) <= maxPooledBuf {
		bufPool.Put(bp)
	}
}

// newDesc checks a family's name and help text and returns its desc.
func newDesc(name, help, typ string) desc {
	if !validMetricName(name) {
		panic(fmt.Sprintf("metrics: invalid metric name %q", name))
	}
	if !utf8.ValidString(help) {
		panic(fmt.Sprintf("metrics: %s: help is not valid UTF-8: %q", name, help))
	}
	return desc{name: name, help: help, typ: typ}
}

// checkLabels panics unless labels are valid, distinct label names; "le" is
// refused too if histogram is set.
func checkLabels(name string, labels []string, histogram bool) {
	for i, l := range labels {
		if !validLabelName(l) {
			panic(fmt.Sprintf("metrics: %s: invalid label name %q", name, l))
		}
		if histogram && l == "le" {
			panic(fmt.Sprintf("metrics: %s: label name le is reserved in a histogram", name))
		}
		if slices.Contains(labels[:i], l) {
			panic(fmt.Sprintf("metrics: %s: duplicate label name %s", name, l))
		}
	}
}

// validMetricName reports whether s matches [a-zA-Z_:][a-zA-Z0-9_:]*.
func validMetricName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isLetter(c) || c == '_' || c == ':' || (i > 0 && isDigit(c))) {
			return false
		}
	}
	return true
}

// validLabelName reports whether s matches [a-zA-Z_][a-zA-Z0-9_]* and does
// not start with "__" (reserved for Prometheus's own labels).
func validLabelName(s string) bool {
	if s == "" || strings.HasPrefix(s, "__") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isLetter(c) || c == '_' || (i > 0 && isDigit(c))) {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
