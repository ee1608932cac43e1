package storagetest

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/storage"
)

// TestLogs runs the conformance suite for storage.Logs and storage.ShardLog.
// open is called at the start of each subtest and must return a new, empty
// store; the suite closes it.
func TestLogs(t *testing.T, open func(t *testing.T) storage.Logs) {
	tests := []struct {
		name string
		fn   func(*testing.T, storage.Logs)
	}{
		{"CreateOpenList", testCreateOpenList},
		{"InvalidIDs", testInvalidIDs},
		{"ValidIDs", testValidIDs},
		{"AppendPositions/base0", func(t *testing.T, s storage.Logs) { testAppendPositions(t, s, 0) }},
		{"AppendPositions/base2^40", func(t *testing.T, s storage.Logs) { testAppendPositions(t, s, 1<<40) }},
		{"AppendEmptyBatch", testAppendEmptyBatch},
		{"AppendLeavesInputAlone", testAppendLeavesInputAlone},
		{"ArrivalClamp", testArrivalClamp},
		{"ArrivalPrecision", testArrivalPrecision},
		{"Read", testRead},
		{"ReadMaxBytes", testReadMaxBytes},
		{"ReadOwnership", testReadOwnership},
		{"AppendDoesNotRetain", testAppendDoesNotRetain},
		{"FieldsRoundTrip", testFieldsRoundTrip},
		{"MaxDataSize", testMaxDataSize},
		{"TooLarge", testTooLarge},
		{"SeekTime", testSeekTime},
		{"SeekTimeEmpty", testSeekTimeEmpty},
		{"Bounds", testBounds},
		{"Seal", testSeal},
		{"TrimBefore", testTrimBefore},
		{"TrimEverything", testTrimEverything},
		{"Delete", testDelete},
		{"Close", testClose},
		{"ConcurrentCreate", testConcurrentCreate},
		{"Concurrent", testConcurrent},
		{"ManyLogs", testManyLogs},
		{"AppendMulti", testAppendMulti},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fn(t, openLogs(t, func() storage.Logs { return open(t) }))
		})
	}
}

// openLogs calls open and closes the store when the test ends.
func openLogs(t *testing.T, open func() storage.Logs) storage.Logs {
	t.Helper()
	s := open()
	if s == nil {
		t.Fatal("open returned a nil storage.Logs")
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func create(t *testing.T, s storage.Logs, id string, base uint64) storage.ShardLog {
	t.Helper()
	l, err := s.Create(id, base)
	noErr(t, fmt.Sprintf("Create(%q, %d)", id, base), err)
	if l == nil {
		t.Fatalf("Create(%q, %d) returned a nil ShardLog", id, base)
	}
	return l
}

func mustAppend(t *testing.T, l storage.ShardLog, recs ...storage.Record) uint64 {
	t.Helper()
	first, err := l.Append(recs)
	noErr(t, fmt.Sprintf("Append(%d records) to %q", len(recs), l.ID()), err)
	return first
}

func mustBounds(t *testing.T, l storage.ShardLog) storage.Bounds {
	t.Helper()
	b, err := l.Bounds()
	noErr(t, fmt.Sprintf("Bounds of %q", l.ID()), err)
	return b
}

func checkBounds(t *testing.T, l storage.ShardLog, want storage.Bounds) {
	t.Helper()
	if got := mustBounds(t, l); got != want {
		t.Fatalf("Bounds of %q = %+v, want %+v", l.ID(), got, want)
	}
}

func mustRead(t *testing.T, l storage.ShardLog, from uint64, maxRecords, maxBytes int) []storage.Record {
	t.Helper()
	recs, err := l.Read(from, maxRecords, maxBytes)
	noErr(t, fmt.Sprintf("Read(%d, %d, %d) from %q", from, maxRecords, maxBytes, l.ID()), err)
	return recs
}

// readAll reads l from position from to its Next, checking that every Read
// returns consecutive positions and makes progress.
func readAll(t *testing.T, l storage.ShardLog, from uint64) []storage.Record {
	t.Helper()
	var all []storage.Record
	for {
		recs := mustRead(t, l, from, 1000, 64<<20)
		if len(recs) == 0 {
			return all
		}
		if recs[0].Seq < from {
			t.Fatalf("Read(%d) from %q returned first seq %d, before the position asked for", from, l.ID(), recs[0].Seq)
		}
		for i := range recs {
			if recs[i].Seq != recs[0].Seq+uint64(i) {
				t.Fatalf("Read(%d) from %q: record %d has seq %d after %d: positions not dense", from, l.ID(), i, recs[i].Seq, recs[0].Seq)
			}
		}
		all = append(all, recs...)
		from = recs[len(recs)-1].Seq + 1
	}
}

func testCreateOpenList(t *testing.T, s storage.Logs) {
	ids, err := s.List()
	noErr(t, "List of a new store", err)
	if len(ids) != 0 {
		t.Fatalf("List of a new store = %q, want none", ids)
	}
	_, err = s.Open("stream-a/shardId-000000000000")
	wantErr(t, "Open of a missing log", err, storage.ErrNotFound)

	created := []string{"stream-b/shardId-000000000001", "stream-a/shardId-000000000000", "Z", "a", "stream-a:x", "stream-a/shardId-000000000002", "0"}
	logs := make(map[string]storage.ShardLog)
	for i, id := range created {
		l := create(t, s, id, uint64(i))
		if l.ID() != id {
			t.Fatalf("Create(%q).ID() = %q", id, l.ID())
		}
		logs[id] = l
	}
	_, err = s.Create("a", 7)
	wantErr(t, "second Create of \"a\"", err, storage.ErrExists)
	checkBounds(t, logs["a"], storage.Bounds{Oldest: 3, Next: 3}) // the failed Create changed nothing

	ids, err = s.List()
	noErr(t, "List", err)
	sorted := slices.Clone(created)
	slices.Sort(sorted)
	if !slices.Equal(ids, sorted) {
		t.Fatalf("List = %q, want %q", ids, sorted)
	}

	for _, id := range created {
		l, err := s.Open(id)
		noErr(t, fmt.Sprintf("Open(%q)", id), err)
		if l != logs[id] {
			t.Fatalf("Open(%q) returned a different ShardLog than Create", id)
		}
		if l.ID() != id {
			t.Fatalf("Open(%q).ID() = %q", id, l.ID())
		}
		if again, _ := s.Open(id); again != l {
			t.Fatalf("two Opens of %q returned different ShardLogs", id)
		}
	}
	// An append through one handle is visible through another.
	l, _ := s.Open("stream-a:x")
	first := mustAppend(t, logs["stream-a:x"], rec("k", "v", 0))
	checkRecords(t, "Read through Open's handle", mustRead(t, l, first, 10, 1<<20), []storage.Record{want(first, rec("k", "v", 0))})
}

// invalidIDs are ids storage.ValidID rejects.
var invalidIDs = []string{
	"",
	"/",
	"/a",
	"a/",
	"a//b",
	".",
	"..",
	"./a",
	"a/.",
	"a/./b",
	"a/../b",
	"../a",
	"a b",
	"a\x00b",
	"a\\b",
	"a*",
	"a\nb",
	"strеam", // Cyrillic e
	"ä",
	strings.Repeat("a", storage.MaxIDLen+1),
}

func testInvalidIDs(t *testing.T, s storage.Logs) {
	for _, id := range invalidIDs {
		if storage.ValidID(id) {
			t.Fatalf("suite bug: storage.ValidID(%q) = true", id)
		}
		if _, err := s.Create(id, 0); err == nil {
			t.Errorf("Create(%q) with an invalid id succeeded", id)
		}
		if _, err := s.Open(id); err == nil {
			t.Errorf("Open(%q) with an invalid id succeeded", id)
		}
	}
	ids, err := s.List()
	noErr(t, "List", err)
	if len(ids) != 0 {
		t.Fatalf("List after rejected Creates = %q, want none", ids)
	}
}

// validIDs are unusual ids storage.ValidID accepts.
var validIDs = []string{
	"a",
	"A-Z_a-z.0-9:",
	".a",
	"a.",
	"..a",
	"a..",
	"...",
	"a/.b/..c/d..",
	"stream:with:colons/shardId-000000000000",
	"a/b/c/d/e/f/g",
	strings.Repeat("a", storage.MaxIDLen),
	strings.Repeat("ab/", storage.MaxIDLen/3-1) + "ab",
}

func testValidIDs(t *testing.T, s storage.Logs) {
	for i, id := range validIDs {
		if !storage.ValidID(id) {
			t.Fatalf("suite bug: storage.ValidID(%q) = false", id)
		}
		l := create(t, s, id, uint64(i))
		mustAppend(t, l, rec("k", id, int64(i)))
	}
	for i, id := range validIDs {
		l, err := s.Open(id)
		noErr(t, fmt.Sprintf("Open(%q)", id), err)
		checkRecords(t, "Read "+id, readAll(t, l, 0), []storage.Record{want(uint64(i), rec("k", id, int64(i)))})
	}
	ids, err := s.List()
	noErr(t, "List", err)
	want := slices.Clone(validIDs)
	slices.Sort(want)
	if !slices.Equal(ids, want) {
		t.Fatalf("List = %q, want %q", ids, want)
	}
}

func testAppendPositions(t *testing.T, s storage.Logs, base uint64) {
	l := create(t, s, "s/shardId-000000000000", base)
	checkBounds(t, l, storage.Bounds{Oldest: base, Next: base})
	if got := mustRead(t, l, base, 10, 1<<20); len(got) != 0 {
		t.Fatalf("Read of a new log returned %d records", len(got))
	}

	batch1 := []storage.Record{rec("a", "one", 0), rec("b", "two", 1), rec("c", "three", 2)}
	batch1[0].Seq = 999 // Append ignores the caller's Seq
	batch1[2].Seq = base
	if first := mustAppend(t, l, batch1...); first != base {
		t.Fatalf("first Append returned %d, want base %d", first, base)
	}
	checkBounds(t, l, storage.Bounds{Oldest: base, Next: base + 3})
	if first := mustAppend(t, l, rec("d", "four", 3)); first != base+3 {
		t.Fatalf("second Append returned %d, want %d", first, base+3)
	}
	if first := mustAppend(t, l, rec("e", "five", 4), rec("f", "six", 5)); first != base+4 {
		t.Fatalf("third Append returned %d, want %d", first, base+4)
	}
	checkBounds(t, l, storage.Bounds{Oldest: base, Next: base + 6})
	checkRecords(t, "Read all", readAll(t, l, base), []storage.Record{
		want(base, rec("a", "one", 0)),
		want(base+1, rec("b", "two", 1)),
		want(base+2, rec("c", "three", 2)),
		want(base+3, rec("d", "four", 3)),
		want(base+4, rec("e", "five", 4)),
		want(base+5, rec("f", "six", 5)),
	})
}

func testAppendEmptyBatch(t *testing.T, s storage.Logs) {
	l := create(t, s, "s/empty", 5)
	for _, batch := range [][]storage.Record{nil, {}} {
		first, err := l.Append(batch)
		noErr(t, "Append of an empty batch to an empty log", err)
		if first != 5 {
			t.Fatalf("Append of an empty batch to an empty log = %d, want Next 5", first)
		}
	}
	mustAppend(t, l, rec("k", "x", 0), rec("k", "y", 0))
	first, err := l.Append(nil)
	noErr(t, "Append of an empty batch", err)
	if first != 7 {
		t.Fatalf("Append of an empty batch = %d, want Next 7", first)
	}
	checkBounds(t, l, storage.Bounds{Oldest: 5, Next: 7})
	if first := mustAppend(t, l, rec("k", "z", 0)); first != 7 {
		t.Fatalf("Append after an empty batch = %d, want 7", first)
	}
}

func testAppendLeavesInputAlone(t *testing.T, s storage.Logs) {
	l := create(t, s, "s/input", 0)
	mustAppend(t, l, rec("k", "first", 100))
	in := []storage.Record{rec("k", "early", 50), rec("k2", "late", 200)}
	in[0].Seq, in[1].Seq = 77, 78
	orig := []storage.Record{in[0], in[1]}
	mustAppend(t, l, in...)
	for i := range in {
		if in[i].Seq != orig[i].Seq || !in[i].Arrival.Equal(orig[i].Arrival) || in[i].PartitionKey != orig[i].PartitionKey ||
			!bytes.Equal(in[i].Data, orig[i].Data) || &in[i].Data[0] != &orig[i].Data[0] {
			t.Fatalf("Append modified its input: record %d is %+v, was %+v", i, in[i], orig[i])
		}
	}
}

func testArrivalClamp(t *testing.T, s storage.Logs) {
	l := create(t, s, "s/clamp", 0)
	// Within one batch and across batches, an arrival earlier than the
	// previous record's is stored as the previous record's.
	mustAppend(t, l, rec("k", "0", 1000), rec("k", "1", 999), rec("k", "2", 1000), rec("k", "3", 1001))
	mustAppend(t, l, rec("k", "4", 500))
	mustAppend(t, l, rec("k", "5", 2000), rec("k", "6", 1500), rec("k", "7", 2500))
	mustAppend(t, l, storage.Record{PartitionKey: "k", Data: []byte("8")}) // zero Arrival
	wantArrivals := []int64{1000, 1000, 1000, 1001, 1001, 2000, 2000, 2500, 2500}
	got := readAll(t, l, 0)
	if len(got) != len(wantArrivals) {
		t.Fatalf("read %d records, want %d", len(got), len(wantArrivals))
	}
	for i, r := range got {
		if w := at(t0 + wantArrivals[i]); !r.Arrival.Equal(w) {
			t.Errorf("record %d (data %q): Arrival = t0%+d ns, want t0%+d ns", i, r.Data, r.Arrival.UnixNano()-t0, wantArrivals[i])
		}
	}
}

func testArrivalPrecision(t *testing.T, s storage.Logs) {
	l := create(t, s, "s/precision", 0)
	zone := time.FixedZone("UTC+5:30", 5*3600+30*60)
	arrivals := []time.Time{
		at(1),
		at(t0),
		at(t0 + 1),
		at(t0 + 999).In(zone),
		time.Now(), // has a monotonic clock reading
		at(1 << 62),
	}
	for _, a := range arrivals {
		mustAppend(t, l, storage.Record{PartitionKey: "k", Data: []byte("d"), Arrival: a})
	}
	got := readAll(t, l, 0)
	if len(got) != len(arrivals) {
		t.Fatalf("read %d records, want %d", len(got), len(arrivals))
	}
	for i, r := range got {
		if !r.Arrival.Equal(arrivals[i]) {
			t.Errorf("record %d: Arrival = %d ns, want %d ns", i, r.Arrival.UnixNano(), arrivals[i].UnixNano())
		}
		if r.Arrival.Location() != time.UTC {
			t.Errorf("record %d: Arrival location = %v, want UTC", i, r.Arrival.Location())
		}
	}
}

// fill appends records i = from, ..., from+n-1 to l, in batches of batch.
// Record i has data "r<i>", key "k<i%7>" and arrival t0+i*1000 ns. fill
// returns what reading them back must give.
func fill(t *testing.T, l storage.ShardLog, from, n, batch int) []storage.Record {
	t.Helper()
	next := mustBounds(t, l).Next
	var all []storage.Record
	for i := from; i < from+n; i += batch {
		var recs []storage.Record
		for j := i; j < min(i+batch, from+n); j++ {
			recs = append(recs, rec(fmt.Sprintf("k%d", j%7), fmt.Sprintf("r%d", j), int64(j)*1000))
		}
		first := mustAppend(t, l, recs...)
		if first != next {
			t.Fatalf("Append returned %d, want %d", first, next)
		}
		for j := range recs {
			all = append(all, want(first+uint64(j), recs[j]))
		}
		next += uint64(len(recs))
	}
	return all
}

func testRead(t *testing.T, s storage.Logs) {
	l := create(t, s, "s/read", 100)
	all := fill(t, l, 0, 10, 3) // positions 100..109
	const big = 1 << 20

	checkRecords(t, "Read(100, 100)", mustRead(t, l, 100, 100, big), all)
	checkRecords(t, "Read(100, 10)", mustRead(t, l, 100, 10, big), all)
	checkRecords(t, "Read(100, 1)", mustRead(t, l, 100, 1, big), all[:1])
	checkRecords(t, "Read(105, 3)", mustRead(t, l, 105, 3, big), all[5:8])
	checkRecords(t, "Read(108, 100)", mustRead(t, l, 108, 100, big), all[8:])
	checkRecords(t, "Read(109, 100)", mustRead(t, l, 109, 100, big), all[9:])
	// Below Oldest: reading starts at Oldest.
	checkRecords(t, "Read(0, 100)", mustRead(t, l, 0, 100, big), all)
	checkRecords(t, "Read(99, 2)", mustRead(t, l, 99, 2, big), all[:2])

	// At Next: nothing yet, and no error.
	if got := mustRead(t, l, 110, 100, big); len(got) != 0 {
		t.Fatalf("Read at Next returned %d records (%s)", len(got), seqs(got))
	}
	// Beyond Next.
	for _, from := range []uint64{111, 1000, math.MaxUint64} {
		got, err := l.Read(from, 100, big)
		wantErr(t, fmt.Sprintf("Read(%d) beyond Next 110", from), err, storage.ErrOutOfRange)
		if len(got) != 0 {
			t.Fatalf("Read(%d) beyond Next returned %d records", from, len(got))
		}
	}
	// maxRecords <= 0.
	for _, n := range []int{0, -1, math.MinInt} {
		if got := mustRead(t, l, 100, n, big); len(got) != 0 {
			t.Fatalf("Read(100, maxRecords %d) returned %d records", n, len(got))
		}
	}
	// Reads see later appends.
	more := fill(t, l, 10, 2, 2)
	checkRecords(t, "Read at old Next after an append", mustRead(t, l, 110, 100, big), more)
}

func testReadMaxBytes(t *testing.T, s storage.Logs) {
	l := create(t, s, "s/maxbytes", 0)
	// Five records of size 10 (1-byte key + 9 bytes of data), then one of
	// size 1000 (all key), then two of size 10.
	var recs []storage.Record
	for i := range 5 {
		recs = append(recs, rec("k", fmt.Sprintf("data-%04d", i), 0))
	}
	recs = append(recs, storage.Record{PartitionKey: strings.Repeat("K", 1000), Arrival: at(t0)})
	recs = append(recs, rec("k", "data-0006", 0), rec("k", "data-0007", 0))
	mustAppend(t, l, recs...)
	for i := range recs {
		recs[i].Seq = uint64(i)
	}

	tests := []struct {
		from       uint64
		maxRecords int
		maxBytes   int
		want       int // records returned, from position from
	}{
		{0, 100, 10, 1},
		{0, 100, 19, 1},
		{0, 100, 20, 2}, // sum exactly maxBytes is allowed
		{0, 100, 21, 2}, // stops before the record that would exceed
		{0, 100, 49, 4}, // 40 bytes
		{0, 100, 50, 5}, // stops before the 1000-byte record
		{0, 100, 1049, 5},
		{0, 100, 1050, 6},
		{0, 100, 1070, 8},
		{0, 100, 1 << 30, 8},
		{0, 3, 1 << 30, 3}, // maxRecords wins
		{0, 100, 0, 1},     // at least one record, whatever maxBytes
		{0, 100, -1, 1},
		{0, 100, math.MinInt, 1},
		{5, 100, 1, 1},    // the big record alone, though it exceeds maxBytes
		{5, 100, 1000, 1}, // exactly
		{5, 100, 1009, 1},
		{5, 100, 1010, 2},
		{4, 100, 1009, 1},
		{6, 100, 10, 1},
		{7, 100, 5, 1},
	}
	for _, tt := range tests {
		what := fmt.Sprintf("Read(%d, %d, %d)", tt.from, tt.maxRecords, tt.maxBytes)
		checkRecords(t, what, mustRead(t, l, tt.from, tt.maxRecords, tt.maxBytes), recs[tt.from:tt.from+uint64(tt.want)])
	}
}

func testReadOwnership(t *testing.T, s storage.Logs) {
	l := create(t, s, "s/own", 0)
	mustAppend(t, l, rec("key-a", "hello", 0), rec("key-b", "world", 1), rec("key-c", "again", 2))
	expect := readAll(t, l, 0)
	if len(expect) != 3 {
		t.Fatalf("read %d records, want 3", len(expect))
	}
	// Snapshot what was read, then scribble over and grow the result.
	snapshot := make([]storage.Record, len(expect))
	for i, r := range expect {
		r.Data = bytes.Clone(r.Data)
		snapshot[i] = r
	}
	got := mustRead(t, l, 0, 10, 1<<20)
	for i := range got {
		for j := range got[i].Data {
			got[i].Data[j] = 'X'
		}
		got[i].Data = append(got[i].Data, "-grown"...)
		got[i].Seq = 1 << 50
	}
	checkRecords(t, "Read after the caller changed an earlier result", mustRead(t, l, 0, 10, 1<<20), snapshot)

	// Later appends, seals and trims do not change what a caller holds.
	held := mustRead(t, l, 0, 10, 1<<20)
	mustAppend(t, l, rec("key-d", "fresh", 3))
	noErr(t, "Seal", l.Seal())
	_, err := l.TrimBefore(at(t0 + 2))
	noErr(t, "TrimBefore", err)
	checkRecords(t, "a held Read result after Append, Seal and TrimBefore", held, snapshot)
}

func testAppendDoesNotRetain(t *testing.T, s storage.Logs) {
	l := create(t, s, "s/retain", 0)
	data := []byte("original-data")
	batch := []storage.Record{{PartitionKey: "k", Data: data, Arrival: at(t0)}, {PartitionKey: "k2", Data: data[:4], Arrival: at(t0)}}
	mustAppend(t, l, batch...)
	// Scribble over the caller's memory and slice.
	copy(data, "XXXXXXXXXXXXX")
	batch[0] = storage.Record{PartitionKey: "changed", Data: []byte("changed")}
	checkRecords(t, "Read after the caller changed its Append input", readAll(t, l, 0), []storage.Record{
		want(0, rec("k", "original-data", 0)),
		want(1, rec("k2", "orig", 0)),
	})
}

func testFieldsRoundTrip(t *testing.T, s storage.Logs) {
	l := create(t, s, "s/fields", 3)
	allBytes := make([]byte, 256)
	for i := range allBytes {
		allBytes[i] = byte(i)
	}
	recs := []storage.Record{
		{PartitionKey: "k", Data: []byte("plain")},
		{PartitionKey: "k", ExplicitHashKey: "340282366920938463463374607431768211455", Flags: 1, Data: []byte("ehk")},
		{PartitionKey: "k", ExplicitHashKey: "0", Flags: 0x80, Data: []byte("ehk zero")},
		{PartitionKey: "ключ-🔑", Flags: 0xff, Data: allBytes},
		{PartitionKey: "k", Flags: 0x5a, Data: []byte{}},
		{PartitionKey: "k", Data: nil},
		{PartitionKey: strings.Repeat("p", storage.MaxPartitionKeySize), ExplicitHashKey: strings.Repeat("9", storage.MaxExplicitHashKeySize), Data: []byte("limits")},
		{PartitionKey: "", Data: []byte("empty key")},
		{PartitionKey: "k", Data: bytes.Repeat([]byte{0}, 4096)},
	}
	var wants []storage.Record
	for i := range recs {
		recs[i].Arrival = at(t0 + int64(i))
		w := recs[i]
		w.Seq = 3 + uint64(i)
		wants = append(wants, w)
	}
	// Once as a batch, once record by record.
	mustAppend(t, l, recs...)
	for i, r := range recs {
		r.Arrival = at(t0 + 100 + int64(i))
		mustAppend(t, l, r)
		r.Seq = 3 + uint64(len(recs)+i)
		wants = append(wants, r)
	}
	checkRecords(t, "Read", readAll(t, l, 0), wants)
	// And one at a time.
	for i, w := range wants {
		checkRecords(t, fmt.Sprintf("Read(%d, 1)", w.Seq), mustRead(t, l, w.Seq, 1, 0), wants[i:i+1])
	}
}

// bigData returns n bytes of a pattern that shows misplaced or dropped
// bytes.
func bigData(n int, seed byte) []byte {
	b := make([]byte, n)
	x := uint32(seed) + 1
	for i := range b {
		x = x*1664525 + 1013904223
		b[i] = byte(x >> 24)
	}
	return b
}

func testMaxDataSize(t *testing.T, s storage.Logs) {
	l := create(t, s, "s/max", 0)
	big := bigData(storage.MaxDataSize, 1)
	r := storage.Record{PartitionKey: strings.Repeat("p", storage.MaxPartitionKeySize), ExplicitHashKey: "1", Data: big, Arrival: at(t0)}
	first := mustAppend(t, l, rec("k", "small", 0), r, rec("k", "after", 0))
	got := mustRead(t, l, first+1, 10, 1)
	checkRecords(t, "Read of a MaxDataSize record", got, []storage.Record{want(first+1, r)})
	checkRecords(t, "Read of everything", readAll(t, l, 0), []storage.Record{
		want(0, rec("k", "small", 0)), want(1, r), want(2, rec("k", "after", 0)),
	})
}

func testTooLarge(t *testing.T, s storage.Logs) {
	l := create(t, s, "s/toolarge", 10)
	ok := rec("k", "ok", 0)
	mustAppend(t, l, ok)
	tooLarge := []struct {
		name string
		r    storage.Record
	}{
		{"data", storage.Record{PartitionKey: "k", Data: make([]byte, storage.MaxDataSize+1), Arrival: at(t0)}},
		{"partition key", storage.Record{PartitionKey: strings.Repeat("p", storage.MaxPartitionKeySize+1), Data: []byte("x"), Arrival: at(t0)}},
		{"explicit hash key", storage.Record{PartitionKey: "k", ExplicitHashKey: strings.Repeat("1", storage.MaxExplicitHashKeySize+1), Data: []byte("x"), Arrival: at(t0)}},
	}
	for _, tt := range tooLarge {
		for _, batch := range [][]storage.Record{
			{tt.r},
			{ok, tt.r},
			{tt.r, ok},
			{ok, ok, tt.r, ok},
		} {
			_, err := l.Append(batch)
			wantErr(t, fmt.Sprintf("Append with a too large %s in a batch of %d", tt.name, len(batch)), err, storage.ErrTooLarge)
			checkBounds(t, l, storage.Bounds{Oldest: 10, Next: 11})
		}
	}
	// Nothing of the failed batches was stored, and the log still works.
	if first := mustAppend(t, l, rec("k", "after", 1)); first != 11 {
		t.Fatalf("Append after failed appends = %d, want 11", first)
	}
	checkRecords(t, "Read", readAll(t, l, 0), []storage.Record{want(10, ok), want(11, rec("k", "after", 1))})
}

func testSeekTime(t *testing.T, s storage.Logs) {
	l := create(t, s, "s/seek", 10)
	// Positions 10..15 with arrivals t0+100, 200, 200, 300, 500, 500.
	mustAppend(t, l, rec("k", "a", 100), rec("k", "b", 200))
	mustAppend(t, l, rec("k", "c", 200), rec("k", "d", 300))
	mustAppend(t, l, rec("k", "e", 500))
	mustAppend(t, l, rec("k", "f", 400)) // clamped to 500
	tests := []struct {
		at   time.Time
		want uint64
	}{
		{time.Time{}, 10},
		{at(0), 10},
		{at(t0), 10},
		{at(t0 + 99), 10},
		{at(t0 + 100), 10},
		{at(t0 + 101), 11},
		{at(t0 + 199), 11},
		{at(t0 + 200), 11},
		{at(t0 + 201), 13},
		{at(t0 + 300), 13},
		{at(t0 + 301), 14},
		{at(t0 + 400), 14},
		{at(t0 + 500), 14},
		{at(t0 + 501), 16},
		{at(t0 + 1e12), 16},
		{at(t0 + 200).In(time.FixedZone("x", -7*3600)), 11},
	}
	for _, tt := range tests {
		got, err := l.SeekTime(tt.at)
		noErr(t, "SeekTime", err)
		if got != tt.want {
			t.Errorf("SeekTime(t0%+d ns) = %d, want %d", tt.at.UnixNano()-t0, got, tt.want)
		}
	}
}

func testSeekTimeEmpty(t *testing.T, s storage.Logs) {
	l := create(t, s, "s/seek-empty", 1<<40)
	for _, ts := range []time.Time{{}, at(0), at(t0), at(math.MaxInt64)} {
		got, err := l.SeekTime(ts)
		noErr(t, "SeekTime on an empty log", err)
		if got != 1<<40 {
			t.Fatalf("SeekTime(%d) on an empty log = %d, want Next %d", ts.UnixNano(), got, uint64(1<<40))
		}
	}
}

func testBounds(t *testing.T, s storage.Logs) {
	l := create(t, s, "s/bounds", 7)
	checkBounds(t, l, storage.Bounds{Oldest: 7, Next: 7})
	fill(t, l, 0, 3, 2)
	checkBounds(t, l, storage.Bounds{Oldest: 7, Next: 10})
	noErr(t, "Seal", l.Seal())
	checkBounds(t, l, storage.Bounds{Oldest: 7, Next: 10, Sealed: true})

	e := create(t, s, "s/sealed-empty", 3)
	noErr(t, "Seal of an empty log", e.Seal())
	checkBounds(t, e, storage.Bounds{Oldest: 3, Next: 3, Sealed: true})
}

func testSeal(t *testing.T, s storage.Logs) {
	l := create(t, s, "s/seal", 0)
	all := fill(t, l, 0, 5, 2)
	noErr(t, "Seal", l.Seal())
	for _, batch := range [][]storage.Record{{rec("k", "late", 10000)}, {rec("k", "x", 0), rec("k", "y", 0)}} {
		_, err := l.Append(batch)
		wantErr(t, "Append to a sealed log", err, storage.ErrSealed)
	}
	checkBounds(t, l, storage.Bounds{Oldest: 0, Next: 5, Sealed: true})
	noErr(t, "second Seal", l.Seal())
	checkBounds(t, l, storage.Bounds{Oldest: 0, Next: 5, Sealed: true})

	// Reads and seeks still work, through a new handle too.
	checkRecords(t, "Read of a sealed log", readAll(t, l, 0), all)
	if got := mustRead(t, l, 5, 10, 1<<20); len(got) != 0 {
		t.Fatalf("Read at Next of a sealed log returned %d records", len(got))
	}
	_, err := l.Read(6, 10, 1<<20)
	wantErr(t, "Read beyond Next of a sealed log", err, storage.ErrOutOfRange)
	if got, err := l.SeekTime(at(t0 + 2000)); err != nil || got != 2 {
		t.Fatalf("SeekTime on a sealed log = %d, %v; want 2", got, err)
	}
	o, err := s.Open("s/seal")
	noErr(t, "Open of a sealed log", err)
	checkBounds(t, o, storage.Bounds{Oldest: 0, Next: 5, Sealed: true})
	checkRecords(t, "Read of a sealed log through Open", readAll(t, o, 0), all)

	// Sealing one log leaves others alone.
	other := create(t, s, "s/other", 0)
	mustAppend(t, other, rec("k", "v", 0))
	checkBounds(t, other, storage.Bounds{Oldest: 0, Next: 1})
}

// checkTrimmed checks l after TrimBefore(cutoff) returned oldest: Bounds
// agree with oldest, Next is unchanged, nothing at or after the cutoff was
// dropped, and reading from 0 starts at oldest with the right records.
func checkTrimmed(t *testing.T, l storage.ShardLog, all []storage.Record, cutoff time.Time, oldest uint64) {
	t.Helper()
	base, next := all[0].Seq, all[len(all)-1].Seq+1
	checkBounds(t, l, storage.Bounds{Oldest: oldest, Next: next})
	if oldest < base || oldest > next {
		t.Fatalf("TrimBefore returned oldest %d outside [%d, %d]", oldest, base, next)
	}
	for _, r := range all {
		if r.Seq < oldest && !r.Arrival.Before(cutoff) {
			t.Fatalf("TrimBefore(t0%+d ns) dropped seq %d with arrival t0%+d ns", cutoff.UnixNano()-t0, r.Seq, r.Arrival.UnixNano()-t0)
		}
	}
	kept := all[oldest-base:]
	for _, from := range []uint64{0, base, oldest} {
		got := readAll(t, l, from)
		checkRecords(t, fmt.Sprintf("Read(%d) after TrimBefore", from), got, kept)
	}
	if oldest < next {
		if got := mustRead(t, l, 0, 1, 0); len(got) != 1 || got[0].Seq != oldest {
			t.Fatalf("Read(0, 1) after trimming to %d returned %s", oldest, seqs(got))
		}
	}
	if got, err := l.SeekTime(time.Time{}); err != nil || got != oldest {
		t.Fatalf("SeekTime(zero) after TrimBefore = %d, %v; want Oldest %d", got, err, oldest)
	}
}

func testTrimBefore(t *testing.T, s storage.Logs) {
	l := create(t, s, "s/trim", 50)
	all := fill(t, l, 0, 100, 10) // arrivals t0 + i*1000, positions 50..149

	oldest, err := l.TrimBefore(at(0))
	noErr(t, "TrimBefore(before everything)", err)
	if oldest != 50 {
		t.Fatalf("TrimBefore(before everything) = %d, want 50", oldest)
	}
	checkTrimmed(t, l, all, at(0), oldest)

	// The cutoff is exactly a record's arrival: that record must survive.
	// A cutoff before an earlier one trims nothing more, and brings nothing
	// back.
	prev, highest := oldest, at(0)
	for _, i := range []int64{10, 35, 35, 20, 70} {
		cutoff := at(t0 + i*1000)
		oldest, err = l.TrimBefore(cutoff)
		noErr(t, "TrimBefore", err)
		if oldest < prev {
			t.Fatalf("TrimBefore(t0+%d µs) = %d, before the earlier oldest %d", i, oldest, prev)
		}
		if cutoff.After(highest) {
			highest = cutoff
		}
		checkTrimmed(t, l, all, highest, oldest)
		prev = oldest
	}
	// Between two records' arrivals.
	cutoff := at(t0 + 80*1000 - 1)
	oldest, err = l.TrimBefore(cutoff)
	noErr(t, "TrimBefore", err)
	checkTrimmed(t, l, all, cutoff, oldest)

	// Appends continue at Next, and a later trim keeps them.
	more := fill(t, l, 100, 5, 5)
	if more[0].Seq != 150 {
		t.Fatalf("Append after TrimBefore got position %d, want 150", more[0].Seq)
	}
	all = append(all, more...)
	oldest, err = l.TrimBefore(at(t0 + 99*1000))
	noErr(t, "TrimBefore", err)
	checkTrimmed(t, l, all, at(t0+99*1000), oldest)
}

func testTrimEverything(t *testing.T, s storage.Logs) {
	e := create(t, s, "s/trim-empty", 9)
	oldest, err := e.TrimBefore(at(math.MaxInt64))
	noErr(t, "TrimBefore on an empty log", err)
	if oldest != 9 {
		t.Fatalf("TrimBefore on an empty log = %d, want 9", oldest)
	}
	checkBounds(t, e, storage.Bounds{Oldest: 9, Next: 9})

	l := create(t, s, "s/trim-all", 1<<40)
	all := fill(t, l, 0, 20, 4)
	cutoff := at(t0 + 1e9)
	oldest, err = l.TrimBefore(cutoff)
	noErr(t, "TrimBefore after every record", err)
	checkTrimmed(t, l, all, cutoff, oldest)

	// Sealed logs can be trimmed too, and stay sealed.
	noErr(t, "Seal", l.Seal())
	oldest2, err := l.TrimBefore(cutoff)
	noErr(t, "TrimBefore on a sealed log", err)
	if oldest2 < oldest {
		t.Fatalf("second TrimBefore = %d, before the first's %d", oldest2, oldest)
	}
	checkBounds(t, l, storage.Bounds{Oldest: oldest2, Next: 1<<40 + 20, Sealed: true})

	// A log trimmed to nothing takes appends at Next.
	m := create(t, s, "s/trim-then-append", 0)
	mall := fill(t, m, 0, 3, 3)
	oldest, err = m.TrimBefore(at(t0 + 1e9))
	noErr(t, "TrimBefore", err)
	checkTrimmed(t, m, mall, at(t0+1e9), oldest)
	if first := mustAppend(t, m, rec("k", "new", 2e9)); first != 3 {
		t.Fatalf("Append after trimming everything = %d, want 3", first)
	}
	checkRecords(t, "Read(3) after trim and append", mustRead(t, m, 3, 10, 1<<20), []storage.Record{want(3, rec("k", "new", 2e9))})
}

func testDelete(t *testing.T, s storage.Logs) {
	const id = "s/shardId-000000000000"
	l := create(t, s, id, 0)
	fill(t, l, 0, 5, 5)
	noErr(t, "Seal", l.Seal())
	keep := create(t, s, "s/keep", 0)
	keepAll := fill(t, keep, 0, 3, 3)

	noErr(t, "Delete", l.Delete())
	checkDeleted := func(l storage.ShardLog) {
		t.Helper()
		_, err := l.Append([]storage.Record{rec("k", "v", 0)})
		wantErr(t, "Append after Delete", err, storage.ErrDeleted)
		_, err = l.Append(nil)
		wantErr(t, "Append of an empty batch after Delete", err, storage.ErrDeleted)
		_, err = l.Read(0, 10, 1<<20)
		wantErr(t, "Read after Delete", err, storage.ErrDeleted)
		_, err = l.SeekTime(at(t0))
		wantErr(t, "SeekTime after Delete", err, storage.ErrDeleted)
		_, err = l.Bounds()
		wantErr(t, "Bounds after Delete", err, storage.ErrDeleted)
		wantErr(t, "Seal after Delete", l.Seal(), storage.ErrDeleted)
		_, err = l.TrimBefore(at(t0))
		wantErr(t, "TrimBefore after Delete", err, storage.ErrDeleted)
		wantErr(t, "Delete after Delete", l.Delete(), storage.ErrDeleted)
		if l.ID() != id {
			t.Fatalf("ID after Delete = %q, want %q", l.ID(), id)
		}
	}
	checkDeleted(l)
	_, err := s.Open(id)
	wantErr(t, "Open after Delete", err, storage.ErrNotFound)
	ids, err := s.List()
	noErr(t, "List", err)
	if !slices.Equal(ids, []string{"s/keep"}) {
		t.Fatalf("List after Delete = %q, want [s/keep]", ids)
	}

	// The id can be created again, and the new log is fresh.
	n := create(t, s, id, 1000)
	checkBounds(t, n, storage.Bounds{Oldest: 1000, Next: 1000})
	if got := readAll(t, n, 0); len(got) != 0 {
		t.Fatalf("re-created log has %d records (%s)", len(got), seqs(got))
	}
	// An arrival before the deleted log's records is not clamped to them.
	if first := mustAppend(t, n, rec("k", "new", -1000)); first != 1000 {
		t.Fatalf("Append to the re-created log = %d, want 1000", first)
	}
	checkRecords(t, "Read of the re-created log", readAll(t, n, 0), []storage.Record{want(1000, rec("k", "new", -1000))})
	o, err := s.Open(id)
	noErr(t, "Open of the re-created log", err)
	if o != n {
		t.Fatal("Open of the re-created log returned a different ShardLog than Create")
	}
	// The old handle stays deleted.
	checkDeleted(l)
	checkRecords(t, "Read of an untouched log", readAll(t, keep, 0), keepAll)

	// Deleting an empty, never-appended log works too.
	e := create(t, s, "s/empty", 4)
	noErr(t, "Delete of an empty log", e.Delete())
	_, err = s.Open("s/empty")
	wantErr(t, "Open after Delete", err, storage.ErrNotFound)
}

func testClose(t *testing.T, s storage.Logs) {
	l := create(t, s, "s/a", 0)
	fill(t, l, 0, 3, 3)
	sealed := create(t, s, "s/sealed", 0)
	noErr(t, "Seal", sealed.Seal())
	noErr(t, "Close", s.Close())

	_, err := s.Create("s/b", 0)
	wantErr(t, "Create after Close", err, storage.ErrClosed)
	_, err = s.Open("s/a")
	wantErr(t, "Open after Close", err, storage.ErrClosed)
	_, err = s.List()
	wantErr(t, "List after Close", err, storage.ErrClosed)
	for _, l := range []storage.ShardLog{l, sealed} {
		_, err = l.Append([]storage.Record{rec("k", "v", 0)})
		wantErr(t, "Append after Close", err, storage.ErrClosed)
		_, err = l.Read(0, 10, 1<<20)
		wantErr(t, "Read after Close", err, storage.ErrClosed)
		_, err = l.SeekTime(at(t0))
		wantErr(t, "SeekTime after Close", err, storage.ErrClosed)
		_, err = l.Bounds()
		wantErr(t, "Bounds after Close", err, storage.ErrClosed)
		wantErr(t, "Seal after Close", l.Seal(), storage.ErrClosed)
		_, err = l.TrimBefore(at(t0))
		wantErr(t, "TrimBefore after Close", err, storage.ErrClosed)
		wantErr(t, "Delete after Close", l.Delete(), storage.ErrClosed)
	}
	wantErr(t, "second Close", s.Close(), storage.ErrClosed)
}

// testAppendMulti: where the store implements storage.MultiAppender, each
// batch lands at the position it reports, readable once the call returns,
// and a batch that cannot be appended fails alone.
func testAppendMulti(t *testing.T, s storage.Logs) {
	m, ok := s.(storage.MultiAppender)
	if !ok {
		t.Skip("not a storage.MultiAppender")
	}
	var logs []storage.ShardLog
	for i := range 4 {
		l, err := s.Create(fmt.Sprintf("multi/%d", i), uint64(i)*100)
		if err != nil {
			t.Fatal(err)
		}
		logs = append(logs, l)
	}
	if err := logs[3].Seal(); err != nil {
		t.Fatal(err)
	}
	for round := range 3 {
		var bs []storage.AppendBatch
		for i, l := range logs {
			recs := []storage.Record{{PartitionKey: "k", Data: []byte(fmt.Sprintf("%d-%d-a", i, round))}, {PartitionKey: "k", Data: []byte(fmt.Sprintf("%d-%d-b", i, round))}}
			if i == 2 {
				recs[0].Data = make([]byte, storage.MaxDataSize+1)
			}
			bs = append(bs, storage.AppendBatch{Log: l, Recs: recs})
		}
		m.AppendMulti(bs)
		for i, b := range bs {
			switch i {
			case 2:
				if !errors.Is(b.Err, storage.ErrTooLarge) {
					t.Fatalf("oversized batch: %v", b.Err)
				}
			case 3:
				if !errors.Is(b.Err, storage.ErrSealed) {
					t.Fatalf("batch to a sealed log: %v", b.Err)
				}
			default:
				want := uint64(i)*100 + uint64(2*round)
				if b.Err != nil || b.First != want {
					t.Fatalf("batch %d: first %d (want %d), %v", i, b.First, want, b.Err)
				}
				got, err := logs[i].Read(b.First, 10, 1<<20)
				if err != nil || len(got) != 2 || string(got[1].Data) != fmt.Sprintf("%d-%d-b", i, round) || got[1].Seq != want+1 {
					t.Fatalf("batch %d: read %d records, %v", i, len(got), err)
				}
			}
		}
	}
}
