package s3

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strings"
)

// s3Error is one S3 error answer: the <Code>, <Message> and HTTP status,
// and any extra elements S3 adds for that error (in order).
type s3Error struct {
	Code    string
	Message string
	Status  int
	extra   []xmlField
}

type xmlField struct{ name, value string }

// with returns e with one more element <name>value</name>.
func (e s3Error) with(name, value string) s3Error {
	e.extra = append(append([]xmlField(nil), e.extra...), xmlField{name, value})
	return e
}

// The errors the endpoint answers. Codes and statuses are those of the S3
// API reference, "Error responses", "List of error codes"
// (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList).
// That list's descriptions are not always the message S3 sends; the
// messages below are the ones S3 sends where an answer recorded from S3 was
// found (noted), else the list's description, else (noted) MinIO's
// (minio/minio cmd/api-errors.go, which copies S3's messages) or
// OpenStack Swift's s3api (openstack/swift swift/common/middleware/s3api).
// TestErrorCatalog holds every one of them.
var (
	// Recorded: an S3 answer with its RequestId/HostId at
	// https://s3-docs.fd.io/vpp/22.06/developer/extras/response_example.json
	// ("The specified key does not exist.", <Key>).
	errNoSuchKey = s3Error{Code: "NoSuchKey", Message: "The specified key does not exist.", Status: 404}
	// No final period in S3's answers (minio/minio cmd/api-errors.go; the
	// list's description has one).
	errNoSuchBucket = s3Error{Code: "NoSuchBucket", Message: "The specified bucket does not exist", Status: 404}
	// S3's message, not the list's description (minio/minio
	// cmd/api-errors.go; aws-cli and boto3 reports of S3 answers).
	// The message of S3's answer (the models' documentation words it
	// without "Please").
	errBucketTaken = s3Error{Code: "BucketAlreadyExists", Message: "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.", Status: 409}
	errOwnedByYou  = s3Error{Code: "BucketAlreadyOwnedByYou", Message: "Your previous request to create the named bucket succeeded and you already own it.", Status: 409}
	// Recorded in aws/aws-sdk-ruby's specs (with an S3 HostId), no final
	// period.
	errBucketNotEmpty = s3Error{Code: "BucketNotEmpty", Message: "The bucket you tried to delete is not empty", Status: 409}
	errBadName        = s3Error{Code: "InvalidBucketName", Message: "The specified bucket is not valid.", Status: 400}
	// S3 adds <RangeRequested> and <ActualObjectSize> (see invalidRange).
	errInvalidRange  = s3Error{Code: "InvalidRange", Message: "The requested range is not satisfiable", Status: 416}
	errBadDigest     = s3Error{Code: "BadDigest", Message: "The Content-MD5 you specified did not match what we received.", Status: 400}
	errInvalidDigest = s3Error{Code: "InvalidDigest", Message: "The Content-MD5 you specified is not valid.", Status: 400}
	errMethod        = s3Error{Code: "MethodNotAllowed", Message: "The specified method is not allowed against this resource.", Status: 405}
	errNotImpl       = s3Error{Code: "NotImplemented", Message: "A header you provided implies functionality that is not implemented.", Status: 501}
	errInternal      = s3Error{Code: "InternalError", Message: "We encountered an internal error. Please try again.", Status: 500}
	errIncomplete    = s3Error{Code: "IncompleteBody", Message: "You did not provide the number of bytes specified by the Content-Length HTTP header.", Status: 400}
	errTooLarge      = s3Error{Code: "EntityTooLarge", Message: "Your proposed upload exceeds the maximum allowed object size.", Status: 400}
	errMalformedXML  = s3Error{Code: "MalformedXML", Message: "The XML you provided was not well-formed or did not validate against our published schema.", Status: 400}

	// Multipart upload. NoSuchUpload's, InvalidPart's and
	// InvalidPartOrder's messages are S3's (minio/minio cmd/api-errors.go),
	// longer than the list's descriptions.
	errNoSuchUpload = s3Error{Code: "NoSuchUpload", Message: "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.", Status: 404}
	errInvalidPart  = s3Error{Code: "InvalidPart", Message: "One or more of the specified parts could not be found. The part might not have been uploaded, or the specified entity tag might not have matched the part's entity tag.", Status: 400}
	errPartOrder    = s3Error{Code: "InvalidPartOrder", Message: "The list of parts was not in ascending order. The parts list must be specified in order by part number.", Status: 400}
	errTooSmall     = s3Error{Code: "EntityTooSmall", Message: "Your proposed upload is smaller than the minimum allowed object size.", Status: 400}
	errBadPartNum   = s3Error{Code: "InvalidArgument", Message: "Part number must be an integer between 1 and 10000, inclusive", Status: 400}

	// Listing. Both as S3 answers (recorded answers with ArgumentName and
	// ArgumentValue in public S3-compatible servers' test logs; the
	// fake-s3 gem's builder).
	errMaxKeys   = s3Error{Code: "InvalidArgument", Message: "Provided max-keys not an integer or within integer range", Status: 400}
	errContToken = s3Error{Code: "InvalidArgument", Message: "The continuation token provided is incorrect", Status: 400}

	// CopyObject: MinIO's wording (minio/minio cmd/api-errors.go
	// ErrInvalidCopySource, ErrInvalidMetadataDirective, ErrInvalidCopyDest).
	errCopySource = s3Error{Code: "InvalidArgument", Message: "Copy Source must mention the source bucket and key: sourcebucket/sourcekey.", Status: 400}
	errDirective  = s3Error{Code: "InvalidArgument", Message: "Unknown metadata directive.", Status: 400}
	errCopyToSelf = s3Error{Code: "InvalidRequest", Message: "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.", Status: 400}
)

// Authentication (when the endpoint has credentials; see auth.go).
var (
	// "Access Denied": the list's description and S3's answer.
	errAccessDenied = s3Error{Code: "AccessDenied", Message: "Access Denied", Status: 403}
	// Recorded S3 answer: <Message>Request has expired</Message>
	// <X-Amz-Expires>120</X-Amz-Expires><Expires>…</Expires><ServerTime>…</ServerTime>
	// (an AWS RequestId/HostId; found with find_string "Request has expired").
	errExpired = s3Error{Code: "AccessDenied", Message: "Request has expired", Status: 403}
	// Recorded S3 answers (aws-cli and boto3 reports).
	errInvalidKeyID = s3Error{Code: "InvalidAccessKeyId", Message: "The AWS Access Key Id you provided does not exist in our records.", Status: 403}
	// Recorded S3 answers, e.g. with <AWSAccessKeyId>, <StringToSign>,
	// <SignatureProvided>, <StringToSignBytes>, <CanonicalRequest>,
	// <CanonicalRequestBytes> (S3's answer in gist.github.com/clarkngo/58243eeb36812690011622a28558d498).
	errSignature = s3Error{Code: "SignatureDoesNotMatch", Message: "The request signature we calculated does not match the signature you provided. Check your key and signing method.", Status: 403}
	// Recorded S3 answer (pgbackrest/pgbackrest
	// test/src/module/storage/s3Test.c, 403 with an AWS RequestId/HostId):
	// <RequestTime> as sent, <ServerTime>, <MaxAllowedSkewMilliseconds>900000.
	errSkewed = s3Error{Code: "RequestTimeTooSkewed", Message: "The difference between the request time and the current time is too large.", Status: 403}
	// Both an Authorization header and a presigned query. S3's message as
	// reported by its users ("Only one auth mechanism allowed; ...").
	errTwoAuths = s3Error{Code: "InvalidArgument", Message: "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified", Status: 400}
	// Presigned query problems: MinIO's and OpenStack Swift's wording
	// (minio/minio cmd/api-errors.go ErrInvalidQueryParams,
	// ErrInvalidQuerySignatureAlgo, ErrMaximumExpires).
	errQueryParams = s3Error{Code: "AuthorizationQueryParametersError", Message: "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.", Status: 400}
	errQueryAlgo   = s3Error{Code: "AuthorizationQueryParametersError", Message: `X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"`, Status: 400}
	errQueryExpiry = s3Error{Code: "AuthorizationQueryParametersError", Message: "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds", Status: 400}
	// A header-signed request without x-amz-content-sha256 (OpenStack
	// Swift's s3api tests, which follow S3).
	errNoContentSHA = s3Error{Code: "InvalidRequest", Message: "Missing required header for this request: x-amz-content-sha256", Status: 400}
	// x-amz-content-sha256 neither hex nor a known value (OpenStack Swift
	// s3api s3request.py, which follows S3; ArgumentName added by S3).
	errBadContentSHA = s3Error{Code: "InvalidArgument", Message: "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.", Status: 400}
	// The body's SHA-256 differs from x-amz-content-sha256 (the list: code
	// and status; message as S3 sends it, with <ClientComputedContentSHA256>
	// and <S3ComputedContentSHA256>).
	errContentSHAMismatch = s3Error{Code: "XAmzContentSHA256Mismatch", Message: "The provided 'x-amz-content-sha256' header does not match what was computed.", Status: 400}
	// AuthorizationHeaderMalformed's message is "The authorization header is
	// malformed; " and the reason (see auth.go); a presigned query's is
	// AuthorizationQueryParametersError "Error parsing the X-Amz-Credential
	// parameter; " and the reason.
	errHeaderMalformed = s3Error{Code: "AuthorizationHeaderMalformed", Message: "The authorization header is malformed; ", Status: 400}
)

// checksumMismatch is BadDigest for a flexible checksum: "The CRC32 you
// specified did not match the calculated checksum." (recorded S3 answers
// for SHA256 and SHA1 with AWS RequestIds, e.g. in aws-cli's and
// gov.uk's logs; found with find_string).
func checksumMismatch(alg string) s3Error {
	return s3Error{Code: "BadDigest", Message: "The " + alg + " you specified did not match the calculated checksum.", Status: 400}
}

func requestID() string {
	var b [8]byte
	rand.Read(b[:])
	return strings.ToUpper(hex.EncodeToString(b[:]))
}

// fail answers e: the status, and for all but HEAD (whose answers have no
// body) the error document
//
//	<Error><Code/><Message/>[extra elements][<Key/>|<BucketName/>]<RequestId/><HostId/></Error>
func (s *Server) fail(w http.ResponseWriter, r *http.Request, e s3Error, bucket, key string) {
	id := requestID()
	w.Header().Set("x-amz-request-id", id)
	if r.Method == http.MethodHead {
		w.WriteHeader(e.Status)
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(e.Status)
	io.WriteString(w, errorDocument(e, bucket, key, id))
}

func errorDocument(e s3Error, bucket, key, id string) string {
	var b strings.Builder
	b.WriteString(xml.Header)
	elem := func(name, value string) {
		b.WriteString("<" + name + ">")
		xml.EscapeText(&b, []byte(value))
		b.WriteString("</" + name + ">")
	}
	b.WriteString("<Error>")
	elem("Code", e.Code)
	elem("Message", e.Message)
	for _, f := range e.extra {
		elem(f.name, f.value)
	}
	if key != "" {
		elem("Key", key)
	}
	if bucket != "" {
		elem("BucketName", bucket)
	}
	elem("RequestId", id)
	elem("HostId", id)
	b.WriteString("</Error>")
	return b.String()
}

func (s *Server) internal(w http.ResponseWriter, r *http.Request, err error) {
	if s.Log != nil {
		s.Log.Error("s3 request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	s.fail(w, r, errInternal, "", "")
}

// storeErr answers a Store error, or a request body error (a body whose
// SHA-256 is not its x-amz-content-sha256; a cut body).
func (s *Server) storeErr(w http.ResponseWriter, r *http.Request, err error, bucket, key string) {
	var sha *shaMismatch
	switch {
	case errors.As(err, &sha):
		s.fail(w, r, errContentSHAMismatch.with("ClientComputedContentSHA256", sha.client).with("S3ComputedContentSHA256", sha.computed), "", "")
	case errors.Is(err, errBadChunkSignature):
		s.fail(w, r, errSignature, "", "")
	case errors.Is(err, errChunk) || errors.Is(err, io.ErrUnexpectedEOF):
		s.fail(w, r, errIncomplete, "", key)
	case errors.Is(err, errNoBucket):
		s.fail(w, r, errNoSuchBucket, bucket, "")
	case errors.Is(err, errNoKey):
		s.fail(w, r, errNoSuchKey, "", key)
	case errors.Is(err, errBucketExists):
		s.fail(w, r, errOwnedByYou, bucket, "")
	case errors.Is(err, errNotEmpty):
		s.fail(w, r, errBucketNotEmpty, bucket, "")
	default:
		s.internal(w, r, err)
	}
}
