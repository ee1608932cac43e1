package kinesis

import (
	"context"
	"errors"

	"github.com/eddy-streams/eddy/storage"
)

// PurgeStream makes every record a stream holds now unreadable, in every
// shard, open or closed, and frees their space: a test aid (the admin API's
// purge), not a Kinesis operation. Records put while it runs may survive.
// Shards, sequence numbers and iterators are unchanged; an iterator that
// pointed into the purged records continues after them.
//
// Each shard gets a floor, the position after its last record, persisted
// with the stream so the purge holds across restarts; reads skip below it.
// The log is then trimmed of whole segments older than the last purged
// record (arrival times never decrease within a log, so nothing at or after
// the floor is dropped).
func (e *Engine) PurgeStream(ctx context.Context, name string) error {
	s, _, err := e.writable(name)
	if err != nil {
		return err
	}
	floors := map[int]uint64{}
	err = s.update(func(m *streamMeta) error {
		v := s.view.Load()
		for i := range m.Shards {
			sm := &m.Shards[i]
			end, err := shardEnd(v.shards[sm.Index])
			if err != nil {
				return err
			}
			sm.Floor = max(sm.Floor, end)
			floors[sm.Index] = sm.Floor
		}
		return nil
	})
	if err != nil {
		return err
	}
	v := s.view.Load()
	for idx, floor := range floors {
		st := v.shards[idx]
		if st == nil || floor <= firstPosition {
			continue
		}
		recs, err := st.log.Read(floor-1, 1, 0)
		if err != nil || len(recs) == 0 || recs[0].Seq != floor-1 {
			continue // already trimmed, or nothing to free
		}
		if _, err := st.log.TrimBefore(recs[0].Arrival); err != nil && !errors.Is(err, storage.ErrDeleted) {
			e.log.Warn("trimming purged shard log", "stream", name, "shard", idx, "err", err)
		}
	}
	e.log.Info("stream purged", "stream", name)
	return nil
}
