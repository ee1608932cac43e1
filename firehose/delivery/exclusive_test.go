package delivery

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// lease is a stand-in for cluster.Cluster.Run: node holder runs every job;
// moving the lease cancels the jobs running elsewhere, waits for them and
// starts them on the new holder.
type lease struct {
	mu      sync.Mutex
	holder  int
	changed chan struct{}
	running map[string]int // job -> the node running it
	jobs    map[string]bool
	overlap []string
}

func newLease() *lease {
	return &lease{changed: make(chan struct{}), running: map[string]int{}, jobs: map[string]bool{}}
}

func (l *lease) move(to int) {
	l.mu.Lock()
	l.holder = to
	close(l.changed)
	l.changed = make(chan struct{})
	l.mu.Unlock()
}

func (l *lease) run(node int) func(ctx context.Context, job string, fn func(ctx context.Context)) {
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

// Two exclusive managers over one store, as two nodes: only the lease
// holder's pipeline delivers; when the lease moves the other node's
// pipeline, built afresh, goes on from the checkpoint, and every record is
// delivered once.
func TestExclusiveManagerMovesBetweenNodes(t *testing.T) {
	e := newEnv(t)
	l := newLease()
	var mu sync.Mutex
	builds := map[int]int{}
	var managers []*Manager
	for node := range 2 {
		m := NewExclusiveManager(func() ([]Job, error) { return []Job{{ID: "d", Version: "1"}}, nil },
			func(j Job) (*Pipeline, func(), error) {
				mu.Lock()
				builds[node]++
				mu.Unlock()
				p := e.pipeline(Hints{Size: 1, Interval: time.Hour})
				p.Clock, p.Idle = nil, 5*time.Millisecond
				return p, nil, nil
			}, 5*time.Millisecond, nil, l.run(node), "firehose/")
		managers = append(managers, m)
	}
	defer func() {
		for _, m := range managers {
			m.Close()
		}
	}()
	delivered := func() []string {
		var all []string
		for _, b := range e.dest.datas() {
			all = append(all, b...)
		}
		return all
	}
	waitN := func(n int) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for len(delivered()) < n {
			if time.Now().After(deadline) {
				t.Fatalf("delivered %d of %d in 20s", len(delivered()), n)
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	var want []string
	for round, holder := range []int{0, 1, 0} {
		l.move(holder)
		for i := range 20 {
			d := fmt.Sprintf("r%d-%d", round, i)
			want = append(want, d)
			e.put(t, d)
		}
		waitN(len(want))
	}
	time.Sleep(50 * time.Millisecond) // anything delivered twice would show now
	if got := delivered(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("delivered %v\nwant %v", got, want)
	}
	mu.Lock()
	defer mu.Unlock()
	l.mu.Lock()
	defer l.mu.Unlock()
	if builds[0] != 2 || builds[1] != 1 || len(l.overlap) > 0 || !l.jobs["firehose/d"] {
		t.Fatalf("builds %v, overlaps %v, jobs %v", builds, l.overlap, l.jobs)
	}
}
