package producer_test

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/eddy-streams/eddy/client/kpl"
	"github.com/eddy-streams/eddy/client/producer"
)

// The order a partition key's records are stored in, under the two kinds
// of refusal a PutRecords call can meet: throttling, which refuses a
// shard's entries from the first one over its limit to the end of the call
// (Eddy's limiter under --limits aws, as Kinesis's), and refusals of
// single entries in the middle of a shard's entries (Eddy's fault
// injection draws per entry; on Kinesis an InternalFailure of one entry).

// TestRetriesKeepOrder throttles 30% of PutRecords entries at random with
// StrictOrder: every record is retried until written, once, and each key's
// records are stored in the order they were put, aggregated or not.
func TestRetriesKeepOrder(t *testing.T) {
	for _, tc := range []struct {
		aggregate bool
		records   int
	}{{true, 6000}, {false, 1500}} {
		t.Run(fmt.Sprintf("aggregation=%v", tc.aggregate), func(t *testing.T) {
			srv := startEddy(t)
			c := srv.client()
			createStream(t, c, "flaky", 3)
			srv.setFaults(t, `{"stream":"flaky","operation":"PutRecords","throttleRate":0.3,"seed":7}`)
			m := newCountingMetrics()
			p, err := producer.New(context.Background(), c, "flaky", producer.WithMetrics(m), producer.StrictOrder(true),
				producer.AggregationEnabled(tc.aggregate), producer.AggregationMaxSize(4096),
				producer.RetryBackoff(time.Millisecond, 20*time.Millisecond))
			if err != nil {
				t.Fatal(err)
			}
			recs := orderedRecords(tc.records, 20, 40)
			results := putAll(t, p, recs)
			if err := closeWithin(p, time.Minute); err != nil {
				t.Fatal(err)
			}
			retried := 0
			for _, r := range results {
				if r.Attempts > 1 {
					retried++
				}
			}
			if retried == 0 || m.count("ErrorsByCode/ProvisionedThroughputExceededException") == 0 {
				t.Fatalf("no record was retried (%d); the fault rule did not apply", retried)
			}
			users := deaggregate(t, c, "flaky", readStream(t, c, "flaky"))
			checkExactlyOnce(t, users, recs)
			checkOrder(t, users, leadingInt)
			t.Logf("%d of %d records needed more than one attempt", retried, len(recs))
		})
	}
}

// TestMidCallRefusalsReorderOnlyWhereReported throttles 30% of PutRecords
// entries at random without StrictOrder, so that a call often has an entry
// of a shard refused and a later one of the same shard written: every
// record is still written exactly once, and a key's records are out of
// order only where the producer said so (a warning naming the shard), the
// record stored too late being one that was retried.
func TestMidCallRefusalsReorderOnlyWhereReported(t *testing.T) {
	srv := startEddy(t)
	c := srv.client()
	createStream(t, c, "midcall", 3)
	srv.setFaults(t, `{"stream":"midcall","operation":"PutRecords","throttleRate":0.3,"seed":11}`)
	logs := &warnings{}
	p, err := producer.New(context.Background(), c, "midcall", producer.Logger(slog.New(logs)),
		producer.AggregationMaxSize(4096), producer.RetryBackoff(time.Millisecond, 20*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	recs := orderedRecords(6000, 20, 40)
	results := putAll(t, p, recs)
	if err := closeWithin(p, time.Minute); err != nil {
		t.Fatal(err)
	}
	users := deaggregate(t, c, "midcall", readStream(t, c, "midcall"))
	checkExactlyOnce(t, users, recs)
	warned := logs.shards("records stored out of order")
	if len(warned) == 0 {
		t.Fatal("no call had an entry refused before a written one of its shard: the test did not exercise the case")
	}
	inversions := 0
	for _, inv := range inversions_(users, leadingInt) {
		inversions++
		late := results[leadingInt(inv.late.data)]
		if late.Attempts < 2 || !warned[late.ShardID] {
			t.Errorf("key %s: record %q stored after %q: it took %d attempts, shard %s warned about: %v",
				inv.late.pk, inv.late.data, inv.early.data, late.Attempts, late.ShardID, warned[late.ShardID])
		}
	}
	t.Logf("%d warnings on shards %v; %d records stored right after one put later than them", logs.count("records stored out of order"), warned, inversions)
}

// TestThrottlingKeepsOrder puts into a server holding each shard to
// Kinesis's limits, with the producer's own rate limiter off and small
// aggregates, so that calls carry several Kinesis records of a shard and
// the server throttles the last ones of many: nothing is lost or
// duplicated, every key's records are stored in the order they were put,
// and the producer warns of no reordering.
func TestThrottlingKeepsOrder(t *testing.T) {
	srv := startEddy(t, "--limits", "aws")
	c := &shardCallsClient{Client: srv.client()}
	createStream(t, c.Client, "throttled", 2)
	c.loadShards(t, "throttled")
	logs := &warnings{}
	m := newCountingMetrics()
	p, err := producer.New(context.Background(), c, "throttled", producer.Logger(slog.New(logs)), producer.WithMetrics(m),
		producer.RateLimit(0), producer.AggregationMaxSize(4096), producer.RetryBackoff(time.Millisecond, 50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	recs := orderedRecords(30000, 40, 200) // 6 MB: 3 s of two shards' write limit
	putAll(t, p, recs)
	if err := closeWithin(p, time.Minute); err != nil {
		t.Fatal(err)
	}
	users := deaggregate(t, c.Client, "throttled", readStream(t, c.Client, "throttled"))
	checkExactlyOnce(t, users, recs)
	checkOrder(t, users, leadingInt)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.refusedThenWritten > 0 {
		t.Errorf("%d times the server refused an entry and wrote a later one of its shard: not throttling as Kinesis does", c.refusedThenWritten)
	}
	if c.writtenThenRefused == 0 {
		t.Fatal("no call had a shard's first entries written and its last ones throttled: the test did not exercise the case")
	}
	if n := logs.count("records stored out of order"); n > 0 {
		t.Errorf("%d out-of-order warnings", n)
	}
	t.Logf("%d calls had a shard's last entries throttled after earlier ones were written; %v entries throttled",
		c.writtenThenRefused, m.count("ErrorsByCode/ProvisionedThroughputExceededException"))
}

// orderedRecords returns n records over keys partition keys, each one's
// data its index, a colon and size more bytes.
func orderedRecords(n, keys, size int) []producer.Record {
	recs := make([]producer.Record, n)
	for i := range recs {
		recs[i] = producer.Record{PartitionKey: "k" + strconv.Itoa(i%keys), Data: fmt.Appendf(nil, "%d:%0*d", i, size, i)}
	}
	return recs
}

// inversion is a key's record stored after one put later.
type inversion struct{ early, late userRec }

// inversions_ returns, per key, each record that the stream holds right
// before one put earlier (ordered as checkOrder orders them).
func inversions_(users []userRec, seqOf func(string) int) []inversion {
	byKey := map[string][]userRec{}
	for _, u := range users {
		byKey[u.pk] = append(byKey[u.pk], u)
	}
	var out []inversion
	for _, us := range byKey {
		sort.Slice(us, func(i, j int) bool {
			if len(us[i].seq) != len(us[j].seq) {
				return len(us[i].seq) < len(us[j].seq)
			}
			if us[i].seq != us[j].seq {
				return us[i].seq < us[j].seq
			}
			return us[i].sub < us[j].sub
		})
		for i := 1; i < len(us); i++ {
			if us[i-1].shard == us[i].shard && seqOf(us[i-1].data) > seqOf(us[i].data) {
				out = append(out, inversion{early: us[i-1], late: us[i]})
			}
		}
	}
	return out
}

// warnings is a slog.Handler that keeps the producer's warnings.
type warnings struct {
	mu   sync.Mutex
	msgs []warning
}

type warning struct{ msg, shard string }

func (w *warnings) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }
func (w *warnings) WithAttrs([]slog.Attr) slog.Handler           { return w }
func (w *warnings) WithGroup(string) slog.Handler                { return w }
func (w *warnings) Handle(_ context.Context, r slog.Record) error {
	wr := warning{msg: r.Message}
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "shard" {
			wr.shard = a.Value.String()
		}
		return true
	})
	w.mu.Lock()
	w.msgs = append(w.msgs, wr)
	w.mu.Unlock()
	return nil
}

// count returns how many warnings began with prefix.
func (w *warnings) count(prefix string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for _, m := range w.msgs {
		if strings.HasPrefix(m.msg, prefix) {
			n++
		}
	}
	return n
}

// shards returns the shards named by warnings beginning with prefix.
func (w *warnings) shards(prefix string) map[string]bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := map[string]bool{}
	for _, m := range w.msgs {
		if strings.HasPrefix(m.msg, prefix) {
			out[m.shard] = true
		}
	}
	return out
}

// shardCallsClient passes calls to the real client and looks, in each
// PutRecords call, at the entries of each shard in their order: whether
// some were written and later ones refused, or some refused and later
// ones written.
type shardCallsClient struct {
	*kinesis.Client
	ranges map[string][2]kpl.HashKey

	mu                                     sync.Mutex
	writtenThenRefused, refusedThenWritten int
}

func (c *shardCallsClient) loadShards(t *testing.T, stream string) {
	out, err := c.Client.ListShards(context.Background(), &kinesis.ListShardsInput{StreamName: aws.String(stream)})
	if err != nil {
		t.Fatal(err)
	}
	c.ranges = map[string][2]kpl.HashKey{}
	for _, s := range out.Shards {
		a, _ := kpl.ParseHashKey(*s.HashKeyRange.StartingHashKey)
		b, _ := kpl.ParseHashKey(*s.HashKeyRange.EndingHashKey)
		c.ranges[*s.ShardId] = [2]kpl.HashKey{a, b}
	}
}

func (c *shardCallsClient) shardOf(pk, ehk string) string {
	k, _ := kpl.HashKeyOf(pk, ehk)
	for id, r := range c.ranges {
		if k.InRange(r[0], r[1]) {
			return id
		}
	}
	return ""
}

func (c *shardCallsClient) PutRecords(ctx context.Context, in *kinesis.PutRecordsInput, opts ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error) {
	out, err := c.Client.PutRecords(ctx, in, opts...)
	if err != nil || len(out.Records) != len(in.Records) {
		return out, err
	}
	written, refused := map[string]bool{}, map[string]bool{}
	wtr, rtw := map[string]bool{}, map[string]bool{}
	for i, e := range in.Records {
		s := c.shardOf(aws.ToString(e.PartitionKey), aws.ToString(e.ExplicitHashKey))
		if out.Records[i].ErrorCode != nil {
			refused[s] = true
			wtr[s] = wtr[s] || written[s]
		} else {
			written[s] = true
			rtw[s] = rtw[s] || refused[s]
		}
	}
	c.mu.Lock()
	c.writtenThenRefused += len(wtr) - countFalse(wtr)
	c.refusedThenWritten += len(rtw) - countFalse(rtw)
	c.mu.Unlock()
	return out, err
}

func countFalse(m map[string]bool) int {
	n := 0
	for _, v := range m {
		if !v {
			n++
		}
	}
	return n
}
