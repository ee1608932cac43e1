package jetstream

import (
	"context"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/eddy-streams/eddy/storage"
)

// WatchAppends calls fn for every message stored in the log from now on,
// through any node (storage.AppendWatcher): an ordered consumer on the
// log's stream, delivering new messages' headers only, pushed by the
// stream's leader as each is stored, so a node's SubscribeToShard sees
// another node's appends within milliseconds. If the consumer cannot be
// made (the cluster is electing a leader, say), it is tried again every
// second until stop.
func (l *shardLog) WatchAppends(fn func()) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for {
			cc, err := l.consumeNew(ctx, fn)
			if err == nil {
				<-ctx.Done()
				cc.Stop()
				return
			}
			if l.deleted.Load() {
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Second):
			}
		}
	}()
	return cancel
}

func (l *shardLog) consumeNew(ctx context.Context, fn func()) (jetstream.ConsumeContext, error) {
	rctx, cancel := context.WithTimeout(ctx, l.s.c.cfg.Timeout)
	defer cancel()
	cons, err := l.stream.OrderedConsumer(rctx, jetstream.OrderedConsumerConfig{
		DeliverPolicy: jetstream.DeliverNewPolicy,
		HeadersOnly:   true,
	})
	if err != nil {
		return nil, err
	}
	cc, err := cons.Consume(func(jetstream.Msg) { fn() })
	if err != nil {
		return nil, err
	}
	// Calling fn once the consumer delivers covers an append stored
	// before it was made (called earlier, an append in between was told
	// to no one: a subscription then waited for its heartbeat).
	fn()
	return cc, nil
}

var _ storage.AppendWatcher = (*shardLog)(nil)
