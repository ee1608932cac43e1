package agent

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

func TestSplitter(t *testing.T) {
	type rec struct {
		data string
		end  int64
	}
	tests := []struct {
		name   string
		flow   FlowOptions
		start  string
		limit  int
		header int
		chunks []string // fed one after the other
		eof    bool
		want   []rec
	}{
		{name: "lines", chunks: []string{"a\nbb\n", "c"}, want: []rec{{"a\n", 2}, {"bb\n", 5}}},
		{name: "line across reads", chunks: []string{"ab", "c\nd\n"}, want: []rec{{"abc\n", 4}, {"d\n", 6}}},
		{name: "partial line at eof", chunks: []string{"a\nb"}, eof: true, want: []rec{{"a\n", 2}, {"b", 3}}},
		{name: "header skipped", header: 2, chunks: []string{"h1\nh2\nx\n"}, want: []rec{{"x\n", 8}}},
		{name: "truncated with terminator", limit: 5, flow: FlowOptions{TruncatedRecordTerminator: "|"}, chunks: []string{"abcdefgh\nxy\n"},
			want: []rec{{"abcd|", 9}, {"xy\n", 12}}},
		{name: "long line across reads truncated", limit: 4, flow: FlowOptions{TruncatedRecordTerminator: "\n"}, chunks: []string{"abc", "defg", "h\n"},
			want: []rec{{"abc\n", 9}}},
		{name: "multi-line", start: `^\d`, chunks: []string{"junk\n1 a\n  b\n2 c\n"}, want: []rec{{"1 a\n  b\n", 13}}},
		{name: "multi-line flushed at eof", start: `^\d`, chunks: []string{"1 a\n  b\n2 c\n d\n"}, eof: true,
			want: []rec{{"1 a\n  b\n", 8}, {"2 c\n d\n", 15}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.flow
			if f.TruncatedRecordTerminator == "" {
				f.TruncatedRecordTerminator = "\n"
			}
			var re *regexp.Regexp
			if tc.start != "" {
				re = regexp.MustCompile(tc.start)
			}
			limit := tc.limit
			if limit == 0 {
				limit = 1000
			}
			s := newSplitter(&f, re, nil, limit, tc.header)
			var got []rec
			emit := func(r []byte, end int64) { got = append(got, rec{string(r), end}) }
			var off int64
			for i, c := range tc.chunks {
				n := s.feed([]byte(c), off, tc.eof && i == len(tc.chunks)-1, emit)
				if n != len(c) {
					t.Fatalf("feed consumed %d of %d bytes", n, len(c))
				}
				off += int64(n)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("records %+v, want %+v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("record %d = %+v, want %+v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestPartitionKey(t *testing.T) {
	// Guava's Hashing.md5().hashBytes(...).toString() is lowercase hex.
	if k := partitionKey(PartitionKeyDeterministic, []byte("hello\n")); k != "b1946ac92492d2347c6235b4d2611184" {
		t.Errorf("deterministic key %q", k)
	}
	k := partitionKey(PartitionKeyRandom, []byte("x"))
	if k == "" || len(k) > 32 || strings.ContainsAny(k, "eE") {
		t.Errorf("random key %q", k)
	}
}

func TestSplitterFooter(t *testing.T) {
	f := FlowOptions{TruncatedRecordTerminator: "\n"}
	s := newSplitter(&f, regexp.MustCompile(`^\d`), regexp.MustCompile(`^END$`), 100, 0)
	var got []string
	var ends []int64
	buf := []byte("1 a\n  b\n2 c\nEND\n3 d\n")
	n := s.feed(buf, 0, false, func(rec []byte, end int64) { got = append(got, string(rec)); ends = append(ends, end) })
	if want := []string{"1 a\n  b\n", "2 c\n", "END\n"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("records %q, want %q", got, want)
	}
	if n != len("1 a\n  b\n2 c\nEND\n") || !s.ended || ends[len(ends)-1] != int64(n) {
		t.Errorf("consumed %d (ended %v, ends %v)", n, s.ended, ends)
	}
	if n := s.feed([]byte("4 e\n"), 100, true, func(rec []byte, end int64) { t.Errorf("record %q after the footer", rec) }); n != 0 {
		t.Errorf("consumed %d bytes after the footer", n)
	}
}

func TestRecordArena(t *testing.T) {
	var a recordArena
	var held []*arenaChunk
	var recs [][]byte
	rec := make([]byte, 1000)
	// Hold every record: chunks stay pinned up to the bound, then records
	// are allocated on their own.
	for i := range 2 * arenaMaxLive / len(rec) {
		for j := range rec {
			rec[j] = byte(i)
		}
		recs = append(recs, a.copy(rec))
		held = append(held, a.hold())
	}
	if live := a.live.Load(); live > arenaMaxLive {
		t.Fatalf("%d bytes of chunks live, bound %d", live, arenaMaxLive)
	}
	for i, r := range recs {
		if len(r) != len(rec) || r[0] != byte(i) || r[len(r)-1] != byte(i) {
			t.Fatalf("record %d overwritten", i)
		}
		if cap(r) != len(r) && i < arenaMaxLive/len(rec)/2 {
			t.Fatalf("record %d, carved from a chunk, can grow into its neighbour", i)
		}
	}
	for _, c := range held {
		a.release(c)
	}
	if live := a.live.Load(); live > arenaChunkSize {
		t.Errorf("%d bytes live after every record was released, want at most the current chunk", live)
	}
	// A converter's output written in the room is kept; one that outgrew
	// it is returned as is.
	dst := a.room()
	out := append(dst, "converted"...)
	if got := a.took(dst, out); string(got) != "converted" || cap(got) != len(got) {
		t.Errorf("took %q (cap %d)", got, cap(got))
	}
	if next := a.copy([]byte("next")); string(next) != "next" {
		t.Errorf("copy after took: %q", next)
	}
}
