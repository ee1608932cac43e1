package engine

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

// base is the time tests count from: 2026-01-01 00:00:00 UTC.
var base = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// at is base plus sec seconds, rounded to the millisecond (1.001 s is 1001 ms, not 1000).
func at(sec float64) time.Time {
	return base.Add(time.Duration(math.Round(sec*1000)) * time.Millisecond)
}

// tickerSchema is the stock ticker demo stream of the developer guide.
var tickerSchema = InputSchema{Stream: "SOURCE_SQL_STREAM_001", Columns: []Column{
	{"TICKER_SYMBOL", Varchar(4)}, {"SECTOR", Varchar(16)}, {"CHANGE", TypeReal}, {"PRICE", TypeReal},
}}

type emitted struct {
	stream string
	row    Row
}

// harness runs a program and records what it emits.
type harness struct {
	t   testing.TB
	p   *Program
	r   *Runner
	out []emitted
}

func run(t testing.TB, code string, inputs []InputSchema, refs ...RefTable) *harness {
	t.Helper()
	p, err := Compile(code, inputs, refs)
	if err != nil {
		t.Fatalf("compile: %v\n%s", err, code)
	}
	h := &harness{t: t, p: p}
	h.r = p.Start(func(s string, r Row) { h.out = append(h.out, emitted{s, r}) })
	return h
}

func (h *harness) push(stream string, tm time.Time, vals ...Value) {
	h.t.Helper()
	if err := h.r.Push(stream, Row{Rowtime: tm, Values: vals}); err != nil {
		h.t.Fatalf("push: %v", err)
	}
}

func (h *harness) tick(sym, sector string, change, price float64, tm time.Time) {
	h.t.Helper()
	h.push("SOURCE_SQL_STREAM_001", tm, String(sym), String(sector), Float(float64(float32(change))), Float(float64(float32(price))))
}

// take returns and forgets the rows emitted on stream, formatted as "time|v1|v2".
func (h *harness) take(stream string) []string {
	var got []string
	var rest []emitted
	for _, e := range h.out {
		if e.stream != stream {
			rest = append(rest, e)
			continue
		}
		got = append(got, fmtRow(e.row))
	}
	h.out = rest
	return got
}

func fmtRow(r Row) string {
	parts := []string{r.Rowtime.Sub(base).String()}
	for _, v := range r.Values {
		parts = append(parts, v.String())
	}
	return strings.Join(parts, "|")
}

func wantRows(t testing.TB, what string, got []string, want ...string) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s:\n got  %q\n want %q", what, got, want)
	}
}
