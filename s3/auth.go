package s3

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/httpapi"
)

// Signature verification. With Server.Credentials set, every request must
// be signed with SigV4 (Authorization header, or a presigned query string)
// by one of those keys, for the service "s3"; without, any request is
// served, signed or not, as the Kinesis transport does. The canonical
// request, string to sign and signing key are httpapi's (sigv4.go); the
// checks here run in this order, answered as S3 words them (errors.go):
//
//  1. Both an Authorization header and X-Amz-Algorithm in the query:
//     InvalidArgument. Neither: AccessDenied (an anonymous request).
//  2. A header not "AWS4-HMAC-SHA256 ...": InvalidRequest (S3's answer to
//     SigV2, "The authorization mechanism you have provided is not
//     supported. Please use AWS4-HMAC-SHA256."). A presigned query missing
//     a parameter, with another algorithm, or an X-Amz-Expires that is not
//     a number of seconds up to a week: AuthorizationQueryParametersError.
//     Other structural faults (httpapi's checks 2-3):
//     AuthorizationHeaderMalformed / AuthorizationQueryParametersError,
//     with httpapi's reason (S3's own reason texts are not known for these).
//  3. The credential scope: not five parts ending in aws4_request, another
//     service than s3, a name that cannot be a region, a day other than the
//     signing time's: AuthorizationHeaderMalformed ("The authorization header
//     is malformed; <reason>") or, presigned,
//     AuthorizationQueryParametersError ("Error parsing the X-Amz-Credential
//     parameter; <reason>"). Reasons as S3-compatible servers that follow S3
//     word them; any valid region is served (Eddy answers every region).
//  4. Header-signed: x-amz-content-sha256 missing (InvalidRequest) or
//     neither hex nor a known value (InvalidArgument).
//  5. The signing time more than MaxClockSkew from now: RequestTimeTooSkewed;
//     a presigned request past X-Amz-Expires: AccessDenied "Request has
//     expired"; presigned for more than MaxClockSkew in the future:
//     AccessDenied "Request is not valid yet" (s3s-project/s3s's wording; no
//     recorded S3 answer found).
//  6. Host not signed: AccessDenied, status 400, "There were headers present
//     in the request which were not signed" (minio/minio cmd/api-errors.go
//     ErrUnsignedHeaders; S3's answer not recorded).
//  7. An unknown key id: InvalidAccessKeyId. A signature that does not
//     match: SignatureDoesNotMatch with the string to sign and canonical
//     request S3 computed.
//
// The payload: the canonical request's payload hash is the
// x-amz-content-sha256 header as sent (UNSIGNED-PAYLOAD for a presigned
// request without one). A hex value is then checked against the body as
// it streams (XAmzContentSHA256Mismatch), with or without Credentials.
// STREAMING-AWS4-HMAC-SHA256-PAYLOAD bodies have each chunk's signature
// checked (chunked.go); the trailer signature of
// STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER is not.

// DefaultMaxClockSkew is S3's: 900000 ms (the MaxAllowedSkewMilliseconds of
// its RequestTimeTooSkewed answers).
const DefaultMaxClockSkew = 15 * time.Minute

const (
	unsignedPayload  = "UNSIGNED-PAYLOAD"
	streamingSigned  = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	maxPresignExpiry = 7 * 24 * 60 * 60
	s3TimeFormat     = "2006-01-02T15:04:05Z"
	amzDateFormat    = "20060102T150405Z"
)

// knownPayloads are the symbolic x-amz-content-sha256 values S3 accepts
// besides a hex SHA-256 (errBadContentSHA's list).
var knownPayloads = map[string]bool{
	unsignedPayload:                                    true,
	"STREAMING-UNSIGNED-PAYLOAD-TRAILER":               true,
	streamingSigned:                                    true,
	"STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER":       true,
	"STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD":         true,
	"STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER": true,
}

type chunkSignerKey struct{}

// chunkSigner verifies the chunk signatures of a
// STREAMING-AWS4-HMAC-SHA256-PAYLOAD body: each chunk is signed over
//
//	AWS4-HMAC-SHA256-PAYLOAD \n date \n scope \n previous signature \n sha256("") \n sha256(chunk)
//
// the first chunk's previous signature being the request's ("Signature
// Calculations for the Authorization Header: Transferring Payload in
// Multiple Chunks", https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html).
type chunkSigner struct {
	key         []byte
	date, scope string
	prev        string
}

const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

func (c *chunkSigner) verify(sig string, dataSHA256 string) bool {
	toSign := "AWS4-HMAC-SHA256-PAYLOAD\n" + c.date + "\n" + c.scope + "\n" + c.prev + "\n" + emptySHA256 + "\n" + dataSHA256
	m := hmac.New(sha256.New, c.key)
	m.Write([]byte(toSign))
	want := hex.EncodeToString(m.Sum(nil))
	if !hmac.Equal([]byte(want), []byte(sig)) {
		return false
	}
	c.prev = sig
	return true
}

var errBadChunkSignature = errors.New("s3: chunk signature does not match")

// authenticate runs the checks above. On success it returns r, with the
// chunk signer in its context for a signed streaming body.
func (s *Server) authenticate(r *http.Request) (*http.Request, *s3Error) {
	fail := func(e s3Error) (*http.Request, *s3Error) { return nil, &e }
	auth := r.Header.Get("Authorization")
	q := r.URL.Query()
	_, presigned := q["X-Amz-Algorithm"]
	switch {
	case auth != "" && presigned:
		return fail(errTwoAuths)
	case auth == "" && !presigned:
		return fail(errAccessDenied)
	case presigned:
		for _, p := range []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Expires"} {
			if q.Get(p) == "" {
				return fail(errQueryParams)
			}
		}
		if q.Get("X-Amz-Algorithm") != "AWS4-HMAC-SHA256" {
			return fail(errQueryAlgo)
		}
		// MinIO's wording for the first two (cmd/api-errors.go
		// ErrMalformedExpires, ErrNegativeExpires).
		n, err := strconv.ParseInt(q.Get("X-Amz-Expires"), 10, 64)
		switch {
		case err != nil:
			return fail(s3Error{Code: errQueryParams.Code, Message: "X-Amz-Expires should be a number", Status: 400})
		case n < 0:
			return fail(s3Error{Code: errQueryParams.Code, Message: "X-Amz-Expires must be non-negative", Status: 400})
		case n > maxPresignExpiry:
			return fail(errQueryExpiry)
		}
	case !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 "):
		return fail(s3Error{Code: "InvalidRequest", Message: "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.", Status: 400})
	}
	malformed := func(reason string) (*http.Request, *s3Error) {
		if presigned {
			return fail(s3Error{Code: errQueryParams.Code, Message: "Error parsing the X-Amz-Credential parameter; " + reason, Status: 400})
		}
		return fail(s3Error{Code: errHeaderMalformed.Code, Message: errHeaderMalformed.Message + reason, Status: 400})
	}
	sig, perr := httpapi.ParseSigV4(r)
	if perr != nil {
		if presigned {
			return fail(s3Error{Code: errQueryParams.Code, Message: perr.Message, Status: 400})
		}
		return fail(s3Error{Code: errHeaderMalformed.Code, Message: errHeaderMalformed.Message + perr.Message, Status: 400})
	}

	scope := strings.Split(sig.Credential(), "/")
	if len(scope) != 5 || scope[0] == "" || scope[4] != "aws4_request" {
		return malformed(`the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`)
	}
	keyID, day, region, service := scope[0], scope[1], scope[2], scope[3]
	if service != "s3" {
		return malformed(`incorrect service "` + service + `". This endpoint belongs to "s3".`)
	}
	if !eddy.ValidRegion(region) {
		return malformed("the region '" + region + "' is wrong; expecting '" + s.region() + "'")
	}
	if day != sig.Time().Format("20060102") {
		return malformed("Invalid credential date. Date is not the same as X-Amz-Date.")
	}

	payload := r.Header.Get("x-amz-content-sha256")
	if !presigned {
		if payload == "" {
			return fail(errNoContentSHA)
		}
		if !knownPayloads[payload] && !isHexSHA256(payload) {
			return fail(errBadContentSHA.with("ArgumentName", "x-amz-content-sha256").with("ArgumentValue", payload))
		}
	} else if payload == "" {
		payload = unsignedPayload
	}

	now := s.now().Truncate(time.Second)
	skew := s.MaxClockSkew
	if skew <= 0 {
		skew = DefaultMaxClockSkew
	}
	t := sig.Time()
	if presigned {
		if exp := t.Add(time.Duration(sig.Expires()) * time.Second); now.After(exp) {
			return fail(errExpired.with("X-Amz-Expires", strconv.FormatInt(sig.Expires(), 10)).
				with("Expires", exp.Format(s3TimeFormat)).with("ServerTime", now.Format(s3TimeFormat)))
		}
		if t.After(now.Add(skew)) {
			return fail(s3Error{Code: errAccessDenied.Code, Message: "Request is not valid yet", Status: 403})
		}
	} else if t.Before(now.Add(-skew)) || t.After(now.Add(skew)) {
		return fail(errSkewed.with("RequestTime", sig.TimeText()).with("ServerTime", now.Format(s3TimeFormat)).
			with("MaxAllowedSkewMilliseconds", strconv.FormatInt(skew.Milliseconds(), 10)))
	}
	if !sig.SignsHeader("host") {
		return fail(s3Error{Code: errAccessDenied.Code, Message: "There were headers present in the request which were not signed", Status: 400})
	}

	secret, ok := s.Credentials[keyID]
	if s.IAM != nil {
		// Identities: the key (with its session token, for temporary
		// credentials) is the directory's; the caller goes into the
		// request's context for authorize.
		sec, caller, ierr := s.IAM.Credential(keyID, sessionToken(r), now)
		if ierr != nil {
			if ierr.Code == eddy.CodeExpiredToken {
				// S3's answer to expired temporary credentials.
				return fail(s3Error{Code: "ExpiredToken", Message: "The provided token has expired.", Status: 400})
			}
			return fail(errInvalidKeyID.with("AWSAccessKeyId", keyID))
		}
		secret, ok = sec, true
		r = r.WithContext(context.WithValue(r.Context(), callerKey{}, caller))
	}
	if !ok {
		return fail(errInvalidKeyID.with("AWSAccessKeyId", keyID))
	}
	want, canonical, toSign := sig.Expected(r, secret, payload, true)
	if !hmac.Equal([]byte(want), []byte(sig.Signature())) {
		return fail(errSignature.with("AWSAccessKeyId", keyID).with("StringToSign", toSign).
			with("SignatureProvided", sig.Signature()).with("StringToSignBytes", spacedHex(toSign)).
			with("CanonicalRequest", canonical).with("CanonicalRequestBytes", spacedHex(canonical)))
	}
	if payload == streamingSigned {
		cs := &chunkSigner{key: httpapi.SigV4SigningKey(secret, day, region, service),
			date: t.Format(amzDateFormat), scope: strings.Join(scope[1:], "/"), prev: want}
		r = r.WithContext(context.WithValue(r.Context(), chunkSignerKey{}, cs))
	}
	return r, nil
}

func (s *Server) region() string {
	if s.Region != "" {
		return s.Region
	}
	return "us-east-1"
}

// spacedHex is S3's *Bytes form: each byte as two hex digits, space
// separated.
func spacedHex(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%02x", s[i])
	}
	return b.String()
}

func isHexSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// shaMismatch is the error a body whose SHA-256 is not its
// x-amz-content-sha256 ends with.
type shaMismatch struct{ client, computed string }

func (e *shaMismatch) Error() string {
	return "s3: x-amz-content-sha256 " + e.client + " but the body's is " + e.computed
}

// shaReader hashes a body as it is read and, at its end, returns a
// *shaMismatch instead of io.EOF when the hash is not the one announced.
type shaReader struct {
	r    io.ReadCloser
	h    hash.Hash
	want string
}

func (s *shaReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	s.h.Write(p[:n])
	if err == io.EOF {
		if got := hex.EncodeToString(s.h.Sum(nil)); !strings.EqualFold(got, s.want) {
			return n, &shaMismatch{client: s.want, computed: got}
		}
	}
	return n, err
}

func (s *shaReader) Close() error { return s.r.Close() }

// readBody reads a small request body (an XML document) whole, so a
// shaReader sees its end.
func readBody(r *http.Request, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r.Body, limit))
	if err != nil {
		return nil, err
	}
	return b, nil
}

// sessionToken is the request's X-Amz-Security-Token (header or presigned
// query).
func sessionToken(r *http.Request) string {
	if t := r.Header.Get("X-Amz-Security-Token"); t != "" {
		return t
	}
	return r.URL.Query().Get("X-Amz-Security-Token")
}
