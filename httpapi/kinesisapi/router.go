package kinesisapi

import (
	"context"

	"github.com/eddy-streams/eddy/httpapi"
	"github.com/eddy-streams/eddy/kinesis"
	"github.com/eddy-streams/eddy/protocol/kds"
)

// router picks the engine of a request's region and account. The
// transport has checked the region's name (httpapi.Region), so
// Regions.Get fails only when the region's engine cannot be made (storage
// errors) or after Close: an InternalFailure for the client, logged by the
// transport.
//
// The account is the one the input's ARN names (StreamARN, ConsumerARN,
// ResourceARN: a caller may reach another account's stream by ARN, as its
// resource policy allows), else the caller's (with identities), else the
// default account.
type router struct{ regions *kinesis.Regions }

func (r router) engine(ctx context.Context, in any) (*kinesis.Engine, error) {
	region := httpapi.Region(ctx)
	if region == "" {
		// Not a request from the transport (a direct call in a test).
		return r.regions.Default(), nil
	}
	account := ""
	if c := httpapi.Caller(ctx); c != nil {
		account = c.Account
		if a := kds.AccountOf(in); a != "" && validAccount(a) {
			account = a
		}
	}
	return r.regions.GetAccount(account, region)
}

// validAccount reports whether a is 12 digits (an ARN naming anything
// else is answered by the engine, as not found).
func validAccount(a string) bool {
	if len(a) != 12 {
		return false
	}
	for _, c := range a {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
