package kpl

import (
	"crypto/md5"
	"encoding/binary"
	"errors"
	"math/bits"
)

// HashKey is a 128-bit unsigned hash key, the coordinate Kinesis routes a
// record by: the MD5 of its partition key read as a big-endian integer, or
// its explicit hash key. Each open shard owns an inclusive range of them.
type HashKey struct{ Hi, Lo uint64 }

// MaxHashKey is 2^128-1, the end of the last shard's range.
var MaxHashKey = HashKey{^uint64(0), ^uint64(0)}

// ErrBadHashKey is returned by ParseHashKey for anything but the decimal
// form of an integer in [0, 2^128-1].
var ErrBadHashKey = errors.New("kpl: hash key is not a decimal integer in [0, 2^128-1]")

// PartitionHashKey returns the hash key of a partition key: the MD5 of its
// UTF-8 bytes as a big-endian 128-bit integer, as Kinesis computes it.
func PartitionHashKey(partitionKey string) HashKey {
	sum := md5.Sum([]byte(partitionKey))
	return HashKey{binary.BigEndian.Uint64(sum[:8]), binary.BigEndian.Uint64(sum[8:])}
}

// HashKeyOf returns the hash key Kinesis routes a record by: its explicit
// hash key if it has one, else the MD5 of its partition key.
func HashKeyOf(partitionKey, explicitHashKey string) (HashKey, error) {
	if explicitHashKey != "" {
		return ParseHashKey(explicitHashKey)
	}
	return PartitionHashKey(partitionKey), nil
}

// ParseHashKey parses a decimal hash key as the Kinesis API writes them
// (StartingHashKey, ExplicitHashKey): digits only, no sign, no leading zero
// unless the key is "0", at most 2^128-1.
func ParseHashKey(s string) (HashKey, error) {
	if s == "" || len(s) > 39 || (len(s) > 1 && s[0] == '0') {
		return HashKey{}, ErrBadHashKey
	}
	var k HashKey
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return HashKey{}, ErrBadHashKey
		}
		// k = k*10 + digit, failing on overflow past 128 bits.
		hiHi, hiLo := bits.Mul64(k.Hi, 10)
		loHi, loLo := bits.Mul64(k.Lo, 10)
		hi, carry := bits.Add64(hiLo, loHi, 0)
		if hiHi != 0 || carry != 0 {
			return HashKey{}, ErrBadHashKey
		}
		lo, c2 := bits.Add64(loLo, uint64(c-'0'), 0)
		hi, carry = bits.Add64(hi, 0, c2)
		if carry != 0 {
			return HashKey{}, ErrBadHashKey
		}
		k = HashKey{hi, lo}
	}
	return k, nil
}

// String returns k in decimal, the form the Kinesis API uses.
func (k HashKey) String() string {
	return string(k.AppendDecimal(nil))
}

// AppendDecimal appends k in decimal to dst.
func (k HashKey) AppendDecimal(dst []byte) []byte {
	if k.Hi == 0 && k.Lo == 0 {
		return append(dst, '0')
	}
	var buf [39]byte
	i := len(buf)
	hi, lo := k.Hi, k.Lo
	for hi != 0 || lo != 0 {
		// Divide the 128-bit value by 10^19, the largest power of ten in
		// a uint64, and emit the remainder's 19 digits.
		const p = 10000000000000000000
		qhi := hi / p
		r := hi % p
		qlo, rem := bits.Div64(r, lo, p)
		hi, lo = qhi, qlo
		for j := 0; j < 19; j++ {
			i--
			buf[i] = byte('0' + rem%10)
			rem /= 10
			if hi == 0 && lo == 0 && rem == 0 {
				break
			}
		}
	}
	return append(dst, buf[i:]...)
}

// Compare returns -1, 0 or +1 as k is less than, equal to or greater than o.
func (k HashKey) Compare(o HashKey) int {
	switch {
	case k.Hi < o.Hi:
		return -1
	case k.Hi > o.Hi:
		return 1
	case k.Lo < o.Lo:
		return -1
	case k.Lo > o.Lo:
		return 1
	}
	return 0
}

// InRange reports whether start <= k <= end (a shard's HashKeyRange is
// inclusive at both ends).
func (k HashKey) InRange(start, end HashKey) bool {
	return k.Compare(start) >= 0 && k.Compare(end) <= 0
}
