package walmeta_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/eddy-streams/eddy/storage"
	"github.com/eddy-streams/eddy/storage/mem"
	"github.com/eddy-streams/eddy/storage/segment"
	"github.com/eddy-streams/eddy/storage/storagetest"
	"github.com/eddy-streams/eddy/storage/walmeta"
)

// owning is a walmeta store that closes its logs too, as the suites
// expect of a store they close.
type owning struct {
	*walmeta.Store
	logs storage.Logs
}

func (o owning) Close() error {
	err := o.Store.Close()
	if cerr := o.logs.Close(); err == nil {
		err = cerr
	}
	return err
}

func openSegment(t testing.TB, dir string, cfg walmeta.Config) owning {
	t.Helper()
	logs, err := segment.Open(dir, segment.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	s, err := walmeta.Open(logs, cfg)
	if err != nil {
		logs.Close()
		t.Fatal(err)
	}
	return owning{s, logs}
}

func TestMeta(t *testing.T) {
	storagetest.TestMeta(t, func(t *testing.T) storage.MetaStore {
		logs := mem.NewLogs()
		s, err := walmeta.Open(logs, walmeta.Config{})
		if err != nil {
			t.Fatal(err)
		}
		return owning{s, logs}
	})
}

func TestMetaReopen(t *testing.T) {
	storagetest.TestMetaReopen(t, func(t *testing.T, dir string) storage.MetaStore {
		return openSegment(t, dir, walmeta.Config{})
	})
}

// TestMetaReopenCompacting runs the reopen suite with compaction after
// every few commits, so reopening loads snapshots as well as commits.
func TestMetaReopenCompacting(t *testing.T) {
	storagetest.TestMetaReopen(t, func(t *testing.T, dir string) storage.MetaStore {
		return openSegment(t, dir, walmeta.Config{CompactBytes: 200, RecordBytes: 64})
	})
}

func put(t *testing.T, m storage.MetaStore, table, key, value string) {
	t.Helper()
	if err := m.Update(func(tx storage.MetaTx) error { return tx.Put(table, key, []byte(value)) }); err != nil {
		t.Fatal(err)
	}
}

func dump(t *testing.T, m storage.MetaStore, table string) string {
	t.Helper()
	var b strings.Builder
	err := m.View(func(tx storage.MetaTx) error {
		return tx.Scan(table, "", "", func(k string, v []byte) (bool, error) {
			fmt.Fprintf(&b, "%s=%s;", k, v)
			return true, nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestCompaction: generations replace each other, the old ones are
// deleted, and the newest holds everything after a reopen.
func TestCompaction(t *testing.T) {
	dir := t.TempDir()
	s := openSegment(t, dir, walmeta.Config{CompactBytes: 1000, RecordBytes: 100})
	want := ""
	for i := range 200 {
		put(t, s, "t", fmt.Sprintf("k%03d", i%50), fmt.Sprintf("v%d", i))
	}
	for i := 150; i < 200; i++ {
		want += fmt.Sprintf("k%03d=v%d;", i%50, i)
	}
	if got := dump(t, s, "t"); got != want {
		t.Fatalf("before reopen: %s", got)
	}
	ids, err := s.logs.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 1 || ids[0] == "meta/0000000000000001" {
		t.Fatalf("logs after compactions: %v, want one generation after the first", ids)
	}
	s.Close()
	s = openSegment(t, dir, walmeta.Config{CompactBytes: 1000, RecordBytes: 100})
	defer s.Close()
	if got := dump(t, s, "t"); got != want {
		t.Fatalf("after reopen: %s", got)
	}
}

// TestTornCommitLeftOut: a commit whose records are not all in the log
// (the tail a crash tore) is not applied; the commits after it are.
func TestTornCommitLeftOut(t *testing.T) {
	logs := mem.NewLogs()
	defer logs.Close()
	s, err := walmeta.Open(logs, walmeta.Config{RecordBytes: 40})
	if err != nil {
		t.Fatal(err)
	}
	put(t, s, "t", "a", "1")
	// A commit of three records, of which only the first two reached
	// the log: appended by hand, as a torn tail leaves them.
	big := s.Update(func(tx storage.MetaTx) error {
		for _, k := range []string{"x", "y", "z"} {
			if err := tx.Put("t", k, []byte(strings.Repeat(k, 30))); err != nil {
				return err
			}
		}
		return errors.New("rolled back")
	})
	if big == nil {
		t.Fatal("update did not fail")
	}
	l, err := logs.Open("meta/0000000000000001")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := l.Bounds()
	recs, _ := l.Read(b.Next-1, 1, 1<<20) // commit 0: "a"
	if len(recs) != 1 || recs[0].Data[0] != 'C' {
		t.Fatalf("last record: %+v", recs)
	}
	entry := func(k, v string) []byte {
		return append([]byte{1, 1, 't', byte(len(k))}, append([]byte(k), append([]byte{byte(len(v))}, v...)...)...)
	}
	torn := []storage.Record{
		{Data: append([]byte{'C', 1, 0, 3}, entry("x", "torn")...)},
		{Data: append([]byte{'C', 1, 1, 3}, entry("y", "torn")...)},
	}
	if _, err := l.Append(torn); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = walmeta.Open(logs, walmeta.Config{RecordBytes: 40})
	if err != nil {
		t.Fatal(err)
	}
	if got := dump(t, s, "t"); got != "a=1;" {
		t.Fatalf("after the torn commit: %s", got)
	}
	// The next commit reuses number 1 and is applied on reopen.
	put(t, s, "t", "b", "2")
	s.Close()
	s, err = walmeta.Open(logs, walmeta.Config{RecordBytes: 40})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := dump(t, s, "t"); got != "a=1;b=2;" {
		t.Fatalf("after a commit following the torn one: %s", got)
	}
}

// TestIncompleteGenerationIgnored: a newer generation whose snapshot has
// no end record (a compaction cut short) is deleted and the older one
// loaded.
func TestIncompleteGenerationIgnored(t *testing.T) {
	logs := mem.NewLogs()
	defer logs.Close()
	s, err := walmeta.Open(logs, walmeta.Config{})
	if err != nil {
		t.Fatal(err)
	}
	put(t, s, "t", "a", "1")
	s.Close()
	l, err := logs.Create("meta/0000000000000002", 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Append([]storage.Record{{Data: []byte{'S', 1, 1, 't', 1, 'a', 1, '9'}}}); err != nil {
		t.Fatal(err)
	}
	s, err = walmeta.Open(logs, walmeta.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := dump(t, s, "t"); got != "a=1;" {
		t.Fatalf("got %s", got)
	}
	ids, _ := logs.List()
	if len(ids) != 1 || ids[0] != "meta/0000000000000001" {
		t.Fatalf("logs %v", ids)
	}
}

// TestCorruptRecordIsAnError: a record that does not decode fails Open
// with storage.ErrCorrupt rather than loading part of the store.
func TestCorruptRecordIsAnError(t *testing.T) {
	logs := mem.NewLogs()
	defer logs.Close()
	s, err := walmeta.Open(logs, walmeta.Config{})
	if err != nil {
		t.Fatal(err)
	}
	put(t, s, "t", "a", "1")
	s.Close()
	l, _ := logs.Open("meta/0000000000000001")
	if _, err := l.Append([]storage.Record{{Data: []byte{'C', 1, 0, 1, 7, 1}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := walmeta.Open(logs, walmeta.Config{}); !errors.Is(err, storage.ErrCorrupt) {
		t.Fatalf("Open: %v, want ErrCorrupt", err)
	}
}
