package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/eddy-streams/eddy/internal/natstest"
)

// With --backend jetstream the embedded S3 endpoint's buckets and objects
// are the cluster's: what one node's endpoint stores, another's serves,
// and none of it is under a node's --data-dir.
func TestServeClusterS3(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a NATS server and two servers")
	}
	nats := natstest.Embedded(t)
	root, prefix := newRootKey(t), "S"+strconv.Itoa(os.Getpid())
	dirA := t.TempDir()
	args := func(dir string) string {
		return fmt.Sprintf("serve --backend jetstream --nats-url %s --nats-prefix %s --replicas 1 --kms-root-key-file %s --listen 127.0.0.1:0 --s3-listen 127.0.0.1:0 --data-dir %s",
			nats.URL, prefix, root, dir)
	}
	a, b := startChild(t, args(dirA)), startChild(t, args(t.TempDir()))
	client := func(addr string) *s3.Client {
		return s3.New(s3.Options{BaseEndpoint: aws.String("http://" + addr), UsePathStyle: true, Region: "us-east-1", RetryMaxAttempts: 1,
			Credentials: credentials.NewStaticCredentialsProvider("AK", "SK", "")})
	}
	ca, cb := client(a.s3), client(b.s3)
	ctx := testContext(t)
	if _, err := ca.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("shared")}); err != nil {
		t.Fatal(err)
	}
	body := bytes.Repeat([]byte("eddy"), 700_000)
	if _, err := ca.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("shared"), Key: aws.String("k"), Body: bytes.NewReader(body)}); err != nil {
		t.Fatal(err)
	}
	out, err := cb.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("shared"), Key: aws.String("k"), Range: aws.String("bytes=1048570-1048581")})
	if err != nil {
		t.Fatalf("object put through node A, read through node B: %v", err)
	}
	got, _ := io.ReadAll(out.Body)
	if !bytes.Equal(got, body[1048570:1048582]) {
		t.Fatalf("range through node B: %q", got)
	}
	if _, err := os.Stat(dirA + "/s3"); !os.IsNotExist(err) {
		t.Fatalf("node A's data dir has s3/: %v", err)
	}
	if _, err := cb.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("shared"), Key: aws.String("k")}); err != nil {
		t.Fatal(err)
	}
	if _, err := cb.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("shared")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ca.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("shared")}); err == nil {
		t.Fatal("bucket deleted through node B still there through node A")
	}
}
