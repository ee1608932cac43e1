package engine

import (
	"fmt"
	"testing"
	"time"
)

// benchInput makes rows for 100 tickers (T000 to T099), pushed round-robin, one row per
// millisecond.
func benchInput(n int) [][]Value {
	syms := make([]string, 100)
	for i := range syms {
		syms[i] = fmt.Sprintf("T%03d", i)
	}
	rows := make([][]Value, n)
	for i := range rows {
		rows[i] = []Value{String(syms[i%len(syms)]), String("TECHNOLOGY"), Float(float64(float32(i%7) - 3)), Float(float64(float32(50 + i%100)))}
	}
	return rows
}

func benchPush(b *testing.B, code string) {
	p, err := Compile(code, []InputSchema{tickerSchema}, nil)
	if err != nil {
		b.Fatal(err)
	}
	out := 0
	r := p.Start(func(string, Row) { out++ })
	rows := benchInput(1 << 16)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := r.Push("SOURCE_SQL_STREAM_001", Row{Rowtime: base.Add(time.Duration(i) * time.Millisecond), Values: rows[i&(1<<16-1)]}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/row")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	if out == 0 && b.N > 20000 {
		b.Fatal("no output")
	}
}

// BenchmarkTumbling: GROUP BY ticker over 10-second windows with COUNT, SUM and AVG: at one
// row per millisecond a window closes every 10,000 rows and emits 100 rows.
//
//	go test -run '^$' -bench . -benchtime 1000000x ./analytics/engine/
func BenchmarkTumbling(b *testing.B) {
	benchPush(b, `CREATE STREAM OUT (TICKER_SYMBOL VARCHAR(4), N BIGINT, TOTAL DOUBLE, AVG_PRICE DOUBLE);
CREATE PUMP P AS INSERT INTO OUT
SELECT STREAM TICKER_SYMBOL, COUNT(*), SUM(PRICE), AVG(PRICE) FROM SOURCE_SQL_STREAM_001
GROUP BY TICKER_SYMBOL, STEP(SOURCE_SQL_STREAM_001.ROWTIME BY INTERVAL '10' SECOND);`)
}

// BenchmarkSliding: AVG over the last 10 seconds per ticker (about 100 rows in each
// partition's window), one output row per input row.
func BenchmarkSliding(b *testing.B) {
	benchPush(b, `CREATE STREAM OUT (TICKER_SYMBOL VARCHAR(4), AVG_PRICE DOUBLE);
CREATE PUMP P AS INSERT INTO OUT
SELECT STREAM TICKER_SYMBOL, AVG(PRICE) OVER (PARTITION BY TICKER_SYMBOL RANGE INTERVAL '10' SECOND PRECEDING)
FROM SOURCE_SQL_STREAM_001;`)
}

// BenchmarkOrderBy: every row sorted within its second by price, highest first (the
// anomaly examples' ORDER BY): 1,000 rows held and sorted per second.
func BenchmarkOrderBy(b *testing.B) {
	benchPush(b, `CREATE STREAM OUT (TICKER_SYMBOL VARCHAR(4), PRICE REAL);
CREATE PUMP P AS INSERT INTO OUT
SELECT STREAM TICKER_SYMBOL, PRICE FROM SOURCE_SQL_STREAM_001
ORDER BY FLOOR(SOURCE_SQL_STREAM_001.ROWTIME TO SECOND), PRICE DESC;`)
}

// BenchmarkUnionAll: two ticker streams merged by UNION ALL, rows pushed to each in turn
// (one row per millisecond overall), so every row waits for one row of the other stream.
func BenchmarkUnionAll(b *testing.B) {
	other := InputSchema{Stream: "SOURCE_SQL_STREAM_002", Columns: tickerSchema.Columns}
	p, err := Compile(`CREATE STREAM OUT (TICKER_SYMBOL VARCHAR(4), PRICE REAL);
CREATE PUMP P AS INSERT INTO OUT
SELECT STREAM TICKER_SYMBOL, PRICE FROM SOURCE_SQL_STREAM_001
UNION ALL
SELECT STREAM TICKER_SYMBOL, PRICE FROM SOURCE_SQL_STREAM_002;`, []InputSchema{tickerSchema, other}, nil)
	if err != nil {
		b.Fatal(err)
	}
	out := 0
	r := p.Start(func(string, Row) { out++ })
	rows := benchInput(1 << 16)
	streams := [2]string{"SOURCE_SQL_STREAM_001", "SOURCE_SQL_STREAM_002"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := r.Push(streams[i&1], Row{Rowtime: base.Add(time.Duration(i) * time.Millisecond), Values: rows[i&(1<<16-1)]}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/row")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	if b.N > 2 && out < b.N-2 {
		b.Fatalf("%d rows out of %d", out, b.N)
	}
}
