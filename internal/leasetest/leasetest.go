// Package leasetest is a stand-in for the cluster package's leases in the
// tests of services whose background jobs run behind one (Exclusive in
// their configurations): one lease for every job, held by one node, moved
// by the test, with a record of any job that ran on two nodes at once.
package leasetest

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"time"
)

// Lease is a stand-in for cluster.Cluster.Run: node holder runs every job;
// moving the lease cancels the jobs running elsewhere, waits for them and
// starts them on the new holder.
type Lease struct {
	mu      sync.Mutex
	holder  int
	changed chan struct{}
	running map[string]int // job -> the node running it
	jobs    map[string]bool
	overlap []string
}

// New returns a lease held by node 0.
func New() *Lease {
	return &Lease{changed: make(chan struct{}), running: map[string]int{}, jobs: map[string]bool{}}
}

// Move gives the lease to node to: jobs running on another node are
// cancelled and, once they return, started on to.
func (l *Lease) Move(to int) {
	l.mu.Lock()
	l.holder = to
	close(l.changed)
	l.changed = make(chan struct{})
	l.mu.Unlock()
}

// Run is node's cluster.Cluster.Run: it runs fn while node holds the
// lease and no other node still runs job, and records an overlap if one
// does.
func (l *Lease) Run(node int) func(ctx context.Context, job string, fn func(ctx context.Context)) {
	return func(ctx context.Context, job string, fn func(ctx context.Context)) {
		for ctx.Err() == nil {
			l.mu.Lock()
			l.jobs[job] = true
			held, changed := l.holder == node, l.changed
			_, busy := l.running[job] // the old holder has not stopped yet
			if held && !busy {
				l.running[job] = node
			}
			l.mu.Unlock()
			if held && busy {
				time.Sleep(time.Millisecond)
				continue
			}
			if !held {
				select {
				case <-ctx.Done():
				case <-changed:
				}
				continue
			}
			fctx, cancel := context.WithCancel(ctx)
			done := make(chan struct{})
			go func() { defer close(done); fn(fctx) }()
			select {
			case <-ctx.Done():
			case <-changed:
			case <-done:
			}
			cancel()
			<-done
			l.mu.Lock()
			if l.running[job] != node {
				l.overlap = append(l.overlap, fmt.Sprintf("%s on %d and %d", job, l.running[job], node))
			}
			delete(l.running, job)
			l.mu.Unlock()
		}
	}
}

// Report returns the overlapping runs seen so far and the jobs asked for.
func (l *Lease) Report() (overlaps []string, jobs map[string]bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.overlap...), maps.Clone(l.jobs)
}
