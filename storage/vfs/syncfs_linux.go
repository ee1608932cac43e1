//go:build linux

package vfs

import (
	"os"

	"golang.org/x/sys/unix"
)

// syncfs runs syncfs(2) on the filesystem holding f. Since Linux 5.8 it
// reports writeback errors of any file of that filesystem.
func syncfs(f *os.File) error { return fdCall(f, "syncfs", unix.Syncfs) }

// preallocate reserves disk blocks for [off, off+n) of f without changing
// its size: fallocate(2) with FALLOC_FL_KEEP_SIZE.
func preallocate(f *os.File, off, n int64) error {
	return fdCall(f, "fallocate", func(fd int) error { return unix.Fallocate(fd, unix.FALLOC_FL_KEEP_SIZE, off, n) })
}
