package esm

import (
	"context"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/kinesis"
	"github.com/eddy-streams/eddy/protocol/kds"
	lp "github.com/eddy-streams/eddy/protocol/lambda"
)

// fanStream creates stream name with shards shards and registers consumer
// "c" on it; it returns the consumer's ARN once it is ACTIVE.
func (e *testEnv) fanStream(t *testing.T, name string, shards int32) string {
	t.Helper()
	ctx := context.Background()
	if name != "src" {
		if _, err := e.eng.CreateStream(ctx, &kds.CreateStreamInput{StreamName: ptr(name), ShardCount: ptr(shards)}); err != nil {
			t.Fatal(err)
		}
	}
	streamARN := "arn:aws:kinesis:us-east-1:000000000000:stream/" + name
	waitFor(t, func() bool {
		out, err := e.eng.DescribeStreamSummary(ctx, &kds.DescribeStreamSummaryInput{StreamName: ptr(name)})
		return err == nil && out.StreamDescriptionSummary.StreamStatus == kinesis.StatusActive
	})
	out, err := e.eng.RegisterStreamConsumer(ctx, &kds.RegisterStreamConsumerInput{StreamARN: &streamARN, ConsumerName: ptr("c")})
	if err != nil {
		t.Fatal(err)
	}
	arn := out.Consumer.ConsumerARN
	waitFor(t, func() bool {
		d, err := e.eng.DescribeStreamConsumer(ctx, &kds.DescribeStreamConsumerInput{ConsumerARN: &arn})
		return err == nil && d.ConsumerDescription.ConsumerStatus == kds.ConsumerStatus("ACTIVE")
	})
	return arn
}

// putTo puts data into stream with an explicit hash key (decimal).
func (e *testEnv) putTo(t *testing.T, stream, hash, data string) {
	t.Helper()
	if _, err := e.eng.PutRecord(context.Background(), &kds.PutRecordInput{StreamName: ptr(stream), PartitionKey: ptr("pk"),
		ExplicitHashKey: ptr(hash), Data: []byte(data)}); err != nil {
		t.Fatal(err)
	}
}

// byShard groups the delivered records' data by shard, in delivery order.
func byShard(calls []event) map[string][]string {
	out := map[string][]string{}
	for _, c := range calls {
		for _, r := range c.Records {
			shard, _, _ := strings.Cut(r.EventID, ":")
			out[shard] = append(out[shard], string(r.Kinesis.Data))
		}
	}
	return out
}

func count(calls []event) int {
	n := 0
	for _, c := range calls {
		n += len(c.Records)
	}
	return n
}

// readCounter counts the engine's reads by kind.
type readCounter struct {
	*kinesis.Engine
	getRecords, subscribes atomic.Int64
}

func (s *readCounter) GetRecords(ctx context.Context, in *kds.GetRecordsInput) (*kds.GetRecordsOutput, error) {
	s.getRecords.Add(1)
	return s.Engine.GetRecords(ctx, in)
}

func (s *readCounter) SubscribeToShardEvents(ctx context.Context, in *kds.SubscribeToShardInput, fn func(*kds.SubscribeToShardEvent) error) error {
	s.subscribes.Add(1)
	return s.Engine.SubscribeToShardEvents(ctx, in, fn)
}

func TestFanOutFourShardsInOrderExactlyOnce(t *testing.T) {
	e := setup(t, &fakeFunction{})
	consumerARN := e.fanStream(t, "fan", 4)
	e.mapping(t, func(in *lp.CreateEventSourceMappingInput) {
		in.EventSourceArn = consumerARN
		in.BatchSize = ptr(int32(7))
	})
	src := &readCounter{Engine: e.eng}
	e.manager = New(Config{PollInterval: 10 * time.Millisecond, RetryDelay: time.Millisecond}, e.svc, e.fn,
		func(string) (Source, error) { return src, nil }, e.meta)
	// Shard i of 4 owns hash keys [i·2^126, (i+1)·2^126).
	quarter := new(big.Int).Lsh(big.NewInt(1), 126)
	want := map[string][]string{}
	for i := range 4 {
		hash := new(big.Int).Mul(quarter, big.NewInt(int64(i)))
		shard := fmt.Sprintf("shardId-%012d", i)
		for j := range 30 {
			d := fmt.Sprintf("s%d-%d", i, j)
			e.putTo(t, "fan", hash.String(), d)
			want[shard] = append(want[shard], d)
		}
	}
	waitFor(t, func() bool { return count(e.fn.snapshot()) >= 120 })
	calls := e.fn.snapshot()
	if src.getRecords.Load() != 0 || src.subscribes.Load() < 4 {
		t.Fatalf("%d GetRecords calls and %d subscriptions: a consumer mapping reads by SubscribeToShard", src.getRecords.Load(), src.subscribes.Load())
	}
	if got := byShard(calls); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("delivered %v\nwant %v", got, want)
	}
	for _, c := range calls {
		if len(c.Records) > 7 {
			t.Fatalf("batch of %d records, BatchSize 7", len(c.Records))
		}
		if c.Records[0].EventSourceARN != consumerARN {
			t.Fatalf("eventSourceARN %s", c.Records[0].EventSourceARN)
		}
	}
	waitFor(t, func() bool {
		m, err := e.svc.EventSourceMappings()
		return err == nil && m[0].Config.LastProcessingResult == lp.LastProcessingResultOK
	})
	// A restart resumes from the checkpoints: nothing again, nothing
	// skipped.
	e.stop()
	for i := range 4 {
		hash := new(big.Int).Mul(quarter, big.NewInt(int64(i)))
		shard := fmt.Sprintf("shardId-%012d", i)
		d := fmt.Sprintf("after-%d", i)
		e.putTo(t, "fan", hash.String(), d)
		want[shard] = append(want[shard], d)
	}
	e.start()
	waitFor(t, func() bool { return count(e.fn.snapshot()) >= 124 })
	if got := byShard(e.fn.snapshot()); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("after restart delivered %v\nwant %v", got, want)
	}
}

func TestFanOutFollowsSplitParentsFirst(t *testing.T) {
	e := setup(t, &fakeFunction{})
	ctx := context.Background()
	consumerARN := e.fanStream(t, "src", 1)
	e.mapping(t, func(in *lp.CreateEventSourceMappingInput) { in.EventSourceArn = consumerARN })
	e.start()
	e.put(t, "src", numbered(0, 5)...)
	waitFor(t, func() bool { return count(e.fn.snapshot()) == 5 })
	e.put(t, "src", numbered(5, 3)...)
	if _, err := e.eng.SplitShard(ctx, &kds.SplitShardInput{StreamName: ptr("src"), ShardToSplit: ptr("shardId-000000000000"),
		NewStartingHashKey: ptr("170141183460469231731687303715884105728")}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool {
		out, err := e.eng.DescribeStreamSummary(ctx, &kds.DescribeStreamSummaryInput{StreamName: ptr("src")})
		return err == nil && out.StreamDescriptionSummary.StreamStatus == kinesis.StatusActive
	})
	for i, h := range []string{"1", "170141183460469231731687303715884105729", "2", "170141183460469231731687303715884105730"} {
		e.putTo(t, "src", h, "c"+strconv.Itoa(i))
	}
	var got []string
	waitFor(t, func() bool {
		got = nil
		for _, b := range datas(e.fn.snapshot()) {
			got = append(got, b...)
		}
		return len(got) >= 12
	})
	if len(got) != 12 || fmt.Sprint(got[:8]) != fmt.Sprint(numbered(0, 8)) {
		t.Fatalf("delivered %v: the parent's 8 records must come first, once", got)
	}
	shards := byShard(e.fn.snapshot())
	if fmt.Sprint(shards["shardId-000000000001"]) != "[c0 c2]" || fmt.Sprint(shards["shardId-000000000002"]) != "[c1 c3]" {
		t.Fatalf("children delivered %v", shards)
	}
	waitFor(t, func() bool {
		cp, err := e.manager.loadCheckpoint(mappingUUID(t, e), "shardId-000000000000")
		return err == nil && cp.Done
	})
}

// mappingUUID is the UUID of the only mapping.
func mappingUUID(t *testing.T, e *testEnv) string {
	t.Helper()
	ms, err := e.svc.EventSourceMappings()
	if err != nil || len(ms) != 1 {
		t.Fatalf("mappings %v %v", ms, err)
	}
	return ms[0].Config.UUID
}

// shortSubscriptions ends every subscription after its first event with
// records, as the end of a subscription's 5-minute lifetime does.
type shortSubscriptions struct {
	*kinesis.Engine
	subscribes atomic.Int64
}

func (s *shortSubscriptions) SubscribeToShardEvents(ctx context.Context, in *kds.SubscribeToShardInput, fn func(*kds.SubscribeToShardEvent) error) error {
	s.subscribes.Add(1)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	return s.Engine.SubscribeToShardEvents(ctx, in, func(ev *kds.SubscribeToShardEvent) error {
		if err := fn(ev); err != nil {
			return err
		}
		if len(ev.Records) > 0 {
			cancel()
		}
		return nil
	})
}

func TestFanOutResubscribesAfterContinuation(t *testing.T) {
	e := setup(t, &fakeFunction{})
	consumerARN := e.fanStream(t, "src", 1)
	e.mapping(t, func(in *lp.CreateEventSourceMappingInput) { in.EventSourceArn = consumerARN })
	src := &shortSubscriptions{Engine: e.eng}
	e.manager = New(Config{PollInterval: 10 * time.Millisecond, RetryDelay: time.Millisecond}, e.svc, e.fn,
		func(string) (Source, error) { return src, nil }, e.meta)
	var want []string
	for i := range 20 {
		want = append(want, e.put(t, "src", "r"+strconv.Itoa(i))...)
		waitFor(t, func() bool { return count(e.fn.snapshot()) == i+1 })
	}
	var got []string
	for _, c := range e.fn.snapshot() {
		for _, r := range c.Records {
			got = append(got, r.Kinesis.SequenceNumber)
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("delivered %v, want %v", got, want)
	}
	if n := src.subscribes.Load(); n < 20 {
		t.Fatalf("%d subscriptions for 20 records each ending one", n)
	}
}
