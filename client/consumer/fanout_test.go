package consumer

import (
	"context"
	"math/big"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/eddy-streams/eddy/internal/eddytest"
)

// TestFanOut reads with enhanced fan-out: the consumer is registered, the
// records of every shard come through SubscribeToShard, a split is
// followed (the parent's end through the event's ChildShards), and a
// second worker resumes from the checkpoints.
func TestFanOut(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	srv := eddytest.Start(t, eddytest.Options{})
	kc := srv.Kinesis()
	createStream(t, ctx, kc, "s", 2)
	ks := keys(16)
	putN(t, ctx, kc, "s", ks, 0, 10)

	c := newCollector(t)
	cfg := testConfig(srv, "efo-app", "s", "w1")
	cfg.FanOut = true
	w, stop := startWorker(t, cfg, c)
	waitFor(t, 60*time.Second, "160 records", func() bool { return c.count() == 160 })

	summary, err := kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("s")})
	if err != nil {
		t.Fatal(err)
	}
	consumers, err := kc.ListStreamConsumers(ctx, &kinesis.ListStreamConsumersInput{StreamARN: summary.StreamDescriptionSummary.StreamARN})
	if err != nil {
		t.Fatal(err)
	}
	if len(consumers.Consumers) != 1 || aws.ToString(consumers.Consumers[0].ConsumerName) != "efo-app" ||
		consumers.Consumers[0].ConsumerStatus != ktypes.ConsumerStatusActive {
		t.Fatalf("stream consumers %+v, want efo-app ACTIVE", consumers.Consumers)
	}

	// Split shard 0 while subscribed; records put after it land on the
	// children.
	shards, err := kc.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("s")})
	if err != nil {
		t.Fatal(err)
	}
	sh := shards.Shards[0]
	mid := new(big.Int).Add(hashStart(sh), hashEnd(sh))
	mid.Rsh(mid, 1)
	if _, err := kc.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("s"), ShardToSplit: sh.ShardId, NewStartingHashKey: aws.String(mid.String())}); err != nil {
		t.Fatal(err)
	}
	waitStreamActive(t, ctx, kc, "s")
	putN(t, ctx, kc, "s", ks, 10, 10)
	waitFor(t, 60*time.Second, "320 records", func() bool { return c.count() == 320 })
	shutdown(t, w, stop)
	checkRuns(t, c)
	c.mu.Lock()
	end, ok := c.shardEnd[aws.ToString(sh.ShardId)]
	if !ok {
		t.Error("the split shard never ended")
	}
	for _, child := range []string{"shardId-000000000002", "shardId-000000000003"} {
		if first, ok := c.firstDelivery[child]; !ok || first < end {
			t.Errorf("%s: first record event %d (delivered: %v), parent ended at event %d", child, first, ok, end)
		}
	}
	c.mu.Unlock()

	// A second worker resumes after the checkpoints.
	putN(t, ctx, kc, "s", ks, 20, 5)
	c2 := newCollector(t)
	cfg2 := testConfig(srv, "efo-app", "s", "w2")
	cfg2.FanOut = true
	w2, stop2 := startWorker(t, cfg2, c2)
	waitFor(t, 60*time.Second, "80 new records", func() bool { return c2.count() == 80 })
	shutdown(t, w2, stop2)
	checkRuns(t, c2)
	for d := range c2.delivered {
		if _, n := parsePayload(t, []byte(d)); n < 20 {
			t.Errorf("record %s delivered again after its checkpoint", d)
		}
	}
}
