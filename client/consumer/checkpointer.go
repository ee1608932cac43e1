package consumer

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

var (
	// ErrLeaseLost is returned by a Checkpointer whose lease this worker
	// no longer holds (another worker took it, it was released, or the
	// worker stopped): the checkpoint was not written. The KCL throws
	// ShutdownException there.
	ErrLeaseLost = errors.New("consumer: the lease is no longer held; checkpoint not written")
	// ErrInvalidCheckpoint is wrapped by the error CheckpointAt returns
	// for a position outside the range it accepts.
	ErrInvalidCheckpoint = errors.New("consumer: invalid checkpoint")
)

// Checkpointer records in the lease table how far a shard was processed.
// It is safe to call from any goroutine while the processor holds the
// shard's lease.
type Checkpointer struct {
	h *heldLease

	mu       sync.Mutex
	last     esn  // the last record handed over
	shardEnd bool // the shard ended: Checkpoint writes SHARD_END
}

// Checkpoint records that every record handed over so far was processed:
// the last record of the last batch, or, in ShardEnded, the shard's end.
// With nothing handed over yet it does nothing.
func (c *Checkpointer) Checkpoint(ctx context.Context) error {
	c.mu.Lock()
	target := c.last
	if c.shardEnd {
		target = esn{seq: checkpointShardEnd}
	}
	c.mu.Unlock()
	if target.seq == "" {
		return nil
	}
	return c.write(ctx, target)
}

// CheckpointAt records that the shard was processed up to and including
// the user record (sequenceNumber, subSequenceNumber); subSequenceNumber
// is 0 for records that were not aggregated. The position must be a
// record handed over to this processor, at or after the current
// checkpoint: anything else is an error wrapping ErrInvalidCheckpoint, and
// nothing is written.
func (c *Checkpointer) CheckpointAt(ctx context.Context, sequenceNumber string, subSequenceNumber int64) error {
	if err := validSequenceNumber(sequenceNumber); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidCheckpoint, err)
	}
	if subSequenceNumber < 0 {
		return fmt.Errorf("%w: subsequence number %d is negative", ErrInvalidCheckpoint, subSequenceNumber)
	}
	target := esn{seq: sequenceNumber, sub: subSequenceNumber}
	c.mu.Lock()
	last := c.last
	c.mu.Unlock()
	c.h.mu.Lock()
	current := c.h.l.checkpoint
	c.h.mu.Unlock()
	// The KCL's words (RecordProcessorCheckpointer.checkpoint).
	if last.seq == "" || target.compare(last) > 0 || target.compare(current) < 0 {
		return fmt.Errorf("%w: could not checkpoint at extended sequence number %s as it did not fall into acceptable range "+
			"between the last checkpoint %s and the greatest extended sequence number passed to this record processor %s",
			ErrInvalidCheckpoint, target, current, last)
	}
	return c.write(ctx, target)
}

func (c *Checkpointer) write(ctx context.Context, target esn) error {
	h := c.h
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.lost {
		return ErrLeaseLost
	}
	if target.compare(h.l.checkpoint) == 0 {
		return nil
	}
	err := h.w.table.checkpoint(ctx, &h.l, target)
	if errors.Is(err, errLeaseChanged) {
		h.loseLocked()
		return ErrLeaseLost
	}
	return err
}

// handedOver records the last record of a batch about to be delivered.
func (c *Checkpointer) handedOver(e esn) {
	c.mu.Lock()
	c.last = e
	c.mu.Unlock()
}

func (c *Checkpointer) setShardEnd(v bool) {
	c.mu.Lock()
	c.shardEnd = v
	c.mu.Unlock()
}
