package consumer

import (
	"context"
	"fmt"
	"math/big"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/eddy-streams/eddy/client/kpl"
	"github.com/eddy-streams/eddy/internal/eddytest"
)

// TestParentsBeforeChildren splits a shard that holds a backlog, then
// starts two workers that read it slowly: the children's leases exist
// from the start, but no child record may be processed before the parent
// is checkpointed at its end.
func TestParentsBeforeChildren(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	srv := eddytest.Start(t, eddytest.Options{})
	kc := srv.Kinesis()
	createStream(t, ctx, kc, "s", 1)
	ks := keys(8)
	putN(t, ctx, kc, "s", ks, 0, 50)
	mid := new(big.Int).Lsh(big.NewInt(1), 127)
	if _, err := kc.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("s"), ShardToSplit: aws.String("shardId-000000000000"),
		NewStartingHashKey: aws.String(mid.String())}); err != nil {
		t.Fatal(err)
	}
	waitStreamActive(t, ctx, kc, "s")
	putN(t, ctx, kc, "s", ks, 50, 50)

	c := newCollector(t)
	slow := func(id string) Config {
		cfg := testConfig(srv, "app", "s", id)
		cfg.MaxRecords = 10
		return cfg
	}
	for _, id := range []string{"w1", "w2"} {
		w, err := New(slow(id), func(shard string) RecordProcessor {
			inner := c.processor(id)(shard)
			return &slowProcessor{RecordProcessor: inner, delay: 5 * time.Millisecond}
		})
		if err != nil {
			t.Fatal(err)
		}
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); _ = w.Run(runCtx) }()
		t.Cleanup(func() { stop(); <-done })
	}
	waitFor(t, 90*time.Second, "800 records", func() bool { return c.count() == 800 })
	checkRuns(t, c)
	c.mu.Lock()
	defer c.mu.Unlock()
	end, ok := c.shardEnd["shardId-000000000000"]
	if !ok {
		t.Fatal("the parent never checkpointed SHARD_END")
	}
	for _, child := range []string{"shardId-000000000001", "shardId-000000000002"} {
		first, ok := c.firstDelivery[child]
		if !ok {
			t.Errorf("no record of %s", child)
		} else if first < end {
			t.Errorf("%s's first record (event %d) before the parent's end (event %d)", child, first, end)
		}
	}
}

type slowProcessor struct {
	RecordProcessor
	delay time.Duration
}

func (p *slowProcessor) ProcessRecords(ctx context.Context, in ProcessRecordsInput) {
	time.Sleep(p.delay)
	p.RecordProcessor.ProcessRecords(ctx, in)
}

// TestAggregatedCheckpoint puts KPL aggregates, checkpoints in the middle
// of one, and checks that the next holder starts at the user record after
// it (AT_SEQUENCE_NUMBER, skipping the subsequence numbers up to it).
func TestAggregatedCheckpoint(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	srv := eddytest.Start(t, eddytest.Options{})
	kc := srv.Kinesis()
	createStream(t, ctx, kc, "s", 1)
	for agg := 0; agg < 3; agg++ {
		var a kpl.Aggregator
		for i := 0; i < 5; i++ {
			a.Add(kpl.UserRecord{PartitionKey: "k", Data: payload("k", agg*5+i)})
		}
		if _, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: a.AppendTo(nil)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: payload("k", 15)}); err != nil {
		t.Fatal(err)
	}

	// First holder: checkpoints at the third user record of the second
	// aggregate (k/7), then dies.
	got := make(chan []Record, 1)
	var once sync.Once
	first := &funcProcessor{process: func(ctx context.Context, in ProcessRecordsInput) {
		once.Do(func() {
			var r7 Record
			for _, r := range in.Records {
				if string(r.Data) == "k/7" {
					r7 = r
				}
			}
			if !r7.Aggregated || r7.SubSequenceNumber != 2 {
				t.Errorf("k/7: %+v, want aggregated with subsequence number 2", r7)
			}
			if err := in.Checkpointer.CheckpointAt(ctx, r7.SequenceNumber, r7.SubSequenceNumber); err != nil {
				t.Errorf("CheckpointAt: %v", err)
			}
			got <- in.Records
		})
	}}
	runOnce(t, ctx, srv, "w1", first, got)

	// Second holder: starts with k/8.
	got2 := make(chan []Record, 1)
	var once2 sync.Once
	second := &funcProcessor{process: func(ctx context.Context, in ProcessRecordsInput) {
		once2.Do(func() { got2 <- in.Records })
	}}
	recs := runOnce(t, ctx, srv, "w2", second, got2)
	var datas []string
	for _, r := range recs {
		datas = append(datas, string(r.Data))
	}
	want := []string{"k/8", "k/9", "k/10", "k/11", "k/12", "k/13", "k/14", "k/15"}
	if fmt.Sprint(datas) != fmt.Sprint(want) {
		t.Errorf("after the checkpoint: %v, want %v", datas, want)
	}
	if r := recs[len(recs)-1]; r.Aggregated || r.SubSequenceNumber != 0 {
		t.Errorf("plain record k/15: %+v", r)
	}
}

// runOnce runs a worker with proc until got delivers, then kills it.
func runOnce(t *testing.T, ctx context.Context, srv *eddytest.Server, id string, proc RecordProcessor, got chan []Record) []Record {
	t.Helper()
	w, err := New(testConfig(srv, "app", "s", id), func(string) RecordProcessor { return proc })
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = w.Run(runCtx) }()
	defer func() { stop(); <-done }()
	select {
	case recs := <-got:
		// Let the new checkpoint be released to the next worker: a
		// graceful shutdown releases the lease at once.
		sctx, c := context.WithTimeout(ctx, 10*time.Second)
		defer c()
		_ = w.Shutdown(sctx)
		return recs
	case <-ctx.Done():
		t.Fatal("no records")
	}
	return nil
}

// TestInitialPositions checks LATEST and AT_TIMESTAMP for shards without
// a checkpoint.
func TestInitialPositions(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	srv := eddytest.Start(t, eddytest.Options{})
	kc := srv.Kinesis()
	createStream(t, ctx, kc, "s", 2)
	ks := keys(4)
	putN(t, ctx, kc, "s", ks, 0, 5)
	time.Sleep(20 * time.Millisecond) // arrival times are in milliseconds
	ts := time.Now()
	time.Sleep(20 * time.Millisecond)
	putN(t, ctx, kc, "s", ks, 5, 5)

	t.Run("AT_TIMESTAMP", func(t *testing.T) {
		c := newCollector(t)
		cfg := testConfig(srv, "app-ts", "s", "w1")
		cfg.InitialPosition, cfg.InitialTimestamp = AtTimestamp, ts
		_, stop := startWorker(t, cfg, c)
		waitFor(t, 30*time.Second, "20 records", func() bool { return c.count() == 20 })
		stop()
		for d := range c.delivered {
			if _, n := parsePayload(t, []byte(d)); n < 5 {
				t.Errorf("record %s put before the timestamp delivered", d)
			}
		}
	})
	t.Run("LATEST", func(t *testing.T) {
		c := newCollector(t)
		cfg := testConfig(srv, "app-latest", "s", "w1")
		cfg.InitialPosition = Latest
		w, stop := startWorker(t, cfg, c)
		// The processors are initialized at LATEST before more records
		// come; then only those are delivered.
		waitFor(t, 30*time.Second, "2 processors initialized", func() bool {
			c.mu.Lock()
			defer c.mu.Unlock()
			n := 0
			for _, r := range c.runs {
				if r.init.Checkpoint == "LATEST" {
					n++
				}
			}
			return n == 2 && len(w.HeldLeases()) == 2
		})
		// The poller gets its iterator just after Initialize: put until
		// records come, then check none of the first 10 did.
		for i := 10; c.count() == 0; i++ {
			if i > 1000 {
				t.Fatal("no record delivered at LATEST")
			}
			putN(t, ctx, kc, "s", ks, i, 1)
			time.Sleep(50 * time.Millisecond)
		}
		stop()
		for d := range c.delivered {
			if _, n := parsePayload(t, []byte(d)); n < 10 {
				t.Errorf("record %s put before the worker started delivered at LATEST", d)
			}
		}
	})
}
