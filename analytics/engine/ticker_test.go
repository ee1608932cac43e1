package engine

import (
	"fmt"
	"math"
	"math/rand"
	"sort"
	"strings"
	"testing"
)

// tick is a row of the developer guide's demo stream, with its ROWTIME in milliseconds.
type tick struct {
	ms            int64
	sym, sector   string
	change, price float64 // float32 values, as REAL columns hold them
}

func tickerRows(n int, seed int64) []tick {
	rng := rand.New(rand.NewSource(seed))
	syms := []string{"AMZN", "AAPL", "WMT", "TBV", "QXZ", "NFLX"}
	sectors := map[string]string{"AMZN": "RETAIL", "AAPL": "TECHNOLOGY", "WMT": "RETAIL", "TBV": "HEALTHCARE", "QXZ": "FINANCIAL", "NFLX": "TECHNOLOGY"}
	var out []tick
	ms := int64(0)
	for i := 0; i < n; i++ {
		ms += int64(rng.Intn(700)) // several rows may share a ROWTIME
		s := syms[rng.Intn(len(syms))]
		out = append(out, tick{ms, s, sectors[s], float64(float32(rng.NormFloat64())), float64(float32(50 + 100*rng.Float64()))})
	}
	return out
}

func (h *harness) pushTicks(rows []tick) {
	for _, r := range rows {
		h.tick(r.sym, r.sector, r.change, r.price, at(float64(r.ms)/1000))
	}
}

func near(a, b float64) bool {
	return math.Abs(a-b) <= 1e-9*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

// TestGuideTumblingExample runs the developer guide's tumbling window query (aggregates per
// ticker over 10-second windows) and checks each output row against the same aggregates
// computed directly from the rows.
func TestGuideTumblingExample(t *testing.T) {
	code := `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
  TICKER_SYMBOL VARCHAR(4), TICKER_COUNT BIGINT, AVG_PRICE DOUBLE, MIN_PRICE REAL, MAX_PRICE REAL,
  SDEV DOUBLE, VAR_P DOUBLE, FIRST_CHANGE REAL, LAST_CHANGE REAL);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM ROWTIME, TICKER_SYMBOL, COUNT(*) AS TICKER_COUNT, AVG(PRICE), MIN(PRICE), MAX(PRICE),
  STDDEV_SAMP(PRICE), VAR_POP(PRICE), FIRST_VALUE(CHANGE), LAST_VALUE(CHANGE)
FROM "SOURCE_SQL_STREAM_001"
GROUP BY TICKER_SYMBOL, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '10' SECOND);`
	rows := tickerRows(3000, 1)
	h := run(t, code, []InputSchema{tickerSchema})
	h.pushTicks(rows)
	h.r.Advance(at(float64(rows[len(rows)-1].ms)/1000 + 10))

	type agg struct {
		end          int64
		sym          string
		prices       []float64
		first, last  float64
		firstSeenIdx int
	}
	groups := map[string]*agg{}
	for i, r := range rows {
		start := r.ms / 10000 * 10000
		k := fmt.Sprint(start, r.sym)
		g := groups[k]
		if g == nil {
			g = &agg{end: start + 10000, sym: r.sym, first: r.change, firstSeenIdx: i}
			groups[k] = g
		}
		g.prices = append(g.prices, r.price)
		g.last = r.change
	}
	var want []*agg
	for _, g := range groups {
		want = append(want, g)
	}
	sort.Slice(want, func(i, j int) bool {
		if want[i].end != want[j].end {
			return want[i].end < want[j].end
		}
		return want[i].firstSeenIdx < want[j].firstSeenIdx
	})
	got := h.out
	if len(got) != len(want) {
		t.Fatalf("%d rows, want %d", len(got), len(want))
	}
	for i, g := range want {
		row := got[i].row
		n := float64(len(g.prices))
		sum, mn, mx := 0.0, math.Inf(1), math.Inf(-1)
		for _, p := range g.prices {
			sum += p
			mn, mx = math.Min(mn, p), math.Max(mx, p)
		}
		mean := sum / n
		ss := 0.0
		for _, p := range g.prices {
			ss += (p - mean) * (p - mean)
		}
		v := row.Values
		if row.Rowtime.Sub(base).Milliseconds() != g.end || v[0].S != g.sym || v[1].I != int64(n) ||
			!near(v[2].F, mean) || v[3].F != mn || v[4].F != mx || !near(v[6].F, ss/n) ||
			v[7].F != g.first || v[8].F != g.last {
			t.Fatalf("row %d: got %s, want end %d %s n=%v avg=%v min=%v max=%v", i, fmtRow(row), g.end, g.sym, n, mean, mn, mx)
		}
		if n < 2 {
			if !v[5].IsNull() {
				t.Fatalf("row %d: STDDEV_SAMP of one row = %v", i, v[5])
			}
		} else if !near(v[5].F, math.Sqrt(ss/(n-1))) {
			t.Fatalf("row %d: STDDEV_SAMP %v, want %v", i, v[5].F, math.Sqrt(ss/(n-1)))
		}
	}
}

// TestGuideSlidingExample runs the guide's sliding window query (average price per ticker
// over a RANGE window, and the last 10 rows' min and max) against a direct computation.
// The guide's examples use RANGE INTERVAL '1' MINUTE and '10' SECOND: both are run.
func TestGuideSlidingExample(t *testing.T) {
	for _, w := range []struct {
		interval string
		ms       int64
	}{{"'1' MINUTE", 60000}, {"'10' SECOND", 10000}} {
		t.Run(w.interval, func(t *testing.T) { testGuideSliding(t, w.interval, w.ms) })
	}
}

func testGuideSliding(t *testing.T, interval string, rangeMs int64) {
	code := `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), avg_price DOUBLE, n BIGINT, lo REAL, hi REAL, var_s DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM ticker_symbol, AVG(price) OVER W1 AS avg_price, COUNT(*) OVER W1, MIN(price) OVER W2, MAX(price) OVER W2, VAR_SAMP(price) OVER W1
FROM "SOURCE_SQL_STREAM_001"
WINDOW W1 AS (PARTITION BY ticker_symbol RANGE INTERVAL ` + interval + ` PRECEDING),
       W2 AS (PARTITION BY ticker_symbol ROWS 9 PRECEDING);`
	rows := tickerRows(3000, 2)
	h := run(t, code, []InputSchema{tickerSchema})
	h.pushTicks(rows)
	if len(h.out) != len(rows) {
		t.Fatalf("%d rows out for %d in", len(h.out), len(rows))
	}
	for i, r := range rows {
		var inRange, last []float64
		for j := i; j >= 0; j-- {
			if rows[j].sym != r.sym {
				continue
			}
			if rows[j].ms >= r.ms-rangeMs {
				inRange = append(inRange, rows[j].price)
			}
			if len(last) < 10 {
				last = append(last, rows[j].price)
			}
		}
		sum := 0.0
		for _, p := range inRange {
			sum += p
		}
		mean := sum / float64(len(inRange))
		ss := 0.0
		for _, p := range inRange {
			ss += (p - mean) * (p - mean)
		}
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, p := range last {
			lo, hi = math.Min(lo, p), math.Max(hi, p)
		}
		v := h.out[i].row.Values
		if v[0].S != r.sym || !near(v[1].F, mean) || v[2].I != int64(len(inRange)) || v[3].F != lo || v[4].F != hi {
			t.Fatalf("row %d: got %s, want %s avg=%v n=%d lo=%v hi=%v", i, fmtRow(h.out[i].row), r.sym, mean, len(inRange), lo, hi)
		}
		if len(inRange) > 1 && math.Abs(v[5].F-ss/float64(len(inRange)-1)) > 1e-6*math.Max(1, ss) {
			t.Fatalf("row %d: VAR_SAMP %v, want %v", i, v[5].F, ss/float64(len(inRange)-1))
		}
	}
}

// TestGuideFilterAndJoinExample runs the guide's filter (WHERE sector SIMILAR TO) and
// reference-data join examples together, chained through an intermediate stream.
func TestGuideFilterAndJoinExample(t *testing.T) {
	code := `CREATE OR REPLACE STREAM "TECH_STREAM" (ticker_symbol VARCHAR(4), sector VARCHAR(16), change REAL, price REAL);
CREATE OR REPLACE PUMP "FILTER_PUMP" AS INSERT INTO "TECH_STREAM"
SELECT STREAM ticker_symbol, sector, change, price FROM "SOURCE_SQL_STREAM_001" WHERE sector SIMILAR TO '%TECH%';
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), "Company" VARCHAR(20), sector VARCHAR(16), change REAL, price REAL);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM ticker_symbol, "c"."Company", sector, change, price
FROM "TECH_STREAM" LEFT JOIN "CompanyName" AS "c" ON "TECH_STREAM".ticker_symbol = "c"."Ticker";`
	refs := RefTable{Name: "CompanyName", Columns: []Column{{"Ticker", Varchar(4)}, {"Company", Varchar(20)}}, Rows: [][]Value{
		{String("AAPL"), String("Apple")}, {String("AMZN"), String("Amazon")},
	}}
	rows := tickerRows(500, 3)
	h := run(t, code, []InputSchema{tickerSchema}, refs)
	h.pushTicks(rows)
	var want []string
	for _, r := range rows {
		if !strings.Contains(r.sector, "TECH") {
			continue
		}
		company := "NULL"
		if r.sym == "AAPL" {
			company = "Apple"
		}
		want = append(want, strings.Join([]string{r.sym, company, r.sector, formatFloat(r.change), formatFloat(r.price)}, "|"))
	}
	var got []string
	for _, s := range h.take("DESTINATION_SQL_STREAM") {
		got = append(got, s[strings.IndexByte(s, '|')+1:])
	}
	if len(want) == 0 || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got %d rows, want %d\n%s", len(got), len(want), strings.Join(got[:min(5, len(got))], "\n"))
	}
}

// TestGuideSlidingCountExample is the guide's 5-second sliding COUNT (dev Sliding Windows):
// records at t1, t2, t6, t7 and three at t8. One row comes out per row in; the rows at the
// same time see the ones before them, so the three at t8 give 3, 4 and 5 (the guide shows
// the 5). The guide's times are whole seconds and it leaves t1 out of the window at t6:
// Eddy's RANGE includes a row exactly at t - interval (TestSlidingRangeAndRows), so the
// times here are t1 = 1.0 s, t2 = 2.0 s, t6 = 6.5 s, t7 = 7.5 s, t8 = 8.5 s.
func TestGuideSlidingCountExample(t *testing.T) {
	code := `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (N INTEGER);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM COUNT(*) OVER W1 FROM "SOURCE_SQL_STREAM_001" WINDOW W1 AS (RANGE INTERVAL '5' SECOND PRECEDING);`
	h := run(t, code, []InputSchema{tickerSchema})
	for _, sec := range []float64{1, 2, 6.5, 7.5, 8.5, 8.5, 8.5} {
		h.tick("AMZN", "RETAIL", 0, 1, at(sec))
	}
	h.r.Advance(at(100)) // time passing emits nothing
	wantRows(t, "counts", h.take("DESTINATION_SQL_STREAM"),
		"1s|1", "2s|2", "6.5s|2", "7.5s|2", "8.5s|3", "8.5s|4", "8.5s|5")
}

// TestGuideStaggerExample is the example of dev Stagger Windows: the same four AMZN trades
// give two rows, the window of the first three opening at 11:00:20 and closing a minute
// later, the fourth (event minute 11:01) in a window of its own.
func TestGuideStaggerExample(t *testing.T) {
	schema := InputSchema{Stream: "SOURCE_SQL_STREAM_001", Columns: []Column{
		{"EVENT_TIME", TypeTimestamp}, {"TICKER_SYMBOL", Varchar(4)}, {"PRICE", TypeReal},
	}}
	code := `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    ticker_symbol    VARCHAR(4),
    event_time       TIMESTAMP,
    ticker_count     DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS
  INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM
        TICKER_SYMBOL,
        FLOOR(EVENT_TIME TO MINUTE),
        COUNT(TICKER_SYMBOL) AS ticker_count
    FROM "SOURCE_SQL_STREAM_001"
    WINDOWED BY STAGGER (
            PARTITION BY FLOOR(EVENT_TIME TO MINUTE), TICKER_SYMBOL RANGE INTERVAL '1' MINUTE);`
	h := run(t, code, []InputSchema{schema})
	eleven := 11 * 3600.0
	for _, e := range []struct{ rowtime, event float64 }{
		{20, 10}, {30, 20}, {65, 55}, {75, 65}, // 11:00:20/11:00:10 ... 11:01:15/11:01:05
	} {
		h.push("SOURCE_SQL_STREAM_001", at(eleven+e.rowtime), Timestamp(at(eleven+e.event)), String("AMZN"), Float(1))
	}
	h.r.Advance(at(eleven + 80))
	wantRows(t, "first window", h.take("DESTINATION_SQL_STREAM"), "11h1m20s|AMZN|2026-01-01 11:00:00.000|3")
	h.r.Advance(at(eleven + 200))
	wantRows(t, "second window", h.take("DESTINATION_SQL_STREAM"), "11h2m15s|AMZN|2026-01-01 11:01:00.000|1")
}

// TestGuideTumblingCountExample: COUNT per ticker per 10-second STEP window, rows and
// expectations written out by hand.
func TestGuideTumblingCountExample(t *testing.T) {
	code := `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (TICKER_SYMBOL VARCHAR(4), TICKER_COUNT INTEGER, MIN_PRICE DOUBLE, MAX_PRICE DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM TICKER_SYMBOL, COUNT(*) AS TICKER_COUNT, MIN(Price) AS MIN_PRICE, MAX(Price) AS MAX_PRICE
FROM "SOURCE_SQL_STREAM_001"
GROUP BY TICKER_SYMBOL, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '10' SECOND);`
	h := run(t, code, []InputSchema{tickerSchema})
	for _, r := range []struct {
		sec   float64
		sym   string
		price float64
	}{
		{0.5, "AMZN", 10}, {1, "AAPL", 20}, {4, "AMZN", 12}, {9.9, "AMZN", 8}, // [0,10)
		{10, "AAPL", 21}, {15, "WMT", 5}, {19.999, "AAPL", 25}, // [10,20)
		{31, "WMT", 6}, // [30,40); [20,30) is empty
	} {
		h.tick(r.sym, "X", 0, r.price, at(r.sec))
	}
	h.r.Advance(at(40))
	wantRows(t, "windows", h.take("DESTINATION_SQL_STREAM"),
		"10s|AMZN|3|8|12", "10s|AAPL|1|20|20",
		"20s|AAPL|2|21|25", "20s|WMT|1|5|5",
		"40s|WMT|1|6|6")
}
