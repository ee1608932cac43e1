// Package lambdaapi registers Eddy's Lambda operations with the transport:
// the REST-JSON routes of AWS Lambda's API (paths, methods and success
// statuses from the service model, aws-sdk-go-v2 service/lambda v1.117.0
// schemas/schemas.go), mapping paths, query strings and headers onto the
// shapes of protocol/lambda and calling the lambda package.
package lambdaapi

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/httpapi"
	"github.com/eddy-streams/eddy/lambda"
	lp "github.com/eddy-streams/eddy/protocol/lambda"
)

// Service returns the Lambda REST service over svc.
func Service(svc *lambda.Service) httpapi.RESTService {
	fn := func(req *httpapi.RESTRequest) string { return req.Params["FunctionName"] }
	ops := []httpapi.RESTOperation{
		{Name: "CreateFunction", Method: "POST", Path: "/2015-03-31/functions", Call: func(ctx context.Context, req *httpapi.RESTRequest) (*httpapi.RESTResponse, error) {
			var in lp.CreateFunctionInput
			if err := decode(req.Body, &in); err != nil {
				return nil, err
			}
			if err := in.Validate(); err != nil {
				return nil, err
			}
			out, err := svc.CreateFunction(httpapi.Region(ctx), &in)
			if err != nil {
				return nil, err
			}
			return &httpapi.RESTResponse{Status: http.StatusCreated, JSON: out}, nil
		}},
		{Name: "ListFunctions", Method: "GET", Path: "/2015-03-31/functions", Call: func(ctx context.Context, req *httpapi.RESTRequest) (*httpapi.RESTResponse, error) {
			max, err := maxItems(req, lp.DefaultListItems, lp.ValidateMaxItems)
			if err != nil {
				return nil, err
			}
			out, err := svc.ListFunctions(httpapi.Region(ctx), req.Query.Get("Marker"), max)
			return jsonOr(out, err)
		}},
		{Name: "GetFunction", Method: "GET", Path: "/2015-03-31/functions/{FunctionName}", Call: func(ctx context.Context, req *httpapi.RESTRequest) (*httpapi.RESTResponse, error) {
			out, err := svc.GetFunction(httpapi.Region(ctx), qualified(fn(req), req))
			return jsonOr(out, err)
		}},
		{Name: "GetFunctionConfiguration", Method: "GET", Path: "/2015-03-31/functions/{FunctionName}/configuration", Call: func(ctx context.Context, req *httpapi.RESTRequest) (*httpapi.RESTResponse, error) {
			out, err := svc.GetFunctionConfiguration(httpapi.Region(ctx), qualified(fn(req), req))
			return jsonOr(out, err)
		}},
		{Name: "UpdateFunctionCode", Method: "PUT", Path: "/2015-03-31/functions/{FunctionName}/code", Call: func(ctx context.Context, req *httpapi.RESTRequest) (*httpapi.RESTResponse, error) {
			var in lp.UpdateFunctionCodeInput
			if err := decode(req.Body, &in); err != nil {
				return nil, err
			}
			if err := in.Validate(); err != nil {
				return nil, err
			}
			out, err := svc.UpdateFunctionCode(httpapi.Region(ctx), fn(req), &in)
			return jsonOr(out, err)
		}},
		{Name: "UpdateFunctionConfiguration", Method: "PUT", Path: "/2015-03-31/functions/{FunctionName}/configuration", Call: func(ctx context.Context, req *httpapi.RESTRequest) (*httpapi.RESTResponse, error) {
			var in lp.UpdateFunctionConfigurationInput
			if err := decode(req.Body, &in); err != nil {
				return nil, err
			}
			if err := in.Validate(); err != nil {
				return nil, err
			}
			out, err := svc.UpdateFunctionConfiguration(httpapi.Region(ctx), fn(req), &in)
			return jsonOr(out, err)
		}},
		{Name: "DeleteFunction", Method: "DELETE", Path: "/2015-03-31/functions/{FunctionName}", Call: func(ctx context.Context, req *httpapi.RESTRequest) (*httpapi.RESTResponse, error) {
			if err := svc.DeleteFunction(httpapi.Region(ctx), qualified(fn(req), req)); err != nil {
				return nil, err
			}
			// The model binds DeleteFunction's status to its StatusCode
			// member; Lambda answers a deletion 204 with no body.
			return &httpapi.RESTResponse{Status: http.StatusNoContent}, nil
		}},
		{Name: "PutFunctionConcurrency", Method: "PUT", Path: "/2017-10-31/functions/{FunctionName}/concurrency", Call: func(ctx context.Context, req *httpapi.RESTRequest) (*httpapi.RESTResponse, error) {
			var in lp.PutFunctionConcurrencyInput
			if err := decode(req.Body, &in); err != nil {
				return nil, err
			}
			if err := in.Validate(); err != nil {
				return nil, err
			}
			n, err := svc.PutFunctionConcurrency(httpapi.Region(ctx), fn(req), *in.ReservedConcurrentExecutions)
			if err != nil {
				return nil, err
			}
			return &httpapi.RESTResponse{JSON: lp.Concurrency{ReservedConcurrentExecutions: &n}}, nil
		}},
		{Name: "DeleteFunctionConcurrency", Method: "DELETE", Path: "/2017-10-31/functions/{FunctionName}/concurrency", Call: func(ctx context.Context, req *httpapi.RESTRequest) (*httpapi.RESTResponse, error) {
			if err := svc.DeleteFunctionConcurrency(httpapi.Region(ctx), fn(req)); err != nil {
				return nil, err
			}
			return &httpapi.RESTResponse{Status: http.StatusNoContent}, nil
		}},
		{Name: "GetFunctionConcurrency", Method: "GET", Path: "/2019-09-30/functions/{FunctionName}/concurrency", Call: func(ctx context.Context, req *httpapi.RESTRequest) (*httpapi.RESTResponse, error) {
			n, err := svc.GetFunctionConcurrency(httpapi.Region(ctx), fn(req))
			if err != nil {
				return nil, err
			}
			return &httpapi.RESTResponse{JSON: lp.GetFunctionConcurrencyOutput{ReservedConcurrentExecutions: n}}, nil
		}},
		{Name: "Invoke", Method: "POST", Path: "/2015-03-31/functions/{FunctionName}/invocations", Call: func(ctx context.Context, req *httpapi.RESTRequest) (*httpapi.RESTResponse, error) {
			return invoke(ctx, svc, req)
		}},
	}
	ops = append(ops, esmOperations(svc)...)
	return httpapi.RESTService{
		Name:         "lambda",
		SigningName:  "lambda",
		Operations:   ops,
		Status:       lp.Status,
		UnknownRoute: &eddy.Error{Code: lp.CodeUnknownOperation, Message: "Unknown operation"},
	}
}

// qualified appends the Qualifier query parameter to a function name.
func qualified(name string, req *httpapi.RESTRequest) string {
	if q := req.Query.Get("Qualifier"); q != "" {
		return name + ":" + q
	}
	return name
}

// decode reads a JSON request body. Lambda answers a body that is not
// JSON with InvalidRequestContentException "Could not parse request body
// into json: ..." (aws-sam-cli samcli/local/lambda_service records the
// type; the message's first words as Lambda's users report them).
func decode(body []byte, v any) error {
	if len(body) == 0 {
		body = []byte("{}")
	}
	if err := json.Unmarshal(body, v); err != nil {
		return &eddy.Error{Code: lp.CodeInvalidRequestContent, Message: "Could not parse request body into json: " + err.Error()}
	}
	return nil
}

func jsonOr(out any, err error) (*httpapi.RESTResponse, error) {
	if err != nil {
		return nil, err
	}
	return &httpapi.RESTResponse{JSON: out}, nil
}

// invoke is the Invoke operation: X-Amz-Invocation-Type, X-Amz-Log-Type
// and the payload in; the result (or function error) as the raw body with
// X-Amz-Function-Error, X-Amz-Log-Result and X-Amz-Executed-Version out.
func invoke(ctx context.Context, svc *lambda.Service, req *httpapi.RESTRequest) (*httpapi.RESTResponse, error) {
	in := &lambda.InvokeInput{
		Region:         httpapi.Region(ctx),
		FunctionName:   qualified(req.Params["FunctionName"], req),
		InvocationType: req.Header.Get("X-Amz-Invocation-Type"),
		Payload:        append([]byte(nil), req.Body...),
	}
	switch lt := req.Header.Get("X-Amz-Log-Type"); lt {
	case "", "None":
	case "Tail":
		in.Tail = true
	default:
		return nil, &eddy.Error{Code: lp.CodeValidation, Message: "1 validation error detected: Value '" + lt +
			"' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [None, Tail]"}
	}
	out, err := svc.InvokeFunction(ctx, in)
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	if out.FunctionError != "" {
		h["X-Amz-Function-Error"] = []string{out.FunctionError}
	}
	if out.LogResult != "" {
		h["X-Amz-Log-Result"] = []string{out.LogResult}
	}
	if out.ExecutedVersion != "" {
		h["X-Amz-Executed-Version"] = []string{out.ExecutedVersion}
	}
	ct := ""
	if out.StatusCode == http.StatusOK {
		ct = "application/json"
	}
	return &httpapi.RESTResponse{Status: out.StatusCode, Header: h, Body: out.Payload, ContentType: ct}, nil
}

// maxItems reads the MaxItems query parameter of a List operation: def
// when absent, checked with validate when present.
func maxItems(req *httpapi.RESTRequest, def int, validate func(int) error) (int, error) {
	s := req.Query.Get("MaxItems")
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, &eddy.Error{Code: lp.CodeValidation, Message: "1 validation error detected: Value '" + s + "' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1"}
	}
	if err := validate(n); err != nil {
		return 0, err
	}
	return n, nil
}

// AccountsService returns the Lambda REST service whose requests are
// served by pick's answer for them: each account's functions and event
// source mappings by a lambda.Service of its own (cmd/eddy picks the
// caller's account's). Each service's routes are made once.
func AccountsService(pick func(ctx context.Context) (*lambda.Service, error)) httpapi.RESTService {
	var (
		mu    sync.Mutex
		built = map[*lambda.Service][]httpapi.RESTOperation{}
	)
	opsOf := func(svc *lambda.Service) []httpapi.RESTOperation {
		mu.Lock()
		defer mu.Unlock()
		ops, ok := built[svc]
		if !ok {
			ops = Service(svc).Operations
			built[svc] = ops
		}
		return ops
	}
	rs := Service(nil) // the routes; their calls are replaced below
	for i := range rs.Operations {
		rs.Operations[i].Call = func(ctx context.Context, req *httpapi.RESTRequest) (*httpapi.RESTResponse, error) {
			svc, err := pick(ctx)
			if err != nil {
				return nil, err
			}
			return opsOf(svc)[i].Call(ctx, req)
		}
	}
	return rs
}
