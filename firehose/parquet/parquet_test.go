package parquet

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	pq "github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/format"

	"github.com/eddy-streams/eddy"
)

func ptr[T any](v T) *T { return &v }

// convert runs Convert and opens the file it wrote.
func convert(t *testing.T, c Config, records ...string) (Result, *pq.File, []map[string]any) {
	t.Helper()
	conv, err := New(c)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	recs := make([][]byte, len(records))
	for i, r := range records {
		recs[i] = []byte(r)
	}
	var buf bytes.Buffer
	res, err := conv.Convert(&buf, recs)
	if err != nil {
		t.Fatalf("Convert: %v", err)
	}
	if res.Rows == 0 {
		if buf.Len() != 0 {
			t.Fatalf("no rows but %d bytes written", buf.Len())
		}
		return res, nil, nil
	}
	f, err := pq.OpenFile(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatalf("OpenFile: %v", err)
	}
	if got := f.NumRows(); got != int64(res.Rows) {
		t.Fatalf("file has %d rows, Result says %d", got, res.Rows)
	}
	r := pq.NewReader(f)
	var rows []map[string]any
	for {
		m := map[string]any{}
		if err := r.Read(&m); err != nil {
			break
		}
		rows = append(rows, m)
	}
	if len(rows) != res.Rows {
		t.Fatalf("read %d rows, want %d", len(rows), res.Rows)
	}
	return res, f, rows
}

// leafTypes returns "path: physical logical" for every leaf column.
func leafTypes(s *pq.Schema) map[string]string {
	out := map[string]string{}
	var walk func(n pq.Node, path []string)
	walk = func(n pq.Node, path []string) {
		if n.Leaf() {
			desc := n.Type().Kind().String()
			if lt := n.Type().LogicalType(); lt != nil {
				desc += " " + lt.String()
			}
			if n.Optional() {
				desc = "optional " + desc
			} else if n.Required() {
				desc = "required " + desc
			}
			out[strings.Join(path, ".")] = desc
			return
		}
		for _, f := range n.Fields() {
			walk(f, append(append([]string(nil), path...), f.Name()))
		}
	}
	walk(s, nil)
	return out
}

var allTypes = []Column{
	{"s", "string"}, {"vc", "varchar(10)"}, {"ch", "char(3)"},
	{"ti", "tinyint"}, {"si", "smallint"}, {"i", "int"}, {"bi", "bigint"},
	{"f", "float"}, {"db", "double"}, {"b", "boolean"},
	{"ts", "timestamp"}, {"dt", "date"}, {"dec", "decimal(10,2)"}, {"bin", "binary"},
	{"arr", "array<int>"}, {"mp", "map<string,double>"},
	{"st", "struct<x:int,y:array<string>,z:struct<q:boolean>>"},
	{"nested", "array<map<string,array<bigint>>>"},
}

func TestConvertEveryType(t *testing.T) {
	res, f, rows := convert(t, Config{Columns: allTypes},
		`{"s":"héllo","vc":"v","ch":"abc","ti":-128,"si":32767,"i":-2147483648,"bi":9223372036854775807,
		  "f":1.5,"db":-2.25e10,"b":true,"ts":"2018-02-07T15:13:01.39256Z","dt":"2020-02-29","dec":-12.345,"bin":"raw",
		  "arr":[1,null,3],"mp":{"b":2.5,"a":-1},"st":{"x":7,"y":["p","q"],"z":{"q":false}},
		  "nested":[{"k":[1,2]},{},null]}`,
		`{"arr":[],"mp":{},"st":{"y":[]},"nested":[]}`,
	)
	if res.Converted != 2 || res.Rows != 2 || len(res.Failed) != 0 {
		t.Fatalf("Result %+v", res)
	}
	wantTypes := map[string]string{
		"s":                                 "optional BYTE_ARRAY STRING",
		"vc":                                "optional BYTE_ARRAY STRING",
		"ch":                                "optional BYTE_ARRAY STRING",
		"ti":                                "optional INT32 INT(8,true)",
		"si":                                "optional INT32 INT(16,true)",
		"i":                                 "optional INT32 INT(32,true)",
		"bi":                                "optional INT64 INT(64,true)",
		"f":                                 "optional FLOAT",
		"db":                                "optional DOUBLE",
		"b":                                 "optional BOOLEAN",
		"ts":                                "optional INT96",
		"dt":                                "optional INT32 DATE",
		"dec":                               "optional FIXED_LEN_BYTE_ARRAY DECIMAL(10,2)",
		"bin":                               "optional BYTE_ARRAY",
		"arr.list.element":                  "optional INT32 INT(32,true)",
		"mp.key_value.key":                  "required BYTE_ARRAY STRING",
		"mp.key_value.value":                "optional DOUBLE",
		"st.x":                              "optional INT32 INT(32,true)",
		"st.y.list.element":                 "optional BYTE_ARRAY STRING",
		"st.z.q":                            "optional BOOLEAN",
		"nested.list.element.key_value.key": "required BYTE_ARRAY STRING",
		"nested.list.element.key_value.value.list.element": "optional INT64 INT(64,true)",
	}
	got := leafTypes(f.Schema())
	for k, v := range wantTypes {
		if got[k] != v {
			t.Errorf("column %s: %q, want %q", k, got[k], v)
		}
	}
	if len(got) != len(wantTypes) {
		t.Errorf("columns %v, want %d", got, len(wantTypes))
	}
	// column order is the table's
	var order []string
	for _, fl := range f.Schema().Fields() {
		order = append(order, fl.Name())
	}
	var wantOrder []string
	for _, c := range allTypes {
		wantOrder = append(wantOrder, c.Name)
	}
	if !reflect.DeepEqual(order, wantOrder) {
		t.Errorf("column order %v, want %v", order, wantOrder)
	}

	r := rows[0]
	check := func(col string, want any) {
		t.Helper()
		if g := r[col]; !reflect.DeepEqual(g, want) {
			t.Errorf("%s = %#v (%T), want %#v (%T)", col, g, g, want, want)
		}
	}
	check("s", "héllo")
	check("vc", "v")
	check("ch", "abc")
	check("ti", int32(-128))
	check("si", int32(32767))
	check("i", int32(math.MinInt32))
	check("bi", int64(math.MaxInt64))
	check("f", float32(1.5))
	check("db", -2.25e10)
	check("b", true)
	check("bin", "raw") // BYTE_ARRAY without STRING (checked above); the reader gives a string
	check("dt", int32(time.Date(2020, 2, 29, 0, 0, 0, 0, time.UTC).Unix()/86400))
	check("arr", []any{int32(1), nil, int32(3)})
	i96, ok := r["ts"].(deprecated.Int96)
	if !ok {
		t.Fatalf("ts is %T", r["ts"])
	}
	if got, want := TimeOfInt96(i96), time.Date(2018, 2, 7, 15, 13, 1, 392560000, time.UTC); !got.Equal(want) {
		t.Errorf("ts = %v, want %v", got, want)
	}
	if i96[2] != 2458157 { // Julian day of 2018-02-07
		t.Errorf("ts Julian day %d, want 2458157", i96[2])
	}
	// decimal: the raw bytes are the unscaled value -1235 (-12.345 rounded
	// half up to 2 places) in 5 bytes of two's complement.
	raw := rawRows(t, f)
	if v := raw[0][12]; v.Column() != 12 || !bytes.Equal(v.ByteArray(), []byte{0xff, 0xff, 0xff, 0xfb, 0x2d}) {
		t.Errorf("dec raw value %v % x", v, v.ByteArray())
	}
	mp, ok := r["mp"].(map[string]any)
	if !ok || len(mp) != 2 || deref(mp["a"]) != -1.0 || deref(mp["b"]) != 2.5 {
		t.Errorf("mp = %#v", r["mp"])
	}
	st, _ := r["st"].(map[string]any)
	if st == nil || st["x"] != int32(7) || !reflect.DeepEqual(st["y"], []any{"p", "q"}) ||
		!reflect.DeepEqual(st["z"], map[string]any{"q": false}) {
		t.Errorf("st = %#v", r["st"])
	}
	nested, _ := r["nested"].([]any)
	if len(nested) != 3 {
		t.Fatalf("nested = %#v", r["nested"])
	}
	// the levels of nested = [{"k":[1,2]}, {}, null] (Dremel encoding):
	// key column (max def 4): "k" defined, an empty map (def 3), a null map (def 2);
	// value column (max def 7, max rep 3): 1 and 2 (rep 3 within the inner list), then the same two nulls.
	type lv struct {
		rep, def int
		val      any
	}
	var keys, vals []lv
	for _, v := range raw[0] {
		var x any
		if !v.IsNull() {
			if v.Column() == 20 {
				x = string(v.ByteArray())
			} else {
				x = v.Int64()
			}
		}
		switch v.Column() {
		case 20:
			keys = append(keys, lv{v.RepetitionLevel(), v.DefinitionLevel(), x})
		case 21:
			vals = append(vals, lv{v.RepetitionLevel(), v.DefinitionLevel(), x})
		}
	}
	if want := []lv{{0, 4, "k"}, {1, 3, nil}, {1, 2, nil}}; !reflect.DeepEqual(keys, want) {
		t.Errorf("nested keys %v, want %v", keys, want)
	}
	if want := []lv{{0, 7, int64(1)}, {3, 7, int64(2)}, {1, 3, nil}, {1, 2, nil}}; !reflect.DeepEqual(vals, want) {
		t.Errorf("nested values %v, want %v", vals, want)
	}
	if m1, ok := nested[1].(map[string]any); !ok || len(m1) != 0 {
		t.Errorf("nested[1] = %#v, want an empty map", nested[1])
	}
	if nested[2] != nil {
		t.Errorf("nested[2] = %#v, want null", nested[2])
	}

	r = rows[1]
	for _, col := range []string{"s", "ti", "bi", "ts", "dt", "dec", "bin"} {
		if r[col] != nil {
			t.Errorf("row 2: %s = %#v, want null", col, r[col])
		}
	}
	if a, ok := r["arr"].([]any); !ok || len(a) != 0 {
		t.Errorf("row 2: arr = %#v, want an empty list", r["arr"])
	}
	if st, _ := r["st"].(map[string]any); st == nil || st["x"] != nil || !reflect.DeepEqual(st["y"], []any{}) {
		t.Errorf("row 2: st = %#v", r["st"])
	}
}

// rawRows reads the file's rows as the library stores them: values with
// their column index and levels.
func rawRows(t *testing.T, f *pq.File) []pq.Row {
	t.Helper()
	r := pq.NewReader(f)
	rows := make([]pq.Row, f.NumRows())
	n, err := r.ReadRows(rows)
	if n != len(rows) {
		t.Fatalf("ReadRows: %d rows, %v", n, err)
	}
	return rows
}

// deref follows the pointers the library's reader uses for map values.
func deref(v any) any {
	rv := reflect.ValueOf(v)
	for rv.IsValid() && rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil
		}
		rv = rv.Elem()
	}
	if !rv.IsValid() {
		return nil
	}
	return rv.Interface()
}

func TestDecimalBytes(t *testing.T) {
	tests := []struct {
		text       string
		prec, sc   int
		want       []byte
		wantErrSub string
	}{
		{"-12.345", 10, 2, []byte{0xff, 0xff, 0xff, 0xfb, 0x2d}, ""}, // -1235
		{"12.344", 10, 2, []byte{0, 0, 0, 0x04, 0xd2}, ""},           // 1234
		{"0", 1, 0, []byte{0}, ""},
		{"999", 3, 0, []byte{0x03, 0xe7}, ""},
		{"1000", 3, 0, nil, "does not fit"},
		{"1e2", 5, 1, []byte{0, 0x03, 0xe8}, ""},
		{"abc", 5, 1, nil, "not a decimal"},
		{"1e9999999", 5, 1, nil, "does not fit"},
		{"1e-101", 5, 1, nil, "does not fit"},
		{"1.5e-1", 5, 2, []byte{0, 0, 0x0f}, ""},
	}
	for _, tt := range tests {
		got, err := decimalValue(tt.text, tt.prec, tt.sc)
		if tt.wantErrSub != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErrSub) {
				t.Errorf("%s: err %v, want %q", tt.text, err, tt.wantErrSub)
			}
			continue
		}
		if err != nil || !bytes.Equal(got, tt.want) {
			t.Errorf("decimal(%d,%d) %s = % x, %v; want % x", tt.prec, tt.sc, tt.text, got, err, tt.want)
		}
	}
	if n := decimalBytes(38); n != 16 {
		t.Errorf("decimalBytes(38) = %d, want 16", n)
	}
	if n := decimalBytes(9); n != 4 {
		t.Errorf("decimalBytes(9) = %d, want 4", n)
	}
}

func TestOpenXOptions(t *testing.T) {
	cols := []Column{{"id", "int"}, {"a_b", "string"}, {"ts", "string"}}
	records := []string{`{"ID":1,"a.b":"dotted","timestamp":"t"}`}

	// defaults: case-insensitive, dots kept
	_, _, rows := convert(t, Config{Columns: cols}, records...)
	if rows[0]["id"] != int32(1) || rows[0]["a_b"] != nil || rows[0]["ts"] != nil {
		t.Errorf("defaults: %#v", rows[0])
	}
	// case-sensitive
	_, _, rows = convert(t, Config{Columns: cols, OpenX: &OpenXJsonSerDe{CaseInsensitive: ptr(false)}}, records...)
	if rows[0]["id"] != nil {
		t.Errorf("CaseInsensitive false: id = %#v, want null", rows[0]["id"])
	}
	// dots and mappings
	_, _, rows = convert(t, Config{Columns: cols, OpenX: &OpenXJsonSerDe{
		ConvertDotsInJsonKeysToUnderscores: ptr(true),
		ColumnToJsonKeyMappings:            map[string]string{"ts": "timestamp"},
	}}, records...)
	if rows[0]["id"] != int32(1) || rows[0]["a_b"] != "dotted" || rows[0]["ts"] != "t" {
		t.Errorf("dots and mappings: %#v", rows[0])
	}
	// keys that normalize to one column: the exact form wins, else the
	// smallest key, whatever the map's iteration order
	for range 20 {
		_, _, rows = convert(t, Config{Columns: cols}, `{"Id":1,"id":2,"ID":3}`, `{"Id":1,"ID":3}`)
		if rows[0]["id"] != int32(2) || rows[1]["id"] != int32(3) {
			t.Fatalf("colliding keys: %v, %v", rows[0]["id"], rows[1]["id"])
		}
	}
	// OpenX reads numbers and booleans from strings, and nested JSON into strings
	_, _, rows = convert(t, Config{Columns: []Column{{"n", "bigint"}, {"b", "boolean"}, {"js", "string"}, {"d", "double"}}},
		`{"n":"42","b":"TRUE","js":{"x":[1,2]},"d":"1.25"}`)
	if rows[0]["n"] != int64(42) || rows[0]["b"] != true || rows[0]["js"] != `{"x":[1,2]}` || rows[0]["d"] != 1.25 {
		t.Errorf("OpenX coercions: %#v", rows[0])
	}
}

func TestOpenXTimestamps(t *testing.T) {
	cols := []Column{{"ts", "timestamp"}}
	tests := []struct {
		in   string
		want time.Time
	}{
		{`"2017-02-07T15:13:01.39256Z"`, time.Date(2017, 2, 7, 15, 13, 1, 392560000, time.UTC)},
		{`"2017-02-07 15:13:01.14"`, time.Date(2017, 2, 7, 15, 13, 1, 140000000, time.UTC)},
		{`"2017-2-7 15:13:01"`, time.Date(2017, 2, 7, 15, 13, 1, 0, time.UTC)},
		{`1518033528`, time.Unix(1518033528, 0)},
		{`1518033528123`, time.UnixMilli(1518033528123)},
		{`1518033528.123`, time.UnixMilli(1518033528123)},
		{`"1518033528"`, time.Unix(1518033528, 0)},
	}
	for _, tt := range tests {
		_, _, rows := convert(t, Config{Columns: cols}, `{"ts":`+tt.in+`}`)
		i96, _ := rows[0]["ts"].(deprecated.Int96)
		if got := TimeOfInt96(i96); !got.Equal(tt.want) {
			t.Errorf("%s: %v, want %v", tt.in, got, tt.want)
		}
	}
	res, _, _ := convert(t, Config{Columns: cols}, `{"ts":"07/02/2017"}`)
	if len(res.Failed) != 1 || !strings.Contains(res.Failed[0].ErrorMessage, "not a timestamp") {
		t.Errorf("an unknown form: %+v", res)
	}
}

func TestHiveSerDe(t *testing.T) {
	hive := &HiveJsonSerDe{TimestampFormats: []string{"dd/MM/yyyy HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.SSSZZ", "millis"}}
	cols := []Column{{"ts", "timestamp"}, {"n", "int"}, {"s", "string"}}
	_, _, rows := convert(t, Config{Columns: cols, Hive: hive},
		`{"TS":"07/02/2017 15:13:01","n":1,"s":"x"}`,
		`{"ts":"2017-02-07T17:13:01.250+02:00"}`,
		`{"ts":1518033528123}`,
		`{"ts":"2017-02-07 15:13:01.5"}`,
	)
	want := []time.Time{
		time.Date(2017, 2, 7, 15, 13, 1, 0, time.UTC),
		time.Date(2017, 2, 7, 15, 13, 1, 250000000, time.UTC),
		time.UnixMilli(1518033528123),
		time.Date(2017, 2, 7, 15, 13, 1, 500000000, time.UTC),
	}
	for i, w := range want {
		i96, _ := rows[i]["ts"].(deprecated.Int96)
		if got := TimeOfInt96(i96); !got.Equal(w) {
			t.Errorf("row %d: ts %v, want %v", i, got, w)
		}
	}
	if rows[0]["n"] != int32(1) || rows[0]["s"] != "x" {
		t.Errorf("row 0: %#v", rows[0])
	}

	res, _, _ := convert(t, Config{Columns: cols, Hive: &HiveJsonSerDe{}},
		`{"n":"123"}`, `{"s":{"inner":1}}`, `{"ts":"2017-02-07T15:13:01Z"}`, `{"n":5}`)
	if res.Converted != 1 || len(res.Failed) != 3 {
		t.Fatalf("Result %+v", res)
	}
	for i, sub := range []string{"does not read numbers from strings", "does not turn nested JSON into strings", "matches none of the timestamp formats"} {
		if f := res.Failed[i]; f.Index != i || f.ErrorCode != ErrorCode || !strings.Contains(f.ErrorMessage, sub) {
			t.Errorf("failure %d: %+v, want index %d and %q", i, f, i, sub)
		}
	}
}

func TestFailuresAreReportedNotDropped(t *testing.T) {
	cols := []Column{{"ti", "tinyint"}, {"d", "decimal(3,1)"}, {"a", "array<int>"}, {"dt", "date"}}
	res, _, rows := convert(t, Config{Columns: cols},
		`{"ti":1}`,
		`not json`,
		`[{"ti":1}]`,
		`{"ti":128}`,
		`{"d":100.0}`,
		`{"a":5}`,
		`{"ti":2}{"ti":300}`, // one bad object fails the whole record
		`{"dt":"2020-13-01"}`,
		`   `,
		`{"ti":3}{"ti":4}`,
	)
	wantFailed := map[int]string{
		1: "not valid JSON", 2: "not an object", 3: "out of range", 4: "does not fit",
		5: "needs a JSON array", 6: "out of range", 7: "not a date", 8: "no JSON object",
	}
	if res.Converted != 2 || res.Rows != 3 || len(res.Failed) != len(wantFailed) {
		t.Fatalf("Result %+v", res)
	}
	for _, f := range res.Failed {
		if sub, ok := wantFailed[f.Index]; !ok || !strings.Contains(f.ErrorMessage, sub) || f.ErrorCode != "DataFormatConversion.MalformedData" {
			t.Errorf("failure %+v, want %q", f, wantFailed[f.Index])
		}
	}
	var got []any
	for _, r := range rows {
		got = append(got, r["ti"])
	}
	if !reflect.DeepEqual(got, []any{int32(1), int32(3), int32(4)}) {
		t.Errorf("rows %v", got)
	}

	res, f, _ := convert(t, Config{Columns: cols}, `x`, `{"ti":999}`)
	if f != nil || res.Rows != 0 || len(res.Failed) != 2 {
		t.Errorf("all failed: %+v", res)
	}
}

func TestParquetSerDeOptions(t *testing.T) {
	cols := []Column{{"s", "string"}, {"n", "bigint"}}
	recs := []string{`{"s":"a","n":1}`, `{"s":"a","n":2}`, `{"s":"b","n":1}`}
	tests := []struct {
		name   string
		p      ParquetSerDe
		codec  format.CompressionCodec
		dict   bool
		pageV2 bool
	}{
		{"defaults", ParquetSerDe{}, format.Snappy, true, false},
		{"gzip v2", ParquetSerDe{Compression: "GZIP", WriterVersion: "V2"}, format.Gzip, true, true},
		{"uncompressed no dictionary", ParquetSerDe{Compression: "UNCOMPRESSED", EnableDictionaryCompression: ptr(false),
			PageSizeBytes: ptr(int32(64 << 10)), BlockSizeBytes: ptr(int32(64 << 20)), MaxPaddingBytes: ptr(int32(0)), WriterVersion: "V1"},
			format.Uncompressed, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, f, rows := convert(t, Config{Columns: cols, Parquet: tt.p}, recs...)
			if len(rows) != 3 || rows[2]["s"] != "b" || rows[1]["n"] != int64(2) {
				t.Fatalf("rows %v", rows)
			}
			md := f.Metadata()
			if len(md.RowGroups) != 1 {
				t.Fatalf("%d row groups", len(md.RowGroups))
			}
			for _, cc := range md.RowGroups[0].Columns {
				m := cc.MetaData
				if m.Codec != tt.codec {
					t.Errorf("column %v: codec %v, want %v", m.PathInSchema, m.Codec, tt.codec)
				}
				hasDict := false
				for _, e := range m.Encoding {
					if e == format.RLEDictionary || e == format.PlainDictionary {
						hasDict = true
					}
				}
				if hasDict != tt.dict {
					t.Errorf("column %v: encodings %v, dictionary %v, want %v", m.PathInSchema, m.Encoding, hasDict, tt.dict)
				}
				v2 := false
				for _, s := range m.EncodingStats {
					if s.PageType == format.DataPageV2 {
						v2 = true
					}
				}
				if v2 != tt.pageV2 {
					t.Errorf("column %v: encoding stats %v, want data page v2 = %v", m.PathInSchema, m.EncodingStats, tt.pageV2)
				}
			}
		})
	}
}

func TestConfigValidation(t *testing.T) {
	cols := []Column{{"a", "int"}}
	tests := []struct {
		name string
		c    Config
		msg  string
	}{
		{"both serdes", Config{Columns: cols, OpenX: &OpenXJsonSerDe{}, Hive: &HiveJsonSerDe{}}, "Only one of"},
		{"no columns", Config{}, "no columns"},
		{"bad type", Config{Columns: []Column{{"a", "uniontype<int,string>"}}}, "not a supported Hive type"},
		{"bad decimal", Config{Columns: []Column{{"a", "decimal(40,2)"}}}, "precision <= 38"},
		{"scale over precision", Config{Columns: []Column{{"a", "decimal(4,5)"}}}, "scale <= precision"},
		{"unclosed", Config{Columns: []Column{{"a", "array<int"}}}, "expected '>'"},
		{"map key", Config{Columns: []Column{{"a", "map<array<int>,int>"}}}, "primitive"},
		{"duplicate column", Config{Columns: []Column{{"a", "int"}, {"A", "string"}}}, "appears twice"},
		{"duplicate field", Config{Columns: []Column{{"a", "struct<x:int,X:int>"}}}, "appears twice"},
		{"trailing", Config{Columns: []Column{{"a", "int int"}}}, "unexpected"},
		{"no name", Config{Columns: []Column{{"", "int"}}}, "no name"},
		{"compression", Config{Columns: cols, Parquet: ParquetSerDe{Compression: "LZO"}}, `Compression "LZO"`},
		{"writer version", Config{Columns: cols, Parquet: ParquetSerDe{WriterVersion: "V3"}}, `WriterVersion "V3"`},
		{"block size", Config{Columns: cols, Parquet: ParquetSerDe{BlockSizeBytes: ptr(int32(1 << 20))}}, "BlockSizeBytes must be at least"},
		{"page size", Config{Columns: cols, Parquet: ParquetSerDe{PageSizeBytes: ptr(int32(1024))}}, "PageSizeBytes must be at least"},
		{"padding", Config{Columns: cols, Parquet: ParquetSerDe{MaxPaddingBytes: ptr(int32(-1))}}, "MaxPaddingBytes"},
		{"joda letter", Config{Columns: cols, Hive: &HiveJsonSerDe{TimestampFormats: []string{"yyyy-MM-dd G"}}}, "G is not supported"},
		{"joda fraction", Config{Columns: cols, Hive: &HiveJsonSerDe{TimestampFormats: []string{"ssSSS"}}}, "fraction must follow"},
		{"ok", Config{Columns: []Column{{"a", "DECIMAL"}, {"b", "struct< x : int , y : map<string, array<decimal(38,10)>> >"}}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.c.Validate()
			if tt.msg == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			var e *eddy.Error
			if !errors.As(err, &e) || e.Code != eddy.CodeInvalidArgument || !strings.Contains(e.Message, tt.msg) {
				t.Fatalf("Validate = %v, want InvalidArgumentException with %q", err, tt.msg)
			}
		})
	}
}

func TestSchemaFile(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain.json")
	glue := filepath.Join(dir, "glue.json")
	os.WriteFile(plain, []byte(`{"Columns":[{"Name":"id","Type":"bigint"},{"Name":"tags","Type":"array<string>"}]}`), 0o600)
	os.WriteFile(glue, []byte(`{"Table":{"Name":"t","DatabaseName":"db","StorageDescriptor":{"Columns":[{"Name":"id","Type":"bigint"},{"Name":"tags","Type":"array<string>"}],"Location":"s3://b/"}}}`), 0o600)
	want := []Column{{"id", "bigint"}, {"tags", "array<string>"}}
	for _, p := range []string{plain, glue} {
		cols, err := LoadSchemaFile(p)
		if err != nil || !reflect.DeepEqual(cols, want) {
			t.Errorf("%s: %v, %v", filepath.Base(p), cols, err)
		}
	}
	if _, err := ParseSchemaFile([]byte(`{}`)); err == nil {
		t.Error("an empty schema file was accepted")
	}
	if _, err := LoadSchemaFile(filepath.Join(dir, "missing.json")); err == nil {
		t.Error("a missing schema file was accepted")
	}
}
