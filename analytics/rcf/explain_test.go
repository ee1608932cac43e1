package rcf

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestExplanation: the attributions add up to the score; a point far out
// along one column is attributed mostly to that column, in its direction;
// the learning phase explains with zeros and LOW; the scores are Update's.
func TestExplanation(t *testing.T) {
	c := Config{Trees: 100, SampleSize: 256, TimeDecay: 100000, ShingleSize: 1, Dimensions: 2, Seed: 21}
	f, _ := New(c)
	plain, _ := New(c)
	r := rand.New(rand.NewPCG(3, 1))
	checked, worst := 0, math.Inf(1)
	for i := 0; i < 3000; i++ {
		p := gaussian(r)
		var col int
		var dir string
		switch {
		case i > 400 && i%100 == 0:
			p, col, dir = []float64{p[0], 9}, 1, High
		case i > 400 && i%100 == 50:
			p, col, dir = []float64{-9, p[1]}, 0, Low
		}
		e, err := f.UpdateExplained(p)
		if err != nil {
			t.Fatal(err)
		}
		s, _ := plain.Update(p)
		if e.Score != s {
			t.Fatalf("record %d: UpdateExplained score %v, Update %v", i, e.Score, s)
		}
		sum := e.Columns[0].Attribution + e.Columns[1].Attribution
		if math.Abs(sum-e.Score) > 1e-9*math.Max(1, e.Score) {
			t.Fatalf("record %d: attributions add to %v, score %v", i, sum, e.Score)
		}
		if i < c.SampleSize {
			for _, ce := range e.Columns {
				if ce != (ColumnExplanation{Direction: Low}) {
					t.Fatalf("record %d in the learning phase: %+v", i, ce)
				}
			}
			continue
		}
		if dir == "" {
			continue
		}
		checked++
		main, other := e.Columns[col], e.Columns[1-col]
		worst = math.Min(worst, main.Attribution/other.Attribution)
		if main.Direction != dir || main.Attribution < 5*other.Attribution || main.Strength < 0.8*main.Attribution {
			t.Errorf("record %d %v (out along column %d, %s): %+v", i, p, col, dir, e.Columns)
		}
	}
	if checked < 40 {
		t.Fatalf("checked %d outliers", checked)
	}
	t.Logf("%d outliers: the column they stand out in has at least %.1f times the other's attribution", checked, worst)
}

// TestExplainedShingles: with shingles a column's attribution gathers its
// coordinates in every shingle position: a jump in column 2 of 3 is
// attributed to column 2.
func TestExplainedShingles(t *testing.T) {
	c := Config{Trees: 50, SampleSize: 128, TimeDecay: 10000, ShingleSize: 3, Dimensions: 3, Seed: 2}
	f, _ := New(c)
	r := rand.New(rand.NewPCG(8, 8))
	for i := 0; i < 1000; i++ {
		p := []float64{r.NormFloat64(), r.NormFloat64(), r.NormFloat64()}
		if i == 900 {
			p[1] = -12
		}
		e, err := f.UpdateExplained(p)
		if err != nil {
			t.Fatal(err)
		}
		if i == 900 {
			a := e.Columns
			if a[1].Direction != Low || a[1].Attribution < 5*(a[0].Attribution+a[2].Attribution) {
				t.Errorf("jump in column 2 explained as %+v (score %v)", a, e.Score)
			}
		}
	}
}

func TestExplanationJSON(t *testing.T) {
	e := Explanation{Score: 3.8559, Columns: []ColumnExplanation{
		{Attribution: 1.74474, Strength: 0.85666, Direction: High},
		{Attribution: 2.1111, Strength: 7.09821, Direction: High},
	}}
	// The shape of the KDA developer guide's example output.
	want := `{"Systolic":{"DIRECTION":"HIGH","STRENGTH":"0.8567","ATTRIBUTION_SCORE":"1.7447"},"Diastolic":{"DIRECTION":"HIGH","STRENGTH":"7.0982","ATTRIBUTION_SCORE":"2.1111"}}`
	if got := e.JSON([]string{"Systolic", "Diastolic"}, true); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	want = `{"a\"b":{"ATTRIBUTION_SCORE":"1.7447"},"2":{"ATTRIBUTION_SCORE":"2.1111"}}`
	if got := e.JSON([]string{`a"b`}, false); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
