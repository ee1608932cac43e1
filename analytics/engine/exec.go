package engine

import (
	"encoding/hex"
	"fmt"
	"time"
)

// Runner runs a Program: rows go in with Push, time passes with Advance, and every row
// inserted into a stream other than an input stream (the created streams and
// error_stream) is passed to the emit function given to Start, synchronously. A Runner
// is not safe for concurrent use.
type Runner struct {
	p       *Program
	emit    func(stream string, row Row)
	last    []int64 // per stream: the latest ROWTIME seen
	started []bool
	pumps   map[*pumpDef]stage
	inError bool
}

// stage is one step of a pump: a query, a table function, or the insert into the target.
type stage interface {
	push(t int64, vals []Value)
	advance(t int64)
}

// Start makes a Runner with empty windows. emit receives, for each row inserted into a
// created stream or the error_stream, the stream's name and the row. emit may keep
// row.Values: each emitted row has a slice of its own, never reused by the Runner.
func (p *Program) Start(emit func(stream string, row Row)) *Runner {
	r := &Runner{p: p, emit: emit, last: make([]int64, len(p.streams)), started: make([]bool, len(p.streams)), pumps: map[*pumpDef]stage{}}
	unions := map[*unionDef]*unionStage{}
	for _, pd := range p.pumps {
		var next stage = &insertStage{r: r, pd: pd}
		if pd.union != nil {
			u := unions[pd.union]
			if u == nil {
				u = newUnionStage(r, pd.union, pd.name, pd.target, next)
				unions[pd.union] = u
			}
			next = &unionInput{u: u, i: pd.branch}
		}
		r.pumps[pd] = r.build(pd.plan, pd.name, next)
	}
	return r
}

func (r *Runner) build(q *queryPlan, pump string, next stage) stage {
	op := newQueryOp(r, q, pump, next)
	if q.sub == nil {
		return op
	}
	var inner stage = op
	if q.tf != nil {
		inner = &tableFuncStage{r: r, pump: pump, fn: q.tf.def.New(), next: op}
	}
	return r.build(q.sub, pump, inner)
}

// Push inserts one row into an input stream. The row's ROWTIME must not be earlier than
// that of the stream's previous row or the latest Advance; Values holds one value per
// column of the stream (of the column's type, or NULL), optionally followed by the
// APPROXIMATE_ARRIVAL_TIME. A row that breaks these rules is rejected with an error and
// changes nothing.
func (r *Runner) Push(stream string, row Row) error {
	s, ok := r.p.byName[stream]
	if !ok || !s.input {
		return fmt.Errorf("no input stream %s", stream)
	}
	t := row.Rowtime.UnixMilli()
	if r.started[s.id] && t < r.last[s.id] {
		return fmt.Errorf("ROWTIME %s of a row of %s is earlier than the stream's time %s", fmtMillis(t), stream, fmtMillis(r.last[s.id]))
	}
	if n := len(row.Values); n != len(s.cols) && n != len(s.cols)+1 {
		return fmt.Errorf("a row of %s has %d values but the stream has %d columns", stream, n, len(s.cols))
	}
	for i, c := range s.cols {
		if v := row.Values[i]; v.Kind != KindNull && v.Kind != c.Type.Kind {
			return fmt.Errorf("value %d of a row of %s is %s but column %s is %s", i+1, stream, kindName(v.Kind), c.Name, c.Type)
		}
	}
	if n := len(s.cols); len(row.Values) > n && row.Values[n].Kind != KindNull && row.Values[n].Kind != KindTimestamp {
		return fmt.Errorf("APPROXIMATE_ARRIVAL_TIME of a row of %s is %s, not a TIMESTAMP", stream, kindName(row.Values[n].Kind))
	}
	r.insert(s, t, row.Values)
	for _, pd := range s.down {
		r.pumps[pd].advance(t)
	}
	return nil
}

// Advance tells the program that time has reached now on every stream: windows that end
// at or before now close and emit their rows. Times earlier than the streams' current
// times change nothing.
func (r *Runner) Advance(now time.Time) {
	t := now.UnixMilli()
	for _, s := range r.p.streams {
		if s.input && (!r.started[s.id] || t > r.last[s.id]) {
			r.last[s.id], r.started[s.id] = t, true
		}
	}
	for _, pd := range r.p.pumps {
		r.pumps[pd].advance(t)
	}
}

func fmtMillis(ms int64) string { return TimestampMillis(ms).String() }

func kindName(k Kind) string {
	return [...]string{"NULL", "BOOLEAN", "an integer", "a floating-point number", "DECIMAL", "a character string", "TIMESTAMP", "DATE", "TIME", "INTERVAL", "INTERVAL"}[k]
}

// insert adds a row to a stream: to the caller (for non-input streams) and to the pumps
// that read it.
func (r *Runner) insert(s *streamDef, t int64, vals []Value) {
	if t > r.last[s.id] || !r.started[s.id] {
		r.last[s.id], r.started[s.id] = t, true
	}
	if !s.input && r.emit != nil {
		r.emit(s.name, Row{Rowtime: time.UnixMilli(t).UTC(), Values: vals})
	}
	for _, pd := range s.readers {
		r.pumps[pd].push(t, vals)
	}
}

// sqlError sends a run-time error to the error_stream. Errors raised while a pump
// processes an error_stream row are dropped, so that they cannot loop.
func (r *Runner) sqlError(pump string, t int64, vals []Value, err error) {
	if r.inError {
		return
	}
	data := hex.EncodeToString(encodeJSONValues(vals))
	r.reportError(t, "ERROR", "SQL error", err.Error(), t, data, pump)
}

// reportError inserts one row into the error_stream. Eddy has no clock of its own:
// ERROR_TIME is the stream time at which the error happened.
func (r *Runner) reportError(t int64, level, name, msg string, dataRowtime int64, dataHex, pump string) {
	s := r.p.byName[ErrorStream]
	row := []Value{
		TimestampMillis(t), String(level), String(truncRunes(name, 32)), String(truncRunes(msg, 4096)),
		TimestampMillis(dataRowtime), String(truncRunes(dataHex, 49152)), String(pump),
	}
	if pump == "" {
		row[6] = Null
	}
	was := r.inError
	r.inError = true
	r.insert(s, t, row)
	r.inError = was
}

// ReportRecordError puts a record that could not be decoded into the error_stream, as the
// decoders' errors are reported (see DecodeRecord). rowtime is the ROWTIME the row would
// have had.
func (r *Runner) ReportRecordError(rowtime time.Time, e *RecordError) {
	t := rowtime.UnixMilli()
	r.reportError(t, "ERROR", e.Name, e.Message, t, hex.EncodeToString(e.Data), "")
}

// insertStage is the end of a pump: it converts the query's row to the target stream's
// columns and inserts it.
type insertStage struct {
	r  *Runner
	pd *pumpDef
}

func (s *insertStage) push(t int64, vals []Value) {
	tgt := s.pd.target
	row := make([]Value, len(tgt.cols))
	for i, j := range s.pd.mapping {
		v, err := Cast(vals[i], tgt.cols[j].Type)
		if err != nil {
			s.r.sqlError(s.pd.name, t, vals, fmt.Errorf("column %s: %w", tgt.cols[j].Name, err))
			return
		}
		row[j] = v
	}
	s.r.insert(tgt, t, row)
}

func (s *insertStage) advance(int64) {}

type tableFuncStage struct {
	r    *Runner
	pump string
	fn   TableFunction
	next stage
	emit func(Row)
}

func (s *tableFuncStage) push(t int64, vals []Value) {
	if s.emit == nil {
		s.emit = func(row Row) { s.next.push(row.Rowtime.UnixMilli(), row.Values) }
	}
	if err := s.fn.Push(Row{Rowtime: time.UnixMilli(t).UTC(), Values: vals}, s.emit); err != nil {
		s.r.sqlError(s.pump, t, vals, err)
	}
	s.next.advance(t)
}

func (s *tableFuncStage) advance(t int64) {
	if s.emit == nil {
		s.emit = func(row Row) { s.next.push(row.Rowtime.UnixMilli(), row.Values) }
	}
	s.fn.Advance(time.UnixMilli(t).UTC(), s.emit)
	s.next.advance(t)
}
