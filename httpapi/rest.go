package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/iam"
)

// RESTService is a REST-JSON service (AWS's restJson1 protocol, as Lambda
// speaks it): its operations are addressed by HTTP method and path
// template, not by X-Amz-Target. Several REST services may share the port
// with the X-Amz-Target ones.
//
// A request is for a REST service only when it carries no X-Amz-Target
// (header or query), and then either its path's first segment is one of
// the first segments of the service's path templates (e.g. "2015-03-31")
// or its SigV4 credential scope names the service's SigningName. The
// X-Amz-Target path (Kinesis, DynamoDB) pays one empty-string test for it.
//
// Errors go out in restJson1's shape as Lambda writes it: the code in the
// X-Amzn-ErrorType header, and a body {"Type":"User","message":"..."}
// (aws-sdk-go-v2's restjson1 decoder, smithy-go
// transport/http/protocol/restjson1/restjson1.go, takes the code from that
// header and the message from "message"; the "Type" member is Lambda's
// User/Service classification, modelled as the exceptions' Type member in
// aws-sdk-go-v2 service/lambda types/errors.go).
type RESTService struct {
	// Name names the service in the request log, e.g. "lambda".
	Name string
	// SigningName is the SigV4 service name, e.g. "lambda".
	SigningName string
	// Operations are the service's operations.
	Operations []RESTOperation
	// Status returns the HTTP status of an error code (the model's
	// httpError trait). Default: the eddy catalog's.
	Status func(code string) int
	// UnknownRoute is the error answered for a request under the
	// service's paths that matches no operation.
	UnknownRoute *eddy.Error
	// Resources and Action, with Config.IAM, name what an operation acts
	// on and its IAM action (default "<SigningName>:<op>"), as
	// Service.Resources does for JSON services. ctx carries the region.
	Resources func(ctx context.Context, op string, req *RESTRequest) []iam.Resource
	Action    func(op string) string
}

// RESTOperation is one operation of a RESTService.
type RESTOperation struct {
	// Name is the operation's name, e.g. "CreateFunction", for the log.
	Name string
	// Method is the HTTP method, e.g. "POST".
	Method string
	// Path is the path template, segments in braces being parameters:
	// "/2015-03-31/functions/{FunctionName}/invocations". A parameter
	// matches one non-empty segment, percent-decoded.
	Path string
	// Call performs the operation. An error is answered as in
	// Operation.Call: an *eddy.Error with its code, anything else as a
	// ServiceException-like server fault (InternalErrorCode).
	Call func(ctx context.Context, req *RESTRequest) (*RESTResponse, error)
}

// RESTRequest is what a RESTOperation gets of its request.
type RESTRequest struct {
	// Params are the path parameters, by template name.
	Params map[string]string
	Query  url.Values
	Header http.Header
	// Body is the request body; it is valid only during Call.
	Body []byte
}

// RESTResponse is a RESTOperation's answer.
type RESTResponse struct {
	// Status defaults to 200.
	Status int
	// Header holds extra response headers.
	Header http.Header
	// JSON, if non-nil, is encoded with encoding/json as the body
	// (Content-Type application/json). Otherwise Body is sent as is, with
	// ContentType if set.
	JSON        any
	Body        []byte
	ContentType string
}

// restRoute is one compiled path template.
type restRoute struct {
	op   RESTOperation
	segs []string // literal segments; "{x}" for parameters
	svc  *restService
}

type restService struct {
	RESTService
	InternalErrorCode string
}

// restRouter holds every REST service's routes.
type restRouter struct {
	services []*restService
	roots    map[string]*restService // first path segment -> service
	routes   map[string][]*restRoute // method -> routes
}

// InternalRESTErrorCode is the code a REST service's server faults are
// sent with: Lambda's ServiceException (status 500 in its model).
const InternalRESTErrorCode = "ServiceException"

// restBodyLimits gives REST requests the server's body limits.
var restBodyLimits = &service{}

// AddREST registers REST-JSON services. Call it before Serve; it is not
// safe to call while the server serves requests. It returns an error for
// a service without a valid signing name, an operation without method,
// path or Call, a path whose first segment is a parameter, a first segment
// two services claim, or a route registered twice.
func (s *Server) AddREST(services ...RESTService) error {
	all := append(append([]RESTService(nil), s.restServices...), services...)
	rr, err := buildREST(all)
	if err != nil {
		return err
	}
	s.restServices, s.rest = all, rr
	return nil
}

func buildREST(services []RESTService) (*restRouter, error) {
	if len(services) == 0 {
		return nil, nil
	}
	rr := &restRouter{roots: map[string]*restService{}, routes: map[string][]*restRoute{}}
	for _, s := range services {
		if !validTargetPart(s.SigningName) {
			return nil, fmt.Errorf("httpapi: REST service %q: bad signing name %q", s.Name, s.SigningName)
		}
		svc := &restService{RESTService: s, InternalErrorCode: InternalRESTErrorCode}
		rr.services = append(rr.services, svc)
		for _, op := range s.Operations {
			if op.Call == nil || op.Method == "" || !strings.HasPrefix(op.Path, "/") {
				return nil, fmt.Errorf("httpapi: REST operation %s: want a method, a path starting with / and a Call", op.Name)
			}
			segs := strings.Split(strings.TrimPrefix(op.Path, "/"), "/")
			if strings.HasPrefix(segs[0], "{") {
				return nil, fmt.Errorf("httpapi: REST operation %s: the first path segment must be literal", op.Name)
			}
			if other := rr.roots[segs[0]]; other != nil && other != svc {
				return nil, fmt.Errorf("httpapi: REST path root %q claimed by two services", segs[0])
			}
			rr.roots[segs[0]] = svc
			for _, r := range rr.routes[op.Method] {
				if strings.Join(r.segs, "/") == strings.Join(segs, "/") {
					return nil, fmt.Errorf("httpapi: REST route %s %s registered twice", op.Method, op.Path)
				}
			}
			rr.routes[op.Method] = append(rr.routes[op.Method], &restRoute{op: op, segs: segs, svc: svc})
		}
	}
	return rr, nil
}

// match finds the REST service r is for and its route, or nil, nil if r is
// not for a REST service. A request for a service that matches none of its
// routes returns the service and a nil route.
func (rr *restRouter) match(r *http.Request) (*restService, *restRoute, map[string]string) {
	path := r.URL.EscapedPath()
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	svc := rr.roots[segs[0]]
	if svc == nil {
		name := scopeService(r)
		if name == "" {
			return nil, nil, nil
		}
		for _, s := range rr.services {
			if s.SigningName == name {
				svc = s
			}
		}
		if svc == nil {
			return nil, nil, nil
		}
	}
	if len(segs) > 1 && segs[len(segs)-1] == "" {
		segs = segs[:len(segs)-1] // a trailing slash, as AWS's router ignores it
	}
next:
	for _, rt := range rr.routes[r.Method] {
		if rt.svc != svc || len(rt.segs) != len(segs) {
			continue
		}
		var params map[string]string
		for i, want := range rt.segs {
			if strings.HasPrefix(want, "{") {
				v, err := url.PathUnescape(segs[i])
				if err != nil || v == "" {
					continue next
				}
				if params == nil {
					params = map[string]string{}
				}
				params[want[1:len(want)-1]] = v
			} else if segs[i] != want {
				continue next
			}
		}
		return svc, rt, params
	}
	return svc, nil, nil
}

// serveREST answers a request for a REST service: body size, route,
// SigV4, then the operation.
func (s *Server) serveREST(w http.ResponseWriter, r *http.Request, svc *restService, rt *restRoute, params map[string]string) {
	x := s.begin(w, r, s.services[0])
	x.svc = nil // no JSON-protocol conventions apply
	x.target = r.Method + " " + r.URL.Path
	defer s.end(x, func() { writeRESTError(x, svc, &eddy.Error{Code: svc.InternalErrorCode}) })
	held, err := s.reserveBody(r, restBodyLimits)
	if err != nil {
		writeRESTError(x, svc, &eddy.Error{Code: svc.InternalErrorCode})
		return
	}
	body, tooLarge, release, err := s.readReserved(w, r, &x.reqBuf, restBodyLimits, held)
	defer release()
	if tooLarge {
		// Lambda's model: RequestTooLargeException, status 413.
		writeRESTError(x, svc, &eddy.Error{Code: "RequestTooLargeException", Message: "Request must be smaller than " + strconv.FormatInt(s.cfg.MaxBodyBytes, 10) + " bytes for the operation"})
		return
	}
	if err != nil {
		writeRESTError(x, svc, &eddy.Error{Code: svc.InternalErrorCode})
		return
	}
	if rt == nil {
		writeRESTError(x, svc, svc.UnknownRoute)
		return
	}
	x.op = rt.op.Name
	region, caller, aerr := s.authenticate(r, body, svc.SigningName, x.now, json11Auth)
	if aerr != nil {
		writeRESTError(x, svc, aerr)
		return
	}
	ctx := context.WithValue(r.Context(), requestIDKey{}, x.id)
	ctx = context.WithValue(ctx, regionKey{}, region)
	req := &RESTRequest{Params: params, Query: r.URL.Query(), Header: r.Header, Body: body}
	if caller != nil {
		ctx = context.WithValue(ctx, callerKey{}, caller)
		action := svc.SigningName + ":" + rt.op.Name
		if svc.Action != nil {
			action = svc.Action(rt.op.Name)
		}
		var res []iam.Resource
		if svc.Resources != nil {
			res = svc.Resources(ctx, rt.op.Name, req)
		}
		if err := s.authorize(r, x.now, caller, action, region, res); err != nil {
			writeRESTError(x, svc, err)
			return
		}
	}
	resp, err := rt.op.Call(ctx, req)
	if err != nil {
		var ee *eddy.Error
		if errors.As(err, &ee) {
			writeRESTError(x, svc, ee)
			return
		}
		x.cause = err
		writeRESTError(x, svc, &eddy.Error{Code: svc.InternalErrorCode})
		return
	}
	if resp == nil {
		resp = &RESTResponse{}
	}
	status := resp.Status
	if status == 0 {
		status = http.StatusOK
	}
	h := w.Header()
	for k, v := range resp.Header {
		h[k] = v
	}
	if resp.JSON != nil {
		b, err := json.Marshal(resp.JSON)
		if err != nil {
			x.cause = fmt.Errorf("encode %s output: %w", rt.op.Name, err)
			writeRESTError(x, svc, &eddy.Error{Code: svc.InternalErrorCode})
			return
		}
		x.write(status, "application/json", b)
		return
	}
	x.write(status, resp.ContentType, resp.Body)
}

// writeRESTError sends e as Lambda does: X-Amzn-ErrorType: CODE and
// {"Type":"User"|"Service","message":MSG,...members}. Lambda classifies
// server faults (5xx) as "Service" and the rest as "User".
func writeRESTError(x *exchange, svc *restService, e *eddy.Error) {
	status := 0
	if svc.Status != nil {
		status = svc.Status(e.Code)
	}
	if status == 0 && e.Code == svc.InternalErrorCode {
		status = http.StatusInternalServerError
	}
	if status == 0 {
		status = eddy.Status(e.Code)
	}
	x.code = e.Code
	kind := "User"
	if status >= 500 {
		kind = "Service"
	}
	b := append([]byte(nil), `{"Type":"`...)
	b = append(b, kind...)
	b = append(b, '"')
	if e.Message != "" {
		b = append(b, `,"message":`...)
		b = appendJSONString(b, e.Message)
	}
	for _, m := range e.Members {
		v, err := json.Marshal(m.Value)
		if err != nil {
			x.cause = fmt.Errorf("encode %s members: %w", e.Code, err)
			continue
		}
		b = append(b, ',')
		b = appendJSONString(b, m.Name)
		b = append(b, ':')
		b = append(b, v...)
	}
	b = append(b, '}')
	x.w.Header()["X-Amzn-ErrorType"] = []string{e.Code}
	x.write(status, "application/json", b)
}
