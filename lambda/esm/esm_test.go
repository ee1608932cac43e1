package esm

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/kinesis"
	"github.com/eddy-streams/eddy/lambda"
	"github.com/eddy-streams/eddy/protocol/kds"
	lp "github.com/eddy-streams/eddy/protocol/lambda"
	"github.com/eddy-streams/eddy/storage"
	"github.com/eddy-streams/eddy/storage/mem"
)

const (
	region    = "us-east-1"
	streamARN = "arn:aws:kinesis:us-east-1:000000000000:stream/src"
	dlqARN    = "arn:aws:kinesis:us-east-1:000000000000:stream/dlq"
	fnARN     = "arn:aws:lambda:us-east-1:000000000000:function:fn"
	role      = "arn:aws:iam::000000000000:role/r"
)

// fakeFunction stands in for a function: it decodes each event and
// answers as respond says, recording every call.
type fakeFunction struct {
	mu      sync.Mutex
	calls   []event
	respond func(call int, ev event) (result []byte, functionError string)
}

func (f *fakeFunction) Invoke(ctx context.Context, name string, payload []byte) ([]byte, string, error) {
	if name != fnARN {
		return nil, "", fmt.Errorf("unexpected function %s", name)
	}
	var ev event
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, "", err
	}
	f.mu.Lock()
	f.calls = append(f.calls, ev)
	n := len(f.calls)
	f.mu.Unlock()
	if f.respond == nil {
		return []byte("null"), "", nil
	}
	res, fe := f.respond(n, ev)
	return res, fe, nil
}

func (f *fakeFunction) snapshot() []event {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]event(nil), f.calls...)
}

type testEnv struct {
	meta    storage.MetaStore
	eng     *kinesis.Engine
	svc     *lambda.Service
	fn      *fakeFunction
	manager *Manager
}

func setup(t *testing.T, fn *fakeFunction, mutate ...func(*lambda.Config)) *testEnv {
	t.Helper()
	meta := mem.NewMeta()
	kcfg := kinesis.DefaultConfig()
	kcfg.CreateDelay, kcfg.UpdateDelay, kcfg.DeleteDelay = 0, 0, 0
	eng, err := kinesis.New(kcfg, mem.NewLogs(), meta)
	if err != nil {
		t.Fatal(err)
	}
	lcfg := lambda.DefaultConfig()
	lcfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, m := range mutate {
		m(&lcfg)
	}
	svc, err := lambda.New(lcfg, meta)
	if err != nil {
		t.Fatal(err)
	}
	e := &testEnv{meta: meta, eng: eng, svc: svc, fn: fn}
	t.Cleanup(func() {
		if e.manager != nil {
			e.manager.Close()
		}
		svc.Close()
		eng.Close()
	})
	ctx := context.Background()
	for _, s := range []string{"src", "dlq"} {
		if _, err := eng.CreateStream(ctx, &kds.CreateStreamInput{StreamName: ptr(s), ShardCount: ptr(int32(1))}); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, func() bool {
		out, err := eng.DescribeStreamSummary(ctx, &kds.DescribeStreamSummaryInput{StreamName: ptr("dlq")})
		return err == nil && out.StreamDescriptionSummary.StreamStatus == kinesis.StatusActive
	})
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	w, _ := zw.Create("app.py")
	w.Write([]byte("def handler(e, c):\n    return e\n"))
	zw.Close()
	in := &lp.CreateFunctionInput{FunctionName: "fn", Runtime: "python3.12", Role: role, Handler: "app.handler", Code: &lp.FunctionCode{ZipFile: zb.Bytes()}}
	if _, err := svc.CreateFunction(region, in); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *testEnv) start() {
	e.manager = New(Config{PollInterval: 10 * time.Millisecond, RetryDelay: time.Millisecond}, e.svc, e.fn,
		func(string) (Source, error) { return e.eng, nil }, e.meta)
}

func (e *testEnv) stop() {
	e.manager.Close()
	e.manager = nil
}

func (e *testEnv) put(t *testing.T, stream string, data ...string) []string {
	t.Helper()
	var seqs []string
	for _, d := range data {
		out, err := e.eng.PutRecord(context.Background(), &kds.PutRecordInput{StreamName: ptr(stream), PartitionKey: ptr("pk"), Data: []byte(d)})
		if err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, out.SequenceNumber)
	}
	return seqs
}

func (e *testEnv) mapping(t *testing.T, mut func(in *lp.CreateEventSourceMappingInput)) {
	t.Helper()
	in := &lp.CreateEventSourceMappingInput{EventSourceArn: streamARN, StartingPosition: lp.StartingPositionTrimHorizon}
	in.FunctionName = "fn"
	if mut != nil {
		mut(in)
	}
	if err := in.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.CreateEventSourceMapping(region, in); err != nil {
		t.Fatal(err)
	}
}

// readAll returns the data of every record in stream.
func (e *testEnv) readAll(t *testing.T, stream string) [][]byte {
	t.Helper()
	ctx := context.Background()
	it, err := e.eng.GetShardIterator(ctx, &kds.GetShardIteratorInput{StreamName: ptr(stream), ShardId: ptr("shardId-000000000000"), ShardIteratorType: ptr(kds.ShardIteratorTypeTrimHorizon)})
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.eng.GetRecords(ctx, &kds.GetRecordsInput{ShardIterator: &it.ShardIterator})
	if err != nil {
		t.Fatal(err)
	}
	var data [][]byte
	for _, r := range out.Records {
		data = append(data, append([]byte(nil), r.Data...))
	}
	out.Release()
	return data
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 30s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func datas(calls []event) [][]string {
	var out [][]string
	for _, c := range calls {
		var b []string
		for _, r := range c.Records {
			b = append(b, string(r.Kinesis.Data))
		}
		out = append(out, b)
	}
	return out
}

func numbered(from, n int) []string {
	var s []string
	for i := from; i < from+n; i++ {
		s = append(s, "r"+strconv.Itoa(i))
	}
	return s
}

func TestBatchesEventShapeAndResume(t *testing.T) {
	e := setup(t, &fakeFunction{})
	seqs := e.put(t, "src", numbered(0, 250)...)
	e.mapping(t, nil)
	e.start()
	waitFor(t, func() bool { return len(e.fn.snapshot()) == 3 })
	calls := e.fn.snapshot()
	for i, want := range []int{100, 100, 50} {
		if len(calls[i].Records) != want {
			t.Fatalf("batch %d has %d records, want %d", i, len(calls[i].Records), want)
		}
	}
	r := calls[0].Records[0]
	if r.EventSource != "aws:kinesis" || r.EventVersion != "1.0" || r.EventName != "aws:kinesis:record" ||
		r.EventID != "shardId-000000000000:"+seqs[0] || r.InvokeIdentityArn != role || r.AwsRegion != region ||
		r.EventSourceARN != streamARN || r.Kinesis.KinesisSchemaVersion != "1.0" || r.Kinesis.PartitionKey != "pk" ||
		r.Kinesis.SequenceNumber != seqs[0] || string(r.Kinesis.Data) != "r0" || r.Kinesis.ApproximateArrivalTimestamp < 1e9 {
		t.Fatalf("record %+v", r)
	}
	waitFor(t, func() bool {
		m, err := e.svc.EventSourceMappings()
		return err == nil && m[0].Config.LastProcessingResult == lp.LastProcessingResultOK
	})
	// A restart resumes after the last handled record: nothing again,
	// nothing skipped.
	e.stop()
	e.put(t, "src", numbered(250, 10)...)
	e.start()
	waitFor(t, func() bool { return len(e.fn.snapshot()) >= 4 })
	var got []string
	for _, b := range datas(e.fn.snapshot()) {
		got = append(got, b...)
	}
	want := numbered(0, 260)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("delivered %v", got)
	}
	// Deleting the mapping deletes its checkpoints.
	e.stop()
	ms, _ := e.svc.EventSourceMappings()
	if _, err := e.svc.DeleteEventSourceMapping(ms[0].Config.UUID); err != nil {
		t.Fatal(err)
	}
	e.meta.View(func(tx storage.MetaTx) error {
		return tx.Scan(checkpointTable, "", "", func(k string, _ []byte) (bool, error) {
			t.Errorf("checkpoint %s left after delete", k)
			return true, nil
		})
	})
}

func TestRetriesExhaustedOnFailureRecord(t *testing.T) {
	fn := &fakeFunction{respond: func(call int, ev event) ([]byte, string) {
		if string(ev.Records[0].Kinesis.Data) == "bad" {
			return []byte(`{"errorMessage":"boom"}`), "Unhandled"
		}
		return []byte("null"), ""
	}}
	e := setup(t, fn)
	seqs := e.put(t, "src", "bad")
	e.mapping(t, func(in *lp.CreateEventSourceMappingInput) {
		in.MaximumRetryAttempts = ptr(int32(2))
		in.DestinationConfig = &lp.DestinationConfig{OnFailure: &lp.OnFailure{Destination: dlqARN}}
	})
	e.start()
	waitFor(t, func() bool { return len(e.readAll(t, "dlq")) == 1 })
	if n := len(fn.snapshot()); n != 3 {
		t.Fatalf("%d invocations, want 3 (1 + 2 retries)", n)
	}
	var rec map[string]any
	if err := json.Unmarshal(e.readAll(t, "dlq")[0], &rec); err != nil {
		t.Fatal(err)
	}
	rc := rec["requestContext"].(map[string]any)
	resp := rec["responseContext"].(map[string]any)
	bi := rec["KinesisBatchInfo"].(map[string]any)
	if rc["functionArn"] != fnARN || rc["condition"] != "RetryAttemptsExhausted" || rc["approximateInvokeCount"] != 3.0 || len(rc["requestId"].(string)) != 36 ||
		resp["statusCode"] != 200.0 || resp["executedVersion"] != "$LATEST" || resp["functionError"] != "Unhandled" ||
		rec["version"] != "1.0" || len(rec["timestamp"].(string)) != len("2019-11-14T00:38:06.021Z") ||
		bi["shardId"] != "shardId-000000000000" || bi["startSequenceNumber"] != seqs[0] || bi["endSequenceNumber"] != seqs[0] ||
		bi["batchSize"] != 1.0 || bi["streamArn"] != streamARN || bi["approximateArrivalOfFirstRecord"] == "" || bi["approximateArrivalOfLastRecord"] == "" {
		t.Fatalf("on-failure record %v", rec)
	}
	if len(rec) != 5 || len(rc) != 4 || len(resp) != 3 || len(bi) != 7 {
		t.Fatalf("on-failure record has extra members: %v", rec)
	}
	// The shard moves on past the discarded batch.
	e.put(t, "src", "good")
	waitFor(t, func() bool {
		c := fn.snapshot()
		return string(c[len(c)-1].Records[0].Kinesis.Data) == "good"
	})
}

func TestBisectIsolatesPoisonRecord(t *testing.T) {
	fn := &fakeFunction{respond: func(call int, ev event) ([]byte, string) {
		for _, r := range ev.Records {
			if string(r.Kinesis.Data) == "bad" {
				return []byte(`{"errorMessage":"poison"}`), "Unhandled"
			}
		}
		return []byte("null"), ""
	}}
	e := setup(t, fn)
	e.put(t, "src", "a", "b", "c", "d", "e", "bad", "g", "h")
	e.mapping(t, func(in *lp.CreateEventSourceMappingInput) {
		in.BisectBatchOnFunctionError = ptr(true)
		in.MaximumRetryAttempts = ptr(int32(0))
		in.DestinationConfig = &lp.DestinationConfig{OnFailure: &lp.OnFailure{Destination: dlqARN}}
	})
	e.start()
	waitFor(t, func() bool { return len(e.readAll(t, "dlq")) == 1 })
	var rec failureRecord
	if err := json.Unmarshal(e.readAll(t, "dlq")[0], &rec); err != nil {
		t.Fatal(err)
	}
	if rec.KinesisBatchInfo.BatchSize != 1 {
		t.Fatalf("discarded batch %+v, want the poison record alone", rec.KinesisBatchInfo)
	}
	waitFor(t, func() bool {
		ok := map[string]bool{}
		for _, c := range fn.snapshot() {
			bad := false
			for _, r := range c.Records {
				bad = bad || string(r.Kinesis.Data) == "bad"
			}
			for _, r := range c.Records {
				if !bad {
					ok[string(r.Kinesis.Data)] = true
				}
			}
		}
		return len(ok) == 7
	})
	// Halves run in stream order: [a..h] fails, [a b c d] ok, [e bad g h]
	// fails, [e bad] fails, [e] ok, [bad] fails and is discarded, [g h] ok.
	want := "[[a b c d e bad g h] [a b c d] [e bad g h] [e bad] [e] [bad] [g h]]"
	if got := fmt.Sprint(datas(fn.snapshot())); got != want {
		t.Fatalf("invocations %s, want %s", got, want)
	}
}

func TestReportBatchItemFailuresRetriesFromLowestFailure(t *testing.T) {
	var seqs []string
	fn := &fakeFunction{}
	fn.respond = func(call int, ev event) ([]byte, string) {
		if call == 1 {
			// Two failures reported; the retry starts at the lower one.
			return []byte(`{"batchItemFailures":[{"itemIdentifier":"` + seqs[4] + `"},{"itemIdentifier":"` + seqs[2] + `"}]}`), ""
		}
		if call == 2 {
			return []byte(`{"batchItemFailures":[{"itemIdentifier":"not-a-sequence-number"}]}`), ""
		}
		return []byte(`{"batchItemFailures":[]}`), ""
	}
	e := setup(t, fn)
	seqs = e.put(t, "src", "a", "b", "c", "d", "e", "f")
	e.mapping(t, func(in *lp.CreateEventSourceMappingInput) {
		in.FunctionResponseTypes = []string{lp.ReportBatchItemFailures}
	})
	e.start()
	waitFor(t, func() bool { return len(fn.snapshot()) >= 3 })
	// The unknown identifier fails the whole (retried) batch: it is sent
	// again unchanged.
	want := "[[a b c d e f] [c d e f] [c d e f]]"
	if got := fmt.Sprint(datas(fn.snapshot()[:3])); got != want {
		t.Fatalf("invocations %s, want %s", got, want)
	}
	e.put(t, "src", "g")
	waitFor(t, func() bool { return len(fn.snapshot()) >= 4 })
	if got := fmt.Sprint(datas(fn.snapshot()[3:4])); got != "[[g]]" {
		t.Fatalf("after success %s", got)
	}
}

func TestParentDrainedBeforeChildren(t *testing.T) {
	e := setup(t, &fakeFunction{})
	ctx := context.Background()
	e.put(t, "src", numbered(0, 5)...)
	if _, err := e.eng.SplitShard(ctx, &kds.SplitShardInput{StreamName: ptr("src"), ShardToSplit: ptr("shardId-000000000000"),
		NewStartingHashKey: ptr("170141183460469231731687303715884105728")}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool {
		out, err := e.eng.DescribeStreamSummary(ctx, &kds.DescribeStreamSummaryInput{StreamName: ptr("src")})
		return err == nil && out.StreamDescriptionSummary.StreamStatus == kinesis.StatusActive
	})
	// Records into both children (explicit hash keys on either side).
	for i, h := range []string{"1", "170141183460469231731687303715884105729", "2", "170141183460469231731687303715884105730"} {
		if _, err := e.eng.PutRecord(ctx, &kds.PutRecordInput{StreamName: ptr("src"), PartitionKey: ptr("pk"), ExplicitHashKey: ptr(h), Data: []byte("c" + strconv.Itoa(i))}); err != nil {
			t.Fatal(err)
		}
	}
	e.mapping(t, nil)
	e.start()
	var got []string
	waitFor(t, func() bool {
		got = nil
		for _, b := range datas(e.fn.snapshot()) {
			got = append(got, b...)
		}
		return len(got) == 9
	})
	if fmt.Sprint(got[:5]) != fmt.Sprint(numbered(0, 5)) {
		t.Fatalf("delivered %v: the parent's records must come first", got)
	}
	for _, c := range e.fn.snapshot()[1:] {
		if id := c.Records[0].EventID; id[:len("shardId-000000000000")] == "shardId-000000000000" {
			t.Fatalf("parent records after children: %v", got)
		}
	}
}

func TestFailingShardDoesNotBlockOthers(t *testing.T) {
	fn := &fakeFunction{respond: func(call int, ev event) ([]byte, string) {
		if string(ev.Records[0].Kinesis.Data) == "bad" {
			return []byte(`{"errorMessage":"stuck"}`), "Unhandled"
		}
		return []byte("null"), ""
	}}
	e := setup(t, fn)
	ctx := context.Background()
	if _, err := e.eng.CreateStream(ctx, &kds.CreateStreamInput{StreamName: ptr("two"), ShardCount: ptr(int32(2))}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool {
		out, err := e.eng.DescribeStreamSummary(ctx, &kds.DescribeStreamSummaryInput{StreamName: ptr("two")})
		return err == nil && out.StreamDescriptionSummary.StreamStatus == kinesis.StatusActive
	})
	// "bad" on the first shard, retried forever (MaximumRetryAttempts -1);
	// records keep flowing on the second.
	put := func(hash, data string) {
		if _, err := e.eng.PutRecord(ctx, &kds.PutRecordInput{StreamName: ptr("two"), PartitionKey: ptr("pk"), ExplicitHashKey: ptr(hash), Data: []byte(data)}); err != nil {
			t.Fatal(err)
		}
	}
	put("1", "bad")
	e.mapping(t, func(in *lp.CreateEventSourceMappingInput) {
		in.EventSourceArn = "arn:aws:kinesis:us-east-1:000000000000:stream/two"
	})
	e.start()
	waitFor(t, func() bool { return len(fn.snapshot()) >= 3 }) // the bad batch is being retried
	put("200000000000000000000000000000000000000", "ok1")
	put("200000000000000000000000000000000000000", "ok2")
	waitFor(t, func() bool {
		n := 0
		for _, b := range datas(fn.snapshot()) {
			for _, d := range b {
				if d == "ok1" || d == "ok2" {
					n++
				}
			}
		}
		return n == 2
	})
}

func TestFilterCriteriaDropsUnmatchedRecords(t *testing.T) {
	e := setup(t, &fakeFunction{})
	e.put(t, "src", `{"type":"order","n":5}`, `{"type":"refund","n":1}`, "not json", `{"type":"order","n":50}`, `{"type":"ORDER","n":7}`)
	e.mapping(t, func(in *lp.CreateEventSourceMappingInput) {
		in.FilterCriteria = &lp.FilterCriteria{Filters: []lp.Filter{
			{Pattern: `{"data":{"type":["order"],"n":[{"numeric":["<",10]}]}}`},
			{Pattern: `{"data":{"type":[{"equals-ignore-case":"order"}],"n":[{"numeric":[">=",7,"<",8]}]}}`},
		}}
	})
	e.start()
	waitFor(t, func() bool { return len(e.fn.snapshot()) >= 1 })
	var got []string
	for _, b := range datas(e.fn.snapshot()) {
		got = append(got, b...)
	}
	if want := `[{"type":"order","n":5} {"type":"ORDER","n":7}]`; fmt.Sprint(got) != want {
		t.Fatalf("invoked with %v, want %s", got, want)
	}
	// Dropped records are checkpointed: the shard's checkpoint is the last record's.
	waitFor(t, func() bool {
		ms, _ := e.svc.EventSourceMappings()
		cp, err := e.manager.loadCheckpoint(ms[0].Config.UUID, "shardId-000000000000")
		return err == nil && cp.Seq != ""
	})
}

func TestFilterOperators(t *testing.T) {
	rec := func(data string) *kds.Record {
		return &kds.Record{PartitionKey: "user-1", SequenceNumber: "1", Data: []byte(data)}
	}
	cases := []struct {
		pattern, data string
		want          bool
	}{
		{`{"partitionKey":["user-1"]}`, "x", true},
		{`{"partitionKey":[{"prefix":"user-"}]}`, "x", true},
		{`{"partitionKey":[{"suffix":"-2"}]}`, "x", false},
		{`{"data":{"a":[1]}}`, `{"a":1}`, true},
		{`{"data":{"a":[1]}}`, `not json`, false},
		{`{"data":{"a":[{"exists":false}]}}`, `{"b":1}`, true},
		{`{"data":{"a":[{"exists":true}]}}`, `{"b":1}`, false},
		{`{"data":{"a":[{"anything-but":["x","y"]}]}}`, `{"a":"z"}`, true},
		{`{"data":{"a":[{"anything-but":["x","y"]}]}}`, `{"a":"x"}`, false},
		{`{"data":{"a":{"b":["deep"]}}}`, `{"a":{"b":"deep"}}`, true},
		{`{"data":{"tags":["red"]}}`, `{"tags":["blue","red"]}`, true},
		{`{"data":{"a":[null]}}`, `{"a":null}`, true},
		{`{"data":{"n":[{"numeric":[">",0,"<=",5]}]}}`, `{"n":5}`, true},
		{`{"data":{"n":[{"numeric":[">",0,"<=",5]}]}}`, `{"n":6}`, false},
		{`{"data":{"a":[{"cidr":"10.0.0.0/24"}]}}`, `{"a":"10.0.0.1"}`, false},
	}
	for _, c := range cases {
		fs := compileFilters(&lp.FilterCriteria{Filters: []lp.Filter{{Pattern: c.pattern}}})
		if got := fs.match(rec(c.data)); got != c.want {
			t.Errorf("pattern %s on %s: %v, want %v", c.pattern, c.data, got, c.want)
		}
	}
}

func TestParallelizationFactorKeepsKeyOrder(t *testing.T) {
	// Two invocations must be in flight at once: each waits (bounded) for
	// the other to start.
	var inflight sync.WaitGroup
	inflight.Add(2)
	var once sync.Map
	fn := &fakeFunction{}
	fn.respond = func(call int, ev event) ([]byte, string) {
		if call <= 2 {
			if _, dup := once.LoadOrStore(call, true); !dup {
				inflight.Done()
			}
			done := make(chan struct{})
			go func() { inflight.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(20 * time.Second):
				return []byte(`{"errorMessage":"the other lane never ran"}`), "Unhandled"
			}
		}
		return []byte("null"), ""
	}
	e := setup(t, fn)
	ctx := context.Background()
	// Keys a..f, four records each, interleaved.
	for i := 0; i < 4; i++ {
		for _, k := range []string{"a", "b", "c", "d", "e", "f"} {
			if _, err := e.eng.PutRecord(ctx, &kds.PutRecordInput{StreamName: ptr("src"), PartitionKey: ptr(k), Data: []byte(k + strconv.Itoa(i))}); err != nil {
				t.Fatal(err)
			}
		}
	}
	e.mapping(t, func(in *lp.CreateEventSourceMappingInput) {
		in.ParallelizationFactor = ptr(int32(2))
		in.BatchSize = ptr(int32(5))
	})
	e.start()
	waitFor(t, func() bool {
		n := 0
		for _, b := range datas(fn.snapshot()) {
			n += len(b)
		}
		return n >= 24
	})
	next := map[string]int{}
	for _, c := range fn.snapshot() {
		if len(c.Records) > 5 {
			t.Fatalf("batch of %d records, BatchSize 5", len(c.Records))
		}
		for _, r := range c.Records {
			k, d := r.Kinesis.PartitionKey, string(r.Kinesis.Data)
			if d != k+strconv.Itoa(next[k]) {
				t.Fatalf("key %s: got %s, want %s%d (order broken or record repeated)", k, d, k, next[k])
			}
			next[k]++
		}
	}
	for _, k := range []string{"a", "b", "c", "d", "e", "f"} {
		if next[k] != 4 {
			t.Fatalf("key %s: %d records", k, next[k])
		}
	}
}
