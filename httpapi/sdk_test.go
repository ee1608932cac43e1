package httpapi

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"

	"github.com/eddy-streams/eddy/internal/testcert"
)

// These tests drive the server with the real AWS SDK for Go v2 Kinesis
// client, signing with its own SigV4 signer.

// apiErr returns err's AWS error code and message, and the request id the
// SDK read from the response, failing if err is not an API error.
func apiErr(t *testing.T, err error) (code, msg, reqID string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v (%T) is not an AWS API error", err, err)
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		reqID = re.ServiceRequestID()
	}
	return ae.ErrorCode(), ae.ErrorMessage(), reqID
}

func TestSDKSuccess(t *testing.T) {
	ts := startServer(t, withCreds())
	c := newClient(ts.url, testKeyID, testSecret)
	ctx := context.Background()

	out, err := c.ListStreams(ctx, &kinesis.ListStreamsInput{Limit: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(out.StreamNames, ","); got != "alpha" || !aws.ToBool(out.HasMoreStreams) {
		t.Errorf("ListStreams = %q, HasMoreStreams %v; want alpha, true", got, aws.ToBool(out.HasMoreStreams))
	}
	if id, _ := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata); !uuidRE.MatchString(id) {
		t.Errorf("SDK saw request id %q", id)
	}

	data := []byte("hello\x00world\xff")
	put, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), Data: data, PartitionKey: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(put.ShardId) != "shardId-000000000000" || !strings.HasPrefix(aws.ToString(put.SequenceNumber), "4959") {
		t.Errorf("PutRecord = %q %q", aws.ToString(put.ShardId), aws.ToString(put.SequenceNumber))
	}
	ts.fake.mu.Lock()
	gotData, gotID := ts.fake.lastData, ts.fake.lastID
	ts.fake.mu.Unlock()
	if !bytes.Equal(gotData, data) {
		t.Errorf("operation got Data %q, want %q", gotData, data)
	}
	if id, _ := awsmiddleware.GetRequestIDMetadata(put.ResultMetadata); id != gotID {
		t.Errorf("RequestID(ctx) = %q, response header %q", gotID, id)
	}

	// An operation returning nil output answers {}.
	if _, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("empty"), Data: data, PartitionKey: aws.String("k")}); err != nil {
		t.Errorf("nil output: %v", err)
	}
}

func TestSDKTypedErrors(t *testing.T) {
	ts := startServer(t, withCreds())
	c := newClient(ts.url, testKeyID, testSecret)
	ctx := context.Background()

	_, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("missing"), Data: []byte("x"), PartitionKey: aws.String("k")})
	var rnf *types.ResourceNotFoundException
	if !errors.As(err, &rnf) {
		t.Fatalf("got %v (%T), want *types.ResourceNotFoundException", err, err)
	}
	if got := aws.ToString(rnf.Message); got != "Stream missing under account 123456789012 not found." {
		t.Errorf("message %q", got)
	}
	if _, _, id := apiErr(t, err); !uuidRE.MatchString(id) {
		t.Errorf("request id %q", id)
	}

	_, err = c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("throttled"), Data: []byte("x"), PartitionKey: aws.String("k")})
	var pte *types.ProvisionedThroughputExceededException
	if !errors.As(err, &pte) {
		t.Fatalf("got %v, want *types.ProvisionedThroughputExceededException", err)
	}

	// Validate's error is the response and the operation is not called.
	before := ts.fake.calls.Load()
	_, err = c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), Data: []byte("x"), PartitionKey: aws.String("")})
	if code, msg, _ := apiErr(t, err); code != "ValidationException" || !strings.Contains(msg, "partitionKey") {
		t.Errorf("empty partition key: %s %q", code, msg)
	}
	if ts.fake.calls.Load() != before {
		t.Error("operation called although Validate failed")
	}
}

func TestSDKInternalFailureAndPanic(t *testing.T) {
	ts := startServer(t, withCreds())
	c := newClient(ts.url, testKeyID, testSecret)
	ctx := context.Background()

	for _, stream := range []string{"boom", "panic"} {
		_, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(stream), Data: []byte("x"), PartitionKey: aws.String("k")})
		code, _, id := apiErr(t, err)
		if code != "InternalFailure" {
			t.Errorf("%s: code %s, want InternalFailure", stream, code)
		}
		var re *awshttp.ResponseError
		if errors.As(err, &re) && re.HTTPStatusCode() != 500 {
			t.Errorf("%s: status %d, want 500", stream, re.HTTPStatusCode())
		}
		if n := strings.Count(ts.logs.String(), "request_id="+id); n != 1 {
			t.Errorf("%s: request id %s logged %d times, want once; logs:\n%s", stream, id, n, ts.logs)
		}
	}
	if logs := ts.logs.String(); !strings.Contains(logs, "disk on fire") || !strings.Contains(logs, "operation exploded") {
		t.Errorf("logs lack the error or the panic:\n%s", logs)
	}
	// The server keeps serving after the panic.
	if _, err := c.ListStreams(ctx, &kinesis.ListStreamsInput{}); err != nil {
		t.Errorf("after panic: %v", err)
	}
}

func TestSDKSignatures(t *testing.T) {
	ts := startServer(t, withCreds())
	ctx := context.Background()
	tests := []struct {
		name, key, secret, wantCode, wantMsg string
	}{
		{"right secret", testKeyID, testSecret, "", ""},
		{"wrong secret", testKeyID, "not-the-secret", "InvalidSignatureException",
			"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."},
		{"unknown key", "AKIDUNKNOWN", testSecret, "UnrecognizedClientException", "The security token included in the request is invalid."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := ts.fake.calls.Load()
			_, err := newClient(ts.url, tt.key, tt.secret).ListStreams(ctx, &kinesis.ListStreamsInput{})
			if tt.wantCode == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			code, msg, id := apiErr(t, err)
			if code != tt.wantCode || !strings.HasPrefix(msg, tt.wantMsg) {
				t.Errorf("got %s %q, want %s %q", code, msg, tt.wantCode, tt.wantMsg)
			}
			if !uuidRE.MatchString(id) {
				t.Errorf("request id %q", id)
			}
			if ts.fake.calls.Load() != before {
				t.Error("operation called for a rejected request")
			}
		})
	}

	// A client in another region is served in that region.
	if _, err := newClient(ts.url, testKeyID, testSecret, func(o *kinesis.Options) { o.Region = "eu-west-1" }).ListStreams(ctx, &kinesis.ListStreamsInput{}); err != nil {
		t.Fatalf("other region: %v", err)
	}
	if got := ts.fake.region(); got != "eu-west-1" {
		t.Errorf("other region: served in %q", got)
	}
	// One whose region cannot be a region name is told so.
	_, err := newClient(ts.url, testKeyID, testSecret, func(o *kinesis.Options) { o.Region = "EU-WEST-1" }).ListStreams(ctx, &kinesis.ListStreamsInput{})
	if code, msg, _ := apiErr(t, err); code != "InvalidSignatureException" || msg != "Credential should be scoped to a valid region, not 'EU-WEST-1'. " {
		t.Errorf("invalid region: %s %q", code, msg)
	}
}

// TestSDKClockSkew runs the server an hour ahead of the client.
func TestSDKClockSkew(t *testing.T) {
	cfg := withCreds()
	cfg.Now = func() time.Time { return time.Now().Add(time.Hour) }
	ts := startServer(t, cfg)
	ctx := context.Background()

	c := newClient(ts.url, testKeyID, testSecret, func(o *kinesis.Options) { o.DisableClockSkewCorrection = true })
	_, err := c.ListStreams(ctx, &kinesis.ListStreamsInput{})
	code, msg, _ := apiErr(t, err)
	if code != "InvalidSignatureException" || !strings.HasPrefix(msg, "Signature expired: ") || !strings.HasSuffix(msg, " - 15 min.)") {
		t.Errorf("got %s %q, want the signature expired error", code, msg)
	}

	// With its clock-skew correction, the SDK reads the server's Date
	// header and succeeds on its second attempt.
	c = newClient(ts.url, testKeyID, testSecret, func(o *kinesis.Options) {
		o.RetryMaxAttempts = 0 // leave it to the Retryer
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxAttempts = 2
			so.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
		})
	})
	if _, err := c.ListStreams(ctx, &kinesis.ListStreamsInput{}); err != nil {
		t.Errorf("with skew correction: %v", err)
	}
}

// TestSDKNoCredentials: a server without credentials accepts any key,
// secret and region.
func TestSDKNoCredentials(t *testing.T) {
	ts := startServer(t, Config{})
	c := newClient(ts.url, "anything", "whatever", func(o *kinesis.Options) { o.Region = "ap-southeast-2" })
	if _, err := c.ListStreams(context.Background(), &kinesis.ListStreamsInput{}); err != nil {
		t.Fatal(err)
	}
}

// TestSDKH2C drives the SDK over cleartext HTTP/2 with prior knowledge, as
// the JS SDK v3 does.
func TestSDKH2C(t *testing.T) {
	ts := startServer(t, withCreds())
	var p http.Protocols
	p.SetUnencryptedHTTP2(true)
	tr := &http.Transport{Protocols: &p}
	t.Cleanup(tr.CloseIdleConnections)
	rec := &protoRecorder{rt: tr}
	hc := &http.Client{Transport: rec}

	c := newClient(ts.url, testKeyID, testSecret, func(o *kinesis.Options) { o.HTTPClient = hc })
	out, err := c.ListStreams(context.Background(), &kinesis.ListStreamsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.StreamNames) != 2 {
		t.Errorf("StreamNames %v", out.StreamNames)
	}
	// A signed PutRecord (with a body) over h2c.
	if _, err := c.PutRecord(context.Background(), &kinesis.PutRecordInput{StreamName: aws.String("s"), Data: []byte("x"), PartitionKey: aws.String("k")}); err != nil {
		t.Fatal(err)
	}
	if got := rec.seen(); got != "HTTP/2.0,HTTP/2.0" {
		t.Errorf("protocols %q, want HTTP/2.0 twice", got)
	}

	// And an error response over h2c carries the request id.
	req := rawRequest(t, ts.url, kinesisAPI+".Nope", contentTypeJSON, []byte("{}"))
	resp := do(t, hc, req)
	if resp.proto != 2 || resp.status != 400 || !strings.Contains(string(resp.body), "UnknownOperationException") {
		t.Errorf("h2c unknown op: HTTP/%d %d %s", resp.proto, resp.status, resp.body)
	}
	checkRequestID(t, resp.header)
}

// TestSDKTLS drives the SDK over HTTPS with HTTP/2 negotiated by ALPN, and
// over HTTP/1.1 with TLS.
func TestSDKTLS(t *testing.T) {
	certFile, keyFile, pool := testcert.New(t)
	ts := startServer(t, withCreds(), certFile, keyFile)
	for _, tt := range []struct {
		name  string
		set   func(*http.Protocols)
		proto string
	}{
		{"h2", func(p *http.Protocols) { p.SetHTTP2(true) }, "HTTP/2.0"},
		{"http1", func(p *http.Protocols) { p.SetHTTP1(true) }, "HTTP/1.1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var p http.Protocols
			tt.set(&p)
			tr := &http.Transport{Protocols: &p, TLSClientConfig: &tls.Config{RootCAs: pool}}
			t.Cleanup(tr.CloseIdleConnections)
			rec := &protoRecorder{rt: tr}
			c := newClient(ts.url, testKeyID, testSecret, func(o *kinesis.Options) { o.HTTPClient = &http.Client{Transport: rec} })
			put, err := c.PutRecord(context.Background(), &kinesis.PutRecordInput{StreamName: aws.String("s"), Data: []byte("tls"), PartitionKey: aws.String("k")})
			if err != nil {
				t.Fatal(err)
			}
			if aws.ToString(put.ShardId) == "" {
				t.Error("empty ShardId")
			}
			if id, _ := awsmiddleware.GetRequestIDMetadata(put.ResultMetadata); !uuidRE.MatchString(id) {
				t.Errorf("request id %q", id)
			}
			if got := rec.seen(); got != tt.proto {
				t.Errorf("protocol %q, want %q", got, tt.proto)
			}
		})
	}
}
