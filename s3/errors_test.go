package s3

import (
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// errorFields decodes an S3 error document into its elements' texts.
func errorFields(t *testing.T, b []byte) map[string]string {
	t.Helper()
	out := map[string]string{}
	d := xml.NewDecoder(strings.NewReader(string(b)))
	var name string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("error document %q: %v", b, err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			name = tok.Name.Local
		case xml.CharData:
			out[name] += string(tok)
		case xml.EndElement:
			name = ""
		}
	}
	return out
}

// TestErrorCatalog sends requests that fail and checks S3's code, message,
// status and extra elements for each (errors.go cites the sources).
func TestErrorCatalog(t *testing.T) {
	ctx := context.Background()
	open := &Server{Store: storeAt(t.TempDir())}
	c, ts := plainClient(t, open)
	putKeys(t, c, "bkt", "k")
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("bkt"), Key: aws.String("mp")})
	if err != nil {
		t.Fatal(err)
	}
	uid := aws.ToString(up.UploadId)
	for n := 1; n <= 2; n++ {
		if _, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("bkt"), Key: aws.String("mp"), UploadId: up.UploadId,
			PartNumber: aws.Int32(int32(n)), Body: strings.NewReader("tiny")}); err != nil {
			t.Fatal(err)
		}
	}
	const tinyETag = `"d60cadf1a41c651e1f0ade50136bad43"` // md5("tiny")
	signed, _ := signedServer(t, false, 0)

	type row struct {
		name            string
		ts              *httptest.Server
		method, path    string
		header          map[string]string
		body            string
		status          int
		code, message   string
		extra           map[string]string
		messagePrefixed bool // message is a prefix of the answer's
	}
	rows := []row{
		{name: "missing key", method: "GET", path: "/bkt/none", status: 404, code: "NoSuchKey",
			message: "The specified key does not exist.", extra: map[string]string{"Key": "none"}},
		{name: "missing bucket", method: "GET", path: "/nobkt/k", status: 404, code: "NoSuchBucket",
			message: "The specified bucket does not exist", extra: map[string]string{"BucketName": "nobkt"}},
		{name: "bucket exists", method: "PUT", path: "/bkt", status: 409, code: "BucketAlreadyOwnedByYou",
			message: "Your previous request to create the named bucket succeeded and you already own it."},
		{name: "bucket not empty", method: "DELETE", path: "/bkt", status: 409, code: "BucketNotEmpty",
			message: "The bucket you tried to delete is not empty", extra: map[string]string{"BucketName": "bkt"}},
		{name: "bad bucket name", method: "PUT", path: "/Bad_Name", status: 400, code: "InvalidBucketName",
			message: "The specified bucket is not valid."},
		{name: "range", method: "GET", path: "/bkt/k", header: map[string]string{"Range": "bytes=100-200"}, status: 416, code: "InvalidRange",
			message: "The requested range is not satisfiable", extra: map[string]string{"RangeRequested": "bytes=100-200", "ActualObjectSize": "1"}},
		{name: "bad md5", method: "PUT", path: "/bkt/x", header: map[string]string{"Content-MD5": "AAAAAAAAAAAAAAAAAAAAAA=="}, body: "x", status: 400,
			code: "BadDigest", message: "The Content-MD5 you specified did not match what we received."},
		{name: "invalid md5", method: "PUT", path: "/bkt/x", header: map[string]string{"Content-MD5": "zz"}, body: "x", status: 400,
			code: "InvalidDigest", message: "The Content-MD5 you specified is not valid."},
		{name: "bad crc32", method: "PUT", path: "/bkt/x", header: map[string]string{"x-amz-checksum-crc32": "AAAAAA=="}, body: "x", status: 400,
			code: "BadDigest", message: "The CRC32 you specified did not match the calculated checksum."},
		{name: "method", method: "PATCH", path: "/bkt", status: 405, code: "MethodNotAllowed",
			message: "The specified method is not allowed against this resource."},
		{name: "not implemented", method: "GET", path: "/bkt?versioning", status: 501, code: "NotImplemented",
			message: "A header you provided implies functionality that is not implemented."},
		{name: "too large", method: "PUT", path: "/bkt/x", header: map[string]string{"Content-Encoding": "aws-chunked",
			"x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "x-amz-decoded-content-length": "5368709121"}, body: "0\r\n\r\n",
			status: 400, code: "EntityTooLarge", message: "Your proposed upload exceeds the maximum allowed object size.",
			extra: map[string]string{"ProposedSize": "5368709121", "MaxSizeAllowed": "5368709120"}},
		{name: "cut chunked body", method: "PUT", path: "/bkt/x", header: map[string]string{"Content-Encoding": "aws-chunked",
			"x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER"}, body: "10\r\nabc", status: 400, code: "IncompleteBody",
			message: "You did not provide the number of bytes specified by the Content-Length HTTP header."},
		{name: "malformed xml", method: "POST", path: "/bkt?delete", body: "<Delete><Object>", status: 400, code: "MalformedXML",
			message: "The XML you provided was not well-formed or did not validate against our published schema."},
		{name: "no such upload", method: "PUT", path: "/bkt/mp?partNumber=1&uploadId=nope", body: "x", status: 404, code: "NoSuchUpload",
			message: "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed."},
		{name: "part number", method: "PUT", path: "/bkt/mp?partNumber=10001&uploadId=" + uid, body: "x", status: 400, code: "InvalidArgument",
			message: "Part number must be an integer between 1 and 10000, inclusive"},
		{name: "part order", method: "POST", path: "/bkt/mp?uploadId=" + uid, status: 400, code: "InvalidPartOrder",
			body:    "<CompleteMultipartUpload><Part><PartNumber>2</PartNumber><ETag>" + tinyETag + "</ETag></Part><Part><PartNumber>1</PartNumber><ETag>" + tinyETag + "</ETag></Part></CompleteMultipartUpload>",
			message: "The list of parts was not in ascending order. The parts list must be specified in order by part number."},
		{name: "missing part", method: "POST", path: "/bkt/mp?uploadId=" + uid, status: 400, code: "InvalidPart",
			body:    "<CompleteMultipartUpload><Part><PartNumber>3</PartNumber><ETag>" + tinyETag + "</ETag></Part></CompleteMultipartUpload>",
			message: "One or more of the specified parts could not be found. The part might not have been uploaded, or the specified entity tag might not have matched the part's entity tag."},
		{name: "small part", method: "POST", path: "/bkt/mp?uploadId=" + uid, status: 400, code: "EntityTooSmall",
			body:    "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>" + tinyETag + "</ETag></Part><Part><PartNumber>2</PartNumber><ETag>" + tinyETag + "</ETag></Part></CompleteMultipartUpload>",
			message: "Your proposed upload is smaller than the minimum allowed object size."},
		{name: "max-keys", method: "GET", path: "/bkt?list-type=2&max-keys=abc", status: 400, code: "InvalidArgument",
			message: "Provided max-keys not an integer or within integer range", extra: map[string]string{"ArgumentName": "max-keys", "ArgumentValue": "abc"}},
		{name: "continuation token", method: "GET", path: "/bkt?list-type=2&continuation-token=%21%21", status: 400, code: "InvalidArgument",
			message: "The continuation token provided is incorrect"},
		{name: "copy source", method: "PUT", path: "/bkt/c", header: map[string]string{"x-amz-copy-source": "bkt"}, status: 400, code: "InvalidArgument",
			message: "Copy Source must mention the source bucket and key: sourcebucket/sourcekey."},
		{name: "copy to itself", method: "PUT", path: "/bkt/k", header: map[string]string{"x-amz-copy-source": "bkt/k"}, status: 400, code: "InvalidRequest",
			message: "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes."},

		// With credentials.
		{name: "anonymous", ts: signed, method: "GET", path: "/", status: 403, code: "AccessDenied", message: "Access Denied"},
		{name: "two auths", ts: signed, method: "GET", path: "/?X-Amz-Algorithm=AWS4-HMAC-SHA256", header: map[string]string{"Authorization": "AWS4-HMAC-SHA256 x"},
			status: 400, code: "InvalidArgument", message: "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified"},
		{name: "sigv2", ts: signed, method: "GET", path: "/", header: map[string]string{"Authorization": "AWS AK:c2lnbmF0dXJl"}, status: 400, code: "InvalidRequest",
			message: "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256."},
		{name: "presign params", ts: signed, method: "GET", path: "/bkt/k?X-Amz-Algorithm=AWS4-HMAC-SHA256", status: 400, code: "AuthorizationQueryParametersError",
			message: "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."},
		{name: "presign algorithm", ts: signed, method: "GET", path: "/bkt/k?X-Amz-Algorithm=HMAC&X-Amz-Credential=a&X-Amz-Signature=b&X-Amz-Date=c&X-Amz-SignedHeaders=host&X-Amz-Expires=1",
			status: 400, code: "AuthorizationQueryParametersError", message: `X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"`},
		{name: "presign week", ts: signed, method: "GET", path: "/bkt/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=a&X-Amz-Signature=b&X-Amz-Date=c&X-Amz-SignedHeaders=host&X-Amz-Expires=604801",
			status: 400, code: "AuthorizationQueryParametersError", message: "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds"},
		{name: "credential", ts: signed, method: "GET", path: "/", header: map[string]string{"X-Amz-Date": time.Now().UTC().Format(amzDateFormat),
			"Authorization": "AWS4-HMAC-SHA256 Credential=AK/20260101/us-east-1/s3, SignedHeaders=host, Signature=00"},
			status: 400, code: "AuthorizationHeaderMalformed", message: `The authorization header is malformed; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`},
		{name: "service", ts: signed, method: "GET", path: "/", header: map[string]string{"X-Amz-Date": time.Now().UTC().Format(amzDateFormat),
			"Authorization": "AWS4-HMAC-SHA256 Credential=AK/" + time.Now().UTC().Format("20060102") + "/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=00"},
			status: 400, code: "AuthorizationHeaderMalformed", message: `The authorization header is malformed; incorrect service "kinesis". This endpoint belongs to "s3".`},
		{name: "no content sha", ts: signed, method: "GET", path: "/", header: map[string]string{"X-Amz-Date": time.Now().UTC().Format(amzDateFormat),
			"Authorization": "AWS4-HMAC-SHA256 Credential=AK/" + time.Now().UTC().Format("20060102") + "/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00"},
			status: 400, code: "InvalidRequest", message: "Missing required header for this request: x-amz-content-sha256"},
		{name: "bad content sha", ts: signed, method: "GET", path: "/", header: map[string]string{"X-Amz-Date": time.Now().UTC().Format(amzDateFormat),
			"x-amz-content-sha256": "abc",
			"Authorization":        "AWS4-HMAC-SHA256 Credential=AK/" + time.Now().UTC().Format("20060102") + "/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00"},
			status: 400, code: "InvalidArgument", extra: map[string]string{"ArgumentName": "x-amz-content-sha256"},
			message: "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value."},
		{name: "skew", ts: signed, method: "GET", path: "/", header: map[string]string{"X-Amz-Date": "20200101T000000Z", "x-amz-content-sha256": unsignedPayload,
			"Authorization": "AWS4-HMAC-SHA256 Credential=AK/20200101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00"},
			status: 403, code: "RequestTimeTooSkewed", message: "The difference between the request time and the current time is too large.",
			extra: map[string]string{"RequestTime": "20200101T000000Z", "MaxAllowedSkewMilliseconds": "900000"}},
		{name: "unknown key", ts: signed, method: "GET", path: "/", header: map[string]string{"X-Amz-Date": time.Now().UTC().Format(amzDateFormat), "x-amz-content-sha256": unsignedPayload,
			"Authorization": "AWS4-HMAC-SHA256 Credential=WHO/" + time.Now().UTC().Format("20060102") + "/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00"},
			status: 403, code: "InvalidAccessKeyId", message: "The AWS Access Key Id you provided does not exist in our records.", extra: map[string]string{"AWSAccessKeyId": "WHO"}},
		{name: "signature", ts: signed, method: "GET", path: "/", header: map[string]string{"X-Amz-Date": time.Now().UTC().Format(amzDateFormat), "x-amz-content-sha256": unsignedPayload,
			"Authorization": "AWS4-HMAC-SHA256 Credential=AK/" + time.Now().UTC().Format("20060102") + "/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00"},
			status: 403, code: "SignatureDoesNotMatch", message: "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
			extra: map[string]string{"AWSAccessKeyId": "AK", "SignatureProvided": "00"}},
	}
	for _, tc := range rows {
		t.Run(tc.name, func(t *testing.T) {
			srv := ts
			if tc.ts != nil {
				srv = tc.ts
			}
			req, _ := http.NewRequest(tc.method, srv.URL+tc.path, strings.NewReader(tc.body))
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			f := errorFields(t, b)
			if resp.StatusCode != tc.status || f["Code"] != tc.code || f["Message"] != tc.message {
				t.Fatalf("got %d %s %q, want %d %s %q", resp.StatusCode, f["Code"], f["Message"], tc.status, tc.code, tc.message)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/xml" {
				t.Errorf("Content-Type %q", ct)
			}
			if f["RequestId"] == "" || resp.Header.Get("x-amz-request-id") != f["RequestId"] {
				t.Errorf("RequestId %q, header %q", f["RequestId"], resp.Header.Get("x-amz-request-id"))
			}
			for k, v := range tc.extra {
				if f[k] != v {
					t.Errorf("<%s> %q, want %q", k, f[k], v)
				}
			}
		})
	}
}
