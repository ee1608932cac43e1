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

	// ORDER BY within each second, as a pump's query can.
	p, err = CompileQuery(`SELECT STREAM "TICKER_SYMBOL", "PRICE" FROM "SOURCE_SQL_STREAM_001"
ORDER BY FLOOR("SOURCE_SQL_STREAM_001".ROWTIME TO SECOND), "PRICE" DESC`, []InputSchema{tickerSchema}, nil)
	if err != nil {
		t.Fatal(err)
	}
	h = &harness{t: t, p: p}
	h.r = p.Start(func(s string, r Row) { h.out = append(h.out, emitted{s, r}) })
	h.tick("AAA", "X", 0, 1, at(1.1))
	h.tick("BBB", "X", 0, 3, at(1.2))
	h.tick("CCC", "X", 0, 2, at(1.3))
	h.r.Advance(at(2))
	// Sorted by PRICE descending; a row keeps its ROWTIME unless one sent before
	// is later (the dialect doc, ORDER BY).
	wantRows(t, "ordered", h.take(QueryStream), "1.2s|BBB|3", "1.3s|CCC|2", "1.3s|AAA|1")

	for _, bad := range []struct{ q, want string }{
		{`SELECT STREAM "NOPE" FROM "SOURCE_SQL_STREAM_001"`, "NOPE"},
		{`SELECT STREAM * FROM "MISSING"`, "MISSING"},
		{`CREATE STREAM "S" (a INTEGER)`, ""},
		{`SELECT STREAM "PRICE" FROM "SOURCE_SQL_STREAM_001" UNION ALL SELECT STREAM "PRICE" FROM "SOURCE_SQL_STREAM_001"`, "UNION"},
	} {
		if _, err := CompileQuery(bad.q, []InputSchema{tickerSchema}, nil); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s: %v", bad.q, err)
		}
	}
}
