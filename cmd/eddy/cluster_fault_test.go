package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/eddy-streams/eddy/internal/natstest"
)

// onceClient is a Kinesis client of node c that sends each request once:
// an SDK resend of a PutRecords whose answer was lost would store its
// records twice, and this test counts copies.
func onceClient(c *child) *kinesis.Client {
	return kinesis.New(kinesis.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String("http://" + c.addr),
		Credentials:      credentials.NewStaticCredentialsProvider("AKID", "secret", ""),
		RetryMaxAttempts: 1,
	})
}

// faultLoad is the records written during TestServeClusterFaults.
type faultLoad struct {
	mu      sync.Mutex
	acked   map[string]bool // acknowledged: must be stored exactly once
	unknown map[string]bool // the request failed: stored once or not at all
	order   map[string][]string
	puts    atomic.Int64
	fails   atomic.Int64
}

// write runs one writer until stop: PutRecords of 20 records, each writer
// with its own partition keys, through clients[0] until it fails, then
// through the next.
func (l *faultLoad) write(w int, clients []*kinesis.Client, stop *atomic.Bool) {
	at := 0
	for n := 0; !stop.Load(); n++ {
		var entries []types.PutRecordsRequestEntry
		var data []string
		for j := range 20 {
			d := fmt.Sprintf("w%d-%05d-%02d", w, n, j)
			data = append(data, d)
			entries = append(entries, types.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprintf("w%d-k%d", w, j%4)), Data: []byte(d)})
		}
		c := clients[at%len(clients)]
		rctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		out, err := c.PutRecords(rctx, &kinesis.PutRecordsInput{StreamName: aws.String("faults"), Records: entries})
		cancel()
		l.mu.Lock()
		if err != nil {
			for _, d := range data {
				l.unknown[d] = true
			}
			l.fails.Add(1)
			at++ // try the other node
		} else {
			for i, r := range out.Records {
				if r.ErrorCode == nil {
					l.acked[data[i]] = true
					key := aws.ToString(entries[i].PartitionKey)
					l.order[key] = append(l.order[key], data[i])
				}
			}
			l.puts.Add(1)
		}
		l.mu.Unlock()
		if err != nil {
			time.Sleep(100 * time.Millisecond)
		}
	}
}

// TestServeClusterFaults puts records through two Eddy nodes on a
// three-node NATS cluster (R3) while one NATS server is killed with
// SIGKILL and restarted, then one Eddy node is killed: every acknowledged
// record is readable exactly once, in order per partition key, through
// either node; an iterator made by the killed node works on the survivor;
// a subscription through the surviving node keeps receiving; the killed
// NATS server rejoins and a new Eddy node serves the stream.
func TestServeClusterFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("kills NATS servers and Eddy nodes")
	}
	nats := natstest.StartCluster(t, 3)
	root, prefix := newRootKey(t), "F"+strconv.Itoa(os.Getpid())
	a := startChild(t, clusterArgs(t, nats, prefix, root))
	b := startChild(t, clusterArgs(t, nats, prefix, root))
	ca, cb := a.client(), b.client()
	ctx := testContext(t)
	if _, err := ca.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("faults"), ShardCount: aws.Int32(4)}); err != nil {
		t.Fatal(err)
	}
	sum, err := ca.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("faults")})
	if err != nil {
		t.Fatal(err)
	}
	reg, err := ca.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: sum.StreamDescriptionSummary.StreamARN, ConsumerName: aws.String("survivor")})
	if err != nil {
		t.Fatal(err)
	}
	// A subscription through A to shard 0, collecting what it is pushed.
	var subMu sync.Mutex
	subGot := map[string]bool{}
	subscribe := func(pos *types.StartingPosition) <-chan error {
		out, err := ca.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{ConsumerARN: reg.Consumer.ConsumerARN, ShardId: aws.String("shardId-000000000000"), StartingPosition: pos})
		if err != nil {
			t.Fatalf("SubscribeToShard: %v", err)
		}
		done := make(chan error, 1)
		go func() {
			st := out.GetStream()
			defer st.Close()
			for ev := range st.Events() {
				if e, ok := ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent); ok {
					subMu.Lock()
					for _, r := range e.Value.Records {
						subGot[string(r.Data)] = true
					}
					subMu.Unlock()
				}
			}
			done <- st.Err()
		}()
		return done
	}
	subDone := subscribe(&types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon})

	load := &faultLoad{acked: map[string]bool{}, unknown: map[string]bool{}, order: map[string][]string{}}
	var stop atomic.Bool
	var wg sync.WaitGroup
	oa, ob := onceClient(a), onceClient(b)
	for w := range 4 {
		clients := []*kinesis.Client{oa, ob}
		if w%2 == 1 {
			clients = []*kinesis.Client{ob, oa}
		}
		wg.Add(1)
		go func() { defer wg.Done(); load.write(w, clients, &stop) }()
	}
	time.Sleep(2 * time.Second)
	// An iterator made by B, for use after B is gone.
	it, err := cb.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("faults"), ShardId: aws.String("shardId-000000000001"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	nats.Kill(1)
	t.Log("NATS server n2 killed")
	time.Sleep(4 * time.Second)
	nats.Restart(1)
	t.Log("NATS server n2 restarted")
	time.Sleep(3 * time.Second)
	b.cmd.Process.Kill()
	b.cmd.Wait()
	t.Log("Eddy node B killed")
	time.Sleep(3 * time.Second)
	stop.Store(true)
	wg.Wait()
	t.Logf("%d PutRecords acknowledged, %d failed; %d records acknowledged, %d unknown", load.puts.Load(), load.fails.Load(), len(load.acked), len(load.unknown))
	if load.puts.Load() < 20 {
		t.Fatalf("only %d PutRecords acknowledged", load.puts.Load())
	}
	nats.WaitReady(t, time.Minute)

	// B's iterator, used on A.
	if _, err := ca.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator}); err != nil {
		t.Fatalf("node A refused the killed node B's iterator: %v", err)
	}
	// Everything through A, and through a new node C.
	c := startChild(t, clusterArgs(t, nats, prefix, root))
	for name, cl := range map[string]*kinesis.Client{"A": ca, "C": c.client()} {
		count := map[string]int{}
		seen := map[string][]string{}
		for s := range 4 {
			for _, r := range readShard(t, cl, "faults", fmt.Sprintf("shardId-%012d", s)) {
				d := string(r.Data)
				count[d]++
				key := aws.ToString(r.PartitionKey)
				seen[key] = append(seen[key], d)
			}
		}
		for d := range load.acked {
			if count[d] != 1 {
				t.Errorf("node %s: acknowledged record %s read %d times, want exactly once", name, d, count[d])
			}
		}
		for d, n := range count {
			if !load.acked[d] && !load.unknown[d] {
				t.Errorf("node %s: record %s was never sent", name, d)
			}
			if n > 1 {
				t.Errorf("node %s: record %s read %d times", name, d, n)
			}
		}
		// Per partition key, the acknowledged records in the order they
		// were acknowledged (unknown ones may sit between them).
		for key, want := range load.order {
			var got []string
			for _, d := range seen[key] {
				if load.acked[d] {
					got = append(got, d)
				}
			}
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("node %s: key %s: acknowledged records out of order or missing (%d read, %d acknowledged)", name, key, len(got), len(want))
			}
		}
	}
	// The subscription through A saw shard 0's acknowledged records
	// (resubscribing once if a fault ended it).
	shard0 := map[string]bool{}
	for _, r := range readShard(t, ca, "faults", "shardId-000000000000") {
		if load.acked[string(r.Data)] {
			shard0[string(r.Data)] = true
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		subMu.Lock()
		missing := 0
		for d := range shard0 {
			if !subGot[d] {
				missing++
			}
		}
		subMu.Unlock()
		if missing == 0 {
			break
		}
		select {
		case err := <-subDone:
			t.Logf("subscription ended (%v); subscribing again from the start", err)
			subDone = subscribe(&types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon})
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("the subscription through node A misses %d of shard 0's %d acknowledged records", missing, len(shard0))
		}
	}
}
