package engine

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
)

// TestDecodeFastMatchesGeneral: for a schema of top-level members, the
// fast path gives what the general path gives, rows and errors, over
// hand-picked and random records.
func TestDecodeFastMatchesGeneral(t *testing.T) {
	cols := []RecordColumn{
		{Name: "TICKER_SYMBOL", SqlType: "VARCHAR(4)", Mapping: "$.TICKER_SYMBOL"},
		{Name: "PRICE", SqlType: "DOUBLE", Mapping: "$.PRICE"},
		{Name: "N", SqlType: "INTEGER", Mapping: "$.N"},
		{Name: "OK", SqlType: "BOOLEAN", Mapping: "$.OK"},
		{Name: "AT", SqlType: "TIMESTAMP", Mapping: "$.AT"},
		{Name: "AGAIN", SqlType: "VARCHAR(64)", Mapping: "$.TICKER_SYMBOL"},
		{Name: "ODD KEY", SqlType: "VARCHAR(8)", Mapping: "$['odd \"key']"},
		{Name: "NESTED", SqlType: "VARCHAR(64)", Mapping: "$.NESTED"},
	}
	fast, err := NewDecoder(RecordFormat{RecordFormatType: "JSON", RecordRowPath: "$"}, cols)
	if err != nil {
		t.Fatal(err)
	}
	if fast.fast == nil {
		t.Fatal("the fast path is off for a schema of top-level members")
	}
	general := *fast
	general.fast = nil
	records := []string{
		`{"TICKER_SYMBOL":"AMZN","PRICE":84.51,"N":3,"OK":true,"AT":"2026-01-01 10:00:00"}`,
		` { "TICKER_SYMBOL" : "A\"B" , "PRICE" : -1e3 , "N" : null , "OK" : false } `,
		`{"TICKER_SYMBOL":"TOOLONG","PRICE":1}`,
		`{"PRICE":"12.5","N":"7"}`,
		`{"N":1.5}`,
		`{"N":99999999999}`,
		`{"OK":1}`,
		`{"AT":1767261600000}`,
		`{"NESTED":{"a":[1,2,{"b":"}"}]},"PRICE":2}`,
		`{"skip":{"a":[1,"]",{"b":"}"}]},"PRICE":2}`,
		`{"odd \"key":"v","TICKER_SYMBOL":"\u0041BC"}`,
		`{"PRICE":1,"PRICE":2}`,
		`{}`,
		`[{"PRICE":1},{"PRICE":2}]`,
		`{"PRICE":1} trailing`,
		`{"PRICE":}`,
		`not json`,
		`"a string"`,
		`{"TICKER_SYMBOL":"\ud83d\ude00"}`,
	}
	rng := rand.New(rand.NewPCG(1, 2))
	parts := []string{`"TICKER_SYMBOL":"XY"`, `"PRICE":12.25`, `"N":42`, `"OK":true`, `"AT":"2026-02-03 04:05:06.789"`,
		`"other":[1,{"x":"y"}]`, `"N":"x"`, `"PRICE":null`, `"OK":"maybe"`, `"TICKER_SYMBOL":12`}
	for range 500 {
		n := rng.IntN(6)
		s := "{"
		for j := range n {
			if j > 0 {
				s += ","
			}
			s += parts[rng.IntN(len(parts))]
		}
		records = append(records, s+"}")
	}
	for _, r := range records {
		gotRows, gotErrs := fast.Decode([]byte(r))
		wantRows, wantErrs := general.Decode([]byte(r))
		if !reflect.DeepEqual(gotRows, wantRows) || fmt.Sprint(gotErrs) != fmt.Sprint(wantErrs) {
			t.Errorf("%s:\nfast    %v %v\ngeneral %v %v", r, gotRows, gotErrs, wantRows, wantErrs)
		}
	}
	// Another row path, or a nested mapping, leaves the fast path off.
	for _, d := range []struct {
		rowPath, mapping string
	}{{"$.rows", "$.a"}, {"$", "$.a.b"}, {"$", "$.a[0]"}} {
		dec, err := NewDecoder(RecordFormat{RecordFormatType: "JSON", RecordRowPath: d.rowPath}, []RecordColumn{{Name: "A", SqlType: "INTEGER", Mapping: d.mapping}})
		if err != nil {
			t.Fatal(err)
		}
		if dec.fast != nil {
			t.Errorf("row path %s, mapping %s: the fast path is on", d.rowPath, d.mapping)
		}
	}
}

func BenchmarkDecodeTicker(b *testing.B) {
	dec, err := NewDecoder(RecordFormat{RecordFormatType: "JSON", RecordRowPath: "$"}, []RecordColumn{
		{Name: "TICKER_SYMBOL", SqlType: "VARCHAR(4)", Mapping: "$.TICKER_SYMBOL"},
		{Name: "SECTOR", SqlType: "VARCHAR(16)", Mapping: "$.SECTOR"},
		{Name: "CHANGE", SqlType: "REAL", Mapping: "$.CHANGE"},
		{Name: "PRICE", SqlType: "REAL", Mapping: "$.PRICE"},
	})
	if err != nil {
		b.Fatal(err)
	}
	data := []byte(`{"TICKER_SYMBOL":"QXZ","SECTOR":"HEALTHCARE","CHANGE":-0.05,"PRICE":84.51}`)
	b.ReportAllocs()
	for b.Loop() {
		if rows, errs := dec.Decode(data); len(rows) != 1 || errs != nil {
			b.Fatal(rows, errs)
		}
	}
}

// TestEncodeRecordReal: a REAL is written as the float32 it is, not as
// the float64 that holds it.
func TestEncodeRecordReal(t *testing.T) {
	cols := []Column{{"R", TypeReal}, {"D", TypeDouble}}
	row := Row{Values: []Value{Float(float64(float32(84.51))), Float(84.51)}}
	for format, want := range map[string]string{"JSON": `{"R":84.51,"D":84.51}`, "CSV": "84.51,84.51\n"} {
		got, err := EncodeRecord(format, cols, row)
		if err != nil || string(got) != want {
			t.Errorf("%s: %q %v, want %q", format, got, err, want)
		}
	}
}
