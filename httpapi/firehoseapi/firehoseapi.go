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

// op adapts a service method to an httpapi.Operation.
func op[I, O any](name string, f func(region string, in *I) (*O, error)) httpapi.Operation {
	return httpapi.Operation{
		Name:     name,
		NewInput: func() any { return new(I) },
		Call: func(ctx context.Context, in any) (any, error) {
			out, err := f(httpapi.Region(ctx), in.(*I))
			if err != nil {
				return nil, err
			}
			return out, nil
		},
	}
}

// Service returns the Firehose service backed by svc.
func Service(svc *firehose.Service) httpapi.Service {
	return httpapi.Service{
		TargetPrefix: fp.TargetPrefix,
		SigningName:  fp.SigningName,
		Protocol:     httpapi.ProtocolJSON11,
		StreamOf:     fp.StreamName,
		Operations: []httpapi.Operation{
			op("CreateDeliveryStream", svc.CreateDeliveryStream),
			op("DeleteDeliveryStream", svc.DeleteDeliveryStream),
			op("DescribeDeliveryStream", svc.DescribeDeliveryStream),
			op("ListDeliveryStreams", svc.ListDeliveryStreams),
			op("ListTagsForDeliveryStream", svc.ListTagsForDeliveryStream),
			op("PutRecord", svc.PutRecord),
			op("PutRecordBatch", svc.PutRecordBatch),
			op("StartDeliveryStreamEncryption", svc.StartDeliveryStreamEncryption),
			op("StopDeliveryStreamEncryption", svc.StopDeliveryStreamEncryption),
			op("TagDeliveryStream", svc.TagDeliveryStream),
			op("UntagDeliveryStream", svc.UntagDeliveryStream),
			op("UpdateDestination", svc.UpdateDestination),
		},
	}
}
