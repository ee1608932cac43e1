package expr

import (
	"strconv"
	"strings"

	"github.com/eddy-streams/eddy/dynamo/attr"
)

// PathElem is one step of a document path: a map key (the attribute name,
// for the first step) or, when IsIndex, a list index.
type PathElem struct {
	Name    string
	Index   int
	IsIndex bool
}

// Path is a document path such as a.b[2].c, with expression attribute
// names resolved: the path #n[2] with #n = "my.attr" is the attribute
// "my.attr", element 2. A path starts with a name.
type Path []PathElem

// String renders the path as DynamoDB does in messages: "[a, b, [2], c]".
func (p Path) String() string {
	var b strings.Builder
	b.WriteByte('[')
	for i, e := range p {
		if i > 0 {
			b.WriteString(", ")
		}
		if e.IsIndex {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(e.Index))
			b.WriteByte(']')
		} else {
			b.WriteString(e.Name)
		}
	}
	b.WriteByte(']')
	return b.String()
}

// Resolve returns the value at the path in item, and whether there is one:
// every step must exist, a name step in a map and an index step in a list.
func (p Path) Resolve(item attr.Item) (attr.Value, bool) {
	if len(p) == 0 || p[0].IsIndex {
		return attr.Value{}, false
	}
	v, ok := item[p[0].Name]
	if !ok {
		return attr.Value{}, false
	}
	for _, e := range p[1:] {
		if e.IsIndex {
			if v.L == nil || e.Index >= len(v.L) {
				return attr.Value{}, false
			}
			v = v.L[e.Index]
			continue
		}
		if v.M == nil {
			return attr.Value{}, false
		}
		if v, ok = v.M[e.Name]; !ok {
			return attr.Value{}, false
		}
	}
	return v, true
}

func (p Path) equal(q Path) bool {
	if len(p) != len(q) {
		return false
	}
	for i := range p {
		if p[i] != q[i] {
			return false
		}
	}
	return true
}

// The abstract syntax tree. Operands are document paths, :value literals,
// function calls, parenthesised operands and (in update expressions)
// additions and subtractions; conditions combine comparisons, BETWEEN, IN
// and boolean functions with AND, OR, NOT and parentheses. Nodes keep the
// source text of their tokens so that String reproduces an expression that
// parses back to the same tree.

type operand interface{ writeTo(b *strings.Builder) }

// pathOp is a document path operand.
type pathOp struct {
	path Path
	src  []pathSrc // one per element; empty for paths built from legacy parameters
}

// pathSrc is the source token of one path element.
type pathSrc struct {
	kind tokKind // tIdent, tName or tIndex
	text string
	tok  int // token index
}

// valueOp is a :value operand.
type valueOp struct {
	ref string // ":v"; empty for values from legacy parameters
	val attr.Value
	tok int
}

// funcOp is a function call: size(a), if_not_exists(a, :v), ...
type funcOp struct {
	name string
	args []operand
	tok  int // index of the name token
}

// parenOp is a parenthesised operand.
type parenOp struct{ inner operand }

// arithOp is an update expression's a + b or a - b.
type arithOp struct {
	op   tokKind // tPlus or tMinus
	l, r operand
}

type cond interface{ writeTo(b *strings.Builder) }

type andCond struct{ l, r cond }
type orCond struct{ l, r cond }
type notCond struct{ c cond }
type groupCond struct{ c cond }

// cmpCond is a comparison: op is one of tEQ, tNE, tLT, tLE, tGT, tGE.
type cmpCond struct {
	op   tokKind
	l, r operand
}
type betweenCond struct{ x, lo, hi operand }
type inCond struct {
	x    operand
	list []operand
}

// funcCond is a function used as a condition: attribute_exists(a), ...
type funcCond struct{ f *funcOp }

var opText = map[tokKind]string{
	tEQ: "=", tNE: "<>", tLT: "<", tLE: "<=", tGT: ">", tGE: ">=", tPlus: "+", tMinus: "-",
}

func (o *pathOp) writeTo(b *strings.Builder) {
	if len(o.src) == 0 {
		for i, e := range o.path {
			switch {
			case e.IsIndex:
				b.WriteString("[" + strconv.Itoa(e.Index) + "]")
			case i > 0:
				b.WriteString("." + e.Name)
			default:
				b.WriteString(e.Name)
			}
		}
		return
	}
	for i, s := range o.src {
		switch {
		case s.kind == tIndex:
			b.WriteString("[" + s.text + "]")
		case i > 0:
			b.WriteString("." + s.text)
		default:
			b.WriteString(s.text)
		}
	}
}

func (o *valueOp) writeTo(b *strings.Builder) {
	if o.ref != "" {
		b.WriteString(o.ref)
		return
	}
	b.WriteString(":<value>")
}

func (o *funcOp) writeTo(b *strings.Builder) {
	b.WriteString(o.name)
	b.WriteByte('(')
	for i, a := range o.args {
		if i > 0 {
			b.WriteString(", ")
		}
		a.writeTo(b)
	}
	b.WriteByte(')')
}

func (o *parenOp) writeTo(b *strings.Builder) {
	b.WriteByte('(')
	o.inner.writeTo(b)
	b.WriteByte(')')
}

func (o *arithOp) writeTo(b *strings.Builder) {
	o.l.writeTo(b)
	b.WriteString(" " + opText[o.op] + " ")
	o.r.writeTo(b)
}

func (c *andCond) writeTo(b *strings.Builder) {
	c.l.writeTo(b)
	b.WriteString(" AND ")
	c.r.writeTo(b)
}

func (c *orCond) writeTo(b *strings.Builder) {
	c.l.writeTo(b)
	b.WriteString(" OR ")
	c.r.writeTo(b)
}

func (c *notCond) writeTo(b *strings.Builder) {
	b.WriteString("NOT ")
	c.c.writeTo(b)
}

func (c *groupCond) writeTo(b *strings.Builder) {
	b.WriteByte('(')
	c.c.writeTo(b)
	b.WriteByte(')')
}

func (c *cmpCond) writeTo(b *strings.Builder) {
	c.l.writeTo(b)
	b.WriteString(" " + opText[c.op] + " ")
	c.r.writeTo(b)
}

func (c *betweenCond) writeTo(b *strings.Builder) {
	c.x.writeTo(b)
	b.WriteString(" BETWEEN ")
	c.lo.writeTo(b)
	b.WriteString(" AND ")
	c.hi.writeTo(b)
}

func (c *inCond) writeTo(b *strings.Builder) {
	c.x.writeTo(b)
	b.WriteString(" IN (")
	for i, o := range c.list {
		if i > 0 {
			b.WriteString(", ")
		}
		o.writeTo(b)
	}
	b.WriteByte(')')
}

func (c *funcCond) writeTo(b *strings.Builder) { c.f.writeTo(b) }

// unparen strips the parentheses around an operand.
func unparen(o operand) operand {
	for {
		p, ok := o.(*parenOp)
		if !ok {
			return o
		}
		o = p.inner
	}
}

// ungroup strips the parentheses around a condition.
func ungroup(c cond) cond {
	for {
		g, ok := c.(*groupCond)
		if !ok {
			return c
		}
		c = g.c
	}
}
