package segment

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"slices"

	"github.com/eddy-streams/eddy/storage"
)

// Record frame layout (little-endian), see docs/FORMAT.md:
//
//	off  size  field
//	 0    4    bodyLen   bytes after the CRC field (>= 20)
//	 4    4    crc       CRC-32C of bytes [0,4) followed by the body
//	 8    8    seq       the record's position
//	16    8    arrival   Unix nanoseconds
//	24    1    flags
//	25    1    ehkLen    explicit hash key length (0-255)
//	26    2    pkLen     partition key length (0-1024)
//	28    .    partition key, explicit hash key, data
const (
	frameHeaderSize = 28
	bodyFixedSize   = frameHeaderSize - 8
	// maxBodyLen bounds bodyLen so a corrupt length is caught before any
	// allocation.
	maxBodyLen = bodyFixedSize + storage.MaxPartitionKeySize + storage.MaxExplicitHashKeySize + storage.MaxDataSize
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// frameSize returns the encoded size of r.
func frameSize(r *storage.Record) int {
	return frameHeaderSize + len(r.PartitionKey) + len(r.ExplicitHashKey) + len(r.Data)
}

// appendFrame appends the frame of r, with the given position and arrival,
// to dst.
func appendFrame(dst []byte, r *storage.Record, seq uint64, arrival int64) []byte {
	n := frameSize(r)
	start := len(dst)
	// Grow without zeroing: every byte of the n is written below.
	dst = slices.Grow(dst, n)
	dst = dst[:len(dst)+n]
	b := dst[start:]
	binary.LittleEndian.PutUint32(b[0:], uint32(n-8))
	binary.LittleEndian.PutUint64(b[8:], seq)
	binary.LittleEndian.PutUint64(b[16:], uint64(arrival))
	b[24] = r.Flags
	b[25] = uint8(len(r.ExplicitHashKey))
	binary.LittleEndian.PutUint16(b[26:], uint16(len(r.PartitionKey)))
	p := frameHeaderSize
	p += copy(b[p:], r.PartitionKey)
	p += copy(b[p:], r.ExplicitHashKey)
	copy(b[p:], r.Data)
	binary.LittleEndian.PutUint32(b[4:], frameCRC(b[:n]))
	return dst
}

func frameCRC(frame []byte) uint32 {
	c := crc32.Update(0, castagnoli, frame[0:4])
	return crc32.Update(c, castagnoli, frame[8:])
}

// Frame decoding errors. errShortFrame means the buffer ends inside the
// frame (more bytes are needed, or the tail was torn); errBadFrame means
// the bytes are not a valid frame.
var (
	errShortFrame = errors.New("short frame")
	errBadFrame   = errors.New("bad frame")
)

// frameView is a decoded frame whose slices alias the input buffer.
type frameView struct {
	seq       uint64
	arrival   int64
	flags     uint8
	pk, ehk   []byte
	data      []byte
	totalSize int
}

// frameLen returns the total size of the frame starting at b, reading only
// its length field: errShortFrame if b has fewer than 4 bytes, errBadFrame
// if the length is impossible.
func frameLen(b []byte) (int, error) {
	if len(b) < 4 {
		return 0, errShortFrame
	}
	body := binary.LittleEndian.Uint32(b)
	if body < bodyFixedSize || body > maxBodyLen {
		return 0, errBadFrame
	}
	return int(body) + 8, nil
}

// decodeFrame decodes and verifies the frame at the start of b.
func decodeFrame(b []byte) (frameView, error) {
	n, err := frameLen(b)
	if err != nil {
		return frameView{}, err
	}
	if len(b) < n {
		return frameView{}, errShortFrame
	}
	b = b[:n]
	if binary.LittleEndian.Uint32(b[4:]) != frameCRC(b) {
		return frameView{}, errBadFrame
	}
	ehkLen := int(b[25])
	pkLen := int(binary.LittleEndian.Uint16(b[26:]))
	if pkLen > storage.MaxPartitionKeySize || frameHeaderSize+pkLen+ehkLen > n {
		return frameView{}, errBadFrame
	}
	p := frameHeaderSize
	return frameView{
		seq:       binary.LittleEndian.Uint64(b[8:]),
		arrival:   int64(binary.LittleEndian.Uint64(b[16:])),
		flags:     b[24],
		pk:        b[p : p+pkLen : p+pkLen],
		ehk:       b[p+pkLen : p+pkLen+ehkLen : p+pkLen+ehkLen],
		data:      b[p+pkLen+ehkLen : n : n],
		totalSize: n,
	}, nil
}
