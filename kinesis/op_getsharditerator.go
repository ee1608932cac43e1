package kinesis

import (
	"context"
	"time"

	"github.com/eddy-streams/eddy/protocol/kds"
)

// GetShardIterator returns an iterator for one of the five starting
// positions. Iterators are opaque, authenticated, bound to the stream
// incarnation and shard, and expire after 5 minutes; they survive restarts.
// A sequence number from another shard, or not from this stream, is
// InvalidArgumentException.
func (e *Engine) GetShardIterator(ctx context.Context, in *kds.GetShardIteratorInput) (*kds.GetShardIteratorOutput, error) {
	name, err := e.resolveStream(in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	var ts *time.Time
	if in.Timestamp != nil {
		t := in.Timestamp.Time()
		ts = &t
	}
	var typ string
	if in.ShardIteratorType != nil {
		typ = string(*in.ShardIteratorType)
	}
	if dryRun(in.DryRun) {
		if _, _, _, err := e.startPosition(name, str(in.ShardId), typ, in.StartingSequenceNumber, ts); err != nil {
			return nil, err
		}
		return nil, errDryRun()
	}
	it, err := e.getShardIterator(ctx, name, str(in.ShardId), typ, in.StartingSequenceNumber, ts)
	if err != nil {
		return nil, err
	}
	return &kds.GetShardIteratorOutput{ShardIterator: it}, nil
}
