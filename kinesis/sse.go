package kinesis

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/protocol/kds"
	"github.com/eddy-streams/eddy/storage"
)

// KeyService is what server-side encryption needs of a key service (Eddy's
// kms.Keys of a region satisfies it): envelope encryption, a data key
// sealed under a KMS key, and a check that a key may be used now.
//
// Errors are *eddy.Error with KMS's codes (NotFoundException,
// DisabledException, KMSInvalidStateException, ...); the engine answers
// them with Kinesis's KMS exceptions (kmsError).
type KeyService interface {
	// GenerateDataKey returns a new 256-bit data key in the clear and
	// sealed under keyID (key id, key ARN, alias name or alias ARN) with
	// encCtx bound to it, and the ARN of the key that sealed it.
	GenerateDataKey(ctx context.Context, keyID string, encCtx map[string]string) (plaintext, blob []byte, keyARN string, err error)
	// Decrypt opens a blob of GenerateDataKey with the same encCtx.
	Decrypt(ctx context.Context, blob []byte, encCtx map[string]string) (plaintext []byte, keyARN string, err error)
	// CheckUsable returns nil if keyID names an enabled key, else the error
	// using it would give.
	CheckUsable(ctx context.Context, keyID string) error
}

// # Envelope of an encrypted record
//
// A record put while its stream's encryption is KMS is stored with
// storage.Record.Flags bit flagEncrypted set, an empty PartitionKey and
// ExplicitHashKey, and Data:
//
//	+---------+------------------+-----------+----------------------------------+
//	| version | data key id      | nonce     | AES-256-GCM(plaintext) + 16 B tag |
//	| 1 B = 1 | 8 B, big endian  | 12 B      |                                  |
//	+---------+------------------+-----------+----------------------------------+
//
//	plaintext = uvarint(len(pk)) pk uvarint(len(ehk)) ehk data
//	additional data = version, data key id, shard index (4 B, big endian)
//
// The data key is one of the stream's, its sealed copy (KMS's
// GenerateDataKey ciphertext, encryption context {"aws:kinesis:arn":
// stream ARN}) in the metadata table tableDataKeys under
// "<stream>@<created>/<id as 16 hex digits>", written before any record
// sealed with it is appended. Routing and the size limits use the
// plaintext. docs/FORMAT.md repeats this.
const (
	flagEncrypted    uint8 = 1
	envelopeVersion  byte  = 1
	envelopeHeader         = 1 + 8
	envelopeNonce          = 12
	envelopeTag            = 16
	envelopeOverhead       = envelopeHeader + envelopeNonce + envelopeTag
	tableDataKeys          = "datakeys"
)

// Data keys are replaced after dataKeyLifetime or dataKeyMaxRecords
// records, whichever comes first; a key's usability is looked up at most
// once per usableTTL (so a disabled key is refused within a second).
const (
	dataKeyLifetime   = 5 * time.Minute
	dataKeyMaxRecords = 1 << 30
	usableTTL         = time.Second
)

// dataKey is one of a stream's data keys, in the clear, in memory only.
type dataKey struct {
	id      uint64
	aead    cipher.AEAD
	kmsKey  string // the KeyId it was made for (the stream's, for sealing keys)
	keyARN  string // the KMS key that sealed it
	created time.Time
	// nonces counts the nonces used: nonce = 4 zero bytes, counter. A data
	// key made by this process is used for sealing by it alone, so a
	// counter never repeats.
	nonces atomic.Uint64
}

// streamKeys are a stream's data keys in memory: the one sealing new
// records, and every one opened for reading, by id.
type streamKeys struct {
	mu   sync.Mutex
	cur  *dataKey
	byID map[uint64]*dataKey
}

// storedKey is a data key's entry in tableDataKeys.
type storedKey struct {
	Blob    []byte `json:"blob"`
	KeyARN  string `json:"keyArn"`
	KeyID   string `json:"keyId"`
	Created int64  `json:"created"` // Unix ns
}

// usableEntry is a cached CheckUsable answer.
type usableEntry struct {
	at  time.Time
	err error
}

// sseState is the engine's cache of key usability.
type sseState struct {
	mu     sync.Mutex
	usable map[string]usableEntry
}

func dataKeyName(m *streamMeta, id uint64) string {
	return fmt.Sprintf("%s@%d/%016x", m.Name, m.Created, id)
}

func (e *Engine) encContext(name string) map[string]string {
	return map[string]string{"aws:kinesis:arn": e.arn(name)}
}

// kmsError turns a key service error into Kinesis's answer. The codes are
// the Kinesis model's (aws-sdk-go-v2 service/kinesis v1.56.11
// types/errors.go); the API reference lists them for PutRecord(s),
// GetRecords, SubscribeToShard and StartStreamEncryption. No recording of
// Kinesis's messages for them was found: the message is the key service's.
func kmsError(err error) error {
	var ee *eddy.Error
	if errors.As(err, &ee) {
		switch ee.Code {
		case eddy.CodeKMSNotFound, eddy.CodeInvalidArn:
			return eddy.Errorf(eddy.CodeKinesisKMSNotFound, "%s", ee.Message)
		case eddy.CodeKMSDisabled:
			return eddy.Errorf(eddy.CodeKinesisKMSDisabled, "%s", ee.Message)
		case eddy.CodeKMSInvalidState:
			return eddy.Errorf(eddy.CodeKinesisKMSInvalidState, "%s", ee.Message)
		case eddy.CodeLimitExceeded:
			return eddy.Errorf(eddy.CodeKinesisKMSThrottling, "%s", ee.Message)
		}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return internalf("kms: %w", err)
}

// checkUsable returns kmsError of the key's usability, looked up at most
// once per usableTTL.
func (e *Engine) checkUsable(ctx context.Context, keyID string) error {
	now := e.now()
	e.sse.mu.Lock()
	c, ok := e.sse.usable[keyID]
	e.sse.mu.Unlock()
	if ok && now.Sub(c.at) < usableTTL && now.Sub(c.at) >= 0 {
		return c.err
	}
	err := e.keys.CheckUsable(ctx, keyID)
	if err != nil {
		err = kmsError(err)
		var ee *eddy.Error
		if !errors.As(err, &ee) {
			return err // a failure to find out (cancelled, internal): not cached
		}
	}
	e.sse.mu.Lock()
	if e.sse.usable == nil {
		e.sse.usable = map[string]usableEntry{}
	}
	e.sse.usable[keyID] = usableEntry{at: now, err: err}
	e.sse.mu.Unlock()
	return err
}

// forgetUsable drops the cached usability of keyID (after
// StartStreamEncryption checked it afresh).
func (e *Engine) forgetUsable(keyID string) {
	e.sse.mu.Lock()
	delete(e.sse.usable, keyID)
	e.sse.mu.Unlock()
}

// sealingKey returns the data key new records of the stream are sealed
// with, after checking the stream's KMS key is usable: the current one, or
// a new one (stored before it is returned) when there is none, it is too
// old or too used, or the stream's key changed. n is how many records the
// caller will seal.
func (e *Engine) sealingKey(ctx context.Context, s *stream, m *streamMeta, n int) (*dataKey, error) {
	if err := e.checkUsable(ctx, m.KeyID); err != nil {
		return nil, err
	}
	sk := &s.keys
	sk.mu.Lock()
	defer sk.mu.Unlock()
	now := e.now()
	if k := sk.cur; k != nil && k.kmsKey == m.KeyID && now.Sub(k.created) < dataKeyLifetime &&
		k.nonces.Load()+uint64(n) <= dataKeyMaxRecords {
		return k, nil
	}
	plain, blob, arn, err := e.keys.GenerateDataKey(ctx, m.KeyID, e.encContext(m.Name))
	if err != nil {
		return nil, kmsError(err)
	}
	aead, err := newAEAD(plain)
	clear(plain)
	if err != nil {
		return nil, internalf("data key: %w", err)
	}
	var idb [8]byte
	if _, err := rand.Read(idb[:]); err != nil {
		return nil, internalf("data key id: %w", err)
	}
	k := &dataKey{id: binary.BigEndian.Uint64(idb[:]), aead: aead, kmsKey: m.KeyID, keyARN: arn, created: now}
	b, err := json.Marshal(storedKey{Blob: blob, KeyARN: arn, KeyID: m.KeyID, Created: now.UnixNano()})
	if err != nil {
		return nil, internalf("data key: %w", err)
	}
	name := dataKeyName(m, k.id)
	if err := e.meta.Update(func(tx storage.MetaTx) error { return tx.Put(tableDataKeys, name, b) }); err != nil {
		return nil, internalf("store data key %s: %w", name, err)
	}
	sk.cur = k
	if sk.byID == nil {
		sk.byID = map[uint64]*dataKey{}
	}
	sk.byID[k.id] = k
	return k, nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("data key of %d bytes, want 32", len(key))
	}
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

// sealedSize is the size of an entry's envelope.
func sealedSize(en *putEntry) int {
	ehk := 0
	if en.ExplicitHashKey != nil {
		ehk = len(*en.ExplicitHashKey)
	}
	return envelopeOverhead + uvarintLen(len(en.PartitionKey)) + len(en.PartitionKey) +
		uvarintLen(ehk) + ehk + len(en.Data)
}

func uvarintLen(n int) int {
	var b [binary.MaxVarintLen64]byte
	return binary.PutUvarint(b[:], uint64(n))
}

// sealBufs holds the buffers puts seal records into: the store copies
// appended records (storage.ShardLog.Append does not retain them), so a
// call's buffer is reused by the next one instead of allocating 1 KiB
// per record.
var sealBufs = sync.Pool{New: func() any { return new([]byte) }}

// sealBuffer returns a pooled buffer with room for the envelopes of
// entries, to give back with putSealBuffer.
func sealBuffer(entries []putEntry) *[]byte {
	n := 0
	for i := range entries {
		n += sealedSize(&entries[i])
	}
	bp := sealBufs.Get().(*[]byte)
	if cap(*bp) < n {
		*bp = make([]byte, 0, n)
	}
	*bp = (*bp)[:0]
	return bp
}

// putSealBuffer gives a buffer back; one over 16 MiB is left to the
// garbage collector.
func putSealBuffer(bp *[]byte) {
	if cap(*bp) <= 16<<20 {
		sealBufs.Put(bp)
	}
}

// seal appends an entry's envelope for shard to *buf and returns it (a
// slice of *buf, full: appends to it do not write over the next one).
func (k *dataKey) seal(buf *[]byte, shard int, en *putEntry) []byte {
	var ehk string
	if en.ExplicitHashKey != nil {
		ehk = *en.ExplicitHashKey
	}
	start := len(*buf)
	if cap(*buf)-start < sealedSize(en) {
		*buf = make([]byte, 0, sealedSize(en)) // not sized by sealBuffer
		start = 0
	}
	out := (*buf)[start : start+envelopeHeader+envelopeNonce]
	clear(out)
	out[0] = envelopeVersion
	binary.BigEndian.PutUint64(out[1:9], k.id)
	binary.BigEndian.PutUint64(out[envelopeHeader+4:], k.nonces.Add(1))
	nonce := out[envelopeHeader : envelopeHeader+envelopeNonce]
	p := len(out)
	out = binary.AppendUvarint(out, uint64(len(en.PartitionKey)))
	out = append(out, en.PartitionKey...)
	out = binary.AppendUvarint(out, uint64(len(ehk)))
	out = append(out, ehk...)
	out = append(out, en.Data...)
	aad := envelopeAAD(out[:envelopeHeader], shard)
	out = k.aead.Seal(out[:p], nonce, out[p:], aad[:])
	*buf = (*buf)[:start+len(out)]
	return out[:len(out):len(out)]
}

func envelopeAAD(header []byte, shard int) [envelopeHeader + 4]byte {
	var aad [envelopeHeader + 4]byte
	copy(aad[:], header)
	binary.BigEndian.PutUint32(aad[envelopeHeader:], uint32(shard))
	return aad
}

// corruptEnvelope is the error for an envelope that does not open.
func corruptEnvelope(name string, shard int, seq uint64, why string) error {
	return internalf("stream %s shard %d record %d: encrypted record: %s", name, shard, seq, why)
}

// openRecords replaces the encrypted records of recs (read from shard st
// of the stream s in view v) by their plaintext, in place: the
// plaintext is written over the ciphertext when inPlace (the records'
// data are the caller's buffer), else into a new buffer. Records stay
// marked with flagEncrypted, which the caller reports as EncryptionType
// KMS. Each KMS key the records were sealed under must be usable.
func (e *Engine) openRecords(ctx context.Context, s *stream, v *streamView, st *shardState, recs []storage.Record, inPlace bool) error {
	var slab []byte
	checked := ""
	for i := range recs {
		r := &recs[i]
		if r.Flags&flagEncrypted == 0 {
			continue
		}
		if e.keys == nil {
			return internalf("stream %s: encrypted records and no key service", v.meta.Name)
		}
		d := r.Data
		if len(d) < envelopeOverhead || d[0] != envelopeVersion {
			return corruptEnvelope(v.meta.Name, st.meta.Index, r.Seq, "bad header")
		}
		k, err := e.openingKey(ctx, s, &v.meta, binary.BigEndian.Uint64(d[1:9]))
		if err != nil {
			return err
		}
		if k.keyARN != checked {
			if err := e.checkUsable(ctx, k.keyARN); err != nil {
				return err
			}
			checked = k.keyARN
		}
		aad := envelopeAAD(d[:envelopeHeader], st.meta.Index)
		nonce, ct := d[envelopeHeader:envelopeHeader+envelopeNonce], d[envelopeHeader+envelopeNonce:]
		var dst []byte
		if inPlace {
			dst = ct[:0]
		} else {
			if slab == nil {
				n := 0
				for j := i; j < len(recs); j++ {
					n += len(recs[j].Data)
				}
				slab = make([]byte, 0, n)
			}
			dst = slab[len(slab):]
		}
		pt, err := k.aead.Open(dst, nonce, ct, aad[:])
		if err != nil {
			return corruptEnvelope(v.meta.Name, st.meta.Index, r.Seq, "authentication failed")
		}
		if !inPlace {
			slab = slab[:len(slab)+len(pt)]
		}
		pk, rest, ok := cutUvarint(pt)
		if !ok {
			return corruptEnvelope(v.meta.Name, st.meta.Index, r.Seq, "bad partition key")
		}
		ehk, data, ok := cutUvarint(rest)
		if !ok {
			return corruptEnvelope(v.meta.Name, st.meta.Index, r.Seq, "bad explicit hash key")
		}
		r.PartitionKey, r.ExplicitHashKey, r.Data = string(pk), string(ehk), data
	}
	return nil
}

// cutUvarint splits b into a uvarint-prefixed field and the rest.
func cutUvarint(b []byte) (field, rest []byte, ok bool) {
	n, w := binary.Uvarint(b)
	if w <= 0 || n > uint64(len(b)-w) {
		return nil, nil, false
	}
	return b[w : w+int(n)], b[w+int(n):], true
}

// openingKey returns the stream's data key id: from memory, or read from
// the store and opened by the key service.
func (e *Engine) openingKey(ctx context.Context, s *stream, m *streamMeta, id uint64) (*dataKey, error) {
	sk := &s.keys
	sk.mu.Lock()
	k := sk.byID[id]
	sk.mu.Unlock()
	if k != nil {
		return k, nil
	}
	name := dataKeyName(m, id)
	var b []byte
	err := e.meta.View(func(tx storage.MetaTx) error {
		v, err := tx.Get(tableDataKeys, name)
		b = v
		return err
	})
	if err != nil {
		return nil, internalf("data key %s: %w", name, err)
	}
	var rec storedKey
	if err := json.Unmarshal(b, &rec); err != nil {
		return nil, internalf("data key %s: %w", name, err)
	}
	plain, arn, err := e.keys.Decrypt(ctx, rec.Blob, e.encContext(m.Name))
	if err != nil {
		return nil, kmsError(err)
	}
	aead, err := newAEAD(plain)
	clear(plain)
	if err != nil {
		return nil, internalf("data key %s: %w", name, err)
	}
	k = &dataKey{id: id, aead: aead, kmsKey: rec.KeyID, keyARN: arn, created: time.Unix(0, rec.Created)}
	sk.mu.Lock()
	defer sk.mu.Unlock()
	if have := sk.byID[id]; have != nil {
		return have, nil
	}
	if sk.byID == nil {
		sk.byID = map[uint64]*dataKey{}
	}
	sk.byID[id] = k
	return k, nil
}

// recordEncryption is a read record's EncryptionType: KMS for a record
// stored encrypted, else none: the member is left out, as Eddy sent
// records before (and its golden files keep). The API reference allows
// NONE | KMS and does not say which Kinesis sends for a plain record; no
// recording of one was found (kinesalite's getRecords tests check no
// record's members): docs/DIFFERENCES.md.
func recordEncryption(r *storage.Record) kds.EncryptionType {
	if r.Flags&flagEncrypted != 0 {
		return kds.EncryptionTypeKMS
	}
	return ""
}

// deleteDataKeys removes the stored data keys of a stream incarnation.
func deleteDataKeys(tx storage.MetaTx, m *streamMeta) error {
	prefix := fmt.Sprintf("%s@%d/", m.Name, m.Created)
	var names []string
	err := tx.Scan(tableDataKeys, prefix, "", func(key string, _ []byte) (bool, error) {
		names = append(names, key)
		return true, nil
	})
	if err != nil {
		return err
	}
	for _, n := range names {
		if err := tx.Delete(tableDataKeys, n); err != nil {
			return err
		}
	}
	return nil
}
