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

// TestMeta runs the conformance suite for storage.MetaStore. open is called
// at the start of each subtest and must return a new, empty store; the suite
// closes it.
func TestMeta(t *testing.T, open func(t *testing.T) storage.MetaStore) {
	tests := []struct {
		name string
		fn   func(*testing.T, storage.MetaStore)
	}{
		{"GetMissing", testMetaGetMissing},
		{"PutGet", testMetaPutGet},
		{"PutCopiesValue", testMetaPutCopies},
		{"GetReturnsCallersCopy", testMetaGetCopy},
		{"Delete", testMetaDelete},
		{"ReadOwnWrites", testMetaReadOwnWrites},
		{"Rollback", testMetaRollback},
		{"View", testMetaView},
		{"Scan", testMetaScan},
		{"ScanStop", testMetaScanStop},
		{"ScanWhileWriting", testMetaScanWhileWriting},
		{"ScanReverse", testMetaScanReverse},
		{"ScanReverseWhileWriting", testMetaScanReverseWhileWriting},
		{"Batch", testMetaBatch},
		{"PutRejectsEmptyNames", testMetaPutEmpty},
		{"ConcurrentUpdates", testMetaConcurrentUpdates},
		{"ConsistentViews", testMetaConsistentViews},
		{"Close", testMetaClose},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fn(t, openMeta(t, func() storage.MetaStore { return open(t) }))
		})
	}
}

// openMeta calls open and closes the store when the test ends.
func openMeta(t *testing.T, open func() storage.MetaStore) storage.MetaStore {
	t.Helper()
	m := open()
	if m == nil {
		t.Fatal("open returned a nil storage.MetaStore")
	}
	t.Cleanup(func() { _ = m.Close() })
	return m
}

// kv is one stored key and value, and a table's expected contents.
type kv struct{ key, value string }

func put(t *testing.T, m storage.MetaStore, table string, pairs ...kv) {
	t.Helper()
	noErr(t, "Update", m.Update(func(tx storage.MetaTx) error {
		for _, p := range pairs {
			if err := tx.Put(table, p.key, []byte(p.value)); err != nil {
				return fmt.Errorf("Put(%q, %q): %w", table, p.key, err)
			}
		}
		return nil
	}))
}

// get returns the value under key in a View, or fails t.
func get(t *testing.T, m storage.MetaStore, table, key string) []byte {
	t.Helper()
	var v []byte
	noErr(t, fmt.Sprintf("Get(%q, %q)", table, key), m.View(func(tx storage.MetaTx) error {
		var err error
		v, err = tx.Get(table, key)
		return err
	}))
	return v
}

func checkGet(t *testing.T, m storage.MetaStore, table, key, want string) {
	t.Helper()
	if got := get(t, m, table, key); string(got) != want {
		t.Fatalf("Get(%q, %q) = %q, want %q", table, key, got, want)
	}
}

func checkMissing(t *testing.T, m storage.MetaStore, table, key string) {
	t.Helper()
	err := m.View(func(tx storage.MetaTx) error {
		v, err := tx.Get(table, key)
		if err == nil {
			return fmt.Errorf("found %q", v)
		}
		return err
	})
	wantErr(t, fmt.Sprintf("Get(%q, %q)", table, key), err, storage.ErrNotFound)
}

// scan returns what Scan gives, copying each value.
func scan(tx storage.MetaTx, table, prefix, startAfter string) ([]kv, error) {
	var got []kv
	err := tx.Scan(table, prefix, startAfter, func(k string, v []byte) (bool, error) {
		got = append(got, kv{k, string(v)})
		return true, nil
	})
	return got, err
}

// checkTable fails t unless a full Scan of table gives exactly want.
func checkTable(t *testing.T, m storage.MetaStore, table string, want ...kv) {
	t.Helper()
	var got []kv
	noErr(t, "View", m.View(func(tx storage.MetaTx) error {
		var err error
		got, err = scan(tx, table, "", "")
		return err
	}))
	if d := diffTable(got, want); d != "" {
		t.Fatalf("table %q: %s", table, d)
	}
	for _, p := range want {
		checkGet(t, m, table, p.key, p.value)
	}
}

// diffTable describes the first difference between a table's contents and
// what was expected, or returns "".
func diffTable(got, want []kv) string {
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			return fmt.Sprintf("entry %d is %q=%q, want %q=%q", i, trunc(got[i].key), trunc(got[i].value), trunc(want[i].key), trunc(want[i].value))
		}
	}
	switch {
	case len(got) > len(want):
		return fmt.Sprintf("holds %d keys, want %d; first extra is %q", len(got), len(want), trunc(got[len(want)].key))
	case len(got) < len(want):
		return fmt.Sprintf("holds %d keys, want %d; first missing is %q", len(got), len(want), trunc(want[len(got)].key))
	}
	return ""
}

func testMetaGetMissing(t *testing.T, m storage.MetaStore) {
	checkMissing(t, m, "no-such-table", "k")
	put(t, m, "t", kv{"a", "1"})
	checkMissing(t, m, "t", "b")
	checkMissing(t, m, "t", "A")
	checkMissing(t, m, "t", "a\x00")
	checkMissing(t, m, "t", "")
	checkMissing(t, m, "T", "a")
	checkMissing(t, m, "", "a")
	// Inside an Update too.
	err := m.Update(func(tx storage.MetaTx) error {
		_, err := tx.Get("no-such-table", "k")
		return err
	})
	wantErr(t, "Get in Update", err, storage.ErrNotFound)
}

func testMetaPutGet(t *testing.T, m storage.MetaStore) {
	large := string(bigData(1<<20, 9))
	pairs := []kv{
		{"a", "1"},
		{"stream/shardId-000000000000", `{"json":true}`},
		{"empty", ""},
		{"binary\x00\xff", "\x00\x01\x02\xff"},
		{"ключ", "значение"},
		{strings.Repeat("k", 1000), "long key"},
		{"large", large},
	}
	put(t, m, "t", pairs...)
	for _, p := range pairs {
		got := get(t, m, "t", p.key)
		if string(got) != p.value {
			t.Fatalf("Get(t, %q) = %q, want %q", trunc(p.key), trunc(string(got)), trunc(p.value))
		}
	}
	// An empty value is a value: Get finds it.
	if got := get(t, m, "t", "empty"); len(got) != 0 {
		t.Fatalf("Get of an empty value = %q", got)
	}
	// Overwrite.
	put(t, m, "t", kv{"a", "2"})
	checkGet(t, m, "t", "a", "2")
	// Tables are separate namespaces.
	put(t, m, "other", kv{"a", "other-a"})
	checkGet(t, m, "t", "a", "2")
	checkGet(t, m, "other", "a", "other-a")
	checkMissing(t, m, "other", "empty")
	// A Get inside Update sees committed data.
	noErr(t, "Update", m.Update(func(tx storage.MetaTx) error {
		v, err := tx.Get("t", "a")
		if err != nil || string(v) != "2" {
			return fmt.Errorf("Get in Update = %q, %v; want 2", v, err)
		}
		return nil
	}))
}

func testMetaPutCopies(t *testing.T, m storage.MetaStore) {
	value := []byte("original")
	noErr(t, "Update", m.Update(func(tx storage.MetaTx) error {
		if err := tx.Put("t", "k", value); err != nil {
			return err
		}
		copy(value, "XXXXXXXX")
		v, err := tx.Get("t", "k")
		if err != nil || string(v) != "original" {
			return fmt.Errorf("Get after changing the Put value in the same transaction = %q, %v; want original", v, err)
		}
		copy(value, "YYYYYYYY")
		return nil
	}))
	copy(value, "ZZZZZZZZ")
	checkGet(t, m, "t", "k", "original")
}

func testMetaGetCopy(t *testing.T, m storage.MetaStore) {
	put(t, m, "t", kv{"k", "value"}, kv{"k2", "value2"})
	var held []byte
	noErr(t, "View", m.View(func(tx storage.MetaTx) error {
		v, err := tx.Get("t", "k")
		if err != nil {
			return err
		}
		held = v
		v2, err := tx.Get("t", "k")
		if err != nil {
			return err
		}
		copy(v2, "XXXXX")
		v3, err := tx.Get("t", "k")
		if err != nil || string(v3) != "value" {
			return fmt.Errorf("Get after changing an earlier Get's result = %q, %v; want value", v3, err)
		}
		return nil
	}))
	// The slice stays the caller's after the transaction, and through later
	// writes to the key.
	put(t, m, "t", kv{"k", "VALUE"}, kv{"k3", strings.Repeat("x", 10000)})
	if string(held) != "value" {
		t.Fatalf("a Get result held past its View = %q, want value", held)
	}
	checkGet(t, m, "t", "k", "VALUE")
	checkGet(t, m, "t", "k2", "value2")

	// A value read in an Update is the caller's too, including one the
	// transaction wrote itself.
	noErr(t, "Update", m.Update(func(tx storage.MetaTx) error {
		if err := tx.Put("t", "own", []byte("mine")); err != nil {
			return err
		}
		for _, key := range []string{"k", "own"} {
			v, err := tx.Get("t", key)
			if err != nil {
				return err
			}
			want := string(v)
			copy(v, "#####")
			v2, err := tx.Get("t", key)
			if err != nil || string(v2) != want {
				return fmt.Errorf("Get(%q) in Update after changing an earlier result = %q, %v; want %q", key, v2, err, want)
			}
		}
		return nil
	}))
	checkGet(t, m, "t", "own", "mine")
	checkGet(t, m, "t", "k", "VALUE")
}

func testMetaDelete(t *testing.T, m storage.MetaStore) {
	put(t, m, "t", kv{"a", "1"}, kv{"b", "2"}, kv{"c", "3"})
	noErr(t, "Update", m.Update(func(tx storage.MetaTx) error {
		if err := tx.Delete("t", "b"); err != nil {
			return fmt.Errorf("Delete: %w", err)
		}
		if err := tx.Delete("t", "missing"); err != nil {
			return fmt.Errorf("Delete of a missing key: %w", err)
		}
		if err := tx.Delete("no-such-table", "k"); err != nil {
			return fmt.Errorf("Delete in a missing table: %w", err)
		}
		if err := tx.Delete("t", "b"); err != nil {
			return fmt.Errorf("second Delete of a key: %w", err)
		}
		return nil
	}))
	checkMissing(t, m, "t", "b")
	checkTable(t, m, "t", kv{"a", "1"}, kv{"c", "3"})
	checkTable(t, m, "no-such-table")

	// Deleting every key leaves an empty table that takes new keys.
	noErr(t, "Update", m.Update(func(tx storage.MetaTx) error {
		return errors.Join(tx.Delete("t", "a"), tx.Delete("t", "c"))
	}))
	checkTable(t, m, "t")
	put(t, m, "t", kv{"b", "again"})
	checkTable(t, m, "t", kv{"b", "again"})
}

func testMetaReadOwnWrites(t *testing.T, m storage.MetaStore) {
	put(t, m, "t", kv{"a", "1"}, kv{"b", "2"}, kv{"d", "4"})
	noErr(t, "Update", m.Update(func(tx storage.MetaTx) error {
		if err := errors.Join(
			tx.Put("t", "c", []byte("3")),
			tx.Put("t", "a", []byte("one")),
			tx.Delete("t", "b"),
			tx.Put("t", "e", []byte("5")),
			tx.Delete("t", "e"),
			tx.Put("new", "x", []byte("y")),
		); err != nil {
			return err
		}
		for _, c := range []struct{ table, key, want string }{
			{"t", "a", "one"}, {"t", "c", "3"}, {"t", "d", "4"}, {"new", "x", "y"},
		} {
			if v, err := tx.Get(c.table, c.key); err != nil || string(v) != c.want {
				return fmt.Errorf("Get(%q, %q) in the writing transaction = %q, %v; want %q", c.table, c.key, v, err, c.want)
			}
		}
		for _, key := range []string{"b", "e"} {
			if _, err := tx.Get("t", key); !errors.Is(err, storage.ErrNotFound) {
				return fmt.Errorf("Get(t, %q) after Delete in the same transaction: err = %v, want ErrNotFound", key, err)
			}
		}
		got, err := scan(tx, "t", "", "")
		if err != nil {
			return err
		}
		if want := []kv{{"a", "one"}, {"c", "3"}, {"d", "4"}}; !slices.Equal(got, want) {
			return fmt.Errorf("Scan in the writing transaction = %q, want %q", got, want)
		}
		if got, err = scan(tx, "t", "", "b"); err != nil || !slices.Equal(got, []kv{{"c", "3"}, {"d", "4"}}) {
			return fmt.Errorf("Scan after b in the writing transaction = %q, %v", got, err)
		}
		if got, err = scan(tx, "new", "", ""); err != nil || !slices.Equal(got, []kv{{"x", "y"}}) {
			return fmt.Errorf("Scan of a table created in the transaction = %q, %v", got, err)
		}
		return nil
	}))
	checkTable(t, m, "t", kv{"a", "one"}, kv{"c", "3"}, kv{"d", "4"})
	checkTable(t, m, "new", kv{"x", "y"})
}

var errRollback = errors.New("storagetest: roll back")

func testMetaRollback(t *testing.T, m storage.MetaStore) {
	put(t, m, "t", kv{"a", "1"}, kv{"b", "2"})
	put(t, m, "u", kv{"x", "9"})
	err := m.Update(func(tx storage.MetaTx) error {
		if err := errors.Join(
			tx.Put("t", "a", []byte("changed")),
			tx.Delete("t", "b"),
			tx.Put("t", "c", []byte("new")),
			tx.Delete("u", "x"),
			tx.Put("fresh-table", "k", []byte("v")),
		); err != nil {
			return err
		}
		return fmt.Errorf("wrapped: %w", errRollback)
	})
	if !errors.Is(err, errRollback) {
		t.Fatalf("Update returned %v, want the function's error", err)
	}
	checkTable(t, m, "t", kv{"a", "1"}, kv{"b", "2"})
	checkTable(t, m, "u", kv{"x", "9"})
	checkTable(t, m, "fresh-table")
	checkMissing(t, m, "fresh-table", "k")

	// A failed Put does not abort the transaction by itself: if the
	// function returns nil, what it did commits.
	noErr(t, "Update", m.Update(func(tx storage.MetaTx) error {
		if err := tx.Put("", "k", []byte("v")); err == nil {
			return errors.New("Put with an empty table succeeded")
		}
		return tx.Put("t", "after-failed-put", []byte("kept"))
	}))
	checkGet(t, m, "t", "after-failed-put", "kept")

	// The store works normally after a rollback.
	put(t, m, "t", kv{"a", "after"})
	checkGet(t, m, "t", "a", "after")
}

func testMetaView(t *testing.T, m storage.MetaStore) {
	put(t, m, "t", kv{"a", "1"})
	sentinel := errors.New("view error")
	err := m.View(func(tx storage.MetaTx) error {
		if err := tx.Put("t", "a", []byte("2")); !errors.Is(err, storage.ErrReadOnly) {
			return fmt.Errorf("Put in View: err = %v, want ErrReadOnly", err)
		}
		if err := tx.Put("t", "new", []byte("2")); !errors.Is(err, storage.ErrReadOnly) {
			return fmt.Errorf("Put of a new key in View: err = %v, want ErrReadOnly", err)
		}
		if err := tx.Put("new-table", "k", []byte("2")); !errors.Is(err, storage.ErrReadOnly) {
			return fmt.Errorf("Put in a new table in View: err = %v, want ErrReadOnly", err)
		}
		if err := tx.Delete("t", "a"); !errors.Is(err, storage.ErrReadOnly) {
			return fmt.Errorf("Delete in View: err = %v, want ErrReadOnly", err)
		}
		if err := tx.Delete("t", "missing"); !errors.Is(err, storage.ErrReadOnly) {
			return fmt.Errorf("Delete of a missing key in View: err = %v, want ErrReadOnly", err)
		}
		if v, err := tx.Get("t", "a"); err != nil || string(v) != "1" {
			return fmt.Errorf("Get in View after refused writes = %q, %v; want 1", v, err)
		}
		return sentinel
	})
	if !errors.Is(err, sentinel) {
		t.Fatalf("View returned %v, want the function's error", err)
	}
	checkTable(t, m, "t", kv{"a", "1"})
	checkTable(t, m, "new-table")
}

func testMetaScan(t *testing.T, m storage.MetaStore) {
	// Keys sort bytewise: upper case before lower case, a key before its
	// extensions, 0xff last.
	keys := []string{"b", "a", "ab", "a/2", "a/10", "a/1", "A", "a\x00", "abc", "b/1", "\xff", "0", "ac", "aa/x"}
	var pairs []kv
	for _, k := range keys {
		pairs = append(pairs, kv{k, "v:" + k})
	}
	put(t, m, "t", pairs...)
	put(t, m, "s", kv{"a/1", "other table"})
	sorted := slices.Clone(keys)
	slices.Sort(sorted)
	expect := func(prefix, startAfter string) []kv {
		var w []kv
		for _, k := range sorted {
			if strings.HasPrefix(k, prefix) && k > startAfter {
				w = append(w, kv{k, "v:" + k})
			}
		}
		return w
	}
	tests := []struct{ prefix, startAfter string }{
		{"", ""},
		{"a", ""},
		{"a/", ""},
		{"a/1", ""},
		{"ab", ""},
		{"b", ""},
		{"\xff", ""},
		{"z", ""},
		{"aaa", ""},
		{"", "a"},
		{"", "a/"},
		{"", "a/10"},
		{"", "ab"},
		{"", "abz"},
		{"", "b/1"},
		{"", "\xff"},
		{"a", "a"},
		{"a", "a/1"},
		{"a", "a/5"},
		{"a", "ab"},
		{"a", "ac"},
		{"a", "b"},   // startAfter past every key with the prefix
		{"a/", "A"},  // startAfter before the prefix
		{"a/", "a"},  // startAfter a proper prefix of the prefix
		{"ab", "aa"}, // startAfter before the prefix, sharing a byte
		{"a", "a\x00"},
	}
	noErr(t, "View", m.View(func(tx storage.MetaTx) error {
		for _, tt := range tests {
			got, err := scan(tx, "t", tt.prefix, tt.startAfter)
			if err != nil {
				return err
			}
			if want := expect(tt.prefix, tt.startAfter); !slices.Equal(got, want) {
				t.Errorf("Scan(t, prefix %q, after %q) = %q, want %q", tt.prefix, tt.startAfter, got, want)
			}
		}
		got, err := scan(tx, "no-such-table", "", "")
		if err != nil || len(got) != 0 {
			t.Errorf("Scan of a missing table = %q, %v; want nothing", got, err)
		}
		return nil
	}))
	// Scan in an Update gives the same.
	noErr(t, "Update", m.Update(func(tx storage.MetaTx) error {
		got, err := scan(tx, "t", "a", "a/1")
		if want := expect("a", "a/1"); err != nil || !slices.Equal(got, want) {
			return fmt.Errorf("Scan in Update = %q, %v; want %q", got, err, want)
		}
		return nil
	}))
}

func testMetaScanStop(t *testing.T, m storage.MetaStore) {
	var pairs []kv
	for i := range 50 {
		pairs = append(pairs, kv{fmt.Sprintf("k%02d", i), strconv.Itoa(i)})
	}
	put(t, m, "t", pairs...)
	noErr(t, "View", m.View(func(tx storage.MetaTx) error {
		// fn returning false stops after that key.
		var got []string
		err := tx.Scan("t", "", "", func(k string, v []byte) (bool, error) {
			got = append(got, k)
			return len(got) < 3, nil
		})
		if err != nil || !slices.Equal(got, []string{"k00", "k01", "k02"}) {
			t.Errorf("Scan stopped after 3 keys = %q, %v", got, err)
		}
		// fn's error stops the scan and comes back.
		sentinel := errors.New("scan error")
		got = nil
		err = tx.Scan("t", "k1", "", func(k string, v []byte) (bool, error) {
			got = append(got, k)
			if k == "k12" {
				return true, fmt.Errorf("at %s: %w", k, sentinel)
			}
			return true, nil
		})
		if !errors.Is(err, sentinel) {
			t.Errorf("Scan returned %v, want the function's error", err)
		}
		if !slices.Equal(got, []string{"k10", "k11", "k12"}) {
			t.Errorf("Scan with an error at k12 visited %q", got)
		}
		// Values are right, and the scan goes on after a Get.
		got = nil
		err = tx.Scan("t", "", "k45", func(k string, v []byte) (bool, error) {
			if want := strings.TrimPrefix(strings.TrimPrefix(k, "k"), "0"); string(v) != want {
				return false, fmt.Errorf("Scan value for %q = %q, want %q", k, v, want)
			}
			if _, err := tx.Get("t", "k00"); err != nil {
				return false, err
			}
			got = append(got, k)
			return true, nil
		})
		if err != nil || !slices.Equal(got, []string{"k46", "k47", "k48", "k49"}) {
			t.Errorf("Scan after k45 = %q, %v", got, err)
		}
		return nil
	}))
	// An error from fn inside Update rolls the transaction back.
	sentinel := errors.New("stop")
	err := m.Update(func(tx storage.MetaTx) error {
		if err := tx.Put("t", "k00", []byte("changed")); err != nil {
			return err
		}
		return tx.Scan("t", "", "", func(string, []byte) (bool, error) { return false, sentinel })
	})
	wantErr(t, "Update whose Scan failed", err, sentinel)
	checkGet(t, m, "t", "k00", "0")
}

// testMetaScanWhileWriting checks the common pattern of an Update that scans
// a table and deletes or rewrites each key as it visits it: every key is
// visited once, with its value as of the visit.
func testMetaScanWhileWriting(t *testing.T, m storage.MetaStore) {
	var pairs []kv
	for i := range 300 {
		pairs = append(pairs, kv{fmt.Sprintf("lease-%03d", i), strconv.Itoa(i)})
	}
	put(t, m, "leases", pairs...)
	put(t, m, "leases", kv{"other", "x"})
	var visited []kv
	noErr(t, "Update", m.Update(func(tx storage.MetaTx) error {
		// Rewrite one key ahead of the scan before it starts, and one
		// during it.
		if err := tx.Put("leases", "lease-150", []byte("early")); err != nil {
			return err
		}
		return tx.Scan("leases", "lease-", "", func(k string, v []byte) (bool, error) {
			visited = append(visited, kv{k, string(v)})
			if k == "lease-100" {
				if err := tx.Put("leases", "lease-200", []byte("rewritten")); err != nil {
					return false, err
				}
			}
			n, _ := strconv.Atoi(string(v))
			if n%2 == 0 {
				return true, tx.Delete("leases", k)
			}
			return true, errors.Join(
				tx.Put("leases", k, []byte("odd:"+string(v))),
				tx.Put("audit", k, []byte("seen")),
			)
		})
	}))
	if len(visited) != len(pairs) {
		t.Fatalf("Scan while writing visited %d keys, want %d", len(visited), len(pairs))
	}
	var want []kv
	for i, p := range pairs {
		switch p.key {
		case "lease-150":
			p.value = "early"
		case "lease-200":
			p.value = "rewritten"
		}
		if visited[i] != p {
			t.Fatalf("Scan while writing: visit %d = %q, want %q", i, visited[i], p)
		}
		if n, _ := strconv.Atoi(p.value); n%2 == 0 { // "early" and "rewritten" count as 0
			continue
		}
		want = append(want, kv{p.key, "odd:" + p.value})
	}
	checkTable(t, m, "leases", append(want, kv{"other", "x"})...)
	var audit []kv
	for _, p := range want {
		audit = append(audit, kv{p.key, "seen"})
	}
	checkTable(t, m, "audit", audit...)
}

func testMetaPutEmpty(t *testing.T, m storage.MetaStore) {
	for _, c := range []struct{ table, key string }{{"", "k"}, {"t", ""}, {"", ""}} {
		err := m.Update(func(tx storage.MetaTx) error { return tx.Put(c.table, c.key, []byte("v")) })
		if err == nil {
			t.Errorf("Put(%q, %q) succeeded", c.table, c.key)
		}
	}
	checkTable(t, m, "")
	checkTable(t, m, "t")
	checkMissing(t, m, "t", "")
	checkMissing(t, m, "", "k")
}

func testMetaConcurrentUpdates(t *testing.T, m storage.MetaStore) {
	const goroutines, increments = 8, 100
	put(t, m, "counters", kv{"n", "0"})
	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for g := range goroutines {
		wg.Go(func() {
			for i := range increments {
				err := m.Update(func(tx storage.MetaTx) error {
					v, err := tx.Get("counters", "n")
					if err != nil {
						return err
					}
					n, err := strconv.Atoi(string(v))
					if err != nil {
						return err
					}
					// Each goroutine also keeps its own key, so
					// transactions write more than one key.
					if err := tx.Put("counters", fmt.Sprintf("g%d", g), []byte(strconv.Itoa(i+1))); err != nil {
						return err
					}
					return tx.Put("counters", "n", []byte(strconv.Itoa(n+1)))
				})
				if err != nil {
					errs <- fmt.Errorf("goroutine %d: Update: %w", g, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	checkGet(t, m, "counters", "n", strconv.Itoa(goroutines*increments))
	for g := range goroutines {
		checkGet(t, m, "counters", fmt.Sprintf("g%d", g), strconv.Itoa(increments))
	}
}

func testMetaConsistentViews(t *testing.T, m storage.MetaStore) {
	// Writers move units between two keys so their sum stays 1000; readers
	// must never see a transaction half applied.
	put(t, m, "bank", kv{"a", "1000"}, kv{"b", "0"})
	var (
		wg, readers sync.WaitGroup
		done        = make(chan struct{})
		errs        = make(chan error, 8)
	)
	for w := range 2 {
		wg.Go(func() {
			for i := range 100 {
				err := m.Update(func(tx storage.MetaTx) error {
					from, to := "a", "b"
					if (i+w)%3 == 0 {
						from, to = to, from
					}
					fv, err1 := tx.Get("bank", from)
					tv, err2 := tx.Get("bank", to)
					if err := errors.Join(err1, err2); err != nil {
						return err
					}
					f, _ := strconv.Atoi(string(fv))
					tt, _ := strconv.Atoi(string(tv))
					amount := min(f, 7)
					return errors.Join(
						tx.Put("bank", from, []byte(strconv.Itoa(f-amount))),
						tx.Put("bank", to, []byte(strconv.Itoa(tt+amount))),
					)
				})
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	for range 2 {
		readers.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				err := m.View(func(tx storage.MetaTx) error {
					got, err := scan(tx, "bank", "", "")
					if err != nil {
						return err
					}
					sum := 0
					for _, p := range got {
						n, _ := strconv.Atoi(p.value)
						sum += n
					}
					if len(got) != 2 || sum != 1000 {
						return fmt.Errorf("a View saw %q (sum %d), want two keys summing to 1000", got, sum)
					}
					return nil
				})
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(done)
	readers.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func testMetaClose(t *testing.T, m storage.MetaStore) {
	put(t, m, "t", kv{"a", "1"})
	noErr(t, "Close", m.Close())
	called := false
	err := m.View(func(storage.MetaTx) error { called = true; return nil })
	wantErr(t, "View after Close", err, storage.ErrClosed)
	err = m.Update(func(storage.MetaTx) error { called = true; return nil })
	wantErr(t, "Update after Close", err, storage.ErrClosed)
	if called {
		t.Fatal("View or Update after Close ran its function")
	}
	wantErr(t, "second Close", m.Close(), storage.ErrClosed)
}
