// Package sealed encrypts a storage.Logs: every record's partition key,
// explicit hash key and data are sealed with AES-256-GCM before the
// underlying store sees them, and log ids are replaced by keyed hashes, so
// nothing a client sent, and no stream or shard name, reaches the disk in
// the clear. It is what `eddy serve --encrypt-at-rest` puts over the
// segment store (docs/SECURITY.md; docs/FORMAT.md has the layout).
//
// # Keys and nonces
//
// Records are sealed under epoch keys: each Store, when opened, picks a
// random 16-byte epoch id and derives its key with HKDF-SHA256 from the
// store key (salt: the epoch id; info "eddy sealed logs v1"); nonces are a
// counter within the epoch (4 zero bytes, then 8 bytes), and a new epoch
// begins after 2^32 records. Every record names its epoch, so a reader
// derives the key of any epoch from the store key alone. A nonce is never
// used twice under one key: an epoch lives in one process, and its counter
// only goes up, so positions the underlying store rewrites after a crash
// (a torn tail truncated and appended again) are sealed under a new epoch.
//
// # Record layout
//
// The underlying record keeps the position, arrival time and flags (in the
// clear: the store indexes by time); its data is
//
//	version (1 byte, 1) | epoch id (16) | counter (8) | AES-256-GCM(plaintext) + tag (16)
//	plaintext = uvarint(len(pk)) pk uvarint(len(ehk)) ehk data
//	additional data = version | epoch id | counter | hashed log id | flags
//
// When that is longer than storage.MaxDataSize (a record of nearly the
// largest size the store takes), the excess is kept in the underlying
// record's partition key and explicit hash key fields, in that order.
//
// # Log ids
//
// A log with id ID is the underlying log "s/" + HEX, HEX the first 20 bytes
// of HMAC-SHA256(name key, ID) in hex, and "i/" + HEX is a one-record log
// holding ID sealed, from which List recovers it. Log "c" holds a sealed
// check value: opening with another key fails there.
package sealed

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/eddy-streams/eddy/storage"
)

const (
	version     = 1
	epochLen    = 16
	counterLen  = 8
	tagLen      = 16
	headerLen   = 1 + epochLen + counterLen
	overhead    = headerLen + tagLen
	hashLen     = 20
	epochInfo   = "eddy sealed logs v1"
	nameInfo    = "eddy sealed log names v1"
	checkID     = "c"
	checkText   = "eddy sealed logs check v1"
	maxPerEpoch = 1 << 32
	// slack bounds how much larger a sealed record counts than its
	// plaintext against an underlying Read's maxBytes: the envelope and
	// two uvarint lengths.
	slack = overhead + 2*binary.MaxVarintLen64
)

// ErrWrongKey is returned by Open when the store was written under another
// key.
var ErrWrongKey = errors.New("sealed: the key does not open this store (wrong key?)")

// ErrNotSealed is returned by Open when the underlying store holds logs
// but no check value: it was written without encryption.
var ErrNotSealed = errors.New("sealed: the store holds logs written without encryption")

// Store is a storage.Logs that seals records into an underlying one.
type Store struct {
	inner   storage.Logs
	key     []byte // the store key
	nameKey []byte

	epochMu sync.Mutex
	epoch   *epoch // the current sealing epoch

	keysMu sync.RWMutex
	keys   map[[epochLen]byte]cipher.AEAD // epochs opened for reading

	logsMu sync.Mutex
	logs   map[string]*Log // opened logs by id
	closed bool
}

// epoch is a sealing key and its nonce counter.
type epoch struct {
	id   [epochLen]byte
	aead cipher.AEAD
	next atomic.Uint64 // the next counter
}

var (
	_ storage.Logs          = (*Store)(nil)
	_ storage.MultiAppender = (*Store)(nil)
	_ storage.BufferReader  = (*Log)(nil)
)

// Open returns the sealed view of inner under key (32 bytes). A store
// written under another key fails with ErrWrongKey, one written without
// encryption with ErrNotSealed. The Store owns inner: Close closes it.
func Open(inner storage.Logs, key []byte) (*Store, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("sealed: a key is 32 bytes, got %d", len(key))
	}
	nameKey, err := hkdf.Key(sha256.New, key, nil, nameInfo, 32)
	if err != nil {
		return nil, err
	}
	s := &Store{inner: inner, key: slices.Clone(key), nameKey: nameKey,
		keys: map[[epochLen]byte]cipher.AEAD{}, logs: map[string]*Log{}}
	if err := s.check(); err != nil {
		return nil, err
	}
	return s, nil
}

// check opens the check value, or writes it into an empty store.
func (s *Store) check() error {
	l, err := s.inner.Open(checkID)
	if errors.Is(err, storage.ErrNotFound) {
		ids, err := s.inner.List()
		if err != nil {
			return err
		}
		if len(ids) > 0 {
			return ErrNotSealed
		}
		if l, err = s.inner.Create(checkID, 0); err != nil {
			return err
		}
		d, err := s.sealBytes(nil, []byte(checkText), checkID)
		if err != nil {
			return err
		}
		_, err = l.Append([]storage.Record{{Data: d, Arrival: time.Now()}})
		return err
	}
	if err != nil {
		return err
	}
	recs, err := l.Read(0, 1, math.MaxInt32)
	if err != nil {
		return err
	}
	if len(recs) != 1 {
		return fmt.Errorf("sealed: the check value is missing: %w", storage.ErrCorrupt)
	}
	pt, err := s.openBytes(recs[0].Data, checkID)
	if err != nil || string(pt) != checkText {
		return ErrWrongKey
	}
	return nil
}

// hashID is the hex keyed hash of a log id.
func (s *Store) hashID(id string) string {
	m := hmac.New(sha256.New, s.nameKey)
	m.Write([]byte(id))
	return hex.EncodeToString(m.Sum(nil)[:hashLen])
}

func dataID(h string) string { return "s/" + h }
func nameID(h string) string { return "i/" + h }

// sealingEpoch returns the epoch to seal n records with and the first
// counter they take.
func (s *Store) sealingEpoch(n int) (*epoch, uint64, error) {
	s.epochMu.Lock()
	defer s.epochMu.Unlock()
	if e := s.epoch; e != nil {
		if c := e.next.Add(uint64(n)); c <= maxPerEpoch {
			return e, c - uint64(n), nil
		}
	}
	e := &epoch{}
	if _, err := rand.Read(e.id[:]); err != nil {
		return nil, 0, err
	}
	aead, err := s.epochAEAD(e.id)
	if err != nil {
		return nil, 0, err
	}
	e.aead = aead
	e.next.Store(uint64(n))
	s.epoch = e
	return e, 0, nil
}

// epochAEAD returns the cipher of an epoch id, derived once.
func (s *Store) epochAEAD(id [epochLen]byte) (cipher.AEAD, error) {
	s.keysMu.RLock()
	a := s.keys[id]
	s.keysMu.RUnlock()
	if a != nil {
		return a, nil
	}
	k, err := hkdf.Key(sha256.New, s.key, id[:], epochInfo, 32)
	if err != nil {
		return nil, err
	}
	b, err := aes.NewCipher(k)
	if err != nil {
		return nil, err
	}
	a, err = cipher.NewGCM(b)
	if err != nil {
		return nil, err
	}
	s.keysMu.Lock()
	s.keys[id] = a
	s.keysMu.Unlock()
	return a, nil
}

// aad is a record's additional data.
func aad(dst []byte, header []byte, h string, flags uint8) []byte {
	dst = append(dst, header...)
	dst = append(dst, h...)
	return append(dst, flags)
}

// sealBytes seals one plaintext (the check value, a log's id) with a
// fresh counter, bound to h.
func (s *Store) sealBytes(dst, pt []byte, h string) ([]byte, error) {
	e, c, err := s.sealingEpoch(1)
	if err != nil {
		return nil, err
	}
	start := len(dst)
	dst = appendHeader(dst, e, c)
	hdr := dst[start:]
	var ad [headerLen + 2*hashLen + 1]byte
	return e.aead.Seal(dst, nonce(c), pt, aad(ad[:0], hdr, h, 0)), nil
}

// openBytes opens what sealBytes sealed.
func (s *Store) openBytes(d []byte, h string) ([]byte, error) {
	if len(d) < overhead || d[0] != version {
		return nil, fmt.Errorf("sealed: bad envelope: %w", storage.ErrCorrupt)
	}
	var id [epochLen]byte
	copy(id[:], d[1:])
	a, err := s.epochAEAD(id)
	if err != nil {
		return nil, err
	}
	var ad [headerLen + 2*hashLen + 1]byte
	return a.Open(nil, nonce(binary.BigEndian.Uint64(d[1+epochLen:])), d[headerLen:], aad(ad[:0], d[:headerLen], h, 0))
}

func appendHeader(dst []byte, e *epoch, c uint64) []byte {
	dst = append(dst, version)
	dst = append(dst, e.id[:]...)
	return binary.BigEndian.AppendUint64(dst, c)
}

func nonce(c uint64) []byte {
	var n [12]byte
	binary.BigEndian.PutUint64(n[4:], c)
	return n[:]
}

// Create makes a new log (see storage.Logs).
func (s *Store) Create(id string, base uint64) (storage.ShardLog, error) {
	if !storage.ValidID(id) {
		return nil, fmt.Errorf("sealed: invalid log id %q", id)
	}
	h := s.hashID(id)
	s.logsMu.Lock()
	defer s.logsMu.Unlock()
	if s.closed {
		return nil, storage.ErrClosed
	}
	// The sealed name first: a crash before the data log exists leaves a
	// name that List and Open skip and the next Create replaces.
	if _, err := s.inner.Open(dataID(h)); err == nil {
		return nil, storage.ErrExists
	}
	if nl, err := s.inner.Open(nameID(h)); err == nil {
		if err := nl.Delete(); err != nil {
			return nil, err
		}
	}
	nl, err := s.inner.Create(nameID(h), 0)
	if err != nil {
		return nil, err
	}
	d, err := s.sealBytes(nil, []byte(id), h)
	if err != nil {
		return nil, err
	}
	if _, err := nl.Append([]storage.Record{{Data: d, Arrival: time.Now()}}); err != nil {
		return nil, err
	}
	il, err := s.inner.Create(dataID(h), base)
	if err != nil {
		return nil, err
	}
	l := &Log{s: s, inner: il, id: id, h: h}
	s.logs[id] = l
	return l, nil
}

// Open returns the log with that id (see storage.Logs).
func (s *Store) Open(id string) (storage.ShardLog, error) {
	s.logsMu.Lock()
	defer s.logsMu.Unlock()
	if s.closed {
		return nil, storage.ErrClosed
	}
	if l := s.logs[id]; l != nil {
		return l, nil
	}
	h := s.hashID(id)
	il, err := s.inner.Open(dataID(h))
	if err != nil {
		return nil, err
	}
	l := &Log{s: s, inner: il, id: id, h: h}
	s.logs[id] = l
	return l, nil
}

// List returns the ids of all logs, sorted, read from their sealed names.
func (s *Store) List() ([]string, error) {
	all, err := s.inner.List()
	if err != nil {
		return nil, err
	}
	data := map[string]bool{}
	for _, id := range all {
		if h, ok := strings.CutPrefix(id, "s/"); ok {
			data[h] = true
		}
	}
	var ids []string
	for _, id := range all {
		h, ok := strings.CutPrefix(id, "i/")
		if !ok || !data[h] {
			continue
		}
		nl, err := s.inner.Open(id)
		if err != nil {
			return nil, err
		}
		recs, err := nl.Read(0, 1, math.MaxInt32)
		if err != nil {
			return nil, err
		}
		if len(recs) != 1 {
			return nil, fmt.Errorf("sealed: log name %s is empty: %w", id, storage.ErrCorrupt)
		}
		name, err := s.openBytes(recs[0].Data, h)
		if err != nil {
			return nil, fmt.Errorf("sealed: log name %s does not open: %w", id, storage.ErrCorrupt)
		}
		ids = append(ids, string(name))
	}
	slices.Sort(ids)
	return ids, nil
}

// Close closes the underlying store; later calls return ErrClosed.
func (s *Store) Close() error {
	s.logsMu.Lock()
	s.closed, s.logs = true, nil
	s.logsMu.Unlock()
	return s.inner.Close()
}

// AppendMulti seals each batch and appends them through the underlying
// store's AppendMulti (one sync for all, on the segment store).
func (s *Store) AppendMulti(batches []storage.AppendBatch) {
	inner := make([]storage.AppendBatch, 0, len(batches))
	idx := make([]int, 0, len(batches))
	bufs := make([]*[]byte, 0, len(batches))
	for i := range batches {
		b := &batches[i]
		l, ok := b.Log.(*Log)
		if !ok || l.s != s {
			b.Err = errors.New("sealed: AppendMulti of a log of another store")
			continue
		}
		recs, buf, err := l.seal(b.Recs)
		if err != nil {
			b.Err = err
			continue
		}
		inner = append(inner, storage.AppendBatch{Log: l.inner, Recs: recs})
		idx = append(idx, i)
		bufs = append(bufs, buf)
	}
	storage.AppendAll(s.inner, inner)
	for j, i := range idx {
		batches[i].First, batches[i].Err = inner[j].First, inner[j].Err
		putBuf(bufs[j])
	}
}

// Log is a sealed shard log.
type Log struct {
	s     *Store
	inner storage.ShardLog
	id, h string
}

func (l *Log) ID() string { return l.id }

var bufPool = sync.Pool{New: func() any { return new([]byte) }}

func putBuf(b *[]byte) {
	if cap(*b) <= 16<<20 {
		bufPool.Put(b)
	}
}

// seal returns the underlying records of recs, their data in a pooled
// buffer to give back with putBuf once appended.
func (l *Log) seal(recs []storage.Record) ([]storage.Record, *[]byte, error) {
	n := 0
	for i := range recs {
		if err := storage.CheckRecord(&recs[i]); err != nil {
			return nil, nil, err
		}
		n += slack + len(recs[i].PartitionKey) + len(recs[i].ExplicitHashKey) + len(recs[i].Data)
	}
	e, c, err := l.s.sealingEpoch(len(recs))
	if err != nil {
		return nil, nil, err
	}
	bp := bufPool.Get().(*[]byte)
	if cap(*bp) < n {
		*bp = make([]byte, 0, n)
	}
	buf := (*bp)[:0]
	out := make([]storage.Record, len(recs))
	var ad [headerLen + 2*hashLen + 1]byte
	for i := range recs {
		r := &recs[i]
		start := len(buf)
		buf = appendHeader(buf, e, c+uint64(i))
		p := len(buf)
		buf = binary.AppendUvarint(buf, uint64(len(r.PartitionKey)))
		buf = append(buf, r.PartitionKey...)
		buf = binary.AppendUvarint(buf, uint64(len(r.ExplicitHashKey)))
		buf = append(buf, r.ExplicitHashKey...)
		buf = append(buf, r.Data...)
		buf = e.aead.Seal(buf[:p], nonce(c+uint64(i)), buf[p:], aad(ad[:0], buf[start:p], l.h, r.Flags))
		d := buf[start:len(buf):len(buf)]
		o := storage.Record{Data: d, Arrival: r.Arrival, Flags: r.Flags}
		if len(d) > storage.MaxDataSize {
			// Nearly the largest record: the excess goes into the
			// partition and hash key fields.
			rest := d[storage.MaxDataSize:]
			o.Data = d[:storage.MaxDataSize]
			pk := rest[:min(len(rest), storage.MaxPartitionKeySize)]
			rest = rest[len(pk):]
			if len(rest) > storage.MaxExplicitHashKeySize {
				putBuf(bp)
				return nil, nil, storage.ErrTooLarge
			}
			o.PartitionKey, o.ExplicitHashKey = string(pk), string(rest)
		}
		out[i] = o
	}
	*bp = buf
	return out, bp, nil
}

// Append seals recs and appends them (see storage.ShardLog).
func (l *Log) Append(recs []storage.Record) (uint64, error) {
	if len(recs) == 0 {
		return l.inner.Append(nil)
	}
	sealed, bp, err := l.seal(recs)
	if err != nil {
		return 0, err
	}
	defer putBuf(bp)
	return l.inner.Append(sealed)
}

// innerMaxBytes is the maxBytes to ask the underlying log for so that it
// returns every record a plaintext maxBytes admits.
func innerMaxBytes(maxRecords, maxBytes int) int {
	if maxRecords <= 0 {
		return maxBytes
	}
	if maxBytes > math.MaxInt-maxRecords*slack || maxRecords > math.MaxInt/slack {
		return math.MaxInt
	}
	return maxBytes + maxRecords*slack
}

// Read reads and opens records (see storage.ShardLog).
func (l *Log) Read(from uint64, maxRecords, maxBytes int) ([]storage.Record, error) {
	recs, err := l.inner.Read(from, maxRecords, innerMaxBytes(maxRecords, maxBytes))
	if err != nil {
		return nil, err
	}
	return l.open(recs, maxBytes)
}

// ReadBuffer is Read into buf (see storage.BufferReader): the plaintext is
// written over the ciphertext.
func (l *Log) ReadBuffer(from uint64, maxRecords, maxBytes int, buf []byte) ([]storage.Record, []byte, error) {
	br, ok := l.inner.(storage.BufferReader)
	if !ok {
		recs, err := l.Read(from, maxRecords, maxBytes)
		return recs, buf, err
	}
	recs, buf, err := br.ReadBuffer(from, maxRecords, innerMaxBytes(maxRecords, maxBytes), buf)
	if err != nil {
		return nil, buf, err
	}
	recs, err = l.open(recs, maxBytes)
	return recs, buf, err
}

// open replaces recs' sealed fields by their plaintext, written over the
// ciphertext (a read's records are the caller's: storage.ShardLog.Read),
// and drops the records beyond maxBytes of plaintext (keeping at least
// one).
func (l *Log) open(recs []storage.Record, maxBytes int) ([]storage.Record, error) {
	total := 0
	var ad [headerLen + 2*hashLen + 1]byte
	for i := range recs {
		r := &recs[i]
		d := r.Data
		if len(r.PartitionKey) > 0 || len(r.ExplicitHashKey) > 0 {
			// Spilled into the key fields (see seal).
			d = make([]byte, 0, len(r.Data)+len(r.PartitionKey)+len(r.ExplicitHashKey))
			d = append(append(append(d, r.Data...), r.PartitionKey...), r.ExplicitHashKey...)
		}
		if len(d) < overhead || d[0] != version {
			return nil, l.corrupt(r.Seq, "bad envelope")
		}
		var id [epochLen]byte
		copy(id[:], d[1:])
		a, err := l.s.epochAEAD(id)
		if err != nil {
			return nil, err
		}
		pt, err := a.Open(d[headerLen:headerLen], nonce(binary.BigEndian.Uint64(d[1+epochLen:])), d[headerLen:], aad(ad[:0], d[:headerLen], l.h, r.Flags))
		if err != nil {
			return nil, l.corrupt(r.Seq, "authentication failed")
		}
		pk, rest, ok := cutUvarint(pt)
		if !ok {
			return nil, l.corrupt(r.Seq, "bad partition key")
		}
		ehk, data, ok := cutUvarint(rest)
		if !ok {
			return nil, l.corrupt(r.Seq, "bad explicit hash key")
		}
		r.PartitionKey, r.ExplicitHashKey, r.Data = string(pk), string(ehk), data
		total += storage.RecordSize(r)
		if i > 0 && total > maxBytes {
			return recs[:i], nil
		}
	}
	return recs, nil
}

func (l *Log) corrupt(seq uint64, why string) error {
	return fmt.Errorf("sealed: log %s record %d: %s: %w", l.id, seq, why, storage.ErrCorrupt)
}

func cutUvarint(b []byte) (field, rest []byte, ok bool) {
	n, w := binary.Uvarint(b)
	if w <= 0 || n > uint64(len(b)-w) {
		return nil, nil, false
	}
	return b[w : w+int(n)], b[w+int(n):], true
}

func (l *Log) SeekTime(t time.Time) (uint64, error)        { return l.inner.SeekTime(t) }
func (l *Log) Bounds() (storage.Bounds, error)             { return l.inner.Bounds() }
func (l *Log) Seal() error                                 { return l.inner.Seal() }
func (l *Log) TrimBefore(cutoff time.Time) (uint64, error) { return l.inner.TrimBefore(cutoff) }

// Delete removes the log's records, then its sealed name.
func (l *Log) Delete() error {
	if err := l.inner.Delete(); err != nil {
		return err
	}
	l.s.logsMu.Lock()
	if l.s.logs[l.id] == l {
		delete(l.s.logs, l.id)
	}
	l.s.logsMu.Unlock()
	if nl, err := l.s.inner.Open(nameID(l.h)); err == nil {
		return nl.Delete()
	}
	return nil
}
