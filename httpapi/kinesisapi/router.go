package kinesisapi

import (
	"context"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/httpapi"
	"github.com/eddy-streams/eddy/iam"
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
	return r.regions.GetAccount(account(ctx, in), region)
}

// resources names what a call acts on for authorization, from the engine
// of its account if that is open; else (an account's first call, which
// must not make its engine before it is allowed) from the input alone.
func (r router) resources(ctx context.Context, op string, in any) []iam.Resource {
	region := httpapi.Region(ctx)
	if region == "" {
		return r.regions.Default().AuthResources(op, in)
	}
	acct := account(ctx, in)
	if e := r.regions.LookupAccount(acct, region); e != nil {
		return e.AuthResources(op, in)
	}
	if name := kds.StreamOf(in); name != "" {
		return []iam.Resource{{ARN: "arn:aws:kinesis:" + region + ":" + acct + ":stream/" + name}}
	}
	return nil
}

// account is the account a call is for: the one its input's ARN names,
// else the caller's; "" (the default account) without identities.
func account(ctx context.Context, in any) string {
	c := httpapi.Caller(ctx)
	if c == nil {
		return ""
	}
	if a := kds.AccountOf(in); eddy.ValidAccountID(a) {
		return a
	}
	return c.Account
}
