package agent

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"sync/atomic"
	"time"

	"github.com/eddy-streams/eddy/agent/convert"
)

// readBufferSize is the size of a flow's read buffer, shared by its files
// (one goroutine reads them in turn).
const readBufferSize = 1 << 20

// trackedFile is one file a flow follows, by identity.
type trackedFile struct {
	id   fileID
	path string // its name when last seen; guarded by mu (read by checkpoint)
	f    *os.File
	sp   *splitter

	readOff  int64 // bytes read and given to the splitter
	lastSize int64 // the size at the last poll
	headLen  int64 // guarded by mu (read by checkpoint)
	head     string
	gone     bool // no longer matched by the pattern (renamed away or deleted)
	idle     int  // polls without new data

	mu      sync.Mutex
	gen     int      // incremented when the file was truncated (copytruncate)
	base    int64    // sequence number of pending[0]
	pending []ackRec // records sent and not all acknowledged, in file order
	ackOff  int64    // offset after the last record acknowledged in order
	dirty   bool     // ackOff moved since the last checkpoint
	saved   time.Time
}

type ackRec struct {
	end  int64
	done bool
}

// add registers a record ending at end and returns its sequence number.
func (t *trackedFile) add(end int64) (gen int, seq int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.pending = append(t.pending, ackRec{end: end})
	return t.gen, t.base + int64(len(t.pending)) - 1
}

// ack marks record seq done and advances ackOff past every record
// acknowledged in file order.
func (t *trackedFile) ack(gen int, seq int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if gen != t.gen {
		return // a record of the content before a truncation
	}
	t.pending[seq-t.base].done = true
	n := 0
	for n < len(t.pending) && t.pending[n].done {
		t.ackOff = t.pending[n].end
		n++
	}
	if n > 0 {
		t.dirty = true
		t.base += int64(n)
		// Reslice; copy down only when the dropped head is the larger
		// part, so that acknowledging record by record is not quadratic.
		t.pending = t.pending[n:]
		if cap(t.pending) > 64 && len(t.pending) < cap(t.pending)/4 {
			t.pending = append(make([]ackRec, 0, 2*len(t.pending)+16), t.pending...)
		}
	}
}

func (t *trackedFile) inFlight() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.pending)
}

// truncated restarts the file from its beginning: it was copied and
// truncated, its old content's records no longer matter for checkpoints.
func (t *trackedFile) truncated(header int, f *flow) {
	t.mu.Lock()
	t.gen++
	t.base += int64(len(t.pending))
	t.pending = t.pending[:0]
	t.ackOff = 0
	t.dirty = true
	t.head, t.headLen = "", 0
	t.mu.Unlock()
	t.readOff, t.lastSize = 0, 0
	t.sp = f.newSplitter(header)
}

// flow tails the files of one pattern into one sender.
type flow struct {
	opts   FlowOptions
	id     string
	start  *regexp.Regexp
	footer *regexp.Regexp
	limit  int
	sender sender
	store  *checkpointStore
	log    *slog.Logger
	m      *flowMetrics
	queue  chan struct{} // a token per record read and not acknowledged
	recs   recordArena   // where the records handed to the sender are kept
	// convWarn limits the conversion-failure warnings to one a second.
	convWarn everyInterval

	files   map[fileID]*trackedFile
	filesMu sync.Mutex // guards files against checkpointing
	buf     []byte
	first   bool // the first scan: files without a checkpoint start at InitialPosition
}

func (f *flow) newSplitter(header int) *splitter {
	return newSplitter(&f.opts, f.start, f.footer, f.limit, header)
}

// run polls the files until ctx ends.
func (f *flow) run(ctx context.Context) {
	// As the Kinesis Agent, initialPosition applies only to a flow that
	// has no checkpoint yet; once it has, files it does not know (created
	// while the agent was stopped) are read from their start.
	f.first = !f.store.hasFlow(f.id)
	t := time.NewTicker(f.opts.PollInterval)
	defer t.Stop()
	for {
		f.poll(ctx)
		f.first = false
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// matches lists the files of the directory whose names match the last
// element of the pattern. As in the Kinesis Agent (SourceFile.java), glob
// characters in the directory are taken literally.
func (f *flow) matches() []string {
	dir, pattern := filepath.Split(f.opts.FilePattern)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		if ok, _ := filepath.Match(pattern, e.Name()); ok {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out // ReadDir sorts by name
}

// poll finds the files matching the pattern and reads what is new in each.
func (f *flow) poll(ctx context.Context) {
	matches := f.matches()
	seen := make(map[fileID]bool, len(matches))
	for _, p := range matches {
		fi, err := os.Stat(p)
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		id, ok := idOf(fi)
		if !ok {
			continue
		}
		seen[id] = true
		if t := f.files[id]; t != nil {
			t.mu.Lock()
			t.path = p
			t.mu.Unlock()
			continue
		}
		if t := f.open(p, id, fi.Size()); t != nil {
			f.filesMu.Lock()
			f.files[id] = t
			f.filesMu.Unlock()
		}
	}
	for id, t := range f.files {
		if !seen[id] {
			t.gone = true
		}
	}
	// Oldest first (by name, as rotation suffixes sort) is not needed for
	// correctness: each file keeps its own order.
	for _, t := range f.files {
		if ctx.Err() != nil {
			return
		}
		f.read(ctx, t)
	}
}

// open starts following a newly found file: from its checkpoint if its
// identity and fingerprint match one, else from its start (or its end, on
// the first scan with END_OF_FILE).
func (f *flow) open(path string, id fileID, size int64) *trackedFile {
	fh, err := os.Open(path)
	if err != nil {
		return nil
	}
	t := &trackedFile{id: id, path: path, f: fh}
	header := f.opts.SkipHeaderLines
	if c, ok := f.store.get(f.id, id); ok {
		head, n, err := fingerprint(fh, c.HeadLen)
		if err == nil && n == c.HeadLen && head == c.Head && c.Offset <= size {
			t.readOff, t.ackOff, t.head, t.headLen = c.Offset, c.Offset, c.Head, c.HeadLen
			if c.Offset > 0 {
				header = 0
			}
			f.log.Info("agent: resuming file from its checkpoint", "file", path, "offset", c.Offset)
		}
	} else if f.first && f.opts.InitialPosition == EndOfFile {
		t.readOff, t.ackOff = size, size
		header = 0
	}
	t.sp = f.newSplitter(header)
	t.dirty = true
	return t
}

// read reads what was appended to t since the last poll.
func (f *flow) read(ctx context.Context, t *trackedFile) {
	fi, err := t.f.Stat()
	if err != nil {
		return
	}
	size := fi.Size()
	if t.sp.ended && size >= t.readOff && f.sameHead(t, size) {
		// Read to its footer: nothing after it is sent.
		t.idle++
		if t.gone && t.inFlight() == 0 {
			f.forget(t)
		}
		return
	}
	if size < t.readOff || !f.sameHead(t, size) {
		f.log.Info("agent: file was truncated, reading it from its start", "file", t.path)
		t.truncated(f.opts.SkipHeaderLines, f)
	}
	got := 0
	for t.readOff < size && ctx.Err() == nil {
		n, err := t.f.ReadAt(f.buf, t.readOff)
		if n > 0 {
			got += n
			f.m.bytesParsed.Add(float64(n))
			base := t.readOff
			used := t.sp.feed(f.buf[:n], base, false, func(rec []byte, end int64) { f.emit(ctx, t, rec, end) })
			t.readOff += int64(used)
			if t.sp.ended {
				f.log.Info("agent: footer line read, the file is complete", "file", t.path)
				break
			}
		}
		if err != nil && !errors.Is(err, io.EOF) {
			f.log.Warn("agent: read failed", "file", t.path, "err", err)
			return
		}
		if n == 0 {
			break
		}
	}
	if got > 0 {
		t.idle = 0
		return
	}
	t.idle++
	if t.gone && t.idle >= 2 {
		// Renamed out of the pattern or deleted, and no longer growing:
		// its last partial line and open record are complete.
		t.sp.feed(nil, t.readOff, true, func(rec []byte, end int64) { f.emit(ctx, t, rec, end) })
		if t.inFlight() == 0 && !t.sp.hasOpenRecord() {
			f.forget(t)
		}
		return
	}
	if t.sp.hasOpenRecord() && time.Duration(t.idle)*f.opts.PollInterval >= f.opts.BufferAge {
		t.sp.idle(func(rec []byte, end int64) { f.emit(ctx, t, rec, end) })
	}
}

// sameHead checks the file's fingerprint each time its size changed: a
// file truncated and written again past its old size between two polls
// has another head. A head shorter than fingerprintBytes grows with the file.
func (f *flow) sameHead(t *trackedFile, size int64) bool {
	if size == t.lastSize && t.headLen > 0 {
		return true
	}
	t.lastSize = size
	if t.headLen > 0 {
		old, n, err := fingerprint(t.f, t.headLen)
		if err == nil && (n < t.headLen || old != t.head) {
			return false
		}
	}
	if t.headLen < fingerprintBytes {
		if head, n, err := fingerprint(t.f, min(size, fingerprintBytes)); err == nil {
			t.mu.Lock()
			t.head, t.headLen = head, n
			t.mu.Unlock()
		}
	}
	return true
}

// forget stops following a file that is gone and fully acknowledged.
func (f *flow) forget(t *trackedFile) {
	t.f.Close()
	f.filesMu.Lock()
	delete(f.files, t.id)
	f.filesMu.Unlock()
	f.store.remove(f.id, t.id)
}

// emit sends one record; it blocks while the flow's queue is full.
func (f *flow) emit(ctx context.Context, t *trackedFile, rec []byte, end int64) {
	f.m.recordsParsed.Inc()
	gen, seq := t.add(end)
	var data []byte
	if f.opts.Convert != nil {
		dst := f.recs.room()
		out, err := f.opts.Convert(dst, rec)
		switch {
		case errors.Is(err, convert.ErrSkip) || err == nil && len(out) == 0:
			f.m.recordsSkipped.Inc()
			t.ack(gen, seq)
			return
		case err != nil:
			// As the Kinesis Agent: the record is sent as read.
			f.m.processingErrors.Inc()
			if f.convWarn.Allow() {
				f.log.Warn("agent: cannot process input data; the record is sent unconverted", "flow", f.id, "file", t.path, "err", err)
			}
			data = f.recs.copy(rec)
		default:
			f.m.recordsTransformed.Inc()
			data = f.recs.took(dst, out)
		}
	} else {
		data = f.recs.copy(rec)
	}
	select {
	case f.queue <- struct{}{}:
	case <-ctx.Done():
		return // not acknowledged: read again after a restart
	}
	c := f.recs.hold()
	f.sender.send(data, func() {
		t.ack(gen, seq)
		f.recs.release(c)
		<-f.queue
	})
}

// checkpoint records every file's acknowledged offset in the store.
func (f *flow) checkpoint() {
	f.filesMu.Lock()
	defer f.filesMu.Unlock()
	now := time.Now()
	for _, t := range f.files {
		t.mu.Lock()
		// A followed file's checkpoint is refreshed hourly even when
		// idle, so that only checkpoints of files no longer followed
		// expire.
		if t.dirty || now.Sub(t.saved) > time.Hour {
			f.store.set(checkpoint{Flow: f.id, Path: t.path, Dev: t.id.Dev, Ino: t.id.Ino, HeadLen: t.headLen, Head: t.head, Offset: t.ackOff, Seen: now.Unix()})
			t.dirty = false
			t.saved = now
		}
		t.mu.Unlock()
	}
}

// everyInterval says yes at most once per interval.
type everyInterval struct{ last time.Time }

func (e *everyInterval) Allow() bool {
	now := time.Now()
	if now.Sub(e.last) < time.Second {
		return false
	}
	e.last = now
	return true
}

// recordArena hands out the memory of the records a flow sends, carved
// from 256 KiB chunks instead of one allocation per record. A chunk is
// freed once every record carved from it is acknowledged; records never
// share bytes, so a sender may keep one as long as it needs. Chunks pinned
// by records still in flight (some records of a throttled shard among many
// acknowledged ones) are bounded: past arenaMaxLive bytes of them, records
// get their own allocations until chunks are freed.
type recordArena struct {
	buf  []byte
	cur  *arenaChunk // the chunk buf is carved from; nil: none
	live atomic.Int64
}

type arenaChunk struct {
	refs  atomic.Int32 // records carved and not acknowledged, +1 while current
	arena *recordArena
}

const (
	arenaChunkSize = 256 << 10
	arenaLarge     = 16 << 10 // records above this get their own allocation
	arenaMaxLive   = 64 << 20
)

// next makes a new current chunk, if the bound allows.
func (a *recordArena) next() {
	if a.cur != nil {
		a.release(a.cur)
		a.cur = nil
	}
	a.buf = nil
	if a.live.Load()+arenaChunkSize > arenaMaxLive {
		return
	}
	a.live.Add(arenaChunkSize)
	a.cur = &arenaChunk{arena: a}
	a.cur.refs.Store(1)
	a.buf = make([]byte, 0, arenaChunkSize)
}

// copy returns a copy of rec.
func (a *recordArena) copy(rec []byte) []byte {
	if len(rec) > arenaLarge {
		return append([]byte(nil), rec...)
	}
	if cap(a.buf)-len(a.buf) < len(rec) {
		a.next()
		if a.cur == nil {
			return append([]byte(nil), rec...)
		}
	}
	n := len(a.buf)
	a.buf = append(a.buf, rec...)
	return a.buf[n:len(a.buf):len(a.buf)]
}

// room returns an empty slice over the free part of the current chunk, for
// a converter to append to; took then keeps what was written there.
func (a *recordArena) room() []byte {
	if cap(a.buf)-len(a.buf) < arenaLarge {
		a.next()
	}
	return a.buf[len(a.buf):len(a.buf)]
}

// took returns out, the result of appending to dst (from room): carved
// from the chunk if it stayed there, else out itself (it outgrew the room
// and was reallocated).
func (a *recordArena) took(dst, out []byte) []byte {
	if len(out) == 0 || cap(dst) == 0 || cap(out) != cap(dst) || &out[:1][0] != &dst[:1][0] {
		return out
	}
	n := len(a.buf)
	a.buf = a.buf[:n+len(out)]
	return a.buf[n:len(a.buf):len(a.buf)]
}

// hold counts one more record in flight in the current chunk and returns
// it (nil when there is none); the record's acknowledgement releases it.
// A record copied outside the chunk holds it too, harmlessly.
func (a *recordArena) hold() *arenaChunk {
	if a.cur != nil {
		a.cur.refs.Add(1)
	}
	return a.cur
}

func (a *recordArena) release(c *arenaChunk) {
	if c != nil && c.refs.Add(-1) == 0 {
		c.arena.live.Add(-arenaChunkSize)
	}
}
