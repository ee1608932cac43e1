package storage_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/storage"
	"github.com/eddy-streams/eddy/storage/mem"
	"github.com/eddy-streams/eddy/storage/segment"
)

func TestPrefixLogs(t *testing.T) {
	for _, backend := range []struct {
		name string
		open func(t *testing.T) storage.Logs
	}{
		{"mem", func(*testing.T) storage.Logs { return mem.NewLogs() }},
		{"segment", func(t *testing.T) storage.Logs {
			s, err := segment.Open(t.TempDir(), segment.DefaultConfig())
			if err != nil {
				t.Fatal(err)
			}
			return s
		}},
	} {
		t.Run(backend.name, func(t *testing.T) {
			store := backend.open(t)
			defer store.Close()
			a := storage.PrefixLogs(store, "kinesis/a/")
			b := storage.PrefixLogs(store, "kinesis/b/")
			const id = "s:1/shardId-000000000000"
			la, err := a.Create(id, 1)
			if err != nil {
				t.Fatal(err)
			}
			lb, err := b.Create(id, 1)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := store.Create(id, 1); err != nil {
				t.Fatalf("the store's own id beside the views': %v", err)
			}
			if _, err := a.Create(id, 1); !errors.Is(err, storage.ErrExists) {
				t.Errorf("second Create in a view: %v, want ErrExists", err)
			}
			if la.ID() != "kinesis/a/"+id || lb.ID() != "kinesis/b/"+id {
				t.Errorf("IDs %q, %q: want the store's ids", la.ID(), lb.ID())
			}

			// AppendAll goes through the view to the store's AppendMulti
			// (the segment store's needs its own logs).
			batches := []storage.AppendBatch{{Log: la, Recs: []storage.Record{{PartitionKey: "k", Data: []byte("in a"), Arrival: time.Now()}}}}
			storage.AppendAll(a, batches)
			if batches[0].Err != nil || batches[0].First != 1 {
				t.Fatalf("AppendAll through the view: first %d, %v", batches[0].First, batches[0].Err)
			}
			if l, err := a.Open(id); err != nil || l != la {
				t.Fatalf("Open in a: %v, %v", l, err)
			}
			recs, err := la.Read(1, 10, 1<<20)
			if err != nil || len(recs) != 1 || string(recs[0].Data) != "in a" {
				t.Fatalf("read from a: %v %v", recs, err)
			}
			if bb, err := lb.Bounds(); err != nil || bb.Next != 1 {
				t.Errorf("b's log after a's append: %+v %v", bb, err)
			}
			if _, err := a.Open("s:1/shardId-000000000001"); !errors.Is(err, storage.ErrNotFound) {
				t.Errorf("Open of a missing id: %v", err)
			}

			if ids, err := a.List(); err != nil || !slices.Equal(ids, []string{id}) {
				t.Errorf("a.List = %q, %v", ids, err)
			}
			all, err := store.List()
			if want := []string{"kinesis/a/" + id, "kinesis/b/" + id, id}; err != nil || !slices.Equal(all, want) {
				t.Errorf("store.List = %q, %v; want %q", all, err, want)
			}
			if err := a.Close(); err != nil {
				t.Fatal(err)
			}
			if _, err := b.Open(id); err != nil {
				t.Errorf("a view's Close closed the store: %v", err)
			}
		})
	}
}

func TestPrefixMeta(t *testing.T) {
	store := mem.NewMeta()
	a := storage.PrefixMeta(store, "kinesis/a/")
	b := storage.PrefixMeta(store, "kinesis/b/")
	put := func(m storage.MetaStore, k, v string) {
		t.Helper()
		if err := m.Update(func(tx storage.MetaTx) error { return tx.Put("streams", k, []byte(v)) }); err != nil {
			t.Fatal(err)
		}
	}
	get := func(m storage.MetaStore, table, k string) (string, error) {
		var v []byte
		err := m.View(func(tx storage.MetaTx) error {
			var err error
			v, err = tx.Get(table, k)
			return err
		})
		return string(v), err
	}
	put(a, "x", "a's x")
	put(b, "x", "b's x")
	put(store, "x", "the store's x")
	for _, c := range []struct {
		m          storage.MetaStore
		table, key string
		want       string
	}{
		{a, "streams", "x", "a's x"},
		{b, "streams", "x", "b's x"},
		{store, "streams", "x", "the store's x"},
		{store, "kinesis/a/streams", "x", "a's x"},
	} {
		if got, err := get(c.m, c.table, c.key); err != nil || got != c.want {
			t.Errorf("Get(%s, %s) = %q, %v; want %q", c.table, c.key, got, err, c.want)
		}
	}

	var keys []string
	err := a.Update(func(tx storage.MetaTx) error {
		if err := tx.Put("streams", "y", []byte("a's y")); err != nil {
			return err
		}
		if err := tx.Delete("streams", "x"); err != nil {
			return err
		}
		return tx.Scan("streams", "", "", func(k string, _ []byte) (bool, error) {
			keys = append(keys, k)
			return true, nil
		})
	})
	if err != nil || !slices.Equal(keys, []string{"y"}) {
		t.Errorf("scan in a's transaction: %q, %v", keys, err)
	}
	if got, err := get(b, "streams", "x"); err != nil || got != "b's x" {
		t.Errorf("b after a's delete: %q, %v", got, err)
	}

	// A failed Update keeps nothing; View is read-only.
	boom := errors.New("boom")
	if err := a.Update(func(tx storage.MetaTx) error {
		tx.Put("streams", "z", []byte("z"))
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("Update: %v", err)
	}
	if _, err := get(a, "streams", "z"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("after a failed Update: %v", err)
	}
	if err := a.View(func(tx storage.MetaTx) error { return tx.Put("streams", "z", nil) }); !errors.Is(err, storage.ErrReadOnly) {
		t.Errorf("Put in View: %v", err)
	}
	if err := a.Update(func(tx storage.MetaTx) error { return tx.Put("", "k", nil) }); err == nil {
		t.Error("Put to an empty table name succeeded")
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := get(b, "streams", "x"); err != nil {
		t.Errorf("a view's Close closed the store: %v", err)
	}
}

func TestPrefixEmptyAndInvalid(t *testing.T) {
	logs, meta := mem.NewLogs(), mem.NewMeta()
	if storage.PrefixLogs(logs, "") != logs || storage.PrefixMeta(meta, "") != meta {
		t.Error("an empty prefix does not return the store itself")
	}
	for _, p := range []string{"a", "/", "a//", "../", "a b/"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("prefix %q accepted", p)
				}
			}()
			storage.PrefixLogs(logs, p)
		}()
	}
}
