package engine

import (
	"strings"
	"testing"
)

// TestCompileQuery: a bare SELECT STREAM runs with its rows going to
// QueryStream, whose columns are the query's.
func TestCompileQuery(t *testing.T) {
	p, err := CompileQuery(`SELECT STREAM "TICKER_SYMBOL", COUNT(*) AS "N" FROM "SOURCE_SQL_STREAM_001"
GROUP BY "TICKER_SYMBOL", STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '10' SECOND);`, []InputSchema{tickerSchema}, nil)
	if err != nil {
		t.Fatal(err)
	}
	cols := p.Columns(QueryStream)
	if len(cols) != 2 || cols[0].Name != "TICKER_SYMBOL" || cols[1].Name != "N" {
		t.Fatalf("columns %+v", cols)
	}
	h := &harness{t: t, p: p}
	h.r = p.Start(func(s string, r Row) { h.out = append(h.out, emitted{s, r}) })
	h.tick("AAA", "X", 0, 1, at(1))
	h.tick("AAA", "X", 0, 1, at(2))
	h.tick("BBB", "X", 0, 1, at(3))
	h.r.Advance(at(10))
	wantRows(t, "query", h.take(QueryStream), "10s|AAA|2", "10s|BBB|1")

	for _, bad := range []struct{ q, want string }{
		{`SELECT STREAM "NOPE" FROM "SOURCE_SQL_STREAM_001"`, "NOPE"},
		{`SELECT STREAM * FROM "MISSING"`, "MISSING"},
		{`CREATE STREAM "S" (a INTEGER)`, ""},
	} {
		if _, err := CompileQuery(bad.q, []InputSchema{tickerSchema}, nil); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s: %v", bad.q, err)
		}
	}
}
