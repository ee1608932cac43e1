package segment

import (
	"errors"
	"io/fs"
	"sort"
	"time"
	"unsafe"

	"github.com/eddy-streams/eddy/internal/bufpool"
	"github.com/eddy-streams/eddy/storage"
)

// readView is what a reader needs of the log's state, copied under mu so
// the read itself runs without it.
type readView struct {
	segs        []*segInfo
	tailIdx     []indexEntry // the tail's entries for visible records
	visible     uint64
	visibleSize int64
}

func (l *shardLog) viewLocked() readView {
	tail := l.mu.segs[len(l.mu.segs)-1]
	n := sort.Search(len(tail.idx), func(i int) bool { return tail.idx[i].seq >= l.mu.visible })
	return readView{
		segs:        append([]*segInfo(nil), l.mu.segs...),
		tailIdx:     tail.idx[:n:n],
		visible:     l.mu.visible,
		visibleSize: l.mu.visibleSize,
	}
}

func (l *shardLog) view() (readView, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.readyLocked(); err != nil {
		return readView{}, err
	}
	return l.viewLocked(), nil
}

// segIndex returns segment i's index and the end of its readable bytes.
func (l *shardLog) segIndex(v *readView, i int) ([]indexEntry, int64, error) {
	if i == len(v.segs)-1 {
		return v.tailIdx, v.visibleSize, nil
	}
	idx, err := l.sealedIndex(v.segs[i])
	if err != nil {
		return nil, 0, err
	}
	return idx, v.segs[i].size, nil
}

// Bounds implements storage.ShardLog.
func (l *shardLog) Bounds() (storage.Bounds, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.readyLocked(); err != nil {
		return storage.Bounds{}, err
	}
	return storage.Bounds{Oldest: l.mu.segs[0].base, Next: l.mu.visible, Sealed: l.mu.sealed}, nil
}

// Read implements storage.ShardLog.
func (l *shardLog) Read(from uint64, maxRecords, maxBytes int) ([]storage.Record, error) {
	recs, _, err := l.ReadBuffer(from, maxRecords, maxBytes, nil)
	return recs, err
}

// ReadBuffer implements storage.BufferReader.
func (l *shardLog) ReadBuffer(from uint64, maxRecords, maxBytes int, buf []byte) ([]storage.Record, []byte, error) {
	arena := buf[:0]
	alloc := func(n int) []byte {
		if cap(arena)-len(arena) < n {
			// Too small: a new arena for this and later chunks; records
			// already read keep the old one. It doubles, but not beyond
			// bufpool.Largest unless one chunk needs more: callers keep
			// buffers up to that size, and a full 10 MB read then fits
			// in the kept buffer it starts with (doubling a 9.7 MB one
			// had made 19 MB, which no pool kept, so every full read
			// zeroed a fresh one).
			size := max(n, 2*cap(arena))
			if size > bufpool.Largest {
				size = max(n, bufpool.Largest)
			}
			arena = make([]byte, 0, size)
		}
		b := arena[len(arena) : len(arena)+n : len(arena)+n]
		arena = arena[:len(arena)+n]
		return b
	}
	for attempt := 0; ; attempt++ {
		arena = arena[:0]
		recs, err := l.read(from, maxRecords, maxBytes, alloc)
		// A segment trimmed between taking the view and opening it: take a
		// new view, which starts after it.
		if errors.Is(err, fs.ErrNotExist) && attempt < 3 {
			continue
		}
		return recs, arena[:0], err
	}
}

func (l *shardLog) read(from uint64, maxRecords, maxBytes int, alloc func(int) []byte) ([]storage.Record, error) {
	v, err := l.view()
	if err != nil {
		return nil, err
	}
	if from > v.visible {
		return nil, storage.ErrOutOfRange
	}
	if oldest := v.segs[0].base; from < oldest {
		from = oldest
	}
	if maxRecords <= 0 || from == v.visible {
		return nil, nil
	}
	want := min(uint64(maxRecords), v.visible-from)
	out := make([]storage.Record, 0, min(want, 1024))
	bytes := 0
	pos := from
	full := false
	i := sort.Search(len(v.segs), func(i int) bool { return v.segs[i].base > pos }) - 1
	for ; i < len(v.segs) && !full && pos < v.visible; i++ {
		g := v.segs[i]
		idx, end, err := l.segIndex(&v, i)
		if err != nil {
			return nil, err
		}
		start, expect := int64(segmentHeaderSize), g.base
		if e, ok := seekSeq(idx, pos); ok {
			start, expect = int64(e.offset), e.seq
		}
		cf, err := l.s.files.acquire(g.path)
		if err != nil {
			return nil, err
		}
		var bad error
		// Size the first read to what the caller asked for.
		chunk := min(maxBytes+64<<10, 1<<20)
		// Later reads: the average frame size so far times the records
		// still wanted.
		hint := func(scanned int64, frames int) int {
			left := int64(want) - int64(len(out))
			return int(scanned/int64(frames)*left + 4096)
		}
		stop, serr := scanFrames(cf.f, start, end, chunk, hint, alloc, func(fv *frameView, off int64) bool {
			if fv.seq != expect {
				bad = l.corruptf(g.name(), off, "record %d where %d was expected", fv.seq, expect)
				return false
			}
			expect++
			if fv.seq < pos {
				return true
			}
			size := len(fv.data) + len(fv.pk)
			if len(out) > 0 && bytes+size > maxBytes {
				full = true
				return false
			}
			bytes += size
			out = append(out, storage.Record{
				Seq:             fv.seq,
				Arrival:         time.Unix(0, fv.arrival).UTC(),
				PartitionKey:    bytesString(fv.pk),
				ExplicitHashKey: bytesString(fv.ehk),
				Flags:           fv.flags,
				Data:            fv.data,
			})
			pos++
			if uint64(len(out)) >= want {
				full = true
				return false
			}
			return true
		})
		l.s.files.release(cf)
		switch {
		case bad != nil:
			return nil, bad
		case serr != nil:
			return nil, l.corruptf(g.name(), stop, "%v", serr)
		}
		if !full && i < len(v.segs)-1 && pos != g.end {
			return nil, l.corruptf(g.name(), stop, "segment ends at record %d, want %d", pos, g.end)
		}
	}
	return out, nil
}

// bytesString returns b as a string without copying. Read's results own
// their buffers and nothing writes to them, so the string stays immutable.
func bytesString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// SeekTime implements storage.ShardLog.
func (l *shardLog) SeekTime(t time.Time) (uint64, error) {
	v, err := l.view()
	if err != nil {
		return 0, err
	}
	target := t.UnixNano()
	oldest := v.segs[0].base
	if oldest == v.visible {
		return v.visible, nil
	}
	// Segments holding visible records.
	n := len(v.segs)
	if v.segs[n-1].base == v.visible {
		n--
	}
	// The first segment whose first record arrived at or after t; the
	// answer is in the segment before it, or is that segment's first
	// record.
	var ierr error
	j := sort.Search(n, func(i int) bool {
		idx, _, err := l.segIndex(&v, i)
		if err != nil {
			ierr = err
			return true
		}
		return idx[0].arrival >= target
	})
	if ierr != nil {
		return 0, ierr
	}
	if j == 0 {
		return oldest, nil
	}
	i := j - 1
	g := v.segs[i]
	idx, end, err := l.segIndex(&v, i)
	if err != nil {
		return 0, err
	}
	start := int64(segmentHeaderSize)
	if e, ok := seekArrival(idx, target); ok {
		start = int64(e.offset)
	}
	cf, err := l.s.files.acquire(g.path)
	if err != nil {
		return 0, err
	}
	defer l.s.files.release(cf)
	found, ok := uint64(0), false
	stop, serr := scanFrames(cf.f, start, end, minChunk, nil, nil, func(fv *frameView, off int64) bool {
		if fv.arrival >= target {
			found, ok = fv.seq, true
			return false
		}
		return true
	})
	if serr != nil {
		return 0, l.corruptf(g.name(), stop, "%v", serr)
	}
	if ok {
		return found, nil
	}
	if j < n {
		return v.segs[j].base, nil
	}
	return v.visible, nil
}
