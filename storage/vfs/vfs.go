// Package vfs is the filesystem seam under Eddy's durable storage. The segment
// log does all its file I/O through an FS, so tests can substitute a
// filesystem that simulates a crash (keeping only bytes that were synced) and
// injects I/O errors (failed writes, failed fsyncs, a full disk).
//
// OS is the real filesystem. NewMem returns the in-memory, crashable one.
package vfs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// File is an open file. Implementations need not be safe for concurrent
// Write/Truncate, but ReadAt must be safe concurrently with everything.
type File interface {
	io.ReaderAt
	io.Writer
	io.Closer
	// Sync makes the file's written bytes durable (fdatasync on Linux).
	// For a directory opened with OpenDir it makes entry creations and
	// removals in it durable.
	Sync() error
	// Truncate changes the file's size. It is not durable until Sync.
	Truncate(size int64) error
	// Size returns the file's current size.
	Size() (int64, error)
}

// FS is the set of filesystem operations the storage layer uses. Paths are
// slash-separated OS paths.
type FS interface {
	// Create creates a new file for reading and writing, failing with an
	// error satisfying errors.Is(err, fs.ErrExist) if it exists. The new
	// name is not durable until the parent directory is synced.
	Create(name string) (File, error)
	// OpenRW opens an existing file for reading and writing (appends go to
	// its end).
	OpenRW(name string) (File, error)
	// OpenDir opens a directory so that Sync makes its entries durable.
	OpenDir(name string) (File, error)
	// MkdirAll creates a directory and any missing parents.
	MkdirAll(name string) error
	// ReadDir returns the names of a directory's entries, sorted.
	ReadDir(name string) ([]string, error)
	// Remove removes a file or an empty directory.
	Remove(name string) error
	// RemoveAll removes a directory tree; a missing path is not an error.
	RemoveAll(name string) error
	// Rename atomically replaces newname with oldname.
	Rename(oldname, newname string) error
	// Stat reports whether name exists and whether it is a directory.
	Stat(name string) (fs.FileInfo, error)
}

// FSSyncer is implemented by filesystems that can make every written byte
// and every directory entry of the whole filesystem durable in one call, as
// Linux's syncfs(2) does. The storage layer uses it to share one sync among
// concurrent appends to many files. SyncFS returns an error wrapping
// errors.ErrUnsupported where the platform lacks it.
type FSSyncer interface {
	// SyncFS makes durable everything written, on any file, before the call
	// started. f is any open file of the filesystem.
	SyncFS(f File) error
}

// OS is the operating system's filesystem. It implements FSSyncer on Linux.
var OS FS = osFS{}

type osFS struct{}

type osFile struct{ *os.File }

// SyncFS runs syncfs(2) (Linux) on the filesystem holding f.
func (osFS) SyncFS(f File) error {
	switch f := f.(type) {
	case osFile:
		return syncfs(f.File)
	case osDir:
		return syncfs(f.File)
	}
	return fmt.Errorf("vfs: SyncFS of a %T: %w", f, errors.ErrUnsupported)
}

// Sync is fdatasync(2) on Linux (see datasync for the other systems).
func (f osFile) Sync() error { return datasync(f.File) }

// fdCall runs call on f's descriptor, retrying on EINTR. Control, unlike
// Fd, reports a closed file as fs.ErrClosed and keeps the descriptor from
// being closed (and its number reused) while call runs.
func fdCall(f *os.File, op string, call func(fd int) error) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		for {
			if serr = call(int(fd)); serr != syscall.EINTR {
				return
			}
		}
	}); err != nil {
		// Control fails only on a closed file, with an internal error.
		return &os.PathError{Op: op, Path: f.Name(), Err: fs.ErrClosed}
	}
	if serr != nil {
		return &os.PathError{Op: op, Path: f.Name(), Err: serr}
	}
	return nil
}

// Preallocator is implemented by files that can reserve disk blocks past
// their end without changing their size: on Linux, fallocate(2) with
// FALLOC_FL_KEEP_SIZE. An append into reserved blocks skips the
// filesystem's block allocation, and syncing it commits less metadata.
// Truncating the file to its size gives the blocks past it back.
type Preallocator interface {
	// Preallocate reserves the blocks of [off, off+n). It may fail with
	// errors.ErrUnsupported.
	Preallocate(off, n int64) error
}

func (f osFile) Preallocate(off, n int64) error { return preallocate(f.File, off, n) }

func (f osFile) Size() (int64, error) {
	st, err := f.File.Stat()
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}

type osDir struct{ *os.File }

func (d osDir) isDir(op string) error {
	return &os.PathError{Op: op, Path: d.Name(), Err: syscall.EISDIR}
}

func (d osDir) Write([]byte) (int, error)         { return 0, d.isDir("write") }
func (d osDir) Truncate(int64) error              { return d.isDir("truncate") }
func (d osDir) Size() (int64, error)              { return 0, nil }
func (d osDir) ReadAt([]byte, int64) (int, error) { return 0, d.isDir("read") }
func (d osDir) Sync() error                       { return syncDir(d.File) }

func (osFS) Create(name string) (File, error) {
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	return osFile{f}, nil
}

func (osFS) OpenRW(name string) (File, error) {
	f, err := os.OpenFile(name, os.O_RDWR|os.O_APPEND, 0)
	if err != nil {
		return nil, err
	}
	return osFile{f}, nil
}

func (osFS) OpenDir(name string) (File, error) {
	// O_DIRECTORY (where the system has it): a regular file fails with
	// ENOTDIR instead of opening.
	f, err := os.OpenFile(name, os.O_RDONLY|oDirectory, 0)
	if err != nil {
		return nil, err
	}
	return osDir{f}, nil
}

func (osFS) MkdirAll(name string) error { return os.MkdirAll(name, 0o755) }

func (osFS) ReadDir(name string) ([]string, error) {
	ents, err := os.ReadDir(name)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(ents))
	for i, e := range ents {
		names[i] = e.Name()
	}
	return names, nil
}

func (osFS) Remove(name string) error              { return os.Remove(name) }
func (osFS) RemoveAll(name string) error           { return os.RemoveAll(name) }
func (osFS) Rename(oldname, newname string) error  { return os.Rename(oldname, newname) }
func (osFS) Stat(name string) (fs.FileInfo, error) { return os.Stat(name) }

// SyncDir syncs the directory dir on fsys.
func SyncDir(fsys FS, dir string) error {
	d, err := fsys.OpenDir(filepath.Clean(dir))
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
