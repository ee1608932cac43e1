package httpapi

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"net/http"
	"strconv"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/internal/uuid"
	"github.com/eddy-streams/eddy/protocol/awscbor"
)

// Response headers. AWS spells them this way; they are set in the header
// map directly so HTTP/1.1 sends them with this casing (HTTP/2 lowercases
// all names). Clients look them up case-insensitively.
const (
	headerRequestID = "x-amzn-RequestId" // read by every SDK as the request id
	headerID2       = "x-amz-id-2"       // a random token Kinesis sends with every response
	headerCRC32     = "x-amz-crc32"      // DynamoDB: CRC-32 of the response body
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
	svc    *service  // the service the request is for (Server.serviceFor)

	// For the request log.
	op       string           // the operation, once the target is known
	in       any              // the decoded input, nil until then
	streamOf func(any) string // names the stream of in; nil: none
	code     string           // the error code answered, "" for none
	cause    error            // the error behind an InternalFailure, or a panic
	stack    string           // the stack of a panic
}

// begin stamps the headers every response carries: the request id, a Date
// from the server's clock (the SDKs correct their clock skew from it) and,
// for ProtocolJSON11, x-amz-id-2. A ProtocolJSON11 request id is a UUID, as
// Kinesis's are; a ProtocolJSON10 one is 52 characters of base32hex, the
// form of DynamoDB's (developerguide/Programming.Errors.html shows
// "LDM6CJP8RMQ1FHKSC1RBVJFPNVV4KQNSO5AEMF66Q9ASUAAJG"; dynalite's
// test/connection.js checks a length of 52). DynamoDB sends no x-amz-id-2
// (dynalite sends none).
func (s *Server) begin(w http.ResponseWriter, r *http.Request, svc *service) *exchange {
	var b [16 + 72]byte
	rand.Read(b[:]) // never fails (crypto/rand since Go 1.24)
	x := &exchange{w: w, r: r, now: s.cfg.Now(), start: time.Now(), svc: svc}
	h := w.Header()
	if svc.Protocol == ProtocolJSON10 {
		x.id = base32.HexEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:32])
	} else {
		x.id = uuid.Format(b[:16])
		h[headerID2] = []string{base64.StdEncoding.EncodeToString(b[16:])}
	}
	h[headerRequestID] = []string{x.id}
	h.Set("Date", x.now.UTC().Format(http.TimeFormat))
	return x
}

// write sends status and body with an explicit Content-Length. An empty
// contentType sends no Content-Type at all (net/http would otherwise sniff
// one), as AWS does for its non-JSON answers. A ProtocolJSON10 response
// also carries x-amz-crc32, the CRC-32 (IEEE) of the body in decimal, which
// the DynamoDB SDKs check (aws-sdk-go-v2 service/dynamodb
// internal/customizations/checksum.go; dynalite sends it with every
// answer).
func (x *exchange) write(status int, contentType string, body []byte) {
	h := x.w.Header()
	if contentType == "" {
		h["Content-Type"] = nil
	} else {
		h.Set("Content-Type", contentType)
	}
	if x.svc != nil && x.svc.Protocol == ProtocolJSON10 {
		h[headerCRC32] = []string{strconv.FormatUint(uint64(crc32.ChecksumIEEE(body)), 10)}
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	x.status = status
	x.w.WriteHeader(status)
	if len(body) > 0 {
		x.w.Write(body) // an error means the client went away; nothing to do
	}
}

// messageKey is the member an error body carries its message in. AWS's
// front end writes a SerializationException's as "Message" and every other
// exception's as "message" (kinesalite recorded both: test/helpers.js
// assertSerialization, test/connection.js assertSerializationDeprecated).
func messageKey(code string) string {
	if code == eddy.CodeSerialization {
		return "Message"
	}
	return "message"
}

// writeError sends e in the request's content type (CBOR when the request
// has none), with the status the catalog gives its code: a JSON or CBOR map
// holding "__type" (the service's name for the code, Service.ErrorType),
// the message if e has one (under the service's key, Service.MessageKey),
// then e's other members. AWS omits the message of some transport errors
// (UnknownOperationException, a malformed body, InternalFailure); so does
// Eddy. InternalFailure is sent as the service's own server fault
// (Service.InternalErrorCode).
func (x *exchange) writeError(e *eddy.Error) {
	code := e.Code
	if code == eddy.CodeInternalFailure {
		code = x.svc.InternalErrorCode
	}
	x.code = code
	c := x.codec
	if c == nil {
		c = cborCodec
	}
	buf := getBuffer()
	defer putBuffer(buf)
	b := buf.AvailableBuffer()
	typ, key := x.svc.errorType(code), x.svc.messageKey(code)
	var err error
	if c == cborCodec {
		b, err = appendCBORError(b, typ, key, e.Message, e.Members)
	} else {
		b, err = appendJSONError(b, typ, key, e.Message, e.Members)
	}
	if err != nil {
		// A member that does not encode is a bug in the operation: answer
		// with the code and message alone, and log why.
		x.cause = fmt.Errorf("encode %s members: %w", code, err)
		b = buf.AvailableBuffer()
		if c == cborCodec {
			b, _ = appendCBORError(b, typ, key, e.Message, nil)
		} else {
			b, _ = appendJSONError(b, typ, key, e.Message, nil)
		}
	}
	x.write(x.svc.status(code), c.contentType, b)
}

// appendJSONError appends {"__type":typ}, {"__type":typ,key:msg}, and any
// members after those.
func appendJSONError(b []byte, typ, key, msg string, members []eddy.Member) ([]byte, error) {
	b = append(b, `{"__type":`...)
	b = appendJSONString(b, typ)
	if msg != "" {
		b = append(b, ',')
		b = appendJSONString(b, key)
		b = append(b, ':')
		b = appendJSONString(b, msg)
	}
	for _, m := range members {
		var v bytes.Buffer
		enc := json.NewEncoder(&v)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(m.Value); err != nil {
			return b, err
		}
		b = append(b, ',')
		b = appendJSONString(b, m.Name)
		b = append(b, ':')
		b = append(b, bytes.TrimSuffix(v.Bytes(), []byte("\n"))...)
	}
	return append(b, '}'), nil
}

// appendJSONString appends s as a JSON string, without escaping HTML
// characters (as AWS does not).
func appendJSONString(b []byte, s string) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(s) // a string always encodes
	return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
}

// appendCBORError appends the CBOR form of an error body: a map holding
// "__type" first, then the message and the members. AWS writes the same map with an indefinite length
// (bf ... ff; kinesalite recorded bf 66 "__type" 78 19
// "UnknownOperationException" ff, test/connection.js assertUnknownCbor);
// Eddy keeps to CBOR's preferred serialization, a definite length, as for
// every other response. Decoders read both alike.
func appendCBORError(b []byte, typ, key, msg string, members []eddy.Member) ([]byte, error) {
	const mapHead = 5 << 5
	n := 1 + len(members)
	if msg != "" {
		n++
	}
	if n > 23 {
		return b, fmt.Errorf("%d error members", n)
	}
	b = appendCBORText(appendCBORText(append(b, mapHead|byte(n)), "__type"), typ)
	if msg != "" {
		b = appendCBORText(appendCBORText(b, key), msg)
	}
	for _, m := range members {
		v, err := awscbor.Marshal(m.Value)
		if err != nil {
			return b, err
		}
		b = append(appendCBORText(b, m.Name), v...)
	}
	return b, nil
}

// appendCBORText appends s as a CBOR text string (major type 3) with the
// shortest length head.
func appendCBORText(b []byte, s string) []byte {
	const text = 3 << 5
	switch n := len(s); {
	case n < 24:
		b = append(b, text|byte(n))
	case n <= 0xff:
		b = append(b, text|24, byte(n))
	case n <= 0xffff:
		b = append(b, text|25, byte(n>>8), byte(n))
	default:
		b = append(b, text|26, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	return append(b, s...)
}

// contentTypeLegacyJSON is plain application/json, which AWS's front end
// still answers in the envelope of its deprecated JSON protocol.
const contentTypeLegacyJSON = "application/json"

// writeLegacyError answers a request sent as application/json as AWS does:
// 200, with the exception in the deprecated envelope, its message null,
// e.g. {"Output":{"__type":"com.amazon.coral.service#UnknownOperationException","message":null},"Version":"1.0"}
// (kinesalite recorded it: test/connection.js assertUnknownDeprecated,
// assertSerializationDeprecated).
func (x *exchange) writeLegacyError(code string) {
	x.code = code
	body := `{"Output":{"__type":"com.amazon.coral.service#` + code + `","` + x.svc.messageKey(code) + `":null},"Version":"1.0"}`
	x.write(http.StatusOK, contentTypeLegacyJSON, []byte(body))
}

// writeXMLError sends the bare XML document AWS answers requests with that
// are not API calls, with no Content-Type: with a message,
// "<Code>\n  <Message>...</Message>\n</Code>\n"; without one, "<Code/>\n".
// The status is 404 for UnknownOperationException, 500 for InternalFailure
// and 403 for the rest (authentication and AccessDeniedException).
func (x *exchange) writeXMLError(e *eddy.Error) {
	x.code = e.Code
	body := "<" + e.Code + "/>\n"
	if e.Message != "" {
		body = "<" + e.Code + ">\n  <Message>" + e.Message + "</Message>\n</" + e.Code + ">\n"
	}
	status := http.StatusForbidden
	switch e.Code {
	case eddy.CodeUnknownOperation:
		status = http.StatusNotFound
	case eddy.CodeInternalFailure:
		status = http.StatusInternalServerError
	}
	x.write(status, "", []byte(body))
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
