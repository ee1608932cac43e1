package s3sink_test

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/eddy-streams/eddy/internal/s3sink"
	"github.com/eddy-streams/eddy/internal/versitytest"
)

// Against a real S3-compatible server (versitygw): an object written with
// PutEncoded reads back with its body, Content-Type and Content-Encoding;
// one written with Put has no Content-Encoding.
func TestPutEncodedVersityGW(t *testing.T) {
	srv := versitytest.Start(t)
	srv.CreateBucket(t, "out")
	cfg := s3sink.DefaultConfig()
	cfg.Endpoint, cfg.AccessKeyID, cfg.SecretAccessKey = srv.Endpoint, srv.AccessKey, srv.SecretKey
	sink, err := s3sink.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := sink.PutEncoded(ctx, "out", "a/b.snappy", []byte("body"), "application/octet-stream", "snappy-java"); err != nil {
		t.Fatal(err)
	}
	if err := sink.Put(ctx, "out", "plain", []byte("body"), ""); err != nil {
		t.Fatal(err)
	}
	c := srv.Client()
	for key, want := range map[string]string{"a/b.snappy": "snappy-java", "plain": ""} {
		got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("out"), Key: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(got.Body)
		got.Body.Close()
		if string(b) != "body" {
			t.Errorf("%s: body %q", key, b)
		}
		if enc := aws.ToString(got.ContentEncoding); enc != want {
			t.Errorf("%s: Content-Encoding %q, want %q", key, enc, want)
		}
	}
	if err := sink.PutEncoded(ctx, "no-such-bucket", "k", []byte("x"), "", "gzip"); err == nil {
		t.Fatal("put into a missing bucket succeeded")
	}
}
