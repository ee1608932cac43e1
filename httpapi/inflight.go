package httpapi

import (
	"container/list"
	"context"
	"net/http"
	"sync"
)

// inflight bounds the request-body bytes held across the server
// (Config.MaxInflightBytes): a weighted semaphore of bytes, granted in
// arrival order.
//
// A request reserves its body's size before reading it and gives the
// reservation back once its response is written and its body buffer is back
// in the pool; while the budget is spent, later requests wait their turn.
// A body of unknown length (chunked, or HTTP/2 without content-length)
// reserves MaxBodyBytes up front and gives back what it did not use as soon
// as it has been read. It does not reserve in steps as it reads: requests
// that each hold part of the budget while waiting for more could wait for
// each other forever.
//
// A reservation is capped at the whole budget, so a request larger than the
// budget still runs, alone. Waiters are served first come, first served: a
// large request at the head of the queue is not overtaken by smaller ones
// behind it, so none starves.
//
// A nil *inflight is no bound: acquire grants nothing and never waits.
type inflight struct {
	limit int64
	mu    struct {
		sync.Mutex
		used    int64     // bytes reserved now
		peak    int64     // the most bytes ever reserved at once
		waiters list.List // of *bodyWaiter, in arrival order
	}
}

type bodyWaiter struct {
	n     int64
	ready chan struct{} // closed once the n bytes are reserved for it
}

// newInflight returns a bound of limit bytes, or nil (no bound) for a
// negative limit.
func newInflight(limit int64) *inflight {
	if limit < 0 {
		return nil
	}
	return &inflight{limit: limit}
}

// acquire reserves n bytes (at most the whole budget), waiting until they
// are free and every earlier waiter has been served. It returns the bytes
// reserved, to be given back with release. If ctx ends first it returns
// ctx's error and holds nothing.
func (b *inflight) acquire(ctx context.Context, n int64) (int64, error) {
	if b == nil || n <= 0 {
		return 0, nil
	}
	n = min(n, b.limit)
	b.mu.Lock()
	if b.mu.waiters.Len() == 0 && b.mu.used+n <= b.limit {
		b.takeLocked(n)
		b.mu.Unlock()
		return n, nil
	}
	w := &bodyWaiter{n: n, ready: make(chan struct{})}
	elem := b.mu.waiters.PushBack(w)
	b.mu.Unlock()

	select {
	case <-w.ready:
		return n, nil
	case <-ctx.Done():
		b.mu.Lock()
		select {
		case <-w.ready:
			// Granted while ctx ended: give it back, so that the caller,
			// which will not read its body, holds nothing.
			b.mu.used -= n
		default:
			b.mu.waiters.Remove(elem)
		}
		// Leaving may unblock the waiters behind this one: if it was the
		// head, the next may fit.
		b.grantLocked()
		b.mu.Unlock()
		return 0, ctx.Err()
	}
}

// release gives back n bytes that acquire reserved (or part of them).
func (b *inflight) release(n int64) {
	if b == nil || n <= 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if n > b.mu.used {
		panic("httpapi: inflight bytes released twice")
	}
	b.mu.used -= n
	b.grantLocked()
}

func (b *inflight) takeLocked(n int64) {
	b.mu.used += n
	b.mu.peak = max(b.mu.peak, b.mu.used)
}

// grantLocked wakes waiters from the head of the queue while their
// reservations fit.
func (b *inflight) grantLocked() {
	for e := b.mu.waiters.Front(); e != nil; e = b.mu.waiters.Front() {
		w := e.Value.(*bodyWaiter)
		if b.mu.used+w.n > b.limit {
			return
		}
		b.takeLocked(w.n)
		b.mu.waiters.Remove(e)
		close(w.ready)
	}
}

// stats returns the bytes reserved now, the most ever reserved at once and
// the number of requests waiting. For tests and diagnostics.
func (b *inflight) stats() (used, peak int64, waiting int) {
	if b == nil {
		return 0, 0, 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.mu.used, b.mu.peak, b.mu.waiters.Len()
}

// reserveBody reserves the bytes r's body may hold, per inflight: its
// Content-Length; the service's largest body (maxBody) if its length is
// unknown; nothing if it is empty or declared too large to be read at all.
func (s *Server) reserveBody(r *http.Request, svc *service) (int64, error) {
	max := s.maxBody(svc)
	n := r.ContentLength
	switch {
	case n < 0:
		n = max
	case n > max:
		n = 0 // answered 413 unread
	}
	return s.inflight.acquire(r.Context(), n)
}

// maxBody is the largest request body svc accepts: Config.MaxBodyBytes, or
// the service's own MaxBodyBytes if lower.
func (s *Server) maxBody(svc *service) int64 {
	if svc.MaxBodyBytes > 0 && svc.MaxBodyBytes < s.cfg.MaxBodyBytes {
		return svc.MaxBodyBytes
	}
	return s.cfg.MaxBodyBytes
}
