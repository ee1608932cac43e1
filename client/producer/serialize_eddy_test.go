package producer_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/eddy-streams/eddy/client/producer"
)

// failFirstPut is an HTTP client that fails the first attempt of every
// PutRecords request after reading its body (as a connection reset would),
// keeping each attempt's body.
type failFirstPut struct {
	mu     sync.Mutex
	bodies [][]byte // of every PutRecords attempt, in order
	failed map[string]bool
}

func (f *failFirstPut) Do(r *http.Request) (*http.Response, error) {
	if r.Header.Get("X-Amz-Target") != "Kinesis_20131202.PutRecords" {
		return http.DefaultClient.Do(r)
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	r.Body.Close()
	f.mu.Lock()
	f.bodies = append(f.bodies, body)
	// The SDK's invocation id is the same for every attempt of a call.
	id := r.Header.Get("Amz-Sdk-Invocation-Id")
	first := !f.failed[id]
	f.failed[id] = true
	f.mu.Unlock()
	if first {
		return nil, errors.New("test: connection reset")
	}
	r2 := r.Clone(r.Context())
	r2.Body, r2.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	return http.DefaultClient.Do(r2)
}

// TestFastSerializationSignedRetried puts records with FastSerialization
// on and off into a server that verifies SigV4 signatures (the payload's
// SHA-256 is part of them), through an HTTP client that fails each call's
// first attempt: every record is written once, each retry sent the same
// body as the attempt it repeats (the SDK rewound it), and the caller's
// own middleware saw every call, signed.
func TestFastSerializationSignedRetried(t *testing.T) {
	srv := startEddy(t, "--access-key-id", "AKID", "--secret-access-key", "secret")
	for _, fast := range []bool{true, false} {
		t.Run(fmt.Sprintf("FastSerialization=%v", fast), func(t *testing.T) {
			hc := &failFirstPut{failed: map[string]bool{}}
			var signed, unsigned atomic.Int64
			spy := middleware.FinalizeMiddlewareFunc("test-spy", func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
				if req, ok := in.Request.(*smithyhttp.Request); ok && middleware.GetOperationName(ctx) == "PutRecords" {
					if req.Header.Get("Authorization") != "" {
						signed.Add(1)
					} else {
						unsigned.Add(1)
					}
				}
				return next.HandleFinalize(ctx, in)
			})
			c := kinesis.New(kinesis.Options{
				Region:       "us-east-1",
				BaseEndpoint: aws.String("http://" + srv.addr),
				Credentials:  credentials.NewStaticCredentialsProvider("AKID", "secret", ""),
				HTTPClient:   hc,
				APIOptions: []func(*middleware.Stack) error{func(s *middleware.Stack) error {
					return s.Finalize.Add(spy, middleware.After)
				}},
			})
			stream := fmt.Sprintf("signed-%v", fast)
			createStream(t, c, stream, 2)
			p, err := producer.New(context.Background(), c, stream, producer.FastSerialization(fast),
				producer.AggregationMaxSize(2048), producer.RecordMaxBufferedTime(5*time.Millisecond))
			if err != nil {
				t.Fatal(err)
			}
			recs := orderedRecords(3000, 30, 100)
			putAll(t, p, recs)
			if err := closeWithin(p, time.Minute); err != nil {
				t.Fatal(err)
			}
			checkExactlyOnce(t, deaggregate(t, c, stream, readStream(t, c, stream)), recs)
			hc.mu.Lock()
			defer hc.mu.Unlock()
			if len(hc.bodies) < 2 || len(hc.bodies)%2 != 0 {
				t.Fatalf("%d PutRecords attempts, want each call tried twice", len(hc.bodies))
			}
			for i := 0; i < len(hc.bodies); i += 2 {
				if !bytes.Equal(hc.bodies[i], hc.bodies[i+1]) {
					t.Fatalf("attempt %d sent another body than the attempt it retried:\n%.200s\n%.200s", i+1, hc.bodies[i+1], hc.bodies[i])
				}
			}
			if unsigned.Load() != 0 || signed.Load() != int64(len(hc.bodies)) {
				t.Fatalf("the caller's middleware saw %d signed and %d unsigned attempts of %d", signed.Load(), unsigned.Load(), len(hc.bodies))
			}
		})
	}
}
