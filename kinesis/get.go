package kinesis

import (
	"context"
	"errors"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/storage"
)

// Shard iterator types.
const (
	IterAtSequence    = "AT_SEQUENCE_NUMBER"
	IterAfterSequence = "AFTER_SEQUENCE_NUMBER"
	IterTrimHorizon   = "TRIM_HORIZON"
	IterLatest        = "LATEST"
	IterAtTimestamp   = "AT_TIMESTAMP"
)

// readable returns the stream and shard a read addresses, checked in
// Kinesis's order (see shardid.go): the shard id's form, then the stream
// (missing, CREATING or DELETING), then the shard. A missing stream is
// answered as a missing shard, as Kinesis answers GetShardIterator.
func (e *Engine) readable(name, shard string) (*stream, *streamView, *shardState, error) {
	idx, ok := parseShardID(shard)
	if !ok {
		return nil, nil, nil, e.shardIDUnknown(shard, name)
	}
	s := e.lookup(name)
	if s == nil {
		return nil, nil, nil, e.shardMissing(idx, name)
	}
	v := s.view.Load()
	if v.meta.Status == StatusCreating || v.meta.Status == StatusDeleting {
		return nil, nil, nil, e.shardMissing(idx, name)
	}
	st := v.shards[idx]
	if st == nil {
		return nil, nil, nil, e.shardMissing(idx, name)
	}
	return s, v, st, nil
}

// shardEnd is the position after the shard's last readable record.
func shardEnd(st *shardState) (uint64, error) {
	if st.meta.Closed {
		return st.meta.End, nil
	}
	b, err := st.log.Bounds()
	if err != nil {
		return 0, internalf("bounds of shard %d: %w", st.meta.Index, err)
	}
	return b.Next, nil
}

// getShardIterator returns an iterator for the given starting position.
func (e *Engine) getShardIterator(ctx context.Context, name, shard, typ string, seq *string, ts *time.Time) (string, error) {
	v, st, pos, err := e.startPosition(name, shard, typ, seq, ts)
	if err != nil {
		return "", err
	}
	id := shardID(st.meta.Index)
	if err := e.admit(ctx, "GetShardIterator", name, id); err != nil {
		return "", err
	}
	if e.cfg.Limits == LimitsAWS && !st.limits.admitIterator(e.now().UnixNano()) {
		return "", eddy.Errorf(eddy.CodeProvisionedThroughput, "%s", shardRateMessage(id, name, e.cfg.AccountID))
	}
	it := iterator{shard: st.meta.Index, pos: pos, issued: e.now(), streamName: name, streamCreate: v.meta.Created}
	return it.encode(e.secret), nil
}

// startPosition resolves a starting position (GetShardIterator's types,
// also SubscribeToShard's) to a log position. The stream and shard are
// checked first (readable), then the arguments (position).
func (e *Engine) startPosition(name, shard, typ string, seq *string, ts *time.Time) (*streamView, *shardState, uint64, error) {
	_, v, st, err := e.readable(name, shard)
	if err != nil {
		return nil, nil, 0, err
	}
	pos, err := e.position(v, st, name, typ, seq, ts)
	return v, st, pos, err
}

// msgIteratorArgs is InvalidArgumentException for an iterator type that
// does not go with the presence or absence of StartingSequenceNumber, as
// Kinesis words it (mhart/kinesalite test/getShardIterator.js, "AT_SEQUENCE_NUMBER
// and no StartingSequenceNumber", "LATEST and StartingSequenceNumber"):
// the last words are "and no StartingSequenceNumber." or "and also a
// StartingSequenceNumber.".
const msgIteratorArgs = "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or " +
	"(2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified %s %s StartingSequenceNumber."

// position checks a starting position's arguments against the shard st and
// returns its log position. Messages name the shard canonically.
func (e *Engine) position(v *streamView, st *shardState, name, typ string, seq *string, ts *time.Time) (uint64, error) {
	shard := shardID(st.meta.Index)
	switch {
	case (typ == IterTrimHorizon || typ == IterLatest) && seq != nil:
		return 0, eddy.Errorf(eddy.CodeInvalidArgument, msgIteratorArgs, typ, "and also a")
	case (typ == IterAtSequence || typ == IterAfterSequence) && seq == nil:
		return 0, eddy.Errorf(eddy.CodeInvalidArgument, msgIteratorArgs, typ, "and no")
	}
	end, err := shardEnd(st)
	if err != nil {
		return 0, err
	}
	var pos uint64
	switch typ {
	case IterTrimHorizon:
		pos = 0 // reads start at the oldest retained record
	case IterLatest:
		pos = end
	case IterAtSequence, IterAfterSequence:
		n, ok := parseSeqNum(*seq)
		if !ok {
			return 0, eddy.Errorf(eddy.CodeInvalidArgument,
				"StartingSequenceNumber %s used in GetShardIterator on shard %s in stream %s under account %s is invalid.",
				*seq, shard, name, e.cfg.AccountID)
		}
		if n.shard != st.meta.Index {
			return 0, eddy.Errorf(eddy.CodeInvalidArgument,
				"Invalid StartingSequenceNumber. It encodes %s, while it was used in a call to a shard with %s",
				shardID(n.shard), shard)
		}
		pos = n.pos
		if typ == IterAfterSequence {
			pos++
		}
		if pos > end {
			return 0, eddy.Errorf(eddy.CodeInvalidArgument,
				"StartingSequenceNumber %s used in GetShardIterator on shard %s in stream %s under account %s is invalid because it did not come from this stream.",
				*seq, shard, name, e.cfg.AccountID)
		}
	case IterAtTimestamp:
		if ts == nil {
			return 0, eddy.Errorf(eddy.CodeInvalidArgument,
				"Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter.")
		}
		if ts.After(e.now()) {
			return 0, eddy.Errorf(eddy.CodeInvalidArgument,
				"The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. timestampInMillis: %d, currentTimestampInMillis: %d",
				ts.UnixMilli(), e.now().UnixMilli())
		}
		p, err := st.log.SeekTime(*ts)
		if err != nil {
			return 0, internalf("seek shard %d: %w", st.meta.Index, err)
		}
		pos = min(p, end)
	default:
		return 0, eddy.Errorf(eddy.CodeInvalidArgument, "Invalid ShardIteratorType: %s", typ)
	}
	return pos, nil
}

// childShard is a shard created from a closed one.
type childShard struct {
	Index   int
	Parents []int
	Start   hashKey
	End     hashKey
}

// getResult is what getRecords returns.
type getResult struct {
	Records      []storage.Record
	Shard        int
	Next         string // "" at the end of a closed shard
	MillisBehind int64
	Children     []childShard
	buf          []byte // the buffer Records alias, for the caller to reuse
}

// getRecords reads from the position an iterator names.
func (e *Engine) getRecords(ctx context.Context, iterStr string, limit int, buf []byte) (getResult, error) {
	bufp := &buf
	if buf == nil {
		bufp = nil
	}
	start := time.Now()
	now := e.now()
	it, s, v, st, err := e.resolveIterator(iterStr, now)
	if err != nil {
		return getResult{}, err
	}
	if err := e.admit(ctx, "GetRecords", it.streamName, shardID(it.shard)); err != nil {
		return getResult{}, err
	}
	limited := e.cfg.Limits == LimitsAWS
	if limited && !st.limits.admitRead(now.UnixNano()) {
		e.metricsOf(s).readThrottled.Inc()
		st.usage.readThrott.Add(1)
		return getResult{}, eddy.Errorf(eddy.CodeProvisionedThroughput, "%s", shardRateMessage(shardID(it.shard), it.streamName, e.cfg.AccountID))
	}
	end, err := shardEnd(st)
	if err != nil {
		return getResult{}, err
	}
	recs, pos, err := readRetained(st, v, now, it.pos, end, limit, eddy.MaxGetRecordsBytes, bufp)
	if err != nil {
		return getResult{}, err
	}
	if err := e.openRecords(ctx, s, v, st, recs, readsInto(st, bufp)); err != nil {
		return getResult{}, err
	}
	n := recordsSize(recs)
	if limited {
		st.limits.chargeRead(now.UnixNano(), n)
	}
	var age int64
	if len(recs) > 0 {
		age = max(0, now.Sub(recs[len(recs)-1].Arrival).Milliseconds())
	}
	st.usage.outBytes.Add(int64(n))
	st.usage.outRecords.Add(int64(len(recs)))
	st.usage.iteratorAge.Store(age)
	sm := e.metricsOf(s)
	sm.getRecordsSuccess.Inc()
	sm.getRecordsBytes.Add(float64(n))
	sm.getRecordsRecs.Add(float64(len(recs)))
	sm.iteratorAge.Set(float64(age))
	sm.getRecordsLatency.Observe(time.Since(start).Seconds())
	next := pos
	if n := len(recs); n > 0 {
		next = recs[n-1].Seq + 1
	}
	if bufp != nil {
		buf = *bufp // reads may have replaced it with a larger one
	}
	res := getResult{Records: recs, Shard: st.meta.Index, buf: buf}
	if n := len(recs); n > 0 && next < end {
		res.MillisBehind = max(0, now.Sub(recs[n-1].Arrival).Milliseconds())
	}
	if st.meta.Closed && next >= end {
		res.Children = children(v, st.meta.Index)
		return res, nil
	}
	res.Next = iterator{shard: it.shard, pos: next, issued: now, streamName: it.streamName, streamCreate: it.streamCreate}.encode(e.secret)
	return res, nil
}

// readRetained reads up to limit records and maxBytes of a shard from pos
// (below end), skipping records past the stream's retention period even if
// their segment is not deleted yet. It returns the records and the position
// it read from (pos, or later if records there had expired). Reads go into
// *buf when buf is not nil (see readLog).
func readRetained(st *shardState, v *streamView, now time.Time, pos, end uint64, limit, maxBytes int, buf *[]byte) ([]storage.Record, uint64, error) {
	pos = max(pos, st.meta.Floor)
	if pos >= end {
		return nil, pos, nil
	}
	recs, err := readLog(st.log, pos, min(limit, int(end-pos)), maxBytes, buf)
	cutoff := now.Add(-time.Duration(v.meta.RetentionHours) * time.Hour)
	if err == nil && len(recs) > 0 && recs[0].Arrival.Before(cutoff) {
		var floor uint64
		if floor, err = st.log.SeekTime(cutoff); err == nil {
			pos, recs = max(pos, floor), nil
			if pos < end {
				recs, err = readLog(st.log, pos, min(limit, int(end-pos)), maxBytes, buf)
			}
		}
	}
	if err == nil && len(recs) == 0 && pos < end {
		// A read from before the oldest retained record starts at it, so
		// nothing came back only because nothing is retained before end
		// (an empty shard, or one whose records all expired). Move past
		// the gap: a reader of an empty closed shard must reach its end
		// (ChildShards, no next iterator), not be handed position 0 again.
		var b storage.Bounds
		if b, err = st.log.Bounds(); err == nil {
			pos = min(end, max(pos, b.Oldest))
		}
	}
	if err != nil {
		return nil, pos, internalf("read shard %d: %w", st.meta.Index, err)
	}
	return recs, pos, nil
}

// readsInto reports whether reads of st with buf put the records' data in
// the caller's buffer (see readLog), which decryption may then overwrite.
func readsInto(st *shardState, buf *[]byte) bool {
	_, ok := st.log.(storage.BufferReader)
	return ok && buf != nil
}

// readLog reads up to limit records and maxBytes from pos, into *buf when
// the log supports it (replacing it with a larger buffer if it grew).
func readLog(l storage.ShardLog, pos uint64, limit, maxBytes int, buf *[]byte) ([]storage.Record, error) {
	if br, ok := l.(storage.BufferReader); ok && buf != nil {
		recs, b, err := br.ReadBuffer(pos, limit, maxBytes, (*buf)[:0])
		*buf = b
		return recs, err
	}
	recs, err := l.Read(pos, limit, maxBytes)
	if errors.Is(err, storage.ErrOutOfRange) {
		return nil, nil
	}
	return recs, err
}

// children lists the shards whose parent or adjacent parent is index.
func children(v *streamView, index int) []childShard {
	var out []childShard
	for _, sm := range v.meta.Shards {
		if sm.Parent != index && sm.AdjacentParent != index {
			continue
		}
		c := childShard{Index: sm.Index, Parents: []int{sm.Parent}}
		if sm.AdjacentParent >= 0 {
			c.Parents = append(c.Parents, sm.AdjacentParent)
		}
		st := v.shards[sm.Index]
		c.Start, c.End = st.start, st.end
		out = append(out, c)
	}
	return out
}

// javaTime formats t as Java's Date.toString does, which is how AWS prints
// times in some messages.
func javaTime(t time.Time) string { return t.UTC().Format("Mon Jan 02 15:04:05 UTC 2006") }

// resolveIterator checks a shard iterator (authentic, unexpired, its stream
// incarnation and shard still there) and returns it with what it reads.
func (e *Engine) resolveIterator(iterStr string, now time.Time) (iterator, *stream, *streamView, *shardState, error) {
	it, err := decodeIterator(iterStr, e.secret)
	if err != nil {
		return it, nil, nil, nil, eddy.Errorf(eddy.CodeInvalidArgument, "Invalid ShardIterator.")
	}
	if age := now.Sub(it.issued); age > e.cfg.IteratorTTL {
		return it, nil, nil, nil, eddy.Errorf(eddy.CodeExpiredIterator,
			"Iterator expired. The iterator was created at time %s while right now it is %s which is further in the future than the tolerated delay of %d milliseconds.",
			javaTime(it.issued), javaTime(now), e.cfg.IteratorTTL.Milliseconds())
	}
	// A deleted (or deleted and re-created) stream is answered as a
	// missing shard, as Kinesis answers an iterator of a deleted stream
	// (mhart/kinesalite test/getRecords.js, "shard or stream does not
	// exist").
	s := e.lookup(it.streamName)
	if s == nil || s.view.Load().meta.Created != it.streamCreate {
		return it, nil, nil, nil, e.shardMissing(it.shard, it.streamName)
	}
	_, v, st, err := e.readable(it.streamName, shardID(it.shard))
	if err != nil {
		return it, nil, nil, nil, err
	}
	return it, s, v, st, nil
}

// recordsSize is the bytes records count against read limits and metrics.
func recordsSize(recs []storage.Record) int {
	n := 0
	for i := range recs {
		n += storage.RecordSize(&recs[i])
	}
	return n
}

// Appended returns a channel that is closed at the next append to the shard
// a shard iterator reads (or when the shard is resharded or its stream
// deleted), so that an in-process reader that found nothing new can wait
// for records instead of polling. Take it before the read it follows, as
// subscriptions do, so an append between the read and the wait is not
// missed. The iterator is checked as GetRecords checks it.
func (e *Engine) Appended(iterator string) (<-chan struct{}, error) {
	_, _, _, st, err := e.resolveIterator(iterator, e.now())
	if err != nil {
		return nil, err
	}
	return st.waitAppend(), nil
}
