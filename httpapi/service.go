package httpapi

import (
	"context"
	"fmt"
	"reflect"
	"strings"
)

// Operation is one API operation.
type Operation struct {
	// Name is the operation name as it appears after the dot in
	// X-Amz-Target, e.g. "PutRecords".
	Name string
	// NewInput returns a pointer to a new zero input struct, into which the
	// request body is decoded (JSON by encoding/json, CBOR by awscbor, both
	// by the json struct tags). If the input implements
	// interface{ Validate() error }, Validate is called after the request is
	// authenticated and before Call; an error it returns is the response.
	NewInput func() any
	// Call performs the operation. It returns the output (a struct, or a
	// pointer to one; nil means an empty output, "{}") or an error. An
	// *eddy.Error (found with errors.As) is sent to the client with the
	// status the eddy error catalog gives its code; any other error, and
	// any panic, becomes a 500 InternalFailure and is logged. ctx is the
	// request's context (cancelled when the client goes away) and carries
	// the request id (see RequestID).
	Call func(ctx context.Context, in any) (any, error)
}

// Service is a set of operations dispatched on the X-Amz-Target header
// "<TargetPrefix>.<Name>".
type Service struct {
	// TargetPrefix is the part of X-Amz-Target before the dot, e.g.
	// "Kinesis_20131202".
	TargetPrefix string
	// SigningName is the SigV4 service name a signature's credential scope
	// must carry, e.g. "kinesis".
	SigningName string
	// Operations are the service's operations; names must be unique.
	Operations []Operation
	// StreamOf, if set, returns the name of the stream (or other resource)
	// a decoded input addresses, or "" for none, for the request log. It
	// is called only for requests that are logged, after the response is
	// written.
	StreamOf func(input any) string
}

// route is what a target resolves to.
type route struct {
	target      string // "Kinesis_20131202.PutRecords"
	signingName string
	op          Operation
	streamOf    func(any) string // Service.StreamOf
}

// buildRoutes checks services and indexes their operations by target. It
// also returns the set of their target prefixes.
func buildRoutes(services []Service) (map[string]*route, map[string]bool, error) {
	routes := make(map[string]*route)
	prefixes := make(map[string]bool)
	for _, svc := range services {
		if !validTargetPart(svc.TargetPrefix) {
			return nil, nil, fmt.Errorf("httpapi: service target prefix %q: want a non-empty name without '.' or spaces", svc.TargetPrefix)
		}
		if prefixes[svc.TargetPrefix] {
			return nil, nil, fmt.Errorf("httpapi: service %s registered twice", svc.TargetPrefix)
		}
		prefixes[svc.TargetPrefix] = true
		if !validTargetPart(svc.SigningName) {
			return nil, nil, fmt.Errorf("httpapi: service %s: signing name %q: want a non-empty name without '.' or spaces", svc.TargetPrefix, svc.SigningName)
		}
		for _, op := range svc.Operations {
			target := svc.TargetPrefix + "." + op.Name
			switch {
			case !validTargetPart(op.Name):
				return nil, nil, fmt.Errorf("httpapi: service %s: operation name %q: want a non-empty name without '.' or spaces", svc.TargetPrefix, op.Name)
			case routes[target] != nil:
				return nil, nil, fmt.Errorf("httpapi: operation %s registered twice", target)
			case op.NewInput == nil:
				return nil, nil, fmt.Errorf("httpapi: operation %s has no NewInput", target)
			case op.Call == nil:
				return nil, nil, fmt.Errorf("httpapi: operation %s has no Call", target)
			}
			if in := op.NewInput(); in == nil || reflect.TypeOf(in).Kind() != reflect.Pointer || reflect.ValueOf(in).IsNil() {
				return nil, nil, fmt.Errorf("httpapi: operation %s: NewInput returned %T, want a non-nil pointer", target, in)
			}
			routes[target] = &route{target: target, signingName: svc.SigningName, op: op, streamOf: svc.StreamOf}
		}
	}
	return routes, prefixes, nil
}

func validTargetPart(s string) bool {
	return s != "" && !strings.ContainsAny(s, ". \t\r\n")
}
