// Package s3test starts an S3-compatible server inside a test process, for
// the tests of code that writes to S3 through internal/s3sink (Lambda
// on-failure destinations, Firehose deliveries). The server is gofakes3
// (github.com/johannesboyne/gofakes3), an in-memory S3 implementation by
// other authors, on a loopback port; the test reads back what was written
// through the server's backend.
//
//	srv := s3test.Start(t)            // srv.Endpoint, srv.Bucket
//	keys := srv.WaitForObjects(t, 1)  // what landed in srv.Bucket
//	body, meta := srv.Object(t, keys[0])
package s3test

import (
	"io"
	"net/http/httptest"
	"sort"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// Server is a running S3-compatible server with one bucket.
type Server struct {
	// Endpoint is the server's base URL (http://127.0.0.1:PORT); address
	// buckets path-style.
	Endpoint string
	// Bucket is a bucket created at start.
	Bucket string

	backend *s3mem.Backend
}

// Start starts a server with the bucket "eddy-test"; the test's cleanup
// stops it.
func Start(t testing.TB) *Server {
	t.Helper()
	backend := s3mem.New()
	const bucket = "eddy-test"
	if err := backend.CreateBucket(bucket); err != nil {
		t.Fatalf("s3test: create bucket: %v", err)
	}
	faker := gofakes3.New(backend, gofakes3.WithLogger(gofakes3.DiscardLog()))
	hs := httptest.NewServer(faker.Server()) // listens on 127.0.0.1:0
	t.Cleanup(hs.Close)
	return &Server{Endpoint: hs.URL, Bucket: bucket, backend: backend}
}

// Keys lists the keys of the objects in the bucket, sorted.
func (s *Server) Keys(t testing.TB) []string {
	t.Helper()
	list, err := s.backend.ListBucket(s.Bucket, nil, gofakes3.ListBucketPage{})
	if err != nil {
		t.Fatalf("s3test: list %s: %v", s.Bucket, err)
	}
	keys := make([]string, 0, len(list.Contents))
	for _, c := range list.Contents {
		keys = append(keys, c.Key)
	}
	sort.Strings(keys)
	return keys
}

// WaitForObjects waits (up to 30 s) until the bucket holds at least n
// objects and returns their keys, sorted.
func (s *Server) WaitForObjects(t testing.TB, n int) []string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		keys := s.Keys(t)
		if len(keys) >= n {
			return keys
		}
		if time.Now().After(deadline) {
			t.Fatalf("s3test: %d objects in %s after 30s, want %d: %q", len(keys), s.Bucket, n, keys)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Object returns the body and metadata (Content-Type and the like) of the
// object key in the bucket.
func (s *Server) Object(t testing.TB, key string) ([]byte, map[string]string) {
	t.Helper()
	obj, err := s.backend.GetObject(s.Bucket, key, nil)
	if err != nil {
		t.Fatalf("s3test: get %s/%s: %v", s.Bucket, key, err)
	}
	defer obj.Contents.Close()
	body, err := io.ReadAll(obj.Contents)
	if err != nil {
		t.Fatalf("s3test: read %s/%s: %v", s.Bucket, key, err)
	}
	return body, obj.Metadata
}
