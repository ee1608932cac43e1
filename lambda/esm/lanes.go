package esm

import (
	"context"
	"hash/fnv"
	"sync"

	"github.com/eddy-streams/eddy/protocol/kds"
)

// Parallelization. With a ParallelizationFactor above 1 (and no tumbling
// window) a shard's records are handled by that many lanes at once, as
// Lambda does: "Lambda can process up to 10 batches in each shard
// simultaneously ... Lambda still ensures in-order processing at the
// partition-key level" (Lambda developer guide, with-kinesis, "Polling and
// batching streams"). A record goes to the lane its partition key hashes
// to, so a key's records stay in order in one lane. Each lane invokes
// batches of at most BatchSize one after the other, retrying, bisecting
// and discarding as a lone shard would, without waiting for the other
// lanes: a lane retrying a failing batch holds back only its own keys.
//
// The checkpoint is the last record before the first one not yet handled
// (handled: invoked successfully, discarded to the on-failure destination,
// or dropped by a filter). Records after it that other lanes handled are
// handled again after a restart: at least once, never skipped. How far the
// other lanes may run ahead of a stuck one is bounded: at most
// 2 × BatchSize × ParallelizationFactor records read and not yet
// checkpointed; then reading waits. AWS does not document its bound.

// laneOf is the lane of a partition key among n.
func laneOf(key string, n int) int {
	h := fnv.New32a()
	h.Write([]byte(key))
	return int(h.Sum32() % uint32(n))
}

// lanes runs a shard poller's lanes (see above).
type lanes struct {
	p     *shardPoller
	size  int // BatchSize
	limit int // most records read and not yet checkpointed
	ctx   context.Context
	stop  context.CancelFunc
	wg    sync.WaitGroup
	wake  []chan struct{} // per lane, capacity 1

	mu     sync.Mutex
	queues []laneQueue // per lane: records waiting for it
	// Records dispatched and not yet checkpointed, in shard order:
	// seqs[i] is the record of index base+i, done[i] whether it is handled.
	base uint64
	seqs []string
	done []bool
	// changed is closed (and replaced) whenever records are checkpointed
	// or the lanes stop.
	changed chan struct{}
	failed  bool // a checkpoint could not be saved: the lanes stopped
}

// laneQueue is one lane's waiting records and their indexes.
type laneQueue struct {
	recs []kds.Record
	idxs []uint64
}

// startLanes starts the lanes of p; stopLanes stops them.
func (p *shardPoller) startLanes(ctx context.Context) *lanes {
	c := &p.mp.Config
	n := int(c.ParallelizationFactor)
	l := &lanes{p: p, size: int(c.BatchSize), limit: 2 * int(c.BatchSize) * n,
		wake: make([]chan struct{}, n), queues: make([]laneQueue, n), changed: make(chan struct{})}
	l.ctx, l.stop = context.WithCancel(ctx)
	for i := range n {
		l.wake[i] = make(chan struct{}, 1)
		l.wg.Add(1)
		go l.run(i)
	}
	return l
}

// close stops the lanes and waits for them: what they were handling is
// handled again from the checkpoint by the next poller.
func (l *lanes) close() {
	l.stop()
	l.wg.Wait()
}

// run is lane i: it handles its waiting records, a batch at a time.
func (l *lanes) run(i int) {
	defer l.wg.Done()
	for {
		l.mu.Lock()
		q := &l.queues[i]
		if len(q.recs) == 0 {
			l.mu.Unlock()
			select {
			case <-l.ctx.Done():
				return
			case <-l.wake[i]:
			}
			continue
		}
		n := cut(q.recs, l.size)
		batch := q.recs[:n:n]
		idxs := q.idxs[:n:n]
		q.recs, q.idxs = q.recs[n:], q.idxs[n:]
		l.mu.Unlock()
		if !l.p.handleLane(l.ctx, batch, false) {
			return
		}
		l.complete(idxs)
	}
}

// complete marks the records of idxs handled and checkpoints the handled
// prefix.
func (l *lanes) complete(idxs []uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, idx := range idxs {
		l.done[idx-l.base] = true
	}
	l.settle()
}

// settle checkpoints the longest handled prefix of the dispatched records,
// with l.mu held.
func (l *lanes) settle() {
	n := 0
	for n < len(l.done) && l.done[n] {
		n++
	}
	if n == 0 {
		return
	}
	last := l.seqs[n-1]
	l.seqs, l.done, l.base = l.seqs[n:], l.done[n:], l.base+uint64(n)
	if !l.p.advance(last) {
		l.failed = true
		l.stop()
	}
	close(l.changed)
	l.changed = make(chan struct{})
}

// dispatch hands batch (in shard order) to the lanes: records that the
// mapping's filters drop count as handled at once. It waits while the
// lanes are too far behind, and returns false if ctx ended or the lanes
// stopped.
func (l *lanes) dispatch(ctx context.Context, batch []kds.Record) bool {
	l.mu.Lock()
	for len(l.seqs) > 0 && len(l.seqs)+len(batch) > l.limit {
		ch := l.changed
		l.mu.Unlock()
		select {
		case <-ctx.Done():
			return false
		case <-l.ctx.Done():
			return false
		case <-ch:
		}
		l.mu.Lock()
	}
	if l.failed {
		l.mu.Unlock()
		return false
	}
	woken := make([]bool, len(l.queues))
	filtered := 0
	for i := range batch {
		r := &batch[i]
		idx := l.base + uint64(len(l.seqs))
		keep := l.p.filters == nil || l.p.filters.match(r)
		l.seqs = append(l.seqs, r.SequenceNumber)
		l.done = append(l.done, !keep)
		if !keep {
			filtered++
			continue
		}
		lane := laneOf(r.PartitionKey, len(l.queues))
		q := &l.queues[lane]
		q.recs, q.idxs = append(q.recs, *r), append(q.idxs, idx)
		woken[lane] = true
	}
	l.settle() // a filtered prefix
	failed := l.failed
	l.mu.Unlock()
	l.p.met.filtered.Add(float64(filtered))
	for i, w := range woken {
		if w {
			select {
			case l.wake[i] <- struct{}{}:
			default:
			}
		}
	}
	l.p.dispatched = batch[len(batch)-1].SequenceNumber
	return !failed
}

// drain waits until every dispatched record is handled and checkpointed;
// false if ctx ended or the lanes stopped first.
func (l *lanes) drain(ctx context.Context) bool {
	l.mu.Lock()
	for len(l.seqs) > 0 && !l.failed {
		ch := l.changed
		l.mu.Unlock()
		select {
		case <-ctx.Done():
			return false
		case <-l.ctx.Done():
			return false
		case <-ch:
		}
		l.mu.Lock()
	}
	failed := l.failed
	l.mu.Unlock()
	return !failed
}
