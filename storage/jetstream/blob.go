package jetstream

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/eddy-streams/eddy/storage"
)

// A blob is the payload of one appended batch: its records, framed. It is
// stored as the data of one JetStream message, or split into several
// consecutive messages ("parts") when it exceeds the connection's maximum
// payload; the reader joins the parts before decoding.
//
// Layout (uvarint and varint as in encoding/binary):
//
//	blob   = version:byte(1) count:uvarint record*count
//	record = arrival:uvarint flags:byte
//	         len(pk):uvarint pk  len(ehk):uvarint ehk  len(data):uvarint data
//
// A record's arrival is the difference, in nanoseconds and modulo 2^64,
// between its Unix time in nanoseconds and the previous record's (0 before
// the first record). Append clamps arrivals so that they never decrease,
// so the differences are small; the modular arithmetic makes any int64
// arrival round-trip all the same.
//
// Positions are not in the blob: the message's Eddy-First header gives the
// first record's position, and record i has position first+i.
const blobVersion = 1

// blobSize returns an upper bound of the encoded size of recs.
func blobSize(recs []storage.Record) int {
	n := 1 + binary.MaxVarintLen64
	for i := range recs {
		r := &recs[i]
		n += binary.MaxVarintLen64 + 1 + 3*binary.MaxVarintLen64 + len(r.PartitionKey) + len(r.ExplicitHashKey) + len(r.Data)
	}
	return n
}

// encodeBlob frames recs, whose arrivals (Unix nanoseconds) are given in
// arrivals, and returns the blob.
func encodeBlob(recs []storage.Record, arrivals []int64) []byte {
	b := make([]byte, 0, blobSize(recs))
	b = append(b, blobVersion)
	b = binary.AppendUvarint(b, uint64(len(recs)))
	prev := int64(0)
	for i := range recs {
		r := &recs[i]
		b = binary.AppendUvarint(b, uint64(arrivals[i]-prev))
		prev = arrivals[i]
		b = append(b, r.Flags)
		b = binary.AppendUvarint(b, uint64(len(r.PartitionKey)))
		b = append(b, r.PartitionKey...)
		b = binary.AppendUvarint(b, uint64(len(r.ExplicitHashKey)))
		b = append(b, r.ExplicitHashKey...)
		b = binary.AppendUvarint(b, uint64(len(r.Data)))
		b = append(b, r.Data...)
	}
	return b
}

var errBlob = errors.New("bad blob")

// decodeBlob decodes a blob holding want records whose first has position
// first. The records' Data alias b, which the caller must therefore not
// reuse. Errors wrap errBlob with where decoding stopped.
func decodeBlob(b []byte, first uint64, want int) ([]storage.Record, error) {
	if len(b) == 0 || b[0] != blobVersion {
		return nil, fmt.Errorf("%w: version %v", errBlob, b[:min(len(b), 1)])
	}
	off := 1
	n, k := binary.Uvarint(b[off:])
	if k <= 0 || n != uint64(want) {
		return nil, fmt.Errorf("%w: count %d (header says %d) at offset %d", errBlob, n, want, off)
	}
	off += k
	recs := make([]storage.Record, want)
	arrival := int64(0)
	for i := range recs {
		start := off
		d, k := binary.Uvarint(b[off:])
		if k <= 0 || off+k >= len(b) {
			return nil, fmt.Errorf("%w: record %d arrival at offset %d", errBlob, i, start)
		}
		off += k
		arrival += int64(d) // modulo 2^64, as encoded
		r := &recs[i]
		r.Seq = first + uint64(i)
		r.Arrival = time.Unix(0, arrival).UTC()
		r.Flags = b[off]
		off++
		var fields [3][]byte
		for f := range fields {
			l, k := binary.Uvarint(b[off:])
			if k <= 0 || l > uint64(len(b)-off-k) {
				return nil, fmt.Errorf("%w: record %d field %d at offset %d", errBlob, i, f, off)
			}
			off += k
			fields[f] = b[off : off+int(l) : off+int(l)]
			off += int(l)
		}
		r.PartitionKey = string(fields[0])
		r.ExplicitHashKey = string(fields[1])
		if len(fields[2]) > 0 {
			r.Data = fields[2]
		} else {
			r.Data = []byte{}
		}
	}
	if off != len(b) {
		return nil, fmt.Errorf("%w: %d bytes after the last record", errBlob, len(b)-off)
	}
	return recs, nil
}
