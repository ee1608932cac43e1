package kinesis

import "sort"

// Uniform scaling (UpdateShardCount with UNIFORM_SCALING) as AWS performs
// it: "This operation performs splits and merges on individual shards. This
// can cause short-lived shards to be created, in addition to the final
// shards" (UpdateShardCount, Kinesis API reference). Closing every open
// shard and opening the final shards with all the old shards as parents
// cannot be expressed in lineage: a shard names at most two parents, so a
// new shard overlapping three old ones would leave a parent unnamed, and a
// consumer could read the new shard before the old one is finished.
//
// The plan works on the open shards' boundaries (the starting hash keys
// other than 0):
//
//  1. split: for every boundary of the target layout that no open shard
//     starts at, split the open shard containing it there;
//  2. merge: for every boundary of the open layout (after step 1) that the
//     target does not have, merge the two shards on either side of it,
//     from the lowest boundary up (a merged shard can be merged again).
//
// After step 1 every target boundary exists; step 2 removes exactly the
// others, so the open shards are then the target's ranges. Each step is an
// ordinary split or merge, so every child has one parent (a split) or two
// adjacent ones (a merge, ParentShardId the lower range), and a closed
// shard's children cover its range. A shard created by a split and closed
// by a merge of the same plan is an intermediate shard: created and closed
// at once, empty. Going from a uniform layout to twice (or half) its count
// needs no intermediate shard.

// span is an open shard's place in the key space during planning.
type span struct {
	index      int
	start, end hashKey
}

// uniformPlan returns the shards to close and the shards to create (with
// their parents) that take m's open shards to target shards of uniform
// width. It returns nothing when the open shards already are that layout.
func uniformPlan(m *streamMeta, target int) (parents []int, kids []shardMeta) {
	var open []span
	for _, sm := range m.Shards {
		if sm.Closed {
			continue
		}
		start, _ := parseHashKey(sm.HashStart)
		end, _ := parseHashKey(sm.HashEnd)
		open = append(open, span{sm.Index, start, end})
	}
	sort.Slice(open, func(i, j int) bool { return open[i].start.cmp(open[j].start) < 0 })
	ranges := splitEvenly(hashKey{}, maxHashKey, target)
	wanted := make(map[hashKey]bool, len(ranges))
	for _, r := range ranges {
		wanted[r[0]] = true
	}
	next := nextIndex(m)
	add := func(sm shardMeta) span {
		sm.Index = next
		next++
		kids = append(kids, sm)
		return span{sm.Index, mustHashKey(sm.HashStart), mustHashKey(sm.HashEnd)}
	}

	// 1. Split at the target's missing boundaries.
	for _, r := range ranges[1:] {
		b := r[0]
		i := sort.Search(len(open), func(i int) bool { return open[i].end.cmp(b) >= 0 })
		p := open[i] // the open shards cover the key space, so p contains b
		if p.start == b {
			continue
		}
		parents = append(parents, p.index)
		lo := add(shardMeta{Parent: p.index, AdjacentParent: -1, HashStart: p.start.String(), HashEnd: b.sub1().String()})
		hi := add(shardMeta{Parent: p.index, AdjacentParent: -1, HashStart: b.String(), HashEnd: p.end.String()})
		open = append(open[:i], append([]span{lo, hi}, open[i+1:]...)...)
	}

	// 2. Merge across the boundaries the target does not have.
	for i := 1; i < len(open); {
		if wanted[open[i].start] {
			i++
			continue
		}
		lo, hi := open[i-1], open[i]
		parents = append(parents, lo.index, hi.index)
		kid := add(shardMeta{Parent: lo.index, AdjacentParent: hi.index, HashStart: lo.start.String(), HashEnd: hi.end.String()})
		open = append(open[:i-1], append([]span{kid}, open[i+1:]...)...)
	}
	return parents, kids
}

// mustHashKey parses a hash key the engine wrote itself.
func mustHashKey(s string) hashKey {
	k, ok := parseHashKey(s)
	if !ok {
		panic("engine: bad hash key " + s)
	}
	return k
}
