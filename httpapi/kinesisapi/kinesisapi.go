// Package kinesisapi registers the engine's Kinesis Data Streams operations
// with the HTTP transport: it maps each X-Amz-Target operation name to its
// protocol/kds input type and engine method.
//
//	srv, err := httpapi.New(cfg, kinesisapi.Service(eng))
package kinesisapi

import (
	"context"

	"github.com/eddy-streams/eddy/engine"
	"github.com/eddy-streams/eddy/httpapi"
)

// TargetPrefix and SigningName of Kinesis Data Streams.
const (
	TargetPrefix = "Kinesis_20131202"
	SigningName  = "kinesis"
)

// op adapts an engine method to an httpapi.Operation.
func op[I, O any](name string, f func(context.Context, *I) (*O, error)) httpapi.Operation {
	return httpapi.Operation{
		Name:     name,
		NewInput: func() any { return new(I) },
		Call: func(ctx context.Context, in any) (any, error) {
			out, err := f(ctx, in.(*I))
			if err != nil {
				return nil, err
			}
			return out, nil
		},
	}
}

// Service returns the Kinesis service backed by e.
func Service(e *engine.Engine) httpapi.Service {
	return httpapi.Service{
		TargetPrefix: TargetPrefix,
		SigningName:  SigningName,
		Operations: []httpapi.Operation{
			op("AddTagsToStream", e.AddTagsToStream),
			op("CreateStream", e.CreateStream),
			op("DecreaseStreamRetentionPeriod", e.DecreaseStreamRetentionPeriod),
			op("DeleteResourcePolicy", e.DeleteResourcePolicy),
			op("DeleteStream", e.DeleteStream),
			op("DeregisterStreamConsumer", e.DeregisterStreamConsumer),
			op("DescribeAccountSettings", e.DescribeAccountSettings),
			op("DescribeLimits", e.DescribeLimits),
			op("DescribeStream", e.DescribeStream),
			op("DescribeStreamConsumer", e.DescribeStreamConsumer),
			op("DescribeStreamSummary", e.DescribeStreamSummary),
			op("DisableEnhancedMonitoring", e.DisableEnhancedMonitoring),
			op("EnableEnhancedMonitoring", e.EnableEnhancedMonitoring),
			op("GetRecords", e.GetRecords),
			op("GetResourcePolicy", e.GetResourcePolicy),
			op("GetShardIterator", e.GetShardIterator),
			op("IncreaseStreamRetentionPeriod", e.IncreaseStreamRetentionPeriod),
			op("ListShards", e.ListShards),
			op("ListStreamConsumers", e.ListStreamConsumers),
			op("ListStreams", e.ListStreams),
			op("ListTagsForResource", e.ListTagsForResource),
			op("ListTagsForStream", e.ListTagsForStream),
			op("MergeShards", e.MergeShards),
			op("PutRecord", e.PutRecord),
			op("PutRecords", e.PutRecords),
			op("PutResourcePolicy", e.PutResourcePolicy),
			op("RegisterStreamConsumer", e.RegisterStreamConsumer),
			op("RemoveTagsFromStream", e.RemoveTagsFromStream),
			op("SplitShard", e.SplitShard),
			op("StartStreamEncryption", e.StartStreamEncryption),
			op("StopStreamEncryption", e.StopStreamEncryption),
			op("SubscribeToShard", e.SubscribeToShard),
			op("TagResource", e.TagResource),
			op("UntagResource", e.UntagResource),
			op("UpdateAccountSettings", e.UpdateAccountSettings),
			op("UpdateMaxRecordSize", e.UpdateMaxRecordSize),
			op("UpdateShardCount", e.UpdateShardCount),
			op("UpdateStreamMode", e.UpdateStreamMode),
			op("UpdateStreamRecordDistributionStrategy", e.UpdateStreamRecordDistributionStrategy),
			op("UpdateStreamWarmThroughput", e.UpdateStreamWarmThroughput),
		},
	}
}
