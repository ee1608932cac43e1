//go:build linux

package vfs

import (
	"os"

	"golang.org/x/sys/unix"
)

// syncfs runs syncfs(2) on the filesystem holding f. Since Linux 5.8 it
// reports writeback errors of any file of that filesystem.
func syncfs(f *os.File) error { return fdCall(f, "syncfs", unix.Syncfs) }
