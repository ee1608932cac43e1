package httpapi

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/iam"
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

// Protocol is a wire protocol together with the conventions of the AWS
// front end that serves it: which content types a request may have, the
// order in which a request's faults are checked, and how the answers to
// malformed requests look. The transport implements each protocol once;
// services choose theirs.
type Protocol int

const (
	// ProtocolJSON11 is AWS JSON 1.1 (application/x-amz-json-1.1) and CBOR
	// 1.1 (application/x-amz-cbor-1.1) as the Kinesis front end serves
	// them: kinesalite's recorded order of checks (ServeHTTP), bare XML for
	// requests that are not API calls, the deprecated envelope for plain
	// application/json, SerializationException texts in Kinesis's words
	// (serialization.go). It is the zero value.
	ProtocolJSON11 Protocol = iota
	// ProtocolJSON10 is AWS JSON 1.0 (application/x-amz-json-1.0, and
	// plain application/json answered in kind) as the DynamoDB front end
	// serves it: dynalite's recorded order of checks (serveJSON10), 404
	// "<UnknownOperationException/>" for requests that are not API calls,
	// a "healthy" answer to GET, SerializationException texts in
	// DynamoDB's words (json10.go), namespaced "__type"s (see
	// Service.ErrorType) and the X-Amz-Crc32 header on every response. No
	// CBOR.
	ProtocolJSON10
)

func (p Protocol) String() string {
	switch p {
	case ProtocolJSON11:
		return "JSON 1.1/CBOR"
	case ProtocolJSON10:
		return "JSON 1.0"
	}
	return fmt.Sprintf("Protocol(%d)", int(p))
}

// Service is a set of operations dispatched on the X-Amz-Target header
// "<TargetPrefix>.<Name>".
//
// Several services share one Server. Before anything else the transport
// picks the service a request is for, from its headers alone: the service
// whose TargetPrefix the X-Amz-Target names; else the one whose
// SigningName the SigV4 credential scope names; else, by the Content-Type,
// the only service whose protocol takes it (application/x-amz-json-1.0 for
// ProtocolJSON10, the JSON 1.1 and CBOR types for ProtocolJSON11); else the
// first service given to New. That service's protocol then answers the
// request, malformed or not.
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

	// Resources, if set, returns the resources a decoded input acts on
	// (ARN, resource policy, tags), for authorization with Config.IAM;
	// none (or no Resources) authorizes the action on "*". ctx carries
	// the request's region. It runs after Validate, before Call.
	Resources func(ctx context.Context, op string, input any) []iam.Resource

	// ActionPrefix is the service prefix of IAM actions,
	// "<ActionPrefix>:<operation>". Default: SigningName.
	ActionPrefix string

	// Protocol is the service's wire protocol and front-end conventions.
	// Default ProtocolJSON11.
	Protocol Protocol

	// ErrorType, if set, returns the "__type" an error body carries for an
	// error code, e.g. "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException"
	// for "ResourceNotFoundException". Default: the code itself, as Kinesis
	// sends it.
	ErrorType func(code string) string

	// MessageKey, if set, returns the member an error body carries its
	// message in for an error code: "message" or "Message", as the
	// service's model and front end spell it. Default: "Message" for a
	// SerializationException and "message" for every other code, as
	// Kinesis sends them.
	MessageKey func(code string) string

	// Status, if set, returns the HTTP status an error with code is sent
	// with, for a code whose status differs between services (Kinesis's
	// KMSInvalidStateException is a 400, KMS's a 409). Default
	// eddy.Status(code).
	Status func(code string) int

	// InternalErrorCode is the code sent for an error that is not an
	// *eddy.Error, a panic, or an *eddy.Error with code InternalFailure:
	// the service's own name for a server fault. Default InternalFailure
	// (Kinesis); DynamoDB's is InternalServerError. It must be a code the
	// eddy catalog answers with a 5xx status.
	InternalErrorCode string

	// ModelClass, if set, returns the Java class AWS's messages name for a
	// structure type of the service's inputs, fully qualified, e.g.
	// "com.amazonaws.dynamodb.v20120810.AttributeValue" for attr.Value.
	// ProtocolJSON10's SerializationException texts name it ("Unrecognized
	// collection type class ..."). Default: the Go type's name.
	ModelClass func(t reflect.Type) string

	// MaxBodyBytes, if positive and below Config.MaxBodyBytes, is the
	// largest request body the service accepts; a larger one gets 413 as
	// with Config.MaxBodyBytes. Default: Config.MaxBodyBytes.
	MaxBodyBytes int64

	// HealthHost is the host name in ProtocolJSON10's answer to a GET,
	// "healthy: <HealthHost> " (as DynamoDB answers with its endpoint,
	// "healthy: dynamodb.us-east-1.amazonaws.com "), with "{region}"
	// replaced by Config.Region. Default: the signing name followed by
	// ".{region}.amazonaws.com".
	HealthHost string
}

// service is a registered Service with its defaults filled in.
type service struct {
	Service
	index int // position among the services given to New
}

// errorType returns the "__type" of code for this service.
func (svc *service) errorType(code string) string {
	if svc.ErrorType != nil {
		return svc.ErrorType(code)
	}
	return code
}

// status returns the HTTP status of an error with code for this service.
func (svc *service) status(code string) int {
	if svc != nil && svc.Status != nil {
		return svc.Status(code)
	}
	return eddy.Status(code)
}

// messageKey returns the member the message of an error with code goes in.
func (svc *service) messageKey(code string) string {
	if svc.MessageKey != nil {
		return svc.MessageKey(code)
	}
	return messageKey(code)
}

// modelClass returns the Java class of the structure type t.
func (svc *service) modelClass(t reflect.Type) string {
	if svc.ModelClass != nil {
		return svc.ModelClass(t)
	}
	return t.Name()
}

// accepts reports whether the media type mt is one of the protocol's own
// content types (not counting plain application/json, which both take).
func (p Protocol) accepts(mt string) bool {
	switch p {
	case ProtocolJSON11:
		return mt == contentTypeJSON || mt == contentTypeCBOR
	case ProtocolJSON10:
		return mt == contentTypeJSON10
	}
	return false
}

// route is what a target resolves to.
type route struct {
	target      string // "Kinesis_20131202.PutRecords"
	signingName string
	op          Operation
	streamOf    func(any) string // Service.StreamOf
	svc         *service
	action      string // the IAM action, "<ActionPrefix>:<Name>"
}

// buildRoutes checks services and indexes their operations by target. It
// also returns the set of their target prefixes and the services, in the
// order given.
func buildRoutes(services []Service) (map[string]*route, map[string]bool, []*service, error) {
	fail := func(format string, args ...any) (map[string]*route, map[string]bool, []*service, error) {
		return nil, nil, nil, fmt.Errorf(format, args...)
	}
	routes := make(map[string]*route)
	prefixes := make(map[string]bool)
	var svcs []*service
	for i, s := range services {
		if !validTargetPart(s.TargetPrefix) {
			return fail("httpapi: service target prefix %q: want a non-empty name without '.' or spaces", s.TargetPrefix)
		}
		if prefixes[s.TargetPrefix] {
			return fail("httpapi: service %s registered twice", s.TargetPrefix)
		}
		prefixes[s.TargetPrefix] = true
		if !validTargetPart(s.SigningName) {
			return fail("httpapi: service %s: signing name %q: want a non-empty name without '.' or spaces", s.TargetPrefix, s.SigningName)
		}
		switch s.Protocol {
		case ProtocolJSON11, ProtocolJSON10:
		default:
			return fail("httpapi: service %s: unknown protocol %v", s.TargetPrefix, s.Protocol)
		}
		if s.InternalErrorCode == "" {
			s.InternalErrorCode = eddy.CodeInternalFailure
		} else if eddy.Status(s.InternalErrorCode) < 500 {
			return fail("httpapi: service %s: internal error code %q is not a server fault in the eddy catalog", s.TargetPrefix, s.InternalErrorCode)
		}
		if s.MaxBodyBytes < 0 {
			return fail("httpapi: service %s: MaxBodyBytes %d is negative", s.TargetPrefix, s.MaxBodyBytes)
		}
		if s.ActionPrefix == "" {
			s.ActionPrefix = s.SigningName
		}
		if s.HealthHost == "" {
			s.HealthHost = s.SigningName + ".{region}.amazonaws.com"
		}
		svc := &service{Service: s, index: i}
		svcs = append(svcs, svc)
		for _, op := range s.Operations {
			target := s.TargetPrefix + "." + op.Name
			switch {
			case !validTargetPart(op.Name):
				return fail("httpapi: service %s: operation name %q: want a non-empty name without '.' or spaces", s.TargetPrefix, op.Name)
			case routes[target] != nil:
				return fail("httpapi: operation %s registered twice", target)
			case op.NewInput == nil:
				return fail("httpapi: operation %s has no NewInput", target)
			case op.Call == nil:
				return fail("httpapi: operation %s has no Call", target)
			}
			if in := op.NewInput(); in == nil || reflect.TypeOf(in).Kind() != reflect.Pointer || reflect.ValueOf(in).IsNil() {
				return fail("httpapi: operation %s: NewInput returned %T, want a non-nil pointer", target, in)
			}
			routes[target] = &route{target: target, signingName: s.SigningName, op: op, streamOf: s.StreamOf, svc: svc, action: s.ActionPrefix + ":" + op.Name}
		}
	}
	return routes, prefixes, svcs, nil
}

func validTargetPart(s string) bool {
	return s != "" && !strings.ContainsAny(s, ". \t\r\n")
}
