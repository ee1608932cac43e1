package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/protocol/awscbor"
)

// fuzzInput is shaped like the larger Kinesis inputs: nested lists of
// structs, blobs, optional numbers and booleans, maps, timestamps and a
// type with its own unmarshaler.
type fuzzInput struct {
	StreamName string            `json:"StreamName,omitempty"`
	Records    []fuzzRecord      `json:"Records,omitempty"`
	Limit      *int32            `json:"Limit,omitempty"`
	Count      int64             `json:"Count,omitempty"`
	Ratio      float64           `json:"Ratio,omitempty"`
	Enabled    *bool             `json:"Enabled,omitempty"`
	Tags       map[string]string `json:"Tags,omitempty"`
	Created    *time.Time        `json:"Created,omitempty"`
	Epoch      *strictVal        `json:"Epoch,omitempty"`
	Filter     *struct {
		Type      string   `json:"Type"`
		ShardIDs  []string `json:"ShardIds"`
		Timestamp float64  `json:"Timestamp"`
	} `json:"ShardFilter,omitempty"`
}

type fuzzRecord struct {
	Data            []byte  `json:"Data"`
	PartitionKey    string  `json:"PartitionKey"`
	ExplicitHashKey *string `json:"ExplicitHashKey,omitempty"`
}

func (in *fuzzInput) Validate() error {
	if in.Limit != nil && *in.Limit < 1 {
		return eddy.Errorf(eddy.CodeValidation, "1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1", *in.Limit)
	}
	return nil
}

// fuzzHandler returns a handler whose one operation echoes its input.
func fuzzHandler(t testing.TB) http.Handler {
	srv, err := New(Config{MaxBodyBytes: 1 << 20}, Service{
		TargetPrefix: kinesisAPI,
		SigningName:  "kinesis",
		Operations: []Operation{{
			Name:     "Echo",
			NewInput: func() any { return new(fuzzInput) },
			Call:     func(_ context.Context, in any) (any, error) { return in, nil },
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return srv.Handler()
}

// errorBody decodes a JSON or CBOR error body; both decoders match
// "Message" (a SerializationException's key) to it too.
type errorBody struct {
	Type    string `json:"__type"`
	Message string `json:"message"`
}

// fuzzBody sends body through the handler (no network) with a well-formed
// Authorization the credential-less server accepts, and requires a 200
// whose body decodes, or an AWS 4xx error; never a 500 or a panic.
func fuzzBody(t *testing.T, h http.Handler, c *codec, body []byte) {
	req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1/", bytes.NewReader(body))
	req.Header.Set("Content-Type", c.contentType)
	req.Header.Set("X-Amz-Target", kinesisAPI+".Echo")
	req.Header.Set("X-Amz-Date", "20240101T000000Z")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date, Signature=00")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	switch rec.Code {
	case http.StatusOK:
		var out fuzzInput
		if err := c.unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("200 with an undecodable body %q: %v", rec.Body.Bytes(), err)
		}
	case http.StatusBadRequest:
		var e errorBody
		if err := c.unmarshal(rec.Body.Bytes(), &e); err != nil {
			t.Fatalf("400 with an undecodable body %q: %v", rec.Body.Bytes(), err)
		}
		switch e.Type {
		case eddy.CodeSerialization, eddy.CodeValidation, eddy.CodeInvalidArgument:
		default:
			t.Fatalf("400 %s: %s", e.Type, e.Message)
		}
	default:
		t.Fatalf("status %d, body %q, for input %q", rec.Code, rec.Body.Bytes(), body)
	}
	if rec.Header()[headerRequestID] == nil {
		t.Fatal("no request id")
	}
}

func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{
		`{}`,
		`{"StreamName":"s","Records":[{"Data":"aGVsbG8=","PartitionKey":"k"},{"Data":"","PartitionKey":"","ExplicitHashKey":"1"}]}`,
		`{"Limit":0}`, `{"Limit":2147483648}`, `{"Limit":1.5}`, `{"Count":-9223372036854775808}`,
		`{"Ratio":1e308}`, `{"Ratio":1e309}`, `{"Enabled":"yes"}`, `{"Tags":{"a":"b","c":null}}`,
		`{"Created":"2024-01-01T00:00:00Z"}`, `{"Created":"yesterday"}`, `{"Epoch":-1}`, `{"Epoch":"x"}`,
		`{"ShardFilter":{"Type":"AT_TIMESTAMP","ShardIds":["a"],"Timestamp":1.7e9}}`,
		`{"Records":[{"Data":"!!"}]}`, `{"Records":{}}`, `{"StreamName":"\ud800"}`,
		`{"StreamName":"s"`, `null`, `[]`, `"s"`, ``, `{}{}`, "{\"a\":\"\xff\"}",
	} {
		f.Add([]byte(s))
	}
	h := fuzzHandler(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		fuzzBody(t, h, jsonCodec, body)
	})
}

func FuzzDecodeCBOR(f *testing.F) {
	seeds := []any{
		map[string]any{},
		fuzzInput{StreamName: "s", Records: []fuzzRecord{{Data: []byte{0, 1, 0xff}, PartitionKey: "k"}}},
		map[string]any{"Limit": int64(0)},
		map[string]any{"Limit": int64(1) << 40},
		map[string]any{"Count": 1.5},
		map[string]any{"Created": time.Unix(1700000000, 0)},
		map[string]any{"Created": "2024-01-01T00:00:00Z"},
		map[string]any{"Epoch": int64(-1)},
		map[string]any{"Records": []any{map[string]any{"Data": "aGk=", "PartitionKey": true}}},
		map[string]any{"Tags": map[string]any{"a": []byte("b")}},
		map[string]any{"ShardFilter": map[string]any{"Type": "x", "ShardIds": []any{"a", nil}}},
	}
	for _, s := range seeds {
		b, err := awscbor.Marshal(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, raw := range []string{"", "\xf6", "\x80", "\xa1", "\xbf\xff", "\xbf\x61a\x01\xff", "\xa1\x61a\xc1\x1b\xff\xff\xff\xff\xff\xff\xff\xff", "\xa1\x61a\x5f\x41a\xff"} {
		f.Add([]byte(raw))
	}
	h := fuzzHandler(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		fuzzBody(t, h, cborCodec, body)
	})
}

// TestFuzzHandlerEcho checks the fuzz target's success path, so the fuzzers
// are known to reach the operation.
func TestFuzzHandlerEcho(t *testing.T) {
	h := fuzzHandler(t)
	body := []byte(`{"StreamName":"s","Records":[{"Data":"aGk=","PartitionKey":"k"}],"Limit":5}`)
	req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1/", bytes.NewReader(body))
	req.Header.Set("Content-Type", contentTypeJSON)
	req.Header.Set("X-Amz-Target", kinesisAPI+".Echo")
	req.Header.Set("X-Amz-Date", "20240101T000000Z")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date, Signature=00")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var got fuzzInput
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || rec.Code != 200 || got.StreamName != "s" || string(got.Records[0].Data) != "hi" || *got.Limit != 5 {
		t.Errorf("got %d %s", rec.Code, rec.Body.Bytes())
	}
}
