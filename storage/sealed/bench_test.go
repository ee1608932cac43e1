package sealed_test

import (
	"testing"
	"time"

	"github.com/eddy-streams/eddy/storage"
	"github.com/eddy-streams/eddy/storage/segment"
)

// BenchmarkSealed: Append and Read of 500 records of 1 KiB (a full
// PutRecords into one shard) on the segment store, with sync none so that
// fsync does not hide the cost, plain and sealed.
//
//	go test -run '^$' -bench Sealed -count 6 ./storage/sealed/
func BenchmarkSealed(b *testing.B) {
	recs := make([]storage.Record, 500)
	for i := range recs {
		recs[i] = storage.Record{PartitionKey: "partition-key-0123", Data: make([]byte, 1024), Arrival: time.Now()}
	}
	open := map[string]func(b *testing.B) storage.Logs{
		"plain": func(b *testing.B) storage.Logs {
			cfg := segment.DefaultConfig()
			cfg.Sync = segment.SyncNone
			s, err := segment.Open(b.TempDir(), cfg)
			if err != nil {
				b.Fatal(err)
			}
			return s
		},
		"sealed": func(b *testing.B) storage.Logs {
			return openSegment(b, b.TempDir(), newKey(b), func(c *segment.Config) { c.Sync = segment.SyncNone })
		},
	}
	for _, mode := range []string{"plain", "sealed"} {
		b.Run("Append/"+mode, func(b *testing.B) {
			s := open[mode](b)
			defer s.Close()
			l, err := s.Create("bench/shard", 0)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(recs) * 1024))
			for b.Loop() {
				if _, err := l.Append(recs); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("Read/"+mode, func(b *testing.B) {
			s := open[mode](b)
			defer s.Close()
			l, err := s.Create("bench/shard", 0)
			if err != nil {
				b.Fatal(err)
			}
			for range 20 {
				if _, err := l.Append(recs); err != nil {
					b.Fatal(err)
				}
			}
			br := l.(storage.BufferReader)
			var buf []byte
			b.SetBytes(int64(len(recs) * 1024))
			pos := uint64(0)
			for b.Loop() {
				var got []storage.Record
				got, buf, err = br.ReadBuffer(pos, 500, 10<<20, buf[:0])
				if err != nil || len(got) != 500 {
					b.Fatalf("%d records, %v", len(got), err)
				}
				pos = (pos + 500) % 10000
			}
		})
	}
}
