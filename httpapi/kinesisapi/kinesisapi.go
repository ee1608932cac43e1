// Package kinesisapi registers the engine's Kinesis Data Streams operations
// with the HTTP transport: it maps each X-Amz-Target operation name to its
// protocol/kds input type and engine method.
//
//	srv, err := httpapi.New(cfg, kinesisapi.RegionalService(regions)) // every region
//	srv, err := httpapi.New(cfg, kinesisapi.Service(eng))             // one engine
package kinesisapi

import (
	"context"
	"net/http"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/httpapi"
	"github.com/eddy-streams/eddy/iam"
	"github.com/eddy-streams/eddy/kinesis"
	"github.com/eddy-streams/eddy/protocol/kds"
)

// TargetPrefix and SigningName of Kinesis Data Streams.
const (
	TargetPrefix = "Kinesis_20131202"
	SigningName  = "kinesis"
)

// picker returns the engine that serves a request.
// in is the decoded input: an ARN in it names the account.
type picker func(ctx context.Context, in any) (*kinesis.Engine, error)

// op adapts an engine method to an httpapi.Operation: pick chooses the
// engine, which admits the call (injected faults, control-plane rates)
// before it runs.
func op[I, O any](pick picker, name string, f func(*kinesis.Engine, context.Context, *I) (*O, error)) httpapi.Operation {
	return httpapi.Operation{
		Name:     name,
		NewInput: func() any { return new(I) },
		Call: func(ctx context.Context, in any) (any, error) {
			e, err := pick(ctx, in)
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
func Service(e *kinesis.Engine) httpapi.Service {
	return service(func(context.Context, any) (*kinesis.Engine, error) { return e, nil },
		func(_ context.Context, op string, in any) []iam.Resource { return e.AuthResources(op, in) })
}

// RegionalService returns the Kinesis service backed by regions: each
// request is served by the engine of the region its signature is scoped
// to (httpapi.Region), so a client configured for eu-central-1 sees
// eu-central-1's streams.
func RegionalService(regions *kinesis.Regions) httpapi.Service {
	rt := router{regions}
	return service(rt.engine, rt.resources)
}

// status is the HTTP status of Kinesis's errors: the catalog's, but 400
// for KMSInvalidStateException, which Kinesis's model gives no httpError
// trait (aws-sdk-go-v2 service/kinesis v1.56.11 schemas) while KMS's
// gives its own KMSInvalidStateException 409.
func status(code string) int {
	if code == eddy.CodeKinesisKMSInvalidState {
		return http.StatusBadRequest
	}
	return eddy.Status(code)
}

func service(pick picker, resources func(ctx context.Context, op string, in any) []iam.Resource) httpapi.Service {
	return httpapi.Service{
		TargetPrefix: TargetPrefix,
		SigningName:  SigningName,
		StreamOf:     kds.StreamOf,
		Status:       status,
		Resources:    resources,
		Operations: []httpapi.Operation{
			op(pick, "AddTagsToStream", (*kinesis.Engine).AddTagsToStream),
			op(pick, "CreateChannel", (*kinesis.Engine).CreateChannel),
			op(pick, "CreateStream", (*kinesis.Engine).CreateStream),
			op(pick, "DecreaseStreamRetentionPeriod", (*kinesis.Engine).DecreaseStreamRetentionPeriod),
			op(pick, "DeleteChannel", (*kinesis.Engine).DeleteChannel),
			op(pick, "DeleteResourcePolicy", (*kinesis.Engine).DeleteResourcePolicy),
			op(pick, "DeleteStream", (*kinesis.Engine).DeleteStream),
			op(pick, "DeregisterStreamConsumer", (*kinesis.Engine).DeregisterStreamConsumer),
			op(pick, "DescribeAccountSettings", (*kinesis.Engine).DescribeAccountSettings),
			op(pick, "DescribeChannel", (*kinesis.Engine).DescribeChannel),
			op(pick, "DescribeLimits", (*kinesis.Engine).DescribeLimits),
			op(pick, "DescribeStream", (*kinesis.Engine).DescribeStream),
			op(pick, "DescribeStreamConsumer", (*kinesis.Engine).DescribeStreamConsumer),
			op(pick, "DescribeStreamSummary", (*kinesis.Engine).DescribeStreamSummary),
			op(pick, "DisableEnhancedMonitoring", (*kinesis.Engine).DisableEnhancedMonitoring),
			op(pick, "EnableEnhancedMonitoring", (*kinesis.Engine).EnableEnhancedMonitoring),
			op(pick, "GetRecords", (*kinesis.Engine).GetRecords),
			op(pick, "GetResourcePolicy", (*kinesis.Engine).GetResourcePolicy),
			op(pick, "GetShardIterator", (*kinesis.Engine).GetShardIterator),
			op(pick, "IncreaseStreamRetentionPeriod", (*kinesis.Engine).IncreaseStreamRetentionPeriod),
			op(pick, "ListChannels", (*kinesis.Engine).ListChannels),
			op(pick, "ListShards", (*kinesis.Engine).ListShards),
			op(pick, "ListStreamConsumers", (*kinesis.Engine).ListStreamConsumers),
			op(pick, "ListStreams", (*kinesis.Engine).ListStreams),
			op(pick, "ListTagsForResource", (*kinesis.Engine).ListTagsForResource),
			op(pick, "ListTagsForStream", (*kinesis.Engine).ListTagsForStream),
			op(pick, "MergeShards", (*kinesis.Engine).MergeShards),
			op(pick, "PutRecord", (*kinesis.Engine).PutRecord),
			op(pick, "PutRecords", (*kinesis.Engine).PutRecords),
			op(pick, "PutResourcePolicy", (*kinesis.Engine).PutResourcePolicy),
			op(pick, "RegisterStreamConsumer", (*kinesis.Engine).RegisterStreamConsumer),
			op(pick, "RemoveTagsFromStream", (*kinesis.Engine).RemoveTagsFromStream),
			op(pick, "SplitShard", (*kinesis.Engine).SplitShard),
			op(pick, "StartStreamEncryption", (*kinesis.Engine).StartStreamEncryption),
			op(pick, "StopStreamEncryption", (*kinesis.Engine).StopStreamEncryption),
			op(pick, "SubscribeToShard", (*kinesis.Engine).SubscribeToShard),
			op(pick, "TagResource", (*kinesis.Engine).TagResource),
			op(pick, "UntagResource", (*kinesis.Engine).UntagResource),
			op(pick, "UpdateAccountSettings", (*kinesis.Engine).UpdateAccountSettings),
			op(pick, "UpdateChannel", (*kinesis.Engine).UpdateChannel),
			op(pick, "UpdateMaxRecordSize", (*kinesis.Engine).UpdateMaxRecordSize),
			op(pick, "UpdateShardCount", (*kinesis.Engine).UpdateShardCount),
			op(pick, "UpdateStreamMode", (*kinesis.Engine).UpdateStreamMode),
			op(pick, "UpdateStreamRecordDistributionStrategy", (*kinesis.Engine).UpdateStreamRecordDistributionStrategy),
			op(pick, "UpdateStreamWarmThroughput", (*kinesis.Engine).UpdateStreamWarmThroughput),
		},
	}
}
