package esm

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/internal/s3sink"
	"github.com/eddy-streams/eddy/internal/s3test"
	"github.com/eddy-streams/eddy/kinesis"
	"github.com/eddy-streams/eddy/lambda"
	"github.com/eddy-streams/eddy/protocol/kds"
	lp "github.com/eddy-streams/eddy/protocol/lambda"
	"github.com/eddy-streams/eddy/runtimeapi"
	"github.com/eddy-streams/eddy/storage/mem"
)

// failing answers every call as the poison record fails: a function error.
func failing() *fakeFunction {
	return &fakeFunction{respond: func(call int, ev event) ([]byte, string) {
		for _, r := range ev.Records {
			if string(r.Kinesis.Data) == "bad" {
				return []byte(`{"errorMessage":"boom"}`), "Unhandled"
			}
		}
		return []byte("null"), ""
	}}
}

// createMapping creates the mapping fn <- src with dest as on-failure
// destination and two retries, and returns its UUID.
func (e *testEnv) createMapping(t *testing.T, dest string) string {
	t.Helper()
	in := &lp.CreateEventSourceMappingInput{EventSourceArn: streamARN, StartingPosition: lp.StartingPositionTrimHorizon}
	in.FunctionName = "fn"
	in.MaximumRetryAttempts = ptr(int32(2))
	in.DestinationConfig = &lp.DestinationConfig{OnFailure: &lp.OnFailure{Destination: dest}}
	if err := in.Validate(); err != nil {
		t.Fatal(err)
	}
	out, err := e.svc.CreateEventSourceMapping(region, in)
	if err != nil {
		t.Fatal(err)
	}
	return out.UUID
}

// TestS3DestinationObject exhausts the retries of a poison record with an
// S3 bucket as destination: the object lands on an S3-compatible server
// under the developer guide's key, holding the invocation record and, as
// payload, the event the function was invoked with.
func TestS3DestinationObject(t *testing.T) {
	srv := s3test.Start(t)
	fn := failing()
	e := setup(t, fn, func(c *lambda.Config) { c.S3Destinations = true })
	scfg := s3sink.DefaultConfig()
	scfg.Endpoint = srv.Endpoint
	sink, err := s3sink.New(scfg)
	if err != nil {
		t.Fatal(err)
	}
	seqs := e.put(t, "src", "bad")
	uuid := e.createMapping(t, "arn:aws:s3:::"+srv.Bucket)
	now := time.Date(2026, 12, 4, 10, 11, 12, 345e6, time.UTC)
	e.manager = New(Config{PollInterval: 10 * time.Millisecond, RetryDelay: time.Millisecond, Clock: kinesis.NewFakeClock(now), Objects: sink},
		e.svc, fn, func(string) (Source, error) { return e.eng, nil }, e.meta)

	keys := srv.WaitForObjects(t, 1)
	keyRE := regexp.MustCompile(`^aws/lambda/` + uuid + `/shardId-000000000000/2026/12/04/2026-12-04T10\.11\.12-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	if len(keys) != 1 || !keyRE.MatchString(keys[0]) {
		t.Fatalf("keys %q, want one matching %s", keys, keyRE)
	}
	body, meta := srv.Object(t, keys[0])
	if meta["Content-Type"] != "application/json" {
		t.Errorf("Content-Type %q", meta["Content-Type"])
	}
	var rec map[string]any
	if err := json.Unmarshal(body, &rec); err != nil {
		t.Fatalf("body %s: %v", body, err)
	}
	rc, _ := rec["requestContext"].(map[string]any)
	resp, _ := rec["responseContext"].(map[string]any)
	bi, _ := rec["KinesisBatchInfo"].(map[string]any)
	if rc == nil || resp == nil || bi == nil || len(rec) != 6 || len(rc) != 4 || len(resp) != 3 || len(bi) != 7 {
		t.Fatalf("record members: %s", body)
	}
	if rc["functionArn"] != fnARN || rc["condition"] != "RetryAttemptsExhausted" || rc["approximateInvokeCount"] != 3.0 || len(rc["requestId"].(string)) != 36 ||
		resp["statusCode"] != 200.0 || resp["executedVersion"] != "$LATEST" || resp["functionError"] != "Unhandled" ||
		rec["version"] != "1.0" || rec["timestamp"] != "2026-12-04T10:11:12.345Z" ||
		bi["shardId"] != "shardId-000000000000" || bi["startSequenceNumber"] != seqs[0] || bi["endSequenceNumber"] != seqs[0] ||
		bi["batchSize"] != 1.0 || bi["streamArn"] != streamARN || bi["approximateArrivalOfFirstRecord"] == "" || bi["approximateArrivalOfLastRecord"] == "" {
		t.Fatalf("record %s", body)
	}
	// payload is the invoked event as an escaped JSON string.
	payload, ok := rec["payload"].(string)
	if !ok {
		t.Fatalf("payload %T, want a string", rec["payload"])
	}
	var ev event
	if err := json.Unmarshal([]byte(payload), &ev); err != nil {
		t.Fatalf("payload %q: %v", payload, err)
	}
	calls := fn.snapshot()
	want, _ := json.Marshal(calls[len(calls)-1])
	got, _ := json.Marshal(ev)
	if !bytes.Equal(got, want) || len(ev.Records) != 1 || string(ev.Records[0].Kinesis.Data) != "bad" || ev.Records[0].Kinesis.SequenceNumber != seqs[0] {
		t.Fatalf("payload %s, want the invoked event %s", got, want)
	}
}

// asyncRecorder is a function destination that is throttled fails times,
// then records what it is invoked with.
type asyncRecorder struct {
	fails int
	err   error

	mu    sync.Mutex
	tries int
	names []string
	calls [][]byte
}

func (a *asyncRecorder) InvokeAsync(ctx context.Context, name string, payload []byte) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.tries++
	if a.tries <= a.fails {
		return a.err
	}
	a.names = append(a.names, name)
	a.calls = append(a.calls, append([]byte(nil), payload...))
	return nil
}

func (a *asyncRecorder) snapshot() (tries int, names []string, calls [][]byte) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.tries, append([]string(nil), a.names...), append([][]byte(nil), a.calls...)
}

// TestFunctionDestinationRetriesThrottling invokes a function destination
// with the invocation record as its event, after two throttled tries.
func TestFunctionDestinationRetriesThrottling(t *testing.T) {
	fn := failing()
	e := setup(t, fn)
	createPythonFunction(t, e.svc, "dest")
	const destARN = "arn:aws:lambda:us-east-1:000000000000:function:dest"
	seqs := e.put(t, "src", "bad")
	e.createMapping(t, destARN)
	rec := &asyncRecorder{fails: 2, err: &eddy.Error{Code: lp.CodeTooManyRequests, Message: "Rate Exceeded."}}
	e.manager = New(Config{PollInterval: 10 * time.Millisecond, RetryDelay: time.Millisecond, Async: rec},
		e.svc, fn, func(string) (Source, error) { return e.eng, nil }, e.meta)

	waitFor(t, func() bool { _, _, calls := rec.snapshot(); return len(calls) == 1 })
	tries, names, calls := rec.snapshot()
	if tries != 3 || names[0] != destARN {
		t.Fatalf("%d tries of %v, want 3 of %s", tries, names, destARN)
	}
	var fr map[string]any
	if err := json.Unmarshal(calls[0], &fr); err != nil {
		t.Fatal(err)
	}
	bi, _ := fr["KinesisBatchInfo"].(map[string]any)
	rc, _ := fr["requestContext"].(map[string]any)
	if len(fr) != 5 || bi == nil || rc == nil || bi["startSequenceNumber"] != seqs[0] || rc["condition"] != "RetryAttemptsExhausted" || rc["functionArn"] != fnARN {
		t.Fatalf("event %s", calls[0])
	}
}

// TestFunctionDestinationGone gives up at once on a destination function
// that no longer exists, and the shard moves on.
func TestFunctionDestinationGone(t *testing.T) {
	fn := failing()
	e := setup(t, fn)
	createPythonFunction(t, e.svc, "dest")
	e.put(t, "src", "bad")
	e.createMapping(t, "arn:aws:lambda:us-east-1:000000000000:function:dest")
	rec := &asyncRecorder{fails: 100, err: lp.NotFound("arn:aws:lambda:us-east-1:000000000000:function:dest")}
	e.manager = New(Config{PollInterval: 10 * time.Millisecond, RetryDelay: time.Millisecond, Async: rec},
		e.svc, fn, func(string) (Source, error) { return e.eng, nil }, e.meta)
	waitFor(t, func() bool { tries, _, _ := rec.snapshot(); return tries == 1 })
	e.put(t, "src", "good")
	waitFor(t, func() bool {
		c := fn.snapshot()
		return string(c[len(c)-1].Records[0].Kinesis.Data) == "good"
	})
	if tries, _, _ := rec.snapshot(); tries != 1 {
		t.Fatalf("%d tries of a missing function, want 1", tries)
	}
}

// createPythonFunction creates a python function name that returns its
// event.
func createPythonFunction(t *testing.T, svc *lambda.Service, name string) {
	t.Helper()
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	w, _ := zw.Create("app.py")
	w.Write([]byte("def handler(e, c):\n    return e\n"))
	zw.Close()
	in := &lp.CreateFunctionInput{FunctionName: name, Runtime: "python3.12", Role: role, Handler: "app.handler", Code: &lp.FunctionCode{ZipFile: zb.Bytes()}}
	if _, err := svc.CreateFunction(region, in); err != nil {
		t.Fatal(err)
	}
}

// TestRealFunctionDestination runs two aws-lambda-go bootstraps as real
// functions: testdata/kinesisfn fails on a poison record, and once its
// retries are exhausted testdata/destfn, the mapping's on-failure
// destination, is invoked asynchronously with the invocation record as its
// event.
func TestRealFunctionDestination(t *testing.T) {
	dir := t.TempDir()
	meta := mem.NewMeta()
	kcfg := kinesis.DefaultConfig()
	kcfg.CreateDelay = 0
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
	out := filepath.Join(dir, "records.jsonl")
	for _, f := range []struct{ name, pkg, out string }{
		{"fn", "./testdata/kinesisfn", filepath.Join(dir, "seen.jsonl")},
		{"dest", "./testdata/destfn", out},
	} {
		if _, err := svc.CreateFunction(region, &lp.CreateFunctionInput{FunctionName: f.name, Runtime: "provided.al2023", Role: role, Handler: "bootstrap",
			Code: &lp.FunctionCode{ZipFile: bootstrapZip(t, f.pkg)}, Environment: &lp.Environment{Variables: map[string]string{"OUT": f.out}}}); err != nil {
			t.Fatal(err)
		}
	}
	e := &testEnv{meta: meta, eng: eng, svc: svc}
	seqs := e.put(t, "src", "bad")
	const destARN = "arn:aws:lambda:us-east-1:000000000000:function:dest"
	uuid := e.createMapping(t, destARN)
	m := New(Config{PollInterval: 10 * time.Millisecond, RetryDelay: time.Millisecond}, svc, svc,
		func(string) (Source, error) { return eng, nil }, meta)
	defer m.Close()

	var recs []map[string]any
	waitFor(t, func() bool {
		b, _ := os.ReadFile(out)
		recs = nil
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			var r map[string]any
			if json.Unmarshal([]byte(l), &r) == nil {
				recs = append(recs, r)
			}
		}
		return len(recs) >= 1
	})
	rec := recs[0]
	rc, _ := rec["requestContext"].(map[string]any)
	resp, _ := rec["responseContext"].(map[string]any)
	bi, _ := rec["KinesisBatchInfo"].(map[string]any)
	if len(rec) != 5 || rc == nil || resp == nil || bi == nil ||
		rc["functionArn"] != fnARN || rc["condition"] != "RetryAttemptsExhausted" || rc["approximateInvokeCount"] != 3.0 ||
		resp["functionError"] != "Unhandled" || bi["startSequenceNumber"] != seqs[0] || bi["batchSize"] != 1.0 || bi["streamArn"] != streamARN {
		t.Fatalf("destination's event %v (mapping %s)", rec, uuid)
	}
}
