package jetstream

import (
	"fmt"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/internal/natstest"
	"github.com/eddy-streams/eddy/storage"
)

// TestLogsReadSealedElsewhere: a node that did not write or seal a log
// reads it from any position, the seal marker being its last message (a
// resharded parent shard read through another node). The search for a
// position took the marker for the end of the records and found none.
func TestLogsReadSealedElsewhere(t *testing.T) {
	srv := natstest.Embedded(t)
	prefix := randomPrefix()
	a := openLogs(t, connect(t, srv.URL, 1, prefix))
	b := openLogs(t, connect(t, srv.URL, 1, prefix))
	for _, batches := range []int{1, 11} {
		id := fmt.Sprintf("s/sealed-%d", batches)
		la, err := a.Create(id, 0)
		if err != nil {
			t.Fatal(err)
		}
		per := 11 / batches
		for i := 0; i < 11; i += per {
			var recs []storage.Record
			for j := i; j < i+per; j++ {
				recs = append(recs, storage.Record{PartitionKey: "k", Data: []byte{byte(j)}, Arrival: time.Now()})
			}
			if _, err := la.Append(recs); err != nil {
				t.Fatal(err)
			}
		}
		if err := la.Seal(); err != nil {
			t.Fatal(err)
		}
		lb, err := b.Open(id)
		if err != nil {
			t.Fatal(err)
		}
		// Backwards: each read searches (a read leaves a hint for the
		// position after it only).
		for from := 10; from >= 0; from-- {
			recs, err := lb.Read(uint64(from), 1, 1<<20)
			if err != nil || len(recs) != 1 || recs[0].Seq != uint64(from) || recs[0].Data[0] != byte(from) {
				t.Fatalf("%d batches: the other node's Read(%d) of the sealed log = %v, %v", batches, from, recs, err)
			}
		}
		if recs, err := lb.Read(11, 1, 1<<20); err != nil || len(recs) != 0 {
			t.Fatalf("%d batches: Read at Next = %v, %v", batches, recs, err)
		}
	}
}
