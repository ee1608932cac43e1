package s3

import (
	"net"
	"net/http"

	"github.com/eddy-streams/eddy/iam"
)

// callerKey is the context key of the request's caller (with Server.IAM).
type callerKey struct{}

// authorize decides a request signed by one of Server.IAM's identities:
// the S3 action of its method and path on the bucket's or the object's
// ARN (arn:aws:s3:::bucket, arn:aws:s3:::bucket/key), as the Service
// Authorization Reference for Amazon S3 names them. Without IAM every
// signed request is allowed. A denial is AccessDenied (403) with IAM's
// message.
//
// DeleteObjects is authorized as s3:DeleteObject on "bucket/*" (S3 checks
// each key); CopyObject as s3:PutObject on the target alone.
func (s *Server) authorize(r *http.Request, bucket, key string) *s3Error {
	caller, _ := r.Context().Value(callerKey{}).(*iam.Caller)
	if s.IAM == nil || caller == nil {
		return nil
	}
	action, resource := s3Action(r, bucket, key)
	ip := r.RemoteAddr
	if host, _, err := net.SplitHostPort(ip); err == nil {
		ip = host
	}
	call := &iam.Call{Action: action, Region: s.region(), SourceIP: ip, Secure: r.TLS != nil, Now: s.now()}
	if resource != "" {
		// A bucket (and its objects) is its owner's; one being created
		// is the caller's.
		owner := caller.Account
		if action != "s3:CreateBucket" {
			owner = s.ownerOf(bucket)
		}
		call.Resources = []iam.Resource{{ARN: resource, Account: owner}}
	}
	if err := s.IAM.Authorize(caller, call); err != nil {
		return &s3Error{Code: errAccessDenied.Code, Message: err.Message, Status: 403}
	}
	return nil
}

// s3Action is the IAM action and resource ARN of a request ("" for
// ListBuckets, whose resource is "*").
func s3Action(r *http.Request, bucket, key string) (action, resource string) {
	q := r.URL.Query()
	if bucket == "" {
		return "s3:ListAllMyBuckets", ""
	}
	bucketARN := "arn:aws:s3:::" + bucket
	if key == "" {
		switch r.Method {
		case http.MethodPut:
			return "s3:CreateBucket", bucketARN
		case http.MethodDelete:
			return "s3:DeleteBucket", bucketARN
		case http.MethodPost:
			return "s3:DeleteObject", bucketARN + "/*"
		}
		if q.Has("location") {
			return "s3:GetBucketLocation", bucketARN
		}
		return "s3:ListBucket", bucketARN // GET (list) and HEAD
	}
	objectARN := bucketARN + "/" + key
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		return "s3:GetObject", objectARN
	case http.MethodDelete:
		if q.Has("uploadId") {
			return "s3:AbortMultipartUpload", objectARN
		}
		return "s3:DeleteObject", objectARN
	}
	return "s3:PutObject", objectARN // PUT, multipart uploads and parts
}

// callerAccount is the account of the request's caller, "" without IAM
// (the server's).
func (s *Server) callerAccount(r *http.Request) string {
	if caller, _ := r.Context().Value(callerKey{}).(*iam.Caller); caller != nil {
		return caller.Account
	}
	return ""
}

// accountOr is account, or the server's account for "".
func (s *Server) accountOr(account string) string {
	if account == "" {
		return s.AccountID
	}
	return account
}

// ownerOf is the account that owns bucket (the server's when the store
// names none).
func (s *Server) ownerOf(bucket string) string { return s.accountOr(s.Store.Owner(bucket)) }
