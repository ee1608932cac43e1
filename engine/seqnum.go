package engine

import (
	"math/big"
	"strings"
)

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
type seqNum struct {
	shard int
	pos   uint64
}

var seqMarker = new(big.Int).Lsh(big.NewInt(1), 124)

func (s seqNum) String() string {
	b := new(big.Int).SetInt64(int64(s.shard))
	b.Lsh(b, 64)
	b.Or(b, new(big.Int).SetUint64(s.pos))
	b.Or(b, seqMarker)
	return b.String()
}

// parseSeqNum decodes a sequence number Eddy issued. ok is false for
// anything else (not a 38-digit decimal with the marker bit).
func parseSeqNum(s string) (seqNum, bool) {
	if len(s) != 38 || strings.TrimLeft(s, "0123456789") != "" {
		return seqNum{}, false
	}
	b, ok := new(big.Int).SetString(s, 10)
	if !ok || b.BitLen() != 125 {
		return seqNum{}, false
	}
	b.Xor(b, seqMarker)
	pos := new(big.Int).And(b, new(big.Int).SetUint64(^uint64(0))).Uint64()
	shard := new(big.Int).Rsh(b, 64)
	if !shard.IsInt64() || shard.Int64() > 1<<40 {
		return seqNum{}, false
	}
	return seqNum{shard: int(shard.Int64()), pos: pos}, true
}
