package kinesis

import (
	"crypto/md5"
	"encoding/binary"
	"math/big"
	"math/bits"
)

// hashKey is a 128-bit unsigned hash key: the MD5 of a partition key read as
// a big-endian integer, or an explicit hash key. Shards own inclusive ranges
// of them.
type hashKey struct{ hi, lo uint64 }

var maxHashKey = hashKey{^uint64(0), ^uint64(0)}

func (a hashKey) cmp(b hashKey) int {
	switch {
	case a.hi < b.hi:
		return -1
	case a.hi > b.hi:
		return 1
	case a.lo < b.lo:
		return -1
	case a.lo > b.lo:
		return 1
	}
	return 0
}

func (a hashKey) add1() hashKey {
	lo, c := bits.Add64(a.lo, 1, 0)
	return hashKey{a.hi + c, lo}
}

// sub returns a-b (a >= b).
func (a hashKey) sub(b hashKey) hashKey {
	lo, borrow := bits.Sub64(a.lo, b.lo, 0)
	hi, _ := bits.Sub64(a.hi, b.hi, borrow)
	return hashKey{hi, lo}
}

func (a hashKey) sub1() hashKey {
	lo, b := bits.Sub64(a.lo, 1, 0)
	return hashKey{a.hi - b, lo}
}

// partitionHash returns the hash key of a partition key: MD5 of its UTF-8
// bytes, big-endian.
func partitionHash(key string) hashKey {
	sum := md5.Sum([]byte(key))
	return hashKey{binary.BigEndian.Uint64(sum[:8]), binary.BigEndian.Uint64(sum[8:])}
}

func (a hashKey) big() *big.Int {
	b := new(big.Int).SetUint64(a.hi)
	b.Lsh(b, 64)
	return b.Or(b, new(big.Int).SetUint64(a.lo))
}

// String returns the key in decimal, as the API shows hash keys.
func (a hashKey) String() string { return a.big().String() }

// parseHashKey parses a decimal hash key; ok is false if s is not a decimal
// integer in [0, 2^128-1].
func parseHashKey(s string) (hashKey, bool) {
	if s == "" || len(s) > 39 {
		return hashKey{}, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return hashKey{}, false
		}
	}
	b, ok := new(big.Int).SetString(s, 10)
	if !ok || b.BitLen() > 128 {
		return hashKey{}, false
	}
	return fromBig(b), true
}

func fromBig(b *big.Int) hashKey {
	lo := new(big.Int).And(b, new(big.Int).SetUint64(^uint64(0))).Uint64()
	hi := new(big.Int).Rsh(b, 64).Uint64()
	return hashKey{hi, lo}
}

// splitEvenly divides [0, 2^128-1] into n contiguous ranges as CreateStream
// and UpdateShardCount do: each of size floor(2^128/n), the last one taking
// the remainder.
func splitEvenly(start, end hashKey, n int) [][2]hashKey {
	lo, hi := start.big(), end.big()
	span := new(big.Int).Sub(hi, lo)
	span.Add(span, big.NewInt(1))
	step := new(big.Int).Div(span, big.NewInt(int64(n)))
	out := make([][2]hashKey, n)
	cur := new(big.Int).Set(lo)
	for i := 0; i < n; i++ {
		s := new(big.Int).Set(cur)
		e := new(big.Int).Add(cur, step)
		e.Sub(e, big.NewInt(1))
		if i == n-1 {
			e.Set(hi)
		}
		out[i] = [2]hashKey{fromBig(s), fromBig(e)}
		cur.Add(e, big.NewInt(1))
	}
	return out
}
