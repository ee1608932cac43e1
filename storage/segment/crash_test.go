package segment

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/storage"
	"github.com/eddy-streams/eddy/storage/vfs"
)

// payload makes record data that names its writer and counter, so a reader
// can tell which acknowledged record it is.
func payload(writer, counter, size int) []byte {
	b := make([]byte, max(size, 16))
	binary.LittleEndian.PutUint64(b, uint64(writer))
	binary.LittleEndian.PutUint64(b[8:], uint64(counter))
	for i := 16; i < len(b); i++ {
		b[i] = byte(writer*31 + counter + i)
	}
	return b
}

type ack struct {
	log           string
	first         uint64
	writer, start int
	n, size       int
}

// procFS is the filesystem as one process incarnation sees it: after crash
// it refuses every operation, as a process that died would make none. (MemFS
// kills the handles open at a crash, but would let a new open through.)
type procFS struct {
	*vfs.MemFS
	mu   sync.RWMutex
	dead bool
}

var errDeadProcess = errors.New("process crashed")

// crash kills this incarnation and crashes the filesystem, atomically with
// respect to its operations.
func (p *procFS) crash() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.dead = true
	p.MemFS.Crash()
}

func (p *procFS) live() error {
	if p.dead {
		return errDeadProcess
	}
	return nil
}

func (p *procFS) Create(n string) (vfs.File, error) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if err := p.live(); err != nil {
		return nil, err
	}
	return p.MemFS.Create(n)
}

func (p *procFS) OpenRW(n string) (vfs.File, error) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if err := p.live(); err != nil {
		return nil, err
	}
	return p.MemFS.OpenRW(n)
}

func (p *procFS) OpenDir(n string) (vfs.File, error) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if err := p.live(); err != nil {
		return nil, err
	}
	return p.MemFS.OpenDir(n)
}

func (p *procFS) Remove(n string) error {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if err := p.live(); err != nil {
		return err
	}
	return p.MemFS.Remove(n)
}

func (p *procFS) RemoveAll(n string) error {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if err := p.live(); err != nil {
		return err
	}
	return p.MemFS.RemoveAll(n)
}

func (p *procFS) Rename(a, b string) error {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if err := p.live(); err != nil {
		return err
	}
	return p.MemFS.Rename(a, b)
}

// incarnation opens the store in a new process incarnation on m.
func incarnation(t *testing.T, m *vfs.MemFS, mut func(*Config)) (*Store, *procFS) {
	p := &procFS{MemFS: m}
	s := memStore(t, m, func(c *Config) {
		c.FS = p
		if mut != nil {
			mut(c)
		}
	})
	return s, p
}

func memStore(t *testing.T, m *vfs.MemFS, mut func(*Config)) *Store {
	t.Helper()
	cfg := DefaultConfig()
	cfg.FS = m
	cfg.SegmentBytes = 16 << 10
	cfg.IndexInterval = 1 << 10
	if mut != nil {
		mut(&cfg)
	}
	s, err := Open("/data", cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// verifyAcks reopens nothing: it checks that every acknowledged batch is in
// the store at its positions, and that no (writer, counter) appears twice.
func verifyAcks(t *testing.T, s *Store, acks []ack) {
	t.Helper()
	byLog := map[string][]ack{}
	for _, a := range acks {
		byLog[a.log] = append(byLog[a.log], a)
	}
	ids, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		l, err := s.Open(id)
		if err != nil {
			t.Fatal(err)
		}
		b, err := l.Bounds()
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		recs, err := l.Read(b.Oldest, 1<<30, 1<<40)
		if err != nil {
			t.Fatalf("%s: read: %v", id, err)
		}
		if uint64(len(recs)) != b.Next-b.Oldest {
			t.Fatalf("%s: read %d records, bounds %+v", id, len(recs), b)
		}
		seen := map[[2]uint64]bool{}
		for i, r := range recs {
			if r.Seq != b.Oldest+uint64(i) {
				t.Fatalf("%s: record %d has position %d", id, i, r.Seq)
			}
			k := [2]uint64{binary.LittleEndian.Uint64(r.Data), binary.LittleEndian.Uint64(r.Data[8:])}
			if seen[k] {
				t.Fatalf("%s: record %v twice", id, k)
			}
			seen[k] = true
		}
		for _, a := range byLog[id] {
			for i := 0; i < a.n; i++ {
				p := a.first + uint64(i)
				if p < b.Oldest || p >= b.Next {
					t.Fatalf("%s: acknowledged position %d missing (bounds %+v)", id, p, b)
				}
				want := payload(a.writer, a.start+i, a.size)
				if got := recs[p-b.Oldest].Data; string(got) != string(want) {
					t.Fatalf("%s: position %d holds writer %d counter %d, want writer %d counter %d", id, p,
						binary.LittleEndian.Uint64(got), binary.LittleEndian.Uint64(got[8:]), a.writer, a.start+i)
				}
			}
		}
		delete(byLog, id)
	}
	for id := range byLog {
		t.Fatalf("log %s with acknowledged records is missing", id)
	}
}

// load runs writers appending to logs until stop is closed, and returns
// what was acknowledged.
func load(s *Store, logs []string, writerBase, writers int, stop <-chan struct{}) []ack {
	return loadWith(s, logs, writerBase, writers, stop, false)
}

// loadWith is load; with multi, odd writers append to up to three logs at
// once with AppendMulti, next to the even ones' Appends.
func loadWith(s *Store, logs []string, writerBase, writers int, stop <-chan struct{}, multi bool) []ack {
	var mu sync.Mutex
	var acks []ack
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			w += writerBase
			counter := 0
			for {
				select {
				case <-stop:
					return
				default:
				}
				if multi && w%2 == 1 {
					var batches []storage.AppendBatch
					var backs []ack
					for _, k := range rng.Perm(len(logs))[:1+rng.IntN(min(3, len(logs)))] {
						l, err := s.Open(logs[k])
						if err != nil {
							return
						}
						n, size := 1+rng.IntN(20), 16+rng.IntN(600)
						recs := make([]storage.Record, n)
						for i := range recs {
							recs[i] = storage.Record{PartitionKey: "k", Data: payload(w+writerBase, counter+i, size), Arrival: time.Now()}
						}
						batches = append(batches, storage.AppendBatch{Log: l, Recs: recs})
						backs = append(backs, ack{log: logs[k], writer: w + writerBase, start: counter, n: n, size: size})
						counter += n
					}
					s.AppendMulti(batches)
					mu.Lock()
					for i, b := range batches {
						if b.Err == nil {
							backs[i].first = b.First
							acks = append(acks, backs[i])
						}
					}
					mu.Unlock()
					continue
				}
				id := logs[rng.IntN(len(logs))]
				l, err := s.Open(id)
				if err != nil {
					return
				}
				n, size := 1+rng.IntN(20), 16+rng.IntN(600)
				recs := make([]storage.Record, n)
				for i := range recs {
					recs[i] = storage.Record{PartitionKey: "k", Data: payload(w, counter+i, size), Arrival: time.Now()}
				}
				first, err := l.Append(recs)
				if err == nil {
					mu.Lock()
					acks = append(acks, ack{log: id, first: first, writer: w, start: counter, n: n, size: size})
					mu.Unlock()
				}
				counter += n
			}
		}(w)
	}
	wg.Wait()
	return acks
}

// TestCrashKeepsAcknowledged crashes the filesystem (keeping only synced
// bytes) while writers append, reopens, and checks every acknowledged
// record is there, in order, once. It repeats across several crashes on the
// same filesystem, so recovery of recovered logs is exercised too.
// syncModes are the two group commits of SyncAlways: an fdatasync per log,
// and syncfs shared by all logs (Config.SyncFS).
var syncModes = map[string]func(*Config){
	"fdatasync": func(c *Config) { c.SyncFS = false },
	"syncfs":    func(c *Config) { c.SyncFS = true },
}

func TestCrashKeepsAcknowledged(t *testing.T) {
	for name, mode := range syncModes {
		for _, multi := range []bool{false, true} {
			t.Run(fmt.Sprint(name, "/multi=", multi), func(t *testing.T) { testCrashKeepsAcknowledged(t, mode, multi) })
		}
	}
}

func testCrashKeepsAcknowledged(t *testing.T, mode func(*Config), multi bool) {
	m := vfs.NewMem()
	logs := []string{"a/0", "a/1", "b/0"}
	s, p := incarnation(t, m, mode)
	for _, id := range logs {
		if _, err := s.Create(id, 0); err != nil {
			t.Fatal(err)
		}
	}
	var all []ack
	for round := 0; round < 6; round++ {
		stop := make(chan struct{})
		var acks []ack
		done := make(chan struct{})
		go func() { acks = loadWith(s, logs, round*4, 4, stop, multi); close(done) }()
		time.Sleep(time.Duration(5+round*7) * time.Millisecond)
		p.crash()
		close(stop)
		recvWithin(t, done, "the writers to stop")
		all = append(all, acks...)
		s, p = incarnation(t, m, mode)
		verifyAcks(t, s, all)
	}
	if len(all) == 0 {
		t.Fatal("no append was acknowledged")
	}
	s.Close()
}

// TestWriteFaultRollsBack fails a write part-way: the append errors, the
// partial bytes are cut off, and later appends and a crash keep everything
// acknowledged.
func TestWriteFaultRollsBack(t *testing.T) {
	for _, partial := range []int{0, 3, 40, 500} {
		t.Run(fmt.Sprint("partial=", partial), func(t *testing.T) {
			m := vfs.NewMem()
			s := memStore(t, m, nil)
			l, _ := s.Create("x", 0)
			var acks []ack
			put := func(counter int) error {
				first, err := l.Append([]storage.Record{{Data: payload(0, counter, 100)}, {Data: payload(0, counter+1, 100)}})
				if err == nil {
					acks = append(acks, ack{log: "x", first: first, start: counter, n: 2, size: 100})
				}
				return err
			}
			if err := put(0); err != nil {
				t.Fatal(err)
			}
			m.SetFault(vfs.Fault{Op: vfs.OpWrite, Path: ".seg", Count: 1, Partial: partial})
			if err := put(2); err == nil {
				t.Fatal("append with a failed write succeeded")
			}
			m.ClearFaults()
			if err := put(4); err != nil {
				t.Fatal(err)
			}
			verifyAcks(t, s, acks)
			m.Crash()
			s = memStore(t, m, nil)
			defer s.Close()
			verifyAcks(t, s, acks)
		})
	}
}

// TestSyncFaultRollsBack fails an fsync: the waiting append is not
// acknowledged, the unsynced bytes are cut, and later appends work.
func TestSyncFaultRollsBack(t *testing.T) {
	for _, keep := range []bool{false, true} {
		for name, mode := range syncModes {
			t.Run(fmt.Sprint(name, "/keepUnsynced=", keep), func(t *testing.T) { testSyncFaultRollsBack(t, keep, mode) })
		}
	}
}

func testSyncFaultRollsBack(t *testing.T, keep bool, mode func(*Config)) {
	m := vfs.NewMem()
	s := memStore(t, m, mode)
	l, _ := s.Create("x", 0)
	var acks []ack
	for i := 0; i < 10; i++ {
		if i == 4 {
			m.SetFault(vfs.Fault{Op: vfs.OpSync, Path: ".seg", Count: 1, KeepUnsynced: keep})
		}
		first, err := l.Append([]storage.Record{{Data: payload(0, i, 300)}})
		if i == 4 {
			if err == nil {
				t.Fatal("append with a failed fsync succeeded")
			}
			continue
		}
		if err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
		acks = append(acks, ack{log: "x", first: first, start: i, n: 1, size: 300})
	}
	verifyAcks(t, s, acks)
	b, _ := l.Bounds()
	if b.Next != 9 {
		t.Fatalf("bounds %+v, want 9 records", b)
	}
	m.Crash()
	s = memStore(t, m, mode)
	defer s.Close()
	verifyAcks(t, s, acks)
}

// TestConcurrentSyncFault fails an fsync shared by concurrent appends: none
// of them is acknowledged, nothing acknowledged before or after is lost.
func TestConcurrentSyncFault(t *testing.T) {
	for name, mode := range syncModes {
		for _, multi := range []bool{false, true} {
			t.Run(fmt.Sprint(name, "/multi=", multi), func(t *testing.T) { testConcurrentSyncFault(t, mode, multi) })
		}
	}
}

// testConcurrentSyncFault runs appends to three logs; with syncfs a fault
// on one log's file fails the appends of every log that shared the call.
func testConcurrentSyncFault(t *testing.T, mode func(*Config), multi bool) {
	m := vfs.NewMem()
	s := memStore(t, m, mode)
	logs := []string{"x", "y", "z"}
	for _, id := range logs {
		s.Create(id, 0)
	}
	stop := make(chan struct{})
	var acks []ack
	done := make(chan struct{})
	go func() { acks = loadWith(s, logs, 0, 6, stop, multi); close(done) }()
	for i := 0; i < 5; i++ {
		time.Sleep(3 * time.Millisecond)
		m.SetFault(vfs.Fault{Op: vfs.OpSync, Path: ".seg", Count: 1})
	}
	time.Sleep(3 * time.Millisecond)
	close(stop)
	recvWithin(t, done, "the writers to stop")
	verifyAcks(t, s, acks)
	m.Crash()
	s = memStore(t, m, mode)
	defer s.Close()
	verifyAcks(t, s, acks)
}

// TestDiskFull fills the disk: appends fail with ENOSPC and acknowledge
// nothing; once space is freed appends work again; nothing acknowledged is
// lost across a crash.
func TestDiskFull(t *testing.T) {
	m := vfs.NewMem()
	s := memStore(t, m, nil)
	l, _ := s.Create("x", 0)
	var acks []ack
	m.SetDiskLimit(m.DiskUsage() + 40<<10)
	var full error
	for i := 0; i < 1000 && full == nil; i++ {
		first, err := l.Append([]storage.Record{{Data: payload(0, i, 1000)}})
		if err != nil {
			full = err
			break
		}
		acks = append(acks, ack{log: "x", first: first, start: i, n: 1, size: 1000})
	}
	if !errors.Is(full, syscall.ENOSPC) {
		t.Fatalf("filling the disk: got %v, want ENOSPC", full)
	}
	for i := 0; i < 3; i++ {
		if _, err := l.Append([]storage.Record{{Data: payload(1, i, 1000)}}); err == nil {
			t.Fatal("append on a full disk succeeded")
		}
	}
	verifyAcks(t, s, acks)
	m.SetDiskLimit(-1)
	first, err := l.Append([]storage.Record{{Data: payload(2, 0, 1000)}})
	if err != nil {
		t.Fatalf("append after freeing space: %v", err)
	}
	acks = append(acks, ack{log: "x", first: first, writer: 2, n: 1, size: 1000})
	verifyAcks(t, s, acks)
	m.Crash()
	s = memStore(t, m, nil)
	defer s.Close()
	verifyAcks(t, s, acks)
}

// TestTornTailTruncated: with SyncNone nothing is synced before the crash
// but the segment header, so recovery finds a torn tail and truncates it;
// bytes appended after a synced prefix that are garbage are cut off.
func TestTornTailTruncated(t *testing.T) {
	m := vfs.NewMem()
	s := memStore(t, m, nil)
	l, _ := s.Create("x", 0)
	for i := 0; i < 5; i++ {
		if _, err := l.Append([]storage.Record{{Data: payload(0, i, 200)}}); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	seg := filepath.Join("/data", "x", segmentName(0, segExt))
	before, _ := m.ReadFile(seg)
	// Append half a frame and garbage, synced, as a torn write would leave.
	f, err := m.OpenRW(seg)
	if err != nil {
		t.Fatal(err)
	}
	frame := appendFrame(nil, &storage.Record{Data: payload(0, 5, 200)}, 5, 0)
	f.Write(frame[:len(frame)/2])
	f.Sync()
	f.Close()
	s = memStore(t, m, nil)
	defer s.Close()
	l, _ = s.Open("x")
	b, err := l.Bounds()
	if err != nil || b.Next != 5 {
		t.Fatalf("bounds %+v, %v", b, err)
	}
	after, _ := m.ReadFile(seg)
	if len(after) != len(before) {
		t.Fatalf("tail not truncated: %d bytes, want %d", len(after), len(before))
	}
	if _, err := l.Append([]storage.Record{{Data: payload(0, 5, 200)}}); err != nil {
		t.Fatal(err)
	}
	recs, err := l.Read(0, 100, 1<<20)
	if err != nil || len(recs) != 6 {
		t.Fatalf("read %d records, %v", len(recs), err)
	}
}

// TestCorruptionNamed: a flipped byte in a sealed segment, or in the tail
// before its recovery checkpoint, is reported as corruption naming the log,
// the segment and the offset.
func TestCorruptionNamed(t *testing.T) {
	m := vfs.NewMem()
	s := memStore(t, m, nil)
	l, _ := s.Create("x", 0)
	for i := 0; i < 100; i++ {
		if _, err := l.Append([]storage.Record{{Data: payload(0, i, 500)}}); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	seg := filepath.Join("/data", "x", segmentName(0, segExt))
	off := int64(segmentHeaderSize + 3*(frameHeaderSize+500) + 40)
	if err := m.Corrupt(seg, off, []byte{0xff, 0xee}); err != nil {
		t.Fatal(err)
	}
	s = memStore(t, m, nil)
	defer s.Close()
	l, _ = s.Open("x")
	_, err := l.Read(0, 100, 1<<20)
	if !errors.Is(err, storage.ErrCorrupt) {
		t.Fatalf("read of corrupt segment: %v, want ErrCorrupt", err)
	}
	want := fmt.Sprintf("log x segment %s offset %d", segmentName(0, segExt), segmentHeaderSize+3*(frameHeaderSize+500))
	if got := err.Error(); !contains(got, want) {
		t.Fatalf("error %q does not name %q", got, want)
	}
	// Records before the corruption still read.
	recs, err := l.Read(0, 3, 1<<20)
	if err != nil || len(recs) != 3 {
		t.Fatalf("read before corruption: %d records, %v", len(recs), err)
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
