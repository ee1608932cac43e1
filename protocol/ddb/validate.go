package ddb

import (
	"encoding/json"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/eddy-streams/eddy"
)

// This file holds the machinery of the Validate methods: the model's
// constraints, checked and worded as DynamoDB does.
//
// DynamoDB checks a request in three steps before it looks at a table
// (dynalite validations/index.js checkValidations, which replays the
// answers recorded in its test/*.js):
//
//  1. For the table operations (CreateTable, DescribeTable, DeleteTable,
//     UpdateTable, DescribeTimeToLive) a missing TableName, then one
//     shorter than 3 or longer than 255 characters, is answered alone:
//     "The parameter 'TableName' is required but was not present in the
//     request", "TableName must be at least 3 characters long and at most
//     255 characters long".
//  2. The model's constraints, all at once, at most ten:
//     "2 validation errors detected: Value null at 'keySchema' failed to
//     satisfy constraint: Member must not be null; Value 'a;' at
//     'tableName' failed to satisfy constraint: Member must satisfy regular
//     expression pattern: [a-zA-Z0-9_.-]+". Members are checked in the
//     order dynalite lists them for each operation (its validations/*.js,
//     ordered to match the recordings), and within a member in the order
//     not null, pattern, minimum length, maximum length, enum, minimum
//     value, maximum value. Paths lower the first letter of each member
//     name; the elements of a list are 'keySchema.1.member', counting from
//     1, the values of a map 'expected.attr.member'.
//  3. The operation's own rules, one message, the first that fails (each
//     operation's Validate, in dynalite's order).
//
// Values are printed as Java prints them: strings in quotes, null bare, a
// list of strings '[a, b]', a structure as its class and a hash
// ('com.amazonaws.dynamodb.v20120810.KeySchemaElement@1f2a3b'; DynamoDB's
// hash codes cannot be reproduced, a hash of the structure's members
// stands in for them). Lengths of strings count UTF-16 code units, as
// Java's String.length does.

// maxViolations is how many constraint failures DynamoDB reports at most.
const maxViolations = 10

// Constraint texts.
const (
	msgNotNull = "Member must not be null"
)

func msgPattern(p string) string { return "Member must satisfy regular expression pattern: " + p }
func msgMinLen(n int) string {
	return "Member must have length greater than or equal to " + strconv.Itoa(n)
}
func msgMaxLen(n int) string {
	return "Member must have length less than or equal to " + strconv.Itoa(n)
}
func msgMinVal(n int64) string {
	return "Member must have value greater than or equal to " + strconv.FormatInt(n, 10)
}
func msgMaxVal(n int64) string {
	return "Member must have value less than or equal to " + strconv.FormatInt(n, 10)
}
func msgEnum(values []string) string {
	return "Member must satisfy enum value set: [" + strings.Join(values, ", ") + "]"
}

// validationError is a ValidationException with msg.
func validationError(msg string) error {
	return &eddy.Error{Code: eddy.CodeValidation, Message: msg}
}

// violations collects constraint failures in the order they are found.
type violations struct {
	msgs []string
}

// add records one failure; value is already rendered ("null" or quoted).
func (v *violations) add(path, value, constraint string) {
	if len(v.msgs) >= maxViolations {
		return
	}
	v.msgs = append(v.msgs, "Value "+value+" at '"+path+"' failed to satisfy constraint: "+constraint)
}

// err returns the ValidationException for the failures, or nil.
func (v *violations) err() error {
	switch len(v.msgs) {
	case 0:
		return nil
	case 1:
		return validationError("1 validation error detected: " + v.msgs[0])
	}
	return validationError(strconv.Itoa(len(v.msgs)) + " validation errors detected: " + strings.Join(v.msgs, "; "))
}

// notNull records a null violation when a member the model requires is
// absent, and reports whether the member is present.
func (v *violations) notNull(path string, present, required bool) bool {
	if !present && required {
		v.add(path, "null", msgNotNull)
	}
	return present
}

// strShape is a string shape of the model: an optional pattern and length
// bounds (0: none).
type strShape struct {
	pattern string
	re      *regexp.Regexp
	min     int
	max     int
}

func newStrShape(pattern string, min, max int) strShape {
	s := strShape{pattern: pattern, min: min, max: max}
	if pattern != "" {
		s.re = regexp.MustCompile(`^(?:` + pattern + `)$`)
	}
	return s
}

// ok reports whether s satisfies every constraint of the shape.
func (sh strShape) ok(s string) bool {
	n := javaLen(s)
	return (sh.re == nil || sh.re.MatchString(s)) && (sh.min == 0 || n >= sh.min) && (sh.max == 0 || n <= sh.max)
}

// str checks a string member: not null, pattern, minimum and maximum
// length.
func (v *violations) str(path string, s *string, required bool, sh strShape) {
	if !v.notNull(path, s != nil, required) {
		return
	}
	val := *s
	if sh.re != nil && !sh.re.MatchString(val) {
		v.add(path, quote(val), msgPattern(sh.pattern))
	}
	n := javaLen(val)
	if sh.min > 0 && n < sh.min {
		v.add(path, quote(val), msgMinLen(sh.min))
	}
	if sh.max > 0 && n > sh.max {
		v.add(path, quote(val), msgMaxLen(sh.max))
	}
}

// enumShape is an enum with its values in the order DynamoDB lists them.
type enumShape []string

// enum checks an enum member.
func enum[T ~string](v *violations, path string, val *T, required bool, sh enumShape) {
	if !v.notNull(path, val != nil, required) {
		return
	}
	for _, s := range sh {
		if s == string(*val) {
			return
		}
	}
	v.add(path, quote(string(*val)), msgEnum(sh))
}

// num checks a number member against a minimum and, if max > min, a
// maximum.
func num[T ~int32 | ~int64](v *violations, path string, n *T, required bool, min, max int64) {
	if !v.notNull(path, n != nil, required) {
		return
	}
	x := int64(*n)
	if x < min {
		v.add(path, quote(strconv.FormatInt(x, 10)), msgMinVal(min))
	}
	if max > min && x > max {
		v.add(path, quote(strconv.FormatInt(x, 10)), msgMaxVal(max))
	}
}

// length checks the length of a list or map member (min, max: 0 for none)
// whose rendering is made on demand, and reports whether it is present.
func (v *violations) length(path string, present bool, n int, required bool, min, max int, render func() string) bool {
	if !v.notNull(path, present, required) {
		return false
	}
	if min > 0 && n < min {
		v.add(path, quote(render()), msgMinLen(min))
	}
	if max > 0 && n > max {
		v.add(path, quote(render()), msgMaxLen(max))
	}
	return true
}

// mapKeys checks the keys of a map against a string shape, reporting the
// map once: "Map keys must satisfy constraint: [...]" (dynalite
// validations/index.js validateFns.keys words the bracket; its order is
// its shape's: maximum, minimum, pattern).
func (v *violations) mapKeys(path string, keys []string, sh strShape, render func() string) {
	for _, k := range keys {
		if !sh.ok(k) {
			parts := []string{}
			if sh.max > 0 {
				parts = append(parts, msgMaxLen(sh.max))
			}
			if sh.min > 0 {
				parts = append(parts, msgMinLen(sh.min))
			}
			if sh.pattern != "" {
				parts = append(parts, msgPattern(sh.pattern))
			}
			v.add(path, quote(render()), "Map keys must satisfy constraint: ["+strings.Join(parts, ", ")+"]")
			return
		}
	}
}

// javaLen is the length of s in UTF-16 code units.
func javaLen(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// quote renders a non-null value.
func quote(s string) string { return "'" + s + "'" }

// renderStrings is how Java prints a list of strings: "[a, b]".
func renderStrings[T ~string](l []T) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, s := range l {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(string(s))
	}
	b.WriteByte(']')
	return b.String()
}

// renderObject is how Java prints a model structure without a toString:
// its class and a hash code, here a hash of the structure's Go value.
func renderObject(v any) string {
	t := reflect.TypeOf(v)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	h := uint32(1)
	b, _ := json.Marshal(v) // the model's structures always encode
	for _, c := range b {
		h = 31*h + uint32(c)
	}
	return ModelPackage + "." + shapeName(t) + "@" + strconv.FormatUint(uint64(h), 16)
}

// renderObjects is how Java prints a list of model structures.
func renderObjects[T any](l []T) string {
	parts := make([]string, len(l))
	for i := range l {
		parts[i] = renderObject(&l[i])
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// renderMap is how Java prints a map of string keys to model structures:
// "{k=class@hash, ...}", keys in sorted order (Java's is its hash order).
func renderMap[V any](m map[string]V) string {
	keys := sortedKeys(m)
	parts := make([]string, len(keys))
	for i, k := range keys {
		val := m[k]
		parts[i] = k + "=" + renderObject(&val)
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// member is the path of element i (from 0) of a list of structures.
func member(path string, i int) string {
	return path + "." + strconv.Itoa(i+1) + ".member"
}

// mapMember is the path of the value at key of a map of structures.
func mapMember(path, key string) string {
	return path + "." + key + ".member"
}

// Shapes of the model with the constraints dynalite records for them
// (validations/*.js).
var (
	shapeTableName = newStrShape(`[a-zA-Z0-9_.-]+`, 3, 255)
	shapeIndexName = newStrShape(`[a-zA-Z0-9_.-]+`, 3, 255)
	// shapeTableNamePattern is TableName in the table operations, whose
	// length is checked first, alone (checkTableName).
	shapeTableNamePattern = newStrShape(`[a-zA-Z0-9_.-]+`, 0, 0)
	shapeAny              = newStrShape("", 0, 0)
	// TimeToLiveAttributeName: length 1 to 255 (the model; recorded
	// "Member must have length greater than or equal to 1" for "").
	shapeTTLAttributeName = newStrShape("", 1, 255)

	enumAttributeType        = enumShape{"B", "N", "S"}
	enumKeyType              = enumShape{"HASH", "RANGE"}
	enumBillingMode          = enumShape{"PROVISIONED", "PAY_PER_REQUEST"}
	enumProjectionType       = enumShape{"ALL", "INCLUDE", "KEYS_ONLY"}
	enumReturnConsumed       = enumShape{"INDEXES", "TOTAL", "NONE"}
	enumReturnValues         = enumShape{"ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW"}
	enumReturnMetrics        = enumShape{"SIZE", "NONE"}
	enumConditionalOperator  = enumShape{"OR", "AND"}
	enumComparisonOperator   = enumShape{"IN", "NULL", "BETWEEN", "LT", "NOT_CONTAINS", "EQ", "GT", "NOT_NULL", "NE", "LE", "BEGINS_WITH", "GE", "CONTAINS"}
	enumSelect               = enumShape{"SPECIFIC_ATTRIBUTES", "COUNT", "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES"}
	enumReturnOnCheckFailure = enumShape{"ALL_OLD", "NONE"} // the model's order; no recording
	// StreamViewType as DynamoDB lists it in the message (a recorded
	// answer for streamSpecification.streamViewType '').
	enumStreamViewType = enumShape{"OLD_IMAGE", "KEYS_ONLY", "NEW_AND_OLD_IMAGES", "NEW_IMAGE"}
	enumSSEType        = enumShape{"AES256", "KMS"}                          // the model's order; no recording
	enumTableClass     = enumShape{"STANDARD", "STANDARD_INFREQUENT_ACCESS"} // the model's order; no recording
)

// Messages of the table operations' first checks (dynalite
// validations/index.js checkValidations).
func msgRequired(member string) string {
	return "The parameter '" + member + "' is required but was not present in the request"
}

const msgTableNameLength = "TableName must be at least 3 characters long and at most 255 characters long"

// checkTableName is step 1 for the table operations: TableName present,
// then 3 to 255 characters long.
func checkTableName(name *string) error {
	if name == nil {
		return validationError(msgRequired("TableName"))
	}
	if n := javaLen(*name); n < 3 || n > 255 {
		return validationError(msgTableNameLength)
	}
	return nil
}
