package redshift

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// jsonToCSV reads the staged object as Redshift's COPY ... JSON 'auto'
// reads it and writes the rows as PostgreSQL CSV for COPY FROM STDIN.
//
// Redshift's rules ("COPY from JSON format", Amazon Redshift Database
// Developer Guide): the data is a series of JSON objects, one per row
// (Firehose concatenates records, so they may be separated by newlines,
// other whitespace or nothing); with 'auto' a key is loaded into the column
// of the same name (column names are lower case; keys are matched exactly),
// with 'auto ignorecase' into the column whose name matches it without
// regard to case; keys matching no column are ignored, and a column no key
// matches gets NULL. A JSON null loads NULL; strings load their text,
// numbers and booleans their JSON text, and nested objects and arrays
// their JSON text (Redshift loads those into VARCHAR or SUPER; PostgreSQL
// parses the text into the column's type: text, json, jsonb, ...).
//
// In the CSV every value is quoted, and NULL is an unquoted empty field:
// PostgreSQL's CSV format tells the empty string from NULL that way.
func jsonToCSV(data []byte, columns []string, ignoreCase bool) ([]byte, error) {
	index := make(map[string]int, len(columns))
	for i, c := range columns {
		if ignoreCase {
			c = strings.ToLower(c)
		}
		index[c] = i
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var out bytes.Buffer
	row := make([]*string, len(columns))
	for n := 1; ; n++ {
		var obj map[string]json.RawMessage
		if err := dec.Decode(&obj); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("JSON record %d: %w", n, err)
		}
		if obj == nil {
			return nil, fmt.Errorf("JSON record %d is null, not an object", n)
		}
		clear(row)
		for k, raw := range obj {
			if ignoreCase {
				k = strings.ToLower(k)
			}
			i, ok := index[k]
			if !ok {
				continue
			}
			v, err := jsonText(raw)
			if err != nil {
				return nil, fmt.Errorf("JSON record %d, key %q: %w", n, k, err)
			}
			row[i] = v
		}
		for i, v := range row {
			if i > 0 {
				out.WriteByte(',')
			}
			if v != nil {
				out.WriteByte('"')
				out.WriteString(strings.ReplaceAll(*v, `"`, `""`))
				out.WriteByte('"')
			}
		}
		out.WriteByte('\n')
	}
	return out.Bytes(), nil
}

// jsonText is the text a JSON value loads; nil for null.
func jsonText(raw json.RawMessage) (*string, error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case bytes.Equal(raw, []byte("null")):
		return nil, nil
	case len(raw) > 0 && raw[0] == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, err
		}
		return &s, nil
	case len(raw) > 0 && (raw[0] == '{' || raw[0] == '['):
		var buf bytes.Buffer
		if err := json.Compact(&buf, raw); err != nil {
			return nil, err
		}
		s := buf.String()
		return &s, nil
	default: // number, true, false
		s := string(raw)
		return &s, nil
	}
}
