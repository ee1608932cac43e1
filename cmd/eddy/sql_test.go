package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/internal/eddytest"
)

// TestSQLCommand: eddy sql runs a filter and a tumbling window over a
// stream's records as they come, with columns discovered or given, and
// prints rows in each format; bad command lines are usage errors.
func TestSQLCommand(t *testing.T) {
	putEnv(t)
	s := eddytest.Start(t, eddytest.Options{})
	kc := s.Kinesis()
	createTestStream(t, kc, "ticks", 2)
	for i, rec := range []string{
		`{"TICKER_SYMBOL":"AAA","SECTOR":"TECH","PRICE":12.5}`,
		`{"TICKER_SYMBOL":"BBB","SECTOR":"RETAIL","PRICE":3}`,
		`{"TICKER_SYMBOL":"AAA","SECTOR":"TECH","PRICE":14}`,
		`not json at all`,
	} {
		putTo(t, kc, "ticks", lowHashKey, fmt.Sprint(i), []byte(rec))
	}

	// Discovered columns (from the first records: the bad one is the last
	// of four, read in the first second), a filter, text format.
	code, out, errOut := runCmd(t, "sql", "--endpoint", s.Endpoint, "--stream", "ticks", "--from", "trim-horizon", "--duration", "2s",
		`SELECT STREAM "TICKER_SYMBOL", "PRICE" FROM "SOURCE_SQL_STREAM_001" WHERE "PRICE" > 10`)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || lines[0] != "ROWTIME\tTICKER_SYMBOL\tPRICE" || !strings.HasSuffix(lines[1], "\tAAA\t12.5") || !strings.HasSuffix(lines[2], "\tAAA\t14") {
		t.Fatalf("rows:\n%s\nstderr:\n%s", out, errOut)
	}
	if !strings.Contains(errOut, "JSON columns discovered: TICKER_SYMBOL VARCHAR") {
		t.Errorf("stderr lacks the discovered columns:\n%s", errOut)
	}

	// Given columns, a tumbling window of 1 second, CSV: the windows close
	// on the clock.
	code, out, errOut = runCmd(t, "sql", "--endpoint", s.Endpoint, "--stream", "ticks", "--from", "trim-horizon", "--duration", "3s",
		"--tick", "50ms", "--format", "csv", "--columns", "TICKER_SYMBOL VARCHAR(4), PRICE DECIMAL(8,2)",
		`SELECT STREAM "TICKER_SYMBOL", COUNT(*) AS "N", SUM("PRICE") AS "TOTAL" FROM "SOURCE_SQL_STREAM_001"
		 GROUP BY "TICKER_SYMBOL", STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '1' SECOND)`)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	// The records are read at once, so they fall in one window, or two
	// when reading crossed a second: the sums per ticker hold either way.
	counts := map[string]int{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Split(l, ",")
		if len(f) != 4 {
			t.Fatalf("csv row %q\n%s", l, out)
		}
		var n int
		fmt.Sscan(f[2], &n)
		counts[f[1]] += n
	}
	if counts["AAA"] != 2 || counts["BBB"] != 1 {
		t.Fatalf("counts %v from:\n%s\nstderr:\n%s", counts, out, errOut)
	}
	if !strings.Contains(errOut, "error_stream") {
		t.Errorf("the bad record is not reported on stderr:\n%s", errOut)
	}

	// JSON, from latest: only what is put after the start.
	done := make(chan struct{})
	var jout, jerr string
	go func() {
		defer close(done)
		_, jout, jerr = runCmd(t, "sql", "--endpoint", s.Endpoint, "--stream", "ticks", "--duration", "3s", "--format", "json",
			`SELECT STREAM "TICKER_SYMBOL" FROM "SOURCE_SQL_STREAM_001"`)
	}()
	time.Sleep(time.Second)
	putTo(t, kc, "ticks", highHashKey, "k", []byte(`{"TICKER_SYMBOL":"ZZZ","PRICE":1}`))
	select {
	case <-done:
	case <-time.After(testTimeout):
		t.Fatal("eddy sql did not end at --duration")
	}
	if !strings.Contains(jout, `"TICKER_SYMBOL":"ZZZ"}`) || strings.Contains(jout, "AAA") || !strings.HasPrefix(jout, `{"ROWTIME":"`) {
		t.Fatalf("json rows:\n%s\nstderr:\n%s", jout, jerr)
	}

	for _, bad := range [][]string{
		{"sql", "--stream", "ticks"},
		{"sql", "SELECT STREAM * FROM \"SOURCE_SQL_STREAM_001\""},
		{"sql", "--stream", "ticks", "--format", "xml", "SELECT STREAM * FROM \"SOURCE_SQL_STREAM_001\""},
		{"sql", "--stream", "ticks", "--columns", "PRICE", "SELECT STREAM * FROM \"SOURCE_SQL_STREAM_001\""},
		{"sql", "--stream", "ticks", "--from", "yesterday", "SELECT STREAM * FROM \"SOURCE_SQL_STREAM_001\""},
	} {
		if code, _, _ := runCmd(t, bad...); code != exitUsage {
			t.Errorf("%q: exit %d, want %d", bad, code, exitUsage)
		}
	}
	// A query that does not compile against the given columns fails.
	if code, _, errOut := runCmd(t, "sql", "--endpoint", s.Endpoint, "--stream", "ticks", "--columns", "PRICE DOUBLE",
		`SELECT STREAM "NOPE" FROM "SOURCE_SQL_STREAM_001"`); code == 0 || !strings.Contains(errOut, "NOPE") {
		t.Errorf("a query on a missing column: exit %d, %s", code, errOut)
	}
}
