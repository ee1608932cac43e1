package walmeta

import (
	"errors"
	"fmt"
	"sync"

	"github.com/eddy-streams/eddy/storage"
)

// Group commit for Batch, as storage/boltmeta does it: each Update is one
// Append and so one sync of the log; Batch calls queue instead, and one
// committer runs every waiting call's function in one Update, whose
// writes are one Append. A call arriving while a commit runs waits for the
// next, so a lone call commits at once. A failing function fails the
// shared Update (nothing of it applies); that call gets its error and the
// others run again.

type batchCall struct {
	fn    func(storage.MetaTx) error
	err   error
	panic any
	done  chan struct{}
}

type batcher struct {
	mu      sync.Mutex
	queue   []*batchCall
	running bool
}

type errFnFailed struct{ i int }

func (errFnFailed) Error() string { return "walmeta: a batched function failed" }

// Batch runs fn in a read-write transaction shared with concurrent Batch
// calls and appended to the log as one commit.
func (s *Store) Batch(fn func(storage.MetaTx) error) error {
	c := &batchCall{fn: fn, done: make(chan struct{})}
	b := &s.batch
	b.mu.Lock()
	b.queue = append(b.queue, c)
	start := !b.running
	b.running = true
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

func (s *Store) commitBatches() {
	b := &s.batch
	for {
		b.mu.Lock()
		calls := b.queue
		b.queue = nil
		if len(calls) == 0 {
			b.running = false
			b.mu.Unlock()
			return
		}
		b.mu.Unlock()
		s.commitRound(calls)
	}
}

func (s *Store) commitRound(calls []*batchCall) {
	for len(calls) > 0 {
		var failed *errFnFailed
		err := s.Update(func(tx storage.MetaTx) error {
			for i, c := range calls {
				if err := runBatched(c, tx); err != nil {
					c.err = err
					return &errFnFailed{i}
				}
			}
			return nil
		})
		if errors.As(err, &failed) {
			close(calls[failed.i].done)
			calls = append(calls[:failed.i:failed.i], calls[failed.i+1:]...)
			for _, c := range calls {
				c.err, c.panic = nil, nil
			}
			continue
		}
		for _, c := range calls {
			c.err = err
			close(c.done)
		}
		return
	}
}

func runBatched(c *batchCall, tx storage.MetaTx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			c.panic = p
			err = fmt.Errorf("walmeta: batched function panicked: %v", p)
		}
	}()
	return c.fn(tx)
}
