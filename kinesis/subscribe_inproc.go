package kinesis

import (
	"context"

	"github.com/eddy-streams/eddy/protocol/kds"
)

// SubscribeToShardEvents is SubscribeToShard for in-process readers (the
// Lambda event source mappings' enhanced fan-out): it subscribes as
// SubscribeToShard does, then calls fn with each SubscribeToShardEvent
// until the subscription ends. It returns the subscription's error
// (*eddy.Error: the consumer, stream or shard is gone, or another
// subscription holds the shard), fn's error, or nil when the subscription
// ended normally (lifetime over, shard closed and delivered — the last
// event then carries ChildShards and no ContinuationSequenceNumber — or ctx
// ended). An event's record data is valid only during the call to fn.
func (e *Engine) SubscribeToShardEvents(ctx context.Context, in *kds.SubscribeToShardInput, fn func(*kds.SubscribeToShardEvent) error) error {
	sub, err := e.subscribe(ctx, in)
	if err != nil {
		return err
	}
	return sub.StreamEvents(ctx, func(_ string, payload any) error {
		return fn(payload.(*kds.SubscribeToShardEvent))
	})
}
