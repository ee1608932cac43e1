package esm

import (
	"fmt"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/internal/leasetest"
)

// Two managers over one store, as two nodes: only the lease holder's
// pollers invoke the function; when the lease moves, the other node goes on
// from the checkpoints, and every record is delivered, in order, at least
// once (a batch in flight at a move may be delivered again).
func TestExclusiveMappingMovesBetweenNodes(t *testing.T) {
	e := setup(t, &fakeFunction{})
	l := leasetest.New()
	var managers []*Manager
	for node := range 2 {
		m := New(Config{PollInterval: 10 * time.Millisecond, RetryDelay: time.Millisecond, Exclusive: l.Run(node)}, e.svc, e.fn,
			func(string) (Source, error) { return e.eng, nil }, e.meta)
		managers = append(managers, m)
	}
	defer func() {
		for _, m := range managers {
			m.Close()
		}
	}()
	e.mapping(t, nil)
	e.put(t, "src", numbered(0, 150)...)
	count := func() int {
		n := 0
		for _, c := range e.fn.snapshot() {
			n += len(c.Records)
		}
		return n
	}
	waitFor(t, func() bool { return count() == 150 })
	l.Move(1)
	e.put(t, "src", numbered(150, 150)...)
	waitFor(t, func() bool { return count() >= 300 })
	l.Move(0)
	e.put(t, "src", numbered(300, 50)...)
	waitFor(t, func() bool { return count() >= 350 })
	time.Sleep(100 * time.Millisecond) // anything delivered twice would show now
	var got, first []string
	seen := map[string]bool{}
	for _, b := range datas(e.fn.snapshot()) {
		got = append(got, b...)
		for _, r := range b {
			if !seen[r] {
				seen[r] = true
				first = append(first, r)
			}
		}
	}
	// Every record, in order. At least once: a holder stopped by the
	// lease's move after invoking a batch but before its checkpoint was
	// written leaves that batch (at most 100 records, the default batch
	// size) to the next holder; two moves, two such batches at most.
	if fmt.Sprint(first) != fmt.Sprint(numbered(0, 350)) || len(got) > 350+2*100 {
		t.Fatalf("delivered %d records: %v", len(got), got)
	}
	overlap, jobs := l.Report()
	if len(overlap) > 0 {
		t.Fatalf("overlapping runs: %v", overlap)
	}
	ms, _ := e.svc.EventSourceMappings()
	if !jobs["lambda/esm/"+ms[0].Config.UUID] || len(jobs) != 1 {
		t.Fatalf("jobs %v", jobs)
	}
}
