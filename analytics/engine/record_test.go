package engine

import (
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
)

// fmtRows formats decoded rows as "v1|v2" lines.
func fmtRows(rows [][]Value) []string {
	var out []string
	for _, r := range rows {
		var parts []string
		for _, v := range r {
			parts = append(parts, v.String())
		}
		out = append(out, strings.Join(parts, "|"))
	}
	return out
}

func fmtErrs(errs []*RecordError) []string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Name+": "+e.Message+" <"+string(e.Data)+">")
	}
	return out
}

// The record of the developer guide's "Working with JSONPath" page (made valid JSON).
const orderRecord = `{"customerName":"John Doe","address":{"streetAddress":{"number":"123","street":"AnyStreet"},"city":"Anytown"},
 "orders":[{"orderId":"23284","itemName":"Widget","itemPrice":"33.99"},{"orderId":"63122","itemName":"Gadget","itemPrice":"22.50"},{"orderId":"77284","itemName":"Sprocket","itemPrice":"12.00"}]}`

func TestDecodeJSON(t *testing.T) {
	cases := []struct {
		name     string
		rowPath  string
		cols     []RecordColumn
		data     string
		want     []string
		wantErrs []string
	}{
		{name: "members and nesting", cols: []RecordColumn{
			{"NAME", "VARCHAR(16)", "$.customerName"}, {"CITY", "VARCHAR(16)", "$.address.city"},
			{"STREET", "VARCHAR(16)", "$.address.streetAddress.street"}, {"MISSING", "INTEGER", "$.customerId"},
			{"CASE", "VARCHAR(16)", "$.CustomerName"}, // paths are case-sensitive
		}, data: orderRecord, want: []string{"John Doe|Anytown|AnyStreet|NULL|NULL"}},
		{name: "a trailing [0:] is the whole array in one field", cols: []RecordColumn{
			{"ORDERS", "VARCHAR(256)", "$.orders[0:]"},
		}, data: orderRecord, want: []string{`[{"itemName":"Widget","itemPrice":"33.99","orderId":"23284"},{"itemName":"Gadget","itemPrice":"22.50","orderId":"63122"},{"itemName":"Sprocket","itemPrice":"12.00","orderId":"77284"}]`}},
		{name: "[0:] then a member flattens; other columns repeat", cols: []RecordColumn{
			{"NAME", "VARCHAR(16)", "$.customerName"}, {"ORDER_ID", "INTEGER", "$.orders[0:].orderId"},
			{"PRICE", "DECIMAL(6,2)", "$.orders[0:].itemPrice"}, {"NOPE", "VARCHAR(4)", "$.orders[0:].itemId"},
		}, data: orderRecord, want: []string{"John Doe|23284|33.99|NULL", "John Doe|63122|22.50|NULL", "John Doe|77284|12.00|NULL"}},
		{name: "an empty array still gives one row", cols: []RecordColumn{
			{"NAME", "VARCHAR(16)", "$.customerName"}, {"ORDER_ID", "INTEGER", "$.orders[0:].orderId"},
		}, data: `{"customerName":"X","orders":[]}`, want: []string{"X|NULL"}},
		{name: "one flattened array and another whole", cols: []RecordColumn{
			{"A", "INTEGER", "$.a[0:].x"}, {"B", "VARCHAR(16)", "$.b[0:]"},
		}, data: `{"a":[{"x":1},{"x":2}],"b":[true,null]}`, want: []string{"1|[true,null]", "2|[true,null]"}},
		{name: "RecordRowPath to an array: one row per element", rowPath: "$.items", cols: []RecordColumn{
			{"K", "VARCHAR(4)", "$.k"}, {"V", "DOUBLE", "$.v"}, {"T", "TIMESTAMP", "$.t"}, {"B", "BOOLEAN", "$.b"},
		}, data: `{"items":[{"k":"a","v":1.5,"t":"2026-01-01 00:00:01.500","b":true},{"k":"b","v":"2","t":1767225600000,"b":"false"}]}`,
			want: []string{"a|1.5|2026-01-01 00:00:01.500|TRUE", "b|2|2026-01-01 00:00:00.000|FALSE"}},
		{name: "quoted names and an index (Eddy extension)", cols: []RecordColumn{
			{"A", "VARCHAR(8)", "$['a b']"}, {"SECOND", "INTEGER", "$.arr[1]"},
		}, data: `{"a b":"x","arr":[10,20]}`, want: []string{"x|20"}},
		{name: "a value that does not convert: Coercion error", cols: []RecordColumn{
			{"N", "INTEGER", "$.n"},
		}, data: `{"n":"abc"}`, wantErrs: []string{`Coercion error: column N: cannot convert "abc" to INTEGER <{"n":"abc"}>`}},
		{name: "out of range", cols: []RecordColumn{
			{"N", "SMALLINT", "$.n"},
		}, data: `{"n":70000}`, wantErrs: []string{`Coercion error: column N: value 70000 is out of range for SMALLINT <{"n":70000}>`}},
		{name: "not JSON: Parse error", cols: []RecordColumn{
			{"N", "INTEGER", "$.n"},
		}, data: `{"n":`, wantErrs: []string{`Parse error: invalid JSON: unexpected EOF <{"n":>`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := NewDecoder(RecordFormat{RecordFormatType: "JSON", RecordRowPath: c.rowPath}, c.cols)
			if err != nil {
				t.Fatal(err)
			}
			rows, errs := d.Decode([]byte(c.data))
			wantRows(t, "rows", fmtRows(rows), c.want...)
			wantRows(t, "errors", fmtErrs(errs), c.wantErrs...)
		})
	}
}

func TestDecoderSchemaErrors(t *testing.T) {
	cases := []struct {
		format RecordFormat
		cols   []RecordColumn
		want   string
	}{
		{RecordFormat{RecordFormatType: "JSON"}, []RecordColumn{{"A", "INTEGER", "$.a[0:].b[0:].c"}},
			`column A: mapping "$.a[0:].b[0:].c": only one level of [0:] is supported in an array expression`},
		{RecordFormat{RecordFormatType: "JSON"}, []RecordColumn{{"A", "INTEGER", "$.a[0:].x"}, {"B", "INTEGER", "$.b[0:].x"}},
			`column B: mapping "$.b[0:].x": only one array can be flattened in a schema`},
		{RecordFormat{RecordFormatType: "JSON"}, []RecordColumn{{"A", "INTEGER", "$.a[*]"}},
			`column A: mapping "$.a[*]": invalid index "*"`},
		{RecordFormat{RecordFormatType: "JSON"}, []RecordColumn{{"A", "INTEGER", "a"}},
			`column A: mapping "a": a path must start with $`},
		{RecordFormat{RecordFormatType: "JSON"}, []RecordColumn{{"A", "BLOB", "$.a"}},
			`column A: invalid SQL type "BLOB"`},
		{RecordFormat{RecordFormatType: "CSV", RecordRowDelimiter: "\n"}, []RecordColumn{{"A", "INTEGER", ""}},
			`CSV needs a RecordRowDelimiter and a RecordColumnDelimiter`},
		{RecordFormat{RecordFormatType: "XML"}, []RecordColumn{{"A", "INTEGER", ""}},
			`RecordFormatType "XML" is not JSON or CSV`},
		{RecordFormat{RecordFormatType: "JSON"}, nil, `a source schema needs at least one RecordColumn`},
	}
	for _, c := range cases {
		_, err := NewDecoder(c.format, c.cols)
		if err == nil || err.Error() != c.want {
			t.Errorf("%+v %+v:\n got  %v\n want %s", c.format, c.cols, err, c.want)
		}
	}
}

func TestDecodeCSV(t *testing.T) {
	cols := []RecordColumn{{"SYM", "VARCHAR(4)", ""}, {"PRICE", "DOUBLE", ""}, {"N", "INTEGER", ""}}
	for _, c := range []struct {
		rowDelim, colDelim, data string
		want, wantErrs           []string
	}{
		{"\n", ",", "AMZN,1.5,3\nAAPL,2,\n\nWMT", []string{"AMZN|1.5|3", "AAPL|2|NULL", "WMT|NULL|NULL"}, nil},
		{"|", ";", "A;1;1|B;x;2|C;3;4", []string{"A|1|1", "C|3|4"}, []string{`Coercion error: column PRICE: cannot convert "x" to DOUBLE <B;x;2>`}},
		{"\r\n", "\t", "A\t1\t1\r\nB\t2\t2\r\n", []string{"A|1|1", "B|2|2"}, nil},
		{"\n", ",", ",,\n", []string{"|NULL|NULL"}, nil}, // an empty character field is '', not NULL
	} {
		d, err := NewDecoder(RecordFormat{RecordFormatType: "CSV", RecordRowDelimiter: c.rowDelim, RecordColumnDelimiter: c.colDelim}, cols)
		if err != nil {
			t.Fatal(err)
		}
		rows, errs := d.Decode([]byte(c.data))
		wantRows(t, fmt.Sprintf("rows of %q", c.data), fmtRows(rows), c.want...)
		wantRows(t, fmt.Sprintf("errors of %q", c.data), fmtErrs(errs), c.wantErrs...)
	}
}

func TestEncodeRecord(t *testing.T) {
	dec := Value{Kind: KindDecimal, I: 12345, Scale: 2}
	cols := []Column{{"TICKER_SYMBOL", Varchar(4)}, {"n", TypeBigint}, {"PRICE", TypeDouble}, {"AMOUNT", Type{Kind: KindDecimal, Name: "DECIMAL", Len: 8, Scale: 2}},
		{"T", TypeTimestamp}, {"OK", TypeBoolean}, {"NOTE", Varchar(20)}, {"X", TypeDouble}}
	row := Row{Rowtime: at(0), Values: []Value{String("AMZN"), Int(-3), Float(12.5), dec, TimestampMillis(1767225601500), Bool(true), String(`a,"b"`), Null}}
	for _, c := range []struct{ format, want string }{
		{"JSON", `{"TICKER_SYMBOL":"AMZN","n":-3,"PRICE":12.5,"AMOUNT":123.45,"T":"2026-01-01 00:00:01.500","OK":true,"NOTE":"a,\"b\"","X":null}`},
		{"CSV", "AMZN,-3,12.5,123.45,2026-01-01 00:00:01.500,TRUE,\"a,\"\"b\"\"\",\n"},
	} {
		got, err := EncodeRecord(c.format, cols, row)
		if err != nil || string(got) != c.want {
			t.Errorf("%s:\n got  %q %v\n want %q", c.format, got, err, c.want)
		}
	}
	if _, err := EncodeRecord("JSON", cols[:2], row); err == nil || err.Error() != "the row has 8 values for 2 columns" {
		t.Errorf("wrong width: %v", err)
	}
	if _, err := EncodeRecord("AVRO", cols, row); err == nil {
		t.Error("AVRO accepted")
	}
}

// TestRecordErrorToErrorStream: a record that fails to decode becomes an error_stream row
// with the columns of dev Error Handling: ERROR_TIME, ERROR_LEVEL, ERROR_NAME, MESSAGE,
// DATA_ROWTIME, DATA_ROW (the record's bytes, hex-encoded), PUMP_NAME (NULL: no pump).
func TestRecordErrorToErrorStream(t *testing.T) {
	code := `CREATE STREAM ERRS (T TIMESTAMP, LVL VARCHAR(10), NAME VARCHAR(32), MSG VARCHAR(4096), DT TIMESTAMP, DATA VARCHAR(49152), PUMP VARCHAR(128));
CREATE PUMP P AS INSERT INTO ERRS SELECT STREAM ERROR_TIME, ERROR_LEVEL, ERROR_NAME, MESSAGE, DATA_ROWTIME, DATA_ROW, PUMP_NAME FROM "error_stream";`
	h := run(t, code, []InputSchema{tickerSchema})
	d, err := NewDecoder(RecordFormat{RecordFormatType: "JSON"}, []RecordColumn{{"N", "INTEGER", "$.n"}})
	if err != nil {
		t.Fatal(err)
	}
	rec := `{"n":"abc"}`
	_, errs := d.Decode([]byte(rec))
	if len(errs) != 1 {
		t.Fatalf("errors %v", errs)
	}
	h.r.ReportRecordError(at(5), errs[0])
	hexed := hex.EncodeToString([]byte(rec))
	want := `5s|2026-01-01 00:00:05.000|ERROR|Coercion error|column N: cannot convert "abc" to INTEGER|2026-01-01 00:00:05.000|` + hexed + `|NULL`
	wantRows(t, "error_stream", h.take(ErrorStream), want)
	wantRows(t, "read by a pump", h.take("ERRS"), want)
}
