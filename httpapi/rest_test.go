package httpapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/eddy-streams/eddy"
)

// echoREST is a REST service whose operations echo what they were given.
func echoREST() RESTService {
	echo := func(ctx context.Context, req *RESTRequest) (*RESTResponse, error) {
		if req.Params["Name"] == "missing" {
			return nil, &eddy.Error{Code: "ResourceNotFoundException", Message: "Function not found: " + req.Params["Name"]}
		}
		return &RESTResponse{JSON: map[string]any{"params": req.Params, "body": string(req.Body), "q": req.Query.Get("Qualifier"), "region": Region(ctx)}}, nil
	}
	return RESTService{
		Name:        "echo",
		SigningName: "lambda",
		Operations: []RESTOperation{
			{Name: "Get", Method: "GET", Path: "/2015-03-31/functions/{Name}", Call: echo},
			{Name: "Invoke", Method: "POST", Path: "/2015-03-31/functions/{Name}/invocations", Call: echo},
			{Name: "Boom", Method: "POST", Path: "/2015-03-31/boom", Call: func(context.Context, *RESTRequest) (*RESTResponse, error) {
				panic("boom")
			}},
		},
		Status: func(code string) int {
			if code == "ResourceNotFoundException" || code == "UnknownOperationException" {
				return 404
			}
			return 0
		},
		UnknownRoute: &eddy.Error{Code: "UnknownOperationException", Message: "Unknown operation"},
	}
}

func TestRESTRouting(t *testing.T) {
	ts := startServer(t, withCreds())
	if err := ts.AddREST(echoREST()); err != nil {
		t.Fatal(err)
	}
	signed := func(method, path, body string) response {
		req, err := http.NewRequest(method, ts.url+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		signAs(t, req, []byte(body), "lambda")
		return do(t, nil, req)
	}
	tests := []struct {
		name, method, path, body string
		status                   int
		errType                  string
		want                     map[string]any
	}{
		{"get", "GET", "/2015-03-31/functions/my-fn", "", 200, "", map[string]any{"params": map[string]any{"Name": "my-fn"}, "body": "", "q": "", "region": testRegion}},
		{"escaped param and query", "POST", "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Af/invocations?Qualifier=%24LATEST", "{}", 200, "",
			map[string]any{"params": map[string]any{"Name": "arn:aws:lambda:us-east-1:123456789012:function:f"}, "body": "{}", "q": "$LATEST", "region": testRegion}},
		{"operation error", "GET", "/2015-03-31/functions/missing", "", 404, "ResourceNotFoundException", map[string]any{"Type": "User", "message": "Function not found: missing"}},
		{"unknown route", "DELETE", "/2015-03-31/nothing", "", 404, "UnknownOperationException", map[string]any{"Type": "User", "message": "Unknown operation"}},
		{"unknown root signed for the service", "GET", "/2099-01-01/x", "", 404, "UnknownOperationException", map[string]any{"Type": "User", "message": "Unknown operation"}},
		{"panic", "POST", "/2015-03-31/boom", "", 500, InternalRESTErrorCode, map[string]any{"Type": "Service"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := signed(tc.method, tc.path, tc.body)
			if resp.status != tc.status {
				t.Fatalf("status %d, want %d; body %s", resp.status, tc.status, resp.body)
			}
			if got := resp.header.Get("X-Amzn-ErrorType"); got != tc.errType {
				t.Errorf("X-Amzn-ErrorType %q, want %q", got, tc.errType)
			}
			checkRequestID(t, resp.header)
			var got map[string]any
			if err := json.Unmarshal(resp.body, &got); err != nil {
				t.Fatalf("body %q: %v", resp.body, err)
			}
			gb, _ := json.Marshal(got)
			wb, _ := json.Marshal(tc.want)
			if string(gb) != string(wb) {
				t.Errorf("body %s, want %s", gb, wb)
			}
		})
	}

	t.Run("unsigned", func(t *testing.T) {
		req, _ := http.NewRequest("GET", ts.url+"/2015-03-31/functions/f", nil)
		resp := do(t, nil, req)
		if resp.status != 400 || resp.header.Get("X-Amzn-ErrorType") != eddy.CodeMissingAuthenticationTok {
			t.Errorf("status %d type %q body %s", resp.status, resp.header.Get("X-Amzn-ErrorType"), resp.body)
		}
	})
	t.Run("X-Amz-Target requests still go to the target's service", func(t *testing.T) {
		// A Kinesis call whose path happens to be under a REST root is
		// still a Kinesis call: REST routing runs only without a target.
		req := rawRequest(t, ts.url, "Kinesis_20131202.ListStreams", "application/x-amz-json-1.1", []byte("{}"))
		req.URL.Path = "/2015-03-31/functions"
		sign(t, req, []byte("{}"), testKeyID, testSecret, time.Now())
		resp := do(t, nil, req)
		if resp.header.Get("X-Amzn-ErrorType") != "" {
			t.Errorf("answered as REST: %d %s", resp.status, resp.body)
		}
	})
}

func TestAddRESTRejects(t *testing.T) {
	srv, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	call := func(context.Context, *RESTRequest) (*RESTResponse, error) { return nil, nil }
	bad := []RESTService{
		{SigningName: "", Operations: nil},
		{SigningName: "lambda", Operations: []RESTOperation{{Name: "X", Method: "GET", Path: "/{a}", Call: call}}},
		{SigningName: "lambda", Operations: []RESTOperation{{Name: "X", Method: "GET", Path: "/a"}}},
		{SigningName: "lambda", Operations: []RESTOperation{{Name: "X", Method: "GET", Path: "/a/{b}", Call: call}, {Name: "Y", Method: "GET", Path: "/a/{b}", Call: call}}},
	}
	for i, s := range bad {
		if err := srv.AddREST(s); err == nil {
			t.Errorf("case %d: AddREST accepted %+v", i, s)
		}
	}
}

// signAs signs req with the test key for service.
func signAs(t *testing.T, req *http.Request, body []byte, service string) {
	t.Helper()
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), service, testRegion, time.Now()); err != nil {
		t.Fatal(err)
	}
}
