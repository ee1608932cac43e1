package kinesis

import "math/bits"

// Sequence numbers are 128-bit integers shown in decimal:
//
//	bit 124      always 1, so every sequence number has 38 decimal digits
//	             and decimal strings sort like the numbers they are
//	bits 64-123  the shard's index (shardId-000000000007 -> 7)
//	bits 0-63    the record's position in its shard log
//
// They are strictly increasing within a shard and unique within a stream,
// and a sequence number names its shard, so one used with another shard is
// rejected.
//
// The 128-bit value is held as two uint64 halves, hi (bits 64-127) and lo
// (bits 0-63), and converted with one 128-by-64-bit division by 10^19:
// the quotient is the first 19 digits and the remainder the last 19. This
// is the hot path of PutRecords and GetRecords (one sequence number per
// record), so it avoids math/big, which allocated six times per number.
type seqNum struct {
	shard int
	pos   uint64
}

const (
	// seqMarkerHi is bit 124, the marker, within hi.
	seqMarkerHi = 1 << (124 - 64)
	// maxSeqShard is the largest shard index parseSeqNum accepts.
	maxSeqShard = 1 << 40
	// pow19 is 10^19, the largest power of ten below 2^64.
	pow19 = 10_000_000_000_000_000_000
)

// String returns the 38-digit decimal form of s. It allocates only the
// string. s.shard must be in [0, 2^60), as every shard index is.
func (s seqNum) String() string {
	var b [38]byte
	s.put(&b)
	return string(b[:])
}

// put writes s's 38 digits into b.
func (s seqNum) put(b *[38]byte) {
	// hi < 2^61 < 10^19, so the quotient fits in 64 bits; the value is at
	// least 2^124 > 10^37, so the quotient has exactly 19 digits.
	q, r := bits.Div64(uint64(s.shard)|seqMarkerHi, s.pos, pow19)
	put19(b[:19], q)
	put19(b[19:], r)
}

// put19 writes v (< 10^19) into b as 19 digits, zero-padded.
func put19(b []byte, v uint64) {
	_ = b[18]
	for i := 18; i >= 1; i -= 2 {
		d := v % 100 * 2
		v /= 100
		b[i] = digitPairs[d+1]
		b[i-1] = digitPairs[d]
	}
	b[0] = byte('0' + v)
}

const digitPairs = "00010203040506070809" +
	"10111213141516171819" +
	"20212223242526272829" +
	"30313233343536373839" +
	"40414243444546474849" +
	"50515253545556575859" +
	"60616263646566676869" +
	"70717273747576777879" +
	"80818283848586878889" +
	"90919293949596979899"

// parseSeqNum decodes a sequence number Eddy issued. ok is false for
// anything else: not 38 decimal digits, a value without the marker bit
// (outside [2^124, 2^125)), or a shard index above 2^40.
func parseSeqNum(s string) (seqNum, bool) {
	if len(s) != 38 {
		return seqNum{}, false
	}
	a, ok1 := parse19(s[:19])
	b, ok2 := parse19(s[19:])
	if !ok1 || !ok2 {
		return seqNum{}, false
	}
	// a*10^19 + b < 10^38 < 2^127: no overflow.
	hi, lo := bits.Mul64(a, pow19)
	lo, carry := bits.Add64(lo, b, 0)
	hi += carry
	if hi&^(seqMarkerHi-1) != seqMarkerHi { // bit length is not 125
		return seqNum{}, false
	}
	shard := hi &^ seqMarkerHi
	if shard > maxSeqShard {
		return seqNum{}, false
	}
	return seqNum{shard: int(shard), pos: lo}, true
}

// parse19 decodes 19 decimal digits; ok is false if one is not a digit.
func parse19(s string) (v uint64, ok bool) {
	for i := 0; i < len(s); i++ {
		d := s[i] - '0'
		if d > 9 {
			return 0, false
		}
		v = v*10 + uint64(d)
	}
	return v, true
}
