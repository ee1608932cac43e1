package vfs

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

// ErrCrashed is the error (wrapped in *fs.PathError) that every operation,
// Close included, returns on a File that was open when MemFS.Crash ran.
var ErrCrashed = errors.New("file handle lost in simulated crash")

// MemFS is an in-memory FS for crash tests. It keeps, for every regular file,
// the current contents (what reads see) and the synced contents (what
// survives a crash), and it can fail writes and syncs on demand.
//
// Durability model, with its simplifications:
//
//   - File.Sync copies a file's current contents to its synced contents.
//     Write and Truncate change only the current contents.
//   - A name made by Create is durable only once its directory is synced
//     (OpenDir(dir).Sync(), or SyncDir). Directories made by MkdirAll are
//     durable at once.
//   - Remove, RemoveAll and Rename take effect at once and are durable at
//     once, with no directory sync. Rename moves the file itself, current and
//     synced contents alike, and makes the new name durable even if the file
//     was never synced or its old name never made durable. A crash right after
//     renaming an unsynced file therefore leaves the new name with the synced
//     (possibly empty) contents: the zero-length-file-after-rename outcome
//     real filesystems allow. Write, Sync, Rename is the safe order.
//   - Crash reverts every file to its synced contents, drops every file whose
//     name is not durable, and kills every open File (ErrCrashed). Faults and
//     the disk limit stay as they were.
//
// An open File refers to the file, not to its name, as on POSIX: it keeps
// working after the name is renamed or removed.
//
// Paths are cleaned with filepath.Clean and a leading "/" is ignored, so
// "/a/b", "a/b" and "a//b/" name the same file. The root always exists.
// Errors are *fs.PathError (*os.LinkError for Rename) wrapping the
// syscall.Errno the OS would give (ENOENT, EEXIST, ENOTDIR, EISDIR,
// ENOTEMPTY, EINVAL), or fs.ErrClosed for a closed File.
//
// All methods are safe for concurrent use; one mutex serialises them. Create
// a MemFS with NewMem.
type MemFS struct {
	mu struct {
		sync.Mutex
		root   *node
		gen    uint64 // incremented by Crash; older handles are dead
		faults []armedFault
		fired  int
		limit  int64 // disk limit in bytes; < 0 for none
	}
}

// node is a file or a directory.
type node struct {
	dir      bool
	children map[string]*node // directories only
	// data and synced may share a backing array; then synced is a prefix of
	// data, or data has len == cap. Appending to data therefore never
	// changes synced, and only Corrupt writes into data in place.
	data    []byte
	synced  []byte
	durable bool // its name in its parent survives a crash
	// errSeq counts writeback errors a SyncFS met on this file, and err is
	// the last: like Linux's errseq, the next Sync through each handle
	// opened before the error reports it once.
	errSeq uint64
	err    error
}

func newDir() *node { return &node{dir: true, children: make(map[string]*node), durable: true} }

// NewMem returns an empty MemFS with no faults and no disk limit.
func NewMem() *MemFS {
	m := &MemFS{}
	m.mu.root = newDir()
	m.mu.limit = -1
	return m
}

// Op is an operation a Fault can fail.
type Op int

const (
	// OpWrite is File.Write on a regular file.
	OpWrite Op = iota + 1
	// OpSync is File.Sync, on a regular file or on a directory from OpenDir.
	OpSync
)

// Fault makes matching operations fail. Install it with MemFS.SetFault.
//
// A fault counts the operations it matches: same Op, on a File whose path
// (cleaned, as it was opened) matches Path and Match. The first After of them
// succeed; the next Count fail, every one if Count is 0. When several faults
// match an operation each counts it, and the first due in SetFault order
// fires.
type Fault struct {
	// Op is the operation to fail. Required.
	Op Op
	// Path selects files whose cleaned path contains it as a substring.
	// Default "": every file.
	Path string
	// Match, if non-nil, must also report true for the cleaned path. It runs
	// with the MemFS locked and must not call the MemFS. Default nil.
	Match func(path string) bool
	// After is how many matching operations succeed before the fault fires.
	// Default 0: the first one fails.
	After int
	// Count is how many matching operations fail once the fault fires.
	// Default 0: every one from then on.
	Count int
	// Err is the failed operation's error, wrapped in *fs.PathError.
	// Default nil means syscall.EIO.
	Err error
	// Partial, for OpWrite, is how many leading bytes of the failed Write
	// land in the file before the error: a short write. It is capped at the
	// Write's length. Default 0: nothing lands. Ignored for OpSync.
	Partial int
	// KeepUnsynced, for OpSync on a regular file, chooses what a failed Sync
	// does to the unsynced changes. False (the default) drops them: the
	// current contents revert to the synced contents at once, as Linux may
	// discard dirty pages once fsync has reported an error, so a retried
	// Sync cannot save them. True keeps them, so a later successful Sync
	// makes them durable. Ignored for OpWrite and for directories.
	KeepUnsynced bool
}

type armedFault struct {
	Fault
	seen  int // matching operations so far
	fired int // operations failed
}

// SetFault replaces all installed faults with faults and resets the count
// FaultsFired reports. SetFault() with no arguments clears them. It panics if
// a fault's Op is not OpWrite or OpSync.
func (m *MemFS) SetFault(faults ...Fault) {
	armed := make([]armedFault, len(faults))
	for i, f := range faults {
		if f.Op != OpWrite && f.Op != OpSync {
			panic("vfs: Fault.Op must be OpWrite or OpSync")
		}
		armed[i] = armedFault{Fault: f}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mu.faults = armed
	m.mu.fired = 0
}

// ClearFaults removes all faults; it is SetFault().
func (m *MemFS) ClearFaults() { m.SetFault() }

// FaultsFired returns how many operations the installed faults have failed
// since the last SetFault or ClearFaults.
func (m *MemFS) FaultsFired() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.mu.fired
}

// faultLocked counts an op on path against the faults and returns the fault
// that fails it, or nil.
func (m *MemFS) faultLocked(op Op, path string) *Fault {
	var due *Fault
	for i := range m.mu.faults {
		a := &m.mu.faults[i]
		if a.Op != op || !strings.Contains(path, a.Path) || (a.Match != nil && !a.Match(path)) {
			continue
		}
		a.seen++
		if due != nil || a.seen <= a.After || (a.Count > 0 && a.fired >= a.Count) {
			continue
		}
		a.fired++
		m.mu.fired++
		due = &a.Fault
	}
	return due
}

func (f *Fault) err() error {
	if f.Err == nil {
		return syscall.EIO
	}
	return f.Err
}

// SetDiskLimit limits the disk to n bytes: a Write that would take the total
// size of all files beyond n writes what fits and fails with syscall.ENOSPC.
// n < 0 removes the limit (the default). Truncate ignores the limit.
func (m *MemFS) SetDiskLimit(n int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mu.limit = n
}

// DiskUsage returns the total current size of all files that have a name.
// Space of a removed file is freed at once even if it is still open.
func (m *MemFS) DiskUsage() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return usage(m.mu.root)
}

func usage(d *node) int64 {
	var n int64
	for _, c := range d.children {
		if c.dir {
			n += usage(c)
		} else {
			n += int64(len(c.data))
		}
	}
	return n
}

// Crash simulates power loss followed by a reboot: every file's contents
// revert to its synced contents, files whose names are not durable vanish,
// and every open File fails from now on with ErrCrashed. The MemFS stays
// usable.
func (m *MemFS) Crash() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mu.gen++
	crash(m.mu.root)
}

func crash(d *node) {
	for name, c := range d.children {
		switch {
		case !c.durable:
			delete(d.children, name)
		case c.dir:
			crash(c)
		default:
			c.data = c.synced
		}
	}
}

// ReadFile returns a copy of a file's current contents.
func (m *MemFS) ReadFile(name string) ([]byte, error) {
	clean, parts, err := parsePath("open", name)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	n, err := m.lookupLocked(parts)
	if err != nil {
		return nil, pathErr("open", clean, err)
	}
	if n.dir {
		return nil, pathErr("read", clean, syscall.EISDIR)
	}
	return slices.Clone(n.data), nil
}

// Corrupt overwrites a file's bytes [off, off+len(b)) with b in both its
// current and its synced contents (in the synced contents only as far as
// they reach), bypassing faults and the disk limit. The range must lie
// within the current contents, else the error wraps syscall.EINVAL.
func (m *MemFS) Corrupt(name string, off int64, b []byte) error {
	clean, parts, err := parsePath("corrupt", name)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	n, err := m.lookupLocked(parts)
	if err != nil {
		return pathErr("corrupt", clean, err)
	}
	if n.dir {
		return pathErr("corrupt", clean, syscall.EISDIR)
	}
	if off < 0 || off > int64(len(n.data))-int64(len(b)) {
		return pathErr("corrupt", clean, syscall.EINVAL)
	}
	copy(n.data[off:], b)
	if off < int64(len(n.synced)) {
		copy(n.synced[off:], b)
	}
	return nil
}

// parsePath cleans name and splits it into components; the root has none.
func parsePath(op, name string) (string, []string, error) {
	if name == "" {
		return "", nil, pathErr(op, name, syscall.ENOENT)
	}
	clean := filepath.Clean(name)
	rel := strings.TrimLeft(clean, "/")
	if rel == "" || rel == "." {
		return clean, nil, nil
	}
	return clean, strings.Split(rel, "/"), nil
}

func pathErr(op, path string, err error) error {
	return &fs.PathError{Op: op, Path: path, Err: err}
}

func (m *MemFS) lookupLocked(parts []string) (*node, error) {
	n := m.mu.root
	for _, p := range parts {
		if !n.dir {
			return nil, syscall.ENOTDIR
		}
		if n = n.children[p]; n == nil {
			return nil, syscall.ENOENT
		}
	}
	return n, nil
}

// parentLocked returns the directory holding the last of parts (non-empty).
func (m *MemFS) parentLocked(parts []string) (*node, error) {
	d, err := m.lookupLocked(parts[:len(parts)-1])
	if err != nil {
		return nil, err
	}
	if !d.dir {
		return nil, syscall.ENOTDIR
	}
	return d, nil
}

// Create implements FS.
func (m *MemFS) Create(name string) (File, error) {
	clean, parts, err := parsePath("open", name)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(parts) == 0 {
		return nil, pathErr("open", clean, syscall.EEXIST)
	}
	d, err := m.parentLocked(parts)
	if err != nil {
		return nil, pathErr("open", clean, err)
	}
	base := parts[len(parts)-1]
	if d.children[base] != nil {
		return nil, pathErr("open", clean, syscall.EEXIST)
	}
	n := &node{}
	d.children[base] = n
	return m.openLocked(n, clean), nil
}

// OpenRW implements FS.
func (m *MemFS) OpenRW(name string) (File, error) {
	clean, parts, err := parsePath("open", name)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	n, err := m.lookupLocked(parts)
	if err != nil {
		return nil, pathErr("open", clean, err)
	}
	if n.dir {
		return nil, pathErr("open", clean, syscall.EISDIR)
	}
	return m.openLocked(n, clean), nil
}

// OpenDir implements FS. The File's Sync makes the names in the directory
// durable; Write, ReadAt and Truncate fail with syscall.EISDIR and Size
// returns 0.
func (m *MemFS) OpenDir(name string) (File, error) {
	clean, parts, err := parsePath("open", name)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	n, err := m.lookupLocked(parts)
	if err != nil {
		return nil, pathErr("open", clean, err)
	}
	if !n.dir {
		return nil, pathErr("open", clean, syscall.ENOTDIR)
	}
	return m.openLocked(n, clean), nil
}

func (m *MemFS) openLocked(n *node, name string) *memFile {
	return &memFile{m: m, n: n, name: name, gen: m.mu.gen, seen: n.errSeq}
}

// MkdirAll implements FS. The directories it creates are durable at once.
func (m *MemFS) MkdirAll(name string) error {
	_, parts, err := parsePath("mkdir", name)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	d := m.mu.root
	for i, p := range parts {
		c := d.children[p]
		if c == nil {
			c = newDir()
			d.children[p] = c
		} else if !c.dir {
			return pathErr("mkdir", strings.Join(parts[:i+1], "/"), syscall.ENOTDIR)
		}
		d = c
	}
	return nil
}

// ReadDir implements FS. An empty directory gives an empty, non-nil slice.
func (m *MemFS) ReadDir(name string) ([]string, error) {
	clean, parts, err := parsePath("open", name)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	d, err := m.lookupLocked(parts)
	if err == nil && !d.dir {
		err = syscall.ENOTDIR
	}
	if err != nil {
		return nil, pathErr("open", clean, err)
	}
	names := make([]string, 0, len(d.children))
	for name := range d.children {
		names = append(names, name)
	}
	slices.Sort(names)
	return names, nil
}

// Remove implements FS. The removal is durable at once.
func (m *MemFS) Remove(name string) error {
	clean, parts, err := parsePath("remove", name)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(parts) == 0 {
		return pathErr("remove", clean, syscall.EBUSY)
	}
	d, err := m.parentLocked(parts)
	if err != nil {
		return pathErr("remove", clean, err)
	}
	base := parts[len(parts)-1]
	switch n := d.children[base]; {
	case n == nil:
		return pathErr("remove", clean, syscall.ENOENT)
	case n.dir && len(n.children) > 0:
		return pathErr("remove", clean, syscall.ENOTEMPTY)
	}
	delete(d.children, base)
	return nil
}

// RemoveAll implements FS. The removal is durable at once. Like os.RemoveAll
// it returns nil for "" and fails with syscall.EINVAL for the root.
func (m *MemFS) RemoveAll(name string) error {
	if name == "" {
		return nil
	}
	clean, parts, _ := parsePath("unlinkat", name)
	if len(parts) == 0 {
		return pathErr("RemoveAll", clean, syscall.EINVAL)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	d, err := m.parentLocked(parts)
	if errors.Is(err, syscall.ENOENT) {
		return nil
	}
	if err != nil {
		return pathErr("unlinkat", clean, err)
	}
	delete(d.children, parts[len(parts)-1])
	return nil
}

// Rename implements FS. It is durable at once: see MemFS. As os.Rename does
// on Unix, it fails with syscall.EEXIST if newname is a directory.
func (m *MemFS) Rename(oldname, newname string) error {
	fail := func(err error) error {
		return &os.LinkError{Op: "rename", Old: oldname, New: newname, Err: err}
	}
	if oldname == "" || newname == "" {
		return fail(syscall.ENOENT)
	}
	_, oldParts, _ := parsePath("rename", oldname)
	_, newParts, _ := parsePath("rename", newname)
	if len(oldParts) == 0 || len(newParts) == 0 {
		return fail(syscall.EBUSY)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	od, err := m.parentLocked(oldParts)
	if err != nil {
		return fail(err)
	}
	oldBase := oldParts[len(oldParts)-1]
	src := od.children[oldBase]
	if src == nil {
		return fail(syscall.ENOENT)
	}
	nd, err := m.parentLocked(newParts)
	if err != nil {
		return fail(err)
	}
	newBase := newParts[len(newParts)-1]
	dst := nd.children[newBase]
	switch {
	case dst != nil && dst.dir:
		return fail(syscall.EEXIST)
	case src == dst:
		return nil
	case src.dir && dst != nil:
		return fail(syscall.ENOTDIR)
	case src.dir && len(newParts) > len(oldParts) && slices.Equal(newParts[:len(oldParts)], oldParts):
		return fail(syscall.EINVAL) // into itself
	}
	delete(od.children, oldBase)
	nd.children[newBase] = src
	src.durable = true
	return nil
}

// Stat implements FS. ModTime is always the zero time.
func (m *MemFS) Stat(name string) (fs.FileInfo, error) {
	clean, parts, err := parsePath("stat", name)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	n, err := m.lookupLocked(parts)
	if err != nil {
		return nil, pathErr("stat", clean, err)
	}
	return memInfo{name: filepath.Base(clean), size: int64(len(n.data)), dir: n.dir}, nil
}

type memInfo struct {
	name string
	size int64
	dir  bool
}

func (i memInfo) Name() string       { return i.name }
func (i memInfo) Size() int64        { return i.size }
func (i memInfo) ModTime() time.Time { return time.Time{} }
func (i memInfo) IsDir() bool        { return i.dir }
func (i memInfo) Sys() any           { return nil }
func (i memInfo) Mode() fs.FileMode {
	if i.dir {
		return fs.ModeDir | 0o755
	}
	return 0o644
}

// memFile is an open file or directory of a MemFS.
type memFile struct {
	m      *MemFS
	n      *node
	name   string // cleaned path it was opened by
	gen    uint64 // MemFS generation it was opened in
	closed bool   // guarded by m.mu
	seen   uint64 // n.errSeq already reported through this handle
}

// checkLocked returns the error for op on a closed or crashed file.
func (f *memFile) checkLocked(op string) error {
	if f.closed {
		return pathErr(op, f.name, fs.ErrClosed)
	}
	if f.gen != f.m.mu.gen {
		return pathErr(op, f.name, ErrCrashed)
	}
	return nil
}

// Write appends p to the file's current contents.
func (f *memFile) Write(p []byte) (int, error) {
	m := f.m
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := f.checkLocked("write"); err != nil {
		return 0, err
	}
	if f.n.dir {
		return 0, pathErr("write", f.name, syscall.EISDIR)
	}
	n, err := len(p), error(nil)
	if ft := m.faultLocked(OpWrite, f.name); ft != nil {
		n, err = min(max(ft.Partial, 0), len(p)), ft.err()
	}
	if m.mu.limit >= 0 {
		if free := max(m.mu.limit-usage(m.mu.root), 0); int64(n) > free {
			n = int(free)
			if err == nil {
				err = syscall.ENOSPC
			}
		}
	}
	f.n.data = append(f.n.data, p[:n]...)
	if err != nil {
		return n, pathErr("write", f.name, err)
	}
	return n, nil
}

// ReadAt reads the current contents like os.File.ReadAt: io.EOF when fewer
// than len(p) bytes are left from off.
func (f *memFile) ReadAt(p []byte, off int64) (int, error) {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	if err := f.checkLocked("read"); err != nil {
		return 0, err
	}
	if f.n.dir {
		return 0, pathErr("read", f.name, syscall.EISDIR)
	}
	if off < 0 {
		return 0, pathErr("readat", f.name, errors.New("negative offset"))
	}
	if len(p) == 0 {
		return 0, nil
	}
	if off >= int64(len(f.n.data)) {
		return 0, io.EOF
	}
	n := copy(p, f.n.data[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// Sync makes a file's current contents, or a directory's names, durable.
func (f *memFile) Sync() error {
	m := f.m
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := f.checkLocked("sync"); err != nil {
		return err
	}
	if ft := m.faultLocked(OpSync, f.name); ft != nil {
		if !ft.KeepUnsynced && !f.n.dir {
			f.n.data = f.n.synced
		}
		return pathErr("sync", f.name, ft.err())
	}
	if f.n.errSeq > f.seen {
		// A SyncFS failed on this file since this handle last synced.
		f.seen = f.n.errSeq
		return pathErr("sync", f.name, f.n.err)
	}
	if f.n.dir {
		for _, c := range f.n.children {
			c.durable = true
		}
		return nil
	}
	d := f.n.data
	f.n.synced = d[:len(d):len(d)]
	return nil
}

// Truncate sets the current size, padding with zeros when it grows.
func (f *memFile) Truncate(size int64) error {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	if err := f.checkLocked("truncate"); err != nil {
		return err
	}
	if f.n.dir {
		return pathErr("truncate", f.name, syscall.EISDIR)
	}
	if size < 0 {
		return pathErr("truncate", f.name, syscall.EINVAL)
	}
	d := f.n.data
	if size <= int64(len(d)) {
		f.n.data = d[:size:size] // a later append must not overwrite synced bytes
	} else {
		f.n.data = append(d, make([]byte, size-int64(len(d)))...)
	}
	return nil
}

// Size returns the current size; 0 for a directory.
func (f *memFile) Size() (int64, error) {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	if err := f.checkLocked("stat"); err != nil {
		return 0, err
	}
	return int64(len(f.n.data)), nil
}

// Close releases the handle. It fails with fs.ErrClosed if already closed
// and with ErrCrashed (closing it all the same) after a Crash.
func (f *memFile) Close() error {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	err := f.checkLocked("close")
	f.closed = true
	return err
}

// SyncFS makes every file's written bytes and every directory entry durable,
// as syncfs(2) does. An armed OpSync fault matching a file with unsynced
// bytes fails the call: that file behaves as Sync's fault describes, the
// others are synced, and, as on Linux, the next Sync through each handle
// of that file opened before the failure reports the error too (a handle
// opened after it does not). Files are visited in path order.
func (m *MemFS) SyncFS(f File) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if mf, ok := f.(*memFile); ok {
		if err := mf.checkLocked("syncfs"); err != nil {
			return err
		}
	}
	var failed error
	var walk func(path string, n *node)
	walk = func(path string, n *node) {
		if n.dir {
			names := make([]string, 0, len(n.children))
			for name, c := range n.children {
				c.durable = true
				names = append(names, name)
			}
			slices.Sort(names)
			for _, name := range names {
				walk(path+"/"+name, n.children[name])
			}
			return
		}
		if bytes.Equal(n.data, n.synced) {
			return // nothing unsynced
		}
		if ft := m.faultLocked(OpSync, path); ft != nil {
			if !ft.KeepUnsynced {
				n.data = n.synced
			}
			n.errSeq++
			n.err = ft.err()
			if failed == nil {
				failed = pathErr("syncfs", path, ft.err())
			}
			return
		}
		d := n.data
		n.synced = d[:len(d):len(d)]
	}
	walk("", m.mu.root)
	return failed
}
