package parquet

import (
	"fmt"
	"io"
	"strings"
	"testing"
)

// BenchmarkConvert10k converts 10,000 JSON records of about 1 KiB each
// into one Parquet file (OpenX, SNAPPY, dictionary on: the defaults) and
// reports µs per record.
func BenchmarkConvert10k(b *testing.B) {
	cols := []Column{
		{"id", "bigint"}, {"ts", "timestamp"}, {"user", "string"}, {"country", "string"},
		{"amount", "decimal(12,2)"}, {"score", "double"}, {"ok", "boolean"}, {"tags", "array<string>"},
		{"attrs", "map<string,string>"}, {"device", "struct<os:string,version:int,model:string>"},
		{"payload", "string"},
	}
	recs := make([][]byte, 10000)
	total := 0
	for i := range recs {
		r := fmt.Sprintf(`{"id":%d,"ts":"2026-12-04T21:%02d:%02d.%03dZ","user":"user-%d","country":"%s","amount":%d.%02d,`+
			`"score":%d.5,"ok":%t,"tags":["a%d","b%d","c"],"attrs":{"k1":"v%d","k2":"w%d"},`+
			`"device":{"os":"linux","version":%d,"model":"m-%d"},"payload":"`,
			i, i%60, i%60, i%1000, i%5000, []string{"FR", "US", "JP", "BR"}[i%4], i, i%100, i%1000, i%2 == 0, i%7, i%11, i%13, i%17, i%9, i%23)
		r += strings.Repeat(string(rune('a'+i%26)), 1024-len(r)-2) + `"}`
		recs[i] = []byte(r)
		total += len(r)
	}
	c, err := New(Config{Columns: cols})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(total))
	b.ResetTimer()
	for b.Loop() {
		res, err := c.Convert(io.Discard, recs)
		if err != nil || len(res.Failed) != 0 || res.Rows != len(recs) {
			b.Fatalf("%+v %v", res.Failed[:min(len(res.Failed), 3)], err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(recs)), "µs/record")
}
