package s3

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/eddy-streams/eddy/iam"
)

// Server serves the S3 REST API (path style) over a Store.
type Server struct {
	Store ObjectStore
	Log   *slog.Logger
	Now   func() time.Time // clock seam; time.Now when nil

	// Credentials maps access key ids to secret keys. When set, every
	// request must carry a valid SigV4 signature by one of them (auth.go);
	// when empty, every request is served.
	Credentials map[string]string
	// IAM, if set, holds the identities requests are signed by (in place
	// of Credentials) and authorizes each request (authz.go).
	IAM *iam.Directory
	// MaxClockSkew is how far a signing time may be from now;
	// DefaultMaxClockSkew (15 minutes, as S3) when zero.
	MaxClockSkew time.Duration
	// AccountID is the server's account (--account-id): it owns the
	// buckets made without identities. With IAM a bucket is its
	// creator's account's, and another account's callers are denied it
	// (Eddy keeps no bucket policies).
	AccountID string
	// Region is named in the answer to a credential scope whose region is
	// not a region name; us-east-1 when empty. Every region is served.
	Region string
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Bucket naming rules: 3-63 characters, lowercase letters, digits, dots and
// hyphens, beginning and ending with a letter or digit, not an IP address,
// no "..", not starting with "xn--" nor ending with "-s3alias"
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
var bucketRE = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
var ipRE = regexp.MustCompile(`^\d+\.\d+\.\d+\.\d+$`)

func validBucket(b string) bool {
	return bucketRE.MatchString(b) && !ipRE.MatchString(b) && !strings.Contains(b, "..") &&
		!strings.HasPrefix(b, "xn--") && !strings.HasSuffix(b, "-s3alias")
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/")
	bucket, key, _ := strings.Cut(path, "/")
	q := r.URL.Query()
	w.Header().Set("Server", "Eddy")
	if len(s.Credentials) > 0 || s.IAM != nil {
		ar, e := s.authenticate(r)
		if e != nil {
			s.fail(w, r, *e, "", "")
			return
		}
		r = ar
		if e := s.authorize(r, bucket, key); e != nil {
			s.fail(w, r, *e, bucket, key)
			return
		}
	}
	if sha := r.Header.Get("x-amz-content-sha256"); isHexSHA256(sha) && r.Body != nil {
		r.Body = &shaReader{r: r.Body, h: sha256.New(), want: sha}
	}
	if bucket == "" {
		if r.Method != http.MethodGet {
			s.fail(w, r, errMethod, "", "")
			return
		}
		s.listBuckets(w, r)
		return
	}
	if !validBucket(bucket) {
		s.fail(w, r, errBadName, bucket, "")
		return
	}
	if key == "" {
		switch r.Method {
		case http.MethodPut:
			owner := s.callerAccount(r)
			if owner == s.AccountID {
				owner = "" // the server's, as without identities
			}
			if err := s.Store.CreateBucketFor(bucket, owner); err != nil {
				if errors.Is(err, errBucketExists) && s.ownerOf(bucket) != s.accountOr(owner) {
					s.fail(w, r, errBucketTaken, bucket, "")
					return
				}
				s.storeErr(w, r, err, bucket, "")
				return
			}
			w.Header().Set("Location", "/"+bucket)
			w.WriteHeader(200)
		case http.MethodHead:
			if !s.Store.HasBucket(bucket) {
				s.fail(w, r, errNoSuchBucket, bucket, "")
				return
			}
			w.WriteHeader(200)
		case http.MethodDelete:
			if err := s.Store.DeleteBucket(bucket); err != nil {
				s.storeErr(w, r, err, bucket, "")
				return
			}
			w.WriteHeader(204)
		case http.MethodGet:
			switch {
			case q.Has("location"):
				s.getBucketLocation(w, r, bucket)
			case unsupportedSubresource(q):
				s.fail(w, r, errNotImpl, bucket, "")
			case q.Get("list-type") == "2":
				s.listObjectsV2(w, r, bucket)
			default:
				s.listObjectsV1(w, r, bucket)
			}
		case http.MethodPost:
			if _, ok := q["delete"]; ok {
				s.deleteObjects(w, r, bucket)
				return
			}
			s.fail(w, r, errMethod, bucket, "")
		default:
			s.fail(w, r, errMethod, bucket, "")
		}
		return
	}
	if id, ok := q["uploadId"]; ok {
		switch r.Method {
		case http.MethodPut:
			s.uploadPart(w, r, bucket, key, id[0])
		case http.MethodPost:
			s.completeUpload(w, r, bucket, key, id[0])
		case http.MethodDelete:
			s.abortUpload(w, r, bucket, key, id[0])
		default:
			s.fail(w, r, errNotImpl, bucket, key) // ListParts: not yet
		}
		return
	}
	if _, ok := q["uploads"]; ok && r.Method == http.MethodPost {
		s.createUpload(w, r, bucket, key)
		return
	}
	switch r.Method {
	case http.MethodPut:
		if r.Header.Get("x-amz-copy-source") != "" {
			s.copyObject(w, r, bucket, key)
			return
		}
		s.putObject(w, r, bucket, key)
	case http.MethodGet, http.MethodHead:
		s.getObject(w, r, bucket, key)
	case http.MethodDelete:
		if err := s.Store.Delete(bucket, key); err != nil {
			s.storeErr(w, r, err, bucket, key)
			return
		}
		w.WriteHeader(204)
	default:
		s.fail(w, r, errMethod, bucket, key)
	}
}

// bucketSubresources are the bucket configuration and listing
// sub-resources Eddy does not serve (a GET of one answers NotImplemented
// rather than a listing).
var bucketSubresources = []string{"accelerate", "acl", "analytics", "cors", "encryption", "intelligent-tiering",
	"inventory", "lifecycle", "logging", "metrics", "notification", "object-lock", "ownershipControls", "policy",
	"policyStatus", "publicAccessBlock", "replication", "requestPayment", "tagging", "uploads", "versioning",
	"versions", "website"}

func unsupportedSubresource(q url.Values) bool {
	for _, sr := range bucketSubresources {
		if q.Has(sr) {
			return true
		}
	}
	return false
}

type checksum struct {
	name string // "CRC32", "CRC32C", "SHA1", "SHA256"
	h    hash.Hash
	want string // base64, from a header or the trailer
}

func newChecksum(alg string) hash.Hash {
	switch alg {
	case "CRC32":
		return crc32.NewIEEE()
	case "CRC32C":
		return crc32.New(crc32.MakeTable(crc32.Castagnoli))
	case "SHA1":
		return sha1.New()
	case "SHA256":
		return sha256.New()
	}
	return nil // CRC64NVME: not verified (see docs/S3.md)
}

// maxPutSize is the largest object one PutObject may upload: 5 GiB (S3
// user guide, "Uploading objects": "upload a single object up to 5 GB").
const maxPutSize = 5 << 30

func (s *Server) putObject(w http.ResponseWriter, r *http.Request, bucket, key string) {
	size := r.ContentLength
	if v := r.Header.Get("x-amz-decoded-content-length"); v != "" {
		size, _ = strconv.ParseInt(v, 10, 64)
	}
	if size > maxPutSize {
		s.fail(w, r, errTooLarge.with("ProposedSize", strconv.FormatInt(size, 10)).with("MaxSizeAllowed", strconv.FormatInt(maxPutSize, 10)), "", key)
		return
	}
	var body io.Reader = r.Body
	var chunked *chunkedReader
	sha := r.Header.Get("x-amz-content-sha256")
	if strings.HasPrefix(sha, "STREAMING-") || strings.Contains(r.Header.Get("Content-Encoding"), "aws-chunked") {
		chunked = newChunkedReader(r.Body, chunkSignerOf(r))
		body = chunked
	}
	md5h := md5.New()
	writers := []io.Writer{md5h}
	var sums []*checksum
	var wantMD5 []byte
	if v := r.Header.Get("Content-MD5"); v != "" {
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil || len(b) != md5.Size {
			s.fail(w, r, errInvalidDigest, "", key)
			return
		}
		wantMD5 = b
	}
	for _, alg := range []string{"CRC32", "CRC32C", "SHA1", "SHA256", "CRC64NVME"} {
		hdr := "x-amz-checksum-" + strings.ToLower(alg)
		v := r.Header.Get(hdr)
		inTrailer := strings.Contains(strings.ToLower(r.Header.Get("x-amz-trailer")), hdr)
		if v == "" && !inTrailer {
			continue
		}
		c := &checksum{name: alg, h: newChecksum(alg), want: v}
		if c.h != nil {
			writers = append(writers, c.h)
		}
		sums = append(sums, c)
	}
	m := &Meta{Key: key, ContentType: r.Header.Get("Content-Type"), ContentEncoding: storedEncoding(r.Header.Get("Content-Encoding")),
		LastModified: s.now().Truncate(time.Second), Checksums: map[string]string{}}
	m.UserMeta = userMeta(r.Header)
	var bad *s3Error
	check := func(m *Meta) error {
		sum := md5h.Sum(nil)
		if wantMD5 != nil && string(sum) != string(wantMD5) {
			bad = &errBadDigest
			return errors.New("bad digest")
		}
		m.ETag = `"` + hex.EncodeToString(sum) + `"`
		for _, c := range sums {
			if c.want == "" && chunked != nil {
				c.want = chunked.trailers.Get("x-amz-checksum-" + strings.ToLower(c.name))
			}
			if c.h == nil {
				if c.want != "" {
					m.Checksums[c.name] = c.want
				}
				continue
			}
			got := base64.StdEncoding.EncodeToString(c.h.Sum(nil))
			if c.want != got {
				e := checksumMismatch(c.name)
				bad = &e
				return errors.New("bad checksum")
			}
			m.Checksums[c.name] = got
		}
		return nil
	}
	err := s.Store.Put(bucket, m, io.TeeReader(body, io.MultiWriter(writers...)), check)
	if bad != nil {
		s.fail(w, r, *bad, "", key)
		return
	}
	if err != nil {
		s.storeErr(w, r, err, bucket, key)
		return
	}
	w.Header().Set("ETag", m.ETag)
	for name, v := range m.Checksums {
		w.Header().Set("x-amz-checksum-"+strings.ToLower(name), v)
	}
	w.WriteHeader(200)
}

func (s *Server) getObject(w http.ResponseWriter, r *http.Request, bucket, key string) {
	o, err := s.Store.Open(bucket, key)
	if err != nil {
		s.storeErr(w, r, err, bucket, key)
		return
	}
	defer o.Close()
	if inm := r.Header.Get("If-None-Match"); inm != "" && (inm == o.ETag || inm == "*") {
		w.Header().Set("ETag", o.ETag)
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" && r.Header.Get("If-None-Match") == "" {
		if t, err := http.ParseTime(ims); err == nil && !o.LastModified.After(t) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	h := w.Header()
	h.Set("ETag", o.ETag)
	h.Set("Last-Modified", o.LastModified.Format(http.TimeFormat))
	h.Set("Accept-Ranges", "bytes")
	ct := o.ContentType
	if ct == "" {
		ct = "binary/octet-stream" // S3's default when none was given
	}
	h.Set("Content-Type", ct)
	if o.ContentEncoding != "" {
		h.Set("Content-Encoding", o.ContentEncoding)
	}
	for k, v := range o.UserMeta {
		h.Set("x-amz-meta-"+k, v)
	}
	off, n, status := int64(0), o.Size, 200
	if rg := r.Header.Get("Range"); rg != "" {
		a, b, ok := parseRange(rg, o.Size)
		if !ok {
			h.Del("Content-Type")
			s.fail(w, r, errInvalidRange.with("RangeRequested", rg).with("ActualObjectSize", strconv.FormatInt(o.Size, 10)), "", key)
			return
		}
		off, n, status = a, b-a+1, http.StatusPartialContent
		h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", a, b, o.Size))
	} else if strings.EqualFold(r.Header.Get("x-amz-checksum-mode"), "ENABLED") {
		for name, v := range o.Checksums {
			h.Set("x-amz-checksum-"+strings.ToLower(name), v)
		}
	}
	h.Set("Content-Length", strconv.FormatInt(n, 10))
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	io.Copy(w, o.Body(off, n))
}

// storedEncoding is the Content-Encoding an object keeps: the request's
// without aws-chunked, which only frames the upload ("Amazon S3 stores the
// resulting object without the aws-chunked value in the content-encoding
// header", Amazon S3 API Reference, "Transferring payload in multiple
// chunks (chunked upload)").
func storedEncoding(h string) string {
	var keep []string
	for _, v := range strings.Split(h, ",") {
		if v = strings.TrimSpace(v); v != "" && !strings.EqualFold(v, "aws-chunked") {
			keep = append(keep, v)
		}
	}
	return strings.Join(keep, ",")
}

// parseRange reads one "bytes=a-b", "bytes=a-" or "bytes=-n" range (RFC 9110)
// into inclusive [a, b]; S3 serves a single range only.
func parseRange(h string, size int64) (int64, int64, bool) {
	spec, ok := strings.CutPrefix(h, "bytes=")
	if !ok || strings.Contains(spec, ",") {
		return 0, 0, false
	}
	as, bs, ok := strings.Cut(spec, "-")
	if !ok {
		return 0, 0, false
	}
	if as == "" {
		n, err := strconv.ParseInt(bs, 10, 64)
		if err != nil || n <= 0 || size == 0 {
			return 0, 0, false
		}
		if n > size {
			n = size
		}
		return size - n, size - 1, true
	}
	a, err := strconv.ParseInt(as, 10, 64)
	if err != nil || a < 0 || a >= size {
		return 0, 0, false
	}
	b := size - 1
	if bs != "" {
		if b2, err := strconv.ParseInt(bs, 10, 64); err != nil || b2 < a {
			return 0, 0, false
		} else if b2 < b {
			b = b2
		}
	}
	return a, b, true
}
