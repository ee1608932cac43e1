// Package kinesisapi registers the engine's Kinesis Data Streams operations
// with the HTTP transport: it maps each X-Amz-Target operation name to its
// protocol/kds input type and engine method.
//
//	srv, err := httpapi.New(cfg, kinesisapi.RegionalService(regions)) // every region
//	srv, err := httpapi.New(cfg, kinesisapi.Service(eng))             // one engine
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

// picker returns the engine that serves a request.
type picker func(ctx context.Context) (*engine.Engine, error)

// op adapts an engine method to an httpapi.Operation: pick chooses the
// engine, which admits the call (injected faults, control-plane rates)
// before it runs.
func op[I, O any](pick picker, name string, f func(*engine.Engine, context.Context, *I) (*O, error)) httpapi.Operation {
	return httpapi.Operation{
		Name:     name,
		NewInput: func() any { return new(I) },
		Call: func(ctx context.Context, in any) (any, error) {
			e, err := pick(ctx)
			if err != nil {
				return nil, err
			}
			if err := e.Admit(ctx, name, in); err != nil {
				return nil, err
			}
			out, err := f(e, ctx, in.(*I))
			if err != nil {
				return nil, err
			}
			return out, nil
		},
	}
}

// Service returns the Kinesis service backed by e alone: every request is
// served in e's region, whatever region its signature names.
func Service(e *engine.Engine) httpapi.Service {
	return service(func(context.Context) (*engine.Engine, error) { return e, nil })
}

// RegionalService returns the Kinesis service backed by regions: each
// request is served by the engine of the region its signature is scoped
// to (httpapi.Region), so a client configured for eu-central-1 sees
// eu-central-1's streams.
func RegionalService(regions *engine.Regions) httpapi.Service {
	return service(router{regions}.engine)
}

func service(pick picker) httpapi.Service {
	return httpapi.Service{
		TargetPrefix: TargetPrefix,
		SigningName:  SigningName,
		StreamOf:     kds.StreamOf,
		Operations: []httpapi.Operation{
			op(pick, "AddTagsToStream", (*engine.Engine).AddTagsToStream),
			op(pick, "CreateStream", (*engine.Engine).CreateStream),
			op(pick, "DecreaseStreamRetentionPeriod", (*engine.Engine).DecreaseStreamRetentionPeriod),
			op(pick, "DeleteResourcePolicy", (*engine.Engine).DeleteResourcePolicy),
			op(pick, "DeleteStream", (*engine.Engine).DeleteStream),
			op(pick, "DeregisterStreamConsumer", (*engine.Engine).DeregisterStreamConsumer),
			op(pick, "DescribeAccountSettings", (*engine.Engine).DescribeAccountSettings),
			op(pick, "DescribeLimits", (*engine.Engine).DescribeLimits),
			op(pick, "DescribeStream", (*engine.Engine).DescribeStream),
			op(pick, "DescribeStreamConsumer", (*engine.Engine).DescribeStreamConsumer),
			op(pick, "DescribeStreamSummary", (*engine.Engine).DescribeStreamSummary),
			op(pick, "DisableEnhancedMonitoring", (*engine.Engine).DisableEnhancedMonitoring),
			op(pick, "EnableEnhancedMonitoring", (*engine.Engine).EnableEnhancedMonitoring),
			op(pick, "GetRecords", (*engine.Engine).GetRecords),
			op(pick, "GetResourcePolicy", (*engine.Engine).GetResourcePolicy),
			op(pick, "GetShardIterator", (*engine.Engine).GetShardIterator),
			op(pick, "IncreaseStreamRetentionPeriod", (*engine.Engine).IncreaseStreamRetentionPeriod),
			op(pick, "ListShards", (*engine.Engine).ListShards),
			op(pick, "ListStreamConsumers", (*engine.Engine).ListStreamConsumers),
			op(pick, "ListStreams", (*engine.Engine).ListStreams),
			op(pick, "ListTagsForResource", (*engine.Engine).ListTagsForResource),
			op(pick, "ListTagsForStream", (*engine.Engine).ListTagsForStream),
			op(pick, "MergeShards", (*engine.Engine).MergeShards),
			op(pick, "PutRecord", (*engine.Engine).PutRecord),
			op(pick, "PutRecords", (*engine.Engine).PutRecords),
			op(pick, "PutResourcePolicy", (*engine.Engine).PutResourcePolicy),
			op(pick, "RegisterStreamConsumer", (*engine.Engine).RegisterStreamConsumer),
			op(pick, "RemoveTagsFromStream", (*engine.Engine).RemoveTagsFromStream),
			op(pick, "SplitShard", (*engine.Engine).SplitShard),
			op(pick, "StartStreamEncryption", (*engine.Engine).StartStreamEncryption),
			op(pick, "StopStreamEncryption", (*engine.Engine).StopStreamEncryption),
			op(pick, "SubscribeToShard", (*engine.Engine).SubscribeToShard),
			op(pick, "TagResource", (*engine.Engine).TagResource),
			op(pick, "UntagResource", (*engine.Engine).UntagResource),
			op(pick, "UpdateAccountSettings", (*engine.Engine).UpdateAccountSettings),
			op(pick, "UpdateMaxRecordSize", (*engine.Engine).UpdateMaxRecordSize),
			op(pick, "UpdateShardCount", (*engine.Engine).UpdateShardCount),
			op(pick, "UpdateStreamMode", (*engine.Engine).UpdateStreamMode),
			op(pick, "UpdateStreamRecordDistributionStrategy", (*engine.Engine).UpdateStreamRecordDistributionStrategy),
			op(pick, "UpdateStreamWarmThroughput", (*engine.Engine).UpdateStreamWarmThroughput),
		},
	}
}
