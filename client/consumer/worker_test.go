package consumer

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/eddy-streams/eddy/internal/eddytest"
)

// checkRuns checks what every processor instance saw: each record after
// the checkpoint it started from, and each partition key's records in
// order within the instance.
func checkRuns(t *testing.T, c *collector) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range c.runs {
		start := esn{seq: r.init.Checkpoint, sub: r.init.SubSequenceNumber}
		last := map[string]int{}
		for _, rec := range r.records {
			if rec.esn().compare(start) <= 0 {
				t.Errorf("%s on %s: record %v delivered again after the checkpoint %v it started from", r.worker, r.shard, rec.esn(), start)
			}
			pk, n := parsePayload(t, rec.Data)
			if p, ok := last[pk]; ok && n <= p {
				t.Errorf("%s on %s: key %s: %d after %d", r.worker, r.shard, pk, n, p)
			}
			last[pk] = n
		}
	}
}

func TestConsumeCheckpointAndResume(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	srv := eddytest.Start(t, eddytest.Options{})
	kc := srv.Kinesis()
	createStream(t, ctx, kc, "s", 4)
	ks := keys(20)
	putN(t, ctx, kc, "s", ks, 0, 25)

	c := newCollector(t)
	w, stop := startWorker(t, testConfig(srv, "app", "s", "w1"), c)
	waitFor(t, 60*time.Second, "500 records", func() bool { return c.count() == 500 })
	shutdown(t, w, stop)
	checkRuns(t, c)

	// Every lease was released with a checkpoint at its last record.
	leases, err := (&leaseTable{ddb: srv.DynamoDB(), name: "app"}).list(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(leases) != 4 {
		t.Fatalf("%d leases, want 4", len(leases))
	}
	for _, l := range leases {
		if l.owner != "" {
			t.Errorf("lease %s still owned by %q after Shutdown", l.key, l.owner)
		}
		if l.checkpoint.isSentinel() {
			t.Errorf("lease %s not checkpointed: %v", l.key, l.checkpoint)
		}
	}
	c.mu.Lock()
	for _, r := range c.runs {
		if !r.shutdown {
			t.Errorf("processor of %s did not get ShutdownRequested", r.shard)
		}
	}
	c.mu.Unlock()

	// A new worker (after a server restart) starts after the checkpoints:
	// only the new records come.
	srv.Restart()
	putN(t, ctx, srv.Kinesis(), "s", ks, 25, 5)
	c2 := newCollector(t)
	cfg := testConfig(srv, "app", "s", "w2")
	w2, stop2 := startWorker(t, cfg, c2)
	waitFor(t, 60*time.Second, "100 new records", func() bool { return c2.count() == 100 })
	shutdown(t, w2, stop2)
	checkRuns(t, c2)
	c2.mu.Lock()
	defer c2.mu.Unlock()
	for d := range c2.delivered {
		if _, n := parsePayload(t, []byte(d)); n < 25 {
			t.Errorf("record %s delivered again after its checkpoint", d)
		}
	}
}

func TestLeaseTableLayout(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	srv := eddytest.Start(t, eddytest.Options{})
	kc, dc := srv.Kinesis(), srv.DynamoDB()
	createStream(t, ctx, kc, "s", 2)
	putN(t, ctx, kc, "s", keys(4), 0, 5)
	c := newCollector(t)
	_, stop := startWorker(t, testConfig(srv, "layout-app", "s", "w1"), c)
	waitFor(t, 30*time.Second, "20 records", func() bool { return c.count() == 20 })

	desc, err := dc.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("layout-app")})
	if err != nil {
		t.Fatal(err)
	}
	ks := desc.Table.KeySchema
	if len(ks) != 1 || aws.ToString(ks[0].AttributeName) != "leaseKey" || ks[0].KeyType != dtypes.KeyTypeHash {
		t.Errorf("key schema %+v, want leaseKey HASH", ks)
	}
	if bs := desc.Table.BillingModeSummary; bs == nil || bs.BillingMode != dtypes.BillingModePayPerRequest {
		t.Errorf("billing mode %+v, want PAY_PER_REQUEST", bs)
	}
	// Wait for a checkpoint, then read the rows as any DynamoDB client does.
	var items []map[string]dtypes.AttributeValue
	waitFor(t, 30*time.Second, "checkpoints in both leases", func() bool {
		out, err := dc.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("layout-app")})
		if err != nil || len(out.Items) != 2 {
			return false
		}
		items = out.Items
		for _, it := range items {
			if v, ok := it["checkpoint"].(*dtypes.AttributeValueMemberS); !ok || v.Value == "TRIM_HORIZON" {
				return false
			}
		}
		return true
	})
	stop()
	for _, it := range items {
		want := map[string]string{
			"leaseKey": "S", "leaseOwner": "S", "leaseCounter": "N", "ownerSwitchesSinceCheckpoint": "N",
			"checkpoint": "S", "checkpointSubSequenceNumber": "N", "startingHashKey": "S", "endingHashKey": "S",
		}
		got := map[string]string{}
		for name, v := range it {
			switch v.(type) {
			case *dtypes.AttributeValueMemberS:
				got[name] = "S"
			case *dtypes.AttributeValueMemberN:
				got[name] = "N"
			case *dtypes.AttributeValueMemberSS:
				got[name] = "SS"
			default:
				got[name] = "?"
			}
		}
		for name, typ := range want {
			if got[name] != typ {
				t.Errorf("lease %v: attribute %s is %q, want %s", it["leaseKey"], name, got[name], typ)
			}
		}
		for name := range got {
			if _, ok := want[name]; !ok {
				t.Errorf("lease %v: unexpected attribute %s", it["leaseKey"], name)
			}
		}
		if v := it["leaseOwner"].(*dtypes.AttributeValueMemberS).Value; v != "w1" {
			t.Errorf("leaseOwner %q, want w1", v)
		}
		if !strings.HasPrefix(it["leaseKey"].(*dtypes.AttributeValueMemberS).Value, "shardId-") {
			t.Errorf("leaseKey %v is not a shard id", it["leaseKey"])
		}
	}
}

// TestTwoWorkersNeverShareALease runs two workers on 8 shards: they end
// with 4 leases each, and no lease is ever held by both at once.
func TestTwoWorkersNeverShareALease(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	srv := eddytest.Start(t, eddytest.Options{})
	kc := srv.Kinesis()
	createStream(t, ctx, kc, "s", 8)
	c := newCollector(t)
	w1, stop1 := startWorker(t, testConfig(srv, "app", "s", "w1"), c)
	// w1 takes everything first; w2 then steals up to its share.
	waitFor(t, 30*time.Second, "w1 holds 8", func() bool { return len(w1.HeldLeases()) == 8 })
	w2, stop2 := startWorker(t, testConfig(srv, "app", "s", "w2"), c)
	deadline := time.Now().Add(60 * time.Second)
	for {
		h1, h2 := w1.HeldLeases(), w2.HeldLeases()
		for _, k := range h1 {
			if slices.Contains(h2, k) {
				// Both may believe it for an instant only if a steal is
				// under way; the table must say one owner. Check it.
				l, _, err := (&leaseTable{ddb: srv.DynamoDB(), name: "app"}).get(ctx, k)
				if err == nil && l.owner != "w1" && l.owner != "w2" {
					t.Fatalf("lease %s owned by %q", k, l.owner)
				}
			}
		}
		if len(h1) == 4 && len(h2) == 4 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("leases not balanced: w1 %v, w2 %v", h1, h2)
		}
		time.Sleep(50 * time.Millisecond)
	}
	stop1()
	stop2()
}

func TestCheckpointValidation(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	srv := eddytest.Start(t, eddytest.Options{})
	kc := srv.Kinesis()
	createStream(t, ctx, kc, "s", 1)
	seqs := putN(t, ctx, kc, "s", []string{"k"}, 0, 10)

	errs := make(chan []error, 1)
	proc := &funcProcessor{process: func(ctx context.Context, in ProcessRecordsInput) {
		if len(in.Records) != 10 {
			t.Errorf("batch of %d, want 10", len(in.Records))
			return
		}
		cp := in.Checkpointer
		var got []error
		got = append(got, cp.CheckpointAt(ctx, "not-a-number", 0))
		got = append(got, cp.CheckpointAt(ctx, seqs["k/5"], -1))
		// Beyond the last record handed over.
		beyond := seqs["k/9"] + "0"
		got = append(got, cp.CheckpointAt(ctx, beyond, 0))
		got = append(got, cp.CheckpointAt(ctx, seqs["k/9"], 1))
		// Fine, then going back is refused.
		if err := cp.CheckpointAt(ctx, seqs["k/5"], 0); err != nil {
			t.Errorf("CheckpointAt(k/5): %v", err)
		}
		got = append(got, cp.CheckpointAt(ctx, seqs["k/4"], 0))
		if err := cp.CheckpointAt(ctx, seqs["k/5"], 0); err != nil {
			t.Errorf("CheckpointAt(k/5) again: %v", err)
		}
		errs <- got
	}}
	w, err := New(testConfig(srv, "app", "s", "w1"), func(string) RecordProcessor { return proc })
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- w.Run(runCtx) }()
	var got []error
	select {
	case got = <-errs:
	case <-ctx.Done():
		t.Fatal("no batch")
	}
	stop()
	<-done
	for i, err := range got {
		if !errors.Is(err, ErrInvalidCheckpoint) {
			t.Errorf("case %d: err %v, want ErrInvalidCheckpoint", i, err)
		}
	}
	l, _, err := (&leaseTable{ddb: srv.DynamoDB(), name: "app"}).get(ctx, "shardId-000000000000")
	if err != nil {
		t.Fatal(err)
	}
	if l.checkpoint != (esn{seq: seqs["k/5"]}) {
		t.Errorf("checkpoint %v, want k/5's %s: refused checkpoints must write nothing", l.checkpoint, seqs["k/5"])
	}
}

// funcProcessor is a RecordProcessor from functions; nil ones do nothing
// (ShardEnded checkpoints).
type funcProcessor struct {
	init    func(context.Context, InitializationInput)
	process func(context.Context, ProcessRecordsInput)
	lost    func()
}

func (p *funcProcessor) Initialize(ctx context.Context, in InitializationInput) {
	if p.init != nil {
		p.init(ctx, in)
	}
}
func (p *funcProcessor) ProcessRecords(ctx context.Context, in ProcessRecordsInput) {
	if p.process != nil {
		p.process(ctx, in)
	}
}
func (p *funcProcessor) LeaseLost(context.Context, LeaseLostInput) {
	if p.lost != nil {
		p.lost()
	}
}
func (p *funcProcessor) ShardEnded(ctx context.Context, in ShardEndedInput) {
	_ = in.Checkpointer.Checkpoint(ctx)
}
func (p *funcProcessor) ShutdownRequested(context.Context, ShutdownRequestedInput) {}
