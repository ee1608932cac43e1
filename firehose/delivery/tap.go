package delivery

import (
	"context"
	"fmt"
	"time"

	"github.com/eddy-streams/eddy/firehose"
	"github.com/eddy-streams/eddy/storage"
)

// Tap reads the records put into a DirectPut delivery stream from the
// moment it is opened, for a reader other than the stream's delivery: an
// analytics application whose input is the delivery stream. It is a
// Source whose position is not stored: a reader that stops and opens a
// tap again starts from the records put after that (an analytics input
// from a delivery stream starts NOW). While it is open, the delivery does
// not trim from the stream's log the records the tap has read and not
// committed, nor those it has not read yet.
type Tap struct {
	r     *Runner
	ds    firehose.DeliveryStream
	log   storage.ShardLog
	sig   *Signal
	next  uint64 // the next position to read
	done  uint64 // the last position committed
	reads []arrival
}

// Tap opens a tap on the DirectPut delivery stream name of region.
func (r *Runner) Tap(region, name string) (*Tap, error) {
	all, err := r.cfg.Streams.DeliveryStreams(region)
	if err != nil {
		return nil, err
	}
	for _, ds := range all {
		if ds.Name != name || ds.Status != "ACTIVE" {
			continue
		}
		if ds.LogID == "" {
			return nil, fmt.Errorf("delivery stream %s reads a Kinesis stream: read that stream instead", name)
		}
		lg, err := r.cfg.Streams.OpenLog(ds)
		if err != nil {
			return nil, err
		}
		t := &Tap{r: r, ds: ds, log: lg, sig: &Signal{}}
		// Held from now, before the end is read: what is put from here on
		// stays until the tap reads it.
		r.mu.Lock()
		if r.taps[ds.LogID] == nil {
			r.taps[ds.LogID] = map[*Tap]time.Time{}
		}
		r.taps[ds.LogID][t] = time.Now()
		r.mu.Unlock()
		b, err := lg.Bounds()
		if err != nil {
			t.Close()
			return nil, err
		}
		t.next, t.done = b.Next, b.Next-1
		return t, nil
	}
	return nil, fmt.Errorf("no ACTIVE delivery stream %s in %s", name, region)
}

// ARN is the tapped delivery stream's ARN.
func (t *Tap) ARN() string { return t.ds.ARN }

// Read implements Source.
func (t *Tap) Read(ctx context.Context, max int, wait time.Duration) ([]Record, error) {
	deadline := time.Now().Add(wait)
	for {
		woken := t.sig.C() // before the read: an append after it wakes us
		recs, err := t.log.Read(t.next, max, readBytes)
		if err != nil {
			return nil, err
		}
		if len(recs) > 0 {
			out := make([]Record, len(recs))
			created := t.ds.Created
			for i, rec := range recs {
				out[i] = Record{Pos: rec.Seq, ID: firehose.RecordID(created, rec.Seq), Data: rec.Data, Arrival: rec.Arrival}
				t.reads = append(t.reads, arrival{rec.Seq, rec.Arrival})
			}
			t.next = recs[len(recs)-1].Seq + 1
			return out, nil
		}
		left := time.Until(deadline)
		if left <= 0 {
			return nil, nil
		}
		timer := time.NewTimer(left)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, ctx.Err()
		case <-timer.C:
		case <-woken:
			timer.Stop()
		}
	}
}

// Commit implements Source: the records up to pos may be trimmed.
func (t *Tap) Commit(pos uint64) error {
	n := 0
	for n < len(t.reads) && t.reads[n].pos <= pos {
		n++
	}
	if n == 0 {
		return nil
	}
	// Records that arrived before the last one committed are done with.
	at := t.reads[n-1].at
	t.reads = append(t.reads[:0], t.reads[n:]...)
	t.done = pos
	t.r.mu.Lock()
	if held, ok := t.r.taps[t.ds.LogID]; ok {
		if _, ok := held[t]; ok {
			held[t] = at
		}
	}
	t.r.mu.Unlock()
	return nil
}

// Rewind implements Source: the next Read starts after the last commit.
func (t *Tap) Rewind() {
	t.next = t.done + 1
	t.reads = t.reads[:0]
}

// Close releases what the tap holds.
func (t *Tap) Close() {
	t.r.mu.Lock()
	defer t.r.mu.Unlock()
	if held := t.r.taps[t.ds.LogID]; held != nil {
		delete(held, t)
		if len(held) == 0 {
			delete(t.r.taps, t.ds.LogID)
		}
	}
}

// heldBefore returns the earliest arrival time a tap on logID still
// needs, and false when no tap holds the log.
func (r *Runner) heldBefore(logID string) (time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var min time.Time
	for _, at := range r.taps[logID] {
		if min.IsZero() || at.Before(min) {
			min = at
		}
	}
	return min, !min.IsZero()
}
