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

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/internal/bufpool"
)

// ServeHTTP answers one request: it picks the service the request is for
// (Server.serviceFor) and lets that service's protocol answer it, with
// serveJSON11 or serveJSON10.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	if target == "" {
		// A presigning SDK moves X-Amz-* headers into the query.
		target = r.URL.Query().Get("X-Amz-Target")
		if target == "" && s.rest != nil {
			if rs, rt, params := s.rest.match(r); rs != nil {
				s.serveREST(w, r, rs, rt, params)
				return
			}
		}
	}
	if target == "" {
		if qs := s.queryFor(r); qs != nil {
			s.serveQuery(w, r, qs)
			return
		}
	}
	svc := s.serviceFor(r, target)
	if svc.Protocol == ProtocolJSON10 {
		s.serveJSON10(w, r, svc, target)
		return
	}
	s.serveJSON11(w, r, svc, target)
}

// serveJSON11 answers a request to a ProtocolJSON11 service. The checks run
// in AWS's order, so a request with several faults gets the error AWS would
// give. Kinesalite recorded the order against Kinesis
// (github.com/mhart/kinesalite test/connection.js; its index.js implements
// it):
//
//  1. A request with an Origin header gets the CORS headers; a CORS
//     preflight (OPTIONS with Origin) is answered 200 there.
//  2. Not a POST: AWS's bare XML answer to a non-API request (notAPICall).
//     The path is not looked at, as AWS does not.
//  3. A body over MaxBodyBytes: 413, empty body.
//  4. An empty body: SerializationException if X-Amz-Target names an
//     operation, else UnknownOperationException; in JSON if the
//     Content-Type is AWS JSON 1.1, otherwise in CBOR (a missing, unknown
//     or plain JSON Content-Type included).
//  5. A Content-Type other than AWS JSON 1.1, CBOR 1.1 or plain JSON: the
//     bare XML answer (notAPICall).
//  6. Plain application/json: 200 with the deprecated envelope, holding a
//     SerializationException for a body that is not a JSON object, else an
//     UnknownOperationException (AWS goes no further with it).
//  7. A body that is not one well-formed object: SerializationException
//     (no message).
//  8. An unknown X-Amz-Target: UnknownOperationException.
//  9. SigV4 authentication: MissingAuthenticationToken,
//     IncompleteSignature, InvalidSignature and UnrecognizedClient
//     exceptions, in the order sigv4.go lists.
//  10. A body value of the wrong type: SerializationException, worded by
//     serializationMessage.
//  11. Input.Validate, then authorization with Config.IAM (authz.go),
//     then Operation.Call.
//
// Every request is logged once when it ends (see logRequest).
func (s *Server) serveJSON11(w http.ResponseWriter, r *http.Request, svc *service, target string) {
	x := s.begin(w, r, svc)
	defer s.end(x, func() { x.writeError(&eddy.Error{Code: eddy.CodeInternalFailure}) })

	if origin := r.Header.Get("Origin"); origin != "" {
		if r.Method == http.MethodOptions {
			preflight(x)
			return
		}
		exposeHeaders(x)
	}
	x.target = target
	if r.Method != http.MethodPost {
		s.notAPICall(x)
		return
	}

	// The body counts against MaxInflightBytes from before it is read until
	// the response has been written and its buffer is back in the pool.
	held, err := s.reserveBody(r, svc)
	if err != nil {
		// The client went away while the request waited its turn; nobody
		// will read an answer, but send one anyway.
		x.writeError(&eddy.Error{Code: eddy.CodeSerialization})
		return
	}
	body, tooLarge, release, err := s.readReserved(w, r, &x.reqBuf, svc, held)
	defer release()
	mt := mediaType(r.Header.Get("Content-Type"))
	x.codec = codecFor(mt)
	if tooLarge {
		ct := ""
		if x.codec != nil {
			ct = x.codec.contentType
		}
		x.write(http.StatusRequestEntityTooLarge, ct, nil)
		return
	}
	if err != nil {
		// The client went away or sent a broken body; nobody will read an
		// answer, but send one anyway.
		x.writeError(&eddy.Error{Code: eddy.CodeSerialization})
		return
	}

	rt := s.routes[x.target]
	if rt != nil {
		x.op = rt.op.Name
		x.streamOf = rt.streamOf
	}
	if len(body) == 0 {
		// writeError answers in CBOR unless the request was JSON 1.1.
		if rt == nil {
			x.writeError(&eddy.Error{Code: eddy.CodeUnknownOperation})
		} else {
			x.writeError(&eddy.Error{Code: eddy.CodeSerialization})
		}
		return
	}
	if x.codec == nil {
		if mt == contentTypeLegacyJSON {
			if jsonCodec.wellFormed(body) {
				x.writeLegacyError(eddy.CodeUnknownOperation)
			} else {
				x.writeLegacyError(eddy.CodeSerialization)
			}
			return
		}
		s.notAPICall(x)
		return
	}
	if rt == nil {
		if x.codec.wellFormed(body) {
			x.writeError(&eddy.Error{Code: eddy.CodeUnknownOperation})
		} else {
			x.writeError(&eddy.Error{Code: eddy.CodeSerialization})
		}
		return
	}

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
	x.in = in
	region, caller, aerr := s.authenticate(r, body, rt.signingName, x.now, json11Auth)
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
	if caller != nil {
		ctx = context.WithValue(ctx, callerKey{}, caller)
		if err := s.authorizeCall(ctx, r, x.now, caller, rt, in, region); err != nil {
			x.writeError(err)
			return
		}
	}
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
	// buffer) that it gives back once it has been encoded (succeed does it
	// then; this covers the other paths).
	if r, ok := out.(interface{ Release() }); ok {
		r.Release()
	}
}

// notAPICall answers a request that is not an AWS JSON or CBOR API call (not
// a POST, or a POST with a body of another content type) with AWS's bare
// XML, checking in the order kinesalite recorded (test/connection.js, the
// commented-out block of 3120 cases):
//
//  1. The signature's form: InvalidSignatureException (both an
//     Authorization header and an X-Amz-Algorithm query parameter),
//     MissingAuthenticationTokenException (neither),
//     IncompleteSignatureException (parameters missing).
//  2. The target "<service>.<operation>": a service Eddy does not serve,
//     UnrecognizedClientException ("No authorization strategy was found
//     for service: S, operation: O"); a served service's unknown
//     operation, 500 InternalFailure; a known operation, 404
//     UnknownOperationException.
//  3. Otherwise (no target, or one without both parts):
//     AccessDeniedException.
//
// The signature is not verified: AWS's answer does not depend on it.
func (s *Server) notAPICall(x *exchange) {
	if _, err := parseSignature(x.r, json11Auth); err != nil {
		x.writeXMLError(err)
		return
	}
	service, operation, _ := strings.Cut(x.target, ".")
	switch {
	case service == "" || operation == "":
		x.writeXMLError(&eddy.Error{Code: eddy.CodeAccessDenied, Message: "Unable to determine service/operation name to be authorized"})
	case !s.prefixes[service]:
		x.writeXMLError(&eddy.Error{Code: eddy.CodeUnrecognizedClient,
			Message: "No authorization strategy was found for service: " + service + ", operation: " + operation})
	case s.routes[x.target] == nil:
		x.writeXMLError(&eddy.Error{Code: eddy.CodeInternalFailure})
	default:
		x.writeXMLError(&eddy.Error{Code: eddy.CodeUnknownOperation})
	}
}

// readBody reads the whole body if it is at most MaxBodyBytes long (or the
// service's own limit, if lower). A body
// that declares a larger Content-Length is not read at all; one without a
// length is read up to one byte past the limit.
//
// The body is read into a pooled buffer, stored in *bufp for the caller to
// return with putBuffer once the request is answered: both decoders copy
// what they keep, so the body is garbage by then. Reusing buffers matters:
// a fresh buffer per request costs more in zeroing and page faults than
// the request's JSON decoding.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request, bufp **bytes.Buffer, svc *service) (body []byte, tooLarge bool, err error) {
	max := s.maxBody(svc)
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

// readReserved reads the body (readBody) of a request for which held
// bytes of the in-flight budget were reserved (reserveBody), gives back the
// part of the reservation the body did not use (a body of unknown length
// reserved the whole limit), and returns release, which the caller defers:
// it returns the body's buffer to the pool and the reservation to the
// budget once the request is answered.
func (s *Server) readReserved(w http.ResponseWriter, r *http.Request, bufp **bytes.Buffer, svc *service, held int64) (body []byte, tooLarge bool, release func(), err error) {
	body, tooLarge, err = s.readBody(w, r, bufp, svc)
	if n := int64(len(body)); err == nil && !tooLarge && n < held {
		s.inflight.release(held - n)
		held = n
	}
	return body, tooLarge, func() {
		putBuffer(*bufp)
		s.inflight.release(held)
	}, err
}

// fail answers err: an *eddy.Error as itself, anything else as an
// InternalFailure whose cause the request log records.
func (s *Server) fail(x *exchange, err error) {
	var ee *eddy.Error
	if errors.As(err, &ee) {
		x.writeError(ee)
		return
	}
	x.cause = err
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
	buf := getBufferFor(out)
	defer putBuffer(buf)
	err := x.codec.marshal(buf, out)
	// The answer is a copy now: an output holding pooled memory gives it
	// back before the write, which can take long (a slow reader of a 10 MB
	// answer), so that the pool serves the next read instead of a fresh
	// buffer being zeroed for it.
	if r, ok := out.(interface{ Release() }); ok {
		r.Release()
	}
	if err != nil {
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

// bigBuffers keeps a few buffers larger than maxPooledBuffer
// (bufpool.Kept): GetRecords answers of full batches and large PutRecords
// bodies reuse them instead of growing a fresh one each time.
var bigBuffers = bufpool.New[*bytes.Buffer](bufpool.Kept)

// getBufferFor returns the buffer to encode out in: a kept large one for
// outputs that can be large (those with a hand-written encoder: GetRecords).
func getBufferFor(out any) *bytes.Buffer {
	switch out.(type) {
	case fastCBOREncoder, fastJSONEncoder:
		if b, ok := bigBuffers.Get(); ok {
			b.Reset()
			return b
		}
	}
	return getBuffer()
}

func putBuffer(b *bytes.Buffer) {
	switch {
	case b == nil:
	case b.Cap() <= maxPooledBuffer:
		bufPool.Put(b)
	case b.Cap() <= bufpool.Largest:
		bigBuffers.Put(b)
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

// end is deferred by every protocol's handler: it logs the exchange once
// answered. A panic in the handler is recorded on x (the request's log
// record carries it and its stack) and, if nothing was written yet,
// answered by internal; http.ErrAbortHandler goes on up.
func (s *Server) end(x *exchange, internal func()) {
	if v := recover(); v != nil {
		if v == http.ErrAbortHandler {
			panic(v)
		}
		x.cause = fmt.Errorf("panic: %v", v)
		x.stack = string(debug.Stack())
		if x.status == 0 {
			internal()
		}
	}
	s.logRequest(x)
}
