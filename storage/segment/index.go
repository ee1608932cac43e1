package segment

import (
	"encoding/binary"
	"hash/crc32"
	"sort"
)

// Index entry layout (little-endian, 24 bytes), see docs/FORMAT.md:
//
//	off  size  field
//	 0    8    seq       position of the indexed record
//	 8    8    arrival   its arrival, Unix nanoseconds
//	16    4    offset    byte offset of its frame in the segment file
//	20    4    crc       CRC-32C of bytes [0,20)
//
// One index serves both lookups: positions and arrival times are both
// non-decreasing in log order, so the same sparse entries answer "where is
// position p" and "where is the first record at or after time t".
const indexEntrySize = 24

type indexEntry struct {
	seq     uint64
	arrival int64
	offset  uint32
}

func appendIndexEntry(dst []byte, e indexEntry) []byte {
	var b [indexEntrySize]byte
	binary.LittleEndian.PutUint64(b[0:], e.seq)
	binary.LittleEndian.PutUint64(b[8:], uint64(e.arrival))
	binary.LittleEndian.PutUint32(b[16:], e.offset)
	binary.LittleEndian.PutUint32(b[20:], crc32.Checksum(b[:20], castagnoli))
	return append(dst, b[:]...)
}

// decodeIndex decodes the valid prefix of an index file: it stops at the
// first entry that is torn, fails its CRC, does not advance both seq and
// offset, or points at or beyond segSize. It returns the entries and the
// byte length of the valid prefix.
func decodeIndex(b []byte, base uint64, segSize int64) ([]indexEntry, int) {
	entries := make([]indexEntry, 0, len(b)/indexEntrySize)
	var p int
	for ; p+indexEntrySize <= len(b); p += indexEntrySize {
		e := b[p : p+indexEntrySize]
		if binary.LittleEndian.Uint32(e[20:]) != crc32.Checksum(e[:20], castagnoli) {
			break
		}
		ie := indexEntry{
			seq:     binary.LittleEndian.Uint64(e[0:]),
			arrival: int64(binary.LittleEndian.Uint64(e[8:])),
			offset:  binary.LittleEndian.Uint32(e[16:]),
		}
		if ie.seq < base || int64(ie.offset) < segmentHeaderSize || int64(ie.offset) >= segSize {
			break
		}
		if n := len(entries); n > 0 {
			prev := entries[n-1]
			if ie.seq <= prev.seq || ie.offset <= prev.offset || ie.arrival < prev.arrival {
				break
			}
		}
		entries = append(entries, ie)
	}
	return entries, p
}

// seekSeq returns the last entry with seq <= target, or false if none.
func seekSeq(entries []indexEntry, target uint64) (indexEntry, bool) {
	i := sort.Search(len(entries), func(i int) bool { return entries[i].seq > target })
	if i == 0 {
		return indexEntry{}, false
	}
	return entries[i-1], true
}

// seekArrival returns the last entry with arrival < t, or false if none.
func seekArrival(entries []indexEntry, t int64) (indexEntry, bool) {
	i := sort.Search(len(entries), func(i int) bool { return entries[i].arrival >= t })
	if i == 0 {
		return indexEntry{}, false
	}
	return entries[i-1], true
}
