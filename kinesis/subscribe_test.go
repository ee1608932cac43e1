package kinesis

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/protocol/kds"
)

func register(t *testing.T, e *Engine, stream, name string) string {
	t.Helper()
	out, err := e.RegisterStreamConsumer(context.Background(), &kds.RegisterStreamConsumerInput{
		StreamARN: ptr(e.arn(stream)), ConsumerName: ptr(name)})
	if err != nil {
		t.Fatal(err)
	}
	return out.Consumer.ConsumerARN
}

func TestConsumerLifecycle(t *testing.T) {
	env := newEnv(t, func(c *Config) { c.CreateDelay = time.Second; c.DeleteDelay = time.Second })
	e := env.e
	ctx := context.Background()
	e.createStream("s", 1, ModeProvisioned, nil)
	env.clock.Advance(time.Second)
	arn := register(t, e, "s", "app")
	want := fmt.Sprintf("arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/app:%d", env.clock.Now().Unix())
	if arn != want {
		t.Fatalf("ARN %s, want %s", arn, want)
	}
	d, err := e.DescribeStreamConsumer(ctx, &kds.DescribeStreamConsumerInput{ConsumerARN: &arn})
	if err != nil || d.ConsumerDescription.ConsumerStatus != "CREATING" || d.ConsumerDescription.StreamARN != e.arn("s") {
		t.Fatalf("describe: %+v %v", d, err)
	}
	// Subscribing while CREATING is refused.
	_, err = e.SubscribeToShard(ctx, &kds.SubscribeToShardInput{ConsumerARN: &arn, ShardId: ptr(shardID(0)),
		StartingPosition: &kds.StartingPosition{Type: ptr(kds.ShardIteratorType(IterLatest))}})
	wantCode(t, err, eddy.CodeResourceInUse)
	env.clock.Advance(time.Second)
	d, _ = e.DescribeStreamConsumer(ctx, &kds.DescribeStreamConsumerInput{StreamARN: ptr(e.arn("s")), ConsumerName: ptr("app")})
	if d.ConsumerDescription.ConsumerStatus != "ACTIVE" {
		t.Fatalf("status after the delay: %s", d.ConsumerDescription.ConsumerStatus)
	}
	_, err = e.RegisterStreamConsumer(ctx, &kds.RegisterStreamConsumerInput{StreamARN: ptr(e.arn("s")), ConsumerName: ptr("app")})
	wantCode(t, err, eddy.CodeResourceInUse)
	for i := 1; i < maxConsumers; i++ {
		register(t, e, "s", fmt.Sprint("c", i))
	}
	_, err = e.RegisterStreamConsumer(ctx, &kds.RegisterStreamConsumerInput{StreamARN: ptr(e.arn("s")), ConsumerName: ptr("one-too-many")})
	wantCode(t, err, eddy.CodeLimitExceeded)
	// Paging.
	var names []string
	in := &kds.ListStreamConsumersInput{StreamARN: ptr(e.arn("s")), MaxResults: ptr(int32(7))}
	for {
		page, err := e.ListStreamConsumers(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page.Consumers {
			names = append(names, c.ConsumerName)
		}
		if page.NextToken == nil {
			break
		}
		in = &kds.ListStreamConsumersInput{NextToken: page.NextToken, MaxResults: ptr(int32(7))}
	}
	if len(names) != maxConsumers {
		t.Fatalf("listed %d consumers", len(names))
	}
	// Tags on the consumer ARN.
	if _, err := e.TagResource(ctx, &kds.TagResourceInput{ResourceARN: &arn, Tags: map[string]string{"team": "x"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := e.ListTagsForResource(ctx, &kds.ListTagsForResourceInput{ResourceARN: &arn})
	if err != nil || len(tags.Tags) != 1 || tags.Tags[0].Key != "team" {
		t.Fatalf("consumer tags: %+v %v", tags, err)
	}
	// DeleteStream refuses while consumers exist, unless enforced.
	_, err = e.DeleteStream(ctx, &kds.DeleteStreamInput{StreamName: ptr("s")})
	wantCode(t, err, eddy.CodeResourceInUse)
	if _, err := e.DeregisterStreamConsumer(ctx, &kds.DeregisterStreamConsumerInput{ConsumerARN: &arn}); err != nil {
		t.Fatal(err)
	}
	d, _ = e.DescribeStreamConsumer(ctx, &kds.DescribeStreamConsumerInput{ConsumerARN: &arn})
	if d.ConsumerDescription.ConsumerStatus != "DELETING" {
		t.Fatalf("status after deregister: %s", d.ConsumerDescription.ConsumerStatus)
	}
	env.clock.Advance(time.Second)
	_, err = e.DescribeStreamConsumer(ctx, &kds.DescribeStreamConsumerInput{ConsumerARN: &arn})
	wantCode(t, err, eddy.CodeResourceNotFound)
	if _, err := e.DeleteStream(ctx, &kds.DeleteStreamInput{StreamName: ptr("s"), EnforceConsumerDeletion: ptr(true)}); err != nil {
		t.Fatal(err)
	}
}

// collector runs a subscription and gathers its events.
type collector struct {
	mu     sync.Mutex
	events []kds.SubscribeToShardEvent
	done   chan error
	cancel context.CancelFunc
}

func startSub(t *testing.T, e *Engine, arn, shard, typ string, seq *string) *collector {
	t.Helper()
	return startSubAt(t, e, arn, shard, &kds.StartingPosition{Type: ptr(kds.ShardIteratorType(typ)), SequenceNumber: seq})
}

// startSubAt is startSub from any starting position (AT_TIMESTAMP too).
func startSubAt(t *testing.T, e *Engine, arn, shard string, sp *kds.StartingPosition) *collector {
	t.Helper()
	sub, err := e.SubscribeToShard(context.Background(), &kds.SubscribeToShardInput{ConsumerARN: &arn, ShardId: &shard, StartingPosition: sp})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	c := &collector{done: make(chan error, 1), cancel: cancel}
	go func() {
		c.done <- sub.StreamEvents(ctx, func(typ string, payload any) error {
			if typ != "SubscribeToShardEvent" {
				t.Errorf("event type %s", typ)
			}
			ev := *payload.(*kds.SubscribeToShardEvent)
			// The records alias the subscription's buffer: copy.
			for i := range ev.Records {
				ev.Records[i].Data = append([]byte(nil), ev.Records[i].Data...)
			}
			c.mu.Lock()
			c.events = append(c.events, ev)
			c.mu.Unlock()
			return nil
		})
	}()
	return c
}

func (c *collector) data() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, ev := range c.events {
		for _, r := range ev.Records {
			out = append(out, string(r.Data))
		}
	}
	return out
}

func (c *collector) last() kds.SubscribeToShardEvent {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.events[len(c.events)-1]
}

func (c *collector) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.events)
}

// recvWithin receives from ch, failing the test if nothing comes within
// waitTimeout. what names the awaited thing in the failure.
func recvWithin[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	timer := time.NewTimer(waitTimeout)
	defer timer.Stop()
	select {
	case v := <-ch:
		return v
	case <-timer.C:
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

// waitTimeout bounds every wait of a test on a condition or a channel.
const waitTimeout = 10 * time.Second

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestSubscribePushAndContinuation(t *testing.T) {
	env := newEnv(t, nil)
	e := env.e
	e.createStream("s", 1, ModeProvisioned, nil)
	arn := register(t, e, "s", "app")
	put(t, e, "s", "before")
	c := startSub(t, e, arn, shardID(0), IterLatest, nil)
	waitFor(t, "the first event", func() bool { return c.count() >= 1 })
	first := c.last()
	if len(first.Records) != 0 || first.ContinuationSequenceNumber == nil {
		t.Fatalf("first event %+v", first)
	}
	// A second subscription of the same consumer and shard is refused.
	_, err := e.SubscribeToShard(context.Background(), &kds.SubscribeToShardInput{ConsumerARN: &arn, ShardId: ptr(shardID(0)),
		StartingPosition: &kds.StartingPosition{Type: ptr(kds.ShardIteratorType(IterLatest))}})
	wantCode(t, err, eddy.CodeResourceInUse)
	res := put(t, e, "s", "a", "b", "c")
	waitFor(t, "three records", func() bool { return len(c.data()) == 3 })
	if got := strings.Join(c.data(), ","); got != "data-a,data-b,data-c" {
		t.Fatalf("delivered %s", got)
	}
	if cs := *c.last().ContinuationSequenceNumber; cs != res[2].Seq.String() {
		t.Fatalf("continuation %s, want the last record's %s", cs, res[2].Seq)
	}
	// Heartbeat: with no records, an event every SubscriptionHeartbeat.
	n := c.count()
	env.clock.Advance(5 * time.Second)
	waitFor(t, "a heartbeat", func() bool { return c.count() > n })
	// The lifetime ends the stream cleanly.
	env.clock.Advance(5 * time.Minute)
	if err := recvWithin(t, c.done, "the end of the lifetime"); err != nil {
		t.Fatalf("end of lifetime: %v", err)
	}
	// Resume with AFTER_SEQUENCE_NUMBER from the continuation: nothing is
	// delivered twice or skipped.
	cont := *c.last().ContinuationSequenceNumber
	c2 := startSub(t, e, arn, shardID(0), IterAfterSequence, &cont)
	put(t, e, "s", "d")
	waitFor(t, "the next record", func() bool { return len(c2.data()) == 1 })
	if c2.data()[0] != "data-d" {
		t.Fatalf("after resubscribing: %v", c2.data())
	}
	// Deregistering ends the subscription.
	e.DeregisterStreamConsumer(context.Background(), &kds.DeregisterStreamConsumerInput{ConsumerARN: &arn})
	if err := recvWithin(t, c2.done, "the end after deregistration"); err != nil {
		t.Fatalf("after deregistration: %v", err)
	}
}

func TestSubscribeAcrossSplit(t *testing.T) {
	env := newEnv(t, nil)
	e := env.e
	e.createStream("s", 1, ModeProvisioned, nil)
	arn := register(t, e, "s", "app")
	c := startSub(t, e, arn, shardID(0), IterTrimHorizon, nil)
	put(t, e, "s", "x", "y")
	waitFor(t, "two records", func() bool { return len(c.data()) == 2 })
	if err := e.splitShard("s", shardID(0), "170141183460469231731687303715884105728"); err != nil {
		t.Fatal(err)
	}
	if err := recvWithin(t, c.done, "the end of the split parent's subscription"); err != nil {
		t.Fatal(err)
	}
	last := c.last()
	if len(last.ChildShards) != 2 || last.ContinuationSequenceNumber != nil {
		t.Fatalf("last event of a closed shard: %+v", last)
	}
	// The children are readable through new subscriptions.
	total := 0
	for _, ch := range last.ChildShards {
		sub := startSub(t, e, arn, ch.ShardId, IterTrimHorizon, nil)
		waitFor(t, "a child's first event", func() bool { return sub.count() >= 1 })
		sub.cancel()
		recvWithin(t, sub.done, "the cancelled child subscription to end")
	}
	for _, r := range put(t, e, "s", "p", "q", "r", "s", "t") {
		if r.Shard == 0 {
			t.Fatal("a record went to the closed parent")
		}
		total++
	}
	if total != 5 {
		t.Fatal("puts after the split failed")
	}
}

// TestManySubscribers: 20 consumers on each of 16 shards, every record
// delivered exactly once to each.
func TestManySubscribers(t *testing.T) {
	env := newEnv(t, nil)
	e := env.e
	const shards, consumers = 16, 20
	e.createStream("s", shards, ModeProvisioned, nil)
	var subs []*collector
	for i := 0; i < consumers; i++ {
		arn := register(t, e, "s", fmt.Sprint("c", i))
		for sh := 0; sh < shards; sh++ {
			subs = append(subs, startSub(t, e, arn, shardID(sh), IterTrimHorizon, nil))
		}
	}
	const n = 400
	perShard := map[string]int{}
	for i := 0; i < n; i += 50 {
		keys := make([]string, 50)
		for j := range keys {
			keys[j] = fmt.Sprint(i + j)
		}
		for _, r := range put(t, e, "s", keys...) {
			perShard[shardID(r.Shard)]++
		}
	}
	for i, c := range subs {
		sh := shardID(i % shards)
		waitFor(t, "every record", func() bool { return len(c.data()) >= perShard[sh] })
		seen := map[string]bool{}
		for _, d := range c.data() {
			if seen[d] {
				t.Fatalf("subscriber %d got %s twice", i, d)
			}
			seen[d] = true
		}
		if len(seen) != perShard[sh] {
			t.Fatalf("subscriber %d got %d records of %d", i, len(seen), perShard[sh])
		}
		c.cancel()
	}
}

// TestSlowSubscriber: a subscriber whose client stops reading (send blocks)
// holds up neither writers nor another consumer's subscription, and its
// subscription holds at most one event's records.
func TestSlowSubscriber(t *testing.T) {
	env := newEnv(t, nil)
	e := env.e
	e.createStream("s", 1, ModeProvisioned, nil)
	slowARN := register(t, e, "s", "slow")
	fastARN := register(t, e, "s", "fast")

	sub, err := e.SubscribeToShard(context.Background(), &kds.SubscribeToShardInput{ConsumerARN: &slowARN, ShardId: ptr(shardID(0)),
		StartingPosition: &kds.StartingPosition{Type: ptr(kds.ShardIteratorType(IterTrimHorizon))}})
	if err != nil {
		t.Fatal(err)
	}
	// The first send reports how many records it carries and then blocks
	// until the test ends: the client never reads. stuck has room for that
	// report, so it is kept whether or not the test is waiting yet (an
	// unbuffered send with a default case dropped it when the goroutine got
	// there first, and the test waited forever).
	stuck := make(chan int, 1)
	released := make(chan struct{})
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		sub.StreamEvents(context.Background(), func(_ string, payload any) error {
			stuck <- len(payload.(*kds.SubscribeToShardEvent).Records)
			<-released
			return fmt.Errorf("client gone")
		})
	}()
	t.Cleanup(func() {
		close(released)
		recvWithin(t, ended, "the stuck subscription to end")
	})
	held := recvWithin(t, stuck, "the stuck subscriber's first event")
	fast := startSub(t, e, fastARN, shardID(0), IterTrimHorizon, nil)
	// Were writers held up, these puts would never return.
	const n = 2000
	for i := 0; i < n; i += 100 {
		keys := make([]string, 100)
		for j := range keys {
			keys[j] = fmt.Sprint(i + j)
		}
		put(t, e, "s", keys...)
	}
	waitFor(t, "the fast subscriber to get everything", func() bool { return len(fast.data()) == n })
	if held > 1 {
		t.Fatalf("the stuck subscriber holds %d records", held)
	}
	fast.cancel()
}

// TestSubscribeAtTimestamp: AT_TIMESTAMP starts at the first record that
// arrived at or after the timestamp.
func TestSubscribeAtTimestamp(t *testing.T) {
	env := newEnv(t, nil)
	e := env.e
	e.createStream("s", 1, ModeProvisioned, nil)
	arn := register(t, e, "s", "app")
	put(t, e, "s", "old")
	env.clock.Advance(time.Second)
	mark := env.clock.Now()
	put(t, e, "s", "new1", "new2")
	sub, err := e.SubscribeToShard(context.Background(), &kds.SubscribeToShardInput{ConsumerARN: &arn, ShardId: ptr(shardID(0)),
		StartingPosition: &kds.StartingPosition{Type: ptr(kds.ShardIteratorType(IterAtTimestamp)), Timestamp: kds.NewTimestamp(mark)}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var got []string
	sub.StreamEvents(ctx, func(_ string, payload any) error {
		for _, r := range payload.(*kds.SubscribeToShardEvent).Records {
			got = append(got, string(r.Data))
		}
		cancel()
		return nil
	})
	if strings.Join(got, ",") != "data-new1,data-new2" {
		t.Fatalf("AT_TIMESTAMP delivered %v", got)
	}
}

// TestAppendedWakesReader: the channel Appended returns is closed by the
// next append to the iterator's shard, and not by an append to another.
func TestAppendedWakesReader(t *testing.T) {
	env := newEnv(t, nil)
	e := env.e
	e.createStream("s", 2, ModeProvisioned, nil)
	out, err := e.GetShardIterator(context.Background(), &kds.GetShardIteratorInput{StreamName: ptr("s"), ShardId: ptr(shardID(0)),
		ShardIteratorType: ptr(kds.ShardIteratorType(IterLatest))})
	if err != nil {
		t.Fatal(err)
	}
	ch, err := e.Appended(out.ShardIterator)
	if err != nil {
		t.Fatal(err)
	}
	// A record for shard 1 (an explicit hash key at the top of the range).
	if _, err := e.PutRecord(context.Background(), &kds.PutRecordInput{StreamName: ptr("s"), PartitionKey: ptr("k"),
		ExplicitHashKey: ptr("340282366920938463463374607431768211455"), Data: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ch:
		t.Fatal("an append to shard 1 woke a reader of shard 0")
	default:
	}
	if _, err := e.PutRecord(context.Background(), &kds.PutRecordInput{StreamName: ptr("s"), PartitionKey: ptr("k"),
		ExplicitHashKey: ptr("0"), Data: []byte("y")}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatal("an append to shard 0 did not close the channel")
	}
	if _, err := e.Appended("not-an-iterator"); err == nil {
		t.Fatal("Appended accepted a malformed iterator")
	}
}
