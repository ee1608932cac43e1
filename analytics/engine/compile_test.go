package engine

import (
	"errors"
	"testing"

	"github.com/eddy-streams/eddy/analytics/sql"
)

const dest = `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (TICKER_SYMBOL VARCHAR(4), N DOUBLE);
`

func TestCompileErrors(t *testing.T) {
	refs := []RefTable{{Name: "COMPANY", Columns: []Column{{"TICKER", Varchar(4)}, {"NAME", Varchar(20)}}}}
	cases := []struct{ code, want string }{
		{"CREATE STREAM A (X INTEGER", `line 1, column 27: expected ")" but found end of input`},
		{dest + "CREATE PUMP P AS INSERT INTO NOPE SELECT STREAM TICKER_SYMBOL, PRICE FROM SOURCE_SQL_STREAM_001;",
			"line 2, column 30: unknown stream NOPE"},
		{dest + `CREATE PUMP P AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM TICKER_SYMBOL, PRICE FROM NOPE;`,
			"line 2, column 95: unknown stream NOPE"},
		{dest + `CREATE PUMP P AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM TICKER, PRICE FROM SOURCE_SQL_STREAM_001;`,
			"line 2, column 69: unknown column TICKER"},
		{dest + `CREATE PUMP P AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM x.TICKER_SYMBOL, PRICE FROM SOURCE_SQL_STREAM_001;`,
			"line 2, column 69: unknown stream or table X"},
		{dest + `CREATE PUMP P AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM TICKER_SYMBOL FROM SOURCE_SQL_STREAM_001;`,
			`line 2, column 55: the query returns 1 columns but stream DESTINATION_SQL_STREAM takes 2`},
		{dest + `CREATE PUMP P AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM PRICE, PRICE FROM SOURCE_SQL_STREAM_001;`,
			`line 2, column 69: column 1 of the query is REAL but column TICKER_SYMBOL of stream DESTINATION_SQL_STREAM is VARCHAR(4)`},
		{dest + `CREATE PUMP P AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM TICKER_SYMBOL, PRICE + 'a' FROM SOURCE_SQL_STREAM_001;`,
			"line 2, column 84: operator + cannot combine REAL and VARCHAR(1)"},
		{dest + `CREATE PUMP P AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM TICKER_SYMBOL, PRICE FROM SOURCE_SQL_STREAM_001 WHERE PRICE;`,
			"line 2, column 123: WHERE needs a BOOLEAN condition but found REAL"},
		{dest + `CREATE PUMP P AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM TICKER_SYMBOL, AVG(PRICE) FROM SOURCE_SQL_STREAM_001;`,
			"line 2, column 84: an aggregate over a stream needs GROUP BY with a ROWTIME-based key (STEP or FLOOR of ROWTIME), an OVER window, or WINDOWED BY STAGGER"},
		{dest + `CREATE PUMP P AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM TICKER_SYMBOL, AVG(PRICE) FROM SOURCE_SQL_STREAM_001 GROUP BY TICKER_SYMBOL;`,
			"line 2, column 131: GROUP BY over a stream needs a key that is a monotonic function of ROWTIME, such as STEP(ROWTIME BY INTERVAL '1' MINUTE) or FLOOR(ROWTIME TO MINUTE)"},
		{dest + `CREATE PUMP P AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM SECTOR, AVG(PRICE) FROM SOURCE_SQL_STREAM_001 GROUP BY TICKER_SYMBOL, FLOOR(ROWTIME TO MINUTE);`,
			"line 2, column 69: column SECTOR must appear in GROUP BY (or the stagger window's PARTITION BY) or in an aggregate"},
		{dest + `CREATE PUMP P AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM TICKER_SYMBOL, SUM(SECTOR) FROM SOURCE_SQL_STREAM_001 GROUP BY TICKER_SYMBOL, FLOOR(ROWTIME TO MINUTE);`,
			"line 2, column 84: SUM needs a numeric argument but found VARCHAR(16)"},
		{dest + `CREATE PUMP P AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM TICKER_SYMBOL, SUM(AVG(PRICE)) FROM SOURCE_SQL_STREAM_001 GROUP BY TICKER_SYMBOL, FLOOR(ROWTIME TO MINUTE);`,
			"line 2, column 88: aggregate function AVG cannot be nested in another aggregate or a window's PARTITION BY"},
		{dest + `CREATE PUMP P AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM TICKER_SYMBOL, AVG(PRICE) OVER W FROM SOURCE_SQL_STREAM_001;`,
			"line 2, column 100: unknown window W"},
		{dest + `CREATE PUMP P AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM TICKER_SYMBOL, AVG(PRICE) OVER (ROWS UNBOUNDED PRECEDING) FROM SOURCE_SQL_STREAM_001;`,
			"line 2, column 106: UNBOUNDED windows are not supported"},
		{dest + `CREATE PUMP P AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM TICKER_SYMBOL, AVG(PRICE) OVER (ROWS BETWEEN CURRENT ROW AND 2 FOLLOWING) FROM SOURCE_SQL_STREAM_001;`,
			"line 2, column 130: a window must end at CURRENT ROW (offset and infinite windows are not supported)"},
		{dest + `CREATE PUMP P AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM TICKER_SYMBOL, AVG(PRICE) OVER (RANGE INTERVAL '1' MONTH PRECEDING) FROM SOURCE_SQL_STREAM_001;`,
			"line 2, column 107: RANGE needs a non-negative day-to-second interval"},
		{dest + `CREATE PUMP P AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM TICKER_SYMBOL, COUNT(*) OVER (ROWS 2 PRECEDING) FROM SOURCE_SQL_STREAM_001 GROUP BY TICKER_SYMBOL, FLOOR(ROWTIME TO MINUTE);`,
			"line 2, column 84: COUNT OVER a window cannot be combined with GROUP BY or a stagger window"},
		{dest + `CREATE PUMP P AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM TICKER_SYMBOL, PRICE FROM SOURCE_SQL_STREAM_001 JOIN SOURCE_SQL_STREAM_001 ON TRUE;`,
			"line 2, column 122: joining two streams is not supported: the right side of a JOIN must be a reference table"},
		{dest + `CREATE PUMP P AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM TICKER_SYMBOL, PRICE FROM SOURCE_SQL_STREAM_001 JOIN NOPE ON TRUE;`,
			"line 2, column 122: unknown reference table NOPE"},
		{dest + `CREATE PUMP P AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM NAME, PRICE FROM COMPANY;`,
			"line 2, column 86: COMPANY is a reference table: a query must read a stream and may JOIN reference tables"},
		{dest + `CREATE PUMP P AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM TICKER_SYMBOL, PRICE FROM SOURCE_SQL_STREAM_001 s JOIN COMPANY c ON s.TICKER_SYMBOL = c.NAME2;`,
			"line 2, column 155: unknown column C.NAME2"},
		{dest + `CREATE PUMP P AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT TICKER_SYMBOL, PRICE FROM SOURCE_SQL_STREAM_001;`,
			"line 2, column 55: a query over a stream needs SELECT STREAM"},
		{dest + `CREATE PUMP P AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM TICKER_SYMBOL, FOO(PRICE) FROM SOURCE_SQL_STREAM_001;`,
			"line 2, column 84: unknown function FOO"},
		{dest + `CREATE PUMP P AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM TICKER_SYMBOL, SQRT(PRICE, 2) FROM SOURCE_SQL_STREAM_001;`,
			"line 2, column 84: SQRT takes 1 argument but found 2"},
		{dest + `CREATE PUMP P AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM TICKER_SYMBOL, REGEX_REPLACE(SECTOR, 'a', 'b') FROM SOURCE_SQL_STREAM_001;`,
			"line 2, column 84: REGEX_REPLACE takes 5 arguments but found 3"},
		{dest + `CREATE PUMP P AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM TICKER_SYMBOL, PRICE FROM TABLE(NOPE(CURSOR(SELECT STREAM * FROM SOURCE_SQL_STREAM_001)));`,
			"line 2, column 101: unknown table function NOPE"},
		{dest + `CREATE PUMP P AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM TICKER_SYMBOL, PRICE FROM SOURCE_SQL_STREAM_001 WINDOWED BY STAGGER (PARTITION BY TICKER_SYMBOL RANGE INTERVAL '0' MINUTE);`,
			"line 2, column 171: a stagger window needs a positive day-to-second RANGE interval"},
		{dest + `CREATE PUMP P AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM TICKER_SYMBOL, PRICE FROM SOURCE_SQL_STREAM_001 WINDOWED BY STAGGER (PARTITION BY TICKER_SYMBOL RANGE INTERVAL '1' MINUTE);`,
			"line 2, column 84: column PRICE must appear in GROUP BY (or the stagger window's PARTITION BY) or in an aggregate"},
		{dest + `CREATE PUMP P AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM TICKER_SYMBOL, PRICE FROM SOURCE_SQL_STREAM_001;` + dest,
			"line 2, column 142: stream DESTINATION_SQL_STREAM cannot be replaced: a pump uses it"},
		{"CREATE STREAM A (X INTEGER); CREATE STREAM A (Y INTEGER);", "line 1, column 44: stream A already exists"},
		{"CREATE STREAM A (X INTEGER, X INTEGER);", "line 1, column 29: column X is defined twice"},
		{"CREATE STREAM A (X BINARY(3));", "line 1, column 20: type BINARY is not supported"},
		{"CREATE STREAM A (X DECIMAL(30,2));", "line 1, column 20: DECIMAL precision 30 is out of range 1 to 18"},
		{"CREATE STREAM A (X INTEGER); CREATE STREAM B (X INTEGER); CREATE PUMP P1 AS INSERT INTO B SELECT STREAM X FROM A; CREATE PUMP P2 AS INSERT INTO A SELECT STREAM X FROM B;",
			"line 1, column 71: pump P1 is part of a cycle: it reads A, which its own output feeds"},
		{"SELECT STREAM * FROM SOURCE_SQL_STREAM_001;", "line 1, column 1: only CREATE STREAM and CREATE PUMP statements can run in application code"},
		{"CREATE STREAM A (X INTEGER); CREATE PUMP P AS INSERT INTO SOURCE_SQL_STREAM_001 SELECT STREAM X FROM A;",
			"line 1, column 59: a pump cannot insert into the input stream SOURCE_SQL_STREAM_001"},
		{dest + `CREATE PUMP P AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM TICKER_SYMBOL, PRICE FROM SOURCE_SQL_STREAM_001 WHERE TIMESTAMP 'x' > ROWTIME;`,
			"line 2, column 123: invalid TIMESTAMP literal 'x'"},
		{dest + `CREATE PUMP P AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM TICKER_SYMBOL, PRICE FROM SOURCE_SQL_STREAM_001 WHERE SECTOR = 1;`,
			"line 2, column 123: cannot compare VARCHAR(16) with INTEGER"},
	}
	for _, c := range cases {
		_, err := Compile(c.code, []InputSchema{tickerSchema}, refs)
		var se *sql.Error
		if !errors.As(err, &se) {
			t.Errorf("%s\n: error %v is not an *sql.Error", c.code, err)
			continue
		}
		if err.Error() != c.want {
			t.Errorf("%s\n got  %s\n want %s", c.code, err, c.want)
		}
	}
}

func TestCompileValid(t *testing.T) {
	// The programs of the developer guide's examples compile.
	for _, code := range []string{
		`CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), sector VARCHAR(12), change DOUBLE, price DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM ticker_symbol, sector, change, price FROM "SOURCE_SQL_STREAM_001" WHERE sector SIMILAR TO '%TECH%';`,
		`CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), avg_price DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM ROWTIME, ticker_symbol, AVG(price) AS avg_price FROM "SOURCE_SQL_STREAM_001"
GROUP BY ticker_symbol, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '60' SECOND);`,
		`CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), avg_price DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM ticker_symbol, AVG(price) OVER W1 AS avg_price FROM "SOURCE_SQL_STREAM_001"
WINDOW W1 AS (PARTITION BY ticker_symbol RANGE INTERVAL '1' MINUTE PRECEDING);`,
		`CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), event_time TIMESTAMP, ticker_count DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM ticker_symbol, FLOOR(APPROXIMATE_ARRIVAL_TIME TO MINUTE), COUNT(*) AS ticker_count
FROM "SOURCE_SQL_STREAM_001"
WINDOWED BY STAGGER (PARTITION BY FLOOR(APPROXIMATE_ARRIVAL_TIME TO MINUTE), ticker_symbol RANGE INTERVAL '1' MINUTE);`,
		`CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), "Company" VARCHAR(20), price DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM ticker_symbol, "c"."Company", price
FROM "SOURCE_SQL_STREAM_001" LEFT JOIN "CompanyName" AS "c" ON "SOURCE_SQL_STREAM_001".ticker_symbol = "c"."Ticker";`,
	} {
		refs := []RefTable{{Name: "CompanyName", Columns: []Column{{"Ticker", Varchar(4)}, {"Company", Varchar(20)}}}}
		if _, err := Compile(code, []InputSchema{tickerSchema}, refs); err != nil {
			t.Errorf("%v\n%s", err, code)
		}
	}
}
