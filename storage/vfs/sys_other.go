//go:build !linux && !windows

package vfs

import (
	"os"
	"syscall"
)

// oDirectory makes OpenDir fail on anything but a directory.
const oDirectory = syscall.O_DIRECTORY

// datasync makes f's written bytes durable. These systems have no
// fdatasync in Go's syscall package; os.File.Sync is fsync(2), and on macOS
// fcntl(F_FULLFSYNC), which also flushes the drive's write cache.
//
// Eddy is developed and tested on Linux; builds for other systems are
// compiled (make dist), not tested.
func datasync(f *os.File) error { return f.Sync() }

// syncDir makes a directory's entry creations and removals durable: fsync
// of the directory, as on Linux.
func syncDir(d *os.File) error { return d.Sync() }
