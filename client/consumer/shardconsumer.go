package consumer

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// heldLease is a lease this worker holds, and the consumer of its shard.
// mu serializes the writes to the lease (renewals, checkpoints, release),
// each conditional on the counter the previous one left.
type heldLease struct {
	w *Worker

	mu          sync.Mutex
	l           lease
	lost        bool      // no longer held: lost, released or the worker stopped
	lastRenewed time.Time // when a write last confirmed the lease

	ctx      context.Context // the shard consumer's; cancelled when the lease is lost
	cancel   context.CancelFunc
	shutdown chan struct{} // closed by a graceful shutdown
	done     chan struct{} // closed when the shard consumer has returned
}

// loseLocked marks the lease lost and stops its consumer; h.mu is held.
func (h *heldLease) loseLocked() {
	if !h.lost {
		h.lost = true
		h.w.metrics.Add(LostLeases, h.w.dims(""), 1)
	}
	h.cancel()
}

// consume runs a shard's processor from the lease's checkpoint until the
// lease is lost, the shard ends, or the worker shuts down.
func (h *heldLease) consume() {
	w := h.w
	defer close(h.done)
	defer w.drop(h)
	ctx := h.ctx
	h.mu.Lock()
	l := h.l
	h.mu.Unlock()
	log := w.log.With("shard", l.key)

	// Parents first: a shard starts only when every parent still in the
	// lease table is checkpointed at SHARD_END.
	for _, p := range l.parents {
		for {
			pl, ok, err := w.table.get(ctx, p)
			if err == nil && (!ok || pl.done()) {
				break
			}
			if err != nil && ctx.Err() == nil {
				log.Warn("consumer: reading parent lease", "parent", p, "err", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-h.shutdown:
				h.release(context.WithoutCancel(ctx))
				return
			case <-time.After(w.cfg.ParentShardPollInterval):
			}
		}
	}

	if l.done() {
		// Checkpointed at its end by an earlier holder that did not get
		// to release it: only the release is left.
		h.finishShard(ctx, nil)
		return
	}
	proc := w.newProcessor(l.key)
	cp := &Checkpointer{h: h}
	proc.Initialize(ctx, InitializationInput{ShardID: l.key, Checkpoint: l.checkpoint.seq, SubSequenceNumber: l.checkpoint.sub})

	pos := startPosition{checkpoint: l.checkpoint, timestamp: w.cfg.InitialTimestamp}
	var r retriever
	if w.cfg.FanOut {
		r = w.newSubscriber(ctx, l.key, pos, leaseRange(&l))
	} else {
		r = w.newPoller(ctx, l.key, pos, leaseRange(&l))
	}
	defer r.stop()

	// Records up to the checkpoint come again when it is a record inside
	// an aggregate (the retriever starts AT its sequence number): skip them.
	skipUpTo := l.checkpoint
	if skipUpTo.isSentinel() {
		skipUpTo = esn{}
	}
	dims := w.dims(l.key)
	var end batch
	for !end.end {
		var b batch
		select {
		case b = <-r.batches():
		case <-ctx.Done():
			proc.LeaseLost(context.WithoutCancel(ctx), LeaseLostInput{ShardID: l.key})
			return
		case <-h.shutdown:
			proc.ShutdownRequested(ctx, ShutdownRequestedInput{ShardID: l.key, Checkpointer: cp})
			h.release(context.WithoutCancel(ctx))
			return
		}
		recs := b.records
		if skipUpTo.seq != "" {
			i := 0
			for i < len(recs) && recs[i].esn().compare(skipUpTo) <= 0 {
				i++
			}
			recs = recs[i:]
			if len(recs) > 0 {
				skipUpTo = esn{}
			}
		}
		if len(recs) > 0 {
			cp.handedOver(recs[len(recs)-1].esn())
			proc.ProcessRecords(ctx, ProcessRecordsInput{ShardID: l.key, Records: recs, MillisBehindLatest: b.millisBehind, Checkpointer: cp})
			var bytes int
			for i := range recs {
				bytes += len(recs[i].Data)
			}
			w.metrics.Add(RecordsProcessed, dims, float64(len(recs)))
			w.metrics.Add(DataBytesProcessed, dims, float64(bytes))
		}
		end = b
	}

	// The shard ended. The children's leases are made first (as the KCL's
	// ShutdownTask does), then the processor must checkpoint SHARD_END; it
	// is asked again until it does.
	h.makeChildLeases(ctx, end.children)
	cp.setShardEnd(true)
	for wait := time.Second; ; wait = min(2*wait, 30*time.Second) {
		proc.ShardEnded(ctx, ShardEndedInput{ShardID: l.key, Checkpointer: cp})
		h.mu.Lock()
		done, lost := h.l.done(), h.lost
		h.mu.Unlock()
		if lost {
			proc.LeaseLost(context.WithoutCancel(ctx), LeaseLostInput{ShardID: l.key})
			return
		}
		if done {
			break
		}
		log.Error("consumer: the record processor did not checkpoint at the end of the shard; its children cannot start", "retryIn", wait)
		select {
		case <-ctx.Done():
			proc.LeaseLost(context.WithoutCancel(ctx), LeaseLostInput{ShardID: l.key})
			return
		case <-h.shutdown:
			h.release(context.WithoutCancel(ctx))
			return
		case <-time.After(wait):
		}
	}
	h.finishShard(ctx, end.children)
}

// makeChildLeases creates the leases of a shard's children (from the
// ChildShards of its last answer), so that they wait for their parents
// in the lease table; without children it asks for a shard sync.
func (h *heldLease) makeChildLeases(ctx context.Context, children []types.ChildShard) {
	w := h.w
	if len(children) == 0 {
		w.requestSync()
		return
	}
	for _, c := range children {
		parents := slices.Clone(c.ParentShards)
		slices.Sort(parents)
		cl := lease{key: aws.ToString(c.ShardId), checkpoint: esn{seq: checkpointTrimHorizon}, parents: parents}
		if r := c.HashKeyRange; r != nil {
			cl.startingHash, cl.endingHash = aws.ToString(r.StartingHashKey), aws.ToString(r.EndingHashKey)
		}
		if _, err := w.table.create(ctx, cl); err != nil && ctx.Err() == nil {
			w.log.Warn("consumer: creating a child shard's lease; the shard sync will", "shard", cl.key, "err", err)
			w.requestSync()
		}
	}
}

// finishShard records the children in the finished shard's lease and
// releases it: nobody needs to hold it any more.
func (h *heldLease) finishShard(ctx context.Context, children []types.ChildShard) {
	var ids []string
	for _, c := range children {
		ids = append(ids, aws.ToString(c.ShardId))
	}
	slices.Sort(ids)
	h.mu.Lock()
	if len(ids) > 0 && !h.lost && !slices.Equal(ids, h.l.children) {
		if err := h.w.table.setChildren(ctx, &h.l, ids); errors.Is(err, errLeaseChanged) {
			h.loseLocked()
		}
	}
	h.mu.Unlock()
	h.release(context.WithoutCancel(ctx))
}

// release gives the lease up (leaseOwner removed) so that another worker
// can take it at once, and stops renewing it.
func (h *heldLease) release(ctx context.Context) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.lost {
		return
	}
	if err := h.w.table.release(ctx, &h.l); err != nil && !errors.Is(err, errLeaseChanged) {
		h.w.log.Warn("consumer: releasing a lease; it will expire instead", "shard", h.l.key, "err", err)
	}
	h.lost = true
	h.cancel()
}
