package httpendpoint

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/internal/uuid"
	"github.com/eddy-streams/eddy/kinesis"
)

const testStreamARN = "arn:aws:firehose:us-east-1:000000000000:deliverystream/s"

// request is what the test endpoint saw of one request.
type request struct {
	header    http.Header
	requestID string
	timestamp int64
	records   []string
}

// endpoint is an HTTP endpoint on 127.0.0.1 that decodes each request as
// the specification describes it and answers with respond.
type endpoint struct {
	t       *testing.T
	srv     *httptest.Server
	respond func(n int, r request, w http.ResponseWriter) // n counts requests from 1

	mu   sync.Mutex
	reqs []request
}

func newEndpoint(t *testing.T, respond func(n int, r request, w http.ResponseWriter)) *endpoint {
	e := &endpoint{t: t, respond: respond}
	e.srv = httptest.NewServer(http.HandlerFunc(e.serve))
	t.Cleanup(e.srv.Close)
	return e
}

func (e *endpoint) serve(w http.ResponseWriter, req *http.Request) {
	var body io.Reader = req.Body
	if req.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(req.Body)
		if err != nil {
			e.t.Errorf("gzip body: %v", err)
			w.WriteHeader(400)
			return
		}
		body = zr
	}
	var b struct {
		RequestID string `json:"requestId"`
		Timestamp int64  `json:"timestamp"`
		Records   []struct {
			Data string `json:"data"`
		} `json:"records"`
	}
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		e.t.Errorf("request body: %v", err)
		w.WriteHeader(400)
		return
	}
	r := request{header: req.Header.Clone(), requestID: b.RequestID, timestamp: b.Timestamp}
	for _, rec := range b.Records {
		d, err := base64.StdEncoding.DecodeString(rec.Data)
		if err != nil {
			e.t.Errorf("record data %q: %v", rec.Data, err)
		}
		r.records = append(r.records, string(d))
	}
	e.mu.Lock()
	e.reqs = append(e.reqs, r)
	n := len(e.reqs)
	e.mu.Unlock()
	e.respond(n, r, w)
}

func (e *endpoint) requests() []request {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]request(nil), e.reqs...)
}

// answer writes a response in the specification's shape.
func answer(w http.ResponseWriter, status int, requestID, errorMessage string) {
	b, _ := json.Marshal(map[string]any{"requestId": requestID, "timestamp": 1578090903599, "errorMessage": errorMessage})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", fmt.Sprint(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func ack(_ int, r request, w http.ResponseWriter) { answer(w, 200, r.requestID, "") }

// fromSDK builds a Config from the aws-sdk-go-v2 Firehose types, so that
// the field names are checked against the SDK's.
func fromSDK(d types.HttpEndpointDestinationConfiguration) Config {
	cfg := Config{
		EndpointConfiguration: EndpointConfiguration{
			Url:       aws.ToString(d.EndpointConfiguration.Url),
			AccessKey: aws.ToString(d.EndpointConfiguration.AccessKey),
			Name:      aws.ToString(d.EndpointConfiguration.Name),
		},
	}
	if rc := d.RequestConfiguration; rc != nil {
		cfg.RequestConfiguration.ContentEncoding = string(rc.ContentEncoding)
		for _, a := range rc.CommonAttributes {
			cfg.RequestConfiguration.CommonAttributes = append(cfg.RequestConfiguration.CommonAttributes,
				CommonAttribute{AttributeName: aws.ToString(a.AttributeName), AttributeValue: aws.ToString(a.AttributeValue)})
		}
	}
	if bh := d.BufferingHints; bh != nil {
		cfg.BufferingHints.SizeInMBs = int(aws.ToInt32(bh.SizeInMBs))
		if bh.IntervalInSeconds != nil {
			iv := int(*bh.IntervalInSeconds)
			cfg.BufferingHints.IntervalInSeconds = &iv
		}
	}
	if ro := d.RetryOptions; ro != nil && ro.DurationInSeconds != nil {
		s := int(*ro.DurationInSeconds)
		cfg.RetryOptions.DurationInSeconds = &s
	}
	return cfg
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func newClient(t *testing.T, url string, clock Clock, retrySeconds int32, encoding types.ContentEncoding) *Client {
	t.Helper()
	cfg := fromSDK(types.HttpEndpointDestinationConfiguration{
		EndpointConfiguration: &types.HttpEndpointConfiguration{Url: aws.String(url), AccessKey: aws.String("secret-key"), Name: aws.String("test")},
		RequestConfiguration: &types.HttpEndpointRequestConfiguration{ContentEncoding: encoding, CommonAttributes: []types.HttpEndpointCommonAttribute{
			{AttributeName: aws.String("deployment-context"), AttributeValue: aws.String("pre-prod-gamma")},
			{AttributeName: aws.String("device-types"), AttributeValue: aws.String("")},
		}},
		RetryOptions: &types.HttpEndpointRetryOptions{DurationInSeconds: aws.Int32(retrySeconds)},
	})
	cfg.DeliveryStreamARN = testStreamARN
	cfg.Clock = clock
	cfg.Jitter = func() float64 { return 0.5 } // no jitter: 1s, 2s, 4s, ...
	cfg.Logger = quiet
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestDeliverProtocol(t *testing.T) {
	for _, enc := range []types.ContentEncoding{types.ContentEncodingNone, types.ContentEncodingGzip} {
		t.Run(string(enc), func(t *testing.T) {
			e := newEndpoint(t, ack)
			clock := kinesis.NewFakeClock(time.UnixMilli(1578090901599))
			c := newClient(t, e.srv.URL, clock, 0, enc)
			recs := [][]byte{[]byte("hello"), []byte("hello world"), {}, {0, 0xff, 0x80}}
			d, err := c.Deliver(context.Background(), recs)
			if err != nil {
				t.Fatal(err)
			}
			reqs := e.requests()
			if len(reqs) != 1 || d.Attempts != 1 {
				t.Fatalf("%d requests, %d attempts; want 1", len(reqs), d.Attempts)
			}
			r := reqs[0]
			h := r.header
			checks := map[string]string{
				"X-Amz-Firehose-Protocol-Version":  "1.0",
				"X-Amz-Firehose-Request-Id":        d.RequestID,
				"X-Amz-Firehose-Source-Arn":        testStreamARN,
				"X-Amz-Firehose-Access-Key":        "secret-key",
				"X-Amz-Firehose-Common-Attributes": `{"commonAttributes":{"deployment-context":"pre-prod-gamma","device-types":""}}`,
				"Content-Type":                     "application/json",
			}
			for k, want := range checks {
				if got := h.Get(k); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
			wantEnc := ""
			if enc == types.ContentEncodingGzip {
				wantEnc = "gzip"
			}
			if got := h.Get("Content-Encoding"); got != wantEnc {
				t.Errorf("Content-Encoding = %q, want %q", got, wantEnc)
			}
			if r.requestID != d.RequestID || r.timestamp != 1578090901599 {
				t.Errorf("body requestId %q timestamp %d; want %q 1578090901599", r.requestID, r.timestamp, d.RequestID)
			}
			if fmt.Sprint(r.records) != fmt.Sprint([]string{"hello", "hello world", "", "\x00\xff\x80"}) {
				t.Errorf("records %q", r.records)
			}
		})
	}
}

// waitTimer waits until a goroutine is blocked on the fake clock.
func waitTimer(t *testing.T, clock *kinesis.FakeClock) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for clock.Timers() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the client never waited on the clock")
		}
		time.Sleep(time.Millisecond)
	}
}

type outcome struct {
	d   Delivery
	err error
}

func deliverAsync(c *Client, recs [][]byte) <-chan outcome {
	ch := make(chan outcome, 1)
	go func() {
		d, err := c.Deliver(context.Background(), recs)
		ch <- outcome{d, err}
	}()
	return ch
}

// TestDeliverRecoversNoLoss: the endpoint fails its first 7 requests (with
// 500s and 503s in the specification's error shape) and then recovers.
// Twenty batches are delivered one after the other, as the runner does;
// every record reaches the endpoint, each batch is acknowledged once, and
// every retry of a batch carries its request id.
func TestDeliverRecoversNoLoss(t *testing.T) {
	e := newEndpoint(t, func(n int, r request, w http.ResponseWriter) {
		switch {
		case n <= 4:
			answer(w, 500, r.requestID, "Unable to deliver records due to unknown error.")
		case n <= 7:
			answer(w, 503, r.requestID, "busy")
		default:
			ack(n, r, w)
		}
	})
	clock := kinesis.NewFakeClock(time.Unix(1700000000, 0))
	c := newClient(t, e.srv.URL, clock, 300, types.ContentEncodingNone)
	var sent []string
	acked := map[string]bool{}
	for b := 0; b < 20; b++ {
		var recs [][]byte
		for i := 0; i < 5; i++ {
			s := fmt.Sprintf("batch %d record %d", b, i)
			recs = append(recs, []byte(s))
			sent = append(sent, s)
		}
		ch := deliverAsync(c, recs)
		var o outcome
	wait:
		for {
			select {
			case o = <-ch:
				break wait
			default:
			}
			if clock.Timers() > 0 {
				clock.Advance(2 * time.Minute)
			}
			time.Sleep(time.Millisecond)
		}
		if o.err != nil {
			t.Fatalf("batch %d: %v", b, o.err)
		}
		acked[o.d.RequestID] = true
	}
	reqs := e.requests()
	if len(reqs) != 20+7 {
		t.Fatalf("%d requests, want 27 (20 batches, 7 failures)", len(reqs))
	}
	// The first batch was retried seven times with one request id.
	for i := 0; i < 8; i++ {
		if reqs[i].requestID != reqs[0].requestID {
			t.Fatalf("request %d has id %q, want the first batch's %q", i, reqs[i].requestID, reqs[0].requestID)
		}
	}
	var got []string
	seen := map[string]bool{}
	for _, r := range reqs[7:] {
		if seen[r.requestID] {
			t.Fatalf("request id %s acknowledged twice", r.requestID)
		}
		seen[r.requestID] = true
		got = append(got, r.records...)
	}
	if strings.Join(got, "|") != strings.Join(sent, "|") || len(acked) != 20 {
		t.Fatalf("acknowledged records differ from those sent:\n got %q\nwant %q", got, sent)
	}
}

func TestDeliverWrongRequestIDUntilRetryDurationSpent(t *testing.T) {
	e := newEndpoint(t, func(_ int, _ request, w http.ResponseWriter) {
		answer(w, 200, "ed4acda5-034f-9f42-bba1-f29aea6d7d8f", "")
	})
	clock := kinesis.NewFakeClock(time.Unix(0, 0))
	c := newClient(t, e.srv.URL, clock, 10, types.ContentEncodingNone)
	ch := deliverAsync(c, [][]byte{[]byte("x")})
	// Waits of 1s, 2s, 4s, then the 3s left of the 10s: five attempts.
	for _, d := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 3 * time.Second} {
		waitTimer(t, clock)
		clock.Advance(d - time.Nanosecond)
		if clock.Timers() == 0 {
			t.Fatalf("the wait before a retry was shorter than %v", d)
		}
		clock.Advance(time.Nanosecond)
	}
	o := <-ch
	var de *DeliveryError
	if !errors.As(o.err, &de) {
		t.Fatalf("Deliver = %v, want a *DeliveryError", o.err)
	}
	if de.Code != CodeInvalidResponse || !de.Backup || de.Attempts != 5 || de.StatusCode != 200 || len(e.requests()) != 5 {
		t.Fatalf("error %+v after %d requests", de, len(e.requests()))
	}
}

func TestDeliver413IsFinalWithoutBackup(t *testing.T) {
	e := newEndpoint(t, func(_ int, r request, w http.ResponseWriter) {
		answer(w, 413, r.requestID, "Payload too large")
	})
	c := newClient(t, e.srv.URL, kinesis.NewFakeClock(time.Unix(0, 0)), 7200, types.ContentEncodingNone)
	// Nothing advances the fake clock: a retry would wait until the
	// deadline.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := c.Deliver(ctx, [][]byte{[]byte("x")})
	var de *DeliveryError
	if !errors.As(err, &de) {
		t.Fatalf("Deliver = %v, want a *DeliveryError", err)
	}
	if de.Backup || de.Attempts != 1 || de.StatusCode != 413 || de.Code != CodeDestinationException || de.ErrorMessage != "Payload too large" {
		t.Fatalf("error %+v", de)
	}
}

// TestDeliverNonConformingResponses: each answer breaks one requirement of
// the specification and so counts as a failure, even with status 200.
// RetryOptions 0: no retry, one attempt.
func TestDeliverNonConformingResponses(t *testing.T) {
	tests := []struct {
		name    string
		respond func(r request, w http.ResponseWriter)
		code    string
	}{
		{"text/plain", func(r request, w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/plain")
			fmt.Fprintf(w, `{"requestId":%q,"timestamp":1}`, r.requestID)
		}, CodeInvalidResponse},
		{"no body", func(_ request, w http.ResponseWriter) { w.WriteHeader(200) }, CodeInvalidResponse},
		{"no timestamp", func(r request, w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"requestId":%q}`, r.requestID)
		}, CodeInvalidResponse},
		{"timestamp not a number", func(r request, w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"requestId":%q,"timestamp":"soon"}`, r.requestID)
		}, CodeInvalidResponse},
		{"compressed", func(r request, w http.ResponseWriter) {
			var buf bytes.Buffer
			zw := gzip.NewWriter(&buf)
			fmt.Fprintf(zw, `{"requestId":%q,"timestamp":1}`, r.requestID)
			zw.Close()
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Encoding", "gzip")
			_, _ = w.Write(buf.Bytes())
		}, CodeInvalidResponse},
		{"redirect", func(_ request, w http.ResponseWriter) {
			w.Header().Set("Location", "/elsewhere")
			w.WriteHeader(302)
		}, CodeInvalidResponse},
		{"chunked without length", func(r request, w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"requestId":%q,`, r.requestID)
			w.(http.Flusher).Flush()
			fmt.Fprint(w, `"timestamp":1}`)
		}, CodeInvalidResponse},
		{"over 1 MiB", func(r request, w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"requestId":%q,"timestamp":1,"errorMessage":"%s"}`, r.requestID, strings.Repeat("x", MaxResponseBytes))
		}, CodeResponseTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEndpoint(t, func(_ int, r request, w http.ResponseWriter) { tt.respond(r, w) })
			c := newClient(t, e.srv.URL, kinesis.NewFakeClock(time.Unix(0, 0)), 0, types.ContentEncodingNone)
			_, err := c.Deliver(context.Background(), [][]byte{[]byte("x")})
			var de *DeliveryError
			if !errors.As(err, &de) || de.Code != tt.code || !de.Backup || de.Attempts != 1 {
				t.Fatalf("Deliver = %v, want %s after one attempt", err, tt.code)
			}
		})
	}
}

func TestDeliverConnectionFailed(t *testing.T) {
	e := newEndpoint(t, ack)
	url := e.srv.URL
	e.srv.Close()
	c := newClient(t, url, kinesis.NewFakeClock(time.Unix(0, 0)), 0, types.ContentEncodingNone)
	_, err := c.Deliver(context.Background(), [][]byte{[]byte("x")})
	var de *DeliveryError
	if !errors.As(err, &de) || de.Code != CodeConnectionFailed || !de.Backup {
		t.Fatalf("Deliver = %v, want %s", err, CodeConnectionFailed)
	}
}

func TestDeliverContextEndsDuringBackoff(t *testing.T) {
	e := newEndpoint(t, func(_ int, r request, w http.ResponseWriter) { answer(w, 500, r.requestID, "no") })
	clock := kinesis.NewFakeClock(time.Unix(0, 0))
	c := newClient(t, e.srv.URL, clock, 300, types.ContentEncodingNone)
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan error, 1)
	go func() { _, err := c.Deliver(ctx, [][]byte{[]byte("x")}); ch <- err }()
	waitTimer(t, clock)
	cancel()
	if err := <-ch; !errors.Is(err, context.Canceled) {
		t.Fatalf("Deliver = %v, want context.Canceled", err)
	}
}

func TestBackoff(t *testing.T) {
	for _, tt := range []struct {
		jitter float64
		want   []time.Duration
	}{
		{0.5, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 32 * time.Second, 64 * time.Second, 2 * time.Minute, 2 * time.Minute}},
		{0, []time.Duration{850 * time.Millisecond, 1700 * time.Millisecond, 3400 * time.Millisecond}},
		{1, []time.Duration{1150 * time.Millisecond, 2300 * time.Millisecond}},
	} {
		c := &Client{jitter: func() float64 { return tt.jitter }}
		for n, want := range tt.want {
			if got := c.backoff(n); got != want {
				t.Errorf("jitter %v: backoff(%d) = %v, want %v", tt.jitter, n, got, want)
			}
		}
	}
}

func TestBatches(t *testing.T) {
	recs := make([][]byte, 2*MaxRecordsPerRequest+1)
	for i := range recs {
		recs[i] = []byte("r")
	}
	bs := Batches(recs)
	if len(bs) != 3 || len(bs[0]) != MaxRecordsPerRequest || len(bs[2]) != 1 {
		t.Fatalf("batches of %d records: %d batches", len(recs), len(bs))
	}
	big := make([]byte, 20<<20) // 26.7 MiB of base64: two fit in 64 MiB, three do not
	bs = Batches([][]byte{big, big, big, big, big})
	if len(bs) != 3 || len(bs[0]) != 2 || len(bs[2]) != 1 {
		t.Fatalf("large records: %d batches", len(bs))
	}
	for _, b := range bs {
		n := bodyOverhead
		for _, r := range b {
			n += recordSize(r)
		}
		if n > MaxBodyBytes {
			t.Errorf("a batch's body may be %d bytes", n)
		}
	}
	// The size Batches counts bounds the body's real size.
	small := [][]byte{[]byte("a"), {}, []byte("hello world")}
	bound := bodyOverhead
	for _, r := range small {
		bound += recordSize(r)
	}
	if n := len(body(uuid.New(), time.UnixMilli(1<<62), small)); n > bound {
		t.Errorf("body is %d bytes, over the counted %d", n, bound)
	}
	if Batches(nil) != nil {
		t.Error("Batches(nil) is not empty")
	}
}

func TestDeliverRecordCount(t *testing.T) {
	c := newClient(t, "http://127.0.0.1:1/", kinesis.NewFakeClock(time.Unix(0, 0)), 0, types.ContentEncodingNone)
	for _, n := range []int{0, MaxRecordsPerRequest + 1} {
		_, err := c.Deliver(context.Background(), make([][]byte, n))
		var e *eddy.Error
		if !errors.As(err, &e) || e.Code != eddy.CodeInvalidArgument {
			t.Errorf("Deliver of %d records = %v, want InvalidArgumentException", n, err)
		}
	}
}

func TestValidate(t *testing.T) {
	intp := func(i int) *int { return &i }
	ok := func() Config {
		return Config{EndpointConfiguration: EndpointConfiguration{Url: "https://example.com/ingest"}}
	}
	tests := []struct {
		name   string
		modify func(*Config)
		want   string // substring of the error; "" for valid
	}{
		{"minimal", func(*Config) {}, ""},
		{"http and a port", func(c *Config) { c.EndpointConfiguration.Url = "http://127.0.0.1:8080/x" }, ""},
		{"no url", func(c *Config) { c.EndpointConfiguration.Url = "" }, "Url must be"},
		{"url too long", func(c *Config) { c.EndpointConfiguration.Url = "https://e.com/" + strings.Repeat("a", MaxURLLength) }, "Url must be"},
		{"ftp url", func(c *Config) { c.EndpointConfiguration.Url = "ftp://e.com/" }, "not an http or https URL"},
		{"access key too long", func(c *Config) { c.EndpointConfiguration.AccessKey = strings.Repeat("k", MaxAccessKeyBytes+1) }, "AccessKey"},
		{"access key at the limit", func(c *Config) { c.EndpointConfiguration.AccessKey = strings.Repeat("k", MaxAccessKeyBytes) }, ""},
		{"content encoding", func(c *Config) { c.RequestConfiguration.ContentEncoding = "ZSTD" }, "ContentEncoding"},
		{"gzip", func(c *Config) { c.RequestConfiguration.ContentEncoding = "GZIP" }, ""},
		{"51 attributes", func(c *Config) {
			for i := 0; i < 51; i++ {
				c.RequestConfiguration.CommonAttributes = append(c.RequestConfiguration.CommonAttributes, CommonAttribute{AttributeName: fmt.Sprint(i)})
			}
		}, "at most 50"},
		{"empty attribute name", func(c *Config) {
			c.RequestConfiguration.CommonAttributes = []CommonAttribute{{AttributeValue: "v"}}
		}, "AttributeName"},
		{"attribute value too long", func(c *Config) {
			c.RequestConfiguration.CommonAttributes = []CommonAttribute{{AttributeName: "a", AttributeValue: strings.Repeat("v", 1025)}}
		}, "AttributeValue"},
		{"size 0 is the default", func(c *Config) { c.BufferingHints.SizeInMBs = 0 }, ""},
		{"size 65", func(c *Config) { c.BufferingHints.SizeInMBs = 65 }, "SizeInMBs"},
		{"interval 901", func(c *Config) { c.BufferingHints.IntervalInSeconds = intp(901) }, "IntervalInSeconds"},
		{"interval 0", func(c *Config) { c.BufferingHints.IntervalInSeconds = intp(0) }, ""},
		{"retry 7200", func(c *Config) { c.RetryOptions.DurationInSeconds = intp(7200) }, ""},
		{"retry 7201", func(c *Config) { c.RetryOptions.DurationInSeconds = intp(7201) }, "DurationInSeconds"},
		{"retry negative", func(c *Config) { c.RetryOptions.DurationInSeconds = intp(-1) }, "DurationInSeconds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := ok()
			tt.modify(&cfg)
			err := cfg.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var e *eddy.Error
			if !errors.As(err, &e) || e.Code != eddy.CodeInvalidArgument || !strings.Contains(e.Message, tt.want) {
				t.Fatalf("Validate = %v, want InvalidArgumentException containing %q", err, tt.want)
			}
		})
	}
}

func TestBuffering(t *testing.T) {
	cfg := Config{}
	if s, iv := cfg.Buffering(); s != 5<<20 || iv != 300*time.Second {
		t.Errorf("defaults %d %v, want 5 MiB 300s", s, iv)
	}
	zero := 0
	cfg.BufferingHints = BufferingHints{SizeInMBs: 64, IntervalInSeconds: &zero}
	if s, iv := cfg.Buffering(); s != 64<<20 || iv != 0 {
		t.Errorf("got %d %v, want 64 MiB 0s", s, iv)
	}
}
