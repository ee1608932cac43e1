package s3

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// copyObject is CopyObject: PUT /bucket/key with x-amz-copy-source
// "[/]srcbucket/srckey[?versionId=...]" (URL-encoded). The copy is a new
// object written as PutObject writes one (temp file, fsync, rename), with a
// fresh Last-Modified and the MD5 of its bytes as ETag. Metadata: with
// x-amz-metadata-directive COPY (the default) the source's Content-Type, Content-Encoding,
// x-amz-meta-* and checksums; with REPLACE the request's Content-Type, Content-Encoding and
// x-amz-meta-*. Copying an object onto itself needs REPLACE (S3 API
// reference, CopyObject; errCopyToSelf). Not supported:
// x-amz-copy-source-if-* conditions, versionId other than "null" (no
// versioning), tagging and ACL directives.
func (s *Server) copyObject(w http.ResponseWriter, r *http.Request, bucket, key string) {
	src, err := url.PathUnescape(r.Header.Get("x-amz-copy-source"))
	if err != nil {
		s.fail(w, r, errCopySource, "", key)
		return
	}
	src, version, _ := strings.Cut(src, "?versionId=")
	srcBucket, srcKey, ok := strings.Cut(strings.TrimPrefix(src, "/"), "/")
	if !ok || srcBucket == "" || srcKey == "" {
		s.fail(w, r, errCopySource, "", key)
		return
	}
	if version != "" && version != "null" {
		// No versioning: only the "null" version exists (S3's answer to an
		// unknown version is NoSuchVersion; its message is MinIO's,
		// cmd/api-errors.go ErrNoSuchVersion).
		s.fail(w, r, s3Error{Code: "NoSuchVersion", Message: "The specified version does not exist.", Status: 404}, "", srcKey)
		return
	}
	directive := r.Header.Get("x-amz-metadata-directive")
	switch directive {
	case "", "COPY", "REPLACE":
	default:
		s.fail(w, r, errDirective, "", key)
		return
	}
	if srcBucket == bucket && srcKey == key && directive != "REPLACE" {
		s.fail(w, r, errCopyToSelf, "", key)
		return
	}
	o, err := s.Store.Open(srcBucket, srcKey)
	if err != nil {
		if errors.Is(err, errNoBucket) {
			s.fail(w, r, errNoSuchBucket, srcBucket, "")
			return
		}
		s.storeErr(w, r, err, srcBucket, srcKey)
		return
	}
	defer o.Close()
	m := &Meta{Key: key, ContentType: o.ContentType, ContentEncoding: o.ContentEncoding, UserMeta: o.UserMeta, Checksums: o.Checksums,
		LastModified: s.now().Truncate(time.Second)}
	if directive == "REPLACE" {
		m.ContentType, m.UserMeta, m.Checksums = r.Header.Get("Content-Type"), userMeta(r.Header), nil
		m.ContentEncoding = storedEncoding(r.Header.Get("Content-Encoding"))
	}
	h := md5.New()
	err = s.Store.Put(bucket, m, io.TeeReader(o.Body(0, o.Size), h), func(m *Meta) error {
		m.ETag = `"` + hex.EncodeToString(h.Sum(nil)) + `"`
		return nil
	})
	if err != nil {
		s.storeErr(w, r, err, bucket, key)
		return
	}
	s.writeXML(w, struct {
		XMLName      xml.Name `xml:"CopyObjectResult"`
		NS           string   `xml:"xmlns,attr"`
		ETag         string
		LastModified string
	}{NS: s3NS, ETag: m.ETag, LastModified: m.LastModified.Format("2006-01-02T15:04:05.000Z")})
}

// userMeta collects the x-amz-meta-* headers, names lowercased.
func userMeta(h http.Header) map[string]string {
	var um map[string]string
	for k, v := range h {
		if lk := strings.ToLower(k); strings.HasPrefix(lk, "x-amz-meta-") {
			if um == nil {
				um = map[string]string{}
			}
			um[strings.TrimPrefix(lk, "x-amz-meta-")] = strings.Join(v, ",")
		}
	}
	return um
}
