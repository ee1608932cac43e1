package kinesis

import (
	"context"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/protocol/kds"
)

// CreateStream creates a stream. PROVISIONED (the default mode) needs
// ShardCount; ON_DEMAND starts with 4 shards and takes no ShardCount. The
// stream is CREATING for CreateDelay (default 0), then ACTIVE. A name in use
// (also by a stream being deleted) is ResourceInUseException; shards beyond
// the account's limit are LimitExceededException.
func (e *Engine) CreateStream(ctx context.Context, in *kds.CreateStreamInput) (*kds.CreateStreamOutput, error) {
	mode := ModeProvisioned
	if in.StreamModeDetails != nil && in.StreamModeDetails.StreamMode != nil {
		mode = string(*in.StreamModeDetails.StreamMode)
	}
	var n int
	// No recording or quotation of Kinesis's answers to ShardCount with
	// ON_DEMAND, or without it for PROVISIONED, was found (CloudFormation
	// answers "ShardCount is not expected when StreamMode=ON_DEMAND", but
	// that is its resource handler's check): these wordings are Eddy's.
	switch {
	case mode == ModeOnDemand && in.ShardCount != nil:
		return nil, eddy.Errorf(eddy.CodeValidation, "ShardCount is not allowed for ON_DEMAND stream mode.")
	case mode == ModeOnDemand:
		n = e.cfg.OnDemandMinShards
	case in.ShardCount == nil:
		return nil, eddy.Errorf(eddy.CodeValidation, "ShardCount must be specified for PROVISIONED stream mode.")
	default:
		n = int(*in.ShardCount)
	}
	if len(in.Tags) > maxTags {
		return nil, eddy.Errorf(eddy.CodeInvalidArgument,
			"Failed to create stream %s under account %s because a given stream cannot have more than %d tags.", str(in.StreamName), e.cfg.AccountID, maxTags)
	}
	if in.MaxRecordSizeInKiB != nil {
		if k := int(*in.MaxRecordSizeInKiB); k < minRecordKiB || k > maxRecordKiB {
			return nil, eddy.Errorf(eddy.CodeValidation,
				"1 validation error detected: Value '%d' at 'maxRecordSizeInKiB' failed to satisfy constraint: Member must have value between %d and %d", k, minRecordKiB, maxRecordKiB)
		}
	}
	var tags map[string]string
	if len(in.Tags) > 0 {
		tags = make(map[string]string, len(in.Tags))
		for k, v := range in.Tags {
			tags[k] = v
		}
	}
	name := str(in.StreamName)
	if err := e.createStream(name, n, mode, tags); err != nil {
		return nil, err
	}
	if in.MaxRecordSizeInKiB != nil || in.WarmThroughputMiBps != nil {
		s := e.lookup(name)
		err := s.update(func(m *streamMeta) error {
			if in.MaxRecordSizeInKiB != nil {
				m.MaxRecordKiB = int(*in.MaxRecordSizeInKiB)
			}
			if in.WarmThroughputMiBps != nil {
				m.WarmMiBps = int(*in.WarmThroughputMiBps)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if in.WarmThroughputMiBps != nil && mode == ModeOnDemand {
			// The warm capacity is there at once if the stream is ACTIVE
			// (with --create-delay, at the scaler's first look after).
			e.scaleStream(s, 0)
		}
	}
	return &kds.CreateStreamOutput{}, nil
}
