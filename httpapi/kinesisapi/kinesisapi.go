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
	"github.com/eddy-streams/eddy/protocol/kds"
)

// TargetPrefix and SigningName of Kinesis Data Streams.
const (
	TargetPrefix = "Kinesis_20131202"
	SigningName  = "kinesis"
)

// op adapts an engine method to an httpapi.Operation; the engine admits
// the call (injected faults, control-plane rates) before it runs.
func op[I, O any](e *engine.Engine, name string, f func(context.Context, *I) (*O, error)) httpapi.Operation {
	return httpapi.Operation{
		Name:     name,
		NewInput: func() any { return new(I) },
		Call: func(ctx context.Context, in any) (any, error) {
			if err := e.Admit(ctx, name, in); err != nil {
				return nil, err
			}
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
		StreamOf:     kds.StreamOf,
		Operations: []httpapi.Operation{
			op(e, "AddTagsToStream", e.AddTagsToStream),
			op(e, "CreateStream", e.CreateStream),
			op(e, "DecreaseStreamRetentionPeriod", e.DecreaseStreamRetentionPeriod),
			op(e, "DeleteResourcePolicy", e.DeleteResourcePolicy),
			op(e, "DeleteStream", e.DeleteStream),
			op(e, "DeregisterStreamConsumer", e.DeregisterStreamConsumer),
			op(e, "DescribeAccountSettings", e.DescribeAccountSettings),
			op(e, "DescribeLimits", e.DescribeLimits),
			op(e, "DescribeStream", e.DescribeStream),
			op(e, "DescribeStreamConsumer", e.DescribeStreamConsumer),
			op(e, "DescribeStreamSummary", e.DescribeStreamSummary),
			op(e, "DisableEnhancedMonitoring", e.DisableEnhancedMonitoring),
			op(e, "EnableEnhancedMonitoring", e.EnableEnhancedMonitoring),
			op(e, "GetRecords", e.GetRecords),
			op(e, "GetResourcePolicy", e.GetResourcePolicy),
			op(e, "GetShardIterator", e.GetShardIterator),
			op(e, "IncreaseStreamRetentionPeriod", e.IncreaseStreamRetentionPeriod),
			op(e, "ListShards", e.ListShards),
			op(e, "ListStreamConsumers", e.ListStreamConsumers),
			op(e, "ListStreams", e.ListStreams),
			op(e, "ListTagsForResource", e.ListTagsForResource),
			op(e, "ListTagsForStream", e.ListTagsForStream),
			op(e, "MergeShards", e.MergeShards),
			op(e, "PutRecord", e.PutRecord),
			op(e, "PutRecords", e.PutRecords),
			op(e, "PutResourcePolicy", e.PutResourcePolicy),
			op(e, "RegisterStreamConsumer", e.RegisterStreamConsumer),
			op(e, "RemoveTagsFromStream", e.RemoveTagsFromStream),
			op(e, "SplitShard", e.SplitShard),
			op(e, "StartStreamEncryption", e.StartStreamEncryption),
			op(e, "StopStreamEncryption", e.StopStreamEncryption),
			op(e, "SubscribeToShard", e.SubscribeToShard),
			op(e, "TagResource", e.TagResource),
			op(e, "UntagResource", e.UntagResource),
			op(e, "UpdateAccountSettings", e.UpdateAccountSettings),
			op(e, "UpdateMaxRecordSize", e.UpdateMaxRecordSize),
			op(e, "UpdateShardCount", e.UpdateShardCount),
			op(e, "UpdateStreamMode", e.UpdateStreamMode),
			op(e, "UpdateStreamRecordDistributionStrategy", e.UpdateStreamRecordDistributionStrategy),
			op(e, "UpdateStreamWarmThroughput", e.UpdateStreamWarmThroughput),
		},
	}
}
