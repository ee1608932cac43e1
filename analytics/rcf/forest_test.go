package rcf

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestValidate(t *testing.T) {
	ok := DefaultConfig()
	if err := ok.Validate(); err != nil {
		t.Fatalf("DefaultConfig: %v", err)
	}
	// The ranges are those of the KDA reference page RANDOM_CUT_FOREST.
	edges := []Config{
		{Trees: 1, SampleSize: 10, TimeDecay: 11, ShingleSize: 1, Dimensions: 1},
		{Trees: 1000, SampleSize: 1000, TimeDecay: math.MaxInt32, ShingleSize: 30, Dimensions: 30},
	}
	for _, c := range edges {
		if err := c.Validate(); err != nil {
			t.Errorf("%+v: %v", c, err)
		}
	}
	for _, tc := range []struct {
		name  string
		edit  func(*Config)
		param string
		msg   string
	}{
		{"no trees", func(c *Config) { c.Trees = 0 }, "numberOfTrees",
			"numberOfTrees must be between 1 and 1000 (inclusive), got 0"},
		{"too many trees", func(c *Config) { c.Trees = 1001 }, "numberOfTrees",
			"numberOfTrees must be between 1 and 1000 (inclusive), got 1001"},
		{"small sample", func(c *Config) { c.SampleSize = 9 }, "subSampleSize",
			"subSampleSize must be between 10 and 1000 (inclusive), got 9"},
		{"large sample", func(c *Config) { c.SampleSize = 1001 }, "subSampleSize",
			"subSampleSize must be between 10 and 1000 (inclusive), got 1001"},
		{"no decay", func(c *Config) { c.TimeDecay = 0 }, "timeDecay",
			"timeDecay must be between 1 and 2147483647 (inclusive), got 0"},
		{"decay past int", func(c *Config) { c.TimeDecay = math.MaxInt32 + 1 }, "timeDecay",
			"timeDecay must be between 1 and 2147483647 (inclusive), got 2147483648"},
		{"sample not below decay", func(c *Config) { c.TimeDecay = 256 }, "subSampleSize",
			"subSampleSize (256) must be less than timeDecay (256)"},
		{"no shingle", func(c *Config) { c.ShingleSize = 0 }, "shingleSize",
			"shingleSize must be between 1 and 30 (inclusive), got 0"},
		{"long shingle", func(c *Config) { c.ShingleSize = 31 }, "shingleSize",
			"shingleSize must be between 1 and 30 (inclusive), got 31"},
		{"no columns", func(c *Config) { c.Dimensions = 0 }, "numericColumns",
			"numericColumns must be between 1 and 30 (inclusive), got 0"},
		{"too many columns", func(c *Config) { c.Dimensions = 31 }, "numericColumns",
			"numericColumns must be between 1 and 30 (inclusive), got 31"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultConfig()
			tc.edit(&c)
			f, err := New(c)
			var pe *ParameterError
			if !errors.As(err, &pe) || f != nil {
				t.Fatalf("New = %v, %v; want a *ParameterError", f, err)
			}
			if pe.Parameter != tc.param || pe.Message != tc.msg {
				t.Errorf("got %q %q, want %q %q", pe.Parameter, pe.Message, tc.param, tc.msg)
			}
		})
	}
}

func gaussian(r *rand.Rand) []float64 { return []float64{r.NormFloat64(), r.NormFloat64()} }

// TestBadRecordChangesNothing: a record of the wrong length or with a value
// that is not a finite number is refused, and the forest goes on exactly as
// a twin that never saw it.
func TestBadRecordChangesNothing(t *testing.T) {
	c := Config{Trees: 10, SampleSize: 32, TimeDecay: 1000, ShingleSize: 2, Dimensions: 2, Seed: 3}
	a, _ := New(c)
	b, _ := New(c)
	r := rand.New(rand.NewPCG(1, 1))
	for i := 0; i < 300; i++ {
		p := gaussian(r)
		if i%50 == 7 {
			for _, bad := range [][]float64{{1}, {1, 2, 3}, nil, {math.NaN(), 0}, {0, math.Inf(1)}, {math.Inf(-1), 0}} {
				if s, err := a.Update(bad); err == nil || s != 0 {
					t.Fatalf("Update(%v) = %v, %v; want an error", bad, s, err)
				}
			}
		}
		sa, errA := a.Update(p)
		sb, errB := b.Update(p)
		if errA != nil || errB != nil || sa != sb {
			t.Fatalf("record %d: %v %v / %v %v", i, sa, errA, sb, errB)
		}
	}
}

// TestWarmUp: KDA "returns zero for the first subSampleSize records"; with
// shingles, the records before the first full shingle score 0 too.
func TestWarmUp(t *testing.T) {
	for _, sh := range []int{1, 3} {
		c := Config{Trees: 5, SampleSize: 20, TimeDecay: 1000, ShingleSize: sh, Dimensions: 2, Seed: 1}
		f, _ := New(c)
		r := rand.New(rand.NewPCG(2, 2))
		zeros := c.SampleSize + sh - 1
		for i := 0; i < zeros+50; i++ {
			s, err := f.Update(gaussian(r))
			if err != nil {
				t.Fatal(err)
			}
			if i < zeros && s != 0 {
				t.Fatalf("shingle %d: record %d scored %v during warm-up", sh, i, s)
			}
			if i >= zeros && !(s > 0) {
				t.Fatalf("shingle %d: record %d scored %v after warm-up", sh, i, s)
			}
		}
	}
}

func percentile(xs []float64, p float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[int(p*float64(len(s)-1))]
}

// TestOutliersScoreHigh: 2-D Gaussian points with points far from the
// cluster injected now and then; every injected point scores above the
// normal points' 99th percentile, and their median is several times it.
func TestOutliersScoreHigh(t *testing.T) {
	c := DefaultConfig()
	c.Dimensions, c.Seed = 2, 11
	f, _ := New(c)
	r := rand.New(rand.NewPCG(7, 7))
	var normal, outliers []float64
	for i := 0; i < 6000; i++ {
		p := gaussian(r)
		out := i > 500 && i%200 == 0
		if out {
			a := r.Float64() * 2 * math.Pi
			p = []float64{8 * math.Cos(a), 8 * math.Sin(a)}
		}
		s, err := f.Update(p)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case i < 300:
		case out:
			outliers = append(outliers, s)
		default:
			normal = append(normal, s)
		}
	}
	p99 := percentile(normal, 0.99)
	lo, med := slices.Min(outliers), percentile(outliers, 0.5)
	t.Logf("normal: median %.2f, p99 %.2f; outliers: min %.2f, median %.2f", percentile(normal, 0.5), p99, lo, med)
	if lo <= p99 || med < 3*p99 {
		t.Errorf("outliers min %.2f median %.2f not far above the normal p99 %.2f", lo, med, p99)
	}
}

// TestSinePhaseBreak follows the KDA reference's shingling example: a
// periodic signal scored with a shingle of 4; where the phase jumps by half
// a period, the score is far above what the regular signal gets.
func TestSinePhaseBreak(t *testing.T) {
	c := Config{Trees: 100, SampleSize: 256, TimeDecay: 100000, ShingleSize: 4, Dimensions: 1, Seed: 5}
	f, _ := New(c)
	r := rand.New(rand.NewPCG(9, 9))
	const period, brk = 50, 3012 // 3012 is a peak: the signal jumps from 1 to -1
	var scores []float64
	phase := 0.0
	for i := 0; i < 4000; i++ {
		if i == brk {
			phase = math.Pi
		}
		v := math.Sin(2*math.Pi*float64(i)/period+phase) + 0.01*r.NormFloat64()
		s, err := f.Update([]float64{v})
		if err != nil {
			t.Fatal(err)
		}
		scores = append(scores, s)
	}
	regular := scores[600:brk]
	p99, top := percentile(regular, 0.99), slices.Max(regular)
	at := slices.Max(scores[brk : brk+4]) // the shingles that hold the jump
	t.Logf("regular: p99 %.2f, max %.2f; at the break %.2f", p99, top, at)
	if at < 2*p99 || at <= top {
		t.Errorf("break scored %.2f; regular p99 %.2f, max %.2f", at, p99, top)
	}
}

// TestDeterministic: the same seed gives the same scores; another seed
// gives other scores.
func TestDeterministic(t *testing.T) {
	run := func(seed int64) []float64 {
		c := Config{Trees: 20, SampleSize: 64, TimeDecay: 500, ShingleSize: 2, Dimensions: 2, Seed: seed}
		f, _ := New(c)
		r := rand.New(rand.NewPCG(4, 4))
		var out []float64
		for i := 0; i < 2000; i++ {
			s, _ := f.Update(gaussian(r))
			out = append(out, s)
		}
		return out
	}
	a, b, other := run(1), run(1), run(2)
	if !slices.Equal(a, b) {
		t.Error("two forests with seed 1 gave different scores")
	}
	if slices.Equal(a, other) {
		t.Error("seeds 1 and 2 gave the same scores")
	}
}
