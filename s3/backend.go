package s3

import (
	"errors"
	"io"
)

// ObjectStore is what the Server (and Eddy's in-process writers, Objects)
// needs of the place buckets and objects are kept. Two implement it:
//
//   - *Store: files under a directory (<data-dir>/s3), for one node.
//   - *LogStore: over storage.MetaStore and storage.Logs, so that every
//     node of a cluster on NATS JetStream sees the same buckets and
//     objects (logstore.go).
//
// Errors: errNoBucket, errNoKey, errNoUpload (IsNotFound tests the first
// two), errBucketExists, errNotEmpty, or the store's own.
type ObjectStore interface {
	// CreateBucketFor makes bucket b owned by account owner ("" for the
	// server's); errBucketExists if it is there, whoever owns it.
	CreateBucketFor(b, owner string) error
	// Owner returns the account that owns bucket b ("" for the server's,
	// or when there is no such bucket).
	Owner(b string) string
	// HasBucket reports whether b exists.
	HasBucket(b string) bool
	// DeleteBucket removes an empty bucket (and its multipart uploads in
	// progress); errNotEmpty if it holds an object.
	DeleteBucket(b string) error
	// Buckets lists the buckets by name.
	Buckets() ([]Bucket, error)

	// Put writes an object atomically from body: readers see the old
	// object or the new one whole, never a part. m.Size is set by the
	// store; check, when not nil, runs after the body is stored and
	// before it replaces the old object: an error from it abandons the
	// object.
	Put(b string, m *Meta, body io.Reader, check func(*Meta) error) error
	// Open opens key in bucket b; the caller closes the Object.
	Open(b, key string) (*Object, error)
	// Delete removes key; deleting a missing key is not an error.
	Delete(b, key string) error
	// List returns every object's metadata in bucket b whose key has
	// prefix, sorted by key (UTF-8 binary order, as S3 lists).
	List(b, prefix string) ([]Meta, error)

	// CreateUpload starts a multipart upload of u.Key in bucket b and
	// returns its id.
	CreateUpload(b string, u UploadMeta) (id string, err error)
	// UploadPart stores part n (1..10000) of upload id from body,
	// replacing an earlier part n, and returns its ETag (quoted MD5).
	UploadPart(b, id string, n int, body io.Reader) (etag string, err error)
	// ListParts returns the upload's metadata and its parts, by number.
	ListParts(b, id string) (UploadMeta, []Part, error)
	// CompleteUpload makes the object m.Key of the parts numbered parts,
	// in that order (checked by the caller against ListParts), sets
	// m.Size, and ends the upload.
	CompleteUpload(b, id string, m *Meta, parts []int) error
	// AbortUpload ends the upload and drops its parts.
	AbortUpload(b, id string) error
}

// UploadMeta is what a multipart upload keeps from its creation for the
// object it will make.
type UploadMeta struct {
	Key         string            `json:"key"`
	ContentType string            `json:"contentType,omitempty"`
	UserMeta    map[string]string `json:"userMeta,omitempty"`
}

// Part is one uploaded part of a multipart upload.
type Part struct {
	Number int
	ETag   string // quoted
	Size   int64
}

var errNoUpload = errors.New("no such upload")

// Object is an open object: its metadata and a reader of its body.
type Object struct {
	Meta
	r io.ReaderAt
	c io.Closer
}

// Body reads [off, off+n) of the body.
func (o *Object) Body(off, n int64) io.Reader { return io.NewSectionReader(o.r, off, n) }

// Close releases the object's body.
func (o *Object) Close() error { return o.c.Close() }

var (
	_ ObjectStore = (*Store)(nil)
)
