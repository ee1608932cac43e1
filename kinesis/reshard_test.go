package kinesis

import (
	"context"
	"fmt"
	"math/big"
	mrand "math/rand"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/protocol/kds"
)

const midHashKey = "170141183460469231731687303715884105728" // 2^127

// TestEmptyClosedShardEnds: a shard closed before it received a record
// ends at once for every iterator type, in GetRecords (no records,
// ChildShards, no next iterator) and in SubscribeToShard (a ChildShards
// event, then the end), so consumers that read parents before children
// move on to the children.
func TestEmptyClosedShardEnds(t *testing.T) {
	env := newEnv(t, nil)
	e := env.e
	if err := e.createStream("s", 1, ModeProvisioned, nil); err != nil {
		t.Fatal(err)
	}
	arn := register(t, e, "s", "app")
	env.clock.Advance(time.Second)
	if err := e.splitShard("s", shardID(0), midHashKey); err != nil {
		t.Fatal(err)
	}
	desc, err := e.DescribeStream(context.Background(), &kds.DescribeStreamInput{StreamName: ptr("s")})
	if err != nil {
		t.Fatal(err)
	}
	parent := desc.StreamDescription.Shards[0]
	if parent.SequenceNumberRange.EndingSequenceNumber == nil {
		t.Fatalf("parent not closed: %+v", parent)
	}
	start := parent.SequenceNumberRange.StartingSequenceNumber
	ending := *parent.SequenceNumberRange.EndingSequenceNumber
	past := env.clock.Now().Add(-time.Hour)
	positions := []struct {
		typ string
		seq *string
		ts  *time.Time
	}{
		{IterTrimHorizon, nil, nil},
		{IterLatest, nil, nil},
		{IterAtSequence, &start, nil},
		{IterAfterSequence, &start, nil},
		{IterAtSequence, &ending, nil},
		{IterAfterSequence, &ending, nil},
		{IterAtTimestamp, nil, &past},
	}
	for _, p := range positions {
		it, err := e.getShardIterator(context.Background(), "s", shardID(0), p.typ, p.seq, p.ts)
		if err != nil {
			t.Fatalf("%s: %v", p.typ, err)
		}
		ended := false
		for call := 0; call < 3 && !ended; call++ {
			res, err := e.getRecords(context.Background(), it, 10000, nil)
			if err != nil {
				t.Fatalf("%s: %v", p.typ, err)
			}
			if len(res.Records) != 0 {
				t.Fatalf("%s: %d records from an empty shard", p.typ, len(res.Records))
			}
			if res.Next == "" {
				ended = true
				if len(res.Children) != 2 {
					t.Fatalf("%s: the end carries %d child shards, want 2", p.typ, len(res.Children))
				}
			}
			it = res.Next
		}
		if !ended {
			t.Fatalf("%s: GetRecords on an empty closed shard never ended", p.typ)
		}

		sp := &kds.StartingPosition{Type: ptr(kds.ShardIteratorType(p.typ)), SequenceNumber: p.seq}
		if p.ts != nil {
			sp.Timestamp = ptr(kds.Timestamp(*p.ts))
		}
		c := startSubAt(t, e, arn, shardID(0), sp)
		select {
		case err := <-c.done:
			if err != nil {
				t.Fatalf("%s: subscription: %v", p.typ, err)
			}
		case <-time.After(10 * time.Second):
			c.cancel()
			t.Fatalf("%s: SubscribeToShard on an empty closed shard never ended", p.typ)
		}
		last := c.last()
		if len(last.Records) != 0 || len(last.ChildShards) != 2 || last.ContinuationSequenceNumber != nil {
			t.Fatalf("%s: last event %+v", p.typ, last)
		}
		env.clock.Advance(subscribeTakeover) // the next subscription may take over
	}
}

// TestReshardLineageProperty drives random sequences of SplitShard,
// MergeShards and UpdateShardCount with puts in between, then checks the
// lineage a consumer sees and reads the stream as a KCL consumer does,
// parents before children (choosing, among the shards it may read, the
// newest first, so a missing parent link shows up as a key out of order):
//
//   - every closed shard ends with ChildShards whose ranges cover its own,
//     each of which names it as a parent;
//   - every shard with parents has at most two, and their ranges together
//     are exactly its own;
//   - every record of every key is read once, in the order it was put.
func TestReshardLineageProperty(t *testing.T) {
	for seed := uint64(1); seed <= 25; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) { reshardProperty(t, seed) })
	}
}

func reshardProperty(t *testing.T, seed uint64) {
	env := newEnv(t, nil)
	e := env.e
	rng := rand.New(rand.NewPCG(seed, 7))
	if err := e.createStream("s", 1+rng.IntN(5), ModeProvisioned, nil); err != nil {
		t.Fatal(err)
	}
	keys := make([]string, 40)
	for i := range keys {
		keys[i] = fmt.Sprint("key-", i)
	}
	want := map[string][]string{} // key -> data in put order
	n := 0
	putSome := func() {
		var entries []putEntry
		for range 1 + rng.IntN(30) {
			k := keys[rng.IntN(len(keys))]
			d := fmt.Sprintf("%s#%d", k, n)
			n++
			want[k] = append(want[k], d)
			entries = append(entries, putEntry{PartitionKey: k, Data: []byte(d)})
		}
		res, err := e.putRecords(context.Background(), "PutRecords", "s", entries)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res {
			if r.ErrorCode != "" {
				t.Fatalf("put: %+v", r)
			}
		}
	}
	var ops []string
	for range 25 {
		putSome()
		open := e.lookup("s").view.Load().open
		switch op := rng.IntN(3); {
		case op == 0:
			st := open[rng.IntN(len(open))]
			// A split point in (start+1, end), as SplitShard accepts.
			width := new(big.Int).Sub(st.end.big(), st.start.big())
			width.Sub(width, big.NewInt(2))
			if width.Sign() <= 0 {
				continue
			}
			off := new(big.Int).Rand(mrand.New(bigRand{rng}), width)
			at := fromBig(off.Add(off, st.start.add1().add1().big()))
			ops = append(ops, fmt.Sprintf("split %d at %s", st.meta.Index, at))
			if err := e.splitShard("s", shardID(st.meta.Index), at.String()); err != nil {
				t.Fatalf("%v: %v", ops, err)
			}
		case op == 1 && len(open) > 1:
			i := rng.IntN(len(open) - 1)
			a, b := open[i], open[i+1] // the lower range first, as MergeShards wants
			ops = append(ops, fmt.Sprintf("merge %d %d", a.meta.Index, b.meta.Index))
			if err := e.mergeShards("s", shardID(a.meta.Index), shardID(b.meta.Index)); err != nil {
				t.Fatalf("%v: %v", ops, err)
			}
		default:
			cur := len(open)
			lo, hi := (cur+1)/2, min(2*cur, 24)
			target := lo + rng.IntN(hi-lo+1)
			ops = append(ops, fmt.Sprintf("update %d -> %d", cur, target))
			if _, err := e.updateShardCount("s", target); err != nil {
				t.Fatalf("%v: %v", ops, err)
			}
			if got := len(e.lookup("s").view.Load().open); got != target {
				t.Fatalf("%v: %d open shards, want %d", ops, got, target)
			}
			checkUniform(t, e, target)
		}
	}
	putSome()
	checkLineage(t, e, ops, want)
}

// checkUniform checks that the open shards are the target's even ranges.
func checkUniform(t *testing.T, e *Engine, target int) {
	t.Helper()
	open := e.lookup("s").view.Load().open
	for i, r := range splitEvenly(hashKey{}, maxHashKey, target) {
		if open[i].start != r[0] || open[i].end != r[1] {
			t.Fatalf("open shard %d is [%s, %s], want [%s, %s]", i, open[i].start, open[i].end, r[0], r[1])
		}
	}
}

func checkLineage(t *testing.T, e *Engine, ops []string, want map[string][]string) {
	t.Helper()
	ctx := context.Background()
	list, err := e.ListShards(ctx, &kds.ListShardsInput{StreamName: ptr("s")})
	if err != nil {
		t.Fatal(err)
	}
	type shardInfo struct {
		start, end hashKey
		parents    []string
		closed     bool
	}
	shards := map[string]*shardInfo{}
	for _, sh := range list.Shards {
		si := &shardInfo{start: mustHashKey(sh.HashKeyRange.StartingHashKey), end: mustHashKey(sh.HashKeyRange.EndingHashKey),
			closed: sh.SequenceNumberRange.EndingSequenceNumber != nil}
		if sh.ParentShardId != nil {
			si.parents = append(si.parents, *sh.ParentShardId)
		}
		if sh.AdjacentParentShardId != nil {
			si.parents = append(si.parents, *sh.AdjacentParentShardId)
		}
		shards[sh.ShardId] = si
	}
	// covers reports whether the ranges, together, are exactly [start, end]
	// (exact) or include it (!exact).
	covers := func(ranges [][2]hashKey, start, end hashKey, exact bool) bool {
		sort.Slice(ranges, func(i, j int) bool { return ranges[i][0].cmp(ranges[j][0]) < 0 })
		if len(ranges) == 0 || ranges[0][0].cmp(start) > 0 || exact && ranges[0][0] != start {
			return false
		}
		for i := 1; i < len(ranges); i++ {
			if ranges[i-1][1] == maxHashKey || ranges[i-1][1].add1() != ranges[i][0] {
				return false
			}
		}
		last := ranges[len(ranges)-1][1]
		return last.cmp(end) >= 0 && (!exact || last == end)
	}
	// Each reshard step is a split (one parent, two children that cover
	// exactly its range) or a merge (two parents that together cover
	// exactly their one child's range).
	kids := map[string][]string{}
	for id, si := range shards {
		for _, p := range si.parents {
			if ps := shards[p]; ps == nil || !ps.closed {
				t.Fatalf("%v: shard %s names parent %s, which is not a closed shard", ops, id, p)
			}
			kids[p] = append(kids[p], id)
		}
	}
	rangeOf := func(ids []string) [][2]hashKey {
		var rs [][2]hashKey
		for _, id := range ids {
			rs = append(rs, [2]hashKey{shards[id].start, shards[id].end})
		}
		return rs
	}
	for id, si := range shards {
		switch len(si.parents) {
		case 0:
		case 1:
			p := si.parents[0]
			if !covers(rangeOf(kids[p]), shards[p].start, shards[p].end, true) || len(kids[p]) != 2 {
				t.Fatalf("%v: split of %s: children %v do not cover exactly its range", ops, p, kids[p])
			}
		case 2:
			for _, p := range si.parents {
				if len(kids[p]) != 1 {
					t.Fatalf("%v: merge into %s: parent %s has children %v", ops, id, p, kids[p])
				}
			}
			if !covers(rangeOf(si.parents), si.start, si.end, true) {
				t.Fatalf("%v: the parents %v of %s do not cover exactly its range", ops, si.parents, id)
			}
		default:
			t.Fatalf("%v: shard %s has parents %v", ops, id, si.parents)
		}
	}
	for id, si := range shards {
		if si.closed && !covers(rangeOf(kids[id]), si.start, si.end, false) {
			t.Fatalf("%v: the children %v of closed shard %s do not cover its range", ops, kids[id], id)
		}
	}

	// Read parents before children, newest ready shard first.
	got := map[string][]string{}
	done := map[string]bool{}
	for len(done) < len(shards) {
		var ready []string
		for id, si := range shards {
			if done[id] {
				continue
			}
			ok := true
			for _, p := range si.parents {
				ok = ok && done[p]
			}
			if ok {
				ready = append(ready, id)
			}
		}
		if len(ready) == 0 {
			t.Fatalf("%v: no shard can be read; lineage has a cycle", ops)
		}
		sort.Strings(ready)
		id := ready[len(ready)-1]
		it, err := e.getShardIterator(ctx, "s", id, IterTrimHorizon, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		data, last := readAll(t, e, it)
		for _, d := range data {
			k, _, _ := strings.Cut(d, "#")
			got[k] = append(got[k], d)
		}
		si := shards[id]
		if si.closed {
			if last.Next != "" {
				t.Fatalf("%v: closed shard %s did not end", ops, id)
			}
			var seen []string
			for _, c := range last.Children {
				seen = append(seen, shardID(c.Index))
			}
			sort.Strings(seen)
			sort.Strings(kids[id])
			if !slices.Equal(seen, kids[id]) {
				t.Fatalf("%v: closed shard %s ends with ChildShards %v, ListShards says %v", ops, id, seen, kids[id])
			}
		}
		done[id] = true
	}
	for k, w := range want {
		if !slices.Equal(got[k], w) {
			t.Fatalf("%v: key %s read as %v, put as %v", ops, k, got[k], w)
		}
	}
}

// bigRand lets math/big draw from a seeded math/rand/v2 source.
type bigRand struct{ r *rand.Rand }

func (b bigRand) Int63() int64 { return b.r.Int64() }
func (b bigRand) Seed(int64)   {}
