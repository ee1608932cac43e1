//go:build linux

package vfs

import (
	"os"
	"syscall"
)

// oDirectory makes OpenDir fail on anything but a directory.
const oDirectory = syscall.O_DIRECTORY

// datasync makes f's written bytes durable: fdatasync(2). The size is part
// of the metadata it flushes when the file grew, and that is all the log
// needs.
func datasync(f *os.File) error { return fdCall(f, "fdatasync", syscall.Fdatasync) }

// syncDir makes a directory's entry creations and removals durable: fsync(2)
// of the directory.
func syncDir(d *os.File) error { return d.Sync() }
