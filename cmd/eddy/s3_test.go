package main

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// eddy serve --s3-listen serves S3 beside Kinesis; objects are files under
// <data-dir>/s3 and survive the process being killed.
func TestServeS3Listen(t *testing.T) {
	dir := t.TempDir()
	args := "serve --listen 127.0.0.1:0 --s3-listen 127.0.0.1:0 --data-dir " + dir
	c := startChild(t, args)
	if c.s3 == "" {
		t.Fatal(`no "eddy s3 on" line`)
	}
	ctx := context.Background()
	client := func(addr string) *s3.Client {
		return s3.New(s3.Options{BaseEndpoint: aws.String("http://" + addr), UsePathStyle: true, Region: "us-east-1",
			Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", "")})
	}
	cl := client(c.s3)
	if _, err := cl.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("out")}); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("out"), Key: aws.String("2026/x.json"), Body: strings.NewReader(`{"a":1}`)}); err != nil {
		t.Fatal(err)
	}
	c.cmd.Process.Kill()
	c.cmd.Wait()
	c2 := startChild(t, args)
	out, err := client(c2.s3).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("out"), Key: aws.String("2026/x.json")})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(out.Body)
	if string(b) != `{"a":1}` {
		t.Fatalf("after restart: %q", b)
	}
}

// With --access-key-id/--secret-access-key the S3 listener verifies signatures by
// that key, as the Kinesis listener does.
func TestServeS3VerifiesSignatures(t *testing.T) {
	c := startChild(t, "serve --listen 127.0.0.1:0 --s3-listen 127.0.0.1:0 --in-memory --access-key-id AKID --secret-access-key s3cr3t")
	ctx := context.Background()
	client := func(key, secret string) *s3.Client {
		return s3.New(s3.Options{BaseEndpoint: aws.String("http://" + c.s3), UsePathStyle: true, Region: "us-east-1", RetryMaxAttempts: 1,
			Credentials: credentials.NewStaticCredentialsProvider(key, secret, "")})
	}
	if _, err := client("AKID", "s3cr3t").CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("out")}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ key, secret, code string }{
		{"AKID", "wrong", "SignatureDoesNotMatch"},
		{"OTHER", "s3cr3t", "InvalidAccessKeyId"},
	} {
		_, err := client(tc.key, tc.secret).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("out")})
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != tc.code {
			t.Errorf("%s/%s: %v, want %s", tc.key, tc.secret, err, tc.code)
		}
	}
}
