package kds

import (
	"encoding/binary"
	"math"
	"slices"

	"github.com/eddy-streams/eddy/protocol/awscbor"
)

// AppendFastCBOR appends the CBOR encoding of out to dst: the bytes
// awscbor.Marshal writes for it (definite lengths, members in declaration
// order, timestamps as tag 1 + epoch milliseconds), without reflection and
// into a buffer grown once. A 10,000-record answer through reflection was
// built in a fresh buffer and then copied into the response's.
//
// The Java SDK, and so the Java KCL, read Kinesis in CBOR by default, and
// so does Eddy's consumer library (client/kinesiscbor): this is the hot path
// of every KCL-style consumer.
func (out *GetRecordsOutput) AppendFastCBOR(dst []byte) ([]byte, error) {
	est := 64
	for i := range out.Records {
		r := &out.Records[i]
		est += len(r.Data) + len(r.PartitionKey) + len(r.SequenceNumber) + len(r.EncryptionType) + 96
	}
	start := len(dst)
	if cap(dst)-len(dst) < est {
		// Room for a somewhat larger answer next time the buffer is
		// reused (httpapi keeps a few large ones).
		dst = slices.Grow(dst, est+est/8)
	}
	members := 2 // Records, MillisBehindLatest
	if out.NextShardIterator != nil {
		members++
	}
	if out.ChildShards != nil { // omitzero: only nil is left out
		members++
	}
	dst = cborHead(dst, majorMap, uint64(members))
	dst = cborText(dst, "Records")
	if out.Records == nil {
		dst = append(dst, cborNull)
	} else {
		dst = cborHead(dst, majorArray, uint64(len(out.Records)))
		for i := range out.Records {
			r := &out.Records[i]
			n := 2 // SequenceNumber, Data
			hasTime := !r.ApproximateArrivalTimestamp.IsZero()
			if hasTime {
				n++
			}
			if r.PartitionKey != "" {
				n++
			}
			if r.EncryptionType != "" {
				n++
			}
			dst = cborHead(dst, majorMap, uint64(n))
			dst = cborText(cborText(dst, "SequenceNumber"), r.SequenceNumber)
			if hasTime {
				t := r.ApproximateArrivalTimestamp.Time()
				if sec := t.Unix(); sec < minCBORSec || sec > maxCBORSec {
					// Out of awscbor's range: let it report the error.
					b, err := awscbor.Marshal(out)
					return append(dst[:start], b...), err
				}
				dst = append(cborText(dst, "ApproximateArrivalTimestamp"), majorTag|1)
				dst = cborInt(dst, t.UnixMilli())
			}
			dst = cborText(dst, "Data")
			if r.Data == nil {
				dst = append(dst, cborNull)
			} else {
				dst = append(cborHead(dst, majorBytes, uint64(len(r.Data))), r.Data...)
			}
			if r.PartitionKey != "" {
				dst = cborText(cborText(dst, "PartitionKey"), r.PartitionKey)
			}
			if r.EncryptionType != "" {
				dst = cborText(cborText(dst, "EncryptionType"), string(r.EncryptionType))
			}
		}
	}
	if out.NextShardIterator != nil {
		dst = cborText(cborText(dst, "NextShardIterator"), *out.NextShardIterator)
	}
	dst = cborInt(cborText(dst, "MillisBehindLatest"), out.MillisBehindLatest)
	if out.ChildShards != nil {
		// Rare (the end of a closed shard) and small: reflection is fine.
		b, err := awscbor.Marshal(out.ChildShards)
		if err != nil {
			return dst, err
		}
		dst = append(cborText(dst, "ChildShards"), b...)
	}
	return dst, nil
}

// CBOR heads (RFC 8949, section 3), as awscbor writes them: the shortest
// form of each argument.
const (
	majorBytes = 2 << 5
	majorText  = 3 << 5
	majorArray = 4 << 5
	majorMap   = 5 << 5
	majorTag   = 6 << 5
	cborNull   = 0xf6

	// awscbor's timestamp range: years 1 through 9999.
	minCBORSec = -62135596800
	maxCBORSec = 253402300799
)

func cborHead(b []byte, major byte, arg uint64) []byte {
	switch {
	case arg < 24:
		return append(b, major|byte(arg))
	case arg <= math.MaxUint8:
		return append(b, major|24, byte(arg))
	case arg <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, major|25), uint16(arg))
	case arg <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(b, major|26), uint32(arg))
	}
	return binary.BigEndian.AppendUint64(append(b, major|27), arg)
}

func cborText(b []byte, s string) []byte {
	return append(cborHead(b, majorText, uint64(len(s))), s...)
}

func cborInt(b []byte, v int64) []byte {
	if v >= 0 {
		return cborHead(b, 0, uint64(v))
	}
	return cborHead(b, 1<<5, uint64(-(v + 1)))
}
