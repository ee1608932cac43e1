package segment

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/eddy-streams/eddy/storage"
	"github.com/eddy-streams/eddy/storage/vfs"
)

// shardLog is one shard's log: a directory of segment files. It implements
// storage.ShardLog.
//
// Positions below durable are synced; readers see positions below visible
// (equal to durable with SyncAlways, to next otherwise). Appends are written
// under mu; the fsync that makes them durable runs without mu, led by one
// waiting appender for everyone waiting (group commit).
type shardLog struct {
	s    *Store
	id   string
	dir  string
	cond *sync.Cond // on mu: durable advanced, a sync ended, or the log failed

	mu struct {
		sync.Mutex
		loaded  bool
		deleted bool
		closed  bool
		sealed  bool
		// broken is set when the log could not be restored to a consistent
		// state after an I/O error; every operation returns it until the
		// store is reopened.
		broken error

		segs []*segInfo // sorted by base; the last is the tail

		next        uint64 // position of the next record
		written     int64  // bytes written to the tail file
		lastArrival int64  // arrival of the newest record, Unix ns
		lastOffset  int64  // offset of the newest record in the tail, or 0

		durable     uint64 // positions below this are synced
		durableSize int64  // tail bytes synced
		visible     uint64 // readers see positions below this
		visibleSize int64  // tail bytes readers may read
		idxFlushed  int    // tail index entries written to its index file

		syncing bool // a sync is running without mu
		rolling bool // a roll is running: appends wait (on cond) until it ends
		// gen counts failures that rolled the log back. An append that
		// wrote in generation g < gen is acknowledged only if its end is
		// at most genDurable[g], the durable position when g ended.
		gen        uint64
		genDurable []uint64
		genErr     []error
	}
}

// segInfo describes one segment file.
type segInfo struct {
	base    uint64
	path    string // the .seg file
	idxPath string

	// For sealed segments (all but the tail): set when the segment is
	// sealed or first loaded, under shardLog.mu.
	end  uint64 // position after its last record
	size int64  // file size, or -1 until known

	// reserved is, for the tail, the end of the blocks preallocated past
	// its size (see reserveLocked); 0 when none are known. Under
	// shardLog.mu.
	reserved int64

	// idx holds the segment's sparse index. The tail's is always loaded
	// and is extended under shardLog.mu; a sealed segment's is loaded on
	// first use under idxMu and never changes after.
	idxMu sync.Mutex
	idx   []indexEntry
}

func newSegInfo(dir string, base uint64) *segInfo {
	return &segInfo{
		base:    base,
		path:    filepath.Join(dir, segmentName(base, segExt)),
		idxPath: filepath.Join(dir, segmentName(base, idxExt)),
		size:    -1,
	}
}

func (g *segInfo) name() string { return filepath.Base(g.path) }

var _ storage.ShardLog = (*shardLog)(nil)

func newShardLog(s *Store, id, dir string) *shardLog {
	l := &shardLog{s: s, id: id, dir: dir}
	l.cond = sync.NewCond(&l.mu)
	return l
}

func (l *shardLog) ID() string { return l.id }

// corruptf returns an error wrapping storage.ErrCorrupt that names the log,
// the file and the offset.
func (l *shardLog) corruptf(file string, off int64, format string, args ...any) error {
	return fmt.Errorf("%w: log %s segment %s offset %d: %s", storage.ErrCorrupt, l.id, file, off, fmt.Sprintf(format, args...))
}

// readyLocked returns the error every operation must fail with, loading
// the log from disk first if this is its first use.
func (l *shardLog) readyLocked() error {
	switch {
	case l.mu.deleted:
		return storage.ErrDeleted
	case l.mu.closed || l.s.closed.Load():
		return storage.ErrClosed
	case l.mu.broken != nil:
		return l.mu.broken
	case !l.mu.loaded:
		if err := l.loadLocked(); err != nil {
			return err
		}
		l.mu.loaded = true
	}
	return nil
}

// loadLocked reads the log's directory and recovers its tail segment.
// Sealed segments are not read: their indexes load when first needed.
func (l *shardLog) loadLocked() error {
	fsys := l.s.fs
	names, err := fsys.ReadDir(l.dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return storage.ErrDeleted
		}
		return fmt.Errorf("segment: read log %s: %w", l.id, err)
	}
	var bases []uint64
	hasSeg := map[string]bool{}
	for _, n := range names {
		if base, ok := parseSegmentName(n); ok {
			bases = append(bases, base)
			hasSeg[strings.TrimSuffix(n, segExt)] = true
		}
	}
	for _, n := range names {
		switch {
		case n == sealedName:
			l.mu.sealed = true
		case strings.HasSuffix(n, ".tmp"):
			// An index rewrite that did not finish.
			fsys.Remove(filepath.Join(l.dir, n))
		case strings.HasSuffix(n, idxExt) && !hasSeg[strings.TrimSuffix(n, idxExt)]:
			// The index of a segment whose removal was interrupted.
			fsys.Remove(filepath.Join(l.dir, n))
		}
	}
	if len(bases) == 0 {
		return l.corruptf("-", 0, "log directory %s holds no segment", l.dir)
	}
	sort.Slice(bases, func(i, j int) bool { return bases[i] < bases[j] })
	segs := make([]*segInfo, len(bases))
	for i, b := range bases {
		segs[i] = newSegInfo(l.dir, b)
		if i > 0 {
			segs[i-1].end = b
		}
	}
	l.mu.segs = segs
	return l.recoverTailLocked()
}

// recoverTailLocked validates the tail segment from its last index entry to
// its end, truncates a torn tail at the first bad frame, and rebuilds the
// in-memory state. Everything before the last index entry was synced before
// that entry was written, so it is not re-read.
func (l *shardLog) recoverTailLocked() error {
	fsys := l.s.fs
	tail := l.mu.segs[len(l.mu.segs)-1]
	cf, err := l.s.files.acquire(tail.path)
	if err != nil {
		return fmt.Errorf("segment: open %s: %w", tail.path, err)
	}
	defer l.s.files.release(cf)
	size, err := cf.f.Size()
	if err != nil {
		return err
	}
	if size < segmentHeaderSize && len(l.mu.segs) > 1 {
		// A roll created this file but crashed before its header was
		// synced: write the header again.
		if err := cf.f.Truncate(0); err != nil {
			return err
		}
		if _, err := cf.f.Write(encodeSegmentHeader(tail.base)); err != nil {
			return err
		}
		if err := cf.f.Sync(); err != nil {
			return err
		}
		size = segmentHeaderSize
	}
	hdr := make([]byte, segmentHeaderSize)
	if _, err := cf.f.ReadAt(hdr, 0); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	if err := checkSegmentHeader(hdr, tail.base); err != nil {
		return l.corruptf(tail.name(), 0, "%v", err)
	}

	// Load the index's valid prefix.
	idxBytes, err := readWholeFile(fsys, tail.idxPath)
	if errors.Is(err, fs.ErrNotExist) {
		idxBytes = nil
		if f, err := fsys.Create(tail.idxPath); err != nil {
			return err
		} else if err := f.Close(); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	entries, validLen := decodeIndex(idxBytes, tail.base, size)

	start, seq := int64(segmentHeaderSize), tail.base
	var lastArrival int64
	if n := len(entries); n > 0 {
		e := entries[n-1]
		start, seq, lastArrival = int64(e.offset), e.seq, e.arrival
	} else if len(l.mu.segs) > 1 {
		prev := l.mu.segs[len(l.mu.segs)-2]
		pidx, err := l.sealedIndex(prev)
		if err != nil {
			return err
		}
		lastArrival = pidx[len(pidx)-1].arrival
	}
	checkpoint := start
	lastOffset := int64(0)
	indexedAt := int64(-1)
	if len(entries) > 0 {
		indexedAt = start
	}
	var newEntries []indexEntry
	end, scanErr := scanFrames(cf.f, start, size, 1<<20, nil, nil, func(fv *frameView, off int64) bool {
		if fv.seq != seq || fv.arrival < lastArrival {
			return false
		}
		// indexedAt starts at the checkpoint, which is already indexed.
		if indexedAt < 0 || off-indexedAt >= l.s.cfg.IndexInterval {
			newEntries = append(newEntries, indexEntry{seq: fv.seq, arrival: fv.arrival, offset: uint32(off)})
			indexedAt = off
		}
		seq++
		lastArrival = fv.arrival
		lastOffset = off
		return true
	})
	if scanErr != nil && scanErr != errShortFrame && scanErr != errBadFrame {
		return fmt.Errorf("segment: recover %s: %w", tail.path, scanErr)
	}
	if len(entries) > 0 && end == checkpoint {
		// The frame the last index entry points at must be intact: it was
		// synced before the entry was written.
		return l.corruptf(tail.name(), checkpoint, "indexed record %d is unreadable", entries[len(entries)-1].seq)
	}
	if end < size {
		l.s.log.Warn("truncating torn tail", "log", l.id, "segment", tail.name(), "offset", end, "bytes", size-end)
		if err := cf.f.Truncate(end); err != nil {
			return fmt.Errorf("segment: truncate %s: %w", tail.path, err)
		}
	}
	// Make what the scan found durable before indexing it.
	if err := cf.f.Sync(); err != nil {
		return fmt.Errorf("segment: sync %s: %w", tail.path, err)
	}
	if validLen < len(idxBytes) || len(newEntries) > 0 {
		var add []byte
		for _, e := range newEntries {
			add = appendIndexEntry(add, e)
		}
		if err := rewriteIndex(fsys, tail.idxPath, idxBytes[:validLen], add); err != nil {
			return err
		}
	}

	tail.idx = append(entries, newEntries...)
	l.mu.next = seq
	l.mu.written = end
	l.mu.lastArrival = lastArrival
	l.mu.lastOffset = lastOffset
	l.mu.durable, l.mu.visible = seq, seq
	l.mu.durableSize, l.mu.visibleSize = end, end
	l.mu.idxFlushed = len(tail.idx)
	return nil
}

// rewriteIndex replaces the index file at path with keep followed by add,
// through a temporary file and a rename.
func rewriteIndex(fsys vfs.FS, path string, keep, add []byte) error {
	tmp := path + ".tmp"
	fsys.Remove(tmp)
	f, err := fsys.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(append([]byte(nil), keep...), add...)); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return fsys.Rename(tmp, path)
}

func readWholeFile(fsys vfs.FS, path string) ([]byte, error) {
	f, err := fsys.OpenRW(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	size, err := f.Size()
	if err != nil {
		return nil, err
	}
	b := make([]byte, size)
	n, err := f.ReadAt(b, 0)
	if err != nil && !(errors.Is(err, io.EOF) && int64(n) == size) {
		return nil, err
	}
	return b[:n], nil
}

// sealedIndex returns the index of a sealed segment, loading it on first
// use. If the index file is missing, torn, or does not end with an entry
// for the segment's last record, it is rebuilt by scanning the segment.
// The result is never empty: a sealed segment holds at least one record.
func (l *shardLog) sealedIndex(g *segInfo) ([]indexEntry, error) {
	idx, err := l.loadSealedIndex(g)
	if err == nil {
		l.s.idxs.touch(g)
	}
	return idx, err
}

func (l *shardLog) loadSealedIndex(g *segInfo) ([]indexEntry, error) {
	g.idxMu.Lock()
	defer g.idxMu.Unlock()
	if g.idx != nil {
		return g.idx, nil
	}
	fsys := l.s.fs
	cf, err := l.s.files.acquire(g.path)
	if err != nil {
		return nil, fmt.Errorf("segment: open %s: %w", g.path, err)
	}
	defer l.s.files.release(cf)
	size, err := cf.f.Size()
	if err != nil {
		return nil, err
	}
	g.size = size
	idxBytes, err := readWholeFile(fsys, g.idxPath)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	entries, validLen := decodeIndex(idxBytes, g.base, size)
	if n := len(entries); n > 0 && validLen == len(idxBytes) && entries[0].seq == g.base && entries[n-1].seq == g.end-1 {
		g.idx = entries
		return entries, nil
	}
	// Rebuild from the data, verifying every frame.
	l.s.log.Warn("rebuilding segment index", "log", l.id, "segment", g.name())
	hdr := make([]byte, segmentHeaderSize)
	if _, err := cf.f.ReadAt(hdr, 0); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	if err := checkSegmentHeader(hdr, g.base); err != nil {
		return nil, l.corruptf(g.name(), 0, "%v", err)
	}
	entries = entries[:0]
	seq := g.base
	indexedAt := int64(-1)
	var last indexEntry
	var bad error
	end, scanErr := scanFrames(cf.f, segmentHeaderSize, size, 1<<20, nil, nil, func(fv *frameView, off int64) bool {
		if fv.seq != seq {
			bad = l.corruptf(g.name(), off, "record %d where %d was expected", fv.seq, seq)
			return false
		}
		last = indexEntry{seq: fv.seq, arrival: fv.arrival, offset: uint32(off)}
		if indexedAt < 0 || off-indexedAt >= l.s.cfg.IndexInterval {
			entries = append(entries, last)
			indexedAt = off
		}
		seq++
		return true
	})
	switch {
	case bad != nil:
		return nil, bad
	case scanErr != nil:
		return nil, l.corruptf(g.name(), end, "%v", scanErr)
	case seq != g.end:
		return nil, l.corruptf(g.name(), end, "segment ends at record %d, want %d", seq, g.end)
	}
	if entries[len(entries)-1] != last {
		entries = append(entries, last)
	}
	var b []byte
	for _, e := range entries {
		b = appendIndexEntry(b, e)
	}
	if err := rewriteIndex(fsys, g.idxPath, nil, b); err != nil {
		return nil, err
	}
	g.idx = entries
	return entries, nil
}

// sealedSize returns a sealed segment's file size.
func (l *shardLog) sealedSize(g *segInfo) (int64, error) {
	if _, err := l.sealedIndex(g); err != nil {
		return 0, err
	}
	return g.size, nil
}

// close syncs what is unsynced and marks the log closed.
func (l *shardLog) close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	var err error
	if l.mu.loaded && !l.mu.deleted && l.mu.broken == nil && l.mu.durable < l.mu.next {
		err = l.syncToLocked(l.mu.next, l.mu.gen)
	}
	l.mu.closed = true
	l.cond.Broadcast()
	return err
}
