package kinesis

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/storage"
)

// Defaults of a new stream.
const (
	defaultRetentionHours = 24
	defaultMaxRecordKiB   = 1024
)

// createStream makes a stream of n shards with evenly split hash ranges.
func (e *Engine) createStream(name string, n int, mode string, tags map[string]string) error {
	e.ctl.Lock()
	defer e.ctl.Unlock()
	if e.lookup(name) != nil {
		return eddy.Errorf(eddy.CodeResourceInUse, "Stream %s under account %s already exists.", name, e.cfg.AccountID)
	}
	if err := e.checkTransitioning(); err != nil {
		return err
	}
	if mode == ModeOnDemand {
		if err := e.checkOnDemandQuota(); err != nil {
			return err
		}
	}
	if cur := e.openShardCount(); cur+n > e.cfg.ShardLimit {
		return e.shardLimitError(cur, n)
	}
	now := e.now()
	m := streamMeta{
		Name:           name,
		Created:        now.UnixNano(),
		Status:         StatusActive,
		RetentionHours: defaultRetentionHours,
		Mode:           mode,
		Encryption:     EncryptionNone,
		Tags:           tags,
		MaxRecordKiB:   defaultMaxRecordKiB,
	}
	if d := e.cfg.CreateDelay; d > 0 {
		m.Status, m.StatusUntil = StatusCreating, now.Add(d).UnixNano()
	}
	for i, r := range splitEvenly(hashKey{}, maxHashKey, n) {
		m.Shards = append(m.Shards, shardMeta{
			Index: i, Parent: -1, AdjacentParent: -1,
			HashStart: r[0].String(), HashEnd: r[1].String(), Created: m.Created,
		})
	}
	// Logs first: a crash before the metadata commit leaves orphan logs,
	// never a stream without its logs. Orphans of a name are cleared here.
	for i := range m.Shards {
		if err := e.createLog(logID(&m, i)); err != nil {
			for j := 0; j < i; j++ {
				e.deleteLog(logID(&m, j))
			}
			return err
		}
	}
	if err := e.persist(&m, nil); err != nil {
		for i := range m.Shards {
			e.deleteLog(logID(&m, i))
		}
		if errors.Is(err, errStale) { // another node created it first
			return eddy.Errorf(eddy.CodeResourceInUse, "Stream %s under account %s already exists.", name, e.cfg.AccountID)
		}
		return internalf("persist stream %s: %w", name, err)
	}
	s, err := e.openStream(m)
	if err != nil {
		return err
	}
	e.mu.Lock()
	if cur := e.mu.streams[name]; cur == nil || cur.view.Load().meta.Created != m.Created {
		e.mu.streams[name] = s
	} else {
		s = cur // a peer's change notice loaded it first
	}
	e.mu.Unlock()
	e.scheduleTransition(s)
	return nil
}

// firstPosition is the position of a shard's first record. Position 0 is
// never a record, so the sequence number of position p-1 can always stand
// for "everything before p" (a SubscribeToShard continuation before any
// record, a shard's StartingSequenceNumber).
const firstPosition = 1

func (e *Engine) createLog(id string) error {
	if _, err := e.logs.Create(id, firstPosition); errors.Is(err, storage.ErrExists) {
		// An orphan from an interrupted create or delete: start afresh.
		e.deleteLog(id)
		_, err = e.logs.Create(id, firstPosition)
		if err != nil {
			return internalf("create log %s: %w", id, err)
		}
	} else if err != nil {
		return internalf("create log %s: %w", id, err)
	}
	return nil
}

func (e *Engine) deleteLog(id string) {
	l, err := e.logs.Open(id)
	if err == nil {
		err = l.Delete()
	}
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		e.log.Warn("deleting shard log", "log", id, "err", err)
	}
}

// deleteStream starts deleting a stream: DELETING for DeleteDelay, then
// gone with its records.
func (e *Engine) deleteStream(name string) error {
	e.ctl.Lock()
	defer e.ctl.Unlock()
	s := e.lookup(name)
	if s == nil {
		return e.notFound(name)
	}
	if s.view.Load().meta.Status != StatusDeleting {
		if err := e.checkTransitioning(); err != nil {
			return err
		}
	}
	now := e.now()
	err := s.update(func(m *streamMeta) error {
		if m.Status == StatusDeleting {
			return e.notFound(name)
		}
		m.Status, m.StatusUntil = StatusDeleting, now.Add(e.cfg.DeleteDelay).UnixNano()
		return nil
	})
	if err != nil {
		return err
	}
	for _, st := range s.view.Load().shards {
		st.appended.notify() // subscriptions see DELETING and end
	}
	e.scheduleTransition(s)
	return nil
}

// scheduleTransition ends s's CREATING, UPDATING or DELETING status when its
// time comes: at once if it already has (as after a restart).
func (e *Engine) scheduleTransition(s *stream) {
	m := s.view.Load().meta
	if m.Status == StatusActive {
		return
	}
	d := time.Duration(m.StatusUntil - e.now().UnixNano())
	if d <= 0 {
		e.finishTransition(s, m.Created)
		return
	}
	e.cfg.Clock.AfterFunc(d, func() { e.finishTransition(s, m.Created) })
}

func (e *Engine) finishTransition(s *stream, created int64) {
	m := s.view.Load().meta
	if m.Created != created || m.Status == StatusActive || e.now().UnixNano() < m.StatusUntil {
		return
	}
	if m.Status == StatusDeleting {
		e.removeStream(s)
		return
	}
	err := s.update(func(m *streamMeta) error {
		if m.Status != StatusActive && e.now().UnixNano() >= m.StatusUntil {
			m.Status, m.StatusUntil = StatusActive, 0
		}
		return nil
	})
	if err != nil {
		e.log.Error("finishing stream transition", "stream", m.Name, "err", err)
	}
}

// removeStream deletes a stream's metadata, then its logs.
func (e *Engine) removeStream(s *stream) {
	v := s.view.Load()
	name := v.meta.Name
	gone := false
	err := e.meta.Update(func(tx storage.MetaTx) error {
		// Another node may have removed it first, and the name may
		// since have been given to a new stream: delete only this one.
		b, err := tx.Get(tableStreams, name)
		if errors.Is(err, storage.ErrNotFound) {
			gone = true
			return nil
		}
		if err != nil {
			return err
		}
		var cur streamMeta
		if err := json.Unmarshal(b, &cur); err != nil {
			return err
		}
		if cur.Created != v.meta.Created {
			gone = true
			return nil
		}
		if err := deleteDataKeys(tx, &v.meta); err != nil {
			return err
		}
		return tx.Delete(tableStreams, name)
	})
	if err != nil {
		e.log.Error("deleting stream metadata", "stream", name, "err", err)
		return
	}
	if gone { // removed by another node, which deletes the logs
		e.forget(s)
		return
	}
	e.mu.Lock()
	if e.mu.streams[name] == s {
		delete(e.mu.streams, name)
	}
	e.mu.Unlock()
	e.limits.dropStream(name)
	e.forgetStreamMetrics(v)
	for _, st := range v.shards {
		if err := st.log.Delete(); err != nil && !errors.Is(err, storage.ErrDeleted) {
			e.log.Warn("deleting shard log", "stream", name, "shard", st.meta.Index, "err", err)
		}
	}
}

// scheduleRetention runs enforceRetention every RetentionCheck.
func (e *Engine) scheduleRetention() {
	e.every(e.cfg.RetentionCheck, func() {
		if e.leads("retention") {
			e.enforceRetention()
		}
	}, &e.stopRetention)
}

// enforceRetention trims every shard log to its stream's retention period
// and drops closed shards whose every record has expired.
func (e *Engine) enforceRetention() {
	streams := e.allStreams()
	now := e.now()
	for _, s := range streams {
		v := s.view.Load()
		cutoff := now.Add(-time.Duration(v.meta.RetentionHours) * time.Hour)
		var expired []int
		for _, st := range v.shards {
			if _, err := st.log.TrimBefore(cutoff); err != nil && !errors.Is(err, storage.ErrDeleted) {
				e.log.Warn("trimming shard log", "stream", v.meta.Name, "shard", st.meta.Index, "err", err)
			}
			if st.meta.Closed && st.meta.ClosedAt < cutoff.UnixNano() {
				expired = append(expired, st.meta.Index)
			}
		}
		if len(expired) > 0 {
			e.expireShards(s, expired)
		}
	}
}

// expireShards removes closed shards past retention from the stream and
// deletes their logs.
func (e *Engine) expireShards(s *stream, indexes []int) {
	drop := make(map[int]bool, len(indexes))
	for _, i := range indexes {
		drop[i] = true
	}
	old := s.view.Load()
	err := s.update(func(m *streamMeta) error {
		kept := m.Shards[:0]
		for _, sm := range m.Shards {
			if !(drop[sm.Index] && sm.Closed) {
				kept = append(kept, sm)
			}
		}
		m.Shards = kept
		return nil
	})
	if err != nil {
		e.log.Error("expiring closed shards", "stream", old.meta.Name, "err", err)
		return
	}
	for i := range drop {
		if st, ok := old.shards[i]; ok && st.meta.Closed {
			if err := st.log.Delete(); err != nil && !errors.Is(err, storage.ErrDeleted) {
				e.log.Warn("deleting expired shard log", "stream", old.meta.Name, "shard", i, "err", err)
			}
		}
	}
}
