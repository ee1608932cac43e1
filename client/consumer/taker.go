package consumer

import (
	"math/rand/v2"
	"time"
)

// taker decides which leases a worker takes, as the KCL's DynamoDBLeaseTaker
// does. A lease is expired when the taker has seen its counter unchanged
// for the lease duration, by the taker's own clock: workers' clocks are
// never compared. Leases of finished shards (checkpoint SHARD_END) need no
// worker and are left out of the counts.
type taker struct {
	me                  string
	duration            time.Duration
	maxLeases, maxSteal int

	// seen is, per lease key, the counter last seen and when it was first
	// seen with that counter.
	seen map[string]seenLease
}

type seenLease struct {
	counter int64
	since   time.Time
}

func newTaker(me string, duration time.Duration, maxLeases, maxSteal int) *taker {
	return &taker{me: me, duration: duration, maxLeases: maxLeases, maxSteal: maxSteal, seen: map[string]seenLease{}}
}

// observe records a scan of the lease table made at now and returns the
// leases that need a worker.
func (t *taker) observe(all []lease, now time.Time) []lease {
	live := make(map[string]bool, len(all))
	var work []lease
	for _, l := range all {
		live[l.key] = true
		old, ok := t.seen[l.key]
		switch {
		case ok && old.counter == l.counter:
		case !ok && l.owner == "":
			// A new unowned lease has never been renewed.
			t.seen[l.key] = seenLease{counter: l.counter}
		default:
			t.seen[l.key] = seenLease{counter: l.counter, since: now}
		}
		if !l.done() {
			work = append(work, l)
		}
	}
	for k := range t.seen {
		if !live[k] {
			delete(t.seen, k)
		}
	}
	return work
}

// expired reports whether l can be taken without stealing: nobody holds
// it, or its holder has not renewed it for the lease duration.
func (t *taker) expired(l lease, now time.Time) bool {
	if l.owner == "" {
		return true
	}
	return now.Sub(t.seen[l.key].since) > t.duration
}

// choose returns the leases to take from work (the leases that need a
// worker, as observe returned them at now): available ones first, up to
// this worker's target share (ceil(leases / workers), capped by
// maxLeases); when none are available, leases stolen from the most loaded
// worker as the KCL steals them: min(needed, its excess), at least one when
// this worker needs more than one, at most maxSteal.
//
// held tells the leases this worker holds: they count as its own whatever
// the taker saw. A lease the table says this worker owns but that it does
// not hold (written by a previous run with the same WorkerID) is
// available at once.
func (t *taker) choose(work []lease, held func(key string) bool, now time.Time, rnd *rand.Rand) []lease {
	if len(work) == 0 {
		return nil
	}
	counts := map[string]int{t.me: 0}
	var available []lease
	for _, l := range work {
		if held(l.key) {
			counts[t.me]++
			continue
		}
		if l.owner == t.me || t.expired(l, now) {
			available = append(available, l)
			continue
		}
		counts[l.owner]++
	}
	workers := len(counts)
	target := 1
	if workers < len(work) {
		target = (len(work) + workers - 1) / workers
	}
	target = min(target, t.maxLeases)
	need := target - counts[t.me]
	if need <= 0 {
		return nil
	}
	if len(available) > 0 {
		rnd.Shuffle(len(available), func(i, j int) { available[i], available[j] = available[j], available[i] })
		return available[:min(need, len(available))]
	}
	// Steal from the most loaded worker (ties: the first in key order,
	// so that every worker picks the same one).
	most, mostCount := "", -1
	for w, c := range counts {
		if c > mostCount || (c == mostCount && w < most) {
			most, mostCount = w, c
		}
	}
	if most == t.me || mostCount < target {
		return nil
	}
	steal := min(need, mostCount-target)
	if steal == 0 && need > 1 {
		steal = 1
	}
	steal = min(steal, t.maxSteal)
	if steal <= 0 {
		return nil
	}
	var candidates []lease
	for _, l := range work {
		if l.owner == most {
			candidates = append(candidates, l)
		}
	}
	rnd.Shuffle(len(candidates), func(i, j int) { candidates[i], candidates[j] = candidates[j], candidates[i] })
	return candidates[:min(steal, len(candidates))]
}
