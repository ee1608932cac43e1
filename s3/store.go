package s3

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// Meta is what the store keeps beside an object's body.
type Meta struct {
	Key         string `json:"key"`
	Size        int64  `json:"size"`
	ETag        string `json:"etag"` // quoted, as S3 returns it
	ContentType string `json:"contentType,omitempty"`
	// ContentEncoding is the Content-Encoding the object was written
	// with (without aws-chunked), returned by GET and HEAD.
	ContentEncoding string            `json:"contentEncoding,omitempty"`
	LastModified    time.Time         `json:"lastModified"`
	UserMeta        map[string]string `json:"userMeta,omitempty"`
	Checksums       map[string]string `json:"checksums,omitempty"` // "CRC32" -> base64
}

// Store keeps buckets and objects as files under Root.
type Store struct {
	Root string
	mu   sync.RWMutex // guards bucket creation/deletion against puts

	// beforeRename, when set (tests), runs between the synced temp file and
	// its rename: a test stops the writer there as a crash would.
	beforeRename func()
}

// Bucket is one bucket's name and creation time.
type Bucket struct {
	Name    string
	Created time.Time
	// Owner is the account that created it ("" for the server's: one
	// made without identities, or in process).
	Owner string
}

var errNoBucket = errors.New("no such bucket")
var errNoKey = errors.New("no such key")

// IsNotFound reports whether err says a bucket or an object does not
// exist.
func IsNotFound(err error) bool { return errors.Is(err, errNoBucket) || errors.Is(err, errNoKey) }

var errBucketExists = errors.New("bucket exists")
var errNotEmpty = errors.New("bucket not empty")

func (s *Store) bucketDir(b string) string { return filepath.Join(s.Root, b) }
func (s *Store) objDir(b string) string    { return filepath.Join(s.Root, b, "o") }
func (s *Store) objPath(b, key string) string {
	h := sha256.Sum256([]byte(key))
	return filepath.Join(s.objDir(b), hex.EncodeToString(h[:]))
}

// CreateBucket makes bucket b, owned by the server's account;
// errBucketExists if it is there.
func (s *Store) CreateBucket(b string) error { return s.CreateBucketFor(b, "") }

// ownerFile, in a bucket's directory, names the account that owns it
// (none for the server's account).
const ownerFile = "owner"

// CreateBucketFor makes bucket b owned by account owner ("" for the
// server's); errBucketExists if it is there, whoever owns it.
func (s *Store) CreateBucketFor(b, owner string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := os.Stat(s.bucketDir(b)); err == nil {
		return errBucketExists
	}
	if err := os.MkdirAll(s.Root, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(s.Root, ".tmp-bucket-")
	if err != nil {
		return err
	}
	if err := os.Mkdir(filepath.Join(tmp, "o"), 0o755); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	if owner != "" {
		if err := writeSynced(filepath.Join(tmp, ownerFile), []byte(owner)); err != nil {
			os.RemoveAll(tmp)
			return err
		}
	}
	if err := os.Rename(tmp, s.bucketDir(b)); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	return syncDir(s.Root)
}

// Owner returns the account that owns bucket b ("" for the server's, or
// when there is no such bucket).
func (s *Store) Owner(b string) string {
	owner, err := os.ReadFile(filepath.Join(s.bucketDir(b), ownerFile))
	if err != nil {
		return ""
	}
	return string(owner)
}

// writeSynced writes a small file and syncs it.
func writeSynced(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// HasBucket reports whether b exists.
func (s *Store) HasBucket(b string) bool {
	fi, err := os.Stat(s.objDir(b))
	return err == nil && fi.IsDir()
}

// DeleteBucket removes an empty bucket.
func (s *Store) DeleteBucket(b string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.HasBucket(b) {
		return errNoBucket
	}
	ents, err := os.ReadDir(s.objDir(b))
	if err != nil {
		return err
	}
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), ".tmp-") {
			return errNotEmpty
		}
	}
	if err := os.RemoveAll(s.bucketDir(b)); err != nil {
		return err
	}
	return syncDir(s.Root)
}

// Buckets lists the buckets by name.
func (s *Store) Buckets() ([]Bucket, error) {
	ents, err := os.ReadDir(s.Root)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Bucket
	for _, e := range ents {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue
		}
		out = append(out, Bucket{Name: e.Name(), Created: fi.ModTime().UTC(), Owner: s.Owner(e.Name())})
	}
	return out, nil
}

// Put writes an object atomically from body; m.Size and m.ETag are set by
// the caller's reader (see Server), the store only frames and renames. check
// runs after the body is written and before the rename: an error from it
// (a checksum mismatch) abandons the object.
func (s *Store) Put(b string, m *Meta, body io.Reader, check func(*Meta) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if !s.HasBucket(b) {
		return errNoBucket
	}
	f, err := os.CreateTemp(s.objDir(b), ".tmp-")
	if err != nil {
		return err
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	// Reserve the header: the metadata is known only after the body.
	w := bufio.NewWriterSize(f, 256<<10)
	n, err := io.Copy(w, body)
	if err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	m.Size = n
	if check != nil {
		if err := check(m); err != nil {
			return err
		}
	}
	// Trailer layout: body | JSON | uint32 len(JSON). Written after the body
	// so the body streams straight to disk.
	js, err := json.Marshal(m)
	if err != nil {
		return err
	}
	var l [4]byte
	binary.BigEndian.PutUint32(l[:], uint32(len(js)))
	if _, err := f.Write(append(js, l[:]...)); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if s.beforeRename != nil {
		s.beforeRename()
	}
	if err := os.Rename(tmp, s.objPath(b, m.Key)); err != nil {
		return err
	}
	ok = true
	return syncDir(s.objDir(b))
}

// Open opens key in bucket b.
func (s *Store) Open(b, key string) (*Object, error) {
	if !s.HasBucket(b) {
		return nil, errNoBucket
	}
	f, err := os.Open(s.objPath(b, key))
	if errors.Is(err, os.ErrNotExist) {
		return nil, errNoKey
	}
	if err != nil {
		return nil, err
	}
	m, err := readMeta(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	return &Object{Meta: *m, r: f, c: f}, nil
}

func readMeta(f *os.File) (*Meta, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	var l [4]byte
	if fi.Size() < 4 {
		return nil, fmt.Errorf("s3: object %s truncated", f.Name())
	}
	if _, err := f.ReadAt(l[:], fi.Size()-4); err != nil {
		return nil, err
	}
	n := int64(binary.BigEndian.Uint32(l[:]))
	if n > fi.Size()-4 {
		return nil, fmt.Errorf("s3: object %s corrupt", f.Name())
	}
	js := make([]byte, n)
	if _, err := f.ReadAt(js, fi.Size()-4-n); err != nil {
		return nil, err
	}
	var m Meta
	if err := json.Unmarshal(js, &m); err != nil {
		return nil, fmt.Errorf("s3: object %s: %w", f.Name(), err)
	}
	return &m, nil
}

// Delete removes key; deleting a missing key is not an error (as in S3).
func (s *Store) Delete(b, key string) error {
	if !s.HasBucket(b) {
		return errNoBucket
	}
	err := os.Remove(s.objPath(b, key))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return syncDir(s.objDir(b))
}

// List returns every object's metadata in bucket b whose key has prefix,
// sorted by key (S3 lists in UTF-8 binary order).
func (s *Store) List(b, prefix string) ([]Meta, error) {
	if !s.HasBucket(b) {
		return nil, errNoBucket
	}
	ents, err := os.ReadDir(s.objDir(b))
	if err != nil {
		return nil, err
	}
	var out []Meta
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		f, err := os.Open(filepath.Join(s.objDir(b), e.Name()))
		if err != nil {
			continue // deleted meanwhile
		}
		m, err := readMeta(f)
		f.Close()
		if err != nil {
			return nil, err
		}
		if strings.HasPrefix(m.Key, prefix) {
			out = append(out, *m)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
