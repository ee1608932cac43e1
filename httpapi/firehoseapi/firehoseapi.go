// Package firehoseapi registers the Firehose operations of package
// firehose with the HTTP transport: X-Amz-Target Firehose_20150804.<Op>,
// AWS JSON 1.1, SigV4 signing name "firehose", each request served in
// the region its signature is scoped to (httpapi.Region).
//
//	srv, err := httpapi.New(cfg, kinesisapi.RegionalService(kin), firehoseapi.Service(fh))
package firehoseapi

import (
	"context"

	"github.com/eddy-streams/eddy/firehose"
	"github.com/eddy-streams/eddy/httpapi"
	fp "github.com/eddy-streams/eddy/protocol/firehose"
)

// picker returns the service that serves a request.
type picker func(ctx context.Context) (*firehose.Service, error)

// op adapts a service method to an httpapi.Operation.
func op[I, O any](pick picker, name string, f func(s *firehose.Service, region string, in *I) (*O, error)) httpapi.Operation {
	return httpapi.Operation{
		Name:     name,
		NewInput: func() any { return new(I) },
		Call: func(ctx context.Context, in any) (any, error) {
			s, err := pick(ctx)
			if err != nil {
				return nil, err
			}
			out, err := f(s, httpapi.Region(ctx), in.(*I))
			if err != nil {
				return nil, err
			}
			return out, nil
		},
	}
}

// Service returns the Firehose service backed by svc.
func Service(svc *firehose.Service) httpapi.Service {
	return service(func(context.Context) (*firehose.Service, error) { return svc, nil })
}

// AccountsService returns the Firehose service whose requests are served
// by pick's answer for them: each account's delivery streams by a
// firehose.Service of its own (cmd/eddy picks the caller's account's).
func AccountsService(pick func(ctx context.Context) (*firehose.Service, error)) httpapi.Service {
	return service(pick)
}

func service(pick picker) httpapi.Service {
	return httpapi.Service{
		TargetPrefix: fp.TargetPrefix,
		SigningName:  fp.SigningName,
		Protocol:     httpapi.ProtocolJSON11,
		StreamOf:     fp.StreamName,
		Operations: []httpapi.Operation{
			op(pick, "CreateDeliveryStream", (*firehose.Service).CreateDeliveryStream),
			op(pick, "DeleteDeliveryStream", (*firehose.Service).DeleteDeliveryStream),
			op(pick, "DescribeDeliveryStream", (*firehose.Service).DescribeDeliveryStream),
			op(pick, "ListDeliveryStreams", (*firehose.Service).ListDeliveryStreams),
			op(pick, "ListTagsForDeliveryStream", (*firehose.Service).ListTagsForDeliveryStream),
			op(pick, "PutRecord", (*firehose.Service).PutRecord),
			op(pick, "PutRecordBatch", (*firehose.Service).PutRecordBatch),
			op(pick, "StartDeliveryStreamEncryption", (*firehose.Service).StartDeliveryStreamEncryption),
			op(pick, "StopDeliveryStreamEncryption", (*firehose.Service).StopDeliveryStreamEncryption),
			op(pick, "TagDeliveryStream", (*firehose.Service).TagDeliveryStream),
			op(pick, "UntagDeliveryStream", (*firehose.Service).UntagDeliveryStream),
			op(pick, "UpdateDestination", (*firehose.Service).UpdateDestination),
		},
	}
}
