package producer

import (
	"context"
	"sync"
	"sync/atomic"
)

// budget bounds the bytes of user records that are outstanding: put and
// not yet completed. acquire blocks (or fails, if failFast) while the
// budget is spent; release gives bytes back and wakes waiters.
type budget struct {
	max      int64
	failFast bool
	used     atomic.Int64
	waiting  atomic.Int32 // goroutines in acquire's or waitIdle's slow path

	mu      sync.Mutex
	changed chan struct{} // closed and replaced when bytes are released
}

func newBudget(max int64, failFast bool) *budget {
	return &budget{max: max, failFast: failFast, changed: make(chan struct{})}
}

// cost is what a record of n bytes charges: at most the whole budget, so a
// record larger than it can still go once nothing else is outstanding.
func (b *budget) cost(n int64) int64 { return min(n, b.max) }

func (b *budget) tryAcquire(n int64) bool {
	for {
		u := b.used.Load()
		if u+n > b.max {
			return false
		}
		if b.used.CompareAndSwap(u, u+n) {
			return true
		}
	}
}

// acquire takes n bytes (n <= max), waiting while they are not available
// unless failFast. It returns ErrBufferFull, ctx's error, or the error of
// done when done is closed (the producer shut down).
func (b *budget) acquire(ctx context.Context, n int64, done <-chan struct{}, doneErr error) error {
	if b.tryAcquire(n) {
		return nil
	}
	if b.failFast {
		return ErrBufferFull
	}
	// waiting stays raised while this goroutine may sleep, so that a
	// release after the failed try below closes the channel it sleeps on.
	b.waiting.Add(1)
	defer b.waiting.Add(-1)
	for {
		b.mu.Lock()
		ch := b.changed
		b.mu.Unlock()
		// A release that closes ch comes after this read of changed, so
		// either it wakes us or its bytes are seen by this try.
		if b.tryAcquire(n) {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		case <-done:
			return doneErr
		}
	}
}

func (b *budget) release(n int64) {
	b.used.Add(-n)
	if b.waiting.Load() > 0 {
		b.mu.Lock()
		close(b.changed)
		b.changed = make(chan struct{})
		b.mu.Unlock()
	}
}

// waitIdle waits until nothing is outstanding.
func (b *budget) waitIdle(ctx context.Context) error {
	b.waiting.Add(1)
	defer b.waiting.Add(-1)
	for {
		b.mu.Lock()
		ch := b.changed
		b.mu.Unlock()
		if b.used.Load() == 0 {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
