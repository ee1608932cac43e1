package kinesis

import (
	"context"

	"github.com/eddy-streams/eddy/protocol/kds"
)

// SplitShard closes an open shard and opens two children that divide its
// hash range at NewStartingHashKey. The stream must be ACTIVE
// (ResourceInUseException otherwise); it is UPDATING for UpdateDelay after.
func (e *Engine) SplitShard(ctx context.Context, in *kds.SplitShardInput) (*kds.SplitShardOutput, error) {
	name, err := e.resolveStream(in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	if err := e.splitShard(name, str(in.ShardToSplit), str(in.NewStartingHashKey)); err != nil {
		return nil, err
	}
	return &kds.SplitShardOutput{}, nil
}

// MergeShards closes two open shards with adjacent hash ranges and opens one
// child covering both; its parent is ShardToMerge and its adjacent parent
// AdjacentShardToMerge.
func (e *Engine) MergeShards(ctx context.Context, in *kds.MergeShardsInput) (*kds.MergeShardsOutput, error) {
	name, err := e.resolveStream(in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	if err := e.mergeShards(name, str(in.ShardToMerge), str(in.AdjacentShardToMerge)); err != nil {
		return nil, err
	}
	return &kds.MergeShardsOutput{}, nil
}

// UpdateShardCount (UNIFORM_SCALING) reshards to TargetShardCount evenly
// sized shards, between half and double the open shard count. Every open
// shard closes; each new shard records the old shards its range overlaps as
// parents (at most two, as the API's fields allow). With limits on, the
// target may not exceed the shard limit and a stream scales at most ten
// times in a rolling 24 hours (quotas.go).
func (e *Engine) UpdateShardCount(ctx context.Context, in *kds.UpdateShardCountInput) (*kds.UpdateShardCountOutput, error) {
	name, err := e.resolveStream(in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	target := 0
	if in.TargetShardCount != nil {
		target = int(*in.TargetShardCount)
	}
	undo, err := e.reserveQuota(name, quotaUpdateShardCount, func(m *streamMeta) error {
		return e.checkTargetShardCount(m, target)
	})
	if err != nil {
		return nil, err
	}
	cur, err := e.updateShardCount(name, target)
	if err != nil {
		undo()
		return nil, err
	}
	return &kds.UpdateShardCountOutput{
		StreamName:        ptr(name),
		StreamARN:         ptr(e.arn(name)),
		CurrentShardCount: ptr(int32(cur)),
		TargetShardCount:  ptr(int32(target)),
	}, nil
}
