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

// picker returns the service a request goes to.
type picker func(ctx context.Context) (*analytics.Service, error)

// op adapts a service method to an httpapi.Operation.
func op[I, O any](pick picker, name string, f func(s *analytics.Service, ctx context.Context, region string, in *I) (*O, error)) httpapi.Operation {
	return httpapi.Operation{
		Name:     name,
		NewInput: func() any { return new(I) },
		Call: func(ctx context.Context, in any) (any, error) {
			s, err := pick(ctx)
			if err != nil {
				return nil, err
			}
			out, err := f(s, ctx, httpapi.Region(ctx), in.(*I))
			if err != nil {
				return nil, err
			}
			return out, nil
		},
	}
}

// Service returns the Kinesis Analytics service backed by svc.
func Service(svc *analytics.Service) httpapi.Service {
	return service(func(context.Context) (*analytics.Service, error) { return svc, nil })
}

// AccountsService returns the Kinesis Analytics service whose requests go
// to the service pick returns for them: with identities, each account's
// applications are its own (cmd/eddy's accountSet).
func AccountsService(pick func(ctx context.Context) (*analytics.Service, error)) httpapi.Service {
	return service(pick)
}

func service(pick picker) httpapi.Service {
	return httpapi.Service{
		TargetPrefix: kda.TargetPrefix,
		SigningName:  kda.SigningName,
		Protocol:     httpapi.ProtocolJSON11,
		StreamOf:     kda.ApplicationOf,
		Operations: []httpapi.Operation{
			op(pick, "AddApplicationCloudWatchLoggingOption", (*analytics.Service).AddApplicationCloudWatchLoggingOption),
			op(pick, "AddApplicationInput", (*analytics.Service).AddApplicationInput),
			op(pick, "AddApplicationInputProcessingConfiguration", (*analytics.Service).AddApplicationInputProcessingConfiguration),
			op(pick, "AddApplicationOutput", (*analytics.Service).AddApplicationOutput),
			op(pick, "AddApplicationReferenceDataSource", (*analytics.Service).AddApplicationReferenceDataSource),
			op(pick, "CreateApplication", (*analytics.Service).CreateApplication),
			op(pick, "DeleteApplication", (*analytics.Service).DeleteApplication),
			op(pick, "DeleteApplicationCloudWatchLoggingOption", (*analytics.Service).DeleteApplicationCloudWatchLoggingOption),
			op(pick, "DeleteApplicationInputProcessingConfiguration", (*analytics.Service).DeleteApplicationInputProcessingConfiguration),
			op(pick, "DeleteApplicationOutput", (*analytics.Service).DeleteApplicationOutput),
			op(pick, "DeleteApplicationReferenceDataSource", (*analytics.Service).DeleteApplicationReferenceDataSource),
			op(pick, "DescribeApplication", (*analytics.Service).DescribeApplication),
			op(pick, "DiscoverInputSchema", (*analytics.Service).DiscoverInputSchema),
			op(pick, "ListApplications", (*analytics.Service).ListApplications),
			op(pick, "ListTagsForResource", (*analytics.Service).ListTagsForResource),
			op(pick, "StartApplication", (*analytics.Service).StartApplication),
			op(pick, "StopApplication", (*analytics.Service).StopApplication),
			op(pick, "TagResource", (*analytics.Service).TagResource),
			op(pick, "UntagResource", (*analytics.Service).UntagResource),
			op(pick, "UpdateApplication", (*analytics.Service).UpdateApplication),
		},
	}
}
