package jetstream

import (
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/eddy-streams/eddy/storage"
)

// ends returns the log's first and last messages, or errNoMsg for a log
// never appended to.
func (l *shardLog) ends() (first, last *msg, err error) {
	last, err = l.last()
	if err != nil {
		return nil, nil, err
	}
	first, err = l.at(1)
	if errors.Is(err, errNoMsg) {
		first = last // purged between the two requests
		err = nil
	}
	return first, last, err
}

// Bounds reads the first and last messages' headers.
func (l *shardLog) Bounds() (storage.Bounds, error) {
	if err := l.check(); err != nil {
		return storage.Bounds{}, err
	}
	first, last, err := l.ends()
	if errors.Is(err, errNoMsg) {
		return storage.Bounds{Oldest: l.base, Next: l.base}, nil
	}
	if err != nil {
		return storage.Bounds{}, err
	}
	return storage.Bounds{Oldest: min(first.first, last.end()), Next: last.end(), Sealed: last.sealed}, nil
}

// Read finds the message holding from (through the hints, else by binary
// search) and reads messages from there on.
func (l *shardLog) Read(from uint64, maxRecords, maxBytes int) ([]storage.Record, error) {
	if err := l.check(); err != nil {
		return nil, err
	}
	if maxRecords <= 0 {
		return nil, nil
	}
	for attempt := 0; ; attempt++ {
		recs, err := l.read(from, maxRecords, maxBytes)
		if errors.Is(err, errNoMsg) && attempt < 3 {
			continue // trimmed under us: start again
		}
		if errors.Is(err, errNoMsg) {
			return nil, fmt.Errorf("jetstream: read log %q at %d: messages vanish while read", l.id, from)
		}
		return recs, err
	}
}

// read is Read, or errNoMsg if the batch it found was purged before it
// could read all its parts.
func (l *shardLog) read(from uint64, maxRecords, maxBytes int) ([]storage.Record, error) {
	m, err := l.locate(from)
	if err != nil || m == nil {
		return nil, err
	}
	var (
		out   []storage.Record
		bytes int
		next  = max(from, m.first) // the position the next record must have
	)
	for {
		recs, after, err := l.readBatch(m)
		if err != nil {
			if errors.Is(err, errNoMsg) && len(out) > 0 {
				return out, nil
			}
			return nil, err
		}
		for i := range recs {
			r := &recs[i]
			if r.Seq < next {
				continue
			}
			if r.Seq != next {
				return out, nil // a gap: cannot happen but by a bug; stop
			}
			size := storage.RecordSize(r)
			if len(out) > 0 && bytes+size > maxBytes {
				l.hint(next, m.part0())
				return out, nil
			}
			out = append(out, *r)
			bytes += size
			next++
			if len(out) == maxRecords {
				if i+1 < len(recs) {
					l.hint(next, m.part0())
				} else {
					l.hint(next, after)
				}
				return out, nil
			}
		}
		m, err = l.at(after)
		if errors.Is(err, errNoMsg) {
			l.hint(next, after)
			return out, nil
		}
		if err != nil {
			if len(out) > 0 {
				return out, nil
			}
			return nil, err
		}
		if m.part != 0 || m.first > next {
			return out, nil // not what follows: trimmed or a bug; let the caller come back
		}
	}
}

// locate returns a message (a part of the batch) holding the record at
// from, or at Oldest if from is before it; nil if from is Next;
// ErrOutOfRange beyond. (readBatch reads a batch from any of its parts.)
func (l *shardLog) locate(from uint64) (*msg, error) {
	if seq, ok := l.lookupHint(from); ok {
		m, err := l.at(seq)
		if err == nil && m.first <= from && from < m.end() {
			return m, nil
		}
		if errors.Is(err, errNoMsg) {
			// Nothing from the hinted message on: a reader at Next, most
			// likely, which one request confirms.
			last, err := l.last()
			if err == nil && last.end() == from {
				return nil, nil
			}
		} else if err != nil {
			return nil, err
		}
	}
	first, last, err := l.ends()
	if errors.Is(err, errNoMsg) {
		if from > l.base {
			return nil, fmt.Errorf("jetstream: read log %q at %d, next %d: %w", l.id, from, l.base, storage.ErrOutOfRange)
		}
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	next := last.end()
	switch {
	case from > next:
		return nil, fmt.Errorf("jetstream: read log %q at %d, next %d: %w", l.id, from, next, storage.ErrOutOfRange)
	case from == next:
		return nil, nil
	}
	// A marker (seal, trim) has no records and ends where it begins, so
	// end() > from stays monotone over every message, markers included;
	// read steps over a marker it lands on (at the head of a trimmed log).
	return l.search(first, last, func(m *msg) bool { return m.end() > from })
}

// SeekTime searches the messages' last arrivals, then decodes one batch.
func (l *shardLog) SeekTime(t time.Time) (uint64, error) {
	if err := l.check(); err != nil {
		return 0, err
	}
	tn := nanos(t)
	first, last, err := l.ends()
	if errors.Is(err, errNoMsg) {
		return l.base, nil
	}
	if err != nil {
		return 0, err
	}
	m, err := l.search(first, last, func(m *msg) bool { return m.lastArrival >= tn })
	if err != nil {
		return 0, err
	}
	if m == nil {
		return last.end(), nil
	}
	if m.count == 0 {
		return m.first, nil
	}
	recs, _, err := l.readBatch(m)
	if err != nil {
		return 0, err
	}
	for _, r := range recs {
		if nanos(r.Arrival) >= tn {
			return r.Seq, nil
		}
	}
	return 0, l.corrupt(m.seq, "no record arrived at the batch's last arrival")
}

// TrimBefore purges the messages before the first whose last arrival is
// at or after cutoff. If that would purge every message it first appends a
// marker (Eddy-Count 0) so that the log keeps its Next and seal.
func (l *shardLog) TrimBefore(cutoff time.Time) (uint64, error) {
	if err := l.check(); err != nil {
		return 0, err
	}
	tn := nanos(cutoff)
	l.appendMu.Lock()
	defer l.appendMu.Unlock()
	for attempt := 0; ; attempt++ {
		first, last, err := l.ends()
		if errors.Is(err, errNoMsg) {
			return l.base, nil
		}
		if err != nil {
			return 0, err
		}
		keep, err := l.search(first, last, func(m *msg) bool { return m.lastArrival >= tn })
		if err != nil {
			return 0, err
		}
		var keepSeq uint64
		switch {
		case keep != nil:
			keepSeq = keep.part0()
		case last.count == 0:
			keepSeq = last.seq
		default:
			// Every record is before cutoff: keep a marker after them,
			// appended only if nothing else was meanwhile.
			l.view = view{valid: true, lastSeq: last.seq, next: last.end(), lastArrival: last.lastArrival, sealed: last.sealed}
			seq, err := l.publishLocked(nil, 0, last.lastArrival, last.sealed)
			if isWrongLastSeq(err) && attempt < maxCASAttempts {
				continue
			}
			if err != nil {
				return 0, l.fail("trim", err)
			}
			keepSeq = seq
		}
		if keepSeq > first.seq {
			ctx, cancel := l.s.c.ctx()
			err := l.stream.Purge(ctx, jetstream.WithPurgeSequence(keepSeq))
			cancel()
			if err != nil {
				return 0, l.fail("trim", err)
			}
		}
		b, err := l.Bounds()
		return b.Oldest, err
	}
}
