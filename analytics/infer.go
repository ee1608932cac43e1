package analytics

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/eddy-streams/eddy/protocol/kda"
)

// Schema inference, as DiscoverInputSchema answers it. What the developer
// guide documents is followed; the rest is Eddy's choice, said where made.
//
// Documented (developer guide, "Using the Schema Discovery Feature on
// Streaming Data" and "... on Static Data", and the Getting Started
// schema of the stock-ticker demo stream, "(TICKER_SYMBOL VARCHAR(4),
// SECTOR varchar(16), CHANGE REAL, PRICE REAL)"):
//   - column names keep the source's name unless it is a reserved SQL word
//     (TIMESTAMP, USER, VALUES, YEAR; the static-data example renames year
//     and month to COL_year and COL_month), holds characters other than
//     letters, digits and "_" (USER@DOMAIN becomes COL_USERDOMAIN), begins
//     with a digit, or is longer than 100 characters: then it is "COL_"
//     and what can be kept, or "COL_#" with # the column's place when
//     nothing can ("@@" becomes COL_0);
//   - numbers with a fraction are REAL (CHANGE -0.05, PRICE 84.51), whole
//     numbers INTEGER (2001, 47615, 3020601 in the static-data example);
//   - VARCHAR(n) with n a power of two: "AK" and "Coal" give VARCHAR(4),
//     "ShortTons" VARCHAR(16), a 35-character value VARCHAR(64), "QXZ"
//     VARCHAR(4) and "HEALTHCARE" VARCHAR(16): the length of the longest
//     value rounded up to a power of two, at least 4;
//   - CSV: a header row names the columns; it stays in ParsedInputRecords
//     with null for the columns that are not VARCHAR and is not counted in
//     the types; RecordRowDelimiter is the data's ("\r\n" in the example),
//     RecordColumnDelimiter ",".
//
// Eddy's choices (no source documents them): whole numbers beyond 32 bits
// are BIGINT; JSON booleans BOOLEAN; strings that all parse as
// "2006-01-02 15:04:05[.fff]" or RFC 3339 TIMESTAMP; a column of mixed
// kinds VARCHAR; nested JSON objects flattened to one column per leaf
// ($.a.b named b, or a_b when two leaves share a name); arrays one
// VARCHAR column ($.a); a header is recognised when every field of the
// first row is text and some column of the other rows is not VARCHAR;
// CSV without a header has columns COL_0, COL_1, ... (the documented rule
// for a name of which nothing is kept); column delimiters tried in the
// order "," "\t" "|" ";"; a name made twice gets "_2", "_3", ...

// column is a column being inferred.
type column struct {
	name, path string
	kind       string // "", "int", "bigint", "real", "bool", "string"
	maxLen     int
	timestamps bool // every string value so far is a timestamp
}

// infer returns the schema of raw and each row's values in column order
// (nil for a missing or null value), or nil if raw is empty or neither
// JSON nor delimited text.
func infer(raw [][]byte) (*kda.SourceSchema, [][]*string) {
	if len(raw) == 0 {
		return nil, nil
	}
	schema, parsed, ok := inferJSON(raw)
	if !ok {
		schema, parsed, ok = inferCSV(raw)
	}
	if !ok || len(schema.RecordColumns) > maxColumns {
		return nil, nil
	}
	return schema, parsed
}

// maxColumns is the most columns a schema has (the model's RecordColumns,
// 1 to 1000): records with more give no schema.
const maxColumns = 1000

// maxNameLen is the longest column name discovery keeps.
const maxNameLen = 100

// discoveryReserved are the words discovery renames. The guide names
// TIMESTAMP, USER, VALUES and YEAR, and its example MONTH; the others are
// SQL reserved words Eddy adds (the guide's list is not published).
var discoveryReserved = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`ALL AND ANY AS ASC BETWEEN BY CASE CAST CHAR CHARACTER CHECK
		COLUMN CREATE CROSS CURRENT CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP CURRENT_USER CURSOR
		DATE DAY DECIMAL DEFAULT DELETE DESC DISTINCT DOUBLE DROP ELSE END ESCAPE EXISTS FALSE FLOAT
		FOR FROM FULL GROUP HAVING HOUR IN INNER INSERT INT INTEGER INTERVAL INTO IS JOIN LEFT LIKE
		MINUTE MONTH NATURAL NOT NULL NUMERIC ON OR ORDER OUTER OVER PARTITION REAL RIGHT ROW ROWS
		ROWTIME SECOND SELECT SET SIMILAR SMALLINT STREAM TABLE THEN TIME TIMESTAMP TO TRUE UNION
		UNKNOWN UPDATE USER VALUES VARCHAR WHEN WHERE WINDOW WINDOWED WITH YEAR`) {
		discoveryReserved[w] = true
	}
}

// columnName is the name discovery gives the source name src of the
// column at place i (from 0).
func columnName(src string, i int) string {
	var b strings.Builder
	for _, r := range src {
		if r == '_' || r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	kept := b.String()
	switch {
	case kept == "":
		return "COL_" + strconv.Itoa(i)
	case kept != src || discoveryReserved[strings.ToUpper(kept)] || kept[0] >= '0' && kept[0] <= '9' || len(kept) > maxNameLen:
		kept = "COL_" + kept
		if len(kept) > maxNameLen {
			kept = kept[:maxNameLen]
		}
	}
	return kept
}

// nameColumns gives cols their names from their source names, unique.
func nameColumns(cols []*column) {
	seen := map[string]int{}
	for i, c := range cols {
		c.name = columnName(c.name, i)
		up := strings.ToUpper(c.name)
		seen[up]++
		if n := seen[up]; n > 1 {
			c.name += "_" + strconv.Itoa(n)
		}
	}
}

func inferJSON(raw [][]byte) (*kda.SourceSchema, [][]*string, bool) {
	var cols []*column
	byPath := map[string]*column{}
	var rows []map[string]string
	for _, r := range raw {
		dec := json.NewDecoder(bytes.NewReader(r))
		dec.UseNumber()
		row := map[string]string{}
		if err := walkJSON(dec, "$", func(path, key string, v any) {
			c := byPath[path]
			if c == nil {
				c = &column{name: key, path: path, timestamps: true}
				byPath[path] = c
				cols = append(cols, c)
			}
			row[path] = c.see(v)
		}); err != nil {
			return nil, nil, false
		}
		if _, err := dec.Token(); err == nil {
			return nil, nil, false // more than one value
		}
		rows = append(rows, row)
	}
	if len(cols) == 0 {
		return nil, nil, false
	}
	// Source names: the key, or the path joined with "_" where keys
	// collide.
	count := map[string]int{}
	for _, c := range cols {
		count[c.name]++
	}
	for _, c := range cols {
		if count[c.name] > 1 {
			c.name = strings.ReplaceAll(strings.TrimPrefix(c.path, "$."), ".", "_")
		}
	}
	nameColumns(cols)
	schema := &kda.SourceSchema{
		RecordFormat: &kda.RecordFormat{RecordFormatType: kda.FormatJSON, MappingParameters: &kda.MappingParameters{
			JSONMappingParameters: &kda.JSONMappingParameters{RecordRowPath: kda.String("$")}}},
		RecordEncoding: kda.String("UTF-8"),
	}
	for _, c := range cols {
		schema.RecordColumns = append(schema.RecordColumns, kda.RecordColumn{Name: kda.String(c.name), Mapping: kda.String(c.path), SqlType: kda.String(c.sqlType())})
	}
	parsed := make([][]*string, len(rows))
	for i, row := range rows {
		parsed[i] = make([]*string, len(cols))
		for j, c := range cols {
			if v, ok := row[c.path]; ok {
				parsed[i][j] = kda.String(v)
			}
		}
	}
	return schema, parsed, true
}

// walkJSON reads one JSON object from dec and calls leaf for each leaf
// value (a scalar, or an array as its JSON text) with its path and key. A
// null is not a leaf.
func walkJSON(dec *json.Decoder, path string, leaf func(path, key string, v any)) error {
	t, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := t.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("not an object")
	}
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return err
		}
		k := kt.(string)
		p := path + "." + k
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return err
		}
		switch {
		case len(v) > 0 && v[0] == '{':
			sub := json.NewDecoder(bytes.NewReader(v))
			sub.UseNumber()
			if err := walkJSON(sub, p, leaf); err != nil {
				return err
			}
		case len(v) > 0 && v[0] == '[':
			leaf(p, k, string(v))
		case len(v) > 0 && v[0] == '"':
			var x string
			if err := json.Unmarshal(v, &x); err != nil {
				return err
			}
			leaf(p, k, x)
		case string(v) == "true" || string(v) == "false":
			leaf(p, k, string(v) == "true")
		case string(v) == "null":
		default: // a number: the decoder checked its syntax
			leaf(p, k, json.Number(v))
		}
	}
	_, err = dec.Token() // '}'
	return err
}

// see widens c's type to hold v (a json.Number, bool or string; arrays
// come as their text) and returns v as text.
func (c *column) see(v any) string {
	var text, kind string
	switch x := v.(type) {
	case bool:
		text, kind = strconv.FormatBool(x), "bool"
	case json.Number:
		text, kind = x.String(), numberKind(x.String())
	case string:
		text, kind = x, "string"
		if c.timestamps && !isTimestamp(x) {
			c.timestamps = false
		}
	}
	if n := utf8.RuneCountInString(text); n > c.maxLen {
		c.maxLen = n
	}
	c.kind = widen(c.kind, kind)
	return text
}

func numberKind(s string) string {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n >= math.MinInt32 && n <= math.MaxInt32 {
			return "int"
		}
		return "bigint"
	}
	return "real"
}

func widen(a, b string) string {
	switch {
	case a == "" || a == b:
		return b
	case isNumeric(a) && isNumeric(b):
		if a == "real" || b == "real" {
			return "real"
		}
		return "bigint" // int and bigint
	}
	return "string"
}

func isNumeric(k string) bool { return k == "int" || k == "bigint" || k == "real" }

var timestampLayouts = []string{"2006-01-02 15:04:05.999999999", time.RFC3339Nano}

func isTimestamp(s string) bool {
	for _, l := range timestampLayouts {
		if _, err := time.Parse(l, s); err == nil {
			return true
		}
	}
	return false
}

// minVarchar is the shortest VARCHAR discovery gives.
const minVarchar = 4

func (c *column) sqlType() string {
	switch c.kind {
	case "int":
		return "INTEGER"
	case "bigint":
		return "BIGINT"
	case "real":
		return "REAL"
	case "bool":
		return "BOOLEAN"
	case "string":
		if c.timestamps {
			return "TIMESTAMP"
		}
	}
	n := minVarchar
	for n < c.maxLen {
		n *= 2
	}
	return fmt.Sprintf("VARCHAR(%d)", n)
}

// csvDelimiters are the column delimiters tried, in order.
var csvDelimiters = []string{",", "\t", "|", ";"}

func inferCSV(raw [][]byte) (*kda.SourceSchema, [][]*string, bool) {
	rowDelim := "\n"
	for _, r := range raw {
		if bytes.Contains(r, []byte("\r\n")) {
			rowDelim = "\r\n"
			break
		}
	}
	var lines []string
	for _, r := range raw {
		text := strings.TrimSuffix(string(r), rowDelim)
		if text != "" {
			lines = append(lines, strings.Split(text, rowDelim)...)
		}
	}
	if len(lines) == 0 {
		return nil, nil, false
	}
	for _, d := range csvDelimiters {
		if rows := splitRows(lines, d); rows != nil {
			schema, parsed := csvSchema(rows, rowDelim, d)
			return schema, parsed, true
		}
	}
	return nil, nil, false
}

// splitRows splits every line at d, or returns nil if the lines do not
// all have the same number of fields, at least two.
func splitRows(lines []string, d string) [][]string {
	rows := make([][]string, len(lines))
	for i, l := range lines {
		rows[i] = strings.Split(l, d)
		if len(rows[i]) < 2 || len(rows[i]) != len(rows[0]) {
			return nil
		}
	}
	return rows
}

// csvSchema types the columns of rows, and names them from the first
// row if it is a header.
func csvSchema(rows [][]string, rowDelim, colDelim string) (*kda.SourceSchema, [][]*string) {
	n := len(rows[0])
	typeOf := func(rows [][]string) []*column {
		cols := make([]*column, n)
		for i := range cols {
			cols[i] = &column{timestamps: true}
		}
		for _, row := range rows {
			for i, f := range row {
				if f != "" {
					cols[i].see(textValue(f))
				}
			}
		}
		return cols
	}
	cols := typeOf(rows)
	header := false
	if len(rows) > 1 {
		rest := typeOf(rows[1:])
		first := typeOf(rows[:1])
		allText, someTyped := true, false
		for i := range rest {
			if first[i].kind != "string" || first[i].timestamps {
				allText = false
			}
			if rest[i].kind != "string" && rest[i].kind != "" || rest[i].kind == "string" && rest[i].timestamps {
				someTyped = true
			}
		}
		if header = allText && someTyped; header {
			cols = rest
		}
	}
	for i, c := range cols {
		if header {
			c.name = rows[0][i]
		}
	}
	nameColumns(cols)
	schema := &kda.SourceSchema{
		RecordFormat: &kda.RecordFormat{RecordFormatType: kda.FormatCSV, MappingParameters: &kda.MappingParameters{
			CSVMappingParameters: &kda.CSVMappingParameters{RecordRowDelimiter: kda.String(rowDelim), RecordColumnDelimiter: kda.String(colDelim)}}},
		RecordEncoding: kda.String("UTF-8"),
	}
	types := make([]string, n)
	for i, c := range cols {
		types[i] = c.sqlType()
		schema.RecordColumns = append(schema.RecordColumns, kda.RecordColumn{Name: kda.String(c.name), SqlType: kda.String(types[i])})
	}
	parsed := make([][]*string, len(rows))
	for r, row := range rows {
		parsed[r] = make([]*string, n)
		for i, f := range row {
			if r == 0 && header && !strings.HasPrefix(types[i], "VARCHAR") {
				continue // null, as the guide's example shows
			}
			parsed[r][i] = kda.String(f)
		}
	}
	return schema, parsed
}

// textValue is a delimited field as the JSON value it reads as: a number,
// a boolean, or a string.
func textValue(f string) any {
	if _, err := strconv.ParseFloat(f, 64); err == nil {
		if _, err := strconv.ParseInt(f, 10, 64); err == nil || strings.ContainsAny(f, ".eE") {
			return json.Number(f)
		}
	}
	if f == "true" || f == "false" {
		return f == "true"
	}
	return f
}
