package functions

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/analytics/engine"
)

// BenchmarkRandomCutForestSQL measures rows through the brief's anomaly
// program (ticker symbol and price, the defaults: 100 trees, 256 samples),
// from Runner.Push to the destination stream, once the forest has learnt.
func BenchmarkRandomCutForestSQL(b *testing.B) {
	const code = `
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), price DOUBLE, ANOMALY_SCORE DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM "TICKER_SYMBOL", "PRICE", ANOMALY_SCORE
  FROM TABLE(RANDOM_CUT_FOREST(CURSOR(SELECT STREAM "TICKER_SYMBOL", "PRICE" FROM "SOURCE_SQL_STREAM_001")));`
	p, err := engine.Compile(code, []engine.InputSchema{tickerSchema}, nil)
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	r := p.Start(func(string, engine.Row) { n++ })
	rng := rand.New(rand.NewPCG(1, 1))
	rows := make([][]engine.Value, 4096)
	for i := range rows {
		rows[i] = tick("AMZN", 100+rng.NormFloat64())
	}
	t := base
	push := func(i int) {
		t = t.Add(time.Millisecond)
		if err := r.Push("SOURCE_SQL_STREAM_001", engine.Row{Rowtime: t, Values: rows[i%len(rows)]}); err != nil {
			b.Fatal(err)
		}
	}
	for i := 0; i < 2000; i++ {
		push(i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		push(i)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	if n < b.N {
		b.Fatalf("%d rows out for %d in", n, b.N)
	}
}
