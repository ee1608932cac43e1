package sql

import (
	"strconv"
	"strings"
)

// The printer writes upper-case keywords, unquoted identifiers as folded, quoted identifiers
// quoted, and parentheses only where precedence needs them, so that the output parses back
// to the same tree.

func (p *Program) String() string {
	var b strings.Builder
	for _, s := range p.Statements {
		b.WriteString(s.String())
		b.WriteString(";\n")
	}
	return b.String()
}

func (id Ident) String() string {
	if !id.Quoted {
		return id.Name
	}
	return `"` + strings.ReplaceAll(id.Name, `"`, `""`) + `"`
}

func quoteString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

func joinIdents(ids []Ident) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = id.String()
	}
	return strings.Join(parts, ".")
}

func (s *CreateStream) String() string {
	var b strings.Builder
	b.WriteString("CREATE ")
	if s.OrReplace {
		b.WriteString("OR REPLACE ")
	}
	b.WriteString("STREAM " + s.Name.String() + " (")
	for i, c := range s.Columns {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c.String())
	}
	b.WriteString(")")
	if s.Description != nil {
		b.WriteString(" DESCRIPTION " + quoteString(*s.Description))
	}
	return b.String()
}

func (c ColumnDef) String() string { return c.Name.String() + " " + c.Type.String() }

func (t Type) String() string {
	if len(t.Params) == 0 {
		return t.Name
	}
	ps := make([]string, len(t.Params))
	for i, n := range t.Params {
		ps[i] = strconv.Itoa(n)
	}
	return t.Name + "(" + strings.Join(ps, ", ") + ")"
}

func (s *CreatePump) String() string {
	var b strings.Builder
	b.WriteString("CREATE ")
	if s.OrReplace {
		b.WriteString("OR REPLACE ")
	}
	b.WriteString("PUMP " + s.Name.String() + " AS " + s.Insert.String())
	return b.String()
}

func (s *Insert) String() string {
	var b strings.Builder
	b.WriteString("INSERT INTO " + s.Into.String())
	if len(s.Columns) > 0 {
		b.WriteString(" (")
		for i, c := range s.Columns {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(c.String())
		}
		b.WriteString(")")
	}
	b.WriteString(" " + s.Query.String())
	return b.String()
}

func exprList(es []Expr) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.String()
	}
	return strings.Join(parts, ", ")
}

func (s *Select) String() string {
	var b strings.Builder
	b.WriteString("SELECT ")
	if s.Stream {
		b.WriteString("STREAM ")
	}
	if s.Distinct {
		b.WriteString("DISTINCT ")
	}
	for i, it := range s.Items {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(it.String())
	}
	b.WriteString(" FROM " + s.From.String())
	if s.Where != nil {
		b.WriteString(" WHERE " + s.Where.String())
	}
	if len(s.GroupBy) > 0 {
		b.WriteString(" GROUP BY " + exprList(s.GroupBy))
	}
	if s.Having != nil {
		b.WriteString(" HAVING " + s.Having.String())
	}
	if len(s.Windows) > 0 {
		b.WriteString(" WINDOW ")
		for i, w := range s.Windows {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(w.Name.String() + " AS (" + w.Spec.String() + ")")
		}
	}
	if s.Stagger != nil {
		b.WriteString(" WINDOWED BY STAGGER (" + s.Stagger.String() + ")")
	}
	for _, u := range s.UnionAll {
		b.WriteString(" UNION ALL " + u.String())
	}
	if len(s.OrderBy) > 0 {
		b.WriteString(" ORDER BY ")
		for i, o := range s.OrderBy {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(o.String())
		}
	}
	return b.String()
}

func (it SelectItem) String() string {
	s := it.Expr.String()
	if it.Alias != nil {
		s += " AS " + it.Alias.String()
	}
	return s
}

func (o OrderItem) String() string {
	if o.Dir == "" {
		return o.Expr.String()
	}
	return o.Expr.String() + " " + o.Dir
}

func (w WindowDef) String() string { return w.Name.String() + " AS (" + w.Spec.String() + ")" }

// String prints the specification without its enclosing parentheses.
func (w *WindowSpec) String() string {
	var parts []string
	if len(w.PartitionBy) > 0 {
		parts = append(parts, "PARTITION BY "+exprList(w.PartitionBy))
	}
	if w.Frame != "" {
		f := w.Frame
		if w.End != nil {
			f += " BETWEEN " + w.Start.String() + " AND " + w.End.String()
		} else {
			f += " " + w.Start.String()
		}
		parts = append(parts, f)
	}
	return strings.Join(parts, " ")
}

func (b *WindowBound) String() string {
	var s string
	switch {
	case b.CurrentRow:
		return "CURRENT ROW"
	case b.Unbounded:
		s = "UNBOUNDED"
	case b.Rows != nil:
		s = b.Rows.String()
	case b.Interval != nil:
		s = b.Interval.String()
	}
	if b.Dir != "" {
		s += " " + b.Dir
	}
	return s
}

func alias(a *Ident) string {
	if a == nil {
		return ""
	}
	return " AS " + a.String()
}

func (t *TableRef) String() string {
	s := joinIdents(t.Name)
	if t.Over != nil {
		s += " OVER (" + t.Over.String() + ")"
	}
	if t.OverName != nil {
		s += " OVER " + t.OverName.String()
	}
	return s + alias(t.Alias)
}

func (t *SubqueryRef) String() string { return "(" + t.Query.String() + ")" + alias(t.Alias) }

func (t *TableFunc) String() string { return "TABLE(" + t.Call.String() + ")" + alias(t.Alias) }

func (j *Join) String() string {
	r := j.Right.String()
	if _, ok := j.Right.(*Join); ok {
		r = "(" + r + ")"
	}
	s := j.Left.String() + " " + j.Kind + " " + r
	if j.On != nil {
		s += " ON " + j.On.String()
	}
	return s
}

func (c *ColumnRef) String() string { return joinIdents(c.Parts) }

func (s *Star) String() string {
	if len(s.Qualifier) == 0 {
		return "*"
	}
	return joinIdents(s.Qualifier) + ".*"
}

func (n *NumberLit) String() string   { return n.Text }
func (s *StringLit) String() string   { return quoteString(s.Value) }
func (b *BoolLit) String() string     { return b.Value }
func (*NullLit) String() string       { return "NULL" }
func (d *DateTimeLit) String() string { return d.Kind + " " + quoteString(d.Value) }
func (n *Niladic) String() string     { return n.Name }

func (i *IntervalLit) String() string {
	s := "INTERVAL "
	if i.Negative {
		s += "-"
	}
	s += quoteString(i.Value) + " " + i.Unit
	if i.ToUnit != "" {
		s += " TO " + i.ToUnit
	}
	return s
}

// Precedence levels of the printer, the parser's levels (parser.go), loosest first.
const (
	precOr = iota + 1
	precAnd
	precNot
	precCompare // = <> != < <= > >= IS BETWEEN IN LIKE SIMILAR
	precConcat
	precAdd
	precMul
	precUnary
	precPrimary
)

var binaryPrec = map[string]int{
	"OR": precOr, "AND": precAnd,
	"=": precCompare, "<>": precCompare, "!=": precCompare, "<": precCompare, "<=": precCompare,
	">": precCompare, ">=": precCompare,
	"||": precConcat, "+": precAdd, "-": precAdd, "*": precMul, "/": precMul,
}

func prec(e Expr) int {
	switch e := e.(type) {
	case *Binary:
		return binaryPrec[e.Op]
	case *Unary:
		if e.Op == "NOT" {
			return precNot
		}
		return precUnary
	case *Is, *Between, *In, *Like:
		return precCompare
	}
	return precPrimary
}

// sub prints e, in parentheses when it binds looser than min. Parentheses appear only where
// the tree needs them, so printing never nests deeper than the source did.
func sub(e Expr, min int) string {
	if prec(e) < min {
		return "(" + e.String() + ")"
	}
	return e.String()
}

func (u *Unary) String() string {
	if u.Op == "NOT" {
		return "NOT " + sub(u.X, precNot)
	}
	if x, ok := u.X.(*Unary); ok && x.Op != "NOT" {
		return u.Op + " " + x.String() // "- -1", never the comment "--1"
	}
	return u.Op + sub(u.X, precUnary)
}

// Binary operators are left-associative: the left operand may be of the same level, the right
// one must bind tighter.
func (b *Binary) String() string {
	p := binaryPrec[b.Op]
	return sub(b.L, p) + " " + b.Op + " " + sub(b.R, p+1)
}

func not(n bool) string {
	if n {
		return "NOT "
	}
	return ""
}

func (i *Is) String() string { return sub(i.X, precCompare) + " IS " + not(i.Not) + i.What }

func (b *Between) String() string {
	return sub(b.X, precCompare) + " " + not(b.Not) + "BETWEEN " + sub(b.Lo, precConcat) + " AND " + sub(b.Hi, precConcat)
}

func (i *In) String() string {
	return sub(i.X, precCompare) + " " + not(i.Not) + "IN (" + exprList(i.List) + ")"
}

func (l *Like) String() string {
	op := "LIKE"
	if l.Similar {
		op = "SIMILAR TO"
	}
	s := sub(l.X, precCompare) + " " + not(l.Not) + op + " " + sub(l.Pattern, precConcat)
	if l.Escape != nil {
		s += " ESCAPE " + sub(l.Escape, precConcat)
	}
	return s
}

func (c *Case) String() string {
	var b strings.Builder
	b.WriteString("CASE")
	if c.Operand != nil {
		b.WriteString(" " + c.Operand.String())
	}
	for _, w := range c.Whens {
		b.WriteString(" WHEN " + w.Cond.String() + " THEN " + w.Result.String())
	}
	if c.Else != nil {
		b.WriteString(" ELSE " + c.Else.String())
	}
	b.WriteString(" END")
	return b.String()
}

func (w When) String() string { return "WHEN " + w.Cond.String() + " THEN " + w.Result.String() }

func (c *Cast) String() string      { return "CAST(" + c.X.String() + " AS " + c.Type.String() + ")" }
func (f *FloorCeil) String() string { return f.Fn + "(" + f.X.String() + " TO " + f.Unit + ")" }
func (s *Step) String() string      { return "STEP(" + s.X.String() + " BY " + s.By.String() + ")" }
func (p *Position) String() string {
	return "POSITION(" + sub(p.Sub, precConcat) + " IN " + p.X.String() + ")"
}
func (e *Extract) String() string { return "EXTRACT(" + e.Unit + " FROM " + e.X.String() + ")" }
func (c *Cursor) String() string  { return "CURSOR(" + c.Query.String() + ")" }

func (s *Substring) String() string {
	r := "SUBSTRING(" + s.X.String() + " FROM " + s.From.String()
	if s.For != nil {
		r += " FOR " + s.For.String()
	}
	return r + ")"
}

func (t *Trim) String() string {
	if !t.From {
		return "TRIM(" + t.X.String() + ")"
	}
	r := "TRIM("
	if t.Where != "" {
		r += t.Where + " "
	}
	if t.Chars != nil {
		r += t.Chars.String() + " "
	}
	return r + "FROM " + t.X.String() + ")"
}

func (f *FuncCall) String() string {
	var b strings.Builder
	b.WriteString(f.Name.String() + "(")
	if f.Distinct {
		b.WriteString("DISTINCT ")
	}
	if f.All {
		b.WriteString("ALL ")
	}
	b.WriteString(exprList(f.Args) + ")")
	if f.OverName != nil {
		b.WriteString(" OVER " + f.OverName.String())
	}
	if f.Over != nil {
		b.WriteString(" OVER (" + f.Over.String() + ")")
	}
	return b.String()
}
