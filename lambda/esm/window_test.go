package esm

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/kinesis"
	"github.com/eddy-streams/eddy/protocol/kds"
	lp "github.com/eddy-streams/eddy/protocol/lambda"
)

// countingSource counts GetRecords calls, so a test can wait until the
// poller has looked at the shard several times.
type countingSource struct {
	Source
	reads atomic.Int64
}

func (s *countingSource) GetRecords(ctx context.Context, in *kds.GetRecordsInput) (*kds.GetRecordsOutput, error) {
	s.reads.Add(1)
	return s.Source.GetRecords(ctx, in)
}

func (e *testEnv) startWith(clock *kinesis.FakeClock, src Source) {
	e.manager = New(Config{PollInterval: 10 * time.Millisecond, RetryDelay: time.Millisecond, Clock: clock}, e.svc, e.fn,
		func(string) (Source, error) { return src, nil }, e.meta)
}

func TestBatchingWindowWaitsForMoreRecords(t *testing.T) {
	e := setup(t, &fakeFunction{})
	clock := kinesis.NewFakeClock(time.Now())
	src := &countingSource{Source: e.eng}
	e.put(t, "src", "a", "b", "c")
	e.mapping(t, func(in *lp.CreateEventSourceMappingInput) { in.MaximumBatchingWindowInSeconds = ptr(int32(5)) })
	e.startWith(clock, src)
	// The poller reads the shard again and again but holds the three
	// records: the window is open and the batch is not full.
	waitFor(t, func() bool { return src.reads.Load() >= 5 })
	clock.Advance(4 * time.Second)
	n := src.reads.Load()
	waitFor(t, func() bool { return src.reads.Load() >= n+3 })
	if calls := e.fn.snapshot(); len(calls) != 0 {
		t.Fatalf("invoked before the window closed: %v", datas(calls))
	}
	clock.Advance(time.Second)
	waitFor(t, func() bool { return len(e.fn.snapshot()) == 1 })
	if got := datas(e.fn.snapshot()); len(got[0]) != 3 {
		t.Fatalf("batch %v", got)
	}
}

func TestRecordAgeDiscardsWithoutInvoking(t *testing.T) {
	e := setup(t, &fakeFunction{})
	clock := kinesis.NewFakeClock(time.Now().Add(2 * time.Minute))
	seqs := e.put(t, "src", "old1", "old2")
	e.mapping(t, func(in *lp.CreateEventSourceMappingInput) {
		in.MaximumRecordAgeInSeconds = ptr(int32(60))
		in.DestinationConfig = &lp.DestinationConfig{OnFailure: &lp.OnFailure{Destination: dlqARN}}
	})
	e.startWith(clock, e.eng)
	waitFor(t, func() bool { return len(e.readAll(t, "dlq")) == 1 })
	var rec failureRecord
	if err := json.Unmarshal(e.readAll(t, "dlq")[0], &rec); err != nil {
		t.Fatal(err)
	}
	if rec.RequestContext.Condition != "RecordAgeExceeded" || rec.RequestContext.ApproximateInvokeCount != 0 ||
		rec.KinesisBatchInfo.BatchSize != 2 || rec.KinesisBatchInfo.StartSequenceNumber != seqs[0] || rec.KinesisBatchInfo.EndSequenceNumber != seqs[1] {
		t.Fatalf("on-failure record %+v", rec)
	}
	// Fresh records are still invoked.
	clock.Advance(-2 * time.Minute)
	e.put(t, "src", "new")
	waitFor(t, func() bool { return len(e.fn.snapshot()) == 1 })
	if got := datas(e.fn.snapshot()); got[0][0] != "new" || len(got[0]) != 1 {
		t.Fatalf("invocations %v", got)
	}
}
