package parquet

import (
	"bytes"
	"testing"

	pq "github.com/parquet-go/parquet-go"
)

// FuzzParseType checks that the Hive type parser never panics and that
// what it accepts builds a schema.
func FuzzParseType(f *testing.F) {
	for _, s := range []string{"int", "decimal(10,2)", "array<map<string,struct<a:int,b:array<bigint>>>>", "struct<", "map<int", "decimal(", "varchar(5)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if _, err := parseType(s); err != nil {
			return
		}
		if _, err := newSchema([]Column{{"c", s}}, true); err != nil {
			t.Fatalf("parseType accepted %q but newSchema failed: %v", s, err)
		}
	})
}

// FuzzConvert checks that any record either converts or is reported, and
// that what is written reads back with as many rows as reported.
func FuzzConvert(f *testing.F) {
	for _, s := range []string{`{"id":1,"tags":["a"],"m":{"k":1.5},"s":{"x":1},"ts":"2020-01-01 00:00:00","d":"1.25"}`,
		`{"id":"x"}`, `{}{}`, `[1]`, `{"s":{"x":[1]}}`, `{"m":{"k":null}}`} {
		f.Add([]byte(s), false)
	}
	cols := []Column{{"id", "bigint"}, {"tags", "array<string>"}, {"m", "map<string,double>"},
		{"s", "struct<x:int>"}, {"ts", "timestamp"}, {"d", "decimal(5,2)"}, {"day", "date"}, {"b", "boolean"}}
	openx, err := New(Config{Columns: cols})
	if err != nil {
		f.Fatal(err)
	}
	hive, err := New(Config{Columns: cols, Hive: &HiveJsonSerDe{TimestampFormats: []string{"millis", "yyyy-MM-dd'T'HH:mm:ss"}}})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, rec []byte, useHive bool) {
		c := openx
		if useHive {
			c = hive
		}
		var buf bytes.Buffer
		res, err := c.Convert(&buf, [][]byte{rec, rec})
		if err != nil {
			t.Fatalf("Convert: %v", err)
		}
		if res.Converted+len(res.Failed) != 2 {
			t.Fatalf("converted %d, failed %d, of 2", res.Converted, len(res.Failed))
		}
		if res.Rows == 0 {
			return
		}
		file, err := pq.OpenFile(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			t.Fatalf("OpenFile: %v", err)
		}
		if file.NumRows() != int64(res.Rows) {
			t.Fatalf("%d rows in the file, %d reported", file.NumRows(), res.Rows)
		}
		rows := make([]pq.Row, res.Rows)
		if n, _ := pq.NewReader(file).ReadRows(rows); n != res.Rows {
			t.Fatalf("read %d rows of %d", n, res.Rows)
		}
	})
}
