package dynamo

import (
	"crypto/md5"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/eddy-streams/eddy/dynamo/attr"
	"github.com/eddy-streams/eddy/dynamo/expr"
	"github.com/eddy-streams/eddy/storage"
)

// Storage layout (relative to the region's namespace, "dynamodb/<region>/"):
//
//	tables              <table name>  -> tableDoc (JSON)
//	stats               <table id>    -> stats record (binary, below)
//	items/<table id>    <item key>    -> item (binary, itemcodec.go; JSON before it)
//	index/<index id>    <index key>   -> the item as the index projects it (likewise)
//	purge               <bucket>      -> "" (a dropped table's or index's bucket being emptied)
//	tokens              <token>       -> tokenRecord (JSON; TransactWriteItems idempotency)
//
// An item key is the hash key's 3-byte bucket (the first three bytes of
// MD5("Outliers" + the hash key's bytes), as dynalite spreads its keys),
// then attr.AppendKey of the hash key, then of the range key if the table
// has one:
//
//	+--------+------------------+-------------------+
//	| md5[:3]| hash (AppendKey) | range (AppendKey) |
//	+--------+------------------+-------------------+
//
// so a Query walks one hash key's items in range order with a prefix scan
// (forward or reverse), and a Scan walks the table in bucket order, which
// is how DynamoDB orders a Scan (by the hash of the partition key, not by
// the key) and how Segment/TotalSegments split it: segment s of n covers
// the buckets whose first 12 bits lie in [ceil(4096*s/n), ceil(4096*(s+1)/n)),
// dynalite's split. An index key is the same over the index's keys,
// followed by the 3-byte hash of the table key (MD5("Outliers" + hash +
// range), which orders entries sharing an index key as dynalite does) and
// the table key's encodings (hash, range), which make it unique:
//
//	| md5[:3] of index hash | index hash | index range | md5[:3] of table key | table hash | table range |
//
// The stats record holds, as big-endian 64-bit integers, the table's
// version (tableDoc.Version), item count and size in bytes (attr.ItemSize
// summed), then count and size for each index in the table's index order.
// Every write reads it in its transaction, checks the version against the
// definition it used (a write that raced an UpdateTable retries with the
// new definition, so no index misses an item) and stores the new counts:
// counts and sizes are exact and change in the same transaction as the
// items.

// hashBucket returns the 3-byte bucket of a hash key value.
func hashBucket(v attr.Value) [3]byte {
	h := md5.New()
	h.Write([]byte("Outliers"))
	// dynalite hashes DynamoDB's binary number form; Eddy hashes the
	// canonical decimal string (the order of a Scan over numeric hash keys
	// differs from dynalite's).
	h.Write(keyBytes(v))
	var sum [md5.Size]byte
	h.Sum(sum[:0])
	return [3]byte{sum[0], sum[1], sum[2]}
}

// tableKeyBucket is the 3-byte hash of an item's table key (hash then
// range) that orders index entries sharing their index key, as dynalite
// orders them.
func tableKeyBucket(item attr.Item, ks expr.KeySchema) [3]byte {
	h := md5.New()
	h.Write([]byte("Outliers"))
	for _, n := range []string{ks.HashName, ks.RangeName} {
		if n != "" {
			h.Write(keyBytes(item[n]))
		}
	}
	var sum [md5.Size]byte
	h.Sum(sum[:0])
	return [3]byte{sum[0], sum[1], sum[2]}
}

// keyBytes returns the bytes a key value is hashed from: a string's
// UTF-8, a binary's bytes, a number's canonical decimal form (dynalite
// hashes DynamoDB's binary number form instead).
func keyBytes(v attr.Value) []byte {
	switch {
	case v.S != nil:
		return []byte(*v.S)
	case v.B != nil:
		return v.B
	case v.N != nil:
		if n, err := attr.ParseNumber(*v.N); err == nil {
			return []byte(n.String())
		}
		return []byte(*v.N)
	}
	return nil
}

// appendKeyOf appends the encoding of a key schema's values in item: the
// bucket of the hash, the hash, the range (if the schema has one). ok is
// false when item lacks one of them or has it with another type.
func appendKeyOf(dst []byte, item attr.Item, ks expr.KeySchema, bucket bool) ([]byte, bool) {
	h, ok := item[ks.HashName]
	if !ok || !hasKind(h, ks.HashType) {
		return dst, false
	}
	if bucket {
		b := hashBucket(h)
		dst = append(dst, b[:]...)
	}
	dst, err := attr.AppendKey(dst, h)
	if err != nil {
		return dst, false
	}
	if ks.RangeName != "" {
		r, ok := item[ks.RangeName]
		if !ok || !hasKind(r, ks.RangeType) {
			return dst, false
		}
		if dst, err = attr.AppendKey(dst, r); err != nil {
			return dst, false
		}
	}
	return dst, true
}

func hasKind(v attr.Value, k attr.Kind) bool {
	switch k {
	case attr.KindS:
		return v.S != nil
	case attr.KindN:
		return v.N != nil
	case attr.KindB:
		return v.B != nil
	}
	return false
}

// itemKey returns the storage key of an item (or key) of t, which must
// have been checked against the schema.
func (t *table) itemKey(item attr.Item) string {
	b, _ := appendKeyOf(make([]byte, 0, 32), item, t.keys, true)
	return string(b)
}

// indexKey returns the storage key of item in ix, or "" when the item is
// not in the index (an index key attribute is absent or of another type:
// indexes are sparse).
func (t *table) indexKey(ix *index, item attr.Item) string {
	if item == nil {
		return ""
	}
	b, ok := appendKeyOf(make([]byte, 0, 48), item, ix.keys, true)
	if !ok {
		return ""
	}
	tb := tableKeyBucket(item, t.keys)
	b = append(b, tb[:]...)
	b, _ = appendKeyOf(b, item, t.keys, false)
	return string(b)
}

// keyOf returns the key attributes of item for the schemas given.
func keyOf(item attr.Item, schemas ...expr.KeySchema) attr.Item {
	k := attr.Item{}
	for _, s := range schemas {
		for _, n := range []string{s.HashName, s.RangeName} {
			if v, ok := item[n]; ok && n != "" {
				k[n] = v
			}
		}
	}
	return k
}

// stats is a table's stats record.
type stats struct {
	version     uint64
	count, size int64
	indexes     []indexStats
}

type indexStats struct{ count, size int64 }

var (
	// errTableGone: the table was deleted since its definition was read.
	errTableGone = errors.New("dynamo: table deleted")
	// errStale: the table's indexes changed since its definition was read.
	errStale = errors.New("dynamo: table definition changed")
)

func (s *stats) marshal() []byte {
	b := make([]byte, 0, 24+16*len(s.indexes))
	b = binary.BigEndian.AppendUint64(b, s.version)
	b = binary.BigEndian.AppendUint64(b, uint64(s.count))
	b = binary.BigEndian.AppendUint64(b, uint64(s.size))
	for _, ix := range s.indexes {
		b = binary.BigEndian.AppendUint64(b, uint64(ix.count))
		b = binary.BigEndian.AppendUint64(b, uint64(ix.size))
	}
	return b
}

func unmarshalStats(b []byte) (*stats, error) {
	if len(b) < 24 || (len(b)-24)%16 != 0 {
		return nil, fmt.Errorf("dynamo: stats record of %d bytes", len(b))
	}
	s := &stats{
		version: binary.BigEndian.Uint64(b),
		count:   int64(binary.BigEndian.Uint64(b[8:])),
		size:    int64(binary.BigEndian.Uint64(b[16:])),
	}
	for b = b[24:]; len(b) > 0; b = b[16:] {
		s.indexes = append(s.indexes, indexStats{int64(binary.BigEndian.Uint64(b)), int64(binary.BigEndian.Uint64(b[8:]))})
	}
	return s, nil
}

// readStats reads t's stats record in tx: errTableGone if the table is
// gone, errStale if its version is not t's.
func readStats(tx storage.MetaTx, t *table) (*stats, error) {
	b, err := tx.Get(bucketStats, t.doc.ID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, errTableGone
	}
	if err != nil {
		return nil, err
	}
	s, err := unmarshalStats(b)
	if err != nil {
		return nil, err
	}
	if s.version != t.doc.Version || len(s.indexes) != len(t.indexes) {
		return nil, errStale
	}
	return s, nil
}

// writer makes item writes of one table in one transaction, keeping its
// indexes and statistics.
type writer struct {
	tx    storage.MetaTx
	t     *table
	st    *stats
	dirty bool // something was written
}

// newWriter reads t's statistics in tx (see readStats).
func newWriter(tx storage.MetaTx, t *table) (*writer, error) {
	st, err := readStats(tx, t)
	if err != nil {
		return nil, err
	}
	return &writer{tx: tx, t: t, st: st}, nil
}

// get returns the item stored under key, or nil.
func (w *writer) get(key string) (attr.Item, error) { return getItem(w.tx, w.t, key) }

func getItem(tx storage.MetaTx, t *table, key string) (attr.Item, error) {
	b, err := tx.Get(t.bucket, key)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return decodeItem(b)
}

// prepared is an item ready to be written to a table: encoded, sized,
// with its index entries. Preparing a put before its transaction keeps
// that work out of the group commit, where functions run one at a time.
type prepared struct {
	t       *table
	item    attr.Item
	enc     []byte
	size    int
	entries []entry // per index of t, in order; key "" when not indexed
}

type entry struct {
	key  string
	enc  []byte
	size int
}

// prepare encodes item (not nil) for t.
func prepare(t *table, item attr.Item) (*prepared, error) {
	p := &prepared{t: t, item: item, size: attr.ItemSize(item)}
	var err error
	if p.enc, err = encodeItem(item); err != nil {
		return nil, err
	}
	if len(t.indexes) > 0 {
		p.entries = make([]entry, len(t.indexes))
		for i, ix := range t.indexes {
			k := t.indexKey(ix, item)
			if k == "" {
				continue
			}
			proj := ix.projectItem(item)
			b, err := encodeItem(proj)
			if err != nil {
				return nil, err
			}
			p.entries[i] = entry{k, b, attr.ItemSize(proj)}
		}
	}
	return p, nil
}

// write replaces the item old (nil: none) stored under key by item (nil:
// delete it), and its index entries.
func (w *writer) write(key string, old, item attr.Item) error {
	var p *prepared
	if item != nil {
		var err error
		if p, err = prepare(w.t, item); err != nil {
			return err
		}
	}
	return w.writePrepared(key, old, p)
}

// writePrepared is write with the new item prepared (nil: delete). An
// item prepared for another definition of the table is prepared again.
func (w *writer) writePrepared(key string, old attr.Item, p *prepared) error {
	if p != nil && p.t != w.t {
		var err error
		if p, err = prepare(w.t, p.item); err != nil {
			return err
		}
	}
	w.dirty = true
	if p != nil {
		if err := w.tx.Put(w.t.bucket, key, p.enc); err != nil {
			return err
		}
		w.st.count++
		w.st.size += int64(p.size)
	} else if old != nil {
		if err := w.tx.Delete(w.t.bucket, key); err != nil {
			return err
		}
	}
	if old != nil {
		w.st.count--
		w.st.size -= int64(attr.ItemSize(old))
	}
	for i, ix := range w.t.indexes {
		oldKey := w.t.indexKey(ix, old)
		var ne entry
		if p != nil {
			ne = p.entries[i]
		}
		if oldKey != "" {
			w.st.indexes[i].count--
			w.st.indexes[i].size -= int64(attr.ItemSize(ix.projectItem(old)))
			if oldKey != ne.key {
				if err := w.tx.Delete(ix.bucket, oldKey); err != nil {
					return err
				}
			}
		}
		if ne.key != "" {
			if err := w.tx.Put(ix.bucket, ne.key, ne.enc); err != nil {
				return err
			}
			w.st.indexes[i].count++
			w.st.indexes[i].size += int64(ne.size)
		}
	}
	return nil
}

// finish stores the statistics.
func (w *writer) finish() error { return w.tx.Put(bucketStats, w.t.doc.ID, w.st.marshal()) }
