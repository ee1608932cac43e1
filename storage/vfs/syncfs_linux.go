//go:build linux

package vfs

import (
	"io/fs"
	"os"

	"golang.org/x/sys/unix"
)

// syncfs runs syncfs(2) on the filesystem holding f. Since Linux 5.8 it
// reports writeback errors of any file of that filesystem.
func syncfs(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		for {
			if serr = unix.Syncfs(int(fd)); serr != unix.EINTR {
				return
			}
		}
	}); err != nil {
		return &os.PathError{Op: "syncfs", Path: f.Name(), Err: fs.ErrClosed}
	}
	if serr != nil {
		return &os.PathError{Op: "syncfs", Path: f.Name(), Err: serr}
	}
	return nil
}
