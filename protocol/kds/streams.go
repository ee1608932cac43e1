package kds

// Stream lifecycle and description: CreateStream, DeleteStream,
// DescribeStream, DescribeStreamSummary, ListStreams.

// CreateStreamInput is the request of CreateStream. ShardCount is optional:
// an on-demand stream needs none and a provisioned stream without one is
// rejected by the service, not by the model.
type CreateStreamInput struct {
	StreamName                 *string                     `json:"StreamName,omitempty"`
	ShardCount                 *int32                      `json:"ShardCount,omitempty"`
	StreamModeDetails          *StreamModeDetails          `json:"StreamModeDetails,omitempty"`
	Tags                       map[string]string           `json:"Tags,omitzero"`
	WarmThroughputMiBps        *int32                      `json:"WarmThroughputMiBps,omitempty"`
	MaxRecordSizeInKiB         *int32                      `json:"MaxRecordSizeInKiB,omitempty"`
	RecordDistributionStrategy *RecordDistributionStrategy `json:"RecordDistributionStrategy,omitempty"`
}

// CreateStreamOutput is the response of CreateStream: empty.
type CreateStreamOutput struct{}

// Validate checks the model constraints.
func (in *CreateStreamInput) Validate() error {
	var v violations
	num(&v, "maxRecordSizeInKiB", in.MaxRecordSizeInKiB, false, rangeMaxRecordSizeKiB)
	enum(&v, "recordDistributionStrategy", in.RecordDistributionStrategy, false, enumDistribution)
	num(&v, "shardCount", in.ShardCount, false, rangePositive)
	in.StreamModeDetails.validate(&v, "streamModeDetails", false)
	v.str("streamName", in.StreamName, true, shapeStreamName)
	v.strMap("tags", in.Tags, false, lenTagMap, shapeTagKey, shapeTagValue)
	num(&v, "warmThroughputMiBps", in.WarmThroughputMiBps, false, rangeNatural)
	return v.err()
}

// DeleteStreamInput is the request of DeleteStream.
type DeleteStreamInput struct {
	StreamName              *string `json:"StreamName,omitempty"`
	EnforceConsumerDeletion *bool   `json:"EnforceConsumerDeletion,omitempty"`
	StreamARN               *string `json:"StreamARN,omitempty"`
	StreamId                *string `json:"StreamId,omitempty"`
}

// DeleteStreamOutput is the response of DeleteStream: empty.
type DeleteStreamOutput struct{}

// Validate checks the model constraints and that a stream is named.
func (in *DeleteStreamInput) Validate() error {
	var v violations
	v.str("streamARN", in.StreamARN, false, shapeStreamARN)
	v.str("streamName", in.StreamName, false, shapeStreamName)
	if err := v.err(); err != nil {
		return err
	}
	return needStream(in.StreamName, in.StreamARN)
}

// DescribeStreamInput is the request of DescribeStream.
type DescribeStreamInput struct {
	StreamName            *string `json:"StreamName,omitempty"`
	Limit                 *int32  `json:"Limit,omitempty"`
	ExclusiveStartShardId *string `json:"ExclusiveStartShardId,omitempty"`
	StreamARN             *string `json:"StreamARN,omitempty"`
	StreamId              *string `json:"StreamId,omitempty"`
}

// DescribeStreamOutput is the response of DescribeStream.
type DescribeStreamOutput struct {
	StreamDescription StreamDescription `json:"StreamDescription"`
}

// Validate checks the model constraints and that a stream is named.
func (in *DescribeStreamInput) Validate() error {
	var v violations
	num(&v, "limit", in.Limit, false, rangeDescribeStreamLim) // observed first
	v.str("exclusiveStartShardId", in.ExclusiveStartShardId, false, shapeShardID)
	v.str("streamARN", in.StreamARN, false, shapeStreamARN)
	v.str("streamName", in.StreamName, false, shapeStreamName)
	if err := v.err(); err != nil {
		return err
	}
	return needStream(in.StreamName, in.StreamARN)
}

// DescribeStreamSummaryInput is the request of DescribeStreamSummary.
type DescribeStreamSummaryInput struct {
	StreamName *string `json:"StreamName,omitempty"`
	StreamARN  *string `json:"StreamARN,omitempty"`
	StreamId   *string `json:"StreamId,omitempty"`
}

// DescribeStreamSummaryOutput is the response of DescribeStreamSummary.
type DescribeStreamSummaryOutput struct {
	StreamDescriptionSummary StreamDescriptionSummary `json:"StreamDescriptionSummary"`
}

// Validate checks the model constraints and that a stream is named.
func (in *DescribeStreamSummaryInput) Validate() error {
	var v violations
	v.str("streamARN", in.StreamARN, false, shapeStreamARN)
	v.str("streamName", in.StreamName, false, shapeStreamName)
	if err := v.err(); err != nil {
		return err
	}
	return needStream(in.StreamName, in.StreamARN)
}

// ListStreamsInput is the request of ListStreams.
type ListStreamsInput struct {
	Limit                    *int32  `json:"Limit,omitempty"`
	ExclusiveStartStreamName *string `json:"ExclusiveStartStreamName,omitempty"`
	NextToken                *string `json:"NextToken,omitempty"`
}

// ListStreamsOutput is the response of ListStreams. StreamNames and
// StreamSummaries are always sent, as [] when there are no streams: set
// them to empty slices, not nil.
type ListStreamsOutput struct {
	StreamNames     []string        `json:"StreamNames"`
	HasMoreStreams  bool            `json:"HasMoreStreams"`
	NextToken       *string         `json:"NextToken,omitempty"`
	StreamSummaries []StreamSummary `json:"StreamSummaries"`
}

// Validate checks the model constraints.
func (in *ListStreamsInput) Validate() error {
	var v violations
	num(&v, "limit", in.Limit, false, rangeListStreamsLimit) // observed first
	v.str("exclusiveStartStreamName", in.ExclusiveStartStreamName, false, shapeStreamName)
	v.str("nextToken", in.NextToken, false, shapeNextToken)
	return v.err()
}

// StreamDescription describes a stream and a page of its shards
// (DescribeStream). Every member but StreamModeDetails, EncryptionType and
// KeyId is required; Kinesis also always sends EncryptionType ("NONE" when
// unencrypted). Shards and EnhancedMonitoring must not be nil.
type StreamDescription struct {
	StreamName              string             `json:"StreamName"`
	StreamARN               string             `json:"StreamARN"`
	StreamStatus            StreamStatus       `json:"StreamStatus"`
	StreamModeDetails       *StreamModeDetails `json:"StreamModeDetails,omitempty"`
	Shards                  []Shard            `json:"Shards"`
	HasMoreShards           bool               `json:"HasMoreShards"`
	RetentionPeriodHours    int32              `json:"RetentionPeriodHours"`
	StreamCreationTimestamp Timestamp          `json:"StreamCreationTimestamp"`
	EnhancedMonitoring      []EnhancedMetrics  `json:"EnhancedMonitoring"`
	EncryptionType          EncryptionType     `json:"EncryptionType,omitempty"`
	KeyId                   *string            `json:"KeyId,omitempty"`
}

// StreamDescriptionSummary describes a stream without its shards
// (DescribeStreamSummary). Kinesis always sends EncryptionType,
// ConsumerCount and StreamModeDetails as well as the required members;
// EnhancedMonitoring must not be nil.
type StreamDescriptionSummary struct {
	StreamName                 string                     `json:"StreamName"`
	StreamARN                  string                     `json:"StreamARN"`
	StreamId                   *string                    `json:"StreamId,omitempty"`
	StreamStatus               StreamStatus               `json:"StreamStatus"`
	StreamModeDetails          *StreamModeDetails         `json:"StreamModeDetails,omitempty"`
	RetentionPeriodHours       int32                      `json:"RetentionPeriodHours"`
	StreamCreationTimestamp    Timestamp                  `json:"StreamCreationTimestamp"`
	EnhancedMonitoring         []EnhancedMetrics          `json:"EnhancedMonitoring"`
	EncryptionType             EncryptionType             `json:"EncryptionType,omitempty"`
	KeyId                      *string                    `json:"KeyId,omitempty"`
	OpenShardCount             int32                      `json:"OpenShardCount"`
	ConsumerCount              *int32                     `json:"ConsumerCount,omitempty"`
	WarmThroughput             *WarmThroughputObject      `json:"WarmThroughput,omitempty"`
	MaxRecordSizeInKiB         *int32                     `json:"MaxRecordSizeInKiB,omitempty"`
	ChannelCount               *int32                     `json:"ChannelCount,omitempty"`
	RecordDistributionStrategy RecordDistributionStrategy `json:"RecordDistributionStrategy,omitempty"`
}

// StreamSummary is one stream of ListStreams.
type StreamSummary struct {
	StreamName              string             `json:"StreamName"`
	StreamARN               string             `json:"StreamARN"`
	StreamStatus            StreamStatus       `json:"StreamStatus"`
	StreamModeDetails       *StreamModeDetails `json:"StreamModeDetails,omitempty"`
	StreamCreationTimestamp *Timestamp         `json:"StreamCreationTimestamp,omitempty"`
}

// StreamModeDetails holds a stream's capacity mode. StreamMode is required;
// it is a pointer because the shape is also an input.
type StreamModeDetails struct {
	StreamMode *StreamMode `json:"StreamMode"`
}

// validate checks a StreamModeDetails member at path.
func (d *StreamModeDetails) validate(v *violations, path string, req bool) {
	if !v.required(path, d != nil, req) {
		return
	}
	enum(v, path+".streamMode", d.StreamMode, true, enumStreamMode)
}

// EnhancedMetrics lists the shard-level metrics enabled on a stream.
// Kinesis sends ShardLevelMetrics as [] when none are: it must not be nil.
type EnhancedMetrics struct {
	ShardLevelMetrics []MetricsName `json:"ShardLevelMetrics"`
}

// WarmThroughputObject is an on-demand stream's warm throughput.
type WarmThroughputObject struct {
	TargetMiBps  *int32 `json:"TargetMiBps,omitempty"`
	CurrentMiBps *int32 `json:"CurrentMiBps,omitempty"`
}
