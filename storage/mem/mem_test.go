package mem_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/storage"
	"github.com/eddy-streams/eddy/storage/mem"
	"github.com/eddy-streams/eddy/storage/storagetest"
)

func TestLogs(t *testing.T) {
	storagetest.TestLogs(t, func(t *testing.T) storage.Logs { return mem.NewLogs() })
}

func TestMeta(t *testing.T) {
	storagetest.TestMeta(t, func(t *testing.T) storage.MetaStore { return mem.NewMeta() })
}

// The contract lets backends keep more than TrimBefore asks; mem keeps
// exactly the records at or after the cutoff.
func TestTrimBeforeIsExact(t *testing.T) {
	logs := mem.NewLogs()
	defer logs.Close()
	l, err := logs.Create("s/trim", 10)
	if err != nil {
		t.Fatal(err)
	}
	var recs []storage.Record
	for i := range 10 {
		recs = append(recs, storage.Record{PartitionKey: "k", Data: []byte{byte(i)}, Arrival: time.Unix(0, int64(i/2)*100)})
	}
	if _, err := l.Append(recs); err != nil {
		t.Fatal(err)
	}
	// Arrivals by position: 10,11 -> 0; 12,13 -> 100; 14,15 -> 200; 16,17 -> 300; 18,19 -> 400.
	tests := []struct {
		cutoff int64
		oldest uint64
	}{
		{0, 10},
		{1, 12},
		{100, 12},
		{101, 14},
		{50, 14}, // an earlier cutoff does not bring records back
		{400, 18},
		{401, 20},
	}
	for _, tt := range tests {
		oldest, err := l.TrimBefore(time.Unix(0, tt.cutoff))
		if err != nil {
			t.Fatal(err)
		}
		if oldest != tt.oldest {
			t.Fatalf("TrimBefore(%d) = %d, want %d", tt.cutoff, oldest, tt.oldest)
		}
		b, err := l.Bounds()
		if err != nil {
			t.Fatal(err)
		}
		if b.Oldest != tt.oldest || b.Next != 20 {
			t.Fatalf("Bounds after TrimBefore(%d) = %+v", tt.cutoff, b)
		}
	}
	// Arrivals still clamp to the newest record ever appended.
	first, err := l.Append([]storage.Record{{PartitionKey: "k", Arrival: time.Unix(0, 5)}})
	if err != nil || first != 20 {
		t.Fatalf("Append after trimming everything = %d, %v", first, err)
	}
	got, err := l.Read(20, 1, 0)
	if err != nil || len(got) != 1 || !got[0].Arrival.Equal(time.Unix(0, 400)) {
		t.Fatalf("Read(20) = %+v, %v; want arrival clamped to 400", got, err)
	}
}

// A value passed to a Scan function is valid only during the call: mem
// reuses the buffer so callers that keep it notice in tests.
func TestScanValueIsReused(t *testing.T) {
	m := mem.NewMeta()
	defer m.Close()
	err := m.Update(func(tx storage.MetaTx) error {
		return errors.Join(tx.Put("t", "a", []byte("first")), tx.Put("t", "b", []byte("second")))
	})
	if err != nil {
		t.Fatal(err)
	}
	var kept [][]byte
	err = m.View(func(tx storage.MetaTx) error {
		return tx.Scan("t", "", "", func(k string, v []byte) (bool, error) {
			kept = append(kept, v)
			return true, nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(kept) != 2 || string(kept[0]) == "first" {
		t.Fatalf("kept Scan values = %q; want the first overwritten", kept)
	}
	// Scribbling over a Scan value does not change the store.
	err = m.View(func(tx storage.MetaTx) error {
		return tx.Scan("t", "", "", func(k string, v []byte) (bool, error) {
			copy(v, "XXXXXX")
			return true, nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	err = m.View(func(tx storage.MetaTx) error {
		v, err := tx.Get("t", "a")
		if string(v) != "first" {
			return fmt.Errorf("Get = %q, %v; want first", v, err)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A MetaTx kept past its transaction refuses to work rather than reading
// or writing outside any transaction.
func TestTxUsedAfterEnd(t *testing.T) {
	m := mem.NewMeta()
	defer m.Close()
	var kept storage.MetaTx
	if err := m.Update(func(tx storage.MetaTx) error { kept = tx; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := kept.Put("t", "k", []byte("v")); err == nil {
		t.Fatal("Put on an ended transaction succeeded")
	}
	if _, err := kept.Get("t", "k"); err == nil || errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("Get on an ended transaction: err = %v", err)
	}
	if err := kept.Scan("t", "", "", func(string, []byte) (bool, error) { return true, nil }); err == nil {
		t.Fatal("Scan on an ended transaction succeeded")
	}
}
