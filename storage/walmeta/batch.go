package walmeta

import (
	"github.com/eddy-streams/eddy/storage"
)

// Batch runs fn in a read-write transaction shared with concurrent Batch
// calls (storage/internal/groupcommit): one Update, whose writes are one
// Append and so one sync of the log, for every call waiting.
func (s *Store) Batch(fn func(storage.MetaTx) error) error {
	return s.batch.Do(fn, s.Update)
}
