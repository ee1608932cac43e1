package engine

import (
	"fmt"
	"math"
	"strings"

	"github.com/eddy-streams/eddy/analytics/sql"
)

// aggSpec is one aggregate call of a query: COUNT(*), SUM(DISTINCT x), AVG(x) OVER w, ...
type aggSpec struct {
	fn       string
	star     bool
	distinct bool
	arg      evalFn
	argType  Type
	typ      Type
	win      *winSpec // sliding windows only
}

// winSpec is a sliding window: PARTITION BY exprs, and ROWS n PRECEDING (rows true, n
// rows) or RANGE INTERVAL PRECEDING (n milliseconds).
type winSpec struct {
	key       string
	partition []evalFn
	rows      bool
	n         int64
	aggs      []int // indexes of the aggregates over this window
}

func (c *compiler) aggregate(e *sql.FuncCall) (cexpr, error) {
	name := e.Name.Name
	if c.inAgg {
		return cexpr{}, errAt(e.Pos, "aggregate function %s cannot be nested in another aggregate or a window's PARTITION BY", name)
	}
	over := e.Over != nil || e.OverName != nil
	switch {
	case c.mode == modeRow:
		return cexpr{}, errAt(e.Pos, "aggregate function %s is not allowed here", name)
	case c.mode == modeGroup && over:
		return cexpr{}, errAt(e.Pos, "%s OVER a window cannot be combined with GROUP BY or a stagger window", name)
	case c.mode == modeSliding && !over:
		return cexpr{}, errAt(e.Pos, "aggregate %s needs OVER when other aggregates of the query use a window", name)
	}
	spec := &aggSpec{fn: name, distinct: e.Distinct}
	if len(e.Args) == 1 {
		if _, ok := e.Args[0].(*sql.Star); ok {
			spec.star = true
		}
	}
	if spec.star && name != "COUNT" {
		return cexpr{}, errAt(e.Pos, "only COUNT takes *")
	}
	if len(e.Args) != 1 {
		return cexpr{}, errAt(e.Pos, "%s takes 1 argument but found %d", name, len(e.Args))
	}
	if !spec.star {
		c.inAgg = true
		x, err := c.expr(e.Args[0])
		c.inAgg = false
		if err != nil {
			return cexpr{}, err
		}
		spec.arg, spec.argType = x.fn, x.typ
	}
	at := spec.argType
	switch name {
	case "COUNT":
		spec.typ = TypeBigint
	case "SUM", "AVG", "STDDEV_POP", "STDDEV_SAMP", "VAR_POP", "VAR_SAMP":
		if !isNumeric(at.Kind) && at.Kind != KindNull {
			return cexpr{}, errAt(e.Pos, "%s needs a numeric argument but found %s", name, at)
		}
		switch {
		case name != "SUM" && name != "AVG", at.Kind == KindFloat, at.Kind == KindNull:
			spec.typ = TypeDouble
		case at.Kind == KindDecimal:
			spec.typ = DecimalType(maxDecimalDigits, at.Scale)
		case name == "SUM":
			spec.typ = TypeBigint
		default:
			spec.typ = at // AVG of an integer type is that type (truncated), as in SQLstream
		}
	default: // MIN MAX FIRST_VALUE LAST_VALUE
		if (name == "MIN" || name == "MAX") && (at.Kind == KindBool || isInterval(at.Kind)) {
			return cexpr{}, errAt(e.Pos, "%s cannot order values of type %s", name, at)
		}
		spec.typ = at
	}
	if spec.distinct {
		switch name {
		case "COUNT", "SUM", "AVG":
		case "MIN", "MAX":
			spec.distinct = c.mode == modeGroup // no effect on the result
		default:
			return cexpr{}, errAt(e.Pos, "%s does not take DISTINCT", name)
		}
	}
	if over {
		w, err := c.window(e)
		if err != nil {
			return cexpr{}, err
		}
		spec.win = w
		w.aggs = append(w.aggs, len(c.aggs))
	}
	i := len(c.aggs)
	c.aggs = append(c.aggs, spec)
	return cexpr{fn: func(x *evalCtx) (Value, error) { return x.aggs[i], nil }, typ: spec.typ}, nil
}

// windowsOf keeps the distinct sliding windows of a query, by their text.
func (c *compiler) window(e *sql.FuncCall) (*winSpec, error) {
	spec := e.Over
	if e.OverName != nil {
		s, ok := c.windows[e.OverName.Name]
		if !ok {
			return nil, errAt(e.OverName.Pos, "unknown window %s", quoteIdent(e.OverName.Name))
		}
		spec = s
	}
	key := spec.String()
	for _, a := range c.aggs {
		if a.win != nil && a.win.key == key {
			return a.win, nil
		}
	}
	w := &winSpec{key: key}
	if spec.Frame == "" {
		return nil, errAt(spec.Pos, "a sliding window needs ROWS n PRECEDING or RANGE INTERVAL ... PRECEDING")
	}
	b := spec.Start
	if spec.End != nil && !spec.End.CurrentRow {
		return nil, errAt(spec.End.Pos, "a window must end at CURRENT ROW (offset and infinite windows are not supported)")
	}
	switch {
	case b.Unbounded:
		return nil, errAt(b.Pos, "UNBOUNDED windows are not supported")
	case b.Dir == "FOLLOWING":
		return nil, errAt(b.Pos, "FOLLOWING windows are not supported: a window must end at CURRENT ROW")
	case b.CurrentRow:
		w.rows, w.n = spec.Frame == "ROWS", 0
	case b.Rows != nil:
		var n int64
		if _, err := fmt.Sscan(b.Rows.Text, &n); err != nil || n < 0 || n > 1<<20 {
			return nil, errAt(b.Pos, "ROWS %s PRECEDING is out of range 0 to %d", b.Rows.Text, 1<<20)
		}
		w.rows, w.n = true, n
	case b.Interval != nil:
		v, err := intervalValue(b.Interval)
		if err != nil {
			return nil, err
		}
		if v.Kind != KindIntervalDS || v.I < 0 {
			return nil, errAt(b.Pos, "RANGE needs a non-negative day-to-second interval")
		}
		w.n = v.I
	}
	c.inAgg = true
	defer func() { c.inAgg = false }()
	for _, p := range spec.PartitionBy {
		x, err := c.expr(p)
		if err != nil {
			return nil, err
		}
		w.partition = append(w.partition, x.fn)
	}
	return w, nil
}

// groupKey identifies a group or partition: up to four key values, and the rest encoded
// in the fourth. It is a comparable value, so map lookups allocate nothing.
type groupKey [4]Value

func makeKey(vals []Value) groupKey {
	var k groupKey
	if len(vals) <= len(k) {
		copy(k[:], vals)
		return k
	}
	copy(k[:3], vals[:3])
	var b strings.Builder
	for _, v := range vals[3:] {
		fmt.Fprintf(&b, "%d:%d:%d:%x:%d:%s;", v.Kind, v.Scale, v.I, math.Float64bits(v.F), len(v.S), v.S)
	}
	k[3] = String(b.String())
	return k
}

// accum is the state of one aggregate over a group or a sliding window. One struct for
// every function keeps groups in one allocation and adding a value allocation-free.
type accum struct {
	n        int64 // rows counted (non-NULL values; all rows for COUNT(*))
	isum     int64
	fsum     float64
	mean, m2 float64 // Welford's running mean and sum of squared deviations
	v        Value   // MIN, MAX, FIRST_VALUE, LAST_VALUE
	overflow bool
	seen     map[Value]int // DISTINCT
}

func (a *accum) reset() {
	seen := a.seen
	*a = accum{}
	if seen != nil {
		clear(seen)
		a.seen = seen
	}
}

// add adds one value (the argument of the row) to the aggregate.
func (a *accum) add(s *aggSpec, v Value) {
	switch {
	case s.star:
		a.n++
		return
	case s.fn == "FIRST_VALUE":
		if a.n == 0 {
			a.v = v
		}
		a.n++
		return
	case s.fn == "LAST_VALUE":
		a.v = v
		a.n++
		return
	case v.Kind == KindNull:
		return
	}
	if s.distinct {
		if a.seen == nil {
			a.seen = map[Value]int{}
		}
		a.seen[v]++
		if a.seen[v] > 1 {
			return
		}
	}
	a.n++
	switch s.fn {
	case "COUNT":
	case "SUM", "AVG":
		a.addSum(s, v, 1)
	case "MIN", "MAX":
		if a.n == 1 {
			a.v = v
		} else if c, _ := Compare(v, a.v); (c < 0) == (s.fn == "MIN") && c != 0 {
			a.v = v
		}
	default: // variance family
		x := v.Float64()
		d := x - a.mean
		a.mean += d / float64(a.n)
		a.m2 += d * (x - a.mean)
	}
}

func (a *accum) addSum(s *aggSpec, v Value, sign int64) {
	switch s.typ.Kind {
	case KindFloat:
		a.fsum += float64(sign) * v.Float64()
	case KindDecimal:
		u, sc := decParts(v)
		x, ok := rescale(u, sc, s.typ.Scale)
		var r int64
		if ok {
			r, ok = addInt(a.isum, sign*x)
		}
		a.isum, a.overflow = r, a.overflow || !ok
	default:
		r, ok := addInt(a.isum, sign*v.I)
		a.isum, a.overflow = r, a.overflow || !ok
	}
}

// remove takes a value out of the aggregate (sliding windows; COUNT, SUM, AVG and the
// variance family only: MIN, MAX, FIRST_VALUE and LAST_VALUE are read off the window).
func (a *accum) remove(s *aggSpec, v Value) {
	if s.star {
		a.n--
		return
	}
	if v.Kind == KindNull {
		return
	}
	if s.distinct {
		a.seen[v]--
		if a.seen[v] > 0 {
			return
		}
		delete(a.seen, v)
	}
	a.n--
	switch s.fn {
	case "SUM", "AVG":
		a.addSum(s, v, -1)
	case "STDDEV_POP", "STDDEV_SAMP", "VAR_POP", "VAR_SAMP":
		if a.n == 0 {
			a.mean, a.m2 = 0, 0
			return
		}
		x := v.Float64()
		d := x - a.mean
		a.mean -= d / float64(a.n)
		a.m2 -= d * (x - a.mean)
		if a.m2 < 0 {
			a.m2 = 0
		}
	}
}

// result is the aggregate's value.
func (a *accum) result(s *aggSpec) (Value, error) {
	switch s.fn {
	case "COUNT":
		return Int(a.n), nil
	case "FIRST_VALUE", "LAST_VALUE", "MIN", "MAX":
		if a.n == 0 {
			return Null, nil
		}
		return a.v, nil
	}
	if a.n == 0 {
		return Null, nil
	}
	if a.overflow {
		return Null, errOverflow
	}
	switch s.fn {
	case "SUM":
		switch s.typ.Kind {
		case KindFloat:
			return Float(a.fsum), nil
		case KindDecimal:
			return Decimal(a.isum, s.typ.Scale), nil
		}
		return Int(a.isum), nil
	case "AVG":
		switch s.typ.Kind {
		case KindFloat:
			return Float(a.fsum / float64(a.n)), nil
		case KindDecimal:
			q, _ := decDiv(a.isum, s.typ.Scale, a.n, 0, s.typ.Scale)
			return Decimal(q, s.typ.Scale), nil
		}
		return Int(a.isum / a.n), nil
	}
	var r float64
	switch s.fn {
	case "VAR_POP", "STDDEV_POP":
		r = a.m2 / float64(a.n)
	default:
		if a.n < 2 {
			return Null, nil
		}
		r = a.m2 / float64(a.n-1)
	}
	if strings.HasPrefix(s.fn, "STDDEV") {
		r = math.Sqrt(r)
	}
	return Float(r), nil
}
