package storagetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/eddy-streams/eddy/storage"
)

// TestLogsReopen checks that a durable storage.Logs keeps everything across
// Close and a new open of the same directory: ids, records (every field, and
// arrival times to the nanosecond), bounds, sealed state, trims and
// deletions. open must return the store kept in dir, creating it if dir is
// empty; the suite closes it.
func TestLogsReopen(t *testing.T, open func(t *testing.T, dir string) storage.Logs) {
	dir := t.TempDir()
	reopen := func() storage.Logs { return openLogs(t, func() storage.Logs { return open(t, dir) }) }

	type logState struct {
		bounds storage.Bounds
		recs   []storage.Record
	}
	expect := make(map[string]*logState)
	// verify checks that s holds exactly the logs in expect.
	verify := func(s storage.Logs, when string) {
		t.Helper()
		var ids []string
		for id := range expect {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		got, err := s.List()
		noErr(t, "List "+when, err)
		if !slices.Equal(got, ids) {
			t.Fatalf("List %s = %q, want %q", when, got, ids)
		}
		for _, id := range ids {
			st := expect[id]
			l, err := s.Open(id)
			noErr(t, fmt.Sprintf("Open(%q) %s", id, when), err)
			if got := mustBounds(t, l); got != st.bounds {
				t.Fatalf("Bounds of %q %s = %+v, want %+v", id, when, got, st.bounds)
			}
			checkRecords(t, fmt.Sprintf("Read %q %s", id, when), readAll(t, l, 0), st.recs)
		}
	}
	// appendTo appends recs to l and records what reading must give back,
	// clamping arrivals as the log must.
	appendTo := func(l storage.ShardLog, recs ...storage.Record) {
		t.Helper()
		st := expect[l.ID()]
		first := mustAppend(t, l, recs...)
		if first != st.bounds.Next {
			t.Fatalf("Append to %q = %d, want %d", l.ID(), first, st.bounds.Next)
		}
		for i, r := range recs {
			if n := len(st.recs); n > 0 && r.Arrival.Before(st.recs[n-1].Arrival) {
				r.Arrival = st.recs[n-1].Arrival
			}
			st.recs = append(st.recs, want(first+uint64(i), r))
		}
		st.bounds.Next += uint64(len(recs))
	}
	newLog := func(s storage.Logs, id string, base uint64) storage.ShardLog {
		t.Helper()
		expect[id] = &logState{bounds: storage.Bounds{Oldest: base, Next: base}}
		return create(t, s, id, base)
	}

	s := reopen()
	a := newLog(s, "stream-a/shardId-000000000000", 0)
	appendTo(a, rec("k1", "a0", 1), rec("k2", "a1", 2))
	appendTo(a, rec("k1", "a2", 1_000_000_007), rec("k3", "a3", 3)) // the second is clamped
	appendTo(a, storage.Record{PartitionKey: "ключ", ExplicitHashKey: "170141183460469231731687303715884105728", Flags: 0xa5, Data: bigData(100_000, 3), Arrival: at(t0 + 2_000_000_001)})
	appendTo(a, storage.Record{PartitionKey: strings.Repeat("p", storage.MaxPartitionKeySize), Data: []byte{}, Arrival: at(t0 + 2_000_000_002)})

	b := newLog(s, "stream-a/shardId-000000000001", 1<<40)
	appendTo(b, rec("k", "b0", 10), rec("k", "b1", 11), rec("k", "b2", 11))
	noErr(t, "Seal", b.Seal())
	expect[b.ID()].bounds.Sealed = true

	newLog(s, "stream-b/shardId-000000000000", 42) // empty
	d := newLog(s, "stream-b/shardId-000000000001", 7)
	noErr(t, "Seal", d.Seal()) // empty and sealed
	expect[d.ID()].bounds.Sealed = true

	e := create(t, s, "stream-c/shardId-000000000000", 0) // deleted before the close
	mustAppend(t, e, rec("k", "gone", 0))
	noErr(t, "Delete", e.Delete())

	f := newLog(s, "stream-d/shardId-000000000000", 100)
	for i := range 30 {
		appendTo(f, rec("k", fmt.Sprintf("f%d", i), int64(i)*1_000_000))
	}
	cutoff := at(t0 + 20_000_000)
	oldest, err := f.TrimBefore(cutoff)
	noErr(t, "TrimBefore", err)
	st := expect[f.ID()]
	st.recs = st.recs[oldest-st.bounds.Oldest:]
	st.bounds.Oldest = oldest

	verify(s, "before Close")
	noErr(t, "Close", s.Close())

	// Reopen: everything is as it was, and the logs take appends where they
	// left off, clamping arrivals to the last record before the close.
	s = reopen()
	verify(s, "after reopen")
	_, err = s.Create(a.ID(), 0)
	wantErr(t, "Create of an existing log after reopen", err, storage.ErrExists)
	_, err = s.Open("stream-c/shardId-000000000000")
	wantErr(t, "Open of a log deleted before the close", err, storage.ErrNotFound)
	a, err = s.Open(a.ID())
	noErr(t, "Open", err)
	appendTo(a, rec("k", "a-late", 0))
	b, err = s.Open(b.ID())
	noErr(t, "Open", err)
	_, err = b.Append([]storage.Record{rec("k", "x", 100)})
	wantErr(t, "Append to a log sealed before the close", err, storage.ErrSealed)
	d, err = s.Open(d.ID())
	noErr(t, "Open", err)
	_, err = d.Append([]storage.Record{rec("k", "x", 100)})
	wantErr(t, "Append to an empty log sealed before the close", err, storage.ErrSealed)
	c, err := s.Open("stream-b/shardId-000000000000")
	noErr(t, "Open", err)
	appendTo(c, rec("k", "c0", 5))
	noErr(t, "Seal", c.Seal())
	expect[c.ID()].bounds.Sealed = true
	// A deleted id created again after the reopen.
	e = newLog(s, "stream-c/shardId-000000000000", 9)
	appendTo(e, rec("k", "new", -5))
	g := newLog(s, "stream-e/shardId-000000000000", 0)
	appendTo(g, rec("k", "g0", 0))
	noErr(t, "Delete", g.Delete())
	delete(expect, g.ID())
	verify(s, "after appending to the reopened store")
	noErr(t, "Close", s.Close())

	s = reopen()
	verify(s, "after a second reopen")
	noErr(t, "Close", s.Close())
}

// TestMetaReopen checks that a durable storage.MetaStore keeps every
// committed transaction across Close and a new open of the same directory,
// and none that was rolled back. open must return the store kept in dir,
// creating it if dir is empty; the suite closes it.
func TestMetaReopen(t *testing.T, open func(t *testing.T, dir string) storage.MetaStore) {
	dir := t.TempDir()
	reopen := func() storage.MetaStore { return openMeta(t, func() storage.MetaStore { return open(t, dir) }) }
	expect := map[string]map[string]string{}
	set := func(table, key, value string) {
		if expect[table] == nil {
			expect[table] = map[string]string{}
		}
		expect[table][key] = value
	}
	verify := func(m storage.MetaStore, when string) {
		t.Helper()
		for _, table := range []string{"streams", "shards", "checkpoints", "empty-table", "never-written"} {
			var want []kv
			for k, v := range expect[table] {
				want = append(want, kv{k, v})
			}
			slices.SortFunc(want, func(a, b kv) int { return strings.Compare(a.key, b.key) })
			var got []kv
			noErr(t, "View "+when, m.View(func(tx storage.MetaTx) error {
				var err error
				got, err = scan(tx, table, "", "")
				return err
			}))
			if d := diffTable(got, want); d != "" {
				t.Fatalf("table %q %s: %s", table, when, d)
			}
			for _, p := range want {
				checkGet(t, m, table, p.key, p.value)
			}
		}
		checkMissing(t, m, "rolled-back", "k")
		checkMissing(t, m, "streams", "rolled-back")
	}

	m := reopen()
	// Many small transactions, one large one, deletes and overwrites.
	for i := range 20 {
		key := fmt.Sprintf("stream-%02d", i)
		value := fmt.Sprintf(`{"name":%q,"shards":%d}`, key, i)
		put(t, m, "streams", kv{key, value})
		set("streams", key, value)
	}
	noErr(t, "Update", m.Update(func(tx storage.MetaTx) error {
		for i := range 500 {
			key := fmt.Sprintf("stream-%02d/shardId-%012d", i%20, i)
			value := string(bigData(i*3, byte(i)))
			if err := tx.Put("shards", key, []byte(value)); err != nil {
				return err
			}
			set("shards", key, value)
		}
		return nil
	}))
	big := string(bigData(1<<20, 5))
	put(t, m, "checkpoints", kv{"app/shard-0", big}, kv{"app/shard-1", ""}, kv{"bin\x00\xff", "\x00"})
	set("checkpoints", "app/shard-0", big)
	set("checkpoints", "app/shard-1", "")
	set("checkpoints", "bin\x00\xff", "\x00")
	noErr(t, "Update", m.Update(func(tx storage.MetaTx) error {
		for i := 0; i < 20; i += 3 {
			key := fmt.Sprintf("stream-%02d", i)
			if err := tx.Delete("streams", key); err != nil {
				return err
			}
			delete(expect["streams"], key)
		}
		return tx.Put("streams", "stream-01", []byte("overwritten"))
	}))
	set("streams", "stream-01", "overwritten")
	// Concurrent Batch calls, committed together.
	var wg sync.WaitGroup
	for i := range 32 {
		key, value := fmt.Sprintf("batched-%02d", i), fmt.Sprint("checkpoint ", i)
		set("checkpoints", key, value)
		wg.Go(func() {
			if err := m.Batch(func(tx storage.MetaTx) error { return tx.Put("checkpoints", key, []byte(value)) }); err != nil {
				t.Errorf("Batch: %v", err)
			}
		})
	}
	wg.Wait()
	put(t, m, "empty-table", kv{"k", "v"})
	noErr(t, "Update", m.Update(func(tx storage.MetaTx) error { return tx.Delete("empty-table", "k") }))
	err := m.Update(func(tx storage.MetaTx) error {
		if err := errors.Join(
			tx.Put("rolled-back", "k", []byte("v")),
			tx.Put("streams", "rolled-back", []byte("v")),
			tx.Delete("streams", "stream-01"),
		); err != nil {
			return err
		}
		return errRollback
	})
	wantErr(t, "Update", err, errRollback)
	verify(m, "before Close")
	noErr(t, "Close", m.Close())

	m = reopen()
	verify(m, "after reopen")
	put(t, m, "streams", kv{"stream-99", "after reopen"})
	set("streams", "stream-99", "after reopen")
	noErr(t, "Update", m.Update(func(tx storage.MetaTx) error { return tx.Delete("streams", "stream-02") }))
	delete(expect["streams"], "stream-02")
	verify(m, "after writing to the reopened store")
	noErr(t, "Close", m.Close())

	m = reopen()
	verify(m, "after a second reopen")
	noErr(t, "Close", m.Close())
}
