package httpapi

import (
	"encoding/hex"
	"net/http"
	"strings"
	"time"

	"github.com/eddy-streams/eddy"
)

// SigV4 is the signature material of one request, for a front end that
// runs the checks of this file in its own order and words its own errors
// (the S3 endpoint, package s3). The JSON protocols use authenticate.
type SigV4 struct{ sr *sigRequest }

// ParseSigV4 reads r's Authorization header or, when it has none, its
// presigned query (X-Amz-Algorithm, X-Amz-Credential, ...). It returns
// (nil, nil) when r carries neither, and otherwise the structural errors
// 2-3 of authenticate, worded as the JSON protocols word them
// (IncompleteSignatureException): callers that answer in another protocol
// re-word them. It does not check a request carrying both.
func ParseSigV4(r *http.Request) (*SigV4, *eddy.Error) {
	_, presigned := r.URL.Query()["X-Amz-Algorithm"]
	if r.Header.Get("Authorization") == "" && !presigned {
		return nil, nil
	}
	sr, err := parseSignature(r, json11Auth)
	if err != nil {
		return nil, err
	}
	return &SigV4{sr}, nil
}

// Presigned reports whether the signature came from the query string.
func (s *SigV4) Presigned() bool { return s.sr.presigned }

// Algorithm is the signing algorithm named, normally AWS4-HMAC-SHA256.
func (s *SigV4) Algorithm() string { return s.sr.algorithm }

// Credential is the credential as sent: keyid/YYYYMMDD/region/service/aws4_request.
func (s *SigV4) Credential() string { return s.sr.credential }

// Signature is the signature the client sent (hex).
func (s *SigV4) Signature() string { return s.sr.signature }

// Time is the signing time; TimeText is that time as sent.
func (s *SigV4) Time() time.Time  { return s.sr.date }
func (s *SigV4) TimeText() string { return s.sr.dateText }

// Expires is a presigned request's X-Amz-Expires in seconds (0 when absent).
func (s *SigV4) Expires() int64 { return s.sr.expires }

// SignsHeader reports whether name is among the signed headers.
func (s *SigV4) SignsHeader(name string) bool { return hasSignedHeader(s.sr.signedHeaders, name) }

// Expected computes the signature r should carry when signed with secret
// over payloadHash (a hex SHA-256 or a symbolic value such as
// UNSIGNED-PAYLOAD), with the credential scope r names. s3Path: the path is
// canonicalized as S3 does (encoded once). It returns the signature (hex),
// the canonical request and the string to sign, the latter two for error
// messages.
func (s *SigV4) Expected(r *http.Request, secret, payloadHash string, s3Path bool) (signature, canonical, stringToSign string) {
	scope := strings.Split(strings.TrimRight(s.sr.credential, "/"), "/")
	for len(scope) < 5 {
		scope = append(scope, "")
	}
	canonical = canonicalRequest(r, s.sr, payloadHash, s3Path)
	stringToSign = sigAlgorithm + "\n" + s.sr.date.Format(amzDateFormat) + "\n" + strings.Join(scope[1:5], "/") + "\n" + hexSHA256([]byte(canonical))
	key := signingKey(secret, scope[1], scope[2], scope[3])
	return hex.EncodeToString(hmacSHA256(key, []byte(stringToSign))), canonical, stringToSign
}

// SigV4SigningKey derives the SigV4 signing key for secret and the
// credential scope day (YYYYMMDD), region and service, for callers that
// sign more than the request (S3's chunk signatures).
func SigV4SigningKey(secret, day, region, service string) []byte {
	return signingKey(secret, day, region, service)
}
