// Package storagetest is the conformance suite for Eddy's storage backends.
// Every implementation of storage.Logs and storage.MetaStore runs it from its
// own tests, so all backends keep one contract (package storage documents it):
//
//	func TestLogs(t *testing.T) {
//		storagetest.TestLogs(t, func(t *testing.T) storage.Logs { return mem.NewLogs() })
//	}
//	func TestMeta(t *testing.T) {
//		storagetest.TestMeta(t, func(t *testing.T) storage.MetaStore { return mem.NewMeta() })
//	}
//
// Durable backends also run TestLogsReopen and TestMetaReopen, which close a
// store and open it again on the same directory and check that nothing was
// lost or changed:
//
//	storagetest.TestLogsReopen(t, func(t *testing.T, dir string) storage.Logs {
//		logs, err := mybackend.Open(dir)
//		if err != nil {
//			t.Fatal(err)
//		}
//		return logs
//	})
//
// Each open function is called once per subtest (or once per reopen) and must
// return a new, empty store (or, for the reopen tests, the store in dir). The
// suite closes every store it opens; a second Close from a cleanup is
// expected to fail with storage.ErrClosed and is ignored.
//
// Times in the suite are built with time.Unix(0, n) so that arrival times can
// be checked to the nanosecond. The suite runs its subtests sequentially; run
// it with -race, since several subtests hammer a store from many goroutines.
package storagetest

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/storage"
)

// at returns the time n nanoseconds after the Unix epoch.
func at(n int64) time.Time { return time.Unix(0, n) }

// t0 is an arbitrary instant with a non-zero nanosecond part, used as the
// base of arrival times so that truncation to micro- or milliseconds shows.
const t0 = int64(1_700_000_000_123_456_789)

// rec builds a record arriving t0+dt nanoseconds.
func rec(key, data string, dt int64) storage.Record {
	return storage.Record{PartitionKey: key, Data: []byte(data), Arrival: at(t0 + dt)}
}

// want is a record the suite expects to read back at a position.
func want(seq uint64, r storage.Record) storage.Record {
	r.Seq = seq
	return r
}

// sameRecord reports how got differs from want, or "" if it does not.
func sameRecord(got, want storage.Record) string {
	switch {
	case got.Seq != want.Seq:
		return fmt.Sprintf("Seq = %d, want %d", got.Seq, want.Seq)
	case !got.Arrival.Equal(want.Arrival):
		return fmt.Sprintf("seq %d: Arrival = %d, want %d", want.Seq, got.Arrival.UnixNano(), want.Arrival.UnixNano())
	case got.Arrival.Location() != time.UTC:
		return fmt.Sprintf("seq %d: Arrival location = %v, want UTC", want.Seq, got.Arrival.Location())
	case got.PartitionKey != want.PartitionKey:
		return fmt.Sprintf("seq %d: PartitionKey = %q, want %q", want.Seq, trunc(got.PartitionKey), trunc(want.PartitionKey))
	case got.ExplicitHashKey != want.ExplicitHashKey:
		return fmt.Sprintf("seq %d: ExplicitHashKey = %q, want %q", want.Seq, got.ExplicitHashKey, want.ExplicitHashKey)
	case got.Flags != want.Flags:
		return fmt.Sprintf("seq %d: Flags = %#x, want %#x", want.Seq, got.Flags, want.Flags)
	case !bytes.Equal(got.Data, want.Data):
		return fmt.Sprintf("seq %d: Data = %q (%d bytes), want %q (%d bytes)",
			want.Seq, trunc(string(got.Data)), len(got.Data), trunc(string(want.Data)), len(want.Data))
	}
	return ""
}

func trunc(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// checkRecords fails t unless got equals want record by record.
func checkRecords(t *testing.T, what string, got, want []storage.Record) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d records (%s), want %d (%s)", what, len(got), seqs(got), len(want), seqs(want))
	}
	for i := range got {
		if d := sameRecord(got[i], want[i]); d != "" {
			t.Fatalf("%s: record %d: %s", what, i, d)
		}
	}
}

// seqs summarises the positions of recs for failure messages.
func seqs(recs []storage.Record) string {
	switch len(recs) {
	case 0:
		return "none"
	case 1:
		return fmt.Sprintf("seq %d", recs[0].Seq)
	}
	return fmt.Sprintf("seqs %d..%d", recs[0].Seq, recs[len(recs)-1].Seq)
}

// wantErr fails t unless errors.Is(err, target).
func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: err = %v, want %v", what, err, target)
	}
}

// noErr fails t if err is not nil.
func noErr(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}
