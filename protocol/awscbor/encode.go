package awscbor

import (
	"bytes"
	"encoding"
	"encoding/binary"
	"encoding/json"
	"math"
	"math/big"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
)

// encoder appends one item to b.
type encoder struct {
	b     []byte
	unit  TimeUnit
	depth int
}

var (
	jsonMarshalerType   = reflect.TypeFor[json.Marshaler]()
	textMarshalerType   = reflect.TypeFor[encoding.TextMarshaler]()
	jsonUnmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// appendHead appends an initial byte with the shortest argument encoding.
func appendHead(b []byte, major byte, arg uint64) []byte {
	m := major << 5
	switch {
	case arg < aiUint8:
		return append(b, m|byte(arg))
	case arg <= math.MaxUint8:
		return append(b, m|aiUint8, byte(arg))
	case arg <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, m|aiUint16), uint16(arg))
	case arg <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(b, m|aiUint32), uint32(arg))
	}
	return binary.BigEndian.AppendUint64(append(b, m|aiUint64), arg)
}

func appendInt(b []byte, n int64) []byte {
	if n < 0 {
		return appendHead(b, majorNegInt, uint64(-1-n))
	}
	return appendHead(b, majorUint, uint64(n))
}

// appendFloat always writes a double (0xfb), as the AWS SDKs do.
func appendFloat(b []byte, f float64) []byte {
	return binary.BigEndian.AppendUint64(append(b, majorSimple<<5|aiUint64), math.Float64bits(f))
}

func appendText(b []byte, s string) []byte {
	return append(appendHead(b, majorText, uint64(len(s))), s...)
}

func (e *encoder) null() { e.b = append(e.b, majorSimple<<5|simpleNull) }

func (e *encoder) enter() error {
	e.depth++
	if e.depth > maxEncodeDepth {
		return &MarshalError{Msg: "value nested deeper than " + strconv.Itoa(maxEncodeDepth) + " (pointer cycle?)"}
	}
	return nil
}

// encode handles the generic data model directly and everything else by
// reflection.
func (e *encoder) encode(v any) error {
	switch x := v.(type) {
	case nil:
		e.null()
	case bool:
		if x {
			e.b = append(e.b, majorSimple<<5|simpleTrue)
		} else {
			e.b = append(e.b, majorSimple<<5|simpleFalse)
		}
	case string:
		e.b = appendText(e.b, x)
	case []byte:
		if x == nil {
			e.null()
			return nil
		}
		e.b = append(appendHead(e.b, majorBytes, uint64(len(x))), x...)
	case int:
		e.b = appendInt(e.b, int64(x))
	case int8:
		e.b = appendInt(e.b, int64(x))
	case int16:
		e.b = appendInt(e.b, int64(x))
	case int32:
		e.b = appendInt(e.b, int64(x))
	case int64:
		e.b = appendInt(e.b, x)
	case uint:
		e.b = appendHead(e.b, majorUint, uint64(x))
	case uint8:
		e.b = appendHead(e.b, majorUint, uint64(x))
	case uint16:
		e.b = appendHead(e.b, majorUint, uint64(x))
	case uint32:
		e.b = appendHead(e.b, majorUint, uint64(x))
	case uint64:
		e.b = appendHead(e.b, majorUint, x)
	case float32:
		e.b = appendFloat(e.b, float64(x))
	case float64:
		e.b = appendFloat(e.b, x)
	case json.Number:
		return e.number(x)
	case time.Time:
		var err error
		e.b, err = appendTime(e.b, x, e.unit)
		return err
	case []any:
		if x == nil {
			e.null()
			return nil
		}
		if err := e.enter(); err != nil {
			return err
		}
		e.b = appendHead(e.b, majorArray, uint64(len(x)))
		for _, el := range x {
			if err := e.encode(el); err != nil {
				return err
			}
		}
		e.depth--
	case map[string]any:
		if x == nil {
			e.null()
			return nil
		}
		if err := e.enter(); err != nil {
			return err
		}
		e.b = appendHead(e.b, majorMap, uint64(len(x)))
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			e.b = appendText(e.b, k)
			if err := e.encode(x[k]); err != nil {
				return err
			}
		}
		e.depth--
	default:
		return e.reflect(reflect.ValueOf(v))
	}
	return nil
}

// number encodes a json.Number as an integer when it has no fraction or
// exponent (using a negative-integer head for values below math.MinInt64),
// otherwise as a double. "" encodes as 0, as in encoding/json.
func (e *encoder) number(n json.Number) error {
	s := string(n)
	if s == "" {
		s = "0"
	}
	if !validNumber(s) {
		return &MarshalError{Msg: "invalid json.Number " + strconv.Quote(s)}
	}
	if !strings.ContainsAny(s, ".eE") {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			e.b = appendInt(e.b, i)
			return nil
		}
		if u, err := strconv.ParseUint(s, 10, 64); err == nil {
			e.b = appendHead(e.b, majorUint, u)
			return nil
		}
		z, _ := new(big.Int).SetString(s, 10)
		if z.Sign() < 0 {
			z.Neg(z).Sub(z, big.NewInt(1)) // -1-n
			if z.IsUint64() {
				e.b = appendHead(e.b, majorNegInt, z.Uint64())
				return nil
			}
		}
		return &MarshalError{Msg: "integer " + s + " does not fit in 64 bits"}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return &MarshalError{Msg: "json.Number " + s, Err: err}
	}
	e.b = appendFloat(e.b, f)
	return nil
}

// validNumber reports whether s is a JSON number (RFC 8259 section 6).
func validNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	digits := func() int {
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i - j
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case digits() == 0:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

func (e *encoder) reflect(v reflect.Value) error {
	if !v.IsValid() {
		e.null()
		return nil
	}
	t := v.Type()
	switch t {
	case timeType:
		var err error
		e.b, err = appendTime(e.b, v.Interface().(time.Time), e.unit)
		return err
	case numberType:
		return e.number(json.Number(v.String()))
	}
	if isTimeLike(t) {
		var err error
		e.b, err = appendTime(e.b, v.Convert(timeType).Interface().(time.Time), e.unit)
		return err
	}
	// A pointer to a timestamp is a timestamp too; dereference it before the
	// marshaler checks below, which the pointer's method set would match.
	if t.Kind() == reflect.Pointer && (t.Elem() == timeType || isTimeLike(t.Elem())) {
		if v.IsNil() {
			e.null()
			return nil
		}
		return e.reflect(v.Elem())
	}
	if m, ok := marshaler(v, jsonMarshalerType); ok {
		if m == nil {
			e.null()
			return nil
		}
		return e.marshalJSON(m.(json.Marshaler), t)
	}
	if m, ok := marshaler(v, textMarshalerType); ok {
		if m == nil {
			e.null()
			return nil
		}
		text, err := m.(encoding.TextMarshaler).MarshalText()
		if err != nil {
			return &MarshalError{Msg: "MarshalText for type " + t.String(), Err: err}
		}
		e.b = append(appendHead(e.b, majorText, uint64(len(text))), text...)
		return nil
	}
	switch v.Kind() {
	case reflect.Bool:
		return e.encode(v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.b = appendInt(e.b, v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		e.b = appendHead(e.b, majorUint, v.Uint())
	case reflect.Float32, reflect.Float64:
		e.b = appendFloat(e.b, v.Float())
	case reflect.String:
		e.b = appendText(e.b, v.String())
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			e.null()
			return nil
		}
		if err := e.enter(); err != nil {
			return err
		}
		err := e.reflect(v.Elem())
		e.depth--
		return err
	case reflect.Slice:
		if v.IsNil() {
			e.null()
			return nil
		}
		if t.Elem().Kind() == reflect.Uint8 {
			b := v.Bytes()
			e.b = append(appendHead(e.b, majorBytes, uint64(len(b))), b...)
			return nil
		}
		return e.array(v)
	case reflect.Array:
		return e.array(v)
	case reflect.Map:
		return e.mapValue(v)
	case reflect.Struct:
		return e.structValue(v)
	default:
		return &UnsupportedTypeError{Type: t}
	}
	return nil
}

// marshaler returns v (or &v when v is addressable and only the pointer has
// the method) as an interface value of type iface. A nil pointer yields
// (nil, true): it encodes as null.
func marshaler(v reflect.Value, iface reflect.Type) (any, bool) {
	t := v.Type()
	if t.Implements(iface) {
		if (t.Kind() == reflect.Pointer || t.Kind() == reflect.Interface) && v.IsNil() {
			return nil, true
		}
		return v.Interface(), true
	}
	if t.Kind() != reflect.Pointer && v.CanAddr() && reflect.PointerTo(t).Implements(iface) {
		return v.Addr().Interface(), true
	}
	return nil, false
}

// marshalJSON encodes a json.Marshaler through its JSON form. JSON carries no
// blob or timestamp types, so strings stay text strings and numbers stay
// numbers.
func (e *encoder) marshalJSON(m json.Marshaler, t reflect.Type) error {
	js, err := m.MarshalJSON()
	if err != nil {
		return &MarshalError{Msg: "MarshalJSON for type " + t.String(), Err: err}
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return &MarshalError{Msg: "MarshalJSON for type " + t.String(), Err: err}
	}
	return e.encode(v)
}

func (e *encoder) array(v reflect.Value) error {
	if err := e.enter(); err != nil {
		return err
	}
	n := v.Len()
	e.b = appendHead(e.b, majorArray, uint64(n))
	for i := range n {
		if err := e.reflect(v.Index(i)); err != nil {
			return err
		}
	}
	e.depth--
	return nil
}

func (e *encoder) mapValue(v reflect.Value) error {
	t := v.Type()
	if t.Key().Kind() != reflect.String {
		return &UnsupportedTypeError{Type: t}
	}
	if v.IsNil() {
		e.null()
		return nil
	}
	if err := e.enter(); err != nil {
		return err
	}
	keys := v.MapKeys()
	slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
	e.b = appendHead(e.b, majorMap, uint64(len(keys)))
	for _, k := range keys {
		e.b = appendText(e.b, k.String())
		if err := e.reflect(v.MapIndex(k)); err != nil {
			return err
		}
	}
	e.depth--
	return nil
}

func (e *encoder) structValue(v reflect.Value) error {
	if err := e.enter(); err != nil {
		return err
	}
	fields := cachedFields(v.Type()).list
	n := 0
	for i := range fields {
		if _, ok := fields[i].encodable(v); ok {
			n++
		}
	}
	e.b = appendHead(e.b, majorMap, uint64(n))
	for i := range fields {
		f := &fields[i]
		fv, ok := f.encodable(v)
		if !ok {
			continue
		}
		e.b = appendText(e.b, f.name)
		if err := e.reflect(fv); err != nil {
			return err
		}
	}
	e.depth--
	return nil
}

// isTimeLike reports whether t is a defined type whose underlying type is
// time.Time's (type Timestamp time.Time): such types are timestamps too,
// whatever JSON methods they have, so that one struct can serve the JSON
// protocol (epoch seconds) and CBOR (tag 1).
func isTimeLike(t reflect.Type) bool {
	return t != timeType && t.Kind() == reflect.Struct && t.ConvertibleTo(timeType)
}
