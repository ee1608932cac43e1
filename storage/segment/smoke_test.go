package segment

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/internal/bufpool"
	"github.com/eddy-streams/eddy/storage"
)

func openTest(t *testing.T, dir string, mut func(*Config)) *Store {
	t.Helper()
	cfg := DefaultConfig()
	if mut != nil {
		mut(&cfg)
	}
	s, err := Open(dir, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSmokeAppendReadReopen(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir, func(c *Config) { c.SegmentBytes = 8192; c.IndexInterval = 512 })
	l, err := s.Create("s/shardId-000", 0)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Unix(1700000000, 0)
	var n uint64
	for b := 0; b < 50; b++ {
		var recs []storage.Record
		for i := 0; i < 7; i++ {
			recs = append(recs, storage.Record{Arrival: t0.Add(time.Duration(n) * time.Millisecond), PartitionKey: "pk", Data: []byte(fmt.Sprintf("rec-%d-%s", n, bytes.Repeat([]byte("x"), int(n%200))))})
			n++
		}
		first, err := l.Append(recs)
		if err != nil {
			t.Fatal(err)
		}
		if first != uint64(b*7) {
			t.Fatalf("first = %d", first)
		}
	}
	check := func(l storage.ShardLog) {
		t.Helper()
		recs, err := l.Read(0, 10000, 1<<30)
		if err != nil {
			t.Fatal(err)
		}
		if uint64(len(recs)) != n {
			t.Fatalf("read %d records, want %d", len(recs), n)
		}
		for i, r := range recs {
			if r.Seq != uint64(i) || !bytes.HasPrefix(r.Data, []byte(fmt.Sprintf("rec-%d-", i))) {
				t.Fatalf("record %d: seq %d data %q", i, r.Seq, r.Data[:10])
			}
		}
		for _, p := range []uint64{0, 1, 100, 200, 349} {
			recs, err := l.Read(p, 1, 1)
			if err != nil || len(recs) != 1 || recs[0].Seq != p {
				t.Fatalf("read at %d: %v %v", p, recs, err)
			}
			got, err := l.SeekTime(t0.Add(time.Duration(p) * time.Millisecond))
			if err != nil || got != p {
				t.Fatalf("seek time %d: %d %v", p, got, err)
			}
		}
	}
	check(l)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTest(t, dir, func(c *Config) { c.SegmentBytes = 8192; c.IndexInterval = 512 })
	defer s.Close()
	l, err = s.Open("s/shardId-000")
	if err != nil {
		t.Fatal(err)
	}
	check(l)
	b, _ := l.Bounds()
	if b.Next != n {
		t.Fatalf("bounds %+v", b)
	}
	ids, _ := s.List()
	if len(ids) != 1 || ids[0] != "s/shardId-000" {
		t.Fatalf("ids %v", ids)
	}
}

var discard = DefaultConfig().Logger

// TestIndexCacheBounded: reading many sealed segments keeps at most
// MaxCachedIndexes indexes in memory, and evicted ones reload on demand.
func TestIndexCacheBounded(t *testing.T) {
	s := openTest(t, t.TempDir(), func(c *Config) { c.SegmentBytes = 4096; c.IndexInterval = 256; c.MaxCachedIndexes = 3 })
	defer s.Close()
	l, _ := s.Create("x", 0)
	for i := 0; i < 200; i++ {
		if _, err := l.Append([]storage.Record{{Data: payload(0, i, 300), Arrival: time.Unix(0, int64(i))}}); err != nil {
			t.Fatal(err)
		}
	}
	for round := 0; round < 2; round++ {
		recs, err := l.Read(0, 1000, 1<<30)
		if err != nil || len(recs) != 200 {
			t.Fatalf("read %d, %v", len(recs), err)
		}
		for i := 0; i < 200; i += 17 {
			if p, err := l.SeekTime(time.Unix(0, int64(i))); err != nil || p != uint64(i) {
				t.Fatalf("seek %d: %d %v", i, p, err)
			}
		}
		if n := s.idxs.len(); n > 3 {
			t.Fatalf("%d indexes cached, limit 3", n)
		}
	}
	loaded := 0
	for _, g := range l.(*shardLog).mu.segs {
		g.idxMu.Lock()
		if g.idx != nil {
			loaded++
		}
		g.idxMu.Unlock()
	}
	if loaded > 4 { // 3 sealed + the tail
		t.Fatalf("%d segment indexes in memory", loaded)
	}
}

// TestSealFixesEnd: with appends racing a Seal, every acknowledged batch lies
// below the Next that Bounds reports after Seal returns, and Next does not
// move afterwards.
func TestSealFixesEnd(t *testing.T) {
	for round := 0; round < 20; round++ {
		s := openTest(t, t.TempDir(), func(c *Config) { c.SegmentBytes = 4096 })
		l, _ := s.Create("x", 0)
		var mu sync.Mutex
		var maxEnd uint64
		var wg sync.WaitGroup
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					first, err := l.Append([]storage.Record{{Data: make([]byte, 200)}, {Data: make([]byte, 200)}})
					if err == storage.ErrSealed {
						return
					}
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					maxEnd = max(maxEnd, first+2)
					mu.Unlock()
				}
			}()
		}
		time.Sleep(time.Millisecond)
		if err := l.Seal(); err != nil {
			t.Fatal(err)
		}
		b, _ := l.Bounds()
		wg.Wait()
		b2, _ := l.Bounds()
		if maxEnd > b.Next || b2.Next != b.Next || !b.Sealed {
			t.Fatalf("acknowledged up to %d, Next %d at seal and %d after (sealed %v)", maxEnd, b.Next, b2.Next, b.Sealed)
		}
		s.Close()
	}
}

// TestReadBufferReusesKeptBuffer: full 10 MB reads, each handed the buffer
// the previous one returned, settle on one buffer of at most
// bufpool.Largest (what the server's pool keeps) and then reuse it
// instead of allocating.
func TestReadBufferReusesKeptBuffer(t *testing.T) {
	s := openTest(t, t.TempDir(), nil)
	defer s.Close()
	l, err := s.Create("s/shardId-000", 0)
	if err != nil {
		t.Fatal(err)
	}
	data := bytes.Repeat([]byte("x"), 1024)
	for b := 0; b < 30; b++ {
		recs := make([]storage.Record, 500)
		for i := range recs {
			recs[i] = storage.Record{Arrival: time.Unix(1700000000, 0), PartitionKey: "pk", Data: data}
		}
		if _, err := l.Append(recs); err != nil {
			t.Fatal(err)
		}
	}
	br := l.(storage.BufferReader)
	buf := make([]byte, 0, 1<<20) // what a read starts with without a kept buffer
	var caps []int
	for i := 0; i < 4; i++ {
		recs, next, err := br.ReadBuffer(uint64(i%2)*4000, 10000, 10<<20, buf)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) < 9000 {
			t.Fatalf("read %d records, want a full 10 MB read", len(recs))
		}
		if cap(next) > bufpool.Largest {
			t.Fatalf("read %d returned a %d-byte buffer, more than the %d a pool keeps", i, cap(next), bufpool.Largest)
		}
		caps = append(caps, cap(next))
		if i >= 2 && &next[:1][0] != &buf[:1][0] {
			t.Fatalf("read %d allocated a new buffer (capacities %v) instead of reusing the %d-byte one", i, caps, cap(buf))
		}
		buf = next
	}
}
