package ddbdiff

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// callTimeout bounds one request.
const callTimeout = 30 * time.Second

var testCreds = aws.Credentials{AccessKeyID: "AKIDDDBDIFF", SecretAccessKey: "ddbdiff-secret"}

// A response is what a server answered: its status and its body, decoded
// (numbers kept as json.Number) when it is JSON.
type response struct {
	Status int
	Body   any    // decoded JSON, or the raw text when it is not JSON
	Raw    []byte // the body as sent
}

// errType is the error's __type without its namespace, or "".
func (r response) errType() string {
	m, _ := r.Body.(map[string]any)
	s, _ := m["__type"].(string)
	return s[strings.LastIndex(s, "#")+1:]
}

func decodeBody(raw []byte) any {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		return string(raw)
	}
	return v
}

// recorder is an http.RoundTripper that keeps the last response it saw,
// so a test can compare what the SDK received on the wire.
type recorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	last response
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(raw))
	r.mu.Lock()
	r.last = response{Status: resp.StatusCode, Body: decodeBody(raw), Raw: raw}
	r.mu.Unlock()
	return resp, nil
}

func (r *recorder) take() response {
	r.mu.Lock()
	defer r.mu.Unlock()
	last := r.last
	r.last = response{}
	return last
}

// A target is one server with an SDK client and a raw client.
type target struct {
	srv *server
	rec *recorder
	hc  *http.Client
	ddb *dynamodb.Client
}

func newTarget(srv *server) *target {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	rec := &recorder{next: tr}
	hc := &http.Client{Transport: rec, Timeout: callTimeout}
	ddb := dynamodb.New(dynamodb.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.endpoint),
		Credentials:  credentials.StaticCredentialsProvider{Value: testCreds},
		HTTPClient:   hc,
		Retryer:      aws.NopRetryer{}, // every answer is compared, errors too
	})
	return &target{srv: srv, rec: rec, hc: hc, ddb: ddb}
}

// A rawRequest is an HTTP request built by hand. Zero fields take the
// defaults of a well-formed DynamoDB call.
type rawRequest struct {
	Op          string // X-Amz-Target's operation, after "DynamoDB_20120810."
	Target      string // the whole X-Amz-Target, when not the default
	Body        string
	ContentType string // default application/x-amz-json-1.0
	Method      string // default POST
	Unsigned    bool   // send no Authorization header
}

// raw sends req, signed with SigV4 unless Unsigned, and returns the answer.
func (tg *target) raw(t *testing.T, req rawRequest) response {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), callTimeout)
	defer cancel()
	method := req.Method
	if method == "" {
		method = http.MethodPost
	}
	hr, err := http.NewRequestWithContext(ctx, method, tg.srv.endpoint+"/", strings.NewReader(req.Body))
	if err != nil {
		t.Fatal(err)
	}
	ct := req.ContentType
	if ct == "" {
		ct = "application/x-amz-json-1.0"
	}
	hr.Header.Set("Content-Type", ct)
	target := req.Target
	if target == "" && req.Op != "" {
		target = "DynamoDB_20120810." + req.Op
	}
	if target != "" {
		hr.Header.Set("X-Amz-Target", target)
	}
	if !req.Unsigned {
		sum := sha256.Sum256([]byte(req.Body))
		if err := v4.NewSigner().SignHTTP(ctx, testCreds, hr, hex.EncodeToString(sum[:]), "dynamodb", "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := tg.hc.Do(hr)
	if err != nil {
		t.Fatalf("%s %s: %v; its stderr ends:\n%s", tg.srv.name, req.Op, err, tg.srv.tail(20))
	}
	resp.Body.Close()
	return tg.rec.take()
}

// rawWithAuth sends ListTables with the given Authorization header and no
// other signing.
func (tg *target) rawWithAuth(t *testing.T, auth string) response {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), callTimeout)
	defer cancel()
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, tg.srv.endpoint+"/", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	hr.Header.Set("Content-Type", "application/x-amz-json-1.0")
	hr.Header.Set("X-Amz-Target", "DynamoDB_20120810.ListTables")
	hr.Header.Set("Authorization", auth)
	resp, err := tg.hc.Do(hr)
	if err != nil {
		t.Fatalf("%s: %v; its stderr ends:\n%s", tg.srv.name, err, tg.srv.tail(20))
	}
	resp.Body.Close()
	return tg.rec.take()
}
