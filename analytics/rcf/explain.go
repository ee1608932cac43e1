package rcf

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

// Explanation is what RANDOM_CUT_FOREST_WITH_EXPLANATION adds to a score:
// per numeric column, in the order of the record's values, how much of the
// score the column accounts for and in which direction it is anomalous.
type Explanation struct {
	Score   float64
	Columns []ColumnExplanation
}

// ColumnExplanation is one column's part of a score. The KDA reference
// (sqlrf-random-cut-forest-with-explanation.html, "Results") defines the
// three values only in words: the attribution score "indicates how much
// this column has contributed to the anomaly score of the record ... The
// sum of the attribution scores of all columns for the record is equal to
// the anomaly score"; the strength is "a nonnegative number representing
// the strength of the directional recommendation"; the direction "is either
// HIGH if the value of the column is above the recently observed trend or
// LOW if it's below the trend". "During the learning phase, the strength is
// 0" and the direction "defaults to LOW".
//
// Here each tree's score is split over the coordinates of the point in
// proportion to the chance that the cut separating the point from the
// tree's points falls along each (the length by which the point lies
// outside their bounding box along it), as high or low as the point lies
// above or below the box; a column's share is the sum over its coordinates
// in the shingle, averaged over the trees. Attribution is high plus low, so
// the columns' attributions add up to the score; Direction is HIGH when the
// high part is the larger; Strength is the absolute difference of the two
// parts. KDA gives no formula for any of them, so these values are ours:
// they agree with KDA's in kind (which column, which way), not in number.
type ColumnExplanation struct {
	Attribution float64
	Strength    float64
	Direction   string // "HIGH" or "LOW"
}

// Directions.
const (
	High = "HIGH"
	Low  = "LOW"
)

// UpdateExplained is Update returning the score with its explanation. For
// the same records it gives the same scores as Update.
func (f *Forest) UpdateExplained(record []float64) (Explanation, error) {
	clear(f.attr.high)
	clear(f.attr.low)
	score, err := f.update(record, &f.attr)
	if err != nil {
		return Explanation{}, err
	}
	d := f.cfg.Dimensions
	e := Explanation{Score: score, Columns: make([]ColumnExplanation, d)}
	n := float64(len(f.trees))
	for c := 0; c < d; c++ {
		var h, l float64
		for k := c; k < len(f.attr.high); k += d {
			h += f.attr.high[k]
			l += f.attr.low[k]
		}
		h, l = h/n, l/n
		dir := Low
		if h > l {
			dir = High
		}
		e.Columns[c] = ColumnExplanation{Attribution: h + l, Strength: math.Abs(h - l), Direction: dir}
	}
	return e, nil
}

// JSON renders the explanation as the ANOMALY_EXPLANATION column: an
// object with one member per column, named by names (one per column, in
// order), each an object of DIRECTION, STRENGTH and ATTRIBUTION_SCORE with
// the numbers as strings with four decimals, as in the KDA developer
// guide's example output (dev/examine-results-with-exp.html):
//
//	{"Systolic":{"DIRECTION":"LOW","STRENGTH":"0.0922","ATTRIBUTION_SCORE":"0.3792"},...}
//
// Without directionality only ATTRIBUTION_SCORE is written: KDA says
// directionality adds direction and strength, but shows no output without
// it, so the member list for that case is our reading.
func (e Explanation) JSON(names []string, withDirectionality bool) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, c := range e.Columns {
		if i > 0 {
			b.WriteByte(',')
		}
		name := strconv.Itoa(i + 1)
		if i < len(names) {
			name = names[i]
		}
		k, _ := json.Marshal(name)
		b.Write(k)
		b.WriteString(":{")
		if withDirectionality {
			b.WriteString(`"DIRECTION":"` + c.Direction + `","STRENGTH":"` + strconv.FormatFloat(c.Strength, 'f', 4, 64) + `",`)
		}
		b.WriteString(`"ATTRIBUTION_SCORE":"` + strconv.FormatFloat(c.Attribution, 'f', 4, 64) + `"}`)
	}
	b.WriteByte('}')
	return b.String()
}
