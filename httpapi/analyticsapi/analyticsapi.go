// Package analyticsapi registers the Kinesis Analytics (SQL) operations of
// package analytics with the HTTP transport: X-Amz-Target
// KinesisAnalytics_20150814.<Op>, AWS JSON 1.1, SigV4 signing name
// "kinesisanalytics", each request served in the region its signature is
// scoped to (httpapi.Region).
//
//	srv, err := httpapi.New(cfg, kinesisapi.RegionalService(kin), analyticsapi.Service(apps))
package analyticsapi

import (
	"context"

	"github.com/eddy-streams/eddy/analytics"
	"github.com/eddy-streams/eddy/httpapi"
	"github.com/eddy-streams/eddy/protocol/kda"
)

// op adapts a service method to an httpapi.Operation.
func op[I, O any](name string, f func(ctx context.Context, region string, in *I) (*O, error)) httpapi.Operation {
	return httpapi.Operation{
		Name:     name,
		NewInput: func() any { return new(I) },
		Call: func(ctx context.Context, in any) (any, error) {
			out, err := f(ctx, httpapi.Region(ctx), in.(*I))
			if err != nil {
				return nil, err
			}
			return out, nil
		},
	}
}

// Service returns the Kinesis Analytics service backed by svc.
func Service(svc *analytics.Service) httpapi.Service {
	return httpapi.Service{
		TargetPrefix: kda.TargetPrefix,
		SigningName:  kda.SigningName,
		Protocol:     httpapi.ProtocolJSON11,
		StreamOf:     kda.ApplicationOf,
		Operations: []httpapi.Operation{
			op("AddApplicationCloudWatchLoggingOption", svc.AddApplicationCloudWatchLoggingOption),
			op("AddApplicationInput", svc.AddApplicationInput),
			op("AddApplicationInputProcessingConfiguration", svc.AddApplicationInputProcessingConfiguration),
			op("AddApplicationOutput", svc.AddApplicationOutput),
			op("AddApplicationReferenceDataSource", svc.AddApplicationReferenceDataSource),
			op("CreateApplication", svc.CreateApplication),
			op("DeleteApplication", svc.DeleteApplication),
			op("DeleteApplicationCloudWatchLoggingOption", svc.DeleteApplicationCloudWatchLoggingOption),
			op("DeleteApplicationInputProcessingConfiguration", svc.DeleteApplicationInputProcessingConfiguration),
			op("DeleteApplicationOutput", svc.DeleteApplicationOutput),
			op("DeleteApplicationReferenceDataSource", svc.DeleteApplicationReferenceDataSource),
			op("DescribeApplication", svc.DescribeApplication),
			op("DiscoverInputSchema", svc.DiscoverInputSchema),
			op("ListApplications", svc.ListApplications),
			op("ListTagsForResource", svc.ListTagsForResource),
			op("StartApplication", svc.StartApplication),
			op("StopApplication", svc.StopApplication),
			op("TagResource", svc.TagResource),
			op("UntagResource", svc.UntagResource),
			op("UpdateApplication", svc.UpdateApplication),
		},
	}
}
