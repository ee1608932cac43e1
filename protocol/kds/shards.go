package kds

// Shards: ListShards, SplitShard, MergeShards, UpdateShardCount.

// ListShardsInput is the request of ListShards. A first page names the
// stream (StreamName or StreamARN); later pages pass only NextToken.
type ListShardsInput struct {
	StreamName              *string      `json:"StreamName,omitempty"`
	NextToken               *string      `json:"NextToken,omitempty"`
	ExclusiveStartShardId   *string      `json:"ExclusiveStartShardId,omitempty"`
	MaxResults              *int32       `json:"MaxResults,omitempty"`
	StreamCreationTimestamp *Timestamp   `json:"StreamCreationTimestamp,omitempty"`
	ShardFilter             *ShardFilter `json:"ShardFilter,omitempty"`
	StreamARN               *string      `json:"StreamARN,omitempty"`
	StreamId                *string      `json:"StreamId,omitempty"`
}

// ListShardsOutput is the response of ListShards. Shards is always sent and
// must not be nil.
type ListShardsOutput struct {
	Shards    []Shard `json:"Shards"`
	NextToken *string `json:"NextToken,omitempty"`
}

// Validate checks the model constraints and how the stream is named: by
// NextToken alone, or by StreamName or StreamARN without NextToken; a
// NextToken carries the page's ExclusiveStartShardId and ShardFilter too,
// so neither may come with it. The messages: "Either NextToken or
// StreamName should be provided." as kinesalite words it
// (mhart/kinesalite actions/listShards.js; no recording of the service
// found), and Kinesis's answers quoted in issue threads: "NextToken and
// StreamName cannot be provided together." (harlow/kinesis-consumer issue
// 109), "NextToken and StreamARN cannot be provided together."
// (aws/aws-cli issue 9635), "NextToken and
// ExclusiveStartShardId cannot be provided together."
// (awslabs/amazon-kinesis-scaling-utils pull request 82), "NextToken and
// ShardFilter cannot be provided together." (apache/beam issue 33478).
// Which of them Kinesis checks first when several apply is not known.
func (in *ListShardsInput) Validate() error {
	var v violations
	v.str("exclusiveStartShardId", in.ExclusiveStartShardId, false, shapeShardID)
	num(&v, "maxResults", in.MaxResults, false, rangeListShardsLimit)
	v.str("nextToken", in.NextToken, false, shapeNextToken)
	in.ShardFilter.validate(&v, "shardFilter")
	v.str("streamARN", in.StreamARN, false, shapeStreamARN)
	v.str("streamName", in.StreamName, false, shapeStreamName)
	if err := v.err(); err != nil {
		return err
	}
	switch {
	case in.NextToken == nil && in.StreamName == nil && in.StreamARN == nil:
		return invalidArgument(msgListShardsNoInput)
	case in.NextToken != nil && in.StreamName != nil:
		return invalidArgument("NextToken and StreamName cannot be provided together.")
	case in.NextToken != nil && in.StreamARN != nil:
		return invalidArgument("NextToken and StreamARN cannot be provided together.")
	case in.NextToken != nil && in.ExclusiveStartShardId != nil:
		return invalidArgument("NextToken and ExclusiveStartShardId cannot be provided together.")
	case in.NextToken != nil && in.ShardFilter != nil:
		return invalidArgument("NextToken and ShardFilter cannot be provided together.")
	}
	return nil
}

// ShardFilter selects the shards ListShards returns. ShardId goes with
// AFTER_SHARD_ID and Timestamp with AT_TIMESTAMP and FROM_TIMESTAMP, which
// the service checks.
type ShardFilter struct {
	Type      *ShardFilterType `json:"Type"`
	ShardId   *string          `json:"ShardId,omitempty"`
	Timestamp *Timestamp       `json:"Timestamp,omitempty"`
}

func (f *ShardFilter) validate(v *violations, path string) {
	if f == nil {
		return
	}
	v.str(path+".shardId", f.ShardId, false, shapeShardID)
	enum(v, path+".type", f.Type, true, enumShardFilter)
}

// Shard describes one shard. ParentShardId and AdjacentParentShardId are
// set for shards made by resharding; SequenceNumberRange.EndingSequenceNumber
// is set once the shard is closed.
type Shard struct {
	ShardId               string              `json:"ShardId"`
	ParentShardId         *string             `json:"ParentShardId,omitempty"`
	AdjacentParentShardId *string             `json:"AdjacentParentShardId,omitempty"`
	HashKeyRange          HashKeyRange        `json:"HashKeyRange"`
	SequenceNumberRange   SequenceNumberRange `json:"SequenceNumberRange"`
}

// HashKeyRange is an inclusive range of 128-bit hash keys, in decimal.
type HashKeyRange struct {
	StartingHashKey string `json:"StartingHashKey"`
	EndingHashKey   string `json:"EndingHashKey"`
}

// SequenceNumberRange is the range of sequence numbers of a shard;
// EndingSequenceNumber is absent while the shard is open.
type SequenceNumberRange struct {
	StartingSequenceNumber string  `json:"StartingSequenceNumber"`
	EndingSequenceNumber   *string `json:"EndingSequenceNumber,omitempty"`
}

// SplitShardInput is the request of SplitShard.
type SplitShardInput struct {
	StreamName         *string `json:"StreamName,omitempty"`
	ShardToSplit       *string `json:"ShardToSplit,omitempty"`
	NewStartingHashKey *string `json:"NewStartingHashKey,omitempty"`
	StreamARN          *string `json:"StreamARN,omitempty"`
	StreamId           *string `json:"StreamId,omitempty"`
}

// SplitShardOutput is the response of SplitShard: empty.
type SplitShardOutput struct{}

// Validate checks the model constraints and that a stream is named, in the
// order Kinesis was observed to report them: newStartingHashKey,
// streamName, shardToSplit.
func (in *SplitShardInput) Validate() error {
	var v violations
	v.str("newStartingHashKey", in.NewStartingHashKey, true, shapeHashKey)
	v.str("streamARN", in.StreamARN, false, shapeStreamARN)
	v.str("streamName", in.StreamName, false, shapeStreamName)
	v.str("shardToSplit", in.ShardToSplit, true, shapeShardID)
	if err := v.err(); err != nil {
		return err
	}
	return needStream(in.StreamName, in.StreamARN)
}

// MergeShardsInput is the request of MergeShards.
type MergeShardsInput struct {
	StreamName           *string `json:"StreamName,omitempty"`
	ShardToMerge         *string `json:"ShardToMerge,omitempty"`
	AdjacentShardToMerge *string `json:"AdjacentShardToMerge,omitempty"`
	StreamARN            *string `json:"StreamARN,omitempty"`
	StreamId             *string `json:"StreamId,omitempty"`
}

// MergeShardsOutput is the response of MergeShards: empty.
type MergeShardsOutput struct{}

// Validate checks the model constraints and that a stream is named, in the
// order Kinesis was observed to report them: shardToMerge,
// adjacentShardToMerge, streamName.
func (in *MergeShardsInput) Validate() error {
	var v violations
	v.str("shardToMerge", in.ShardToMerge, true, shapeShardID)
	v.str("adjacentShardToMerge", in.AdjacentShardToMerge, true, shapeShardID)
	v.str("streamARN", in.StreamARN, false, shapeStreamARN)
	v.str("streamName", in.StreamName, false, shapeStreamName)
	if err := v.err(); err != nil {
		return err
	}
	return needStream(in.StreamName, in.StreamARN)
}

// UpdateShardCountInput is the request of UpdateShardCount.
type UpdateShardCountInput struct {
	StreamName       *string      `json:"StreamName,omitempty"`
	TargetShardCount *int32       `json:"TargetShardCount,omitempty"`
	ScalingType      *ScalingType `json:"ScalingType,omitempty"`
	StreamARN        *string      `json:"StreamARN,omitempty"`
	StreamId         *string      `json:"StreamId,omitempty"`
}

// UpdateShardCountOutput is the response of UpdateShardCount. Kinesis sends
// every member.
type UpdateShardCountOutput struct {
	StreamName        *string `json:"StreamName,omitempty"`
	CurrentShardCount *int32  `json:"CurrentShardCount,omitempty"`
	TargetShardCount  *int32  `json:"TargetShardCount,omitempty"`
	StreamARN         *string `json:"StreamARN,omitempty"`
}

// Validate checks the model constraints and that a stream is named.
func (in *UpdateShardCountInput) Validate() error {
	var v violations
	enum(&v, "scalingType", in.ScalingType, true, enumScaling)
	v.str("streamARN", in.StreamARN, false, shapeStreamARN)
	v.str("streamName", in.StreamName, false, shapeStreamName)
	num(&v, "targetShardCount", in.TargetShardCount, true, rangePositive)
	if err := v.err(); err != nil {
		return err
	}
	return needStream(in.StreamName, in.StreamARN)
}
