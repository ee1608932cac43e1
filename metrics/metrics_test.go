package metrics_test

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/eddy-streams/eddy/metrics"
)

// render returns r's exposition, failing the test on error, and checks it
// with the strict parser.
func render(t *testing.T, r *metrics.Registry) string {
	t.Helper()
	var buf bytes.Buffer
	if err := r.WriteText(&buf); err != nil {
		t.Fatalf("WriteText: %v", err)
	}
	if _, err := parseText(buf.String()); err != nil {
		t.Fatalf("output does not parse: %v\n%s", err, buf.String())
	}
	return buf.String()
}

func TestExposition(t *testing.T) {
	tests := []struct {
		name  string
		setup func(r *metrics.Registry)
		want  string
	}{
		{
			name:  "empty registry",
			setup: func(r *metrics.Registry) {},
			want:  "",
		},
		{
			name: "unlabelled counter is exported at zero",
			setup: func(r *metrics.Registry) {
				r.CounterVec("requests_total", "Requests served.")
			},
			want: "# HELP requests_total Requests served.\n# TYPE requests_total counter\nrequests_total 0\n",
		},
		{
			name: "counter int and float paths",
			setup: func(r *metrics.Registry) {
				c := r.CounterVec("c_total", "C.").With()
				c.Inc()
				c.Add(2)
				c.Add(0.5)
				c.Add(0)
			},
			want: "# HELP c_total C.\n# TYPE c_total counter\nc_total 3.5\n",
		},
		{
			name: "labelled counter series sorted by label values",
			setup: func(r *metrics.Registry) {
				v := r.CounterVec("puts_total", "Puts.", "stream", "shard")
				v.With("b", "2").Add(1)
				v.With("a", "9").Add(2)
				v.With("a", "10").Add(3)
				v.With("", "1").Add(4)
			},
			want: `# HELP puts_total Puts.
# TYPE puts_total counter
puts_total{stream="",shard="1"} 4
puts_total{stream="a",shard="10"} 3
puts_total{stream="a",shard="9"} 2
puts_total{stream="b",shard="2"} 1
`,
		},
		{
			name: "labelled family without series is left out",
			setup: func(r *metrics.Registry) {
				r.CounterVec("a_total", "A.", "x")
				r.GaugeVec("b", "B.", "x")
				r.HistogramVec("c", "C.", nil, "x")
			},
			want: "",
		},
		{
			name: "deleted series is left out",
			setup: func(r *metrics.Registry) {
				v := r.GaugeVec("g", "G.", "x")
				v.With("keep").Set(1)
				v.With("drop").Set(2)
				v.Delete("drop")
			},
			want: "# HELP g G.\n# TYPE g gauge\ng{x=\"keep\"} 1\n",
		},
		{
			name: "gauge operations",
			setup: func(r *metrics.Registry) {
				v := r.GaugeVec("g", "G.", "op")
				v.With("set").Set(-7)
				g := v.With("incdec")
				g.Inc()
				g.Inc()
				g.Dec()
				v.With("add").Add(-1.25)
			},
			want: `# HELP g G.
# TYPE g gauge
g{op="add"} -1.25
g{op="incdec"} 1
g{op="set"} -7
`,
		},
		{
			name: "float formatting",
			setup: func(r *metrics.Registry) {
				v := r.GaugeVec("f", "", "k")
				for k, x := range map[string]float64{
					"a_zero":     0,
					"b_negzero":  math.Copysign(0, -1),
					"c_million":  1e6,
					"d_2p53":     1 << 53,
					"e_neg2p53":  -(1 << 53),
					"f_above":    1<<53 + 2,
					"g_1e20":     1e20,
					"h_tenth":    0.1,
					"i_small":    1.5e-7,
					"j_third":    1.0 / 3,
					"k_pinf":     math.Inf(1),
					"l_ninf":     math.Inf(-1),
					"m_nan":      math.NaN(),
					"n_maxfloat": math.MaxFloat64,
					"o_tiny":     5e-324,
				} {
					v.With(k).Set(x)
				}
			},
			want: `# HELP f 
# TYPE f gauge
f{k="a_zero"} 0
f{k="b_negzero"} -0
f{k="c_million"} 1000000
f{k="d_2p53"} 9007199254740992
f{k="e_neg2p53"} -9007199254740992
f{k="f_above"} 9.007199254740994e+15
f{k="g_1e20"} 1e+20
f{k="h_tenth"} 0.1
f{k="i_small"} 1.5e-07
f{k="j_third"} 0.3333333333333333
f{k="k_pinf"} +Inf
f{k="l_ninf"} -Inf
f{k="m_nan"} NaN
f{k="n_maxfloat"} 1.7976931348623157e+308
f{k="o_tiny"} 5e-324
`,
		},
		{
			name: "escaping",
			setup: func(r *metrics.Registry) {
				v := r.CounterVec("e_total", "Back\\slash, \"quotes\" and a\nnewline.", "v")
				v.With("a\\b").Inc()
				v.With("say \"hi\"").Inc()
				v.With("line\nbreak").Inc()
				v.With("ünïcode ✓").Inc()
				v.With(`\"` + "\n").Inc()
			},
			want: `# HELP e_total Back\\slash, "quotes" and a\nnewline.
# TYPE e_total counter
e_total{v="\\\"\n"} 1
e_total{v="a\\b"} 1
e_total{v="line\nbreak"} 1
e_total{v="say \"hi\""} 1
e_total{v="ünïcode ✓"} 1
`,
		},
		{
			name: "histogram",
			setup: func(r *metrics.Registry) {
				v := r.HistogramVec("lat_seconds", "Latency.", []float64{0.125, 1, 10}, "op")
				h := v.With("put")
				for _, x := range []float64{0.0625, 0.125, 0.5, 1, 20} {
					h.Observe(x)
				}
				v.With("get").Observe(2)
			},
			want: `# HELP lat_seconds Latency.
# TYPE lat_seconds histogram
lat_seconds_bucket{op="get",le="0.125"} 0
lat_seconds_bucket{op="get",le="1"} 0
lat_seconds_bucket{op="get",le="10"} 1
lat_seconds_bucket{op="get",le="+Inf"} 1
lat_seconds_sum{op="get"} 2
lat_seconds_count{op="get"} 1
lat_seconds_bucket{op="put",le="0.125"} 2
lat_seconds_bucket{op="put",le="1"} 4
lat_seconds_bucket{op="put",le="10"} 4
lat_seconds_bucket{op="put",le="+Inf"} 5
lat_seconds_sum{op="put"} 21.6875
lat_seconds_count{op="put"} 5
`,
		},
		{
			name: "unlabelled histogram, explicit +Inf bound dropped",
			setup: func(r *metrics.Registry) {
				h := r.HistogramVec("h", "H.", []float64{-1, 0.00025, math.Inf(1)}).With()
				h.Observe(-5)
				h.Observe(math.Inf(1))
			},
			want: `# HELP h H.
# TYPE h histogram
h_bucket{le="-1"} 1
h_bucket{le="0.00025"} 1
h_bucket{le="+Inf"} 2
h_sum +Inf
h_count 2
`,
		},
		{
			name: "gauge func",
			setup: func(r *metrics.Registry) {
				n := 0.0
				r.GaugeFunc("disk_bytes", "Bytes on disk.", func() float64 { n += 4096; return n })
			},
			want: "# HELP disk_bytes Bytes on disk.\n# TYPE disk_bytes gauge\ndisk_bytes 4096\n",
		},
		{
			name: "collect sorts label pairs by name and series by labels",
			setup: func(r *metrics.Registry) {
				r.Collect("shard_bytes", "Bytes per shard.", "gauge", func(emit func(float64, ...string)) {
					emit(30, "stream", "b", "shard", "0")
					emit(10, "shard", "1", "stream", "a")
					emit(20, "stream", "a", "shard", "0")
				})
				r.Collect("up", "Up.", "untyped", func(emit func(float64, ...string)) { emit(1) })
				r.Collect("reads_total", "Reads.", "counter", func(emit func(float64, ...string)) {
					emit(5, "x", "quote\"")
				})
			},
			want: `# HELP reads_total Reads.
# TYPE reads_total counter
reads_total{x="quote\""} 5
# HELP shard_bytes Bytes per shard.
# TYPE shard_bytes gauge
shard_bytes{shard="0",stream="a"} 20
shard_bytes{shard="0",stream="b"} 30
shard_bytes{shard="1",stream="a"} 10
# HELP up Up.
# TYPE up untyped
up 1
`,
		},
		{
			name: "collect that emits nothing is left out",
			setup: func(r *metrics.Registry) {
				r.Collect("none", "None.", "gauge", func(emit func(float64, ...string)) {})
			},
			want: "",
		},
		{
			name: "families sorted by name, whatever the type",
			setup: func(r *metrics.Registry) {
				r.GaugeFunc("zeta", "Z.", func() float64 { return 1 })
				r.HistogramVec("mu", "M.", []float64{1}).With().Observe(1)
				r.CounterVec("alpha_total", "A.").With().Inc()
				r.GaugeVec("Beta", "B.").With().Set(2)
				r.CounterVec("_under:colon", "U.").With()
			},
			want: `# HELP Beta B.
# TYPE Beta gauge
Beta 2
# HELP _under:colon U.
# TYPE _under:colon counter
_under:colon 0
# HELP alpha_total A.
# TYPE alpha_total counter
alpha_total 1
# HELP mu M.
# TYPE mu histogram
mu_bucket{le="1"} 1
mu_bucket{le="+Inf"} 1
mu_sum 1
mu_count 1
# HELP zeta Z.
# TYPE zeta gauge
zeta 1
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := metrics.NewRegistry()
			tt.setup(r)
			if got := render(t, r); got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestDefaultBuckets(t *testing.T) {
	want := []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}
	if !slices.Equal(metrics.LatencyBuckets, want) || !slices.Equal(metrics.DefBuckets, want) {
		t.Fatalf("LatencyBuckets = %v, DefBuckets = %v, want %v", metrics.LatencyBuckets, metrics.DefBuckets, want)
	}
	r := metrics.NewRegistry()
	r.HistogramVec("d", "D.", nil).With().Observe(0.003)
	fams, err := parseText(render(t, r))
	if err != nil {
		t.Fatal(err)
	}
	var les []string
	for _, s := range fams[0].samples {
		if le, ok := s.label("le"); ok {
			les = append(les, le)
		}
	}
	wantLe := "0.0001 0.00025 0.0005 0.001 0.0025 0.005 0.01 0.025 0.05 0.1 0.25 0.5 1 2.5 5 10 +Inf"
	if got := strings.Join(les, " "); got != wantLe {
		t.Errorf("le values %s, want %s", got, wantLe)
	}
}

// TestObserveBucket checks that Observe counts a value in the first bucket
// whose bound is at least the value, on both the linear (few buckets) and
// binary (many buckets) search paths.
func TestObserveBucket(t *testing.T) {
	for _, n := range []int{1, 8, 32, 33, 100} {
		bounds := make([]float64, n)
		for i := range bounds {
			bounds[i] = float64(i + 1)
		}
		values := []float64{math.Inf(-1), -1, 0, 0.5, math.NaN(), math.Inf(1), float64(n) + 0.5}
		for _, b := range bounds {
			values = append(values, b, b+0.5, math.Nextafter(b, math.Inf(1)))
		}
		for _, v := range values {
			want := n // +Inf bucket
			for i, b := range bounds {
				if v <= b {
					want = i
					break
				}
			}
			r := metrics.NewRegistry()
			h := r.HistogramVec("h", "H.", bounds).With()
			h.Observe(v)
			fams, err := parseText(render(t, r))
			if err != nil {
				t.Fatal(err)
			}
			got := -1
			for _, s := range fams[0].samples {
				if s.name == "h_bucket" && s.value == 1 {
					le, _ := s.label("le")
					got = slices.IndexFunc(bounds, func(b float64) bool { return strconv.FormatFloat(b, 'f', -1, 64) == le })
					if le == "+Inf" {
						got = n
					}
					break
				}
			}
			if got != want {
				t.Errorf("%d buckets: Observe(%v) went to bucket %d, want %d", n, v, got, want)
			}
			if h.Count() != 1 {
				t.Errorf("%d buckets: Count = %d after one Observe", n, h.Count())
			}
		}
	}
}

func TestWithSameSeries(t *testing.T) {
	r := metrics.NewRegistry()
	cv := r.CounterVec("c_total", "C.", "a", "b")
	if cv.With("x", "y") != cv.With("x", "y") {
		t.Error("With returned different counters for the same values")
	}
	// The key encoding must keep ("ab","c") and ("a","bc") apart.
	if cv.With("ab", "c") == cv.With("a", "bc") {
		t.Error("With returned the same counter for different values")
	}
	long := strings.Repeat("x", 300) // key beyond the stack buffer
	if cv.With(long, long) != cv.With(long, long) {
		t.Error("With returned different counters for the same long values")
	}
	gv := r.GaugeVec("g", "G.", "a")
	if gv.With("x") != gv.With("x") {
		t.Error("GaugeVec.With returned different gauges for the same values")
	}
	hv := r.HistogramVec("h", "H.", nil, "a")
	if hv.With("x") != hv.With("x") {
		t.Error("HistogramVec.With returned different histograms for the same values")
	}
}

func TestDelete(t *testing.T) {
	r := metrics.NewRegistry()
	cv := r.CounterVec("c_total", "C.", "stream")
	gv := r.GaugeVec("g", "G.", "stream")
	hv := r.HistogramVec("h", "H.", []float64{1}, "stream")
	old := cv.With("s1")
	old.Add(5)
	cv.With("s2").Inc()
	gv.With("s1").Set(3)
	hv.With("s1").Observe(0.5)

	if !cv.Delete("s1") || !gv.Delete("s1") || !hv.Delete("s1") {
		t.Fatal("Delete of existing series returned false")
	}
	if cv.Delete("s1") || gv.Delete("s1") || hv.Delete("s1") || cv.Delete("never") {
		t.Fatal("Delete of missing series returned true")
	}
	want := "# HELP c_total C.\n# TYPE c_total counter\nc_total{stream=\"s2\"} 1\n"
	if got := render(t, r); got != want {
		t.Errorf("after Delete got:\n%s\nwant:\n%s", got, want)
	}

	// The old pointer still works but is not exported; With starts afresh.
	old.Inc()
	if got := old.Value(); got != 6 {
		t.Errorf("old counter = %v, want 6", got)
	}
	fresh := cv.With("s1")
	if fresh == old || fresh.Value() != 0 {
		t.Errorf("With after Delete returned %p (value %v), old %p; want a new counter at 0", fresh, fresh.Value(), old)
	}
	if !strings.Contains(render(t, r), "c_total{stream=\"s1\"} 0\n") {
		t.Error("recreated series not exported at 0")
	}
}

func TestValues(t *testing.T) {
	r := metrics.NewRegistry()
	c := r.CounterVec("c_total", "C.").With()
	c.Add(1e20) // beyond uint64: float path
	c.Add(3)
	if got := c.Value(); got != 1e20+3 {
		t.Errorf("counter = %v, want %v", got, 1e20+3)
	}
	g := r.GaugeVec("g", "G.").With()
	g.Set(10)
	g.Add(-2.5)
	g.Dec()
	g.Inc()
	g.Inc()
	if got := g.Value(); got != 8.5 {
		t.Errorf("gauge = %v, want 8.5", got)
	}
	h := r.HistogramVec("h", "H.", nil).With()
	h.Observe(0.25)
	h.Observe(4)
	if h.Count() != 2 || h.Sum() != 4.25 {
		t.Errorf("histogram count %d sum %v, want 2 and 4.25", h.Count(), h.Sum())
	}
}

// mustPanic runs f and returns the panic message, failing if f returns.
func mustPanic(t *testing.T, f func()) (msg string) {
	t.Helper()
	defer func() {
		e := recover()
		if e == nil {
			t.Errorf("did not panic")
			return
		}
		msg = fmt.Sprint(e)
		if !strings.HasPrefix(msg, "metrics: ") {
			t.Errorf("panic message %q does not start with \"metrics: \"", msg)
		}
	}()
	f()
	return ""
}

func TestDuplicateRegistrationPanics(t *testing.T) {
	nop := func(func(float64, ...string)) {}
	tests := []struct {
		name        string
		first, then func(r *metrics.Registry)
	}{
		{"counter twice", func(r *metrics.Registry) { r.CounterVec("x", "") }, func(r *metrics.Registry) { r.CounterVec("x", "") }},
		{"counter then gauge", func(r *metrics.Registry) { r.CounterVec("x", "") }, func(r *metrics.Registry) { r.GaugeVec("x", "", "l") }},
		{"gauge then histogram", func(r *metrics.Registry) { r.GaugeVec("x", "") }, func(r *metrics.Registry) { r.HistogramVec("x", "", nil) }},
		{"histogram then gauge func", func(r *metrics.Registry) { r.HistogramVec("x", "", nil) }, func(r *metrics.Registry) { r.GaugeFunc("x", "", func() float64 { return 0 }) }},
		{"gauge func then collect", func(r *metrics.Registry) { r.GaugeFunc("x", "", func() float64 { return 0 }) }, func(r *metrics.Registry) { r.Collect("x", "", "gauge", nop) }},
		{"histogram then its _count", func(r *metrics.Registry) { r.HistogramVec("x", "", nil) }, func(r *metrics.Registry) { r.CounterVec("x_count", "") }},
		{"histogram then its _bucket", func(r *metrics.Registry) { r.HistogramVec("x", "", nil) }, func(r *metrics.Registry) { r.Collect("x_bucket", "", "untyped", nop) }},
		{"_sum then histogram", func(r *metrics.Registry) { r.GaugeVec("x_sum", "") }, func(r *metrics.Registry) { r.HistogramVec("x", "", nil) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := metrics.NewRegistry()
			tt.first(r)
			msg := mustPanic(t, func() { tt.then(r) })
			if !strings.Contains(msg, "x") {
				t.Errorf("panic message %q does not name the metric", msg)
			}
			// The failed registration must leave the registry as it was.
			if _, err := parseText(render(t, r)); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestInvalidUsePanics(t *testing.T) {
	nop := func(func(float64, ...string)) {}
	tests := []struct {
		name string
		f    func(r *metrics.Registry)
	}{
		{"empty name", func(r *metrics.Registry) { r.CounterVec("", "") }},
		{"name starts with digit", func(r *metrics.Registry) { r.CounterVec("1x", "") }},
		{"name with dash", func(r *metrics.Registry) { r.GaugeVec("a-b", "") }},
		{"name with space", func(r *metrics.Registry) { r.HistogramVec("a b", "", nil) }},
		{"name with dot", func(r *metrics.Registry) { r.GaugeFunc("a.b", "", func() float64 { return 0 }) }},
		{"name non-ASCII", func(r *metrics.Registry) { r.Collect("é", "", "gauge", nop) }},
		{"help not UTF-8", func(r *metrics.Registry) { r.CounterVec("x", "\xff") }},
		{"empty label", func(r *metrics.Registry) { r.CounterVec("x", "", "") }},
		{"label starts with digit", func(r *metrics.Registry) { r.CounterVec("x", "", "1a") }},
		{"label with colon", func(r *metrics.Registry) { r.GaugeVec("x", "", "a:b") }},
		{"label with dash", func(r *metrics.Registry) { r.GaugeVec("x", "", "a-b") }},
		{"label reserved prefix", func(r *metrics.Registry) { r.CounterVec("x", "", "__name__") }},
		{"label repeated", func(r *metrics.Registry) { r.CounterVec("x", "", "a", "b", "a") }},
		{"histogram label le", func(r *metrics.Registry) { r.HistogramVec("x", "", nil, "le") }},
		{"buckets unsorted", func(r *metrics.Registry) { r.HistogramVec("x", "", []float64{1, 0.5}) }},
		{"buckets repeated", func(r *metrics.Registry) { r.HistogramVec("x", "", []float64{1, 1}) }},
		{"buckets NaN", func(r *metrics.Registry) { r.HistogramVec("x", "", []float64{math.NaN()}) }},
		{"buckets two +Inf", func(r *metrics.Registry) { r.HistogramVec("x", "", []float64{1, math.Inf(1), math.Inf(1)}) }},
		{"collect bad type", func(r *metrics.Registry) { r.Collect("x", "", "histogram", nop) }},
		{"collect nil func", func(r *metrics.Registry) { r.Collect("x", "", "gauge", nil) }},
		{"gauge func nil", func(r *metrics.Registry) { r.GaugeFunc("x", "", nil) }},
		{"With too few values", func(r *metrics.Registry) { r.CounterVec("x", "", "a", "b").With("1") }},
		{"With too many values", func(r *metrics.Registry) { r.GaugeVec("x", "", "a").With("1", "2") }},
		{"With values on unlabelled", func(r *metrics.Registry) { r.HistogramVec("x", "", nil).With("1") }},
		{"With value not UTF-8", func(r *metrics.Registry) { r.CounterVec("x", "", "a").With("\xc3") }},
		{"Delete wrong arity", func(r *metrics.Registry) { r.CounterVec("x", "", "a").Delete() }},
		{"counter decrease", func(r *metrics.Registry) { r.CounterVec("x", "").With().Add(-1) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mustPanic(t, func() { tt.f(metrics.NewRegistry()) })
		})
	}
}

func TestValidNames(t *testing.T) {
	r := metrics.NewRegistry()
	for i, name := range []string{"a", "A", "_", ":", "a:b_c9", "_9", ":x:", "Z0"} {
		r.GaugeVec(name, "", "l", "_x", "A9", "_", "le").With("v", "v", "v", "v", "v").Set(float64(i))
	}
	r.HistogramVec("h", "", []float64{math.Inf(-1), 0}, "_le", "lE")
	render(t, r)
}

func TestCollectErrors(t *testing.T) {
	tests := []struct {
		name string
		emit func(emit func(float64, ...string))
		want string
	}{
		{"odd pairs", func(e func(float64, ...string)) { e(1, "a") }, "odd number"},
		{"bad label name", func(e func(float64, ...string)) { e(1, "a-b", "x") }, "invalid label name"},
		{"reserved label name", func(e func(float64, ...string)) { e(1, "__name__", "x") }, "invalid label name"},
		{"repeated label name", func(e func(float64, ...string)) { e(1, "a", "x", "b", "y", "a", "z") }, "duplicate label name a"},
		{"value not UTF-8", func(e func(float64, ...string)) { e(1, "a", "\xff") }, "not valid UTF-8"},
		{"duplicate series", func(e func(float64, ...string)) {
			e(1, "a", "x", "b", "y")
			e(2, "b", "y", "a", "x")
		}, "duplicate series"},
		{"duplicate unlabelled series", func(e func(float64, ...string)) { e(1); e(2) }, "duplicate series"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := metrics.NewRegistry()
			r.CounterVec("fine_total", "Fine.").With().Inc()
			r.Collect("bad", "Bad.", "gauge", tt.emit)
			var buf bytes.Buffer
			err := r.WriteText(&buf)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "bad") {
				t.Errorf("WriteText error %v, want one naming bad and containing %q", err, tt.want)
			}
			if buf.Len() != 0 {
				t.Errorf("WriteText wrote %q despite the error", buf.String())
			}
		})
	}
}

// TestParseBack renders a registry with every kind of family and awkward
// values and checks the whole output with the strict parser.
func TestParseBack(t *testing.T) {
	r := metrics.NewRegistry()
	cv := r.CounterVec("eddy_records_total", "Records.\nSecond line with \\ and \"quotes\".", "stream", "shard")
	gv := r.GaugeVec("eddy_open", "Open things.", "kind")
	hv := r.HistogramVec("eddy_request_seconds", "Latency.", metrics.LatencyBuckets, "op")
	r.HistogramVec("eddy_batch_size", "", []float64{1, 10, 100, 1000}).With().Observe(37)
	r.GaugeFunc("eddy_disk_bytes", "Disk.", func() float64 { return 1 << 40 })
	r.Collect("eddy_shard_lag", "Lag.", "gauge", func(emit func(float64, ...string)) {
		for i := range 5 {
			emit(float64(i)*1.5, "shard", fmt.Sprintf("shardId-%012d", i), "stream", "s\"1\"")
		}
	})
	for i, s := range []string{"plain", `back\slash`, "quo\"te", "new\nline", "", "ünï✓", `\n`, `"`, `\`} {
		cv.With(s, strconv.Itoa(i)).Add(float64(i) + 0.25)
		gv.With(s).Set([]float64{math.NaN(), math.Inf(1), math.Inf(-1), -0.0, 1e-300, 1e300}[i%6])
		h := hv.With(s)
		for j := range 50 {
			h.Observe(float64(j) * 0.003 * float64(i+1))
		}
	}
	text := render(t, r)
	fams, err := parseText(text)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range fams {
		names = append(names, f.name)
	}
	want := []string{"eddy_batch_size", "eddy_disk_bytes", "eddy_open", "eddy_records_total", "eddy_request_seconds", "eddy_shard_lag"}
	if !slices.Equal(names, want) {
		t.Errorf("families %v, want %v", names, want)
	}
	// Label values survive the round trip.
	var streams []string
	for _, s := range fams[3].samples {
		v, _ := s.label("stream")
		streams = append(streams, v)
	}
	wantStreams := []string{"", `"`, `\`, `\n`, `back\slash`, "new\nline", "plain", "quo\"te", "ünï✓"}
	if !slices.Equal(streams, wantStreams) {
		t.Errorf("stream label values %q, want %q", streams, wantStreams)
	}
	if fams[3].help != "Records.\nSecond line with \\ and \"quotes\"." {
		t.Errorf("help round trip: %q", fams[3].help)
	}
}

// TestParserRejects makes sure the strict parser is strict, so the tests
// that rely on it mean something.
func TestParserRejects(t *testing.T) {
	good := "# HELP a A.\n# TYPE a counter\na{x=\"1\"} 1\n"
	if _, err := parseText(good); err != nil {
		t.Fatalf("parser rejects good input: %v", err)
	}
	const head = "# HELP a A.\n# TYPE a counter\n"
	for _, tt := range []struct{ in, why string }{
		{head + "a 1", "does not end with a newline"},
		{"# TYPE a counter\na 1\n", "TYPE not directly after"},
		{"# HELP a A.\na 1\n", "sample before HELP and TYPE"},
		{head + "a 1\n" + head + "a{x=\"1\"} 1\n", "repeated or unsorted"},
		{head + "a 1\n# TYPE a counter\n", "TYPE repeated"},
		{head + "b 1\n", "does not belong"},
		{"# HELP b B.\n# TYPE b counter\nb 1\n" + head + "a 1\n", "repeated or unsorted"},
		{head + "# HELP b B.\n# TYPE b counter\nb 1\n", "no samples"},
		{head + "a 1\na 2\n", "duplicate series"},
		{head + "a{x=\"1\",y=\"2\"} 1\na{y=\"2\",x=\"1\"} 1\n", "duplicate series"},
		{head + "a{x=\"1\",x=\"2\"} 1\n", "repeated label"},
		{head + "a{x=\"\\t\"} 1\n", "bad escape"},
		{head + "a{x=\"\xff\"} 1\n", "not valid UTF-8"},
		{"# HELP a A\\t.\n# TYPE a counter\na 1\n", "bad escape"},
		{"# HELP a A\\\".\n# TYPE a counter\na 1\n", `\" in help`},
		{head + "a{x=\"1} 1\n", "unterminated"},
		{head + "a{x=\"1\",} 1\n", "bad separator"},
		{head + "a{x=\"1\"y=\"2\"} 1\n", "bad separator"},
		{head + "a{__x=\"1\"} 1\n", "invalid label name"},
		{head + "a{x=1} 1\n", "not quoted"},
		{head + "a 1e\n", "malformed value"},
		{head + "a Inf\n", "malformed value"},
		{head + "a 1 1234\n", "malformed value"},
		{head + "a  1\n", "malformed value"},
		{head + "# comment\n", "unexpected comment"},
		{"# HELP a A.\n# TYPE a summary\na 1\n", "unknown type"},
		{"# HELP a A.\n# TYPE a histogram\na_bucket{le=\"+Inf\"} 2\na_sum 1\na_count 1\n", "_count 1 != +Inf bucket 2"},
		{"# HELP a A.\n# TYPE a histogram\na_bucket{le=\"1\"} 2\na_bucket{le=\"+Inf\"} 1\na_sum 1\na_count 1\n", "count decreases"},
		{"# HELP a A.\n# TYPE a histogram\na_bucket{le=\"2\"} 1\na_bucket{le=\"1\"} 1\na_sum 1\na_count 1\n", "not increasing"},
		{"# HELP a A.\n# TYPE a histogram\na_bucket{le=\"1\"} 1\na_sum 1\na_count 1\n", "no +Inf bucket"},
		{"# HELP a A.\n# TYPE a histogram\na_bucket{le=\"+Inf\"} 1\na_count 1\n", "0 _sum"},
		{"# HELP a A.\n# TYPE a histogram\na 1\n", "does not belong"},
	} {
		if _, err := parseText(tt.in); err == nil || !strings.Contains(err.Error(), tt.why) {
			t.Errorf("parseText(%q) = %v, want an error containing %q", tt.in, err, tt.why)
		}
	}
}

// TestConcurrentUpdates hammers every type from many goroutines while
// scrapes run, then checks the totals are exact. Run it with -race.
func TestConcurrentUpdates(t *testing.T) {
	const (
		workers = 16
		iters   = 2000 // a multiple of 4
	)
	r := metrics.NewRegistry()
	cv := r.CounterVec("c_total", "C.", "k")
	fc := r.CounterVec("f_total", "F.").With()
	gv := r.GaugeVec("g", "G.", "k")
	hv := r.HistogramVec("h", "H.", []float64{0.25, 0.5}, "k")
	churn := r.CounterVec("churn_total", "Churn.", "w")
	r.GaugeFunc("gf", "GF.", func() float64 { return fc.Value() })

	cached := cv.With("shared")
	var wg sync.WaitGroup
	stop := make(chan struct{})
	scrapeErr := make(chan error, 1)
	go func() { // scraper: every intermediate output must be well formed
		defer close(scrapeErr)
		for {
			select {
			case <-stop:
				return
			default:
			}
			var buf bytes.Buffer
			if err := r.WriteText(&buf); err != nil {
				scrapeErr <- err
				return
			}
			if _, err := parseText(buf.String()); err != nil {
				scrapeErr <- fmt.Errorf("%v\n%s", err, buf.String())
				return
			}
		}
	}()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range iters {
				cv.With("shared").Inc()
				cached.Add(2)
				cv.With(strconv.Itoa(i % 10)).Inc() // concurrent creation of the same series
				fc.Add(0.5)
				g := gv.With("updown")
				g.Inc()
				g.Dec()
				gv.With("up").Add(1)
				hv.With("shared").Observe(float64(i%4) * 0.25)
				churn.With(strconv.Itoa(w)).Inc()
				if i%100 == 0 {
					churn.Delete(strconv.Itoa(w))
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	if err := <-scrapeErr; err != nil {
		t.Fatalf("scrape during updates: %v", err)
	}

	const n = workers * iters
	check := func(what string, got, want float64) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %v, want %v", what, got, want)
		}
	}
	check("shared counter", cached.Value(), 3*n)
	for k := range 10 {
		check("counter "+strconv.Itoa(k), cv.With(strconv.Itoa(k)).Value(), n/10)
	}
	check("float counter", fc.Value(), 0.5*n)
	check("updown gauge", gv.With("updown").Value(), 0)
	check("up gauge", gv.With("up").Value(), n)
	h := hv.With("shared")
	check("histogram count", float64(h.Count()), n)
	check("histogram sum", h.Sum(), n/4*(0+0.25+0.5+0.75))

	fams, err := parseText(render(t, r))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.name != "h" {
			continue
		}
		for _, s := range f.samples {
			le, _ := s.label("le")
			switch {
			case s.name == "h_bucket" && le == "0.25":
				check("bucket 0.25", s.value, n/2)
			case s.name == "h_bucket" && le == "0.5":
				check("bucket 0.5", s.value, 3*n/4)
			case s.name == "h_bucket" && le == "+Inf", s.name == "h_count":
				check(s.name+" "+le, s.value, n)
			}
		}
	}
}

func TestHotPathsDoNotAllocate(t *testing.T) {
	r := metrics.NewRegistry()
	cv := r.CounterVec("c_total", "C.", "stream", "shard")
	c := cv.With("orders", "shardId-000000000001")
	g := r.GaugeVec("g", "G.", "stream").With("orders")
	hv := r.HistogramVec("h", "H.", metrics.LatencyBuckets, "op")
	h := hv.With("PutRecords")
	many := make([]float64, 200)
	for i := range many {
		many[i] = float64(i)
	}
	hb := r.HistogramVec("hb", "HB.", many).With()
	stream, shard := "orders", "shardId-000000000001"
	x := 0.0
	for name, f := range map[string]func(){
		"Counter.Inc":                 func() { c.Inc() },
		"Counter.Add int":             func() { c.Add(3) },
		"Counter.Add float":           func() { c.Add(0.125) },
		"Gauge.Set":                   func() { g.Set(x) },
		"Gauge.Add":                   func() { g.Add(1.5) },
		"Gauge.Inc/Dec":               func() { g.Inc(); g.Dec() },
		"Histogram.Observe":           func() { x += 0.0001; h.Observe(x) },
		"Histogram.Observe (binary)":  func() { x += 0.7; hb.Observe(x) },
		"CounterVec.With existing":    func() { cv.With(stream, shard).Inc() },
		"HistogramVec.With existing":  func() { hv.With("PutRecords").Observe(0.001) },
		"CounterVec.Delete (missing)": func() { cv.Delete("nope", shard) },
	} {
		if n := testing.AllocsPerRun(1000, f); n != 0 {
			t.Errorf("%s: %v allocations per run, want 0", name, n)
		}
	}
}

func BenchmarkCounterInc(b *testing.B) {
	c := metrics.NewRegistry().CounterVec("c_total", "C.").With()
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c.Inc()
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				c.Inc()
			}
		})
	})
	b.Run("parallel-distinct", func(b *testing.B) { // one counter per goroutine, as with per-shard series
		cv := metrics.NewRegistry().CounterVec("c_total", "C.", "g")
		var mu sync.Mutex
		next := 0
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			mu.Lock()
			c := cv.With(strconv.Itoa(next))
			next++
			mu.Unlock()
			for pb.Next() {
				c.Inc()
			}
		})
	})
}

func BenchmarkHistogramObserve(b *testing.B) {
	h := metrics.NewRegistry().HistogramVec("h", "H.", metrics.LatencyBuckets).With()
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		v := 0.0
		for b.Loop() {
			v += 0.00001
			if v > 20 {
				v = 0
			}
			h.Observe(v)
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			v := 0.0
			for pb.Next() {
				v += 0.00001
				if v > 20 {
					v = 0
				}
				h.Observe(v)
			}
		})
	})
}

func BenchmarkWith(b *testing.B) {
	cv := metrics.NewRegistry().CounterVec("c_total", "C.", "stream", "shard")
	for s := range 10 {
		for sh := range 100 {
			cv.With(fmt.Sprintf("stream-%d", s), fmt.Sprintf("shardId-%012d", sh))
		}
	}
	stream, shard := "stream-7", "shardId-000000000042"
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			cv.With(stream, shard).Inc()
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				cv.With(stream, shard).Inc()
			}
		})
	})
}

// BenchmarkWriteText measures a scrape of 1,000 counter series and 100
// histogram series (1,900 lines).
func BenchmarkWriteText(b *testing.B) {
	r := metrics.NewRegistry()
	cv := r.CounterVec("c_total", "C.", "stream", "shard")
	hv := r.HistogramVec("h", "H.", metrics.LatencyBuckets, "op")
	for i := range 1000 {
		cv.With(fmt.Sprintf("stream-%d", i%10), fmt.Sprintf("shardId-%012d", i)).Add(float64(i))
	}
	for i := range 100 {
		hv.With(fmt.Sprintf("op-%d", i)).Observe(float64(i) / 1000)
	}
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := r.WriteText(&buf); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(buf.Len()))
}

func TestZeroRegistry(t *testing.T) {
	var r metrics.Registry
	r.CounterVec("a_total", "A.").With().Inc()
	mustPanic(t, func() { r.GaugeVec("a_total", "") })
	if got, want := render(t, &r), "# HELP a_total A.\n# TYPE a_total counter\na_total 1\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
