package kds

import (
	"slices"
	"strings"
)

// TargetPrefix is the X-Amz-Target prefix of the Kinesis API: a request
// for PutRecords carries "X-Amz-Target: Kinesis_20131202.PutRecords".
const TargetPrefix = "Kinesis_20131202"

// Input is the request of an operation.
type Input interface {
	// Validate checks the request against the model's constraints and the
	// purely syntactic rules of the operation (which members name the
	// stream). It returns nil or an *eddy.Error: ValidationException for
	// model constraints, InvalidArgumentException for the rules. It does
	// not look at server state.
	Validate() error
}

// Operation is one operation of the API and the means to make its request
// and response shapes.
type Operation struct {
	// Name is the operation's name, as in X-Amz-Target.
	Name string
	// NewInput returns a new, empty request, ready to be decoded into.
	NewInput func() Input
	// NewOutput returns a new, empty response.
	NewOutput func() any
}

// op makes the Operation for name from its input and output types.
func op[I any, PI interface {
	*I
	Input
}, O any](name string) Operation {
	return Operation{
		Name:      name,
		NewInput:  func() Input { return PI(new(I)) },
		NewOutput: func() any { return new(O) },
	}
}

var operations = []Operation{
	op[AddTagsToStreamInput, *AddTagsToStreamInput, AddTagsToStreamOutput]("AddTagsToStream"),
	op[CreateChannelInput, *CreateChannelInput, CreateChannelOutput]("CreateChannel"),
	op[CreateStreamInput, *CreateStreamInput, CreateStreamOutput]("CreateStream"),
	op[DecreaseStreamRetentionPeriodInput, *DecreaseStreamRetentionPeriodInput, DecreaseStreamRetentionPeriodOutput]("DecreaseStreamRetentionPeriod"),
	op[DeleteChannelInput, *DeleteChannelInput, DeleteChannelOutput]("DeleteChannel"),
	op[DeleteResourcePolicyInput, *DeleteResourcePolicyInput, DeleteResourcePolicyOutput]("DeleteResourcePolicy"),
	op[DeleteStreamInput, *DeleteStreamInput, DeleteStreamOutput]("DeleteStream"),
	op[DeregisterStreamConsumerInput, *DeregisterStreamConsumerInput, DeregisterStreamConsumerOutput]("DeregisterStreamConsumer"),
	op[DescribeAccountSettingsInput, *DescribeAccountSettingsInput, DescribeAccountSettingsOutput]("DescribeAccountSettings"),
	op[DescribeChannelInput, *DescribeChannelInput, DescribeChannelOutput]("DescribeChannel"),
	op[DescribeLimitsInput, *DescribeLimitsInput, DescribeLimitsOutput]("DescribeLimits"),
	op[DescribeStreamInput, *DescribeStreamInput, DescribeStreamOutput]("DescribeStream"),
	op[DescribeStreamConsumerInput, *DescribeStreamConsumerInput, DescribeStreamConsumerOutput]("DescribeStreamConsumer"),
	op[DescribeStreamSummaryInput, *DescribeStreamSummaryInput, DescribeStreamSummaryOutput]("DescribeStreamSummary"),
	op[DisableEnhancedMonitoringInput, *DisableEnhancedMonitoringInput, DisableEnhancedMonitoringOutput]("DisableEnhancedMonitoring"),
	op[EnableEnhancedMonitoringInput, *EnableEnhancedMonitoringInput, EnableEnhancedMonitoringOutput]("EnableEnhancedMonitoring"),
	op[GetRecordsInput, *GetRecordsInput, GetRecordsOutput]("GetRecords"),
	op[GetResourcePolicyInput, *GetResourcePolicyInput, GetResourcePolicyOutput]("GetResourcePolicy"),
	op[GetShardIteratorInput, *GetShardIteratorInput, GetShardIteratorOutput]("GetShardIterator"),
	op[IncreaseStreamRetentionPeriodInput, *IncreaseStreamRetentionPeriodInput, IncreaseStreamRetentionPeriodOutput]("IncreaseStreamRetentionPeriod"),
	op[ListChannelsInput, *ListChannelsInput, ListChannelsOutput]("ListChannels"),
	op[ListShardsInput, *ListShardsInput, ListShardsOutput]("ListShards"),
	op[ListStreamConsumersInput, *ListStreamConsumersInput, ListStreamConsumersOutput]("ListStreamConsumers"),
	op[ListStreamsInput, *ListStreamsInput, ListStreamsOutput]("ListStreams"),
	op[ListTagsForResourceInput, *ListTagsForResourceInput, ListTagsForResourceOutput]("ListTagsForResource"),
	op[ListTagsForStreamInput, *ListTagsForStreamInput, ListTagsForStreamOutput]("ListTagsForStream"),
	op[MergeShardsInput, *MergeShardsInput, MergeShardsOutput]("MergeShards"),
	op[PutRecordInput, *PutRecordInput, PutRecordOutput]("PutRecord"),
	op[PutRecordsInput, *PutRecordsInput, PutRecordsOutput]("PutRecords"),
	op[PutResourcePolicyInput, *PutResourcePolicyInput, PutResourcePolicyOutput]("PutResourcePolicy"),
	op[RegisterStreamConsumerInput, *RegisterStreamConsumerInput, RegisterStreamConsumerOutput]("RegisterStreamConsumer"),
	op[RemoveTagsFromStreamInput, *RemoveTagsFromStreamInput, RemoveTagsFromStreamOutput]("RemoveTagsFromStream"),
	op[SplitShardInput, *SplitShardInput, SplitShardOutput]("SplitShard"),
	op[StartStreamEncryptionInput, *StartStreamEncryptionInput, StartStreamEncryptionOutput]("StartStreamEncryption"),
	op[StopStreamEncryptionInput, *StopStreamEncryptionInput, StopStreamEncryptionOutput]("StopStreamEncryption"),
	op[SubscribeToShardInput, *SubscribeToShardInput, SubscribeToShardOutput]("SubscribeToShard"),
	op[TagResourceInput, *TagResourceInput, TagResourceOutput]("TagResource"),
	op[UntagResourceInput, *UntagResourceInput, UntagResourceOutput]("UntagResource"),
	op[UpdateAccountSettingsInput, *UpdateAccountSettingsInput, UpdateAccountSettingsOutput]("UpdateAccountSettings"),
	op[UpdateChannelInput, *UpdateChannelInput, UpdateChannelOutput]("UpdateChannel"),
	op[UpdateMaxRecordSizeInput, *UpdateMaxRecordSizeInput, UpdateMaxRecordSizeOutput]("UpdateMaxRecordSize"),
	op[UpdateShardCountInput, *UpdateShardCountInput, UpdateShardCountOutput]("UpdateShardCount"),
	op[UpdateStreamModeInput, *UpdateStreamModeInput, UpdateStreamModeOutput]("UpdateStreamMode"),
	op[UpdateStreamRecordDistributionStrategyInput, *UpdateStreamRecordDistributionStrategyInput, UpdateStreamRecordDistributionStrategyOutput]("UpdateStreamRecordDistributionStrategy"),
	op[UpdateStreamWarmThroughputInput, *UpdateStreamWarmThroughputInput, UpdateStreamWarmThroughputOutput]("UpdateStreamWarmThroughput"),
}

// Operations returns every operation of the API, sorted by name. The
// caller may modify the returned slice.
func Operations() []Operation { return slices.Clone(operations) }

// LookupOperation returns the operation called name ("PutRecords", without
// the TargetPrefix).
func LookupOperation(name string) (Operation, bool) {
	i, ok := slices.BinarySearchFunc(operations, name, func(o Operation, n string) int {
		return strings.Compare(o.Name, n)
	})
	if !ok {
		return Operation{}, false
	}
	return operations[i], true
}
