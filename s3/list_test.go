package s3

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func plainClient(t *testing.T, srv *Server) (*s3.Client, *httptest.Server) {
	t.Helper()
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return s3.New(s3.Options{BaseEndpoint: aws.String(ts.URL), UsePathStyle: true, Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("AK", "SK", "")}), ts
}

func putKeys(t *testing.T, c *s3.Client, bucket string, keys ...string) {
	t.Helper()
	ctx := context.Background()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(k), Body: strings.NewReader(k)}); err != nil {
			t.Fatal(err)
		}
	}
}

func keysOf(objs []types.Object) []string {
	var out []string
	for _, o := range objs {
		out = append(out, aws.ToString(o.Key))
	}
	return out
}

func prefixesOf(cps []types.CommonPrefix) []string {
	var out []string
	for _, p := range cps {
		out = append(out, aws.ToString(p.Prefix))
	}
	return out
}

// ListObjects (v1): marker paging; NextMarker only with a delimiter.
func TestListObjectsV1(t *testing.T) {
	ctx := context.Background()
	c, _ := plainClient(t, &Server{Store: storeAt(t.TempDir())})
	putKeys(t, c, "bkt", "a/1", "a/2", "b/1", "c", "d")

	p1, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("bkt"), Delimiter: aws.String("/"), MaxKeys: aws.Int32(3)})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(append(prefixesOf(p1.CommonPrefixes), keysOf(p1.Contents)...), ","); got != "a/,b/,c" ||
		!aws.ToBool(p1.IsTruncated) || aws.ToString(p1.NextMarker) != "c" {
		t.Fatalf("page 1: %s truncated=%v next=%q", got, aws.ToBool(p1.IsTruncated), aws.ToString(p1.NextMarker))
	}
	p2, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("bkt"), Delimiter: aws.String("/"), MaxKeys: aws.Int32(3), Marker: p1.NextMarker})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(keysOf(p2.Contents), ","); got != "d" || aws.ToBool(p2.IsTruncated) || p2.NextMarker != nil {
		t.Fatalf("page 2: %s truncated=%v next=%v", got, aws.ToBool(p2.IsTruncated), p2.NextMarker)
	}
	// A marker that is a common prefix skips the keys under it.
	p3, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("bkt"), Delimiter: aws.String("/"), Marker: aws.String("a/")})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(append(prefixesOf(p3.CommonPrefixes), keysOf(p3.Contents)...), ","); got != "b/,c,d" {
		t.Fatalf("after a/: %s", got)
	}

	// Without a delimiter: no NextMarker, the next page starts after the
	// last key.
	var all []string
	var marker *string
	for i := 0; ; i++ {
		p, err := c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("bkt"), MaxKeys: aws.Int32(2), Marker: marker})
		if err != nil {
			t.Fatal(err)
		}
		if p.NextMarker != nil {
			t.Fatalf("NextMarker %q without a delimiter", aws.ToString(p.NextMarker))
		}
		all = append(all, keysOf(p.Contents)...)
		if !aws.ToBool(p.IsTruncated) {
			break
		}
		if i > 5 {
			t.Fatal("paging does not end")
		}
		marker = p.Contents[len(p.Contents)-1].Key
	}
	if strings.Join(all, ",") != "a/1,a/2,b/1,c,d" {
		t.Fatalf("paged: %v", all)
	}
}

// encoding-type=url (what botocore asks for) percent-encodes the keys and
// prefixes answered.
func TestListEncodingTypeURL(t *testing.T) {
	c, ts := plainClient(t, &Server{Store: storeAt(t.TempDir())})
	putKeys(t, c, "bkt", "dir one/a+b c")
	for _, q := range []string{"", "list-type=2&"} {
		resp, err := http.Get(ts.URL + "/bkt?" + q + "encoding-type=url&delimiter=%2F")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(b), "<Prefix>dir+one%2F</Prefix>") || !strings.Contains(string(b), "<EncodingType>url</EncodingType>") ||
			!strings.Contains(string(b), "<Delimiter>%2F</Delimiter>") {
			t.Fatalf("%s: %s", q, b)
		}
	}
}

func TestGetBucketLocation(t *testing.T) {
	ctx := context.Background()
	for _, region := range []string{"", "us-east-1", "eu-west-1"} {
		c, _ := plainClient(t, &Server{Store: storeAt(t.TempDir()), Region: region})
		putKeys(t, c, "bkt")
		out, err := c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("bkt")})
		if err != nil {
			t.Fatal(err)
		}
		want := region
		if want == "us-east-1" {
			want = ""
		}
		if string(out.LocationConstraint) != want {
			t.Fatalf("region %q: LocationConstraint %q", region, out.LocationConstraint)
		}
		_, err = c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("nope")})
		if apiCode(err) != "NoSuchBucket" {
			t.Fatalf("missing bucket: %v", err)
		}
	}
}

// HeadBucket on a missing bucket: 404 and no body.
func TestHeadMissingBucket(t *testing.T) {
	c, ts := plainClient(t, &Server{Store: storeAt(t.TempDir())})
	req, _ := http.NewRequest("HEAD", ts.URL+"/nope", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 404 || len(b) != 0 || resp.ContentLength > 0 {
		t.Fatalf("HEAD missing bucket: %d, %d bytes, Content-Length %d", resp.StatusCode, len(b), resp.ContentLength)
	}
	_, err = c.HeadBucket(context.Background(), &s3.HeadBucketInput{Bucket: aws.String("nope")})
	var nf *types.NotFound
	if !asError(err, &nf) {
		t.Fatalf("SDK HeadBucket: %v", err)
	}
}

func TestCopyObject(t *testing.T) {
	ctx := context.Background()
	c, _ := plainClient(t, &Server{Store: storeAt(t.TempDir())})
	putKeys(t, c, "src")
	putKeys(t, c, "dst")
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("src"), Key: aws.String("dir/ü k"), Body: strings.NewReader("payload"),
		ContentType: aws.String("text/x-src"), Metadata: map[string]string{"from": "src"}}); err != nil {
		t.Fatal(err)
	}
	out, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("copy"), CopySource: aws.String("src/dir/%C3%BC%20k")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.CopyObjectResult.ETag) != `"321c3cf486ed509164edec1e1981fec8"` { // md5("payload")
		t.Fatalf("copy ETag %q", aws.ToString(out.CopyObjectResult.ETag))
	}
	get := func(b, k string) *s3.GetObjectOutput {
		t.Helper()
		o, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String(k)})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	o := get("dst", "copy")
	body, _ := io.ReadAll(o.Body)
	if string(body) != "payload" || aws.ToString(o.ContentType) != "text/x-src" || o.Metadata["from"] != "src" {
		t.Fatalf("COPY: %q %q %v", body, aws.ToString(o.ContentType), o.Metadata)
	}
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("copy"), CopySource: aws.String("/src/dir/%C3%BC%20k"),
		MetadataDirective: types.MetadataDirectiveReplace, ContentType: aws.String("text/x-new"), Metadata: map[string]string{"new": "1"}}); err != nil {
		t.Fatal(err)
	}
	o = get("dst", "copy")
	if aws.ToString(o.ContentType) != "text/x-new" || o.Metadata["new"] != "1" || o.Metadata["from"] != "" {
		t.Fatalf("REPLACE: %q %v", aws.ToString(o.ContentType), o.Metadata)
	}
	for _, tc := range []struct {
		name string
		in   *s3.CopyObjectInput
		code string
	}{
		{"onto itself", &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("copy"), CopySource: aws.String("dst/copy")}, "InvalidRequest"},
		{"missing source", &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("x"), CopySource: aws.String("src/none")}, "NoSuchKey"},
		{"missing source bucket", &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("x"), CopySource: aws.String("nobucket/k")}, "NoSuchBucket"},
		{"no key", &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("x"), CopySource: aws.String("src")}, "InvalidArgument"},
		{"bad directive", &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("x"), CopySource: aws.String("src/dir/%C3%BC%20k"), MetadataDirective: "MOVE"}, "InvalidArgument"},
	} {
		if _, err := c.CopyObject(ctx, tc.in); apiCode(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
	// Onto itself with REPLACE: allowed (how metadata is changed in S3).
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("copy"), CopySource: aws.String("dst/copy"),
		MetadataDirective: types.MetadataDirectiveReplace, ContentType: aws.String("text/x-again")}); err != nil {
		t.Fatal(err)
	}
	if o := get("dst", "copy"); aws.ToString(o.ContentType) != "text/x-again" {
		t.Fatalf("self REPLACE: %q", aws.ToString(o.ContentType))
	}
}

func asError[T error](err error, target *T) bool { return errors.As(err, target) }
