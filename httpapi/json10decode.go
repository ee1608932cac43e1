package httpapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"

	"github.com/eddy-streams/eddy"
)

// This file decodes a ProtocolJSON10 request body into an operation's input
// the way DynamoDB's front end reads it. It differs from encoding/json, and
// from ProtocolJSON11's decoding, in what it accepts and how it words what
// it refuses:
//
//   - Member names match exactly (encoding/json also matches them ignoring
//     case); an unknown member, and a null, is ignored.
//   - A Boolean member also takes the strings "true", "1", "yes", "false",
//     "0" and "no" in any case; an Integer or Long member takes a number
//     with a fraction (rounded down) or out of range (clamped): dynalite's
//     validations/index.js checkTypes converts them, and its index.js
//     records DynamoDB answering a Limit of 2147483647 for a larger one.
//   - A value of the wrong type gets DynamoDB's SerializationException
//     texts, which name the value's JSON token and the member's Java type
//     (checkTypes, with the real answers recorded in dynalite's
//     test/*.js assertType): "NUMBER_VALUE cannot be converted to String",
//     "STRING_VALUE cannot be converted to Long", "Unexpected field type",
//     "Start of structure or map found where not expected", "Unrecognized
//     collection type class java.lang.String", ... (see mismatch10).
//   - A body that is JSON but not an object names no member: it decodes
//     to the zero input, as dynalite reads it.
//
// The decoder walks the body once without allocating, checking each value
// against the input's shape. Most bodies need nothing more, and
// encoding/json (or an input's own fast decoder, fastDecoder10) decodes them.
// A body that needs a conversion, or has a
// member whose name matches one only ignoring case, is rewritten by a
// second walk (conversions applied, unknown members dropped) and the
// rewritten body decoded. The first value that does not fit, in document
// order, is the one reported (dynalite checks members in its own order;
// for one bad value the answer is the same).

// decodeJSON10 decodes body, well-formed JSON, into in (a pointer to the
// operation's input) for svc. It returns a SerializationException for a
// value of the wrong type, an *eddy.Error an input's own UnmarshalJSON
// returned, or another error (a bug) for an input type it cannot decode.
func decodeJSON10(body []byte, in any, svc *service) error {
	rt := reflect.TypeOf(in)
	if rt.Kind() != reflect.Pointer {
		return &json.InvalidUnmarshalError{Type: rt}
	}
	sh := shapeOf10(rt.Elem())
	w := walker10{data: body, svc: svc}
	w.ws()
	if w.pos >= len(w.data) || w.data[w.pos] != '{' {
		return nil // not an object: nothing to decode
	}
	w.value(sh, ctxField)
	if w.msg != "" {
		return &eddy.Error{Code: eddy.CodeSerialization, Message: w.msg}
	}
	if w.fix {
		body = rewriteJSON10(body, sh, svc)
	} else if fd, ok := in.(fastDecoder10); ok && fd.DecodeFastJSON(body) {
		return nil
	}
	if err := json.Unmarshal(body, in); err != nil {
		var ee *eddy.Error
		if errors.As(err, &ee) {
			return ee
		}
		var ute *json.UnmarshalTypeError
		var ie *json.InvalidUnmarshalError
		if errors.As(err, &ute) || errors.As(err, &ie) {
			// The walk let through what encoding/json cannot decode: an
			// input type this decoder does not understand.
			return err
		}
		// From an input's own UnmarshalJSON, which judges the value.
		return &eddy.Error{Code: eddy.CodeSerialization, Message: err.Error()}
	}
	return nil
}

// fastDecoder10 is an input with a decoder of its own for plain bodies
// (protocol/ddb's hot single-item operations): it decodes body as
// encoding/json would, or returns false, and the body goes to
// encoding/json. It is asked only when the walk found nothing to convert.
type fastDecoder10 interface {
	DecodeFastJSON(body []byte) bool
}

// rewriteJSON10 returns body with the conversions DynamoDB makes applied
// and the members it ignores dropped.
func rewriteJSON10(body []byte, sh *shape10, svc *service) []byte {
	w := walker10{data: body, svc: svc, out: make([]byte, 0, len(body)), emit: true}
	w.ws()
	w.value(sh, ctxField)
	return w.out
}

// kind10 is how a member's Go type is carried on the wire.
type kind10 int

const (
	k10Any kind10 = iota // an interface or a type that decodes itself: anything goes
	k10String
	k10Bool
	k10Int // signed integers: Integer (32 bits) or Long (64)
	k10Float
	k10Blob
	k10List
	k10Map
	k10Struct
)

// shape10 is the plan for checking values of one Go type.
type shape10 struct {
	kind   kind10
	t      reflect.Type // the Go type (pointers removed)
	bits   int          // k10Int: 32 or 64
	elem   *shape10     // k10List, k10Map
	fields map[string]*shape10
}

var shapes10 sync.Map // reflect.Type -> *shape10

// shapeOf10 returns the plan for t, building and caching it on first use.
func shapeOf10(t reflect.Type) *shape10 {
	if sh, ok := shapes10.Load(t); ok {
		return sh.(*shape10)
	}
	sh := buildShape10(t, map[reflect.Type]*shape10{})
	actual, _ := shapes10.LoadOrStore(t, sh)
	return actual.(*shape10)
}

func buildShape10(t reflect.Type, seen map[reflect.Type]*shape10) *shape10 {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if sh, ok := seen[t]; ok {
		return sh // a recursive type (AttributeValue's L and M)
	}
	sh := &shape10{t: t}
	seen[t] = sh
	if reflect.PointerTo(t).Implements(jsonUnmarshalerType) {
		return sh // k10Any
	}
	switch t.Kind() {
	case reflect.String:
		sh.kind = k10String
	case reflect.Bool:
		sh.kind = k10Bool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		sh.kind, sh.bits = k10Int, t.Bits()
	case reflect.Float32, reflect.Float64:
		sh.kind = k10Float
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			sh.kind = k10Blob
		} else {
			sh.kind, sh.elem = k10List, buildShape10(t.Elem(), seen)
		}
	case reflect.Map:
		sh.kind, sh.elem = k10Map, buildShape10(t.Elem(), seen)
	case reflect.Struct:
		sh.kind = k10Struct
		sh.fields = map[string]*shape10{}
		for name, ft := range membersOf(t) {
			sh.fields[name] = buildShape10(ft, seen)
		}
	}
	return sh
}

// javaName is the Java type AWS's messages name for a scalar shape.
func (sh *shape10) javaName() string {
	switch sh.kind {
	case k10String:
		return "String"
	case k10Bool:
		return "Boolean"
	case k10Int:
		if sh.bits == 64 {
			return "Long"
		}
		return "Integer"
	case k10Float:
		return "Double"
	}
	return sh.t.String()
}

// javaClass is the fully qualified Java class of the shape, as
// DynamoDB's "Unrecognized collection type" messages name it.
func (sh *shape10) javaClass(svc *service) string {
	switch sh.kind {
	case k10String, k10Bool, k10Int, k10Float:
		return "java.lang." + sh.javaName()
	case k10Blob:
		return "java.nio.ByteBuffer"
	case k10List:
		return "java.util.List<" + sh.elem.javaClass(svc) + ">"
	case k10Map:
		return "java.util.Map<java.lang.String, " + sh.elem.javaClass(svc) + ">"
	case k10Struct:
		return svc.modelClass(sh.t)
	}
	return sh.t.String()
}

// ctx10 is where a value sits, which changes some of DynamoDB's messages:
// a structure that is a member ("FieldStruct" in dynalite's terms) or an
// element of a list or value of a map ("ValueStruct"), and a list or map
// directly inside another list or map ("ParameterizedList/Map").
type ctx10 int

const (
	ctxField   ctx10 = iota // a member of a structure, or the body
	ctxElement              // an element of a list or a value of a map
)

// found10 is the kind of JSON value found.
type found10 int

const (
	foundObject found10 = iota
	foundArray
	foundString
	foundTrue
	foundFalse
	foundNumber
)

// Messages of DynamoDB's front end (dynalite validations/index.js
// checkTypes).
const (
	msgStartOfStructure = "Start of structure or map found where not expected"
	msgUnexpectedField  = "Unexpected field type"
	msgUnexpectedValue  = "Unexpected value type in payload"
	msgUnexpectedToken  = "Unexpected token received from parser"
	msgBlobNotString    = "only base-64-encoded strings are convertible to bytes"
	msgParameterized    = "class sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl cannot be cast to class java.lang.Class " +
		"(sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl and java.lang.Class are in module java.base of loader 'bootstrap')"
)

// mismatch10 judges a value of kind found (text: a string's contents or a
// number as written) for a member of shape sh in context ctx. It returns
// DynamoDB's message if the value is refused, or whether it is accepted
// only after a conversion (fix).
func mismatch10(sh *shape10, ctx ctx10, found found10, text string, svc *service) (msg string, fix bool) {
	token := func() string {
		switch found {
		case foundTrue:
			return "TRUE_VALUE"
		case foundFalse:
			return "FALSE_VALUE"
		case foundString:
			return "STRING_VALUE"
		}
		if f, err := strconv.ParseFloat(text, 64); err == nil && f != math.Trunc(f) {
			return "DECIMAL_VALUE"
		}
		return "NUMBER_VALUE"
	}
	scalar := found != foundObject && found != foundArray
	switch sh.kind {
	case k10Any:
		return "", false
	case k10String, k10Bool, k10Int, k10Float:
		switch found {
		case foundObject:
			return msgStartOfStructure, false
		case foundArray:
			return "Unrecognized collection type class java.lang." + sh.javaName(), false
		}
		switch sh.kind {
		case k10String:
			if found == foundString {
				return "", false
			}
		case k10Bool:
			switch found {
			case foundTrue, foundFalse:
				return "", false
			case foundString:
				if _, ok := boolWord(text); ok {
					return "", true
				}
				return msgUnexpectedToken, false
			}
		case k10Int:
			if found == foundNumber {
				_, exact := floorClamp(text, sh.bits)
				return "", !exact
			}
		case k10Float:
			if found == foundNumber {
				return "", false
			}
		}
		return token() + " cannot be converted to " + sh.javaName(), false
	case k10Blob:
		switch found {
		case foundObject:
			return msgStartOfStructure, false
		case foundArray:
			return "Unrecognized collection type class java.nio.ByteBuffer", false
		case foundString:
			return blobProblem10(text), false
		}
		return msgBlobNotString, false
	case k10List:
		switch {
		case found == foundArray:
			return "", false
		case found == foundObject:
			return msgStartOfStructure, false
		case ctx == ctxElement:
			return msgParameterized, false
		}
		return msgUnexpectedField, false
	case k10Map:
		switch {
		case found == foundObject:
			return "", false
		case found == foundArray:
			return "Unrecognized collection type " + sh.javaClass(svc), false
		case ctx == ctxElement:
			return msgParameterized, false
		}
		return msgUnexpectedField, false
	case k10Struct:
		switch {
		case found == foundObject:
			return "", false
		case found == foundArray:
			return "Unrecognized collection type class " + sh.javaClass(svc), false
		case scalar && ctx == ctxElement:
			return msgUnexpectedValue, false
		}
		return msgUnexpectedField, false
	}
	return "", false
}

// boolWord converts the strings DynamoDB takes for a Boolean.
func boolWord(s string) (value, ok bool) {
	switch strings.ToUpper(s) {
	case "TRUE", "1", "YES":
		return true, true
	case "FALSE", "0", "NO":
		return false, true
	}
	return false, false
}

// floorClamp returns the JSON number text as an integer of the given bits,
// rounded down and clamped to the type's range, and whether text already
// was exactly that integer.
func floorClamp(text string, bits int) (int64, bool) {
	lo, hi := int64(math.MinInt32), int64(math.MaxInt32)
	if bits == 64 {
		lo, hi = math.MinInt64, math.MaxInt64
	}
	if n, err := strconv.ParseInt(text, 10, 64); err == nil {
		if n < lo {
			return lo, false
		}
		if n > hi {
			return hi, false
		}
		return n, true
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, false
	}
	f = math.Floor(f)
	switch {
	case f <= float64(lo):
		return lo, false
	case f >= float64(hi):
		return hi, false
	}
	return int64(f), false
}

// blobProblem10 returns DynamoDB's reason why s is not a base64 blob, or ""
// if it is one (dynalite checkTypes; its "dectected" is the service's).
// The length counts UTF-16 code units, as JavaScript and Java do.
func blobProblem10(s string) string {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	if n%4 != 0 {
		return "Base64 encoded length is expected a multiple of 4 bytes but found: " + strconv.Itoa(n)
	}
	if _, err := base64.StdEncoding.Strict().DecodeString(s); err != nil {
		return "Invalid last non-pad Base64 character dectected"
	}
	return ""
}

// walker10 walks one well-formed JSON document, checking it against a
// shape; with emit set it also writes the document with DynamoDB's
// conversions applied and unknown members dropped to out.
type walker10 struct {
	data []byte
	pos  int
	svc  *service
	msg  string // the first value refused; the walk stops there
	fix  bool   // a value needs a conversion, or a member must be dropped
	emit bool
	out  []byte
}

// ws skips white space.
func (w *walker10) ws() {
	for w.pos < len(w.data) {
		switch w.data[w.pos] {
		case ' ', '\t', '\r', '\n':
			w.pos++
		default:
			return
		}
	}
}

// value walks the value at pos, of shape sh (nil: unknown, anything goes).
func (w *walker10) value(sh *shape10, ctx ctx10) {
	if w.msg != "" {
		return
	}
	w.ws()
	start := w.pos
	switch c := w.data[w.pos]; {
	case c == '{':
		if sh != nil && w.judge(sh, ctx, foundObject, "") {
			w.object(sh)
			return
		}
		w.skipOrCopy(start)
	case c == '[':
		if sh != nil && w.judge(sh, ctx, foundArray, "") {
			w.array(sh)
			return
		}
		w.skipOrCopy(start)
	case c == '"':
		raw := w.str()
		if sh != nil {
			text := ""
			if sh.kind == k10Bool || sh.kind == k10Blob {
				text = unquote10(raw)
			}
			if !w.judge(sh, ctx, foundString, text) {
				return
			}
			if w.emit && sh.kind == k10Bool {
				b, _ := boolWord(text)
				w.out = strconv.AppendBool(w.out, b)
				return
			}
		}
		w.copy(start)
	case c == 't', c == 'f':
		found := foundTrue
		if c == 'f' {
			found = foundFalse
		}
		w.literal()
		if sh != nil && !w.judge(sh, ctx, found, "") {
			return
		}
		w.copy(start)
	case c == 'n':
		w.literal() // null: absent, whatever the shape
		w.copy(start)
	default:
		w.number()
		text := string(w.data[start:w.pos]) // only a number's few bytes
		if sh != nil && !w.judge(sh, ctx, foundNumber, text) {
			return
		}
		if w.emit && sh != nil && sh.kind == k10Int {
			n, _ := floorClamp(text, sh.bits)
			w.out = strconv.AppendInt(w.out, n, 10)
			return
		}
		w.copy(start)
	}
}

// judge applies mismatch10, recording a refusal or a needed conversion,
// and reports whether the value is accepted.
func (w *walker10) judge(sh *shape10, ctx ctx10, found found10, text string) bool {
	msg, fix := mismatch10(sh, ctx, found, text, w.svc)
	if msg != "" {
		w.msg = msg
		return false
	}
	if fix {
		w.fix = true
	}
	return true
}

// object walks an object of shape sh (a struct or a map).
func (w *walker10) object(sh *shape10) {
	w.pos++ // '{'
	w.put('{')
	first := true
	for w.msg == "" {
		w.ws()
		if w.data[w.pos] == '}' {
			w.pos++
			w.put('}')
			return
		}
		if w.data[w.pos] == ',' {
			w.pos++
			w.ws()
		}
		keyStart := w.pos
		raw := w.str()
		w.ws()
		w.pos++ // ':'
		var member *shape10
		ctx := ctxElement
		keep := true
		switch sh.kind {
		case k10Map:
			member = sh.elem
		case k10Struct:
			ctx = ctxField
			var ok bool
			if bytes.IndexByte(raw, '\\') < 0 {
				member, ok = sh.fields[string(raw)] // no allocation
			} else {
				member, ok = sh.fields[unquote10(raw)]
			}
			if !ok {
				keep = false
				name := unquote10(raw)
				for f := range sh.fields {
					if strings.EqualFold(f, name) {
						w.fix = true // encoding/json would take it: drop it
						break
					}
				}
			}
		default:
			member = nil
		}
		if !keep {
			w.skip()
			continue
		}
		if w.emit {
			if !first {
				w.out = append(w.out, ',')
			}
			w.out = append(w.out, w.data[keyStart:keyStart+len(raw)+2]...)
			w.out = append(w.out, ':')
		}
		first = false
		w.value(member, ctx)
	}
}

// array walks an array of shape sh (a list).
func (w *walker10) array(sh *shape10) {
	w.pos++ // '['
	w.put('[')
	first := true
	for w.msg == "" {
		w.ws()
		if w.data[w.pos] == ']' {
			w.pos++
			w.put(']')
			return
		}
		if w.data[w.pos] == ',' {
			w.pos++
		}
		if w.emit && !first {
			w.out = append(w.out, ',')
		}
		first = false
		var elem *shape10
		if sh.kind == k10List {
			elem = sh.elem
		}
		w.value(elem, ctxElement)
	}
}

// put writes c when emitting.
func (w *walker10) put(c byte) {
	if w.emit {
		w.out = append(w.out, c)
	}
}

// copy writes data[start:pos] when emitting.
func (w *walker10) copy(start int) {
	if w.emit {
		w.out = append(w.out, w.data[start:w.pos]...)
	}
}

// skipOrCopy skips the value at start (not yet consumed) and copies it when
// emitting: the value of an unknown shape.
func (w *walker10) skipOrCopy(start int) {
	w.pos = start
	if w.msg != "" {
		return
	}
	w.skip()
	w.copy(start)
}

// skip moves past the value at pos without looking inside it.
func (w *walker10) skip() {
	w.ws()
	depth := 0
	for {
		switch c := w.data[w.pos]; c {
		case '"':
			w.str()
		case '{', '[':
			depth++
			w.pos++
		case '}', ']':
			depth--
			w.pos++
		case ',', ':', ' ', '\t', '\r', '\n':
			w.pos++
		case 't', 'f', 'n':
			w.literal()
		default:
			w.number()
		}
		if depth == 0 {
			return
		}
	}
}

// str moves past the string at pos and returns its contents as written
// (escapes not decoded), without the quotes.
func (w *walker10) str() []byte {
	w.pos++ // opening quote
	start := w.pos
	for {
		switch w.data[w.pos] {
		case '\\':
			w.pos += 2
		case '"':
			s := w.data[start:w.pos]
			w.pos++
			return s
		default:
			w.pos++
		}
	}
}

// literal moves past true, false or null.
func (w *walker10) literal() {
	for w.pos < len(w.data) && w.data[w.pos] >= 'a' && w.data[w.pos] <= 'z' {
		w.pos++
	}
}

// number moves past a number.
func (w *walker10) number() {
	for w.pos < len(w.data) {
		switch c := w.data[w.pos]; {
		case c >= '0' && c <= '9', c == '-', c == '+', c == '.', c == 'e', c == 'E':
			w.pos++
		default:
			return
		}
	}
}

// unquote10 decodes the escapes of a JSON string's contents.
func unquote10(raw []byte) string {
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw)
	}
	var s string
	b := make([]byte, 0, len(raw)+2)
	b = append(append(append(b, '"'), raw...), '"')
	json.Unmarshal(b, &s) // well-formed: the body was checked
	return s
}
