package engine

import (
	"slices"

	"github.com/eddy-streams/eddy/analytics/sql"
)

// Streaming ORDER BY (SQL Reference, ORDER BY clause): the leading expression must be
// time-based and monotonic; rows are collected while its value stays the same and sorted
// by the other expressions, and a value's rows are emitted once the stream's time shows
// that no row with that value can come any more.
//
// Accepted leading expressions: ROWTIME, FLOOR(ROWTIME TO unit), CEIL(ROWTIME TO unit)
// and STEP(ROWTIME BY interval), ascending. The reference does not say how NULLs sort;
// here NULL is lower than every other value (first in ASC, last in DESC). The leading
// expression is never NULL. Rows equal on every key keep the order they came in.
//
// The reference does not say either which ROWTIME a sorted row carries. Here a row keeps
// its own unless a row emitted before it by the same ORDER BY has a later one; then it
// takes that later ROWTIME, so that the output, like every stream, is in ROWTIME order.

// orderPlan is a compiled ORDER BY.
type orderPlan struct {
	lead func(ms int64) int64 // the leading key as a function of ROWTIME
	// leadIsKey: the leading key is a GROUP BY or PARTITION BY key, computed from the
	// ROWTIME of the window's input rows rather than from the output row's.
	leadIsKey bool
	keys      []orderKey // keys[0] is the leading key
}

// orderKey is one ORDER BY key: an expression over the query's row, or (out >= 0)
// an output column named by its alias.
type orderKey struct {
	fn   evalFn
	out  int
	desc bool
}

// pendingRow is a row held by ORDER BY until its leading key's value is complete.
type pendingRow struct {
	t    int64
	lead int64
	vals []Value
	keys []Value
}

// orderBy compiles ORDER BY. It runs after the select list (plan.outCols is known) and
// before the aggregates are collected, so that a key may use an aggregate.
func (c *programCompiler) orderBy(items []sql.OrderItem, comp *compiler, plan *queryPlan) (*orderPlan, error) {
	first := items[0]
	lead, ok := c.orderLead(first.Expr, comp)
	if !ok {
		return nil, errAt(first.Pos, "the first ORDER BY expression of a streaming query must be a monotonic function of ROWTIME (ROWTIME, FLOOR(ROWTIME TO unit), CEIL(ROWTIME TO unit) or STEP(ROWTIME BY interval)), but %s is not", first.Expr)
	}
	if first.Dir == "DESC" {
		return nil, errAt(first.Pos, "the first ORDER BY expression of a streaming query must be ascending")
	}
	leadX, err := comp.expr(first.Expr)
	if err != nil {
		return nil, err
	}
	leadFn := leadX.fn
	op := &orderPlan{lead: lead}
	if comp.mode == modeGroup {
		for _, k := range comp.keys {
			op.leadIsKey = op.leadIsKey || k == first.Expr.String()
		}
	}
	// The leading key is read from the row (it may be a GROUP BY key: the window's start)
	// and kept as the first key.
	op.keys = append(op.keys, orderKey{fn: leadFn, out: -1})
	for _, it := range items[1:] {
		if n, ok := it.Expr.(*sql.NumberLit); ok {
			return nil, errAt(n.Pos, "ORDER BY a column position is not supported; name the column or repeat its expression")
		}
		k := orderKey{out: -1, desc: it.Dir == "DESC"}
		// A bare name is first a column of the select list (as in standard SQL), then a
		// column of the query's input.
		if cr, ok := it.Expr.(*sql.ColumnRef); ok && len(cr.Parts) == 1 {
			for i, oc := range plan.outCols {
				if oc.Name == cr.Parts[0].Name {
					if k.out >= 0 {
						return nil, errAt(cr.Pos, "ORDER BY %s is ambiguous: the select list has two columns of that name", cr)
					}
					k.out = i
				}
			}
		}
		if k.out < 0 {
			x, err := comp.expr(it.Expr)
			if err != nil {
				return nil, err
			}
			k.fn = x.fn
		}
		op.keys = append(op.keys, k)
	}
	return op, nil
}

// orderLead recognises a leading ORDER BY expression that is a monotonic function of
// ROWTIME and returns that function.
func (c *programCompiler) orderLead(e sql.Expr, comp *compiler) (func(int64) int64, bool) {
	isRowtime := func(e sql.Expr) bool {
		cr, ok := e.(*sql.ColumnRef)
		if !ok {
			return false
		}
		sc, err := comp.resolve(cr)
		return err == nil && sc.idx < 0
	}
	switch e := e.(type) {
	case *sql.ColumnRef:
		if isRowtime(e) {
			return func(ms int64) int64 { return ms }, true
		}
	case *sql.FloorCeil:
		if isRowtime(e.X) {
			unit, ceil := e.Unit, e.Fn == "CEIL"
			return func(ms int64) int64 { return truncTime(ms, unit, ceil) }, true
		}
	case *sql.Step:
		iv, ok := e.By.(*sql.IntervalLit)
		if !ok || !isRowtime(e.X) {
			return nil, false
		}
		v, err := intervalValue(iv)
		if err != nil || v.Kind != KindIntervalDS || v.I <= 0 {
			return nil, false
		}
		step := v.I
		return func(ms int64) int64 { return floorDiv(ms, step) * step }, true
	}
	return nil, false
}

// compareNullsLow orders two values for ORDER BY: NULL before everything else.
func compareNullsLow(a, b Value) int {
	switch {
	case a.Kind == KindNull && b.Kind == KindNull:
		return 0
	case a.Kind == KindNull:
		return -1
	case b.Kind == KindNull:
		return 1
	}
	c, _ := Compare(a, b)
	return c
}

func (p *orderPlan) cmp(a, b pendingRow) int {
	if a.lead != b.lead {
		return cmpInt(a.lead, b.lead)
	}
	for i := 1; i < len(p.keys); i++ {
		c := compareNullsLow(a.keys[i], b.keys[i])
		if p.keys[i].desc {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

// orderBuf holds the rows of one running ORDER BY.
type orderBuf struct {
	plan    *orderPlan
	pending []pendingRow
	pendMin int64 // the lowest leading key in pending
	lastOut int64 // the ROWTIME of the last row emitted
}

func newOrderBuf(p *orderPlan) *orderBuf { return &orderBuf{plan: p, lastOut: -1 << 62} }

// hold evaluates the ORDER BY keys of an output row out (ctx is the context the row was
// computed in) and keeps a copy of the row until its leading key's value is complete.
func (b *orderBuf) hold(t int64, out []Value, ctx *evalCtx) error {
	op := b.plan
	buf := make([]Value, len(out)+len(op.keys)) // one allocation for the row and its keys
	copy(buf, out)
	pr := pendingRow{t: t, vals: buf[:len(out):len(out)], keys: buf[len(out):]}
	for i, k := range op.keys {
		if k.out >= 0 {
			pr.keys[i] = out[k.out]
			continue
		}
		v, err := k.fn(ctx)
		if err != nil {
			return err
		}
		pr.keys[i] = v
	}
	if pr.keys[0].Kind == KindNull {
		return nil // ROWTIME is never NULL; kept for safety
	}
	pr.lead = pr.keys[0].I
	if len(b.pending) == 0 || pr.lead < b.pendMin {
		b.pendMin = pr.lead
	}
	b.pending = append(b.pending, pr)
	return nil
}

func (o *queryOp) hold(t int64, out []Value) {
	if err := o.order.hold(t, out, &o.ctx); err != nil {
		o.r.sqlError(o.pump, t, o.ctx.row, err)
	}
}

// orderLow is a time whose leading ORDER BY key is no greater than that of any row the
// query can still output. That is the stream's time t (no row to come has an earlier
// ROWTIME), with one exception: when the leading key is a stagger window's PARTITION BY
// key such as FLOOR(ROWTIME TO MINUTE), a window still open holds a key computed from its
// first row, which may be in an earlier minute than t; the first row of the oldest open
// window is then the bound. (A GROUP BY key needs no such care: it is one of the keys
// that close the window, so an open window's key is at least the key of t.)
func (o *queryOp) orderLow(t int64) int64 {
	if o.q.order.leadIsKey && o.q.kind == kindStagger && o.shead < len(o.squeue) {
		return min(t, o.squeue[o.shead].closeAt-o.q.stagger)
	}
	return t
}

func (o *queryOp) flushOrder(t int64) { o.order.flush(o.orderLow(t), o.next) }

// flush passes on to next, sorted, the held rows whose leading key is below that of low,
// a time no row still to come precedes.
func (b *orderBuf) flush(low int64, next stage) {
	op := b.plan
	limit := op.lead(low)
	if len(b.pending) == 0 || b.pendMin >= limit {
		return
	}
	slices.SortStableFunc(b.pending, op.cmp)
	n := 0
	for n < len(b.pending) && b.pending[n].lead < limit {
		pr := b.pending[n]
		rt := max(pr.t, b.lastOut)
		b.lastOut = rt
		next.push(rt, pr.vals)
		n++
	}
	rest := copy(b.pending, b.pending[n:])
	clear(b.pending[rest:])
	b.pending = b.pending[:rest]
	if rest > 0 {
		b.pendMin = b.pending[0].lead
	}
}
