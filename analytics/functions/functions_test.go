package functions

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/analytics/engine"
	"github.com/eddy-streams/eddy/analytics/rcf"
)

func init() { Register() }

// base is the time the tests count from: 2026-01-01 00:00:00 UTC.
var base = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// tickerSchema is the developer guide's demo stream.
var tickerSchema = engine.InputSchema{Stream: "SOURCE_SQL_STREAM_001", Columns: []engine.Column{
	{Name: "TICKER_SYMBOL", Type: engine.Varchar(4)}, {Name: "SECTOR", Type: engine.Varchar(16)},
	{Name: "CHANGE", Type: engine.TypeReal}, {Name: "PRICE", Type: engine.TypeReal},
}}

type out struct {
	stream string
	row    engine.Row
}

type app struct {
	t   testing.TB
	r   *engine.Runner
	out []out
}

func start(t testing.TB, code string, inputs ...engine.InputSchema) *app {
	t.Helper()
	p, err := engine.Compile(code, inputs, nil)
	if err != nil {
		t.Fatalf("compile: %v\n%s", err, code)
	}
	a := &app{t: t}
	a.r = p.Start(func(s string, r engine.Row) {
		// The engine may reuse a row's values: keep a copy.
		a.out = append(a.out, out{s, engine.Row{Rowtime: r.Rowtime, Values: slices.Clone(r.Values)}})
	})
	return a
}

func (a *app) push(tm time.Time, vals ...engine.Value) {
	a.t.Helper()
	if err := a.r.Push("SOURCE_SQL_STREAM_001", engine.Row{Rowtime: tm, Values: vals}); err != nil {
		a.t.Fatalf("push: %v", err)
	}
}

func (a *app) rows(stream string) []engine.Row {
	var rs []engine.Row
	for _, o := range a.out {
		if o.stream == stream {
			rs = append(rs, o.row)
		}
	}
	return rs
}

func (a *app) take(stream string) []string {
	var got []string
	var rest []out
	for _, o := range a.out {
		if o.stream != stream {
			rest = append(rest, o)
			continue
		}
		parts := []string{o.row.Rowtime.Sub(base).String()}
		for _, v := range o.row.Values {
			parts = append(parts, v.String())
		}
		got = append(got, strings.Join(parts, "|"))
	}
	a.out = rest
	return got
}

func tick(sym string, price float64) []engine.Value {
	return []engine.Value{engine.String(sym), engine.String("TECH"), engine.Float(0), engine.Float(float64(float32(price)))}
}

func percentile(xs []float64, p float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[int(p*float64(len(s)-1))]
}

// TestRandomCutForestTicker runs the anomaly example of the brief (the
// ticker stream's symbol and price, scored with the defaults): every row
// comes out with its symbol and price; the first subSampleSize rows score
// 0; the scores are those of an rcf.Forest fed the prices directly; 20
// injected prices far from the rest score, on average, more than 3 times
// the normal rows' 95th percentile.
func TestRandomCutForestTicker(t *testing.T) {
	const code = `
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), price DOUBLE, ANOMALY_SCORE DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM "TICKER_SYMBOL", "PRICE", ANOMALY_SCORE
  FROM TABLE(RANDOM_CUT_FOREST(CURSOR(SELECT STREAM "TICKER_SYMBOL", "PRICE" FROM "SOURCE_SQL_STREAM_001")));`
	a := start(t, code, tickerSchema)
	direct, _ := rcf.New(rcf.Config{Trees: 100, SampleSize: 256, TimeDecay: 100000, ShingleSize: 1, Dimensions: 1})
	r := rand.New(rand.NewPCG(1, 2))
	const n = 3000
	isOut := map[int]bool{}
	for len(isOut) < 20 {
		isOut[400+r.IntN(n-400)] = true
	}
	var want []float64
	for i := 0; i < n; i++ {
		price := 100 + r.NormFloat64()
		if isOut[i] {
			price = 130 + r.NormFloat64()
		}
		price = float64(float32(price)) // the column is REAL
		s, err := direct.Update([]float64{price})
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, s)
		a.push(base.Add(time.Duration(i)*100*time.Millisecond), tick(fmt.Sprintf("T%d", i%7), price)...)
	}
	rows := a.rows("DESTINATION_SQL_STREAM")
	if len(rows) != n {
		t.Fatalf("%d rows out for %d in", len(rows), n)
	}
	var normal, outliers []float64
	for i, row := range rows {
		if sym := row.Values[0].S; sym != fmt.Sprintf("T%d", i%7) {
			t.Fatalf("row %d: symbol %q", i, sym)
		}
		s := row.Values[2].F
		if s != want[i] {
			t.Fatalf("row %d: score %v, the forest gives %v", i, s, want[i])
		}
		switch {
		case i < 256:
			if s != 0 {
				t.Fatalf("row %d scored %v while the forest learns", i, s)
			}
		case isOut[i]:
			outliers = append(outliers, s)
		default:
			normal = append(normal, s)
		}
	}
	p95 := percentile(normal, 0.95)
	mean := 0.0
	for _, s := range outliers {
		mean += s
	}
	mean /= float64(len(outliers))
	t.Logf("normal rows: median %.2f, p95 %.2f; 20 outliers: mean %.2f, min %.2f", percentile(normal, 0.5), p95, mean, slices.Min(outliers))
	if mean <= 3*p95 {
		t.Errorf("outliers' mean score %.2f is not above 3 x the normal p95 %.2f", mean, p95)
	}
}

// TestRandomCutForestPassesColumnsThrough runs the developer guide's
// anomaly detection application (dev/app-anom-score-create-app.html, first
// pump): SELECT STREAM * hands the function a VARCHAR column, which comes
// out unchanged and is not scored; the arguments are the defaults spelled
// out, which give the same scores as none.
func TestRandomCutForestPassesColumnsThrough(t *testing.T) {
	schema := engine.InputSchema{Stream: "SOURCE_SQL_STREAM_001", Columns: []engine.Column{
		{Name: "heartRate", Type: engine.TypeInteger}, {Name: "rateType", Type: engine.Varchar(20)},
	}}
	const code = `
CREATE OR REPLACE STREAM "TEMP_STREAM" (
        "heartRate"        INTEGER,
        "rateType"         varchar(20),
        "ANOMALY_SCORE"    DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS
   INSERT INTO "TEMP_STREAM"
      SELECT STREAM "heartRate", "rateType", ANOMALY_SCORE
      FROM TABLE(RANDOM_CUT_FOREST(
              CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001")));
CREATE OR REPLACE STREAM "SPELLED" ("heartRate" INTEGER, "ANOMALY_SCORE" DOUBLE);
CREATE OR REPLACE PUMP "P2" AS INSERT INTO "SPELLED"
      SELECT STREAM "heartRate", ANOMALY_SCORE
      FROM TABLE(RANDOM_CUT_FOREST(CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001"), 100, 256, 100000, 1));`
	a := start(t, code, schema)
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 600; i++ {
		hr, typ := 60+r.IntN(20), "NORMAL"
		if i == 500 {
			hr, typ = 190, "HIGH"
		}
		a.push(base.Add(time.Duration(i)*time.Second), engine.Int(int64(hr)), engine.String(typ))
	}
	rows, spelled := a.rows("TEMP_STREAM"), a.rows("SPELLED")
	if len(rows) != 600 || len(spelled) != 600 {
		t.Fatalf("%d and %d rows out for 600 in", len(rows), len(spelled))
	}
	var scores []float64
	for i, row := range rows {
		if row.Values[2] != spelled[i].Values[1] {
			t.Fatalf("row %d: default arguments score %v, spelled out %v", i, row.Values[2], spelled[i].Values[1])
		}
		if i >= 256 && i != 500 {
			scores = append(scores, row.Values[2].F)
		}
	}
	if got := rows[500].Values[1].S; got != "HIGH" {
		t.Errorf("rateType of row 500 is %q", got)
	}
	if s, top := rows[500].Values[2].F, slices.Max(scores); s <= top {
		t.Errorf("heart rate 190 scored %.2f, not above every normal row (max %.2f)", s, top)
	}
}

// TestRandomCutForestWithExplanation runs the developer guide's blood
// pressure application (dev/app-anom-with-exp-create-app.html, first pump):
// ANOMALY_EXPLANATION is a JSON object keyed by the numeric columns with
// DIRECTION, STRENGTH and ATTRIBUTION_SCORE; a reading with a high systolic
// value is explained as HIGH in Systolic, most of the score owed to it.
func TestRandomCutForestWithExplanation(t *testing.T) {
	schema := engine.InputSchema{Stream: "SOURCE_SQL_STREAM_001", Columns: []engine.Column{
		{Name: "Systolic", Type: engine.TypeInteger}, {Name: "Diastolic", Type: engine.TypeInteger},
		{Name: "BloodPressureLevel", Type: engine.Varchar(20)},
	}}
	const code = `
CREATE OR REPLACE STREAM "TEMP_STREAM" (
        "Systolic"                  INTEGER,
        "Diastolic"                 INTEGER,
        "BloodPressureLevel"        varchar(20),
        "ANOMALY_SCORE"             DOUBLE,
        "ANOMALY_EXPLANATION"       varchar(512));
CREATE OR REPLACE PUMP "STREAM_PUMP" AS
   INSERT INTO "TEMP_STREAM"
      SELECT STREAM "Systolic", "Diastolic", "BloodPressureLevel", ANOMALY_SCORE, ANOMALY_EXPLANATION
      FROM TABLE(RANDOM_CUT_FOREST_WITH_EXPLANATION(
              CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001"), 100, 256, 100000, 1, true));`
	a := start(t, code, schema)
	r := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 800; i++ {
		sys, dia, lvl := 110+r.IntN(20), 70+r.IntN(15), "NORMAL"
		if i == 700 {
			sys, lvl = 210, "HIGH"
		}
		a.push(base.Add(time.Duration(i)*time.Second), engine.Int(int64(sys)), engine.Int(int64(dia)), engine.String(lvl))
	}
	rows := a.rows("TEMP_STREAM")
	if len(rows) != 800 {
		t.Fatalf("%d rows out for 800 in", len(rows))
	}
	type member struct{ DIRECTION, STRENGTH, ATTRIBUTION_SCORE string }
	for _, i := range []int{0, 300, 700} {
		var e map[string]member
		if err := json.Unmarshal([]byte(rows[i].Values[4].S), &e); err != nil {
			t.Fatalf("row %d: ANOMALY_EXPLANATION %q: %v", i, rows[i].Values[4].S, err)
		}
		sys, dia := e["Systolic"], e["Diastolic"]
		if len(e) != 2 || sys.DIRECTION == "" || dia.DIRECTION == "" || sys.STRENGTH == "" {
			t.Fatalf("row %d: ANOMALY_EXPLANATION %s", i, rows[i].Values[4].S)
		}
		var as, ad float64
		fmt.Sscan(sys.ATTRIBUTION_SCORE, &as)
		fmt.Sscan(dia.ATTRIBUTION_SCORE, &ad)
		score := rows[i].Values[3].F
		if math.Abs(as+ad-score) > 0.001 {
			t.Errorf("row %d: attributions %v + %v, score %v", i, as, ad, score)
		}
		if i == 0 && (score != 0 || sys.DIRECTION != "LOW" || sys.STRENGTH != "0.0000") {
			t.Errorf("learning phase row explained as %s (score %v)", rows[i].Values[4].S, score)
		}
		if i == 700 && (sys.DIRECTION != "HIGH" || as < 5*ad) {
			t.Errorf("systolic 210 explained as %s (score %v)", rows[i].Values[4].S, score)
		}
	}
}

// TestTopKItemsTumbling runs the SQL reference's example (sqlref/top-k.html)
// over two one-minute windows: each window's 5 most frequent symbols with
// their counts, most frequent first, at the window's end; the first when a
// row of the second arrives, the second when time advances past its end.
func TestTopKItemsTumbling(t *testing.T) {
	const code = `
CREATE OR REPLACE STREAM DESTINATION_SQL_STREAM (
  "TICKER_SYMBOL" VARCHAR(4),
  "MOST_FREQUENT_VALUES" BIGINT
);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS
    INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM *
        FROM TABLE (TOP_K_ITEMS_TUMBLING(
            CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001"),
            'TICKER_SYMBOL',         -- name of column in single quotes
            5,                       -- number of the most frequently occurring values
            60                       -- tumbling window size in seconds
            )
        );`
	a := start(t, code, tickerSchema)
	// Window [0, 60 s): A x7, B x6, C x5, D x4, E x3, F x2, G x1.
	var syms []string
	for i, s := range []string{"A", "B", "C", "D", "E", "F", "G"} {
		for j := 0; j < 7-i; j++ {
			syms = append(syms, s)
		}
	}
	rand.New(rand.NewPCG(9, 9)).Shuffle(len(syms), func(i, j int) { syms[i], syms[j] = syms[j], syms[i] })
	for i, s := range syms {
		a.push(base.Add(time.Duration(i)*time.Second), tick(s, 1)...)
	}
	if got := a.take("DESTINATION_SQL_STREAM"); len(got) != 0 {
		t.Fatalf("rows before the window closed: %q", got)
	}
	a.push(base.Add(61*time.Second), tick("Z", 1)...)
	a.push(base.Add(62*time.Second), tick("Z", 1)...)
	a.push(base.Add(63*time.Second), tick("Y", 1)...)
	want := []string{"1m0s|A|7", "1m0s|B|6", "1m0s|C|5", "1m0s|D|4", "1m0s|E|3"}
	if got := a.take("DESTINATION_SQL_STREAM"); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("first window:\n got  %q\n want %q", got, want)
	}
	a.r.Advance(base.Add(119 * time.Second))
	if got := a.take("DESTINATION_SQL_STREAM"); len(got) != 0 {
		t.Fatalf("rows before the second window closed: %q", got)
	}
	a.r.Advance(base.Add(120 * time.Second))
	want = []string{"2m0s|Z|2", "2m0s|Y|1"}
	if got := a.take("DESTINATION_SQL_STREAM"); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("second window:\n got  %q\n want %q", got, want)
	}
}

// TestCountDistinctItemsTumbling runs the SQL reference's example
// (sqlref/count-distinct-items.html): one row per window with the number
// of distinct symbols, exact below 10,000.
func TestCountDistinctItemsTumbling(t *testing.T) {
	const code = `
CREATE OR REPLACE STREAM DESTINATION_SQL_STREAM (
    NUMBER_OF_DISTINCT_ITEMS BIGINT);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS
   INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM *
      FROM TABLE(COUNT_DISTINCT_ITEMS_TUMBLING(
          CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001"),  -- pointer to the data stream
            'TICKER_SYMBOL',                                     -- name of column in single quotes
            60                                                   -- tumbling window size in seconds
      )
);`
	a := start(t, code, tickerSchema)
	for i := 0; i < 600; i++ { // 10 rows a second; 47 symbols in the first minute, 12 in the second
		m := 47
		if i >= 600/2 {
			m = 12
		}
		a.push(base.Add(time.Duration(i)*200*time.Millisecond), tick(fmt.Sprintf("S%d", i%m), 1)...)
	}
	a.r.Advance(base.Add(3 * time.Minute))
	want := []string{"1m0s|47", "2m0s|12"}
	if got := a.take("DESTINATION_SQL_STREAM"); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

// TestCompileErrors: arguments out of their documented ranges, a DECIMAL
// column and unknown columns are reported by Compile.
func TestCompileErrors(t *testing.T) {
	dec := engine.InputSchema{Stream: "SOURCE_SQL_STREAM_001", Columns: []engine.Column{
		{Name: "X", Type: engine.DecimalType(10, 2)}, {Name: "Y", Type: engine.TypeDouble},
	}}
	rcfCall := func(args string) string {
		return `CREATE STREAM "OUT" (ANOMALY_SCORE DOUBLE);
CREATE PUMP "P" AS INSERT INTO "OUT" SELECT STREAM ANOMALY_SCORE FROM TABLE(` + args + `);`
	}
	tumbling := func(args string) string {
		return `CREATE STREAM "OUT" (A VARCHAR(4), B BIGINT);
CREATE PUMP "P" AS INSERT INTO "OUT" SELECT STREAM * FROM TABLE(` + args + `);`
	}
	const cur = `CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001")`
	for _, tc := range []struct {
		code   string
		schema engine.InputSchema
		want   string
	}{
		{rcfCall(`RANDOM_CUT_FOREST(` + cur + `, 0)`), tickerSchema, "numberOfTrees must be between 1 and 1000"},
		{rcfCall(`RANDOM_CUT_FOREST(` + cur + `, 100, 5)`), tickerSchema, "subSampleSize must be between 10 and 1000"},
		{rcfCall(`RANDOM_CUT_FOREST(` + cur + `, 100, 256, 200)`), tickerSchema, "subSampleSize (256) must be less than timeDecay (200)"},
		{rcfCall(`RANDOM_CUT_FOREST(` + cur + `, 100, 256, 100000, 31)`), tickerSchema, "shingleSize must be between 1 and 30"},
		{rcfCall(`RANDOM_CUT_FOREST(` + cur + `, 100, 256, 100000, 1, true)`), tickerSchema, "at most 4 more arguments"},
		{rcfCall(`RANDOM_CUT_FOREST(` + cur + `, 'x')`), tickerSchema, "numberOfTrees must be an integer"},
		{rcfCall(`RANDOM_CUT_FOREST_WITH_EXPLANATION(` + cur + `, 100, 256, 100000, 1, 1)`), tickerSchema, "withDirectionality must be TRUE or FALSE"},
		{rcfCall(`RANDOM_CUT_FOREST(` + cur + `)`), dec, "DECIMAL is not a supported type"},
		{rcfCall(`RANDOM_CUT_FOREST(CURSOR(SELECT STREAM "TICKER_SYMBOL" FROM "SOURCE_SQL_STREAM_001"))`), tickerSchema, "no numeric column"},
		{tumbling(`TOP_K_ITEMS_TUMBLING(` + cur + `, 'TICKER_SYMBOL', 0, 60)`), tickerSchema, "K must be greater than or equal to 1 and cannot exceed 100000"},
		{tumbling(`TOP_K_ITEMS_TUMBLING(` + cur + `, 'TICKER_SYMBOL', 100001, 60)`), tickerSchema, "cannot exceed 100000, got 100001"},
		{tumbling(`TOP_K_ITEMS_TUMBLING(` + cur + `, 'TICKER_SYMBOL', 5, 3601)`), tickerSchema, "windowSize must be between 1 and 3600"},
		{tumbling(`TOP_K_ITEMS_TUMBLING(` + cur + `, 'NOPE', 5, 60)`), tickerSchema, "the CURSOR has no column 'NOPE'"},
		{tumbling(`TOP_K_ITEMS_TUMBLING(` + cur + `, 5, 5, 60)`), tickerSchema, "column name in single quotes"},
		{tumbling(`COUNT_DISTINCT_ITEMS_TUMBLING(` + cur + `, 'TICKER_SYMBOL', 0)`), tickerSchema, "windowSize must be between 1 and 3600"},
		{tumbling(`COUNT_DISTINCT_ITEMS_TUMBLING(` + cur + `, 'TICKER_SYMBOL')`), tickerSchema, "takes a CURSOR, 'columnName' and windowSize"},
	} {
		_, err := engine.Compile(tc.code, []engine.InputSchema{tc.schema}, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s\n got error %v\n want one containing %q", tc.code, err, tc.want)
		}
	}
}

// TestNullNumericGoesToErrorStream: a row whose numeric column is NULL is
// rejected to the error_stream and not scored; the next rows carry on.
func TestNullNumericGoesToErrorStream(t *testing.T) {
	const code = `
CREATE STREAM "OUT" (P DOUBLE, ANOMALY_SCORE DOUBLE);
CREATE PUMP "P" AS INSERT INTO "OUT" SELECT STREAM "PRICE", ANOMALY_SCORE
  FROM TABLE(RANDOM_CUT_FOREST(CURSOR(SELECT STREAM "PRICE" FROM "SOURCE_SQL_STREAM_001"), 10, 10, 100, 1));`
	a := start(t, code, tickerSchema)
	a.push(base, tick("A", 1)...)
	a.push(base.Add(time.Second), engine.String("A"), engine.String("S"), engine.Float(0), engine.Null)
	a.push(base.Add(2*time.Second), tick("A", 2)...)
	if n := len(a.rows("OUT")); n != 2 {
		t.Errorf("%d rows out, want 2", n)
	}
	errs := a.rows(engine.ErrorStream)
	if len(errs) != 1 || !strings.Contains(errs[0].Values[3].S, "NULL") {
		t.Errorf("error_stream: %v", errs)
	}
}

// TestCountDistinctItemsLargeWindow: past 10,000 distinct values the count
// is HyperLogLog's estimate, within 1% here (the sketch's standard error is
// 0.29%), and the next window starts from nothing.
func TestCountDistinctItemsLargeWindow(t *testing.T) {
	const code = `
CREATE OR REPLACE STREAM DESTINATION_SQL_STREAM (NUMBER_OF_DISTINCT_ITEMS BIGINT);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM * FROM TABLE(COUNT_DISTINCT_ITEMS_TUMBLING(
    CURSOR(SELECT STREAM "SECTOR" FROM "SOURCE_SQL_STREAM_001"), 'SECTOR', 10));`
	a := start(t, code, tickerSchema)
	const n = 60000
	for i := 0; i < n; i++ {
		a.push(base.Add(time.Duration(i)*100*time.Microsecond), engine.String("A"), engine.String(fmt.Sprintf("s%d", i%50000)), engine.Float(0), engine.Float(1))
	}
	a.push(base.Add(10*time.Second), tick("A", 1)...)
	a.push(base.Add(11*time.Second), tick("A", 1)...)
	a.r.Advance(base.Add(20 * time.Second))
	rows := a.rows("DESTINATION_SQL_STREAM")
	if len(rows) != 2 {
		t.Fatalf("%d rows, want 2", len(rows))
	}
	if got := rows[0].Values[0].I; math.Abs(float64(got)-50000) > 500 {
		t.Errorf("50,000 distinct values counted as %d", got)
	}
	if got := rows[1].Values[0].I; got != 1 {
		t.Errorf("second window counted %d, want 1", got)
	}
}

// TestRunnersAreIndependent: each Runner of a Program has its own forest,
// so two Runners fed the same rows give the same scores.
func TestRunnersAreIndependent(t *testing.T) {
	const code = `
CREATE STREAM "OUT" (P DOUBLE, ANOMALY_SCORE DOUBLE);
CREATE PUMP "P" AS INSERT INTO "OUT" SELECT STREAM "PRICE", ANOMALY_SCORE
  FROM TABLE(RANDOM_CUT_FOREST(CURSOR(SELECT STREAM "PRICE" FROM "SOURCE_SQL_STREAM_001"), 20, 16, 1000, 1));`
	p, err := engine.Compile(code, []engine.InputSchema{tickerSchema}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var s1, s2 []float64
	r1 := p.Start(func(s string, r engine.Row) { s1 = append(s1, r.Values[1].F) })
	r2 := p.Start(func(s string, r engine.Row) { s2 = append(s2, r.Values[1].F) })
	rng := rand.New(rand.NewPCG(4, 4))
	for i := 0; i < 200; i++ {
		row := engine.Row{Rowtime: base.Add(time.Duration(i) * time.Second), Values: tick("A", rng.NormFloat64())}
		if err := r1.Push("SOURCE_SQL_STREAM_001", row); err != nil {
			t.Fatal(err)
		}
		if err := r2.Push("SOURCE_SQL_STREAM_001", row); err != nil {
			t.Fatal(err)
		}
	}
	if len(s1) != 200 || !slices.Equal(s1, s2) || s1[199] == 0 {
		t.Errorf("runner scores differ or are missing: %d, %d rows; last %v %v", len(s1), len(s2), s1[len(s1)-1], s2[len(s2)-1])
	}
}

// TestRandomCutForestArguments: the four arguments reach the forest in the
// reference's order (numberOfTrees, subSampleSize, timeDecay, shingleSize):
// the scores are those of an rcf.Forest with that configuration, and the
// first subSampleSize+shingleSize-1 rows score 0.
func TestRandomCutForestArguments(t *testing.T) {
	const code = `
CREATE STREAM "OUT" (P DOUBLE, C DOUBLE, ANOMALY_SCORE DOUBLE);
CREATE PUMP "P" AS INSERT INTO "OUT" SELECT STREAM "PRICE", "CHANGE", ANOMALY_SCORE
  FROM TABLE(RANDOM_CUT_FOREST(CURSOR(SELECT STREAM "PRICE", "CHANGE" FROM "SOURCE_SQL_STREAM_001"), 30, 40, 500, 3));`
	a := start(t, code, tickerSchema)
	direct, _ := rcf.New(rcf.Config{Trees: 30, SampleSize: 40, TimeDecay: 500, ShingleSize: 3, Dimensions: 2})
	rng := rand.New(rand.NewPCG(6, 6))
	var want []float64
	for i := 0; i < 300; i++ {
		p, c := float64(float32(rng.NormFloat64())), float64(float32(rng.NormFloat64()))
		s, err := direct.Update([]float64{p, c})
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, s)
		a.push(base.Add(time.Duration(i)*time.Second), engine.String("A"), engine.String("S"), engine.Float(c), engine.Float(p))
	}
	rows := a.rows("OUT")
	if len(rows) != 300 {
		t.Fatalf("%d rows out for 300 in", len(rows))
	}
	for i, row := range rows {
		if got := row.Values[2].F; got != want[i] || (i < 40+2) != (got == 0) {
			t.Fatalf("row %d: score %v, the forest gives %v", i, got, want[i])
		}
	}
}
