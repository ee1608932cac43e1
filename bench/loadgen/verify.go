package main

import (
	"fmt"
	"sync/atomic"
)

// ledger counts, per record id in [0, n), whether its put was acknowledged
// and how many times a reader saw it. Safe for concurrent use.
type ledger struct {
	acked []atomic.Bool
	seen  []atomic.Uint32
	// seen with an id out of range, or a record that failed its check
	outOfRange, corrupt atomic.Int64
}

func newLedger(n int) *ledger {
	return &ledger{acked: make([]atomic.Bool, n), seen: make([]atomic.Uint32, n)}
}

// ack marks id acknowledged by the server.
func (l *ledger) ack(id uint64) { l.acked[id].Store(true) }

// see counts one reading of id and reports whether it was the first.
func (l *ledger) see(id uint64) bool {
	if id >= uint64(len(l.seen)) {
		l.outOfRange.Add(1)
		return false
	}
	return l.seen[id].Add(1) == 1
}

// damaged counts a record that was read but failed its check.
func (l *ledger) damaged() { l.corrupt.Add(1) }

// Verify is what a read-back found.
type Verify struct {
	Acked      int64 `json:"acked"`      // puts acknowledged
	Read       int64 `json:"read"`       // records read, duplicates included
	Lost       int64 `json:"lost"`       // acknowledged, never read
	Duplicated int64 `json:"duplicated"` // extra readings of a record
	Unacked    int64 `json:"unacked"`    // read, but their put failed or timed out (not an error)
	Corrupt    int64 `json:"corrupt"`    // read with wrong bytes or an unknown id
}

// OK reports whether every acknowledged record was read exactly once and
// intact.
func (v Verify) OK() bool { return v.Lost == 0 && v.Duplicated == 0 && v.Corrupt == 0 }

func (v Verify) String() string {
	return fmt.Sprintf("acked %d, read %d: lost %d, duplicated %d, corrupt %d, unacked but stored %d",
		v.Acked, v.Read, v.Lost, v.Duplicated, v.Corrupt, v.Unacked)
}

// result tallies the ledger. Call it once readers and writers are done.
func (l *ledger) result() Verify {
	v := Verify{Corrupt: l.corrupt.Load() + l.outOfRange.Load()}
	v.Read = v.Corrupt
	for i := range l.seen {
		s := int64(l.seen[i].Load())
		a := l.acked[i].Load()
		v.Read += s
		if a {
			v.Acked++
		}
		switch {
		case s == 0 && a:
			v.Lost++
		case s > 1:
			v.Duplicated += s - 1
		}
		if s > 0 && !a {
			v.Unacked++
		}
	}
	return v
}
