// Package uuid makes random (version 4) UUIDs in their 36-character form,
// xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx: AWS request ids, Lambda's and
// Firehose's invocation and request ids, Firehose's object names.
package uuid

import (
	"crypto/rand"
	"encoding/hex"
)

// New returns a UUID made of 16 bytes from crypto/rand.
func New() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24)
	return Format(b[:])
}

// Format returns the UUID of 16 random bytes b (b[:16]), setting its
// version (4) and variant bits in b.
func Format(b []byte) string {
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:16])
	return string(s[:])
}
