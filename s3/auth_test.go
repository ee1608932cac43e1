package s3

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// signedServer is an endpoint that verifies signatures by key AK / secret
// SK, its clock now() plus offset.
func signedServer(t *testing.T, tls bool, offset time.Duration) (*httptest.Server, *Server) {
	t.Helper()
	srv := &Server{Store: storeAt(t.TempDir()), Credentials: map[string]string{"AK": "SK"},
		Now: func() time.Time { return time.Now().Add(offset) }}
	ts := httptest.NewUnstartedServer(srv)
	if tls {
		ts.StartTLS()
	} else {
		ts.Start()
	}
	t.Cleanup(ts.Close)
	return ts, srv
}

func sdkClient(ts *httptest.Server, key, secret string) *s3.Client {
	return s3.New(s3.Options{HTTPClient: ts.Client(), BaseEndpoint: aws.String(ts.URL), UsePathStyle: true,
		Region: "eu-west-1", RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(key, secret, "")})
}

func httpStatus(err error) int {
	var re interface{ HTTPStatusCode() int }
	for e := err; e != nil; {
		if r, ok := e.(interface{ HTTPStatusCode() int }); ok {
			re = r
			break
		}
		u, ok := e.(interface{ Unwrap() error })
		if !ok {
			break
		}
		e = u.Unwrap()
	}
	if re == nil {
		return 0
	}
	return re.HTTPStatusCode()
}

// The right key works over TLS (aws-chunked, STREAMING-UNSIGNED-PAYLOAD-TRAILER)
// and plain HTTP (hex x-amz-content-sha256); a wrong secret, an unknown key
// and a skewed clock are refused as S3 refuses them.
func TestSignedRequests(t *testing.T) {
	ctx := context.Background()
	for _, tls := range []bool{true, false} {
		t.Run(fmt.Sprintf("tls=%v", tls), func(t *testing.T) {
			ts, _ := signedServer(t, tls, 0)
			c := sdkClient(ts, "AK", "SK")
			if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bkt")}); err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"plain", "a b/ü?&=+!*'()$,;:@~", "../x"} {
				if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String(k),
					Body: strings.NewReader("hello " + k)}); err != nil {
					t.Fatalf("put %q: %v", k, err)
				}
				out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String(k)})
				if err != nil {
					t.Fatalf("get %q: %v", k, err)
				}
				b, _ := io.ReadAll(out.Body)
				if string(b) != "hello "+k {
					t.Fatalf("get %q: %q", k, b)
				}
			}
			if _, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("bkt"), Prefix: aws.String("a b/")}); err != nil {
				t.Fatal(err)
			}
			for _, tc := range []struct {
				name        string
				key, secret string
				code        string
			}{
				{"wrong secret", "AK", "nope", "SignatureDoesNotMatch"},
				{"unknown key", "NOPE", "SK", "InvalidAccessKeyId"},
			} {
				_, err := sdkClient(ts, tc.key, tc.secret).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("plain")})
				if apiCode(err) != tc.code || httpStatus(err) != 403 {
					t.Errorf("%s: %v (status %d), want %s 403", tc.name, err, httpStatus(err), tc.code)
				}
				_, err = sdkClient(ts, tc.key, tc.secret).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("plain"),
					Body: strings.NewReader("overwritten")})
				if apiCode(err) != tc.code {
					t.Errorf("%s put: %v, want %s", tc.name, err, tc.code)
				}
			}
			out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("plain")})
			if err != nil {
				t.Fatal(err)
			}
			if b, _ := io.ReadAll(out.Body); string(b) != "hello plain" {
				t.Fatalf("a refused put changed the object: %q", b)
			}
		})
	}
}

func TestAnonymousAndSkewRefused(t *testing.T) {
	ts, _ := signedServer(t, false, 0)
	resp, err := http.Get(ts.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	e := decodeError(t, resp)
	if resp.StatusCode != 403 || e.Code != "AccessDenied" || e.Message != "Access Denied" {
		t.Fatalf("anonymous: %d %+v", resp.StatusCode, e)
	}

	skewed, _ := signedServer(t, false, time.Hour)
	_, err = sdkClient(skewed, "AK", "SK").ListBuckets(context.Background(), &s3.ListBucketsInput{})
	if apiCode(err) != "RequestTimeTooSkewed" || httpStatus(err) != 403 {
		t.Fatalf("skewed: %v", err)
	}
}

type errorDoc struct {
	Code, Message                                  string
	StringToSign, CanonicalRequest, AWSAccessKeyId string
	ClientComputedContentSHA256                    string
	S3ComputedContentSHA256                        string
	Expires, ServerTime                            string
	XAmzExpires                                    string `xml:"X-Amz-Expires"`
	RangeRequested, ActualObjectSize               string
}

func decodeError(t *testing.T, resp *http.Response) errorDoc {
	t.Helper()
	defer resp.Body.Close()
	var e errorDoc
	b, _ := io.ReadAll(resp.Body)
	if err := xml.Unmarshal(b, &e); err != nil {
		t.Fatalf("error body %q: %v", b, err)
	}
	return e
}

// A presigned GET URL from the SDK's presign client works; one with a
// changed signature or past its expiry does not.
func TestPresignedGet(t *testing.T) {
	ctx := context.Background()
	ts, srv := signedServer(t, false, 0)
	c := sdkClient(ts, "AK", "SK")
	c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bkt")})
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("dir/k y"), Body: strings.NewReader("presigned")}); err != nil {
		t.Fatal(err)
	}
	pre, err := s3.NewPresignClient(c).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("dir/k y")},
		s3.WithPresignExpires(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(pre.URL)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "presigned" {
		t.Fatalf("presigned get: %d %q", resp.StatusCode, b)
	}

	i := strings.Index(pre.URL, "X-Amz-Signature=") + len("X-Amz-Signature=")
	bad := pre.URL[:i] + strings.Repeat("0", 64) + pre.URL[i+64:]
	resp, err = http.Get(bad)
	if err != nil {
		t.Fatal(err)
	}
	if e := decodeError(t, resp); resp.StatusCode != 403 || e.Code != "SignatureDoesNotMatch" || !strings.Contains(e.CanonicalRequest, "/bkt/dir/k%20y") {
		t.Fatalf("changed signature: %d %+v", resp.StatusCode, e)
	}

	srv.Now = func() time.Time { return time.Now().Add(2 * time.Hour) }
	resp, err = http.Get(pre.URL)
	if err != nil {
		t.Fatal(err)
	}
	if e := decodeError(t, resp); resp.StatusCode != 403 || e.Code != "AccessDenied" || e.Message != "Request has expired" || e.XAmzExpires != "3600" {
		t.Fatalf("expired: %d %+v", resp.StatusCode, e)
	}
}

// signRaw signs req as the SDK's S3 client would, over payloadHash.
func signRaw(t *testing.T, req *http.Request, payloadHash, secret string, at time.Time) {
	t.Helper()
	req.Header.Set("x-amz-content-sha256", payloadHash)
	err := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }).SignHTTP(context.Background(),
		aws.Credentials{AccessKeyID: "AK", SecretAccessKey: secret}, req, payloadHash, "s3", "us-east-1", at)
	if err != nil {
		t.Fatal(err)
	}
}

func hexSHA(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// A body whose SHA-256 is not the signed x-amz-content-sha256 is refused
// with XAmzContentSHA256Mismatch (signed or not) and stores nothing.
func TestContentSHA256Mismatch(t *testing.T) {
	for _, verify := range []bool{true, false} {
		ts, srv := signedServer(t, false, 0)
		if !verify {
			srv.Credentials = nil
		}
		srv.Store.CreateBucketFor("bkt", "")
		req, _ := http.NewRequest("PUT", ts.URL+"/bkt/k", strings.NewReader("the real body"))
		signRaw(t, req, hexSHA([]byte("another body")), "SK", time.Now())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		e := decodeError(t, resp)
		if resp.StatusCode != 400 || e.Code != "XAmzContentSHA256Mismatch" || e.S3ComputedContentSHA256 != hexSHA([]byte("the real body")) {
			t.Fatalf("verify=%v: %d %+v", verify, resp.StatusCode, e)
		}
		if _, err := srv.Store.Open("bkt", "k"); err != errNoKey {
			t.Fatalf("verify=%v: refused object stored: %v", verify, err)
		}
	}
}

// A STREAMING-AWS4-HMAC-SHA256-PAYLOAD body (the seed signature by the SDK's
// signer, chunk signatures per the S3 API reference, sigv4-streaming.html)
// is stored; one with a chunk changed is refused with SignatureDoesNotMatch.
func TestSignedChunks(t *testing.T) {
	ts, srv := signedServer(t, false, 0)
	srv.Store.CreateBucketFor("bkt", "")
	at := time.Now().UTC()
	chunks := [][]byte{bytes.Repeat([]byte("a"), 65536), []byte("tail"), nil}
	send := func(key string, tamper bool) *http.Response {
		req, _ := http.NewRequest("PUT", ts.URL+"/bkt/"+key, nil)
		req.Header.Set("Content-Encoding", "aws-chunked")
		req.Header.Set("x-amz-decoded-content-length", "65540")
		// Framing length, so the signer signs the Content-Length sent.
		var body bytes.Buffer
		sigs := make([]string, len(chunks))
		for i := range sigs {
			sigs[i] = strings.Repeat("0", 64) // as long as a signature
		}
		frame := func() {
			body.Reset()
			for i, c := range chunks {
				data := c
				if tamper && i == 1 {
					data = []byte("TAIL")
				}
				fmt.Fprintf(&body, "%x;chunk-signature=%s\r\n%s\r\n", len(c), sigs[i], data)
			}
		}
		frame()
		req.ContentLength = int64(body.Len())
		signRaw(t, req, streamingSigned, "SK", at)
		seed := req.Header.Get("Authorization")
		seed = seed[strings.Index(seed, "Signature=")+len("Signature="):]
		sk := hmacB([]byte("AWS4SK"), at.Format("20060102"))
		for _, s := range []string{"us-east-1", "s3", "aws4_request"} {
			sk = hmacB(sk, s)
		}
		prev := seed
		for i, c := range chunks {
			toSign := "AWS4-HMAC-SHA256-PAYLOAD\n" + at.Format(amzDateFormat) + "\n" + at.Format("20060102") + "/us-east-1/s3/aws4_request\n" +
				prev + "\n" + hexSHA(nil) + "\n" + hexSHA(c)
			sigs[i] = hex.EncodeToString(hmacB(sk, toSign))
			prev = sigs[i]
		}
		frame()
		req.Body = io.NopCloser(bytes.NewReader(body.Bytes()))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	if resp := send("good", false); resp.StatusCode != 200 {
		t.Fatalf("signed chunks: %d %+v", resp.StatusCode, decodeError(t, resp))
	}
	o, err := srv.Store.Open("bkt", "good")
	if err != nil {
		t.Fatal(err)
	}
	o.Close()
	if o.Size != 65540 {
		t.Fatalf("size %d", o.Size)
	}
	resp := send("bad", true)
	if e := decodeError(t, resp); resp.StatusCode != 403 || e.Code != "SignatureDoesNotMatch" {
		t.Fatalf("tampered chunk: %d %+v", resp.StatusCode, e)
	}
	if _, err := srv.Store.Open("bkt", "bad"); err != errNoKey {
		t.Fatalf("tampered object stored: %v", err)
	}
}

func hmacB(key []byte, s string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(s))
	return m.Sum(nil)
}
