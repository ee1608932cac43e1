package producer

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
	"github.com/eddy-streams/eddy/client/kpl"
)

// codeThrottled is the error code of a throttled PutRecords entry
// (aws-sdk-go-v2 service/kinesis, types.PutRecordsResultEntry: "ErrorCode
// can be either ProvisionedThroughputExceededException or InternalFailure").
const codeThrottled = "ProvisionedThroughputExceededException"

// send makes one PutRecords call and hands its outcome to complete.
func (p *Producer) send(req *request) {
	defer p.sends.Done()
	c := &p.cfg
	entries := make([]types.PutRecordsRequestEntry, len(req.recs))
	start := c.clock.Now()
	for i, kr := range req.recs {
		kr.finish(c)
		e := &entries[i]
		e.Data = kr.data
		e.PartitionKey = &kr.pk
		if kr.ehk != "" {
			e.ExplicitHashKey = &kr.ehk
		}
		kr.attempts++
		var buffered []float64
		for j := range kr.users {
			u := &kr.users[j]
			if u.attempts == 0 && c.metrics != nil {
				buffered = append(buffered, float64(start.Sub(c.at(u.arrival)))/float64(time.Millisecond))
			}
			u.attempts++
		}
		if m := c.metrics; m != nil {
			d := Dimensions{StreamName: p.stream, ShardID: kr.shard.id}
			for _, b := range buffered {
				m.Observe(BufferingTime, d, b)
			}
			m.Observe(UserRecordsPerKinesisRecord, d, float64(len(kr.users)))
		}
	}
	ctx, cancel := context.WithTimeout(p.ctx, c.requestTimeout)
	var bodies *callBodies
	if p.bodies != nil {
		bodies = &callBodies{bs: p.bodies}
		ctx = context.WithValue(ctx, callKey{}, bodies)
	}
	out, err := p.client.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(p.stream), Records: entries}, p.putOpts...)
	cancel()
	if bodies != nil {
		bodies.done()
	}
	if err == nil && len(out.Records) != len(entries) {
		err = fmt.Errorf("producer: PutRecords answered %d entries for %d records", len(out.Records), len(entries))
	}
	p.complete(req, start, out, err)
}

// landed is a Kinesis record that was written.
type landed struct {
	kr           *kinesisRecord
	shardID, seq string
}

// complete handles the outcome of a call: it completes what was written,
// queues again (at the front of their shard) what is to be retried, fails
// the rest, and frees the call's shards.
func (p *Producer) complete(req *request, start time.Time, out *kinesis.PutRecordsOutput, callErr error) {
	c := &p.cfg
	end := c.clock.Now()
	m := c.metrics
	dims := Dimensions{StreamName: p.stream}
	if m != nil {
		m.Observe(RequestTime, dims, float64(end.Sub(start))/float64(time.Millisecond))
		m.Observe(KinesisRecordsPerPutRecordsRequest, dims, float64(len(req.recs)))
		n := 0
		for _, kr := range req.recs {
			n += len(kr.users)
		}
		m.Observe(UserRecordsPerPutRecordsRequest, dims, float64(n))
	}
	var (
		ok       []landed
		retry    []*kinesisRecord
		moved    bool // a record landed on another shard than predicted
		throttle = map[*shard]bool{}
	)
	switch {
	case p.abandoned.Load():
		for _, kr := range req.recs {
			p.failRecord(kr, ErrClosed)
		}
	case callErr != nil:
		code := errorCode(callErr)
		if m != nil {
			m.Add(ErrorsByCode, Dimensions{StreamName: p.stream, ErrorCode: code}, 1)
			m.Add(AllErrors, dims, 1)
		}
		final := !retryable(callErr) || (c.failIfThrottled && code == codeThrottled)
		p.log.Warn("PutRecords failed", "stream", p.stream, "records", len(req.recs), "err", callErr, "retry", !final)
		for _, kr := range req.recs {
			kr.lastErr = callErr
			if final {
				p.failRecord(kr, callErr)
			} else {
				retry = append(retry, kr)
			}
		}
	default:
		var refused *shard // the shard of the last entry refused (a call's entries are grouped by shard)
		var refusedErr *PutError
		for i, e := range out.Records {
			kr := req.recs[i]
			d := Dimensions{StreamName: p.stream, ShardID: kr.shard.id}
			if e.ErrorCode != nil {
				perr := &PutError{ErrorCode: *e.ErrorCode, ErrorMessage: aws.ToString(e.ErrorMessage)}
				kr.lastErr = perr
				refused, refusedErr = kr.shard, perr
				if m != nil {
					m.Add(ErrorsByCode, Dimensions{StreamName: p.stream, ShardID: kr.shard.id, ErrorCode: perr.ErrorCode}, 1)
					m.Add(AllErrors, d, 1)
				}
				if perr.ErrorCode == codeThrottled {
					throttle[kr.shard] = true
					if c.failIfThrottled {
						p.failRecord(kr, perr)
						continue
					}
				}
				retry = append(retry, kr)
				continue
			}
			if refused == kr.shard {
				// Kinesis refused an entry of this shard and wrote a later
				// one (not throttling, which refuses the rest of the
				// shard's entries): the refused records, retried, are
				// stored after this one. StrictOrder prevents it.
				p.log.Warn("records stored out of order: an entry was refused and a later entry of its shard written",
					"stream", p.stream, "shard", kr.shard.id, "refused", refusedErr.ErrorCode)
				refused = nil
			}
			l := landed{kr: kr, shardID: aws.ToString(e.ShardId), seq: aws.ToString(e.SequenceNumber)}
			if l.shardID != kr.shard.id {
				moved = true
			}
			ok = append(ok, l)
		}
	}
	if moved {
		// The shard map is stale (a split or merge): list the shards
		// before telling which records landed where they belong.
		if err := p.refreshShards(p.ctx, end); err != nil {
			p.log.Warn("shard map refresh failed", "stream", p.stream, "err", err)
		}
	}
	for _, l := range ok {
		p.succeed(l)
	}
	// Retried records go back to the front of their shard's queue, in
	// their order, before the shard is freed.
	byShard := map[*shard][]*kinesisRecord{}
	for _, kr := range retry {
		if end.Before(kr.arrival.Add(c.recordTtl)) {
			kr.notBefore = end.Add(p.backoff(kr.attempts))
		}
		byShard[kr.shard] = append(byShard[kr.shard], kr)
	}
	var reroute []*kinesisRecord
	for _, s := range req.shards {
		s.mu.Lock()
		if s.mu.closed {
			reroute = append(reroute, byShard[s]...)
		} else if krs := byShard[s]; len(krs) > 0 {
			for _, kr := range krs {
				s.mu.queuedBytes += kr.size()
			}
			s.mu.queue = append(krs, s.mu.queue...)
		}
		if throttle[s] {
			s.mu.limiter.throttled(end)
		}
		s.mu.inflight = false
		s.mu.Unlock()
	}
	for _, kr := range reroute {
		p.reroute(kr, nil)
	}
	if len(retry) > 0 {
		p.log.Debug("retrying records", "stream", p.stream, "records", len(retry))
	}
	p.inflight.Add(-1)
	p.kick()
}

// succeed completes the user records of a Kinesis record that was written.
// If it landed on another shard than the one it was built for, user
// records whose hash key lies outside that shard's range are routed again,
// as the KPL does ("Wrong Shard"): consumers that filter aggregates by the
// shard's range, as the KCL does, see each of them once.
func (p *Producer) succeed(l landed) {
	kr := l.kr
	m := p.cfg.metrics
	var misplaced func(i int) bool
	if l.shardID != kr.shard.id && kr.aggregated {
		if r, ok := p.shards.Load().ranges[l.shardID]; ok {
			recs := kr.userRecords(&p.cfg)
			misplaced = func(i int) bool {
				// Valid when put: the hash key parses.
				k, _ := kpl.HashKeyOf(recs[i].PartitionKey, recs[i].ExplicitHashKey)
				return !k.InRange(r.start, r.end)
			}
		}
	}
	d := Dimensions{StreamName: p.stream, ShardID: l.shardID}
	put, bytes := 0, 0
	var cost int64
	for i := range kr.users {
		u := &kr.users[i]
		if misplaced != nil && misplaced(i) {
			continue
		}
		put++
		bytes += int(u.dataLen)
		cost += u.cost
		if m != nil {
			m.Observe(RetriesPerRecord, d, float64(u.attempts-1))
		}
		p.finish(u, Result{ShardID: l.shardID, SequenceNumber: l.seq, SubSequenceNumber: int64(i), Aggregated: kr.aggregated, Attempts: int(u.attempts)})
	}
	if m != nil {
		m.Add(KinesisRecordsPut, d, 1)
		m.Add(KinesisRecordsDataPut, d, float64(kr.dataLen))
		m.Add(UserRecordsPut, d, float64(put))
		m.Add(UserRecordsDataPut, d, float64(bytes))
	}
	p.released(put, cost)
	if put < len(kr.users) {
		kr.lastErr = fmt.Errorf("producer: records did not end up in the expected shard (landed on %s)", l.shardID)
		p.log.Info("records landed on an unexpected shard; routing them again", "stream", p.stream,
			"predicted", kr.shard.id, "actual", l.shardID, "records", len(kr.users)-put)
		p.reroute(kr, misplaced)
		return
	}
	p.recycle(kr)
}

// backoff returns the wait before attempt n+1 of a record tried n times:
// RetryBackoff's min doubled n-1 times, at most its max, half of it random.
func (p *Producer) backoff(n int) time.Duration {
	d := p.cfg.retryMin
	for i := 1; i < n && d < p.cfg.retryMax; i++ {
		d *= 2
	}
	d = min(d, p.cfg.retryMax)
	return d/2 + rand.N(d/2+1)
}

// errorCode returns the AWS error code of err ("" if it has none).
func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// retryable reports whether a failed PutRecords call is worth retrying:
// timeouts, connection errors, throttling and server errors, as
// aws-sdk-go-v2's standard retryer classifies them. Others (a missing
// stream, bad credentials, a refused request) fail their records at once.
func retryable(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	if errors.Is(err, context.Canceled) {
		return false
	}
	if retry.IsErrorRetryables(retry.DefaultRetryables).IsErrorRetryable(err) == aws.TrueTernary {
		return true
	}
	return retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err) == aws.TrueTernary
}
