package httpapi

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strconv"
	"time"

	"github.com/eddy-streams/eddy"
)

// Response headers. AWS spells them this way; they are set in the header
// map directly so HTTP/1.1 sends them with this casing (HTTP/2 lowercases
// all names). Clients look them up case-insensitively.
const (
	headerRequestID = "x-amzn-RequestId" // read by every SDK as the request id
	headerID2       = "x-amz-id-2"       // a random token Kinesis sends with every response
)

// exchange is one request and its response as the handler works on them.
type exchange struct {
	reqBuf *bytes.Buffer // the request body, returned to the pool when the exchange ends
	w      http.ResponseWriter
	r      *http.Request
	id     string    // request id, also in the x-amzn-RequestId header
	now    time.Time // Config.Now when the request arrived
	start  time.Time // time.Now when the request arrived, for the log
	codec  *codec    // the request's content type; nil until known
	target string    // X-Amz-Target as sent
	status int       // the status written, 0 until then
}

// begin stamps the headers every response carries: the request id,
// x-amz-id-2 and a Date from the server's clock (the SDKs correct their
// clock skew from it).
func (s *Server) begin(w http.ResponseWriter, r *http.Request) *exchange {
	var b [16 + 72]byte
	rand.Read(b[:]) // never fails (crypto/rand since Go 1.24)
	x := &exchange{w: w, r: r, id: formatUUID(b[:16]), now: s.cfg.Now(), start: time.Now()}
	h := w.Header()
	h[headerRequestID] = []string{x.id}
	h[headerID2] = []string{base64.StdEncoding.EncodeToString(b[16:])}
	h.Set("Date", x.now.UTC().Format(http.TimeFormat))
	return x
}

// formatUUID formats 16 random bytes as a version 4 UUID,
// xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx, the form of AWS request ids.
func formatUUID(b []byte) string {
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:16])
	return string(out[:])
}

// write sends status and body with an explicit Content-Length. An empty
// contentType sends no Content-Type at all (net/http would otherwise sniff
// one), as AWS does for its non-JSON answers.
func (x *exchange) write(status int, contentType string, body []byte) {
	h := x.w.Header()
	if contentType == "" {
		h["Content-Type"] = nil
	} else {
		h.Set("Content-Type", contentType)
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	x.status = status
	x.w.WriteHeader(status)
	if len(body) > 0 {
		x.w.Write(body) // an error means the client went away; nothing to do
	}
}

// errorBody is the body of every JSON and CBOR error response. AWS omits
// "message" for some transport errors (UnknownOperationException, a
// malformed body, InternalFailure); so does Eddy.
type errorBody struct {
	Type    string `json:"__type"`
	Message string `json:"message,omitempty"`
}

// writeError sends e in the request's content type, with the status the
// catalog gives its code.
func (x *exchange) writeError(e *eddy.Error) {
	c := x.codec
	if c == nil {
		c = jsonCodec
	}
	buf := getBuffer()
	defer putBuffer(buf)
	err := c.marshal(buf, errorBody{Type: e.Code, Message: e.Message})
	body := buf.Bytes()
	if err != nil {
		// errorBody has two string fields; this cannot happen.
		panic("httpapi: encode error body: " + err.Error())
	}
	x.write(eddy.Status(e.Code), c.contentType, body)
}

// writeXMLError sends the bare XML document AWS answers requests with that
// are not API calls (wrong method or content type): no Content-Type header,
// status 403.
func (x *exchange) writeXMLError(code, message string) {
	body := "<" + code + ">\n  <Message>" + message + "</Message>\n</" + code + ">\n"
	x.write(http.StatusForbidden, "", []byte(body))
}

// writeNotFound sends AWS's 404 for a request that names an operation but is
// not a JSON or CBOR API call.
func (x *exchange) writeNotFound() {
	x.write(http.StatusNotFound, "", []byte("<UnknownOperationException/>\n"))
}

type requestIDKey struct{}

type regionKey struct{}

// Region returns the region an operation's request is served in: the one
// its SigV4 credential scope names (Authorization header or presigned
// query), or Config.Region when that is no valid region name and
// signatures are not verified. It returns "" for a context that did not
// come from the Server.
func Region(ctx context.Context) string {
	r, _ := ctx.Value(regionKey{}).(string)
	return r
}

// RequestID returns the request id (the x-amzn-RequestId response header)
// of the request whose context ctx is, or "" if ctx is not from this
// package's handler.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}
