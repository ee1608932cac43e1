package consumer

import (
	"context"
	"math/big"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/eddy-streams/eddy/internal/eddytest"
)

// producer puts records for a set of keys until stopped, each key's
// counter increasing; acked holds the payloads Kinesis acknowledged.
// Counters of a failed call are skipped, never put again, so a key's
// records are in the stream in counter order.
type producer struct {
	mu    sync.Mutex
	acked map[string]bool
	stop  chan struct{}
	done  chan struct{}
}

func startProducer(t *testing.T, kc *kinesis.Client, stream string, ks []string) *producer {
	p := &producer{acked: map[string]bool{}, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		for n := 0; ; n++ {
			select {
			case <-p.stop:
				return
			default:
			}
			var entries []ktypes.PutRecordsRequestEntry
			for _, k := range ks {
				entries = append(entries, ktypes.PutRecordsRequestEntry{PartitionKey: aws.String(k), Data: payload(k, n)})
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			out, err := kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: entries})
			cancel()
			if err != nil {
				time.Sleep(50 * time.Millisecond) // the server restarting
				continue
			}
			p.mu.Lock()
			for i, r := range out.Records {
				if r.ErrorCode == nil {
					p.acked[string(entries[i].Data)] = true
				}
			}
			p.mu.Unlock()
			time.Sleep(20 * time.Millisecond)
		}
	}()
	t.Cleanup(p.halt)
	return p
}

func (p *producer) halt() {
	select {
	case <-p.stop:
	default:
		close(p.stop)
	}
	<-p.done
}

func (p *producer) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.acked)
}

// ownersInTable returns the owner of every unfinished lease.
func ownersInTable(t *testing.T, ctx context.Context, srv *eddytest.Server, app string) map[string]string {
	leases, err := (&leaseTable{ddb: srv.DynamoDB(), name: app}).list(ctx)
	if err != nil {
		t.Logf("listing leases: %v", err)
		return nil
	}
	out := map[string]string{}
	for _, l := range leases {
		if !l.done() {
			out[l.key] = l.owner
		}
	}
	return out
}

// TestAcceptance is the scenario: three workers on a 16-shard
// stream under load; one is killed and its leases move; a shard is split
// and two are merged mid-run; then everything restarts (the server too).
// Every acknowledged record is processed at least once, each key's
// records in order within each processor, nothing at or before the
// checkpoint a processor started from comes again, and no child shard's
// record is processed before its parents ended.
func TestAcceptance(t *testing.T) {
	if testing.Short() {
		t.Skip("long scenario")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 240*time.Second)
	defer cancel()
	srv := eddytest.Start(t, eddytest.Options{})
	kc := srv.Kinesis()
	const app, stream = "acceptance", "s"
	createStream(t, ctx, kc, stream, 16)
	prod := startProducer(t, srv.Kinesis(), stream, keys(64))

	c := newCollector(t)
	cfg := func(id string) Config { return testConfig(srv, app, stream, id) }
	w1, stop1 := startWorker(t, cfg("w1"), c)
	w2, stop2 := startWorker(t, cfg("w2"), c)
	w3, stop3 := startWorker(t, cfg("w3"), c)
	waitFor(t, 60*time.Second, "16 leases spread over 3 workers", func() bool {
		n1, n2, n3 := len(w1.HeldLeases()), len(w2.HeldLeases()), len(w3.HeldLeases())
		return n1+n2+n3 == 16 && n1 >= 5 && n2 >= 5 && n3 >= 5
	})
	waitFor(t, 60*time.Second, "records flowing", func() bool { return c.count() > 2000 })

	// Kill w3: its leases expire and move to w1 and w2.
	killed := time.Now()
	stop3()
	waitFor(t, 6*testConfig(srv, "", "", "").LeaseDuration, "w3's leases taken over", func() bool {
		owners := ownersInTable(t, ctx, srv, app)
		if len(owners) != 16 {
			return false
		}
		for _, o := range owners {
			if o != "w1" && o != "w2" {
				return false
			}
		}
		return len(w1.HeldLeases())+len(w2.HeldLeases()) == 16
	})
	t.Logf("the killed worker's leases moved in %v (lease duration %v)", time.Since(killed).Round(10*time.Millisecond), cfg("").LeaseDuration)

	// Split one shard and merge two others while records flow.
	shards, err := kc.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(stream)})
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(shards.Shards, func(i, j int) bool { return hashStart(shards.Shards[i]).Cmp(hashStart(shards.Shards[j])) < 0 })
	split := shards.Shards[5]
	mid := new(big.Int).Add(hashStart(split), hashEnd(split))
	mid.Rsh(mid, 1)
	if _, err := kc.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String(stream), ShardToSplit: split.ShardId,
		NewStartingHashKey: aws.String(mid.String())}); err != nil {
		t.Fatal(err)
	}
	waitStreamActive(t, ctx, kc, stream)
	if _, err := kc.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: aws.String(stream),
		ShardToMerge: shards.Shards[10].ShardId, AdjacentShardToMerge: shards.Shards[11].ShardId}); err != nil {
		t.Fatal(err)
	}
	waitStreamActive(t, ctx, kc, stream)
	before := c.count()
	waitFor(t, 60*time.Second, "records of the new shards", func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		n := 0
		for _, r := range c.runs {
			if r.shard > "shardId-000000000015" && len(r.records) > 0 {
				n++
			}
		}
		return n >= 3 && len(c.delivered) > before+2000
	})

	// Restart everything: w1 crashes, w2 shuts down gracefully, the
	// server restarts, and three workers start again (w1 finds leases
	// that a previous w1 held).
	stop1()
	shutdown(t, w2, stop2)
	srv.Restart()
	w1, _ = startWorker(t, cfg("w1"), c)
	w2, _ = startWorker(t, cfg("w2"), c)
	w3, _ = startWorker(t, cfg("w3"), c)
	n := prod.count()
	waitFor(t, 60*time.Second, "records after the restart", func() bool { return prod.count() > n+2000 })
	prod.halt()

	waitFor(t, 90*time.Second, "every acknowledged record processed", func() bool {
		prod.mu.Lock()
		defer prod.mu.Unlock()
		c.mu.Lock()
		defer c.mu.Unlock()
		for d := range prod.acked {
			if c.delivered[d] == 0 {
				return false
			}
		}
		return true
	})

	checkRuns(t, c)
	// Parents before children.
	all, err := kc.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(stream)})
	if err != nil {
		t.Fatal(err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	children := 0
	for _, sh := range all.Shards {
		first, ok := c.firstDelivery[aws.ToString(sh.ShardId)]
		if !ok {
			continue
		}
		for _, p := range shardParents(&sh) {
			children++
			end, ok := c.shardEnd[p]
			if !ok {
				t.Errorf("%s delivered records but its parent %s never checkpointed SHARD_END", aws.ToString(sh.ShardId), p)
			} else if end > first {
				t.Errorf("%s's first record (event %d) came before its parent %s ended (event %d)", aws.ToString(sh.ShardId), first, p, end)
			}
		}
	}
	if children != 4 {
		t.Errorf("checked %d parent-child pairs, want 4 (a split and a merge)", children)
	}
	again := 0
	for _, k := range c.delivered {
		again += k - 1
	}
	t.Logf("%d records acknowledged, %d processed, %d processed more than once (after the kill and the crash), %d processor runs",
		len(prod.acked), len(c.delivered), again, len(c.runs))
}

func hashStart(s ktypes.Shard) *big.Int {
	v, _ := new(big.Int).SetString(aws.ToString(s.HashKeyRange.StartingHashKey), 10)
	return v
}

func hashEnd(s ktypes.Shard) *big.Int {
	v, _ := new(big.Int).SetString(aws.ToString(s.HashKeyRange.EndingHashKey), 10)
	return v
}
