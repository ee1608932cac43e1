package s3

import (
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/eddy-streams/eddy/storage"
)

// LogStore keeps buckets and objects in a storage.MetaStore and
// storage.Logs: over storage/jetstream every node of a cluster sees the
// same buckets and objects (docs/CLUSTER.md).
//
//   - Table "s3/buckets": bucket name -> {owner, created}.
//   - Table "s3/objects": bucket + "/" + key -> the object's Meta and the
//     id of the log that holds its body. A bucket name has no "/", so a
//     List by prefix is one Scan of bucket + "/" + prefix, in key order.
//   - Table "s3/uploads": bucket + "/" + upload id -> UploadMeta; table
//     "s3/parts": bucket + "/" + id + "/" + part number (5 digits) -> the
//     part's ETag, size and log.
//   - Logs "s3/o/<random>": one per object version, and "s3/p/<random>":
//     one per uploaded part. The body is cut into records of exactly
//     ChunkSize bytes (the last one shorter), so byte offset o is in
//     record o/ChunkSize: a ranged GET reads only the records it needs.
//
// Writing an object: its body is appended to a new log; only then (the body is durable: an acknowledged append is) does one
// metadata transaction point the key at the new log, if the bucket still
// exists; after that commits, the old version's log is deleted. A crash
// (or a failed check, or a lost race with DeleteBucket) before the commit
// leaves a log nothing references: garbage that costs space but is never
// read, listed or mistaken for an object, since only the metadata names
// objects. A crash after the commit and before the old log's deletion
// leaves the old log so, too. (No sweeper removes such logs yet.)
//
// A GET reading an object while another node replaces or deletes it may
// see its body's log deleted under it and end early (an error mid-body);
// the file store's open file survives a rename, this store's log does not.
type LogStore struct {
	Meta storage.MetaStore
	Logs storage.Logs
	// ChunkSize is the size of a body's records; DefaultChunkSize when
	// zero.
	ChunkSize int
}

const (
	tBuckets = "s3/buckets"
	tObjects = "s3/objects"
	tUploads = "s3/uploads"
	tParts   = "s3/parts"
)

var _ ObjectStore = (*LogStore)(nil)

func (s *LogStore) chunk() int {
	if s.ChunkSize > 0 {
		return s.ChunkSize
	}
	return DefaultChunkSize
}

// DefaultChunkSize is the size of a body's records: 1 MiB less 8 KiB, so
// that a record and its framing fit one JetStream message under NATS's
// default 1 MiB max_payload (storage/jetstream splits a larger batch over
// several messages).
const DefaultChunkSize = 1<<20 - 8<<10

type bucketRec struct {
	Owner   string    `json:"owner,omitempty"`
	Created time.Time `json:"created"`
}

type objectRec struct {
	Meta
	Log   string `json:"log"`
	Chunk int    `json:"chunk"`
}

type partRec struct {
	ETag  string `json:"etag"`
	Size  int64  `json:"size"`
	Log   string `json:"log"`
	Chunk int    `json:"chunk"`
}

func randomID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func objKey(b, key string) string { return b + "/" + key }

func hasBucket(tx storage.MetaTx, b string) (bool, error) {
	_, err := tx.Get(tBuckets, b)
	if errors.Is(err, storage.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// needBucket returns errNoBucket if bucket b does not exist.
func needBucket(tx storage.MetaTx, b string) error {
	ok, err := hasBucket(tx, b)
	if err == nil && !ok {
		err = errNoBucket
	}
	return err
}

// CreateBucketFor makes bucket b owned by owner (ObjectStore).
func (s *LogStore) CreateBucketFor(b, owner string) error {
	js, _ := json.Marshal(bucketRec{Owner: owner, Created: time.Now().UTC()})
	return s.Meta.Update(func(tx storage.MetaTx) error {
		if ok, err := hasBucket(tx, b); err != nil || ok {
			if ok {
				return errBucketExists
			}
			return err
		}
		return tx.Put(tBuckets, b, js)
	})
}

func (s *LogStore) bucket(b string) (bucketRec, error) {
	var r bucketRec
	err := s.Meta.View(func(tx storage.MetaTx) error {
		v, err := tx.Get(tBuckets, b)
		if errors.Is(err, storage.ErrNotFound) {
			return errNoBucket
		}
		if err != nil {
			return err
		}
		return json.Unmarshal(v, &r)
	})
	return r, err
}

// Owner returns bucket b's owner (ObjectStore).
func (s *LogStore) Owner(b string) string {
	r, _ := s.bucket(b)
	return r.Owner
}

// HasBucket reports whether b exists (ObjectStore).
func (s *LogStore) HasBucket(b string) bool {
	_, err := s.bucket(b)
	return err == nil
}

// DeleteBucket removes an empty bucket and its uploads (ObjectStore).
func (s *LogStore) DeleteBucket(b string) error {
	var uploads []string
	err := s.Meta.Update(func(tx storage.MetaTx) error {
		uploads = uploads[:0]
		if err := needBucket(tx, b); err != nil {
			return err
		}
		empty := true
		if err := tx.Scan(tObjects, b+"/", "", func(string, []byte) (bool, error) {
			empty = false
			return false, nil
		}); err != nil {
			return err
		}
		if !empty {
			return errNotEmpty
		}
		if err := tx.Scan(tUploads, b+"/", "", func(k string, _ []byte) (bool, error) {
			uploads = append(uploads, k)
			return true, nil
		}); err != nil {
			return err
		}
		for _, k := range uploads {
			if err := tx.Delete(tUploads, k); err != nil {
				return err
			}
		}
		return tx.Delete(tBuckets, b)
	})
	if err != nil {
		return err
	}
	for _, k := range uploads {
		s.dropParts(k)
	}
	return nil
}

// Buckets lists the buckets by name (ObjectStore).
func (s *LogStore) Buckets() ([]Bucket, error) {
	var out []Bucket
	err := s.Meta.View(func(tx storage.MetaTx) error {
		out = out[:0]
		return tx.Scan(tBuckets, "", "", func(k string, v []byte) (bool, error) {
			var r bucketRec
			if err := json.Unmarshal(v, &r); err != nil {
				return false, err
			}
			out = append(out, Bucket{Name: k, Created: r.Created, Owner: r.Owner})
			return true, nil
		})
	})
	return out, err
}

// writeBody appends body to a new log named prefix+random in
// records of chunk bytes, and returns the log's id, the body's size and
// MD5. On error nothing is left but garbage (see LogStore).
func (s *LogStore) writeBody(prefix string, body io.Reader) (id string, size int64, sum []byte, err error) {
	id = prefix + randomID()
	l, err := s.Logs.Create(id, 0)
	if err != nil {
		return "", 0, nil, err
	}
	defer func() {
		if err != nil {
			l.Delete()
		}
	}()
	h := md5.New()
	buf := make([]byte, s.chunk())
	for {
		n, rerr := readFull(body, buf)
		if n > 0 {
			h.Write(buf[:n])
			if _, err = l.Append([]storage.Record{{Arrival: time.Now(), Data: buf[:n]}}); err != nil {
				return "", 0, nil, err
			}
			size += int64(n)
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return "", 0, nil, rerr
		}
	}
	// The log is not sealed: storage/jetstream (at this commit) returns no
	// records to a Read from the middle of a sealed log on a node other
	// than the one that sealed it. Nothing appends to it again all the
	// same: only this writer knows its id until the metadata naming it
	// commits, and readers read the Size the metadata gives.
	return id, size, h.Sum(nil), nil
}

// deleteLog deletes a log nothing references any more; a failure leaves
// garbage, which is harmless.
func (s *LogStore) deleteLog(id string) {
	if id == "" {
		return
	}
	if l, err := s.Logs.Open(id); err == nil {
		l.Delete()
	}
}

// commitObject points b/m.Key at log id in a transaction that also runs
// more (for CompleteUpload), if the bucket exists; then deletes the old
// version's log.
func (s *LogStore) commitObject(b string, m *Meta, id string, more func(storage.MetaTx) error) error {
	js, err := json.Marshal(objectRec{Meta: *m, Log: id, Chunk: s.chunk()})
	if err != nil {
		return err
	}
	var old string
	err = s.Meta.Update(func(tx storage.MetaTx) error {
		old = ""
		if err := needBucket(tx, b); err != nil {
			return err
		}
		if more != nil {
			if err := more(tx); err != nil {
				return err
			}
		}
		if v, err := tx.Get(tObjects, objKey(b, m.Key)); err == nil {
			var r objectRec
			if json.Unmarshal(v, &r) == nil {
				old = r.Log
			}
		} else if !errors.Is(err, storage.ErrNotFound) {
			return err
		}
		return tx.Put(tObjects, objKey(b, m.Key), js)
	})
	if err != nil {
		s.deleteLog(id)
		return err
	}
	if old != id {
		s.deleteLog(old)
	}
	return nil
}

// Put writes an object (ObjectStore).
func (s *LogStore) Put(b string, m *Meta, body io.Reader, check func(*Meta) error) error {
	if !s.HasBucket(b) {
		return errNoBucket
	}
	id, n, _, err := s.writeBody("s3/o/", body)
	if err != nil {
		return err
	}
	m.Size = n
	if check != nil {
		if err := check(m); err != nil {
			s.deleteLog(id)
			return err
		}
	}
	return s.commitObject(b, m, id, nil)
}

// Open opens key in bucket b (ObjectStore).
func (s *LogStore) Open(b, key string) (*Object, error) {
	var r objectRec
	err := s.Meta.View(func(tx storage.MetaTx) error {
		if err := needBucket(tx, b); err != nil {
			return err
		}
		v, err := tx.Get(tObjects, objKey(b, key))
		if errors.Is(err, storage.ErrNotFound) {
			return errNoKey
		}
		if err != nil {
			return err
		}
		return json.Unmarshal(v, &r)
	})
	if err != nil {
		return nil, err
	}
	rd := &chunkReader{chunk: int64(r.Chunk), size: r.Size}
	if r.Size > 0 {
		l, err := s.Logs.Open(r.Log)
		if errors.Is(err, storage.ErrNotFound) {
			return nil, errNoKey // replaced or deleted since the View
		}
		if err != nil {
			return nil, err
		}
		rd.log = l
	}
	return &Object{Meta: r.Meta, r: rd, c: io.NopCloser(nil)}, nil
}

// chunkReader reads a body stored as records of chunk bytes. It keeps the
// last record read, for the sequential reads of a GET.
type chunkReader struct {
	log         storage.ShardLog
	chunk, size int64
	mu          sync.Mutex
	cur         int64 // index of buf's record, -1 for none
	buf         []byte
	loaded      bool
}

func (c *chunkReader) ReadAt(p []byte, off int64) (int, error) {
	if off >= c.size {
		return 0, io.EOF
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for n < len(p) && off < c.size {
		i := off / c.chunk
		if !c.loaded || c.cur != i {
			recs, err := c.log.Read(uint64(i), 1, int(c.chunk))
			if err != nil {
				return n, fmt.Errorf("s3: object body: %w", err)
			}
			if len(recs) == 0 || recs[0].Seq != uint64(i) {

				return n, fmt.Errorf("s3: object body: record %d missing: %w", i, storage.ErrCorrupt)
			}
			c.buf, c.cur, c.loaded = recs[0].Data, i, true
		}
		k := copy(p[n:], c.buf[off-i*c.chunk:])
		if k == 0 {
			return n, fmt.Errorf("s3: object body: record %d short: %w", i, storage.ErrCorrupt)
		}
		n += k
		off += int64(k)
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// Delete removes key (ObjectStore).
func (s *LogStore) Delete(b, key string) error {
	var old string
	err := s.Meta.Update(func(tx storage.MetaTx) error {
		old = ""
		if err := needBucket(tx, b); err != nil {
			return err
		}
		v, err := tx.Get(tObjects, objKey(b, key))
		if errors.Is(err, storage.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		var r objectRec
		if json.Unmarshal(v, &r) == nil {
			old = r.Log
		}
		return tx.Delete(tObjects, objKey(b, key))
	})
	if err == nil {
		s.deleteLog(old)
	}
	return err
}

// List returns bucket b's objects whose keys have prefix (ObjectStore).
func (s *LogStore) List(b, prefix string) ([]Meta, error) {
	var out []Meta
	err := s.Meta.View(func(tx storage.MetaTx) error {
		out = out[:0]
		if err := needBucket(tx, b); err != nil {
			return err
		}
		return tx.Scan(tObjects, objKey(b, prefix), "", func(_ string, v []byte) (bool, error) {
			var r objectRec
			if err := json.Unmarshal(v, &r); err != nil {
				return false, err
			}
			out = append(out, r.Meta)
			return true, nil
		})
	})
	return out, err
}

// CreateUpload starts a multipart upload (ObjectStore).
func (s *LogStore) CreateUpload(b string, u UploadMeta) (string, error) {
	id := randomID()
	js, err := json.Marshal(u)
	if err != nil {
		return "", err
	}
	err = s.Meta.Update(func(tx storage.MetaTx) error {
		if err := needBucket(tx, b); err != nil {
			return err
		}
		return tx.Put(tUploads, b+"/"+id, js)
	})
	return id, err
}

func partKey(b, id string, n int) string { return fmt.Sprintf("%s/%s/%05d", b, id, n) }

// UploadPart stores part n of upload id (ObjectStore).
func (s *LogStore) UploadPart(b, id string, n int, body io.Reader) (string, error) {
	if _, _, err := s.ListParts(b, id); err != nil {
		return "", err
	}
	log, size, sum, err := s.writeBody("s3/p/", body)
	if err != nil {
		return "", err
	}
	etag := `"` + hex.EncodeToString(sum) + `"`
	js, _ := json.Marshal(partRec{ETag: etag, Size: size, Log: log, Chunk: s.chunk()})
	var old string
	err = s.Meta.Update(func(tx storage.MetaTx) error {
		old = ""
		if _, err := tx.Get(tUploads, b+"/"+id); err != nil {
			if errors.Is(err, storage.ErrNotFound) {
				err = errNoUpload
			}
			return err
		}
		if v, err := tx.Get(tParts, partKey(b, id, n)); err == nil {
			var r partRec
			if json.Unmarshal(v, &r) == nil {
				old = r.Log
			}
		}
		return tx.Put(tParts, partKey(b, id, n), js)
	})
	if err != nil {
		s.deleteLog(log)
		return "", err
	}
	s.deleteLog(old)
	return etag, nil
}

func (s *LogStore) parts(tx storage.MetaTx, b, id string) (map[int]partRec, error) {
	out := map[int]partRec{}
	pre := b + "/" + id + "/"
	err := tx.Scan(tParts, pre, "", func(k string, v []byte) (bool, error) {
		var n int
		if _, err := fmt.Sscanf(strings.TrimPrefix(k, pre), "%d", &n); err != nil {
			return true, nil
		}
		var r partRec
		if err := json.Unmarshal(v, &r); err != nil {
			return false, err
		}
		out[n] = r
		return true, nil
	})
	return out, err
}

// ListParts returns the upload's metadata and parts (ObjectStore).
func (s *LogStore) ListParts(b, id string) (UploadMeta, []Part, error) {
	var um UploadMeta
	var parts []Part
	err := s.Meta.View(func(tx storage.MetaTx) error {
		v, err := tx.Get(tUploads, b+"/"+id)
		if errors.Is(err, storage.ErrNotFound) {
			return errNoUpload
		}
		if err != nil {
			return err
		}
		if err := json.Unmarshal(v, &um); err != nil {
			return err
		}
		ps, err := s.parts(tx, b, id)
		if err != nil {
			return err
		}
		parts = parts[:0]
		for n, p := range ps {
			parts = append(parts, Part{Number: n, ETag: p.ETag, Size: p.Size})
		}
		return nil
	})
	sort.Slice(parts, func(i, j int) bool { return parts[i].Number < parts[j].Number })
	return um, parts, err
}

// CompleteUpload copies the parts, in order, into the object's body log,
// and ends the upload (ObjectStore). Copying (rather than pointing the
// object at the part logs) keeps every object one log of fixed-size
// records, where a ranged GET finds its first record by division; it
// costs writing the object's bytes twice, once per part and once whole.
func (s *LogStore) CompleteUpload(b, id string, m *Meta, nums []int) error {
	var ps map[int]partRec
	if err := s.Meta.View(func(tx storage.MetaTx) error {
		if _, err := tx.Get(tUploads, b+"/"+id); err != nil {
			if errors.Is(err, storage.ErrNotFound) {
				err = errNoUpload
			}
			return err
		}
		var err error
		ps, err = s.parts(tx, b, id)
		return err
	}); err != nil {
		return err
	}
	var readers []io.Reader
	for _, n := range nums {
		p, ok := ps[n]
		if !ok {
			return errNoUpload
		}
		if p.Size == 0 {
			continue
		}
		l, err := s.Logs.Open(p.Log)
		if err != nil {
			return err
		}
		readers = append(readers, io.NewSectionReader(&chunkReader{log: l, chunk: int64(p.Chunk), size: p.Size}, 0, p.Size))
	}
	log, size, _, err := s.writeBody("s3/o/", io.MultiReader(readers...))
	if err != nil {
		return err
	}
	m.Size = size
	// The object and the upload's end commit together: the parts read
	// were the parts then, unless one was uploaded again meanwhile (the
	// upload's parts are compared again in the transaction).
	err = s.commitObject(b, m, log, func(tx storage.MetaTx) error {
		if _, err := tx.Get(tUploads, b+"/"+id); err != nil {
			if errors.Is(err, storage.ErrNotFound) {
				err = errNoUpload
			}
			return err
		}
		now, err := s.parts(tx, b, id)
		if err != nil {
			return err
		}
		for _, n := range nums {
			if now[n].Log != ps[n].Log {
				return fmt.Errorf("s3: part %d of upload %s was uploaded again during its completion", n, id)
			}
		}
		return tx.Delete(tUploads, b+"/"+id)
	})
	if err != nil {
		return err
	}
	s.dropParts(b + "/" + id)
	return nil
}

// AbortUpload ends the upload and drops its parts (ObjectStore).
func (s *LogStore) AbortUpload(b, id string) error {
	err := s.Meta.Update(func(tx storage.MetaTx) error {
		if _, err := tx.Get(tUploads, b+"/"+id); err != nil {
			if errors.Is(err, storage.ErrNotFound) {
				err = errNoUpload
			}
			return err
		}
		return tx.Delete(tUploads, b+"/"+id)
	})
	if err != nil {
		return err
	}
	s.dropParts(b + "/" + id)
	return nil
}

// dropParts deletes the part records and logs of an upload that has
// ended (its "s3/uploads" entry is gone, so nothing reads them), a few
// hundred keys per transaction (a JetStream transaction is at most 1000
// writes). Failures leave garbage.
func (s *LogStore) dropParts(upload string) {
	for {
		var keys, logs []string
		err := s.Meta.Update(func(tx storage.MetaTx) error {
			keys, logs = keys[:0], logs[:0]
			if err := tx.Scan(tParts, upload+"/", "", func(k string, v []byte) (bool, error) {
				var r partRec
				if json.Unmarshal(v, &r) == nil {
					logs = append(logs, r.Log)
				}
				keys = append(keys, k)
				return len(keys) < 500, nil
			}); err != nil {
				return err
			}
			for _, k := range keys {
				if err := tx.Delete(tParts, k); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil || len(keys) == 0 {
			return
		}
		for _, l := range logs {
			s.deleteLog(l)
		}
	}
}

// readFull is io.ReadFull but for its errors: it returns io.EOF when the
// body ended (whatever it read before), and the body's own error as it
// is; io.ReadFull turns an early EOF into io.ErrUnexpectedEOF, which a
// cut request body also reports.
func readFull(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		k, err := r.Read(buf[n:])
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
