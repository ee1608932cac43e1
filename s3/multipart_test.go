package s3

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func TestMultipartUpload(t *testing.T) {
	ctx := context.Background()
	c := newClient(t, t.TempDir())
	c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bkt")})
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("bkt"), Key: aws.String("big"), ContentType: aws.String("text/csv")})
	if err != nil {
		t.Fatal(err)
	}
	var whole []byte
	var parts []types.CompletedPart
	all := md5.New()
	for i := 1; i <= 4; i++ {
		p := bytes.Repeat([]byte{byte('a' + i)}, 5<<20)
		whole = append(whole, p...)
		out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("bkt"), Key: aws.String("big"), UploadId: up.UploadId,
			PartNumber: aws.Int32(int32(i)), Body: bytes.NewReader(p)})
		if err != nil {
			t.Fatal(err)
		}
		sum := md5.Sum(p)
		if aws.ToString(out.ETag) != `"`+hex.EncodeToString(sum[:])+`"` {
			t.Fatalf("part %d etag %s", i, aws.ToString(out.ETag))
		}
		all.Write(sum[:])
		parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(int32(i)), ETag: out.ETag})
	}
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("bkt"), Key: aws.String("big"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{parts[1], parts[0]}}})
	if apiCode(err) != "InvalidPartOrder" {
		t.Fatalf("out of order: %v", err)
	}
	bad := parts[0]
	bad.ETag = aws.String(`"00000000000000000000000000000000"`)
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("bkt"), Key: aws.String("big"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{bad}}})
	if apiCode(err) != "InvalidPart" {
		t.Fatalf("wrong etag: %v", err)
	}
	done, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("bkt"), Key: aws.String("big"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf(`"%s-4"`, hex.EncodeToString(all.Sum(nil)))
	if aws.ToString(done.ETag) != want {
		t.Fatalf("etag %s want %s", aws.ToString(done.ETag), want)
	}
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("big")})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(out.Body)
	if !bytes.Equal(b, whole) || aws.ToString(out.ETag) != want || aws.ToString(out.ContentType) != "text/csv" {
		t.Fatalf("read %d bytes (want %d), etag %s, type %s", len(b), len(whole), aws.ToString(out.ETag), aws.ToString(out.ContentType))
	}
	// Completed: the upload is gone.
	_, err = c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("bkt"), Key: aws.String("big"), UploadId: up.UploadId})
	if apiCode(err) != "NoSuchUpload" {
		t.Fatalf("abort after complete: %v", err)
	}
	// The upload directory does not make the bucket non-empty after abort.
	up2, _ := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("bkt"), Key: aws.String("x")})
	if _, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("bkt"), Key: aws.String("x"), UploadId: up2.UploadId}); err != nil {
		t.Fatal(err)
	}
	_, err = c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("bkt"), Key: aws.String("x"), UploadId: up2.UploadId, PartNumber: aws.Int32(1), Body: bytes.NewReader([]byte("x"))})
	if apiCode(err) != "NoSuchUpload" {
		t.Fatalf("part after abort: %v", err)
	}
}
