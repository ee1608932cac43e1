package kds

// Enums of the Kinesis model. An enum member of an output is the enum type
// itself (the empty string is absent); an enum member of an input is a
// pointer, so that an absent value and an empty one are told apart in
// validation messages ("Value null" versus "Value ''").

// StreamStatus is the state of a stream.
type StreamStatus string

// StreamStatus values.
const (
	StreamStatusCreating StreamStatus = "CREATING"
	StreamStatusDeleting StreamStatus = "DELETING"
	StreamStatusActive   StreamStatus = "ACTIVE"
	StreamStatusUpdating StreamStatus = "UPDATING"
)

// StreamMode is a stream's capacity mode.
type StreamMode string

// StreamMode values.
const (
	StreamModeProvisioned StreamMode = "PROVISIONED"
	StreamModeOnDemand    StreamMode = "ON_DEMAND"
)

// ShardIteratorType says where a shard iterator or a SubscribeToShard
// subscription starts.
type ShardIteratorType string

// ShardIteratorType values.
const (
	ShardIteratorTypeAtSequenceNumber    ShardIteratorType = "AT_SEQUENCE_NUMBER"
	ShardIteratorTypeAfterSequenceNumber ShardIteratorType = "AFTER_SEQUENCE_NUMBER"
	ShardIteratorTypeTrimHorizon         ShardIteratorType = "TRIM_HORIZON"
	ShardIteratorTypeLatest              ShardIteratorType = "LATEST"
	ShardIteratorTypeAtTimestamp         ShardIteratorType = "AT_TIMESTAMP"
)

// EncryptionType is the server-side encryption of a stream or record.
type EncryptionType string

// EncryptionType values.
const (
	EncryptionTypeNone EncryptionType = "NONE"
	EncryptionTypeKMS  EncryptionType = "KMS"
)

// ShardFilterType selects the shards ListShards returns.
type ShardFilterType string

// ShardFilterType values.
const (
	ShardFilterTypeAfterShardID    ShardFilterType = "AFTER_SHARD_ID"
	ShardFilterTypeAtTrimHorizon   ShardFilterType = "AT_TRIM_HORIZON"
	ShardFilterTypeFromTrimHorizon ShardFilterType = "FROM_TRIM_HORIZON"
	ShardFilterTypeAtLatest        ShardFilterType = "AT_LATEST"
	ShardFilterTypeAtTimestamp     ShardFilterType = "AT_TIMESTAMP"
	ShardFilterTypeFromTimestamp   ShardFilterType = "FROM_TIMESTAMP"
)

// ScalingType is how UpdateShardCount reshards.
type ScalingType string

// ScalingType values.
const (
	ScalingTypeUniformScaling ScalingType = "UNIFORM_SCALING"
)

// MetricsName is a shard-level CloudWatch metric.
type MetricsName string

// MetricsName values.
const (
	MetricsNameIncomingBytes                      MetricsName = "IncomingBytes"
	MetricsNameIncomingRecords                    MetricsName = "IncomingRecords"
	MetricsNameOutgoingBytes                      MetricsName = "OutgoingBytes"
	MetricsNameOutgoingRecords                    MetricsName = "OutgoingRecords"
	MetricsNameWriteProvisionedThroughputExceeded MetricsName = "WriteProvisionedThroughputExceeded"
	MetricsNameReadProvisionedThroughputExceeded  MetricsName = "ReadProvisionedThroughputExceeded"
	MetricsNameIteratorAgeMilliseconds            MetricsName = "IteratorAgeMilliseconds"
	MetricsNameAll                                MetricsName = "ALL"
)

// ConsumerStatus is the state of a registered stream consumer.
type ConsumerStatus string

// ConsumerStatus values.
const (
	ConsumerStatusCreating ConsumerStatus = "CREATING"
	ConsumerStatusDeleting ConsumerStatus = "DELETING"
	ConsumerStatusActive   ConsumerStatus = "ACTIVE"
)

// RecordDistributionStrategy is how an on-demand stream assigns records to
// shards.
type RecordDistributionStrategy string

// RecordDistributionStrategy values.
const (
	// RecordDistributionStrategyAuto spreads records evenly and ignores
	// partition keys and explicit hash keys.
	RecordDistributionStrategyAuto RecordDistributionStrategy = "AUTO"
	// RecordDistributionStrategyUserPartitionKey hashes the partition key
	// (the default).
	RecordDistributionStrategyUserPartitionKey RecordDistributionStrategy = "USER_PARTITION_KEY"
)

// MinimumThroughputBillingCommitmentInputStatus is the requested state of
// the account's minimum throughput billing commitment.
type MinimumThroughputBillingCommitmentInputStatus string

// MinimumThroughputBillingCommitmentInputStatus values.
const (
	MinimumThroughputBillingCommitmentInputStatusEnabled  MinimumThroughputBillingCommitmentInputStatus = "ENABLED"
	MinimumThroughputBillingCommitmentInputStatusDisabled MinimumThroughputBillingCommitmentInputStatus = "DISABLED"
)

// MinimumThroughputBillingCommitmentOutputStatus is the current state of
// the account's minimum throughput billing commitment.
type MinimumThroughputBillingCommitmentOutputStatus string

// MinimumThroughputBillingCommitmentOutputStatus values.
const (
	MinimumThroughputBillingCommitmentOutputStatusEnabled                        MinimumThroughputBillingCommitmentOutputStatus = "ENABLED"
	MinimumThroughputBillingCommitmentOutputStatusDisabled                       MinimumThroughputBillingCommitmentOutputStatus = "DISABLED"
	MinimumThroughputBillingCommitmentOutputStatusEnabledUntilEarliestAllowedEnd MinimumThroughputBillingCommitmentOutputStatus = "ENABLED_UNTIL_EARLIEST_ALLOWED_END"
)

// The enum value sets in the order Kinesis lists them in a validation
// message. ShardIteratorType's order is the one the service was observed
// to print; the others are in model order, the service's order for them
// not being known.
var (
	enumStreamMode = enumOf(StreamModeProvisioned, StreamModeOnDemand)
	enumIterator   = enumOf(ShardIteratorTypeAfterSequenceNumber, ShardIteratorTypeLatest,
		ShardIteratorTypeAtTimestamp, ShardIteratorTypeAtSequenceNumber, ShardIteratorTypeTrimHorizon)
	enumEncryption  = enumOf(EncryptionTypeNone, EncryptionTypeKMS)
	enumShardFilter = enumOf(ShardFilterTypeAfterShardID, ShardFilterTypeAtTrimHorizon,
		ShardFilterTypeFromTrimHorizon, ShardFilterTypeAtLatest, ShardFilterTypeAtTimestamp,
		ShardFilterTypeFromTimestamp)
	enumScaling = enumOf(ScalingTypeUniformScaling)
	enumMetrics = enumOf(MetricsNameIncomingBytes, MetricsNameIncomingRecords,
		MetricsNameOutgoingBytes, MetricsNameOutgoingRecords,
		MetricsNameWriteProvisionedThroughputExceeded, MetricsNameReadProvisionedThroughputExceeded,
		MetricsNameIteratorAgeMilliseconds, MetricsNameAll)
	enumDistribution = enumOf(RecordDistributionStrategyAuto, RecordDistributionStrategyUserPartitionKey)
	enumCommitment   = enumOf(MinimumThroughputBillingCommitmentInputStatusEnabled,
		MinimumThroughputBillingCommitmentInputStatusDisabled)
)
