package kinesis

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/protocol/kds"
)

// faultCounts puts n one-record entries in one PutRecords call and counts
// the outcomes by error code ("" for written).
func faultCounts(t *testing.T, e *Engine, stream string, n int) map[string]int {
	t.Helper()
	entries := make([]putEntry, n)
	for i := range entries {
		entries[i] = putEntry{PartitionKey: "k", Data: []byte{byte(i)}}
	}
	res, err := e.putRecords(context.Background(), "PutRecords", stream, entries)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, r := range res {
		out[r.ErrorCode]++
		if r.ErrorCode == eddy.CodeProvisionedThroughput && r.ErrorMsg != shardRateMessage(shardID(0), stream, "000000000000") {
			t.Fatalf("throttle message %q", r.ErrorMsg)
		}
	}
	return out
}

func TestFaultsSeededPerEntry(t *testing.T) {
	rules := []FaultRule{{Stream: "s", Operation: "PutRecords", ThrottleRate: 0.2, FailureRate: 0.1, Seed: 7}}
	var first map[string]int
	for run := range 2 {
		e := newEnv(t, nil).e
		e.createStream("s", 1, ModeProvisioned, nil)
		e.createStream("other", 1, ModeProvisioned, nil)
		if err := e.SetFaults(rules); err != nil {
			t.Fatal(err)
		}
		got := faultCounts(t, e, "s", 1000)
		if got[eddy.CodeProvisionedThroughput] < 150 || got[eddy.CodeProvisionedThroughput] > 250 ||
			got[eddy.CodeInternalFailure] < 60 || got[eddy.CodeInternalFailure] > 140 {
			t.Fatalf("outcomes %v, want about 20%% throttled and 10%% failed", got)
		}
		if run == 0 {
			first = got
		} else if got[""] != first[""] || got[eddy.CodeInternalFailure] != first[eddy.CodeInternalFailure] {
			t.Fatalf("same seed, different faults: %v then %v", first, got)
		}
		// The written entries are readable; the others are not there.
		it, _ := e.getShardIterator(context.Background(), "s", shardID(0), IterTrimHorizon, nil, nil)
		data, _ := readAll(t, e, it)
		if len(data) != got[""] {
			t.Fatalf("%d records readable, %d written", len(data), got[""])
		}
		// Other streams and operations are untouched.
		if o := faultCounts(t, e, "other", 100); o[""] != 100 {
			t.Fatalf("other stream: %v", o)
		}
		if _, err := e.PutRecord(context.Background(), &kds.PutRecordInput{StreamName: ptr("s"), PartitionKey: ptr("k"), Data: []byte("x")}); err != nil {
			t.Fatalf("PutRecord, not in the rule: %v", err)
		}
	}
}

func TestFaultsWholeCalls(t *testing.T) {
	env := newEnv(t, nil)
	e := env.e
	ctx := context.Background()
	e.createStream("s", 1, ModeProvisioned, nil)
	if err := e.SetFaults([]FaultRule{
		{Operation: "GetShardIterator", ThrottleRate: 1},
		{Operation: "DescribeStreamSummary", ThrottleRate: 1},
		{Operation: "ListShards", FailureRate: 1},
	}); err != nil {
		t.Fatal(err)
	}
	_, err := e.getShardIterator(ctx, "s", shardID(0), IterLatest, nil, nil)
	wantCode(t, err, eddy.CodeProvisionedThroughput)
	if want := shardRateMessage(shardID(0), "s", "000000000000"); err.(*eddy.Error).Message != want {
		t.Fatalf("message %q, want %q", err.(*eddy.Error).Message, want)
	}
	wantCode(t, e.Admit(ctx, "DescribeStreamSummary", &kds.DescribeStreamSummaryInput{StreamName: ptr("s")}), eddy.CodeLimitExceeded)
	wantCode(t, e.Admit(ctx, "ListShards", &kds.ListShardsInput{StreamName: ptr("s")}), eddy.CodeInternalFailure)
	if err := e.Admit(ctx, "DescribeStream", &kds.DescribeStreamInput{StreamName: ptr("s")}); err != nil {
		t.Fatal(err)
	}
	if got := len(e.Faults()); got != 3 {
		t.Fatalf("Faults() has %d rules", got)
	}
	e.SetFaults(nil)
	if _, err := e.getShardIterator(ctx, "s", shardID(0), IterLatest, nil, nil); err != nil {
		t.Fatal(err)
	}
	// Bad rules are refused and change nothing.
	for _, bad := range []FaultRule{{ThrottleRate: 1.5}, {FailureRate: -1}, {ThrottleRate: 0.6, FailureRate: 0.6},
		{Latency: Duration(-time.Second)}, {Operation: "Nope"}} {
		if err := e.SetFaults([]FaultRule{bad}); err == nil {
			t.Fatalf("rule %+v accepted", bad)
		}
	}
	if len(e.Faults()) != 0 {
		t.Fatal("a refused rule was kept")
	}
}

func TestFaultLatency(t *testing.T) {
	env := newEnv(t, nil)
	e := env.e
	e.createStream("s", 1, ModeProvisioned, nil)
	e.SetFaults([]FaultRule{{Stream: "s", Latency: Duration(time.Second)}})
	base := env.clock.Timers()
	done := make(chan error, 1)
	go func() {
		_, err := e.PutRecord(context.Background(), &kds.PutRecordInput{StreamName: ptr("s"), PartitionKey: ptr("k"), Data: []byte("x")})
		done <- err
	}()
	waitFor(t, "the delayed call", func() bool { return env.clock.Timers() > base })
	select {
	case err := <-done:
		t.Fatalf("call returned before the latency: %v", err)
	default:
	}
	env.clock.Advance(time.Second)
	if err := recvWithin(t, done, "the delayed call"); err != nil {
		t.Fatal(err)
	}
	// A client that goes away stops waiting.
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		_, err := e.PutRecord(ctx, &kds.PutRecordInput{StreamName: ptr("s"), PartitionKey: ptr("k"), Data: []byte("x")})
		done <- err
	}()
	waitFor(t, "the delayed call", func() bool { return env.clock.Timers() > base })
	cancel()
	if err := recvWithin(t, done, "the cancelled call"); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled call: %v", err)
	}
}

func TestPurge(t *testing.T) {
	env := newEnv(t, nil)
	e := env.e
	ctx := context.Background()
	e.createStream("s", 2, ModeProvisioned, nil)
	put(t, e, "s", "a", "b", "c", "d", "e", "f")
	before, _ := e.getShardIterator(ctx, "s", shardID(0), IterTrimHorizon, nil, nil)
	if err := e.PurgeStream(ctx, "s"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, e.PurgeStream(ctx, "nope"), eddy.CodeResourceNotFound)
	for sh := range 2 {
		it, _ := e.getShardIterator(ctx, "s", shardID(sh), IterTrimHorizon, nil, nil)
		if data, _ := readAll(t, e, it); len(data) != 0 {
			t.Fatalf("shard %d after purge: %v", sh, data)
		}
	}
	// New records are kept; an old iterator skips to them.
	res := put(t, e, "s", "a")
	if data, _ := readAll(t, e, before); res[0].Shard == 0 && len(data) != 1 {
		t.Fatalf("old iterator read %v", data)
	}
	// The purge survives a restart.
	e.Close()
	e = env.open(t, nil)
	total := 0
	for sh := range 2 {
		it, _ := e.getShardIterator(ctx, "s", shardID(sh), IterTrimHorizon, nil, nil)
		data, _ := readAll(t, e, it)
		total += len(data)
	}
	if total != 1 {
		t.Fatalf("after restart %d records readable, want 1", total)
	}
}

func TestSubscribeTakeover(t *testing.T) {
	env := newEnv(t, nil)
	e := env.e
	e.createStream("s", 1, ModeProvisioned, nil)
	arn := register(t, e, "s", "c")
	first := startSub(t, e, arn, shardID(0), IterLatest, nil)
	defer first.cancel()
	shard := shardID(0)
	in := &kds.SubscribeToShardInput{ConsumerARN: &arn, ShardId: &shard,
		StartingPosition: &kds.StartingPosition{Type: ptr(kds.ShardIteratorType(IterLatest))}}
	_, err := e.SubscribeToShard(context.Background(), in)
	wantCode(t, err, eddy.CodeResourceInUse)
	if want := "Another active subscription exists for this consumer: 000000000000:s:shardId-000000000000:c"; err.(*eddy.Error).Message != want {
		t.Fatalf("message %q, want %q", err.(*eddy.Error).Message, want)
	}
	env.clock.Advance(subscribeTakeover)
	second := startSub(t, e, arn, shardID(0), IterLatest, nil)
	defer second.cancel()
	if err := recvWithin(t, first.done, "the replaced subscription to end"); err != nil {
		t.Fatalf("the replaced subscription ended with %v", err)
	}
	put(t, e, "s", "x")
	waitFor(t, "the new subscription's record", func() bool { return len(second.data()) == 1 })
}
