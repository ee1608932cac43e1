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
// over the last minute, and the last 10 rows' min and max) against a direct computation.
func TestGuideSlidingExample(t *testing.T) {
	code := `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), avg_price DOUBLE, n BIGINT, lo REAL, hi REAL, var_s DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM ticker_symbol, AVG(price) OVER W1 AS avg_price, COUNT(*) OVER W1, MIN(price) OVER W2, MAX(price) OVER W2, VAR_SAMP(price) OVER W1
FROM "SOURCE_SQL_STREAM_001"
WINDOW W1 AS (PARTITION BY ticker_symbol RANGE INTERVAL '1' MINUTE PRECEDING),
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
			if rows[j].ms >= r.ms-60000 {
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
