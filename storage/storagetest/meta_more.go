package storagetest

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/eddy-streams/eddy/storage"
)

// scanReverse returns what ScanReverse gives, copying each value.
func scanReverse(tx storage.MetaTx, table, prefix, startBefore string) ([]kv, error) {
	var got []kv
	err := tx.ScanReverse(table, prefix, startBefore, func(k string, v []byte) (bool, error) {
		got = append(got, kv{k, string(v)})
		return true, nil
	})
	return got, err
}

func testMetaScanReverse(t *testing.T, m storage.MetaStore) {
	keys := []string{"b", "a", "ab", "a/2", "a/10", "a/1", "A", "a\x00", "abc", "b/1", "\xff", "\xff\xff", "0", "ac", "aa/x", "a\xff", "a\xffz"}
	var pairs []kv
	for _, k := range keys {
		pairs = append(pairs, kv{k, "v:" + k})
	}
	put(t, m, "t", pairs...)
	put(t, m, "s", kv{"a/1", "other table"}, kv{"zz", "other table"})
	sorted := slices.Clone(keys)
	slices.Sort(sorted)
	expect := func(prefix, startBefore string) []kv {
		var w []kv
		for i := len(sorted) - 1; i >= 0; i-- {
			k := sorted[i]
			if strings.HasPrefix(k, prefix) && (startBefore == "" || k < startBefore) {
				w = append(w, kv{k, "v:" + k})
			}
		}
		return w
	}
	tests := []struct{ prefix, startBefore string }{
		{"", ""}, {"a", ""}, {"a/", ""}, {"a/1", ""}, {"ab", ""}, {"b", ""}, {"\xff", ""},
		{"z", ""}, {"aaa", ""}, {"a\xff", ""}, {"", "a"}, {"", "a/"}, {"", "a/10"}, {"", "ab"},
		{"", "abz"}, {"", "\xff"}, {"", "\xff\xff\xff"}, {"a", "a"}, {"a", "a/1"}, {"a", "a/5"},
		{"a", "ab"}, {"a", "b"}, {"a", "zzz"}, {"a/", "A"}, {"a/", "a0"}, {"ab", "aa"},
		{"a", "a\x00"}, {"a", "a\xff"}, {"a", "a\xffz"},
	}
	check := func(tx storage.MetaTx) error {
		for _, tt := range tests {
			got, err := scanReverse(tx, "t", tt.prefix, tt.startBefore)
			if err != nil {
				return err
			}
			if want := expect(tt.prefix, tt.startBefore); !slices.Equal(got, want) {
				t.Errorf("ScanReverse(t, prefix %q, before %q) = %q, want %q", tt.prefix, tt.startBefore, got, want)
			}
		}
		got, err := scanReverse(tx, "no-such-table", "", "")
		if err != nil || len(got) != 0 {
			t.Errorf("ScanReverse of a missing table = %q, %v; want nothing", got, err)
		}
		return nil
	}
	noErr(t, "View", m.View(check))
	noErr(t, "Update", m.Update(check))

	// Stopping, and the transaction's own writes, deletions included.
	noErr(t, "Update", m.Update(func(tx storage.MetaTx) error {
		n := 0
		err := tx.ScanReverse("t", "a", "", func(string, []byte) (bool, error) { n++; return n < 3, nil })
		if err != nil || n != 3 {
			return fmt.Errorf("ScanReverse stopped after %d keys (%v), want 3", n, err)
		}
		stop := errors.New("stop")
		if err := tx.ScanReverse("t", "", "", func(string, []byte) (bool, error) { return true, stop }); err != stop {
			return fmt.Errorf("ScanReverse returned %v, want fn's error", err)
		}
		if err := errors.Join(tx.Put("t", "a/3", []byte("new")), tx.Delete("t", "a/2"), tx.Put("t", "a/10", []byte("changed"))); err != nil {
			return err
		}
		got, err := scanReverse(tx, "t", "a/", "")
		want := []kv{{"a/3", "new"}, {"a/10", "changed"}, {"a/1", "v:a/1"}}
		if err != nil || !slices.Equal(got, want) {
			return fmt.Errorf("ScanReverse over own writes = %q, %v; want %q", got, err, want)
		}
		return nil
	}))
}

// testMetaScanReverseWhileWriting: an Update that walks a table backwards
// and rewrites or deletes each key visits every key once.
func testMetaScanReverseWhileWriting(t *testing.T, m storage.MetaStore) {
	var pairs []kv
	for i := range 300 {
		pairs = append(pairs, kv{fmt.Sprintf("lease-%03d", i), strconv.Itoa(i)})
	}
	put(t, m, "leases", pairs...)
	var visited []string
	noErr(t, "Update", m.Update(func(tx storage.MetaTx) error {
		return tx.ScanReverse("leases", "lease-", "", func(k string, v []byte) (bool, error) {
			visited = append(visited, k)
			if n, _ := strconv.Atoi(string(v)); n%2 == 0 {
				return true, tx.Delete("leases", k)
			}
			return true, tx.Put("leases", k, []byte("odd:"+string(v)))
		})
	}))
	if len(visited) != len(pairs) {
		t.Fatalf("ScanReverse while writing visited %d keys, want %d", len(visited), len(pairs))
	}
	var want []kv
	for i, p := range pairs {
		if visited[len(pairs)-1-i] != p.key {
			t.Fatalf("visit %d = %q, want %q", len(pairs)-1-i, visited[len(pairs)-1-i], p.key)
		}
		if i%2 == 1 {
			want = append(want, kv{p.key, "odd:" + p.value})
		}
	}
	checkTable(t, m, "leases", want...)
}

// testMetaBatch: concurrent Batch calls keep every increment (each sees
// the writes of those before it), a failing call gets its own error and
// changes nothing while the others commit, and a panic reaches its caller.
func testMetaBatch(t *testing.T, m storage.MetaStore) {
	const goroutines, increments = 16, 50
	put(t, m, "counters", kv{"n", "0"})
	var wg sync.WaitGroup
	errs := make(chan error, goroutines*increments)
	refuse := errors.New("refused")
	for g := range goroutines {
		wg.Go(func() {
			for i := range increments {
				fail := (g*increments+i)%7 == 0
				err := m.Batch(func(tx storage.MetaTx) error {
					v, err := tx.Get("counters", "n")
					if err != nil {
						return err
					}
					n, err := strconv.Atoi(string(v))
					if err != nil {
						return err
					}
					if err := tx.Put("counters", "n", []byte(strconv.Itoa(n+1))); err != nil {
						return err
					}
					if fail {
						// Written, then refused: nothing of it may stay.
						if err := tx.Put("failed", fmt.Sprintf("g%d-%d", g, i), []byte("x")); err != nil {
							return err
						}
						return refuse
					}
					return tx.Put("done", fmt.Sprintf("g%02d-%02d", g, i), []byte("x"))
				})
				switch {
				case fail && err != refuse:
					errs <- fmt.Errorf("goroutine %d call %d: Batch returned %v, want its own error", g, i, err)
				case !fail && err != nil:
					errs <- fmt.Errorf("goroutine %d call %d: Batch: %w", g, i, err)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	ok := 0
	for k := range goroutines * increments {
		if k%7 != 0 {
			ok++
		}
	}
	checkGet(t, m, "counters", "n", strconv.Itoa(ok))
	checkTable(t, m, "failed")
	noErr(t, "View", m.View(func(tx storage.MetaTx) error {
		got, err := scan(tx, "done", "", "")
		if err == nil && len(got) != ok {
			err = fmt.Errorf("table done has %d keys, want %d", len(got), ok)
		}
		return err
	}))

	func() {
		defer func() {
			if p := recover(); p != "boom" {
				t.Fatalf("Batch's panic reached the caller as %v, want boom", p)
			}
		}()
		m.Batch(func(tx storage.MetaTx) error { panic("boom") })
	}()
	noErr(t, "Batch after a panic", m.Batch(func(tx storage.MetaTx) error { return tx.Put("t", "after", []byte("panic")) }))
	checkGet(t, m, "t", "after", "panic")
}
