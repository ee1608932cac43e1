package runner

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/internal/leasetest"
	"github.com/eddy-streams/eddy/protocol/kda"
)

// Two runners over one store, as two nodes, both told to run an
// application: only the lease holder's runs it; when the lease moves, the
// other node's goes on from the last stopped point, and every row is
// written once.
func TestExclusiveApplicationMovesBetweenNodes(t *testing.T) {
	l := leasetest.New()
	f := newFixture(t, Config{Exclusive: l.Run(0)})
	r1 := New(Config{Kinesis: f.r.cfg.Kinesis, Meta: f.meta, Now: f.clock.Now, Tick: 5 * time.Millisecond, Retry: 10 * time.Millisecond, Exclusive: l.Run(1)})
	defer r1.Close()
	ctx := context.Background()
	app := application(filterCode, toStream("DESTINATION_SQL_STREAM", dstARN, "CSV"))
	// Started through node 0; node 1 resumes it (as after its restart).
	if err := f.r.Start(ctx, app, map[string]string{"1.1": kda.PositionTrimHorizon}); err != nil {
		t.Fatal(err)
	}
	if err := r1.Start(ctx, app, map[string]string{"1.1": kda.PositionLastStoppedPoint}); err != nil {
		t.Fatal(err)
	}
	var want []string
	for round, holder := range []int{0, 1, 0} {
		l.Move(holder)
		var recs []string
		for i := range 5 {
			sym := fmt.Sprintf("%c%c%d", 'A'+round, 'A'+i, round)
			recs = append(recs, fmt.Sprintf(`{"TICKER_SYMBOL":%q,"PRICE":%d}`, sym, 20+i))
			want = append(want, fmt.Sprintf("%s,%d", sym, 20+i))
		}
		f.put(recs...)
		got := f.await("dst", 5)
		var syms []string
		for _, g := range got {
			syms = append(syms, g[:len(want[0])])
		}
		if exp := want[len(want)-5:]; !slices.Equal(syms, exp) {
			t.Fatalf("round %d (node %d leads): %q, want %q", round, holder, got, exp)
		}
		f.quiet("dst")
	}
	overlap, jobs := l.Report()
	if len(overlap) > 0 || !jobs["analytics/"+appARN] {
		t.Fatalf("overlaps %v, jobs %v", overlap, jobs)
	}
}

// An application stopped through one node is not taken up by another
// when the lead moves there: Current says it should not run.
func TestExclusiveApplicationStoppedElsewhere(t *testing.T) {
	l := leasetest.New()
	var mu sync.Mutex
	running := true
	app := application(filterCode, toStream("DESTINATION_SQL_STREAM", dstARN, "CSV"))
	current := func(ctx context.Context, arn string) (kda.ApplicationDetail, bool, error) {
		mu.Lock()
		defer mu.Unlock()
		return app, running, nil
	}
	f := newFixture(t, Config{Exclusive: l.Run(0), Current: current})
	r1 := New(Config{Kinesis: f.r.cfg.Kinesis, Meta: f.meta, Now: f.clock.Now, Tick: 5 * time.Millisecond, Retry: 10 * time.Millisecond, Exclusive: l.Run(1), Current: current})
	defer r1.Close()
	ctx := context.Background()
	if err := f.r.Start(ctx, app, map[string]string{"1.1": kda.PositionTrimHorizon}); err != nil {
		t.Fatal(err)
	}
	if err := r1.Start(ctx, app, map[string]string{"1.1": kda.PositionLastStoppedPoint}); err != nil {
		t.Fatal(err)
	}
	f.put(`{"TICKER_SYMBOL":"AAA","PRICE":20}`)
	f.await("dst", 1)
	// StopApplication through node 0.
	mu.Lock()
	running = false
	mu.Unlock()
	if err := f.r.Stop(ctx, appARN); err != nil {
		t.Fatal(err)
	}
	l.Move(1)
	f.put(`{"TICKER_SYMBOL":"BBB","PRICE":30}`)
	f.quiet("dst")
	deadline := time.Now().Add(10 * time.Second)
	for {
		r1.mu.Lock()
		n := len(r1.apps)
		r1.mu.Unlock()
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("node 1 still holds the application stopped through node 0")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// The leading node follows what is done through another: an update runs
// the new configuration (from the last stopped point), a stop stops it.
func TestExclusiveApplicationFollowsOtherNodes(t *testing.T) {
	l := leasetest.New()
	var mu sync.Mutex
	running := true
	app := application(filterCode, toStream("DESTINATION_SQL_STREAM", dstARN, "CSV"))
	app.ApplicationVersionId = ptr(int64(1))
	current := func(ctx context.Context, arn string) (kda.ApplicationDetail, bool, error) {
		mu.Lock()
		defer mu.Unlock()
		return app, running, nil
	}
	f := newFixture(t, Config{Exclusive: l.Run(0), Current: current, Recheck: 10 * time.Millisecond})
	ctx := context.Background()
	if err := f.r.Start(ctx, app, map[string]string{"1.1": kda.PositionTrimHorizon}); err != nil {
		t.Fatal(err)
	}
	f.put(`{"TICKER_SYMBOL":"AAA","PRICE":20}`)
	f.await("dst", 1)
	// UpdateApplication through another node: only prices above 25.
	mu.Lock()
	app.ApplicationCode = ptr(strings.Replace(filterCode, `"PRICE" > 10`, `"PRICE" > 25`, 1))
	app.ApplicationVersionId = ptr(int64(2))
	mu.Unlock()
	deadline := time.Now().Add(10 * time.Second)
	for {
		f.put(`{"TICKER_SYMBOL":"BBB","PRICE":20}`, `{"TICKER_SYMBOL":"CCC","PRICE":30}`)
		time.Sleep(50 * time.Millisecond)
		got := f.records("dst")
		if slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, "CCC") }) && !slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, "BBB") }) {
			break // the new code runs
		}
		if time.Now().After(deadline) {
			t.Fatalf("the update made through another node never ran: %q", got)
		}
	}
	// StopApplication through another node.
	mu.Lock()
	running = false
	mu.Unlock()
	for {
		f.r.mu.Lock()
		n := len(f.r.apps)
		f.r.mu.Unlock()
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the leading node still runs the application stopped through another node")
		}
		time.Sleep(5 * time.Millisecond)
	}
	f.put(`{"TICKER_SYMBOL":"DDD","PRICE":40}`)
	f.quiet("dst")
}
