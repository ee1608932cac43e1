package segment

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

// Segment file header layout (little-endian, 16 bytes), see docs/FORMAT.md:
//
//	off  size  field
//	 0    4    magic    "EDSG"
//	 4    2    version  1
//	 6    2    reserved (zero)
//	 8    8    base     position of the segment's first record
const (
	segmentHeaderSize = 16
	segmentVersion    = 1
	segmentMagic      = "EDSG"
	segExt            = ".seg"
	idxExt            = ".idx"
	sealedName        = "sealed"
)

func encodeSegmentHeader(base uint64) []byte {
	b := make([]byte, segmentHeaderSize)
	copy(b, segmentMagic)
	binary.LittleEndian.PutUint16(b[4:], segmentVersion)
	binary.LittleEndian.PutUint64(b[8:], base)
	return b
}

func checkSegmentHeader(b []byte, base uint64) error {
	if len(b) < segmentHeaderSize {
		return fmt.Errorf("short segment header (%d bytes)", len(b))
	}
	if string(b[:4]) != segmentMagic {
		return fmt.Errorf("bad segment magic %q", b[:4])
	}
	if v := binary.LittleEndian.Uint16(b[4:]); v != segmentVersion {
		return fmt.Errorf("unsupported segment version %d", v)
	}
	if got := binary.LittleEndian.Uint64(b[8:]); got != base {
		return fmt.Errorf("segment header base %d does not match its name (%d)", got, base)
	}
	return nil
}

// segmentName is the file name of the segment whose first position is base:
// 20 decimal digits, so names sort in position order.
func segmentName(base uint64, ext string) string {
	return fmt.Sprintf("%020d%s", base, ext)
}

// parseSegmentName returns the base of a segment file name, or false.
func parseSegmentName(name string) (uint64, bool) {
	digits, ok := strings.CutSuffix(name, segExt)
	if !ok || len(digits) != 20 {
		return 0, false
	}
	base, err := strconv.ParseUint(digits, 10, 64)
	return base, err == nil
}
