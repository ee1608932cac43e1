package kinesis

import (
	"context"
	"encoding/json"
	"github.com/eddy-streams/eddy/iam"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/protocol/kds"
)

// EnableEnhancedMonitoring turns on shard-level metrics ("ALL" for every
// one) and returns the set before and after. The enabled ones are published
// per shard (see metrics.go).
func (e *Engine) EnableEnhancedMonitoring(ctx context.Context, in *kds.EnableEnhancedMonitoringInput) (*kds.EnhancedMonitoringOutput, error) {
	return e.monitoring(in.StreamName, in.StreamARN, in.ShardLevelMetrics, true)
}

// DisableEnhancedMonitoring turns shard-level metrics off.
func (e *Engine) DisableEnhancedMonitoring(ctx context.Context, in *kds.DisableEnhancedMonitoringInput) (*kds.EnhancedMonitoringOutput, error) {
	return e.monitoring(in.StreamName, in.StreamARN, in.ShardLevelMetrics, false)
}

func (e *Engine) monitoring(sn, sa *string, metrics []kds.MetricsName, enable bool) (*kds.EnhancedMonitoringOutput, error) {
	name, err := e.resolveStream(sn, sa)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(metrics))
	for i, m := range metrics {
		names[i] = string(m)
	}
	before, after, err := e.setMetrics(name, names, enable)
	if err != nil {
		return nil, err
	}
	return &kds.EnhancedMonitoringOutput{
		StreamName:               ptr(name),
		StreamARN:                ptr(e.arn(name)),
		CurrentShardLevelMetrics: metricsOut(before),
		DesiredShardLevelMetrics: metricsOut(after),
	}, nil
}

// StartStreamEncryption encrypts the records put from now on with KeyId
// (sse.go); the stream is UPDATING for UpdateDelay. With a key service the
// key must be usable: a missing or deleted key is KMSNotFoundException, a
// disabled one KMSDisabledException, one pending deletion
// KMSInvalidStateException (the exceptions the API reference lists for
// StartStreamEncryption). Without one (Config.KeyService nil) the setting
// is recorded only.
func (e *Engine) StartStreamEncryption(ctx context.Context, in *kds.StartStreamEncryptionInput) (*kds.StartStreamEncryptionOutput, error) {
	name, err := e.resolveStream(in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	if in.EncryptionType == nil || *in.EncryptionType != EncryptionKMS {
		return nil, eddy.Errorf(eddy.CodeInvalidArgument, "Only KMS EncryptionType is supported for StartStreamEncryption.")
	}
	if e.keys != nil {
		if e.lookup(name) == nil {
			return nil, e.notFound(name)
		}
		e.forgetUsable(str(in.KeyId))
		if err := e.checkUsable(ctx, str(in.KeyId)); err != nil {
			return nil, err
		}
	}
	if err := e.setEncryption(name, EncryptionKMS, str(in.KeyId)); err != nil {
		return nil, err
	}
	return &kds.StartStreamEncryptionOutput{}, nil
}

// StopStreamEncryption turns encryption off for new records.
func (e *Engine) StopStreamEncryption(ctx context.Context, in *kds.StopStreamEncryptionInput) (*kds.StopStreamEncryptionOutput, error) {
	name, err := e.resolveStream(in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	if err := e.setEncryption(name, EncryptionNone, ""); err != nil {
		return nil, err
	}
	return &kds.StopStreamEncryptionOutput{}, nil
}

// UpdateStreamMode switches a stream between PROVISIONED and ON_DEMAND.
func (e *Engine) UpdateStreamMode(ctx context.Context, in *kds.UpdateStreamModeInput) (*kds.UpdateStreamModeOutput, error) {
	name, err := e.resolveStream(nil, in.StreamARN)
	if err != nil {
		return nil, err
	}
	if in.StreamModeDetails == nil || in.StreamModeDetails.StreamMode == nil {
		return nil, eddy.Errorf(eddy.CodeInvalidArgument, "StreamModeDetails must be provided.")
	}
	mode := string(*in.StreamModeDetails.StreamMode)
	if err := e.setMode(name, mode); err != nil {
		return nil, err
	}
	if s := e.lookup(name); s != nil && mode == ModeOnDemand {
		// An ON_DEMAND stream has at least OnDemandMinShards at once (if the
		// stream is still UPDATING, the scaler's next look sees to it).
		e.scaleStream(s, 0)
	}
	return &kds.UpdateStreamModeOutput{}, nil
}

// UpdateMaxRecordSize sets the largest record the stream accepts, 1024 to
// 10240 KiB.
func (e *Engine) UpdateMaxRecordSize(ctx context.Context, in *kds.UpdateMaxRecordSizeInput) (*kds.UpdateMaxRecordSizeOutput, error) {
	name, err := e.resolveStream(nil, in.StreamARN)
	if err != nil {
		return nil, err
	}
	if err := e.setMaxRecordSize(name, int(deref32(in.MaxRecordSizeInKiB))); err != nil {
		return nil, err
	}
	return &kds.UpdateMaxRecordSizeOutput{}, nil
}

// UpdateStreamWarmThroughput records the warm throughput to keep ready.
func (e *Engine) UpdateStreamWarmThroughput(ctx context.Context, in *kds.UpdateStreamWarmThroughputInput) (*kds.UpdateStreamWarmThroughputOutput, error) {
	name, err := e.resolveStream(in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	w := int(deref32(in.WarmThroughputMiBps))
	s := e.lookup(name)
	if s == nil {
		return nil, e.notFound(name)
	}
	// AWS: "Provisioned capacity mode streams do not support warm
	// throughput configuration." (The API reference names no error code;
	// InvalidArgumentException is its code for a request that does not
	// fit the stream.)
	if s.view.Load().meta.Mode != ModeOnDemand {
		return nil, eddy.Errorf(eddy.CodeInvalidArgument,
			"Stream %s under account %s is in PROVISIONED mode; warm throughput can only be configured for ON_DEMAND streams.", name, e.cfg.AccountID)
	}
	if err := e.setWarmThroughput(name, w); err != nil {
		return nil, err
	}
	// The capacity is there at once: a shard per MiB/s.
	e.scaleStream(s, 0)
	return &kds.UpdateStreamWarmThroughputOutput{
		StreamName:     ptr(name),
		StreamARN:      ptr(e.arn(name)),
		WarmThroughput: &kds.WarmThroughputObject{TargetMiBps: ptr(int32(w)), CurrentMiBps: ptr(int32(w))},
	}, nil
}

// UpdateStreamRecordDistributionStrategy records how records without a
// partition key are spread (AUTO) or that partition keys decide
// (USER_PARTITION_KEY).
func (e *Engine) UpdateStreamRecordDistributionStrategy(ctx context.Context, in *kds.UpdateStreamRecordDistributionStrategyInput) (*kds.UpdateStreamRecordDistributionStrategyOutput, error) {
	name, err := e.resolveStream(nil, in.StreamARN)
	if err != nil {
		return nil, err
	}
	strategy := string(kds.RecordDistributionStrategyUserPartitionKey)
	if in.RecordDistributionStrategy != nil {
		strategy = string(*in.RecordDistributionStrategy)
	}
	err = e.change(name, false, func(m *streamMeta) error {
		// AWS: setting AUTO on a PROVISIONED stream "results in an
		// InvalidArgumentException".
		if strategy == string(kds.RecordDistributionStrategyAuto) && m.Mode != ModeOnDemand {
			return eddy.Errorf(eddy.CodeInvalidArgument,
				"Record distribution strategy AUTO is not supported for stream %s under account %s in PROVISIONED mode.", name, e.cfg.AccountID)
		}
		m.Distribution = strategy
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &kds.UpdateStreamRecordDistributionStrategyOutput{}, nil
}

// PutResourcePolicy attaches a resource policy (a JSON document) to a
// stream or consumer. Policies are validated as IAM validates resource
// policies and enforced when eddy serve has identities (package iam).
func (e *Engine) PutResourcePolicy(ctx context.Context, in *kds.PutResourcePolicyInput) (*kds.PutResourcePolicyOutput, error) {
	var doc map[string]any
	if err := json.Unmarshal([]byte(str(in.Policy)), &doc); err != nil || doc["Statement"] == nil {
		return nil, eddy.Errorf(eddy.CodeInvalidArgument, "Invalid policy document: it must be a JSON object with a Statement.")
	}
	// The document is validated as IAM validates a resource policy; no
	// source records Kinesis's wording around IAM's message, so the
	// prefix is Eddy's.
	if err := iam.ValidateResourcePolicy(str(in.Policy)); err != nil {
		return nil, eddy.Errorf(eddy.CodeInvalidArgument, "Invalid policy document: %s", err)
	}
	if arn, ok := e.isConsumerARN(in.ResourceARN); ok {
		if err := e.updateConsumer(arn, func(c *consumerMeta) { c.Policy = str(in.Policy) }); err != nil {
			return nil, err
		}
		return &kds.PutResourcePolicyOutput{}, nil
	}
	name, err := e.resourceStream(in.ResourceARN)
	if err != nil {
		return nil, err
	}
	if err := e.setPolicy(name, str(in.Policy)); err != nil {
		return nil, err
	}
	return &kds.PutResourcePolicyOutput{}, nil
}

// GetResourcePolicy returns a stream's policy, "{}" when it has none.
func (e *Engine) GetResourcePolicy(ctx context.Context, in *kds.GetResourcePolicyInput) (*kds.GetResourcePolicyOutput, error) {
	if arn, ok := e.isConsumerARN(in.ResourceARN); ok {
		_, c, err := e.lookupConsumer(&arn, nil, nil)
		if err != nil {
			return nil, err
		}
		p := c.Policy
		if p == "" {
			p = "{}"
		}
		return &kds.GetResourcePolicyOutput{Policy: p}, nil
	}
	name, err := e.resourceStream(in.ResourceARN)
	if err != nil {
		return nil, err
	}
	s := e.lookup(name)
	if s == nil {
		return nil, e.notFound(name)
	}
	p := s.view.Load().meta.Policy
	if p == "" {
		p = "{}"
	}
	return &kds.GetResourcePolicyOutput{Policy: p}, nil
}

// DeleteResourcePolicy removes a stream's policy.
func (e *Engine) DeleteResourcePolicy(ctx context.Context, in *kds.DeleteResourcePolicyInput) (*kds.DeleteResourcePolicyOutput, error) {
	if arn, ok := e.isConsumerARN(in.ResourceARN); ok {
		if err := e.updateConsumer(arn, func(c *consumerMeta) { c.Policy = "" }); err != nil {
			return nil, err
		}
		return &kds.DeleteResourcePolicyOutput{}, nil
	}
	name, err := e.resourceStream(in.ResourceARN)
	if err != nil {
		return nil, err
	}
	if err := e.setPolicy(name, ""); err != nil {
		return nil, err
	}
	return &kds.DeleteResourcePolicyOutput{}, nil
}

// DescribeLimits reports the account's shard limit and use.
func (e *Engine) DescribeLimits(ctx context.Context, in *kds.DescribeLimitsInput) (*kds.DescribeLimitsOutput, error) {
	onDemand := 0
	for _, s := range e.allStreams() {
		if s.view.Load().meta.Mode == ModeOnDemand {
			onDemand++
		}
	}
	return &kds.DescribeLimitsOutput{
		ShardLimit:               int32(e.cfg.ShardLimit),
		OpenShardCount:           int32(e.openShardCount()),
		OnDemandStreamCount:      int32(onDemand),
		OnDemandStreamCountLimit: onDemandStreamLimit,
	}, nil
}

// onDemandStreamLimit is AWS's default limit of on-demand streams.
const onDemandStreamLimit = 50
