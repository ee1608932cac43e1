package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/eddy-streams/eddy"
)

// Test credentials and the fake Kinesis service the tests register.
const (
	testKeyID  = "AKIDEXAMPLE"
	testSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	testRegion = "us-east-1"
	kinesisAPI = "Kinesis_20131202"
)

// listStreamsInput and the other types below mirror the JSON member names
// of the real Kinesis shapes, so the real SDK can talk to them.
type listStreamsInput struct {
	Limit                    *int32  `json:"Limit,omitempty"`
	ExclusiveStartStreamName *string `json:"ExclusiveStartStreamName,omitempty"`
	NextToken                *string `json:"NextToken,omitempty"`
}

type listStreamsOutput struct {
	StreamNames    []string `json:"StreamNames"`
	HasMoreStreams bool     `json:"HasMoreStreams"`
}

type putRecordInput struct {
	StreamName      string  `json:"StreamName,omitempty"`
	StreamARN       string  `json:"StreamARN,omitempty"`
	Data            []byte  `json:"Data"`
	PartitionKey    string  `json:"PartitionKey"`
	ExplicitHashKey *string `json:"ExplicitHashKey,omitempty"`
}

func (in *putRecordInput) Validate() error {
	if in.PartitionKey == "" {
		return eddy.Errorf(eddy.CodeValidation, "1 validation error detected: Value null at 'partitionKey' failed to satisfy constraint: Member must not be null")
	}
	return nil
}

type putRecordOutput struct {
	ShardId        string `json:"ShardId"`
	SequenceNumber string `json:"SequenceNumber"`
}

// fakeKinesis records what its operations were called with.
type fakeKinesis struct {
	calls      atomic.Int64
	mu         sync.Mutex
	lastData   []byte
	lastID     string // RequestID(ctx) seen by the last call
	lastRegion string // Region(ctx) seen by the last call
}

func (f *fakeKinesis) region() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lastRegion
}

func (f *fakeKinesis) service() Service {
	return Service{
		TargetPrefix: kinesisAPI,
		SigningName:  "kinesis",
		StreamOf: func(in any) string {
			if p, ok := in.(*putRecordInput); ok {
				return p.StreamName
			}
			return ""
		},
		Operations: []Operation{
			{
				Name:     "ListStreams",
				NewInput: func() any { return new(listStreamsInput) },
				Call: func(ctx context.Context, in any) (any, error) {
					f.calls.Add(1)
					f.mu.Lock()
					f.lastRegion = Region(ctx)
					f.mu.Unlock()
					n := 2
					if l := in.(*listStreamsInput).Limit; l != nil {
						n = int(*l)
					}
					names := []string{"alpha", "beta", "gamma"}
					n = min(n, len(names))
					return &listStreamsOutput{StreamNames: names[:n], HasMoreStreams: n < len(names)}, nil
				},
			},
			{
				Name:     "PutRecord",
				NewInput: func() any { return new(putRecordInput) },
				Call: func(ctx context.Context, in any) (any, error) {
					f.calls.Add(1)
					req := in.(*putRecordInput)
					f.mu.Lock()
					f.lastData = req.Data
					f.lastID = RequestID(ctx)
					f.lastRegion = Region(ctx)
					f.mu.Unlock()
					switch req.StreamName {
					case "missing":
						return nil, eddy.Errorf(eddy.CodeResourceNotFound, "Stream missing under account 123456789012 not found.")
					case "throttled":
						return nil, eddy.Errorf(eddy.CodeProvisionedThroughput, "Rate exceeded for shard shardId-000000000000 in stream throttled under account 123456789012.")
					case "boom":
						return nil, fmt.Errorf("disk on fire")
					case "panic":
						panic("operation exploded")
					case "empty":
						return nil, nil
					}
					return &putRecordOutput{ShardId: "shardId-000000000000", SequenceNumber: "49590338271490256608559692538361571095921575989136588898"}, nil
				},
			},
		},
	}
}

// logBuffer collects log output safely across goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testServer is a Server listening on 127.0.0.1.
type testServer struct {
	*Server
	fake *fakeKinesis
	url  string // http://127.0.0.1:port or https://...
	logs *logBuffer
}

// startServer starts a Server with cfg (Logger is replaced by one that
// collects) on a fresh 127.0.0.1 listener, plain or TLS, and stops it when
// the test ends.
func startServer(t *testing.T, cfg Config, tlsFiles ...string) *testServer {
	t.Helper()
	ts := &testServer{fake: &fakeKinesis{}, logs: &logBuffer{}}
	cfg.Logger = slog.New(slog.NewTextHandler(ts.logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	srv, err := New(cfg, ts.fake.service())
	if err != nil {
		t.Fatal(err)
	}
	ts.Server = srv
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	if len(tlsFiles) == 2 {
		ts.url = "https://" + l.Addr().String()
		go func() { done <- srv.ServeTLS(l, tlsFiles[0], tlsFiles[1]) }()
	} else {
		ts.url = "http://" + l.Addr().String()
		go func() { done <- srv.Serve(l) }()
	}
	t.Cleanup(func() {
		// Hang up idle client connections first, so that Shutdown does not
		// wait for them.
		http.DefaultClient.CloseIdleConnections()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("Serve returned %v, want http.ErrServerClosed", err)
		}
	})
	return ts
}

// withCreds returns a Config that verifies signatures with the test key.
func withCreds() Config {
	return Config{Credentials: map[string]string{testKeyID: testSecret}}
}

// newClient returns a real Kinesis client for url, signing with key and
// secret, without retries.
func newClient(url, key, secret string, opts ...func(*kinesis.Options)) *kinesis.Client {
	return kinesis.New(kinesis.Options{
		Region:           testRegion,
		BaseEndpoint:     aws.String(url),
		Credentials:      credentials.NewStaticCredentialsProvider(key, secret, ""),
		RetryMaxAttempts: 1,
	}, opts...)
}

// rawRequest builds a POST / for target with a body and content type.
func rawRequest(t *testing.T, url, target, contentType string, body []byte) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	return req
}

// sign signs req with the SDK's own SigV4 signer at time at.
func sign(t *testing.T, req *http.Request, body []byte, key, secret string, at time.Time) {
	t.Helper()
	sum := sha256.Sum256(body)
	err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: key, SecretAccessKey: secret},
		req, hex.EncodeToString(sum[:]), "kinesis", testRegion, at)
	if err != nil {
		t.Fatal(err)
	}
}

// response is a response read in full.
type response struct {
	status int
	header http.Header
	body   []byte
	proto  int // major version
}

func do(t *testing.T, c *http.Client, req *http.Request) response {
	t.Helper()
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: body, proto: resp.ProtoMajor}
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// checkRequestID requires the AWS request id header in h.
func checkRequestID(t *testing.T, h http.Header) {
	t.Helper()
	if id := h.Get("X-Amzn-Requestid"); !uuidRE.MatchString(id) {
		t.Errorf("x-amzn-RequestId = %q, want a UUID", id)
	}
}

// protoRecorder is a RoundTripper that remembers the protocol of every
// response.
type protoRecorder struct {
	rt     http.RoundTripper
	mu     sync.Mutex
	protos []string
}

func (p *protoRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := p.rt.RoundTrip(req)
	if err == nil {
		p.mu.Lock()
		p.protos = append(p.protos, resp.Proto)
		p.mu.Unlock()
	}
	return resp, err
}

func (p *protoRecorder) seen() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.protos, ",")
}
