package kinesis

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/protocol/kds"
	"github.com/eddy-streams/eddy/storage/mem"
)

func limitedEnv(t *testing.T) *testEnv {
	t.Helper()
	return newEnv(t, func(c *Config) { c.Limits = LimitsAWS })
}

// putN puts n records of size bytes of data with partition key "k" in one
// call and returns how many were accepted, checking the accepted ones are
// a prefix and the others carry the throttling error.
func putN(t *testing.T, e *Engine, stream string, n, size int) int {
	t.Helper()
	entries := make([]putEntry, n)
	for i := range entries {
		entries[i] = putEntry{PartitionKey: "k", Data: make([]byte, size)}
	}
	res, err := e.putRecords(context.Background(), "PutRecords", stream, entries)
	if err != nil {
		t.Fatal(err)
	}
	ok := 0
	for i, r := range res {
		switch {
		case r.ErrorCode == "" && ok == i:
			ok++
		case r.ErrorCode == eddy.CodeProvisionedThroughput:
			want := "Rate exceeded for shard shardId-000000000000 in stream " + stream + " under account 000000000000."
			if r.ErrorMsg != want {
				t.Fatalf("message %q, want %q", r.ErrorMsg, want)
			}
		default:
			t.Fatalf("entry %d: %+v after %d accepted", i, r, ok)
		}
	}
	return ok
}

func TestWriteLimitRecords(t *testing.T) {
	env := limitedEnv(t)
	e := env.e
	if err := e.createStream("s", 1, ModeProvisioned, nil); err != nil {
		t.Fatal(err)
	}
	// An idle shard takes a second's worth at once: 1,000 records.
	if got := putN(t, e, "s", 1500, 10); got != 1000 {
		t.Fatalf("accepted %d of 1500 at once, want 1000", got)
	}
	if got := putN(t, e, "s", 10, 10); got != 0 {
		t.Fatalf("accepted %d on a full shard", got)
	}
	env.clock.Advance(500 * time.Millisecond)
	if got := putN(t, e, "s", 1000, 10); got != 500 {
		t.Fatalf("accepted %d after 0.5 s, want 500", got)
	}
	// PutRecord gets the error itself.
	_, err := e.PutRecord(context.Background(), &kds.PutRecordInput{StreamName: ptr("s"), PartitionKey: ptr("k"), Data: []byte("x")})
	wantCode(t, err, eddy.CodeProvisionedThroughput)
}

func TestWriteLimitBytes(t *testing.T) {
	env := limitedEnv(t)
	e := env.e
	e.createStream("s", 1, ModeProvisioned, nil)
	// 1 MiB of data and key is a second's worth: the shard takes it, and
	// nothing more until a second has passed.
	if got := putN(t, e, "s", 3, 512<<10-1); got != 2 {
		t.Fatalf("accepted %d half-MiB records, want 2", got)
	}
	if got := putN(t, e, "s", 1, 1); got != 0 {
		t.Fatalf("accepted a record past 1 MiB/s")
	}
	env.clock.Advance(time.Second)
	if got := putN(t, e, "s", 4, 256<<10-1); got != 4 {
		t.Fatalf("accepted %d of 4 quarter-MiB records after 1 s", got)
	}
	// The other shards of a stream are not held back by a hot one.
	e.createStream("two", 2, ModeProvisioned, nil)
	hot := putEntry{PartitionKey: "k", Data: make([]byte, 1000)}
	v := e.lookup("two").view.Load()
	hotShard := v.route(partitionHash("k")).meta.Index
	var cold string
	for i := 0; ; i++ {
		cold = "c" + string(rune('a'+i))
		if v.route(partitionHash(cold)).meta.Index != hotShard {
			break
		}
	}
	entries := []putEntry{}
	for range 1200 {
		entries = append(entries, hot)
	}
	entries = append(entries, putEntry{PartitionKey: cold, Data: []byte("x")})
	res, err := e.putRecords(context.Background(), "PutRecords", "two", entries)
	if err != nil {
		t.Fatal(err)
	}
	if r := res[len(res)-1]; r.ErrorCode != "" {
		t.Fatalf("record for the cold shard: %+v", r)
	}
	if res[1100].ErrorCode != eddy.CodeProvisionedThroughput {
		t.Fatalf("record 1100 for the hot shard: %+v", res[1100])
	}
}

func TestLimitsOff(t *testing.T) {
	env := newEnv(t, nil)
	env.e.createStream("s", 1, ModeProvisioned, nil)
	if got := putN(t, env.e, "s", 500, 10<<10); got != 500 {
		t.Fatalf("limits off: accepted %d of 500", got)
	}
	for range 20 {
		if _, err := env.e.getShardIterator(context.Background(), "s", shardID(0), IterTrimHorizon, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
}

func TestReadLimits(t *testing.T) {
	env := limitedEnv(t)
	e := env.e
	ctx := context.Background()
	e.createStream("s", 1, ModeProvisioned, nil)
	// Five GetShardIterator calls a second.
	var it string
	for i := range 6 {
		var err error
		it, err = e.getShardIterator(ctx, "s", shardID(0), IterTrimHorizon, nil, nil)
		if i < 5 && err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		if i == 5 {
			wantCode(t, err, eddy.CodeProvisionedThroughput)
		}
	}
	env.clock.Advance(200 * time.Millisecond)
	it, err := e.getShardIterator(ctx, "s", shardID(0), IterTrimHorizon, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Five GetRecords calls a second, when they return little.
	for i := range 6 {
		_, err := e.getRecords(ctx, it, 10, nil)
		if i < 5 && err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		if i == 5 {
			wantCode(t, err, eddy.CodeProvisionedThroughput)
			if want := "Rate exceeded for shard shardId-000000000000 in stream s under account 000000000000."; !strings.Contains(err.Error(), want) {
				t.Fatalf("error %v, want %q", err, want)
			}
		}
	}
	// Fill the shard with ~10 MiB, a second per MiB.
	for range 10 {
		env.clock.Advance(time.Second)
		if got := putN(t, e, "s", 1, 1<<20-1); got != 1 {
			t.Fatal("put of 1 MiB refused on an idle shard")
		}
	}
	env.clock.Advance(time.Second)
	res, err := e.getRecords(ctx, it, 10000, nil)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range res.Records {
		n += len(r.Data) + len(r.PartitionKey)
	}
	if n < 9<<20 {
		t.Fatalf("read %d bytes, want about 10 MiB", n)
	}
	// The data is paid for at 2 MiB/s: no calls until then.
	pay := time.Duration(int64(n) * int64(time.Second) / (2 << 20))
	env.clock.Advance(pay - time.Millisecond)
	_, err = e.getRecords(ctx, res.Next, 10000, nil)
	wantCode(t, err, eddy.CodeProvisionedThroughput)
	env.clock.Advance(time.Millisecond)
	if _, err := e.getRecords(ctx, res.Next, 10000, nil); err != nil {
		t.Fatalf("after %v: %v", pay, err)
	}
}

func TestControlPlaneRates(t *testing.T) {
	env := limitedEnv(t)
	e := env.e
	ctx := context.Background()
	e.createStream("a", 1, ModeProvisioned, nil)
	e.createStream("b", 1, ModeProvisioned, nil)
	// 20 DescribeStreamSummary a second per account; the message names
	// the stream.
	for i := range 21 {
		stream := []string{"a", "b"}[i%2]
		err := e.Admit(ctx, "DescribeStreamSummary", &kds.DescribeStreamSummaryInput{StreamName: &stream})
		if i < 20 && err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		if i == 20 {
			wantCode(t, err, eddy.CodeLimitExceeded)
			if want := "Rate exceeded for stream a under account 000000000000."; !strings.Contains(err.Error(), want) {
				t.Fatalf("error %v, want %q", err, want)
			}
		}
	}
	// 5 ListStreamConsumers a second per stream: another stream, named by
	// ARN, has its own.
	for i := range 6 {
		err := e.Admit(ctx, "ListStreamConsumers", &kds.ListStreamConsumersInput{StreamARN: ptr(e.arn("a"))})
		if i < 5 && err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		if i == 5 {
			wantCode(t, err, eddy.CodeLimitExceeded)
		}
	}
	if err := e.Admit(ctx, "ListStreamConsumers", &kds.ListStreamConsumersInput{StreamARN: ptr(e.arn("b"))}); err != nil {
		t.Fatal(err)
	}
	// 5 CreateStream a second per account, whatever the names.
	for i := range 6 {
		err := e.Admit(ctx, "CreateStream", &kds.CreateStreamInput{StreamName: ptr(string(rune('c' + i)))})
		if i < 5 && err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		if i == 5 {
			wantCode(t, err, eddy.CodeLimitExceeded)
		}
	}
	env.clock.Advance(200 * time.Millisecond)
	if err := e.Admit(ctx, "CreateStream", &kds.CreateStreamInput{StreamName: ptr("z")}); err != nil {
		t.Fatal(err)
	}
	// Operations without a documented rate are not limited.
	for range 100 {
		if err := e.Admit(ctx, "ListTagsForResource", &kds.ListTagsForResourceInput{ResourceARN: ptr(e.arn("a"))}); err != nil {
			t.Fatal(err)
		}
	}
	// Limits off: nothing.
	off := newEnv(t, nil).e
	for range 100 {
		if err := off.Admit(ctx, "CreateStream", &kds.CreateStreamInput{StreamName: ptr("x")}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSubscribeLimits(t *testing.T) {
	env := limitedEnv(t)
	e := env.e
	e.createStream("s", 1, ModeProvisioned, nil)
	arn := register(t, e, "s", "c")
	// Eight 1 MiB records, written at the shard's rate.
	for range 8 {
		env.clock.Advance(time.Second)
		if got := putN(t, e, "s", 1, 1<<20-1); got != 1 {
			t.Fatal("put refused")
		}
	}
	c := startSub(t, e, arn, shardID(0), IterTrimHorizon, nil)
	defer c.cancel()
	// A second subscription within the second is refused.
	c.cancel()
	recvWithin(t, c.done, "the cancelled subscription to end")
	shard := shardID(0)
	_, err := e.SubscribeToShard(context.Background(), &kds.SubscribeToShardInput{ConsumerARN: &arn, ShardId: &shard,
		StartingPosition: &kds.StartingPosition{Type: ptr(kds.ShardIteratorType(IterTrimHorizon))}})
	wantCode(t, err, eddy.CodeLimitExceeded)
	// The push meter belongs to the consumer and shard, not to one
	// subscription: let it empty.
	env.clock.Advance(2 * time.Second)
	base := env.clock.Timers()
	c = startSub(t, e, arn, shardID(0), IterTrimHorizon, nil)
	defer c.cancel()
	// Pushes are paced to 2 MiB/s with a second's burst: 3 MiB go out at
	// once (the meter admits while at most a second ahead), then the
	// subscription waits on the clock.
	waitFor(t, "3 records", func() bool { return len(c.data()) == 3 })
	waitFor(t, "the pacing timer", func() bool { return env.clock.Timers() > base+2 })
	if n := len(c.data()); n != 3 {
		t.Fatalf("pushed %d MiB before waiting, want 3", n)
	}
	env.clock.Advance(500 * time.Millisecond)
	waitFor(t, "a 4th record", func() bool { return len(c.data()) == 4 })
}

func TestPutRecordsTotalSize(t *testing.T) {
	env := newEnv(t, nil)
	e := env.e
	e.createStream("s", 1, ModeProvisioned, nil)
	if _, err := e.UpdateMaxRecordSize(context.Background(), &kds.UpdateMaxRecordSizeInput{StreamARN: ptr(e.arn("s")), MaxRecordSizeInKiB: ptr(int32(10240))}); err != nil {
		t.Fatal(err)
	}
	records := func(sizes ...int) []kds.PutRecordsRequestEntry {
		var out []kds.PutRecordsRequestEntry
		for _, n := range sizes {
			out = append(out, kds.PutRecordsRequestEntry{PartitionKey: ptr("k"), Data: make([]byte, n)})
		}
		return out
	}
	// 10 MiB with the keys is the most one call may carry.
	_, err := e.PutRecords(context.Background(), &kds.PutRecordsInput{StreamName: ptr("s"), Records: records(5<<20, 5<<20-2)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.PutRecords(context.Background(), &kds.PutRecordsInput{StreamName: ptr("s"), Records: records(5<<20, 5<<20-1)})
	wantCode(t, err, eddy.CodeInvalidArgument)
	if want := "Records size exceeds 10 MB limit"; err.(*eddy.Error).Message != want {
		t.Fatalf("message %q", err.(*eddy.Error).Message)
	}
	it, _ := e.getShardIterator(context.Background(), "s", shardID(0), IterTrimHorizon, nil, nil)
	if data, _ := readAll(t, e, it); len(data) != 2 {
		t.Fatalf("%d records stored, want the 2 of the accepted call", len(data))
	}
}

// BenchmarkPutRecordsLimits measures what the limits cost the put path:
// PutRecords of 500 × 1 KiB records with random keys into 200 shards of the
// in-memory backend, the clock moving 10 ms per call (250 records/s per
// shard, within the limits), with limits off and aws.
//
//	go test -run ^$ -bench PutRecordsLimits -count 6 ./kinesis/
func BenchmarkPutRecordsLimits(b *testing.B) {
	for _, mode := range []string{LimitsOff, LimitsAWS} {
		b.Run(mode, func(b *testing.B) {
			clock := NewFakeClock(time.Unix(1700000000, 0))
			cfg := DefaultConfig()
			cfg.Clock, cfg.Limits = clock, mode
			e, err := New(cfg, mem.NewLogs(), mem.NewMeta())
			if err != nil {
				b.Fatal(err)
			}
			defer e.Close()
			if err := e.createStream("s", 200, ModeProvisioned, nil); err != nil {
				b.Fatal(err)
			}
			data := make([]byte, 1024)
			in := &kds.PutRecordsInput{StreamName: ptr("s"), Records: make([]kds.PutRecordsRequestEntry, 500)}
			for i := range in.Records {
				in.Records[i] = kds.PutRecordsRequestEntry{PartitionKey: ptr(fmt.Sprint("key-", i)), Data: data}
			}
			b.SetBytes(500 * 1024)
			b.ResetTimer()
			for range b.N {
				out, err := e.PutRecords(context.Background(), in)
				if err != nil || out.FailedRecordCount != 0 {
					b.Fatalf("%v, %v failed", err, out.FailedRecordCount)
				}
				clock.Advance(10 * time.Millisecond)
			}
			b.ReportMetric(float64(b.N*500)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// TestDryRun: the five data-plane operations check a DryRun request as the
// call would, answer DryRunOperationException when it would succeed, and
// read, write and charge nothing.
func TestDryRun(t *testing.T) {
	env := newEnv(t, func(c *Config) { c.Limits = LimitsAWS })
	e := env.e
	ctx := context.Background()
	e.createStream("s", 1, ModeProvisioned, nil)
	arn := register(t, e, "s", "c")
	yes := ptr(true)
	shard := shardID(0)
	_, err := e.PutRecord(ctx, &kds.PutRecordInput{StreamName: ptr("s"), PartitionKey: ptr("k"), Data: []byte("x"), DryRun: yes})
	wantCode(t, err, eddy.CodeDryRunOperation)
	_, err = e.PutRecord(ctx, &kds.PutRecordInput{StreamName: ptr("nope"), PartitionKey: ptr("k"), Data: []byte("x"), DryRun: yes})
	wantCode(t, err, eddy.CodeResourceNotFound)
	_, err = e.PutRecord(ctx, &kds.PutRecordInput{StreamName: ptr("s"), PartitionKey: ptr("k"), ExplicitHashKey: ptr("-1"), Data: []byte("x"), DryRun: yes})
	wantCode(t, err, eddy.CodeInvalidArgument)
	recs := make([]kds.PutRecordsRequestEntry, 500)
	for i := range recs {
		recs[i] = kds.PutRecordsRequestEntry{PartitionKey: ptr("k"), Data: make([]byte, 10<<10)}
	}
	// 5 MB at once: far beyond the shard's limit, but a dry run charges
	// nothing, so it passes every time.
	for range 3 {
		_, err = e.PutRecords(ctx, &kds.PutRecordsInput{StreamName: ptr("s"), Records: recs, DryRun: yes})
		wantCode(t, err, eddy.CodeDryRunOperation)
	}
	_, err = e.GetShardIterator(ctx, &kds.GetShardIteratorInput{StreamName: ptr("s"), ShardId: &shard,
		ShardIteratorType: ptr(kds.ShardIteratorType(IterTrimHorizon)), DryRun: yes})
	wantCode(t, err, eddy.CodeDryRunOperation)
	_, err = e.GetShardIterator(ctx, &kds.GetShardIteratorInput{StreamName: ptr("s"), ShardId: ptr("shardId-000000000009"),
		ShardIteratorType: ptr(kds.ShardIteratorType(IterTrimHorizon)), DryRun: yes})
	wantCode(t, err, eddy.CodeResourceNotFound)
	it, err := e.getShardIterator(ctx, "s", shard, IterTrimHorizon, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.GetRecords(ctx, &kds.GetRecordsInput{ShardIterator: &it, DryRun: yes})
	wantCode(t, err, eddy.CodeDryRunOperation)
	_, err = e.GetRecords(ctx, &kds.GetRecordsInput{ShardIterator: ptr(it + "x"), DryRun: yes})
	wantCode(t, err, eddy.CodeInvalidArgument)
	_, err = e.SubscribeToShard(ctx, &kds.SubscribeToShardInput{ConsumerARN: &arn, ShardId: &shard,
		StartingPosition: &kds.StartingPosition{Type: ptr(kds.ShardIteratorType(IterLatest))}, DryRun: yes})
	wantCode(t, err, eddy.CodeDryRunOperation)
	// Nothing was written, and the dry runs left the limits alone: a real
	// subscription and a full second of writes go through.
	if _, err := e.SubscribeToShard(ctx, &kds.SubscribeToShardInput{ConsumerARN: &arn, ShardId: &shard,
		StartingPosition: &kds.StartingPosition{Type: ptr(kds.ShardIteratorType(IterLatest))}}); err != nil {
		t.Fatal(err)
	}
	if got := putN(t, e, "s", 1000, 10); got != 1000 {
		t.Fatalf("after dry runs the shard took %d of 1000 records", got)
	}
	res, err := e.getRecords(ctx, it, 10000, nil)
	if err != nil || len(res.Records) != 1000 {
		t.Fatalf("read %d records (%v), want the 1000 real ones", len(res.Records), err)
	}
}

// TestAccountQuotas: with limits on, at most 5 streams CREATING or DELETING
// at once, and at most 50 ON_DEMAND streams, with Kinesis's messages.
func TestAccountQuotas(t *testing.T) {
	env := newEnv(t, func(c *Config) {
		c.Limits = LimitsAWS
		c.CreateDelay, c.DeleteDelay = time.Minute, time.Minute
	})
	e := env.e
	for i := range 5 {
		if err := e.createStream(fmt.Sprint("c", i), 1, ModeProvisioned, nil); err != nil {
			t.Fatal(err)
		}
	}
	err := e.createStream("c5", 1, ModeProvisioned, nil)
	wantCode(t, err, eddy.CodeLimitExceeded)
	if want := "This request would have exceed the limit on the number  of streams that can simultaneously be in CREATING or DELETING for the account 000000000000. Limit: 5."; err.(*eddy.Error).Message != want {
		t.Fatalf("message %q", err.(*eddy.Error).Message)
	}
	wantCode(t, e.deleteStream("c0"), eddy.CodeLimitExceeded)
	env.clock.Advance(time.Minute)
	if err := e.createStream("c5", 1, ModeProvisioned, nil); err != nil {
		t.Fatalf("after the streams became ACTIVE: %v", err)
	}
	env.clock.Advance(time.Minute)
	for i := range 5 {
		if err := e.deleteStream(fmt.Sprint("c", i)); err != nil {
			t.Fatal(err)
		}
	}
	wantCode(t, e.deleteStream("c5"), eddy.CodeLimitExceeded)
	env.clock.Advance(time.Minute)

	// 50 ON_DEMAND streams.
	ctx := context.Background()
	od := &kds.StreamModeDetails{StreamMode: ptr(kds.StreamMode(ModeOnDemand))}
	for i := range 50 {
		if _, err := e.CreateStream(ctx, &kds.CreateStreamInput{StreamName: ptr(fmt.Sprint("od", i)), StreamModeDetails: od}); err != nil {
			t.Fatal(err)
		}
		env.clock.Advance(time.Minute)
	}
	_, err = e.CreateStream(ctx, &kds.CreateStreamInput{StreamName: ptr("od50"), StreamModeDetails: od})
	wantCode(t, err, eddy.CodeLimitExceeded)
	if want := "This request would exceed the limit on the number of On-Demand streams for the account 000000000000 in us-east-1. Current On-Demand streams count: 50. Limit: 50."; err.(*eddy.Error).Message != want {
		t.Fatalf("message %q", err.(*eddy.Error).Message)
	}
	_, err = e.UpdateStreamMode(ctx, &kds.UpdateStreamModeInput{StreamARN: ptr(e.arn("c5")), StreamModeDetails: od})
	wantCode(t, err, eddy.CodeLimitExceeded)
	// Limits off: neither quota.
	off := newEnv(t, func(c *Config) { c.CreateDelay = time.Minute }).e
	for i := range 6 {
		if err := off.createStream(fmt.Sprint("c", i), 1, ModeProvisioned, nil); err != nil {
			t.Fatal(err)
		}
	}
}

// TestRecordSizeMessages: a record over the stream's maximum record size is
// refused with the model's constraint message, naming the value as the
// model's checks render a blob and the member's path in each operation.
func TestRecordSizeMessages(t *testing.T) {
	env := newEnv(t, nil)
	e := env.e
	e.createStream("s", 1, ModeProvisioned, nil)
	big := make([]byte, 1<<20+1)
	_, err := e.PutRecord(context.Background(), &kds.PutRecordInput{StreamName: ptr("s"), PartitionKey: ptr("k"), Data: big})
	wantCode(t, err, eddy.CodeValidation)
	want := "1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=1048577 cap=1048577]' at 'data' failed to satisfy constraint: Member must have length less than or equal to 1048576"
	if got := err.(*eddy.Error).Message; got != want {
		t.Fatalf("PutRecord: %q\nwant %q", got, want)
	}
	_, err = e.PutRecords(context.Background(), &kds.PutRecordsInput{StreamName: ptr("s"), Records: []kds.PutRecordsRequestEntry{
		{PartitionKey: ptr("k"), Data: []byte("x")}, {PartitionKey: ptr("k"), Data: big}}})
	wantCode(t, err, eddy.CodeValidation)
	want = "1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=1048577 cap=1048577]' at 'records.2.member.data' failed to satisfy constraint: Member must have length less than or equal to 1048576"
	if got := err.(*eddy.Error).Message; got != want {
		t.Fatalf("PutRecords: %q\nwant %q", got, want)
	}
}
