package kinesisapi

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// TestEmptyClosedShardSDK: through aws-sdk-go-v2, a shard split before it
// received a record ends at once: GetRecords from TRIM_HORIZON answers
// ChildShards and no NextShardIterator, and SubscribeToShard sends a
// ChildShards event and ends.
func TestEmptyClosedShardSDK(t *testing.T) {
	ctx := context.Background()
	c := startServer(t, t.TempDir(), nil).client
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	waitActive(t, c, "s")
	if _, err := c.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("s"), ShardToSplit: aws.String("shardId-000000000000"),
		NewStartingHashKey: aws.String("170141183460469231731687303715884105728")}); err != nil {
		t.Fatal(err)
	}
	waitActive(t, c, "s")
	it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("s"), ShardId: aws.String("shardId-000000000000"),
		ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	iter := it.ShardIterator
	for call := 0; iter != nil; call++ {
		if call == 3 {
			t.Fatal("GetRecords on an empty closed shard never ended")
		}
		out, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Records) != 0 {
			t.Fatalf("%d records from an empty shard", len(out.Records))
		}
		if iter = out.NextShardIterator; iter == nil && len(out.ChildShards) != 2 {
			t.Fatalf("the end carries %d child shards, want 2", len(out.ChildShards))
		}
	}

	sum, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("s")})
	if err != nil {
		t.Fatal(err)
	}
	reg, err := c.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: sum.StreamDescriptionSummary.StreamARN, ConsumerName: aws.String("app")})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := c.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{ConsumerARN: reg.Consumer.ConsumerARN, ShardId: aws.String("shardId-000000000000"),
		StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon}})
	if err != nil {
		t.Fatal(err)
	}
	st := sub.GetStream()
	defer st.Close()
	timer := time.AfterFunc(10*time.Second, func() { st.Close() }) // bounds the test if the stream never ends
	defer timer.Stop()
	var last *types.SubscribeToShardEvent
	for ev := range st.Events() {
		e, ok := ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent)
		if !ok {
			t.Fatalf("unexpected event %T", ev)
		}
		last = &e.Value
	}
	if !timer.Stop() {
		t.Fatal("SubscribeToShard on an empty closed shard did not end")
	}
	if err := st.Err(); err != nil {
		t.Fatal(err)
	}
	if last == nil || len(last.ChildShards) != 2 || last.ContinuationSequenceNumber != nil {
		t.Fatalf("last event %+v", last)
	}
}

// TestUpdateShardCountUnevenSDK: UpdateShardCount from shards of different
// widths leaves every closed shard with children covering it and every
// open shard naming the shards it came from, as ListShards shows them.
func TestUpdateShardCountUnevenSDK(t *testing.T) {
	ctx := context.Background()
	c := startServer(t, t.TempDir(), nil).client
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(2)}); err != nil {
		t.Fatal(err)
	}
	waitActive(t, c, "s")
	// shardId-0 covers [0, 2^127-1]. Split it at 2^126, then its lower
	// child (shardId-2) at 2^125: four shards of widths 1/8, 1/8, 1/4 and
	// 1/2. The lower target shard of two overlaps three of them, more than
	// a shard can name as parents.
	for _, split := range []struct{ shard, at string }{
		{"shardId-000000000000", "85070591730234615865843651857942052864"},
		{"shardId-000000000002", "42535295865117307932921825928971026432"},
	} {
		waitActive(t, c, "s")
		if _, err := c.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("s"), ShardToSplit: aws.String(split.shard),
			NewStartingHashKey: aws.String(split.at)}); err != nil {
			t.Fatal(err)
		}
	}
	waitActive(t, c, "s")
	out, err := c.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String("s"), TargetShardCount: aws.Int32(2),
		ScalingType: types.ScalingTypeUniformScaling})
	if err != nil {
		t.Fatal(err)
	}
	if *out.CurrentShardCount != 4 || *out.TargetShardCount != 2 {
		t.Fatalf("UpdateShardCount answered %d -> %d", *out.CurrentShardCount, *out.TargetShardCount)
	}
	waitActive(t, c, "s")
	list, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("s")})
	if err != nil {
		t.Fatal(err)
	}
	children := map[string]int{}
	open := 0
	for _, sh := range list.Shards {
		if sh.AdjacentParentShardId != nil && sh.ParentShardId == nil {
			t.Fatalf("shard %s has an adjacent parent but no parent", *sh.ShardId)
		}
		for _, p := range []*string{sh.ParentShardId, sh.AdjacentParentShardId} {
			if p != nil {
				children[*p]++
			}
		}
		if sh.SequenceNumberRange.EndingSequenceNumber == nil {
			open++
		}
	}
	if open != 2 {
		t.Fatalf("%d open shards, want 2", open)
	}
	for _, sh := range list.Shards {
		if sh.SequenceNumberRange.EndingSequenceNumber != nil && children[*sh.ShardId] == 0 {
			t.Fatalf("closed shard %s has no children", *sh.ShardId)
		}
	}
}
