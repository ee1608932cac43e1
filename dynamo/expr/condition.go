package expr

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"github.com/eddy-streams/eddy/dynamo/attr"
)

// Condition is a parsed ConditionExpression or FilterExpression (or one
// built from the legacy Expected, QueryFilter or ScanFilter parameters),
// with its expression attribute names and values bound. It is immutable and
// safe for concurrent use.
type Condition struct {
	root cond // nil: no condition, always true
}

// ParseCondition parses a ConditionExpression (PutItem, UpdateItem,
// DeleteItem, TransactWriteItems). Errors are ValidationExceptions worded as
// DynamoDB words them, "Invalid ConditionExpression: ...".
func ParseCondition(s string, p *Params) (*Condition, error) {
	return parseCondition(kindCondition, s, p)
}

// ParseFilter parses a FilterExpression (Query, Scan); errors read "Invalid
// FilterExpression: ...".
func ParseFilter(s string, p *Params) (*Condition, error) {
	return parseCondition(kindFilter, s, p)
}

func parseCondition(kind, s string, params *Params) (*Condition, error) {
	root, err := parseConditionTree(kind, s, params)
	if err != nil {
		return nil, err
	}
	return &Condition{root: root}, nil
}

func parseConditionTree(kind, s string, params *Params) (cond, error) {
	if err := checkSource(kind, s); err != nil {
		return nil, err
	}
	p := newParser(s)
	p.noParensCheck = kind == kindKeyCondition
	root, ok := p.condition(1)
	if !ok {
		return nil, p.syntaxErr(kind)
	}
	if err := p.finish(kind); err != nil {
		return nil, err
	}
	if err := checkCondition(kind, root, params); err != nil {
		return nil, err
	}
	return root, nil
}

// Eval reports whether item satisfies the condition. A nil item is an item
// that does not exist: every attribute is absent. Comparisons between
// values of different types are false, as are comparisons with an absent
// attribute, except <> (an absent attribute is unequal to any value).
func (c *Condition) Eval(item attr.Item) bool {
	if c == nil || c.root == nil {
		return true
	}
	return evalCond(c.root, item)
}

// String returns the condition as an expression that parses back to the
// same condition (given the same names and values).
func (c *Condition) String() string {
	if c == nil || c.root == nil {
		return ""
	}
	var b strings.Builder
	c.root.writeTo(&b)
	return b.String()
}

// Paths returns every document path the condition reads, in text order.
// The caller checks key attributes with them ("Filter Expression can only
// contain non-primary key attributes", "Key attributes must be scalars").
func (c *Condition) Paths() []Path {
	var paths []Path
	if c != nil && c.root != nil {
		walkCond(c.root, func(o *pathOp) { paths = append(paths, o.path) })
	}
	return paths
}

func walkCond(n cond, f func(*pathOp)) {
	switch n := n.(type) {
	case *andCond:
		walkCond(n.l, f)
		walkCond(n.r, f)
	case *orCond:
		walkCond(n.l, f)
		walkCond(n.r, f)
	case *notCond:
		walkCond(n.c, f)
	case *groupCond:
		walkCond(n.c, f)
	case *cmpCond:
		walkOperand(n.l, f)
		walkOperand(n.r, f)
	case *betweenCond:
		walkOperand(n.x, f)
		walkOperand(n.lo, f)
		walkOperand(n.hi, f)
	case *inCond:
		walkOperand(n.x, f)
		for _, o := range n.list {
			walkOperand(o, f)
		}
	case *funcCond:
		walkOperand(n.f, f)
	}
}

func walkOperand(o operand, f func(*pathOp)) {
	switch o := o.(type) {
	case *pathOp:
		f(o)
	case *parenOp:
		walkOperand(o.inner, f)
	case *funcOp:
		for _, a := range o.args {
			walkOperand(a, f)
		}
	case *arithOp:
		walkOperand(o.l, f)
		walkOperand(o.r, f)
	}
}

func evalCond(n cond, item attr.Item) bool {
	switch n := n.(type) {
	case *andCond:
		return evalCond(n.l, item) && evalCond(n.r, item)
	case *orCond:
		return evalCond(n.l, item) || evalCond(n.r, item)
	case *notCond:
		return !evalCond(n.c, item)
	case *groupCond:
		return evalCond(n.c, item)
	case *cmpCond:
		l, lok := evalOperand(n.l, item)
		r, rok := evalOperand(n.r, item)
		switch n.op {
		case tEQ:
			return lok && rok && attr.Equal(l, r)
		case tNE:
			if !lok && !rok {
				return false
			}
			return !(lok && rok && attr.Equal(l, r))
		}
		if !lok || !rok {
			return false
		}
		c, ok := attr.Compare(l, r)
		if !ok {
			return false
		}
		switch n.op {
		case tLT:
			return c < 0
		case tLE:
			return c <= 0
		case tGT:
			return c > 0
		}
		return c >= 0
	case *betweenCond:
		x, ok1 := evalOperand(n.x, item)
		lo, ok2 := evalOperand(n.lo, item)
		hi, ok3 := evalOperand(n.hi, item)
		if !ok1 || !ok2 || !ok3 {
			return false
		}
		c1, ok1 := attr.Compare(x, lo)
		c2, ok2 := attr.Compare(x, hi)
		return ok1 && ok2 && c1 >= 0 && c2 <= 0
	case *inCond:
		x, ok := evalOperand(n.x, item)
		if !ok {
			return false
		}
		for _, o := range n.list {
			if v, ok := evalOperand(o, item); ok && attr.Equal(x, v) {
				return true
			}
		}
		return false
	case *funcCond:
		return evalFunction(n.f, item)
	}
	return false
}

// evalOperand returns an operand's value and whether it has one: a path to
// an absent attribute, and size() of an absent attribute or of a number,
// boolean or null, have none.
func evalOperand(o operand, item attr.Item) (attr.Value, bool) {
	switch o := o.(type) {
	case *pathOp:
		return o.path.Resolve(item)
	case *valueOp:
		return o.val, true
	case *parenOp:
		return evalOperand(o.inner, item)
	case *funcOp:
		if o.name == "size" {
			v, ok := evalOperand(o.args[0], item)
			if !ok {
				return attr.Value{}, false
			}
			n, ok := size(v)
			if !ok {
				return attr.Value{}, false
			}
			return attr.NumberValue(attr.NumberFromInt(int64(n))), true
		}
	}
	return attr.Value{}, false
}

// size is DynamoDB's size(): a string's length in UTF-16 code units (ExtendDB
// pull request 67, verified against DynamoDB: size("é𝄞") is 3), a binary's
// length in bytes, the number of members of a set, list or map. Numbers,
// booleans and nulls have no size: a comparison with it is false
// (ExtendDB tests/test_expr_operand_type_and_size.py).
func size(v attr.Value) (int, bool) {
	switch {
	case v.S != nil:
		n := 0
		for _, r := range *v.S {
			n++
			if r >= 0x10000 && r != utf8.RuneError {
				n++
			}
		}
		return n, true
	case v.B != nil:
		return len(v.B), true
	case v.SS != nil:
		return len(v.SS), true
	case v.NS != nil:
		return len(v.NS), true
	case v.BS != nil:
		return len(v.BS), true
	case v.L != nil:
		return len(v.L), true
	case v.M != nil:
		return len(v.M), true
	}
	return 0, false
}

func evalFunction(f *funcOp, item attr.Item) bool {
	switch f.name {
	case "attribute_exists":
		_, ok := evalOperand(f.args[0], item)
		return ok
	case "attribute_not_exists":
		_, ok := evalOperand(f.args[0], item)
		return !ok
	case "attribute_type":
		v, ok := evalOperand(f.args[0], item)
		t, tok := evalOperand(f.args[1], item)
		if !ok || !tok || t.S == nil {
			return false
		}
		k, _ := v.Kind()
		return string(k) == *t.S
	case "begins_with":
		a, ok1 := evalOperand(f.args[0], item)
		b, ok2 := evalOperand(f.args[1], item)
		switch {
		case !ok1 || !ok2:
			return false
		case a.S != nil && b.S != nil:
			return strings.HasPrefix(*a.S, *b.S)
		case a.B != nil && b.B != nil:
			return bytes.HasPrefix(a.B, b.B)
		}
		return false
	case "contains":
		a, ok1 := evalOperand(f.args[0], item)
		b, ok2 := evalOperand(f.args[1], item)
		if !ok1 || !ok2 {
			return false
		}
		return contains(a, b)
	}
	return false
}

// contains is DynamoDB's contains(a, b): a substring of a string, a byte
// sequence of a binary, a member of a set (of b's type), an element of a
// list (equal to b).
func contains(a, b attr.Value) bool {
	switch {
	case a.S != nil:
		return b.S != nil && strings.Contains(*a.S, *b.S)
	case a.B != nil:
		return b.B != nil && bytes.Contains(a.B, b.B)
	case a.SS != nil:
		if b.S == nil {
			return false
		}
		for _, s := range a.SS {
			if s == *b.S {
				return true
			}
		}
	case a.NS != nil:
		if b.N == nil {
			return false
		}
		for _, s := range a.NS {
			if attr.Equal(attr.N(s), b) {
				return true
			}
		}
	case a.BS != nil:
		if b.B == nil {
			return false
		}
		for _, x := range a.BS {
			if bytes.Equal(x, b.B) {
				return true
			}
		}
	case a.L != nil:
		for _, e := range a.L {
			if attr.Equal(e, b) {
				return true
			}
		}
	}
	return false
}
