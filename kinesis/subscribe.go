package kinesis

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/metrics"
	"github.com/eddy-streams/eddy/protocol/kds"
	"github.com/eddy-streams/eddy/storage"
)

// Subscription is one SubscribeToShard push stream: a consumer reading a
// shard from a starting position. The transport sends the initial-response
// event, then calls StreamEvents, which sends SubscribeToShardEvents until
// the subscription's lifetime (5 minutes) ends, the shard is closed and
// fully delivered, the consumer is deregistered, or the client goes away.
//
// Records are pushed: an append to the shard wakes its subscriptions at
// once. Each subscription reads the log at its own pace into its own
// buffer, so a slow subscriber holds up neither writers nor other
// subscribers, and its memory is bounded by one event.
type Subscription struct {
	e        *Engine
	key      string
	s        *stream
	created  int64 // stream incarnation
	shard    int
	pos      uint64
	consumer string
	done     chan struct{} // closed to end it (deregistration, engine close)
	limits   *subLimits    // with Config.Limits on: pushes are paced
	started  int64         // Unix ns of the SubscribeToShard call
	token    string        // its record in a shared store (claimSubscription)
	// The consumer's metric series.
	bytesSent, recordsSent *metrics.Counter
	millisBehind           *metrics.Gauge
	once                   sync.Once
}

// subscribeTakeover is how long after a successful SubscribeToShard call
// another call for the same consumer and shard is refused with
// ResourceInUseException; after it, the new call takes the subscription
// over and the old one ends.
const subscribeTakeover = 5 * time.Second

// subscriptionEventBytes bounds the record data in one event, so events
// go out promptly and a subscriber's memory stays small.
const subscriptionEventBytes = 1 << 20

func (e *Engine) subKey(stream, consumer string, shard int) string {
	return stream + "/" + consumer + "/" + shardID(shard)
}

// subscribe checks a SubscribeToShard request and registers the
// subscription; only one may be active per consumer and shard (see
// subscribeTakeover).
func (e *Engine) subscribe(ctx context.Context, in *kds.SubscribeToShardInput) (*Subscription, error) {
	s, c, err := e.lookupConsumer(in.ConsumerARN, nil, nil)
	if err != nil {
		return nil, err
	}
	v := s.view.Load()
	name := v.meta.Name
	if st := c.status(e.now().UnixNano()); st != consumerActive {
		return nil, eddy.Errorf(eddy.CodeResourceInUse,
			"Consumer %s with creation timestamp %d under stream: %s , account %s is not in ACTIVE status.",
			c.Name, time.Unix(0, c.Created).Unix(), name, e.cfg.AccountID)
	}
	sp := in.StartingPosition
	if sp == nil || sp.Type == nil {
		return nil, eddy.Errorf(eddy.CodeInvalidArgument, "StartingPosition must be provided.")
	}
	var ts *time.Time
	if sp.Timestamp != nil {
		t := sp.Timestamp.Time()
		ts = &t
	}
	v, st, pos, err := e.startPosition(name, str(in.ShardId), string(*sp.Type), sp.SequenceNumber, ts)
	if err != nil {
		return nil, err
	}
	if dryRun(in.DryRun) {
		return nil, errDryRun()
	}
	if err := e.admit(ctx, "SubscribeToShard", name, ""); err != nil {
		return nil, err
	}
	sub := &Subscription{e: e, s: s, created: v.meta.Created, shard: st.meta.Index, pos: pos, consumer: c.Name,
		key: e.subKey(name, c.Name, st.meta.Index), done: make(chan struct{}), started: e.now().UnixNano()}
	sub.bytesSent = e.metrics.subBytes.With(name, c.Name)
	sub.recordsSent = e.metrics.subRecords.With(name, c.Name)
	sub.millisBehind = e.metrics.subMillisBehind.With(name, c.Name)
	if e.cfg.Limits == LimitsAWS {
		sub.limits = e.limits.sub(sub.key)
		sub.limits.mu.Lock()
		ok := sub.limits.calls.Take(e.now().UnixNano(), per(1, subCallsPerSec), 0)
		sub.limits.mu.Unlock()
		if !ok {
			return nil, eddy.Errorf(eddy.CodeLimitExceeded, "%s", subscribeRateMessage(c.Name, str(in.ShardId), name, e.cfg.AccountID))
		}
	}
	if err := e.claimSubscription(sub); errors.Is(err, errSubBusy) {
		return nil, eddy.Errorf(eddy.CodeResourceInUse, "Another active subscription exists for this consumer: %s:%s:%s:%s",
			e.cfg.AccountID, name, shardID(st.meta.Index), c.Name)
	} else if err != nil {
		return nil, internalf("record subscription %s: %w", sub.key, err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.mu.closed {
		return nil, storage.ErrClosed
	}
	if e.mu.subs == nil {
		e.mu.subs = map[string]*Subscription{}
	}
	if old, busy := e.mu.subs[sub.key]; busy {
		// Within 5 s of the last successful call the new one is refused;
		// later it takes over, and the old subscription ends.
		if sub.started < old.started+int64(subscribeTakeover) {
			return nil, eddy.Errorf(eddy.CodeResourceInUse, "Another active subscription exists for this consumer: %s:%s:%s:%s",
				e.cfg.AccountID, name, shardID(st.meta.Index), c.Name)
		}
		delete(e.mu.subs, sub.key)
		close(old.done)
	}
	e.mu.subs[sub.key] = sub
	return sub, nil
}

// release unregisters the subscription.
func (sub *Subscription) release() {
	sub.once.Do(func() {
		e := sub.e
		e.mu.Lock()
		if e.mu.subs[sub.key] == sub {
			delete(e.mu.subs, sub.key)
		}
		e.mu.Unlock()
		go e.unclaimSubscription(sub)
	})
}

// endSubscriptions ends every subscription of a consumer.
func (e *Engine) endSubscriptions(stream, consumer string) {
	prefix := stream + "/" + consumer + "/"
	e.mu.Lock()
	defer e.mu.Unlock()
	for k, sub := range e.mu.subs {
		if len(k) > len(prefix) && k[:len(prefix)] == prefix {
			close(sub.done)
			delete(e.mu.subs, k)
		}
	}
}

// after returns a channel closed after d on the engine's clock, and a stop.
func (e *Engine) after(d time.Duration) (<-chan struct{}, func() bool) {
	ch := make(chan struct{})
	stop := e.cfg.Clock.AfterFunc(d, func() { close(ch) })
	return ch, stop
}

// StreamEvents sends the subscription's events through send until it ends.
// It returns nil when the subscription ends normally, the *eddy.Error to
// send as an exception event when it fails (the stream or shard was
// deleted), or the error send returned.
func (sub *Subscription) StreamEvents(ctx context.Context, send func(eventType string, payload any) error) error {
	defer sub.release()
	e := sub.e
	lifetime, stopLife := e.after(e.cfg.SubscriptionLifetime)
	defer stopLife()
	var buf []byte
	sent := false
	heartbeat, stopBeat := e.after(e.cfg.SubscriptionHeartbeat)
	defer func() { stopBeat() }()
	for {
		v := sub.s.view.Load()
		if v.meta.Created != sub.created || e.lookup(v.meta.Name) != sub.s || v.meta.Status == StatusDeleting {
			return e.notFound(v.meta.Name)
		}
		st := v.shards[sub.shard]
		if st == nil {
			return eddy.Errorf(eddy.CodeResourceNotFound,
				"Shard %s in stream %s under account %s does not exist", shardID(sub.shard), v.meta.Name, e.cfg.AccountID)
		}
		if sub.limits != nil {
			// Pace pushes to the consumer's read rate on this shard.
			sub.limits.mu.Lock()
			d := sub.limits.push.Wait(e.now().UnixNano(), int64(time.Second))
			sub.limits.mu.Unlock()
			if d > 0 {
				paced, stop := e.after(d)
				select {
				case <-paced:
				case <-lifetime:
					stop()
					return nil
				case <-ctx.Done():
					stop()
					return nil
				case <-sub.done:
					stop()
					return nil
				}
			}
		}
		wake := st.waitAppend() // before reading, so no append is missed
		end, err := shardEnd(st)
		if err != nil {
			return err
		}
		recs, pos, err := readRetained(st, v, e.now(), sub.pos, end, eddy.MaxGetRecordsLimit, subscriptionEventBytes, &buf)
		if err != nil {
			return err
		}
		if err := e.openRecords(ctx, sub.s, v, st, recs, readsInto(st, &buf)); err != nil {
			return err
		}
		sub.pos = pos
		next := sub.pos
		if n := len(recs); n > 0 {
			next = recs[n-1].Seq + 1
		}
		atEnd := st.meta.Closed && next >= end
		select {
		case <-heartbeat:
			sent = false // a heartbeat is due: send even without records
		default:
		}
		if len(recs) > 0 || !sent || atEnd {
			ev := kds.SubscribeToShardEvent{Records: make([]kds.Record, len(recs))}
			for i, r := range recs {
				ev.Records[i] = kds.Record{
					SequenceNumber:              seqNum{sub.shard, r.Seq}.String(),
					ApproximateArrivalTimestamp: kds.Timestamp(r.Arrival),
					Data:                        r.Data,
					PartitionKey:                r.PartitionKey,
					EncryptionType:              recordEncryption(&r),
				}
			}
			if n := len(recs); n > 0 && next < end {
				ev.MillisBehindLatest = max(0, e.now().Sub(recs[n-1].Arrival).Milliseconds())
			}
			if atEnd {
				for _, c := range children(v, sub.shard) {
					ev.ChildShards = append(ev.ChildShards, childOut(c))
				}
			} else {
				// Resume with AFTER_SEQUENCE_NUMBER: everything before next
				// was delivered. next >= firstPosition, so next-1 >= 0.
				ev.ContinuationSequenceNumber = ptr(seqNum{sub.shard, max(next, firstPosition) - 1}.String())
			}
			if err := send("SubscribeToShardEvent", &ev); err != nil {
				return err
			}
			n := recordsSize(recs)
			sub.bytesSent.Add(float64(n))
			sub.recordsSent.Add(float64(len(recs)))
			sub.millisBehind.Set(float64(ev.MillisBehindLatest))
			if sub.limits != nil {
				sub.limits.mu.Lock()
				sub.limits.push.Charge(e.now().UnixNano(), per(int64(n), subPushBytesPerSec))
				sub.limits.mu.Unlock()
			}
			sub.pos = next
			sent = true
			stopBeat()
			heartbeat, stopBeat = e.after(e.cfg.SubscriptionHeartbeat)
			if atEnd {
				return nil
			}
			if len(recs) > 0 {
				continue // more may be waiting
			}
		}
		select {
		case <-wake:
		case <-heartbeat:
			sent = false
		case <-lifetime:
			return nil
		case <-ctx.Done():
			return nil
		case <-sub.done:
			return nil
		}
	}
}

func childOut(c childShard) kds.ChildShard {
	parents := make([]string, len(c.Parents))
	for i, p := range c.Parents {
		parents[i] = shardID(p)
	}
	return kds.ChildShard{
		ShardId:      shardID(c.Index),
		ParentShards: parents,
		HashKeyRange: kds.HashKeyRange{StartingHashKey: c.Start.String(), EndingHashKey: c.End.String()},
	}
}
