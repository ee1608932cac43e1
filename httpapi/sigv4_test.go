package httpapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// TestMalformedAuthorization checks AWS's messages (as kinesalite and
// dynalite recorded them from the real service) for broken Authorization
// headers and presigned queries, on servers with and without credentials.
func TestMalformedAuthorization(t *testing.T) {
	verifying := startServer(t, withCreds())
	lenient := startServer(t, Config{})
	body := []byte(`{}`)
	tests := []struct {
		name    string
		query   string
		headers map[string]string
		code    string
		msg     string
	}{
		{"garbage header", "", map[string]string{"Authorization": "X"}, "IncompleteSignatureException",
			"Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
				"Authorization header requires 'SignedHeaders' parameter. " +
				"Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=X"},
		{"garbage header, partial query", "?X-Amz-Algorith", map[string]string{"Authorization": "X"}, "IncompleteSignatureException",
			"Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
				"Authorization header requires 'SignedHeaders' parameter. " +
				"Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=X"},
		{"spaces", "", map[string]string{"Authorization": "AWS4- Signature=b Credential=a", "Date": "a"}, "IncompleteSignatureException",
			"Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4- Signature=b Credential=a"},
		{"comma", "", map[string]string{"Authorization": "AWS4- Signature=b,Credential=a", "Date": "a"}, "IncompleteSignatureException",
			"Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4- Signature=b,Credential=a"},
		{"comma space", "", map[string]string{"Authorization": "AWS4- Signature=b, Credential=a", "Date": "a"}, "IncompleteSignatureException",
			"Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4- Signature=b, Credential=a"},
		{"pair without equals", "", map[string]string{"Authorization": "AWS4-HMAC-SHA256 Credential, Signature=b", "X-Amz-Date": "20240101T000000Z"}, "IncompleteSignatureException",
			"'Credential' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Credential, Signature=b'."},
		{"both header and query", "?X-Amz-Algorithm", map[string]string{"Authorization": "X"}, "InvalidSignatureException",
			"Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."},
		{"query without algorithm", "?X-Amz-Credential=a&X-Amz-Signature=b&X-Amz-SignedHeaders=c&X-Amz-Date=d", nil,
			"MissingAuthenticationTokenException", "Missing Authentication Token"},
		{"empty algorithm query", "?X-Amz-Algorithm", nil, "IncompleteSignatureException",
			"AWS query-string parameters must include 'X-Amz-Algorithm'. AWS query-string parameters must include 'X-Amz-Credential'. " +
				"AWS query-string parameters must include 'X-Amz-Signature'. AWS query-string parameters must include 'X-Amz-SignedHeaders'. " +
				"AWS query-string parameters must include 'X-Amz-Date'. Re-examine the query-string parameters."},
		{"query without signed headers", "?X-Amz-Algorithm=a&X-Amz-Credential=b&X-Amz-Signature=c&X-Amz-Date=d", nil, "IncompleteSignatureException",
			"AWS query-string parameters must include 'X-Amz-SignedHeaders'. Re-examine the query-string parameters."},
		{"bad date", "", map[string]string{"Authorization": "AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host, Signature=f", "X-Amz-Date": "201"}, "IncompleteSignatureException",
			"Date must be in ISO-8601 'basic format'. Got '201'. See http://en.wikipedia.org/wiki/ISO_8601"},
		{"bad Date header", "", map[string]string{"Authorization": "AWS4- Signature=b, Credential=a, SignedHeaders=host", "Date": "a"}, "IncompleteSignatureException",
			"Date must be in ISO-8601 'basic format'. Got 'a'. See http://en.wikipedia.org/wiki/ISO_8601"},
	}
	for _, srv := range []*testServer{verifying, lenient} {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				req := rawRequest(t, srv.url, kinesisAPI+".ListStreams", contentTypeJSON, body)
				req.URL.RawQuery = tt.query[min(1, len(tt.query)):]
				for k, v := range tt.headers {
					req.Header.Set(k, v)
				}
				wantJSONError(t, do(t, nil, req), 400, tt.code, tt.msg)
			})
		}
		if n := srv.fake.calls.Load(); n != 0 {
			t.Errorf("operation called %d times", n)
		}
	}
}

// TestSignatureChecks covers the checks after the structural ones, which
// only a server with credentials makes.
func TestSignatureChecks(t *testing.T) {
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	body := []byte(`{}`)
	auth := func(cred, signedHeaders string) map[string]string {
		return map[string]string{
			"Authorization": "AWS4-HMAC-SHA256 Credential=" + cred + ", SignedHeaders=" + signedHeaders + ", Signature=00",
			"X-Amz-Date":    "20240101T000000Z",
		}
	}
	tests := []struct {
		name    string
		now     time.Time
		headers map[string]string // set after signing; nil: signed by the SDK at t0
		code    string
		msg     string
	}{
		{"in time", t0.Add(14 * time.Minute), nil, "", ""},
		{"expired", t0.Add(20 * time.Minute), nil, "InvalidSignatureException",
			"Signature expired: 20240101T000000Z is now earlier than 20240101T000500Z (20240101T002000Z - 15 min.)"},
		{"not yet current", t0.Add(-20 * time.Minute), nil, "InvalidSignatureException",
			"Signature not yet current: 20240101T000000Z is still later than 20231231T235500Z (20231231T234000Z + 15 min.)"},
		{"host not signed", t0, auth(testKeyID+"/20240101/us-east-1/kinesis/aws4_request", "x-amz-date"), "InvalidSignatureException",
			"'Host' must be a 'SignedHeader' in the AWS Authorization."},
		{"bad algorithm", t0, map[string]string{
			"Authorization": "AWS4-HMAC-SHA25 Credential=a/b/c/d/e, SignedHeaders=host, Signature=00",
			"X-Amz-Date":    "20240101T000000Z",
		}, "IncompleteSignatureException", "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA25' (only AWS4-HMAC-SHA256 for now). "},
		{"four-part credential", t0, auth("a/b/c/d", "host"), "IncompleteSignatureException",
			"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'a/b/c/d'"},
		{"scope all wrong", t0, auth("a/b/C/d/e", "host"), "InvalidSignatureException",
			"Credential should be scoped to a valid region, not 'C'. Credential should be scoped to correct service: 'kinesis'. " +
				"Credential should be scoped with a valid terminator: 'aws4_request', not 'e'. " +
				"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: 'b' != '20240101', from '20240101T000000Z'."},
		{"trailing slash in credential", t0, auth(testKeyID+"/20240101/us-east-1/kinesis/aws4_request/", "host"), "InvalidSignatureException",
			"The request signature we calculated does not match the signature you provided."},
		{"wrong service", t0, auth(testKeyID+"/20240101/us-east-1/dynamodb/aws4_request", "host"), "InvalidSignatureException",
			"Credential should be scoped to correct service: 'kinesis'. "},
		{"unknown key", t0, auth("AKIDNOPE/20240101/us-east-1/kinesis/aws4_request", "host"), "UnrecognizedClientException",
			"The security token included in the request is invalid."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := withCreds()
			cfg.Now = func() time.Time { return tt.now }
			ts := startServer(t, cfg)
			req := rawRequest(t, ts.url, kinesisAPI+".ListStreams", contentTypeJSON, body)
			if tt.headers == nil {
				sign(t, req, body, testKeyID, testSecret, t0)
			}
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			r := do(t, nil, req)
			if tt.code == "" {
				if r.status != 200 {
					t.Fatalf("got %d %s", r.status, r.body)
				}
				return
			}
			// Compare the message up to the length of the expected one: a
			// signature mismatch goes on with the canonical request.
			var got struct{ Type, Message string }
			got.Type, got.Message = decodeErr(t, r.body)
			if r.status != 400 || got.Type != tt.code || len(got.Message) < len(tt.msg) || got.Message[:len(tt.msg)] != tt.msg {
				t.Errorf("got %d %s %q\nwant %s %q", r.status, got.Type, got.Message, tt.code, tt.msg)
			}
			if ts.fake.calls.Load() != 0 {
				t.Error("operation called")
			}
		})
	}
}

func decodeErr(t *testing.T, body []byte) (code, msg string) {
	t.Helper()
	var e errorBody
	if err := jsonCodec.unmarshal(body, &e); err != nil {
		t.Fatalf("error body %q: %v", body, err)
	}
	return e.Type, e.Message
}

// TestSignatureDetails covers what the SDK's signer puts in the canonical
// request beyond the basics: query parameters (sorted, encoded), repeated
// and oddly spaced headers, an unsigned payload, a tampered body.
func TestSignatureDetails(t *testing.T) {
	ts := startServer(t, withCreds())
	body := []byte(`{"Limit":1}`)
	t.Run("query and headers", func(t *testing.T) {
		req := rawRequest(t, ts.url, kinesisAPI+".ListStreams", contentTypeJSON, body)
		req.URL.RawQuery = "b=2&a=1&a=0&c=x%20y&d=%2F~&e="
		req.Header.Add("X-Custom", "  two   spaces  ")
		req.Header.Add("X-Custom", "second")
		sign(t, req, body, testKeyID, testSecret, time.Now())
		if r := do(t, nil, req); r.status != 200 {
			t.Fatalf("got %d %s", r.status, r.body)
		}
	})
	t.Run("unsigned payload", func(t *testing.T) {
		req := rawRequest(t, ts.url, kinesisAPI+".ListStreams", contentTypeJSON, body)
		req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
		err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret},
			req, "UNSIGNED-PAYLOAD", "kinesis", testRegion, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if r := do(t, nil, req); r.status != 200 {
			t.Fatalf("got %d %s", r.status, r.body)
		}
	})
	t.Run("tampered body", func(t *testing.T) {
		req := rawRequest(t, ts.url, kinesisAPI+".ListStreams", contentTypeJSON, []byte(`{"Limit":2}`))
		sign(t, req, body, testKeyID, testSecret, time.Now()) // signed for another body of the same length
		if r := do(t, nil, req); r.status != 400 {
			t.Fatalf("got %d %s", r.status, r.body)
		}
	})
	t.Run("content hash header for another body", func(t *testing.T) {
		req := rawRequest(t, ts.url, kinesisAPI+".ListStreams", contentTypeJSON, []byte(`{"Limit":2}`))
		sum := sha256.Sum256(body)
		req.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(sum[:]))
		sign(t, req, body, testKeyID, testSecret, time.Now())
		if r := do(t, nil, req); r.status != 400 {
			t.Fatalf("got %d %s", r.status, r.body)
		}
	})
	if n := ts.fake.calls.Load(); n != 2 {
		t.Errorf("operation called %d times, want 2", n)
	}
}

// TestPresigned sends requests presigned with the SDK's signer.
func TestPresigned(t *testing.T) {
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	body := []byte(`{}`)
	presign := func(t *testing.T, url, expires string) *http.Request {
		req := rawRequest(t, url, kinesisAPI+".ListStreams", contentTypeJSON, body)
		if expires != "" {
			req.URL.RawQuery = "X-Amz-Expires=" + expires
		}
		sum := sha256.Sum256(body)
		signed, hdr, err := v4.NewSigner().PresignHTTP(context.Background(), aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret},
			req, hex.EncodeToString(sum[:]), "kinesis", testRegion, t0)
		if err != nil {
			t.Fatal(err)
		}
		out := rawRequest(t, url, "", "", body)
		if out.URL, err = out.URL.Parse(signed); err != nil {
			t.Fatal(err)
		}
		for k, v := range hdr {
			if k != "Host" {
				out.Header[k] = v
			}
		}
		return out
	}
	tests := []struct {
		name    string
		now     time.Time
		expires string
		code    string
		msg     string
	}{
		{"valid", t0.Add(time.Minute), "", "", ""},
		{"valid within expiry", t0.Add(50 * time.Minute), "3600", "", ""},
		{"past expiry", t0.Add(2 * time.Minute), "60", "InvalidSignatureException",
			"Signature expired: 20240101T000000Z is now earlier than 20240101T000100Z (20240101T000200Z - 60 sec.)"},
		{"past skew without expiry", t0.Add(16 * time.Minute), "", "InvalidSignatureException",
			"Signature expired: 20240101T000000Z is now earlier than 20240101T000100Z (20240101T001600Z - 15 min.)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := withCreds()
			cfg.Now = func() time.Time { return tt.now }
			ts := startServer(t, cfg)
			r := do(t, nil, presign(t, ts.url, tt.expires))
			if tt.code == "" {
				if r.status != 200 {
					t.Fatalf("got %d %s", r.status, r.body)
				}
				return
			}
			wantJSONError(t, r, 400, tt.code, tt.msg)
		})
	}
}

func TestURIEncode(t *testing.T) {
	tests := []struct{ in, slash, noSlash string }{
		{"", "", ""},
		{"AZaz09-_.~", "AZaz09-_.~", "AZaz09-_.~"},
		{"a b/c", "a%20b%2Fc", "a%20b/c"},
		{"%2F+=&é", "%252F%2B%3D%26%C3%A9", "%252F%2B%3D%26%C3%A9"},
	}
	for _, tt := range tests {
		if got := uriEncode(tt.in, true); got != tt.slash {
			t.Errorf("uriEncode(%q, true) = %q, want %q", tt.in, got, tt.slash)
		}
		if got := uriEncode(tt.in, false); got != tt.noSlash {
			t.Errorf("uriEncode(%q, false) = %q, want %q", tt.in, got, tt.noSlash)
		}
	}
	u, _ := url.Parse("http://h/?b=2&a-b=1&a=1&a=0&X-Amz-Signature=s")
	if got, want := canonicalQuery(u, true), "a=0&a=1&a-b=1&b=2"; got != want {
		t.Errorf("canonicalQuery = %q, want %q", got, want)
	}
	if got, want := canonicalQuery(u, false), "X-Amz-Signature=s&a=0&a=1&a-b=1&b=2"; got != want {
		t.Errorf("canonicalQuery = %q, want %q", got, want)
	}
}
