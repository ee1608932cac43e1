package jetstream

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/eddy-streams/eddy/storage"
)

// msg is one stored message of a log, with its headers parsed.
type msg struct {
	seq         uint64 // stream sequence
	first       uint64 // Eddy-First
	count       uint64 // Eddy-Count
	lastArrival int64  // Eddy-Last-Arrival
	sealed      bool
	part, parts uint64 // Eddy-Part; 0, 1 when absent
	batch       string // Eddy-Batch
	data        []byte
}

// end is the position after the message's batch.
func (m *msg) end() uint64 { return m.first + m.count }

// part0 is the sequence of the first part of the message's batch.
func (m *msg) part0() uint64 { return m.seq - m.part }

func (l *shardLog) corrupt(seq uint64, format string, args ...any) error {
	return fmt.Errorf("jetstream: log %q stream %s msg %d: %s: %w", l.id, l.name, seq, fmt.Sprintf(format, args...), storage.ErrCorrupt)
}

func (l *shardLog) parse(r *jetstream.RawStreamMsg) (*msg, error) {
	m := &msg{seq: r.Sequence, parts: 1, data: r.Data}
	u := func(key string) (uint64, error) {
		v := r.Header.Get(key)
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return 0, l.corrupt(r.Sequence, "header %s %q", key, v)
		}
		return n, nil
	}
	var err error
	if m.first, err = u(hdrFirst); err != nil {
		return nil, err
	}
	if m.count, err = u(hdrCount); err != nil {
		return nil, err
	}
	v := r.Header.Get(hdrLastArrival)
	if m.lastArrival, err = strconv.ParseInt(v, 10, 64); err != nil {
		return nil, l.corrupt(r.Sequence, "header %s %q", hdrLastArrival, v)
	}
	if m.first > math.MaxUint64-m.count {
		return nil, l.corrupt(r.Sequence, "first %d count %d", m.first, m.count)
	}
	m.sealed = r.Header.Get(hdrSealed) == "1"
	m.batch = r.Header.Get(hdrBatch)
	if p := r.Header.Get(hdrPart); p != "" {
		k, n, ok := strings.Cut(p, "/")
		part, err1 := strconv.ParseUint(k, 10, 64)
		parts, err2 := strconv.ParseUint(n, 10, 64)
		if !ok || err1 != nil || err2 != nil || parts == 0 || part >= parts || part >= m.seq {
			return nil, l.corrupt(r.Sequence, "header %s %q", hdrPart, p)
		}
		m.part, m.parts = part, parts
	}
	return m, nil
}

// errNoMsg: no message where one was asked for.
var errNoMsg = errors.New("no message")

// at returns the first message whose sequence is at least seq, or errNoMsg.
// The request goes to the stream leader.
func (l *shardLog) at(seq uint64) (*msg, error) {
	ctx, cancel := l.s.c.ctx()
	defer cancel()
	r, err := l.stream.GetMsg(ctx, max(seq, 1), jetstream.WithGetMsgSubject(l.subject))
	if err != nil {
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			return nil, errNoMsg
		}
		return nil, l.fail("read", err)
	}
	return l.parse(r)
}

// last returns the log's last message, or errNoMsg.
func (l *shardLog) last() (*msg, error) {
	ctx, cancel := l.s.c.ctx()
	defer cancel()
	r, err := l.stream.GetLastMsgForSubject(ctx, l.subject)
	if err != nil {
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			return nil, errNoMsg
		}
		return nil, l.fail("read", err)
	}
	return l.parse(r)
}

// search returns the first message in [lo, hi] (lo and hi messages of the
// log, lo before hi) for which pred holds, given that pred is monotone (false
// then true) over the log's messages, or nil if pred(hi) is false. It reads
// O(log(hi.seq-lo.seq)) messages.
func (l *shardLog) search(lo, hi *msg, pred func(*msg) bool) (*msg, error) {
	if pred(lo) {
		return lo, nil
	}
	if !pred(hi) {
		return nil, nil
	}
	// Invariant: pred(lo) is false; pred(hi) is true; no message with a
	// sequence in [hiS, hi.seq) exists; the messages in (lo.seq, hiS) are
	// unknown.
	loS, hiS := lo.seq, hi.seq
	for hiS-loS > 1 {
		mid := loS + (hiS-loS)/2
		m, err := l.at(mid)
		if errors.Is(err, errNoMsg) {
			// Purged under us: everything up to hi is gone but hi.
			hiS = mid
			continue
		}
		if err != nil {
			return nil, err
		}
		switch {
		case m.seq >= hi.seq:
			hiS = mid
		case pred(m):
			hi, hiS = m, m.seq
		default:
			loS = m.seq
		}
	}
	return hi, nil
}

// readBatch reads the whole batch m is a part of (any part) and decodes its
// records; it also returns the sequence of the message after the batch.
// The records' memory is the caller's.
func (l *shardLog) readBatch(m *msg) ([]storage.Record, uint64, error) {
	if m.count == 0 {
		return nil, m.part0() + m.parts, nil
	}
	data := m.data
	if m.parts > 1 {
		var buf []byte
		for k := range m.parts {
			p := m
			if k != m.part {
				var err error
				p, err = l.at(m.part0() + k)
				if err != nil {
					if errors.Is(err, errNoMsg) {
						return nil, 0, errNoMsg // purged while reading
					}
					return nil, 0, err
				}
				if p.seq != m.part0()+k || p.part != k || p.parts != m.parts || p.first != m.first {
					return nil, 0, l.corrupt(p.seq, "part %d/%d of the batch at %d is missing", k, m.parts, m.part0())
				}
			}
			buf = append(buf, p.data...)
		}
		data = buf
	}
	if m.count > uint64(len(data)) {
		return nil, 0, l.corrupt(m.part0(), "%d records in %d bytes", m.count, len(data))
	}
	recs, err := decodeBlob(data, m.first, int(m.count))
	if err != nil {
		return nil, 0, l.corrupt(m.part0(), "%v", err)
	}
	return recs, m.part0() + m.parts, nil
}
