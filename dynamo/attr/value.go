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
