package sketch

import (
	"fmt"
	"math"
	"testing"
)

func TestCountDistinctExactUpToLimit(t *testing.T) {
	c := NewCountDistinct()
	for i := 0; i < 3*DefaultExactLimit; i++ {
		c.Add(fmt.Sprintf("item-%d", i%DefaultExactLimit)) // each key three times
	}
	if !c.Exact() || c.Estimate() != DefaultExactLimit {
		t.Fatalf("Exact %v Estimate %d, want exactly %d", c.Exact(), c.Estimate(), DefaultExactLimit)
	}
	c.Add("one more")
	if c.Exact() {
		t.Fatal("still exact past the limit")
	}
	if e := c.Estimate(); math.Abs(float64(e)-10001) > 3*c.StandardError()*10001 {
		t.Errorf("estimate %d just past the limit", e)
	}
	c.Reset()
	if !c.Exact() || c.Estimate() != 0 {
		t.Error("Reset left something")
	}
}

// TestCountDistinctError: at several cardinalities, from just past the
// exact limit to millions, the estimate is within 3 standard errors of the
// truth; repeated keys change nothing.
func TestCountDistinctError(t *testing.T) {
	for _, n := range []int{12000, 50000, 200000, 350000, 400000, 700000, 2000000} {
		c := NewCountDistinct()
		for i := 0; i < n; i++ {
			k := fmt.Sprintf("user-%d", i)
			c.Add(k)
			if i%4 == 0 {
				c.Add(k)
			}
		}
		e := float64(c.Estimate())
		rel := (e - float64(n)) / float64(n)
		t.Logf("n %d: estimate %.0f, error %+.3f%% (3 SE = %.3f%%)", n, e, 100*rel, 300*c.StandardError())
		if math.Abs(rel) > 3*c.StandardError() {
			t.Errorf("n %d: estimate %.0f off by %.3f%%", n, e, 100*rel)
		}
	}
}

// TestCountDistinctZipf: a skewed stream (most additions repeat a few keys)
// is counted like its set of keys.
func TestCountDistinctZipf(t *testing.T) {
	keys := zipfKeys(400000, 1<<20, 4)
	truth, _ := exactCounts(keys)
	c := NewCountDistinct()
	for _, k := range keys {
		c.Add(k)
	}
	n := float64(len(truth))
	if rel := math.Abs(float64(c.Estimate())-n) / n; rel > 3*c.StandardError() || len(truth) <= DefaultExactLimit {
		t.Errorf("%d distinct keys, estimate %d", len(truth), c.Estimate())
	}
}

func TestCountDistinctWithRange(t *testing.T) {
	for _, p := range []int{3, 19} {
		if _, err := NewCountDistinctWith(p, 0); err == nil {
			t.Errorf("precision %d accepted", p)
		}
	}
	if _, err := NewCountDistinctWith(14, -1); err == nil {
		t.Error("negative exact limit accepted")
	}
	// Precision 14 with no exact mode: the sketch alone, across its
	// small-range (linear counting) and raw-estimate ranges.
	for _, n := range []int{100, 5000, 30000, 100000, 1000000} {
		c, err := NewCountDistinctWith(14, 0)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < n; i++ {
			c.Add(fmt.Sprint(i))
		}
		e := float64(c.Estimate())
		if rel := math.Abs(e-float64(n)) / float64(n); rel > 3*c.StandardError() {
			t.Errorf("p 14, n %d: estimate %.0f off by %.2f%%", n, e, 100*rel)
		}
	}
}

// TestClassicEstimateBias shows why Estimate uses Ertl's estimator: on the
// same registers, just above where the classic estimate leaves linear
// counting (5m/2 = 327,680 for p = 17), the classic estimate is more than 3
// standard errors off and Ertl's is within one.
func TestClassicEstimateBias(t *testing.T) {
	const n = 350000
	c := NewCountDistinct()
	for i := 0; i < n; i++ {
		c.Add(fmt.Sprintf("user-%d", i))
	}
	classic := (c.estimateClassic() - n) / n
	ertl := (c.estimateErtl() - n) / n
	t.Logf("n %d: classic %+.3f%%, Ertl %+.3f%%, SE %.3f%%", n, 100*classic, 100*ertl, 100*c.StandardError())
	if math.Abs(classic) < 3*c.StandardError() || math.Abs(ertl) > c.StandardError() {
		t.Errorf("classic %+.3f%%, Ertl %+.3f%%", 100*classic, 100*ertl)
	}
}
