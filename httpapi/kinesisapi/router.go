package kinesisapi

import (
	"context"

	"github.com/eddy-streams/eddy/httpapi"
	"github.com/eddy-streams/eddy/kinesis"
)

// router picks the engine of a request's region. The transport has
// checked the region's name (httpapi.Region), so Regions.Get fails only
// when the region's engine cannot be made (storage errors) or after Close:
// an InternalFailure for the client, logged by the transport.
type router struct{ regions *kinesis.Regions }

func (r router) engine(ctx context.Context) (*kinesis.Engine, error) {
	region := httpapi.Region(ctx)
	if region == "" {
		// Not a request from the transport (a direct call in a test).
		return r.regions.Default(), nil
	}
	return r.regions.Get(region)
}
