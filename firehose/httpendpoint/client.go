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
	mrand "math/rand/v2"
	"mime"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/eddy-streams/eddy/internal/uuid"
)

// HTTP endpoint delivery error codes and messages, from the "HTTPS Endpoint
// Data Delivery Errors" table of Firehose's CloudWatch Logs page
// (monitoring-with-cloudwatch-logs.md).
const (
	CodeRequestTimeout       = "HttpEndpoint.RequestTimeout"
	CodeResponseTooLarge     = "HttpEndpoint.ResponseTooLarge"
	CodeInvalidResponse      = "HttpEndpoint.InvalidResponseFromDestination"
	CodeDestinationException = "HttpEndpoint.DestinationException"
	CodeConnectionFailed     = "HttpEndpoint.ConnectionFailed"
	CodeConnectionReset      = "HttpEndpoint.ConnectionReset"

	msgRequestTimeout   = "The delivery timed out before a response was received and will be retried. If this error persists, contact the AWS Firehose service team."
	msgResponseTooLarge = "The response received from the endpoint is too large. Contact the owner of the endpoint to resolve this issue."
	msgInvalidResponse  = "The response received from the specified endpoint is invalid. Contact the owner of the endpoint to resolve the issue."
	msgDestination      = "The following response was received from the endpoint destination."
	msgConnectionFailed = "Unable to connect to the destination endpoint. Contact the owner of the endpoint to resolve this issue."
	msgConnectionReset  = "Unable to maintain connection with the endpoint. Contact the owner of the endpoint to resolve this issue."
)

// Client delivers batches of records to one HTTP endpoint. It is safe for
// concurrent use.
type Client struct {
	cfg    Config
	attrs  string // X-Amz-Firehose-Common-Attributes, or ""
	http   *http.Client
	clock  Clock
	jitter func() float64
	log    *slog.Logger
}

// New returns a Client for cfg, which must be valid (Config.Validate).
func New(cfg Config) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c := &Client{cfg: cfg, http: cfg.HTTPClient, clock: cfg.Clock, jitter: cfg.Jitter, log: cfg.Logger}
	if c.http == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		// The response "MUST NOT" be compressed: do not ask for it, so a
		// compressed answer is seen (and refused) rather than undone.
		tr.DisableCompression = true
		c.http = &http.Client{Timeout: DefaultRequestTimeout, Transport: tr}
	}
	// "The Kinesis Data Firehose server does NOT follow redirects."
	hc := *c.http
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c.http = &hc
	if c.clock == nil {
		c.clock = realClock{}
	}
	if c.jitter == nil {
		c.jitter = mrand.Float64
	}
	if c.log == nil {
		c.log = slog.Default()
	}
	c.log = c.log.With("component", "firehose-http-endpoint", "url", cfg.EndpointConfiguration.Url)
	if attrs := cfg.RequestConfiguration.CommonAttributes; len(attrs) > 0 {
		m := make(map[string]string, len(attrs))
		for _, a := range attrs {
			m[a.AttributeName] = a.AttributeValue
		}
		b, _ := json.Marshal(struct {
			CommonAttributes map[string]string `json:"commonAttributes"`
		}{m})
		c.attrs = string(b)
	}
	return c, nil
}

// Delivery is a delivery the endpoint acknowledged.
type Delivery struct {
	RequestID string
	// Attempts counts the requests sent, the acknowledged one included.
	Attempts int
}

// DeliveryError is a delivery that failed for good: the retry duration is
// spent, or the endpoint answered 413.
type DeliveryError struct {
	// Code and Message are Firehose's for the last failure
	// (HttpEndpoint.DestinationException, HttpEndpoint.ConnectionFailed,
	// ...).
	Code    string
	Message string
	// StatusCode is the last response's status, 0 if none came.
	StatusCode int
	// ErrorMessage is the last response's errorMessage, which Firehose
	// copies to the error output ("the last instance of the error message
	// is copied to error output S3 bucket").
	ErrorMessage string
	RequestID    string
	Attempts     int
	// Backup says whether the records go to the S3 backup. It is false
	// only for a 413: "Response code 413 (size exceeded) is considered as
	// a permanent failure and the record batch is not sent to error bucket
	// if configured."
	Backup bool
}

func (e *DeliveryError) Error() string {
	s := fmt.Sprintf("%s: %s (request %s, %d attempts", e.Code, e.Message, e.RequestID, e.Attempts)
	if e.StatusCode != 0 {
		s += ", status " + strconv.Itoa(e.StatusCode)
	}
	if e.ErrorMessage != "" {
		s += ", errorMessage " + strconv.Quote(e.ErrorMessage)
	}
	return s + ")"
}

// Batches splits records into the batches one request may carry: at most
// MaxRecordsPerRequest records and MaxBodyBytes of uncompressed body. A
// record too large for a body alone gets a batch of its own.
func Batches(records [][]byte) [][][]byte {
	var out [][][]byte
	start, size := 0, bodyOverhead
	for i, r := range records {
		s := recordSize(r)
		if i > start && (i-start == MaxRecordsPerRequest || size+s > MaxBodyBytes) {
			out = append(out, records[start:i])
			start, size = i, bodyOverhead
		}
		size += s
	}
	if start < len(records) {
		out = append(out, records[start:])
	}
	return out
}

// bodyOverhead bounds the body's bytes besides its records: the request
// id (36), a timestamp (at most 20 digits) and the punctuation.
const bodyOverhead = len(`{"requestId":"","timestamp":,"records":[]}`) + 36 + 20

func recordSize(r []byte) int { return len(`{"data":""},`) + base64.StdEncoding.EncodedLen(len(r)) }

// body encodes the request body.
func body(requestID string, ts time.Time, records [][]byte) []byte {
	n := bodyOverhead
	for _, r := range records {
		n += recordSize(r)
	}
	b := make([]byte, 0, n)
	b = append(b, `{"requestId":"`...)
	b = append(b, requestID...)
	b = append(b, `","timestamp":`...)
	b = strconv.AppendInt(b, ts.UnixMilli(), 10)
	b = append(b, `,"records":[`...)
	for i, r := range records {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"data":"`...)
		b = base64.StdEncoding.AppendEncode(b, r)
		b = append(b, `"}`...)
	}
	return append(b, "]}"...)
}

// Deliver sends records (1 to MaxRecordsPerRequest of them, see Batches)
// as one request and retries it until the endpoint acknowledges it or the
// retry duration is spent. It returns a *DeliveryError when the delivery
// failed for good, and ctx's error if ctx ends first.
func (c *Client) Deliver(ctx context.Context, records [][]byte) (Delivery, error) {
	if len(records) == 0 || len(records) > MaxRecordsPerRequest {
		return Delivery{}, invalid("a request carries 1 to %d records, not %d", MaxRecordsPerRequest, len(records))
	}
	requestID := uuid.New()
	payload := body(requestID, c.clock.Now(), records)
	if c.cfg.RequestConfiguration.ContentEncoding == ContentEncodingGzip {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_, _ = zw.Write(payload) // writes to a bytes.Buffer do not fail
		_ = zw.Close()
		payload = buf.Bytes()
	}
	budget := c.cfg.retryDuration()
	var spent time.Duration
	for attempt := 1; ; attempt++ {
		f := c.attempt(ctx, requestID, payload)
		if f == nil {
			if attempt > 1 {
				c.log.Info("http endpoint delivery succeeded after retries", "requestId", requestID, "attempts", attempt)
			}
			return Delivery{RequestID: requestID, Attempts: attempt}, nil
		}
		if err := ctx.Err(); err != nil {
			return Delivery{}, err
		}
		f.RequestID, f.Attempts = requestID, attempt
		c.log.Info("http endpoint delivery failed", "requestId", requestID, "attempt", attempt, "code", f.Code, "status", f.StatusCode, "errorMessage", f.ErrorMessage)
		if !f.Backup || spent >= budget {
			return Delivery{}, f
		}
		wait := c.backoff(attempt - 1)
		if wait > budget-spent {
			wait = budget - spent
		}
		spent += wait
		if err := c.sleep(ctx, wait); err != nil {
			return Delivery{}, err
		}
	}
}

// backoff is the wait before retry n (0, 1, ...): "initial-backoff-time *
// (multiplier(2) ^ retry_count)" with 15% jitter, capped at 2 minutes.
func (c *Client) backoff(n int) time.Duration {
	d := initialBackoff
	for i := 0; i < n && d < maxBackoff; i++ {
		d *= 2
	}
	d = time.Duration(float64(d) * (1 - backoffJitter + 2*backoffJitter*c.jitter()))
	return min(d, maxBackoff)
}

func (c *Client) sleep(ctx context.Context, d time.Duration) error {
	done := make(chan struct{})
	stop := c.clock.AfterFunc(d, func() { close(done) })
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		stop()
		return ctx.Err()
	}
}

// response is the endpoint's answer body.
type response struct {
	RequestID    *string          `json:"requestId"`
	Timestamp    *json.RawMessage `json:"timestamp"`
	ErrorMessage string           `json:"errorMessage"`
}

// attempt sends the request once; nil means acknowledged. A returned
// failure with Backup false is final.
func (c *Client) attempt(ctx context.Context, requestID string, payload []byte) *DeliveryError {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.EndpointConfiguration.Url, bytes.NewReader(payload))
	if err != nil {
		return &DeliveryError{Code: CodeConnectionFailed, Message: msgConnectionFailed + " " + err.Error(), Backup: true}
	}
	h := req.Header
	h.Set(headerProtocolVersion, ProtocolVersion)
	h.Set(headerRequestID, requestID)
	h.Set("Content-Type", "application/json")
	if c.cfg.DeliveryStreamARN != "" {
		h.Set(headerSourceARN, c.cfg.DeliveryStreamARN)
	}
	if k := c.cfg.EndpointConfiguration.AccessKey; k != "" {
		h.Set(headerAccessKey, k)
	}
	if c.attrs != "" {
		h.Set(headerCommonAttributes, c.attrs)
	}
	if c.cfg.RequestConfiguration.ContentEncoding == ContentEncodingGzip {
		h.Set("Content-Encoding", "gzip")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return transportFailure(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes+1))
	if err != nil {
		return transportFailure(err)
	}
	if len(b) > MaxResponseBytes {
		return &DeliveryError{Code: CodeResponseTooLarge, Message: msgResponseTooLarge, StatusCode: resp.StatusCode, Backup: true}
	}
	r, ok := conforming(resp, b)
	if !ok {
		// "If a response fails to conform to the requirements below, the
		// Kinesis Firehose server treats it as though it had a 500 status
		// code with no body."
		return &DeliveryError{Code: CodeInvalidResponse, Message: msgInvalidResponse, StatusCode: resp.StatusCode, Backup: true}
	}
	switch {
	case resp.StatusCode == http.StatusOK && *r.RequestID == requestID:
		return nil
	case resp.StatusCode == http.StatusOK:
		return &DeliveryError{Code: CodeInvalidResponse, Message: msgInvalidResponse + " The requestId " + strconv.Quote(*r.RequestID) + " does not match the request's.",
			StatusCode: resp.StatusCode, ErrorMessage: r.ErrorMessage, Backup: true}
	default:
		return &DeliveryError{Code: CodeDestinationException, Message: msgDestination, StatusCode: resp.StatusCode, ErrorMessage: r.ErrorMessage,
			Backup: resp.StatusCode != http.StatusRequestEntityTooLarge}
	}
}

// conforming decodes a response that meets the specification's
// requirements: a 2XX, 4XX or 5XX status, Content-Type application/json,
// no Content-Encoding, a Content-Length for a body, and a JSON object with
// requestId (a string) and timestamp. The specification's own failure
// example gives timestamp as a string of digits, so a string is accepted as
// well as a number.
func conforming(resp *http.Response, b []byte) (response, bool) {
	var r response
	s := resp.StatusCode
	if (s < 200 || s > 299) && (s < 400 || s > 599) {
		return r, false
	}
	if mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return r, false
	}
	if resp.Uncompressed || resp.Header.Get("Content-Encoding") != "" {
		return r, false
	}
	if len(b) > 0 && resp.ContentLength < 0 {
		return r, false
	}
	if err := json.Unmarshal(b, &r); err != nil || r.RequestID == nil || r.Timestamp == nil {
		return r, false
	}
	var n json.Number
	if err := json.Unmarshal(*r.Timestamp, &n); err != nil {
		var s string
		if err := json.Unmarshal(*r.Timestamp, &s); err != nil {
			return r, false
		}
		n = json.Number(s)
	}
	if _, err := n.Int64(); err != nil {
		return r, false
	}
	return r, true
}

// transportFailure names a request that got no response.
func transportFailure(err error) *DeliveryError {
	var ne net.Error
	var op *net.OpError
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		return &DeliveryError{Code: CodeRequestTimeout, Message: msgRequestTimeout, Backup: true}
	case errors.As(err, &op) && op.Op == "dial":
		return &DeliveryError{Code: CodeConnectionFailed, Message: msgConnectionFailed, Backup: true}
	default:
		return &DeliveryError{Code: CodeConnectionReset, Message: msgConnectionReset, Backup: true}
	}
}
