package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/eddy-streams/eddy/internal/natstest"
)

// clusterArgs are the serve flags of an Eddy node on the NATS cluster c:
// its own data directory, the shared KMS root key and prefix.
func clusterArgs(t *testing.T, c *natstest.Cluster, prefix, rootKey string) string {
	return fmt.Sprintf("serve --backend jetstream --nats-url %s --nats-prefix %s --kms-root-key-file %s --listen 127.0.0.1:0 --data-dir %s",
		c.URLs(), prefix, rootKey, t.TempDir())
}

// newRootKey writes a KMS root key for the nodes to share.
func newRootKey(t *testing.T) string {
	var k [32]byte
	rand.Read(k[:])
	path := filepath.Join(t.TempDir(), "root.key")
	if err := os.WriteFile(path, []byte(hex.EncodeToString(k[:])), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// readShard reads a shard from TRIM_HORIZON to its end through c.
func readShard(t *testing.T, c *kinesis.Client, stream, shard string) []types.Record {
	t.Helper()
	ctx := testContext(t)
	it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(stream), ShardId: aws.String(shard), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	var out []types.Record
	iter := it.ShardIterator
	for iter != nil {
		r, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r.Records...)
		if len(r.Records) == 0 && aws.ToInt64(r.MillisBehindLatest) == 0 {
			break
		}
		iter = r.NextShardIterator
	}
	return out
}

// TestServeCluster runs two Eddy nodes on a three-node NATS cluster (R3)
// and uses them as one Kinesis endpoint with aws-sdk-go-v2: what is
// created, written, tagged, resharded or deleted through one node is seen
// at once through the other, and an iterator made by one works on the
// other.
func TestServeCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a NATS cluster and two servers")
	}
	nats := natstest.StartCluster(t, 3)
	root, prefix := newRootKey(t), "E"+strconv.Itoa(os.Getpid())
	a := startChild(t, clusterArgs(t, nats, prefix, root))
	b := startChild(t, clusterArgs(t, nats, prefix, root))
	ca, cb := a.client(), b.client()
	ctx := testContext(t)

	if _, err := ca.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("orders"), ShardCount: aws.Int32(4)}); err != nil {
		t.Fatal(err)
	}
	sum, err := cb.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("orders")})
	if err != nil {
		t.Fatalf("the stream created through node A, described through node B: %v", err)
	}
	if n := aws.ToInt32(sum.StreamDescriptionSummary.OpenShardCount); n != 4 {
		t.Fatalf("node B sees %d open shards, want 4", n)
	}
	_, err = cb.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("orders"), ShardCount: aws.Int32(1)})
	var riu *types.ResourceInUseException
	if !errors.As(err, &riu) {
		t.Fatalf("CreateStream through node B of a stream created through node A: %v, want ResourceInUseException", err)
	}

	// Writes through both nodes.
	sent := map[string]bool{}
	for i := range 20 {
		c := ca
		if i%2 == 1 {
			c = cb
		}
		var entries []types.PutRecordsRequestEntry
		for j := range 50 {
			d := fmt.Sprintf("r-%02d-%02d", i, j)
			sent[d] = true
			entries = append(entries, types.PutRecordsRequestEntry{PartitionKey: aws.String(d), Data: []byte(d)})
		}
		out, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("orders"), Records: entries})
		if err != nil || aws.ToInt32(out.FailedRecordCount) != 0 {
			t.Fatalf("PutRecords %d: %v (%d failed)", i, err, aws.ToInt32(out.FailedRecordCount))
		}
	}
	// Read back through each node: every record exactly once, sequence
	// numbers increasing within each shard, the same on both nodes.
	for name, c := range map[string]*kinesis.Client{"A": ca, "B": cb} {
		got := map[string]int{}
		for s := range 4 {
			recs := readShard(t, c, "orders", fmt.Sprintf("shardId-%012d", s))
			var seqs []string
			for _, r := range recs {
				got[string(r.Data)]++
				seqs = append(seqs, aws.ToString(r.SequenceNumber))
			}
			if !sort.SliceIsSorted(seqs, func(i, j int) bool {
				return len(seqs[i]) < len(seqs[j]) || len(seqs[i]) == len(seqs[j]) && seqs[i] < seqs[j]
			}) {
				t.Errorf("node %s shard %d: sequence numbers out of order", name, s)
			}
		}
		for d := range sent {
			if got[d] != 1 {
				t.Errorf("node %s: record %s read %d times, want once", name, d, got[d])
			}
		}
		if len(got) != len(sent) {
			t.Errorf("node %s: %d distinct records, want %d", name, len(got), len(sent))
		}
	}

	// An iterator made by node A, used on node B.
	it, err := ca.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("orders"), ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cb.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator}); err != nil {
		t.Fatalf("node B refused node A's iterator: %v", err)
	}

	// Settings and tags through one node, seen through the other.
	if _, err := cb.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("orders"), Tags: map[string]string{"team": "b"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := ca.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: aws.String("orders"), RetentionPeriodHours: aws.Int32(48)}); err != nil {
		t.Fatal(err)
	}
	tags, err := ca.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String("orders")})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Value) != "b" {
		t.Fatalf("node A's tags after node B tagged: %+v, %v", tags, err)
	}
	sum, err = cb.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("orders")})
	if err != nil || aws.ToInt32(sum.StreamDescriptionSummary.RetentionPeriodHours) != 48 {
		t.Fatalf("node B's retention after node A raised it: %+v, %v", sum, err)
	}

	// Enhanced fan-out across nodes: a consumer registered through A, a
	// subscription through B, records put through A pushed to it well
	// before the subscription's 5 s heartbeat would have found them.
	reg, err := ca.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: sum.StreamDescriptionSummary.StreamARN, ConsumerName: aws.String("efo")})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := cb.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{ConsumerARN: reg.Consumer.ConsumerARN, ShardId: aws.String("shardId-000000000002"),
		StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeLatest}})
	if err != nil {
		t.Fatalf("SubscribeToShard through node B with a consumer registered through node A: %v", err)
	}
	events := sub.GetStream()
	defer events.Close()
	recvWithin(t, events.Events(), "the subscription's first event")
	for round := range 3 {
		data := fmt.Sprintf("pushed-%d", round)
		// An explicit hash key in shard 2's range (the third quarter).
		put, err := ca.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("orders"), PartitionKey: aws.String("k"), Data: []byte(data),
			ExplicitHashKey: aws.String("200000000000000000000000000000000000000")})
		if err != nil || aws.ToString(put.ShardId) != "shardId-000000000002" {
			t.Fatalf("put %s: %v into %s", data, err, aws.ToString(put.ShardId))
		}
		start := time.Now()
		for got := false; !got; {
			select {
			case ev, ok := <-events.Events():
				if !ok {
					t.Fatalf("subscription ended: %v", events.Err())
				}
				e, _ := ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent)
				for _, r := range e.Value.Records {
					got = got || string(r.Data) == data
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("record %s put through node A never reached node B's subscription", data)
			}
		}
		// Bounded, not a benchmark: a subscription that only looked on its
		// 5 s heartbeat would take about 5 s (it did, with the append
		// watch turned off); 4 s leaves room for a loaded machine.
		if d := time.Since(start); d > 4*time.Second {
			t.Errorf("record %s reached node B's subscription after %v: not pushed", data, d)
		}
	}

	// Resharding through B; A routes to the children.
	if _, err := cb.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String("orders"), TargetShardCount: aws.Int32(8), ScalingType: types.ScalingTypeUniformScaling}); err != nil {
		t.Fatal(err)
	}
	shards, err := ca.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("orders"), ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeAtLatest}})
	if err != nil || len(shards.Shards) != 8 {
		t.Fatalf("node A lists %d open shards after node B resharded to 8: %v", len(shards.Shards), err)
	}
	put, err := ca.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("orders"), PartitionKey: aws.String("after"), Data: []byte("after")})
	if err != nil {
		t.Fatal(err)
	}
	open := map[string]bool{}
	for _, s := range shards.Shards {
		open[aws.ToString(s.ShardId)] = true
	}
	if !open[aws.ToString(put.ShardId)] {
		t.Fatalf("node A put a record into %s, not one of the open shards %v", aws.ToString(put.ShardId), open)
	}

	// Deleted through A, gone through B.
	if _, err := ca.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("orders"), EnforceConsumerDeletion: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	_, err = cb.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("orders")})
	var rnf *types.ResourceNotFoundException
	if !errors.As(err, &rnf) {
		t.Fatalf("node B describing a stream deleted through node A: %v, want ResourceNotFoundException", err)
	}
}
