package kds

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/eddy-streams/eddy"
)

// This file holds the generic machinery behind the Validate methods: the
// constraint shapes of the Kinesis model and a collector that words
// violations exactly as Kinesis does.
//
// Kinesis checks a request against the model before the operation runs and
// answers ValidationException with every violation it found, at most ten:
//
//	1 validation error detected: Value 'a$b' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+
//	2 validation errors detected: Value null at 'records' failed to satisfy constraint: Member must not be null; Value null at 'streamName' failed to satisfy constraint: Member must not be null
//
// Paths use the member names with the first letter lowered ('streamARN',
// 'shardFilter.type'); members of a list of structures are addressed as
// 'records.1.member.partitionKey', counting from 1. A list or map of strings
// is reported once, at the list, with the element constraint in brackets.
// Values are printed as Java prints them: strings in quotes, null bare, a
// blob as 'java.nio.HeapByteBuffer[pos=0 lim=N cap=N]', a list as
// '[a, b]', a map as '{k=v}'. Within one member the checks run in the order
// pattern, minimum length, maximum length (or minimum value, maximum value),
// which is the order Kinesis reports them in. Kinesis does not report
// members in model order, nor in alphabetical order: the Validate methods
// check members in the order observed from the service where known (the
// responses recorded in mhart/kinesalite test/*.js: limit before the other
// members of DescribeStream, ListStreams, ListTagsForStream and GetRecords;
// tags and tagKeys before streamName; shardToMerge before
// adjacentShardToMerge; streamName before shardToSplit; see each method)
// and otherwise in alphabetical order of the lowered member name. Members
// added to the model after those recordings (streamARN) go right before
// streamName.
//
// Lengths of strings count UTF-16 code units, as Java's String.length does.

// maxViolations is how many violations Kinesis reports at most; it stops
// collecting after that many and the count in the message says ten.
const maxViolations = 10

// violations collects constraint failures in the order they are found.
type violations struct {
	msgs []string
}

// add records one failure. value is already rendered: "null" or a quoted
// Java rendering.
func (v *violations) add(path, value, constraint string) {
	if len(v.msgs) >= maxViolations {
		return
	}
	v.msgs = append(v.msgs, "Value "+value+" at '"+path+"' failed to satisfy constraint: "+constraint)
}

// full reports whether no more violations will be recorded, so callers can
// stop walking long lists.
func (v *violations) full() bool { return len(v.msgs) >= maxViolations }

// err returns the ValidationException for the collected failures, or nil.
func (v *violations) err() error {
	switch len(v.msgs) {
	case 0:
		return nil
	case 1:
		return &eddy.Error{Code: eddy.CodeValidation, Message: "1 validation error detected: " + v.msgs[0]}
	}
	return &eddy.Error{
		Code:    eddy.CodeValidation,
		Message: strconv.Itoa(len(v.msgs)) + " validation errors detected: " + strings.Join(v.msgs, "; "),
	}
}

// Constraint messages, worded as Kinesis words them.
const (
	msgNotNull = "Member must not be null"
)

func msgPattern(p string) string { return "Member must satisfy regular expression pattern: " + p }
func msgMinLen(n int64) string   { return "Member must have length greater than or equal to " + itoa(n) }
func msgMaxLen(n int64) string   { return "Member must have length less than or equal to " + itoa(n) }
func msgMinVal(n int64) string   { return "Member must have value greater than or equal to " + itoa(n) }
func msgMaxVal(n int64) string   { return "Member must have value less than or equal to " + itoa(n) }
func msgEnum(values []string) string {
	return "Member must satisfy enum value set: [" + strings.Join(values, ", ") + "]"
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// bounds is an inclusive range; a nil end is unbounded. It serves for
// lengths (strings, blobs, lists, maps) and for numeric values.
type bounds struct {
	min, max *int64
}

func atLeast(min int64) bounds       { return bounds{min: &min} }
func between(min, max int64) bounds  { return bounds{min: &min, max: &max} }
func (b bounds) below(n int64) bool  { return b.min != nil && n < *b.min }
func (b bounds) above(n int64) bool  { return b.max != nil && n > *b.max }
func (b bounds) within(n int64) bool { return !b.below(n) && !b.above(n) }

// stringShape is a string shape of the model: a length range and an
// optional pattern, kept in the text Kinesis prints.
type stringShape struct {
	length  bounds
	pattern string
	re      *regexp.Regexp
}

func newStringShape(length bounds, pattern string) *stringShape {
	s := &stringShape{length: length, pattern: pattern}
	if pattern != "" {
		// Java's Pattern.matches matches the whole string.
		s.re = regexp.MustCompile(`^(?:` + pattern + `)$`)
	}
	return s
}

// ok reports whether s satisfies every constraint of the shape.
func (sh *stringShape) ok(s string) bool {
	return (sh.re == nil || sh.re.MatchString(s)) && sh.length.within(javaLen(s))
}

// elementConstraint is how Kinesis describes the shape when an element of a
// list or map fails it: "[Member must have length less than or equal to
// 128, Member must have length greater than or equal to 1]". The maximum
// comes first, as observed.
func (sh *stringShape) elementConstraint() string {
	var parts []string
	if sh.length.max != nil {
		parts = append(parts, msgMaxLen(*sh.length.max))
	}
	if sh.length.min != nil {
		parts = append(parts, msgMinLen(*sh.length.min))
	}
	if sh.pattern != "" {
		parts = append(parts, msgPattern(sh.pattern))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// javaLen is the length of s in UTF-16 code units.
func javaLen(s string) int64 {
	n := int64(0)
	for _, r := range s {
		n += int64(utf16.RuneLen(r))
	}
	return n
}

// enumShape is an enum of the model with its values in the order Kinesis
// lists them in the message.
type enumShape struct {
	values []string
}

func (e enumShape) ok(s string) bool { return slices.Contains(e.values, s) }

func enumOf[T ~string](values ...T) enumShape {
	s := make([]string, len(values))
	for i, v := range values {
		s[i] = string(v)
	}
	return enumShape{values: s}
}

// quote renders a non-null value as Kinesis does.
func quote(s string) string { return "'" + s + "'" }

// required records a null violation when a required member is absent and
// reports whether the member is present.
func (v *violations) required(path string, present, req bool) bool {
	if !present && req {
		v.add(path, "null", msgNotNull)
	}
	return present
}

// str checks a string member.
func (v *violations) str(path string, s *string, req bool, sh *stringShape) {
	if !v.required(path, s != nil, req) {
		return
	}
	val := *s
	if sh.re != nil && !sh.re.MatchString(val) {
		v.add(path, quote(val), msgPattern(sh.pattern))
	}
	n := javaLen(val)
	if sh.length.below(n) {
		v.add(path, quote(val), msgMinLen(*sh.length.min))
	}
	if sh.length.above(n) {
		v.add(path, quote(val), msgMaxLen(*sh.length.max))
	}
}

// num checks an integer member.
func num[T ~int32 | ~int64](v *violations, path string, n *T, req bool, r bounds) {
	if !v.required(path, n != nil, req) {
		return
	}
	x := int64(*n)
	if r.below(x) {
		v.add(path, quote(itoa(x)), msgMinVal(*r.min))
	}
	if r.above(x) {
		v.add(path, quote(itoa(x)), msgMaxVal(*r.max))
	}
}

// enum checks an enum member.
func enum[T ~string](v *violations, path string, val *T, req bool, sh enumShape) {
	if !v.required(path, val != nil, req) {
		return
	}
	if !sh.ok(string(*val)) {
		v.add(path, quote(string(*val)), msgEnum(sh.values))
	}
}

// blob checks a blob member. A nil slice is absent; encoding/json and
// awscbor both decode a present empty blob to a non-nil empty slice.
func (v *violations) blob(path string, b []byte, req bool, length bounds) {
	if !v.required(path, b != nil, req) {
		return
	}
	n := int64(len(b))
	if length.below(n) {
		v.add(path, quote(renderBlob(b)), msgMinLen(*length.min))
	}
	if length.above(n) {
		v.add(path, quote(renderBlob(b)), msgMaxLen(*length.max))
	}
}

// listLength checks the length of a list member whose rendering is made on
// demand, and reports whether the list is present.
func (v *violations) listLength(path string, present bool, n int, req bool, length bounds, render func() string) bool {
	if !v.required(path, present, req) {
		return false
	}
	if length.below(int64(n)) {
		v.add(path, quote(render()), msgMinLen(*length.min))
	}
	if length.above(int64(n)) {
		v.add(path, quote(render()), msgMaxLen(*length.max))
	}
	return true
}

// strList checks a list of strings: its length, then its elements as one
// constraint on the list.
func (v *violations) strList(path string, l []string, req bool, length bounds, elem *stringShape) {
	render := func() string { return renderList(l) }
	if !v.listLength(path, l != nil, len(l), req, length, render) {
		return
	}
	for _, s := range l {
		if !elem.ok(s) {
			v.add(path, quote(render()), "Member must satisfy constraint: "+elem.elementConstraint())
			return
		}
	}
}

// enumList checks a list of enum values.
func enumList[T ~string](v *violations, path string, l []T, req bool, length bounds, elem enumShape) {
	render := func() string { return renderList(l) }
	if !v.listLength(path, l != nil, len(l), req, length, render) {
		return
	}
	for _, s := range l {
		if !elem.ok(string(s)) {
			v.add(path, quote(render()), "Member must satisfy constraint: ["+msgEnum(elem.values)+"]")
			return
		}
	}
}

// strMap checks a map of strings to strings: its size, then its keys, then
// its values.
func (v *violations) strMap(path string, m map[string]string, req bool, size bounds, key, val *stringShape) {
	render := func() string { return renderMap(m) }
	if !v.listLength(path, m != nil, len(m), req, size, render) {
		return
	}
	for k := range m {
		if !key.ok(k) {
			v.add(path, quote(render()), "Map keys must satisfy constraint: "+key.elementConstraint())
			break
		}
	}
	for _, s := range m {
		if !val.ok(s) {
			v.add(path, quote(render()), "Map value must satisfy constraint: "+val.elementConstraint())
			break
		}
	}
}

// renderBlob is how Java prints the ByteBuffer holding a blob.
func renderBlob(b []byte) string {
	n := strconv.Itoa(len(b))
	return "java.nio.HeapByteBuffer[pos=0 lim=" + n + " cap=" + n + "]"
}

// renderList is how Java prints a list of strings.
func renderList[T ~string](l []T) string {
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

// renderMap is how Java prints a map of strings. Java's order is its hash
// order; keys are sorted here so the message is deterministic.
func renderMap(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(m[k])
	}
	b.WriteByte('}')
	return b.String()
}

// renderObject is how Java prints a structure without a toString method:
// its class name and hash code. Kinesis's hash codes cannot be reproduced;
// a hash of the structure's rendered fields stands in for them.
func renderObject(shape string, fields ...string) string {
	h := uint32(1)
	for _, f := range fields {
		for i := 0; i < len(f); i++ {
			h = 31*h + uint32(f[i])
		}
		h = 31 * h
	}
	return "com.amazonaws.kinesis.v20131202." + shape + "@" + strconv.FormatUint(uint64(h), 16)
}

// member is the path of element i (counting from 0) of a list of
// structures.
func member(path string, i int) string {
	return path + "." + strconv.Itoa(i+1) + ".member"
}

// Presence rules that the model cannot express. Kinesis checks them after
// the model constraints and answers InvalidArgumentException.
//
// No recording or quotation of Kinesis's answer to a request naming no
// stream (neither StreamName nor StreamARN), nor to one naming no consumer,
// was found (searched: kinesalite's and kinesis-mock's tests, botocore and
// the AWS SDKs' test data, issue threads); these wordings follow the form
// of the ListShards message ("Either NextToken or StreamName should be
// provided.").
const (
	msgNoStream          = "Either StreamName or StreamARN should be provided."
	msgNoStreamARN       = "StreamARN should be provided."
	msgNoConsumer        = "Either ConsumerARN or both ConsumerName and StreamARN should be provided."
	msgListShardsNoInput = "Either NextToken or StreamName should be provided."
)

func invalidArgument(msg string) error {
	return &eddy.Error{Code: eddy.CodeInvalidArgument, Message: msg}
}

// needStream is the rule for operations that take StreamName or StreamARN,
// both optional in the model: one of them must be there.
func needStream(name, arn *string) error {
	if name == nil && arn == nil {
		return invalidArgument(msgNoStream)
	}
	return nil
}

// Shapes of the model (Kinesis_20131202) with their constraints.
var (
	shapeStreamName     = newStringShape(between(1, 128), `[a-zA-Z0-9_.-]+`)
	shapeStreamARN      = newStringShape(between(1, 2048), `arn:aws.*:kinesis:.*:\d{12}:stream/\S+`)
	shapeConsumerName   = newStringShape(between(1, 128), `[a-zA-Z0-9_.-]+`)
	shapeConsumerARN    = newStringShape(between(1, 2048), `^(arn):aws.*:kinesis:.*:\d{12}:.*stream\/[a-zA-Z0-9_.-]+\/consumer\/[a-zA-Z0-9_.-]+:[0-9]+`)
	shapeResourceARN    = newStringShape(between(1, 2048), `arn:aws.*:kinesis:.*:\d{12}:.*stream/\S+`)
	shapeShardID        = newStringShape(between(1, 128), `[a-zA-Z0-9_.-]+`)
	shapeShardIterator  = newStringShape(between(1, 512), "")
	shapeSequenceNumber = newStringShape(bounds{}, `0|([1-9]\d{0,128})`)
	shapeHashKey        = newStringShape(bounds{}, `0|([1-9]\d{0,38})`)
	shapePartitionKey   = newStringShape(between(1, 256), "")
	shapeKeyID          = newStringShape(between(1, 2048), "")
	shapeNextToken      = newStringShape(between(1, 1048576), "")
	shapeTagKey         = newStringShape(between(1, 128), "")
	shapeTagValue       = newStringShape(between(0, 256), "")
	// shapeUnconstrained is a string shape whose constraints, if any, are
	// not known (StreamId, and the channel shapes; see channels.go).
	shapeUnconstrained = newStringShape(bounds{}, "")

	lenData          = between(0, eddy.MaxRecordDataSize) // Data: blob, 0..10485760
	lenMetricsList   = between(1, 7)                      // MetricsNameList
	lenTagKeyList    = between(1, 50)                     // TagKeyList
	lenTagMap        = between(1, 200)                    // TagMap
	lenPutRecordsReq = between(1, 500)                    // PutRecordsRequestEntryList

	rangePositive          = atLeast(1) // PositiveIntegerObject
	rangeNatural           = atLeast(0) // NaturalIntegerObject (min 0, no max known)
	rangeMaxRecordSizeKiB  = between(1024, 10240)
	rangeDescribeStreamLim = between(1, 10000) // DescribeStreamInputLimit
	rangeGetRecordsLimit   = between(1, eddy.MaxGetRecordsLimit)
	rangeListShardsLimit   = between(1, 10000)
	rangeListConsumersLim  = between(1, 10000)
	rangeListStreamsLimit  = between(1, 10000)
	rangeListTagsLimit     = between(1, 50) // ListTagsForStreamInputLimit
)
