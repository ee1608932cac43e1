package kinesis

import (
	"errors"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/storage"
)

// Resharding closes parent shards and opens children, under the stream's
// mutation lock:
//
//  1. check the request against the current view;
//  2. create the children's logs;
//  3. seal the parents' logs, which fixes their ends (an append racing the
//     seal either lands before it or gets ErrSealed and is routed again
//     once the new view is published, see putRecords);
//  4. persist and publish the new shard list.
//
// The stream is UPDATING for UpdateDelay afterwards.
//
// Every change is made of splits (one parent, two children dividing its
// range) and merges (two adjacent parents, one child covering both), so
// every child names at most two parents (ParentShardId and
// AdjacentParentShardId) and every closed shard's range is covered by its
// children: consumers that finish parents before children keep per-key
// order. A change of several steps (UpdateShardCount, see uniform.go) may
// create intermediate shards that a later step of the same change closes;
// they are created and closed at once, empty, as AWS's short-lived
// intermediate shards are.

// reshard applies a change computed by plan to s: plan returns the
// indexes of the shards to close and the shards to add (Index, hash range,
// parents filled in), given the current metadata. A shard to close is an
// open shard of the stream or one of the shards added by the same plan
// (an intermediate shard).
func (e *Engine) reshard(s *stream, plan func(m *streamMeta) (parents []int, children []shardMeta, err error)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.view.Load()
	m := v.meta.clone()
	if m.Status != StatusActive {
		return eddy.Errorf(eddy.CodeResourceInUse,
			"Stream %s under account %s not ACTIVE, instead in state %s", m.Name, e.cfg.AccountID, m.Status)
	}
	parents, kids, err := plan(&m)
	if err != nil {
		return err
	}
	if len(parents) == 0 && len(kids) == 0 {
		return nil // nothing to change (UpdateShardCount to the layout there is)
	}
	if add := len(kids) - len(parents); add > 0 {
		if cur := e.openShardCount(); cur+add > e.cfg.ShardLimit {
			return e.shardLimitError(cur, add)
		}
	}
	now := e.now()
	for i := range kids {
		kids[i].Created = now.UnixNano()
		if err := e.createLog(logID(&m, kids[i].Index)); err != nil {
			for j := 0; j < i; j++ {
				e.deleteLog(logID(&m, kids[j].Index))
			}
			return err
		}
	}
	m.Shards = append(m.Shards, kids...)
	for _, p := range parents {
		var l storage.ShardLog
		if st := v.shards[p]; st != nil {
			l = st.log
		} else {
			// An intermediate shard: its log was created above, and no
			// view has published it, so nothing was written to it.
			var err error
			if l, err = e.logs.Open(logID(&m, p)); err != nil {
				return internalf("open log of intermediate shard %d: %w", p, err)
			}
		}
		if err := l.Seal(); err != nil {
			return internalf("seal shard %d: %w", p, err)
		}
		b, err := l.Bounds()
		if err != nil {
			return internalf("bounds of shard %d: %w", p, err)
		}
		for i := range m.Shards {
			if m.Shards[i].Index == p {
				m.Shards[i].Closed, m.Shards[i].ClosedAt, m.Shards[i].End = true, now.UnixNano(), b.Next
			}
		}
	}
	if d := e.cfg.UpdateDelay; d > 0 {
		m.Status, m.StatusUntil = StatusUpdating, now.Add(d).UnixNano()
	}
	nv, err := e.buildView(m)
	if err != nil {
		return err
	}
	if err := e.persist(&m, &v.meta); err != nil {
		if errors.Is(err, errStale) {
			// Another node changed the stream meanwhile: take up its
			// change; the caller may try again.
			if err := e.refreshLocked(s); err != nil {
				return err
			}
			// Eddy's wording: AWS records none for this race.
			return eddy.Errorf(eddy.CodeResourceInUse, "Stream %s under account %s was changed by another request; try again.", m.Name, e.cfg.AccountID)
		}
		// The parents stay sealed but open in the metadata: puts routed to
		// them fail (InternalFailure after their retries) until a reshard
		// of the stream succeeds. Nothing acknowledged is lost.
		return internalf("persist stream %s: %w", m.Name, err)
	}
	nv.meta.Rev = m.Rev
	s.view.Store(nv)
	for _, p := range parents {
		if st := v.shards[p]; st != nil { // intermediate shards had no subscribers
			st.appended.notify() // subscribers deliver ChildShards now
		}
	}
	go e.scheduleTransition(s)
	return nil
}

// nextIndex is the index the next new shard gets.
func nextIndex(m *streamMeta) int {
	n := 0
	for _, sm := range m.Shards {
		n = max(n, sm.Index+1)
	}
	// Expired shards leave the list, but never the newest one: a shard is
	// closed only by a reshard that creates higher indexes, and open shards
	// never expire. So indexes are never reused.
	return n
}

// openShard returns the open shard index names in m. A missing shard is
// answered as Kinesis answers SplitShard and MergeShards for one (see
// shardid.go). A closed shard is answered the same way: no recording of
// Kinesis's answer to splitting or merging a closed shard was found.
func (e *Engine) openShard(m *streamMeta, index int) (*shardMeta, error) {
	for i := range m.Shards {
		if m.Shards[i].Index == index && !m.Shards[i].Closed {
			return &m.Shards[i], nil
		}
	}
	return nil, e.shardIDUnknown(shardID(index), m.Name)
}

// shardIndexes resolves the shard ids a resharding request names, in
// request order, before anything else is looked at (see shardid.go).
func (e *Engine) shardIndexes(stream string, ids ...string) ([]int, error) {
	idx := make([]int, len(ids))
	for i, id := range ids {
		n, ok := parseShardID(id)
		if !ok {
			return nil, e.shardIDUnknown(id, stream)
		}
		idx[i] = n
	}
	return idx, nil
}

// splitShard splits an open shard at newStart: the children own
// [start, newStart-1] and [newStart, end]. Kinesis takes a newStart
// greater than start+1 and less than end (mhart/kinesalite
// test/splitShard.js: 1 on a shard starting at 0 and the shard's own
// EndingHashKey are refused, 2 on a shard starting at 0 is taken).
func (e *Engine) splitShard(name, shard, newStartingHashKey string) error {
	idx, err := e.shardIndexes(name, shard)
	if err != nil {
		return err
	}
	s := e.lookupFresh(name)
	if s == nil {
		return e.notFound(name)
	}
	return e.reshard(s, func(m *streamMeta) ([]int, []shardMeta, error) {
		p, err := e.openShard(m, idx[0])
		if err != nil {
			return nil, nil, err
		}
		at, ok := parseHashKey(newStartingHashKey)
		start, _ := parseHashKey(p.HashStart)
		end, _ := parseHashKey(p.HashEnd)
		if !ok || at.cmp(start) <= 0 || at.sub1().cmp(start) <= 0 || at.cmp(end) >= 0 {
			return nil, nil, eddy.Errorf(eddy.CodeInvalidArgument,
				"NewStartingHashKey %s used in SplitShard() on shard %s in stream %s under account %s is not both greater than one plus the shard's StartingHashKey %s and less than the shard's EndingHashKey %s.",
				newStartingHashKey, shardID(p.Index), name, e.cfg.AccountID, p.HashStart, p.HashEnd)
		}
		n := nextIndex(m)
		kids := []shardMeta{
			{Index: n, Parent: p.Index, AdjacentParent: -1, HashStart: p.HashStart, HashEnd: at.sub1().String()},
			{Index: n + 1, Parent: p.Index, AdjacentParent: -1, HashStart: at.String(), HashEnd: p.HashEnd},
		}
		return []int{p.Index}, kids, nil
	})
}

// mergeShards merges two open shards with adjacent hash ranges:
// AdjacentShardToMerge's range must start right after ShardToMerge's ends.
// Kinesis refuses the pair the other way round (mhart/kinesalite
// test/mergeShards.js, "adjacency is inverted").
func (e *Engine) mergeShards(name, shard, adjacent string) error {
	idx, err := e.shardIndexes(name, shard, adjacent)
	if err != nil {
		return err
	}
	s := e.lookupFresh(name)
	if s == nil {
		return e.notFound(name)
	}
	return e.reshard(s, func(m *streamMeta) ([]int, []shardMeta, error) {
		a, err := e.openShard(m, idx[0])
		if err != nil {
			return nil, nil, err
		}
		b, err := e.openShard(m, idx[1])
		if err != nil {
			return nil, nil, err
		}
		aEnd, _ := parseHashKey(a.HashEnd)
		bStart, _ := parseHashKey(b.HashStart)
		if aEnd == maxHashKey || aEnd.add1() != bStart {
			return nil, nil, eddy.Errorf(eddy.CodeInvalidArgument,
				"Shards %s and %s in stream %s under account %s are not an adjacent pair of shards eligible for merging",
				shardID(a.Index), shardID(b.Index), name, e.cfg.AccountID)
		}
		kid := shardMeta{Index: nextIndex(m), Parent: a.Index, AdjacentParent: b.Index, HashStart: a.HashStart, HashEnd: b.HashEnd}
		return []int{a.Index, b.Index}, []shardMeta{kid}, nil
	})
}

// updateShardCount reshards to target open shards with uniform ranges,
// through splits and merges (see uniformPlan).
func (e *Engine) updateShardCount(name string, target int) (current int, err error) {
	s := e.lookupFresh(name)
	if s == nil {
		return 0, e.notFound(name)
	}
	err = e.reshard(s, func(m *streamMeta) ([]int, []shardMeta, error) {
		current = 0
		for _, sm := range m.Shards {
			if !sm.Closed {
				current++
			}
		}
		if target > 2*current || target*2 < current {
			// AWS's answers as recorded by kinesalite's tests
			// (mhart/kinesalite test/updateShardCount.js).
			way := "up over double"
			if target < current {
				way = "down below half"
			}
			return nil, nil, eddy.Errorf(eddy.CodeLimitExceeded,
				"UpdateShardCount cannot scale %s your current open shard count. Current open shard count: %d, Target shard count: %d",
				way, current, target)
		}
		parents, kids := uniformPlan(m, target)
		return parents, kids, nil
	})
	return current, err
}
