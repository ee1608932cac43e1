package s3

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Multipart upload: CreateMultipartUpload, UploadPart, CompleteMultipartUpload,
// AbortMultipartUpload. An upload is a directory <root>/<bucket>/u/<id>/ with
// "meta.json" (key, Content-Type, user metadata) and one file per part,
// "<n>", beside "<n>.etag". Complete streams the parts into one object file
// (Store.Put: temp file, fsync, rename) and removes the directory.

// minPartSize: every part but the last is at least 5 MiB (S3 user guide,
// "Amazon S3 multipart upload limits").
const minPartSize = 5 << 20

func (s *Server) uploadDir(bucket, id string) (string, bool) {
	if id == "" || strings.ContainsAny(id, "/\\.") {
		return "", false
	}
	d := filepath.Join(s.Store.bucketDir(bucket), "u", id)
	_, err := os.Stat(filepath.Join(d, "meta.json"))
	return d, err == nil
}

type uploadMeta struct {
	Key         string            `json:"key"`
	ContentType string            `json:"contentType,omitempty"`
	UserMeta    map[string]string `json:"userMeta,omitempty"`
}

func (s *Server) createUpload(w http.ResponseWriter, r *http.Request, bucket, key string) {
	if !s.Store.HasBucket(bucket) {
		s.fail(w, r, errNoSuchBucket, bucket, "")
		return
	}
	id := strings.ToLower(requestID() + requestID())
	d := filepath.Join(s.Store.bucketDir(bucket), "u", id)
	if err := os.MkdirAll(d, 0o755); err != nil {
		s.internal(w, r, err)
		return
	}
	m := uploadMeta{Key: key, ContentType: r.Header.Get("Content-Type")}
	for k, v := range r.Header {
		if lk := strings.ToLower(k); strings.HasPrefix(lk, "x-amz-meta-") {
			if m.UserMeta == nil {
				m.UserMeta = map[string]string{}
			}
			m.UserMeta[strings.TrimPrefix(lk, "x-amz-meta-")] = strings.Join(v, ",")
		}
	}
	js, _ := json.Marshal(m)
	if err := os.WriteFile(filepath.Join(d, "meta.json"), js, 0o644); err != nil {
		s.internal(w, r, err)
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

func (s *Server) uploadPart(w http.ResponseWriter, r *http.Request, bucket, key, id string) {
	d, ok := s.uploadDir(bucket, id)
	if !ok {
		s.fail(w, r, errNoSuchUpload, "", key)
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
	f, err := os.CreateTemp(d, ".tmp-")
	if err != nil {
		s.internal(w, r, err)
		return
	}
	h := md5.New()
	_, err = io.Copy(io.MultiWriter(f, h), body)
	if err == nil {
		err = f.Sync()
	}
	f.Close()
	if err != nil {
		os.Remove(f.Name())
		s.storeErr(w, r, err, bucket, key)
		return
	}
	etag := `"` + hex.EncodeToString(h.Sum(nil)) + `"`
	if err := os.WriteFile(filepath.Join(d, strconv.Itoa(n)+".etag"), []byte(etag), 0o644); err != nil {
		s.internal(w, r, err)
		return
	}
	if err := os.Rename(f.Name(), filepath.Join(d, strconv.Itoa(n))); err != nil {
		s.internal(w, r, err)
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
	d, ok := s.uploadDir(bucket, id)
	if !ok {
		s.fail(w, r, errNoSuchUpload, "", key)
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
	var um uploadMeta
	if js, err := os.ReadFile(filepath.Join(d, "meta.json")); err != nil || json.Unmarshal(js, &um) != nil {
		s.internal(w, r, fmt.Errorf("upload %s: bad meta", id))
		return
	}
	all := md5.New()
	var files []io.Reader
	var closers []*os.File
	defer func() {
		for _, f := range closers {
			f.Close()
		}
	}()
	// The list's order first, then each part: a list out of order is
	// InvalidPartOrder whatever its parts.
	for i := 1; i < len(req.Parts); i++ {
		if req.Parts[i].PartNumber <= req.Parts[i-1].PartNumber {
			s.fail(w, r, errPartOrder, "", key)
			return
		}
	}
	for i, p := range req.Parts {
		etag, err := os.ReadFile(filepath.Join(d, strconv.Itoa(p.PartNumber)+".etag"))
		if err != nil || strings.Trim(string(etag), `"`) != strings.Trim(p.ETag, `"`) {
			s.fail(w, r, errInvalidPart, "", key)
			return
		}
		f, err := os.Open(filepath.Join(d, strconv.Itoa(p.PartNumber)))
		if err != nil {
			s.fail(w, r, errInvalidPart, "", key)
			return
		}
		closers = append(closers, f)
		if fi, err := f.Stat(); err != nil || (i < len(req.Parts)-1 && fi.Size() < minPartSize) {
			s.fail(w, r, errTooSmall, "", key)
			return
		}
		b, _ := hex.DecodeString(strings.Trim(string(etag), `"`))
		all.Write(b)
		files = append(files, f)
	}
	m := &Meta{Key: key, ContentType: um.ContentType, UserMeta: um.UserMeta, LastModified: s.now().Truncate(1e9),
		ETag: fmt.Sprintf(`"%s-%d"`, hex.EncodeToString(all.Sum(nil)), len(req.Parts))}
	if err := s.Store.Put(bucket, m, io.MultiReader(files...), nil); err != nil {
		s.storeErr(w, r, err, bucket, key)
		return
	}
	os.RemoveAll(d)
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
	d, ok := s.uploadDir(bucket, id)
	if !ok {
		s.fail(w, r, errNoSuchUpload, "", key)
		return
	}
	if err := os.RemoveAll(d); err != nil && !errors.Is(err, os.ErrNotExist) {
		s.internal(w, r, err)
		return
	}
	w.WriteHeader(204)
}
