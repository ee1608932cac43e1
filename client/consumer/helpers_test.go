package consumer

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/eddy-streams/eddy/internal/eddytest"
)

// testLogger writes the workers' log when EDDY_TEST_LOG is set.
func testLogger() *slog.Logger {
	if os.Getenv("EDDY_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// testConfig is a Config with short timings for tests.
func testConfig(srv *eddytest.Server, app, stream, worker string) Config {
	return Config{
		AppName:                 app,
		StreamName:              stream,
		WorkerID:                worker,
		Kinesis:                 srv.Kinesis(),
		DynamoDB:                srv.DynamoDB(),
		InitialPosition:         TrimHorizon,
		LeaseDuration:           3 * time.Second,
		IdleTimeBetweenReads:    50 * time.Millisecond,
		ShardSyncInterval:       2 * time.Second,
		ParentShardPollInterval: 100 * time.Millisecond,
		Logger:                  testLogger(),
	}
}

func createStream(t *testing.T, ctx context.Context, kc *kinesis.Client, name string, shards int32) {
	t.Helper()
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(shards)}); err != nil {
		t.Fatal(err)
	}
	waitStreamActive(t, ctx, kc, name)
}

func waitStreamActive(t *testing.T, ctx context.Context, kc *kinesis.Client, name string) {
	t.Helper()
	waitFor(t, 30*time.Second, "stream ACTIVE", func() bool {
		out, err := kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
		return err == nil && out.StreamDescriptionSummary.StreamStatus == ktypes.StreamStatusActive
	})
}

// waitFor polls cond until it holds, failing the test after timeout.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// payload is what test producers put: the partition key and a counter
// that increases per key.
func payload(pk string, n int) []byte { return []byte(pk + "/" + strconv.Itoa(n)) }

func parsePayload(t testing.TB, data []byte) (string, int) {
	pk, ns, ok := strings.Cut(string(data), "/")
	n, err := strconv.Atoi(ns)
	if !ok || err != nil {
		t.Errorf("unexpected payload %q", data)
	}
	return pk, n
}

// putN puts n records for each of keys (counters from..from+n-1), in
// PutRecords calls of up to 500, and returns the sequence numbers by
// "pk/n".
func putN(t *testing.T, ctx context.Context, kc *kinesis.Client, stream string, keys []string, from, n int) map[string]string {
	t.Helper()
	seqs := map[string]string{}
	var entries []ktypes.PutRecordsRequestEntry
	flush := func() {
		if len(entries) == 0 {
			return
		}
		out, err := kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: entries})
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range out.Records {
			if r.ErrorCode != nil {
				t.Fatalf("PutRecords entry failed: %s", aws.ToString(r.ErrorMessage))
			}
			seqs[string(entries[i].Data)] = aws.ToString(r.SequenceNumber)
		}
		entries = entries[:0]
	}
	for i := from; i < from+n; i++ {
		for _, k := range keys {
			entries = append(entries, ktypes.PutRecordsRequestEntry{PartitionKey: aws.String(k), Data: payload(k, i)})
			if len(entries) == 500 {
				flush()
			}
		}
	}
	flush()
	return seqs
}

func keys(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("key-%03d", i)
	}
	return out
}

// collector records what every processor of a test saw, in one global
// order.
type collector struct {
	t  testing.TB
	mu sync.Mutex
	// seq orders events across processors.
	seq int
	// delivered counts deliveries per payload.
	delivered map[string]int
	// runs are the processor instances, in creation order.
	runs []*run
	// shardEnd is, per shard, the event number of its successful
	// SHARD_END checkpoint.
	shardEnd map[string]int
	// firstDelivery is, per shard, the event number of its first record.
	firstDelivery map[string]int
	// checkpointBatches makes processors checkpoint after each batch.
	checkpointBatches bool
}

// run is one processor instance: one holding of one shard's lease.
type run struct {
	worker, shard string
	init          InitializationInput
	records       []Record // copies
	ended, lost   bool
	shutdown      bool
	checkpoints   []esn
}

func newCollector(t testing.TB) *collector {
	return &collector{t: t, delivered: map[string]int{}, shardEnd: map[string]int{}, firstDelivery: map[string]int{}, checkpointBatches: true}
}

func (c *collector) processor(worker string) func(string) RecordProcessor {
	return func(shard string) RecordProcessor {
		c.mu.Lock()
		defer c.mu.Unlock()
		r := &run{worker: worker, shard: shard}
		c.runs = append(c.runs, r)
		return &testProcessor{c: c, r: r}
	}
}

func (c *collector) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.delivered)
}

type testProcessor struct {
	c *collector
	r *run
}

func (p *testProcessor) Initialize(_ context.Context, in InitializationInput) {
	p.c.mu.Lock()
	p.r.init = in
	p.c.mu.Unlock()
}

func (p *testProcessor) ProcessRecords(ctx context.Context, in ProcessRecordsInput) {
	c := p.c
	c.mu.Lock()
	c.seq++
	if _, ok := c.firstDelivery[in.ShardID]; !ok {
		c.firstDelivery[in.ShardID] = c.seq
	}
	for _, r := range in.Records {
		r.Data = slices.Clone(r.Data)
		p.r.records = append(p.r.records, r)
		c.delivered[string(r.Data)]++
	}
	cp := c.checkpointBatches
	c.mu.Unlock()
	if cp {
		if err := in.Checkpointer.Checkpoint(ctx); err == nil {
			c.mu.Lock()
			last := in.Records[len(in.Records)-1]
			p.r.checkpoints = append(p.r.checkpoints, last.esn())
			c.mu.Unlock()
		}
	}
}

func (p *testProcessor) LeaseLost(context.Context, LeaseLostInput) {
	p.c.mu.Lock()
	p.r.lost = true
	p.c.mu.Unlock()
}

func (p *testProcessor) ShardEnded(ctx context.Context, in ShardEndedInput) {
	err := in.Checkpointer.Checkpoint(ctx)
	p.c.mu.Lock()
	defer p.c.mu.Unlock()
	p.r.ended = true
	if err == nil {
		p.c.seq++
		p.c.shardEnd[in.ShardID] = p.c.seq
	} else {
		p.c.t.Logf("SHARD_END checkpoint of %s: %v", in.ShardID, err)
	}
}

func (p *testProcessor) ShutdownRequested(ctx context.Context, in ShutdownRequestedInput) {
	_ = in.Checkpointer.Checkpoint(ctx)
	p.c.mu.Lock()
	p.r.shutdown = true
	p.c.mu.Unlock()
}

// startWorker runs a worker until the test ends; cancel kills it.
func startWorker(t *testing.T, cfg Config, c *collector) (w *Worker, cancel func()) {
	t.Helper()
	w, err := New(cfg, c.processor(cfg.WorkerID))
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	var once sync.Once
	cancel = func() {
		once.Do(func() {
			stop()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("worker %s: Run: %v", cfg.WorkerID, err)
				}
			case <-time.After(30 * time.Second):
				t.Errorf("worker %s: Run did not return", cfg.WorkerID)
			}
		})
	}
	t.Cleanup(cancel)
	return w, cancel
}

// shutdown stops a worker gracefully.
func shutdown(t *testing.T, w *Worker, cancel func()) {
	t.Helper()
	ctx, c := context.WithTimeout(context.Background(), 30*time.Second)
	defer c()
	if err := w.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	cancel()
}
