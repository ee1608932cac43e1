// Package mem is Eddy's in-memory storage backend: a storage.Logs and a
// storage.MetaStore that keep everything in the process's heap. It backs
// tests and the server's --in-memory mode; nothing survives Close or a
// restart.
//
// Both stores keep the whole storage contract (see package storage), and pass
// the conformance suite in storage/storagetest:
//
//	logs := mem.NewLogs()
//	log, err := logs.Create("stream-a/shardId-000000000000", 0)
//	first, err := log.Append([]storage.Record{{PartitionKey: "k", Data: b, Arrival: time.Now()}})
//	recs, err := log.Read(first, 100, 1<<20)
//
//	meta := mem.NewMeta()
//	err = meta.Update(func(tx storage.MetaTx) error { return tx.Put("streams", "a", js) })
//
// # Memory
//
// A shard log is a slice of records whose Data is copied on Append, so the
// log never shares memory with its callers. Read copies the requested
// records' data into one fresh buffer per call. TrimBefore drops exactly the
// records whose Arrival is before the cutoff and releases their memory.
//
// Metadata tables are a map plus a sorted key slice; an Update stages its
// writes and applies them only when its function returns nil. View takes a
// read lock and Update the write lock, so transactions are serialisable.
package mem

import (
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/eddy-streams/eddy/storage"
)

// NewLogs returns an empty in-memory collection of shard logs.
func NewLogs() storage.Logs {
	l := &logs{}
	l.mu.logs = make(map[string]*shardLog)
	return l
}

// AppendMulti implements storage.MultiAppender: the batches one after
// another, as nothing waits for a disk.
func (s *logs) AppendMulti(bs []storage.AppendBatch) {
	for i := range bs {
		bs[i].First, bs[i].Err = bs[i].Log.Append(bs[i].Recs)
	}
}

type logs struct {
	// closed is set by Close; shard logs check it without taking mu.
	closed atomic.Bool

	mu struct {
		sync.Mutex
		logs map[string]*shardLog
	}
}

var _ storage.Logs = (*logs)(nil)

func (s *logs) Create(id string, base uint64) (storage.ShardLog, error) {
	if !storage.ValidID(id) {
		return nil, fmt.Errorf("mem: create log %q: invalid id", id)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed.Load() {
		return nil, storage.ErrClosed
	}
	if _, ok := s.mu.logs[id]; ok {
		return nil, fmt.Errorf("mem: create log %q: %w", id, storage.ErrExists)
	}
	l := &shardLog{id: id, store: s}
	l.mu.base = base
	s.mu.logs[id] = l
	return l, nil
}

func (s *logs) Open(id string) (storage.ShardLog, error) {
	if !storage.ValidID(id) {
		return nil, fmt.Errorf("mem: open log %q: invalid id", id)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed.Load() {
		return nil, storage.ErrClosed
	}
	l, ok := s.mu.logs[id]
	if !ok {
		return nil, fmt.Errorf("mem: open log %q: %w", id, storage.ErrNotFound)
	}
	return l, nil
}

func (s *logs) List() ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed.Load() {
		return nil, storage.ErrClosed
	}
	ids := make([]string, 0, len(s.mu.logs))
	for id := range s.mu.logs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids, nil
}

// Close drops every log. Later calls on the store or its logs, including
// Close, return storage.ErrClosed.
func (s *logs) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed.Swap(true) {
		return storage.ErrClosed
	}
	for _, l := range s.mu.logs {
		l.mu.Lock()
		l.mu.recs = nil
		l.mu.Unlock()
	}
	s.mu.logs = nil
	return nil
}

// remove deletes l from the store's index if it is still the log under its
// id. It reports storage.ErrClosed if the store was closed.
func (s *logs) remove(l *shardLog) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed.Load() {
		return storage.ErrClosed
	}
	if s.mu.logs[l.id] == l {
		delete(s.mu.logs, l.id)
	}
	return nil
}

// shardLog is one in-memory log. Its retained records are mu.recs, the first
// of which has position mu.base; Next is mu.base+len(mu.recs).
type shardLog struct {
	id    string
	store *logs

	mu struct {
		sync.RWMutex
		base    uint64
		recs    []storage.Record
		last    time.Time // arrival of the newest record ever appended, kept across trims
		sealed  bool
		deleted bool
	}
}

var _ storage.ShardLog = (*shardLog)(nil)

func (l *shardLog) ID() string { return l.id }

// checkLocked returns the error every call on a closed store or a deleted
// log returns. l.mu must be held (for reading or writing).
func (l *shardLog) checkLocked() error {
	if l.store.closed.Load() {
		return storage.ErrClosed
	}
	if l.mu.deleted {
		return fmt.Errorf("mem: log %q: %w", l.id, storage.ErrDeleted)
	}
	return nil
}

func (l *shardLog) nextLocked() uint64 { return l.mu.base + uint64(len(l.mu.recs)) }

func (l *shardLog) Append(recs []storage.Record) (uint64, error) {
	for i := range recs {
		if err := storage.CheckRecord(&recs[i]); err != nil {
			return 0, fmt.Errorf("mem: append to %q: record %d: %w", l.id, i, err)
		}
	}
	// Copy the batch's data into one buffer before taking the lock.
	size := 0
	for i := range recs {
		size += len(recs[i].Data)
	}
	buf := make([]byte, 0, size)
	stored := make([]storage.Record, len(recs))
	for i := range recs {
		r := &recs[i]
		start := len(buf)
		buf = append(buf, r.Data...)
		stored[i] = storage.Record{
			Arrival:         r.Arrival.UTC(),
			PartitionKey:    r.PartitionKey,
			ExplicitHashKey: r.ExplicitHashKey,
			Flags:           r.Flags,
			Data:            buf[start:len(buf):len(buf)],
		}
	}

	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.checkLocked(); err != nil {
		return 0, err
	}
	first := l.nextLocked()
	if len(recs) == 0 {
		return first, nil
	}
	if l.mu.sealed {
		return 0, fmt.Errorf("mem: append to %q: %w", l.id, storage.ErrSealed)
	}
	last := l.mu.last
	for i := range stored {
		if stored[i].Arrival.Before(last) {
			stored[i].Arrival = last
		}
		last = stored[i].Arrival
		stored[i].Seq = first + uint64(i)
	}
	l.mu.last = last
	l.mu.recs = append(l.mu.recs, stored...)
	return first, nil
}

func (l *shardLog) Read(from uint64, maxRecords, maxBytes int) ([]storage.Record, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if err := l.checkLocked(); err != nil {
		return nil, err
	}
	next := l.nextLocked()
	if from > next {
		return nil, fmt.Errorf("mem: read %q at %d (next %d): %w", l.id, from, next, storage.ErrOutOfRange)
	}
	if from == next || maxRecords <= 0 {
		return nil, nil
	}
	from = max(from, l.mu.base)
	src := l.mu.recs[from-l.mu.base:]

	// Choose the records, then copy their data into one buffer.
	n, size, total := 0, 0, 0
	for n < len(src) && n < maxRecords {
		rs := storage.RecordSize(&src[n])
		if n > 0 && total+rs > maxBytes {
			break
		}
		total += rs
		size += len(src[n].Data)
		n++
	}
	out := make([]storage.Record, n)
	buf := make([]byte, 0, size)
	for i := range out {
		out[i] = src[i]
		start := len(buf)
		buf = append(buf, src[i].Data...)
		out[i].Data = buf[start:len(buf):len(buf)]
	}
	return out, nil
}

func (l *shardLog) SeekTime(t time.Time) (uint64, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if err := l.checkLocked(); err != nil {
		return 0, err
	}
	return l.mu.base + uint64(l.firstAtOrAfterLocked(t)), nil
}

// firstAtOrAfterLocked returns the index in l.mu.recs of the first record
// whose arrival is at or after t, or len(l.mu.recs). Arrivals never decrease
// within a log, so a binary search finds it.
func (l *shardLog) firstAtOrAfterLocked(t time.Time) int {
	return sort.Search(len(l.mu.recs), func(i int) bool { return !l.mu.recs[i].Arrival.Before(t) })
}

func (l *shardLog) Bounds() (storage.Bounds, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if err := l.checkLocked(); err != nil {
		return storage.Bounds{}, err
	}
	return storage.Bounds{Oldest: l.mu.base, Next: l.nextLocked(), Sealed: l.mu.sealed}, nil
}

func (l *shardLog) Seal() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.checkLocked(); err != nil {
		return err
	}
	l.mu.sealed = true
	return nil
}

// TrimBefore drops exactly the records whose arrival is before cutoff.
func (l *shardLog) TrimBefore(cutoff time.Time) (uint64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.checkLocked(); err != nil {
		return 0, err
	}
	if k := l.firstAtOrAfterLocked(cutoff); k > 0 {
		// Copy the survivors so the trimmed records' memory can be freed.
		kept := make([]storage.Record, len(l.mu.recs)-k)
		copy(kept, l.mu.recs[k:])
		l.mu.recs = kept
		l.mu.base += uint64(k)
	}
	return l.mu.base, nil
}

func (l *shardLog) Delete() error {
	l.mu.Lock()
	if err := l.checkLocked(); err != nil {
		l.mu.Unlock()
		return err
	}
	l.mu.deleted = true
	l.mu.recs = nil
	l.mu.Unlock()
	// The log is already unusable through every handle; dropping it from the
	// index lets its id be created again.
	return l.store.remove(l)
}
