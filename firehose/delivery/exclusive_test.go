package delivery

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/internal/leasetest"
)

// Two exclusive managers over one store, as two nodes: only the lease
// holder's pipeline delivers; when the lease moves the other node's
// pipeline, built afresh, goes on from the checkpoint, and every record is
// delivered once.
func TestExclusiveManagerMovesBetweenNodes(t *testing.T) {
	e := newEnv(t)
	l := leasetest.New()
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
			}, 5*time.Millisecond, nil, l.Run(node), "firehose/")
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
		l.Move(holder)
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
	overlap, jobs := l.Report()
	if builds[0] != 2 || builds[1] != 1 || len(overlap) > 0 || !jobs["firehose/d"] {
		t.Fatalf("builds %v, overlaps %v, jobs %v", builds, overlap, jobs)
	}
}
