package jetstream

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/eddy-streams/eddy/storage"
)

// maxCASAttempts bounds how often one Append retries after losing the race
// for the log's next positions to another node.
const maxCASAttempts = 1000

// nanos returns t as Unix nanoseconds, clamped to what an int64 holds.
func nanos(t time.Time) int64 {
	switch {
	case t.Before(time.Unix(0, math.MinInt64)):
		return math.MinInt64
	case t.After(time.Unix(0, math.MaxInt64)):
		return math.MaxInt64
	}
	return t.UnixNano()
}

// refreshLocked reads the log's last message into l.view.
func (l *shardLog) refreshLocked() error {
	for attempt := 0; ; attempt++ {
		m, err := l.last()
		if err == nil {
			l.view = view{valid: true, lastSeq: m.seq, next: m.end(), lastArrival: m.lastArrival, sealed: m.sealed}
			return nil
		}
		if !errors.Is(err, errNoMsg) {
			return err
		}
		// No message yet. The stream's last sequence is 0 then (Eddy
		// never purges its last message), unless another node appended
		// since the request above: then look again.
		if l.s.testRefresh != nil {
			l.s.testRefresh()
		}
		ctx, cancel := l.s.c.ctx()
		info, err := l.stream.Info(ctx)
		cancel()
		if err != nil {
			return l.fail("append to", err)
		}
		if info.State.Msgs == 0 {
			l.view = view{valid: true, lastSeq: info.State.LastSeq, next: l.base, lastArrival: math.MinInt64}
			return nil
		}
		if attempt == 10 {
			return fmt.Errorf("jetstream: log %q: stream %s has %d messages but no last one", l.id, l.name, info.State.Msgs)
		}
	}
}

// publishLocked appends one batch (count records framed in blob, or a
// marker when count is 0) at l.view.next, on condition that the log's last
// message is still l.view.lastSeq. It returns the sequence of the batch's
// first message and updates l.view; on any error the view is dropped.
//
// When the outcome is unknown (a timeout, a lost connection: the batch may
// or may not be stored, for example when the stream leader died after
// proposing it), publishLocked sends the same batch again with the same
// expected last sequence, for up to twice Config.Timeout. The batch can only
// ever be stored as the message after l.view.lastSeq, so either the
// resend is stored, or it fails that check and the message there is read:
// it is this batch (its Eddy-Batch header says so) or another node's, and
// then this batch was never stored and never will be. So an Append that
// returns an error has stored nothing, unless the cluster stayed
// unreachable for that long.
func (l *shardLog) publishLocked(blob []byte, count int, lastArrival int64, sealed bool) (uint64, error) {
	v := l.view
	l.view.valid = false
	var parts [][]byte
	for len(blob) > l.s.partSize {
		parts = append(parts, blob[:l.s.partSize])
		blob = blob[l.s.partSize:]
	}
	parts = append(parts, blob)
	batch := newNonce()
	header := func(k int) nats.Header {
		h := nats.Header{}
		h.Set(hdrFirst, strconv.FormatUint(v.next, 10))
		h.Set(hdrCount, strconv.Itoa(count))
		h.Set(hdrLastArrival, strconv.FormatInt(lastArrival, 10))
		h.Set(hdrBatch, batch)
		if sealed {
			h.Set(hdrSealed, "1")
		}
		if len(parts) > 1 {
			h.Set(hdrPart, fmt.Sprintf("%d/%d", k, len(parts)))
		}
		return h
	}
	seq, err := l.sendLocked(v, parts, header)
	if err != nil && ambiguous(err) {
		deadline := time.Now().Add(2 * l.s.c.cfg.Timeout)
		for wait := 50 * time.Millisecond; err != nil && ambiguous(err) && time.Now().Before(deadline) && !l.s.closed(); wait = min(2*wait, time.Second) {
			time.Sleep(wait)
			seq, err = l.sendLocked(v, parts, header)
			if isWrongLastSeq(err) {
				m, gerr := l.at(v.lastSeq + 1)
				switch {
				case gerr == nil && m.seq == v.lastSeq+1 && m.batch == batch:
					seq, err = m.seq, nil // the first send was stored
				case gerr != nil && !errors.Is(gerr, errNoMsg):
					err = gerr // still unknown: try again
				}
			}
		}
	}
	if err != nil {
		if ambiguous(err) {
			return 0, fmt.Errorf("%w: %w", errUnknownOutcome, err)
		}
		return 0, err
	}
	l.view = view{valid: true, lastSeq: seq + uint64(len(parts)-1), next: v.next + uint64(count), lastArrival: lastArrival, sealed: sealed}
	return seq, nil
}

// errUnknownOutcome wraps the error of an Append (or Seal, or TrimBefore)
// that may have been stored: the cluster could not say for 2 x
// Config.Timeout.
var errUnknownOutcome = errors.New("outcome unknown: the batch may be stored")

// ambiguous reports whether err leaves unknown whether a publish was
// stored, and asking again may tell: any error but a JetStream API error
// (the server's refusal) or a closed connection.
func ambiguous(err error) bool {
	var ae *jetstream.APIError
	return !errors.As(err, &ae) && !errors.Is(err, nats.ErrConnectionClosed)
}

// sendLocked publishes parts with the expected last sequence v.lastSeq and
// returns the sequence of the first.
func (l *shardLog) sendLocked(v view, parts [][]byte, header func(k int) nats.Header) (uint64, error) {
	if l.s.testSend != nil {
		if err := l.s.testSend(); err != nil {
			return 0, err
		}
	}
	ctx, cancel := l.s.c.ctx()
	defer cancel()
	if len(parts) == 1 {
		m := &nats.Msg{Subject: l.subject, Header: header(0), Data: parts[0]}
		ack, err := l.s.c.js.PublishMsg(ctx, m, jetstream.WithExpectLastSequence(v.lastSeq))
		if err != nil {
			return 0, err
		}
		return l.ackLost(ack.Sequence)
	}
	// One atomic batch (nats-server >= 2.12): every message carries the
	// batch id and its sequence in the batch (from 1), the first the
	// expected last sequence, the last the commit. The server stages the
	// parts and stores all of them or none; only the commit is
	// acknowledged, with the sequence of the last part.
	id := newNonce()
	for k, p := range parts {
		h := header(k)
		h.Set("Nats-Batch-Id", id)
		h.Set("Nats-Batch-Sequence", strconv.Itoa(k+1))
		if k == 0 {
			h.Set(jetstream.ExpectedLastSeqHeader, strconv.FormatUint(v.lastSeq, 10))
		}
		m := &nats.Msg{Subject: l.subject, Header: h, Data: p}
		if k < len(parts)-1 {
			if err := l.s.c.nc.PublishMsg(m); err != nil {
				return 0, err
			}
			continue
		}
		h.Set("Nats-Batch-Commit", "1")
		ack, err := l.s.c.js.PublishMsg(ctx, m)
		if err != nil {
			return 0, err
		}
		return l.ackLost(ack.Sequence - uint64(len(parts)-1))
	}
	panic("unreachable")
}

// ackLost returns seq, or the error testAckLost gives (tests: an
// acknowledgement lost after the batch was stored).
func (l *shardLog) ackLost(seq uint64) (uint64, error) {
	if l.s.testAckLost != nil {
		if err := l.s.testAckLost(); err != nil {
			return 0, err
		}
	}
	return seq, nil
}

// Append publishes recs as one message (or atomic batch of parts).
func (l *shardLog) Append(recs []storage.Record) (uint64, error) {
	if err := l.check(); err != nil {
		return 0, err
	}
	if len(recs) == 0 {
		b, err := l.Bounds()
		return b.Next, err
	}
	for i := range recs {
		if err := storage.CheckRecord(&recs[i]); err != nil {
			return 0, fmt.Errorf("jetstream: append to log %q: record %d: %w", l.id, i, err)
		}
	}
	arrivals := make([]int64, len(recs))
	l.appendMu.Lock()
	defer l.appendMu.Unlock()
	for attempt := 0; ; attempt++ {
		if err := l.check(); err != nil {
			return 0, err
		}
		if !l.view.valid {
			if err := l.refreshLocked(); err != nil {
				return 0, err
			}
		}
		if l.view.sealed {
			return 0, fmt.Errorf("jetstream: append to log %q: %w", l.id, storage.ErrSealed)
		}
		prev := l.view.lastArrival
		for i := range recs {
			prev = max(prev, nanos(recs[i].Arrival))
			arrivals[i] = prev
		}
		first := l.view.next
		seq, err := l.publishLocked(encodeBlob(recs, arrivals), len(recs), prev, false)
		if err != nil {
			if isWrongLastSeq(err) && attempt < maxCASAttempts {
				continue
			}
			return 0, l.fail("append to", err)
		}
		l.hint(first, seq)
		return first, nil
	}
}

// Seal appends a sealed marker.
func (l *shardLog) Seal() error {
	if err := l.check(); err != nil {
		return err
	}
	l.appendMu.Lock()
	defer l.appendMu.Unlock()
	for attempt := 0; ; attempt++ {
		if err := l.check(); err != nil {
			return err
		}
		// Always look: another node may have sealed the log.
		if err := l.refreshLocked(); err != nil {
			return err
		}
		if l.view.sealed {
			return nil
		}
		_, err := l.publishLocked(nil, 0, l.view.lastArrival, true)
		if err != nil {
			if isWrongLastSeq(err) && attempt < maxCASAttempts {
				continue
			}
			return l.fail("seal", err)
		}
		return nil
	}
}
