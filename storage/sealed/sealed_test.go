package sealed_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/storage"
	"github.com/eddy-streams/eddy/storage/mem"
	"github.com/eddy-streams/eddy/storage/sealed"
	"github.com/eddy-streams/eddy/storage/segment"
	"github.com/eddy-streams/eddy/storage/storagetest"
)

func newKey(t testing.TB) []byte {
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		t.Fatal(err)
	}
	return k
}

func openSegment(t testing.TB, dir string, key []byte, mut func(*segment.Config)) *sealed.Store {
	t.Helper()
	cfg := segment.DefaultConfig()
	if mut != nil {
		mut(&cfg)
	}
	inner, err := segment.Open(dir, cfg)
	if err != nil {
		t.Fatal(err)
	}
	s, err := sealed.Open(inner, key)
	if err != nil {
		inner.Close()
		t.Fatal(err)
	}
	return s
}

func TestConformanceMem(t *testing.T) {
	storagetest.TestLogs(t, func(t *testing.T) storage.Logs {
		s, err := sealed.Open(mem.NewLogs(), newKey(t))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestConformanceSegment(t *testing.T) {
	for name, mut := range map[string]func(*segment.Config){
		"default":        nil,
		"small-segments": func(c *segment.Config) { c.SegmentBytes = 4096; c.IndexInterval = 256; c.MaxOpenFiles = 8 },
	} {
		t.Run(name, func(t *testing.T) {
			storagetest.TestLogs(t, func(t *testing.T) storage.Logs { return openSegment(t, t.TempDir(), newKey(t), mut) })
		})
	}
}

func TestConformanceReopen(t *testing.T) {
	key := newKey(t)
	storagetest.TestLogsReopen(t, func(t *testing.T, dir string) storage.Logs { return openSegment(t, dir, key, nil) })
}

// TestNothingInTheClear: record data, partition keys, explicit hash keys
// and log ids are in no file's content or name under the store's
// directory, and read back whole after a reopen.
func TestNothingInTheClear(t *testing.T) {
	dir := t.TempDir()
	key := newKey(t)
	s := openSegment(t, dir, key, nil)
	const id = "kinesis/us-east-1/IDMARKER-orders:1/shardId-000000000000"
	l, err := s.Create(id, 0)
	if err != nil {
		t.Fatal(err)
	}
	var recs []storage.Record
	for i := range 100 {
		recs = append(recs, storage.Record{PartitionKey: "PKMARKER-" + string(rune('a'+i%26)), ExplicitHashKey: "1234567890123EHKMARK",
			Data: []byte(strings.Repeat("DATAMARKER ", 1+i)), Arrival: time.Unix(1700000000, 0), Flags: uint8(i % 2)})
	}
	if _, err := l.Append(recs); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	files := 0
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range []string{"IDMARKER", "orders", "shardId"} {
			if strings.Contains(p, m) {
				t.Errorf("a file name holds %q: %s", m, p)
			}
		}
		if info.IsDir() {
			return nil
		}
		files++
		b, _ := os.ReadFile(p)
		for _, m := range []string{"IDMARKER", "PKMARKER", "EHKMARK", "DATAMARKER", "shardId"} {
			if bytes.Contains(b, []byte(m)) {
				t.Errorf("%s holds %q", p, m)
			}
		}
		return nil
	})
	if files < 3 {
		t.Fatalf("%d files", files)
	}
	s = openSegment(t, dir, key, nil)
	defer s.Close()
	ids, err := s.List()
	if err != nil || len(ids) != 1 || ids[0] != id {
		t.Fatalf("List: %v %v", ids, err)
	}
	l, err = s.Open(id)
	if err != nil {
		t.Fatal(err)
	}
	got, err := l.Read(0, 1000, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(recs) {
		t.Fatalf("read %d records", len(got))
	}
	for i, r := range got {
		w := recs[i]
		if r.PartitionKey != w.PartitionKey || r.ExplicitHashKey != w.ExplicitHashKey || !bytes.Equal(r.Data, w.Data) || r.Flags != w.Flags || r.Seq != uint64(i) {
			t.Fatalf("record %d: %+v", i, r)
		}
	}
}

// TestWrongKeyAndPlainStore: another key, and a store written without
// encryption, are refused with their errors.
func TestWrongKeyAndPlainStore(t *testing.T) {
	dir := t.TempDir()
	s := openSegment(t, dir, newKey(t), nil)
	if _, err := s.Create("a", 0); err != nil {
		t.Fatal(err)
	}
	s.Close()
	inner, err := segment.Open(dir, segment.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sealed.Open(inner, newKey(t)); !errors.Is(err, sealed.ErrWrongKey) {
		t.Errorf("another key: %v", err)
	}
	inner.Close()

	plain := mem.NewLogs()
	if _, err := plain.Create("x", 0); err != nil {
		t.Fatal(err)
	}
	if _, err := sealed.Open(plain, newKey(t)); !errors.Is(err, sealed.ErrNotSealed) {
		t.Errorf("a plain store: %v", err)
	}
}

// TestTamperingDetected: a sealed record with a changed byte or changed
// flags, or one moved from another log, fails the read with ErrCorrupt
// instead of returning other data.
func TestTamperingDetected(t *testing.T) {
	inner := mem.NewLogs()
	s, err := sealed.Open(inner, newKey(t))
	if err != nil {
		t.Fatal(err)
	}
	// dataLog makes log id with one record and returns the underlying
	// data log that appeared with it.
	seen := map[string]bool{}
	dataLog := func(id string) (storage.ShardLog, storage.ShardLog) {
		l, err := s.Create(id, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := l.Append([]storage.Record{{PartitionKey: "k", Data: []byte("hello " + id), Arrival: time.Now()}}); err != nil {
			t.Fatal(err)
		}
		ids, _ := inner.List()
		for _, iid := range ids {
			if strings.HasPrefix(iid, "s/") && !seen[iid] {
				seen[iid] = true
				il, err := inner.Open(iid)
				if err != nil {
					t.Fatal(err)
				}
				return l, il
			}
		}
		t.Fatalf("no underlying log for %s", id)
		return nil, nil
	}
	tl, tLog := dataLog("t")
	ul, uLog := dataLog("u")
	orig, _ := tLog.Read(0, 1, 1<<20)
	for i, change := range []func(r *storage.Record){
		func(r *storage.Record) { r.Data[len(r.Data)-1] ^= 1 }, // the tag
		func(r *storage.Record) { r.Data[30] ^= 1 },            // the ciphertext
		func(r *storage.Record) { r.Flags ^= 1 },
		func(r *storage.Record) { r.Data[5] ^= 1 }, // the epoch id
	} {
		r := orig[0]
		r.Data = bytes.Clone(r.Data)
		change(&r)
		pos, err := tLog.Append([]storage.Record{r})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tl.Read(pos, 1, 1<<20); !errors.Is(err, storage.ErrCorrupt) {
			t.Errorf("change %d: read %v, want ErrCorrupt", i, err)
		}
	}
	// t's record appended to u's log does not open there.
	pos, err := uLog.Append([]storage.Record{orig[0]})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ul.Read(pos, 1, 1<<20); !errors.Is(err, storage.ErrCorrupt) {
		t.Errorf("a record moved from another log: %v", err)
	}
	if got, err := tl.Read(0, 1, 1<<20); err != nil || string(got[0].Data) != "hello t" {
		t.Fatalf("the untouched record: %v %v", got, err)
	}
}

// TestEpochsDiffer: a reopened store seals under a new epoch, so the
// positions a torn tail's truncation frees are never sealed again with a
// nonce already used (the epoch id and counter are bytes 1-25 of a record).
func TestEpochsDiffer(t *testing.T) {
	inner := mem.NewLogs()
	key := newKey(t)
	var headers [][]byte
	for range 2 {
		s, err := sealed.Open(inner, key)
		if err != nil {
			t.Fatal(err)
		}
		l, err := s.Open("e")
		if errors.Is(err, storage.ErrNotFound) {
			l, err = s.Create("e", 0)
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, err := l.Append([]storage.Record{{Data: []byte("x"), Arrival: time.Now()}}); err != nil {
			t.Fatal(err)
		}
	}
	ids, _ := inner.List()
	for _, id := range ids {
		if strings.HasPrefix(id, "s/") {
			il, _ := inner.Open(id)
			recs, _ := il.Read(0, 10, 1<<20)
			for _, r := range recs {
				headers = append(headers, r.Data[:25])
			}
		}
	}
	if len(headers) != 2 || bytes.Equal(headers[0][1:17], headers[1][1:17]) {
		t.Fatalf("two opens sealed with epochs %x", headers)
	}
}

// TestLargestRecordSpills: a record of MaxDataSize with the longest keys
// but one byte short of them all still fits, its envelope's excess kept in
// the underlying key fields.
func TestLargestRecordSpills(t *testing.T) {
	s, err := sealed.Open(mem.NewLogs(), newKey(t))
	if err != nil {
		t.Fatal(err)
	}
	l, _ := s.Create("big", 0)
	r := storage.Record{PartitionKey: strings.Repeat("p", 900), Data: bytes.Repeat([]byte{7}, storage.MaxDataSize), Arrival: time.Now()}
	if _, err := l.Append([]storage.Record{r}); err != nil {
		t.Fatal(err)
	}
	got, err := l.Read(0, 1, 1)
	if err != nil || len(got) != 1 || got[0].PartitionKey != r.PartitionKey || !bytes.Equal(got[0].Data, r.Data) {
		t.Fatalf("read back: %v", err)
	}
	all := storage.Record{PartitionKey: strings.Repeat("p", storage.MaxPartitionKeySize), ExplicitHashKey: strings.Repeat("9", storage.MaxExplicitHashKeySize),
		Data: make([]byte, storage.MaxDataSize), Arrival: time.Now()}
	if _, err := l.Append([]storage.Record{all}); !errors.Is(err, storage.ErrTooLarge) {
		t.Fatalf("every field at its limit: %v, want ErrTooLarge (no room for the envelope)", err)
	}
}
