package kds

// Stream and account settings: retention, encryption, enhanced monitoring,
// capacity mode, warm throughput, maximum record size, record distribution,
// limits and account settings.

// IncreaseStreamRetentionPeriodInput is the request of
// IncreaseStreamRetentionPeriod. The model puts no range on
// RetentionPeriodHours; the bounds (24 to 8760) are checked by the service
// and answered with InvalidArgumentException.
type IncreaseStreamRetentionPeriodInput struct {
	StreamName           *string `json:"StreamName,omitempty"`
	RetentionPeriodHours *int32  `json:"RetentionPeriodHours,omitempty"`
	StreamARN            *string `json:"StreamARN,omitempty"`
	StreamId             *string `json:"StreamId,omitempty"`
}

// IncreaseStreamRetentionPeriodOutput is the response of
// IncreaseStreamRetentionPeriod: empty.
type IncreaseStreamRetentionPeriodOutput struct{}

// Validate checks the model constraints and that a stream is named.
func (in *IncreaseStreamRetentionPeriodInput) Validate() error {
	return validateRetention(in.RetentionPeriodHours, in.StreamARN, in.StreamName)
}

// DecreaseStreamRetentionPeriodInput is the request of
// DecreaseStreamRetentionPeriod.
type DecreaseStreamRetentionPeriodInput struct {
	StreamName           *string `json:"StreamName,omitempty"`
	RetentionPeriodHours *int32  `json:"RetentionPeriodHours,omitempty"`
	StreamARN            *string `json:"StreamARN,omitempty"`
	StreamId             *string `json:"StreamId,omitempty"`
}

// DecreaseStreamRetentionPeriodOutput is the response of
// DecreaseStreamRetentionPeriod: empty.
type DecreaseStreamRetentionPeriodOutput struct{}

// Validate checks the model constraints and that a stream is named.
func (in *DecreaseStreamRetentionPeriodInput) Validate() error {
	return validateRetention(in.RetentionPeriodHours, in.StreamARN, in.StreamName)
}

func validateRetention(hours *int32, arn, name *string) error {
	var v violations
	v.required("retentionPeriodHours", hours != nil, true)
	v.str("streamARN", arn, false, shapeStreamARN)
	v.str("streamName", name, false, shapeStreamName)
	if err := v.err(); err != nil {
		return err
	}
	return needStream(name, arn)
}

// StartStreamEncryptionInput is the request of StartStreamEncryption.
// EncryptionType must be KMS, which the service checks.
type StartStreamEncryptionInput struct {
	StreamName     *string         `json:"StreamName,omitempty"`
	EncryptionType *EncryptionType `json:"EncryptionType,omitempty"`
	KeyId          *string         `json:"KeyId,omitempty"`
	StreamARN      *string         `json:"StreamARN,omitempty"`
	StreamId       *string         `json:"StreamId,omitempty"`
}

// StartStreamEncryptionOutput is the response of StartStreamEncryption:
// empty.
type StartStreamEncryptionOutput struct{}

// Validate checks the model constraints and that a stream is named.
func (in *StartStreamEncryptionInput) Validate() error {
	return validateEncryption(in.EncryptionType, in.KeyId, in.StreamARN, in.StreamName)
}

// StopStreamEncryptionInput is the request of StopStreamEncryption.
type StopStreamEncryptionInput struct {
	StreamName     *string         `json:"StreamName,omitempty"`
	EncryptionType *EncryptionType `json:"EncryptionType,omitempty"`
	KeyId          *string         `json:"KeyId,omitempty"`
	StreamARN      *string         `json:"StreamARN,omitempty"`
	StreamId       *string         `json:"StreamId,omitempty"`
}

// StopStreamEncryptionOutput is the response of StopStreamEncryption:
// empty.
type StopStreamEncryptionOutput struct{}

// Validate checks the model constraints and that a stream is named.
func (in *StopStreamEncryptionInput) Validate() error {
	return validateEncryption(in.EncryptionType, in.KeyId, in.StreamARN, in.StreamName)
}

func validateEncryption(typ *EncryptionType, keyID, arn, name *string) error {
	var v violations
	enum(&v, "encryptionType", typ, true, enumEncryption)
	v.str("keyId", keyID, true, shapeKeyID)
	v.str("streamARN", arn, false, shapeStreamARN)
	v.str("streamName", name, false, shapeStreamName)
	if err := v.err(); err != nil {
		return err
	}
	return needStream(name, arn)
}

// EnableEnhancedMonitoringInput is the request of EnableEnhancedMonitoring.
type EnableEnhancedMonitoringInput struct {
	StreamName        *string       `json:"StreamName,omitempty"`
	ShardLevelMetrics []MetricsName `json:"ShardLevelMetrics,omitzero"`
	StreamARN         *string       `json:"StreamARN,omitempty"`
	StreamId          *string       `json:"StreamId,omitempty"`
}

// EnableEnhancedMonitoringOutput is the response of
// EnableEnhancedMonitoring.
type EnableEnhancedMonitoringOutput = EnhancedMonitoringOutput

// Validate checks the model constraints and that a stream is named.
func (in *EnableEnhancedMonitoringInput) Validate() error {
	return validateMonitoring(in.ShardLevelMetrics, in.StreamARN, in.StreamName)
}

// DisableEnhancedMonitoringInput is the request of
// DisableEnhancedMonitoring.
type DisableEnhancedMonitoringInput struct {
	StreamName        *string       `json:"StreamName,omitempty"`
	ShardLevelMetrics []MetricsName `json:"ShardLevelMetrics,omitzero"`
	StreamARN         *string       `json:"StreamARN,omitempty"`
	StreamId          *string       `json:"StreamId,omitempty"`
}

// DisableEnhancedMonitoringOutput is the response of
// DisableEnhancedMonitoring.
type DisableEnhancedMonitoringOutput = EnhancedMonitoringOutput

// Validate checks the model constraints and that a stream is named.
func (in *DisableEnhancedMonitoringInput) Validate() error {
	return validateMonitoring(in.ShardLevelMetrics, in.StreamARN, in.StreamName)
}

func validateMonitoring(metrics []MetricsName, arn, name *string) error {
	var v violations
	enumList(&v, "shardLevelMetrics", metrics, true, lenMetricsList, enumMetrics)
	v.str("streamARN", arn, false, shapeStreamARN)
	v.str("streamName", name, false, shapeStreamName)
	if err := v.err(); err != nil {
		return err
	}
	return needStream(name, arn)
}

// EnhancedMonitoringOutput is the response of EnableEnhancedMonitoring and
// DisableEnhancedMonitoring (the model's shape name). Kinesis sends all
// four members; the metric lists are [] when empty and must not be nil.
type EnhancedMonitoringOutput struct {
	StreamName               *string       `json:"StreamName,omitempty"`
	CurrentShardLevelMetrics []MetricsName `json:"CurrentShardLevelMetrics"`
	DesiredShardLevelMetrics []MetricsName `json:"DesiredShardLevelMetrics"`
	StreamARN                *string       `json:"StreamARN,omitempty"`
}

// UpdateStreamModeInput is the request of UpdateStreamMode.
type UpdateStreamModeInput struct {
	StreamARN           *string            `json:"StreamARN,omitempty"`
	StreamId            *string            `json:"StreamId,omitempty"`
	StreamModeDetails   *StreamModeDetails `json:"StreamModeDetails,omitempty"`
	WarmThroughputMiBps *int32             `json:"WarmThroughputMiBps,omitempty"`
}

// UpdateStreamModeOutput is the response of UpdateStreamMode: empty.
type UpdateStreamModeOutput struct{}

// Validate checks the model constraints.
func (in *UpdateStreamModeInput) Validate() error {
	var v violations
	v.str("streamARN", in.StreamARN, true, shapeStreamARN)
	in.StreamModeDetails.validate(&v, "streamModeDetails", true)
	num(&v, "warmThroughputMiBps", in.WarmThroughputMiBps, false, rangeNatural)
	return v.err()
}

// UpdateStreamWarmThroughputInput is the request of
// UpdateStreamWarmThroughput.
type UpdateStreamWarmThroughputInput struct {
	StreamARN           *string `json:"StreamARN,omitempty"`
	StreamName          *string `json:"StreamName,omitempty"`
	StreamId            *string `json:"StreamId,omitempty"`
	WarmThroughputMiBps *int32  `json:"WarmThroughputMiBps,omitempty"`
}

// UpdateStreamWarmThroughputOutput is the response of
// UpdateStreamWarmThroughput.
type UpdateStreamWarmThroughputOutput struct {
	StreamARN      *string               `json:"StreamARN,omitempty"`
	StreamName     *string               `json:"StreamName,omitempty"`
	WarmThroughput *WarmThroughputObject `json:"WarmThroughput,omitempty"`
}

// Validate checks the model constraints and that a stream is named.
func (in *UpdateStreamWarmThroughputInput) Validate() error {
	var v violations
	v.str("streamARN", in.StreamARN, false, shapeStreamARN)
	v.str("streamName", in.StreamName, false, shapeStreamName)
	num(&v, "warmThroughputMiBps", in.WarmThroughputMiBps, true, rangeNatural)
	if err := v.err(); err != nil {
		return err
	}
	return needStream(in.StreamName, in.StreamARN)
}

// UpdateMaxRecordSizeInput is the request of UpdateMaxRecordSize. The model
// makes StreamARN optional but offers no other way to name the stream.
type UpdateMaxRecordSizeInput struct {
	StreamARN          *string `json:"StreamARN,omitempty"`
	StreamId           *string `json:"StreamId,omitempty"`
	MaxRecordSizeInKiB *int32  `json:"MaxRecordSizeInKiB,omitempty"`
}

// UpdateMaxRecordSizeOutput is the response of UpdateMaxRecordSize: empty.
type UpdateMaxRecordSizeOutput struct{}

// Validate checks the model constraints and that a stream is named.
func (in *UpdateMaxRecordSizeInput) Validate() error {
	var v violations
	num(&v, "maxRecordSizeInKiB", in.MaxRecordSizeInKiB, true, rangeMaxRecordSizeKiB)
	v.str("streamARN", in.StreamARN, false, shapeStreamARN)
	if err := v.err(); err != nil {
		return err
	}
	if in.StreamARN == nil {
		// No source for this wording was found (see validate.go, msgNoStream).
		return invalidArgument(msgNoStreamARN)
	}
	return nil
}

// UpdateStreamRecordDistributionStrategyInput is the request of
// UpdateStreamRecordDistributionStrategy.
type UpdateStreamRecordDistributionStrategyInput struct {
	StreamARN                  *string                     `json:"StreamARN,omitempty"`
	StreamId                   *string                     `json:"StreamId,omitempty"`
	RecordDistributionStrategy *RecordDistributionStrategy `json:"RecordDistributionStrategy,omitempty"`
}

// UpdateStreamRecordDistributionStrategyOutput is the response of
// UpdateStreamRecordDistributionStrategy: empty.
type UpdateStreamRecordDistributionStrategyOutput struct{}

// Validate checks the model constraints.
func (in *UpdateStreamRecordDistributionStrategyInput) Validate() error {
	var v violations
	enum(&v, "recordDistributionStrategy", in.RecordDistributionStrategy, true, enumDistribution)
	v.str("streamARN", in.StreamARN, true, shapeStreamARN)
	return v.err()
}

// DescribeLimitsInput is the request of DescribeLimits: empty.
type DescribeLimitsInput struct{}

// Validate accepts every DescribeLimits request.
func (in *DescribeLimitsInput) Validate() error { return nil }

// DescribeLimitsOutput is the response of DescribeLimits.
type DescribeLimitsOutput struct {
	ShardLimit               int32  `json:"ShardLimit"`
	OpenShardCount           int32  `json:"OpenShardCount"`
	OnDemandStreamCount      int32  `json:"OnDemandStreamCount"`
	OnDemandStreamCountLimit int32  `json:"OnDemandStreamCountLimit"`
	ChannelCount             *int32 `json:"ChannelCount,omitempty"`
	ChannelCountLimit        *int32 `json:"ChannelCountLimit,omitempty"`
}

// DescribeAccountSettingsInput is the request of DescribeAccountSettings:
// empty.
type DescribeAccountSettingsInput struct{}

// Validate accepts every DescribeAccountSettings request.
func (in *DescribeAccountSettingsInput) Validate() error { return nil }

// DescribeAccountSettingsOutput is the response of DescribeAccountSettings.
type DescribeAccountSettingsOutput struct {
	MinimumThroughputBillingCommitment *MinimumThroughputBillingCommitmentOutput `json:"MinimumThroughputBillingCommitment,omitempty"`
}

// UpdateAccountSettingsInput is the request of UpdateAccountSettings.
type UpdateAccountSettingsInput struct {
	MinimumThroughputBillingCommitment *MinimumThroughputBillingCommitmentInput `json:"MinimumThroughputBillingCommitment,omitempty"`
}

// UpdateAccountSettingsOutput is the response of UpdateAccountSettings.
type UpdateAccountSettingsOutput struct {
	MinimumThroughputBillingCommitment *MinimumThroughputBillingCommitmentOutput `json:"MinimumThroughputBillingCommitment,omitempty"`
}

// Validate checks the model constraints.
func (in *UpdateAccountSettingsInput) Validate() error {
	var v violations
	const path = "minimumThroughputBillingCommitment"
	if c := in.MinimumThroughputBillingCommitment; v.required(path, c != nil, true) {
		enum(&v, path+".status", c.Status, true, enumCommitment)
	}
	return v.err()
}

// MinimumThroughputBillingCommitmentInput is the requested commitment.
type MinimumThroughputBillingCommitmentInput struct {
	Status *MinimumThroughputBillingCommitmentInputStatus `json:"Status"`
}

// MinimumThroughputBillingCommitmentOutput is the account's commitment.
type MinimumThroughputBillingCommitmentOutput struct {
	Status               MinimumThroughputBillingCommitmentOutputStatus `json:"Status"`
	StartedAt            *Timestamp                                     `json:"StartedAt,omitempty"`
	EndedAt              *Timestamp                                     `json:"EndedAt,omitempty"`
	EarliestAllowedEndAt *Timestamp                                     `json:"EarliestAllowedEndAt,omitempty"`
}
