package httpapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/protocol/awscbor"
)

// These tests send hand-built requests over a real listener and check the
// exact responses.

// signedRequest builds and signs a POST / with the test credentials.
func signedRequest(t *testing.T, url, target, contentType string, body []byte) *http.Request {
	t.Helper()
	req := rawRequest(t, url, target, contentType, body)
	sign(t, req, body, testKeyID, testSecret, time.Now())
	return req
}

// wantJSONError checks a JSON error response: status, body exactly
// {"__type":code} or {"__type":code,"message":msg} ("Message" for a
// SerializationException), and the headers every JSON response carries.
func wantJSONError(t *testing.T, r response, status int, code, msg string) {
	t.Helper()
	var got map[string]string
	if err := json.Unmarshal(r.body, &got); err != nil {
		t.Fatalf("status %d, body %q: %v", r.status, r.body, err)
	}
	key := "message"
	if code == "SerializationException" {
		key = "Message" // AWS's key for this exception
	}
	want := map[string]string{"__type": code}
	if msg != "" {
		want[key] = msg
	}
	if r.status != status || len(got) != len(want) || got["__type"] != code || got[key] != msg {
		t.Errorf("got %d %q, want %d %v", r.status, r.body, status, want)
	}
	checkJSONHeaders(t, r)
}

func checkJSONHeaders(t *testing.T, r response) {
	t.Helper()
	checkRequestID(t, r.header)
	if ct := r.header.Get("Content-Type"); ct != contentTypeJSON {
		t.Errorf("Content-Type %q", ct)
	}
	if cl := r.header.Get("Content-Length"); cl != itoa(len(r.body)) {
		t.Errorf("Content-Length %q for %d bytes", cl, len(r.body))
	}
	if id2, err := base64.StdEncoding.DecodeString(r.header.Get("X-Amz-Id-2")); err != nil || len(id2) != 72 {
		t.Errorf("x-amz-id-2 %q", r.header.Get("X-Amz-Id-2"))
	}
	if _, err := http.ParseTime(r.header.Get("Date")); err != nil {
		t.Errorf("Date %q: %v", r.header.Get("Date"), err)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestJSONErrors(t *testing.T) {
	ts := startServer(t, withCreds())
	put := kinesisAPI + ".PutRecord"
	tests := []struct {
		name   string
		req    func() *http.Request
		status int
		code   string
		msg    string
	}{
		{"no authorization", func() *http.Request {
			return rawRequest(t, ts.url, put, contentTypeJSON, []byte(`{"StreamName":"s","Data":"eA==","PartitionKey":"k"}`))
		}, 400, "MissingAuthenticationTokenException", "Missing Authentication Token"},
		{"malformed JSON", func() *http.Request {
			return signedRequest(t, ts.url, put, contentTypeJSON, []byte(`{"StreamName":`))
		}, 400, "SerializationException", ""},
		{"malformed JSON, unsigned (checked before the signature, as AWS)", func() *http.Request {
			return rawRequest(t, ts.url, put, contentTypeJSON, []byte(`hello`))
		}, 400, "SerializationException", ""},
		{"trailing garbage", func() *http.Request {
			return signedRequest(t, ts.url, put, contentTypeJSON, []byte(`{} {}`))
		}, 400, "SerializationException", ""},
		{"empty body", func() *http.Request {
			return signedRequest(t, ts.url, put, contentTypeJSON, nil)
		}, 400, "SerializationException", ""},
		{"null body", func() *http.Request {
			return signedRequest(t, ts.url, put, contentTypeJSON, []byte(`null`))
		}, 400, "SerializationException", ""},
		{"array body", func() *http.Request {
			return signedRequest(t, ts.url, put, contentTypeJSON, []byte(`[]`))
		}, 400, "SerializationException", ""},
		{"wrong type", func() *http.Request {
			return signedRequest(t, ts.url, put, contentTypeJSON, []byte(`{"StreamName":true,"Data":"eA==","PartitionKey":"k"}`))
		}, 400, "SerializationException", "class java.lang.Boolean can not be converted to an String"},
		{"number for a string", func() *http.Request {
			return signedRequest(t, ts.url, put, contentTypeJSON, []byte(`{"PartitionKey":23}`))
		}, 400, "SerializationException", "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String"},
		{"object for a blob", func() *http.Request {
			return signedRequest(t, ts.url, put, contentTypeJSON, []byte(`{"Data":{}}`))
		}, 400, "SerializationException", "Start of structure or map found where not expected."},
		{"bad base64", func() *http.Request {
			return signedRequest(t, ts.url, put, contentTypeJSON, []byte(`{"Data":"!!!!","PartitionKey":"k"}`))
		}, 400, "SerializationException", "'!!!!' can not be converted to a Blob: Invalid Base64 character: '!'"},
		{"wrong type, unsigned (the signature is checked first)", func() *http.Request {
			return rawRequest(t, ts.url, put, contentTypeJSON, []byte(`{"StreamName":true}`))
		}, 400, "MissingAuthenticationTokenException", "Missing Authentication Token"},
		{"unknown operation", func() *http.Request {
			return signedRequest(t, ts.url, kinesisAPI+".ListStream", contentTypeJSON, []byte(`{}`))
		}, 400, "UnknownOperationException", ""},
		{"unknown service", func() *http.Request {
			return signedRequest(t, ts.url, "Kinesis_20991231.ListStreams", contentTypeJSON, []byte(`{}`))
		}, 400, "UnknownOperationException", ""},
		{"no target, unsigned", func() *http.Request {
			return rawRequest(t, ts.url, "", contentTypeJSON, []byte(`{}`))
		}, 400, "UnknownOperationException", ""},
		{"validation", func() *http.Request {
			return signedRequest(t, ts.url, put, contentTypeJSON, []byte(`{"StreamName":"s","Data":"eA=="}`))
		}, 400, "ValidationException", "1 validation error detected: Value null at 'partitionKey' failed to satisfy constraint: Member must not be null"},
		{"content type with parameters and other case", func() *http.Request {
			return signedRequest(t, ts.url, put, "Application/X-Amz-Json-1.1; charset=utf-8", []byte(`{"StreamName":"missing","Data":"eA==","PartitionKey":"k"}`))
		}, 400, "ResourceNotFoundException", "Stream missing under account 123456789012 not found."},
		{"internal failure", func() *http.Request {
			return signedRequest(t, ts.url, put, contentTypeJSON, []byte(`{"StreamName":"boom","Data":"eA==","PartitionKey":"k"}`))
		}, 500, "InternalFailure", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := ts.fake.calls.Load()
			wantJSONError(t, do(t, nil, tt.req()), tt.status, tt.code, tt.msg)
			calls := ts.fake.calls.Load() - before
			if wantCall := tt.status == 500 || tt.code == "ResourceNotFoundException"; (calls == 1) != wantCall {
				t.Errorf("operation called %d times", calls)
			}
		})
	}
}

func TestJSONSuccessHeaders(t *testing.T) {
	ts := startServer(t, withCreds())
	r := do(t, nil, signedRequest(t, ts.url, kinesisAPI+".ListStreams", contentTypeJSON, []byte(`{"Limit":3}`)))
	if r.status != 200 || string(r.body) != `{"StreamNames":["alpha","beta","gamma"],"HasMoreStreams":false}` {
		t.Errorf("got %d %s", r.status, r.body)
	}
	checkJSONHeaders(t, r)
}

// Bodies AWS answers malformed and non-API requests with, as kinesalite
// recorded them (github.com/mhart/kinesalite test/connection.js). AWS
// writes the CBOR maps with an indefinite length (bf ... ff); Eddy writes
// them definite-length (a1), as all its CBOR.
const (
	cborUnknown   = "\xa1\x66__type\x78\x19UnknownOperationException"
	cborSerial    = "\xa1\x66__type\x76SerializationException"
	jsonUnknown   = `{"__type":"UnknownOperationException"}`
	jsonSerial    = `{"__type":"SerializationException"}`
	legacyUnknown = `{"Output":{"__type":"com.amazon.coral.service#UnknownOperationException","message":null},"Version":"1.0"}`
	legacySerial  = `{"Output":{"__type":"com.amazon.coral.service#SerializationException","Message":null},"Version":"1.0"}`
	jsonMissing   = `{"__type":"MissingAuthenticationTokenException","message":"Missing Authentication Token"}`
	missingXML    = "<MissingAuthenticationTokenException>\n  <Message>Missing Authentication Token</Message>\n</MissingAuthenticationTokenException>\n"
	deniedXML     = "<AccessDeniedException>\n  <Message>Unable to determine service/operation name to be authorized</Message>\n</AccessDeniedException>\n"
	unknownXML    = "<UnknownOperationException/>\n"
	internalXML   = "<InternalFailure/>\n"
	incompleteXML = "<IncompleteSignatureException>\n  <Message>Authorization header requires 'Credential' parameter. " +
		"Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. " +
		"Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=a</Message>\n</IncompleteSignatureException>\n"
	incompleteQueryXML = "<IncompleteSignatureException>\n  <Message>AWS query-string parameters must include 'X-Amz-Algorithm'. " +
		"AWS query-string parameters must include 'X-Amz-Credential'. AWS query-string parameters must include 'X-Amz-Signature'. " +
		"AWS query-string parameters must include 'X-Amz-SignedHeaders'. AWS query-string parameters must include 'X-Amz-Date'. " +
		"Re-examine the query-string parameters.</Message>\n</IncompleteSignatureException>\n"
	bothXML = "<InvalidSignatureException>\n  <Message>Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.</Message>\n</InvalidSignatureException>\n"
)

// TestRequestOrder checks the answers to requests that are not well-formed
// API calls, case by case as kinesalite recorded them against Kinesis: the
// tests of test/connection.js, and for non-POST requests (and POSTs with a
// body of another content type) its commented-out block of 3120 cases.
// Every answer comes before the signature is verified; none calls the
// operation.
func TestRequestOrder(t *testing.T) {
	ts := startServer(t, withCreds())
	const (
		list    = kinesisAPI + ".ListStreams"
		json10  = "application/x-amz-json-1.0"
		form    = "application/x-www-form-urlencoded; charset=utf-8" // what kinesalite's signer adds to a body without one
		legacy  = "application/json"
		noCType = ""
	)
	type req struct {
		method, path, ct, target, auth, body string
		signed                               bool
	}
	post := func(ct, target, body string, signed bool) req {
		return req{method: "POST", path: "/", ct: ct, target: target, body: body, signed: signed}
	}
	tests := []struct {
		name     string
		req      req
		status   int
		wantCT   string // "" for none
		wantBody string
	}{
		// test/connection.js, "basic".
		{"POST with no auth", post(noCType, "", "", false), 400, contentTypeCBOR, cborUnknown},
		{"GET", req{method: "GET", path: "/", signed: true}, 403, "", deniedXML},
		{"PUT", req{method: "PUT", path: "/", signed: true}, 403, "", deniedXML},
		{"DELETE", req{method: "DELETE", path: "/", signed: true}, 403, "", deniedXML},
		{"POST with no body", post(noCType, "", "", true), 400, contentTypeCBOR, cborUnknown},
		{"body and no Content-Type", post(noCType, "", "{}", true), 403, "", deniedXML},
		{"body and form Content-Type", post(form, "", "{}", true), 403, "", deniedXML},
		{"x-amz-json-1.0", post(json10, "", "", true), 400, contentTypeCBOR, cborUnknown},
		{"random Content-Type", post("application/x-amz-json-1.1asdf", "", "", true), 400, contentTypeCBOR, cborUnknown},
		{"random target", post(noCType, "Whatever", "", true), 400, contentTypeCBOR, cborUnknown},
		{"real service, empty action", post(noCType, kinesisAPI+".", "", true), 400, contentTypeCBOR, cborUnknown},
		{"random action", post(noCType, kinesisAPI+".Whatever", "", true), 400, contentTypeCBOR, cborUnknown},
		{"random service and action", post(noCType, "Whatever.Whatever", "", true), 400, contentTypeCBOR, cborUnknown},
		{"incomplete action", post(noCType, kinesisAPI+".ListStream", "", true), 400, contentTypeCBOR, cborUnknown},
		{"valid target, no Content-Type", post(noCType, list, "", true), 400, contentTypeCBOR, cborSerial},
		// test/connection.js, "JSON".
		{"no target", post(contentTypeJSON, "", "", true), 400, contentTypeJSON, jsonUnknown},
		{"no target and no auth", post(contentTypeJSON, "", "", false), 400, contentTypeJSON, jsonUnknown},
		{"no target, application/json", post(legacy, "", "", true), 400, contentTypeCBOR, cborUnknown},
		{"valid target, application/json", post(legacy, list, "", true), 400, contentTypeCBOR, cborSerial},
		{"no body", post(contentTypeJSON, list, "", true), 400, contentTypeJSON, jsonSerial},
		{"no body and no auth", post(contentTypeJSON, list, "", false), 400, contentTypeJSON, jsonSerial},
		{"non-JSON body", post(contentTypeJSON, list, "hello", false), 400, contentTypeJSON, jsonSerial},
		{"valid target and body, application/json", post(legacy, list, "{}", false), 200, legacy, legacyUnknown},
		{"non-JSON body, application/json", post(legacy, list, "hello", false), 200, legacy, legacySerial},
		{"non-JSON body, application/json with spaces", post("     application/json     ;", list, "hello", false), 200, legacy, legacySerial},
		{"no auth", post(contentTypeJSON, list, "{}", false), 400, contentTypeJSON, jsonMissing},
		{"no auth, content type with spaces", post("   application/x-amz-json-1.1   ;whatever", list, "{}", false), 400, contentTypeJSON, jsonMissing},
		// The 3120-case block: a malformed body comes before an unknown
		// target (for a body that is not empty).
		{"non-JSON body, unknown target", post(contentTypeJSON, "whatever", "hello", false), 400, contentTypeJSON, jsonSerial},
		{"null body, unknown target", post(contentTypeJSON, "whatever", "null", false), 400, contentTypeJSON, jsonSerial},
		{"object body, unknown target", post(contentTypeJSON, kinesisAPI+".whatever", "{}", false), 400, contentTypeJSON, jsonUnknown},
		{"the path is not looked at", req{method: "POST", path: "/whatever", ct: contentTypeJSON, target: list, body: "{}"}, 400, contentTypeJSON, jsonMissing},
		// The 3120-case block: requests that are not API calls.
		{"GET, no auth", req{method: "GET", path: "/"}, 403, "", missingXML},
		{"OPTIONS without Origin, no auth", req{method: "OPTIONS", path: "/"}, 403, "", missingXML},
		{"GET, malformed auth", req{method: "GET", path: "/", auth: "a"}, 403, "", incompleteXML},
		{"GET, X-Amz-Algorithm query", req{method: "GET", path: "/?X-Amz-Algorithm"}, 403, "", incompleteQueryXML},
		{"GET, X-Amz-Algorithm query and auth", req{method: "GET", path: "/?X-Amz-Algorithm", auth: "a"}, 403, "", bothXML},
		{"GET, unknown service", req{method: "GET", path: "/", target: "whatever.ListStreams", signed: true}, 403, "",
			"<UnrecognizedClientException>\n  <Message>No authorization strategy was found for service: whatever, operation: ListStreams</Message>\n</UnrecognizedClientException>\n"},
		{"GET, unknown operation", req{method: "GET", path: "/", target: kinesisAPI + ".whatever", signed: true}, 500, "", internalXML},
		{"GET, known operation", req{method: "GET", path: "/", target: list, signed: true}, 404, "", unknownXML},
		{"GET, service without operation", req{method: "GET", path: "/", target: kinesisAPI + ".", signed: true}, 403, "", deniedXML},
		{"GET, target without a dot", req{method: "GET", path: "/", target: "whatever", signed: true}, 403, "", deniedXML},
		{"PUT with body, known operation", req{method: "PUT", path: "/", ct: contentTypeJSON, target: list, body: "{}", signed: true}, 404, "", unknownXML},
		{"x-amz-json-1.0 body, no auth", post(json10, list, "{}", false), 403, "", missingXML},
		{"x-amz-json-1.0 body, known operation", post(json10, list, "hello", true), 404, "", unknownXML},
		{"x-amz-json-1.0 body, unknown operation", post(json10, kinesisAPI+".whatever", "hello", true), 500, "", internalXML},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := []byte(tt.req.body)
			r, err := http.NewRequest(tt.req.method, ts.url+tt.req.path, bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if tt.req.ct != "" {
				r.Header.Set("Content-Type", tt.req.ct)
			}
			if tt.req.target != "" {
				r.Header.Set("X-Amz-Target", tt.req.target)
			}
			if tt.req.auth != "" {
				r.Header.Set("Authorization", tt.req.auth)
			}
			if tt.req.signed {
				sign(t, r, body, testKeyID, testSecret, time.Now())
			}
			before := ts.fake.calls.Load()
			got := do(t, nil, r)
			if got.status != tt.status || string(got.body) != tt.wantBody {
				t.Errorf("got %d %q, want %d %q", got.status, got.body, tt.status, tt.wantBody)
			}
			if ct, ok := got.header["Content-Type"]; tt.wantCT == "" && ok || tt.wantCT != "" && got.header.Get("Content-Type") != tt.wantCT {
				t.Errorf("Content-Type %q, want %q", ct, tt.wantCT)
			}
			if cl := got.header.Get("Content-Length"); cl != itoa(len(got.body)) {
				t.Errorf("Content-Length %q for %d bytes", cl, len(got.body))
			}
			checkRequestID(t, got.header)
			if id2, err := base64.StdEncoding.DecodeString(got.header.Get("X-Amz-Id-2")); err != nil || len(id2) != 72 {
				t.Errorf("x-amz-id-2 %q", got.header.Get("X-Amz-Id-2"))
			}
			if ts.fake.calls.Load() != before {
				t.Error("operation called")
			}
		})
	}
}

func TestBodyTooLarge(t *testing.T) {
	ts := startServer(t, Config{MaxBodyBytes: 1024})
	body := []byte(`{"StreamName":"s","PartitionKey":"k","Data":"` + strings.Repeat("A", 2000) + `"}`)
	for _, tt := range []struct {
		name    string
		chunked bool
	}{{"content-length", false}, {"chunked", true}} {
		t.Run(tt.name, func(t *testing.T) {
			req := rawRequest(t, ts.url, kinesisAPI+".PutRecord", contentTypeJSON, body)
			if tt.chunked {
				req.Body = io.NopCloser(bytes.NewReader(body)) // no length: sent chunked
				req.ContentLength = -1
			}
			r := do(t, nil, req)
			if r.status != http.StatusRequestEntityTooLarge || len(r.body) != 0 {
				t.Errorf("got %d %q, want 413 and no body", r.status, r.body)
			}
			checkRequestID(t, r.header)
		})
	}
	// At the limit is fine (and reaches the signature check).
	prefix := `{"StreamName":"s","PartitionKey":"k","Data":"`
	body = []byte(prefix + strings.Repeat("A", 1024-len(prefix)-2) + `"}`)
	if len(body) != 1024 {
		t.Fatalf("test body is %d bytes", len(body))
	}
	r := do(t, nil, rawRequest(t, ts.url, kinesisAPI+".PutRecord", contentTypeJSON, body))
	wantJSONError(t, r, 400, "MissingAuthenticationTokenException", "Missing Authentication Token")
	if ts.fake.calls.Load() != 0 {
		t.Error("operation called")
	}
}

func TestCBOR(t *testing.T) {
	ts := startServer(t, withCreds())
	post := func(target string, body []byte) response {
		req := signedRequest(t, ts.url, target, contentTypeCBOR, body)
		r := do(t, nil, req)
		checkRequestID(t, r.header)
		if ct := r.header.Get("Content-Type"); ct != contentTypeCBOR {
			t.Errorf("Content-Type %q", ct)
		}
		return r
	}

	body, err := awscbor.Marshal(putRecordInput{StreamName: "s", Data: []byte{0, 1, 2, 0xff}, PartitionKey: "k"})
	if err != nil {
		t.Fatal(err)
	}
	r := post(kinesisAPI+".PutRecord", body)
	var out putRecordOutput
	if err := awscbor.Unmarshal(r.body, &out); err != nil || r.status != 200 || out.ShardId != "shardId-000000000000" {
		t.Fatalf("got %d %x (%v): %+v", r.status, r.body, err, out)
	}
	ts.fake.mu.Lock()
	if !bytes.Equal(ts.fake.lastData, []byte{0, 1, 2, 0xff}) {
		t.Errorf("operation got Data %x", ts.fake.lastData)
	}
	ts.fake.mu.Unlock()

	cborError := func(r response, status int, code, msg string) {
		t.Helper()
		var got map[string]any
		if err := awscbor.Unmarshal(r.body, &got); err != nil {
			t.Fatalf("body %x: %v", r.body, err)
		}
		key := "message"
		if code == "SerializationException" {
			key = "Message"
		}
		want := map[string]any{"__type": code}
		if msg != "" {
			want[key] = msg
		}
		if r.status != status || len(got) != len(want) || got["__type"] != code || (msg != "" && got[key] != msg) {
			t.Errorf("got %d %v, want %d %v", r.status, got, status, want)
		}
	}
	body, _ = awscbor.Marshal(putRecordInput{StreamName: "missing", Data: []byte("x"), PartitionKey: "k"})
	cborError(post(kinesisAPI+".PutRecord", body), 400, "ResourceNotFoundException", "Stream missing under account 123456789012 not found.")
	body, _ = awscbor.Marshal(map[string]any{"StreamName": int64(7)})
	cborError(post(kinesisAPI+".PutRecord", body), 400, "SerializationException",
		"class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String")
	cborError(post(kinesisAPI+".PutRecord", []byte{0xa1, 0x61}), 400, "SerializationException", "") // truncated map
	cborError(post(kinesisAPI+".PutRecord", []byte{0x80}), 400, "SerializationException", "")       // an array
	cborError(post(kinesisAPI+".Nope", []byte{0xa0}), 400, "UnknownOperationException", "")
}

func TestCORS(t *testing.T) {
	ts := startServer(t, Config{})
	req, _ := http.NewRequest(http.MethodOptions, ts.url+"/", nil)
	req.Header.Set("Origin", "https://example.com")
	req.Header.Set("Access-Control-Request-Headers", "a, b, c")
	req.Header.Set("Access-Control-Request-Method", "POST")
	r := do(t, nil, req)
	h := r.header
	if r.status != 200 || len(r.body) != 0 || h.Get("Access-Control-Allow-Origin") != "*" ||
		h.Get("Access-Control-Allow-Headers") != "a, b, c" || h.Get("Access-Control-Allow-Methods") != "POST" ||
		h.Get("Access-Control-Max-Age") != "172800" || h.Get("X-Amz-Id-2") != "" {
		t.Errorf("preflight: %d %q %v", r.status, r.body, h)
	}
	checkRequestID(t, h)

	// Every other response to a request with an Origin carries the CORS
	// headers, whatever it answers (test/connection.js: "should return CBOR
	// UnknownOperationException and set CORS if using Origin").
	const expose = "x-amzn-RequestId,x-amzn-ErrorType,x-amz-request-id,x-amz-id-2,x-amzn-ErrorMessage,Date"
	for _, tt := range []struct {
		name   string
		req    *http.Request
		status int
		body   string
	}{
		{"CBOR UnknownOperationException", rawRequest(t, ts.url, "", "", nil), 400, cborUnknown},
		{"JSON error", rawRequest(t, ts.url, kinesisAPI+".ListStreams", contentTypeJSON, []byte("{}")), 400, jsonMissing},
		{"legacy JSON", rawRequest(t, ts.url, kinesisAPI+".ListStreams", "application/json", []byte("{}")), 200, legacyUnknown},
		{"XML", func() *http.Request { r, _ := http.NewRequest(http.MethodGet, ts.url+"/", nil); return r }(), 403, missingXML},
	} {
		tt.req.Header.Set("Origin", "whatever")
		r := do(t, nil, tt.req)
		if r.status != tt.status || string(r.body) != tt.body {
			t.Errorf("%s: got %d %q, want %d %q", tt.name, r.status, r.body, tt.status, tt.body)
		}
		if r.header.Get("Access-Control-Allow-Origin") != "*" || r.header.Get("Access-Control-Expose-Headers") != expose {
			t.Errorf("%s: CORS headers missing: %v", tt.name, r.header)
		}
		checkRequestID(t, r.header)
	}
}
