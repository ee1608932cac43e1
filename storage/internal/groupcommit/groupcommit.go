// Package groupcommit is the queue behind the MetaStore backends' Batch:
// calls queue, and one committer goroutine at a time runs every call
// waiting in one transaction of the backend's, with one sync. A call
// arriving while a commit runs waits for the next one, so a lone call is
// committed at once (no batching delay) and a busy store commits hundreds
// of calls per sync.
//
// A function that fails cannot be undone inside the shared transaction,
// so the backend abandons the transaction, the failed call gets its
// error, and the others run again in a new one (their functions are
// called again: see storage.MetaStore.Batch).
package groupcommit

import (
	"errors"
	"fmt"
	"sync"

	"github.com/eddy-streams/eddy/storage"
)

// Queue is a backend's queue of Batch calls. The zero value is ready.
type Queue struct {
	mu      sync.Mutex
	queue   []*call
	running bool // a committer goroutine is draining the queue
}

type call struct {
	fn    func(storage.MetaTx) error
	err   error
	panic any // what fn panicked with, raised again in the caller
	done  chan struct{}
}

// Update runs fn in one read-write transaction of the backend, committing
// it (with one sync) if fn returns nil, abandoning it if fn returns an
// error, and returns that error.
type Update func(fn func(storage.MetaTx) error) error

// failed aborts a shared transaction whose call at index i failed.
type failed struct{ i int }

func (failed) Error() string { return "groupcommit: a batched function failed" }

// Do runs fn in a transaction shared with the calls queued beside it, made
// by update, and returns fn's error or the commit's. A panic in fn is
// raised again here.
func (q *Queue) Do(fn func(storage.MetaTx) error, update Update) error {
	c := &call{fn: fn, done: make(chan struct{})}
	q.mu.Lock()
	q.queue = append(q.queue, c)
	start := !q.running
	q.running = true
	q.mu.Unlock()
	if start {
		go q.drain(update)
	}
	<-c.done
	if c.panic != nil {
		panic(c.panic)
	}
	return c.err
}

// drain commits the queued calls, a transaction per round, until the
// queue is empty.
func (q *Queue) drain(update Update) {
	for {
		q.mu.Lock()
		calls := q.queue
		q.queue = nil
		if len(calls) == 0 {
			q.running = false
			q.mu.Unlock()
			return
		}
		q.mu.Unlock()
		commitRound(calls, update)
	}
}

// commitRound commits calls in as few transactions as their failures
// allow, and releases each.
func commitRound(calls []*call, update Update) {
	for len(calls) > 0 {
		var f *failed
		err := update(func(tx storage.MetaTx) error {
			for i, c := range calls {
				if err := run(c, tx); err != nil {
					c.err = err
					return &failed{i}
				}
			}
			return nil
		})
		if errors.As(err, &f) {
			// Release the failed call; run the rest again without it.
			close(calls[f.i].done)
			calls = append(calls[:f.i:f.i], calls[f.i+1:]...)
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

// run calls c.fn, turning a panic into an error that fails the call (the
// panic is raised again in the caller).
func run(c *call, tx storage.MetaTx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			c.panic = p
			err = fmt.Errorf("groupcommit: batched function panicked: %v", p)
		}
	}()
	return c.fn(tx)
}
