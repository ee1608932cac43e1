package expr

import (
	"bytes"
	"slices"
	"strings"

	"github.com/eddy-streams/eddy/dynamo/attr"
)

// KeySchema names a table's or an index's key attributes and their types
// (S, N or B). RangeName is empty for a key without a range (sort) key.
type KeySchema struct {
	HashName  string
	HashType  attr.Kind
	RangeName string
	RangeType attr.Kind
}

// RangeOp is a condition on a range key (the legacy ComparisonOperator
// names).
type RangeOp string

// The conditions a Query can put on a range key.
const (
	RangeEQ         RangeOp = "EQ"
	RangeLT         RangeOp = "LT"
	RangeLE         RangeOp = "LE"
	RangeGT         RangeOp = "GT"
	RangeGE         RangeOp = "GE"
	RangeBetween    RangeOp = "BETWEEN"
	RangeBeginsWith RangeOp = "BEGINS_WITH"
)

// KeyCondition is a Query's condition on the keys, checked against a key
// schema: the hash key's value and, optionally, a condition on the range
// key.
type KeyCondition struct {
	Hash  attr.Value
	Range *RangeCondition // nil: every item with the hash key
}

// RangeCondition is a condition on a range key: Values holds one value, or
// two (low and high, both included) for BETWEEN.
type RangeCondition struct {
	Op     RangeOp
	Values []attr.Value
}

// Match reports whether a range key value satisfies the condition.
func (r *RangeCondition) Match(v attr.Value) bool {
	if r == nil {
		return true
	}
	if r.Op == RangeBeginsWith {
		p := r.Values[0]
		switch {
		case v.S != nil && p.S != nil:
			return strings.HasPrefix(*v.S, *p.S)
		case v.B != nil && p.B != nil:
			return bytes.HasPrefix(v.B, p.B)
		}
		return false
	}
	c, ok := attr.Compare(v, r.Values[0])
	if !ok {
		return false
	}
	switch r.Op {
	case RangeEQ:
		return c == 0
	case RangeLT:
		return c < 0
	case RangeLE:
		return c <= 0
	case RangeGT:
		return c > 0
	case RangeGE:
		return c >= 0
	case RangeBetween:
		c2, ok := attr.Compare(v, r.Values[1])
		return ok && c >= 0 && c2 <= 0
	}
	return false
}

// Match reports whether an item (or key) satisfies the key condition.
func (k *KeyCondition) Match(item attr.Item, schema KeySchema) bool {
	h, ok := item[schema.HashName]
	if !ok || !attr.Equal(h, k.Hash) {
		return false
	}
	if k.Range == nil {
		return true
	}
	r, ok := item[schema.RangeName]
	return ok && k.Range.Match(r)
}

// KeyConditionExpr is a parsed KeyConditionExpression (or the legacy
// KeyConditions): conditions on attributes, not yet checked against a key
// schema. Resolve checks them against the table's or index's keys.
type KeyConditionExpr struct {
	conds map[string]*legacyCond
	err   error // the error Validate reports
}

// legacyCond is one attribute's condition in the legacy form: an operator
// and its values.
type legacyCond struct {
	op     string
	values []attr.Value
}

// ParseKeyCondition parses a KeyConditionExpression: errors of the
// expression itself read "Invalid KeyConditionExpression: ..." and are
// returned here. What the expression may not express as a key condition (OR,
// NOT, IN, <>, functions other than begins_with, nested paths, two
// conditions on one attribute, more than two conditions) is reported by
// Validate and Resolve: DynamoDB reports those after unused
// ExpressionAttributeNames and ExpressionAttributeValues, so a caller that
// wants DynamoDB's order parses every expression of the request, calls
// Params.Unused, then Validate (before looking up the table) and Resolve.
func ParseKeyCondition(s string, p *Params) (*KeyConditionExpr, error) {
	root, err := parseConditionTree(kindKeyCondition, s, p)
	if err != nil {
		return nil, err
	}
	k := &KeyConditionExpr{conds: map[string]*legacyCond{}}
	if msg := k.collect(root); msg != "" {
		k.err = validation(msg)
		return k, nil
	}
	if err := validateComparisons(k.conds); err != nil {
		k.err = err
		return k, nil
	}
	if n := len(k.conds); n != 1 && n != 2 {
		k.err = validation("Conditions can be of length 1 or 2 only")
	}
	return k, nil
}

// Validate reports what makes the expression unusable as a key condition,
// whatever the table: the checks dynalite's validations/index.js
// (convertKeyCondition) makes, with the messages its tests (test/query.js)
// record from DynamoDB.
func (k *KeyConditionExpr) Validate() error { return k.err }

const (
	msgKeyInvalidOperator = "Invalid operator used in KeyConditionExpression: "
	msgKeyInvalidCond     = "Invalid condition in KeyConditionExpression: "
	msgKeyNested          = "KeyConditionExpressions cannot contain nested operations"
	msgKeyNestedAttr      = "KeyConditionExpressions cannot have conditions on nested attributes"
	msgKeyOnePerKey       = "KeyConditionExpressions must only contain one condition per key"
)

// collect turns the condition into one legacy condition per attribute, or
// returns the first reason it cannot (depth first, left to right).
func (k *KeyConditionExpr) collect(n cond) string {
	n = ungroup(n)
	var args []operand
	op := ""
	switch n := n.(type) {
	case *orCond:
		return msgKeyInvalidOperator + "OR"
	case *notCond:
		return msgKeyInvalidOperator + "NOT"
	case *inCond:
		return msgKeyInvalidOperator + "IN"
	case *andCond:
		if msg := k.collect(n.l); msg != "" {
			return msg
		}
		return k.collect(n.r)
	case *cmpCond:
		if n.op == tNE {
			return msgKeyInvalidOperator + "<>"
		}
		args = []operand{n.l, n.r}
		op = map[tokKind]string{tEQ: "EQ", tLT: "LT", tLE: "LE", tGT: "GT", tGE: "GE"}[n.op]
	case *betweenCond:
		if _, ok := unparen(n.x).(*pathOp); !ok {
			return msgKeyInvalidCond + "BETWEEN operator must have the key attribute as its first operand"
		}
		args = []operand{n.x, n.lo, n.hi}
		op = "BETWEEN"
	case *funcCond:
		switch n.f.name {
		case "size":
			return msgKeyNested
		case "begins_with":
		default:
			return msgKeyInvalidOperator + n.f.name
		}
		if _, ok := unparen(n.f.args[0]).(*pathOp); !ok {
			return msgKeyInvalidCond + "begins_with operator must have the key attribute as its first operand"
		}
		args = n.f.args
		op = "BEGINS_WITH"
	}
	name, at := "", -1
	var values []attr.Value
	for i, a := range args {
		switch a := unparen(a).(type) {
		case *pathOp:
			if name != "" {
				return msgKeyInvalidCond + "Multiple attribute names used in one condition"
			}
			if len(a.path) > 1 {
				return msgKeyNestedAttr
			}
			name, at = a.path[0].Name, i
		case *funcOp:
			return msgKeyNested
		case *valueOp:
			values = append(values, a.val)
		}
	}
	if name == "" {
		return msgKeyInvalidCond + "No key attribute specified"
	}
	if k.conds[name] != nil {
		return msgKeyOnePerKey
	}
	if at != 0 { // :v < a is a > :v
		op = map[string]string{"EQ": "EQ", "LT": "GT", "LE": "GE", "GT": "LT", "GE": "LE"}[op]
	}
	k.conds[name] = &legacyCond{op: op, values: values}
	return ""
}

// Resolve checks the key condition against a key schema (the table's, or
// the queried index's) and returns the hash key value and the range key
// condition. The checks and messages are the ones dynalite's actions/query.js
// makes and its tests record from DynamoDB: "Query condition missed key
// schema element: <name>", "Query key condition not supported", "Attempted
// conditional constraint is not an indexable operation", and "One or more
// parameter values were invalid: Condition parameter type does not match
// schema type".
func (k *KeyConditionExpr) Resolve(schema KeySchema) (*KeyCondition, error) {
	if k.err != nil {
		return nil, k.err
	}
	type keyAttr struct {
		name string
		typ  attr.Kind
		hash bool
	}
	keys := []keyAttr{{schema.HashName, schema.HashType, true}}
	if schema.RangeName != "" {
		keys = append(keys, keyAttr{schema.RangeName, schema.RangeType, false})
	}
	kc := &KeyCondition{}
	for _, key := range keys {
		if key.hash && schema.RangeName == "" && len(k.conds) > 1 {
			return nil, validation("Query key condition not supported")
		}
		c := k.conds[key.name]
		if c == nil {
			if key.hash || len(k.conds) > 1 {
				return nil, validation("Query condition missed key schema element: " + key.name)
			}
			continue
		}
		switch c.op {
		case "NULL", "NOT_NULL", "NE", "CONTAINS", "NOT_CONTAINS", "IN":
			return nil, validation("Attempted conditional constraint is not an indexable operation")
		}
		for _, v := range c.values {
			if k, _ := v.Kind(); k != key.typ {
				return nil, validation("One or more parameter values were invalid: Condition parameter type does not match schema type")
			}
		}
		if key.hash {
			if c.op != "EQ" {
				return nil, validation("Query key condition not supported")
			}
			kc.Hash = c.values[0]
			continue
		}
		kc.Range = &RangeCondition{Op: RangeOp(c.op), Values: slices.Clone(c.values)}
	}
	return kc, nil
}
