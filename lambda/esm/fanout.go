package esm

import (
	"context"
	"errors"
	"time"

	"github.com/eddy-streams/eddy/protocol/kds"
)

// Enhanced fan-out: a mapping whose EventSourceArn is a stream consumer's
// ARN reads each shard with SubscribeToShard as that consumer (Lambda API
// reference, EventSourceArn: "Amazon Kinesis – The ARN of the data stream
// or a stream consumer"), records pushed as they are put instead of
// polled. The subscription runs in its own goroutine and hands each
// event's records to the run loop, which batches, invokes and checkpoints
// them exactly as for GetRecords. When a subscription ends (its 5-minute
// lifetime, kinesis.Config.SubscriptionLifetime) the goroutine subscribes
// again AFTER_SEQUENCE_NUMBER the last event's ContinuationSequenceNumber;
// after an error (consumer deregistered, stream deleted, another
// subscription holding the shard) the run loop resets the reader, which
// subscribes again from the checkpoint after Config.PollInterval, for as
// long as the mapping runs. The event that closes a shard carries its
// ChildShards and no ContinuationSequenceNumber: the reader reports the
// end, and the children are started by the manager once their parents are
// drained, as for polled mappings.

// errNoSubscriber is the reader's error when the Source cannot subscribe.
var errNoSubscriber = errors.New("source does not serve SubscribeToShard")

// fanoutItem is what the subscription goroutine hands the run loop: one
// event's records (owned), whether it closed the shard, or an error.
type fanoutItem struct {
	recs []kds.Record
	end  bool
	err  error
}

// fanoutReader reads a shard by SubscribeToShard (see above).
type fanoutReader struct {
	p      *shardPoller
	items  chan fanoutItem
	cancel context.CancelFunc // of the running goroutine; nil when none
	done   chan struct{}
}

func newFanoutReader(p *shardPoller) *fanoutReader { return &fanoutReader{p: p} }

// start launches the subscription goroutine from the starting position
// (startPosition, run on the caller's goroutine as it reads and may save
// the checkpoint).
func (r *fanoutReader) start(ctx context.Context) error {
	p := r.p
	sub, ok := p.src.(Subscriber)
	if !ok {
		return errNoSubscriber
	}
	typ, seq, ts, err := p.startPosition()
	if err != nil {
		return err
	}
	first := kds.StartingPosition{Type: &typ, SequenceNumber: seq, Timestamp: ts}
	// Subscribing again without any event seen (none arrived before the
	// subscription ended) starts where the first one did; a LATEST start
	// has by now recorded LatestAt and becomes AT_TIMESTAMP.
	typ2, seq2, ts2, err := p.startPosition()
	if err != nil {
		return err
	}
	again := kds.StartingPosition{Type: &typ2, SequenceNumber: seq2, Timestamp: ts2}
	gctx, cancel := context.WithCancel(ctx)
	r.items, r.cancel, r.done = make(chan fanoutItem), cancel, make(chan struct{})
	go func() {
		defer close(r.done)
		r.subscribe(gctx, sub, first, again)
	}()
	return nil
}

// subscribe runs subscriptions one after the other until the shard ends,
// an error is handed over, or ctx ends.
func (r *fanoutReader) subscribe(ctx context.Context, sub Subscriber, pos, again kds.StartingPosition) {
	p := r.p
	consumerARN := p.mp.Config.EventSourceArn
	send := func(it fanoutItem) error {
		select {
		case r.items <- it:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	cont := ""
	for ctx.Err() == nil {
		if cont != "" {
			after := kds.ShardIteratorTypeAfterSequenceNumber
			pos = kds.StartingPosition{Type: &after, SequenceNumber: &cont}
		}
		end := false
		err := sub.SubscribeToShardEvents(ctx, &kds.SubscribeToShardInput{ConsumerARN: &consumerARN, ShardId: &p.shard, StartingPosition: &pos},
			func(ev *kds.SubscribeToShardEvent) error {
				end = ev.ContinuationSequenceNumber == nil
				if len(ev.Records) > 0 || end {
					recs := make([]kds.Record, len(ev.Records))
					for i, rec := range ev.Records {
						rec.Data = append([]byte(nil), rec.Data...)
						recs[i] = rec
					}
					if err := send(fanoutItem{recs: recs, end: end}); err != nil {
						return err
					}
				}
				if !end {
					cont = *ev.ContinuationSequenceNumber
				}
				return nil
			})
		if ctx.Err() != nil || end {
			return
		}
		if err != nil {
			send(fanoutItem{err: err})
			return
		}
		if cont == "" {
			pos = again
		}
	}
}

func (r *fanoutReader) next(ctx context.Context) ([]kds.Record, bool, error) {
	if r.cancel == nil {
		if err := r.start(ctx); err != nil {
			return nil, false, err
		}
	}
	t := time.NewTimer(r.p.m.cfg.PollInterval)
	defer t.Stop()
	select {
	case it := <-r.items:
		if it.err != nil {
			r.reset()
			return nil, false, it.err
		}
		if it.end {
			r.reset()
		}
		return it.recs, it.end, nil
	case <-t.C:
		return nil, false, nil
	case <-ctx.Done():
		return nil, false, nil
	}
}

// reset ends the running subscription, dropping what it read and had not
// handed over; the next read subscribes again from the checkpoint.
func (r *fanoutReader) reset() {
	if r.cancel == nil {
		return
	}
	r.cancel()
	<-r.done
	r.cancel, r.done, r.items = nil, nil, nil
}

func (r *fanoutReader) close() { r.reset() }
