package storagetest_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/storage"
	"github.com/eddy-streams/eddy/storage/mem"
	"github.com/eddy-streams/eddy/storage/storagetest"
)

// These tests check the suite itself: each runs it against the mem backend
// with one deliberate bug and expects the named subtest to fail. Without
// them, a suite that passes every backend could be passing because it checks
// nothing.

// envBug names the bug TestBrokenLogs and TestBrokenMeta inject. They run
// only in the child processes TestSuiteCatchesBugs starts.
const envBug = "EDDY_STORAGETEST_BUG"

var mutations = []struct {
	bug, test string // test: "Logs/<subtest>" or "Meta/<subtest>"
}{
	{"no-clamp", "Logs/ArrivalClamp"},
	{"retain-append", "Logs/AppendDoesNotRetain"},
	{"shared-read", "Logs/ReadOwnership"},
	{"maxbytes-plus-one", "Logs/ReadMaxBytes"},
	{"read-at-next-errors", "Logs/Read"},
	{"read-below-oldest-errors", "Logs/Read"},
	{"seek-strictly-after", "Logs/SeekTime"},
	{"trim-inclusive", "Logs/TrimBefore"},
	{"close-noop", "Logs/Close"},
	{"delete-seals", "Logs/Delete"},
	{"bounds-drop-sealed", "Logs/Seal"},
	{"create-overwrites", "Logs/CreateOpenList"},
	{"toolarge-partial", "Logs/TooLarge"},
	{"invalid-id-accepted", "Logs/InvalidIDs"},
	{"list-unsorted", "Logs/ManyLogs"},
	{"arrival-microseconds", "Logs/ArrivalPrecision"},
	{"no-rollback", "Meta/Rollback"},
	{"view-writable", "Meta/View"},
	{"get-shared", "Meta/GetReturnsCallersCopy"},
	{"put-no-copy", "Meta/PutCopiesValue"},
	{"scan-inclusive", "Meta/Scan"},
	{"scan-ignores-stop", "Meta/ScanStop"},
	{"delete-missing-errors", "Meta/Delete"},
	{"meta-close-noop", "Meta/Close"},
	{"reopen-unseals", "LogsReopen"},
	{"reopen-arrival-milliseconds", "LogsReopen"},
	{"reopen-forgets-trim", "LogsReopen"},
}

func TestSuiteCatchesBugs(t *testing.T) {
	if os.Getenv(envBug) != "" {
		t.Skip("in a child process")
	}
	if testing.Short() {
		t.Skip("starts a process per injected bug")
	}
	for _, m := range mutations {
		t.Run(m.bug, func(t *testing.T) {
			run := "^TestBroken" + m.test + "$"
			if kind, sub, ok := strings.Cut(m.test, "/"); ok {
				run = "^TestBroken" + kind + "$/^" + sub + "$"
			}
			// A bug may make the suite hang rather than fail: bound the
			// child, and never let it outlive this process's -timeout.
			limit := 2 * time.Minute
			if d, ok := t.Deadline(); ok {
				limit = min(limit, max(time.Until(d)-5*time.Second, time.Second))
			}
			cmd := exec.Command(os.Args[0], "-test.run="+run, "-test.count=1", "-test.v", "-test.timeout="+limit.String())
			cmd.Env = append(os.Environ(), envBug+"="+m.bug)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("the suite passed a backend with bug %q:\n%s", m.bug, out)
			}
			if want := "--- FAIL: TestBroken" + m.test + " "; !bytes.Contains(out, []byte(want)) {
				t.Fatalf("bug %q: output lacks %q:\n%s", m.bug, want, out)
			}
		})
	}
}

// The wrappers with no bug pass the whole suite, so the failures above come
// from the bugs, not from the wrappers.
func TestWrappersPassLogs(t *testing.T) {
	if os.Getenv(envBug) != "" {
		t.Skip("in a child process")
	}
	storagetest.TestLogs(t, func(t *testing.T) storage.Logs { return newBrokenLogs("") })
}

func TestWrappersPassMeta(t *testing.T) {
	if os.Getenv(envBug) != "" {
		t.Skip("in a child process")
	}
	storagetest.TestMeta(t, func(t *testing.T) storage.MetaStore { return &brokenMeta{MetaStore: mem.NewMeta()} })
}

// TestLogsReopen has no durable Logs to run against in this package; this
// checks the test itself against mem made to look durable.
func TestWrappersPassLogsReopen(t *testing.T) {
	if os.Getenv(envBug) != "" {
		t.Skip("in a child process")
	}
	storagetest.TestLogsReopen(t, newReopenable("").open)
}

func TestBrokenLogs(t *testing.T) {
	bug := os.Getenv(envBug)
	if bug == "" {
		t.Skip("run by TestSuiteCatchesBugs")
	}
	storagetest.TestLogs(t, func(t *testing.T) storage.Logs { return newBrokenLogs(bug) })
}

func TestBrokenMeta(t *testing.T) {
	bug := os.Getenv(envBug)
	if bug == "" {
		t.Skip("run by TestSuiteCatchesBugs")
	}
	storagetest.TestMeta(t, func(t *testing.T) storage.MetaStore { return &brokenMeta{MetaStore: mem.NewMeta(), bug: bug} })
}

func TestBrokenLogsReopen(t *testing.T) {
	bug := os.Getenv(envBug)
	if bug == "" {
		t.Skip("run by TestSuiteCatchesBugs")
	}
	storagetest.TestLogsReopen(t, newReopenable(bug).open)
}

// reopenable makes mem's Logs look durable, to exercise TestLogsReopen:
// closing a handle keeps the logs, and opening the same directory again
// returns a new handle on them. Its bugs strike from the second handle on.
type reopenable struct {
	bug string

	mu     sync.Mutex
	stores map[string]storage.Logs
	opens  map[string]int
}

func newReopenable(bug string) *reopenable {
	return &reopenable{bug: bug, stores: make(map[string]storage.Logs), opens: make(map[string]int)}
}

func (r *reopenable) open(t *testing.T, dir string) storage.Logs {
	r.mu.Lock()
	defer r.mu.Unlock()
	inner := r.stores[dir]
	if inner == nil {
		inner = mem.NewLogs()
		r.stores[dir] = inner
	}
	r.opens[dir]++
	bug := ""
	if r.opens[dir] > 1 {
		bug = r.bug
	}
	return &handle{Logs: inner, bug: bug, wrapped: make(map[storage.ShardLog]*handleLog)}
}

// handle is one open of a reopenable directory.
type handle struct {
	storage.Logs
	bug    string
	closed atomic.Bool

	mu      sync.Mutex
	wrapped map[storage.ShardLog]*handleLog
}

func (h *handle) wrap(l storage.ShardLog, err error) (storage.ShardLog, error) {
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	w := h.wrapped[l]
	if w == nil {
		w = &handleLog{ShardLog: l, h: h}
		h.wrapped[l] = w
	}
	return w, nil
}

func (h *handle) Create(id string, base uint64) (storage.ShardLog, error) {
	if h.closed.Load() {
		return nil, storage.ErrClosed
	}
	return h.wrap(h.Logs.Create(id, base))
}

func (h *handle) Open(id string) (storage.ShardLog, error) {
	if h.closed.Load() {
		return nil, storage.ErrClosed
	}
	return h.wrap(h.Logs.Open(id))
}

func (h *handle) List() ([]string, error) {
	if h.closed.Load() {
		return nil, storage.ErrClosed
	}
	return h.Logs.List()
}

func (h *handle) Close() error {
	if h.closed.Swap(true) {
		return storage.ErrClosed
	}
	return nil
}

type handleLog struct {
	storage.ShardLog
	h *handle
}

func (l *handleLog) check() error {
	if l.h.closed.Load() {
		return storage.ErrClosed
	}
	return nil
}

func (l *handleLog) Append(recs []storage.Record) (uint64, error) {
	if err := l.check(); err != nil {
		return 0, err
	}
	return l.ShardLog.Append(recs)
}

func (l *handleLog) Read(from uint64, maxRecords, maxBytes int) ([]storage.Record, error) {
	if err := l.check(); err != nil {
		return nil, err
	}
	recs, err := l.ShardLog.Read(from, maxRecords, maxBytes)
	if l.h.bug == "reopen-arrival-milliseconds" {
		for i := range recs {
			recs[i].Arrival = recs[i].Arrival.Truncate(time.Millisecond)
		}
	}
	return recs, err
}

func (l *handleLog) SeekTime(t time.Time) (uint64, error) {
	if err := l.check(); err != nil {
		return 0, err
	}
	return l.ShardLog.SeekTime(t)
}

func (l *handleLog) Bounds() (storage.Bounds, error) {
	if err := l.check(); err != nil {
		return storage.Bounds{}, err
	}
	b, err := l.ShardLog.Bounds()
	switch l.h.bug {
	case "reopen-unseals":
		b.Sealed = false
	case "reopen-forgets-trim":
		// TestLogsReopen trims a log created at base 100; report it
		// untrimmed.
		if b.Oldest > 100 && b.Oldest < 1<<30 {
			b.Oldest = 100
		}
	}
	return b, err
}

func (l *handleLog) Seal() error {
	if err := l.check(); err != nil {
		return err
	}
	return l.ShardLog.Seal()
}

func (l *handleLog) TrimBefore(cutoff time.Time) (uint64, error) {
	if err := l.check(); err != nil {
		return 0, err
	}
	return l.ShardLog.TrimBefore(cutoff)
}

func (l *handleLog) Delete() error {
	if err := l.check(); err != nil {
		return err
	}
	return l.ShardLog.Delete()
}

// brokenLogs wraps mem's Logs and injects bug.
type brokenLogs struct {
	storage.Logs
	bug string

	mu      sync.Mutex
	wrapped map[storage.ShardLog]*brokenLog
}

func newBrokenLogs(bug string) *brokenLogs {
	return &brokenLogs{Logs: mem.NewLogs(), bug: bug, wrapped: make(map[storage.ShardLog]*brokenLog)}
}

func (b *brokenLogs) wrap(l storage.ShardLog, err error) (storage.ShardLog, error) {
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	w := b.wrapped[l]
	if w == nil {
		w = &brokenLog{ShardLog: l, bug: b.bug, orig: make(map[uint64]storage.Record), cache: make(map[uint64][]byte)}
		b.wrapped[l] = w
	}
	return w, nil
}

// mangle maps an invalid id to a valid one, for the invalid-id-accepted bug.
func mangle(id string) string {
	m := string(bytes.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' {
			return r
		}
		return 'z'
	}, []byte(id)))
	return "x" + m[:min(len(m), 100)]
}

func (b *brokenLogs) Create(id string, base uint64) (storage.ShardLog, error) {
	switch {
	case b.bug == "create-overwrites":
		if l, err := b.Logs.Open(id); err == nil {
			_ = l.Delete()
		}
	case b.bug == "invalid-id-accepted" && !storage.ValidID(id):
		id = mangle(id)
	}
	return b.wrap(b.Logs.Create(id, base))
}

func (b *brokenLogs) Open(id string) (storage.ShardLog, error) {
	if b.bug == "invalid-id-accepted" && !storage.ValidID(id) {
		id = mangle(id)
	}
	return b.wrap(b.Logs.Open(id))
}

func (b *brokenLogs) List() ([]string, error) {
	ids, err := b.Logs.List()
	if b.bug == "list-unsorted" {
		slices.Reverse(ids)
	}
	return ids, err
}

func (b *brokenLogs) Close() error {
	if b.bug == "close-noop" {
		return nil
	}
	return b.Logs.Close()
}

type brokenLog struct {
	storage.ShardLog
	bug string

	mu    sync.Mutex
	orig  map[uint64]storage.Record // what the caller passed to Append
	cache map[uint64][]byte         // data handed out by Read
}

func (l *brokenLog) Append(recs []storage.Record) (uint64, error) {
	if l.bug == "toolarge-partial" {
		for i := range recs {
			if err := storage.CheckRecord(&recs[i]); err != nil {
				_, _ = l.ShardLog.Append(recs[:i])
				return 0, err
			}
		}
	}
	first, err := l.ShardLog.Append(recs)
	if err == nil {
		l.mu.Lock()
		for i, r := range recs {
			l.orig[first+uint64(i)] = r
		}
		l.mu.Unlock()
	}
	return first, err
}

func (l *brokenLog) Read(from uint64, maxRecords, maxBytes int) ([]storage.Record, error) {
	b, err := l.ShardLog.Bounds()
	if err != nil {
		return nil, err
	}
	switch {
	case l.bug == "read-at-next-errors" && from == b.Next:
		return nil, storage.ErrOutOfRange
	case l.bug == "read-below-oldest-errors" && from < b.Oldest:
		return nil, storage.ErrOutOfRange
	case l.bug == "maxbytes-plus-one" && maxBytes < 1<<40:
		maxBytes++
	}
	recs, err := l.ShardLog.Read(from, maxRecords, maxBytes)
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := range recs {
		r := &recs[i]
		switch l.bug {
		case "no-clamp":
			r.Arrival = l.orig[r.Seq].Arrival.UTC()
		case "retain-append":
			r.Data = l.orig[r.Seq].Data
		case "shared-read":
			if d, ok := l.cache[r.Seq]; ok {
				r.Data = d
			} else {
				l.cache[r.Seq] = r.Data
			}
		case "arrival-microseconds":
			r.Arrival = r.Arrival.Truncate(time.Microsecond)
		}
	}
	return recs, err
}

func (l *brokenLog) SeekTime(t time.Time) (uint64, error) {
	if l.bug == "seek-strictly-after" {
		t = t.Add(1)
	}
	return l.ShardLog.SeekTime(t)
}

func (l *brokenLog) TrimBefore(cutoff time.Time) (uint64, error) {
	if l.bug == "trim-inclusive" {
		cutoff = cutoff.Add(1)
	}
	return l.ShardLog.TrimBefore(cutoff)
}

func (l *brokenLog) Delete() error {
	if l.bug == "delete-seals" {
		return l.ShardLog.Seal()
	}
	return l.ShardLog.Delete()
}

func (l *brokenLog) Bounds() (storage.Bounds, error) {
	b, err := l.ShardLog.Bounds()
	if l.bug == "bounds-drop-sealed" {
		b.Sealed = false
	}
	return b, err
}

// brokenMeta wraps mem's MetaStore and injects bug.
type brokenMeta struct {
	storage.MetaStore
	bug string
}

var errInner = errors.New("brokenMeta: function failed")

func (m *brokenMeta) View(fn func(storage.MetaTx) error) error {
	if m.bug == "view-writable" {
		return m.MetaStore.Update(func(tx storage.MetaTx) error { return fn(m.tx(tx)) })
	}
	return m.MetaStore.View(func(tx storage.MetaTx) error { return fn(m.tx(tx)) })
}

func (m *brokenMeta) Update(fn func(storage.MetaTx) error) error {
	if m.bug == "no-rollback" {
		var fnErr error
		err := m.MetaStore.Update(func(tx storage.MetaTx) error {
			fnErr = fn(m.tx(tx))
			return nil
		})
		return errors.Join(err, fnErr)
	}
	return m.MetaStore.Update(func(tx storage.MetaTx) error {
		btx := m.tx(tx)
		if err := fn(btx); err != nil {
			return err
		}
		return btx.flush()
	})
}

func (m *brokenMeta) Close() error {
	if m.bug == "meta-close-noop" {
		return nil
	}
	return m.MetaStore.Close()
}

func (m *brokenMeta) tx(tx storage.MetaTx) *brokenTx {
	return &brokenTx{MetaTx: tx, bug: m.bug, cache: make(map[string][]byte)}
}

type brokenTx struct {
	storage.MetaTx
	bug   string
	cache map[string][]byte
	// For put-no-copy: values Put keeps by reference until commit.
	pending []struct {
		table, key string
		value      []byte
	}
}

func (tx *brokenTx) Get(table, key string) ([]byte, error) {
	if tx.bug == "put-no-copy" {
		for i := len(tx.pending) - 1; i >= 0; i-- {
			if p := tx.pending[i]; p.table == table && p.key == key {
				return p.value, nil
			}
		}
	}
	if tx.bug == "get-shared" {
		if v, ok := tx.cache[table+"\x00"+key]; ok {
			return v, nil
		}
	}
	v, err := tx.MetaTx.Get(table, key)
	if err == nil && tx.bug == "get-shared" {
		tx.cache[table+"\x00"+key] = v
	}
	return v, err
}

func (tx *brokenTx) Put(table, key string, value []byte) error {
	if tx.bug == "put-no-copy" && table != "" && key != "" {
		tx.pending = append(tx.pending, struct {
			table, key string
			value      []byte
		}{table, key, value})
		return nil
	}
	return tx.MetaTx.Put(table, key, value)
}

// flush applies the values put-no-copy held back.
func (tx *brokenTx) flush() error {
	for _, p := range tx.pending {
		if err := tx.MetaTx.Put(p.table, p.key, p.value); err != nil {
			return err
		}
	}
	return nil
}

func (tx *brokenTx) Delete(table, key string) error {
	if tx.bug == "delete-missing-errors" {
		if _, err := tx.MetaTx.Get(table, key); err != nil {
			return err
		}
	}
	return tx.MetaTx.Delete(table, key)
}

func (tx *brokenTx) Scan(table, prefix, startAfter string, fn func(string, []byte) (bool, error)) error {
	switch tx.bug {
	case "scan-inclusive":
		return tx.MetaTx.Scan(table, prefix, "", func(k string, v []byte) (bool, error) {
			if k < startAfter {
				return true, nil
			}
			return fn(k, v)
		})
	case "scan-ignores-stop":
		return tx.MetaTx.Scan(table, prefix, startAfter, func(k string, v []byte) (bool, error) {
			_, err := fn(k, v)
			return true, err
		})
	}
	return tx.MetaTx.Scan(table, prefix, startAfter, fn)
}
