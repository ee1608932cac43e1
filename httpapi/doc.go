// Package httpapi is the HTTP transport of Eddy's AWS JSON-protocol
// services: one port serving HTTP/1.1, cleartext HTTP/2 with prior knowledge
// (h2c) and, with TLS, HTTP/2 by ALPN; request bodies in AWS JSON 1.1 or
// CBOR 1.1 (ProtocolJSON11, Kinesis's front end) or AWS JSON 1.0
// (ProtocolJSON10, DynamoDB's); SigV4 authentication; dispatch on
// X-Amz-Target. It knows no service: a service registers its operations,
// each a constructor for its input struct and a function from input to
// output, with its protocol and how it names its errors on the wire
// (Service). Several services share one port; each request is answered by
// the service it is for (Service says how that is decided), in that
// service's protocol. The rest of this comment describes ProtocolJSON11;
// json10.go and json10decode.go describe ProtocolJSON10.
//
// # Usage
//
//	srv, err := httpapi.New(httpapi.Config{Credentials: creds}, httpapi.Service{
//		TargetPrefix: "Kinesis_20131202",
//		SigningName:  "kinesis",
//		Operations: []httpapi.Operation{{
//			Name:     "PutRecord",
//			NewInput: func() any { return new(kds.PutRecordInput) },
//			Call: func(ctx context.Context, in any) (any, error) {
//				return engine.PutRecord(ctx, in.(*kds.PutRecordInput))
//			},
//		}},
//	})
//	l, _ := net.Listen("tcp", ":4567")
//	go srv.Serve(l)
//	...
//	srv.Shutdown(ctx)
//
// # A request
//
//	POST / HTTP/1.1
//	Content-Type: application/x-amz-json-1.1      (or application/x-amz-cbor-1.1)
//	X-Amz-Target: Kinesis_20131202.PutRecord
//	X-Amz-Date: 20240101T000000Z
//	Authorization: AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/kinesis/aws4_request,
//	               SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=<64 hex>
//
//	{"StreamName":"s","Data":"aGk=","PartitionKey":"k"}
//
// is decoded into the operation's input (encoding/json or awscbor, by the
// json struct tags), validated (if the input has a Validate() error method)
// and passed to Call. The output is encoded in the request's content type
// and sent with status 200.
//
// # Errors
//
// Every JSON or CBOR error response has the body {"__type": code,
// "message": text} (message left out where AWS leaves it out; a
// SerializationException's under "Message", as AWS sends it) and the status
// eddy.Status(code): 400 for client errors, 500 for InternalFailure. A
// value of the wrong type in a body gets AWS's SerializationException text
// (serialization.go), in both encodings. An *eddy.Error from an operation is
// sent as it is; any other error, and any panic, is sent as InternalFailure
// and its cause logged with the request. Requests that are not well-formed
// API calls get what AWS answers them: an UnknownOperationException or
// SerializationException in CBOR for an empty body without a JSON 1.1
// Content-Type, the deprecated JSON envelope (status 200) for plain
// application/json, and bare XML (403, 404 or 500) for other methods and
// content types. An oversized body gets 413 with no body. The order of the
// checks is AWS's; ServeHTTP lists it.
//
// Each request is logged once, when it is answered: failed ones at info
// level with their error code, the rest at debug level, or info with
// Config.LogRequests (see logRequest).
//
// Every response carries x-amzn-RequestId (a random UUID, also available to
// operations as RequestID(ctx)), x-amz-id-2 and a Date from Config.Now, from
// which the SDKs correct their clock skew.
//
// # Where AWS's behaviour comes from
//
// The messages and the order of the checks follow what kinesalite and
// dynalite (github.com/mhart) recorded from the real Kinesis and DynamoDB
// front ends, the AWS SigV4 troubleshooting guide, and how the SDKs parse
// responses (__type or X-Amzn-ErrorType for the code; for the text,
// aws-sdk-go-v2 matches "message" in any case, and the AWS SDKs for Java,
// JSON and CBOR alike, read "message", then "Message").
package httpapi
