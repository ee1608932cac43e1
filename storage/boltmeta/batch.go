package boltmeta

import (
	"errors"
	"fmt"
	"sync"

	bolt "go.etcd.io/bbolt"

	"github.com/eddy-streams/eddy/storage"
)

// Group commit for Batch. bbolt runs one write transaction at a time and
// syncs each commit, so an Update costs a sync (about a millisecond here)
// and concurrent Updates queue behind each other: a few hundred a second.
// Batch calls are queued instead; one committer goroutine takes every call
// waiting, runs their functions one after another in one bbolt
// transaction and commits it with one sync. A call arriving while a
// commit runs waits for the next one, so a lone call is committed at once
// (no batching delay) and a busy store commits hundreds of calls per sync.
//
// A function that fails cannot be undone inside the shared transaction, so
// the transaction is abandoned, the failed call gets its error, and the
// others run again in a new transaction (their functions are called
// again: see storage.MetaStore.Batch). bbolt's own DB.Batch does the same,
// but waits up to MaxBatchDelay (10 ms) to fill a batch.

// batchCall is one Batch call waiting for its commit.
type batchCall struct {
	fn    func(storage.MetaTx) error
	err   error
	panic any // what fn panicked with, raised again in the caller
	done  chan struct{}
}

// batcher is the queue of Batch calls and its committer.
type batcher struct {
	mu struct {
		sync.Mutex
		queue   []*batchCall
		running bool // a committer goroutine is draining the queue
	}
}

// errFnFailed aborts a shared transaction whose function at index i failed.
type errFnFailed struct{ i int }

func (errFnFailed) Error() string { return "boltmeta: a batched function failed" }

// Batch runs fn in a read-write transaction shared with concurrent Batch
// calls and committed with one sync (see batch.go).
func (s *Store) Batch(fn func(storage.MetaTx) error) error {
	if s.closed.Load() {
		return storage.ErrClosed
	}
	c := &batchCall{fn: fn, done: make(chan struct{})}
	b := &s.batch
	b.mu.Lock()
	b.mu.queue = append(b.mu.queue, c)
	start := !b.mu.running
	b.mu.running = true
	b.mu.Unlock()
	if start {
		go s.commitBatches()
	}
	<-c.done
	if c.panic != nil {
		panic(c.panic)
	}
	return c.err
}

// commitBatches commits the queued calls, a transaction per round, until
// the queue is empty.
func (s *Store) commitBatches() {
	b := &s.batch
	for {
		b.mu.Lock()
		calls := b.mu.queue
		b.mu.queue = nil
		if len(calls) == 0 {
			b.mu.running = false
			b.mu.Unlock()
			return
		}
		b.mu.Unlock()
		s.commitRound(calls)
	}
}

// commitRound commits calls in as few transactions as their failures
// allow, and releases each.
func (s *Store) commitRound(calls []*batchCall) {
	for len(calls) > 0 {
		var failed *errFnFailed
		err := s.db.Update(func(btx *bolt.Tx) error {
			tx := &metaTx{btx: btx, writable: true}
			defer func() { tx.btx = nil }()
			for i, c := range calls {
				if err := runBatched(c, tx); err != nil {
					c.err = err
					return &errFnFailed{i}
				}
			}
			return nil
		})
		if errors.As(err, &failed) {
			// Release the failed call; run the rest again without it.
			close(calls[failed.i].done)
			calls = append(calls[:failed.i:failed.i], calls[failed.i+1:]...)
			for _, c := range calls {
				c.err, c.panic = nil, nil
			}
			continue
		}
		if err != nil {
			err = s.mapErr(err, false)
			if !errors.Is(err, storage.ErrClosed) {
				err = fmt.Errorf("boltmeta: commit: %w", err)
			}
		}
		for _, c := range calls {
			c.err = err
			close(c.done)
		}
		return
	}
}

// runBatched calls c.fn, turning a panic into an error that fails the
// call (the panic is raised again in the caller).
func runBatched(c *batchCall, tx *metaTx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			c.panic = p
			err = fmt.Errorf("boltmeta: batched function panicked: %v", p)
		}
	}()
	return c.fn(tx)
}
