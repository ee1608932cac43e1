package httpapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/eddy-streams/eddy"
)

// ServeHTTP answers one request. The checks run in AWS's order, so a request
// with several faults gets the error AWS would give:
//
//  1. CORS preflight (OPTIONS with Origin): 200 with the CORS headers.
//  2. A path other than "/": 404.
//  3. Not a POST, or a Content-Type other than AWS JSON 1.1 / CBOR 1.1:
//     AWS's bare XML 403 (MissingAuthenticationTokenException for an
//     unsigned request, AccessDeniedException for a signed one), or 404 for
//     a POST with a body naming an operation.
//  4. A body over MaxBodyBytes: 413, empty body.
//  5. An unknown X-Amz-Target: UnknownOperationException.
//  6. An empty or malformed body: SerializationException (no message).
//  7. SigV4 authentication: MissingAuthenticationToken,
//     IncompleteSignature, InvalidSignature and UnrecognizedClient
//     exceptions, in the order sigv4.go lists.
//  8. A body value of the wrong type: SerializationException.
//  9. Input.Validate, then Operation.Call.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	x := s.begin(w, r)
	op := ""
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.Error("panic serving request", "request_id", x.id, "target", x.target,
				"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			if x.status == 0 {
				x.writeError(&eddy.Error{Code: eddy.CodeInternalFailure})
			}
		}
		s.log.Debug("request", "request_id", x.id, "method", r.Method, "target", x.target,
			"operation", op, "status", x.status, "duration", time.Since(x.start))
	}()

	if origin := r.Header.Get("Origin"); origin != "" {
		if r.Method == http.MethodOptions {
			preflight(x)
			return
		}
		exposeHeaders(x)
	}
	x.target = r.Header.Get("X-Amz-Target")
	if x.target == "" {
		// A presigning SDK moves X-Amz-* headers into the query.
		x.target = r.URL.Query().Get("X-Amz-Target")
	}
	if r.URL.Path != "/" {
		x.writeNotFound()
		return
	}
	x.codec = codecFor(r.Header.Get("Content-Type"))
	if r.Method != http.MethodPost || x.codec == nil {
		s.notAPICall(x)
		return
	}

	// The body counts against MaxInflightBytes from before it is read until
	// the response has been written and its buffer is back in the pool.
	held, err := s.reserveBody(r)
	if err != nil {
		// The client went away while the request waited its turn; nobody
		// will read an answer, but send one anyway.
		x.writeError(&eddy.Error{Code: eddy.CodeSerialization})
		return
	}
	body, tooLarge, err := s.readBody(w, r, &x.reqBuf)
	if n := int64(len(body)); err == nil && !tooLarge && n < held {
		// A body of unknown length reserved MaxBodyBytes.
		s.inflight.release(held - n)
		held = n
	}
	defer func() {
		putBuffer(x.reqBuf)
		s.inflight.release(held)
	}()
	if tooLarge {
		x.write(http.StatusRequestEntityTooLarge, x.codec.contentType, nil)
		return
	}
	if err != nil {
		// The client went away or sent a broken body; nobody will read an
		// answer, but send one anyway.
		x.writeError(&eddy.Error{Code: eddy.CodeSerialization})
		return
	}

	rt := s.routes[x.target]
	if rt == nil {
		x.writeError(&eddy.Error{Code: eddy.CodeUnknownOperation})
		return
	}
	op = rt.op.Name
	in := rt.op.NewInput()
	dec := x.codec.decode(body, in)
	// An input may hold pooled memory (PutRecords' data, decoded into
	// pooled buffers) that it gives back once the call is over.
	if r, ok := in.(interface{ Release() }); ok {
		defer r.Release()
	}
	if dec.malformed {
		x.writeError(&eddy.Error{Code: eddy.CodeSerialization})
		return
	}
	region, aerr := s.authenticate(r, body, rt.signingName, x.now)
	if aerr != nil {
		x.writeError(aerr)
		return
	}
	if dec.err != nil {
		s.fail(x, dec.err)
		return
	}
	if v, ok := in.(interface{ Validate() error }); ok {
		if err := v.Validate(); err != nil {
			s.fail(x, err)
			return
		}
	}
	ctx := context.WithValue(r.Context(), requestIDKey{}, x.id)
	ctx = context.WithValue(ctx, regionKey{}, region)
	out, err := rt.op.Call(ctx, in)
	if err != nil {
		s.fail(x, err)
		return
	}
	if es, ok := out.(EventStreamer); ok {
		s.stream(ctx, x, es)
		return
	}
	s.succeed(x, out)
	// An output may hold pooled memory (GetRecords' records alias a read
	// buffer) that it gives back once it has been written.
	if r, ok := out.(interface{ Release() }); ok {
		r.Release()
	}
}

// notAPICall answers a request that is not a POST of AWS JSON or CBOR, as
// AWS does: without a signature, 403 MissingAuthenticationTokenException; a
// body naming "<service>.<operation>", 404 UnknownOperationException;
// otherwise 403 AccessDeniedException. All as bare XML.
func (s *Server) notAPICall(x *exchange) {
	r := x.r
	if r.Header.Get("Authorization") == "" && !r.URL.Query().Has("X-Amz-Algorithm") {
		x.writeXMLError(eddy.CodeMissingAuthenticationTok, "Missing Authentication Token")
		return
	}
	service, operation, _ := strings.Cut(x.target, ".")
	if r.Method == http.MethodPost && service != "" && operation != "" && r.ContentLength != 0 {
		x.writeNotFound()
		return
	}
	x.writeXMLError(eddy.CodeAccessDenied, "Unable to determine service/operation name to be authorized")
}

// readBody reads the whole body if it is at most MaxBodyBytes long. A body
// that declares a larger Content-Length is not read at all; one without a
// length is read up to one byte past the limit.
//
// The body is read into a pooled buffer, stored in *bufp for the caller to
// return with putBuffer once the request is answered: both decoders copy
// what they keep, so the body is garbage by then. Reusing buffers matters:
// a fresh buffer per request costs more in zeroing and page faults than
// the request's JSON decoding.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request, bufp **bytes.Buffer) (body []byte, tooLarge bool, err error) {
	max := s.cfg.MaxBodyBytes
	if r.ContentLength > max {
		return nil, true, nil
	}
	// MaxBytesReader also tells net/http to close the connection rather
	// than drain the rest of an oversized body.
	buf := getBuffer()
	*bufp = buf
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength) + bytes.MinRead) // ReadFrom wants MinRead spare
	}
	if _, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, max)); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, true, nil
		}
		return nil, false, err
	}
	return buf.Bytes(), false, nil
}

// fail answers err: an *eddy.Error as itself, anything else as a logged
// InternalFailure.
func (s *Server) fail(x *exchange, err error) {
	var ee *eddy.Error
	if errors.As(err, &ee) {
		x.writeError(ee)
		return
	}
	s.log.Error("internal failure", "request_id", x.id, "target", x.target, "err", err)
	x.writeError(&eddy.Error{Code: eddy.CodeInternalFailure})
}

// succeed answers 200 with out encoded; a nil out is an empty object.
func (s *Server) succeed(x *exchange, out any) {
	if out == nil || noMembers(out) {
		// AWS answers an operation whose output has no members with an
		// empty body, not "{}".
		x.write(http.StatusOK, x.codec.contentType, nil)
		return
	}
	buf := getBuffer()
	defer putBuffer(buf)
	if err := x.codec.marshal(buf, out); err != nil {
		s.fail(x, fmt.Errorf("encode %s output: %w", x.target, err))
		return
	}
	x.write(http.StatusOK, x.codec.contentType, buf.Bytes())
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBuffer is the largest buffer kept for reuse. Typical bodies
// (a PutRecords of 500 1 KiB records is 0.7 MB) fit; the rare larger ones
// (up to 32 MiB requests, ~14 MB GetRecords responses) are left to the
// garbage collector, so that a burst of them does not leave the pool
// holding one per request of the burst.
const maxPooledBuffer = 2 << 20

func getBuffer() *bytes.Buffer {
	b := bufPool.Get().(*bytes.Buffer)
	b.Reset()
	return b
}

func putBuffer(b *bytes.Buffer) {
	if b != nil && b.Cap() <= maxPooledBuffer {
		bufPool.Put(b)
	}
}

// noMembers reports whether out is a struct (or pointer to one) with no
// fields, such as CreateStreamOutput.
func noMembers(out any) bool {
	t := reflect.TypeOf(out)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Kind() == reflect.Struct && t.NumField() == 0
}
