package ddb

import (
	"encoding/base64"
	"unicode/utf8"

	"github.com/eddy-streams/eddy/dynamo/attr"
)

// A fast path for decoding the requests of the hot single-item operations
// (GetItem, PutItem, UpdateItem, DeleteItem) without encoding/json's
// reflection. DecodeFastJSON decodes a body only when it is plain: an
// object of the input's members, spelled exactly, each at most once, with
// no null, no string escape and no invalid UTF-8, each value of its
// member's JSON type. For anything else it returns false and the caller
// decodes the body with encoding/json as before, so the fast path never
// decides what a request means differently: where it answers, its result
// is what encoding/json gives (fastdecode_test.go checks this on the
// golden requests and by fuzzing). The transport calls it only after its
// own walk found the body's types right and in need of no conversion, so
// every error message still comes from the same place.

// fastDec reads a JSON document known to be well-formed; ok turns false
// at the first thing the fast path does not handle.
type fastDec struct {
	b   []byte
	pos int
	ok  bool
}

func (d *fastDec) ws() {
	for d.pos < len(d.b) {
		switch d.b[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// peek returns the next non-space byte (0 at the end).
func (d *fastDec) peek() byte {
	d.ws()
	if d.pos >= len(d.b) {
		return 0
	}
	return d.b[d.pos]
}

// expect consumes c, or fails.
func (d *fastDec) expect(c byte) bool {
	if !d.ok || d.peek() != c {
		d.ok = false
		return false
	}
	d.pos++
	return true
}

// rawStr reads a string without escapes and returns its bytes (aliasing
// the body).
func (d *fastDec) rawStr() []byte {
	if !d.expect('"') {
		return nil
	}
	start := d.pos
	ascii := true
	for d.pos < len(d.b) {
		c := d.b[d.pos]
		switch {
		case c == '"':
			s := d.b[start:d.pos]
			d.pos++
			if !ascii && !utf8.Valid(s) {
				d.ok = false // encoding/json replaces invalid UTF-8
			}
			return s
		case c == '\\':
			d.ok = false
			return nil
		case c >= 0x80:
			ascii = false
		}
		d.pos++
	}
	d.ok = false
	return nil
}

func (d *fastDec) str() string { return string(d.rawStr()) }

func (d *fastDec) strPtr() *string {
	s := d.str()
	return &s
}

func (d *fastDec) boolean() bool {
	switch d.peek() {
	case 't':
		if d.pos+4 <= len(d.b) && string(d.b[d.pos:d.pos+4]) == "true" {
			d.pos += 4
			return true
		}
	case 'f':
		if d.pos+5 <= len(d.b) && string(d.b[d.pos:d.pos+5]) == "false" {
			d.pos += 5
			return false
		}
	}
	d.ok = false
	return false
}

func (d *fastDec) boolPtr() *bool {
	v := d.boolean()
	return &v
}

// object reads an object, calling member for each name (the name's bytes
// alias the body). seen detects a repeated member of a structure (names
// are numbered by member's return value, -1 for a map's free keys).
func (d *fastDec) object(member func(name []byte) int) {
	if !d.expect('{') {
		return
	}
	var seen uint64
	if d.peek() == '}' {
		d.pos++
		return
	}
	for d.ok {
		name := d.rawStr()
		if !d.expect(':') {
			return
		}
		i := member(name)
		if i >= 0 {
			if i >= 64 || seen&(1<<i) != 0 {
				d.ok = false
				return
			}
			seen |= 1 << i
		}
		if !d.ok {
			return
		}
		switch d.peek() {
		case ',':
			d.pos++
		case '}':
			d.pos++
			return
		default:
			d.ok = false
		}
	}
}

// array reads an array, calling elem for each element.
func (d *fastDec) array(elem func()) {
	if !d.expect('[') {
		return
	}
	if d.peek() == ']' {
		d.pos++
		return
	}
	for d.ok {
		elem()
		if !d.ok {
			return
		}
		switch d.peek() {
		case ',':
			d.pos++
		case ']':
			d.pos++
			return
		default:
			d.ok = false
		}
	}
}

func (d *fastDec) strings() []string {
	l := []string{}
	d.array(func() { l = append(l, d.str()) })
	return l
}

func (d *fastDec) blob() []byte {
	s := d.rawStr()
	if !d.ok {
		return nil
	}
	b := make([]byte, base64.StdEncoding.DecodedLen(len(s)))
	n, err := base64.StdEncoding.Decode(b, s)
	if err != nil {
		d.ok = false
		return nil
	}
	return b[:n]
}

func (d *fastDec) strMap() map[string]string {
	m := map[string]string{}
	d.object(func(name []byte) int {
		m[string(name)] = d.str()
		return -1
	})
	return m
}

// item reads a map of attribute values (an Item, a Key, M,
// ExpressionAttributeValues).
func (d *fastDec) item() map[string]attr.Value {
	m := map[string]attr.Value{}
	d.object(func(name []byte) int {
		m[string(name)] = d.value()
		return -1
	})
	return m
}

// value reads an AttributeValue.
func (d *fastDec) value() attr.Value {
	var v attr.Value
	d.object(func(name []byte) int {
		switch string(name) {
		case "S":
			v.S = d.strPtr()
			return 0
		case "N":
			v.N = d.strPtr()
			return 1
		case "B":
			v.B = d.blob()
			return 2
		case "SS":
			v.SS = d.strings()
			return 3
		case "NS":
			v.NS = d.strings()
			return 4
		case "BS":
			v.BS = [][]byte{}
			d.array(func() { v.BS = append(v.BS, d.blob()) })
			return 5
		case "M":
			v.M = d.item()
			return 6
		case "L":
			v.L = []attr.Value{}
			d.array(func() { v.L = append(v.L, d.value()) })
			return 7
		case "NULL":
			v.NULL = d.boolPtr()
			return 8
		case "BOOL":
			v.BOOL = d.boolPtr()
			return 9
		}
		d.ok = false
		return -1
	})
	return v
}

func (d *fastDec) valuePtr() *attr.Value {
	v := d.value()
	return &v
}

func (d *fastDec) expected() map[string]ExpectedAttributeValue {
	m := map[string]ExpectedAttributeValue{}
	d.object(func(name []byte) int {
		var e ExpectedAttributeValue
		d.object(func(name []byte) int {
			switch string(name) {
			case "Value":
				e.Value = d.valuePtr()
				return 0
			case "Exists":
				e.Exists = d.boolPtr()
				return 1
			case "ComparisonOperator":
				e.ComparisonOperator = enumPtr[ComparisonOperator](d)
				return 2
			case "AttributeValueList":
				e.AttributeValueList = []attr.Value{}
				d.array(func() { e.AttributeValueList = append(e.AttributeValueList, d.value()) })
				return 3
			}
			d.ok = false
			return -1
		})
		m[string(name)] = e
		return -1
	})
	return m
}

func (d *fastDec) updates() map[string]AttributeValueUpdate {
	m := map[string]AttributeValueUpdate{}
	d.object(func(name []byte) int {
		var u AttributeValueUpdate
		d.object(func(name []byte) int {
			switch string(name) {
			case "Value":
				u.Value = d.valuePtr()
				return 0
			case "Action":
				u.Action = enumPtr[AttributeAction](d)
				return 1
			}
			d.ok = false
			return -1
		})
		m[string(name)] = u
		return -1
	})
	return m
}

func enumPtr[T ~string](d *fastDec) *T {
	v := T(d.str())
	return &v
}

// done reports whether the whole body was read and every part handled.
func (d *fastDec) done() bool {
	d.ws()
	return d.ok && d.pos == len(d.b)
}

// DecodeFastJSON decodes body into in if it is plain (see fastdecode.go);
// false leaves in untouched.
func (in *PutItemInput) DecodeFastJSON(body []byte) bool {
	d := &fastDec{b: body, ok: true}
	var v PutItemInput
	d.object(func(name []byte) int {
		switch string(name) {
		case "TableName":
			v.TableName = d.strPtr()
			return 0
		case "Item":
			v.Item = d.item()
			return 1
		case "Expected":
			v.Expected = d.expected()
			return 2
		case "ReturnValues":
			v.ReturnValues = enumPtr[ReturnValue](d)
			return 3
		case "ReturnConsumedCapacity":
			v.ReturnConsumedCapacity = enumPtr[ReturnConsumedCapacity](d)
			return 4
		case "ReturnItemCollectionMetrics":
			v.ReturnItemCollectionMetrics = enumPtr[ReturnItemCollectionMetrics](d)
			return 5
		case "ConditionalOperator":
			v.ConditionalOperator = enumPtr[ConditionalOperator](d)
			return 6
		case "ConditionExpression":
			v.ConditionExpression = d.strPtr()
			return 7
		case "ExpressionAttributeNames":
			v.ExpressionAttributeNames = d.strMap()
			return 8
		case "ExpressionAttributeValues":
			v.ExpressionAttributeValues = d.item()
			return 9
		case "ReturnValuesOnConditionCheckFailure":
			v.ReturnValuesOnConditionCheckFailure = enumPtr[ReturnValuesOnConditionCheckFailure](d)
			return 10
		}
		d.ok = false
		return -1
	})
	if !d.done() {
		return false
	}
	v.Checker, v.Parsed = in.Checker, in.Parsed
	*in = v
	return true
}

// DecodeFastJSON decodes body into in if it is plain (see fastdecode.go);
// false leaves in untouched.
func (in *UpdateItemInput) DecodeFastJSON(body []byte) bool {
	d := &fastDec{b: body, ok: true}
	var v UpdateItemInput
	d.object(func(name []byte) int {
		switch string(name) {
		case "TableName":
			v.TableName = d.strPtr()
			return 0
		case "Key":
			v.Key = d.item()
			return 1
		case "AttributeUpdates":
			v.AttributeUpdates = d.updates()
			return 2
		case "Expected":
			v.Expected = d.expected()
			return 3
		case "ConditionalOperator":
			v.ConditionalOperator = enumPtr[ConditionalOperator](d)
			return 4
		case "ReturnValues":
			v.ReturnValues = enumPtr[ReturnValue](d)
			return 5
		case "ReturnConsumedCapacity":
			v.ReturnConsumedCapacity = enumPtr[ReturnConsumedCapacity](d)
			return 6
		case "ReturnItemCollectionMetrics":
			v.ReturnItemCollectionMetrics = enumPtr[ReturnItemCollectionMetrics](d)
			return 7
		case "UpdateExpression":
			v.UpdateExpression = d.strPtr()
			return 8
		case "ConditionExpression":
			v.ConditionExpression = d.strPtr()
			return 9
		case "ExpressionAttributeNames":
			v.ExpressionAttributeNames = d.strMap()
			return 10
		case "ExpressionAttributeValues":
			v.ExpressionAttributeValues = d.item()
			return 11
		case "ReturnValuesOnConditionCheckFailure":
			v.ReturnValuesOnConditionCheckFailure = enumPtr[ReturnValuesOnConditionCheckFailure](d)
			return 12
		}
		d.ok = false
		return -1
	})
	if !d.done() {
		return false
	}
	v.Checker, v.Parsed = in.Checker, in.Parsed
	*in = v
	return true
}

// DecodeFastJSON decodes body into in if it is plain (see fastdecode.go);
// false leaves in untouched.
func (in *DeleteItemInput) DecodeFastJSON(body []byte) bool {
	d := &fastDec{b: body, ok: true}
	var v DeleteItemInput
	d.object(func(name []byte) int {
		switch string(name) {
		case "TableName":
			v.TableName = d.strPtr()
			return 0
		case "Key":
			v.Key = d.item()
			return 1
		case "Expected":
			v.Expected = d.expected()
			return 2
		case "ConditionalOperator":
			v.ConditionalOperator = enumPtr[ConditionalOperator](d)
			return 3
		case "ReturnValues":
			v.ReturnValues = enumPtr[ReturnValue](d)
			return 4
		case "ReturnConsumedCapacity":
			v.ReturnConsumedCapacity = enumPtr[ReturnConsumedCapacity](d)
			return 5
		case "ReturnItemCollectionMetrics":
			v.ReturnItemCollectionMetrics = enumPtr[ReturnItemCollectionMetrics](d)
			return 6
		case "ConditionExpression":
			v.ConditionExpression = d.strPtr()
			return 7
		case "ExpressionAttributeNames":
			v.ExpressionAttributeNames = d.strMap()
			return 8
		case "ExpressionAttributeValues":
			v.ExpressionAttributeValues = d.item()
			return 9
		case "ReturnValuesOnConditionCheckFailure":
			v.ReturnValuesOnConditionCheckFailure = enumPtr[ReturnValuesOnConditionCheckFailure](d)
			return 10
		}
		d.ok = false
		return -1
	})
	if !d.done() {
		return false
	}
	v.Checker, v.Parsed = in.Checker, in.Parsed
	*in = v
	return true
}

// DecodeFastJSON decodes body into in if it is plain (see fastdecode.go);
// false leaves in untouched.
func (in *GetItemInput) DecodeFastJSON(body []byte) bool {
	d := &fastDec{b: body, ok: true}
	var v GetItemInput
	d.object(func(name []byte) int {
		switch string(name) {
		case "TableName":
			v.TableName = d.strPtr()
			return 0
		case "Key":
			v.Key = d.item()
			return 1
		case "AttributesToGet":
			v.AttributesToGet = d.strings()
			return 2
		case "ConsistentRead":
			v.ConsistentRead = d.boolPtr()
			return 3
		case "ReturnConsumedCapacity":
			v.ReturnConsumedCapacity = enumPtr[ReturnConsumedCapacity](d)
			return 4
		case "ProjectionExpression":
			v.ProjectionExpression = d.strPtr()
			return 5
		case "ExpressionAttributeNames":
			v.ExpressionAttributeNames = d.strMap()
			return 6
		}
		d.ok = false
		return -1
	})
	if !d.done() {
		return false
	}
	v.Checker, v.Parsed = in.Checker, in.Parsed
	*in = v
	return true
}
