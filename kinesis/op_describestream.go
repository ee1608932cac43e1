package kinesis

import (
	"context"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/protocol/kds"
)

// DescribeStream describes a stream and pages through its shards (open and
// closed, until closed ones expire) in shard-id order: up to Limit (default
// 100, at most 10000) after ExclusiveStartShardId, with HasMoreShards.
func (e *Engine) DescribeStream(ctx context.Context, in *kds.DescribeStreamInput) (*kds.DescribeStreamOutput, error) {
	v, err := e.existingView(in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	m := &v.meta
	limit := 100
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	after := -1
	if in.ExclusiveStartShardId != nil {
		// Resolved like every shard id (shardid.go); the shard need not
		// exist. The wording for an id naming no shard is Eddy's: no
		// recording of Kinesis's answer was found.
		idx, ok := parseShardID(*in.ExclusiveStartShardId)
		if !ok {
			return nil, eddy.Errorf(eddy.CodeInvalidArgument, "Invalid ExclusiveStartShardId: %s", *in.ExclusiveStartShardId)
		}
		after = idx
	}
	shards := []kds.Shard{}
	more := false
	all := v.sortedShards()
	if m.Status == StatusCreating {
		all = nil // AWS lists no shards until the stream is ACTIVE
	}
	for _, st := range all {
		if st.meta.Index <= after {
			continue
		}
		if len(shards) == limit {
			more = true
			break
		}
		shards = append(shards, shardOut(st))
	}
	out := kds.StreamDescription{
		StreamName:              m.Name,
		StreamARN:               e.arn(m.Name),
		StreamStatus:            kds.StreamStatus(m.Status),
		StreamModeDetails:       modeDetails(m.Mode),
		Shards:                  shards,
		HasMoreShards:           more,
		RetentionPeriodHours:    int32(m.RetentionHours),
		StreamCreationTimestamp: timestamp(m.Created),
		EnhancedMonitoring:      []kds.EnhancedMetrics{{ShardLevelMetrics: metricsOut(m.Metrics)}},
		EncryptionType:          kds.EncryptionType(m.Encryption),
	}
	if m.KeyID != "" {
		out.KeyId = ptr(m.KeyID)
	}
	return &kds.DescribeStreamOutput{StreamDescription: out}, nil
}
