// Package attr holds DynamoDB's data: attribute values, items, and what
// the service computes on them (number arithmetic and comparison at 38
// digits, sizes, the ordering of keys).
//
// A Value is one AttributeValue as the JSON 1.0 wire carries it, a union
// written as an object with exactly one member:
//
//	{"S": "text"}            {"N": "123.45"}          {"B": "<base64>"}
//	{"BOOL": true}           {"NULL": true}
//	{"M": {"a": {...}}}      {"L": [{...}, ...]}
//	{"SS": ["a", "b"]}       {"NS": ["1", "2"]}       {"BS": ["<base64>", ...]}
//
// Decoding with encoding/json keeps what the client sent, so a request
// naming no type ({}) or several ({"S":"a","N":"1"}) decodes and is refused
// by validation with DynamoDB's own message, as DynamoDB does. A member
// that is absent stays nil: an empty map or list sent as {} or [] decodes
// to a non-nil empty one, so "M":{} and "L":[] are values, as on DynamoDB.
//
// What DynamoDB computes on values lives here too:
//
//   - Number: DynamoDB's exact 38-digit decimal (ParseNumber, String in
//     DynamoDB's canonical form, Cmp, Add, Sub, Size);
//   - Value.Validate and Item.Validate: DynamoDB's checks and messages for a
//     malformed AttributeValue (empty, several types, empty or duplicated
//     sets, bad numbers, NULL false, nesting deeper than MaxDepth);
//     Canonical rewrites numbers into canonical form;
//   - Equal (DynamoDB's =) and Compare (its ordering of S, N and B);
//   - Size and ItemSize: the bytes DynamoDB counts against MaxItemSize;
//   - AppendKey and DecodeKey: an order-preserving, self-delimiting byte
//     encoding of key values (S, N, B) for a sorted key-value store.
//
// Errors are *eddy.Error values with Code ValidationException.
package attr

// Value is one DynamoDB AttributeValue. Exactly one member is set in a
// valid value (see Kind).
type Value struct {
	S    *string          `json:"S,omitzero"`
	N    *string          `json:"N,omitzero"`
	B    []byte           `json:"B,omitzero"`
	SS   []string         `json:"SS,omitzero"`
	NS   []string         `json:"NS,omitzero"`
	BS   [][]byte         `json:"BS,omitzero"`
	M    map[string]Value `json:"M,omitzero"`
	L    []Value          `json:"L,omitzero"`
	NULL *bool            `json:"NULL,omitzero"`
	BOOL *bool            `json:"BOOL,omitzero"`
}

// Item is an item, or a key, or any map of attribute names to values.
type Item map[string]Value

// Kind names a value's type as DynamoDB does in messages and in
// attribute_type: "S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL",
// "BOOL".
type Kind string

// The kinds.
const (
	KindS    Kind = "S"
	KindN    Kind = "N"
	KindB    Kind = "B"
	KindSS   Kind = "SS"
	KindNS   Kind = "NS"
	KindBS   Kind = "BS"
	KindM    Kind = "M"
	KindL    Kind = "L"
	KindNULL Kind = "NULL"
	KindBOOL Kind = "BOOL"
)

// Kind returns the value's kind and how many members are set: a valid
// value has n == 1 (a value with none or several is refused by validation).
func (v *Value) Kind() (k Kind, n int) {
	set := func(ok bool, kind Kind) {
		if ok {
			k = kind
			n++
		}
	}
	set(v.S != nil, KindS)
	set(v.N != nil, KindN)
	set(v.B != nil, KindB)
	set(v.SS != nil, KindSS)
	set(v.NS != nil, KindNS)
	set(v.BS != nil, KindBS)
	set(v.M != nil, KindM)
	set(v.L != nil, KindL)
	set(v.NULL != nil, KindNULL)
	set(v.BOOL != nil, KindBOOL)
	return k, n
}

// S returns a string value.
func S(s string) Value { return Value{S: &s} }

// N returns a number value holding s as given (not checked or normalised;
// see ParseNumber and Canonical).
func N(s string) Value { return Value{N: &s} }

// NumberValue returns n as a number value, in canonical form.
func NumberValue(n Number) Value { s := n.String(); return Value{N: &s} }

// B returns a binary value. A nil b is stored as an empty binary.
func B(b []byte) Value {
	if b == nil {
		b = []byte{}
	}
	return Value{B: b}
}

// Bool returns a BOOL value.
func Bool(b bool) Value { return Value{BOOL: &b} }

// Null returns the NULL value.
func Null() Value { t := true; return Value{NULL: &t} }

// L returns a list value. A nil list is stored as an empty list.
func L(vs ...Value) Value {
	if vs == nil {
		vs = []Value{}
	}
	return Value{L: vs}
}

// M returns a map value. A nil map is stored as an empty map.
func M(m map[string]Value) Value {
	if m == nil {
		m = map[string]Value{}
	}
	return Value{M: m}
}

// SS returns a string set value.
func SS(ss ...string) Value {
	if ss == nil {
		ss = []string{}
	}
	return Value{SS: ss}
}

// NS returns a number set value (members as given).
func NS(ns ...string) Value {
	if ns == nil {
		ns = []string{}
	}
	return Value{NS: ns}
}

// BS returns a binary set value.
func BS(bs ...[]byte) Value {
	if bs == nil {
		bs = [][]byte{}
	}
	return Value{BS: bs}
}

// Clone returns a deep copy of v: nothing in the copy aliases v.
func (v Value) Clone() Value {
	c := Value{}
	if v.S != nil {
		s := *v.S
		c.S = &s
	}
	if v.N != nil {
		s := *v.N
		c.N = &s
	}
	if v.B != nil {
		c.B = append([]byte{}, v.B...)
	}
	if v.SS != nil {
		c.SS = append([]string{}, v.SS...)
	}
	if v.NS != nil {
		c.NS = append([]string{}, v.NS...)
	}
	if v.BS != nil {
		c.BS = make([][]byte, len(v.BS))
		for i, b := range v.BS {
			c.BS[i] = append([]byte{}, b...)
		}
	}
	if v.M != nil {
		c.M = make(map[string]Value, len(v.M))
		for k, e := range v.M {
			c.M[k] = e.Clone()
		}
	}
	if v.L != nil {
		c.L = make([]Value, len(v.L))
		for i, e := range v.L {
			c.L[i] = e.Clone()
		}
	}
	if v.NULL != nil {
		b := *v.NULL
		c.NULL = &b
	}
	if v.BOOL != nil {
		b := *v.BOOL
		c.BOOL = &b
	}
	return c
}

// Clone returns a deep copy of the item.
func (it Item) Clone() Item {
	if it == nil {
		return nil
	}
	c := make(Item, len(it))
	for k, v := range it {
		c[k] = v.Clone()
	}
	return c
}
