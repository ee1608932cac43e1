//go:build unix

package agent

import (
	"os"
	"syscall"
)

// fileIdentities reports whether files have an identity (device and inode)
// here.
const fileIdentities = true

// idOf returns a file's device and inode.
func idOf(fi os.FileInfo) (fileID, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileID{}, false
	}
	return fileID{Dev: uint64(st.Dev), Ino: uint64(st.Ino)}, true
}
