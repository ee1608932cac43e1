package kinesis

import (
	"context"

	"github.com/eddy-streams/eddy/protocol/kds"
)

// DescribeStreamSummary describes a stream without listing its shards.
func (e *Engine) DescribeStreamSummary(ctx context.Context, in *kds.DescribeStreamSummaryInput) (*kds.DescribeStreamSummaryOutput, error) {
	v, err := e.existingView(in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	m := &v.meta
	out := kds.StreamDescriptionSummary{
		StreamName:              m.Name,
		StreamARN:               e.arn(m.Name),
		StreamStatus:            kds.StreamStatus(m.Status),
		StreamModeDetails:       modeDetails(m.Mode),
		RetentionPeriodHours:    int32(m.RetentionHours),
		StreamCreationTimestamp: timestamp(m.Created),
		EnhancedMonitoring:      []kds.EnhancedMetrics{{ShardLevelMetrics: metricsOut(m.Metrics)}},
		EncryptionType:          kds.EncryptionType(m.Encryption),
		OpenShardCount:          int32(len(v.open)),
		ConsumerCount:           ptr(int32(liveConsumers(m, e.now().UnixNano()))),
		MaxRecordSizeInKiB:      ptr(int32(m.MaxRecordKiB)),
	}
	if m.KeyID != "" {
		out.KeyId = ptr(m.KeyID)
	}
	if m.Distribution != "" {
		out.RecordDistributionStrategy = kds.RecordDistributionStrategy(m.Distribution)
	}
	if m.WarmMiBps > 0 {
		out.WarmThroughput = &kds.WarmThroughputObject{TargetMiBps: ptr(int32(m.WarmMiBps)), CurrentMiBps: ptr(int32(m.WarmMiBps))}
	}
	return &kds.DescribeStreamSummaryOutput{StreamDescriptionSummary: out}, nil
}
