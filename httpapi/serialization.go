package httpapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// This file words the SerializationException for a body value of the wrong
// type as the Kinesis front end does. One rule serves both protocols: the
// codec finds the first value that does not fit its member (typeError), and
// serializationMessage words it from the value's kind, the value itself and
// the member's type.
//
// The texts are those kinesalite recorded against Kinesis
// (github.com/mhart/kinesalite, test/helpers.js assertType and
// validations/index.js checkTypes), e.g. "class java.lang.String can not be
// converted to an Integer" (sic: AWS writes "an" before every type name but
// Blob), "'23' can not be converted to an Boolean", "class java.lang.Boolean
// can not be converted to milliseconds since epoch". AWS sends them under
// the key "Message" (see messageKey).

// typeError is a well-formed value that does not fit its member.
type typeError struct {
	found valueKind
	// text is a string's contents (kindString) or a number as written
	// (kindNumber); "" for other kinds.
	text string
	want reflect.Type // the member's Go type
}

// valueKind is the kind of a value found in the body where another was
// expected.
type valueKind int

const (
	kindOther valueKind = iota
	kindString
	kindNumber
	kindBool
	kindArray
	kindObject
	kindBytes     // CBOR only
	kindTimestamp // CBOR only
)

// Java class names in AWS's messages for each found kind. Kinesalite
// recorded the first three; AWS's names for a CBOR byte string or timestamp
// in the wrong place (which JSON cannot send) are not known, so they are
// named in the same style after the Java types the AWS SDK for Java uses.
var javaClass = map[valueKind]string{
	kindString:    "class java.lang.String",
	kindNumber:    "class com.amazon.coral.value.json.numbers.TruncatingBigNumber",
	kindBool:      "class java.lang.Boolean",
	kindBytes:     "class java.nio.HeapByteBuffer",
	kindTimestamp: "class java.util.Date",
}

// serializationMessage words te as AWS does.
//
// Where AWS's wording is not known, the message says what went wrong in the
// same style: a number out of range or fractional for an integer member, or
// out of range for a timestamp, reads "Value 1e99 can not be converted to an
// Integer". (AWS truncates fractions and clamps Integers to 2147483647,
// kinesalite records; Eddy refuses such numbers.)
func serializationMessage(te *typeError) string {
	switch te.found {
	case kindArray:
		return "Start of list found where not expected"
	case kindObject:
		return "Start of structure or map found where not expected."
	}
	want := te.want
	for want != nil && want.Kind() == reflect.Pointer {
		want = want.Elem()
	}
	if want == nil {
		return "Value can not be converted"
	}
	var target string // what AWS says it could not convert to
	switch shapeOf(want) {
	case shapeTimestamp:
		target = "milliseconds since epoch"
	case shapeString:
		target = "an String"
	case shapeBool:
		if te.found == kindString {
			// AWS quotes the string, upper-cased.
			return "'" + strings.ToUpper(te.text) + "' can not be converted to an Boolean"
		}
		target = "an Boolean"
	case shapeInt:
		target = "an Integer"
		if want.Bits() == 64 {
			target = "an Long"
		}
	case shapeFloat:
		target = "an Double"
	case shapeBlob:
		if te.found == kindString {
			if why := base64Problem(te.text); why != "" {
				return "'" + te.text + "' can not be converted to a Blob: " + why
			}
		}
		target = "a Blob"
	case shapeList:
		return "Expected list or null"
	case shapeMap:
		return "Expected map or null"
	case shapeStruct:
		return "Expected null"
	default:
		target = "a " + want.String()
	}
	if te.found == kindNumber && te.text != "" && (shapeOf(want) == shapeInt || shapeOf(want) == shapeFloat || shapeOf(want) == shapeTimestamp) {
		// The right kind, but it does not fit.
		return "Value " + te.text + " can not be converted to " + target
	}
	if class, ok := javaClass[te.found]; ok {
		return class + " can not be converted to " + target
	}
	return "Value can not be converted to " + target
}

// base64Problem returns AWS's reason why s is not a base64 Blob, or "" if it
// is one. AWS wants the standard alphabet, padded, with no bits set past the
// data ("+/+=" is refused); its three messages are kinesalite's, "dectected"
// included.
func base64Problem(s string) string {
	if n := utf8.RuneCountInString(s); n%4 != 0 {
		return "Base64 encoded length is expected a multiple of 4 bytes but found: " + strconv.Itoa(n)
	}
	for i, r := range s {
		valid := r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '+' || r == '/' || r == '='
		if !valid || r == '=' && i+1 < len(s) && s[i+1] != '=' {
			return "Invalid Base64 character: '" + string(r) + "'"
		}
	}
	if _, err := base64.StdEncoding.Strict().DecodeString(s); err != nil {
		return "Invalid last non-pad Base64 character dectected"
	}
	return ""
}

// shape is how a member's Go type is carried on the wire.
type shape int

const (
	shapeAny shape = iota // an interface, or a type that decodes itself
	shapeString
	shapeBool
	shapeInt // signed or unsigned
	shapeFloat
	shapeTimestamp // time.Time and types convertible to it (kds.Timestamp)
	shapeBlob      // []byte
	shapeList
	shapeMap
	shapeStruct
)

var (
	timeType            = reflect.TypeFor[time.Time]()
	jsonUnmarshalerType = reflect.TypeFor[json.Unmarshaler]()
)

// shapeOf returns the shape of t, which is not a pointer.
func shapeOf(t reflect.Type) shape {
	if t.Kind() == reflect.Struct && t.ConvertibleTo(timeType) {
		return shapeTimestamp
	}
	if reflect.PointerTo(t).Implements(jsonUnmarshalerType) {
		return shapeAny
	}
	switch t.Kind() {
	case reflect.String:
		return shapeString
	case reflect.Bool:
		return shapeBool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return shapeInt
	case reflect.Float32, reflect.Float64:
		return shapeFloat
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return shapeBlob
		}
		return shapeList
	case reflect.Map:
		return shapeMap
	case reflect.Struct:
		return shapeStruct
	}
	return shapeAny
}

// jsonMismatch returns the first value of a JSON body, in document order,
// that does not fit its member of t (the input's type), or nil if every
// value fits. Unknown members are skipped, as the decoder skips them.
//
// It runs only after encoding/json has refused the body, to find the
// offending value itself: encoding/json reports a string of the wrong type
// without its contents, and bad base64 or a failed UnmarshalJSON without
// saying where.
func jsonMismatch(body []byte, t reflect.Type) *typeError {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	te, _ := walkJSON(dec, t)
	return te
}

// walkJSON reads one value from dec and checks it against t.
func walkJSON(dec *json.Decoder, t reflect.Type) (*typeError, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	sh := shapeOf(t)
	switch v := tok.(type) {
	case nil:
		return nil, nil
	case json.Delim:
		var member func(key string) reflect.Type
		switch {
		case v == '{' && sh == shapeStruct:
			member = func(key string) reflect.Type { return memberType(t, key) }
		case v == '{' && sh == shapeMap:
			member = func(string) reflect.Type { return t.Elem() }
		case v == '[' && sh == shapeList:
			member = func(string) reflect.Type { return t.Elem() }
		case sh == shapeAny:
			member = func(string) reflect.Type { return t }
		case v == '{':
			return &typeError{found: kindObject, want: t}, nil
		default:
			return &typeError{found: kindArray, want: t}, nil
		}
		for dec.More() {
			key := ""
			if v == '{' {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				key, _ = k.(string)
			}
			mt := member(key)
			if mt == nil {
				mt = reflect.TypeFor[any]() // an unknown member: anything goes
			}
			if te, err := walkJSON(dec, mt); te != nil || err != nil {
				return te, err
			}
		}
		_, err := dec.Token() // the closing delimiter
		return nil, err
	case string:
		if sh == shapeAny || sh == shapeString || sh == shapeBlob && base64Problem(v) == "" {
			return nil, nil
		}
		return &typeError{found: kindString, text: v, want: t}, nil
	case json.Number:
		if sh == shapeAny || sh == shapeTimestamp || numberFits(string(v), t) {
			return nil, nil
		}
		return &typeError{found: kindNumber, text: string(v), want: t}, nil
	case bool:
		if sh == shapeAny || sh == shapeBool {
			return nil, nil
		}
		return &typeError{found: kindBool, want: t}, nil
	}
	return nil, nil
}

// numberFits reports whether the JSON number s fits a member of type t.
func numberFits(s string, t reflect.Type) bool {
	var err error
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		_, err = strconv.ParseInt(s, 10, t.Bits())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		_, err = strconv.ParseUint(s, 10, t.Bits())
	case reflect.Float32, reflect.Float64:
		_, err = strconv.ParseFloat(s, t.Bits())
	default:
		return false
	}
	return err == nil
}

// memberType returns the type of the member of struct type t that a body
// key names, matched as encoding/json matches (exactly, else ignoring
// case), or nil for an unknown member.
func memberType(t reflect.Type, key string) reflect.Type {
	m := membersOf(t)
	if ft, ok := m[key]; ok {
		return ft
	}
	for name, ft := range m {
		if strings.EqualFold(name, key) {
			return ft
		}
	}
	return nil
}

var membersCache sync.Map // reflect.Type -> map[string]reflect.Type

// membersOf maps the JSON names of struct type t's members to their types,
// following encoding/json's visibility rules for the shapes Eddy uses:
// exported fields, "-" skipped, the fields of untagged embedded structs
// promoted (an outer field wins over a promoted one).
func membersOf(t reflect.Type) map[string]reflect.Type {
	if m, ok := membersCache.Load(t); ok {
		return m.(map[string]reflect.Type)
	}
	m := make(map[string]reflect.Type)
	var promoted []map[string]reflect.Type
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				promoted = append(promoted, membersOf(ft))
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		m[name] = f.Type
	}
	for _, p := range promoted {
		for name, ft := range p {
			if _, ok := m[name]; !ok {
				m[name] = ft
			}
		}
	}
	membersCache.Store(t, m)
	return m
}
