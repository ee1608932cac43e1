package expr

import (
	"strconv"
)

// parser is a recursive-descent parser over the token slice, following
// DynamoDB's grammar (see the package documentation). Where the grammar
// needs more than one token of lookahead (a "(" that opens a condition or an
// operand; a function call that is a condition or the left operand of a
// comparison; an update value that is an operand or an addition) it tries
// the alternatives in turn. A syntax error is reported at the furthest token
// any alternative reached, which is where DynamoDB's ANTLR parser, whose
// prediction looks ahead through all alternatives, reports it.
type parser struct {
	src  string
	toks []token
	pos  int

	far       int // furthest token index at which an alternative failed
	farParens int // token index of a committed redundant "((...))" on the path to far, or -1

	// noParensCheck turns off the redundant-parentheses check: DynamoDB
	// accepts "((#pk = :pk)) AND ((#sk = :sk))" as a KeyConditionExpression
	// (nubo-db/dynamodb-conformance tests/tier1/query/keyConditionParens).
	noParensCheck bool

	// parens records redundant parentheses found on the current parse
	// path. DynamoDB's parser throws "The expression has redundant
	// parentheses;" as soon as it closes them, once its prediction has
	// committed to the alternative; before that (while it is still
	// looking ahead) a later syntax error wins. An entry is committed when
	// it lies after, or inside the left operand of, a comparison operator
	// that has been consumed, or inside an update's value.
	parens    []parensMark
	committed int // >0 while parsing in a committed context
}

type parensMark struct {
	tok       int
	committed bool
}

func newParser(src string) *parser {
	return &parser{src: src, toks: lex(src), far: -1, farParens: -1}
}

func (p *parser) cur() token       { return p.toks[p.pos] }
func (p *parser) peek(n int) token { return p.toks[min(p.pos+n, len(p.toks)-1)] }

// fail records a failure at the current token.
func (p *parser) fail() bool {
	if p.pos > p.far {
		p.far = p.pos
		p.farParens = -1
		for _, m := range p.parens {
			if m.committed {
				p.farParens = m.tok
				break
			}
		}
	}
	return false
}

func (p *parser) expect(k tokKind) bool {
	if p.cur().kind != k {
		return p.fail()
	}
	p.pos++
	return true
}

// mark is a parse position to backtrack to.
type mark struct{ pos, parens int }

func (p *parser) save() mark { return mark{p.pos, len(p.parens)} }
func (p *parser) restore(m mark) {
	p.pos = m.pos
	p.parens = p.parens[:m.parens]
}

// redundant records redundant parentheses closed at the previous token.
func (p *parser) redundant() {
	if !p.noParensCheck {
		p.parens = append(p.parens, parensMark{tok: p.pos - 1, committed: p.committed > 0})
	}
}

// commitFrom commits every redundant-parentheses mark recorded since m.
func (p *parser) commitFrom(m mark) {
	for i := m.parens; i < len(p.parens); i++ {
		p.parens[i].committed = true
	}
}

// syntaxErr is the error of a failed parse: the redundant parentheses
// DynamoDB would have thrown on first, or the syntax error at the furthest
// failure.
func (p *parser) syntaxErr(kind string) error {
	if p.farParens >= 0 {
		return invalidExpr(kind, detail(msgRedundantParens))
	}
	return invalidExpr(kind, syntaxError(p.src, p.toks, p.far))
}

// finish checks that the whole input was read and that no redundant
// parentheses were found.
func (p *parser) finish(kind string) error {
	if p.cur().kind != tEOF {
		p.fail()
		return p.syntaxErr(kind)
	}
	if len(p.parens) > 0 {
		return invalidExpr(kind, detail(msgRedundantParens))
	}
	return nil
}

func invalidExpr(kind, msg string) error { return validation("Invalid " + kind + ": " + msg) }

// Conditions.

// condition parses a condition whose binary operators bind at least as
// tightly as minPrec: OR is 1, AND is 2, and 3 admits neither (the operand
// of NOT). Both are left-associative.
func (p *parser) condition(minPrec int) (cond, bool) {
	left, ok := p.primaryCondition()
	if !ok {
		return nil, false
	}
	for {
		switch k := p.cur().kind; {
		case k == tAnd && minPrec <= 2:
			p.pos++
			right, ok := p.condition(3)
			if !ok {
				return nil, false
			}
			left = &andCond{left, right}
		case k == tOr && minPrec <= 1:
			p.pos++
			right, ok := p.condition(2)
			if !ok {
				return nil, false
			}
			left = &orCond{left, right}
		default:
			return left, true
		}
	}
}

func (p *parser) primaryCondition() (cond, bool) {
	switch t := p.cur(); {
	case t.kind == tNot:
		p.pos++
		c, ok := p.condition(3)
		if !ok {
			return nil, false
		}
		return &notCond{c}, true
	case t.kind == tLParen:
		m := p.save()
		if c, ok := p.comparison(); ok {
			return c, true
		}
		p.restore(m)
		p.pos++
		inner, ok := p.condition(1)
		if !ok || !p.expect(tRParen) {
			return nil, false
		}
		if _, ok := inner.(*groupCond); ok {
			p.redundant()
		}
		return &groupCond{inner}, true
	case t.kind == tIdent && p.peek(1).kind == tLParen:
		m := p.save()
		if c, ok := p.comparison(); ok {
			return c, true
		}
		p.restore(m)
		f, ok := p.function()
		if !ok {
			return nil, false
		}
		return &funcCond{f}, true
	}
	return p.comparison()
}

func isComparator(k tokKind) bool { return k >= tEQ && k <= tGE }

// comparison parses operand comparator operand, operand BETWEEN operand AND
// operand, or operand IN (operand, ...).
func (p *parser) comparison() (cond, bool) {
	start := p.save()
	x, ok := p.operand()
	if !ok {
		return nil, false
	}
	op := p.cur().kind
	switch {
	case isComparator(op), op == tBetween, op == tIn:
		p.pos++
		p.commitFrom(start)
		p.committed++
		defer func() { p.committed-- }()
	default:
		return nil, p.fail()
	}
	switch op {
	case tBetween:
		lo, ok := p.operand()
		if !ok || !p.expect(tAnd) {
			return nil, false
		}
		hi, ok := p.operand()
		if !ok {
			return nil, false
		}
		return &betweenCond{x, lo, hi}, true
	case tIn:
		if !p.expect(tLParen) {
			return nil, false
		}
		list, ok := p.operandList()
		if !ok || !p.expect(tRParen) {
			return nil, false
		}
		return &inCond{x, list}, true
	}
	y, ok := p.operand()
	if !ok {
		return nil, false
	}
	return &cmpCond{op, x, y}, true
}

// operandList parses operand (, operand)*.
func (p *parser) operandList() ([]operand, bool) {
	var list []operand
	for {
		o, ok := p.operand()
		if !ok {
			return nil, false
		}
		list = append(list, o)
		if p.cur().kind != tComma {
			return list, true
		}
		p.pos++
	}
}

// Operands.

// operand parses a path, a :value, a function call or ( operand ).
func (p *parser) operand() (operand, bool) {
	switch t := p.cur(); t.kind {
	case tLParen:
		p.pos++
		inner, ok := p.operand()
		if !ok || !p.expect(tRParen) {
			return nil, false
		}
		if _, ok := inner.(*parenOp); ok {
			p.redundant()
		}
		return &parenOp{inner}, true
	case tValue:
		p.pos++
		return &valueOp{ref: t.text, tok: p.pos - 1}, true
	case tIdent:
		if p.peek(1).kind == tLParen {
			return p.function()
		}
		return p.path()
	case tName:
		return p.path()
	}
	return nil, p.fail()
}

// function parses name ( operand (, operand)* ).
func (p *parser) function() (*funcOp, bool) {
	t := p.cur()
	if t.kind != tIdent {
		return nil, p.fail()
	}
	nameTok := p.pos
	p.pos++
	if !p.expect(tLParen) {
		return nil, false
	}
	args, ok := p.operandList()
	if !ok || !p.expect(tRParen) {
		return nil, false
	}
	return &funcOp{name: t.text, args: args, tok: nameTok}, true
}

// path parses (identifier | #name) ( . (identifier | #name) | [ index ] )*.
// The names are resolved later, by the checker.
func (p *parser) path() (*pathOp, bool) {
	t := p.cur()
	if t.kind != tIdent && t.kind != tName {
		return nil, p.fail()
	}
	p.pos++
	o := &pathOp{src: []pathSrc{{kind: t.kind, text: t.text, tok: p.pos - 1}}}
	for {
		switch p.cur().kind {
		case tDot:
			p.pos++
			t := p.cur()
			if t.kind != tIdent && t.kind != tName {
				return nil, p.fail()
			}
			p.pos++
			o.src = append(o.src, pathSrc{kind: t.kind, text: t.text, tok: p.pos - 1})
		case tLBracket:
			p.pos++
			t := p.cur()
			if t.kind != tIndex {
				return nil, p.fail()
			}
			p.pos++
			if !p.expect(tRBracket) {
				return nil, false
			}
			o.src = append(o.src, pathSrc{kind: tIndex, text: t.text, tok: p.pos - 2})
		default:
			return o, true
		}
	}
}

// indexValue converts a list index token; an index past the largest int32
// addresses no element.
func indexValue(text string) int {
	n, err := strconv.ParseInt(text, 10, 32)
	if err != nil {
		return 1<<31 - 1
	}
	return int(n)
}

// Update expressions.

// action is one action of an update expression.
type action struct {
	kind   tokKind // tSet, tRemove, tAdd or tDelete
	target *pathOp
	value  operand // SET: the value; ADD and DELETE: a *valueOp
}

// section is one SET, REMOVE, ADD or DELETE clause.
type section struct {
	kind    tokKind
	tok     int
	actions []*action
}

func (p *parser) update() ([]*section, bool) {
	var sections []*section
	for {
		t := p.cur()
		switch t.kind {
		case tSet, tRemove, tAdd, tDelete:
		default:
			if len(sections) == 0 {
				return nil, p.fail()
			}
			return sections, true
		}
		p.pos++
		s := &section{kind: t.kind, tok: p.pos - 1}
		for {
			a, ok := p.updateAction(t.kind)
			if !ok {
				return nil, false
			}
			s.actions = append(s.actions, a)
			if p.cur().kind != tComma {
				break
			}
			p.pos++
		}
		sections = append(sections, s)
	}
}

func (p *parser) updateAction(kind tokKind) (*action, bool) {
	target, ok := p.path()
	if !ok {
		return nil, false
	}
	a := &action{kind: kind, target: target}
	switch kind {
	case tSet:
		if !p.expect(tEQ) {
			return nil, false
		}
		p.committed++
		defer func() { p.committed-- }()
		a.value, ok = p.setValue()
		if !ok {
			return nil, false
		}
	case tAdd, tDelete:
		t := p.cur()
		if t.kind != tValue {
			return nil, p.fail()
		}
		p.pos++
		a.value = &valueOp{ref: t.text, tok: p.pos - 1}
	}
	return a, true
}

// setValue parses an operand or an addition or subtraction.
func (p *parser) setValue() (operand, bool) {
	m := p.save()
	if a, ok := p.arithmetic(); ok {
		return a, true
	}
	p.restore(m)
	return p.operand()
}

// arithmetic parses operand (+|-) operand, or ( arithmetic ).
func (p *parser) arithmetic() (operand, bool) {
	m := p.save()
	if l, ok := p.operand(); ok {
		if op := p.cur().kind; op == tPlus || op == tMinus {
			p.pos++
			if r, ok := p.operand(); ok {
				return &arithOp{op, l, r}, true
			}
			return nil, false
		}
		p.fail()
	}
	p.restore(m)
	if !p.expect(tLParen) {
		return nil, false
	}
	inner, ok := p.arithmetic()
	if !ok || !p.expect(tRParen) {
		return nil, false
	}
	if _, ok := inner.(*parenOp); ok {
		p.redundant()
	}
	return &parenOp{inner}, true
}

// Projection expressions.

func (p *parser) projection() ([]*pathOp, bool) {
	var paths []*pathOp
	for {
		o, ok := p.path()
		if !ok {
			return nil, false
		}
		paths = append(paths, o)
		if p.cur().kind != tComma {
			return paths, true
		}
		p.pos++
	}
}
