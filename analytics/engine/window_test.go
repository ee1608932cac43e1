package engine

import (
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"
)

const tumbleCode = `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (TICKER_SYMBOL VARCHAR(4), N BIGINT, AVG_PRICE DOUBLE, MAX_PRICE REAL);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM ROWTIME, TICKER_SYMBOL, COUNT(*), AVG(PRICE), MAX(PRICE)
FROM "SOURCE_SQL_STREAM_001"
GROUP BY TICKER_SYMBOL, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '10' SECOND);`

func TestTumblingBoundaries(t *testing.T) {
	h := run(t, tumbleCode, []InputSchema{tickerSchema})
	h.tick("AMZN", "RETAIL", 0, 10, at(0))
	h.tick("AAPL", "TECH", 0, 5, at(3))
	h.tick("AMZN", "RETAIL", 0, 20, at(9.999))
	wantRows(t, "window [0,10) still open", h.take("DESTINATION_SQL_STREAM"))
	// A row exactly at 10s belongs to [10,20) and closes [0,10): its groups come out in the
	// order they first appeared, with ROWTIME the window's end.
	h.tick("AMZN", "RETAIL", 0, 30, at(10))
	wantRows(t, "window [0,10)", h.take("DESTINATION_SQL_STREAM"),
		"10s|AMZN|2|15|20", "10s|AAPL|1|5|5")
	// Advance closes a window with no row; an empty window [20,30) emits nothing.
	h.r.Advance(at(19.999))
	wantRows(t, "before 20s", h.take("DESTINATION_SQL_STREAM"))
	h.r.Advance(at(20))
	wantRows(t, "window [10,20)", h.take("DESTINATION_SQL_STREAM"), "20s|AMZN|1|30|30")
	h.r.Advance(at(45))
	wantRows(t, "empty windows", h.take("DESTINATION_SQL_STREAM"))
	h.tick("AAPL", "TECH", 0, 7, at(45))
	h.r.Advance(at(50))
	wantRows(t, "window [40,50)", h.take("DESTINATION_SQL_STREAM"), "50s|AAPL|1|7|7")
	// Time does not go back.
	if err := h.r.Push("SOURCE_SQL_STREAM_001", Row{Rowtime: at(49), Values: []Value{String("X"), Null, Null, Null}}); err == nil {
		t.Error("a row earlier than the stream's time was accepted")
	}
	if len(h.out) != 0 {
		t.Errorf("rejected row emitted %v", h.out)
	}
}

func TestTumblingHavingAndFloor(t *testing.T) {
	code := `CREATE STREAM OUT (SECTOR VARCHAR(16), MINUTE_START TIMESTAMP, N INTEGER, TOTAL DOUBLE, DISTINCT_TICKERS BIGINT);
CREATE PUMP P AS INSERT INTO OUT
SELECT STREAM SECTOR, FLOOR(s.ROWTIME TO MINUTE), COUNT(PRICE), SUM(PRICE), COUNT(DISTINCT TICKER_SYMBOL)
FROM SOURCE_SQL_STREAM_001 AS s
WHERE CHANGE >= 0
GROUP BY SECTOR, FLOOR(s.ROWTIME TO MINUTE)
HAVING COUNT(*) > 1;`
	h := run(t, code, []InputSchema{tickerSchema})
	h.tick("A", "TECH", 1, 1, at(1))
	h.tick("B", "TECH", 1, 2, at(2))
	h.tick("A", "TECH", 1, 3, at(3))
	h.tick("C", "ENERGY", 1, 4, at(4))                                                  // alone in its group: HAVING drops it
	h.tick("D", "TECH", -1, 100, at(5))                                                 // WHERE drops it
	h.push("SOURCE_SQL_STREAM_001", at(6), String("E"), String("TECH"), Float(0), Null) // COUNT(PRICE) skips NULL
	h.r.Advance(at(60))
	wantRows(t, "minute 0", h.take("OUT"), "1m0s|TECH|2026-01-01 00:00:00.000|3|6|3")
}

func TestSlidingRangeAndRows(t *testing.T) {
	code := `CREATE STREAM OUT (TICKER_SYMBOL VARCHAR(4), AVG1M DOUBLE, N BIGINT, MIN3 REAL, MAX3 REAL, FIRST3 REAL, SUM3 DOUBLE);
CREATE PUMP P AS INSERT INTO OUT
SELECT STREAM TICKER_SYMBOL, AVG(PRICE) OVER W, COUNT(*) OVER W,
  MIN(PRICE) OVER L3, MAX(PRICE) OVER L3, FIRST_VALUE(PRICE) OVER L3, SUM(PRICE) OVER L3
FROM SOURCE_SQL_STREAM_001
WINDOW W AS (PARTITION BY TICKER_SYMBOL RANGE INTERVAL '1' MINUTE PRECEDING),
       L3 AS (ROWS 2 PRECEDING);`
	h := run(t, code, []InputSchema{tickerSchema})
	h.tick("A", "X", 0, 10, at(0))
	h.tick("B", "X", 0, 1, at(10))
	h.tick("A", "X", 0, 20, at(30))
	h.tick("A", "X", 0, 30, at(60)) // 0s is exactly 1 minute before: still in the window
	h.tick("A", "X", 0, 40, at(60.001))
	h.tick("B", "X", 0, 2, at(100)) // B at 10s is out of its 1-minute window
	wantRows(t, "sliding", h.take("OUT"),
		"0s|A|10|1|10|10|10|10",
		"10s|B|1|1|1|10|10|11",
		"30s|A|15|2|1|20|10|31",
		"1m0s|A|20|3|1|30|1|51",
		"1m0.001s|A|30|3|20|40|20|90",
		"1m40s|B|2|1|2|40|30|72",
	)
}

func TestStaggerWithLateRows(t *testing.T) {
	schema := InputSchema{Stream: "SOURCE_SQL_STREAM_001", Columns: []Column{
		{"EVENT_TIME", TypeTimestamp}, {"TICKER_SYMBOL", Varchar(4)}, {"PRICE", TypeReal},
	}}
	code := `CREATE STREAM DESTINATION_SQL_STREAM (EVENT_TIME TIMESTAMP, TICKER_SYMBOL VARCHAR(4), TICKER_COUNT INTEGER);
CREATE PUMP STREAM_PUMP AS INSERT INTO DESTINATION_SQL_STREAM
SELECT STREAM FLOOR(EVENT_TIME TO MINUTE), TICKER_SYMBOL, COUNT(*) AS TICKER_COUNT
FROM SOURCE_SQL_STREAM_001
WINDOWED BY STAGGER (PARTITION BY FLOOR(EVENT_TIME TO MINUTE), TICKER_SYMBOL RANGE INTERVAL '1' MINUTE);`
	h := run(t, code, []InputSchema{schema})
	ev := func(sec float64) Value { return Timestamp(at(sec)) }
	// Events of minute 0 arrive between 0:50 and 1:20 (ROWTIME); their window opens at the
	// first one and closes a minute later, so all are counted together.
	h.push("SOURCE_SQL_STREAM_001", at(50), ev(10), String("AMZN"), Float(1))
	h.push("SOURCE_SQL_STREAM_001", at(55), ev(20), String("AAPL"), Float(1))
	h.push("SOURCE_SQL_STREAM_001", at(70), ev(40), String("AMZN"), Float(1))
	h.push("SOURCE_SQL_STREAM_001", at(80), ev(61), String("AMZN"), Float(1)) // minute 1: its own window
	h.push("SOURCE_SQL_STREAM_001", at(109.999), ev(50), String("AMZN"), Float(1))
	wantRows(t, "open windows", h.take("DESTINATION_SQL_STREAM"))
	h.r.Advance(at(110))
	wantRows(t, "AMZN minute 0 closes at 1:50", h.take("DESTINATION_SQL_STREAM"),
		"1m50s|2026-01-01 00:00:00.000|AMZN|3")
	// A late row for minute 0, after its window closed, opens a new window for the key.
	h.push("SOURCE_SQL_STREAM_001", at(112), ev(59), String("AMZN"), Float(1))
	h.r.Advance(at(200))
	wantRows(t, "the rest", h.take("DESTINATION_SQL_STREAM"),
		"1m55s|2026-01-01 00:00:00.000|AAPL|1",
		"2m20s|2026-01-01 00:01:00.000|AMZN|1",
		"2m52s|2026-01-01 00:00:00.000|AMZN|1")
}

func TestReferenceJoin(t *testing.T) {
	refs := RefTable{Name: "CompanyName", Columns: []Column{{"Ticker", Varchar(4)}, {"Company", Varchar(20)}}, Rows: [][]Value{
		{String("AMZN"), String("Amazon")}, {String("WMT"), String("Walmart")}, {String("AMZN"), String("Amazon 2")},
	}}
	for _, kind := range []string{"JOIN", "LEFT OUTER JOIN"} {
		for _, on := range []string{`s.TICKER_SYMBOL = c."Ticker"`, `c."Ticker" = s.TICKER_SYMBOL AND TRUE`} {
			code := `CREATE STREAM OUT (TICKER_SYMBOL VARCHAR(4), COMPANY VARCHAR(20), PRICE DOUBLE);
CREATE PUMP P AS INSERT INTO OUT
SELECT STREAM s.TICKER_SYMBOL, c."Company", s.PRICE
FROM SOURCE_SQL_STREAM_001 AS s ` + kind + ` "CompanyName" AS c ON ` + on + `;`
			h := run(t, code, []InputSchema{tickerSchema}, refs)
			h.tick("AMZN", "RETAIL", 0, 1, at(1))
			h.tick("AAPL", "TECH", 0, 2, at(2))
			h.tick("WMT", "RETAIL", 0, 3, at(3))
			want := []string{"1s|AMZN|Amazon|1", "1s|AMZN|Amazon 2|1", "3s|WMT|Walmart|3"}
			if kind != "JOIN" {
				want = []string{"1s|AMZN|Amazon|1", "1s|AMZN|Amazon 2|1", "2s|AAPL|NULL|2", "3s|WMT|Walmart|3"}
			}
			wantRows(t, kind+" ON "+on, h.take("OUT"), want...)
		}
	}
}

func TestChainedPumpsAndErrorStream(t *testing.T) {
	code := `CREATE STREAM MID (SYM VARCHAR(4), RATIO DOUBLE);
CREATE STREAM OUT (SYM VARCHAR(4), N BIGINT);
CREATE STREAM ERRS (NAME VARCHAR(32), MSG VARCHAR(200), PUMP VARCHAR(128));
CREATE PUMP P1 AS INSERT INTO MID SELECT STREAM TICKER_SYMBOL, PRICE / CHANGE FROM SOURCE_SQL_STREAM_001;
CREATE PUMP P2 AS INSERT INTO OUT SELECT STREAM SYM, COUNT(*) FROM MID GROUP BY SYM, STEP(MID.ROWTIME BY INTERVAL '1' MINUTE);
CREATE PUMP P3 AS INSERT INTO ERRS SELECT STREAM ERROR_NAME, MESSAGE, PUMP_NAME FROM "error_stream";`
	h := run(t, code, []InputSchema{tickerSchema})
	h.tick("A", "X", 2, 4, at(1))
	h.tick("A", "X", 0, 4, at(2)) // 4.0 / 0.0 is a floating-point division by zero
	h.tick("B", "X", 1, 4, at(3))
	wantRows(t, "mid", h.take("MID"), "1s|A|2", "3s|B|4")
	wantRows(t, "errors", h.take("ERRS"), "2s|SQL error|division by zero|P1")
	got := h.take(ErrorStream)
	if len(got) != 1 || !strings.Contains(got[0], "|ERROR|SQL error|division by zero|") {
		t.Errorf("error_stream: %q", got)
	}
	// The input row's time reaches MID: P2's window closes at 1 minute with no row on MID.
	h.tick("C", "X", 1, 1, at(60))
	wantRows(t, "out", h.take("OUT"), "1m0s|A|1", "1m0s|B|1")
}

// countRows is a trivial table function for the tests: it passes each row through and adds
// a running count, RUNNING_COUNT, starting from its argument.
func init() {
	RegisterTableFunction("TEST_RUNNING_COUNT", func(in []Column, args []Value) (TableFunctionDef, error) {
		if len(args) != 1 || args[0].Kind != KindInt {
			return TableFunctionDef{}, fmt.Errorf("needs one integer argument")
		}
		start := args[0].I
		cols := append(append([]Column(nil), in...), Column{"RUNNING_COUNT", TypeBigint})
		return TableFunctionDef{Columns: cols, New: func() TableFunction { return &runningCount{n: start} }}, nil
	})
}

type runningCount struct{ n int64 }

func (c *runningCount) Push(row Row, emit func(Row)) error {
	c.n++
	emit(Row{Rowtime: row.Rowtime, Values: append(append([]Value(nil), row.Values...), Int(c.n))})
	return nil
}

func (c *runningCount) Advance(time.Time, func(Row)) {}

func TestTableFunction(t *testing.T) {
	code := `CREATE STREAM OUT (SYM VARCHAR(4), PRICE DOUBLE, N BIGINT);
CREATE PUMP P AS INSERT INTO OUT
SELECT STREAM SYM, PRICE, RUNNING_COUNT FROM TABLE(TEST_RUNNING_COUNT(
  CURSOR(SELECT STREAM TICKER_SYMBOL AS SYM, PRICE FROM SOURCE_SQL_STREAM_001 WHERE PRICE > 1), 100)) AS t
WHERE RUNNING_COUNT <> 102;`
	h := run(t, code, []InputSchema{tickerSchema})
	for i := 0; i < 4; i++ {
		h.tick("A", "X", 0, float64(i+1), at(float64(i)))
	}
	wantRows(t, "table function", h.take("OUT"), "1s|A|2|101", "3s|A|4|103")
	_, err := Compile(strings.Replace(code, ", 100)", ", 'x')", 1), []InputSchema{tickerSchema}, nil)
	if err == nil || err.Error() != "line 3, column 52: TEST_RUNNING_COUNT: needs one integer argument" {
		t.Errorf("bad argument: %v", err)
	}
}

func TestPushRejectsBadRows(t *testing.T) {
	h := run(t, tumbleCode, []InputSchema{tickerSchema})
	for _, row := range []Row{
		{Rowtime: at(1), Values: []Value{String("A")}},
		{Rowtime: at(1), Values: []Value{Int(1), Null, Null, Null}},
		{Rowtime: at(1), Values: []Value{Null, Null, Null, Null, Int(3)}},
	} {
		if err := h.r.Push("SOURCE_SQL_STREAM_001", row); err == nil {
			t.Errorf("row %v accepted", row.Values)
		}
	}
	if err := h.r.Push("NOPE", Row{Rowtime: at(1)}); err == nil || err.Error() != "no input stream NOPE" {
		t.Errorf("unknown stream: %v", err)
	}
	h.r.Advance(at(100))
	if len(h.out) != 0 {
		t.Errorf("rejected rows changed state: %v", h.out)
	}
}

// TestSQLErrorColumns: a row whose value does not fit the target column is dropped and
// reported with every error_stream column of dev Error Handling; DATA_ROW is the hex of
// the query's row as a JSON array (the guide says only "hex-encoded data in the original
// row"; the encoding inside is Eddy's).
func TestSQLErrorColumns(t *testing.T) {
	code := `CREATE STREAM OUT (SYM VARCHAR(4), N SMALLINT);
CREATE PUMP "TO_OUT" AS INSERT INTO OUT SELECT STREAM TICKER_SYMBOL, CAST(PRICE AS INTEGER) FROM SOURCE_SQL_STREAM_001;`
	h := run(t, code, []InputSchema{tickerSchema})
	h.tick("AMZN", "X", 0, 12, at(1))
	h.tick("AMZN", "X", 0, 40000, at(2))
	wantRows(t, "out", h.take("OUT"), "1s|AMZN|12")
	data := hex.EncodeToString([]byte(`["AMZN",40000]`))
	wantRows(t, "error_stream", h.take(ErrorStream),
		"2s|2026-01-01 00:00:02.000|ERROR|SQL error|column N: value 40000 is out of range for SMALLINT|2026-01-01 00:00:02.000|"+data+"|TO_OUT")
}

// TestStaggerHaving: HAVING, written after WINDOWED BY STAGGER as the developer guide does,
// drops the closed windows whose condition is not TRUE.
func TestStaggerHaving(t *testing.T) {
	code := `CREATE STREAM OUT (TICKER_SYMBOL VARCHAR(4), N INTEGER);
CREATE PUMP P AS INSERT INTO OUT
SELECT STREAM TICKER_SYMBOL, COUNT(*) AS N
FROM SOURCE_SQL_STREAM_001
WINDOWED BY STAGGER (PARTITION BY TICKER_SYMBOL RANGE INTERVAL '10' SECOND)
HAVING COUNT(*) >= 2;`
	h := run(t, code, []InputSchema{tickerSchema})
	h.tick("A", "X", 0, 1, at(0))
	h.tick("B", "X", 0, 1, at(1)) // alone in its window: dropped
	h.tick("A", "X", 0, 1, at(5))
	h.tick("C", "X", 0, 1, at(6))
	h.tick("C", "X", 0, 1, at(7))
	h.r.Advance(at(30))
	wantRows(t, "HAVING COUNT(*) >= 2", h.take("OUT"), "10s|A|2", "16s|C|2")
}
