package engine

// UNION ALL (sqlref Query, "Streaming set operators"): the only set operator over streams.
// Each query (branch) of the union runs as its own pump chain; their rows meet here and
// go on in ROWTIME order, each with its own ROWTIME (the reference: the rows of a
// streaming UNION ALL have the timestamps of the input rows).
//
// A branch's time is the latest time of the stream it reads (a row or an Advance); no row
// of that branch can come with an earlier ROWTIME. A row is passed on once every branch's
// time has reached its ROWTIME, so a branch whose stream receives neither rows nor
// Advance holds back the others. Rows passed on together that have the same ROWTIME go
// in branch order, and in arrival order within a branch.

// unionStage merges the rows of a union's branches.
type unionStage struct {
	r      *Runner
	target *streamDef
	next   stage
	times  []int64     // per branch: its time
	queues [][]heldRow // per branch: rows not passed on yet, in ROWTIME order
	low    int64       // the time up to which rows have been passed on
	pump   string
	order  *orderBuf // ORDER BY over the union, or nil
	ctx    evalCtx
}

type heldRow struct {
	t    int64
	vals []Value
}

func newUnionStage(r *Runner, u *unionDef, pump string, target *streamDef, next stage) *unionStage {
	s := &unionStage{r: r, target: target, next: next, times: make([]int64, u.n), queues: make([][]heldRow, u.n), low: -1 << 62, pump: pump}
	if u.order != nil {
		s.order = newOrderBuf(u.order)
	}
	for i := range s.times {
		s.times[i] = -1 << 62
	}
	return s
}

// unionInput is the end of one branch's chain.
type unionInput struct {
	u *unionStage
	i int
}

func (in *unionInput) push(t int64, vals []Value) {
	u := in.u
	u.times[in.i] = max(u.times[in.i], t)
	u.queues[in.i] = append(u.queues[in.i], heldRow{t, append([]Value(nil), vals...)})
}

func (in *unionInput) advance(t int64) {
	u := in.u
	u.times[in.i] = max(u.times[in.i], t)
	u.drain()
}

// drain passes on, in ROWTIME order, the rows no branch can still precede, then advances
// the pumps downstream of the target stream to that time.
func (u *unionStage) drain() {
	low := u.times[0]
	for _, t := range u.times[1:] {
		low = min(low, t)
	}
	for {
		best := -1
		for i, q := range u.queues {
			if len(q) > 0 && q[0].t <= low && (best < 0 || q[0].t < u.queues[best][0].t) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		h := u.queues[best][0]
		u.queues[best][0] = heldRow{}
		u.queues[best] = u.queues[best][1:]
		if u.order == nil {
			u.next.push(h.t, h.vals)
			continue
		}
		u.ctx.row, u.ctx.rowtime = h.vals, h.t
		if err := u.order.hold(h.t, h.vals, &u.ctx); err != nil {
			u.r.sqlError(u.pump, h.t, h.vals, err)
		}
	}
	if u.order != nil {
		// rows still to come have ROWTIMEs of at least low
		u.order.flush(low, u.next)
	}
	if low > u.low {
		u.low = low
		for _, pd := range u.target.down {
			u.r.pumps[pd].advance(low)
		}
	}
}
