package convert

import (
	"bytes"
	"errors"
	"regexp"

	"github.com/eddy-streams/eddy/agent/config"
)

// csvToJSON is CSVTOJSON (CSVToJSONDataConverter.java): the record, less
// its trailing newline, is split with Java's String.split(delimiter) — the
// delimiter is a regular expression, so "\\t" in agent.json (the string
// `\t`) splits at tabs and "|" would split everywhere — and the i-th
// customFieldNames entry gets the i-th column, or null when there are fewer
// columns. String.split drops trailing empty columns, so "a,b," has two
// columns and a third field would be null. Extra columns are dropped.
type csvToJSON struct {
	fields  *fieldSet
	literal []byte         // the delimiter when it is a plain string
	re      *regexp.Regexp // otherwise
	cols    [][]byte
}

func newCSV(o *config.ProcessingOption) (*csvToJSON, error) {
	if o.CustomFieldNames == nil {
		return nil, errors.New("customFieldNames is required")
	}
	delim := o.Delimiter
	if delim == "" {
		delim = ","
	}
	re, err := regexp.Compile(delim)
	if err != nil {
		return nil, err
	}
	c := &csvToJSON{fields: newFieldSet(o.CustomFieldNames)}
	if lit, complete := re.LiteralPrefix(); complete && lit != "" {
		c.literal = []byte(lit)
	} else {
		c.re = re
	}
	return c, nil
}

func (c *csvToJSON) Convert(dst, rec []byte) ([]byte, error) {
	s := trimNewline(rec)
	if s == nil {
		s = []byte{} // an empty column is "", not null
	}
	c.cols = javaSplit(c.cols[:0], s, c.literal, c.re)
	return c.fields.appendObject(dst, c.cols), nil
}

// javaSplit is String.split(regex) with limit 0: no match gives the whole
// input as one column; otherwise the pieces between matches, without the
// trailing empty ones, and without a leading empty piece produced by a
// zero-width match at the start.
func javaSplit(cols [][]byte, s, literal []byte, re *regexp.Regexp) [][]byte {
	if literal != nil {
		start := 0
		for {
			i := bytes.Index(s[start:], literal)
			if i < 0 {
				break
			}
			cols = append(cols, s[start:start+i])
			start += i + len(literal)
		}
		if start == 0 {
			return append(cols, s)
		}
		cols = append(cols, s[start:])
	} else {
		matches := re.FindAllIndex(s, -1)
		if len(matches) == 0 {
			return append(cols, s)
		}
		start := 0
		for _, m := range matches {
			if m[1] == 0 { // zero-width match at the start: no leading piece
				continue
			}
			cols = append(cols, s[start:m[0]])
			start = m[1]
		}
		cols = append(cols, s[start:])
	}
	for len(cols) > 0 && len(cols[len(cols)-1]) == 0 {
		cols = cols[:len(cols)-1]
	}
	return cols
}

// fieldSet writes a flat JSON object of named string fields the way the
// agent's LinkedHashMap does: a name given twice keeps its first position
// and takes the later value.
type fieldSet struct {
	keys [][]byte // per output slot: `"name":` with a leading ',' after the first
	src  []int    // per output slot: the index of the value it takes
}

func newFieldSet(names []string) *fieldSet {
	fs := &fieldSet{}
	slot := map[string]int{}
	for i, n := range names {
		if s, ok := slot[n]; ok {
			fs.src[s] = i
			continue
		}
		slot[n] = len(fs.keys)
		var k []byte
		if len(fs.keys) > 0 {
			k = append(k, ',')
		}
		k = appendJSONString(k, []byte(n))
		k = append(k, ':')
		fs.keys = append(fs.keys, k)
		fs.src = append(fs.src, i)
	}
	return fs
}

// appendObject writes {"name":value,...}\n: the i-th name takes vals[i],
// null when vals[i] is nil or i >= len(vals).
func (fs *fieldSet) appendObject(dst []byte, vals [][]byte) []byte {
	dst = append(dst, '{')
	for s, k := range fs.keys {
		dst = append(dst, k...)
		i := fs.src[s]
		if i >= len(vals) || vals[i] == nil {
			dst = append(dst, "null"...)
			continue
		}
		dst = appendJSONString(dst, vals[i])
	}
	return append(dst, '}', '\n')
}
