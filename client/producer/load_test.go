package producer_test

import (
	"context"
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/eddy-streams/eddy/client/producer"
)

// countingMetrics counts what the producer reports, by name and error code.
type countingMetrics struct {
	mu     sync.Mutex
	counts map[string]float64
	obs    map[string][]float64
	gauges map[string]float64
}

func newCountingMetrics() *countingMetrics {
	return &countingMetrics{counts: map[string]float64{}, obs: map[string][]float64{}, gauges: map[string]float64{}}
}

func (m *countingMetrics) Add(name string, d producer.Dimensions, v float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.counts[name] += v
	if d.ErrorCode != "" {
		m.counts[name+"/"+d.ErrorCode] += v
	}
}

func (m *countingMetrics) Observe(name string, _ producer.Dimensions, v float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.obs[name] = append(m.obs[name], v)
}

func (m *countingMetrics) Set(name string, _ producer.Dimensions, v float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.gauges[name] = v
}

func (m *countingMetrics) count(name string) float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.counts[name]
}

func (m *countingMetrics) observations(name string) []float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]float64(nil), m.obs[name]...)
}

// putAll puts the records and waits for every result, failing the test
// on any error.
func putAll(t *testing.T, p *producer.Producer, recs []producer.Record) []producer.Result {
	t.Helper()
	ctx := context.Background()
	futures := make([]*producer.Future, len(recs))
	for i, r := range recs {
		f, err := p.Put(ctx, r)
		if err != nil {
			t.Fatalf("Put %d: %v", i, err)
		}
		futures[i] = f
	}
	out := make([]producer.Result, len(recs))
	for i, f := range futures {
		wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		res, err := f.Wait(wctx)
		cancel()
		if err != nil {
			t.Fatalf("record %d (%s): %v", i, recs[i].PartitionKey, err)
		}
		out[i] = res
	}
	return out
}

// checkExactlyOnce fails unless the user records read are exactly the
// records put (partition key and data), each once.
func checkExactlyOnce(t *testing.T, users []userRec, recs []producer.Record) {
	t.Helper()
	seen := map[string]int{}
	for _, u := range users {
		seen[u.pk+"|"+u.data]++
	}
	for _, r := range recs {
		k := r.PartitionKey + "|" + string(r.Data)
		switch seen[k] {
		case 1:
		case 0:
			t.Fatalf("record %.60q lost", k)
		default:
			t.Fatalf("record %.60q read %d times", k, seen[k])
		}
		delete(seen, k)
	}
	for k, n := range seen {
		t.Fatalf("record %.60q read %d times, never put", k, n)
	}
}

// TestHotKeyWithAWSLimits puts 20,000 records under one partition key and
// 20,000 spread over 500 keys into a server holding every shard to
// Kinesis's limits (1 MiB/s and 1,000 records/s): nothing is lost or
// duplicated, every key's records are stored in the order they were put,
// throttled entries are retried, and the producer's own rate limiter keeps
// throttling rare.
func TestHotKeyWithAWSLimits(t *testing.T) {
	srv := startEddy(t, "--limits", "aws")
	c := srv.client()
	createStream(t, c, "hot", 4)
	m := newCountingMetrics()
	p, err := producer.New(context.Background(), c, "hot", producer.WithMetrics(m))
	if err != nil {
		t.Fatal(err)
	}
	var recs []producer.Record
	pad := strings.Repeat("h", 90)
	for i := range 20000 {
		recs = append(recs, producer.Record{PartitionKey: "hot", Data: []byte(strconv.Itoa(i) + ":" + pad)})
		recs = append(recs, producer.Record{PartitionKey: "k" + strconv.Itoa(i%500), Data: []byte(strconv.Itoa(i) + ":" + pad)})
	}
	start := time.Now()
	putAll(t, p, recs)
	if err := closeWithin(p, time.Minute); err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	users := deaggregate(t, c, "hot", readStream(t, c, "hot"))
	checkExactlyOnce(t, users, recs)
	checkOrder(t, users, leadingInt)
	throttled := m.count("ErrorsByCode/ProvisionedThroughputExceededException")
	t.Logf("%d records in %v; %v Kinesis records put, %v throttled entries retried; user records per Kinesis record: %v",
		len(recs), elapsed.Round(time.Millisecond), m.count(producer.KinesisRecordsPut), throttled, summary(m.observations(producer.UserRecordsPerKinesisRecord)))
	if m.count(producer.UserRecordsPut) != float64(len(recs)) || m.count(producer.UserRecordsReceived) != float64(len(recs)) {
		t.Errorf("UserRecordsReceived %v, UserRecordsPut %v, want %d", m.count(producer.UserRecordsReceived), m.count(producer.UserRecordsPut), len(recs))
	}
	if kr := m.count(producer.KinesisRecordsPut); throttled > kr/4 {
		t.Errorf("%v of %v Kinesis records throttled: the rate limiter does not keep throttling rare", throttled, kr)
	}
}

func summary(v []float64) string {
	if len(v) == 0 {
		return "none"
	}
	lo, hi, sum := v[0], v[0], 0.0
	for _, x := range v {
		lo, hi, sum = min(lo, x), max(hi, x), sum+x
	}
	return fmt.Sprintf("min %.0f mean %.1f max %.0f", lo, sum/float64(len(v)), hi)
}

// TestReshardWhileProducing splits a shard and then merges two while
// records flow: every acknowledged record is readable exactly once (user
// records of an aggregate that landed outside their shard's range are
// dropped by the reader, as the KCL does), and the producer's shard map
// follows the changes (records are acknowledged on the new shards).
func TestReshardWhileProducing(t *testing.T) {
	srv := startEddy(t)
	c := srv.client()
	createStream(t, c, "rs", 2)
	p, err := producer.New(context.Background(), c, "rs", producer.RecordMaxBufferedTime(20*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var (
		mu      sync.Mutex
		acked   []producer.Record
		shards  = map[string]int{}
		failed  atomic.Int64
		put     atomic.Int64
		stop    = make(chan struct{})
		stopped = make(chan struct{})
	)
	go func() {
		defer close(stopped)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			r := producer.Record{PartitionKey: "k" + strconv.Itoa(i%300), Data: fmt.Appendf(nil, "%d:data", i)}
			err := p.PutFunc(ctx, r, func(res producer.Result) {
				if res.Err != nil {
					failed.Add(1)
					return
				}
				mu.Lock()
				acked = append(acked, r)
				shards[res.ShardID]++
				mu.Unlock()
			})
			if err != nil {
				t.Error(err)
				return
			}
			put.Add(1)
			if i%200 == 0 {
				time.Sleep(time.Millisecond) // keep the rate moderate: the test is about resharding
			}
		}
	}()
	waitPut := func(n int64) {
		waitFor(t, 30*time.Second, fmt.Sprintf("%d records put", n), func() bool { return put.Load() >= n })
	}
	waitPut(5000)
	// Split shard 0 at the middle of its range.
	sh := listOpen(t, c, "rs")
	mid := midpoint(*sh[0].HashKeyRange.StartingHashKey, *sh[0].HashKeyRange.EndingHashKey)
	if _, err := c.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("rs"), ShardToSplit: sh[0].ShardId, NewStartingHashKey: aws.String(mid)}); err != nil {
		t.Fatal(err)
	}
	waitActive(t, c, "rs")
	waitPut(put.Load() + 5000)
	// Merge the two children of the split.
	sh = listOpen(t, c, "rs")
	if len(sh) != 3 {
		t.Fatalf("%d open shards after the split", len(sh))
	}
	if _, err := c.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: aws.String("rs"), ShardToMerge: sh[0].ShardId, AdjacentShardToMerge: sh[1].ShardId}); err != nil {
		t.Fatal(err)
	}
	waitActive(t, c, "rs")
	waitPut(put.Load() + 5000)
	close(stop)
	<-stopped
	if err := closeWithin(p, time.Minute); err != nil {
		t.Fatal(err)
	}
	if failed.Load() > 0 {
		t.Fatalf("%d records failed", failed.Load())
	}
	final := listOpen(t, c, "rs")
	newest := *final[0].ShardId
	for _, s := range final {
		newest = max(newest, *s.ShardId)
	}
	mu.Lock()
	defer mu.Unlock()
	if shards[newest] == 0 {
		t.Fatalf("no record acknowledged on the merged shard %s: the shard map did not follow (%v)", newest, shards)
	}
	users := deaggregate(t, c, "rs", readStream(t, c, "rs"))
	checkExactlyOnce(t, users, acked)
	t.Logf("%d records acknowledged, by shard %v", len(acked), shards)
}

func listOpen(t *testing.T, c *kinesis.Client, stream string) []types.Shard {
	t.Helper()
	out, err := c.ListShards(context.Background(), &kinesis.ListShardsInput{StreamName: aws.String(stream)})
	if err != nil {
		t.Fatal(err)
	}
	var open []types.Shard
	for _, s := range out.Shards {
		if s.SequenceNumberRange.EndingSequenceNumber == nil {
			open = append(open, s)
		}
	}
	// By hash key range, so neighbours are adjacent.
	key := func(s types.Shard) *big.Int {
		x, _ := new(big.Int).SetString(*s.HashKeyRange.StartingHashKey, 10)
		return x
	}
	sort.Slice(open, func(i, j int) bool { return key(open[i]).Cmp(key(open[j])) < 0 })
	return open
}

func waitActive(t *testing.T, c *kinesis.Client, stream string) {
	t.Helper()
	waitFor(t, 30*time.Second, "stream ACTIVE", func() bool {
		out, err := c.DescribeStreamSummary(context.Background(), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(stream)})
		return err == nil && out.StreamDescriptionSummary.StreamStatus == types.StreamStatusActive
	})
}

func midpoint(a, b string) string {
	x, _ := new(big.Int).SetString(a, 10)
	y, _ := new(big.Int).SetString(b, 10)
	return new(big.Int).Rsh(new(big.Int).Add(x, y), 1).String()
}
