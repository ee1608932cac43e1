package segment

import (
	"sync"

	"github.com/eddy-streams/eddy/storage/vfs"
)

// Store-wide group commit (Config.SyncFS). Each log already merges
// concurrent appends to it into one fsync. A PutRecords with random keys
// appends to every shard of its stream, though, so with fdatasync per log
// one request costs as many syncs as shards. With SyncFS the logs' sync
// leaders share syncfs(2) calls instead: one call makes everything written
// to the filesystem durable, so every leader waiting when it starts is
// served by it.
//
// Correctness rests on one rule: a caller is served only by a syncfs that
// started after the caller arrived (its writes were complete by then). A
// caller takes the ticket started+1, the next syncfs to start; it runs that
// one itself if none is running, or waits for the running one to finish
// and then for its own. Each generation's error goes to exactly the callers
// holding its ticket, so a failed syncfs fails the appends it was meant to
// make durable, even if a later one succeeds.
//
// A failed syncfs may also have dropped data of logs that were not waiting
// on it (their appends were still being written). Linux keeps the error in
// each file (errseq) and reports it to the next fsync through every
// descriptor opened before it, while syncfs reports it only once. So after
// a failure the syncer degrades for good to each log's own fdatasync,
// through which every log with lost data learns of it and rolls back.
type fsSyncer struct {
	fs   vfs.FSSyncer
	mu   sync.Mutex
	cond *sync.Cond
	// started and done count syncfs calls begun and finished; calls run
	// one at a time, so done is the generation of the last one finished.
	started, done uint64
	running       bool
	degraded      bool // a syncfs failed: fdatasync per log from now on
	// failed holds the errors of failed generations until their last
	// waiter has read it.
	failed  map[uint64]error
	waiting map[uint64]int
}

func newFSSyncer(fs vfs.FSSyncer) *fsSyncer {
	s := &fsSyncer{fs: fs, failed: map[uint64]error{}, waiting: map[uint64]int{}}
	s.cond = sync.NewCond(&s.mu)
	return s
}

// sync makes everything written before the call to f durable; f is an
// open file of the store's filesystem, for syncfs.
func (s *fsSyncer) sync(f vfs.File) error {
	ran, err := s.shared(f)
	if !ran {
		// No syncfs will run again, and this caller's was not run: its
		// own file's fdatasync reports what a failed one left behind.
		return f.Sync()
	}
	return err
}

// shared makes everything written before the call durable with a syncfs
// that starts after it, run by this caller or another, and returns that
// syncfs's error. Once the syncer has degraded (a syncfs failed) it reports
// ran false without syncing anything: the caller must then sync each of
// its files itself.
func (s *fsSyncer) shared(f vfs.File) (ran bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ticket := s.started + 1
	s.waiting[ticket]++
	for s.done < ticket {
		if s.degraded && !s.running {
			s.leaveLocked(ticket)
			return false, nil
		}
		if s.running {
			s.cond.Wait()
			continue
		}
		s.running = true
		s.started++
		gen := s.started
		s.mu.Unlock()
		err := s.fs.SyncFS(f)
		s.mu.Lock()
		s.running = false
		s.done = gen
		if err != nil {
			s.degraded = true
			if s.waiting[gen] > 0 {
				s.failed[gen] = err
			}
		}
		s.cond.Broadcast()
	}
	err = s.failed[ticket]
	s.leaveLocked(ticket)
	return true, err
}

// leaveLocked drops a caller's hold on its ticket.
func (s *fsSyncer) leaveLocked(ticket uint64) {
	if s.waiting[ticket]--; s.waiting[ticket] == 0 {
		delete(s.waiting, ticket)
		delete(s.failed, ticket)
	}
}
