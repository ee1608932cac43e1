package engine

import (
	"encoding/json"
	"errors"
	"strconv"
)

// The fast path of Decode for the common schema: JSON records whose row
// is the whole document ($) and whose columns each map a member of its
// top-level object ($.NAME). It scans the record once, without building
// a map of it, and gives the same row as the general path; anything else
// (a mapped member holding an object or an array, a value that does not
// convert, a top-level array, invalid JSON) goes to the general path,
// which gives the rows or the error.

// fastKeys returns, for such a schema, the columns of each member name;
// nil for any other schema.
func fastKeys(d *Decoder) map[string][]int {
	if d.format.RecordFormatType != "JSON" || len(d.rowPath) != 0 || d.flat != nil {
		return nil
	}
	keys := map[string][]int{}
	for i, p := range d.paths {
		if len(p) != 1 || p[0].index != -1 || p[0].all {
			return nil
		}
		keys[p[0].key] = append(keys[p[0].key], i)
	}
	return keys
}

// decodeFast decodes data with the fast path; false sends it to the
// general one.
func (d *Decoder) decodeFast(data []byte) ([][]Value, bool) {
	if !json.Valid(data) {
		return nil, false
	}
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return nil, false
	}
	// Room for one more value: an input row carries its
	// APPROXIMATE_ARRIVAL_TIME after the columns.
	row := make([]Value, len(d.cols), len(d.cols)+1)
	i = skipSpace(data, i+1)
	if data[i] == '}' {
		return [][]Value{row}, true
	}
	for {
		// data is valid JSON: a member is "key" : value, then , or }.
		kEnd, escaped := stringEnd(data, i)
		var cols []int
		if escaped {
			var key string
			if err := json.Unmarshal(data[i:kEnd], &key); err != nil {
				return nil, false
			}
			cols = d.fast[key]
		} else {
			cols = d.fast[string(data[i+1:kEnd-1])] // no copy for a map index
		}
		i = skipSpace(data, kEnd)
		i = skipSpace(data, i+1) // the colon
		start := i
		kind := data[i]
		var str string // a string value, unquoted
		switch {
		case kind == '"':
			end, esc := stringEnd(data, i)
			if len(cols) > 0 {
				if esc {
					var u string // its own variable: &u escapes, str does not
					if err := json.Unmarshal(data[start:end], &u); err != nil {
						return nil, false
					}
					str = u
				} else {
					str = string(data[start+1 : end-1])
				}
			}
			i = end
		case kind == '{' || kind == '[':
			if len(cols) > 0 {
				return nil, false
			}
			i = nestedEnd(data, i)
		case kind == 't':
			i += 4
		case kind == 'f':
			i += 5
		case kind == 'n':
			i += 4
		default: // a number
			for i < len(data) && isNumberByte(data[i]) {
				i++
			}
		}
		for _, ci := range cols {
			t := d.cols[ci].Type
			var x Value
			var err error
			switch kind {
			case 'n':
				x = Null
			case '"':
				x, err = Cast(String(str), t)
			case 't', 'f':
				x, err = jsonToValue(kind == 't', t)
			default:
				x, err = numberBytesToValue(data[start:i], t)
			}
			if err != nil {
				return nil, false
			}
			row[ci] = x
		}
		i = skipSpace(data, i)
		if data[i] == '}' {
			return [][]Value{row}, true
		}
		i = skipSpace(data, i+1) // the comma
	}
}

// numberBytesToValue is numberToValue without a string of the number for
// the usual DOUBLE, REAL and integer columns (the general path does the
// rest, and the errors).
func numberBytesToValue(b []byte, t Type) (Value, error) {
	switch t.Kind {
	case KindFloat:
		f, err := strconv.ParseFloat(string(b), 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			break
		}
		if t.Name == "REAL" {
			f = float64(float32(f))
		}
		return Float(f), nil
	case KindInt:
		n, err := strconv.ParseInt(string(b), 10, 64)
		if err != nil {
			break
		}
		if r := intRange[t.Name]; n < r[0] || n > r[1] {
			break
		}
		return Int(n), nil
	}
	return numberToValue(string(b), t)
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index after the string starting at b[i] (a
// quote), and whether it holds escapes.
func stringEnd(b []byte, i int) (int, bool) {
	esc := false
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			esc = true
			j++
		case '"':
			return j + 1, esc
		}
	}
	return len(b), esc
}

// nestedEnd returns the index after the object or array starting at b[i].
func nestedEnd(b []byte, i int) int {
	depth := 0
	for i < len(b) {
		switch b[i] {
		case '"':
			i, _ = stringEnd(b, i)
			continue
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return i + 1
			}
		}
		i++
	}
	return i
}

func isNumberByte(c byte) bool {
	return c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'
}
