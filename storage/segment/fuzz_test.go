package segment

import (
	"bytes"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/storage"
	"github.com/eddy-streams/eddy/storage/vfs"
)

// FuzzDecodeFrame: the decoder never panics, accepts only what the encoder
// could have written, and round-trips it exactly.
func FuzzDecodeFrame(f *testing.F) {
	f.Add(appendFrame(nil, &storage.Record{PartitionKey: "pk", ExplicitHashKey: "123", Flags: 1, Data: []byte("hello")}, 7, 99))
	f.Add(appendFrame(nil, &storage.Record{}, 0, 0))
	f.Add([]byte{0, 0, 0, 0})
	f.Add([]byte{20, 0, 0, 0, 1, 2, 3, 4})
	f.Add(bytes.Repeat([]byte{0xff}, 40))
	f.Fuzz(func(t *testing.T, b []byte) {
		fv, err := decodeFrame(b)
		if err != nil {
			if err != errShortFrame && err != errBadFrame {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		r := storage.Record{PartitionKey: string(fv.pk), ExplicitHashKey: string(fv.ehk), Flags: fv.flags, Data: fv.data}
		again := appendFrame(nil, &r, fv.seq, fv.arrival)
		if !bytes.Equal(again, b[:fv.totalSize]) {
			t.Fatalf("re-encoding differs:\n%x\n%x", again, b[:fv.totalSize])
		}
	})
}

// FuzzRecovery damages the tail of a log (truncates it and writes arbitrary
// synced bytes after the cut) and reopens it. Recovery must not panic; it
// must either report corruption or yield a log whose records are exactly a
// prefix of what was written, including every record that ends before the
// damage, and that accepts appends.
func FuzzRecovery(f *testing.F) {
	f.Add(uint16(0), []byte{})
	f.Add(uint16(100), []byte{1, 2, 3})
	f.Add(uint16(3000), bytes.Repeat([]byte{0}, 64))
	f.Add(uint16(9000), appendFrame(nil, &storage.Record{Data: []byte("x")}, 40, 0))
	f.Fuzz(func(t *testing.T, cut uint16, garbage []byte) {
		m := vfs.NewMem()
		cfg := DefaultConfig()
		cfg.FS = m
		cfg.IndexInterval = 1024
		cfg.Logger = discard
		s, err := Open("/d", cfg)
		if err != nil {
			t.Fatal(err)
		}
		l, _ := s.Create("x", 0)
		var ends []int64 // ends[i]: file size after record i
		size := int64(segmentHeaderSize)
		t0 := time.Unix(0, 1000)
		for i := 0; i < 40; i++ {
			r := storage.Record{PartitionKey: "p", Data: payload(0, i, 10+i*7), Arrival: t0.Add(time.Duration(i))}
			if _, err := l.Append([]storage.Record{r}); err != nil {
				t.Fatal(err)
			}
			size += int64(frameSize(&r))
			ends = append(ends, size)
		}
		s.Close()
		seg := filepath.Join("/d", "x", segmentName(0, segExt))
		fh, err := m.OpenRW(seg)
		if err != nil {
			t.Fatal(err)
		}
		c := int64(cut) % (size + 1)
		fh.Truncate(c)
		fh.Write(garbage)
		fh.Sync()
		fh.Close()

		s, err = Open("/d", cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		l, _ = s.Open("x")
		b, err := l.Bounds()
		if err != nil {
			if errors.Is(err, storage.ErrCorrupt) {
				return
			}
			t.Fatalf("open: %v", err)
		}
		intact := uint64(0)
		for intact < uint64(len(ends)) && ends[intact] <= c {
			intact++
		}
		if b.Next < intact {
			t.Fatalf("recovered %d records, but %d ended before the damage at %d", b.Next, intact, c)
		}
		recs, err := l.Read(0, 1000, 1<<30)
		if err != nil {
			if errors.Is(err, storage.ErrCorrupt) {
				return
			}
			t.Fatal(err)
		}
		for i, r := range recs {
			if i >= 40 || !bytes.Equal(r.Data, payload(0, i, 10+i*7)) {
				t.Fatalf("record %d is not what was written", i)
			}
		}
		if _, err := l.Append([]storage.Record{{Data: []byte("after")}}); err != nil {
			t.Fatalf("append after recovery: %v", err)
		}
	})
}
