//go:build linux

package segment

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/storage"
	"github.com/eddy-streams/eddy/storage/vfs"
)

// segFiles returns the sizes and allocated bytes of the .seg files under
// dir, in name order.
func segFiles(t *testing.T, dir string) (names []string, size, alloc []int64) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, segExt) {
			names = append(names, p)
		}
		return nil
	})
	sort.Strings(names)
	for _, n := range names {
		var st syscall.Stat_t
		if err := syscall.Stat(n, &st); err != nil {
			t.Fatal(err)
		}
		size, alloc = append(size, st.Size), append(alloc, st.Blocks*512)
	}
	return names, size, alloc
}

// TestPreallocation: on a filesystem that supports fallocate, the tail
// segment holds blocks reserved past its size, a rolled or sealed segment
// gives them back, and the data reads back whole after a reopen.
func TestPreallocation(t *testing.T) {
	dir := t.TempDir()
	probe, err := vfs.OS.Create(filepath.Join(dir, "probe"))
	if err != nil {
		t.Fatal(err)
	}
	err = probe.(vfs.Preallocator).Preallocate(0, 4096)
	probe.Close()
	os.Remove(filepath.Join(dir, "probe"))
	if err != nil {
		t.Skipf("this filesystem does not preallocate: %v", err)
	}
	s := openTest(t, dir, func(c *Config) { c.SegmentBytes = 1<<20 + 1000 })
	l, err := s.Create("s/shardId-000", 0)
	if err != nil {
		t.Fatal(err)
	}
	data := bytes.Repeat([]byte("d"), 10<<10)
	put := func(n int) {
		for range n {
			if _, err := l.Append([]storage.Record{{Arrival: time.Unix(1700000000, 0), PartitionKey: "k", Data: data}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	put(1)
	_, size, alloc := segFiles(t, dir)
	if len(size) != 1 || alloc[0] < size[0]+reserveMin {
		t.Fatalf("after one append: size %v, allocated %v; want %d bytes reserved past the size", size, alloc, reserveMin)
	}
	put(150) // 1.5 MiB: one roll
	names, size, alloc := segFiles(t, dir)
	if len(names) != 2 {
		t.Fatalf("%d segments, want 2", len(names))
	}
	if round := (size[0] + 4095) &^ 4095; alloc[0] > round+4096 {
		t.Errorf("rolled segment: size %d, still %d bytes allocated", size[0], alloc[0])
	}
	if alloc[1] <= size[1] {
		t.Errorf("new tail: size %d, allocated %d: nothing reserved", size[1], alloc[1])
	}
	if err := l.Seal(); err != nil {
		t.Fatal(err)
	}
	_, size, alloc = segFiles(t, dir)
	if round := (size[1] + 4095) &^ 4095; alloc[1] > round+4096 {
		t.Errorf("sealed tail: size %d, still %d bytes allocated", size[1], alloc[1])
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTest(t, dir, func(c *Config) { c.SegmentBytes = 1<<20 + 1000 })
	defer s.Close()
	l, err = s.Open("s/shardId-000")
	if err != nil {
		t.Fatal(err)
	}
	recs, err := l.Read(0, 1000, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 151 {
		t.Fatalf("read back %d records, wrote 151", len(recs))
	}
	for _, r := range recs {
		if !bytes.Equal(r.Data, data) {
			t.Fatalf("record %d changed", r.Seq)
		}
	}
}
