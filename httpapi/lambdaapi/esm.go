package lambdaapi

import (
	"context"
	"net/http"

	"github.com/eddy-streams/eddy/httpapi"
	"github.com/eddy-streams/eddy/lambda"
	lp "github.com/eddy-streams/eddy/protocol/lambda"
)

// esmOperations are the event source mapping routes (aws-sdk-go-v2
// service/lambda v1.117.0 schemas/schemas.go: POST
// /2015-03-31/event-source-mappings 202, GET .../{UUID} 200, PUT
// .../{UUID} 202, DELETE .../{UUID} 202, GET /2015-03-31/event-source-mappings 200).
func esmOperations(svc *lambda.Service) []httpapi.RESTOperation {
	const base = "/2015-03-31/event-source-mappings"
	return []httpapi.RESTOperation{
		{Name: "CreateEventSourceMapping", Method: "POST", Path: base, Call: func(ctx context.Context, req *httpapi.RESTRequest) (*httpapi.RESTResponse, error) {
			var in lp.CreateEventSourceMappingInput
			if err := decode(req.Body, &in); err != nil {
				return nil, err
			}
			if err := in.Validate(); err != nil {
				return nil, err
			}
			out, err := svc.CreateEventSourceMapping(httpapi.Region(ctx), &in)
			return accepted(out, err)
		}},
		{Name: "ListEventSourceMappings", Method: "GET", Path: base, Call: func(ctx context.Context, req *httpapi.RESTRequest) (*httpapi.RESTResponse, error) {
			max, err := maxItems(req, lp.ESMListPage, lp.ValidateESMMaxItems)
			if err != nil {
				return nil, err
			}
			out, err := svc.ListEventSourceMappings(httpapi.Region(ctx), req.Query.Get("FunctionName"), req.Query.Get("EventSourceArn"), req.Query.Get("Marker"), max)
			return jsonOr(out, err)
		}},
		{Name: "GetEventSourceMapping", Method: "GET", Path: base + "/{UUID}", Call: func(ctx context.Context, req *httpapi.RESTRequest) (*httpapi.RESTResponse, error) {
			out, err := svc.GetEventSourceMapping(req.Params["UUID"])
			return jsonOr(out, err)
		}},
		{Name: "UpdateEventSourceMapping", Method: "PUT", Path: base + "/{UUID}", Call: func(ctx context.Context, req *httpapi.RESTRequest) (*httpapi.RESTResponse, error) {
			var in lp.UpdateEventSourceMappingInput
			if err := decode(req.Body, &in); err != nil {
				return nil, err
			}
			if err := in.Validate(); err != nil {
				return nil, err
			}
			out, err := svc.UpdateEventSourceMapping(httpapi.Region(ctx), req.Params["UUID"], &in)
			return accepted(out, err)
		}},
		{Name: "DeleteEventSourceMapping", Method: "DELETE", Path: base + "/{UUID}", Call: func(ctx context.Context, req *httpapi.RESTRequest) (*httpapi.RESTResponse, error) {
			out, err := svc.DeleteEventSourceMapping(req.Params["UUID"])
			return accepted(out, err)
		}},
	}
}

func accepted(out any, err error) (*httpapi.RESTResponse, error) {
	if err != nil {
		return nil, err
	}
	return &httpapi.RESTResponse{Status: http.StatusAccepted, JSON: out}, nil
}
