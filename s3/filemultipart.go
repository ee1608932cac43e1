package s3

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// The file store's multipart uploads: an upload is a directory
// <root>/<bucket>/u/<id>/ with "meta.json" (key, Content-Type, user
// metadata) and one file per part, "<n>", beside "<n>.etag". Complete
// streams the parts into one object file (Put: temp file, fsync, rename)
// and removes the directory.

func (s *Store) uploadDir(bucket, id string) (string, error) {
	if !validUploadID(id) {
		return "", errNoUpload
	}
	d := filepath.Join(s.bucketDir(bucket), "u", id)
	if _, err := os.Stat(filepath.Join(d, "meta.json")); err != nil {
		return "", errNoUpload
	}
	return d, nil
}

// CreateUpload starts a multipart upload (ObjectStore).
func (s *Store) CreateUpload(bucket string, m UploadMeta) (string, error) {
	if !s.HasBucket(bucket) {
		return "", errNoBucket
	}
	id := strings.ToLower(requestID() + requestID())
	d := filepath.Join(s.bucketDir(bucket), "u", id)
	if err := os.MkdirAll(d, 0o755); err != nil {
		return "", err
	}
	js, _ := json.Marshal(m)
	if err := os.WriteFile(filepath.Join(d, "meta.json"), js, 0o644); err != nil {
		return "", err
	}
	return id, nil
}

// UploadPart stores part n of upload id (ObjectStore).
func (s *Store) UploadPart(bucket, id string, n int, body io.Reader) (string, error) {
	d, err := s.uploadDir(bucket, id)
	if err != nil {
		return "", err
	}
	f, err := os.CreateTemp(d, ".tmp-")
	if err != nil {
		return "", err
	}
	h := md5.New()
	_, err = io.Copy(io.MultiWriter(f, h), body)
	if err == nil {
		err = f.Sync()
	}
	f.Close()
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	etag := `"` + hex.EncodeToString(h.Sum(nil)) + `"`
	if err := os.WriteFile(filepath.Join(d, strconv.Itoa(n)+".etag"), []byte(etag), 0o644); err != nil {
		return "", err
	}
	if err := os.Rename(f.Name(), filepath.Join(d, strconv.Itoa(n))); err != nil {
		return "", err
	}
	return etag, nil
}

// ListParts returns the upload's metadata and parts (ObjectStore).
func (s *Store) ListParts(bucket, id string) (UploadMeta, []Part, error) {
	var um UploadMeta
	d, err := s.uploadDir(bucket, id)
	if err != nil {
		return um, nil, err
	}
	js, err := os.ReadFile(filepath.Join(d, "meta.json"))
	if err != nil {
		return um, nil, err
	}
	if err := json.Unmarshal(js, &um); err != nil {
		return um, nil, err
	}
	ents, err := os.ReadDir(d)
	if err != nil {
		return um, nil, err
	}
	var parts []Part
	for _, e := range ents {
		n, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		etag, err := os.ReadFile(filepath.Join(d, e.Name()+".etag"))
		if err != nil {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue
		}
		parts = append(parts, Part{Number: n, ETag: string(etag), Size: fi.Size()})
	}
	sort.Slice(parts, func(i, j int) bool { return parts[i].Number < parts[j].Number })
	return um, parts, nil
}

// CompleteUpload writes the object of the parts and removes the upload
// (ObjectStore).
func (s *Store) CompleteUpload(bucket, id string, m *Meta, parts []int) error {
	d, err := s.uploadDir(bucket, id)
	if err != nil {
		return err
	}
	var files []io.Reader
	for _, n := range parts {
		f, err := os.Open(filepath.Join(d, strconv.Itoa(n)))
		if err != nil {
			return errNoUpload
		}
		defer f.Close()
		files = append(files, f)
	}
	if err := s.Put(bucket, m, io.MultiReader(files...), nil); err != nil {
		return err
	}
	os.RemoveAll(d)
	return nil
}

// AbortUpload removes the upload (ObjectStore).
func (s *Store) AbortUpload(bucket, id string) error {
	d, err := s.uploadDir(bucket, id)
	if err != nil {
		return err
	}
	if err := os.RemoveAll(d); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}
