package esm

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/kinesis"
	"github.com/eddy-streams/eddy/lambda"
	"github.com/eddy-streams/eddy/protocol/kds"
	lp "github.com/eddy-streams/eddy/protocol/lambda"
	"github.com/eddy-streams/eddy/runtimeapi"
	"github.com/eddy-streams/eddy/storage/mem"
)

// TestRealHandlerBisectAndDestination runs testdata/kinesisfn, an
// aws-lambda-go handler taking events.KinesisEvent, as a real function:
// the event decodes with every field, a poison record is isolated by
// bisection and described to the on-failure stream, and every other
// record is handled.
func TestRealHandlerBisectAndDestination(t *testing.T) {
	dir := t.TempDir()
	zipped := bootstrapZip(t, "./testdata/kinesisfn")

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
	for _, s := range []string{"src", "dlq"} {
		if _, err := eng.CreateStream(ctx, &kds.CreateStreamInput{StreamName: ptr(s), ShardCount: ptr(int32(1))}); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(dir, "out.jsonl")
	if _, err := svc.CreateFunction(region, &lp.CreateFunctionInput{FunctionName: "fn", Runtime: "provided.al2023", Role: role, Handler: "bootstrap",
		Code: &lp.FunctionCode{ZipFile: zipped}, Environment: &lp.Environment{Variables: map[string]string{"OUT": out}}}); err != nil {
		t.Fatal(err)
	}
	e := &testEnv{meta: meta, eng: eng, svc: svc}
	waitFor(t, func() bool {
		o, err := eng.DescribeStreamSummary(ctx, &kds.DescribeStreamSummaryInput{StreamName: ptr("dlq")})
		return err == nil && o.StreamDescriptionSummary.StreamStatus == kinesis.StatusActive
	})
	seqs := e.put(t, "src", "a", "b", "bad", "c")
	in := &lp.CreateEventSourceMappingInput{EventSourceArn: streamARN, StartingPosition: lp.StartingPositionTrimHorizon}
	in.FunctionName = "fn"
	in.BisectBatchOnFunctionError = ptr(true)
	in.MaximumRetryAttempts = ptr(int32(0))
	in.DestinationConfig = &lp.DestinationConfig{OnFailure: &lp.OnFailure{Destination: dlqARN}}
	if _, err := svc.CreateEventSourceMapping(region, in); err != nil {
		t.Fatal(err)
	}
	m := New(Config{PollInterval: 10 * time.Millisecond, RetryDelay: time.Millisecond}, svc, svc,
		func(string) (Source, error) { return eng, nil }, meta)
	defer m.Close()

	waitFor(t, func() bool { return len(e.readAll(t, "dlq")) == 1 })
	var rec failureRecord
	if err := json.Unmarshal(e.readAll(t, "dlq")[0], &rec); err != nil {
		t.Fatal(err)
	}
	if rec.KinesisBatchInfo.BatchSize != 1 || rec.KinesisBatchInfo.StartSequenceNumber != seqs[2] ||
		rec.ResponseContext.FunctionError != "Unhandled" || rec.RequestContext.Condition != "RetryAttemptsExhausted" {
		t.Fatalf("on-failure record %+v", rec)
	}
	// Invocations: [a b bad c] fails, [a b] ok, [bad c] fails, [bad]
	// fails (discarded), [c] ok.
	type line struct {
		Data, PartitionKey, SequenceNumber, EventID, EventName, EventSource, EventVersion string
		Region, SourceARN, Identity, SchemaVersion                                        string
		Arrival                                                                           int64
		BatchSize                                                                         int
	}
	var lines []line
	waitFor(t, func() bool {
		b, _ := os.ReadFile(out)
		lines = nil
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			var x line
			if json.Unmarshal([]byte(l), &x) == nil {
				lines = append(lines, x)
			}
		}
		return len(lines) == 4+2+2+1+1
	})
	var got []string
	for _, l := range lines {
		got = append(got, l.Data)
	}
	if strings.Join(got, ",") != "a,b,bad,c,a,b,bad,c,bad,c" {
		t.Fatalf("records seen by the handler: %v", got)
	}
	l := lines[0]
	if l.PartitionKey != "pk" || l.SequenceNumber != seqs[0] || l.EventID != "shardId-000000000000:"+seqs[0] ||
		l.EventName != "aws:kinesis:record" || l.EventSource != "aws:kinesis" || l.EventVersion != "1.0" ||
		l.Region != region || l.SourceARN != streamARN || l.Identity != role || l.SchemaVersion != "1.0" ||
		time.Since(time.Unix(l.Arrival, 0)) > time.Hour || l.BatchSize != 4 {
		t.Fatalf("decoded record %+v", l)
	}
}

// bootstrapZip builds the Go command pkg (./testdata/...) as a Lambda
// bootstrap and returns its zip.
func bootstrapZip(t *testing.T, pkg string) []byte {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "bootstrap")
	cmd := exec.Command("go", "build", "-o", bin, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v: %s", pkg, err, b)
	}
	code, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	h := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate}
	h.SetMode(0o755)
	w, _ := zw.CreateHeader(h)
	w.Write(code)
	zw.Close()
	return zb.Bytes()
}
