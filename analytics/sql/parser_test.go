package sql

import (
	"errors"
	"strings"
	"testing"
)

// Programs from the Amazon Kinesis Data Analytics for SQL Applications Developer Guide and
// SQL Reference. "verbatim" ones are copied as the guide prints them; the others say what was
// changed and why.
var validPrograms = []struct {
	name, src string
}{
	{"getting started continuous filter (dev guide, getting-started, verbatim)", `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" 
  (symbol VARCHAR(4), sector VARCHAR(12), CHANGE DOUBLE, price DOUBLE);
 
-- Create pump to insert into output. 
CREATE OR REPLACE PUMP "STREAM_PUMP" AS 
   INSERT INTO "DESTINATION_SQL_STREAM"  
      SELECT STREAM ticker_symbol, sector, CHANGE, price
      FROM "SOURCE_SQL_STREAM_001"
      WHERE sector SIMILAR TO '%TECH%';`},
	{"tumbling window (dev guide, tumbling-window-concepts, verbatim)", `SELECT STREAM ROWTIME,
    Ticker_Symbol,
    MIN(Price) AS Price,
    MAX(Price) AS Price
FROM     "SOURCE_SQL_STREAM_001"
GROUP BY Ticker_Symbol, 
    STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '60' SECOND);`},
	{"tumbling by event time (dev guide, stagger-window-concepts, verbatim)", `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    TICKER_SYMBOL VARCHAR(4), 
    EVENT_TIME timestamp,
    TICKER_COUNT     DOUBLE);

CREATE OR REPLACE PUMP "STREAM_PUMP" AS 
  INSERT INTO "DESTINATION_SQL_STREAM" 
    SELECT STREAM 
        TICKER_SYMBOL,
        FLOOR(EVENT_TIME TO MINUTE),
        COUNT(TICKER_SYMBOL) AS TICKER_COUNT
    FROM "SOURCE_SQL_STREAM_001"
    GROUP BY ticker_symbol, FLOOR(EVENT_TIME TO MINUTE), STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '1' MINUTE);`},
	{"stagger window (dev guide, examples-window-stagger, verbatim)", `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
    event_time TIMESTAMP,
    ticker_symbol    VARCHAR(4),
    ticker_count     INTEGER);

CREATE OR REPLACE PUMP "STREAM_PUMP" AS 
  INSERT INTO "DESTINATION_SQL_STREAM" 
    SELECT STREAM 
        EVENT_TIME, 
        TICKER,
        COUNT(TICKER) AS ticker_count
    FROM "SOURCE_SQL_STREAM_001"
    WINDOWED BY STAGGER (
            PARTITION BY TICKER, EVENT_TIME RANGE INTERVAL '1' MINUTE);`},
	{"sliding window (sqlref, windowed aggregation on streams, verbatim)", ` SELECT STREAM
        ROWTIME,
        MIN(TEMP) OVER W1 AS WMIN_TEMP,
        MAX(TEMP) OVER W1 AS WMAX_TEMP
 FROM WEATHERSTREAM
 WINDOW W1 AS (
    RANGE INTERVAL '1' DAY PRECEDING
);`},
	{"window examples (sqlref, window examples; a comma the page omits after 'count(*) OVER lastHour' added)", `SELECT STREAM
  ticker,
  sum(amount) OVER lastHour,
  count(*) OVER lastHour,
  sum(amount) OVER lastThree
FROM Trades
WINDOW
  lastHour AS (RANGE INTERVAL '1' HOUR PRECEDING),
  lastThree AS (ROWS 3 PRECEDING),
  lastZeroRows AS (ROWS CURRENT ROW),
  lastZeroSeconds AS (RANGE CURRENT ROW),
  lastTwoSameTicker AS (PARTITION BY ticker ROWS 2 PRECEDING),
  lastHourSameTicker AS (PARTITION BY ticker RANGE INTERVAL '1' HOUR PRECEDING)`},
	{"window frames with BETWEEN (sqlref, Allowed and Disallowed Window Specifications)", `SELECT STREAM
  SUM(a) OVER (ROWS BETWEEN 4 PRECEDING AND 0 PRECEDING),
  SUM(a) OVER (ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW),
  SUM(a) OVER (PARTITION BY b RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW),
  SUM(a) OVER (RANGE UNBOUNDED PRECEDING)
FROM s`},
	{"inline OVER (sqlref, WINDOW clause example 2, in a query)", `SELECT STREAM ticker_symbol, AVG(price) OVER ( PARTITION BY ticker_symbol RANGE INTERVAL '1' HOUR PRECEDING) AS avg_price FROM "SOURCE_SQL_STREAM_001"`},
	{"reference data join (dev guide, app-add-reference-data, verbatim)", `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), "Company" varchar(20), sector VARCHAR(12), change DOUBLE, price DOUBLE);

CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
   SELECT STREAM ticker_symbol, "c"."Company", sector, change, price
   FROM "SOURCE_SQL_STREAM_001" LEFT JOIN "CompanyName" as "c"
   ON "SOURCE_SQL_STREAM_001".ticker_symbol = "c"."Ticker";`},
	{"stream-to-stream join, inline window (dev guide, stream-joins-concepts, verbatim)", `SELECT STREAM ROWTIME, o.orderId, o.ticker, o.amount AS orderAmount, t.amount AS tradeAmount FROM OrderStream AS o JOIN TradeStream OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS t ON o.orderId = t.orderId;`},
	{"stream-to-stream join, named window (dev guide, stream-joins-concepts, verbatim)", `SELECT STREAM ROWTIME, o.orderId, o.ticker, o.amount AS orderAmount, t.amount AS tradeAmount FROM OrderStream AS o JOIN TradeStream OVER t ON o.orderId = t.orderId WINDOW t AS (RANGE INTERVAL '1' MINUTE PRECEDING)`},
	{"anomaly detection (dev guide, app-anomaly-detection, verbatim)", `CREATE OR REPLACE STREAM "TEMP_STREAM" (
	        "heartRate"        INTEGER,
	        "rateType"         varchar(20),
	        "ANOMALY_SCORE"    DOUBLE);
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
	        "heartRate"        INTEGER,
	        "rateType"         varchar(20),
	        "ANOMALY_SCORE"    DOUBLE);

-- Compute an anomaly score for each record in the input stream
-- using Random Cut Forest
CREATE OR REPLACE PUMP "STREAM_PUMP" AS 
   INSERT INTO "TEMP_STREAM"
      SELECT STREAM "heartRate", "rateType", ANOMALY_SCORE 
      FROM TABLE(RANDOM_CUT_FOREST(
              CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001")));

-- Sort records by descending anomaly score, insert into output stream
CREATE OR REPLACE PUMP "OUTPUT_PUMP" AS 
   INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM * FROM "TEMP_STREAM"
      ORDER BY FLOOR("TEMP_STREAM".ROWTIME TO SECOND), ANOMALY_SCORE DESC;`},
	{"anomaly with explanation (dev guide, app-anomaly-detection-with-explanation)", `CREATE OR REPLACE PUMP "STREAM_PUMP" AS
   INSERT INTO "TEMP_STREAM"
      SELECT STREAM "Systolic", "Diastolic", "BloodPressureLevel", ANOMALY_SCORE, ANOMALY_EXPLANATION
      FROM TABLE(RANDOM_CUT_FOREST_WITH_EXPLANATION(
              CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001"), 100, 256, 100000, 1, true));`},
	{"create pump streams (sqlref, CREATE PUMP, verbatim)", `CREATE OR REPLACE STREAM "OrderDataWithCreateTime" (
"key_order" VARCHAR(20),
"key_user" VARCHAR(20),
"key_billing_country" VARCHAR(20),
"key_product" VARCHAR(20),
"quantity" VARCHAR(20),
"eur" VARCHAR(20),
"usd" VARCHAR(20))
DESCRIPTION 'Creates origin stream for pump';

CREATE OR REPLACE STREAM "OrderData" (
"key_order" VARCHAR(20),
"key_user" VARCHAR(20),
"country" VARCHAR(20),
"key_product" VARCHAR(20),
"quantity" VARCHAR(20),
"eur" INTEGER,
"usd" INTEGER)
DESCRIPTION 'Creates destination stream for pump';`},
	{"create pump (sqlref, CREATE PUMP; its two '//note' lines, not SQL comments, dropped)", `CREATE OR REPLACE PUMP "200-ConditionedOrdersPump" AS
INSERT INTO "OrderData" (
"key_order", "key_user", "country",
"key_product", "quantity", "eur", "usd")
SELECT STREAM
"key_order", "key_user", "key_billing_country",
"key_product", "quantity", "eur", "usd"
FROM "OrderDataWithCreateTime";`},
	{"insert in a pump (sqlref, INSERT, verbatim)", ` CREATE PUMP "HighBidsPump" AS INSERT INTO "highBids" ( "ticker", "shares", "price")
 SELECT  "ticker", "shares", "price"
 FROM SALES.bids
 WHERE "shares"*"price">100000`},
	{"top-k items (sqlref, TOP_K_ITEMS_TUMBLING form)", `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" ("TICKER" VARCHAR(4), "MOST_FREQUENT_VALUES" BIGINT);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM * FROM TABLE (TOP_K_ITEMS_TUMBLING(
  CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001"),
  'TICKER_SYMBOL', 10, 60));`},
	{"expressions", `SELECT STREAM DISTINCT
  CAST(price AS DECIMAL(10, 2)) AS p, CAST(x AS INT), CAST(x AS NUMERIC(5)), CAST(s AS CHARACTER VARYING(3)),
  CASE WHEN change > 0 THEN 'up' WHEN change < 0 THEN 'down' ELSE 'flat' END AS dir,
  CASE sector WHEN 'TECH' THEN 1 ELSE 0 END,
  SUBSTRING(ticker_symbol FROM 1 FOR 2), SUBSTRING(s, 1, 2), POSITION('A' IN ticker_symbol),
  TRIM(BOTH ' ' FROM s), TRIM(LEADING FROM s), TRIM('x' FROM s), TRIM(s), TRIM(TRAILING 'a' || 'b' FROM s),
  EXTRACT(HOUR FROM ROWTIME), CEIL(ROWTIME TO HOUR), CEILING(x), FLOOR(x), STEP(23 BY 5),
  COUNT(DISTINCT ticker_symbol), COUNT(*), SUM(ALL price), CURRENT_ROW_TIMESTAMP, CURRENT_TIMESTAMP, LOCALTIME,
  s.*, "q"."r".*, -price, - -price, +1.5e3, .5, 1., 'it''s', "odd""name", TIMESTAMP '2018-11-01 01:00:00',
  DATE '2018-11-01', TIME '01:00:00', INTERVAL '1:30' MINUTE TO SECOND, INTERVAL -'2' DAY, NULL, TRUE, UNKNOWN,
  a || b || c, 1 + 2 * 3 - 4 / 5 * 6, (1 + 2) * 3, price implicit_alias, price "Quoted Alias"
FROM "SOURCE_SQL_STREAM_001" AS s
WHERE a = 1 AND b <> 2 OR c != 3 AND NOT d < 4 AND e <= 5 AND f > 6 AND g >= 7
  AND h IS NULL AND i IS NOT NULL AND j IS TRUE AND k IS NOT UNKNOWN
  AND l BETWEEN 1 AND 2 + 3 AND m NOT BETWEEN 'a' AND 'b'
  AND n IN (1, 2, 3) AND o NOT IN ('x') AND p LIKE 'a%' ESCAPE '!' AND q NOT LIKE '_'
  AND r SIMILAR TO '[A-Z]+' AND t NOT SIMILAR TO 'x'
GROUP BY ticker_symbol, STEP(s.ROWTIME BY INTERVAL '10' SECOND)
HAVING COUNT(*) > 2`},
	{"joins and subqueries", `SELECT STREAM * FROM (SELECT STREAM a, b FROM s WHERE a > 0) AS x
  INNER JOIN t ON x.a = t.a
  LEFT OUTER JOIN u AS uu ON uu.a = x.a
  RIGHT JOIN v ON v.a = x.a
  FULL OUTER JOIN w ON w.a = x.a
  CROSS JOIN y`},
	{"comments, empty statements, no final semicolon", `/* block
comment */ ;; -- line comment
SELECT STREAM a FROM s /* inline */ WHERE b = 'x -- not a comment' ;
select stream lower_case_is_folded from "lower" where x=1`},
}

func TestParseValid(t *testing.T) {
	programs := append(validPrograms, struct{ name, src string }{
		"identifiers of 128 characters (sqlref Identifiers)",
		"SELECT STREAM a FROM " + strings.Repeat("x", 128) + " AS \"" + strings.Repeat("é", 128) + "\"",
	})
	for _, tc := range programs {
		t.Run(tc.name, func(t *testing.T) {
			prog, err := Parse(tc.src)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if len(prog.Statements) == 0 {
				t.Fatal("no statements")
			}
			roundTrip(t, prog)
		})
	}
}

func TestTreeShape(t *testing.T) {
	prog, err := Parse(`CREATE OR REPLACE PUMP "P" AS INSERT INTO "D" (a, "b")
SELECT STREAM ticker AS t, COUNT(*) OVER w FROM "S" AS s
WHERE price > 10 OR change < 0 AND NOT x
WINDOW w AS (PARTITION BY ticker ROWS 5 PRECEDING)`)
	if err != nil {
		t.Fatal(err)
	}
	pump := prog.Statements[0].(*CreatePump)
	if !pump.OrReplace || pump.Name != (Ident{Pos{1, 24}, "P", true}) {
		t.Errorf("pump = %+v", pump)
	}
	ins := pump.Insert
	if ins.Into.Name != "D" || len(ins.Columns) != 2 || ins.Columns[0].Name != "A" || ins.Columns[0].Quoted ||
		ins.Columns[1].Name != "b" || !ins.Columns[1].Quoted {
		t.Errorf("insert = %+v", ins)
	}
	q := ins.Query
	if !q.Stream || len(q.Items) != 2 || q.Items[0].Alias.Name != "T" {
		t.Errorf("select = %+v", q)
	}
	call := q.Items[1].Expr.(*FuncCall)
	if call.Name.Name != "COUNT" || call.OverName.Name != "W" || call.Pos != (Pos{2, 28}) {
		t.Errorf("call = %+v", call)
	}
	// OR binds looser than AND, AND looser than NOT.
	or := q.Where.(*Binary)
	and := or.R.(*Binary)
	if or.Op != "OR" || and.Op != "AND" || and.R.(*Unary).Op != "NOT" {
		t.Errorf("where = %s", q.Where)
	}
	if or.L.(*Binary).L.(*ColumnRef).Parts[0].Pos != (Pos{3, 7}) {
		t.Errorf("position of price = %+v", or.L.(*Binary).L.Position())
	}
	w := q.Windows[0].Spec
	if w.Frame != "ROWS" || w.Start.Rows.Text != "5" || w.Start.Dir != "PRECEDING" || w.End != nil || len(w.PartitionBy) != 1 {
		t.Errorf("window = %+v", w)
	}
	j, err := ParseQuery("SELECT STREAM * FROM a\n  JOIN b ON x = y\n  CROSS JOIN c")
	if err != nil {
		t.Fatal(err)
	}
	if cross := j.From.(*Join); cross.Pos != (Pos{1, 22}) || cross.Kind != "CROSS JOIN" || cross.On != nil ||
		cross.Left.(*Join).Right.(*TableRef).Pos != (Pos{2, 8}) {
		t.Errorf("joins = %s", j.From)
	}
	from := q.From.(*TableRef)
	if from.Name[0].Name != "S" || from.Alias.Name != "S" || from.Alias.Quoted {
		t.Errorf("from = %+v", from)
	}
}

// structure prints the operator structure of e with every operator expression in
// parentheses.
func structure(e Expr) string {
	switch e := e.(type) {
	case *Binary:
		return "(" + structure(e.L) + " " + e.Op + " " + structure(e.R) + ")"
	case *Unary:
		return "(" + e.Op + " " + structure(e.X) + ")"
	case *Is:
		return "(" + structure(e.X) + " IS " + not(e.Not) + e.What + ")"
	case *Between:
		return "(" + structure(e.X) + " " + not(e.Not) + "BETWEEN " + structure(e.Lo) + " AND " + structure(e.Hi) + ")"
	case *In:
		return "(" + structure(e.X) + " " + not(e.Not) + "IN ...)"
	case *Position:
		return "POSITION(" + structure(e.Sub) + " IN " + structure(e.X) + ")"
	}
	return e.String()
}

func TestPrecedence(t *testing.T) {
	for _, tc := range []struct{ src, tree, printed string }{
		{"1 + 2 * 3", "(1 + (2 * 3))", "1 + 2 * 3"},
		{"(1 + 2) * 3", "((1 + 2) * 3)", "(1 + 2) * 3"},
		{"1 - 2 - 3", "((1 - 2) - 3)", "1 - 2 - 3"},
		{"1 - (2 - 3)", "(1 - (2 - 3))", "1 - (2 - 3)"},
		{"((a))", "A", "A"},
		{"a || b = c", "((A || B) = C)", "A || B = C"},
		{"a + b || c", "((A + B) || C)", "A + B || C"},
		{"a + (b || c)", "(A + (B || C))", "A + (B || C)"},
		{"-a * b", "((- A) * B)", "-A * B"},
		{"-(a * b)", "(- (A * B))", "-(A * B)"},
		{"- - 1", "(- (- 1))", "- -1"},
		{"a - -1", "(A - (- 1))", "A - -1"},
		{"NOT a = b", "(NOT (A = B))", "NOT A = B"},
		{"(NOT a) = b", "((NOT A) = B)", "(NOT A) = B"},
		{"a OR b AND c", "(A OR (B AND C))", "A OR B AND C"},
		{"(a OR b) AND c", "((A OR B) AND C)", "(A OR B) AND C"},
		{"a = b = c", "((A = B) = C)", "A = B = C"},
		{"a = (b = c)", "(A = (B = C))", "A = (B = C)"},
		{"a BETWEEN 1 AND 2 AND c", "((A BETWEEN 1 AND 2) AND C)", "A BETWEEN 1 AND 2 AND C"},
		{"a BETWEEN (1 AND 2) AND c", "(A BETWEEN (1 AND 2) AND C)", "A BETWEEN (1 AND 2) AND C"},
		{"a = 1 IS NOT NULL", "((A = 1) IS NOT NULL)", "A = 1 IS NOT NULL"},
		{"NOT a IN (1) OR b", "((NOT (A IN ...)) OR B)", "NOT A IN (1) OR B"},
		{"POSITION((a = b) IN c)", "POSITION((A = B) IN C)", "POSITION((A = B) IN C)"},
	} {
		q, err := ParseQuery("SELECT STREAM " + tc.src + " FROM s")
		if err != nil {
			t.Errorf("%s: %v", tc.src, err)
			continue
		}
		e := q.Items[0].Expr
		if got := structure(e); got != tc.tree {
			t.Errorf("%s: tree %s, want %s", tc.src, got, tc.tree)
		}
		if got := e.String(); got != tc.printed {
			t.Errorf("%s: printed %s, want %s", tc.src, got, tc.printed)
		}
	}
}

// Printing never nests deeper than the source: long chains and deep unary operators still
// round-trip.
func TestDeepRoundTrip(t *testing.T) {
	for _, src := range []string{
		"SELECT STREAM " + strings.Repeat("- ", 150) + "1 FROM s",
		"SELECT STREAM " + strings.Repeat("NOT ", 150) + "a FROM s",
		"SELECT STREAM 1" + strings.Repeat(" + 1", 1000) + " FROM s WHERE a = 1" + strings.Repeat(" OR a = 1", 1000),
		"SELECT STREAM " + strings.Repeat("f(", 60) + "1" + strings.Repeat(")", 60) + " FROM s",
	} {
		p, err := Parse(src)
		if err != nil {
			t.Fatalf("%.40s...: %v", src, err)
		}
		roundTrip(t, p)
	}
}

func TestParseInvalid(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"", ""}, // empty code parses to no statements: checked below
		{"SELECT STREAM a\nFROM s\nWHERE (a = 1 FROM", `line 3, column 14: expected ")" but found "FROM"`},
		{"SELECT STREAM a FROM", `line 1, column 21: expected stream name but found end of input`},
		{"SELECT STREAM FROM s", `line 1, column 15: expected an expression but found "FROM"`},
		{"SELECT STREAM a FROM s WHERE", `line 1, column 29: expected an expression but found end of input`},
		{"CREATE STREAM s (a VARCHAR)", `line 1, column 27: expected "(" after VARCHAR but found ")"`},
		{"CREATE STREAM s (a STRING)", `line 1, column 20: expected a data type but found "STRING"`},
		{"CREATE STREAM s ()", `line 1, column 18: expected column name but found ")"`},
		{"CREATE STREAM s (a INT) DESCRIPTION x", `line 1, column 37: expected a string literal but found "x"`},
		{"CREATE VIEW v AS SELECT STREAM * FROM s", `line 1, column 8: expected STREAM or PUMP but found "VIEW"`},
		{"CREATE PUMP p INSERT INTO d SELECT STREAM * FROM s", `line 1, column 15: expected AS but found "INSERT"`},
		{"CREATE OR PUMP p", `line 1, column 11: expected REPLACE but found "PUMP"`},
		{"DROP STREAM s", `line 1, column 1: expected CREATE, INSERT or SELECT but found "DROP"`},
		{"SELECT STREAM a FROM s SELECT", `line 1, column 24: expected ";" but found "SELECT"`},
		{"SELECT STREAM 'abc FROM s", `line 1, column 15: unterminated string literal`},
		{`SELECT STREAM "abc FROM s`, `line 1, column 15: unterminated quoted identifier`},
		{`SELECT STREAM "" FROM s`, `line 1, column 15: empty quoted identifier`},
		{"SELECT STREAM a /* never closed", `line 1, column 17: unterminated comment`},
		{"SELECT STREAM a ? b FROM s", `line 1, column 17: unexpected character '?'`},
		{"SELECT STREAM a % b FROM s", `line 1, column 17: unexpected character '%'`},
		{"SELECT STREAM a$b FROM s", `line 1, column 16: unexpected character '$'`},
		{"SELECT STREAM a FROM " + strings.Repeat("x", 129), `line 1, column 22: identifier longer than 128 characters`},
		{"SELECT STREAM a FROM \"" + strings.Repeat("é", 129) + "\"", `line 1, column 22: identifier longer than 128 characters`},
		{"SELECT STREAM a FROM \"a\tb\"", `line 1, column 22: control character in quoted identifier`},
		{"SELECT STREAM a FROM s GROUP a", `line 1, column 30: expected BY but found "a"`},
		{"SELECT STREAM a FROM s WINDOW w AS (RANGE INTERVAL '1' WEEK PRECEDING)", `line 1, column 56: expected YEAR, MONTH, DAY, HOUR, MINUTE or SECOND but found "WEEK"`},
		{"SELECT STREAM a FROM s WINDOW w AS (RANGE INTERVAL 1 HOUR PRECEDING)", `line 1, column 52: expected an interval string such as '1' but found "1"`},
		{"SELECT STREAM a FROM s WINDOW w AS (ROWS 3)", `line 1, column 43: expected PRECEDING or FOLLOWING but found ")"`},
		{"SELECT STREAM a FROM s WINDOW w AS (ROWS 1.5 PRECEDING)", `line 1, column 42: expected a number of rows but found "1.5"`},
		{"SELECT STREAM a FROM s WINDOW w AS (ROWS BETWEEN 1 PRECEDING CURRENT ROW)", `line 1, column 62: expected AND but found "CURRENT"`},
		{"SELECT STREAM a FROM s WINDOW w AS (RANGE BETWEEN 1 PRECEDING AND CURRENT ROW)", `line 1, column 51: expected INTERVAL but found "1"`},
		{"SELECT STREAM a FROM s WINDOW w AS (ROWS UNBOUNDED)", `line 1, column 51: expected PRECEDING or FOLLOWING but found ")"`},
		{"SELECT STREAM a FROM s WINDOW w AS ()", `line 1, column 37: expected PARTITION BY, ROWS or RANGE but found ")"`},
		{"SELECT STREAM a FROM s WINDOWED BY STAGGER (RANGE INTERVAL '1' MINUTE)", `line 1, column 45: expected PARTITION BY but found "RANGE"`},
		{"SELECT STREAM a FROM s WINDOWED BY STAGGER (PARTITION BY a RANGE INTERVAL '1' MINUTE PRECEDING)", `line 1, column 86: expected ")" but found "PRECEDING"`},
		{"SELECT STREAM FLOOR(ROWTIME TO WEEK) FROM s", `line 1, column 32: expected YEAR, MONTH, DAY, HOUR, MINUTE or SECOND but found "WEEK"`},
		{"SELECT STREAM STEP(ROWTIME, 5) FROM s", `line 1, column 27: expected BY but found ","`},
		{"SELECT STREAM CASE END FROM s", `line 1, column 20: expected an expression but found "END"`},
		{"SELECT STREAM CASE a END FROM s", `line 1, column 22: expected WHEN but found "END"`},
		{"SELECT STREAM CAST(a INT) FROM s", `line 1, column 22: expected AS but found "INT"`},
		{"SELECT STREAM a IS 5 FROM s", `line 1, column 20: expected NULL, TRUE, FALSE or UNKNOWN but found "5"`},
		{"SELECT STREAM a FROM TABLE(CURSOR(SELECT STREAM * FROM s))", `line 1, column 28: expected table function name but found "CURSOR"`},
		{"SELECT STREAM a FROM TABLE(FLOOR(x TO HOUR))", `line 1, column 28: expected a table function but found "FLOOR"`},
		{"SELECT STREAM a FROM s JOIN t", `line 1, column 30: expected ON but found end of input`},
		{"SELECT STREAM a FROM s LEFT t ON a = b", `line 1, column 29: expected JOIN but found "t"`},
		{"SELECT STREAM a FROM s WHERE a NOT = 1", `line 1, column 32: expected ";" but found "NOT"`},
		{"SELECT STREAM TIMESTAMP FROM s", `line 1, column 25: expected a string literal after TIMESTAMP but found "FROM"`},
		{"INSERT INTO d VALUES (1)", `line 1, column 15: expected SELECT but found "VALUES"`},
		{"SELECT STREAM a FROM s //note\n", `line 1, column 24: expected ";" but found "/"`},
		{"SELECT STREAM a FROM s\n\n   WHERE a IN ()", `line 3, column 16: expected an expression but found ")"`},
		{"SELECT STREAM " + strings.Repeat("(", 300) + "1" + strings.Repeat(")", 300) + " FROM s", `line 1, column 214: nested too deeply (more than 200 levels)`},
	} {
		prog, err := Parse(tc.src)
		if tc.want == "" {
			if err != nil || len(prog.Statements) != 0 {
				t.Errorf("%q: %v, %v", tc.src, prog, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%q: parsed as %s", tc.src, prog)
			continue
		}
		var se *Error
		if !errors.As(err, &se) {
			t.Errorf("%q: error %T, not *Error", tc.src, err)
			continue
		}
		if err.Error() != tc.want {
			t.Errorf("%q:\n got %s\nwant %s", tc.src, err, tc.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	// Seeds are short: the fuzzer minimizes every new interesting input, in time quadratic
	// in its length, and fuzzes nothing else meanwhile. Long programs go in as lines.
	for _, tc := range validPrograms {
		for _, stmt := range strings.Split(tc.src, ";") {
			if len(stmt) <= 300 {
				f.Add(stmt)
				continue
			}
			for _, line := range strings.Split(stmt, "\n") {
				f.Add(line)
			}
		}
	}
	f.Add("SELECT STREAM a FROM s WHERE (a = 1 FROM")
	f.Add("SELECT STREAM a FROM " + strings.Repeat("x", 128) + " AS \"" + strings.Repeat("é", 128) + "\"")
	f.Add("SELECT STREAM - - -1, 'x''y', \"a\"\"b\" FROM s")
	f.Fuzz(func(t *testing.T, src string) {
		prog, err := Parse(src)
		if err != nil {
			var se *Error
			if !errors.As(err, &se) || se.Line < 1 || se.Column < 1 {
				t.Fatalf("bad error %#v", err)
			}
			return
		}
		roundTrip(t, prog)
	})
}

// A typical application: the anomaly detection example plus a stagger and a sliding window.
var benchProgram = programNamed("anomaly detection") + ";\n" + programNamed("stagger window") + ";\n" +
	programNamed("sliding window")

func programNamed(prefix string) string {
	for _, tc := range validPrograms {
		if strings.HasPrefix(tc.name, prefix) {
			return tc.src
		}
	}
	panic("no program " + prefix)
}

func BenchmarkParse(b *testing.B) {
	b.SetBytes(int64(len(benchProgram)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(benchProgram); err != nil {
			b.Fatal(err)
		}
	}
}

// TestHavingAfterStagger: the developer guide puts HAVING after WINDOWED BY STAGGER; it is
// accepted there (once), and String prints it back in a form that parses to the same tree.
func TestHavingAfterStagger(t *testing.T) {
	src := "SELECT STREAM a, COUNT(*) FROM s WINDOWED BY STAGGER (PARTITION BY a RANGE INTERVAL '1' MINUTE) HAVING COUNT(*) > 1"
	q, err := ParseQuery(src)
	if err != nil {
		t.Fatal(err)
	}
	if q.Stagger == nil || q.Having == nil || q.Having.String() != "COUNT(*) > 1" {
		t.Fatalf("stagger %v, having %v", q.Stagger, q.Having)
	}
	q2, err := ParseQuery(q.String())
	if err != nil {
		t.Fatalf("reparse %q: %v", q.String(), err)
	}
	if q2.String() != q.String() {
		t.Errorf("round trip: %q then %q", q.String(), q2.String())
	}
	_, err = ParseQuery("SELECT STREAM a FROM s HAVING a > 1 WINDOWED BY STAGGER (PARTITION BY a RANGE INTERVAL '1' MINUTE) HAVING a > 2")
	if err == nil || !strings.Contains(err.Error(), `found "HAVING"`) {
		t.Errorf("a second HAVING: %v", err)
	}
}

// TestUnionAll: UNION ALL chains queries; ORDER BY after the last applies to the whole
// union (sqlref ORDER BY clause example); UNION without ALL is refused.
func TestUnionAll(t *testing.T) {
	src := "SELECT STREAM x, y FROM t1 UNION ALL SELECT STREAM a, b FROM t2 WHERE a > 1 UNION ALL SELECT STREAM c, d FROM t3 ORDER BY ROWTIME, MOD(x, 5)"
	q, err := ParseQuery(src)
	if err != nil {
		t.Fatal(err)
	}
	if len(q.UnionAll) != 2 || len(q.OrderBy) != 2 || q.UnionAll[0].Where == nil || len(q.UnionAll[1].OrderBy) != 0 {
		t.Fatalf("tree: %d branches after the first, ORDER BY %v", len(q.UnionAll), q.OrderBy)
	}
	if q.String() != strings.ToUpper(src) {
		t.Errorf("String:\n got  %s\n want %s", q.String(), strings.ToUpper(src))
	}
	prog, err := Parse(`CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM * FROM PhoneOrders UNION ALL SELECT STREAM * FROM WebOrders;`)
	if err != nil {
		t.Fatal(err)
	}
	if u := prog.Statements[0].(*CreatePump).Insert.Query.UnionAll; len(u) != 1 {
		t.Errorf("pump query: %d branches after the first", len(u))
	}
	_, err = ParseQuery("SELECT STREAM x FROM t1 UNION SELECT STREAM a FROM t2")
	if err == nil || err.Error() != `line 1, column 31: expected ALL but found "SELECT"` {
		t.Errorf("UNION without ALL: %v", err)
	}
}
