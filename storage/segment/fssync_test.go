package segment

import (
	"bytes"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/eddy-streams/eddy/storage"
	"github.com/eddy-streams/eddy/storage/vfs"
)

// gateSyncer is an FSSyncer whose calls wait for a release and fail when
// told to.
type gateSyncer struct {
	calls   atomic.Int32
	entered chan struct{}
	release chan error
}

func (g *gateSyncer) SyncFS(vfs.File) error {
	g.calls.Add(1)
	g.entered <- struct{}{}
	return <-g.release
}

// TestFSSyncerGenerations: callers arriving while a syncfs runs are served
// by the next one, all together, and get that one's error; a caller is
// never served by a call that started before it arrived.
func TestFSSyncerGenerations(t *testing.T) {
	g := &gateSyncer{entered: make(chan struct{}, 16), release: make(chan error, 16)}
	s := newFSSyncer(g)
	first := make(chan error, 1)
	go func() { first <- s.sync(nil) }()
	recvWithin(t, g.entered, "generation 1 to run")
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func(i int) { defer wg.Done(); errs[i] = s.sync(nil) }(i)
	}
	waitFor(t, "all eight to hold ticket 2", func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.waiting[2] == 8
	})
	g.release <- nil // generation 1 succeeds: the first caller only
	if err := recvWithin(t, first, "generation 1's caller"); err != nil {
		t.Fatal(err)
	}
	recvWithin(t, g.entered, "generation 2, for the eight")
	boom := errors.New("boom")
	g.release <- boom
	wg.Wait()
	for i, err := range errs {
		if !errors.Is(err, boom) {
			t.Fatalf("caller %d got %v, want generation 2's error", i, err)
		}
	}
	if n := g.calls.Load(); n != 2 {
		t.Fatalf("%d syncfs calls for 9 callers, want 2", n)
	}
	if len(s.failed) != 0 || len(s.waiting) != 0 {
		t.Fatalf("left behind: failed %v waiting %v", s.failed, s.waiting)
	}
	// After a failure each caller syncs its own file (fdatasync), which
	// reports errors the failed syncfs left in that file.
	f := &syncFile{err: errors.New("errseq")}
	if err := s.sync(f); err != f.err || f.syncs != 1 || g.calls.Load() != 2 {
		t.Fatalf("degraded sync: %v, %d file syncs, %d syncfs calls", err, f.syncs, g.calls.Load())
	}
}

// syncFile is a vfs.File whose Sync returns err.
type syncFile struct {
	vfs.File
	err   error
	syncs int
}

func (f *syncFile) Sync() error { f.syncs++; return f.err }

// countingFS counts SyncFS and file Syncs.
type countingFS struct {
	*vfs.MemFS
	syncfs atomic.Int32
}

func (c *countingFS) SyncFS(f vfs.File) error {
	c.syncfs.Add(1)
	return c.MemFS.SyncFS(f)
}

// TestSyncFSShared: concurrent appends to 16 logs share syncfs calls.
func TestSyncFSShared(t *testing.T) {
	fs := &countingFS{MemFS: vfs.NewMem()}
	s := memStore(t, fs.MemFS, func(c *Config) { c.FS = fs })
	defer s.Close()
	var logs []storage.ShardLog
	for i := range 16 {
		l, err := s.Create(string(rune('a'+i)), 0)
		if err != nil {
			t.Fatal(err)
		}
		logs = append(logs, l)
	}
	base := fs.syncfs.Load() // the probe at Open
	const rounds = 50
	var wg sync.WaitGroup
	for _, l := range logs {
		wg.Add(1)
		go func(l storage.ShardLog) {
			defer wg.Done()
			for i := range rounds {
				if _, err := l.Append([]storage.Record{{Data: payload(0, i, 100)}}); err != nil {
					t.Error(err)
					return
				}
			}
		}(l)
	}
	wg.Wait()
	calls := fs.syncfs.Load() - base
	if calls <= 0 || calls >= 16*rounds {
		t.Fatalf("%d syncfs calls for %d appends", calls, 16*rounds)
	}
	t.Logf("%d appends, %d syncfs calls", 16*rounds, calls)
}

// TestAppendMulti: one call appends to many logs with exactly one syncfs,
// every batch readable at its position once the call returns; a batch that
// cannot be appended (a sealed log, a bad record) fails alone; without
// syncfs, or with another sync mode, the batches are still appended.
func TestAppendMulti(t *testing.T) {
	fs := &countingFS{MemFS: vfs.NewMem()}
	s := memStore(t, fs.MemFS, func(c *Config) { c.FS = fs })
	defer s.Close()
	var logs []storage.ShardLog
	for i := range 6 {
		l, err := s.Create(string(rune('a'+i)), 0)
		if err != nil {
			t.Fatal(err)
		}
		logs = append(logs, l)
	}
	if err := logs[5].Seal(); err != nil {
		t.Fatal(err)
	}
	for round := range 3 {
		before := fs.syncfs.Load()
		var bs []storage.AppendBatch
		for i, l := range logs {
			recs := []storage.Record{{Data: payload(i, 2*round, 50)}, {Data: payload(i, 2*round+1, 50)}}
			if i == 4 {
				recs[1].Data = make([]byte, storage.MaxDataSize+1)
			}
			bs = append(bs, storage.AppendBatch{Log: l, Recs: recs})
		}
		s.AppendMulti(bs)
		if n := fs.syncfs.Load() - before; n != 1 {
			t.Fatalf("round %d: %d syncfs calls, want 1", round, n)
		}
		for i, b := range bs {
			switch i {
			case 4:
				if !errors.Is(b.Err, storage.ErrTooLarge) {
					t.Fatalf("batch with an oversized record: %v", b.Err)
				}
			case 5:
				if !errors.Is(b.Err, storage.ErrSealed) {
					t.Fatalf("batch to a sealed log: %v", b.Err)
				}
			default:
				if b.Err != nil || b.First != uint64(2*round) {
					t.Fatalf("batch %d: first %d, %v", i, b.First, b.Err)
				}
				got, err := logs[i].Read(b.First, 10, 1<<20)
				if err != nil || len(got) != 2 || !bytes.Equal(got[1].Data, payload(i, 2*round+1, 50)) {
					t.Fatalf("batch %d not readable after AppendMulti: %d records, %v", i, len(got), err)
				}
			}
		}
	}

	for name, mut := range map[string]func(*Config){
		"fdatasync": func(c *Config) { c.SyncFS = false },
		"interval":  func(c *Config) { c.Sync = SyncInterval },
	} {
		s := memStore(t, vfs.NewMem(), mut)
		a, _ := s.Create("a", 0)
		b, _ := s.Create("b", 0)
		bs := []storage.AppendBatch{{Log: a, Recs: []storage.Record{{Data: []byte("x")}}}, {Log: b, Recs: []storage.Record{{Data: []byte("y")}}}}
		s.AppendMulti(bs)
		for i, bt := range bs {
			if bt.Err != nil || bt.First != 0 {
				t.Fatalf("%s: batch %d: %d, %v", name, i, bt.First, bt.Err)
			}
		}
		s.Close()
	}
}
