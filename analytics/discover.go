package analytics

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/protocol/kda"
	"github.com/eddy-streams/eddy/protocol/kds"
)

// maxSample is how many records DiscoverInputSchema reads at most.
// Kinesis Analytics does not document its sample size; the console shows
// about a hundred rows.
const maxSample = 100

// DiscoverInputSchema samples records from a Kinesis stream, from
// TRIM_HORIZON whatever InputStartingPositionConfiguration says, and
// infers their schema (see infer). Delivery streams, S3 objects and
// InputProcessingConfiguration are not supported (InvalidArgumentException,
// Eddy's words). A stream without records, or records neither JSON
// objects nor delimited text, is UnableToDetectSchemaException with the
// sampled RawInputRecords.
func (s *Service) DiscoverInputSchema(ctx context.Context, _ string, in *kda.DiscoverInputSchemaInput) (*kda.DiscoverInputSchemaOutput, error) {
	if in.S3Configuration != nil {
		return nil, invalidArgument("Eddy does not discover schemas from S3 objects; give the ResourceARN of a Kinesis stream.")
	}
	if in.InputProcessingConfiguration != nil {
		return nil, invalidArgument("Eddy does not run an InputProcessingConfiguration for DiscoverInputSchema.")
	}
	arn := kda.Deref(in.ResourceARN)
	p, ok := parseARN(arn, kindStream)
	if !ok {
		return nil, invalidArgument("Eddy discovers schemas from Kinesis streams only; %s is not the ARN of a Kinesis stream.", arn)
	}
	if err := s.checkResource(ctx, arn, kindStream); err != nil {
		return nil, err
	}
	if s.cfg.Kinesis == nil {
		return nil, eddy.Errorf(eddy.CodeUnsupportedOperation, "DiscoverInputSchema is not available: no Kinesis service.")
	}
	k, err := s.cfg.Kinesis(p.region)
	if err != nil {
		return nil, err
	}
	raw, err := sample(ctx, k, p.name, maxSample)
	if err != nil {
		return nil, err
	}
	schema, parsed := infer(raw)
	if schema == nil {
		rawText := make([]string, len(raw))
		for i, r := range raw {
			rawText[i] = string(r)
		}
		msg := "Unable to determine the schema of the sampled records."
		if len(raw) == 0 {
			msg = "No records were found in the stream to determine its schema."
		}
		// Eddy's words.
		return nil, (&eddy.Error{Code: eddy.CodeUnableToDetectSchema, Message: msg}).With("RawInputRecords", rawText)
	}
	out := &kda.DiscoverInputSchemaOutput{InputSchema: schema, ParsedInputRecords: parsed}
	for _, r := range raw {
		out.RawInputRecords = append(out.RawInputRecords, string(r))
	}
	return out, nil
}

// sample reads up to max records of the stream name from TRIM_HORIZON,
// shard by shard.
func sample(ctx context.Context, k Kinesis, name string, max int) ([][]byte, error) {
	var out [][]byte
	var next *string
	for len(out) < max {
		lin := &kds.ListShardsInput{StreamName: kda.String(name)}
		if next != nil {
			lin = &kds.ListShardsInput{NextToken: next}
		}
		ls, err := k.ListShards(ctx, lin)
		if err != nil {
			return nil, err
		}
		for _, sh := range ls.Shards {
			trim := kds.ShardIteratorTypeTrimHorizon
			it, err := k.GetShardIterator(ctx, &kds.GetShardIteratorInput{StreamName: kda.String(name), ShardId: kda.String(sh.ShardId), ShardIteratorType: &trim})
			if err != nil {
				return nil, err
			}
			iter := kda.String(it.ShardIterator)
			for iter != nil && len(out) < max {
				gr, err := k.GetRecords(ctx, &kds.GetRecordsInput{ShardIterator: iter, Limit: kda.Int32(int32(max - len(out)))})
				if err != nil {
					return nil, err
				}
				for _, r := range gr.Records {
					out = append(out, bytes.Clone(r.Data))
				}
				if len(gr.Records) == 0 && gr.MillisBehindLatest == 0 {
					break // at the end of the shard's records
				}
				iter = gr.NextShardIterator
			}
			if len(out) >= max {
				break
			}
		}
		if ls.NextToken == nil {
			break
		}
		next = ls.NextToken
	}
	return out, nil
}

// column is a column being inferred.
type column struct {
	name, path string
	kind       string // "", "int", "bigint", "double", "bool", "string"
	maxLen     int
	timestamps bool // every string value so far is a timestamp
}

// infer returns the schema of raw and each record's values in column
// order, or nil if raw is empty or neither JSON nor CSV.
//
// JSON records (each one JSON object) give RecordRowPath "$" and a column
// per leaf: a member of a nested object is flattened, with the mapping
// $.a.b, named after its key, or after its path joined with "_" when two
// leaves share a key (Eddy's rule: the console's is not documented).
// Arrays map as a whole ($.a) to a VARCHAR. Types: BOOLEAN for booleans,
// INTEGER for integers within 32 bits, BIGINT for other integers, DOUBLE
// for other numbers, TIMESTAMP for strings that all parse as timestamps
// ("2006-01-02 15:04:05[.fff]" or RFC 3339), else VARCHAR(n) with n the
// longest value rounded up to a power of two; mixed kinds give VARCHAR.
//
// Other records are CSV if splitting them at "\n" and "," gives the same
// number of fields, at least two, in every row: columns COL1, COL2, ...
// typed as above from their text.
func infer(raw [][]byte) (*kda.SourceSchema, [][]string) {
	if len(raw) == 0 {
		return nil, nil
	}
	if schema, parsed, ok := inferJSON(raw); ok {
		return schema, parsed
	}
	if schema, parsed, ok := inferCSV(raw); ok {
		return schema, parsed
	}
	return nil, nil
}

func inferJSON(raw [][]byte) (*kda.SourceSchema, [][]string, bool) {
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
		}, true); err != nil {
			return nil, nil, false
		}
		if dec.More() {
			return nil, nil, false
		}
		rows = append(rows, row)
	}
	if len(cols) == 0 {
		return nil, nil, false
	}
	// Names: the key, or the path joined with "_" where keys collide.
	count := map[string]int{}
	for _, c := range cols {
		count[c.name]++
	}
	for _, c := range cols {
		if count[c.name] > 1 {
			c.name = strings.ReplaceAll(strings.TrimPrefix(c.path, "$."), ".", "_")
		}
	}
	schema := &kda.SourceSchema{
		RecordFormat: &kda.RecordFormat{RecordFormatType: kda.FormatJSON, MappingParameters: &kda.MappingParameters{
			JSONMappingParameters: &kda.JSONMappingParameters{RecordRowPath: kda.String("$")}}},
		RecordEncoding: kda.String("UTF-8"),
	}
	for _, c := range cols {
		schema.RecordColumns = append(schema.RecordColumns, kda.RecordColumn{Name: kda.String(c.name), Mapping: kda.String(c.path), SqlType: kda.String(c.sqlType())})
	}
	parsed := make([][]string, len(rows))
	for i, row := range rows {
		parsed[i] = make([]string, len(cols))
		for j, c := range cols {
			parsed[i][j] = row[c.path]
		}
	}
	return schema, parsed, true
}

// walkJSON reads one JSON value from dec, which must be an object when top
// is true, and calls leaf for each leaf value (a scalar or an array, as
// its JSON text) with its path and key. A null is not a leaf.
func walkJSON(dec *json.Decoder, path string, leaf func(path, key string, v any), top bool) error {
	t, err := dec.Token()
	if err != nil {
		return err
	}
	d, ok := t.(json.Delim)
	if !ok || d != '{' {
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
			if err := walkJSON(sub, p, leaf, false); err != nil {
				return err
			}
		case len(v) > 0 && v[0] == '[':
			leaf(p, k, string(v))
		default:
			var x any
			sub := json.NewDecoder(bytes.NewReader(v))
			sub.UseNumber()
			if err := sub.Decode(&x); err != nil {
				return err
			}
			if x != nil {
				leaf(p, k, x)
			}
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
	return "double"
}

func widen(a, b string) string {
	switch {
	case a == "" || a == b:
		return b
	case isNumeric(a) && isNumeric(b):
		rank := map[string]int{"int": 0, "bigint": 1, "double": 2}
		if rank[a] > rank[b] {
			return a
		}
		return b
	}
	return "string"
}

func isNumeric(k string) bool { return k == "int" || k == "bigint" || k == "double" }

var timestampLayouts = []string{"2006-01-02 15:04:05.999999999", time.RFC3339Nano}

func isTimestamp(s string) bool {
	for _, l := range timestampLayouts {
		if _, err := time.Parse(l, s); err == nil {
			return true
		}
	}
	return false
}

func (c *column) sqlType() string {
	switch c.kind {
	case "int":
		return "INTEGER"
	case "bigint":
		return "BIGINT"
	case "double":
		return "DOUBLE"
	case "bool":
		return "BOOLEAN"
	case "string":
		if c.timestamps {
			return "TIMESTAMP"
		}
	}
	n := 1
	for n < c.maxLen {
		n *= 2
	}
	return fmt.Sprintf("VARCHAR(%d)", n)
}

func inferCSV(raw [][]byte) (*kda.SourceSchema, [][]string, bool) {
	var cols []*column
	var parsed [][]string
	for _, r := range raw {
		for _, line := range strings.Split(strings.TrimRight(string(r), "\n"), "\n") {
			fields := strings.Split(line, ",")
			if len(fields) < 2 || (cols != nil && len(fields) != len(cols)) {
				return nil, nil, false
			}
			if cols == nil {
				for i := range fields {
					cols = append(cols, &column{name: fmt.Sprintf("COL%d", i+1), timestamps: true})
				}
			}
			row := make([]string, len(fields))
			for i, f := range fields {
				row[i] = cols[i].see(textValue(f))
			}
			parsed = append(parsed, row)
		}
	}
	if cols == nil {
		return nil, nil, false
	}
	schema := &kda.SourceSchema{
		RecordFormat: &kda.RecordFormat{RecordFormatType: kda.FormatCSV, MappingParameters: &kda.MappingParameters{
			CSVMappingParameters: &kda.CSVMappingParameters{RecordRowDelimiter: kda.String("\n"), RecordColumnDelimiter: kda.String(",")}}},
		RecordEncoding: kda.String("UTF-8"),
	}
	for _, c := range cols {
		schema.RecordColumns = append(schema.RecordColumns, kda.RecordColumn{Name: kda.String(c.name), SqlType: kda.String(c.sqlType())})
	}
	return schema, parsed, true
}

// textValue is a CSV field as the JSON value it reads as: a number, a
// boolean, or a string.
func textValue(f string) any {
	if _, err := strconv.ParseFloat(f, 64); err == nil && f != "" {
		return json.Number(f)
	}
	if f == "true" || f == "false" {
		return f == "true"
	}
	return f
}
