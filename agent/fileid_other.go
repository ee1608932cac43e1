//go:build !unix

package agent

import "os"

// fileIdentities reports whether files have an identity (device and inode)
// here. Without one the tailer cannot follow rotations, and Run refuses to
// start rather than ship nothing.
const fileIdentities = false

// idOf reports no identity where the system has no inodes (Windows).
func idOf(fi os.FileInfo) (fileID, bool) { return fileID{}, false }
