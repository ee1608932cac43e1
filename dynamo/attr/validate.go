package attr

import (
	"encoding/base64"
	"slices"
	"strings"
)

// MaxDepth is how deep DynamoDB lets a document nest: an attribute is at
// level 1, the members of a map or list at level 1 are at level 2, and no
// value may sit below level 32 (nubo-db/dynamodb-conformance, "Nesting depth
// — 32-level document limit", captured against DynamoDB: a leaf at level 32
// is stored, one at 33 is refused, in items and in ExpressionAttributeValues
// alike; DynamoDB Local's LocalDBUtils.MAX_ALLOWED_DOCUMENT_LEVEL is 32).
const MaxDepth = 32

// DynamoDB's messages for malformed AttributeValues. Sources: dynalite's
// validations/index.js and its tests (test/updateItem.js, "should return
// ValidationException for invalid values in Key"), which record DynamoDB's
// answers, including the doubled space in "An string set  may not be empty"
// and the missing space in "[Yg==, Yg==]of type BS". The nesting message is
// the one nubo-db/dynamodb-conformance captured (eu-west-2).
const (
	msgEmpty    = "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
	msgMulti    = "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"
	msgInvalid  = "One or more parameter values were invalid: "
	msgNullTrue = msgInvalid + "Null attribute value types must have the value of true"
	msgEmptySS  = msgInvalid + "An string set  may not be empty"
	msgEmptyNS  = msgInvalid + "An number set  may not be empty"
	msgEmptyBS  = msgInvalid + "Binary sets should not be empty"
	msgDupNS    = "Input collection contains duplicates"
	msgNesting  = "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit"
)

// Validate reports the first way v breaks DynamoDB's rules for an
// AttributeValue, as a ValidationException worded as DynamoDB words it: no
// type or several types set, a NULL that is not true, an empty or duplicated
// set, a number that is not a number or out of range (see ParseNumber), a
// malformed member of a map or list, or nesting below MaxDepth.
//
// v is taken as an attribute at level 1. Members of maps are checked in
// name order (a JSON object's order is not kept), so where several are
// malformed the one reported may differ from DynamoDB's choice.
func (v Value) Validate() error { return v.validate(1) }

func (v Value) validate(level int) error {
	if level > MaxDepth {
		return invalid(msgNesting)
	}
	_, n := v.Kind()
	if n == 0 {
		return invalid(msgEmpty)
	}
	if v.N != nil {
		if _, err := ParseNumber(*v.N); err != nil {
			return err
		}
	}
	if v.NULL != nil && !*v.NULL {
		return invalid(msgNullTrue)
	}
	switch {
	case v.SS != nil && len(v.SS) == 0:
		return invalid(msgEmptySS)
	case v.NS != nil && len(v.NS) == 0:
		return invalid(msgEmptyNS)
	case v.BS != nil && len(v.BS) == 0:
		return invalid(msgEmptyBS)
	}
	if v.NS != nil {
		seen := make(map[string]bool, len(v.NS))
		for _, s := range v.NS {
			num, err := ParseNumber(s)
			if err != nil {
				return err
			}
			c := num.String()
			if seen[c] {
				return invalid(msgDupNS)
			}
			seen[c] = true
		}
	}
	if v.SS != nil && hasDuplicate(v.SS) {
		return invalid(msgInvalid + "Input collection " + listString(v.SS) + " contains duplicates.")
	}
	if v.BS != nil {
		enc := make([]string, len(v.BS))
		for i, b := range v.BS {
			enc[i] = base64.StdEncoding.EncodeToString(b)
		}
		if hasDuplicate(enc) {
			return invalid(msgInvalid + "Input collection " + listString(enc) + "of type BS contains duplicates.")
		}
	}
	if v.M != nil {
		for _, k := range sortedKeys(v.M) {
			if err := v.M[k].validate(level + 1); err != nil {
				return err
			}
		}
	}
	for _, e := range v.L {
		if err := e.validate(level + 1); err != nil {
			return err
		}
	}
	if n > 1 {
		return invalid(msgMulti)
	}
	return nil
}

// ValidateItem validates every attribute of the item (in name order); see
// Value.Validate.
func (it Item) Validate() error {
	for _, k := range sortedKeys(it) {
		if err := it[k].Validate(); err != nil {
			return err
		}
	}
	return nil
}

// Depth returns the deepest level a value of v sits at, v being at level 1.
func (v Value) Depth() int {
	d := 0
	for _, e := range v.M {
		d = max(d, e.Depth())
	}
	for _, e := range v.L {
		d = max(d, e.Depth())
	}
	return d + 1
}

// CheckDepth refuses an item with a value below MaxDepth, with DynamoDB's
// message. Validate includes this check; CheckDepth is for items an update
// built from valid parts.
func (it Item) CheckDepth() error {
	for _, v := range it {
		if v.Depth() > MaxDepth {
			return invalid(msgNesting)
		}
	}
	return nil
}

// Canonical returns v with every number (N, and each member of NS, at any
// depth) in canonical form (see Number.String). Members that do not parse
// are left as they are; validate first. v itself is not modified; parts
// without numbers are shared with it.
func (v Value) Canonical() Value {
	switch {
	case v.N != nil:
		if n, err := ParseNumber(*v.N); err == nil {
			if s := n.String(); s != *v.N {
				v.N = &s
			}
		}
	case v.NS != nil:
		var out []string
		for i, s := range v.NS {
			c := s
			if n, err := ParseNumber(s); err == nil {
				c = n.String()
			}
			if c != s && out == nil {
				out = append(make([]string, 0, len(v.NS)), v.NS[:i]...)
			}
			if out != nil {
				out = append(out, c)
			}
		}
		if out != nil {
			v.NS = out
		}
	case v.M != nil:
		m := make(map[string]Value, len(v.M))
		for k, e := range v.M {
			m[k] = e.Canonical()
		}
		v.M = m
	case v.L != nil:
		l := make([]Value, len(v.L))
		for i, e := range v.L {
			l[i] = e.Canonical()
		}
		v.L = l
	}
	return v
}

// Canonical returns the item with every number in canonical form.
func (it Item) Canonical() Item {
	if it == nil {
		return nil
	}
	c := make(Item, len(it))
	for k, v := range it {
		c[k] = v.Canonical()
	}
	return c
}

func hasDuplicate(ss []string) bool {
	seen := make(map[string]bool, len(ss))
	for _, s := range ss {
		if seen[s] {
			return true
		}
		seen[s] = true
	}
	return false
}

// listString renders a collection as DynamoDB does in messages: "[a, b]".
func listString(ss []string) string { return "[" + strings.Join(ss, ", ") + "]" }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
