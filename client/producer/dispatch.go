package producer

import (
	"bytes"
	"fmt"
	"slices"
	"time"

	"github.com/eddy-streams/eddy/client/kpl"
)

// The dispatcher is one goroutine that decides what to send. It wakes when
// a shard gets its first buffered record, when Kinesis records worth a
// PutRecords call have been sealed since (or, with StrictOrder, any full
// aggregate), when a call completes, on Flush, and at the next time
// something becomes due (a buffering deadline, a retry's backoff, a token
// refill, an expiry). Each pass looks at every open shard that has no call
// under way and counts the Kinesis records it could send now (those its
// rate limiter admits, in order). Calls are sent, as the KPL collects
// them, when they are full (CollectionMaxCount records or
// CollectionMaxSize bytes) or when something in them is due: a record
// whose RecordMaxBufferedTime is over, a retry, a Flush. At most
// MaxConnections calls are under way.
type dispatcher struct {
	timer   Timer
	timerAt time.Time
	cands   []candidate
}

// spreadCalls is how many calls the due shards are spread over, at most,
// with StrictOrder.
const spreadCalls = 4

type candidate struct {
	s      *shard
	due    time.Time // when its oldest record is due
	urgent bool      // it has a record due now
	aggDue bool      // the aggregate being filled is due: it is sealed and sent too
}

// request is one PutRecords call in the making.
type request struct {
	recs   []*kinesisRecord // a shard's records are contiguous, in order
	shards []*shard
	counts []int // records of each shard, in recs
	bytes  int
	urgent bool // it carries a record that is due
}

func (p *Producer) run() {
	defer close(p.stopped)
	for {
		select {
		case <-p.wake:
		case <-p.stop:
			if p.d.timer != nil {
				p.d.timer.Stop()
			}
			return
		}
		p.dispatch()
	}
}

func (p *Producer) dispatch() {
	c := &p.cfg
	now := c.clock.Now()
	if !p.d.timerAt.IsZero() && !now.Before(p.d.timerAt) {
		p.d.timer, p.d.timerAt = nil, time.Time{}
	}
	flushing := p.flushing.Load() > 0
	var next time.Time
	later := func(t time.Time) {
		if next.IsZero() || t.Before(next) {
			next = t
		}
	}
	var expired []*kinesisRecord
	cands := p.d.cands[:0]
	var ready, readyBytes int
	urgent := false
	for _, s := range p.shards.Load().open {
		s.mu.Lock()
		if s.mu.inflight || s.mu.closed {
			s.mu.Unlock()
			continue
		}
		for len(s.mu.queue) > 0 {
			if exp := s.mu.queue[0].arrival.Add(c.recordTtl); now.Before(exp) {
				later(exp)
				break
			}
			expired = append(expired, p.expireLocked(s, now))
		}
		cd := candidate{s: s}
		var ok bool
		if cd.due, cd.urgent, ok = s.dueLocked(c, now, flushing); ok {
			cd.aggDue = s.mu.agg.Count() > 0 && (flushing || !s.mu.aggDeadline.After(now))
			if !cd.urgent {
				later(cd.due)
			}
			n, bytes, wait := s.sendableLocked(c, now, cd.aggDue)
			switch {
			case wait > 0:
				later(now.Add(wait))
			case n > 0:
				cands = append(cands, cd)
				ready, readyBytes = ready+n, readyBytes+bytes
				urgent = urgent || cd.urgent
			}
		}
		s.mu.Unlock()
	}
	if len(cands) > 0 && (urgent || ready >= c.collectionMaxCount || readyBytes >= c.collectionMaxSize) {
		p.sendReady(cands, now, later)
	}
	p.d.cands = cands[:0]
	for _, dead := range expired {
		p.failExpired(dead)
	}
	if m := c.metrics; m != nil {
		m.Set(UserRecordsPending, Dimensions{StreamName: p.stream}, float64(p.pending.Load()))
	}
	if !next.IsZero() && (p.d.timer == nil || next.Before(p.d.timerAt)) {
		if p.d.timer != nil {
			p.d.timer.Stop()
		}
		p.d.timer, p.d.timerAt = c.clock.AfterFunc(next.Sub(now), p.kick), next
	}
}

// dueLocked returns when the shard's oldest record is due and whether that
// is now, or false if the shard buffers nothing. A record waiting out a
// retry backoff is due at its end; a retried record is due now; so is
// everything while flushing and, with StrictOrder, a full aggregate (or
// any record, aggregation off); anything else at its buffering deadline.
func (s *shard) dueLocked(c *config, now time.Time, flushing bool) (due time.Time, urgent, ok bool) {
	if len(s.mu.queue) > 0 {
		kr := s.mu.queue[0]
		switch {
		case kr.notBefore.After(now):
			return kr.notBefore, false, true
		case kr.attempts > 0 || flushing || !kr.deadline.After(now):
			return now, true, true
		case c.strictOrder && (kr.full || !c.aggregationEnabled):
			return now, true, true
		}
		return kr.deadline, false, true
	}
	if s.mu.agg.Count() > 0 {
		if flushing || !s.mu.aggDeadline.After(now) {
			return now, true, true
		}
		return s.mu.aggDeadline, false, true
	}
	return time.Time{}, false, false
}

// sendableLocked counts the Kinesis records the shard could send now, in
// order, as take would take them into an empty call: those out of their
// backoff that its rate limiter admits (and the aggregate being filled,
// if aggDue). If the limiter admits none, wait says when it will.
func (s *shard) sendableLocked(c *config, now time.Time, aggDue bool) (n, bytes int, wait time.Duration) {
	lim := s.mu.limiter // a copy: nothing is taken here
	limit := c.collectionMaxCount
	if c.strictOrder {
		limit = 1
	}
	count := func(size int) bool {
		if n >= limit || (bytes > 0 && bytes+size > c.collectionMaxSize) {
			return false
		}
		if w := lim.wait(size, now); w > 0 {
			if n == 0 {
				wait = w
			}
			return false
		}
		lim.take(size)
		n, bytes = n+1, bytes+size
		return true
	}
	for _, kr := range s.mu.queue {
		if kr.notBefore.After(now) || !count(kr.size()) {
			return n, bytes, wait
		}
	}
	if aggDue {
		count(s.mu.agg.Size())
	}
	return n, bytes, wait
}

// sendReady groups the ready shards' records into calls, shards with a
// record due first, then the oldest first. Each call is filled up to
// CollectionMaxCount and CollectionMaxSize, a shard's records in their
// order; a last call that is neither full nor carries a due record is not
// sent (its records wait for more or for their deadline). With
// StrictOrder a call carries one Kinesis record per shard, and the shards
// are spread over a few calls.
func (p *Producer) sendReady(cands []candidate, now time.Time, later func(time.Time)) {
	c := &p.cfg
	free := c.maxConnections - int(p.inflight.Load())
	if free <= 0 {
		return // a completing call wakes the dispatcher
	}
	slices.SortFunc(cands, func(a, b candidate) int {
		if a.urgent != b.urgent {
			if a.urgent {
				return -1
			}
			return 1
		}
		return a.due.Compare(b.due)
	})
	perCall := len(cands)
	if c.strictOrder {
		// Spread over a few calls at once, so a slow call holds up few
		// shards, without making a call per shard (each call costs the
		// client and the server the same whatever it carries).
		calls := min(free, spreadCalls)
		perCall = (len(cands) + calls - 1) / calls
	}
	req := &request{}
	for _, cd := range cands {
		took, roomLeft := p.take(req, cd, now, later)
		if took == 0 && !roomLeft && len(req.recs) > 0 {
			// The call is full: send it and give this shard a new one.
			p.start(req)
			req = &request{}
			if free--; free == 0 {
				return
			}
			took, roomLeft = p.take(req, cd, now, later)
		}
		full := !roomLeft || len(req.recs) >= c.collectionMaxCount || req.bytes >= c.collectionMaxSize
		if len(req.recs) > 0 && (full || len(req.shards) >= perCall) {
			p.start(req)
			req = &request{}
			if free--; free == 0 {
				return
			}
		}
	}
	if len(req.recs) == 0 {
		return
	}
	if req.urgent || c.strictOrder {
		p.start(req)
		return
	}
	p.untake(req)
}

// take moves the shard's sendable records into req, in order (with
// StrictOrder, one), sealing the aggregate being filled first if it is
// due; it marks the shard in flight if it took any, and reports
// whether req had room for more.
func (p *Producer) take(req *request, cd candidate, now time.Time, later func(time.Time)) (took int, roomLeft bool) {
	c := &p.cfg
	s := cd.s
	s.mu.Lock()
	defer s.mu.Unlock()
	roomLeft = true
	if s.mu.inflight || s.mu.closed {
		return 0, true
	}
	if cd.aggDue {
		s.sealLocked(c, false)
	}
	for len(s.mu.queue) > 0 {
		kr := s.mu.queue[0]
		if kr.notBefore.After(now) {
			later(kr.notBefore)
			break
		}
		size := kr.size()
		if len(req.recs) >= c.collectionMaxCount || (req.bytes > 0 && req.bytes+size > c.collectionMaxSize) {
			roomLeft = false
			break
		}
		if w := s.mu.limiter.wait(size, now); w > 0 {
			later(now.Add(w))
			break
		}
		s.mu.limiter.take(size)
		req.recs = append(req.recs, s.popLocked())
		req.bytes += size
		took++
		if c.strictOrder {
			break
		}
	}
	if took > 0 {
		s.mu.inflight = true
		req.shards = append(req.shards, s)
		req.counts = append(req.counts, took)
		req.urgent = req.urgent || cd.urgent
	}
	return took, roomLeft
}

// untake puts the records of a call that is not to be sent back at the
// front of their shards' queues, in order, and frees the shards.
func (p *Producer) untake(req *request) {
	recs := req.recs
	for i, s := range req.shards {
		n := req.counts[i]
		s.mu.Lock()
		for _, kr := range recs[:n] {
			s.mu.limiter.give(kr.size())
			s.mu.queuedBytes += kr.size()
		}
		s.mu.queue = append(slices.Clone(recs[:n]), s.mu.queue...)
		s.mu.inflight = false
		s.mu.Unlock()
		recs = recs[n:]
	}
}

func (p *Producer) start(req *request) {
	p.inflight.Add(1)
	p.sends.Add(1)
	go p.send(req)
}

// expireLocked takes the first Kinesis record of the shard's queue, whose
// oldest user record has outlived RecordTtl, and returns its user records
// that did (with its attempts and last error) for failExpired to fail once
// the lock is released. The others, put up to RecordMaxBufferedTime later,
// go back at the front of the queue in a Kinesis record of their own,
// before the records of the shard put since: expiry does not reorder them.
func (p *Producer) expireLocked(s *shard, now time.Time) (dead *kinesisRecord) {
	c := &p.cfg
	kr := s.popLocked()
	dead = &kinesisRecord{shard: s, attempts: kr.attempts, lastErr: kr.lastErr}
	var live []int
	for i := range kr.users {
		if now.Before(c.at(kr.users[i].arrival).Add(c.recordTtl)) {
			live = append(live, i)
		} else {
			dead.users = append(dead.users, kr.users[i])
		}
	}
	if len(live) > 0 {
		rest := p.rebuild(kr, live)
		s.mu.queue = append([]*kinesisRecord{rest}, s.mu.queue...)
		s.mu.queuedBytes += rest.size()
	}
	p.recycle(kr)
	return dead
}

// rebuild returns a Kinesis record carrying the user records of kr at the
// indexes live, in order (an aggregate, or the record alone if it is one),
// with kr's attempts, backoff and last error. kr is left as it was.
func (p *Producer) rebuild(kr *kinesisRecord, live []int) *kinesisRecord {
	c := &p.cfg
	recs := kr.userRecords(c)
	nk := &kinesisRecord{shard: kr.shard, deadline: kr.deadline, full: kr.full, attempts: kr.attempts,
		notBefore: kr.notBefore, lastErr: kr.lastErr, users: make([]userRecord, 0, len(live))}
	for _, i := range live {
		nk.users = append(nk.users, kr.users[i])
	}
	nk.arrival = oldestArrival(c, nk.users)
	first := recs[live[0]]
	if len(live) == 1 {
		nk.data = bytes.Clone(first.Data) // kr's buffer is recycled
		nk.dataLen, nk.pk, nk.ehk = len(nk.data), first.PartitionKey, first.ExplicitHashKey
		return nk
	}
	agg := c.getAgg()
	for _, i := range live {
		agg.Add(kpl.UserRecord(recs[i])) // copies the data
	}
	// The record was valid when put: its hash key parses.
	hash, _ := kpl.HashKeyOf(first.PartitionKey, first.ExplicitHashKey)
	nk.agg, nk.dataLen, nk.aggregated, nk.pk, nk.ehk = agg, agg.Size(), true, "a", hash.String()
	nk.finish(c)
	return nk
}

// failExpired fails the user records of dead, which outlived RecordTtl.
func (p *Producer) failExpired(dead *kinesisRecord) {
	ttl := p.cfg.recordTtl
	attempts := 0
	for i := range dead.users {
		attempts = max(attempts, int(dead.users[i].attempts))
	}
	var err error
	switch {
	case dead.lastErr != nil:
		err = fmt.Errorf("%w: not put within RecordTtl %v (%d attempts; last error: %v)", ErrExpired, ttl, attempts, dead.lastErr)
	case attempts > 0:
		err = fmt.Errorf("%w: not put within RecordTtl %v (%d attempts)", ErrExpired, ttl, attempts)
	default:
		err = fmt.Errorf("%w: not put within RecordTtl %v (never sent)", ErrExpired, ttl)
	}
	p.log.Warn("records expired", "stream", p.stream, "shard", dead.shard.id, "records", len(dead.users), "err", err)
	p.failRecord(dead, err)
}
