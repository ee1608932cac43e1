// Package walmeta is a durable storage.MetaStore whose tables live in
// memory and whose commits are appended to a log of a storage.Logs: a
// write-ahead log, with a snapshot at the head of each generation.
//
// It exists so that metadata can be kept wherever records are: on an
// encrypted segment store (segment.Config.Key), metadata is as encrypted
// as the records, which bbolt (storage/boltmeta, the default) cannot give
// since it reads its file through mmap. Every table is held in memory, so
// it suits metadata of the size Eddy keeps (streams, leases, checkpoints,
// DynamoDB-compatible tables of moderate size), not unbounded data.
//
// # Layout
//
// Generation g is the log "<prefix>/<g as 16 hex digits>". Its records:
//
//	snapshot records ('S'): every key of every table when g began
//	one end record ('E'): the snapshot is complete
//	commit records ('C'): one Update's writes each (or a few, for a
//	   large one: all of one Append, so all or none are kept)
//
// Open loads the newest generation whose snapshot is complete, replays
// its commits, and deletes every other generation. When the commits of a
// generation outgrow its snapshot (Config.CompactBytes), the next
// generation is written from memory and the old one deleted: a crash in
// between leaves the old one, complete, to load.
//
// Entries are encoded as: kind byte, then for each write: op byte (1 put,
// 2 delete), uvarint table length, table, uvarint key length, key, and
// for a put uvarint value length, value. Commit records start with the
// commit's number, the record's index in it and the number of records,
// as uvarints, so a commit whose records are not all there (a torn tail)
// is left out.
package walmeta

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/eddy-streams/eddy/storage"
	"github.com/eddy-streams/eddy/storage/internal/groupcommit"
	"github.com/eddy-streams/eddy/storage/mem"
)

// Config tunes a Store.
type Config struct {
	// Prefix is the log id prefix of the generations (a valid log id).
	// Default "meta".
	Prefix string
	// CompactBytes: a new generation is written once a generation's
	// commits exceed this and twice its snapshot. Default 64 MiB.
	CompactBytes int64
	// RecordBytes bounds the size of one log record. Default 1 MiB.
	RecordBytes int
	// Now is the clock for records' arrival times. Default time.Now.
	Now func() time.Time
}

func (c *Config) defaults() {
	if c.Prefix == "" {
		c.Prefix = "meta"
	}
	if c.CompactBytes <= 0 {
		c.CompactBytes = 64 << 20
	}
	if c.RecordBytes <= 0 {
		c.RecordBytes = 1 << 20
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Store is a durable MetaStore on a storage.Logs.
type Store struct {
	cfg  Config
	logs storage.Logs
	m    *mem.Committing

	// Guarded by m's write lock (commit and compaction run under it):
	log          storage.ShardLog
	gen          uint64
	nextCommit   uint64
	snapBytes    int64
	commitBytes  int64
	replaying    bool
	compactAfter bool

	compactMu sync.Mutex
	batch     groupcommit.Queue
}

var _ storage.MetaStore = (*Store)(nil)

// Record kinds.
const (
	kindSnapshot = 'S'
	kindEnd      = 'E'
	kindCommit   = 'C'
	opPut        = 1
	opDelete     = 2
)

// Open loads the store kept in logs under cfg.Prefix, or starts an empty
// one. The Store does not own logs: close the Store first, then logs.
func Open(logs storage.Logs, cfg Config) (*Store, error) {
	cfg.defaults()
	if !storage.ValidID(cfg.Prefix) {
		return nil, fmt.Errorf("walmeta: prefix %q is not a valid log id", cfg.Prefix)
	}
	s := &Store{cfg: cfg, logs: logs}
	s.m = mem.NewCommitting(s.commit)
	gens, err := s.generations()
	if err != nil {
		return nil, err
	}
	loaded := -1
	for i := len(gens) - 1; i >= 0 && loaded < 0; i-- {
		ok, err := s.load(gens[i])
		if err != nil {
			return nil, err
		}
		if ok {
			loaded = i
			continue
		}
		// An incomplete snapshot: a compaction that did not finish.
		if err := s.deleteGen(gens[i]); err != nil {
			return nil, err
		}
	}
	for i, g := range gens {
		if i < loaded {
			if err := s.deleteGen(g); err != nil {
				return nil, err
			}
		}
	}
	if loaded < 0 {
		// A new store: generation 1, an empty snapshot.
		if err := s.writeGeneration(1, nil); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (s *Store) genID(g uint64) string { return fmt.Sprintf("%s/%016x", s.cfg.Prefix, g) }

// generations lists the generations in logs, ascending.
func (s *Store) generations() ([]uint64, error) {
	ids, err := s.logs.List()
	if err != nil {
		return nil, fmt.Errorf("walmeta: list logs: %w", err)
	}
	var gens []uint64
	for _, id := range ids {
		rest, ok := strings.CutPrefix(id, s.cfg.Prefix+"/")
		if !ok || len(rest) != 16 {
			continue
		}
		g, err := strconv.ParseUint(rest, 16, 64)
		if err != nil {
			continue
		}
		gens = append(gens, g)
	}
	slices.Sort(gens)
	return gens, nil
}

func (s *Store) deleteGen(g uint64) error {
	l, err := s.logs.Open(s.genID(g))
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	if err == nil {
		err = l.Delete()
	}
	if err != nil {
		return fmt.Errorf("walmeta: delete generation %s: %w", s.genID(g), err)
	}
	return nil
}

// load reads generation g into memory. It returns false, with memory
// untouched, if g's snapshot is incomplete.
func (s *Store) load(g uint64) (bool, error) {
	l, err := s.logs.Open(s.genID(g))
	if err != nil {
		return false, fmt.Errorf("walmeta: open %s: %w", s.genID(g), err)
	}
	b, err := l.Bounds()
	if err != nil {
		return false, fmt.Errorf("walmeta: %s: %w", s.genID(g), err)
	}
	// First pass: is the snapshot complete?
	complete := false
	err = readAll(l, b, func(_ uint64, data []byte) (bool, error) {
		switch data[0] {
		case kindSnapshot:
			return true, nil
		case kindEnd:
			complete = true
		}
		return false, nil
	})
	if err != nil || !complete {
		return false, err
	}
	s.replaying = true
	defer func() { s.replaying = false }()
	inSnapshot := true
	var pending []byte // the entries of the commit being gathered
	var pendingCommit, pendingNext, pendingParts uint64
	var commits, snapBytes, commitBytes int64
	apply := func(entries []byte) error {
		return s.m.Update(func(tx storage.MetaTx) error { return decodeEntries(entries, tx) })
	}
	err = readAll(l, b, func(pos uint64, data []byte) (bool, error) {
		kind, body := data[0], data[1:]
		switch {
		case inSnapshot && kind == kindSnapshot:
			snapBytes += int64(len(data))
			return true, apply(body)
		case inSnapshot && kind == kindEnd:
			snapBytes += int64(len(data))
			inSnapshot = false
			return true, nil
		case !inSnapshot && kind == kindCommit:
			commitBytes += int64(len(data))
			num, idx, parts, entries, err := commitHeader(body)
			if err != nil {
				return false, fmt.Errorf("walmeta: %s record %d: %w", s.genID(g), pos, err)
			}
			if idx == 0 {
				pending, pendingCommit, pendingNext, pendingParts = pending[:0], num, 0, parts
			}
			if num != pendingCommit || idx != pendingNext {
				// The rest of a commit whose first records are missing
				// (cannot follow a complete one): skip it.
				return true, nil
			}
			pending = append(pending, entries...)
			pendingNext++
			if pendingNext == pendingParts {
				commits++
				s.nextCommit = num + 1
				return true, apply(pending)
			}
			return true, nil
		default:
			return false, fmt.Errorf("walmeta: %s record %d: unexpected record kind %q: %w", s.genID(g), pos, kind, storage.ErrCorrupt)
		}
	})
	if err != nil {
		return false, err
	}
	s.log, s.gen, s.snapBytes, s.commitBytes = l, g, snapBytes, commitBytes
	return true, nil
}

// readAll calls fn with each record of l from b.Oldest, until fn returns
// false. Records with empty data are corrupt.
func readAll(l storage.ShardLog, b storage.Bounds, fn func(pos uint64, data []byte) (bool, error)) error {
	for pos := b.Oldest; pos < b.Next; {
		recs, err := l.Read(pos, 1000, 16<<20)
		if err != nil {
			return fmt.Errorf("walmeta: read %s: %w", l.ID(), err)
		}
		if len(recs) == 0 {
			break
		}
		for _, r := range recs {
			if len(r.Data) == 0 {
				return fmt.Errorf("walmeta: %s record %d is empty: %w", l.ID(), r.Seq, storage.ErrCorrupt)
			}
			more, err := fn(r.Seq, r.Data)
			if err != nil || !more {
				return err
			}
			pos = r.Seq + 1
		}
	}
	return nil
}

// commitHeader splits a commit record's body into its header and entries.
func commitHeader(b []byte) (num, idx, parts uint64, entries []byte, err error) {
	var vals [3]uint64
	for i := range vals {
		v, w := binary.Uvarint(b)
		if w <= 0 {
			return 0, 0, 0, nil, fmt.Errorf("bad commit header: %w", storage.ErrCorrupt)
		}
		vals[i], b = v, b[w:]
	}
	if vals[1] >= vals[2] {
		return 0, 0, 0, nil, fmt.Errorf("commit record %d of %d: %w", vals[1], vals[2], storage.ErrCorrupt)
	}
	return vals[0], vals[1], vals[2], b, nil
}

// decodeEntries applies encoded writes to tx.
func decodeEntries(b []byte, tx storage.MetaTx) error {
	field := func() (string, error) {
		n, w := binary.Uvarint(b)
		if w <= 0 || n > uint64(len(b)-w) {
			return "", fmt.Errorf("walmeta: bad entry: %w", storage.ErrCorrupt)
		}
		f := string(b[w : w+int(n)])
		b = b[w+int(n):]
		return f, nil
	}
	for len(b) > 0 {
		op := b[0]
		b = b[1:]
		table, err := field()
		if err != nil {
			return err
		}
		key, err := field()
		if err != nil {
			return err
		}
		switch op {
		case opPut:
			v, err := field()
			if err != nil {
				return err
			}
			err = tx.Put(table, key, []byte(v))
			if err != nil {
				return err
			}
		case opDelete:
			if err := tx.Delete(table, key); err != nil {
				return err
			}
		default:
			return fmt.Errorf("walmeta: entry op %d: %w", op, storage.ErrCorrupt)
		}
	}
	return nil
}

func appendEntry(b []byte, w mem.Write) []byte {
	op := byte(opPut)
	if w.Delete {
		op = opDelete
	}
	b = append(b, op)
	b = binary.AppendUvarint(b, uint64(len(w.Table)))
	b = append(b, w.Table...)
	b = binary.AppendUvarint(b, uint64(len(w.Key)))
	b = append(b, w.Key...)
	if !w.Delete {
		b = binary.AppendUvarint(b, uint64(len(w.Value)))
		b = append(b, w.Value...)
	}
	return b
}

func entrySize(w mem.Write) int {
	return 1 + 2*binary.MaxVarintLen64 + len(w.Table) + len(w.Key) + binary.MaxVarintLen64 + len(w.Value)
}

// commit appends an Update's writes as one Append (called by the memory
// store under its write lock, before it applies them).
func (s *Store) commit(writes []mem.Write) error {
	if s.replaying {
		return nil
	}
	// Group entries into records of about RecordBytes; one entry larger
	// than that gets a record of its own.
	var bodies [][]byte
	var cur []byte
	for _, w := range writes {
		if len(cur) > 0 && len(cur)+entrySize(w) > s.cfg.RecordBytes {
			bodies = append(bodies, cur)
			cur = nil
		}
		cur = appendEntry(cur, w)
	}
	bodies = append(bodies, cur)
	now := s.cfg.Now()
	recs := make([]storage.Record, len(bodies))
	var n int64
	for i, body := range bodies {
		d := []byte{kindCommit}
		d = binary.AppendUvarint(d, s.nextCommit)
		d = binary.AppendUvarint(d, uint64(i))
		d = binary.AppendUvarint(d, uint64(len(bodies)))
		d = append(d, body...)
		if len(d) > storage.MaxDataSize {
			return fmt.Errorf("walmeta: a write of %d bytes is larger than a log record can be (%d): %w", len(d), storage.MaxDataSize, storage.ErrTooLarge)
		}
		recs[i] = storage.Record{Data: d, Arrival: now}
		n += int64(len(d))
	}
	if _, err := s.log.Append(recs); err != nil {
		return fmt.Errorf("walmeta: append to %s: %w", s.log.ID(), err)
	}
	s.nextCommit++
	s.commitBytes += n
	if s.commitBytes > s.cfg.CompactBytes && s.commitBytes > 2*s.snapBytes {
		s.compactAfter = true
	}
	return nil
}

// writeGeneration writes generation g's snapshot from each (nil: empty)
// and makes it the one commits go to, then deletes the previous one.
// Called with no transaction running (Open, or under Exclusive).
func (s *Store) writeGeneration(g uint64, each func(visit func(table, key string, value []byte) error) error) error {
	id := s.genID(g)
	// A leftover of a failed attempt at g is incomplete: start afresh.
	if err := s.deleteGen(g); err != nil {
		return err
	}
	l, err := s.logs.Create(id, 0)
	if err != nil {
		return fmt.Errorf("walmeta: create %s: %w", id, err)
	}
	fail := func(err error) error {
		l.Delete()
		return err
	}
	now := s.cfg.Now()
	var batch []storage.Record
	var batchBytes int
	var size int64
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if _, err := l.Append(batch); err != nil {
			return fmt.Errorf("walmeta: append to %s: %w", id, err)
		}
		batch, batchBytes = batch[:0], 0
		return nil
	}
	var cur []byte
	add := func(d []byte) error {
		batch = append(batch, storage.Record{Data: d, Arrival: now})
		batchBytes += len(d)
		size += int64(len(d))
		if batchBytes >= 8<<20 || len(batch) >= 1000 {
			return flush()
		}
		return nil
	}
	if each != nil {
		err := each(func(table, key string, value []byte) error {
			w := mem.Write{Table: table, Key: key, Value: value}
			if len(cur) > 1 && len(cur)+entrySize(w) > s.cfg.RecordBytes {
				if err := add(cur); err != nil {
					return err
				}
				cur = nil
			}
			if cur == nil {
				cur = []byte{kindSnapshot}
			}
			cur = appendEntry(cur, w)
			if len(cur) > storage.MaxDataSize {
				return fmt.Errorf("walmeta: %s/%s: value too large for a log record: %w", table, key, storage.ErrTooLarge)
			}
			return nil
		})
		if err != nil {
			return fail(err)
		}
	}
	if cur != nil {
		if err := add(cur); err != nil {
			return fail(err)
		}
	}
	if err := add([]byte{kindEnd}); err != nil {
		return fail(err)
	}
	if err := flush(); err != nil {
		return fail(err)
	}
	old := s.gen
	s.log, s.gen, s.nextCommit, s.snapBytes, s.commitBytes = l, g, 0, size, 0
	if old != 0 && old != g {
		// The new generation is complete: the old one is no longer needed.
		// If deleting it fails, Open deletes it next time.
		_ = s.deleteGen(old)
	}
	return nil
}

// maybeCompact writes a new generation if the commits asked for one.
func (s *Store) maybeCompact() error {
	s.compactMu.Lock()
	defer s.compactMu.Unlock()
	return s.m.Exclusive(func(each func(visit func(table, key string, value []byte) error) error) error {
		if !s.compactAfter {
			return nil
		}
		s.compactAfter = false
		return s.writeGeneration(s.gen+1, each)
	})
}

// View runs fn in a read-only transaction.
func (s *Store) View(fn func(storage.MetaTx) error) error { return s.m.View(fn) }

// Update runs fn in a read-write transaction, durable (as the log's
// store makes appends) when it returns nil.
func (s *Store) Update(fn func(storage.MetaTx) error) error {
	if err := s.m.Update(fn); err != nil {
		return err
	}
	if s.needsCompaction() {
		// The update is durable; a failed compaction is retried after
		// the next one.
		_ = s.maybeCompact()
	}
	return nil
}

// needsCompaction reads the flag under the store's read lock.
func (s *Store) needsCompaction() bool {
	need := false
	s.m.View(func(storage.MetaTx) error { need = s.compactAfter; return nil })
	return need
}

// Close releases the memory store; the logs stay open (their owner closes
// them).
func (s *Store) Close() error { return s.m.Close() }
