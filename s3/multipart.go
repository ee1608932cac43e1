package s3

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// Multipart upload: CreateMultipartUpload, UploadPart, CompleteMultipartUpload,
// AbortMultipartUpload, over the ObjectStore's uploads (for the file store
// see filemultipart.go, for the log store logstore.go).

// minPartSize: every part but the last is at least 5 MiB (S3 user guide,
// "Amazon S3 multipart upload limits").
const minPartSize = 5 << 20

// uploadErr answers an upload's store error.
func (s *Server) uploadErr(w http.ResponseWriter, r *http.Request, err error, bucket, key string) {
	if errors.Is(err, errNoUpload) {
		s.fail(w, r, errNoSuchUpload, "", key)
		return
	}
	s.storeErr(w, r, err, bucket, key)
}

func (s *Server) createUpload(w http.ResponseWriter, r *http.Request, bucket, key string) {
	m := UploadMeta{Key: key, ContentType: r.Header.Get("Content-Type")}
	for k, v := range r.Header {
		if lk := strings.ToLower(k); strings.HasPrefix(lk, "x-amz-meta-") {
			if m.UserMeta == nil {
				m.UserMeta = map[string]string{}
			}
			m.UserMeta[strings.TrimPrefix(lk, "x-amz-meta-")] = strings.Join(v, ",")
		}
	}
	id, err := s.Store.CreateUpload(bucket, m)
	if err != nil {
		s.storeErr(w, r, err, bucket, key)
		return
	}
	s.writeXML(w, struct {
		XMLName  xml.Name `xml:"InitiateMultipartUploadResult"`
		NS       string   `xml:"xmlns,attr"`
		Bucket   string
		Key      string
		UploadId string
	}{NS: s3NS, Bucket: bucket, Key: key, UploadId: id})
}

// validUploadID: the ids CreateUpload makes are lowercase hex.
func validUploadID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

func (s *Server) uploadPart(w http.ResponseWriter, r *http.Request, bucket, key, id string) {
	if !validUploadID(id) {
		s.fail(w, r, errNoSuchUpload, "", key)
		return
	}
	if _, _, err := s.Store.ListParts(bucket, id); err != nil {
		s.uploadErr(w, r, err, bucket, key)
		return
	}
	n, err := strconv.Atoi(r.URL.Query().Get("partNumber"))
	if err != nil || n < 1 || n > 10000 {
		s.fail(w, r, errBadPartNum, "", key)
		return
	}
	var body io.Reader = r.Body
	if strings.HasPrefix(r.Header.Get("x-amz-content-sha256"), "STREAMING-") || strings.Contains(r.Header.Get("Content-Encoding"), "aws-chunked") {
		body = newChunkedReader(r.Body, chunkSignerOf(r))
	}
	etag, err := s.Store.UploadPart(bucket, id, n, body)
	if err != nil {
		s.uploadErr(w, r, err, bucket, key)
		return
	}
	w.Header().Set("ETag", etag)
	w.WriteHeader(200)
}

type completeXML struct {
	Parts []struct {
		PartNumber int
		ETag       string
	} `xml:"Part"`
}

func (s *Server) completeUpload(w http.ResponseWriter, r *http.Request, bucket, key, id string) {
	if !validUploadID(id) {
		s.fail(w, r, errNoSuchUpload, "", key)
		return
	}
	um, have, err := s.Store.ListParts(bucket, id)
	if err != nil {
		s.uploadErr(w, r, err, bucket, key)
		return
	}
	var req completeXML
	b, err := readBody(r, 4<<20)
	if err != nil {
		s.storeErr(w, r, err, bucket, key)
		return
	}
	if err := xml.Unmarshal(b, &req); err != nil || len(req.Parts) == 0 {
		s.fail(w, r, errMalformedXML, "", key)
		return
	}
	// The list's order first, then each part: a list out of order is
	// InvalidPartOrder whatever its parts.
	for i := 1; i < len(req.Parts); i++ {
		if req.Parts[i].PartNumber <= req.Parts[i-1].PartNumber {
			s.fail(w, r, errPartOrder, "", key)
			return
		}
	}
	byNum := make(map[int]Part, len(have))
	for _, p := range have {
		byNum[p.Number] = p
	}
	all := md5.New()
	nums := make([]int, 0, len(req.Parts))
	for i, rp := range req.Parts {
		p, ok := byNum[rp.PartNumber]
		if !ok || strings.Trim(p.ETag, `"`) != strings.Trim(rp.ETag, `"`) {
			s.fail(w, r, errInvalidPart, "", key)
			return
		}
		if i < len(req.Parts)-1 && p.Size < minPartSize {
			s.fail(w, r, errTooSmall, "", key)
			return
		}
		b, _ := hex.DecodeString(strings.Trim(p.ETag, `"`))
		all.Write(b)
		nums = append(nums, p.Number)
	}
	m := &Meta{Key: key, ContentType: um.ContentType, UserMeta: um.UserMeta, LastModified: s.now().Truncate(1e9),
		ETag: fmt.Sprintf(`"%s-%d"`, hex.EncodeToString(all.Sum(nil)), len(req.Parts))}
	if err := s.Store.CompleteUpload(bucket, id, m, nums); err != nil {
		s.uploadErr(w, r, err, bucket, key)
		return
	}
	s.writeXML(w, struct {
		XMLName  xml.Name `xml:"CompleteMultipartUploadResult"`
		NS       string   `xml:"xmlns,attr"`
		Location string
		Bucket   string
		Key      string
		ETag     string
	}{NS: s3NS, Location: "/" + bucket + "/" + key, Bucket: bucket, Key: key, ETag: m.ETag})
}

func (s *Server) abortUpload(w http.ResponseWriter, r *http.Request, bucket, key, id string) {
	if !validUploadID(id) {
		s.fail(w, r, errNoSuchUpload, "", key)
		return
	}
	if err := s.Store.AbortUpload(bucket, id); err != nil {
		s.uploadErr(w, r, err, bucket, key)
		return
	}
	w.WriteHeader(204)
}
