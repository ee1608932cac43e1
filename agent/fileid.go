package agent

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
)

// fingerprintBytes is how much of a file's head its fingerprint covers.
// The Kinesis Agent identifies a file by its inode (FileId) and notices
// copytruncate when the size shrinks; the fingerprint also catches a file
// truncated and refilled past its old size between two polls, and an inode
// reused by a new file.
const fingerprintBytes = 1024

// fileID is a file's identity: device and inode.
type fileID struct{ Dev, Ino uint64 }

func (id fileID) String() string { return fmt.Sprintf("%d:%d", id.Dev, id.Ino) }

// fingerprint hashes the first n bytes of f (n ≤ fingerprintBytes): hex
// SHA-256, and how many bytes it covered (fewer if the file is shorter).
func fingerprint(f *os.File, n int64) (string, int64, error) {
	buf := make([]byte, n)
	got, err := f.ReadAt(buf, 0)
	if err != nil && err != io.EOF {
		return "", 0, err
	}
	sum := sha256.Sum256(buf[:got])
	return hex.EncodeToString(sum[:]), int64(got), nil
}
