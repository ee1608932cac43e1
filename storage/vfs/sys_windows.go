//go:build windows

package vfs

import "os"

// oDirectory: Windows has no O_DIRECTORY; OpenDir opens whatever the name
// names, and a regular file then fails on the first use as a directory.
const oDirectory = 0

// datasync makes f's written bytes durable: os.File.Sync, which is
// FlushFileBuffers on Windows.
//
// Eddy is developed and tested on Linux; the Windows build is compiled
// (make dist), not tested.
func datasync(f *os.File) error { return f.Sync() }

// syncDir does nothing: Windows offers no call that makes a directory's
// entries durable (FlushFileBuffers refuses a directory handle opened for
// reading), and NTFS journals its metadata itself.
func syncDir(*os.File) error { return nil }
