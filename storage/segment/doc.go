// Package segment is Eddy's default, durable shard log: one directory per
// shard holding segment files of bounded size, each record framed with its
// length and a CRC-32C, a sparse index per segment, and group commit so that
// concurrent appends share one fsync. It implements storage.Logs.
//
// Usage:
//
//	st, err := segment.Open("/var/lib/eddy/logs", segment.DefaultConfig())
//	log, err := st.Create("mystream/shardId-000000000000", 0)
//	first, err := log.Append(recs) // returns after fsync (SyncAlways)
//	recs, err := log.Read(first, 1000, 10<<20)
//
// # Files
//
//	<dir>/<log id, '/' as '~'>/
//	    00000000000000000000.seg   records from position 0
//	    00000000000000000000.idx   its sparse index
//	    00000000000000001234.seg   records from position 1234 (the tail)
//	    00000000000000001234.idx
//	    sealed                     present once the log is sealed
//
// A segment file is a 16-byte header followed by record frames:
//
//	header:  "EDSG" | version u16 = 1 | reserved u16 | base u64
//	frame:   bodyLen u32 | crc u32 | seq u64 | arrival i64 (Unix ns) |
//	         flags u8 | ehkLen u8 | pkLen u16 | pk | ehk | data
//
// The CRC-32C (Castagnoli) covers bodyLen and the body (everything after the
// crc field). All integers are little-endian. An index file is a sequence of
// 24-byte entries (seq u64 | arrival i64 | offset u32 | crc u32), one for the
// first record of the segment, then one at least every IndexInterval bytes,
// and, once the segment is sealed, one for its last record. docs/FORMAT.md
// has the full layout.
//
// # Durability and recovery
//
// With SyncAlways an append returns after fdatasync. An index entry is
// written only after the data it points to is synced, so the last valid
// entry of the tail's index is a recovery checkpoint: on open, only the bytes
// after it are scanned, and the tail is truncated at the first frame that is
// torn or fails its CRC. A frame that fails its CRC anywhere before that is
// reported as corruption (storage.ErrCorrupt) naming log, segment and offset.
// A failed fsync fails every append that was waiting on it and cuts the tail
// back to its last synced size before any later append is accepted.
//
// Logs are loaded lazily, on first use; files are opened through a cache that
// keeps at most MaxOpenFiles descriptors, closing idle ones first, so a store
// can hold tens of thousands of shards.
package segment
