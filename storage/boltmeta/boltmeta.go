// Package boltmeta is Eddy's durable storage.MetaStore, kept in one bbolt
// (go.etcd.io/bbolt) database file. Each metadata table is a top-level bbolt
// bucket named after the table; each key is a bucket key and each value the
// bucket value, stored as given:
//
//	meta.db                       bbolt file (B+tree pages, copy-on-write)
//	  bucket "streams"            one bucket per table, created by its first Put
//	    "stream-a" -> {"...":...}  keys sort bytewise, as the contract requires
//	  bucket "checkpoints"
//	    ...
//
// Transactions are bbolt's: one writer at a time and any number of readers
// on consistent snapshots, so they are serialisable. An Update commits with
// an fsync before it returns (unless Config.NoSync). Tables are never
// dropped: a table whose keys were all deleted stays as an empty bucket,
// which reads exactly like a missing table.
//
// Usage:
//
//	store, err := boltmeta.Open(filepath.Join(dir, "meta.db"), boltmeta.DefaultConfig())
//	err = store.Update(func(tx storage.MetaTx) error { return tx.Put("streams", "a", js) })
//	defer store.Close()
//
// bbolt holds an exclusive lock on the file while the store is open, so a
// second process (or a second Open in this one) waits up to Config.Timeout
// and then fails.
package boltmeta

import (
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/eddy-streams/eddy/storage"
	"github.com/eddy-streams/eddy/storage/internal/groupcommit"
)

// Config configures a Store. The zero Config is not valid; start from
// DefaultConfig.
type Config struct {
	// Timeout is how long Open waits for the database file's lock when
	// another process (or another open Store) holds it, before failing.
	// Must be positive. Default 1s.
	Timeout time.Duration
	// NoSync skips the fsync at each commit. Tests only: with it, a crash
	// or power loss can lose committed transactions or corrupt the file.
	// Default false.
	NoSync bool
	// FileMode is the permission of the database file when Open creates
	// it. Default 0600.
	FileMode os.FileMode
}

// DefaultConfig returns the default Config.
func DefaultConfig() Config {
	return Config{Timeout: time.Second, FileMode: 0o600}
}

// Validate reports whether c is usable.
func (c Config) Validate() error {
	if c.Timeout <= 0 {
		return fmt.Errorf("boltmeta: Timeout must be positive, got %v", c.Timeout)
	}
	if c.FileMode&^os.ModePerm != 0 || c.FileMode&0o600 != 0o600 {
		return fmt.Errorf("boltmeta: FileMode must be permission bits including 0600, got %v", c.FileMode)
	}
	return nil
}

// Store is a storage.MetaStore in a bbolt file. It is safe for concurrent
// use. The function given to View or Update must not call the Store's
// methods: bbolt transactions do not nest, and a nested Update deadlocks.
type Store struct {
	db     *bolt.DB
	closed atomic.Bool
	batch  groupcommit.Queue
}

var _ storage.MetaStore = (*Store)(nil)

// Open opens the database at path, creating the file (but not its
// directory) if it does not exist.
func Open(path string, cfg Config) (*Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	db, err := bolt.Open(path, cfg.FileMode, &bolt.Options{
		Timeout:      cfg.Timeout,
		NoSync:       cfg.NoSync,
		FreelistType: bolt.FreelistMapType,
	})
	if err != nil {
		if errors.Is(err, berrors.ErrTimeout) {
			return nil, fmt.Errorf("boltmeta: open %s: file is locked by another process (waited %v): %w", path, cfg.Timeout, err)
		}
		return nil, fmt.Errorf("boltmeta: open %s: %w", path, err)
	}
	return &Store{db: db}, nil
}

// View runs fn in a read-only transaction on a consistent snapshot.
func (s *Store) View(fn func(storage.MetaTx) error) error {
	if s.closed.Load() {
		return storage.ErrClosed
	}
	ran := false
	err := s.db.View(func(btx *bolt.Tx) error {
		ran = true
		tx := &metaTx{btx: btx}
		defer func() { tx.btx = nil }()
		return fn(tx)
	})
	return s.mapErr(err, ran)
}

// Update runs fn in a read-write transaction and commits it if fn returns
// nil, with an fsync unless Config.NoSync.
func (s *Store) Update(fn func(storage.MetaTx) error) error {
	if s.closed.Load() {
		return storage.ErrClosed
	}
	ran, fnErr := false, false
	err := s.db.Update(func(btx *bolt.Tx) error {
		ran = true
		tx := &metaTx{btx: btx, writable: true}
		defer func() { tx.btx = nil }()
		err := fn(tx)
		fnErr = err != nil
		return err
	})
	if err != nil && ran && !fnErr {
		return fmt.Errorf("boltmeta: commit: %w", err)
	}
	return s.mapErr(err, ran)
}

// mapErr turns bbolt's error for a transaction begun on a closed database
// into storage.ErrClosed; fn's own errors pass through unchanged.
func (s *Store) mapErr(err error, ran bool) error {
	if err != nil && !ran && errors.Is(err, berrors.ErrDatabaseNotOpen) {
		return storage.ErrClosed
	}
	return err
}

// Close waits for running transactions to finish and closes the file. Later
// calls, including Close, return storage.ErrClosed.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return storage.ErrClosed
	}
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("boltmeta: close: %w", err)
	}
	return nil
}

// metaTx adapts a bbolt transaction to storage.MetaTx. btx is nil once the
// transaction has ended.
type metaTx struct {
	btx      *bolt.Tx
	writable bool
	writes   int // Puts and Deletes so far, so Scan knows to reposition
}

// errTxDone is returned by a MetaTx used after its View or Update returned.
var errTxDone = errors.New("boltmeta: transaction used after it ended")

func (tx *metaTx) bucket(table string) *bolt.Bucket {
	if table == "" {
		return nil
	}
	return tx.btx.Bucket([]byte(table))
}

func (tx *metaTx) Get(table, key string) ([]byte, error) {
	if tx.btx == nil {
		return nil, errTxDone
	}
	b := tx.bucket(table)
	if b == nil || key == "" {
		return nil, storage.ErrNotFound
	}
	// Seek rather than Get: Get cannot tell a missing key from an empty
	// value.
	k, v := b.Cursor().Seek([]byte(key))
	if k == nil || string(k) != key {
		return nil, storage.ErrNotFound
	}
	// v points into the memory-mapped file, valid only during the
	// transaction: the caller gets a copy.
	out := make([]byte, len(v))
	copy(out, v)
	return out, nil
}

func (tx *metaTx) Put(table, key string, value []byte) error {
	if tx.btx == nil {
		return errTxDone
	}
	if !tx.writable {
		return storage.ErrReadOnly
	}
	if table == "" || key == "" {
		return fmt.Errorf("boltmeta: put %q/%q: table and key must be non-empty", table, key)
	}
	b, err := tx.btx.CreateBucketIfNotExists([]byte(table))
	if err != nil {
		return fmt.Errorf("boltmeta: put %q/%q: create table: %w", table, key, err)
	}
	// bbolt keeps the value slice until the transaction ends; the caller
	// may change theirs as soon as Put returns.
	v := make([]byte, len(value))
	copy(v, value)
	tx.writes++
	if err := b.Put([]byte(key), v); err != nil {
		return fmt.Errorf("boltmeta: put %q/%q: %w", table, key, err)
	}
	return nil
}

func (tx *metaTx) Delete(table, key string) error {
	if tx.btx == nil {
		return errTxDone
	}
	if !tx.writable {
		return storage.ErrReadOnly
	}
	b := tx.bucket(table)
	if b == nil || key == "" {
		return nil
	}
	tx.writes++
	if err := b.Delete([]byte(key)); err != nil {
		return fmt.Errorf("boltmeta: delete %q/%q: %w", table, key, err)
	}
	return nil
}

func (tx *metaTx) Scan(table, prefix, startAfter string, fn func(key string, value []byte) (bool, error)) error {
	if tx.btx == nil {
		return errTxDone
	}
	b := tx.bucket(table)
	if b == nil {
		return nil
	}
	c := b.Cursor()
	var k, v []byte
	if startAfter >= prefix {
		k, v = c.Seek([]byte(startAfter))
		if k != nil && string(k) == startAfter {
			k, v = c.Next()
		}
	} else {
		k, v = c.Seek([]byte(prefix))
	}
	for k != nil {
		key := string(k)
		if len(key) < len(prefix) || key[:len(prefix)] != prefix {
			return nil
		}
		writes := tx.writes
		more, err := fn(key, v)
		if err != nil || !more {
			return err
		}
		if tx.writes != writes {
			// fn wrote, which can invalidate a bbolt cursor: find our
			// place again.
			c = tx.bucket(table).Cursor()
			k, v = c.Seek([]byte(key))
			if k != nil && string(k) == key {
				k, v = c.Next()
			}
			continue
		}
		k, v = c.Next()
	}
	return nil
}

func (tx *metaTx) ScanReverse(table, prefix, startBefore string, fn func(key string, value []byte) (bool, error)) error {
	if tx.btx == nil {
		return errTxDone
	}
	b := tx.bucket(table)
	if b == nil {
		return nil
	}
	// hi bounds the keys from above, exclusive ("": no bound).
	hi := prefixEnd(prefix)
	if startBefore != "" && (hi == "" || startBefore < hi) {
		hi = startBefore
	}
	// before positions c on the last key below bound.
	before := func(c *bolt.Cursor, bound string) ([]byte, []byte) {
		if bound == "" {
			return c.Last()
		}
		if k, _ := c.Seek([]byte(bound)); k == nil {
			return c.Last()
		}
		return c.Prev()
	}
	c := b.Cursor()
	k, v := before(c, hi)
	for k != nil {
		key := string(k)
		if hi != "" && key >= hi {
			// Only possible when Last found a key at or past an exclusive
			// bound that Seek did not: skip it.
			k, v = c.Prev()
			continue
		}
		if len(key) < len(prefix) || key[:len(prefix)] != prefix {
			return nil
		}
		writes := tx.writes
		more, err := fn(key, v)
		if err != nil || !more {
			return err
		}
		if tx.writes != writes {
			// fn wrote, which can invalidate a bbolt cursor: find our
			// place again, below the key just visited.
			c = tx.bucket(table).Cursor()
			k, v = before(c, key)
			continue
		}
		k, v = c.Prev()
	}
	return nil
}

// prefixEnd returns the least string above every string starting with
// prefix, or "" when there is none (prefix is empty or all 0xff bytes).
func prefixEnd(prefix string) string {
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1])
		}
	}
	return ""
}
