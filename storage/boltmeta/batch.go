package boltmeta

import (
	"github.com/eddy-streams/eddy/storage"
)

// Batch runs fn in a read-write transaction shared with concurrent Batch
// calls and committed with one sync (storage/internal/groupcommit). bbolt
// runs one write transaction at a time and syncs each commit, so an Update
// costs a sync (about a millisecond here) and concurrent Updates queue
// behind each other: a few hundred a second. bbolt's own DB.Batch does
// the same as groupcommit but waits up to MaxBatchDelay (10 ms) to fill a
// batch.
func (s *Store) Batch(fn func(storage.MetaTx) error) error {
	if s.closed.Load() {
		return storage.ErrClosed
	}
	return s.batch.Do(fn, s.Update)
}
