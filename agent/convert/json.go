package convert

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The agent writes JSON with Jackson's ObjectMapper (SimpleJSONPrinter.java,
// jsonFormat COMPACT): no spaces, keys in insertion order, strings escaped
// the Jackson way. Jackson escapes '"', '\\' and the control characters
// below 0x20: \b \t \n \f \r by name, the others as \u00XX with upper-case
// hex; it writes everything else, '/' and non-ASCII included, as is (UTF-8).
// The agent decodes record bytes as UTF-8 into a Java String first, which
// turns each malformed byte into U+FFFD; appendJSONString does the same.

const hexDigits = "0123456789ABCDEF"

// appendJSONString appends s as a JSON string literal, as Jackson writes it.
func appendJSONString(dst, s []byte) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRune(s[i:])
			if r == utf8.RuneError && size == 1 {
				dst = append(dst, s[start:i]...)
				dst = append(dst, "\uFFFD"...)
				i++
				start = i
				continue
			}
			i += size
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\r':
			dst = append(dst, '\\', 'r')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
		}
		i++
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendValidUTF8 appends s with each malformed byte replaced by U+FFFD, as
// the agent's round trip through a Java String does.
func appendValidUTF8(dst, s []byte) []byte {
	if utf8.Valid(s) {
		return append(dst, s...)
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, "\uFFFD"...)
		} else {
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return dst
}

// jsonValue is a JSON value as Jackson holds it after reading into a
// LinkedHashMap: objects keep their key order (a repeated key keeps its
// first position and its last value), numbers with a fraction or an exponent
// become doubles, others integers.
type jsonValue struct {
	kind   byte // 'o' object, 'a' array, 's' string, 'n' number, 'b' bool, 'z' null
	str    string
	num    json.Number
	b      bool
	keys   []string
	fields map[string]*jsonValue
	items  []*jsonValue
}

var errNotObject = errors.New("not a JSON object")

// parseJSON reads the first JSON value in data. What follows it is ignored,
// as Jackson's ObjectMapper.readValue ignores trailing tokens by default
// (DeserializationFeature.FAIL_ON_TRAILING_TOKENS is off).
func parseJSON(data []byte) (*jsonValue, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeValue(dec)
	if err != nil {
		return nil, err
	}
	return v, nil
}

func decodeValue(dec *json.Decoder) (*jsonValue, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			v := &jsonValue{kind: 'o', fields: map[string]*jsonValue{}}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				val, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				v.set(k, val)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return v, nil
		case '[':
			v := &jsonValue{kind: 'a'}
			for dec.More() {
				item, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				v.items = append(v.items, item)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return v, nil
		}
		return nil, errors.New("unexpected delimiter")
	case string:
		return &jsonValue{kind: 's', str: t}, nil
	case json.Number:
		return &jsonValue{kind: 'n', num: t}, nil
	case bool:
		return &jsonValue{kind: 'b', b: t}, nil
	case nil:
		return &jsonValue{kind: 'z'}, nil
	}
	return nil, errors.New("unexpected token")
}

// set puts k as LinkedHashMap.put does: a new key goes last, an existing
// key keeps its place and takes the new value.
func (v *jsonValue) set(k string, val *jsonValue) {
	if _, ok := v.fields[k]; !ok {
		v.keys = append(v.keys, k)
	}
	v.fields[k] = val
}

// appendJSON writes v as Jackson's ObjectMapper does.
func (v *jsonValue) appendJSON(dst []byte) []byte {
	if v == nil {
		return append(dst, "null"...)
	}
	switch v.kind {
	case 'o':
		dst = append(dst, '{')
		for i, k := range v.keys {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONString(dst, []byte(k))
			dst = append(dst, ':')
			dst = v.fields[k].appendJSON(dst)
		}
		return append(dst, '}')
	case 'a':
		dst = append(dst, '[')
		for i, it := range v.items {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = it.appendJSON(dst)
		}
		return append(dst, ']')
	case 's':
		return appendJSONString(dst, []byte(v.str))
	case 'n':
		return appendJavaNumber(dst, string(v.num))
	case 'b':
		return strconv.AppendBool(dst, v.b)
	}
	return append(dst, "null"...)
}

// appendJavaNumber writes a JSON number as Jackson re-writes it: integers
// (Integer, Long, BigInteger) in canonical decimal, numbers with a fraction
// or exponent as a Java double (Double.toString).
func appendJavaNumber(dst []byte, s string) []byte {
	if !strings.ContainsAny(s, ".eE") {
		neg := strings.HasPrefix(s, "-")
		digits := strings.TrimLeft(strings.TrimPrefix(s, "-"), "0")
		if digits == "" {
			return append(dst, '0')
		}
		if neg {
			dst = append(dst, '-')
		}
		return append(dst, digits...)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !math.IsInf(f, 0) {
		return append(dst, s...)
	}
	return appendJavaDouble(dst, f)
}

// appendJavaDouble formats f as Java's Double.toString: plain decimal with
// at least one fractional digit for 1e-3 <= |f| < 1e7, otherwise
// d.dddE±n; shortest digits that round-trip (JDK 19 and later; older JDKs
// sometimes print one more digit).
func appendJavaDouble(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "NaN"...)
	case math.IsInf(f, 1):
		return append(dst, "Infinity"...)
	case math.IsInf(f, -1):
		return append(dst, "-Infinity"...)
	case f == 0:
		if math.Signbit(f) {
			return append(dst, "-0.0"...)
		}
		return append(dst, "0.0"...)
	}
	abs := math.Abs(f)
	if abs >= 1e-3 && abs < 1e7 {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return append(dst, s...)
	}
	s := strconv.FormatFloat(f, 'e', -1, 64) // e.g. 1.5e+10, 1e-05
	mant, exp, _ := strings.Cut(s, "e")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	n, _ := strconv.Atoi(exp)
	dst = append(dst, mant...)
	dst = append(dst, 'E')
	return strconv.AppendInt(dst, int64(n), 10)
}
