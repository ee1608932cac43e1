package httpapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/dynamo/attr"
	"github.com/eddy-streams/eddy/protocol/ddb"
)

// This file tests ProtocolJSON10 with a fake DynamoDB service built on
// protocol/ddb's shapes. The expected answers are those dynalite recorded
// from DynamoDB (github.com/mhart/dynalite test/connection.js and
// index.js), cited per case.

const dynamoAPI = ddb.TargetPrefix

// fakeDynamo answers a few DynamoDB operations from memory.
func fakeDynamo() Service {
	return Service{
		TargetPrefix:      ddb.TargetPrefix,
		SigningName:       ddb.SigningName,
		Protocol:          ProtocolJSON10,
		ErrorType:         ddb.ErrorType,
		MessageKey:        ddb.MessageKey,
		ModelClass:        ddb.ModelClass,
		InternalErrorCode: eddy.CodeInternalServerError,
		MaxBodyBytes:      ddb.MaxRequestBytes,
		Operations: []Operation{
			{
				Name:     "ListTables",
				NewInput: func() any { return new(ddb.ListTablesInput) },
				Call: func(ctx context.Context, in any) (any, error) {
					names := []string{"alpha", "beta", "gamma"}
					if l := in.(*ddb.ListTablesInput).Limit; l != nil && int(*l) < len(names) {
						return &ddb.ListTablesOutput{TableNames: names[:*l], LastEvaluatedTableName: &names[*l-1]}, nil
					}
					return &ddb.ListTablesOutput{TableNames: names}, nil
				},
			},
			{
				Name:     "PutItem",
				NewInput: func() any { return new(ddb.PutItemInput) },
				Call: func(ctx context.Context, in any) (any, error) {
					req := in.(*ddb.PutItemInput)
					switch *req.TableName {
					case "missing":
						return nil, eddy.Errorf(eddy.CodeResourceNotFound, "Requested resource not found")
					case "boom":
						return nil, fmt.Errorf("disk on fire")
					case "panic":
						panic("operation exploded")
					case "region":
						return &ddb.PutItemOutput{Attributes: attr.Item{"region": {S: ptr(Region(ctx))}}}, nil
					}
					if req.ConditionExpression != nil {
						var old attr.Item
						if req.ReturnValuesOnConditionCheckFailure != nil && *req.ReturnValuesOnConditionCheckFailure == ddb.OnCheckFailureAllOld {
							old = attr.Item{"pk": {S: ptr("old")}, "n": {N: ptr("7")}}
						}
						return nil, ddb.ConditionalCheckFailed(old)
					}
					return &ddb.PutItemOutput{Attributes: req.Item}, nil
				},
			},
			{
				Name:     "TransactWriteItems",
				NewInput: func() any { return new(ddb.TransactWriteItemsInput) },
				Call: func(ctx context.Context, in any) (any, error) {
					reasons := make([]ddb.CancellationReason, len(in.(*ddb.TransactWriteItemsInput).TransactItems))
					for i := range reasons {
						reasons[i].Code = "None"
					}
					reasons[len(reasons)-1] = ddb.CancellationReason{Code: "ConditionalCheckFailed", Message: ddb.MsgConditionalCheckFailed,
						Item: attr.Item{"pk": {S: ptr("x")}}}
					return nil, ddb.TransactionCanceled(reasons)
				},
			},
		},
	}
}

func ptr[T any](v T) *T { return &v }

// startDynamo starts a Server with the fake DynamoDB service, and the fake
// Kinesis one after it if withKinesis.
func startDynamo(t *testing.T, cfg Config, withKinesis bool) *testServer {
	t.Helper()
	ts := &testServer{fake: &fakeKinesis{}, logs: &logBuffer{}}
	cfg.Logger = slog.New(slog.NewTextHandler(ts.logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	services := []Service{fakeDynamo()}
	if withKinesis {
		services = append(services, ts.fake.service())
	}
	srv, err := New(cfg, services...)
	if err != nil {
		t.Fatal(err)
	}
	ts.Server = srv
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts.url = "http://" + l.Addr().String()
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	t.Cleanup(func() {
		http.DefaultClient.CloseIdleConnections()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		<-done
	})
	return ts
}

// signDynamo signs req for DynamoDB with the test key.
func signDynamo(t *testing.T, req *http.Request, body []byte) {
	t.Helper()
	signFor(t, req, body, testKeyID, testSecret, "dynamodb", time.Now())
}

var dynamoIDRE = regexp.MustCompile(`^[0-9A-V]{52}$`)

// checkCRC requires the x-amz-crc32 header to be the CRC-32 of body and a
// DynamoDB request id.
func checkCRC(t *testing.T, r response) {
	t.Helper()
	want := strconv.FormatUint(uint64(crc32.ChecksumIEEE(r.body)), 10)
	if got := r.header.Get("X-Amz-Crc32"); got != want {
		t.Errorf("x-amz-crc32 = %q, want %q (body %q)", got, want, r.body)
	}
	if id := r.header.Get("X-Amzn-Requestid"); !dynamoIDRE.MatchString(id) {
		t.Errorf("x-amzn-RequestId = %q, want 52 base32hex characters", id)
	}
	if r.header.Get("X-Amz-Id-2") != "" {
		t.Errorf("x-amz-id-2 sent: %q", r.header.Get("X-Amz-Id-2"))
	}
}

// TestJSON10Order walks DynamoDB's order of checks (dynalite index.js),
// one fault at a time, each answer as dynalite recorded it.
func TestJSON10Order(t *testing.T) {
	ts := startDynamo(t, withCreds(), false)
	listTables := dynamoAPI + ".ListTables"
	tests := []struct {
		name        string
		method      string
		target      string
		contentType string
		body        string
		sign        bool
		auth        string // an Authorization header instead of a signature
		status      int
		wantCT      string
		wantBody    string
	}{
		// test/connection.js "should return 404 if a PUT/DELETE", "if body
		// but no content-type", "if body but incorrect content-type".
		{name: "put", method: "PUT", status: 404, wantBody: "<UnknownOperationException/>\n"},
		{name: "delete", method: "DELETE", status: 404, wantBody: "<UnknownOperationException/>\n"},
		{name: "body without content type", body: "hi", status: 404, wantBody: "<UnknownOperationException/>\n"},
		{name: "body of another content type", body: "hi", contentType: "whatever", status: 404, wantBody: "<UnknownOperationException/>\n"},
		{name: "cbor", body: "\xa0", contentType: contentTypeCBOR, target: listTables, status: 404, wantBody: "<UnknownOperationException/>\n"},
		// index.js: GET is a health check.
		{name: "get", method: "GET", status: 200, wantBody: "healthy: dynamodb.us-east-1.amazonaws.com "},
		// "should return SerializationException if body is
		// application/json but not JSON" (and x-amz-json-1.0).
		{name: "not JSON", body: "hi", contentType: "application/json", status: 400, wantCT: "application/json",
			wantBody: `{"__type":"com.amazon.coral.service#SerializationException"}`},
		{name: "not JSON 1.0", body: "hi", contentType: contentTypeJSON10, target: listTables, status: 400, wantCT: contentTypeJSON10,
			wantBody: `{"__type":"com.amazon.coral.service#SerializationException"}`},
		// "should return UnknownOperationException if no target", "if
		// incorrect target", "if incorrect target operation".
		{name: "no target", status: 400, wantCT: "application/json",
			wantBody: `{"__type":"com.amazon.coral.service#UnknownOperationException"}`},
		{name: "body but no target", body: "{}", contentType: contentTypeJSON10, status: 400, wantCT: contentTypeJSON10,
			wantBody: `{"__type":"com.amazon.coral.service#UnknownOperationException"}`},
		{name: "wrong operation", target: dynamoAPI + ".ListTable", contentType: contentTypeJSON10, body: "{}", status: 400, wantCT: contentTypeJSON10,
			wantBody: `{"__type":"com.amazon.coral.service#UnknownOperationException"}`},
		// "should return MissingAuthenticationTokenException if no
		// Authorization header", "if incomplete Authorization header".
		{name: "unsigned", target: listTables, status: 400, wantCT: "application/json",
			wantBody: `{"__type":"com.amazon.coral.service#MissingAuthenticationTokenException","message":"Request is missing Authentication Token"}`},
		{name: "AWS4", target: listTables, auth: "AWS4", status: 400, wantCT: "application/json",
			wantBody: `{"__type":"com.amazon.coral.service#MissingAuthenticationTokenException","message":"Request is missing Authentication Token"}`},
		// "should return IncompleteSignatureException if Authorization
		// header is AWS4-".
		{name: "AWS4-", target: listTables, auth: "AWS4-", status: 400, wantCT: "application/json",
			wantBody: `{"__type":"com.amazon.coral.service#IncompleteSignatureException","message":"Authorization header requires 'Credential' parameter. ` +
				`Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. ` +
				`Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=AWS4-"}`},
		// index.js: an empty body, signed, is a SerializationException
		// (test/listTables.js "should return 400 if no body").
		{name: "empty body", target: listTables, contentType: contentTypeJSON10, sign: true, status: 400, wantCT: contentTypeJSON10,
			wantBody: `{"__type":"com.amazon.coral.service#SerializationException"}`},
		// Types, then validation, then the call.
		{name: "wrong type", target: listTables, contentType: contentTypeJSON10, body: `{"Limit":"1"}`, sign: true, status: 400, wantCT: contentTypeJSON10,
			wantBody: `{"__type":"com.amazon.coral.service#SerializationException","Message":"STRING_VALUE cannot be converted to Integer"}`},
		{name: "invalid", target: listTables, contentType: contentTypeJSON10, body: `{"Limit":0}`, sign: true, status: 400, wantCT: contentTypeJSON10,
			wantBody: `{"__type":"com.amazon.coral.validate#ValidationException","message":"1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"}`},
		{name: "ok", target: listTables, contentType: contentTypeJSON10, body: `{"Limit":1}`, sign: true, status: 200, wantCT: contentTypeJSON10,
			wantBody: `{"TableNames":["alpha"],"LastEvaluatedTableName":"alpha"}`},
		// Plain application/json is answered in kind.
		{name: "ok as application/json", target: listTables, contentType: "application/json", body: `{}`, sign: true, status: 200, wantCT: "application/json",
			wantBody: `{"TableNames":["alpha","beta","gamma"]}`},
		// A fractional Limit is rounded down and a huge one clamped (index.js
		// records DynamoDB's 2147483647 for a larger one).
		{name: "clamped", target: listTables, contentType: contentTypeJSON10, body: `{"Limit":99999999999}`, sign: true, status: 400, wantCT: contentTypeJSON10,
			wantBody: `{"__type":"com.amazon.coral.validate#ValidationException","message":"1 validation error detected: Value '2147483647' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100"}`},
		{name: "rounded down", target: listTables, contentType: contentTypeJSON10, body: `{"Limit":2.9}`, sign: true, status: 200, wantCT: contentTypeJSON10,
			wantBody: `{"TableNames":["alpha","beta"],"LastEvaluatedTableName":"beta"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := tt.method
			if method == "" {
				method = http.MethodPost
			}
			req := rawRequest(t, ts.url, tt.target, tt.contentType, []byte(tt.body))
			req.Method = method
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			if tt.sign {
				signDynamo(t, req, []byte(tt.body))
			}
			r := do(t, nil, req)
			if r.status != tt.status || string(r.body) != tt.wantBody {
				t.Fatalf("got %d %s\nwant %d %s", r.status, r.body, tt.status, tt.wantBody)
			}
			if got := r.header.Get("Content-Type"); got != tt.wantCT {
				t.Errorf("Content-Type %q, want %q", got, tt.wantCT)
			}
			checkCRC(t, r)
		})
	}
}

// TestJSON10BodyTooLarge: a body over DynamoDB's 16 MiB is answered 413
// before anything else (dynalite index.js MAX_REQUEST_BYTES).
func TestJSON10BodyTooLarge(t *testing.T) {
	ts := startDynamo(t, Config{}, false)
	body := make([]byte, ddb.MaxRequestBytes+1)
	req := rawRequest(t, ts.url, dynamoAPI+".ListTables", contentTypeJSON10, body)
	if r := do(t, nil, req); r.status != http.StatusRequestEntityTooLarge || len(r.body) != 0 {
		t.Fatalf("got %d %q", r.status, r.body)
	}
	body = body[:ddb.MaxRequestBytes]
	req = rawRequest(t, ts.url, dynamoAPI+".ListTables", contentTypeJSON10, body)
	if r := do(t, nil, req); r.status == http.StatusRequestEntityTooLarge {
		t.Fatal("a body of exactly 16 MiB was refused")
	}
}

// TestJSON10Errors: the errors an operation returns, with their namespaced
// types, members and statuses; server faults become InternalServerError.
func TestJSON10Errors(t *testing.T) {
	ts := startDynamo(t, Config{}, false)
	put := func(body string) response {
		req := rawRequest(t, ts.url, dynamoAPI+".PutItem", contentTypeJSON10, []byte(body))
		signDynamo(t, req, []byte(body))
		r := do(t, nil, req)
		checkCRC(t, r)
		return r
	}
	tests := []struct {
		body   string
		status int
		want   string
	}{
		{`{"TableName":"missing","Item":{"pk":{"S":"a"}}}`, 400,
			`{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found"}`},
		{`{"TableName":"abc","Item":{"pk":{"S":"a"}},"ConditionExpression":"attribute_not_exists(pk)"}`, 400,
			`{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed"}`},
		{`{"TableName":"abc","Item":{"pk":{"S":"a"}},"ConditionExpression":"attribute_not_exists(pk)","ReturnValuesOnConditionCheckFailure":"ALL_OLD"}`, 400,
			`{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed","Item":{"n":{"N":"7"},"pk":{"S":"old"}}}`},
		{`{"TableName":"boom","Item":{"pk":{"S":"a"}}}`, 500, `{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError"}`},
		{`{"TableName":"panic","Item":{"pk":{"S":"a"}}}`, 500, `{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError"}`},
		{`{"TableName":"abc","Item":{"pk":{"S":"a"},"bad":{}}}`, 400,
			`{"__type":"com.amazon.coral.validate#ValidationException","message":"Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"}`},
	}
	for _, tt := range tests {
		r := put(tt.body)
		if r.status != tt.status || string(r.body) != tt.want {
			t.Errorf("%s:\ngot  %d %s\nwant %d %s", tt.body, r.status, r.body, tt.status, tt.want)
		}
	}
	body := `{"TransactItems":[{"Put":{"TableName":"abc","Item":{"pk":{"S":"a"}}}},{"Put":{"TableName":"abc","Item":{"pk":{"S":"x"}}}}]}`
	req := rawRequest(t, ts.url, dynamoAPI+".TransactWriteItems", contentTypeJSON10, []byte(body))
	signDynamo(t, req, []byte(body))
	r := do(t, nil, req)
	want := `{"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException",` +
		`"Message":"Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]",` +
		`"CancellationReasons":[{"Code":"None"},{"Item":{"pk":{"S":"x"}},"Code":"ConditionalCheckFailed","Message":"The conditional request failed"}]}`
	if r.status != 400 || string(r.body) != want {
		t.Fatalf("got %d %s\nwant %s", r.status, r.body, want)
	}
	if !strings.Contains(ts.logs.String(), "disk on fire") {
		t.Error("the cause of the InternalServerError was not logged")
	}
}

// TestServiceSelection: with Kinesis and DynamoDB on one port, each
// request is answered by its own service's protocol, Kinesis's exactly as
// when it is alone; a request that names no service goes by its signing
// name, then its content type, then to the first service.
func TestServiceSelection(t *testing.T) {
	ts := startDynamo(t, Config{}, true)
	// A Kinesis call.
	body := []byte(`{"StreamName":"s","Data":"aGk=","PartitionKey":"k"}`)
	req := rawRequest(t, ts.url, kinesisAPI+".PutRecord", contentTypeJSON, body)
	sign(t, req, body, testKeyID, testSecret, time.Now())
	r := do(t, nil, req)
	if r.status != 200 || r.header.Get("X-Amz-Crc32") != "" || !uuidRE.MatchString(r.header.Get("X-Amzn-Requestid")) {
		t.Fatalf("Kinesis PutRecord: %d %s %v", r.status, r.body, r.header)
	}
	// Kinesis's answers to malformed requests are unchanged.
	r = do(t, nil, rawRequest(t, ts.url, kinesisAPI+".PutRecord", contentTypeJSON, nil))
	wantJSONError(t, r, 400, "SerializationException", "")
	// A DynamoDB call.
	body = []byte(`{"TableName":"region","Item":{"pk":{"S":"a"}}}`)
	req = rawRequest(t, ts.url, dynamoAPI+".PutItem", contentTypeJSON10, body)
	signFor(t, req, body, testKeyID, testSecret, "dynamodb", time.Now())
	r = do(t, nil, req)
	if r.status != 200 || string(r.body) != `{"Attributes":{"region":{"S":"us-east-1"}}}` {
		t.Fatalf("DynamoDB PutItem: %d %s", r.status, r.body)
	}
	checkCRC(t, r)
	// No target: by content type, JSON 1.0 is DynamoDB's...
	r = do(t, nil, rawRequest(t, ts.url, "", contentTypeJSON10, []byte("{}")))
	if r.status != 400 || string(r.body) != `{"__type":"com.amazon.coral.service#UnknownOperationException"}` {
		t.Fatalf("JSON 1.0 without target: %d %s", r.status, r.body)
	}
	// ... JSON 1.1 Kinesis's ...
	r = do(t, nil, rawRequest(t, ts.url, "", contentTypeJSON, []byte("{}")))
	wantJSONError(t, r, 400, "UnknownOperationException", "")
	// ... and a GET signed for DynamoDB goes to DynamoDB by its scope.
	req, _ = http.NewRequest(http.MethodGet, ts.url+"/", nil)
	signFor(t, req, nil, testKeyID, testSecret, "dynamodb", time.Now())
	if r := do(t, nil, req); r.status != 200 || !strings.HasPrefix(string(r.body), "healthy: ") {
		t.Fatalf("signed GET: %d %s", r.status, r.body)
	}
	// An unsigned GET without target goes to the first service given to
	// New, here DynamoDB.
	req, _ = http.NewRequest(http.MethodGet, ts.url+"/", nil)
	if r := do(t, nil, req); r.status != 200 {
		t.Fatalf("GET: %d %s", r.status, r.body)
	}
}

// TestJSON10Region: the region of the signature's scope is the request's,
// as for Kinesis.
func TestJSON10Region(t *testing.T) {
	ts := startDynamo(t, Config{}, false)
	body := []byte(`{"TableName":"region","Item":{"pk":{"S":"a"}}}`)
	req := rawRequest(t, ts.url, dynamoAPI+".PutItem", contentTypeJSON10, body)
	signRegion(t, req, body, "dynamodb", "eu-central-1")
	r := do(t, nil, req)
	var out struct {
		Attributes map[string]map[string]string
	}
	if err := json.Unmarshal(r.body, &out); err != nil || out.Attributes["region"]["S"] != "eu-central-1" {
		t.Fatalf("%d %s", r.status, r.body)
	}
}

// signFor signs req for service in the test region.
func signFor(t *testing.T, req *http.Request, body []byte, key, secret, service string, at time.Time) {
	t.Helper()
	signAt(t, req, body, key, secret, service, testRegion, at)
}

// signRegion signs req with the test key for service in region.
func signRegion(t *testing.T, req *http.Request, body []byte, service, region string) {
	t.Helper()
	signAt(t, req, body, testKeyID, testSecret, service, region, time.Now())
}

func signAt(t *testing.T, req *http.Request, body []byte, key, secret, service, region string, at time.Time) {
	t.Helper()
	sum := sha256.Sum256(body)
	err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: key, SecretAccessKey: secret},
		req, hex.EncodeToString(sum[:]), service, region, at)
	if err != nil {
		t.Fatal(err)
	}
}

// TestNewRejectsBadProtocolSettings: a service's protocol settings are
// checked when it is registered.
func TestNewRejectsBadProtocolSettings(t *testing.T) {
	base := fakeDynamo()
	tests := []struct {
		name   string
		change func(*Service)
		want   string
	}{
		{"unknown protocol", func(s *Service) { s.Protocol = Protocol(7) }, "unknown protocol"},
		{"client error as internal code", func(s *Service) { s.InternalErrorCode = eddy.CodeValidation }, "not a server fault"},
		{"negative body limit", func(s *Service) { s.MaxBodyBytes = -1 }, "negative"},
	}
	for _, tt := range tests {
		s := base
		tt.change(&s)
		if _, err := New(Config{}, s); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one mentioning %q", tt.name, err, tt.want)
		}
	}
	if _, err := New(Config{}, base); err != nil {
		t.Fatal(err)
	}
}
