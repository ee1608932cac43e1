package s3

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/eddy-streams/eddy/internal/natstest"
	"github.com/eddy-streams/eddy/storage"
	"github.com/eddy-streams/eddy/storage/jetstream"
)

// jetStreamNode is one Eddy node's S3 endpoint: a Server over a LogStore
// over its own storage/jetstream connection.
func jetStreamNode(t *testing.T, url, prefix string) (*s3.Client, *LogStore) {
	t.Helper()
	conn, err := jetstream.Open(jetstream.Config{URLs: url, Replicas: 1, Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	logs, err := conn.Logs()
	if err != nil {
		t.Fatal(err)
	}
	meta, err := conn.Meta()
	if err != nil {
		t.Fatal(err)
	}
	st := &LogStore{Meta: meta, Logs: logs}
	ts := httptest.NewServer(&Server{Store: st})
	t.Cleanup(ts.Close)
	return s3.New(s3.Options{BaseEndpoint: aws.String(ts.URL), UsePathStyle: true, Region: "us-east-1", RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("AK", "SK", "")}), st
}

// Two nodes, two Servers over two connections to one JetStream with the
// same prefix: what one writes the other reads.
func TestTwoNodesShareBuckets(t *testing.T) {
	if overLogs() {
		t.Skip("runs over JetStream in the first pass")
	}
	srv := natstest.Embedded(t)
	prefix := fmt.Sprintf("S3T%d", time.Now().UnixNano())
	a, sa := jetStreamNode(t, srv.URL, prefix)
	b, _ := jetStreamNode(t, srv.URL, prefix)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	if _, err := a.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("shared")}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("shared")}); apiCode(err) != "BucketAlreadyOwnedByYou" {
		t.Fatalf("bucket made on a, created again on b: %v", err)
	}
	// An object of several 1 MiB records, put through a, read through b.
	body := make([]byte, 2<<20+12345)
	for i := range body {
		body[i] = byte(i*7 + i/1000)
	}
	if _, err := a.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("shared"), Key: aws.String("dir/obj"), Body: bytes.NewReader(body),
		ContentType: aws.String("application/x-test")}); err != nil {
		t.Fatal(err)
	}
	got, err := b.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("shared"), Key: aws.String("dir/obj")})
	if err != nil {
		t.Fatal(err)
	}
	whole, err := io.ReadAll(got.Body)
	if err != nil || !bytes.Equal(whole, body) || aws.ToString(got.ContentType) != "application/x-test" {
		t.Fatalf("GET through b: %v, %d bytes (equal %v), %q", err, len(whole), bytes.Equal(whole, body), aws.ToString(got.ContentType))
	}
	// Ranged GETs through b: within a record, across a record boundary,
	// the tail.
	for _, r := range [][2]int{{10, 99}, {1<<20 - 5, 1<<20 + 10}, {2<<20 + 12000, len(body) - 1}} {
		got, err := b.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("shared"), Key: aws.String("dir/obj"),
			Range: aws.String(fmt.Sprintf("bytes=%d-%d", r[0], r[1]))})
		if err != nil {
			t.Fatal(err)
		}
		part, _ := io.ReadAll(got.Body)
		if !bytes.Equal(part, body[r[0]:r[1]+1]) {
			t.Fatalf("range %v through b: %d bytes, wrong", r, len(part))
		}
	}
	list, err := b.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("shared"), Prefix: aws.String("dir/")})
	if err != nil || len(list.Contents) != 1 || aws.ToString(list.Contents[0].Key) != "dir/obj" || aws.ToInt64(list.Contents[0].Size) != int64(len(body)) {
		t.Fatalf("list through b: %v %+v", err, list)
	}

	// Overwritten through b: a reads the new body, and the old body's
	// log is gone.
	if _, err := b.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("shared"), Key: aws.String("dir/obj"), Body: strings.NewReader("v2")}); err != nil {
		t.Fatal(err)
	}
	got, err = a.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("shared"), Key: aws.String("dir/obj")})
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := io.ReadAll(got.Body); string(v) != "v2" {
		t.Fatalf("after b's overwrite, a reads %d bytes", len(v))
	}
	if ids := objectLogs(t, sa.Logs); len(ids) != 1 {
		t.Fatalf("object logs after an overwrite: %v, want the new one alone", ids)
	}

	// Multipart: created and parts uploaded through a, completed through b.
	up, err := a.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("shared"), Key: aws.String("multi")})
	if err != nil {
		t.Fatal(err)
	}
	var want []byte
	var parts []types.CompletedPart
	for i := 1; i <= 3; i++ {
		p := bytes.Repeat([]byte{byte('a' + i)}, 5<<20)
		if i == 3 {
			p = []byte("tail")
		}
		want = append(want, p...)
		out, err := a.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("shared"), Key: aws.String("multi"), UploadId: up.UploadId,
			PartNumber: aws.Int32(int32(i)), Body: bytes.NewReader(p)})
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(int32(i)), ETag: out.ETag})
	}
	if _, err := b.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("shared"), Key: aws.String("multi"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}}); err != nil {
		t.Fatal(err)
	}
	got, err = a.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("shared"), Key: aws.String("multi"), Range: aws.String(fmt.Sprintf("bytes=%d-", 5<<20-3))})
	if err != nil {
		t.Fatal(err)
	}
	if v, err := io.ReadAll(got.Body); !bytes.Equal(v, want[5<<20-3:]) {
		t.Fatalf("completed upload read through a: %d bytes, wrong (%v)", len(v), err)
	}
	if _, err := a.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("shared"), Key: aws.String("multi"), UploadId: up.UploadId,
		PartNumber: aws.Int32(4), Body: strings.NewReader("late")}); apiCode(err) != "NoSuchUpload" {
		t.Fatalf("part uploaded through a after b completed: %v", err)
	}
	if ids := partLogs(t, sa.Logs); len(ids) != 0 {
		t.Fatalf("part logs after completion: %v", ids)
	}

	// Deleted through a: gone through b.
	for _, k := range []string{"dir/obj", "multi"} {
		if _, err := a.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("shared"), Key: aws.String(k)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("shared"), Key: aws.String("multi")}); apiCode(err) != "NoSuchKey" {
		t.Fatalf("object deleted through a, GET through b: %v", err)
	}
	if _, err := a.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("shared")}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("shared")}); err == nil {
		t.Fatal("bucket deleted through a still there through b")
	}
	lb, err := b.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil || len(lb.Buckets) != 0 {
		t.Fatalf("buckets through b: %v %+v", err, lb.Buckets)
	}
	if ids := objectLogs(t, sa.Logs); len(ids) != 0 {
		t.Fatalf("object logs after every object's deletion: %v", ids)
	}
}

func logsUnder(t *testing.T, l storage.Logs, prefix string) []string {
	t.Helper()
	ids, err := l.List()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, id := range ids {
		if strings.HasPrefix(id, prefix) {
			out = append(out, id)
		}
	}
	return out
}

func objectLogs(t *testing.T, l storage.Logs) []string { return logsUnder(t, l, "s3/o/") }
func partLogs(t *testing.T, l storage.Logs) []string   { return logsUnder(t, l, "s3/p/") }

// A body whose metadata never committed (a writer that died after its
// appends, a failed check) is a log nothing references: never read nor
// listed, and a later put of the key is unaffected.
func TestLogStoreGarbage(t *testing.T) {
	st := storeAt(t.TempDir())
	ls, ok := st.(*LogStore)
	if !ok {
		t.Skip("the LogStore's (the second pass)")
	}
	if err := ls.CreateBucketFor("bkt", ""); err != nil {
		t.Fatal(err)
	}
	// A writer that died after appending, before sealing and committing.
	l, err := ls.Logs.Create("s3/o/deadwriter", 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Append([]storage.Record{{Arrival: time.Now(), Data: []byte("half")}}); err != nil {
		t.Fatal(err)
	}
	// A put its check refused leaves no object and deletes its log.
	refused := errors.New("checksum mismatch")
	if err := ls.Put("bkt", &Meta{Key: "k"}, strings.NewReader("bad"), func(*Meta) error { return refused }); !errors.Is(err, refused) {
		t.Fatalf("put with a failing check: %v", err)
	}
	if _, err := ls.Open("bkt", "k"); !errors.Is(err, errNoKey) {
		t.Fatalf("refused object opened: %v", err)
	}
	if ids := objectLogs(t, ls.Logs); len(ids) != 1 || ids[0] != "s3/o/deadwriter" {
		t.Fatalf("logs after a refused put: %v", ids)
	}
	if err := ls.Put("bkt", &Meta{Key: "k"}, strings.NewReader("good"), nil); err != nil {
		t.Fatal(err)
	}
	list, err := ls.List("bkt", "")
	if err != nil || len(list) != 1 || list[0].Key != "k" || list[0].Size != 4 {
		t.Fatalf("list: %v %+v", err, list)
	}
	// A put into a bucket deleted meanwhile commits nothing.
	if err := ls.Delete("bkt", "k"); err != nil {
		t.Fatal(err)
	}
	if err := ls.DeleteBucket("bkt"); err != nil {
		t.Fatal(err)
	}
	if err := ls.commitObject("bkt", &Meta{Key: "late"}, "s3/o/late", nil); !errors.Is(err, errNoBucket) {
		t.Fatalf("commit into a deleted bucket: %v", err)
	}
}
