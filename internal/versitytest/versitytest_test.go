package versitytest

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func TestStartStopRestart(t *testing.T) {
	srv := Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv.CreateBucket(t, "bkt")
	c := srv.Client()
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("a/b"),
		Body: bytes.NewReader([]byte("hello"))}); err != nil {
		t.Fatal(err)
	}
	get := func() (string, error) {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("a/b")})
		if err != nil {
			return "", err
		}
		defer out.Body.Close()
		b, err := io.ReadAll(out.Body)
		return string(b), err
	}
	if got, err := get(); err != nil || got != "hello" {
		t.Fatalf("get: %q, %v", got, err)
	}
	srv.Stop(t)
	if _, err := get(); err == nil {
		t.Fatal("get succeeded on a stopped server")
	}
	srv.Restart(t)
	if got, err := get(); err != nil || got != "hello" {
		t.Fatalf("get after restart: %q, %v", got, err)
	}
	wrong := *srv
	wrong.SecretKey = "wrong"
	if _, err := wrong.Client().ListBuckets(ctx, &s3.ListBucketsInput{}); err == nil {
		t.Fatal("listed buckets with a wrong secret")
	}
}
