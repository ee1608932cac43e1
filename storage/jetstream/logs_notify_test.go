package jetstream

import (
	"testing"
	"time"

	"github.com/eddy-streams/eddy/internal/natstest"
	"github.com/eddy-streams/eddy/storage"
)

// TestLogsWatchAppends: a node watching a log is told of each append
// another node makes, once it is readable, and stops being told after
// stop.
func TestLogsWatchAppends(t *testing.T) {
	srv := natstest.Embedded(t)
	prefix := randomPrefix()
	a := openLogs(t, connect(t, srv.URL, 1, prefix))
	b := openLogs(t, connect(t, srv.URL, 1, prefix))
	la, err := a.Create("s/shardId-000000000000", 0)
	if err != nil {
		t.Fatal(err)
	}
	lb, err := b.Open("s/shardId-000000000000")
	if err != nil {
		t.Fatal(err)
	}
	told := make(chan struct{}, 100)
	stop := lb.(storage.AppendWatcher).WatchAppends(func() { told <- struct{}{} })
	// The first notice comes once the watch is set up.
	select {
	case <-told:
	case <-time.After(10 * time.Second):
		t.Fatal("the watch never started")
	}
	for i := range 5 {
		if _, err := la.Append([]storage.Record{{PartitionKey: "k", Data: []byte{byte(i)}, Arrival: time.Now()}}); err != nil {
			t.Fatal(err)
		}
		select {
		case <-told:
		case <-time.After(10 * time.Second):
			t.Fatalf("append %d through node A: node B was not told", i)
		}
		// Told means readable through B.
		recs, err := lb.Read(uint64(i), 10, 1<<20)
		if err != nil || len(recs) != 1 || recs[0].Data[0] != byte(i) {
			t.Fatalf("after the notice of append %d, node B reads %v, %v", i, recs, err)
		}
	}
	stop()
	time.Sleep(200 * time.Millisecond)
	for len(told) > 0 {
		<-told
	}
	if _, err := la.Append([]storage.Record{{PartitionKey: "k", Data: []byte("late"), Arrival: time.Now()}}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-told:
		t.Fatal("told of an append after stop")
	case <-time.After(500 * time.Millisecond):
	}
}
