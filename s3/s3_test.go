package s3

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

func newClient(t testing.TB, root string) *s3.Client {
	t.Helper()
	// TLS, because the SDK sends aws-chunked bodies with trailing checksums
	// only over TLS.
	ts := httptest.NewTLSServer(&Server{Store: storeAt(root)})
	t.Cleanup(ts.Close)
	return s3.New(s3.Options{HTTPClient: ts.Client(),
		BaseEndpoint: aws.String(ts.URL), UsePathStyle: true, Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("AK", "SK", ""),
	})
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func TestObjectsThroughSDK(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	c := newClient(t, root)
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bkt")}); err != nil {
		t.Fatal(err)
	}
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bkt")})
	if apiCode(err) != "BucketAlreadyOwnedByYou" {
		t.Fatalf("second create: %v", err)
	}
	_, err = c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("Bad_Name")})
	if apiCode(err) != "InvalidBucketName" {
		t.Fatalf("bad name: %v", err)
	}
	keys := []string{"a/b/c.txt", "a/d.txt", "../../escape", "sp ace/ünï.txt", "z"}
	for _, k := range keys {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String(k),
			Body: strings.NewReader("body of " + k), ContentType: aws.String("text/plain"),
			Metadata: map[string]string{"who": "me"}}); err != nil {
			t.Fatalf("put %q: %v", k, err)
		}
	}
	// Nothing escaped the root.
	if _, err := os.Stat(filepath.Join(root, "..", "escape")); err == nil {
		t.Fatal("key escaped the data dir")
	}
	for _, k := range keys {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String(k), ChecksumMode: "ENABLED"})
		if err != nil {
			t.Fatalf("get %q: %v", k, err)
		}
		b, _ := io.ReadAll(out.Body)
		if string(b) != "body of "+k || aws.ToString(out.ContentType) != "text/plain" || out.Metadata["who"] != "me" {
			t.Fatalf("get %q: %q %v %v", k, b, aws.ToString(out.ContentType), out.Metadata)
		}
	}
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("z"), Range: aws.String("bytes=2-4")})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(out.Body)
	if string(b) != "dy " {
		t.Fatalf("range: %q", b)
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("z"), Range: aws.String("bytes=100-")})
	if apiCode(err) != "InvalidRange" {
		t.Fatalf("bad range: %v", err)
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("nope")})
	if apiCode(err) != "NoSuchKey" {
		t.Fatalf("missing: %v", err)
	}
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("bkt"), Key: aws.String("nope")})
	if err == nil {
		t.Fatal("head of a missing key succeeded")
	}
	// Listing with a delimiter and paging of one key at a time.
	var got []string
	var tok *string
	for {
		l, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("bkt"), Delimiter: aws.String("/"), MaxKeys: aws.Int32(1), ContinuationToken: tok})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range l.Contents {
			got = append(got, aws.ToString(o.Key))
		}
		for _, p := range l.CommonPrefixes {
			got = append(got, "P:"+aws.ToString(p.Prefix))
		}
		if !aws.ToBool(l.IsTruncated) {
			break
		}
		tok = l.NextContinuationToken
	}
	if want := "P:../,P:a/,P:sp ace/,z"; strings.Join(got, ",") != want {
		t.Fatalf("list: %v want %s", got, want)
	}
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("bkt")})
	if apiCode(err) != "BucketNotEmpty" {
		t.Fatalf("delete non-empty: %v", err)
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("bkt"), Key: aws.String(keys[0])}); err != nil {
		t.Fatal(err)
	}
	var objs []types.ObjectIdentifier
	for _, k := range keys[1:] {
		objs = append(objs, types.ObjectIdentifier{Key: aws.String(k)})
	}
	del, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("bkt"), Delete: &types.Delete{Objects: objs}})
	if err != nil || len(del.Deleted) != len(objs) {
		t.Fatalf("DeleteObjects: %v %+v", err, del)
	}
	if l, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("bkt")}); err != nil || len(l.Contents) != 0 {
		t.Fatalf("after deletes: %v %d objects", err, len(l.Contents))
	}
	if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("bkt")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("bkt")})
	if err == nil {
		t.Fatal("head of a deleted bucket succeeded")
	}
	_, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("bkt")})
	if apiCode(err) != "NoSuchBucket" {
		t.Fatalf("list deleted: %v", err)
	}
}

func TestObjectsSurviveRestart(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	c := newClient(t, root)
	c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bkt")})
	big := bytes.Repeat([]byte("0123456789"), 300_000)
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k"), Body: bytes.NewReader(big)}); err != nil {
		t.Fatal(err)
	}
	c2 := newClient(t, root)
	out, err := c2.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(out.Body)
	if !bytes.Equal(b, big) {
		t.Fatalf("read %d bytes after restart, want %d", len(b), len(big))
	}
}

func TestCorruptChecksumRefused(t *testing.T) {
	ctx := context.Background()
	c := newClient(t, t.TempDir())
	c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bkt")})
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k"),
		Body: strings.NewReader("hello"), ChecksumCRC32: aws.String("AAAAAA==")})
	if apiCode(err) != "BadDigest" {
		t.Fatalf("corrupt crc32: %v", err)
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k")})
	if apiCode(err) != "NoSuchKey" {
		t.Fatalf("refused object is visible: %v", err)
	}
}

// The SDK's streaming upload: Content-Encoding aws-chunked, x-amz-content-sha256
// STREAMING-UNSIGNED-PAYLOAD-TRAILER, CRC32 in the trailer; the checksum is
// stored and returned with x-amz-checksum-mode ENABLED.
func TestChunkedTrailerChecksum(t *testing.T) {
	ctx := context.Background()
	c := newClient(t, t.TempDir())
	c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bkt")})
	body := bytes.Repeat([]byte("abc"), 100_000)
	put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k"),
		Body: bytes.NewReader(body), ChecksumAlgorithm: "CRC32"})
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k"), ChecksumMode: "ENABLED"})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(out.Body)
	if !bytes.Equal(b, body) {
		t.Fatalf("read %d bytes, want %d", len(b), len(body))
	}
	if aws.ToString(out.ChecksumCRC32) == "" || aws.ToString(out.ChecksumCRC32) != aws.ToString(put.ChecksumCRC32) {
		t.Fatalf("checksum: get %q put %q", aws.ToString(out.ChecksumCRC32), aws.ToString(put.ChecksumCRC32))
	}
}

// A hand-framed aws-chunked body whose trailing CRC32 is wrong is refused
// with BadDigest and leaves no object.
func TestChunkedTrailerCorrupt(t *testing.T) {
	srv := &Server{Store: storeAt(t.TempDir())}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	if err := srv.Store.CreateBucketFor("bkt", ""); err != nil {
		t.Fatal(err)
	}
	send := func(trailer string) *http.Response {
		body := "5\r\nhello\r\n0\r\nx-amz-checksum-crc32:" + trailer + "\r\n\r\n"
		req, _ := http.NewRequest("PUT", ts.URL+"/bkt/k", strings.NewReader(body))
		req.Header.Set("Content-Encoding", "aws-chunked")
		req.Header.Set("x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
		req.Header.Set("x-amz-trailer", "x-amz-checksum-crc32")
		req.Header.Set("x-amz-decoded-content-length", "5")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if r := send("AAAAAA=="); r.StatusCode != 400 {
		t.Fatalf("corrupt trailer: status %d", r.StatusCode)
	}
	if _, err := srv.Store.Open("bkt", "k"); err != errNoKey {
		t.Fatalf("refused object visible: %v", err)
	}
	// crc32("hello") = 0x3610a686
	if r := send("NhCmhg=="); r.StatusCode != 200 {
		t.Fatalf("good trailer: status %d", r.StatusCode)
	}
	o, err := srv.Store.Open("bkt", "k")
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	b, _ := io.ReadAll(o.Body(0, o.Size))
	if string(b) != "hello" {
		t.Fatalf("body %q", b)
	}
}
