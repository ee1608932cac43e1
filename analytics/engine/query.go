package engine

import "sort"

// queryOp runs one compiled SELECT: WHERE, joins, and the projection, tumbling groups,
// sliding windows or stagger windows.
type queryOp struct {
	r    *Runner
	q    *queryPlan
	pump string
	next stage
	ctx  evalCtx
	now  int64

	joinBuf []Value
	outBuf  []Value
	keyBuf  []Value
	argBuf  []Value
	aggBuf  []Value

	// tumbling windows: open buckets sorted by end
	buckets []*bucket
	spare   *bucket
	free    []*group

	// stagger windows: open groups by key, and in order of closing
	sgroups map[groupKey]*group
	squeue  []*group
	shead   int

	// sliding windows, one per distinct window spec
	wins    []*winState
	winKeys []groupKey

	order *orderBuf // ORDER BY, or nil
}

type group struct {
	keys    []Value
	accs    []accum
	closeAt int64 // stagger
}

type bucket struct {
	end    int64
	groups map[groupKey]*group
	order  []*group
}

func newQueryOp(r *Runner, q *queryPlan, pump string, next stage) *queryOp {
	o := &queryOp{r: r, q: q, pump: pump, next: next, now: -1 << 62}
	if q.order != nil {
		o.order = newOrderBuf(q.order)
	}
	o.joinBuf = make([]Value, q.width)
	o.keyBuf = make([]Value, len(q.keys))
	o.argBuf = make([]Value, len(q.aggs))
	o.aggBuf = make([]Value, len(q.aggs))
	if q.kind == kindStagger {
		o.sgroups = map[groupKey]*group{}
	}
	for _, w := range q.windows {
		o.wins = append(o.wins, &winState{spec: w, parts: map[groupKey]*slidePart{}, keyBuf: make([]Value, len(w.partition))})
	}
	return o
}

func (o *queryOp) push(t int64, in []Value) {
	o.advanceSelf(t)
	if len(o.q.joins) == 0 {
		o.process(t, in)
	} else {
		n := copy(o.joinBuf, in)
		for i := n; i < o.q.joins[0].offset; i++ {
			o.joinBuf[i] = Null
		}
		o.join(0, t)
	}
	o.next.advance(t)
}

func (o *queryOp) advance(t int64) {
	o.advanceSelf(t)
	o.next.advance(t)
}

// join matches the row in joinBuf against reference table i and goes on with each match
// (or, for LEFT OUTER JOIN without a match, with NULLs).
func (o *queryOp) join(i int, t int64) {
	if i == len(o.q.joins) {
		o.process(t, o.joinBuf)
		return
	}
	jp := o.q.joins[i]
	row := o.joinBuf
	o.ctx.row, o.ctx.rowtime = row, t
	width := len(jp.ref.Columns)
	matched := false
	try := func(ri int) {
		ref := jp.ref.Rows[ri]
		for k := 0; k < width; k++ {
			if k < len(ref) {
				row[jp.offset+k] = ref[k]
			} else {
				row[jp.offset+k] = Null
			}
		}
		o.ctx.row, o.ctx.rowtime = row, t
		v, err := jp.on(&o.ctx)
		if err != nil {
			o.r.sqlError(o.pump, t, row[:jp.offset], err)
			return
		}
		if v.Kind == KindBool && v.I != 0 {
			matched = true
			o.join(i+1, t)
		}
	}
	if jp.index != nil {
		k, err := jp.probe(&o.ctx)
		if err != nil {
			o.r.sqlError(o.pump, t, row[:jp.offset], err)
			return
		}
		if k.Kind != KindNull {
			for _, ri := range jp.index[k] {
				try(ri)
			}
		}
	} else {
		for ri := range jp.ref.Rows {
			try(ri)
		}
	}
	if !matched && jp.leftOuter {
		for k := 0; k < width; k++ {
			row[jp.offset+k] = Null
		}
		o.join(i+1, t)
	}
}

func (o *queryOp) process(t int64, row []Value) {
	q := o.q
	ctx := &o.ctx
	ctx.row, ctx.rowtime, ctx.aggs = row, t, o.aggBuf
	if q.where != nil {
		v, err := q.where(ctx)
		if err != nil {
			o.r.sqlError(o.pump, t, row, err)
			return
		}
		if v.Kind != KindBool || v.I == 0 {
			return
		}
	}
	switch q.kind {
	case kindPlain:
		o.project(t)
	case kindSliding:
		o.slide(t, row)
	case kindTumble, kindStagger:
		o.accumulate(t, row)
	}
}

// project evaluates the select list on ctx and passes the row on. The row's slice is
// reused: no stage keeps a row it is given (insertStage copies, table functions must copy).
func (o *queryOp) project(t int64) {
	if o.outBuf == nil {
		o.outBuf = make([]Value, len(o.q.items))
	}
	out := o.outBuf
	for i, f := range o.q.items {
		v, err := f(&o.ctx)
		if err != nil {
			o.r.sqlError(o.pump, t, o.ctx.row, err)
			return
		}
		out[i] = v
	}
	if o.q.order != nil {
		o.hold(t, out)
		return
	}
	o.next.push(t, out)
}

// accumulate adds a row to its group (tumbling or stagger).
func (o *queryOp) accumulate(t int64, row []Value) {
	q := o.q
	for i, f := range q.keys {
		v, err := f(&o.ctx)
		if err != nil {
			o.r.sqlError(o.pump, t, row, err)
			return
		}
		o.keyBuf[i] = v
	}
	for i, a := range q.aggs {
		if a.star {
			continue
		}
		v, err := a.arg(&o.ctx)
		if err != nil {
			o.r.sqlError(o.pump, t, row, err)
			return
		}
		o.argBuf[i] = v
	}
	key := makeKey(o.keyBuf)
	var g *group
	if q.kind == kindStagger {
		g = o.sgroups[key]
		if g == nil {
			g = o.newGroup()
			g.closeAt = t + q.stagger
			o.sgroups[key] = g
			o.squeue = append(o.squeue, g)
		}
	} else {
		end := int64(1<<63 - 1)
		for _, m := range q.mono {
			v := o.keyBuf[m.key]
			if v.Kind == KindNull {
				return // ROWTIME is never NULL; kept for safety
			}
			end = min(end, m.end(v.I))
		}
		b := o.bucket(end)
		g = b.groups[key]
		if g == nil {
			g = o.newGroup()
			b.groups[key] = g
			b.order = append(b.order, g)
		}
	}
	for i, a := range q.aggs {
		g.accs[i].add(a, o.argBuf[i])
	}
}

func (o *queryOp) newGroup() *group {
	var g *group
	if n := len(o.free); n > 0 {
		g = o.free[n-1]
		o.free = o.free[:n-1]
		for i := range g.accs {
			g.accs[i].reset()
		}
	} else {
		g = &group{keys: make([]Value, len(o.q.keys)), accs: make([]accum, len(o.q.aggs))}
	}
	copy(g.keys, o.keyBuf)
	return g
}

func (o *queryOp) bucket(end int64) *bucket {
	for _, b := range o.buckets {
		if b.end == end {
			return b
		}
	}
	b := o.spare
	if b != nil {
		o.spare = nil
		b.end = end
	} else {
		b = &bucket{end: end, groups: map[groupKey]*group{}}
	}
	o.buckets = append(o.buckets, b)
	sort.Slice(o.buckets, func(i, j int) bool { return o.buckets[i].end < o.buckets[j].end })
	return b
}

// advanceSelf closes the windows that end at or before t, and emits the rows ORDER BY
// holds whose leading key's value is complete.
func (o *queryOp) advanceSelf(t int64) {
	if t <= o.now {
		return
	}
	o.now = t
	switch o.q.kind {
	case kindTumble:
		for len(o.buckets) > 0 && o.buckets[0].end <= t {
			b := o.buckets[0]
			o.buckets = o.buckets[1:]
			for _, g := range b.order {
				o.emitGroup(g, b.end)
				o.free = append(o.free, g)
			}
			// reuse the bucket's map for the next window
			clear(b.groups)
			b.order = b.order[:0]
			o.spare = b
		}
	case kindStagger:
		for o.shead < len(o.squeue) && o.squeue[o.shead].closeAt <= t {
			g := o.squeue[o.shead]
			o.squeue[o.shead] = nil
			o.shead++
			delete(o.sgroups, makeKey(g.keys))
			o.emitGroup(g, g.closeAt)
			o.free = append(o.free, g)
		}
		if o.shead > 64 && o.shead*2 > len(o.squeue) {
			n := copy(o.squeue, o.squeue[o.shead:])
			o.squeue = o.squeue[:n]
			o.shead = 0
		}
	}
	if o.q.order != nil {
		o.flushOrder(t)
	}
}

// emitGroup evaluates HAVING and the select list over a closed group; its ROWTIME is the
// window's end.
func (o *queryOp) emitGroup(g *group, end int64) {
	ctx := &o.ctx
	ctx.row, ctx.rowtime, ctx.aggs = g.keys, end, o.aggBuf
	for i, a := range o.q.aggs {
		v, err := g.accs[i].result(a)
		if err != nil {
			o.r.sqlError(o.pump, end, g.keys, err)
			return
		}
		o.aggBuf[i] = v
	}
	if o.q.having != nil {
		v, err := o.q.having(ctx)
		if err != nil {
			o.r.sqlError(o.pump, end, g.keys, err)
			return
		}
		if v.Kind != KindBool || v.I == 0 {
			return
		}
	}
	o.project(end)
}
