package channels

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/protocol/kds"
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

// Two runners over one store, as two nodes: only the lease holder's
// pipeline delivers the channel; when the lease moves, the other goes on
// from the checkpoints, and every record is delivered once.
func TestChannelExclusive(t *testing.T) {
	w := newWorld(t, kds.RecordFormatTypeJSON, kds.S3CompressionTypeGzip)
	l := newLease()
	for node := range 2 {
		cfg := DefaultConfig()
		cfg.Objects = w.sink
		cfg.Poll, cfg.Idle, cfg.RetryEvery = 20*time.Millisecond, 20*time.Millisecond, 20*time.Millisecond
		cfg.Clock = w.clock
		cfg.Exclusive = l.run(node)
		r, err := New(cfg, w.regions, w.meta)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
	}
	n := 0
	for round, holder := range []int{0, 1, 0} {
		l.move(holder)
		var data []string
		for i := range 10 {
			data = append(data, fmt.Sprintf(`{"round":%d,"n":%d}`, round, i))
		}
		recs := w.put(t, data...)
		n += len(data)
		w.delivered(t, n, nil) // fails if more than n: delivered twice
		w.waitCommitted(t, recs)
	}
	time.Sleep(100 * time.Millisecond)
	w.delivered(t, n, nil)
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.overlap) > 0 || len(l.jobs) != 1 {
		t.Fatalf("overlaps %v, jobs %v", l.overlap, l.jobs)
	}
	for j := range l.jobs {
		if !strings.HasPrefix(j, "kinesis/channels/") {
			t.Fatalf("job %s", j)
		}
	}
}
