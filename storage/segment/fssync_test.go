package segment

import (
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
	<-g.entered // generation 1 runs
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func(i int) { defer wg.Done(); errs[i] = s.sync(nil) }(i)
	}
	waitWaiting := func(ticket uint64, n int) {
		for {
			s.mu.Lock()
			got := s.waiting[ticket]
			s.mu.Unlock()
			if got == n {
				return
			}
		}
	}
	waitWaiting(2, 8) // all eight hold ticket 2
	g.release <- nil  // generation 1 succeeds: the first caller only
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	<-g.entered // generation 2, for the eight
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
