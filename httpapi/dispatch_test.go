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
// {"__type":code} or {"__type":code,"message":msg}, and the headers every
// JSON response carries.
func wantJSONError(t *testing.T, r response, status int, code, msg string) {
	t.Helper()
	var got map[string]string
	if err := json.Unmarshal(r.body, &got); err != nil {
		t.Fatalf("status %d, body %q: %v", r.status, r.body, err)
	}
	want := map[string]string{"__type": code}
	if msg != "" {
		want["message"] = msg
	}
	if r.status != status || len(got) != len(want) || got["__type"] != code || got["message"] != msg {
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
		}, 400, "SerializationException", "class java.lang.String can not be converted to a Blob: illegal base64 data at input byte 0"},
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

// TestNotAPICalls covers requests that are not JSON or CBOR API calls:
// AWS answers them with bare XML and no Content-Type.
func TestNotAPICalls(t *testing.T) {
	ts := startServer(t, withCreds())
	const (
		missingXML = "<MissingAuthenticationTokenException>\n  <Message>Missing Authentication Token</Message>\n</MissingAuthenticationTokenException>\n"
		deniedXML  = "<AccessDeniedException>\n  <Message>Unable to determine service/operation name to be authorized</Message>\n</AccessDeniedException>\n"
		unknownXML = "<UnknownOperationException/>\n"
	)
	newReq := func(method, path, target, ct string, body []byte, signed bool) func() *http.Request {
		return func() *http.Request {
			req, err := http.NewRequest(method, ts.url+path, bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if target != "" {
				req.Header.Set("X-Amz-Target", target)
			}
			if ct != "" {
				req.Header.Set("Content-Type", ct)
			}
			if signed {
				sign(t, req, body, testKeyID, testSecret, time.Now())
			}
			return req
		}
	}
	list := kinesisAPI + ".ListStreams"
	tests := []struct {
		name   string
		req    func() *http.Request
		status int
		body   string
	}{
		{"GET, unsigned", newReq("GET", "/", "", "", nil, false), 403, missingXML},
		{"PUT, unsigned", newReq("PUT", "/", "", "", nil, false), 403, missingXML},
		{"POST without content type, unsigned", newReq("POST", "/", "", "", nil, false), 403, missingXML},
		{"GET, signed", newReq("GET", "/", "", "", nil, true), 403, deniedXML},
		{"POST without body or content type, signed", newReq("POST", "/", "", "", nil, true), 403, deniedXML},
		{"body without content type, signed", newReq("POST", "/", "", "", []byte("{}"), true), 403, deniedXML},
		{"JSON 1.0, signed", newReq("POST", "/", "", "application/x-amz-json-1.0", nil, true), 403, deniedXML},
		{"target without content type, signed", newReq("POST", "/", list, "", nil, true), 403, deniedXML},
		{"target and body, application/json", newReq("POST", "/", list, "application/json", []byte("{}"), true), 404, unknownXML},
		{"other path", newReq("POST", "/streams", list, contentTypeJSON, []byte("{}"), true), 404, unknownXML},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := ts.fake.calls.Load()
			r := do(t, nil, tt.req())
			if r.status != tt.status || string(r.body) != tt.body {
				t.Errorf("got %d %q, want %d %q", r.status, r.body, tt.status, tt.body)
			}
			if ct, ok := r.header["Content-Type"]; ok {
				t.Errorf("Content-Type %q, want none", ct)
			}
			if cl := r.header.Get("Content-Length"); cl != itoa(len(tt.body)) {
				t.Errorf("Content-Length %q", cl)
			}
			checkRequestID(t, r.header)
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
		want := map[string]any{"__type": code}
		if msg != "" {
			want["message"] = msg
		}
		if r.status != status || len(got) != len(want) || got["__type"] != code || (msg != "" && got["message"] != msg) {
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

	req = rawRequest(t, ts.url, kinesisAPI+".ListStreams", contentTypeJSON, []byte("{}"))
	req.Header.Set("Origin", "https://example.com")
	r = do(t, nil, req)
	if r.header.Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(r.header.Get("Access-Control-Expose-Headers"), "x-amzn-RequestId") {
		t.Errorf("CORS headers missing: %v", r.header)
	}
}
