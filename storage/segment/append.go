package segment

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/eddy-streams/eddy/storage"
	"github.com/eddy-streams/eddy/storage/vfs"
)

var bufPool = sync.Pool{New: func() any { return new([]byte) }}

// Append implements storage.ShardLog.
func (l *shardLog) Append(recs []storage.Record) (uint64, error) {
	total, err := checkBatch(recs)
	if err != nil {
		return 0, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	w, err := l.writeLocked(recs, total)
	if err != nil || w.done {
		return w.first, err
	}
	if err := l.syncToLocked(w.end, w.gen); err != nil {
		return 0, err
	}
	return w.first, nil
}

// checkBatch checks every record of a batch and returns the bytes its
// frames take.
func checkBatch(recs []storage.Record) (int64, error) {
	total := int64(0)
	for i := range recs {
		if err := storage.CheckRecord(&recs[i]); err != nil {
			return 0, err
		}
		total += int64(frameSize(&recs[i]))
	}
	return total, nil
}

// written is what writeLocked reports of a batch it wrote: its first
// position, the position after it and the generation it was written in,
// for syncToLocked; done when nothing is left to wait for (an empty
// batch, or a sync mode other than SyncAlways).
type written struct {
	first, end, gen uint64
	done            bool
	size            int64  // the tail's size after the batch
	path            string // the tail's file
}

// writeLocked appends a checked batch of total frame bytes to the tail,
// rolling to a new segment first if it would not fit, and writes it to the
// file without waiting for it to be durable.
func (l *shardLog) writeLocked(recs []storage.Record, total int64) (written, error) {
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	// Every wait below releases mu, so after one all checks start over.
	for {
		if err := l.readyLocked(); err != nil {
			return written{}, err
		}
		if len(recs) == 0 {
			return written{first: l.mu.next, done: true}, nil
		}
		if l.mu.sealed {
			return written{}, storage.ErrSealed
		}
		if l.mu.rolling {
			l.cond.Wait()
			continue
		}
		if l.mu.written > segmentHeaderSize && l.mu.written+total > l.s.cfg.SegmentBytes {
			if err := l.rollLocked(); err != nil {
				return written{}, err
			}
			continue
		}
		break
	}
	tail := l.mu.segs[len(l.mu.segs)-1]

	// Encode the batch and note the index entries it adds.
	first := l.mu.next
	buf := (*bp)[:0]
	arrival := l.mu.lastArrival
	lastOffset := l.mu.lastOffset
	nIdx := len(tail.idx)
	indexedAt := int64(-1)
	if nIdx > 0 {
		indexedAt = int64(tail.idx[nIdx-1].offset)
	}
	for i := range recs {
		if a := recs[i].Arrival.UnixNano(); a > arrival {
			arrival = a
		}
		off := l.mu.written + int64(len(buf))
		if indexedAt < 0 || off-indexedAt >= l.s.cfg.IndexInterval {
			tail.idx = append(tail.idx, indexEntry{seq: first + uint64(i), arrival: arrival, offset: uint32(off)})
			indexedAt = off
		}
		lastOffset = off
		buf = appendFrame(buf, &recs[i], first+uint64(i), arrival)
	}
	*bp = buf

	cf, err := l.s.files.acquire(tail.path)
	if err != nil {
		tail.idx = tail.idx[:nIdx]
		return written{}, fmt.Errorf("segment: open %s: %w", tail.path, err)
	}
	defer l.s.files.release(cf)
	l.reserveLocked(tail, cf.f, l.mu.written+int64(len(buf)))
	if _, err := cf.f.Write(buf); err != nil {
		// Nothing of the batch is acknowledged; cut off what reached the
		// file so the next append starts at a frame boundary.
		tail.idx = tail.idx[:nIdx]
		tail.reserved = 0 // the truncation frees them
		if terr := cf.f.Truncate(l.mu.written); terr != nil {
			l.mu.broken = fmt.Errorf("segment: log %s: cannot undo a failed write (%v): %w", l.id, err, terr)
		}
		return written{}, fmt.Errorf("segment: write %s: %w", tail.path, err)
	}
	l.mu.written += int64(len(buf))
	l.mu.next += uint64(len(recs))
	l.mu.lastArrival = arrival
	l.mu.lastOffset = lastOffset
	end := l.mu.next

	if l.s.cfg.Sync != SyncAlways {
		l.mu.visible, l.mu.visibleSize = l.mu.next, l.mu.written
		if l.s.cfg.Sync == SyncInterval {
			l.s.markDirty(l)
		}
		return written{first: first, end: end, done: true}, nil
	}
	return written{first: first, end: end, gen: l.mu.gen, size: l.mu.written, path: tail.path}, nil
}

// AppendMulti implements storage.MultiAppender: it writes each batch to its
// log, then waits once for all of them. With SyncAlways and store-wide
// group commit (Config.SyncFS) that is one syncfs, started after the last
// write, for the whole call; before, a PutRecords spread over 16 shards
// took 16 goroutines, each leading or waiting for its log's sync. If no
// syncfs can serve the call (the syncer fell back to fdatasync after a
// failure), or the one that ran failed, each log waits as Append does,
// which syncs it on its own and rolls it back if its data was lost.
func (s *Store) AppendMulti(bs []storage.AppendBatch) {
	if s.cfg.Sync != SyncAlways || s.fsync == nil {
		storage.AppendEach(bs)
		return
	}
	type pending struct {
		l *shardLog
		w written
	}
	ps := make([]pending, len(bs))
	path := ""
	for i := range bs {
		b := &bs[i]
		l, ok := b.Log.(*shardLog)
		if !ok || l.s != s {
			b.First, b.Err = b.Log.Append(b.Recs)
			continue
		}
		total, err := checkBatch(b.Recs)
		if err != nil {
			b.Err = err
			continue
		}
		l.mu.Lock()
		w, err := l.writeLocked(b.Recs, total)
		l.mu.Unlock()
		b.First, b.Err = w.first, err
		if err == nil && !w.done {
			ps[i] = pending{l, w}
			path = w.path
		}
	}
	if path == "" {
		return // nothing to wait for
	}
	ran := false
	var err error
	if cf, aerr := s.files.acquire(path); aerr == nil {
		start := time.Now()
		ran, err = s.fsync.shared(cf.f)
		if ran {
			if f := s.cfg.OnSync; f != nil {
				f(time.Since(start), err)
			}
		}
		s.files.release(cf)
	}
	for i, p := range ps {
		if p.l == nil {
			continue
		}
		p.l.mu.Lock()
		if ran && err == nil {
			bs[i].Err = p.l.syncedLocked(p.w)
		} else {
			bs[i].Err = p.l.syncToLocked(p.w.end, p.w.gen)
		}
		p.l.mu.Unlock()
		if bs[i].Err != nil {
			bs[i].First = 0
		}
	}
}

// syncedLocked records that a syncfs started after w was written has
// succeeded, so w is durable unless the log was rolled back (a failed sync
// of another caller) or deleted since; it then returns what a waiter in
// syncToLocked would.
func (l *shardLog) syncedLocked(w written) error {
	if done, err := l.settledLocked(w.end, w.gen); done {
		return err
	}
	l.advanceDurableLocked(l.mu.segs[len(l.mu.segs)-1], w.end, w.size)
	l.cond.Broadcast()
	if l.mu.durable >= w.end {
		return nil
	}
	// Not the segment w was written to: cannot happen (a roll makes
	// everything durable first), but waiting as Append does is safe.
	return l.syncToLocked(w.end, w.gen)
}

// settledLocked reports whether the outcome of an append written in
// generation gen up to end is known, and that outcome: durable (nil), lost
// to a rollback since (that generation's error), or the log deleted or
// broken.
func (l *shardLog) settledLocked(end, gen uint64) (bool, error) {
	switch {
	case gen < l.mu.gen:
		if end <= l.mu.genDurable[gen] {
			return true, nil
		}
		return true, l.mu.genErr[gen]
	case l.mu.durable >= end:
		return true, nil
	case l.mu.deleted:
		return true, storage.ErrDeleted
	case l.mu.broken != nil:
		return true, l.mu.broken
	}
	return false, nil
}

// syncToLocked waits until positions below end, written in generation gen,
// are durable, leading an fsync if none is running. With SyncAlways, a failed
// fsync rolls the log back to its durable state (see failLocked).
func (l *shardLog) syncToLocked(end, gen uint64) error {
	for {
		if done, err := l.settledLocked(end, gen); done {
			return err
		}
		if l.mu.syncing {
			l.cond.Wait()
			continue
		}
		// Lead a sync for everything written so far.
		l.mu.syncing = true
		tail := l.mu.segs[len(l.mu.segs)-1]
		target, size := l.mu.next, l.mu.written
		cf, err := l.s.files.acquire(tail.path)
		if err == nil {
			l.mu.Unlock()
			start := time.Now()
			if l.s.fsync != nil {
				err = l.s.fsync.sync(cf.f)
			} else {
				err = cf.f.Sync()
			}
			if f := l.s.cfg.OnSync; f != nil {
				f(time.Since(start), err)
			}
			l.s.files.release(cf)
			l.mu.Lock()
		}
		l.mu.syncing = false
		if err == nil {
			l.advanceDurableLocked(tail, target, size)
		} else if l.s.cfg.Sync == SyncAlways && !l.mu.deleted {
			l.failLocked(tail, fmt.Errorf("segment: sync %s: %w", tail.path, err))
		} else {
			l.cond.Broadcast()
			return fmt.Errorf("segment: sync %s: %w", tail.path, err)
		}
		l.cond.Broadcast()
	}
}

// advanceDurableLocked records that the tail is synced up to target/size and
// writes the index entries that now point at synced data.
func (l *shardLog) advanceDurableLocked(tail *segInfo, target uint64, size int64) {
	if target <= l.mu.durable || tail != l.mu.segs[len(l.mu.segs)-1] {
		return
	}
	l.mu.durable, l.mu.durableSize = target, size
	if l.s.cfg.Sync == SyncAlways {
		l.mu.visible, l.mu.visibleSize = target, size
	}
	if err := l.flushIndexLocked(tail); err != nil {
		// The index is a cache: a missing entry only lengthens recovery.
		l.s.log.Warn("index write failed", "log", l.id, "segment", tail.name(), "err", err)
	}
}

// flushIndexLocked appends to the tail's index file the entries for records
// that are durable and not yet written.
func (l *shardLog) flushIndexLocked(tail *segInfo) error {
	var b []byte
	n := l.mu.idxFlushed
	for n < len(tail.idx) && tail.idx[n].seq < l.mu.durable {
		b = appendIndexEntry(b, tail.idx[n])
		n++
	}
	if len(b) == 0 {
		return nil
	}
	cf, err := l.s.files.acquire(tail.idxPath)
	if err != nil {
		return err
	}
	defer l.s.files.release(cf)
	if _, err := cf.f.Write(b); err != nil {
		// A torn entry ends the index's valid prefix; later entries would
		// be ignored, so stop writing to this index.
		l.mu.idxFlushed = len(tail.idx) + 1<<30
		return err
	}
	l.mu.idxFlushed = n
	return nil
}

// failLocked handles a failed fsync under SyncAlways: the file's unsynced
// bytes are in an unknown state, so every append not yet durable fails and
// the tail is cut back to its last synced size. If that cannot be done the
// log is broken until the store is reopened.
func (l *shardLog) failLocked(tail *segInfo, err error) {
	l.s.log.Error("sync failed; rolling back unsynced appends", "log", l.id, "segment", tail.name(), "durable", l.mu.durable, "err", err)
	l.mu.genDurable = append(l.mu.genDurable, l.mu.durable)
	l.mu.genErr = append(l.mu.genErr, err)
	l.mu.gen++
	// Reopen the file: after a failed fsync the old descriptor may report
	// success for pages the kernel already dropped.
	l.s.files.forget(tail.path)
	cf, oerr := l.s.files.acquire(tail.path)
	if oerr == nil {
		oerr = cf.f.Truncate(l.mu.durableSize)
		tail.reserved = 0
		if oerr == nil {
			oerr = cf.f.Sync()
		}
		l.s.files.release(cf)
	}
	if oerr != nil {
		l.mu.broken = fmt.Errorf("segment: log %s: cannot roll back after a failed sync (%v): %w", l.id, err, oerr)
		return
	}
	l.mu.next, l.mu.written = l.mu.durable, l.mu.durableSize
	l.mu.visible, l.mu.visibleSize = l.mu.durable, l.mu.durableSize
	n := len(tail.idx)
	for n > 0 && tail.idx[n-1].seq >= l.mu.durable {
		n--
	}
	tail.idx = tail.idx[:n]
	if l.mu.idxFlushed > n {
		l.mu.idxFlushed = n
	}
	// lastArrival stays: keeping it high only keeps arrivals monotonic.
	// lastOffset must point at a durable record for the final index entry.
	if l.mu.durable == tail.base {
		l.mu.lastOffset = 0
	} else if n > 0 && tail.idx[n-1].seq == l.mu.durable-1 {
		l.mu.lastOffset = int64(tail.idx[n-1].offset)
	} else {
		l.mu.lastOffset = -1 // unknown: rollLocked finds it by scanning
	}
}

// syncNow makes everything written durable (used by SyncInterval).
func (l *shardLog) syncNow() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.mu.deleted || l.mu.closed || !l.mu.loaded || l.mu.broken != nil {
		return nil
	}
	return l.syncToLocked(l.mu.next, l.mu.gen)
}

// Preallocation. On ext4 an append that extends a file allocates its blocks
// (delayed allocation), and the sync that follows commits that allocation
// to the journal. Reserving the blocks ahead with fallocate(2), size kept,
// does that once per reservation instead of once per append: with 16 logs
// appending 32 KiB each and sharing syncfs, the process's CPU per KiB fell
// from a median 2.13 µs to 1.38 µs over seven alternating runs (a throwaway
// program, docs/BENCHMARKS.md). The size still
// marks the end of the data, so recovery is unchanged; a crash leaves at
// most the tail's reservation allocated past its end.

// reserveMin and reserveMax bound a reservation: it doubles with the
// segment's size, so a log that holds one record reserves 64 KiB, not
// megabytes (10,000 shards must not hold 40 GB of disk).
const (
	reserveMin = 64 << 10
	reserveMax = 4 << 20
)

// reserveLocked makes sure the tail's blocks up to end are reserved,
// reserving ahead of it. Preallocation is an optimisation: on failure the
// append goes on without it, and a filesystem that cannot do it is not
// asked again.
func (l *shardLog) reserveLocked(tail *segInfo, f vfs.File, end int64) {
	if end <= tail.reserved || l.s.noPrealloc.Load() {
		return
	}
	p, ok := f.(vfs.Preallocator)
	if !ok {
		l.s.noPrealloc.Store(true)
		return
	}
	step := min(max(l.mu.written, reserveMin), reserveMax)
	upTo := max(end, min(end+step, l.s.cfg.SegmentBytes))
	if err := p.Preallocate(l.mu.written, upTo-l.mu.written); err != nil {
		if errors.Is(err, errors.ErrUnsupported) || errors.Is(err, syscall.EOPNOTSUPP) {
			l.s.noPrealloc.Store(true)
		}
		return
	}
	tail.reserved = upTo
}

// unreserveLocked gives back what the tail reserved past its size, once no
// more is appended to it (rolled or sealed), by truncating it to its size:
// ext4 does not punch holes past the end of a file, but a truncate frees
// every block past the new size. Best effort: the blocks are only disk
// space.
func (l *shardLog) unreserveLocked(tail *segInfo) {
	if tail.reserved <= l.mu.written {
		return
	}
	defer func() { tail.reserved = 0 }()
	cf, err := l.s.files.acquire(tail.path)
	if err != nil {
		return
	}
	defer l.s.files.release(cf)
	if err := cf.f.Truncate(l.mu.written); err != nil {
		l.s.log.Warn("giving back preallocated blocks failed", "log", l.id, "segment", tail.name(), "err", err)
	}
}

// rollLocked seals the tail segment and starts a new one at next. The old
// tail is synced and its index completed with an entry for its last record
// before the new segment is created.
func (l *shardLog) rollLocked() error {
	for l.mu.rolling {
		l.cond.Wait()
	}
	tail := l.mu.segs[len(l.mu.segs)-1]
	// Hold off appends, so that once everything written is synced nothing
	// more lands in the old tail: an append written there after the sync
	// would otherwise be acknowledged by a later sync of the new tail.
	l.mu.rolling = true
	defer func() {
		l.mu.rolling = false
		l.cond.Broadcast()
	}()
	if err := l.drainLocked(); err != nil {
		return err
	}
	if tail != l.mu.segs[len(l.mu.segs)-1] {
		return nil // rolled while we waited
	}
	if l.mu.next == tail.base {
		return nil // empty: nothing to seal
	}
	if l.mu.lastOffset < 0 {
		if err := l.findLastOffsetLocked(tail); err != nil {
			return err
		}
	}
	last := indexEntry{seq: l.mu.next - 1, arrival: l.mu.lastArrival, offset: uint32(l.mu.lastOffset)}
	if n := len(tail.idx); n == 0 || tail.idx[n-1].seq != last.seq {
		tail.idx = append(tail.idx, last)
	}
	if l.mu.idxFlushed > len(tail.idx) {
		// The index file was abandoned after a failed write: rewrite it.
		var b []byte
		for _, e := range tail.idx {
			b = appendIndexEntry(b, e)
		}
		if err := rewriteIndex(l.s.fs, tail.idxPath, nil, b); err != nil {
			return fmt.Errorf("segment: roll %s: %w", tail.path, err)
		}
	} else {
		if err := l.flushIndexLocked(tail); err != nil {
			return fmt.Errorf("segment: roll %s: %w", tail.path, err)
		}
		cf, err := l.s.files.acquire(tail.idxPath)
		if err != nil {
			return err
		}
		err = cf.f.Sync()
		l.s.files.release(cf)
		if err != nil {
			return fmt.Errorf("segment: sync %s: %w", tail.idxPath, err)
		}
	}

	l.unreserveLocked(tail)
	next := newSegInfo(l.dir, l.mu.next)
	if err := createSegmentFile(l.s.fs, next.path, next.base); err != nil {
		l.s.fs.Remove(next.path)
		l.s.fs.Remove(next.idxPath)
		return fmt.Errorf("segment: roll: %w", err)
	}
	if err := vfs.SyncDir(l.s.fs, l.dir); err != nil {
		return fmt.Errorf("segment: roll: %w", err)
	}
	tail.idxMu.Lock()
	tail.end = l.mu.next
	tail.size = l.mu.written
	tail.idxMu.Unlock()
	l.mu.segs = append(l.mu.segs, next)
	l.s.idxs.touch(tail) // its index now counts against MaxCachedIndexes
	l.mu.written, l.mu.durableSize, l.mu.visibleSize = segmentHeaderSize, segmentHeaderSize, segmentHeaderSize
	l.mu.lastOffset = 0
	l.mu.idxFlushed = 0
	return nil
}

// drainLocked returns once everything written to the tail is durable and no
// sync is running. The caller stops new appends first (rolling or sealed).
func (l *shardLog) drainLocked() error {
	for l.mu.syncing || l.mu.durable < l.mu.next {
		if l.mu.syncing {
			l.cond.Wait()
			continue
		}
		if err := l.syncToLocked(l.mu.next, l.mu.gen); err != nil {
			return err
		}
	}
	return nil
}

// findLastOffsetLocked finds the offset of the tail's last durable record by
// scanning from its last index entry.
func (l *shardLog) findLastOffsetLocked(tail *segInfo) error {
	cf, err := l.s.files.acquire(tail.path)
	if err != nil {
		return err
	}
	defer l.s.files.release(cf)
	start := int64(segmentHeaderSize)
	if n := len(tail.idx); n > 0 {
		start = int64(tail.idx[n-1].offset)
	}
	_, err = scanFrames(cf.f, start, l.mu.written, minChunk, nil, nil, func(fv *frameView, off int64) bool {
		l.mu.lastOffset = off
		return true
	})
	if err != nil {
		return l.corruptf(tail.name(), start, "%v", err)
	}
	return nil
}

// Seal implements storage.ShardLog.
func (l *shardLog) Seal() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.readyLocked(); err != nil {
		return err
	}
	if l.mu.sealed {
		return nil
	}
	// Refuse new appends from now on, and make every append already written
	// durable, so the log's end is fixed when Seal returns. If sealing
	// fails, the log is open again.
	l.mu.sealed = true
	if err := l.sealLocked(); err != nil {
		l.mu.sealed = false
		return err
	}
	return nil
}

func (l *shardLog) sealLocked() error {
	if err := l.drainLocked(); err != nil {
		return err
	}
	l.unreserveLocked(l.mu.segs[len(l.mu.segs)-1])
	f, err := l.s.fs.Create(filepath.Join(l.dir, sealedName))
	if err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("segment: seal %s: %w", l.id, err)
	}
	if err == nil {
		if err := f.Close(); err != nil {
			return fmt.Errorf("segment: seal %s: %w", l.id, err)
		}
	}
	if err := vfs.SyncDir(l.s.fs, l.dir); err != nil {
		return fmt.Errorf("segment: seal %s: %w", l.id, err)
	}
	return nil
}

// TrimBefore implements storage.ShardLog. It deletes whole segments whose
// newest record arrived before cutoff, oldest first; if every record of the
// tail is older too, the tail is rolled so it can be deleted.
func (l *shardLog) TrimBefore(cutoff time.Time) (uint64, error) {
	cut := cutoff.UnixNano()
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.readyLocked(); err != nil {
		return 0, err
	}
	tail := l.mu.segs[len(l.mu.segs)-1]
	if l.mu.next > tail.base && l.mu.lastArrival < cut {
		if err := l.rollLocked(); err != nil {
			return 0, err
		}
	}
	removed := false
	for len(l.mu.segs) > 1 {
		g := l.mu.segs[0]
		idx, err := l.sealedIndex(g)
		if err != nil {
			return 0, err
		}
		if idx[len(idx)-1].arrival >= cut {
			break
		}
		l.s.files.forget(g.path)
		l.s.files.forget(g.idxPath)
		l.s.idxs.drop(g)
		if err := l.s.fs.Remove(g.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return 0, fmt.Errorf("segment: trim %s: %w", g.path, err)
		}
		if err := l.s.fs.Remove(g.idxPath); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return 0, fmt.Errorf("segment: trim %s: %w", g.idxPath, err)
		}
		l.mu.segs = l.mu.segs[1:]
		removed = true
	}
	if removed {
		if err := vfs.SyncDir(l.s.fs, l.dir); err != nil {
			return 0, fmt.Errorf("segment: trim %s: %w", l.id, err)
		}
	}
	return l.mu.segs[0].base, nil
}

// Delete implements storage.ShardLog.
func (l *shardLog) Delete() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.mu.deleted:
		return storage.ErrDeleted
	case l.mu.closed || l.s.closed.Load():
		return storage.ErrClosed
	}
	names, _ := l.s.fs.ReadDir(l.dir)
	for _, n := range names {
		l.s.files.forget(filepath.Join(l.dir, n))
	}
	// Rename first so a crash never leaves a half-deleted log under its id.
	tmp := filepath.Join(l.s.dir, tmpPrefix+"del-"+strconv.FormatUint(l.s.tmpSeq.Add(1), 10)+"-"+dirName(l.id))
	if err := l.s.fs.Rename(l.dir, tmp); err != nil {
		return fmt.Errorf("segment: delete %s: %w", l.id, err)
	}
	if err := vfs.SyncDir(l.s.fs, l.s.dir); err != nil {
		return fmt.Errorf("segment: delete %s: %w", l.id, err)
	}
	l.mu.deleted = true
	l.cond.Broadcast()
	l.s.forgetLog(l)
	if err := l.s.fs.RemoveAll(tmp); err != nil {
		l.s.log.Warn("removing deleted log", "log", l.id, "err", err)
	}
	return nil
}
