package kinesis

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/storage"
	"github.com/eddy-streams/eddy/storage/mem"
)

type testEnv struct {
	e     *Engine
	clock *FakeClock
	logs  storage.Logs
	meta  storage.MetaStore
}

func newEnv(t *testing.T, mut func(*Config)) *testEnv {
	t.Helper()
	env := &testEnv{clock: NewFakeClock(time.Unix(1700000000, 0)), logs: mem.NewLogs(), meta: mem.NewMeta()}
	env.e = env.open(t, mut)
	return env
}

func (env *testEnv) open(t *testing.T, mut func(*Config)) *Engine {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Clock = env.clock
	if mut != nil {
		mut(&cfg)
	}
	e, err := New(cfg, env.logs, env.meta)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var ee *eddy.Error
	if !errors.As(err, &ee) || ee.Code != code {
		t.Fatalf("got error %v, want %s", err, code)
	}
}

func put(t *testing.T, e *Engine, stream string, keys ...string) []putResult {
	t.Helper()
	var entries []putEntry
	for _, k := range keys {
		entries = append(entries, putEntry{PartitionKey: k, Data: []byte("data-" + k)})
	}
	res, err := e.putRecords(context.Background(), "PutRecords", stream, entries)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.ErrorCode != "" {
			t.Fatalf("put failed: %+v", r)
		}
	}
	return res
}

// readAll reads a shard from an iterator to the end, returning the data
// and the final result.
func readAll(t *testing.T, e *Engine, iter string) ([]string, getResult) {
	t.Helper()
	var out []string
	for i := 0; i < 100; i++ {
		res, err := e.getRecords(context.Background(), iter, 10000, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res.Records {
			out = append(out, string(r.Data))
		}
		if res.Next == "" || len(res.Records) == 0 {
			return out, res
		}
		iter = res.Next
	}
	t.Fatal("read did not finish")
	return nil, getResult{}
}

func TestRoutingAndIterators(t *testing.T) {
	env := newEnv(t, nil)
	e := env.e
	if err := e.createStream("s", 4, ModeProvisioned, nil); err != nil {
		t.Fatal(err)
	}
	wantCode(t, e.createStream("s", 1, ModeProvisioned, nil), eddy.CodeResourceInUse)
	keys := make([]string, 200)
	for i := range keys {
		keys[i] = fmt.Sprint("key-", i)
	}
	res := put(t, e, "s", keys...)
	// Same key, same shard; the hash decides the shard.
	v := e.lookup("s").view.Load()
	perShard := map[int][]string{}
	for i, r := range res {
		if want := v.route(partitionHash(keys[i])).meta.Index; r.Shard != want {
			t.Fatalf("key %s went to shard %d, want %d", keys[i], r.Shard, want)
		}
		perShard[r.Shard] = append(perShard[r.Shard], "data-"+keys[i])
	}
	if len(perShard) != 4 {
		t.Fatalf("200 keys used %d of 4 shards", len(perShard))
	}
	for sh, want := range perShard {
		it, err := e.getShardIterator(context.Background(), "s", shardID(sh), IterTrimHorizon, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, last := readAll(t, e, it)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("shard %d: read %v, want %v", sh, got, want)
		}
		if last.MillisBehind != 0 || last.Next == "" {
			t.Fatalf("open shard at its end: %+v", last)
		}
	}
	// AT / AFTER_SEQUENCE_NUMBER and LATEST.
	r0 := res[0]
	seq := r0.Seq.String()
	it, _ := e.getShardIterator(context.Background(), "s", shardID(r0.Shard), IterAtSequence, &seq, nil)
	got, _ := readAll(t, e, it)
	if got[0] != "data-key-0" {
		t.Fatalf("AT_SEQUENCE_NUMBER starts at %s", got[0])
	}
	it, _ = e.getShardIterator(context.Background(), "s", shardID(r0.Shard), IterAfterSequence, &seq, nil)
	got2, _ := readAll(t, e, it)
	if len(got2) != len(got)-1 {
		t.Fatalf("AFTER_SEQUENCE_NUMBER read %d, AT read %d", len(got2), len(got))
	}
	latest, _ := e.getShardIterator(context.Background(), "s", shardID(r0.Shard), IterLatest, nil, nil)
	put(t, e, "s", "key-0")
	got, _ = readAll(t, e, latest)
	if len(got) != 1 || got[0] != "data-key-0" {
		t.Fatalf("LATEST read %v", got)
	}
	// A sequence number of another shard is rejected.
	other := (r0.Shard + 1) % 4
	_, err := e.getShardIterator(context.Background(), "s", shardID(other), IterAtSequence, &seq, nil)
	wantCode(t, err, eddy.CodeInvalidArgument)
	bad := "12345"
	_, err = e.getShardIterator(context.Background(), "s", shardID(other), IterAtSequence, &bad, nil)
	wantCode(t, err, eddy.CodeInvalidArgument)
	_, err = e.getShardIterator(context.Background(), "s", "shardId-000000000099", IterLatest, nil, nil)
	wantCode(t, err, eddy.CodeResourceNotFound)
	_, err = e.getShardIterator(context.Background(), "nope", "shardId-000000000000", IterLatest, nil, nil)
	wantCode(t, err, eddy.CodeResourceNotFound)
}

func TestAtTimestampAndExpiry(t *testing.T) {
	env := newEnv(t, nil)
	e := env.e
	e.createStream("s", 1, ModeProvisioned, nil)
	put(t, e, "s", "a")
	env.clock.Advance(time.Second)
	mark := env.clock.Now()
	put(t, e, "s", "b")
	env.clock.Advance(time.Second)
	put(t, e, "s", "c")
	it, err := e.getShardIterator(context.Background(), "s", shardID(0), IterAtTimestamp, nil, &mark)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := readAll(t, e, it)
	if fmt.Sprint(got) != "[data-b data-c]" {
		t.Fatalf("AT_TIMESTAMP read %v", got)
	}
	future := env.clock.Now().Add(time.Hour)
	_, err = e.getShardIterator(context.Background(), "s", shardID(0), IterAtTimestamp, nil, &future)
	wantCode(t, err, eddy.CodeInvalidArgument)
	// Iterators expire after 5 minutes.
	env.clock.Advance(5*time.Minute + time.Millisecond)
	_, err = e.getRecords(context.Background(), it, 10, nil)
	wantCode(t, err, eddy.CodeExpiredIterator)
	// A forged iterator is rejected.
	_, err = e.getRecords(context.Background(), "AAAA"+it[4:], 10, nil)
	wantCode(t, err, eddy.CodeInvalidArgument)
}

func TestSplitMergeLineage(t *testing.T) {
	env := newEnv(t, nil)
	e := env.e
	e.createStream("s", 1, ModeProvisioned, nil)
	put(t, e, "s", "a", "b", "c")
	itParent, _ := e.getShardIterator(context.Background(), "s", shardID(0), IterTrimHorizon, nil, nil)
	mid := "170141183460469231731687303715884105728"
	if err := e.splitShard("s", shardID(0), mid); err != nil {
		t.Fatal(err)
	}
	wantCode(t, e.splitShard("s", shardID(0), mid), eddy.CodeResourceNotFound) // closed now
	got, last := readAll(t, e, itParent)
	if fmt.Sprint(got) != "[data-a data-b data-c]" || last.Next != "" || len(last.Children) != 2 {
		t.Fatalf("parent read %v, last %+v", got, last)
	}
	if last.Children[0].Index != 1 || last.Children[1].Index != 2 || last.Children[1].Start.String() != mid {
		t.Fatalf("children %+v", last.Children)
	}
	// New records go to the children only.
	for _, r := range put(t, e, "s", "a", "b", "c", "d") {
		if r.Shard != 1 && r.Shard != 2 {
			t.Fatalf("record went to shard %d after split", r.Shard)
		}
	}
	wantCode(t, e.mergeShards("s", shardID(1), shardID(0)), eddy.CodeResourceNotFound)
	if err := e.mergeShards("s", shardID(1), shardID(2)); err != nil {
		t.Fatal(err)
	}
	v := e.lookup("s").view.Load()
	if len(v.open) != 1 || v.open[0].meta.Index != 3 || v.open[0].meta.Parent != 1 || v.open[0].meta.AdjacentParent != 2 {
		t.Fatalf("after merge: %+v", v.open[0].meta)
	}
	if v.open[0].start != (hashKey{}) || v.open[0].end != maxHashKey {
		t.Fatal("merged shard does not cover the key space")
	}
	// UpdateShardCount to 2, 4 and back to 2.
	if _, err := e.updateShardCount("s", 2); err != nil {
		t.Fatal(err)
	}
	if _, err := e.updateShardCount("s", 4); err != nil {
		t.Fatal(err)
	}
	if n := len(e.lookup("s").view.Load().open); n != 4 {
		t.Fatalf("%d open shards, want 4", n)
	}
	if _, err := e.updateShardCount("s", 9); err == nil {
		t.Fatal("more than doubling accepted")
	}
	if _, err := e.updateShardCount("s", 2); err != nil {
		t.Fatal(err)
	}
	put(t, e, "s", "x", "y", "z")
}

func TestTransitionsAndRestart(t *testing.T) {
	env := newEnv(t, func(c *Config) { c.CreateDelay = time.Second; c.DeleteDelay = time.Second })
	e := env.e
	e.createStream("s", 2, ModeProvisioned, map[string]string{"k": "v"})
	if st := e.lookup("s").view.Load().meta.Status; st != StatusCreating {
		t.Fatalf("status %s", st)
	}
	_, err := e.putRecords(context.Background(), "PutRecords", "s", []putEntry{{PartitionKey: "a"}})
	wantCode(t, err, eddy.CodeResourceNotFound)
	env.clock.Advance(time.Second)
	if st := e.lookup("s").view.Load().meta.Status; st != StatusActive {
		t.Fatalf("status %s after the delay", st)
	}
	res := put(t, e, "s", "a", "b")
	it, _ := e.getShardIterator(context.Background(), "s", shardID(res[0].Shard), IterTrimHorizon, nil, nil)

	// Restart: a new engine over the same storage sees the stream, its
	// records, and accepts the old iterator.
	e.Close()
	e2 := env.open(t, nil)
	got, _ := readAll(t, e2, it)
	if len(got) == 0 {
		t.Fatal("no records after restart")
	}
	if tags := e2.lookup("s").view.Load().meta.Tags; tags["k"] != "v" {
		t.Fatalf("tags after restart: %v", tags)
	}
	if err := e2.deleteStream("s"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, e2.deleteStream("s"), eddy.CodeResourceNotFound)
	env.clock.Advance(time.Second)
	if e2.lookup("s") != nil {
		t.Fatal("stream still there after the delete delay")
	}
	ids, _ := env.logs.List()
	if len(ids) != 0 {
		t.Fatalf("logs left after delete: %v", ids)
	}
	// The name can be reused; old iterators do not read the new stream.
	e2.createStream("s", 1, ModeProvisioned, nil)
	_, err = e2.getRecords(context.Background(), it, 10, nil)
	wantCode(t, err, eddy.CodeResourceNotFound)
}

func TestRetention(t *testing.T) {
	env := newEnv(t, nil)
	e := env.e
	e.createStream("s", 1, ModeProvisioned, nil)
	put(t, e, "s", "old")
	env.clock.Advance(23 * time.Hour)
	put(t, e, "s", "new")
	env.clock.Advance(90 * time.Minute) // "old" is now 24.5 h old
	it, _ := e.getShardIterator(context.Background(), "s", shardID(0), IterTrimHorizon, nil, nil)
	got, _ := readAll(t, e, it)
	if fmt.Sprint(got) != "[data-new]" {
		t.Fatalf("read %v, want only the retained record", got)
	}
	// Closed shards disappear once their records have all expired.
	if err := e.splitShard("s", shardID(0), "1000"); err != nil {
		t.Fatal(err)
	}
	env.clock.Advance(25 * time.Hour)
	if _, ok := e.lookup("s").view.Load().shards[0]; ok {
		t.Fatal("closed shard 0 still listed after retention")
	}
}

func TestShardLimit(t *testing.T) {
	env := newEnv(t, func(c *Config) { c.ShardLimit = 5 })
	e := env.e
	if err := e.createStream("a", 4, ModeProvisioned, nil); err != nil {
		t.Fatal(err)
	}
	wantCode(t, e.createStream("b", 2, ModeProvisioned, nil), eddy.CodeLimitExceeded)
	if err := e.splitShard("a", shardID(0), "1000"); err != nil {
		t.Fatal(err)
	}
	// Shard 1 of 4 starts at 2^126.
	wantCode(t, e.splitShard("a", shardID(1), "85070591730234615865843651857942053864"), eddy.CodeLimitExceeded)
}

// onlyLogs hides a store's optional interfaces, storage.MultiAppender
// among them.
type onlyLogs struct{ storage.Logs }

// TestPutRecordsAppendPaths: a PutRecords over many shards stores every
// record once, in request order per shard, whether the store appends to
// all shards in one call (storage.MultiAppender) or one Append per shard.
func TestPutRecordsAppendPaths(t *testing.T) {
	for name, logs := range map[string]storage.Logs{"AppendMulti": mem.NewLogs(), "Append": onlyLogs{mem.NewLogs()}} {
		t.Run(name, func(t *testing.T) {
			env := &testEnv{clock: NewFakeClock(time.Unix(1700000000, 0)), logs: logs, meta: mem.NewMeta()}
			e := env.open(t, nil)
			if err := e.createStream("s", 8, ModeProvisioned, nil); err != nil {
				t.Fatal(err)
			}
			keys := make([]string, 500)
			for i := range keys {
				keys[i] = fmt.Sprint("key-", i)
			}
			res := put(t, e, "s", keys...)
			perShard := map[int][]string{}
			for i, r := range res {
				perShard[r.Shard] = append(perShard[r.Shard], "data-"+keys[i])
			}
			if len(perShard) != 8 {
				t.Fatalf("500 keys used %d of 8 shards", len(perShard))
			}
			for sh, want := range perShard {
				it, err := e.getShardIterator(context.Background(), "s", shardID(sh), IterTrimHorizon, nil, nil)
				if err != nil {
					t.Fatal(err)
				}
				if got, _ := readAll(t, e, it); fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("shard %d: read %d records %.80v, want %d %.80v", sh, len(got), got, len(want), want)
				}
			}
		})
	}
}
