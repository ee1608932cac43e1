package sql

import (
	"fmt"
	"strconv"
)

// maxDepth bounds the nesting of expressions and queries so that no input overflows the stack.
const maxDepth = 200

// reserved are the words that cannot be unquoted identifiers or implicit aliases: the
// keywords the grammar below needs to tell clauses apart.
var reserved = map[string]bool{
	"ALL": true, "AND": true, "ASC": true, "DESC": true, "AS": true, "BETWEEN": true, "BY": true, "CASE": true,
	"CAST": true, "CREATE": true, "CROSS": true, "CURSOR": true, "DATE": true, "DISTINCT": true,
	"ELSE": true, "END": true, "ESCAPE": true, "FALSE": true, "FOR": true, "FROM": true,
	"FULL": true, "GROUP": true, "HAVING": true, "IN": true, "INNER": true, "INSERT": true,
	"INTERVAL": true, "INTO": true, "IS": true, "JOIN": true, "LEFT": true, "LIKE": true,
	"NATURAL": true, "NOT": true, "NULL": true, "ON": true, "OR": true, "ORDER": true,
	"OUTER": true, "OVER": true, "PARTITION": true, "RIGHT": true, "SELECT": true,
	"SIMILAR": true, "STREAM": true, "TABLE": true, "THEN": true, "TIME": true,
	"TIMESTAMP": true, "TRUE": true, "UNION": true, "UNKNOWN": true, "VALUES": true,
	"WHEN": true, "WHERE": true, "WINDOW": true, "WINDOWED": true,
}

var niladic = map[string]bool{
	"CURRENT_ROW_TIMESTAMP": true, "CURRENT_TIMESTAMP": true, "CURRENT_DATE": true,
	"CURRENT_TIME": true, "LOCALTIME": true, "LOCALTIMESTAMP": true,
}

var timeUnits = map[string]bool{
	"YEAR": true, "MONTH": true, "DAY": true, "HOUR": true, "MINUTE": true, "SECOND": true,
}

// Parse parses an application's code: statements separated by ";" (the last ";" optional).
func Parse(src string) (prog *Program, err error) {
	p, err := newParser(src)
	if err != nil {
		return nil, err
	}
	defer p.recover(&err)
	prog = &Program{}
	for {
		for p.isPunct(";") {
			p.next()
		}
		if p.tok().kind == tEOF {
			return prog, nil
		}
		prog.Statements = append(prog.Statements, p.statement())
		if p.tok().kind != tEOF {
			p.expectPunct(";")
		}
	}
}

// ParseQuery parses one SELECT query, optionally followed by ";".
func ParseQuery(src string) (q *Select, err error) {
	p, err := newParser(src)
	if err != nil {
		return nil, err
	}
	defer p.recover(&err)
	q = p.query()
	if p.isPunct(";") {
		p.next()
	}
	p.expectEOF()
	return q, nil
}

type parser struct {
	toks  []token
	i     int
	depth int
}

func newParser(src string) (*parser, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	return &parser{toks: toks}, nil
}

// failure carries an *Error up the recursion; only the parser panics with it.
type failure struct{ err *Error }

func (p *parser) recover(err *error) {
	if r := recover(); r != nil {
		f, ok := r.(failure)
		if !ok {
			panic(r)
		}
		*err = f.err
	}
}

func (p *parser) failAt(t token, format string, args ...any) {
	panic(failure{&Error{t.pos.Line, t.pos.Column, fmt.Sprintf(format, args...)}})
}

func (p *parser) expected(what string) {
	t := p.tok()
	p.failAt(t, "expected %s but found %s", what, t.describe())
}

func (p *parser) tok() token  { return p.toks[p.i] }
func (p *parser) peek() token { return p.toks[min(p.i+1, len(p.toks)-1)] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if p.i < len(p.toks)-1 {
		p.i++
	}
	return t
}

func (p *parser) enter() {
	p.depth++
	if p.depth > maxDepth {
		p.failAt(p.tok(), "nested too deeply (more than %d levels)", maxDepth)
	}
}

func (p *parser) leave() { p.depth-- }

func (p *parser) isKw(kw string) bool {
	t := p.tok()
	return t.kind == tIdent && t.val == kw
}

func (p *parser) isPunct(s string) bool {
	t := p.tok()
	return t.kind == tPunct && t.val == s
}

func (p *parser) acceptKw(kw string) bool {
	if p.isKw(kw) {
		p.next()
		return true
	}
	return false
}

func (p *parser) acceptPunct(s string) bool {
	if p.isPunct(s) {
		p.next()
		return true
	}
	return false
}

func (p *parser) expectKw(kw string) token {
	if !p.isKw(kw) {
		p.expected(kw)
	}
	return p.next()
}

func (p *parser) expectPunct(s string) token {
	if !p.isPunct(s) {
		p.expected(strconv.Quote(s))
	}
	return p.next()
}

func (p *parser) expectEOF() {
	if p.tok().kind != tEOF {
		p.expected("end of input")
	}
}

// ident reads an identifier: quoted, or unquoted and not reserved.
func (p *parser) ident(what string) Ident {
	t := p.tok()
	switch {
	case t.kind == tQIdent:
		p.next()
		return Ident{Pos: t.pos, Name: t.val, Quoted: true}
	case t.kind == tIdent && !reserved[t.val]:
		p.next()
		return Ident{Pos: t.pos, Name: t.val}
	}
	p.expected(what)
	return Ident{}
}

func (p *parser) isIdent() bool {
	t := p.tok()
	return t.kind == tQIdent || (t.kind == tIdent && !reserved[t.val])
}

func (p *parser) statement() Statement {
	t := p.tok()
	switch {
	case p.isKw("CREATE"):
		p.next()
		orReplace := false
		if p.acceptKw("OR") {
			p.expectKw("REPLACE")
			orReplace = true
		}
		switch {
		case p.acceptKw("STREAM"):
			return p.createStream(t.pos, orReplace)
		case p.acceptKw("PUMP"):
			name := p.ident("pump name")
			p.expectKw("AS")
			return &CreatePump{Pos: t.pos, OrReplace: orReplace, Name: name, Insert: p.insert()}
		}
		p.expected("STREAM or PUMP")
	case p.isKw("INSERT"):
		return p.insert()
	case p.isKw("SELECT"):
		return p.query()
	}
	p.expected("CREATE, INSERT or SELECT")
	return nil
}

func (p *parser) createStream(pos Pos, orReplace bool) *CreateStream {
	s := &CreateStream{Pos: pos, OrReplace: orReplace, Name: p.ident("stream name")}
	p.expectPunct("(")
	for {
		c := ColumnDef{Pos: p.tok().pos, Name: p.ident("column name")}
		c.Type = p.dataType()
		s.Columns = append(s.Columns, c)
		if !p.acceptPunct(",") {
			break
		}
	}
	p.expectPunct(")")
	if p.acceptKw("DESCRIPTION") {
		t := p.tok()
		if t.kind != tString {
			p.expected("a string literal")
		}
		p.next()
		d := t.val
		s.Description = &d
	}
	return s
}

// typeParams: how many parenthesized integers each type takes (min, max).
var typeParams = map[string][2]int{
	"VARCHAR": {1, 1}, "CHAR": {0, 1}, "BINARY": {0, 1}, "VARBINARY": {1, 1},
	"DECIMAL": {0, 2}, "INTEGER": {0, 0}, "BIGINT": {0, 0}, "SMALLINT": {0, 0},
	"TINYINT": {0, 0}, "DOUBLE": {0, 0}, "REAL": {0, 0}, "FLOAT": {0, 0},
	"BOOLEAN": {0, 0}, "TIMESTAMP": {0, 0}, "DATE": {0, 0}, "TIME": {0, 0},
}

func (p *parser) dataType() Type {
	t := p.tok()
	if t.kind != tIdent {
		p.expected("a data type")
	}
	name := t.val
	p.next()
	switch name {
	case "INT":
		name = "INTEGER"
	case "NUMERIC", "DEC":
		name = "DECIMAL"
	case "CHARACTER":
		name = "CHAR"
		if p.acceptKw("VARYING") {
			name = "VARCHAR"
		}
	case "DOUBLE":
		p.acceptKw("PRECISION")
	}
	lim, ok := typeParams[name]
	if !ok {
		p.failAt(t, "expected a data type but found %s", t.describe())
	}
	ty := Type{Pos: t.pos, Name: name}
	if p.isPunct("(") && lim[1] > 0 {
		p.next()
		for {
			n := p.tok()
			v, err := strconv.Atoi(n.val)
			if n.kind != tNumber || err != nil || v < 0 || v > 1<<30 {
				p.expected("an integer")
			}
			p.next()
			ty.Params = append(ty.Params, v)
			if len(ty.Params) == lim[1] || !p.acceptPunct(",") {
				break
			}
		}
		p.expectPunct(")")
	}
	if len(ty.Params) < lim[0] {
		p.expected(fmt.Sprintf(`"(" after %s`, name))
	}
	return ty
}

func (p *parser) insert() *Insert {
	t := p.expectKw("INSERT")
	p.expectKw("INTO")
	ins := &Insert{Pos: t.pos, Into: p.ident("stream name")}
	if p.acceptPunct("(") {
		for {
			ins.Columns = append(ins.Columns, p.ident("column name"))
			if !p.acceptPunct(",") {
				break
			}
		}
		p.expectPunct(")")
	}
	ins.Query = p.query()
	return ins
}

// query parses a select { UNION ALL select } [ORDER BY items]. UNION without ALL is a
// parse error: UNION ALL is the only set operator that applies to streams (sqlref Query).
func (p *parser) query() *Select {
	p.enter()
	defer p.leave()
	s := p.selectCore()
	for p.acceptKw("UNION") {
		p.expectKw("ALL")
		s.UnionAll = append(s.UnionAll, p.selectCore())
	}
	if p.acceptKw("ORDER") {
		p.expectKw("BY")
		for {
			o := OrderItem{Pos: p.tok().pos, Expr: p.expr()}
			if p.isKw("ASC") || p.isKw("DESC") {
				o.Dir = p.next().val
			}
			s.OrderBy = append(s.OrderBy, o)
			if !p.acceptPunct(",") {
				break
			}
		}
	}
	return s
}

// selectCore parses SELECT [STREAM] [DISTINCT|ALL] items FROM from [WHERE e] [GROUP BY es]
// [HAVING e] [WINDOW defs] [WINDOWED BY STAGGER (spec) [HAVING e]].
func (p *parser) selectCore() *Select {
	t := p.expectKw("SELECT")
	s := &Select{Pos: t.pos}
	s.Stream = p.acceptKw("STREAM")
	if p.acceptKw("DISTINCT") {
		s.Distinct = true
	} else {
		p.acceptKw("ALL")
	}
	for {
		s.Items = append(s.Items, p.selectItem())
		if !p.acceptPunct(",") {
			break
		}
	}
	p.expectKw("FROM")
	s.From = p.fromClause()
	if p.acceptKw("WHERE") {
		s.Where = p.expr()
	}
	if p.acceptKw("GROUP") {
		p.expectKw("BY")
		s.GroupBy = p.exprs()
	}
	if p.acceptKw("HAVING") {
		s.Having = p.expr()
	}
	if p.acceptKw("WINDOW") {
		for {
			d := WindowDef{Pos: p.tok().pos, Name: p.ident("window name")}
			p.expectKw("AS")
			p.expectPunct("(")
			d.Spec = p.windowSpec(false)
			p.expectPunct(")")
			s.Windows = append(s.Windows, d)
			if !p.acceptPunct(",") {
				break
			}
		}
	}
	if p.acceptKw("WINDOWED") {
		p.expectKw("BY")
		p.expectKw("STAGGER")
		p.expectPunct("(")
		s.Stagger = p.windowSpec(true)
		p.expectPunct(")")
		// The developer guide (Stagger Windows) writes HAVING after this clause; it is
		// accepted here too, once per query.
		if s.Having == nil && p.acceptKw("HAVING") {
			s.Having = p.expr()
		}
	}
	return s
}

func (p *parser) selectItem() SelectItem {
	t := p.tok()
	it := SelectItem{Pos: t.pos}
	if p.isPunct("*") {
		p.next()
		it.Expr = &Star{Pos: t.pos}
		return it
	}
	// qualifier.* : identifiers separated by dots ending in .*
	j := p.i
	for {
		tk := p.toks[j]
		if !(tk.kind == tQIdent || (tk.kind == tIdent && !reserved[tk.val])) {
			break
		}
		if p.toks[j+1].kind != tPunct || p.toks[j+1].val != "." {
			break
		}
		if nx := p.toks[j+2]; nx.kind == tPunct && nx.val == "*" {
			st := &Star{Pos: t.pos}
			for p.i <= j {
				st.Qualifier = append(st.Qualifier, p.ident("identifier"))
				p.next() // the dot
			}
			p.next() // the star
			it.Expr = st
			return it
		}
		j += 2
	}
	it.Expr = p.expr()
	it.Alias = p.alias()
	return it
}

func (p *parser) alias() *Ident {
	if p.acceptKw("AS") {
		a := p.ident("alias")
		return &a
	}
	if p.isIdent() {
		a := p.ident("alias")
		return &a
	}
	return nil
}

func (p *parser) fromClause() FromItem {
	left := p.fromPrimary()
	for {
		kind := ""
		switch {
		case p.isKw("JOIN"):
			p.next()
			kind = "JOIN"
		case p.isKw("INNER"):
			p.next()
			p.expectKw("JOIN")
			kind = "INNER JOIN"
		case p.isKw("LEFT"), p.isKw("RIGHT"), p.isKw("FULL"):
			kind = p.next().val
			if p.acceptKw("OUTER") {
				kind += " OUTER"
			}
			p.expectKw("JOIN")
			kind += " JOIN"
		case p.isKw("CROSS"):
			p.next()
			p.expectKw("JOIN")
			left = &Join{Pos: left.Position(), Kind: "CROSS JOIN", Left: left, Right: p.fromPrimary()}
			continue
		default:
			return left
		}
		right := p.fromPrimary()
		p.expectKw("ON")
		left = &Join{Pos: left.Position(), Kind: kind, Left: left, Right: right, On: p.expr()}
	}
}

func (p *parser) fromPrimary() FromItem {
	t := p.tok()
	switch {
	case p.isPunct("("):
		p.next()
		if !p.isKw("SELECT") {
			p.expected("SELECT")
		}
		q := p.query()
		p.expectPunct(")")
		return &SubqueryRef{Pos: t.pos, Query: q, Alias: p.alias()}
	case p.isKw("TABLE"):
		p.next()
		p.expectPunct("(")
		ft := p.tok()
		name := p.ident("table function name")
		if !p.isPunct("(") {
			p.expected(`"("`)
		}
		call, ok := p.call(ft.pos, name).(*FuncCall)
		if !ok {
			p.failAt(ft, "expected a table function but found %s", ft.describe())
		}
		p.expectPunct(")")
		return &TableFunc{Pos: t.pos, Call: call, Alias: p.alias()}
	}
	r := &TableRef{Pos: t.pos}
	r.Name = append(r.Name, p.ident("stream name"))
	for p.isPunct(".") {
		p.next()
		r.Name = append(r.Name, p.ident("identifier"))
	}
	if p.acceptKw("OVER") {
		if p.acceptPunct("(") {
			r.Over = p.windowSpec(false)
			p.expectPunct(")")
		} else {
			n := p.ident(`window name or "("`)
			r.OverName = &n
		}
	}
	r.Alias = p.alias()
	return r
}

// windowSpec parses [PARTITION BY exprs] [(ROWS|RANGE) (bound | BETWEEN bound AND bound)].
// For a stagger window (stagger true) the spec is PARTITION BY exprs RANGE interval, with no
// direction word (dev guide, Stagger Windows).
func (p *parser) windowSpec(stagger bool) *WindowSpec {
	w := &WindowSpec{Pos: p.tok().pos}
	if p.acceptKw("PARTITION") {
		p.expectKw("BY")
		w.PartitionBy = p.exprs()
	}
	if stagger {
		if w.PartitionBy == nil {
			p.expected("PARTITION BY")
		}
		p.expectKw("RANGE")
		w.Frame = "RANGE"
		w.Start = &WindowBound{Pos: p.tok().pos, Interval: p.interval()}
		return w
	}
	switch {
	case p.isKw("ROWS"), p.isKw("RANGE"):
		w.Frame = p.next().val
	default:
		if w.PartitionBy == nil {
			p.expected("PARTITION BY, ROWS or RANGE")
		}
		return w
	}
	if p.acceptKw("BETWEEN") {
		w.Start = p.windowBound(w.Frame)
		p.expectKw("AND")
		w.End = p.windowBound(w.Frame)
		return w
	}
	w.Start = p.windowBound(w.Frame)
	return w
}

// windowBound parses CURRENT ROW | UNBOUNDED dir | n dir (ROWS) | interval dir (RANGE).
func (p *parser) windowBound(frame string) *WindowBound {
	b := &WindowBound{Pos: p.tok().pos}
	switch {
	case p.acceptKw("CURRENT"):
		p.expectKw("ROW")
		b.CurrentRow = true
		return b
	case p.acceptKw("UNBOUNDED"):
		b.Unbounded = true
	case frame == "ROWS":
		n := p.tok()
		if _, err := strconv.Atoi(n.val); n.kind != tNumber || err != nil {
			p.expected("a number of rows")
		}
		p.next()
		b.Rows = &NumberLit{Pos: n.pos, Text: n.val}
	default:
		b.Interval = p.interval()
	}
	switch {
	case p.isKw("PRECEDING"), p.isKw("FOLLOWING"):
		b.Dir = p.next().val
	default:
		p.expected("PRECEDING or FOLLOWING")
	}
	return b
}

func (p *parser) interval() *IntervalLit {
	t := p.expectKw("INTERVAL")
	iv := &IntervalLit{Pos: t.pos}
	if p.acceptPunct("-") {
		iv.Negative = true
	}
	v := p.tok()
	if v.kind != tString {
		p.expected("an interval string such as '1'")
	}
	p.next()
	iv.Value = v.val
	iv.Unit = p.timeUnit()
	if p.acceptKw("TO") {
		iv.ToUnit = p.timeUnit()
	}
	return iv
}

func (p *parser) timeUnit() string {
	t := p.tok()
	if t.kind != tIdent || !timeUnits[t.val] {
		p.expected("YEAR, MONTH, DAY, HOUR, MINUTE or SECOND")
	}
	p.next()
	return t.val
}

func (p *parser) exprs() []Expr {
	var es []Expr
	for {
		es = append(es, p.expr())
		if !p.acceptPunct(",") {
			return es
		}
	}
}

// Precedence, lowest first: OR; AND; NOT; comparison, IS, BETWEEN, IN, LIKE, SIMILAR TO;
// ||; + -; * /; unary + -.
func (p *parser) expr() Expr {
	p.enter()
	defer p.leave()
	l := p.and()
	for p.isKw("OR") {
		p.next()
		l = &Binary{Pos: l.Position(), Op: "OR", L: l, R: p.and()}
	}
	return l
}

func (p *parser) and() Expr {
	l := p.not()
	for p.isKw("AND") {
		p.next()
		l = &Binary{Pos: l.Position(), Op: "AND", L: l, R: p.not()}
	}
	return l
}

func (p *parser) not() Expr {
	if p.isKw("NOT") {
		p.enter()
		defer p.leave()
		t := p.next()
		return &Unary{Pos: t.pos, Op: "NOT", X: p.not()}
	}
	return p.comparison()
}

func (p *parser) comparison() Expr {
	l := p.concat()
	for {
		t := p.tok()
		if t.kind == tPunct {
			switch t.val {
			case "=", "<>", "!=", "<", "<=", ">", ">=":
				p.next()
				l = &Binary{Pos: l.Position(), Op: t.val, L: l, R: p.concat()}
				continue
			}
			return l
		}
		if t.kind != tIdent {
			return l
		}
		if t.val == "IS" {
			p.next()
			is := &Is{Pos: l.Position(), X: l, Not: p.acceptKw("NOT")}
			w := p.tok()
			switch {
			case p.isKw("NULL"), p.isKw("TRUE"), p.isKw("FALSE"), p.isKw("UNKNOWN"):
				is.What = w.val
				p.next()
			default:
				p.expected("NULL, TRUE, FALSE or UNKNOWN")
			}
			l = is
			continue
		}
		not := false
		if t.val == "NOT" {
			switch nx := p.peek(); {
			case nx.kind == tIdent && (nx.val == "BETWEEN" || nx.val == "IN" || nx.val == "LIKE" || nx.val == "SIMILAR"):
				p.next()
				not = true
			default:
				return l
			}
		}
		op := p.tok()
		switch op.val {
		case "BETWEEN":
			p.next()
			lo := p.concat()
			p.expectKw("AND")
			l = &Between{Pos: l.Position(), X: l, Not: not, Lo: lo, Hi: p.concat()}
		case "IN":
			p.next()
			p.expectPunct("(")
			in := &In{Pos: l.Position(), X: l, Not: not, List: p.exprs()}
			p.expectPunct(")")
			l = in
		case "LIKE", "SIMILAR":
			p.next()
			lk := &Like{Pos: l.Position(), X: l, Not: not}
			if op.val == "SIMILAR" {
				p.expectKw("TO")
				lk.Similar = true
			}
			lk.Pattern = p.concat()
			if p.acceptKw("ESCAPE") {
				lk.Escape = p.concat()
			}
			l = lk
		default:
			return l
		}
	}
}

func (p *parser) concat() Expr {
	l := p.additive()
	for p.isPunct("||") {
		p.next()
		l = &Binary{Pos: l.Position(), Op: "||", L: l, R: p.additive()}
	}
	return l
}

func (p *parser) additive() Expr {
	l := p.multiplicative()
	for p.isPunct("+") || p.isPunct("-") {
		op := p.next().val
		l = &Binary{Pos: l.Position(), Op: op, L: l, R: p.multiplicative()}
	}
	return l
}

func (p *parser) multiplicative() Expr {
	l := p.unary()
	for p.isPunct("*") || p.isPunct("/") {
		op := p.next().val
		l = &Binary{Pos: l.Position(), Op: op, L: l, R: p.unary()}
	}
	return l
}

func (p *parser) unary() Expr {
	if p.isPunct("-") || p.isPunct("+") {
		p.enter()
		defer p.leave()
		t := p.next()
		return &Unary{Pos: t.pos, Op: t.val, X: p.unary()}
	}
	return p.primary()
}

func (p *parser) primary() Expr {
	t := p.tok()
	switch t.kind {
	case tNumber:
		p.next()
		return &NumberLit{Pos: t.pos, Text: t.val}
	case tString:
		p.next()
		return &StringLit{Pos: t.pos, Value: t.val}
	case tQIdent:
		return p.nameExpr()
	case tPunct:
		if t.val == "(" {
			p.next()
			e := p.expr()
			p.expectPunct(")")
			return e
		}
	case tIdent:
		switch t.val {
		case "NULL":
			p.next()
			return &NullLit{Pos: t.pos}
		case "TRUE", "FALSE", "UNKNOWN":
			p.next()
			return &BoolLit{Pos: t.pos, Value: t.val}
		case "TIMESTAMP", "DATE", "TIME":
			p.next()
			v := p.tok()
			if v.kind != tString {
				p.expected("a string literal after " + t.val)
			}
			p.next()
			return &DateTimeLit{Pos: t.pos, Kind: t.val, Value: v.val}
		case "INTERVAL":
			return p.interval()
		case "CASE":
			return p.caseExpr()
		case "CAST":
			p.next()
			p.expectPunct("(")
			x := p.expr()
			p.expectKw("AS")
			ty := p.dataType()
			p.expectPunct(")")
			return &Cast{Pos: t.pos, X: x, Type: ty}
		case "CURSOR":
			p.next()
			p.expectPunct("(")
			if !p.isKw("SELECT") {
				p.expected("SELECT")
			}
			q := p.query()
			p.expectPunct(")")
			return &Cursor{Pos: t.pos, Query: q}
		}
		if niladic[t.val] && !(p.peek().kind == tPunct && p.peek().val == "(") {
			p.next()
			return &Niladic{Pos: t.pos, Name: t.val}
		}
		if !reserved[t.val] {
			return p.nameExpr()
		}
	}
	p.expected("an expression")
	return nil
}

func (p *parser) caseExpr() Expr {
	t := p.expectKw("CASE")
	c := &Case{Pos: t.pos}
	if !p.isKw("WHEN") {
		c.Operand = p.expr()
	}
	for p.isKw("WHEN") {
		w := p.next()
		cond := p.expr()
		p.expectKw("THEN")
		c.Whens = append(c.Whens, When{Pos: w.pos, Cond: cond, Result: p.expr()})
	}
	if len(c.Whens) == 0 {
		p.expected("WHEN")
	}
	if p.acceptKw("ELSE") {
		c.Else = p.expr()
	}
	p.expectKw("END")
	return c
}

// nameExpr parses a column reference or a function call.
func (p *parser) nameExpr() Expr {
	t := p.tok()
	name := p.ident("identifier")
	if p.isPunct("(") {
		return p.call(t.pos, name)
	}
	c := &ColumnRef{Pos: t.pos, Parts: []Ident{name}}
	for p.isPunct(".") {
		p.next()
		c.Parts = append(c.Parts, p.ident("identifier"))
	}
	return c
}

// call parses the parenthesized arguments of name, the special forms (FLOOR/CEIL ... TO,
// STEP ... BY, SUBSTRING ... FROM, POSITION ... IN, TRIM ... FROM, EXTRACT ... FROM) and an
// OVER clause.
func (p *parser) call(pos Pos, name Ident) Expr {
	p.enter()
	defer p.leave()
	p.expectPunct("(")
	fn := ""
	if !name.Quoted {
		fn = name.Name
	}
	switch fn {
	case "EXTRACT":
		unit := p.timeUnit()
		p.expectKw("FROM")
		x := p.expr()
		p.expectPunct(")")
		return &Extract{Pos: pos, Unit: unit, X: x}
	case "POSITION":
		sub := p.concat()
		p.expectKw("IN")
		x := p.expr()
		p.expectPunct(")")
		return &Position{Pos: pos, Sub: sub, X: x}
	case "TRIM":
		tr := &Trim{Pos: pos}
		if p.isKw("BOTH") || p.isKw("LEADING") || p.isKw("TRAILING") {
			tr.Where = p.next().val
			tr.From = true
		}
		if !p.isKw("FROM") {
			e := p.expr()
			if tr.Where == "" && !p.isKw("FROM") {
				tr.X = e
				p.expectPunct(")")
				return tr
			}
			tr.Chars = e
		}
		p.expectKw("FROM")
		tr.From = true
		tr.X = p.expr()
		p.expectPunct(")")
		return tr
	}
	f := &FuncCall{Pos: pos, Name: name}
	if fn == "COUNT" && p.isPunct("*") {
		st := p.next()
		f.Args = []Expr{&Star{Pos: st.pos}}
		p.expectPunct(")")
		return p.over(f)
	}
	if p.acceptKw("DISTINCT") {
		f.Distinct = true
	} else if p.acceptKw("ALL") {
		f.All = true
	}
	if p.isPunct(")") && !f.Distinct && !f.All {
		p.next()
		return p.over(f)
	}
	first := p.expr()
	switch {
	case (fn == "FLOOR" || fn == "CEIL" || fn == "CEILING") && !f.Distinct && !f.All && p.acceptKw("TO"):
		unit := p.timeUnit()
		p.expectPunct(")")
		if fn == "CEILING" {
			fn = "CEIL"
		}
		return &FloorCeil{Pos: pos, Fn: fn, X: first, Unit: unit}
	case fn == "STEP" && !f.Distinct && !f.All:
		p.expectKw("BY")
		by := p.expr()
		p.expectPunct(")")
		return &Step{Pos: pos, X: first, By: by}
	case fn == "SUBSTRING" && !f.Distinct && !f.All && p.acceptKw("FROM"):
		s := &Substring{Pos: pos, X: first, From: p.expr()}
		if p.acceptKw("FOR") {
			s.For = p.expr()
		}
		p.expectPunct(")")
		return s
	}
	f.Args = append(f.Args, first)
	for p.acceptPunct(",") {
		f.Args = append(f.Args, p.expr())
	}
	p.expectPunct(")")
	return p.over(f)
}

func (p *parser) over(f *FuncCall) Expr {
	if !p.acceptKw("OVER") {
		return f
	}
	if p.acceptPunct("(") {
		f.Over = p.windowSpec(false)
		p.expectPunct(")")
		return f
	}
	n := p.ident("window name or \"(\"")
	f.OverName = &n
	return f
}
