package producer

import (
	"fmt"
	"slices"
	"time"
)

// The dispatcher is one goroutine that decides what to send. It wakes when
// a shard gets its first buffered record or a full Kinesis record, when a
// call completes, on Flush, and at the next time something becomes due (a
// buffering deadline, a retry's backoff, a token refill, an expiry). Each
// pass looks at every open shard that has no call under way, takes the
// Kinesis records that are due and that the shard's rate limiter admits,
// and groups them into PutRecords calls, at most MaxConnections at a time.
type dispatcher struct {
	timer   Timer
	timerAt time.Time
	cands   []candidate
}

// spreadCalls is how many calls the due shards are spread over, at most.
const spreadCalls = 4

type candidate struct {
	s   *shard
	due time.Time
}

// request is one PutRecords call in the making.
type request struct {
	recs   []*kinesisRecord
	shards []*shard
	bytes  int
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
			expired = append(expired, s.popLocked())
		}
		if due, ok := s.dueLocked(c, now, flushing); ok {
			if due.After(now) {
				later(due)
			} else if w := s.mu.limiter.wait(s.headSizeLocked(), now); w > 0 {
				later(now.Add(w))
			} else {
				cands = append(cands, candidate{s, due})
			}
		}
		s.mu.Unlock()
	}
	if len(cands) > 0 {
		p.sendDue(cands, now, later)
	}
	p.d.cands = cands[:0]
	for _, kr := range expired {
		p.expire(kr, now)
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

// dueLocked returns when the shard's next Kinesis record is due, and false
// if the shard buffers nothing. A record waiting out a retry backoff is due
// at its end; a full aggregate or a retried record is due now; anything
// else at its buffering deadline, or now while flushing, or (aggregation
// off) once the shard buffers a full PutRecords call.
func (s *shard) dueLocked(c *config, now time.Time, flushing bool) (time.Time, bool) {
	if len(s.mu.queue) > 0 {
		kr := s.mu.queue[0]
		switch {
		case kr.notBefore.After(now):
			return kr.notBefore, true
		case kr.full || kr.attempts > 0 || flushing:
			return now, true
		case !c.aggregationEnabled && (len(s.mu.queue) >= c.collectionMaxCount || s.mu.queuedBytes >= c.collectionMaxSize):
			return now, true
		}
		return kr.deadline, true
	}
	if s.mu.agg.Count() > 0 {
		if flushing {
			return now, true
		}
		return s.mu.aggDeadline, true
	}
	return time.Time{}, false
}

// headSizeLocked is the size of the Kinesis record the shard would send
// next.
func (s *shard) headSizeLocked() int {
	if len(s.mu.queue) > 0 {
		return s.mu.queue[0].size()
	}
	return s.mu.agg.Size()
}

// sendDue groups the due shards' records into calls, oldest due first.
// With aggregation on, a call carries one Kinesis record per shard, so a
// shard's records cannot be reordered by a call that fails only some of
// them; the shards are spread over the free connections.
func (p *Producer) sendDue(cands []candidate, now time.Time, later func(time.Time)) {
	c := &p.cfg
	free := c.maxConnections - int(p.inflight.Load())
	if free <= 0 {
		return // a completing call wakes the dispatcher
	}
	slices.SortFunc(cands, func(a, b candidate) int { return a.due.Compare(b.due) })
	// Shards per call: spread over a few calls at once, so a slow call
	// holds up few shards, without making a call per shard (each call
	// costs the client and the server the same whatever it carries).
	perCall := len(cands)
	if c.aggregationEnabled {
		calls := min(free, spreadCalls)
		perCall = (len(cands) + calls - 1) / calls
	}
	req := &request{}
	for _, cd := range cands {
		took, roomLeft := p.take(req, cd.s, now, later)
		if took == 0 && !roomLeft && len(req.recs) > 0 {
			// The call is full: send it and give this shard a new one.
			p.start(req)
			req = &request{}
			if free--; free == 0 {
				return
			}
			took, _ = p.take(req, cd.s, now, later)
		}
		full := len(req.recs) >= c.collectionMaxCount || req.bytes >= c.collectionMaxSize
		if len(req.recs) > 0 && (full || len(req.shards) >= perCall) {
			p.start(req)
			req = &request{}
			if free--; free == 0 {
				return
			}
		}
	}
	if len(req.recs) > 0 {
		p.start(req)
	}
}

// take moves the shard's sendable records into req, marks the shard in
// flight if it took any, and reports whether req had room for more.
func (p *Producer) take(req *request, s *shard, now time.Time, later func(time.Time)) (took int, roomLeft bool) {
	c := &p.cfg
	s.mu.Lock()
	defer s.mu.Unlock()
	roomLeft = true
	if s.mu.inflight || s.mu.closed {
		return 0, true
	}
	if len(s.mu.queue) == 0 {
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
		if c.aggregationEnabled {
			break
		}
	}
	if took > 0 {
		s.mu.inflight = true
		req.shards = append(req.shards, s)
	}
	return took, roomLeft
}

func (p *Producer) start(req *request) {
	p.inflight.Add(1)
	p.sends.Add(1)
	go p.send(req)
}

// expire fails the user records of kr that have outlived RecordTtl and
// routes the others again.
func (p *Producer) expire(kr *kinesisRecord, now time.Time) {
	ttl := p.cfg.recordTtl
	live := func(i int) bool { return now.Before(p.cfg.at(kr.users[i].arrival).Add(ttl)) }
	dead := &kinesisRecord{shard: kr.shard, attempts: kr.attempts}
	anyLive := false
	attempts := 0
	for i := range kr.users {
		if live(i) {
			anyLive = true
		} else {
			dead.users = append(dead.users, kr.users[i])
			attempts = max(attempts, kr.users[i].attempts)
		}
	}
	var err error
	switch {
	case kr.lastErr != nil:
		err = fmt.Errorf("%w: not put within RecordTtl %v (%d attempts; last error: %v)", ErrExpired, ttl, attempts, kr.lastErr)
	case attempts > 0:
		err = fmt.Errorf("%w: not put within RecordTtl %v (%d attempts)", ErrExpired, ttl, attempts)
	default:
		err = fmt.Errorf("%w: not put within RecordTtl %v (never sent)", ErrExpired, ttl)
	}
	p.log.Warn("records expired", "stream", p.stream, "shard", kr.shard.id, "records", len(dead.users), "err", err)
	p.failRecord(dead, err)
	if anyLive {
		p.reroute(kr, live)
	} else {
		p.recycle(kr)
	}
}
