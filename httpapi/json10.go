package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/eddy-streams/eddy"
)

// This file is the front end of ProtocolJSON10, as DynamoDB's answers it.
// Its order of checks and its answers to requests that are not well-formed
// API calls are those dynalite recorded against DynamoDB
// (github.com/mhart/dynalite index.js, which implements them with the real
// answers in comments, and test/connection.js).

// contentTypeJSON10 is AWS JSON 1.0, DynamoDB's protocol.
const contentTypeJSON10 = "application/x-amz-json-1.0"

// notAPICall10 is DynamoDB's whole answer (status 404, no Content-Type) to
// a request that is not an API call (dynalite test/connection.js
// assert404).
const notAPICall10 = "<UnknownOperationException/>\n"

// The response codecs of ProtocolJSON10: a response is in
// application/x-amz-json-1.0 when the request was, and in application/json
// otherwise (dynalite index.js: "res.contentType"), JSON either way.
var (
	json10Codec       = &codec{contentType: contentTypeJSON10, marshal: marshalJSON}
	json10LegacyCodec = &codec{contentType: contentTypeLegacyJSON, marshal: marshalJSON}
)

// serveJSON10 answers a request to a ProtocolJSON10 service, checking in
// DynamoDB's order (dynalite index.js):
//
//  1. A body over the service's limit (Service.MaxBodyBytes, DynamoDB's
//     16 MiB): 413, empty body.
//  2. A request with an Origin header gets Access-Control-Allow-Origin; a
//     CORS preflight (OPTIONS with Origin) is answered 200 there.
//  3. GET: 200 "healthy: <host> " (Service.HealthHost).
//  4. Not a POST, or a non-empty body whose Content-Type is neither AWS
//     JSON 1.0 nor plain application/json: 404 "<UnknownOperationException/>".
//  5. A body that is not well-formed JSON: SerializationException (no
//     message).
//  6. An unknown X-Amz-Target: UnknownOperationException (no message).
//  7. SigV4 authentication (sigv4.go; DynamoDB's front end words the
//     missing signature "Request is missing Authentication Token" and
//     counts an Authorization header not starting with "AWS4-" as
//     missing).
//  8. An empty body: SerializationException (no message).
//  9. A body value of the wrong type: SerializationException worded by
//     decodeJSON10 (json10decode.go).
//  10. Input.Validate, then Operation.Call.
//
// From step 5 on, answers are in the request's JSON content type and every
// response carries x-amz-crc32 (exchange.write). The path is not looked at.
func (s *Server) serveJSON10(w http.ResponseWriter, r *http.Request, svc *service, target string) {
	x := s.begin(w, r, svc)
	x.target = target
	x.codec = json10Codec
	if mediaType(r.Header.Get("Content-Type")) != contentTypeJSON10 {
		x.codec = json10LegacyCodec
	}
	defer s.end(x, func() { x.writeError(&eddy.Error{Code: eddy.CodeInternalFailure}) })

	held, err := s.reserveBody(r, svc)
	if err != nil {
		// The client went away while the request waited its turn.
		x.writeError(&eddy.Error{Code: eddy.CodeSerialization})
		return
	}
	body, tooLarge, release, err := s.readReserved(w, r, &x.reqBuf, svc, held)
	defer release()
	if tooLarge {
		x.write(http.StatusRequestEntityTooLarge, "", nil)
		return
	}
	if err != nil {
		x.writeError(&eddy.Error{Code: eddy.CodeSerialization})
		return
	}

	if r.Header.Get("Origin") != "" {
		if r.Method == http.MethodOptions {
			preflight(x)
			return
		}
		w.Header().Set("Access-Control-Allow-Origin", "*")
	}
	if r.Method == http.MethodGet {
		host := strings.ReplaceAll(svc.HealthHost, "{region}", s.cfg.Region)
		x.write(http.StatusOK, "", []byte("healthy: "+host+" "))
		return
	}
	mt := mediaType(r.Header.Get("Content-Type"))
	if r.Method != http.MethodPost || len(body) > 0 && mt != contentTypeJSON10 && mt != contentTypeLegacyJSON {
		x.code = eddy.CodeUnknownOperation
		x.write(http.StatusNotFound, "", []byte(notAPICall10))
		return
	}
	if len(body) > 0 && !json.Valid(body) {
		x.writeError(&eddy.Error{Code: eddy.CodeSerialization})
		return
	}
	rt := s.routes[target]
	if rt == nil || rt.svc != svc {
		x.writeError(&eddy.Error{Code: eddy.CodeUnknownOperation})
		return
	}
	x.op = rt.op.Name
	x.streamOf = rt.streamOf
	region, caller, aerr := s.authenticate(r, body, rt.signingName, x.now, json10Auth)
	if aerr != nil {
		x.writeError(aerr)
		return
	}
	if len(body) == 0 {
		x.writeError(&eddy.Error{Code: eddy.CodeSerialization})
		return
	}
	in := rt.op.NewInput()
	if r, ok := in.(interface{ Release() }); ok {
		defer r.Release()
	}
	if err := decodeJSON10(body, in, svc); err != nil {
		s.fail(x, err)
		return
	}
	x.in = in
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
	s.succeed(x, out)
	if r, ok := out.(interface{ Release() }); ok {
		r.Release()
	}
}
