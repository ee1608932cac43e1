package engine

// winState is a sliding window's state: one slidePart per partition key.
type winState struct {
	spec   *winSpec
	parts  map[groupKey]*slidePart
	keyBuf []Value
}

// slidePart holds the rows of one partition's window: their ROWTIMEs and the arguments
// of the window's aggregates (stride values per row), oldest first from head. The
// invertible aggregates (COUNT, SUM, AVG, variances) are updated as rows enter and leave;
// MIN and MAX keep monotonic deques; FIRST_VALUE reads the oldest row. Each row costs
// O(1) amortized: the window is never rescanned.
type slidePart struct {
	times  []int64
	vals   []Value
	head   int
	popped int64 // rows that have left the window so far
	accs   []accum
	dq     []deque // per aggregate; used by MIN and MAX
}

type deque struct {
	seq  []int64
	v    []Value
	head int
}

func (d *deque) push(seq int64, v Value, isMin bool) {
	for len(d.v) > d.head {
		c, _ := Compare(d.v[len(d.v)-1], v)
		if (isMin && c <= 0) || (!isMin && c >= 0) {
			break
		}
		d.v = d.v[:len(d.v)-1]
		d.seq = d.seq[:len(d.seq)-1]
	}
	d.seq = append(d.seq, seq)
	d.v = append(d.v, v)
}

func (d *deque) evict(first int64) {
	for d.head < len(d.seq) && d.seq[d.head] < first {
		d.v[d.head] = Null
		d.head++
	}
	if d.head > 64 && d.head*2 > len(d.seq) {
		n := copy(d.seq, d.seq[d.head:])
		copy(d.v, d.v[d.head:])
		d.seq, d.v = d.seq[:n], d.v[:n]
		d.head = 0
	}
}

// slide adds the row to each of the query's windows, computes their aggregates, and
// projects the row.
func (o *queryOp) slide(t int64, row []Value) {
	q := o.q
	// Evaluate everything first so that an error leaves the windows unchanged.
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
	if len(o.winKeys) < len(o.wins) {
		o.winKeys = make([]groupKey, len(o.wins))
	}
	keys := o.winKeys
	for wi, w := range o.wins {
		for i, f := range w.spec.partition {
			v, err := f(&o.ctx)
			if err != nil {
				o.r.sqlError(o.pump, t, row, err)
				return
			}
			w.keyBuf[i] = v
		}
		keys[wi] = makeKey(w.keyBuf)
	}
	for wi, w := range o.wins {
		spec := w.spec
		p := w.parts[keys[wi]]
		if p == nil {
			p = &slidePart{accs: make([]accum, len(spec.aggs)), dq: make([]deque, len(spec.aggs))}
			w.parts[keys[wi]] = p
		}
		stride := len(spec.aggs)
		seq := p.popped + int64(len(p.times)-p.head)
		p.times = append(p.times, t)
		for k, ai := range spec.aggs {
			a := q.aggs[ai]
			v := o.argBuf[ai]
			p.vals = append(p.vals, v)
			switch a.fn {
			case "MIN", "MAX":
				if v.Kind != KindNull {
					p.dq[k].push(seq, v, a.fn == "MIN")
				}
			case "FIRST_VALUE", "LAST_VALUE":
			default:
				p.accs[k].add(a, v)
			}
		}
		// evict rows that left the window
		for p.head < len(p.times) {
			n := int64(len(p.times) - p.head)
			if spec.rows {
				if n <= spec.n+1 {
					break
				}
			} else if p.times[p.head] >= t-spec.n {
				break
			}
			for k, ai := range spec.aggs {
				a := q.aggs[ai]
				switch a.fn {
				case "MIN", "MAX", "FIRST_VALUE", "LAST_VALUE":
				default:
					p.accs[k].remove(a, p.vals[p.head*stride+k])
				}
				p.vals[p.head*stride+k] = Null
			}
			p.head++
			p.popped++
		}
		if p.head > 64 && p.head*2 > len(p.times) {
			n := copy(p.times, p.times[p.head:])
			copy(p.vals, p.vals[p.head*stride:])
			p.times = p.times[:n]
			p.vals = p.vals[:n*stride]
			p.head = 0
		}
		for k, ai := range spec.aggs {
			a := q.aggs[ai]
			var v Value
			var err error
			switch a.fn {
			case "MIN", "MAX":
				p.dq[k].evict(p.popped)
				if d := &p.dq[k]; d.head < len(d.v) {
					v = d.v[d.head]
				}
			case "FIRST_VALUE":
				v = p.vals[p.head*stride+k]
			case "LAST_VALUE":
				v = o.argBuf[ai]
			default:
				v, err = p.accs[k].result(a)
			}
			if err != nil {
				o.r.sqlError(o.pump, t, row, err)
				return
			}
			o.aggBuf[ai] = v
		}
	}
	o.ctx.row, o.ctx.rowtime, o.ctx.aggs = row, t, o.aggBuf
	o.project(t)
}
