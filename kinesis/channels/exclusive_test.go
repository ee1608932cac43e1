package channels

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/internal/leasetest"
	"github.com/eddy-streams/eddy/protocol/kds"
)

// Two runners over one store, as two nodes: only the lease holder's
// pipeline delivers the channel; when the lease moves, the other goes on
// from the checkpoints, and every record is delivered once.
func TestChannelExclusive(t *testing.T) {
	w := newWorld(t, kds.RecordFormatTypeJSON, kds.S3CompressionTypeGzip)
	l := leasetest.New()
	for node := range 2 {
		cfg := DefaultConfig()
		cfg.Objects = w.sink
		cfg.Poll, cfg.Idle, cfg.RetryEvery = 20*time.Millisecond, 20*time.Millisecond, 20*time.Millisecond
		cfg.Clock = w.clock
		cfg.Exclusive = l.Run(node)
		r, err := New(cfg, w.regions, w.meta)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
	}
	n := 0
	for round, holder := range []int{0, 1, 0} {
		l.Move(holder)
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
	overlap, jobs := l.Report()
	if len(overlap) > 0 || len(jobs) != 1 {
		t.Fatalf("overlaps %v, jobs %v", overlap, jobs)
	}
	for j := range jobs {
		if !strings.HasPrefix(j, "kinesis/channels/") {
			t.Fatalf("job %s", j)
		}
	}
}
