package delivery

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/eddy-streams/eddy/storage"
)

// Signal wakes a reader waiting for records: the writer calls Notify after
// each append. The zero value is ready to use.
type Signal struct {
	mu sync.Mutex
	ch chan struct{}
}

// C returns a channel closed at the next Notify.
func (s *Signal) C() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ch == nil {
		s.ch = make(chan struct{})
	}
	return s.ch
}

// Notify wakes whoever waits on a channel C returned before.
func (s *Signal) Notify() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ch != nil {
		close(s.ch)
		s.ch = nil
	}
}

// LogSource reads a delivery stream's own log (its directly put records)
// with the checkpoint kept in a MetaStore table. Committing also trims the
// log of the delivered records.
type LogSource struct {
	Log  storage.ShardLog
	Meta storage.MetaStore
	// Table and Key name the checkpoint: the position of the last
	// delivered record, in decimal.
	Table, Key string
	// Signal, if set, wakes a waiting Read at the next append.
	Signal *Signal
	// ID, if set, gives each record's ID from its position.
	ID func(pos uint64) string
	// Hold, if set, returns the earliest arrival time another reader of
	// the log still needs (a Tap), and false when none does: Commit
	// trims no record that arrived at or after it.
	Hold func() (time.Time, bool)

	next    uint64 // the next position to read; 0 before the first Read
	arrived []arrival
	// buf holds the records of the last Read, and out their Records: both
	// are reused by the next (Source's contract).
	buf []byte
	out []Record
}

// arrival is when the record at pos arrived, kept until it is committed
// (to trim the log up to it).
type arrival struct {
	pos uint64
	at  time.Time
}

// Checkpoint returns the position of the last record delivered, and false
// if none was.
func (s *LogSource) Checkpoint() (uint64, bool, error) {
	var pos uint64
	var ok bool
	err := s.Meta.View(func(tx storage.MetaTx) error {
		b, err := tx.Get(s.Table, s.Key)
		if errors.Is(err, storage.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		pos, err = strconv.ParseUint(string(b), 10, 64)
		ok = err == nil
		return err
	})
	return pos, ok, err
}

// Read implements Source.
func (s *LogSource) Read(ctx context.Context, max int, wait time.Duration) ([]Record, error) {
	if s.next == 0 {
		pos, ok, err := s.Checkpoint()
		if err != nil {
			return nil, err
		}
		s.next = pos + 1
		if !ok {
			b, err := s.Log.Bounds()
			if err != nil {
				return nil, err
			}
			oldest := b.Oldest
			s.next = oldest
		}
	}
	var deadline <-chan time.Time
	for {
		var woken <-chan struct{}
		if s.Signal != nil {
			woken = s.Signal.C() // before the read: an append after it wakes us
		}
		recs, err := s.read(max)
		if err != nil {
			return nil, err
		}
		if len(recs) > 0 || wait <= 0 {
			out := s.out[:0]
			if cap(out) < len(recs) {
				out = make([]Record, len(recs))
			}
			out = out[:len(recs)]
			s.out = out
			for i, r := range recs {
				out[i] = Record{Pos: r.Seq, Data: r.Data, Arrival: r.Arrival}
				if s.ID != nil {
					out[i].ID = s.ID(r.Seq)
				}
				s.arrived = append(s.arrived, arrival{r.Seq, r.Arrival})
			}
			if len(recs) > 0 {
				s.next = recs[len(recs)-1].Seq + 1
			}
			return out, nil
		}
		if deadline == nil {
			t := time.NewTimer(wait)
			defer t.Stop()
			deadline = t.C
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-deadline:
			wait = 0
		case <-woken:
		}
	}
}

// readBytes is the most record bytes one Read returns: within the buffer
// size storage keeps (bufpool.Largest), so the read buffer is reused.
const readBytes = 8 << 20

// read reads from s.next into s.buf when the log can (the records alias it
// until the next read), into fresh memory otherwise.
func (s *LogSource) read(max int) ([]storage.Record, error) {
	if br, ok := s.Log.(storage.BufferReader); ok {
		recs, buf, err := br.ReadBuffer(s.next, max, readBytes, s.buf)
		s.buf = buf
		return recs, err
	}
	return s.Log.Read(s.next, max, readBytes)
}

// Commit implements Source: it saves pos and trims the log of the records
// that arrived before the last delivered one.
func (s *LogSource) Commit(pos uint64) error {
	v := []byte(strconv.FormatUint(pos, 10))
	if err := s.Meta.Update(func(tx storage.MetaTx) error { return tx.Put(s.Table, s.Key, v) }); err != nil {
		return err
	}
	n := 0
	for n < len(s.arrived) && s.arrived[n].pos <= pos {
		n++
	}
	if n > 0 {
		at := s.arrived[n-1].at
		s.arrived = append(s.arrived[:0], s.arrived[n:]...)
		if s.Hold != nil {
			if held, ok := s.Hold(); ok && held.Before(at) {
				at = held
			}
		}
		if _, err := s.Log.TrimBefore(at); err != nil {
			return err
		}
	}
	return nil
}

// Rewind implements Source.
func (s *LogSource) Rewind() {
	s.next = 0
	s.arrived = s.arrived[:0]
}
