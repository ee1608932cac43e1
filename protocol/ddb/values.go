package ddb

import (
	"errors"
	"slices"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/dynamo/attr"
)

// This file checks attribute values as DynamoDB does before it looks at a
// table: a value names exactly one type, numbers are numbers within
// DynamoDB's range and precision, sets are not empty and hold no
// duplicates, documents nest at most attr.MaxDepth levels, an item is at
// most attr.MaxItemSize. The checks and their messages are dynamo/attr's
// (Value.Validate, Item.CheckSize); this file only adapts them to the
// message strings the request checks here pass around.

// Messages protocol/ddb words itself with attr's words: BatchWriteItem
// refuses an empty WriteRequest with the several-types message (sic), and
// the legacy conditions' "One or more parameter values were invalid: "
// prefix.
const (
	msgValueSeveral     = "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"
	msgInvalidParameter = "One or more parameter values were invalid: "
)

// CheckValue returns DynamoDB's message for what is wrong with v, or "" if
// it is a valid attribute value (attr.Value.Validate). Map members are
// looked at in name order; DynamoDB looks at them in the request's order,
// which matters only for a value with several faults.
func CheckValue(v *attr.Value) string { return messageOf(v.Validate()) }

// CheckItem checks every value of item, in the order of its attribute
// names (DynamoDB's is the request's; a map does not keep it), and returns
// the first message, or "".
func CheckItem(item attr.Item) string { return messageOf(item.Validate()) }

// messageOf is the message of attr's ValidationException, "" for nil.
func messageOf(err error) string {
	if err == nil {
		return ""
	}
	var e *eddy.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
