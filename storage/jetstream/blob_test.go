package jetstream

import (
	"bytes"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/storage"
)

func TestBlobRoundTrip(t *testing.T) {
	recs := []storage.Record{
		{PartitionKey: "k", Data: []byte("one"), Flags: 7},
		{PartitionKey: "", ExplicitHashKey: "340282366920938463463374607431768211455", Data: nil},
		{PartitionKey: string(make([]byte, storage.MaxPartitionKeySize)), Data: bytes.Repeat([]byte{0xff}, 1000)},
		{PartitionKey: "z", Data: []byte{0}},
	}
	for _, arrivals := range [][]int64{
		{1, 2, 3, 4},
		{math.MinInt64, math.MinInt64, 0, math.MaxInt64},
		{1_700_000_000_123_456_789, 1_700_000_000_123_456_789, 1_700_000_000_123_456_790, 1_800_000_000_000_000_000},
	} {
		b := encodeBlob(recs, arrivals)
		if len(b) > blobSize(recs) {
			t.Fatalf("blob of %d bytes, blobSize said at most %d", len(b), blobSize(recs))
		}
		got, err := decodeBlob(b, 1<<40, len(recs))
		if err != nil {
			t.Fatal(err)
		}
		for i, g := range got {
			w := recs[i]
			if g.Seq != 1<<40+uint64(i) || g.PartitionKey != w.PartitionKey || g.ExplicitHashKey != w.ExplicitHashKey ||
				g.Flags != w.Flags || !bytes.Equal(g.Data, w.Data) || g.Arrival.UnixNano() != arrivals[i] || g.Arrival.Location() != time.UTC {
				t.Fatalf("record %d = %+v, want %+v at %d", i, g, w, arrivals[i])
			}
		}
		// Every truncation, and every count but the right one, fails.
		for n := range len(b) {
			if _, err := decodeBlob(b[:n], 0, len(recs)); !errors.Is(err, errBlob) {
				t.Fatalf("decode of %d of %d bytes: %v, want errBlob", n, len(b), err)
			}
		}
		for _, n := range []int{0, len(recs) - 1, len(recs) + 1} {
			if _, err := decodeBlob(b, 0, n); !errors.Is(err, errBlob) {
				t.Fatalf("decode as %d records: %v, want errBlob", n, err)
			}
		}
		if _, err := decodeBlob(append(b, 0), 0, len(recs)); !errors.Is(err, errBlob) {
			t.Fatalf("decode with a trailing byte: %v, want errBlob", err)
		}
	}
}

// The decoded records own their memory: a record's Data cannot grow into
// the next record's bytes.
func TestBlobDataCapacity(t *testing.T) {
	recs := []storage.Record{{PartitionKey: "a", Data: []byte("xy")}, {PartitionKey: "b", Data: []byte("zz")}}
	got, err := decodeBlob(encodeBlob(recs, []int64{0, 0}), 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	_ = append(got[0].Data, 'Q')
	if string(got[1].PartitionKey) != "b" || string(got[1].Data) != "zz" {
		t.Fatalf("append to record 0's data changed record 1: %q %q", got[1].PartitionKey, got[1].Data)
	}
}

func FuzzDecodeBlob(f *testing.F) {
	f.Add(encodeBlob([]storage.Record{{PartitionKey: "k", Data: []byte("v")}}, []int64{5}), 1)
	f.Add(encodeBlob(nil, nil), 0)
	f.Add([]byte{1, 2, 0x80}, 2)
	f.Fuzz(func(t *testing.T, b []byte, n int) {
		if n < 0 || n > len(b) {
			return
		}
		recs, err := decodeBlob(b, 0, n)
		if err != nil {
			if !errors.Is(err, errBlob) {
				t.Fatalf("error %v does not wrap errBlob", err)
			}
			return
		}
		arrivals := make([]int64, len(recs))
		for i := range recs {
			arrivals[i] = recs[i].Arrival.UnixNano()
		}
		again, err := decodeBlob(encodeBlob(recs, arrivals), 0, n)
		if err != nil {
			t.Fatalf("decode of an encoded blob: %v", err)
		}
		for i := range recs {
			a, r := again[i], recs[i]
			if a.Seq != r.Seq || !a.Arrival.Equal(r.Arrival) || a.Flags != r.Flags || a.PartitionKey != r.PartitionKey ||
				a.ExplicitHashKey != r.ExplicitHashKey || !bytes.Equal(a.Data, r.Data) {
				t.Fatalf("record %d changed by encode and decode: %+v, then %+v", i, r, a)
			}
		}
	})
}
