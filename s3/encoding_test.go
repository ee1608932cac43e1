package s3

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// An object keeps the Content-Encoding it was written with, without the
// aws-chunked framing the SDK adds to a streamed upload, and GET, HEAD
// and a COPY carry it; in-process writes (Objects.PutEncoded) too.
func TestContentEncodingKept(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	c := newClient(t, root)
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bkt")}); err != nil {
		t.Fatal(err)
	}
	// ChecksumAlgorithm over TLS: the SDK streams the body aws-chunked,
	// sending Content-Encoding "gzip,aws-chunked" or the like.
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("chunked"),
		Body: bytes.NewReader([]byte("data")), ContentEncoding: aws.String("gzip"), ChecksumAlgorithm: "CRC32"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("plain"),
		Body: bytes.NewReader([]byte("data"))}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("bkt"), Key: aws.String("copied"),
		CopySource: aws.String("bkt/chunked")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("bkt"), Key: aws.String("replaced"),
		CopySource: aws.String("bkt/chunked"), MetadataDirective: "REPLACE", ContentEncoding: aws.String("zip")}); err != nil {
		t.Fatal(err)
	}
	o := Objects{Store: storeAt(root)}
	if err := o.PutEncoded(ctx, "bkt", "in-process", []byte("data"), "application/octet-stream", "snappy-java"); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{"chunked": "gzip", "plain": "", "copied": "gzip", "replaced": "zip", "in-process": "snappy-java"} {
		got, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(got.Body)
		got.Body.Close()
		if string(body) != "data" {
			t.Errorf("%s: body %q", key, body)
		}
		if aws.ToString(got.ContentEncoding) != want {
			t.Errorf("GET %s: Content-Encoding %q, want %q", key, aws.ToString(got.ContentEncoding), want)
		}
		head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bkt"), Key: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(head.ContentEncoding) != want {
			t.Errorf("HEAD %s: Content-Encoding %q, want %q", key, aws.ToString(head.ContentEncoding), want)
		}
	}
}

func TestStoredEncoding(t *testing.T) {
	for in, want := range map[string]string{"": "", "aws-chunked": "", "gzip": "gzip", "aws-chunked,gzip": "gzip",
		"gzip, aws-chunked": "gzip", "AWS-CHUNKED": "", "gzip,br": "gzip,br"} {
		if got := storedEncoding(in); got != want {
			t.Errorf("storedEncoding(%q) = %q, want %q", in, got, want)
		}
	}
}
