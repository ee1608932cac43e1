package engine

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/eddy-streams/eddy/analytics/sql"
)

// Column is a column of a stream or a reference table.
type Column struct {
	Name string
	Type Type
}

// InputSchema is an in-application input stream ("SOURCE_SQL_STREAM_001") and its columns.
// Every input stream also has ROWTIME and APPROXIMATE_ARRIVAL_TIME (both TIMESTAMP).
type InputSchema struct {
	Stream  string
	Columns []Column
}

// RefTable is a reference table for joins: its name, columns and rows (each row has one
// value per column, of the column's type or NULL).
type RefTable struct {
	Name    string
	Columns []Column
	Rows    [][]Value
}

// Row is a row of a stream: its ROWTIME and one value per column. A row pushed to an input
// stream may carry one more value, its APPROXIMATE_ARRIVAL_TIME (a TIMESTAMP); without it
// APPROXIMATE_ARRIVAL_TIME is NULL.
type Row struct {
	Rowtime time.Time
	Values  []Value
}

// ErrorStream is the name of the in-application error stream every program has.
const ErrorStream = "error_stream"

// ErrorStreamColumns are the columns of the error_stream (SQL Developer Guide, Error
// Handling: "The error stream has the following schema").
var ErrorStreamColumns = []Column{
	{"ERROR_TIME", TypeTimestamp},
	{"ERROR_LEVEL", Varchar(10)},
	{"ERROR_NAME", Varchar(32)},
	{"MESSAGE", Varchar(4096)},
	{"DATA_ROWTIME", TypeTimestamp},
	{"DATA_ROW", Varchar(49152)},
	{"PUMP_NAME", Varchar(128)},
}

// Program is a compiled application: its streams and pumps. It is immutable; Start runs it.
type Program struct {
	streams []*streamDef
	byName  map[string]*streamDef
	pumps   []*pumpDef // in topological order: a pump comes after the pumps that feed its source
}

type streamDef struct {
	id      int
	name    string
	cols    []Column
	input   bool
	readers []*pumpDef
	down    []*pumpDef // pumps fed directly or indirectly by this stream, in topological order
}

type pumpDef struct {
	name    string
	pos     sql.Pos
	src     *streamDef
	plan    *queryPlan
	target  *streamDef
	mapping []int // output column i goes to target column mapping[i]
	// A pump whose query is a UNION ALL has a pumpDef per query (branch): they share
	// union, and their rows are merged in ROWTIME order before the insert.
	union  *unionDef
	branch int
}

type unionDef struct {
	n     int        // the number of queries
	order *orderPlan // ORDER BY after the last query, or nil
}

// Streams lists the names of the program's streams: the inputs, error_stream and the
// created ones, in order of definition.
func (p *Program) Streams() []string {
	var out []string
	for _, s := range p.streams {
		out = append(out, s.name)
	}
	return out
}

// Columns returns the columns of a stream (nil if there is no such stream).
func (p *Program) Columns(stream string) []Column {
	if s, ok := p.byName[stream]; ok {
		return append([]Column(nil), s.cols...)
	}
	return nil
}

// Compile parses an application's code and checks it against the input streams and
// reference tables. Every error is an *sql.Error with the line and column of the offending
// part of the code.
func Compile(code string, inputs []InputSchema, refs []RefTable) (*Program, error) {
	prog, err := sql.Parse(code)
	if err != nil {
		return nil, err
	}
	c, err := newProgram(inputs, refs)
	if err != nil {
		return nil, err
	}
	p, add := c.p, c.p.add
	pumpNames := map[string]bool{}
	for _, st := range prog.Statements {
		switch st := st.(type) {
		case *sql.CreateStream:
			name := st.Name.Name
			if old, ok := p.byName[name]; ok {
				if old.input || old.name == ErrorStream || !st.OrReplace {
					return nil, errAt(st.Name.Pos, "stream %s already exists", quoteIdent(name))
				}
				if len(old.readers) > 0 || c.targeted[name] {
					return nil, errAt(st.Name.Pos, "stream %s cannot be replaced: a pump uses it", quoteIdent(name))
				}
			}
			if _, ok := c.refs[name]; ok {
				return nil, errAt(st.Name.Pos, "%s is already the name of a reference table", quoteIdent(name))
			}
			var cols []Column
			seen := map[string]bool{}
			for _, cd := range st.Columns {
				t, err := TypeOf(cd.Type)
				if err != nil {
					return nil, errAt(cd.Type.Pos, "%s", err)
				}
				n := cd.Name.Name
				if seen[n] || n == "ROWTIME" {
					return nil, errAt(cd.Name.Pos, "column %s is defined twice", quoteIdent(n))
				}
				seen[n] = true
				cols = append(cols, Column{n, t})
			}
			if old, ok := p.byName[name]; ok {
				old.cols = cols
			} else {
				add(name, cols, false)
			}
		case *sql.CreatePump:
			name := st.Name.Name
			if pumpNames[name] && !st.OrReplace {
				return nil, errAt(st.Name.Pos, "pump %s already exists", quoteIdent(name))
			}
			if pumpNames[name] {
				// the pump's pumpDefs: one, or one per query of a UNION ALL
				kept := p.pumps[:0]
				for _, pd := range p.pumps {
					if pd.name == name {
						pd.src.readers = removePump(pd.src.readers, pd)
						continue
					}
					kept = append(kept, pd)
				}
				p.pumps = kept
			}
			pumpNames[name] = true
			pds, err := c.pump(name, st)
			if err != nil {
				return nil, err
			}
			p.pumps = append(p.pumps, pds...)
		default:
			return nil, errAt(st.Position(), "only CREATE STREAM and CREATE PUMP statements can run in application code")
		}
	}
	if err := p.order(); err != nil {
		return nil, err
	}
	return p, nil
}

// newProgram starts a program: its input streams and error_stream, and
// the compiler of its statements over them and the reference tables.
// The names in reserved may not be input streams.
func newProgram(inputs []InputSchema, refs []RefTable, reserved ...string) (*programCompiler, error) {
	p := &Program{byName: map[string]*streamDef{}}
	for _, in := range inputs {
		if _, dup := p.byName[in.Stream]; dup || in.Stream == ErrorStream || slices.Contains(reserved, in.Stream) {
			return nil, fmt.Errorf("input stream %s is defined twice", in.Stream)
		}
		p.add(in.Stream, in.Columns, true)
	}
	p.add(ErrorStream, ErrorStreamColumns, false)
	c := &programCompiler{p: p, refs: map[string]*RefTable{}}
	for i := range refs {
		c.refs[refs[i].Name] = &refs[i]
	}
	return c, nil
}

// add defines a stream.
func (p *Program) add(name string, cols []Column, input bool) *streamDef {
	s := &streamDef{id: len(p.streams), name: name, cols: cols, input: input}
	p.streams = append(p.streams, s)
	p.byName[name] = s
	return s
}

func removePump(ps []*pumpDef, x *pumpDef) []*pumpDef {
	out := ps[:0]
	for _, p := range ps {
		if p != x {
			out = append(out, p)
		}
	}
	return out
}

// order sorts the pumps topologically and rejects cycles.
func (p *Program) order() error {
	indeg := map[*pumpDef]int{}
	for _, pd := range p.pumps {
		for _, q := range pd.target.readers {
			indeg[q]++
		}
	}
	var queue, out []*pumpDef
	for _, pd := range p.pumps {
		if indeg[pd] == 0 {
			queue = append(queue, pd)
		}
	}
	for len(queue) > 0 {
		pd := queue[0]
		queue = queue[1:]
		out = append(out, pd)
		for _, q := range pd.target.readers {
			if indeg[q]--; indeg[q] == 0 {
				queue = append(queue, q)
			}
		}
	}
	if len(out) != len(p.pumps) {
		for _, pd := range p.pumps {
			if indeg[pd] > 0 {
				return errAt(pd.pos, "pump %s is part of a cycle: it reads %s, which its own output feeds", quoteIdent(pd.name), quoteIdent(pd.src.name))
			}
		}
	}
	p.pumps = out
	rank := map[*pumpDef]int{}
	for i, pd := range out {
		rank[pd] = i
	}
	for _, s := range p.streams {
		seen := map[*pumpDef]bool{}
		var visit func(st *streamDef)
		visit = func(st *streamDef) {
			for _, q := range st.readers {
				if !seen[q] {
					seen[q] = true
					s.down = append(s.down, q)
					// A UNION ALL holds rows until every branch has reached their time: it
					// advances its target's downstream pumps itself (unionStage).
					if q.union == nil {
						visit(q.target)
					}
				}
			}
		}
		visit(s)
		sort.Slice(s.down, func(i, j int) bool { return rank[s.down[i]] < rank[s.down[j]] })
	}
	return nil
}

type programCompiler struct {
	p        *Program
	refs     map[string]*RefTable
	targeted map[string]bool
}

// pump compiles CREATE PUMP: one pumpDef, or, for a query with UNION ALL, one per branch,
// all with the same name and target and linked by a unionDef.
func (c *programCompiler) pump(name string, st *sql.CreatePump) ([]*pumpDef, error) {
	ins := st.Insert
	target, ok := c.p.byName[ins.Into.Name]
	if !ok {
		return nil, errAt(ins.Into.Pos, "unknown stream %s", quoteIdent(ins.Into.Name))
	}
	if target.input || target.name == ErrorStream {
		return nil, errAt(ins.Into.Pos, "a pump cannot insert into %s stream %s", map[bool]string{true: "the input", false: "the error"}[target.input], quoteIdent(target.name))
	}
	first := *ins.Query
	first.UnionAll = nil
	queries := append([]*sql.Select{&first}, ins.Query.UnionAll...)
	var u *unionDef
	if len(queries) > 1 {
		u = &unionDef{n: len(queries)}
		first.OrderBy = nil // it orders the union, compiled below
	}
	var pds []*pumpDef
	for i, q := range queries {
		pd, err := c.branch(name, st.Name.Pos, ins, q, target)
		if err != nil {
			return nil, err
		}
		pd.union, pd.branch = u, i
		pds = append(pds, pd)
	}
	if u != nil && len(ins.Query.OrderBy) > 0 {
		// ORDER BY after a UNION ALL sorts the union's rows: its expressions are over the
		// union's columns, named as in the first query (sqlref Query), and ROWTIME.
		outCols := pds[0].plan.outCols
		comp := &compiler{cols: streamScope(outCols, nil, false), windows: map[string]*sql.WindowSpec{}}
		op, err := c.orderBy(ins.Query.OrderBy, comp, &queryPlan{outCols: outCols})
		if err != nil {
			return nil, err
		}
		u.order = op
	}
	for _, pd := range pds {
		pd.src.readers = append(pd.src.readers, pd)
	}
	if c.targeted == nil {
		c.targeted = map[string]bool{}
	}
	c.targeted[target.name] = true
	return pds, nil
}

// branch compiles the query q of a pump (or one query of its UNION ALL) and maps its
// columns to the target's.
func (c *programCompiler) branch(name string, pos sql.Pos, ins *sql.Insert, q *sql.Select, target *streamDef) (*pumpDef, error) {
	plan, err := c.query(q, true)
	if err != nil {
		return nil, err
	}
	pd := &pumpDef{name: name, pos: pos, src: plan.base(), plan: plan, target: target}
	// The columns the query fills: the INSERT column list, or all the target's columns.
	var cols []int
	if len(ins.Columns) == 0 {
		for i := range target.cols {
			cols = append(cols, i)
		}
	} else {
		seen := map[int]bool{}
		for _, id := range ins.Columns {
			j := -1
			for i, tc := range target.cols {
				if tc.Name == id.Name {
					j = i
				}
			}
			if j < 0 {
				return nil, errAt(id.Pos, "stream %s has no column %s", quoteIdent(target.name), quoteIdent(id.Name))
			}
			if seen[j] {
				return nil, errAt(id.Pos, "column %s is listed twice", quoteIdent(id.Name))
			}
			seen[j] = true
			cols = append(cols, j)
		}
	}
	if len(cols) != len(plan.outCols) {
		return nil, errAt(q.Pos, "the query returns %d columns but stream %s takes %d", len(plan.outCols), quoteIdent(target.name), len(cols))
	}
	for i, j := range cols {
		if !assignable(plan.outCols[i].Type, target.cols[j].Type) {
			return nil, errAt(plan.itemPos[i], "column %d of the query is %s but column %s of stream %s is %s", i+1, plan.outCols[i].Type, quoteIdent(target.cols[j].Name), quoteIdent(target.name), target.cols[j].Type)
		}
	}
	pd.mapping = cols
	return pd, nil
}

// Kinds of queries, by how they produce rows.
const (
	kindPlain   = iota // one output row per input row that passes WHERE
	kindSliding        // the same, with aggregates over sliding windows
	kindTumble         // GROUP BY with a ROWTIME-based key: a row per group when its window closes
	kindStagger        // WINDOWED BY STAGGER: a row per partition key when its window closes
)

// queryPlan is a compiled SELECT.
type queryPlan struct {
	src     *streamDef // the stream read, or nil when sub is set
	sub     *queryPlan // FROM (SELECT ...) or the CURSOR of a table function
	tf      *tableFuncPlan
	joins   []*joinPlan
	width   int // values in a source row (after joins)
	where   evalFn
	kind    int
	items   []evalFn
	outCols []Column
	itemPos []sql.Pos
	aggs    []*aggSpec
	windows []*winSpec
	keys    []evalFn
	mono    []monoKey
	having  evalFn
	stagger int64 // stagger window length, milliseconds
	order   *orderPlan
}

// monoKey is a GROUP BY key that is a monotonic function of ROWTIME: STEP(ROWTIME BY
// interval) or FLOOR(ROWTIME TO unit). Its value is a window's start.
type monoKey struct {
	key  int
	step int64  // STEP: the interval in milliseconds
	unit string // FLOOR: the unit
}

func (m monoKey) end(start int64) int64 {
	if m.step > 0 {
		return start + m.step
	}
	return unitEnd(start, m.unit)
}

func (q *queryPlan) base() *streamDef {
	for q.src == nil {
		q = q.sub
	}
	return q.src
}

type joinPlan struct {
	ref       *RefTable
	leftOuter bool
	on        evalFn
	offset    int // where the table's values start in the joined row
	// An equality ON left = table.col uses an index from the column's values to rows.
	probe evalFn
	index map[Value][]int
}

func (c *programCompiler) query(q *sql.Select, top bool) (*queryPlan, error) {
	if !q.Stream {
		return nil, errAt(q.Pos, "a query over a stream needs SELECT STREAM")
	}
	if q.Distinct {
		return nil, errAt(q.Pos, "SELECT STREAM DISTINCT is not supported")
	}
	if len(q.UnionAll) > 0 {
		return nil, errAt(q.UnionAll[0].Pos, "UNION ALL is supported only as the whole query of a pump")
	}
	plan := &queryPlan{}
	cols, err := c.from(q.From, plan)
	if err != nil {
		return nil, err
	}
	comp := &compiler{cols: cols, windows: map[string]*sql.WindowSpec{}}
	for _, w := range q.Windows {
		if _, dup := comp.windows[w.Name.Name]; dup {
			return nil, errAt(w.Name.Pos, "window %s is defined twice", quoteIdent(w.Name.Name))
		}
		comp.windows[w.Name.Name] = w.Spec
	}
	if q.Where != nil {
		w, err := comp.expr(q.Where)
		if err != nil {
			return nil, err
		}
		if w.typ.Kind != KindBool && w.typ.Kind != KindNull {
			return nil, errAt(q.Where.Position(), "WHERE needs a BOOLEAN condition but found %s", w.typ)
		}
		plan.where = w.fn
	}
	plain, over := false, false
	for _, it := range q.Items {
		p, o := findAggs(it.Expr)
		plain, over = plain || p, over || o
	}
	if q.Having != nil && len(q.GroupBy) == 0 && q.Stagger == nil {
		return nil, errAt(q.Having.Position(), "HAVING needs GROUP BY or WINDOWED BY STAGGER")
	}
	switch {
	case q.Stagger != nil && len(q.GroupBy) > 0:
		return nil, errAt(q.GroupBy[0].Position(), "a query cannot have both GROUP BY and WINDOWED BY STAGGER")
	case q.Stagger != nil:
		plan.kind = kindStagger
		if err := c.staggerKeys(q.Stagger, comp, plan); err != nil {
			return nil, err
		}
	case len(q.GroupBy) > 0:
		plan.kind = kindTumble
		if err := c.groupKeys(q, comp, plan); err != nil {
			return nil, err
		}
	case over:
		plan.kind = kindSliding
		comp.mode = modeSliding
	case plain:
		_, pos := firstAgg(q)
		return nil, errAt(pos, "an aggregate over a stream needs GROUP BY with a ROWTIME-based key (STEP or FLOOR of ROWTIME), an OVER window, or WINDOWED BY STAGGER")
	}
	for _, it := range q.Items {
		if st, ok := it.Expr.(*sql.Star); ok {
			if comp.mode == modeGroup {
				return nil, errAt(st.Pos, "* cannot be used with GROUP BY or a stagger window")
			}
			n, err := c.star(st, cols, comp, plan)
			if err != nil {
				return nil, err
			}
			if n == 0 {
				return nil, errAt(st.Pos, "%s matches no columns", st)
			}
			continue
		}
		x, err := comp.expr(it.Expr)
		if err != nil {
			return nil, err
		}
		name := ""
		if it.Alias != nil {
			name = it.Alias.Name
		} else if cr, ok := it.Expr.(*sql.ColumnRef); ok {
			name = cr.Parts[len(cr.Parts)-1].Name
		}
		if name == "ROWTIME" && top {
			// Selecting ROWTIME in a pump's query names the output row's ROWTIME, which is
			// not a column of the target stream: the row's time is the input row's, or the
			// window's end for GROUP BY and stagger windows.
			if x.typ.Kind != KindTimestamp {
				return nil, errAt(it.Pos, "ROWTIME must be a TIMESTAMP but is %s", x.typ)
			}
			continue
		}
		if name == "" {
			name = fmt.Sprintf("EXPR$%d", len(plan.items))
		}
		plan.items = append(plan.items, x.fn)
		plan.outCols = append(plan.outCols, Column{name, x.typ})
		plan.itemPos = append(plan.itemPos, it.Pos)
	}
	if q.Having != nil {
		h, err := comp.expr(q.Having)
		if err != nil {
			return nil, err
		}
		if h.typ.Kind != KindBool && h.typ.Kind != KindNull {
			return nil, errAt(q.Having.Position(), "HAVING needs a BOOLEAN condition but found %s", h.typ)
		}
		plan.having = h.fn
	}
	if len(q.OrderBy) > 0 {
		op, err := c.orderBy(q.OrderBy, comp, plan)
		if err != nil {
			return nil, err
		}
		plan.order = op
	}
	plan.aggs = comp.aggs
	for _, a := range comp.aggs {
		if a.win != nil && (len(plan.windows) == 0 || !containsWin(plan.windows, a.win)) {
			plan.windows = append(plan.windows, a.win)
		}
	}
	if len(plan.outCols) == 0 {
		return nil, errAt(q.Pos, "the query returns no columns")
	}
	return plan, nil
}

func containsWin(ws []*winSpec, w *winSpec) bool {
	for _, x := range ws {
		if x == w {
			return true
		}
	}
	return false
}

func (c *programCompiler) star(st *sql.Star, cols []scopeCol, comp *compiler, plan *queryPlan) (int, error) {
	qual := ""
	if len(st.Qualifier) == 1 {
		qual = st.Qualifier[0].Name
	} else if len(st.Qualifier) > 1 {
		return 0, errAt(st.Pos, "%s has too many qualifiers", st)
	}
	n := 0
	known := qual == ""
	for _, sc := range cols {
		ok := qual == ""
		for _, q := range sc.quals {
			if q == qual {
				ok, known = true, true
			}
		}
		if !ok || sc.hidden {
			continue
		}
		i := sc.idx
		plan.items = append(plan.items, func(x *evalCtx) (Value, error) { return x.row[i], nil })
		plan.outCols = append(plan.outCols, Column{sc.name, sc.typ})
		plan.itemPos = append(plan.itemPos, st.Pos)
		n++
	}
	if !known {
		return 0, errAt(st.Pos, "unknown stream or table %s", quoteIdent(qual))
	}
	return n, nil
}

// groupKeys compiles GROUP BY: every key in row mode, and finds the ROWTIME-based ones
// that make the groups close.
func (c *programCompiler) groupKeys(q *sql.Select, comp *compiler, plan *queryPlan) error {
	for i, g := range q.GroupBy {
		x, err := comp.expr(g)
		if err != nil {
			return err
		}
		if _, p := findAggs(g); p {
			return errAt(g.Position(), "GROUP BY cannot contain an aggregate")
		}
		plan.keys = append(plan.keys, x.fn)
		comp.keys = append(comp.keys, g.String())
		comp.keyTyps = append(comp.keyTyps, x.typ)
		if m, ok := c.monotonic(g, comp); ok {
			m.key = i
			plan.mono = append(plan.mono, m)
		}
	}
	if len(plan.mono) == 0 {
		return errAt(q.GroupBy[0].Position(), "GROUP BY over a stream needs a key that is a monotonic function of ROWTIME, such as STEP(ROWTIME BY INTERVAL '1' MINUTE) or FLOOR(ROWTIME TO MINUTE)")
	}
	comp.mode = modeGroup
	return nil
}

func (c *programCompiler) monotonic(g sql.Expr, comp *compiler) (monoKey, bool) {
	isRowtime := func(e sql.Expr) bool {
		cr, ok := e.(*sql.ColumnRef)
		if !ok {
			return false
		}
		sc, err := comp.resolve(cr)
		return err == nil && sc.idx < 0
	}
	switch g := g.(type) {
	case *sql.Step:
		iv, ok := g.By.(*sql.IntervalLit)
		if !ok || !isRowtime(g.X) {
			return monoKey{}, false
		}
		v, err := intervalValue(iv)
		if err != nil || v.Kind != KindIntervalDS || v.I <= 0 {
			return monoKey{}, false
		}
		return monoKey{step: v.I}, true
	case *sql.FloorCeil:
		if g.Fn == "FLOOR" && isRowtime(g.X) {
			return monoKey{unit: g.Unit}, true
		}
	}
	return monoKey{}, false
}

func (c *programCompiler) staggerKeys(spec *sql.WindowSpec, comp *compiler, plan *queryPlan) error {
	v, err := intervalValue(spec.Start.Interval)
	if err != nil {
		return err
	}
	if v.Kind != KindIntervalDS || v.I <= 0 {
		return errAt(spec.Start.Pos, "a stagger window needs a positive day-to-second RANGE interval")
	}
	plan.stagger = v.I
	for _, g := range spec.PartitionBy {
		x, err := comp.expr(g)
		if err != nil {
			return err
		}
		plan.keys = append(plan.keys, x.fn)
		comp.keys = append(comp.keys, g.String())
		comp.keyTyps = append(comp.keyTyps, x.typ)
	}
	comp.mode = modeGroup
	return nil
}

// from compiles the FROM clause: the columns it makes visible.
func (c *programCompiler) from(f sql.FromItem, plan *queryPlan) ([]scopeCol, error) {
	switch f := f.(type) {
	case *sql.TableRef:
		if len(f.Name) > 1 {
			return nil, errAt(f.Pos, "qualified stream names are not supported")
		}
		name := f.Name[0].Name
		if f.Over != nil || f.OverName != nil {
			return nil, errAt(f.Pos, "a window on a FROM stream (for stream-to-stream joins) is not supported")
		}
		if _, ok := c.refs[name]; ok {
			return nil, errAt(f.Pos, "%s is a reference table: a query must read a stream and may JOIN reference tables", quoteIdent(name))
		}
		s, ok := c.p.byName[name]
		if !ok {
			return nil, errAt(f.Pos, "unknown stream %s", quoteIdent(name))
		}
		plan.src = s
		quals := []string{name}
		if f.Alias != nil {
			quals = []string{f.Alias.Name}
		}
		cols := streamScope(s.cols, quals, s.input)
		plan.width = len(s.cols)
		if s.input {
			plan.width++
		}
		return cols, nil
	case *sql.SubqueryRef:
		sub, err := c.query(f.Query, false)
		if err != nil {
			return nil, err
		}
		plan.sub = sub
		var quals []string
		if f.Alias != nil {
			quals = []string{f.Alias.Name}
		}
		plan.width = len(sub.outCols)
		return streamScope(sub.outCols, quals, false), nil
	case *sql.TableFunc:
		return c.tableFunc(f, plan)
	case *sql.Join:
		if f.Kind != "JOIN" && f.Kind != "INNER JOIN" && f.Kind != "LEFT JOIN" && f.Kind != "LEFT OUTER JOIN" {
			return nil, errAt(f.Pos, "%s is not supported: join a stream with a reference table with JOIN or LEFT OUTER JOIN", f.Kind)
		}
		left, err := c.from(f.Left, plan)
		if err != nil {
			return nil, err
		}
		tr, ok := f.Right.(*sql.TableRef)
		if !ok || len(tr.Name) != 1 {
			return nil, errAt(f.Right.Position(), "the right side of a JOIN must be a reference table")
		}
		ref, ok := c.refs[tr.Name[0].Name]
		if !ok {
			if _, isStream := c.p.byName[tr.Name[0].Name]; isStream {
				return nil, errAt(tr.Pos, "joining two streams is not supported: the right side of a JOIN must be a reference table")
			}
			return nil, errAt(tr.Pos, "unknown reference table %s", quoteIdent(tr.Name[0].Name))
		}
		quals := []string{ref.Name}
		if tr.Alias != nil {
			quals = []string{tr.Alias.Name}
		}
		jp := &joinPlan{ref: ref, leftOuter: strings.HasPrefix(f.Kind, "LEFT"), offset: plan.width}
		cols := left
		for i, rc := range ref.Columns {
			cols = append(cols, scopeCol{quals: quals, name: rc.Name, typ: rc.Type, idx: plan.width + i})
		}
		plan.width += len(ref.Columns)
		comp := &compiler{cols: cols}
		on, err := comp.expr(f.On)
		if err != nil {
			return nil, err
		}
		if on.typ.Kind != KindBool && on.typ.Kind != KindNull {
			return nil, errAt(f.On.Position(), "ON needs a BOOLEAN condition but found %s", on.typ)
		}
		jp.on = on.fn
		c.indexJoin(jp, f.On, comp, &compiler{cols: left})
		plan.joins = append(plan.joins, jp)
		return cols, nil
	}
	return nil, errAt(f.Position(), "unsupported FROM item")
}

// indexJoin looks for ON x = table.col with x over the left side only, and indexes the
// table's rows by col.
func (c *programCompiler) indexJoin(jp *joinPlan, on sql.Expr, all, left *compiler) {
	b, ok := on.(*sql.Binary)
	if !ok || b.Op != "=" {
		return
	}
	for _, sides := range [][2]sql.Expr{{b.L, b.R}, {b.R, b.L}} {
		cr, ok := sides[1].(*sql.ColumnRef)
		if !ok {
			continue
		}
		sc, err := all.resolve(cr)
		if err != nil || sc.idx < jp.offset {
			continue
		}
		x, err := left.expr(sides[0])
		if err != nil || x.typ.Kind != sc.typ.Kind || x.typ.Kind == KindDecimal || x.typ.Kind == KindFloat {
			continue
		}
		col := sc.idx - jp.offset
		jp.index = map[Value][]int{}
		for i, r := range jp.ref.Rows {
			if col < len(r) && r[col].Kind != KindNull {
				k := r[col]
				if k.Kind == KindString && sc.typ.Name == "CHAR" {
					continue // padded values compare differently; no index
				}
				jp.index[k] = append(jp.index[k], i)
			}
		}
		jp.probe = x.fn
		return
	}
}

func streamScope(cols []Column, quals []string, input bool) []scopeCol {
	var out []scopeCol
	for i, c := range cols {
		out = append(out, scopeCol{quals: quals, name: c.Name, typ: c.Type, idx: i})
	}
	out = append(out, scopeCol{quals: quals, name: "ROWTIME", typ: TypeTimestamp, idx: -1, hidden: true})
	if input {
		out = append(out, scopeCol{quals: quals, name: "APPROXIMATE_ARRIVAL_TIME", typ: TypeTimestamp, idx: len(cols), hidden: true})
	}
	return out
}

// children lists the direct subexpressions of e (not those of nested queries).
func children(e sql.Expr) []sql.Expr {
	switch e := e.(type) {
	case *sql.Unary:
		return []sql.Expr{e.X}
	case *sql.Binary:
		return []sql.Expr{e.L, e.R}
	case *sql.Is:
		return []sql.Expr{e.X}
	case *sql.Between:
		return []sql.Expr{e.X, e.Lo, e.Hi}
	case *sql.In:
		return append([]sql.Expr{e.X}, e.List...)
	case *sql.Like:
		return []sql.Expr{e.X, e.Pattern, e.Escape}
	case *sql.Case:
		out := []sql.Expr{e.Operand, e.Else}
		for _, w := range e.Whens {
			out = append(out, w.Cond, w.Result)
		}
		return out
	case *sql.Cast:
		return []sql.Expr{e.X}
	case *sql.FloorCeil:
		return []sql.Expr{e.X}
	case *sql.Step:
		return []sql.Expr{e.X, e.By}
	case *sql.Substring:
		return []sql.Expr{e.X, e.From, e.For}
	case *sql.Position:
		return []sql.Expr{e.Sub, e.X}
	case *sql.Trim:
		return []sql.Expr{e.Chars, e.X}
	case *sql.Extract:
		return []sql.Expr{e.X}
	case *sql.FuncCall:
		return e.Args
	}
	return nil
}

// findAggs reports whether e contains aggregates without OVER (plain) and with OVER.
func findAggs(e sql.Expr) (plain, over bool) {
	if e == nil {
		return false, false
	}
	if f, ok := e.(*sql.FuncCall); ok && !f.Name.Quoted && aggregateNames[f.Name.Name] {
		if f.Over != nil || f.OverName != nil {
			over = true
		} else {
			plain = true
		}
	}
	for _, ch := range children(e) {
		if ch == nil {
			continue
		}
		p, o := findAggs(ch)
		plain, over = plain || p, over || o
	}
	return plain, over
}

func firstAgg(q *sql.Select) (sql.Expr, sql.Pos) {
	var found sql.Expr
	var walk func(e sql.Expr)
	walk = func(e sql.Expr) {
		if e == nil || found != nil {
			return
		}
		if f, ok := e.(*sql.FuncCall); ok && aggregateNames[f.Name.Name] && !f.Name.Quoted {
			found = e
			return
		}
		for _, ch := range children(e) {
			walk(ch)
		}
	}
	for _, it := range q.Items {
		walk(it.Expr)
	}
	if found == nil {
		return nil, q.Pos
	}
	return found, found.Position()
}
