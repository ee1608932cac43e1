package delivery

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/client/kpl"
	"github.com/eddy-streams/eddy/kinesis"
	"github.com/eddy-streams/eddy/protocol/kds"
	"github.com/eddy-streams/eddy/storage"
	"github.com/eddy-streams/eddy/storage/mem"
)

func ptr[T any](v T) *T { return &v }

func newEngine(t *testing.T, meta storage.MetaStore, shards int32) *kinesis.Engine {
	t.Helper()
	cfg := kinesis.DefaultConfig()
	cfg.CreateDelay, cfg.UpdateDelay, cfg.DeleteDelay = 0, 0, 0
	eng, err := kinesis.New(cfg, mem.NewLogs(), meta)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	ctx := context.Background()
	if _, err := eng.CreateStream(ctx, &kds.CreateStreamInput{StreamName: ptr("src"), ShardCount: ptr(shards)}); err != nil {
		t.Fatal(err)
	}
	waitActive(t, eng)
	return eng
}

func waitActive(t *testing.T, eng *kinesis.Engine) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		out, err := eng.DescribeStreamSummary(context.Background(), &kds.DescribeStreamSummaryInput{StreamName: ptr("src")})
		if err == nil && out.StreamDescriptionSummary.StreamStatus == kinesis.StatusActive {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("stream not active: %v", err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// runUntil runs a pipeline over src until delivered says stop, then stops it.
func runUntil(t *testing.T, p *Pipeline, done func() bool) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { p.Run(ctx); close(stopped) }()
	defer func() { cancel(); <-stopped }()
	deadline := time.Now().Add(30 * time.Second)
	for !done() {
		if time.Now().After(deadline) {
			t.Fatal("not delivered in 30s")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// TestKinesisSourceFollowsReshardAndDeaggregates reads a two-shard stream
// through a reshard to three shards: every record is delivered, KPL
// aggregates as their user records, each key's records in order (a
// parent's before its children's), and a second pipeline on the same
// checkpoints delivers nothing again but what came after.
func TestKinesisSourceFollowsReshardAndDeaggregates(t *testing.T) {
	meta := mem.NewMeta()
	eng := newEngine(t, meta, 2)
	ctx := context.Background()
	var want []string
	put := func(key, data string) {
		t.Helper()
		if _, err := eng.PutRecord(ctx, &kds.PutRecordInput{StreamName: ptr("src"), PartitionKey: ptr(key), Data: []byte(data)}); err != nil {
			t.Fatal(err)
		}
		want = append(want, data)
	}
	keys := []string{"a", "b", "c", "d", "e"}
	for i := range 10 {
		for _, k := range keys {
			put(k, fmt.Sprintf("%s-%02d", k, i))
		}
	}
	// One KPL aggregate of three user records of key "a".
	var agg kpl.Aggregator
	for i := 10; i < 13; i++ {
		agg.Add(kpl.UserRecord{PartitionKey: "a", Data: fmt.Appendf(nil, "a-%02d", i)})
		want = append(want, fmt.Sprintf("a-%02d", i))
	}
	if _, err := eng.PutRecord(ctx, &kds.PutRecordInput{StreamName: ptr("src"), PartitionKey: ptr("a"), Data: agg.AppendTo(nil)}); err != nil {
		t.Fatal(err)
	}
	dest := &recorder{}
	newPipeline := func() *Pipeline {
		return &Pipeline{
			Source: &KinesisSource{Kinesis: eng, StreamARN: "arn:aws:kinesis:us-east-1:000000000000:stream/src", Meta: meta,
				Table: "firehose/kinesis-checkpoints", Prefix: "d/", Poll: 5 * time.Millisecond},
			Destination: dest, Hints: Hints{Size: 40, Interval: 10 * time.Millisecond}, ReadBatch: 3, Idle: 5 * time.Millisecond, RetryDelay: time.Millisecond,
		}
	}
	delivered := func() []string { return slices.Concat(dest.datas()...) }
	// A reshard before anything is read: the parents' records and the
	// children's wait together.
	if _, err := eng.UpdateShardCount(ctx, &kds.UpdateShardCountInput{StreamName: ptr("src"), TargetShardCount: ptr(int32(3)), ScalingType: ptr(kds.ScalingTypeUniformScaling)}); err != nil {
		t.Fatal(err)
	}
	waitActive(t, eng)
	for i := 13; i < 20; i++ {
		for _, k := range keys {
			put(k, fmt.Sprintf("%s-%02d", k, i))
		}
	}
	runUntil(t, newPipeline(), func() bool { return len(delivered()) >= len(want) })
	// A new pipeline on the same checkpoints: what comes after.
	for _, k := range keys {
		put(k, k+"-20")
	}
	runUntil(t, newPipeline(), func() bool {
		d := delivered()
		return !slices.ContainsFunc(keys, func(k string) bool { return !slices.Contains(d, k+"-20") })
	})

	// At least once: a record delivered twice (the first pipeline stopped
	// between a delivery and its checkpoint) is counted once.
	var got []string
	for _, d := range delivered() {
		if !slices.Contains(got, d) {
			got = append(got, d)
		}
	}
	for _, k := range keys {
		var seq []string
		for _, d := range got {
			if strings.HasPrefix(d, k+"-") {
				seq = append(seq, d)
			}
		}
		if !slices.IsSorted(seq) {
			t.Fatalf("key %s delivered out of order: %v", k, seq)
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("delivered %v\nwant %v", got, want)
	}
}

// TestKinesisSourceStartsAtStart: records put before Start are not read.
func TestKinesisSourceStartsAtStart(t *testing.T) {
	meta := mem.NewMeta()
	eng := newEngine(t, meta, 1)
	ctx := context.Background()
	if _, err := eng.PutRecord(ctx, &kds.PutRecordInput{StreamName: ptr("src"), PartitionKey: ptr("k"), Data: []byte("before")}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond) // arrival times are in milliseconds: keep "before" strictly before start
	start := time.Now()
	time.Sleep(5 * time.Millisecond)
	if _, err := eng.PutRecord(ctx, &kds.PutRecordInput{StreamName: ptr("src"), PartitionKey: ptr("k"), Data: []byte("after")}); err != nil {
		t.Fatal(err)
	}
	src := &KinesisSource{Kinesis: eng, StreamARN: "arn:aws:kinesis:us-east-1:000000000000:stream/src", Start: start, Meta: meta, Table: "t", Prefix: "d/"}
	recs, err := src.Read(ctx, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || string(recs[0].Data) != "after" || recs[0].Kinesis.PartitionKey != "k" || recs[0].Kinesis.ShardID != "shardId-000000000000" {
		t.Fatalf("read %+v", recs)
	}
}
