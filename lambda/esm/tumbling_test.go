package esm

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"github.com/eddy-streams/eddy/runtimeapi"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/kinesis"
	"github.com/eddy-streams/eddy/lambda"
	"github.com/eddy-streams/eddy/protocol/kds"
	lp "github.com/eddy-streams/eddy/protocol/lambda"
	"github.com/eddy-streams/eddy/storage/mem"
)

// setupClock is setup with the kinesis engine on clock, so records arrive
// at the times the test chooses.
func setupClock(t *testing.T, clock *kinesis.FakeClock) *testEnv {
	t.Helper()
	meta := mem.NewMeta()
	kcfg := kinesis.DefaultConfig()
	kcfg.CreateDelay, kcfg.UpdateDelay, kcfg.DeleteDelay = 0, 0, 0
	kcfg.Clock = clock
	eng, err := kinesis.New(kcfg, mem.NewLogs(), meta)
	if err != nil {
		t.Fatal(err)
	}
	lcfg := lambda.DefaultConfig()
	lcfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	svc, err := lambda.New(lcfg, meta)
	if err != nil {
		t.Fatal(err)
	}
	e := &testEnv{meta: meta, eng: eng, svc: svc}
	t.Cleanup(func() {
		if e.manager != nil {
			e.manager.Close()
		}
		svc.Close()
		eng.Close()
	})
	if _, err := eng.CreateStream(context.Background(), &kds.CreateStreamInput{StreamName: ptr("src"), ShardCount: ptr(int32(1))}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool {
		out, err := eng.DescribeStreamSummary(context.Background(), &kds.DescribeStreamSummaryInput{StreamName: ptr("src")})
		return err == nil && out.StreamDescriptionSummary.StreamStatus == kinesis.StatusActive
	})
	if _, err := svc.CreateFunction(region, &lp.CreateFunctionInput{FunctionName: "fn", Runtime: "provided.al2023", Role: role, Handler: "bootstrap",
		Code: &lp.FunctionCode{ZipFile: emptyZip(t)}}); err != nil {
		t.Fatal(err)
	}
	return e
}

// summer is a windowed function: it adds the records' numeric data into
// state {"sum": n} and, on the final invocation of a window, records the
// window's sum. It checks what Lambda promises each invocation.
type summer struct {
	t  *testing.T
	mu sync.Mutex
	// sums by window start; finals counts final invocations per window.
	sums     map[string]int
	finals   map[string]int
	events   [][]byte
	problems []string
}

func (s *summer) Invoke(ctx context.Context, name string, payload []byte) ([]byte, string, error) {
	var ev windowEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, "", err
	}
	var st struct {
		Sum *int `json:"sum"`
	}
	json.Unmarshal(ev.State, &st)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, payload)
	bad := func(f string, a ...any) { s.problems = append(s.problems, fmt.Sprintf(f, a...)) }
	start, _ := time.Parse(time.RFC3339, ev.Window.Start)
	end, _ := time.Parse(time.RFC3339, ev.Window.End)
	if end.Sub(start) != time.Minute || start.Unix()%60 != 0 || ev.ShardID != "shardId-000000000000" || ev.EventSourceARN != streamARN || ev.IsWindowTerminatedEarly {
		bad("event properties %s", payload)
	}
	sum := 0
	if st.Sum != nil {
		sum = *st.Sum
	} else if string(ev.State) != "{}" {
		bad("state %s", ev.State)
	}
	if ev.IsFinalInvokeForWindow {
		if len(ev.Records) != 0 {
			bad("final invocation with records: %s", payload)
		}
		s.sums[ev.Window.Start] = sum
		s.finals[ev.Window.Start]++
		return []byte(`{"state":{}}`), "", nil
	}
	for _, r := range ev.Records {
		at := time.UnixMilli(int64(r.Kinesis.ApproximateArrivalTimestamp * 1000))
		if at.Before(start) || !at.Before(end) {
			bad("record at %v outside window %s", at, ev.Window.Start)
		}
		n, err := strconv.Atoi(string(r.Kinesis.Data))
		if err != nil {
			bad("data %q", r.Kinesis.Data)
		}
		sum += n
	}
	return fmt.Appendf(nil, `{"state":{"sum":%d},"batchItemFailures":[]}`, sum), "", nil
}

func TestTumblingWindowSums(t *testing.T) {
	// Start 10 s into a minute, so the first window is cut short.
	t0 := time.Now().UTC().Truncate(time.Minute).Add(-time.Hour + 10*time.Second)
	clock := kinesis.NewFakeClock(t0)
	e := setupClock(t, clock)
	fn := &summer{t: t, sums: map[string]int{}, finals: map[string]int{}}
	want := map[string]int{}
	put := func(values ...int) {
		t.Helper()
		for _, v := range values {
			e.put(t, "src", strconv.Itoa(v))
			want[clock.Now().UTC().Truncate(time.Minute).Format(time.RFC3339)] += v
			clock.Advance(7 * time.Second)
		}
	}
	e.mapping(t, func(in *lp.CreateEventSourceMappingInput) {
		in.TumblingWindowInSeconds = ptr(int32(60))
		in.BatchSize = ptr(int32(3))
	})
	// Values put every 7 s: windows of 60 s get 7 or 8 of them, read in
	// batches of at most 3. The manager starts after the first records,
	// so batches are cut at window boundaries too.
	put(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
	e.manager = New(Config{PollInterval: 5 * time.Millisecond, RetryDelay: time.Millisecond, Clock: clock}, e.svc, fn,
		func(string) (Source, error) { return e.eng, nil }, e.meta)
	put(100, 200, 300, 400, 500, 600, 700, 800, 900, 1000)
	// The last window ends by the clock: nothing later is read.
	clock.Advance(2 * time.Minute)
	waitFor(t, func() bool {
		fn.mu.Lock()
		defer fn.mu.Unlock()
		return len(fn.finals) == len(want)
	})
	fn.mu.Lock()
	defer fn.mu.Unlock()
	if len(fn.problems) > 0 {
		t.Fatalf("problems: %v", fn.problems)
	}
	if fmt.Sprint(fn.sums) != fmt.Sprint(want) {
		t.Fatalf("window sums %v, want %v", fn.sums, want)
	}
	for w, n := range fn.finals {
		if n != 1 {
			t.Errorf("window %s had %d final invocations", w, n)
		}
	}
}

// emptyZip is a function package the in-process test doubles stand in for.
func emptyZip(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.Create("bootstrap")
	w.Write([]byte("#!/bin/sh\n"))
	zw.Close()
	return b.Bytes()
}

var update = flag.Bool("update", false, "rewrite testdata/window-events.golden.json")

// windowFn is a windowed test double answering as respond says.
type windowFn struct {
	mu      sync.Mutex
	events  []windowEvent
	raw     [][]byte
	respond func(n int, ev windowEvent) (out []byte, functionError string)
}

func (f *windowFn) Invoke(ctx context.Context, name string, payload []byte) ([]byte, string, error) {
	var ev windowEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, "", err
	}
	f.mu.Lock()
	f.events = append(f.events, ev)
	f.raw = append(f.raw, payload)
	n := len(f.events)
	f.mu.Unlock()
	out, fe := f.respond(n, ev)
	return out, fe, nil
}

func (f *windowFn) snapshot() ([]windowEvent, [][]byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]windowEvent(nil), f.events...), append([][]byte(nil), f.raw...)
}

func (e *testEnv) startWindowed(clock *kinesis.FakeClock, fn lambda.Invoker) {
	e.manager = New(Config{PollInterval: 5 * time.Millisecond, RetryDelay: time.Millisecond, Clock: clock}, e.svc, fn,
		func(string) (Source, error) { return e.eng, nil }, e.meta)
}

// TestTumblingWindowEventShape pins the windowed event and the final
// invocation's event, byte for byte, at fixed times.
func TestTumblingWindowEventShape(t *testing.T) {
	clock := kinesis.NewFakeClock(time.Date(2026, 12, 4, 7, 4, 30, 250e6, time.UTC))
	e := setupClock(t, clock)
	fn := &windowFn{respond: func(n int, ev windowEvent) ([]byte, string) {
		if ev.IsFinalInvokeForWindow {
			return []byte(`{"state":{}}`), ""
		}
		return []byte(`{"state":{"1":"282","2":"715"}}`), ""
	}}
	e.put(t, "src", "Hello, this is a test.")
	e.mapping(t, func(in *lp.CreateEventSourceMappingInput) { in.TumblingWindowInSeconds = ptr(int32(120)) })
	e.startWindowed(clock, fn)
	waitFor(t, func() bool { evs, _ := fn.snapshot(); return len(evs) == 1 })
	clock.Advance(2 * time.Minute)
	waitFor(t, func() bool { evs, _ := fn.snapshot(); return len(evs) == 2 })
	_, raw := fn.snapshot()
	var got bytes.Buffer
	for _, r := range raw {
		json.Indent(&got, r, "", "  ")
		got.WriteString("\n")
	}
	path := "testdata/window-events.golden.json"
	if *update {
		if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Fatalf("events:\n%s\nwant:\n%s", got.Bytes(), want)
	}
}

// TestTumblingWindowAnswerWithoutStateFails: an answer without a state
// property is a failed invocation, retried with the same state.
func TestTumblingWindowAnswerWithoutStateFails(t *testing.T) {
	clock := kinesis.NewFakeClock(time.Now().UTC().Truncate(time.Minute).Add(-time.Hour))
	e := setupClock(t, clock)
	fn := &windowFn{respond: func(n int, ev windowEvent) ([]byte, string) {
		if n == 1 {
			return []byte(`{"batchItemFailures":[]}`), ""
		}
		return []byte(`{"state":{"seen":"yes"}}`), ""
	}}
	e.put(t, "src", "a")
	e.mapping(t, func(in *lp.CreateEventSourceMappingInput) { in.TumblingWindowInSeconds = ptr(int32(60)) })
	e.startWindowed(clock, fn)
	waitFor(t, func() bool { evs, _ := fn.snapshot(); return len(evs) == 2 })
	clock.Advance(time.Minute)
	waitFor(t, func() bool { evs, _ := fn.snapshot(); return len(evs) == 3 })
	evs, _ := fn.snapshot()
	if len(evs[0].Records) != 1 || len(evs[1].Records) != 1 || string(evs[1].State) != "{}" {
		t.Fatalf("retry %+v", evs[1])
	}
	if !evs[2].IsFinalInvokeForWindow || string(evs[2].State) != `{"seen":"yes"}` {
		t.Fatalf("final invocation %+v", evs[2])
	}
}

// TestTumblingWindowStateOver1MBEndsWindowEarly: a state over 1 MB ends
// the window at once (isWindowTerminatedEarly), and the window goes on
// with a fresh state.
func TestTumblingWindowStateOver1MBEndsWindowEarly(t *testing.T) {
	clock := kinesis.NewFakeClock(time.Now().UTC().Truncate(time.Minute).Add(-time.Hour))
	e := setupClock(t, clock)
	big := `{"pad":"` + strings.Repeat("x", maxWindowState) + `"}`
	fn := &windowFn{respond: func(n int, ev windowEvent) ([]byte, string) {
		if n == 1 {
			return []byte(`{"state":` + big + `}`), ""
		}
		return []byte(`{"state":{"n":"` + strconv.Itoa(n) + `"}}`), ""
	}}
	e.put(t, "src", "a", "b")
	e.mapping(t, func(in *lp.CreateEventSourceMappingInput) {
		in.TumblingWindowInSeconds = ptr(int32(60))
		in.BatchSize = ptr(int32(1))
	})
	e.startWindowed(clock, fn)
	waitFor(t, func() bool { evs, _ := fn.snapshot(); return len(evs) == 3 })
	clock.Advance(time.Minute)
	waitFor(t, func() bool { evs, _ := fn.snapshot(); return len(evs) == 4 })
	evs, _ := fn.snapshot()
	early := evs[1]
	if !early.IsFinalInvokeForWindow || !early.IsWindowTerminatedEarly || len(early.Records) != 0 || string(early.State) != big {
		t.Fatalf("early end: final %v early %v records %d state %d bytes", early.IsFinalInvokeForWindow, early.IsWindowTerminatedEarly, len(early.Records), len(early.State))
	}
	if string(evs[2].State) != "{}" || string(evs[2].Records[0].Kinesis.Data) != "b" || evs[2].Window != evs[0].Window {
		t.Fatalf("after the early end %+v", evs[2])
	}
	if !evs[3].IsFinalInvokeForWindow || evs[3].IsWindowTerminatedEarly || string(evs[3].State) != `{"n":"3"}` {
		t.Fatalf("final invocation %+v", evs[3])
	}
}

// TestTumblingWindowStateSurvivesRestart: the open window's state is in
// the checkpoint, so a restarted manager continues it.
func TestTumblingWindowStateSurvivesRestart(t *testing.T) {
	clock := kinesis.NewFakeClock(time.Now().UTC().Truncate(time.Minute).Add(-time.Hour))
	e := setupClock(t, clock)
	fn := &windowFn{respond: func(n int, ev windowEvent) ([]byte, string) {
		return []byte(`{"state":{"after":"` + strconv.Itoa(n) + `"}}`), ""
	}}
	e.put(t, "src", "a")
	e.mapping(t, func(in *lp.CreateEventSourceMappingInput) { in.TumblingWindowInSeconds = ptr(int32(60)) })
	e.startWindowed(clock, fn)
	waitFor(t, func() bool { evs, _ := fn.snapshot(); return len(evs) == 1 })
	waitFor(t, func() bool {
		ms, _ := e.svc.EventSourceMappings()
		cp, err := e.manager.loadCheckpoint(ms[0].Config.UUID, "shardId-000000000000")
		return err == nil && cp.Seq != "" && cp.WindowStart != 0
	})
	e.stop()
	clock.Advance(10 * time.Second)
	e.put(t, "src", "b")
	e.startWindowed(clock, fn)
	waitFor(t, func() bool { evs, _ := fn.snapshot(); return len(evs) == 2 })
	clock.Advance(time.Minute)
	waitFor(t, func() bool { evs, _ := fn.snapshot(); return len(evs) == 3 })
	evs, _ := fn.snapshot()
	if string(evs[1].State) != `{"after":"1"}` || string(evs[1].Records[0].Kinesis.Data) != "b" || evs[1].Window != evs[0].Window {
		t.Fatalf("after restart %+v", evs[1])
	}
	if !evs[2].IsFinalInvokeForWindow || string(evs[2].State) != `{"after":"2"}` {
		t.Fatalf("final invocation %+v", evs[2])
	}
}

// TestTumblingWindowRealHandlerSums runs testdata/windowfn, an
// aws-lambda-go handler taking events.KinesisTimeWindowEvent and
// answering events.KinesisTimeWindowEventResponse, as a real function:
// the sum it writes at each window's final invocation matches the sum of
// the values put in that window.
func TestTumblingWindowRealHandlerSums(t *testing.T) {
	zipped := bootstrapZip(t, "./testdata/windowfn")
	t0 := time.Now().UTC().Truncate(time.Minute).Add(-time.Hour + 20*time.Second)
	clock := kinesis.NewFakeClock(t0)
	meta := mem.NewMeta()
	kcfg := kinesis.DefaultConfig()
	kcfg.CreateDelay, kcfg.Clock = 0, clock
	eng, err := kinesis.New(kcfg, mem.NewLogs(), meta)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	lcfg := lambda.DefaultConfig()
	lcfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	lcfg.Launcher = runtimeapi.Launcher{}
	svc, err := lambda.New(lcfg, meta)
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	ctx := context.Background()
	if _, err := eng.CreateStream(ctx, &kds.CreateStreamInput{StreamName: ptr("src"), ShardCount: ptr(int32(1))}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out.jsonl")
	if _, err := svc.CreateFunction(region, &lp.CreateFunctionInput{FunctionName: "fn", Runtime: "provided.al2023", Role: role, Handler: "bootstrap",
		Code: &lp.FunctionCode{ZipFile: zipped}, Environment: &lp.Environment{Variables: map[string]string{"OUT": out}}}); err != nil {
		t.Fatal(err)
	}
	e := &testEnv{meta: meta, eng: eng, svc: svc}
	waitFor(t, func() bool {
		o, err := eng.DescribeStreamSummary(ctx, &kds.DescribeStreamSummaryInput{StreamName: ptr("src")})
		return err == nil && o.StreamDescriptionSummary.StreamStatus == kinesis.StatusActive
	})
	e.mapping(t, func(in *lp.CreateEventSourceMappingInput) {
		in.TumblingWindowInSeconds = ptr(int32(30))
		in.BatchSize = ptr(int32(4))
	})
	want := map[string]int{}
	v := 0
	for range 25 {
		v += 3
		e.put(t, "src", strconv.Itoa(v))
		start := time.UnixMilli(clock.Now().UnixMilli() / 30000 * 30000).UTC().Format(time.RFC3339)
		want[start] += v
		clock.Advance(4 * time.Second)
	}
	m := New(Config{PollInterval: 10 * time.Millisecond, RetryDelay: time.Millisecond, Clock: clock}, svc, svc,
		func(string) (Source, error) { return eng, nil }, meta)
	defer m.Close()
	// The records of later windows end the earlier ones; the last one
	// ends by the clock.
	waitFor(t, func() bool {
		b, _ := os.ReadFile(out)
		return strings.Count(string(b), "\n") == len(want)-1
	})
	clock.Advance(time.Minute)
	got := map[string]int{}
	waitFor(t, func() bool {
		b, _ := os.ReadFile(out)
		clear(got)
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			var x struct {
				Start, End string
				Sum        int
				Early      bool
			}
			if json.Unmarshal([]byte(l), &x) != nil {
				return false
			}
			if x.Early {
				t.Fatalf("window %s ended early", x.Start)
			}
			got[x.Start] += x.Sum
		}
		return len(got) == len(want)
	})
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("window sums %v, want %v", got, want)
	}
}

// TestTumblingWindowFilteredRecordsOpenNoWindow: records all dropped by
// FilterCriteria open no window, so there is no final invocation for it.
func TestTumblingWindowFilteredRecordsOpenNoWindow(t *testing.T) {
	clock := kinesis.NewFakeClock(time.Now().UTC().Truncate(time.Minute).Add(-time.Hour))
	e := setupClock(t, clock)
	fn := &windowFn{respond: func(n int, ev windowEvent) ([]byte, string) { return []byte(`{"state":{}}`), "" }}
	e.put(t, "src", `{"k":"skip"}`)
	clock.Advance(time.Minute)
	e.put(t, "src", `{"k":"keep"}`)
	e.mapping(t, func(in *lp.CreateEventSourceMappingInput) {
		in.TumblingWindowInSeconds = ptr(int32(60))
		in.FilterCriteria = &lp.FilterCriteria{Filters: []lp.Filter{{Pattern: `{"data":{"k":["keep"]}}`}}}
	})
	e.startWindowed(clock, fn)
	waitFor(t, func() bool { evs, _ := fn.snapshot(); return len(evs) == 1 })
	clock.Advance(time.Minute)
	waitFor(t, func() bool { evs, _ := fn.snapshot(); return len(evs) == 2 })
	evs, _ := fn.snapshot()
	if len(evs[0].Records) != 1 || evs[0].IsFinalInvokeForWindow || !evs[1].IsFinalInvokeForWindow || evs[1].Window != evs[0].Window {
		t.Fatalf("invocations %+v", evs)
	}
}

// TestTumblingWindowFailedBatchKeepsState: with ReportBatchItemFailures,
// an answer whose itemIdentifier is unknown fails the whole batch, so the
// state it carries is not taken; a partial failure's state is.
func TestTumblingWindowFailedBatchKeepsState(t *testing.T) {
	clock := kinesis.NewFakeClock(time.Now().UTC().Truncate(time.Minute).Add(-time.Hour))
	e := setupClock(t, clock)
	var seqs []string
	fn := &windowFn{respond: func(n int, ev windowEvent) ([]byte, string) {
		switch n {
		case 1:
			return []byte(`{"state":{"n":"1"},"batchItemFailures":[{"itemIdentifier":"nope"}]}`), ""
		case 2:
			return []byte(`{"state":{"n":"2"},"batchItemFailures":[{"itemIdentifier":"` + seqs[1] + `"}]}`), ""
		}
		return []byte(`{"state":{"n":"` + strconv.Itoa(n) + `"}}`), ""
	}}
	seqs = e.put(t, "src", "a", "b")
	e.mapping(t, func(in *lp.CreateEventSourceMappingInput) {
		in.TumblingWindowInSeconds = ptr(int32(60))
		in.FunctionResponseTypes = []string{"ReportBatchItemFailures"}
	})
	e.startWindowed(clock, fn)
	waitFor(t, func() bool { evs, _ := fn.snapshot(); return len(evs) == 3 })
	evs, _ := fn.snapshot()
	if string(evs[1].State) != "{}" || len(evs[1].Records) != 2 {
		t.Fatalf("retry after a failed batch: state %s, %d records", evs[1].State, len(evs[1].Records))
	}
	if string(evs[2].State) != `{"n":"2"}` || len(evs[2].Records) != 1 || string(evs[2].Records[0].Kinesis.Data) != "b" {
		t.Fatalf("retry after a partial failure: state %s, %d records", evs[2].State, len(evs[2].Records))
	}
}
