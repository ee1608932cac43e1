// Package storage defines the two interfaces Eddy's engine stores everything
// through, and the contract every backend must keep:
//
//   - Logs / ShardLog: one append-only log of records per shard.
//   - MetaStore: small transactional metadata (streams, shards, lineage,
//     consumers, tags, policies, checkpoints, lease tables).
//
// Backends: storage/segment (the default: durable files on local disk, with
// metadata in bbolt through storage/boltmeta) and storage/mem (in memory, for
// tests and --in-memory). storage/storagetest is the conformance suite that
// every backend passes.
//
// # Positions
//
// Every record in a shard log has a sequence position: a uint64 assigned by
// the log on append. Positions are dense and strictly increasing: the first
// record of a new log has position 0 (or the base given to Create), and each
// appended record gets the previous position plus one. The engine turns a
// position into a Kinesis sequence number; storage knows nothing of that
// encoding.
//
// A log's retained records are the half-open range [Oldest, Next): Oldest is
// the position of the oldest record not yet trimmed and Next is the position
// the next appended record will get. The log is empty when Oldest == Next.
//
// Usage:
//
//	log, err := logs.Create("stream-a/shardId-000000000000", 0)
//	first, err := log.Append([]storage.Record{{PartitionKey: "k", Data: b, Arrival: time.Now()}})
//	recs, err := log.Read(first, 100, 1<<20)
package storage

import (
	"errors"
	"sync"
	"time"
)

// Errors returned by backends. Backends return these values (possibly wrapped
// with context); callers test with errors.Is.
var (
	// ErrNotFound: the log, table or key does not exist.
	ErrNotFound = errors.New("storage: not found")
	// ErrExists: Create was called for a log id that already exists.
	ErrExists = errors.New("storage: already exists")
	// ErrSealed: Append was called on a sealed log.
	ErrSealed = errors.New("storage: log is sealed")
	// ErrDeleted: the log was deleted; every later call on it fails so.
	ErrDeleted = errors.New("storage: log deleted")
	// ErrClosed: the store was closed.
	ErrClosed = errors.New("storage: closed")
	// ErrOutOfRange: a read or seek position is beyond the log's Next.
	ErrOutOfRange = errors.New("storage: position beyond end of log")
	// ErrTooLarge: a record exceeds the backend's size limits.
	ErrTooLarge = errors.New("storage: record too large")
	// ErrCorrupt: stored data failed validation. Backends wrap it with the
	// shard, file and offset where the corruption was found.
	ErrCorrupt = errors.New("storage: corrupt data")
)

// Record is one stored record.
type Record struct {
	// Seq is the record's position. Append ignores the caller's value and
	// assigns positions; Read sets it.
	Seq uint64
	// Arrival is when the record was accepted. Append stores
	// max(Arrival, arrival of the previous record) so that arrival times
	// never decrease within a log; Read returns the stored value with
	// nanosecond precision (in UTC).
	Arrival time.Time
	// PartitionKey as the producer sent it (at most 1 KiB of UTF-8).
	PartitionKey string
	// ExplicitHashKey as the producer sent it, or "" when none was sent
	// (at most 255 bytes).
	ExplicitHashKey string
	// Flags are opaque bits stored with the record for the engine's use
	// (for example, how its data is encrypted).
	Flags uint8
	// Data is the record's payload, at most MaxDataSize bytes.
	Data []byte
}

// Size limits every backend enforces on Append (ErrTooLarge beyond them).
const (
	MaxDataSize            = 10 << 20
	MaxPartitionKeySize    = 1024
	MaxExplicitHashKeySize = 255
)

// Bounds describes a log's extent.
type Bounds struct {
	// Oldest is the position of the oldest retained record; Next the
	// position the next appended record will get. Retained records are
	// [Oldest, Next).
	Oldest, Next uint64
	// Sealed reports that the log takes no more appends; its last record,
	// if any, is Next-1.
	Sealed bool
}

// Logs is a collection of shard logs, addressed by id. Ids are non-empty
// strings of at most MaxIDLen letters, digits and the characters "-_.:/"
// with no empty, "." or ".." path element; backends may map a whole id to
// one file name, hence the length limit (a Kinesis stream name is at most
// 128 characters and a shard id 20).
//
// Implementations are safe for concurrent use.
type Logs interface {
	// Create makes a new, empty log whose first record will get position
	// base. It returns ErrExists if a log with that id exists.
	Create(id string, base uint64) (ShardLog, error)
	// Open returns the existing log with that id, or ErrNotFound. Opening
	// is cheap: backends may defer reading the log's files until first use.
	// Open returns the same ShardLog for the same id while the store is open.
	Open(id string) (ShardLog, error)
	// List returns the ids of all logs, sorted.
	List() ([]string, error)
	// Close flushes (syncs) everything and releases every resource. Every
	// later call on the store or its logs returns ErrClosed.
	Close() error
}

// MultiAppender is implemented by stores that append to several of their
// logs at once for less than separate Appends cost: with a durable sync
// mode, one sync for all of them. A PutRecords spreads its records over
// the stream's shards.
type MultiAppender interface {
	// AppendMulti appends each batch to its log, as Append would, and sets
	// its First and Err. Batches must be for different logs of this store.
	// It returns once every batch is acknowledged or has failed; a batch's
	// failure does not fail the others.
	AppendMulti(batches []AppendBatch)
}

// AppendAll appends each batch to its log: through the store's
// AppendMulti if it is a MultiAppender, else as AppendEach does.
func AppendAll(s Logs, batches []AppendBatch) {
	if m, ok := s.(MultiAppender); ok {
		m.AppendMulti(batches)
		return
	}
	AppendEach(batches)
}

// AppendEach appends each batch with its log's Append, all at once (the
// last in the caller's goroutine), and returns when all have returned.
func AppendEach(batches []AppendBatch) {
	if len(batches) == 0 {
		return
	}
	var wg sync.WaitGroup
	for i := range batches[:len(batches)-1] {
		wg.Add(1)
		go func(b *AppendBatch) {
			defer wg.Done()
			b.First, b.Err = b.Log.Append(b.Recs)
		}(&batches[i])
	}
	last := &batches[len(batches)-1]
	last.First, last.Err = last.Log.Append(last.Recs)
	wg.Wait()
}

// AppendBatch is one log's part of an AppendMulti.
type AppendBatch struct {
	Log   ShardLog
	Recs  []Record
	First uint64 // out: the position of Recs[0]
	Err   error  // out
}

// ShardLog is the append-only record log of one shard. Implementations are
// safe for concurrent use: appends are serialised in the order the log
// accepts them, and reads run concurrently with appends.
//
// Readers see a record only once it is acknowledged: with a durable sync
// mode, only after it has been synced to stable storage.
type ShardLog interface {
	// ID returns the id the log was created with.
	ID() string

	// Append stores recs as one batch and returns the position of the first;
	// recs[i] gets position first+i. Append returns only once the batch is
	// as durable as the backend's sync mode promises (for the segment
	// backend's default, fsync'd). The batch is all or nothing: on error no
	// record of it is acknowledged, and the log is unchanged for readers.
	//
	// Append does not modify recs or retain them after it returns.
	// Errors: ErrSealed, ErrDeleted, ErrClosed, ErrTooLarge (nothing
	// stored), or an I/O error. An empty batch returns (Next, nil), also on
	// a sealed log.
	Append(recs []Record) (first uint64, err error)

	// Read returns up to maxRecords records starting at position from, in
	// order, stopping before the record that would make the sum of
	// len(Data)+len(PartitionKey) exceed maxBytes; it always returns at
	// least one record when one is available, however large.
	//
	//   - from < Oldest (trimmed): reading starts at Oldest; the caller sees
	//     the gap in the first record's Seq.
	//   - from == Next: no records, nil error (nothing yet).
	//   - from > Next: ErrOutOfRange.
	//   - maxRecords <= 0: no records, nil error.
	//
	// The returned records and the memory their Data and PartitionKey refer
	// to belong to the caller; the log never modifies them afterwards.
	// Errors: ErrDeleted, ErrClosed, ErrOutOfRange, or an error wrapping
	// ErrCorrupt naming where the bad data is.
	Read(from uint64, maxRecords, maxBytes int) ([]Record, error)

	// SeekTime returns the position of the first retained record whose
	// Arrival is at or after t, or Next if there is none (t is after every
	// record). If t is before the oldest retained record it returns Oldest.
	SeekTime(t time.Time) (uint64, error)

	// Bounds returns the log's current extent.
	Bounds() (Bounds, error)

	// Seal closes the log for appends: later Appends return ErrSealed.
	// Sealing is durable and idempotent; appends that were acknowledged
	// before Seal returned are kept. Reads continue to work.
	Seal() error

	// TrimBefore drops records whose arrival is before cutoff. Backends
	// may keep more than asked (the segment backend deletes only whole
	// segments whose newest record is older than cutoff) but never drop a
	// record whose Arrival is at or after cutoff. It returns the new Oldest.
	TrimBefore(cutoff time.Time) (oldest uint64, err error)

	// Delete removes the log and all its records. Every later call on this
	// ShardLog returns ErrDeleted; the id may be Created again.
	Delete() error
}

// MetaStore holds Eddy's metadata as tables of key -> value, with
// serialisable transactions. Keys within a table sort bytewise. Values are
// opaque bytes (the engine stores JSON).
//
// Implementations are safe for concurrent use. The function given to View or
// Update must not call the store itself (it would deadlock).
type MetaStore interface {
	// View runs fn in a read-only transaction. MetaTx.Put and Delete
	// return ErrReadOnly inside it.
	View(fn func(MetaTx) error) error
	// Update runs fn in a read-write transaction. If fn returns nil the
	// transaction commits (durably, for a durable backend) before Update
	// returns; if fn returns an error nothing it did is kept and Update
	// returns that error.
	Update(fn func(MetaTx) error) error
	// Batch is Update for many concurrent small transactions: a durable
	// backend may commit the functions of several concurrent Batch calls
	// in one transaction, with one sync. Each call still sees and keeps
	// its writes as if it ran alone after the ones before it, and an error
	// fn returns is returned to its caller alone (the others commit). fn
	// may be called more than once, so it must have no effect but through
	// its MetaTx, and must decide the same way each time it sees the same
	// data. A panic in fn is raised again in its caller.
	Batch(fn func(MetaTx) error) error
	// Close releases the store. Later calls return ErrClosed.
	Close() error
}

// ErrReadOnly is returned by MetaTx.Put and MetaTx.Delete inside View.
var ErrReadOnly = errors.New("storage: read-only transaction")

// MetaTx is a metadata transaction. It is valid only inside the function
// given to View or Update, and only on that goroutine.
type MetaTx interface {
	// Get returns the value stored under key in table, or ErrNotFound
	// (also when the table does not exist). The returned slice is the
	// caller's.
	Get(table, key string) ([]byte, error)
	// Put stores value under key, creating the table if needed. Put copies
	// value. Table and key must be non-empty.
	Put(table, key string, value []byte) error
	// Delete removes key from table; deleting a missing key is not an error.
	Delete(table, key string) error
	// Scan calls fn for each key in table that starts with prefix and sorts
	// after startAfter ("" for from the beginning), in key order, until fn
	// returns false or an error. A missing table has no keys. The value
	// passed to fn is valid only during the call.
	Scan(table, prefix, startAfter string, fn func(key string, value []byte) (more bool, err error)) error
	// ScanReverse is Scan in descending key order: fn is called for each
	// key in table that starts with prefix and sorts before startBefore (""
	// for from the last key), until fn returns false or an error. As in
	// Scan, fn may write: every key present when the scan reaches it is
	// visited once, with its value then.
	ScanReverse(table, prefix, startBefore string, fn func(key string, value []byte) (more bool, err error)) error
}

// MaxIDLen is the longest valid log id, in bytes: a file name's limit on
// common filesystems.
const MaxIDLen = 255

// ValidID reports whether id is a valid log id (see Logs).
func ValidID(id string) bool {
	if id == "" || len(id) > MaxIDLen {
		return false
	}
	elemStart := 0
	for i := 0; i <= len(id); i++ {
		if i == len(id) || id[i] == '/' {
			elem := id[elemStart:i]
			if elem == "" || elem == "." || elem == ".." {
				return false
			}
			elemStart = i + 1
			continue
		}
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '-' || c == '_' || c == '.' || c == ':':
		default:
			return false
		}
	}
	return true
}

// RecordSize is the number of bytes a record counts for against Read's
// maxBytes: its data plus its partition key.
func RecordSize(r *Record) int { return len(r.Data) + len(r.PartitionKey) }

// CheckRecord returns ErrTooLarge if r exceeds the size limits.
func CheckRecord(r *Record) error {
	if len(r.Data) > MaxDataSize || len(r.PartitionKey) > MaxPartitionKeySize || len(r.ExplicitHashKey) > MaxExplicitHashKeySize {
		return ErrTooLarge
	}
	return nil
}

// BufferReader is an optional interface of a ShardLog: ReadBuffer is Read
// with the records' memory carved from buf (from len(buf) to cap(buf)) while
// it has room, so a caller that has finished with one batch can hand its
// memory back for the next instead of allocating afresh. It returns the
// records and the buffer to pass next time (buf, or a larger replacement).
// The records alias that buffer: they are valid until the caller reuses it.
type BufferReader interface {
	ReadBuffer(from uint64, maxRecords, maxBytes int, buf []byte) ([]Record, []byte, error)
}

// Watcher is implemented by a MetaStore that other processes write to as
// well (storage/jetstream, where every Eddy node of a cluster shares one
// store). Watch calls fn with the table and key of each write another
// process committed, once this store's transactions see it, on a
// goroutine of the store's, one call at a time. fn must return quickly and
// must not call the store (hand the work to another goroutine). The
// returned function stops the calls.
type Watcher interface {
	Watch(fn func(table, key string)) (stop func())
}

// Watch calls m's Watch if m is a Watcher and reports whether it is; a
// store no other process writes to has nothing to report.
func Watch(m MetaStore, fn func(table, key string)) (stop func(), ok bool) {
	if w, isW := m.(Watcher); isW && watchable(m) {
		return w.Watch(fn), true
	}
	return func() {}, false
}

// watchable reports whether m, under any prefixed views, is a Watcher.
func watchable(m MetaStore) bool {
	if p, ok := m.(*prefixMeta); ok {
		return watchable(p.m)
	}
	_, ok := m.(Watcher)
	return ok
}

// AppendWatcher is implemented by shard logs that other processes append
// to as well (storage/jetstream). WatchAppends calls fn each time a batch
// appended from then on, through any process, has become readable, until
// stop is called or the log is deleted. fn must return quickly.
type AppendWatcher interface {
	WatchAppends(fn func()) (stop func())
}
