package awscbor

import (
	"encoding"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// pathElem is one step of the field path reported in an UnmarshalTypeError:
// a struct field or map key (name) or an array index.
type pathElem struct {
	name  string
	index int // -1 for a name
}

func (d *decoder) pathString() string {
	var sb strings.Builder
	for _, p := range d.path {
		if p.index >= 0 {
			sb.WriteString("[" + strconv.Itoa(p.index) + "]")
			continue
		}
		if sb.Len() > 0 {
			sb.WriteByte('.')
		}
		sb.WriteString(p.name)
	}
	return sb.String()
}

func (d *decoder) typeErr(value string, t reflect.Type, off int, cause error) error {
	return &UnmarshalTypeError{Value: value, Type: t, Field: d.pathString(), Offset: int64(off), Err: cause}
}

func (d *decoder) unmarshal(v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("cbor: Unmarshal needs a non-nil pointer, not %T", v)
	}
	return d.into(rv.Elem())
}

// into decodes one item into the addressable value v.
func (d *decoder) into(v reflect.Value) error {
	if d.off >= len(d.data) {
		return d.eof()
	}
	// null and undefined clear pointers, maps, slices and interfaces and
	// leave anything else alone, as encoding/json does with null.
	if ib := d.data[d.off]; ib == majorSimple<<5|simpleNull || ib == majorSimple<<5|simpleUndefined {
		d.off++
		switch v.Kind() {
		case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface:
			v.SetZero()
		}
		return nil
	}
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		return d.into(v.Elem())
	}
	t := v.Type()
	switch t {
	case timeType:
		return d.intoTime(v)
	case numberType:
		return d.intoNumber(v)
	}
	if isTimeLike(t) {
		tv := reflect.New(timeType).Elem()
		if err := d.intoTime(tv); err != nil {
			return err
		}
		v.Set(tv.Convert(t))
		return nil
	}
	if reflect.PointerTo(t).Implements(jsonUnmarshalerType) {
		return d.intoJSONUnmarshaler(v.Addr().Interface().(json.Unmarshaler), t)
	}
	if v.Kind() == reflect.Interface {
		start := d.off
		val, err := d.value()
		if err != nil {
			return err
		}
		if t.NumMethod() != 0 {
			return d.typeErr(kindName(val), t, start, nil)
		}
		if val == nil {
			v.SetZero()
		} else {
			v.Set(reflect.ValueOf(val))
		}
		return nil
	}

	start := d.off
	major, ai, arg, err := d.head()
	if err != nil {
		return err
	}
	if major == majorTag {
		if arg == 0 || arg == 1 {
			// A timestamp for a field that is not a time.Time.
			d.off = start
			val, err := d.value()
			if err != nil {
				return err
			}
			return d.typeErr(kindName(val), t, start, nil)
		}
		// Other tags are transparent.
		if err := d.enter(start); err != nil {
			return err
		}
		err := d.into(v)
		d.leave()
		return err
	}
	if major == majorText && reflect.PointerTo(t).Implements(textUnmarshalerType) {
		b, err := d.str(major, ai, arg, start)
		if err != nil {
			return err
		}
		if err := v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText(b); err != nil {
			return d.typeErr("text string", t, start, err)
		}
		return nil
	}

	switch v.Kind() {
	case reflect.Bool:
		if major == majorSimple && (ai == simpleFalse || ai == simpleTrue) {
			v.SetBool(ai == simpleTrue)
			return nil
		}
	case reflect.String:
		if major == majorText {
			b, err := d.str(major, ai, arg, start)
			if err != nil {
				return err
			}
			v.SetString(string(b))
			return nil
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if major == majorUint || major == majorNegInt {
			n, ok := int64(0), arg <= math.MaxInt64
			if ok {
				n = int64(arg)
				if major == majorNegInt {
					n = -1 - n
				}
				ok = !v.OverflowInt(n)
			}
			if !ok {
				return d.typeErr(kindName(intValue(major, arg)), t, start, nil)
			}
			v.SetInt(n)
			return nil
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if major == majorUint || major == majorNegInt {
			if major == majorNegInt || v.OverflowUint(arg) {
				return d.typeErr(kindName(intValue(major, arg)), t, start, nil)
			}
			v.SetUint(arg)
			return nil
		}
	case reflect.Float32, reflect.Float64:
		var f float64
		switch {
		case major == majorUint:
			f = float64(arg)
		case major == majorNegInt:
			f = -1 - float64(arg)
		case major == majorSimple && ai >= aiUint16 && ai <= aiUint64:
			fv, _ := d.simple(ai, arg, start)
			f = fv.(float64)
		default:
			return d.mismatch(start, t)
		}
		if v.OverflowFloat(f) {
			return d.typeErr(fmt.Sprintf("float %v", f), t, start, nil)
		}
		v.SetFloat(f)
		return nil
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			switch major {
			case majorBytes:
				b, err := d.str(major, ai, arg, start)
				if err != nil {
					return err
				}
				v.SetBytes(append(make([]byte, 0, len(b)), b...))
				return nil
			case majorText:
				// AWS JSON carries blobs as base64 text; accept it here too.
				b, err := d.str(major, ai, arg, start)
				if err != nil {
					return err
				}
				out := make([]byte, base64.StdEncoding.DecodedLen(len(b)))
				n, err := base64.StdEncoding.Decode(out, b)
				if err != nil {
					return d.typeErr("text string", t, start, err)
				}
				v.SetBytes(out[:n])
				return nil
			}
		}
		if major == majorArray {
			return d.intoSlice(v, ai, arg, start)
		}
	case reflect.Array:
		if major == majorArray {
			return d.intoArray(v, ai, arg, start)
		}
	case reflect.Map:
		if major == majorMap {
			if t.Key().Kind() != reflect.String {
				return &UnsupportedTypeError{Type: t}
			}
			return d.intoMap(v, ai, arg, start)
		}
	case reflect.Struct:
		if major == majorMap {
			return d.intoStruct(v, ai, arg, start)
		}
	default:
		return &UnsupportedTypeError{Type: t}
	}
	return d.mismatch(start, t)
}

// mismatch re-reads the item at start to describe it (this also reports any
// syntax error inside it first) and returns a type error.
func (d *decoder) mismatch(start int, t reflect.Type) error {
	d.off = start
	val, err := d.value()
	if err != nil {
		return err
	}
	return d.typeErr(kindName(val), t, start, nil)
}

func intValue(major byte, arg uint64) any {
	if major == majorNegInt {
		return negInt(arg)
	}
	if arg <= math.MaxInt64 {
		return int64(arg)
	}
	return arg
}

// elements calls fn for each element of an array or map whose head has been
// read, handling definite and indefinite lengths and the depth limit.
func (d *decoder) elements(major, ai byte, arg uint64, start int, fn func(i int) error) error {
	if err := d.enter(start); err != nil {
		return err
	}
	defer d.leave()
	if ai == aiIndefinite {
		for i := 0; ; i++ {
			brk, err := d.atBreak()
			if err != nil {
				return err
			}
			if brk {
				return nil
			}
			if err := fn(i); err != nil {
				return err
			}
		}
	}
	n, err := d.count(major, arg, start)
	if err != nil {
		return err
	}
	for i := range n {
		if err := fn(i); err != nil {
			return err
		}
	}
	return nil
}

func (d *decoder) intoSlice(v reflect.Value, ai byte, arg uint64, start int) error {
	capHint := 0
	if ai != aiIndefinite && arg <= d.remaining() {
		capHint = prealloc(int(arg))
	}
	v.Set(reflect.MakeSlice(v.Type(), 0, capHint))
	return d.elements(majorArray, ai, arg, start, func(i int) error {
		if v.Len() == v.Cap() {
			v.Grow(1)
		}
		v.SetLen(i + 1)
		d.path = append(d.path, pathElem{index: i})
		err := d.into(v.Index(i))
		d.path = d.path[:len(d.path)-1]
		return err
	})
}

func (d *decoder) intoArray(v reflect.Value, ai byte, arg uint64, start int) error {
	n := 0
	err := d.elements(majorArray, ai, arg, start, func(i int) error {
		n++
		if i >= v.Len() {
			_, err := d.value() // extra elements are dropped, as in encoding/json
			return err
		}
		d.path = append(d.path, pathElem{index: i})
		err := d.into(v.Index(i))
		d.path = d.path[:len(d.path)-1]
		return err
	})
	for i := n; i < v.Len(); i++ {
		v.Index(i).SetZero()
	}
	return err
}

func (d *decoder) intoMap(v reflect.Value, ai byte, arg uint64, start int) error {
	t := v.Type()
	if v.IsNil() {
		hint := 0
		if ai != aiIndefinite && arg <= d.remaining()/2 {
			hint = prealloc(int(arg))
		}
		v.Set(reflect.MakeMapWithSize(t, hint))
	}
	return d.elements(majorMap, ai, arg, start, func(int) error {
		k, err := d.key()
		if err != nil {
			return err
		}
		ev := reflect.New(t.Elem()).Elem()
		d.path = append(d.path, pathElem{name: k, index: -1})
		err = d.into(ev)
		d.path = d.path[:len(d.path)-1]
		if err != nil {
			return err
		}
		v.SetMapIndex(reflect.ValueOf(k).Convert(t.Key()), ev)
		return nil
	})
}

func (d *decoder) intoStruct(v reflect.Value, ai byte, arg uint64, start int) error {
	fields := cachedFields(v.Type())
	return d.elements(majorMap, ai, arg, start, func(int) error {
		k, err := d.key()
		if err != nil {
			return err
		}
		f := fields.lookup(k)
		if f == nil {
			_, err := d.value() // unknown field: validate and ignore
			return err
		}
		d.path = append(d.path, pathElem{name: f.name, index: -1})
		err = d.into(f.settable(v))
		d.path = d.path[:len(d.path)-1]
		return err
	})
}

// intoTime accepts tag 0 or 1, an untagged number in the decoder's time
// unit, or an RFC 3339 text string.
func (d *decoder) intoTime(v reflect.Value) error {
	start := d.off
	val, err := d.value()
	if err != nil {
		return err
	}
	var t time.Time
	switch x := val.(type) {
	case time.Time:
		t = x
	case int64, uint64, float64, json.Number:
		if t, err = epochTime(x, d.unit); err != nil {
			return d.typeErr(kindName(val), v.Type(), start, err)
		}
	case string:
		if t, err = time.Parse(time.RFC3339Nano, x); err != nil {
			return d.typeErr("text string", v.Type(), start, err)
		}
	default:
		return d.typeErr(kindName(val), v.Type(), start, nil)
	}
	v.Set(reflect.ValueOf(t))
	return nil
}

func (d *decoder) intoNumber(v reflect.Value) error {
	start := d.off
	val, err := d.value()
	if err != nil {
		return err
	}
	var s string
	switch x := val.(type) {
	case int64:
		s = strconv.FormatInt(x, 10)
	case uint64:
		s = strconv.FormatUint(x, 10)
	case json.Number:
		s = string(x)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return d.typeErr(kindName(val), v.Type(), start, nil)
		}
		s = strconv.FormatFloat(x, 'g', -1, 64)
	default:
		return d.typeErr(kindName(val), v.Type(), start, nil)
	}
	v.SetString(s)
	return nil
}

// intoJSONUnmarshaler hands the item to UnmarshalJSON in its AWS JSON form
// (see ToJSON), so a type written for the JSON protocol works unchanged.
func (d *decoder) intoJSONUnmarshaler(u json.Unmarshaler, t reflect.Type) error {
	start := d.off
	val, err := d.value()
	if err != nil {
		return err
	}
	js, err := toJSON(val)
	if err != nil {
		return d.typeErr(kindName(val), t, start, err)
	}
	if err := u.UnmarshalJSON(js); err != nil {
		return d.typeErr(kindName(val), t, start, err)
	}
	return nil
}
