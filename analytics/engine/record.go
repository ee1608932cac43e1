package engine

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// RecordColumn maps an element of a source record to a column, as the API's
// RecordColumn does: Name, SqlType ("VARCHAR(4)", "DOUBLE", ...) and, for JSON, Mapping,
// a JSONPath such as $.a.b, $.arr[0] or $['a b'].
type RecordColumn struct {
	Name    string
	SqlType string
	Mapping string
}

// RecordFormat is the API's RecordFormat: RecordFormatType "JSON" or "CSV" and its
// MappingParameters (JSONMappingParameters.RecordRowPath; CSVMappingParameters
// RecordRowDelimiter and RecordColumnDelimiter).
type RecordFormat struct {
	RecordFormatType      string
	RecordRowPath         string
	RecordRowDelimiter    string
	RecordColumnDelimiter string
}

// RecordError is a record that could not be decoded: the error_stream's ERROR_NAME and
// MESSAGE, and the record's bytes (DATA_ROW, hex-encoded there).
type RecordError struct {
	Name    string
	Message string
	Data    []byte
}

func (e *RecordError) Error() string { return e.Name + ": " + e.Message }

// Decoder turns source records into rows of an input stream.
type Decoder struct {
	format  RecordFormat
	cols    []Column
	paths   [][]pathStep
	rowPath []pathStep
	// flat is the path of the array whose elements become rows (the prefix before [0:]
	// in mappings such as $.orders[0:].orderId), nil if none; flatCol[i] says that column
	// i reads an element of it (its paths[i] is then the part after [0:]).
	flat    []pathStep
	flatCol []bool
	fast    map[string][]int // fastjson.go; nil when the schema does not allow it
}

// pathStep is one step of a JSONPath: a member name, an index, or [0:] (all elements).
type pathStep struct {
	key   string
	index int // -1 for a key
	all   bool
}

// NewDecoder checks a source schema. Column names are used as given (the API's names are
// case-sensitive; SQL must quote names that are not upper case).
func NewDecoder(format RecordFormat, columns []RecordColumn) (*Decoder, error) {
	d := &Decoder{format: format}
	switch format.RecordFormatType {
	case "JSON":
		rp := format.RecordRowPath
		if rp == "" {
			rp = "$"
		}
		p, err := parsePath(rp)
		if err != nil {
			return nil, fmt.Errorf("RecordRowPath %q: %w", rp, err)
		}
		d.rowPath = p
	case "CSV":
		if format.RecordRowDelimiter == "" || format.RecordColumnDelimiter == "" {
			return nil, fmt.Errorf("CSV needs a RecordRowDelimiter and a RecordColumnDelimiter")
		}
	default:
		return nil, fmt.Errorf("RecordFormatType %q is not JSON or CSV", format.RecordFormatType)
	}
	if len(columns) == 0 {
		return nil, fmt.Errorf("a source schema needs at least one RecordColumn")
	}
	for _, c := range columns {
		t, err := ParseType(c.SqlType)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", c.Name, err)
		}
		d.cols = append(d.cols, Column{c.Name, t})
		if format.RecordFormatType == "JSON" {
			m := c.Mapping
			if m == "" {
				m = "$." + c.Name // Eddy's default; the API requires Mapping for JSON
			}
			p, err := parsePath(m)
			if err != nil {
				return nil, fmt.Errorf("column %s: mapping %q: %w", c.Name, m, err)
			}
			flat := false
			for i, st := range p {
				if !st.all || i == len(p)-1 {
					continue
				}
				// [0:] followed by more steps flattens the array (dev Working with JSONPath).
				prefix, rest := p[:i], p[i+1:]
				for _, st2 := range rest {
					if st2.all {
						return nil, fmt.Errorf("column %s: mapping %q: only one level of [0:] is supported in an array expression", c.Name, m)
					}
				}
				if d.flat != nil && !samePath(d.flat, prefix) {
					return nil, fmt.Errorf("column %s: mapping %q: only one array can be flattened in a schema", c.Name, m)
				}
				d.flat, p, flat = prefix, rest, true
				break
			}
			d.paths = append(d.paths, p)
			d.flatCol = append(d.flatCol, flat)
		}
	}
	d.fast = fastKeys(d)
	return d, nil
}

func samePath(a, b []pathStep) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Columns are the columns of the rows Decode returns.
func (d *Decoder) Columns() []Column { return append([]Column(nil), d.cols...) }

// parsePath parses $, $.a.b, $['a b'], $.arr[0:] (every element: the only index KDA
// documents) and $.arr[2] (one element: an Eddy extension). Other forms ([*], slices,
// filters, ..) are errors.
func parsePath(p string) ([]pathStep, error) {
	if !strings.HasPrefix(p, "$") {
		return nil, fmt.Errorf("a path must start with $")
	}
	var steps []pathStep
	s := p[1:]
	for len(s) > 0 {
		switch {
		case s[0] == '.':
			s = s[1:]
			i := strings.IndexAny(s, ".[")
			if i < 0 {
				i = len(s)
			}
			if i == 0 {
				return nil, fmt.Errorf("empty name")
			}
			steps = append(steps, pathStep{key: s[:i], index: -1})
			s = s[i:]
		case strings.HasPrefix(s, "['"):
			end := strings.Index(s[2:], "']")
			if end < 0 {
				return nil, fmt.Errorf("unterminated ['")
			}
			steps = append(steps, pathStep{key: s[2 : 2+end], index: -1})
			s = s[2+end+2:]
		case s[0] == '[':
			end := strings.IndexByte(s, ']')
			if end < 0 {
				return nil, fmt.Errorf("unterminated [")
			}
			if s[1:end] == "0:" {
				steps = append(steps, pathStep{index: -1, all: true})
				s = s[end+1:]
				continue
			}
			n, err := strconv.Atoi(s[1:end])
			if err != nil || n < 0 {
				return nil, fmt.Errorf("invalid index %q", s[1:end])
			}
			steps = append(steps, pathStep{index: n})
			s = s[end+1:]
		default:
			return nil, fmt.Errorf("unexpected %q", s[:1])
		}
	}
	return steps, nil
}

func walkPath(v any, steps []pathStep) (any, bool) {
	for _, st := range steps {
		if st.all { // a trailing [0:]: the whole array, as one value
			if _, ok := v.([]any); !ok {
				return nil, false
			}
			continue
		}
		if st.index >= 0 {
			a, ok := v.([]any)
			if !ok || st.index >= len(a) {
				return nil, false
			}
			v = a[st.index]
			continue
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[st.key]; !ok {
			return nil, false
		}
	}
	return v, true
}

// Decode turns one record into rows: one for a JSON object (or one per element when the
// RecordRowPath leads to an array), one per line of CSV. A record, or a CSV line, that does
// not parse or whose values do not convert yields a RecordError instead (for the
// error_stream, with ERROR_NAME "Coercion error" for values and "Parse error" for records:
// names chosen by Eddy, the developer guide gives none). A path that finds nothing, and a
// missing CSV field, give NULL.
func (d *Decoder) Decode(data []byte) (rows [][]Value, errs []*RecordError) {
	if d.format.RecordFormatType == "CSV" {
		for _, line := range strings.Split(string(data), d.format.RecordRowDelimiter) {
			if line == "" {
				continue
			}
			row, err := d.csvRow(line)
			if err != nil {
				errs = append(errs, &RecordError{Name: "Coercion error", Message: err.Error(), Data: []byte(line)})
				continue
			}
			rows = append(rows, row)
		}
		return rows, errs
	}
	if d.fast != nil {
		if rows, ok := d.decodeFast(data); ok {
			return rows, nil
		}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, []*RecordError{{Name: "Parse error", Message: "invalid JSON: " + err.Error(), Data: data}}
	}
	if dec.More() {
		return nil, []*RecordError{{Name: "Parse error", Message: "invalid JSON: data after the value", Data: data}}
	}
	top, ok := walkPath(doc, d.rowPath)
	if !ok {
		return nil, []*RecordError{{Name: "Parse error", Message: "RecordRowPath finds nothing", Data: data}}
	}
	elems := []any{top}
	if a, ok := top.([]any); ok {
		elems = a
	}
	for _, el := range elems {
		// With a flattened array, one row per element of it; an empty or missing array
		// still gives one row, its element columns NULL (dev Working with JSONPath).
		items := []any{nil}
		if d.flat != nil {
			if a, ok := walkPath(el, d.flat); ok {
				if a, ok := a.([]any); ok && len(a) > 0 {
					items = a
				}
			}
		}
		for _, item := range items {
			row := make([]Value, len(d.cols))
			var bad error
			for i, c := range d.cols {
				var v any
				var ok bool
				if d.flat != nil && d.flatCol[i] {
					if item == nil {
						continue
					}
					v, ok = walkPath(item, d.paths[i])
				} else {
					v, ok = walkPath(el, d.paths[i])
				}
				if !ok || v == nil {
					continue
				}
				x, err := jsonToValue(v, c.Type)
				if err != nil {
					bad = fmt.Errorf("column %s: %w", c.Name, err)
					break
				}
				row[i] = x
			}
			if bad != nil {
				errs = append(errs, &RecordError{Name: "Coercion error", Message: bad.Error(), Data: data})
				continue
			}
			rows = append(rows, row)
		}
	}
	return rows, errs
}

// numberToValue converts the text of a JSON number.
func numberToValue(v string, t Type) (Value, error) {
	if t.Kind == KindTimestamp {
		ms, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return Null, castError(String(v), t)
		}
		return TimestampMillis(ms), nil // a number is milliseconds since the epoch
	}
	if t.Kind == KindBool {
		return Null, castError(String(v), t)
	}
	return Cast(String(v), t)
}

func jsonToValue(v any, t Type) (Value, error) {
	switch v := v.(type) {
	case string:
		return Cast(String(v), t)
	case json.Number:
		return numberToValue(string(v), t)
	case bool:
		if t.Kind == KindBool {
			return Bool(v), nil
		}
		if t.Kind == KindString {
			return Cast(String(strconv.FormatBool(v)), t)
		}
		return Null, castError(Bool(v), t)
	default: // objects and arrays: their JSON text, for character columns only
		b, _ := json.Marshal(v)
		if t.Kind == KindString {
			return Cast(String(string(b)), t)
		}
		return Null, castError(String(string(b)), t)
	}
}

func (d *Decoder) csvRow(line string) ([]Value, error) {
	fields := strings.Split(line, d.format.RecordColumnDelimiter)
	row := make([]Value, len(d.cols))
	for i, c := range d.cols {
		if i >= len(fields) {
			break
		}
		f := fields[i]
		if f == "" && c.Type.Kind != KindString {
			continue
		}
		v, err := Cast(String(f), c.Type)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", c.Name, err)
		}
		row[i] = v
	}
	return row, nil
}

// EncodeRecord writes a row of an output stream as KDA writes records to a destination
// (DestinationSchema RecordFormatType): JSON, an object of the stream's columns in order
// ({"TICKER_SYMBOL":"AMZN","PRICE":12.5}, NULL as null, TIMESTAMP as
// "2006-01-02 15:04:05.000"); or CSV, the values separated by "," and ended by "\n",
// NULL as an empty field, fields holding a comma, quote or line break quoted.
func EncodeRecord(format string, cols []Column, row Row) ([]byte, error) {
	if len(row.Values) != len(cols) {
		return nil, fmt.Errorf("the row has %d values for %d columns", len(row.Values), len(cols))
	}
	var b bytes.Buffer
	switch format {
	case "JSON":
		b.WriteByte('{')
		for i, c := range cols {
			if i > 0 {
				b.WriteByte(',')
			}
			k, _ := json.Marshal(c.Name)
			b.Write(k)
			b.WriteByte(':')
			if r, ok := realText(row.Values[i], c.Type); ok {
				b.WriteString(r)
				continue
			}
			writeJSONValue(&b, row.Values[i])
		}
		b.WriteByte('}')
	case "CSV":
		for i, v := range row.Values {
			if i > 0 {
				b.WriteByte(',')
			}
			if v.Kind == KindNull {
				continue
			}
			s := v.String()
			if r, ok := realText(v, cols[i].Type); ok {
				s = r
			}
			if strings.ContainsAny(s, ",\"\r\n") {
				s = `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
			}
			b.WriteString(s)
		}
		b.WriteByte('\n')
	default:
		return nil, fmt.Errorf("RecordFormatType %q is not JSON or CSV", format)
	}
	return b.Bytes(), nil
}

// realText is the text of a finite value of a REAL column: the shortest
// that reads back as the same float32 (84.51, not the float64
// 84.51000213623047 it is held as).
func realText(v Value, t Type) (string, bool) {
	if v.Kind != KindFloat || t.Name != "REAL" || math.IsInf(v.F, 0) || math.IsNaN(v.F) {
		return "", false
	}
	return strconv.FormatFloat(v.F, 'g', -1, 32), true
}

func writeJSONValue(b *bytes.Buffer, v Value) {
	switch v.Kind {
	case KindNull:
		b.WriteString("null")
	case KindBool:
		b.WriteString(strings.ToLower(v.String()))
	case KindInt, KindDecimal:
		b.WriteString(v.String())
	case KindFloat:
		if s := v.String(); strings.ContainsAny(s, "IN") { // Infinity, NaN: not JSON numbers
			q, _ := json.Marshal(s)
			b.Write(q)
		} else {
			b.WriteString(s)
		}
	default:
		q, _ := json.Marshal(v.String())
		b.Write(q)
	}
}

// encodeJSONValues is a row as a JSON array, for the error_stream's DATA_ROW.
func encodeJSONValues(vals []Value) []byte {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, v := range vals {
		if i > 0 {
			b.WriteByte(',')
		}
		writeJSONValue(&b, v)
	}
	b.WriteByte(']')
	return b.Bytes()
}
