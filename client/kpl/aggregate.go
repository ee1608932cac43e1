package kpl

import (
	"crypto/md5"

	"google.golang.org/protobuf/encoding/protowire"
)

// Magic is the 4-byte prefix of an aggregated record.
var Magic = [4]byte{0xF3, 0x89, 0x9A, 0xC2}

// Overhead is the bytes an aggregated record adds around its protobuf
// message: the magic number and the MD5 trailer.
const Overhead = len(Magic) + md5.Size

// Field numbers of the AggregatedRecord and Record messages.
const (
	fieldPartitionKeyTable    protowire.Number = 1
	fieldExplicitHashKeyTable protowire.Number = 2
	fieldRecords              protowire.Number = 3

	fieldPartitionKeyIndex    protowire.Number = 1
	fieldExplicitHashKeyIndex protowire.Number = 2
	fieldData                 protowire.Number = 3
	fieldTags                 protowire.Number = 4
)

// UserRecord is one record a user put: what an aggregate carries per record.
// ExplicitHashKey is "" when the record has none.
type UserRecord struct {
	PartitionKey    string
	ExplicitHashKey string
	Data            []byte
}

// An Aggregator builds one aggregated record from user records, keeping its
// exact encoded size as it grows. The zero value is ready to use; Reset
// makes it empty again and keeps its buffers. An Aggregator is not safe for
// concurrent use.
type Aggregator struct {
	pkIndex  map[string]uint64
	ehkIndex map[string]uint64
	pkTable  []byte // encoded partition_key_table fields
	ehkTable []byte // encoded explicit_hash_key_table fields
	records  []byte // encoded records fields; a view of base[head:] while it fits there
	count    int
	firstPK  string
	firstEHK string

	// With a buffer from Take, records are written at base[head:] so that
	// Take can put the magic number and the key tables in front of them
	// instead of copying the records.
	base    []byte
	head    int
	reserve int // headroom left before the records: grows with the tables seen
}

// Count returns the number of user records added since the last Reset.
func (a *Aggregator) Count() int { return a.count }

// Size returns the exact length of the record AppendTo would write now:
// Overhead plus the protobuf message.
func (a *Aggregator) Size() int {
	return Overhead + len(a.pkTable) + len(a.ehkTable) + len(a.records)
}

// First returns the partition key and explicit hash key of the first user
// record added ("" if none).
func (a *Aggregator) First() (partitionKey, explicitHashKey string) {
	return a.firstPK, a.firstEHK
}

// Add appends r. It does not copy r.Data until it is encoded, which Add
// does at once: the caller may reuse r.Data when Add returns.
func (a *Aggregator) Add(r UserRecord) {
	a.TryAdd(r, int(^uint(0)>>1))
}

// TryAdd appends r if the aggregate's Size stays at most maxSize, and
// reports whether it did.
func (a *Aggregator) TryAdd(r UserRecord, maxSize int) bool {
	size := a.Size()
	pkIdx, pkNew := lookup(a.pkIndex, r.PartitionKey)
	if pkNew {
		size += tableEntrySize(r.PartitionKey)
	}
	var ehkIdx uint64
	var ehkNew bool
	if r.ExplicitHashKey != "" {
		ehkIdx, ehkNew = lookup(a.ehkIndex, r.ExplicitHashKey)
		if ehkNew {
			size += tableEntrySize(r.ExplicitHashKey)
		}
	}
	inner := recordSize(pkIdx, r.ExplicitHashKey != "", ehkIdx, len(r.Data))
	size += protowire.SizeTag(fieldRecords) + protowire.SizeBytes(inner)
	if size > maxSize {
		return false
	}
	if pkNew {
		if a.pkIndex == nil {
			a.pkIndex = make(map[string]uint64)
		}
		a.pkIndex[r.PartitionKey] = pkIdx
		a.pkTable = protowire.AppendTag(a.pkTable, fieldPartitionKeyTable, protowire.BytesType)
		a.pkTable = protowire.AppendString(a.pkTable, r.PartitionKey)
	}
	if ehkNew {
		if a.ehkIndex == nil {
			a.ehkIndex = make(map[string]uint64)
		}
		a.ehkIndex[r.ExplicitHashKey] = ehkIdx
		a.ehkTable = protowire.AppendTag(a.ehkTable, fieldExplicitHashKeyTable, protowire.BytesType)
		a.ehkTable = protowire.AppendString(a.ehkTable, r.ExplicitHashKey)
	}
	b := a.records
	b = protowire.AppendTag(b, fieldRecords, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(inner))
	b = protowire.AppendTag(b, fieldPartitionKeyIndex, protowire.VarintType)
	b = protowire.AppendVarint(b, pkIdx)
	if r.ExplicitHashKey != "" {
		b = protowire.AppendTag(b, fieldExplicitHashKeyIndex, protowire.VarintType)
		b = protowire.AppendVarint(b, ehkIdx)
	}
	b = protowire.AppendTag(b, fieldData, protowire.BytesType)
	b = protowire.AppendBytes(b, r.Data)
	a.records = b
	if a.count == 0 {
		a.firstPK, a.firstEHK = r.PartitionKey, r.ExplicitHashKey
	}
	a.count++
	return true
}

// SizeOf returns the Size of an aggregate holding r alone.
func SizeOf(r UserRecord) int {
	size := Overhead + tableEntrySize(r.PartitionKey)
	if r.ExplicitHashKey != "" {
		size += tableEntrySize(r.ExplicitHashKey)
	}
	inner := recordSize(0, r.ExplicitHashKey != "", 0, len(r.Data))
	return size + protowire.SizeTag(fieldRecords) + protowire.SizeBytes(inner)
}

// AppendTo appends the aggregated record (magic, message, MD5 of the
// message) to dst and returns the extended slice. The Aggregator is left
// as it was.
func (a *Aggregator) AppendTo(dst []byte) []byte {
	dst = append(dst, Magic[:]...)
	start := len(dst)
	dst = append(dst, a.pkTable...)
	dst = append(dst, a.ehkTable...)
	dst = append(dst, a.records...)
	sum := md5.Sum(dst[start:])
	return append(dst, sum[:]...)
}

// Reset empties the aggregator, keeping its buffers for reuse.
func (a *Aggregator) Reset() {
	clear(a.pkIndex)
	clear(a.ehkIndex)
	a.pkTable = a.pkTable[:0]
	a.ehkTable = a.ehkTable[:0]
	a.records = a.records[:0]
	a.count = 0
	a.firstPK, a.firstEHK = "", ""
}

// Take returns the aggregated record (what AppendTo(nil) would return),
// and buf, the allocation it lies in (record is a part of buf[:cap(buf)]):
// both then belong to the caller, who may reuse buf once done with record.
// Take empties the aggregator. The next aggregate is built in next's
// capacity (its length and contents do not matter; nil means a buffer of
// Take's choosing), which then belongs to the aggregator: give it room for
// the largest aggregate plus a few KiB of key tables and the record is
// finished in place, without copying the data.
func (a *Aggregator) Take(next []byte) (record, buf []byte) {
	tables := len(a.pkTable) + len(a.ehkTable)
	var out []byte
	if a.inPlace() && a.head >= len(Magic)+tables && cap(a.records)-len(a.records) >= md5.Size {
		start := a.head - tables - len(Magic)
		n := copy(a.base[start:], Magic[:])
		n += copy(a.base[start+n:], a.pkTable)
		copy(a.base[start+n:], a.ehkTable)
		out = a.base[start : a.head+len(a.records)]
		sum := md5.Sum(out[len(Magic):])
		out = append(out, sum[:]...)
		buf = a.base[:0]
	} else {
		out = a.AppendTo(make([]byte, 0, a.Size()))
		buf = out[:0]
	}
	// Leave room for tables a little larger than these.
	a.reserve = max(a.reserve, len(Magic)+tables+tables/4+64)
	if next == nil {
		next = make([]byte, 0, 64<<10)
	}
	a.SetBuffer(next)
	return out, buf
}

// SetBuffer gives an empty aggregator buf's capacity to build the next
// aggregate in, as Take's next argument does.
func (a *Aggregator) SetBuffer(buf []byte) {
	a.Reset()
	a.base = buf[:cap(buf)]
	a.head = min(max(a.reserve, 1024), len(a.base))
	a.records = a.base[a.head:a.head]
}

// inPlace reports whether records still lies at base[head:] (appending
// past its capacity moves it elsewhere).
func (a *Aggregator) inPlace() bool {
	if a.base == nil || cap(a.records) == 0 || a.head >= len(a.base) {
		return false
	}
	return &a.records[:1][0] == &a.base[a.head]
}

// Aggregate returns the aggregated record of recs, in order.
func Aggregate(recs []UserRecord) []byte {
	var a Aggregator
	for _, r := range recs {
		a.Add(r)
	}
	return a.AppendTo(make([]byte, 0, a.Size()))
}

// lookup returns key's index in the table m and whether it is new (then
// the index is the next free one).
func lookup(m map[string]uint64, key string) (uint64, bool) {
	if i, ok := m[key]; ok {
		return i, false
	}
	return uint64(len(m)), true
}

func tableEntrySize(s string) int {
	return protowire.SizeTag(fieldPartitionKeyTable) + protowire.SizeBytes(len(s))
}

// recordSize is the length of an encoded Record message.
func recordSize(pkIdx uint64, hasEHK bool, ehkIdx uint64, dataLen int) int {
	n := protowire.SizeTag(fieldPartitionKeyIndex) + protowire.SizeVarint(pkIdx)
	if hasEHK {
		n += protowire.SizeTag(fieldExplicitHashKeyIndex) + protowire.SizeVarint(ehkIdx)
	}
	return n + protowire.SizeTag(fieldData) + protowire.SizeBytes(dataLen)
}
