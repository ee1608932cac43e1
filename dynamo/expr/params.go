package expr

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/dynamo/attr"
)

// Params holds one request's ExpressionAttributeNames and
// ExpressionAttributeValues, and records which of them the request's
// expressions use. DynamoDB refuses a request that supplies an entry none of
// its expressions uses; it checks the union over all the expressions of the
// request (a value used only in the ConditionExpression and a name used only
// in the UpdateExpression are both used). Parse every expression of the
// request with the same Params, then call Unused.
//
// A nil *Params is valid and holds no names or values. Params is not safe
// for concurrent use.
type Params struct {
	names      map[string]string
	values     map[string]attr.Value
	usedNames  map[string]bool
	usedValues map[string]bool
}

// paramKeyOK reports whether key is prefix followed by one or more
// letters, digits and underscores.
func paramKeyOK(key string, prefix byte) bool {
	if len(key) < 2 || key[0] != prefix {
		return false
	}
	for i := 1; i < len(key); i++ {
		if !isIdentPart(key[i]) {
			return false
		}
	}
	return true
}

// NewParams validates a request's ExpressionAttributeNames and
// ExpressionAttributeValues (either may be nil: absent from the request) and
// returns them ready for parsing. The values are kept in canonical form
// (attr.Value.Canonical).
//
// The checks and messages are DynamoDB's: a map present but empty ("...
// must not be empty"), a key longer than 255 bytes, a key that is not # (or
// :) followed by letters, digits and underscores, an empty attribute name,
// and a malformed value ("ExpressionAttributeValues contains invalid value:
// <message> for key :v"). Sources: dynalite's validations/index.js and tests
// (test/updateItem.js), and ExtendDB's tests/test_expression_attribute_map_validation.py
// (captured from DynamoDB: the length check comes before the syntax check,
// and the values' length message has no "size of key").
//
// Keys are checked in sorted order, so where several are wrong the one
// reported may differ from DynamoDB's. Whether the request may carry these
// maps at all ("ExpressionAttributeNames can only be specified when using
// expressions") is for the caller, which knows the request's parameters.
func NewParams(names map[string]string, values map[string]attr.Value) (*Params, error) {
	p := &Params{}
	if names != nil {
		if len(names) == 0 {
			return nil, validation("ExpressionAttributeNames must not be empty")
		}
		keys := sortedKeys(names)
		for _, k := range keys {
			if len(k) > maxParamKeySize {
				return nil, validation("ExpressionAttributeNames contains invalid key: " +
					detail("The expression attribute map contains a key that is too long", "size of key", strconv.Itoa(len(k))))
			}
			if !paramKeyOK(k, '#') {
				return nil, validation(`ExpressionAttributeNames contains invalid key: Syntax error; key: "` + k + `"`)
			}
		}
		for _, k := range keys {
			if names[k] == "" {
				return nil, validation("ExpressionAttributeNames contains invalid value: Empty attribute name for key " + k)
			}
		}
		p.names = names
	}
	if values != nil {
		if len(values) == 0 {
			return nil, validation("ExpressionAttributeValues must not be empty")
		}
		keys := sortedKeys(values)
		for _, k := range keys {
			if len(k) > maxParamKeySize {
				return nil, validation("ExpressionAttributeValues contains invalid key: The expression attribute map contains a key that is too long;")
			}
			if !paramKeyOK(k, ':') {
				return nil, validation(`ExpressionAttributeValues contains invalid key: Syntax error; key: "` + k + `"`)
			}
		}
		canonical := make(map[string]attr.Value, len(values))
		for _, k := range keys {
			v := values[k]
			if err := v.Validate(); err != nil {
				return nil, validation("ExpressionAttributeValues contains invalid value: " + messageOf(err) + " for key " + k)
			}
			canonical[k] = v.Canonical()
		}
		p.values = canonical
	}
	return p, nil
}

// name resolves a #name, recording its use.
func (p *Params) name(key string) (string, bool) {
	if p == nil {
		return "", false
	}
	n, ok := p.names[key]
	if ok {
		if p.usedNames == nil {
			p.usedNames = map[string]bool{}
		}
		p.usedNames[key] = true
	}
	return n, ok
}

// value resolves a :value, recording its use.
func (p *Params) value(key string) (attr.Value, bool) {
	if p == nil {
		return attr.Value{}, false
	}
	v, ok := p.values[key]
	if ok {
		if p.usedValues == nil {
			p.usedValues = map[string]bool{}
		}
		p.usedValues[key] = true
	}
	return v, ok
}

// Unused reports the names, then the values, that no expression parsed with
// p has used, as DynamoDB does: "Value provided in ExpressionAttributeNames
// unused in expressions: keys: {#a, #b}" (the keys sorted; dynalite's tests
// accept either order).
func (p *Params) Unused() error {
	if p == nil {
		return nil
	}
	if keys := unused(p.names, p.usedNames); len(keys) > 0 {
		return validation("Value provided in ExpressionAttributeNames unused in expressions: keys: {" + strings.Join(keys, ", ") + "}")
	}
	if keys := unused(p.values, p.usedValues); len(keys) > 0 {
		return validation("Value provided in ExpressionAttributeValues unused in expressions: keys: {" + strings.Join(keys, ", ") + "}")
	}
	return nil
}

func unused[V any](m map[string]V, used map[string]bool) []string {
	var keys []string
	for k := range m {
		if !used[k] {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// messageOf returns the message of an *eddy.Error, or err's text.
func messageOf(err error) string {
	var e *eddy.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}
