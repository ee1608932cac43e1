package kinesis

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
)

// bigSeqString and bigParseSeqNum are the math/big formulation of the
// sequence number layout, the reference the fast code is checked against.
func bigSeqString(s seqNum) string {
	b := new(big.Int).SetUint64(uint64(s.shard))
	b.Lsh(b, 64)
	b.Or(b, new(big.Int).SetUint64(s.pos))
	b.SetBit(b, 124, 1)
	return b.String()
}

func bigParseSeqNum(s string) (seqNum, bool) {
	if len(s) != 38 || strings.TrimLeft(s, "0123456789") != "" {
		return seqNum{}, false
	}
	b, ok := new(big.Int).SetString(s, 10)
	if !ok || b.BitLen() != 125 {
		return seqNum{}, false
	}
	b.SetBit(b, 124, 0)
	pos := new(big.Int).And(b, new(big.Int).SetUint64(^uint64(0))).Uint64()
	shard := new(big.Int).Rsh(b, 64)
	if !shard.IsInt64() || shard.Int64() > maxSeqShard {
		return seqNum{}, false
	}
	return seqNum{shard: int(shard.Int64()), pos: pos}, true
}

// seqTestValues returns edge values and n random ones: every shard from 0
// to 2^60-1 formats, parseSeqNum accepts shards up to maxSeqShard.
func seqTestValues(n int) []seqNum {
	shards := []int{0, 1, 9, 10, 99, 100, 1<<20 - 1, 1 << 20, maxSeqShard - 1, maxSeqShard, maxSeqShard + 1, 1<<60 - 1}
	poss := []uint64{0, 1, 9, 10, 1e18, 1e19 - 1, 1e19, 1<<63 - 1, 1 << 63, ^uint64(0) - 1, ^uint64(0)}
	var vals []seqNum
	for _, sh := range shards {
		for _, p := range poss {
			vals = append(vals, seqNum{sh, p})
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range n {
		var sh int
		switch r.IntN(3) {
		case 0:
			sh = r.IntN(1 << 10)
		case 1:
			sh = int(r.Int64N(maxSeqShard + 1))
		default:
			sh = int(r.Int64N(1 << 60))
		}
		p := r.Uint64()
		if r.IntN(2) == 0 {
			p >>= r.UintN(64)
		}
		vals = append(vals, seqNum{sh, p})
	}
	return vals
}

func TestSeqNumMatchesBig(t *testing.T) {
	for _, s := range seqTestValues(100_000) {
		want := bigSeqString(s)
		got := s.String()
		if got != want {
			t.Fatalf("%+v.String() = %q, want %q", s, got, want)
		}
		if len(got) != 38 {
			t.Fatalf("%+v.String() = %q has %d digits", s, got, len(got))
		}
		p, ok := parseSeqNum(got)
		wp, wok := bigParseSeqNum(got)
		if p != wp || ok != wok {
			t.Fatalf("parseSeqNum(%q) = %+v %v, want %+v %v", got, p, ok, wp, wok)
		}
		if ok != (s.shard <= maxSeqShard) || ok && p != s {
			t.Fatalf("%+v -> %q -> %+v %v", s, got, p, ok)
		}
	}
}

func TestParseSeqNumMatchesBig(t *testing.T) {
	var in []string
	// Around the edges of the 125-bit range, in 38 digits: 2^124 is
	// 21267647932558653966460912964485513216 and 2^125-1 is
	// 42535295865117307932921825928971026431.
	for _, s := range []string{
		"21267647932558653966460912964485513215",
		"21267647932558653966460912964485513216",
		"42535295865117307932921825928971026431",
		"42535295865117307932921825928971026432",
		"00000000000000000000000000000000000000",
		"99999999999999999999999999999999999999",
		"09999999999999999999999999999999999999",
		"21267647932558653966460912964485513216 "[:38],
		"2126764793255865396646091296448551321x",
		"+1267647932558653966460912964485513216",
		"-1267647932558653966460912964485513216",
		"2126764793255865396_460912964485513216",
		"212676479325586539664609129644855132160",
		"2126764793255865396646091296448551321",
		"",
	} {
		in = append(in, s)
	}
	r := rand.New(rand.NewPCG(3, 4))
	const digits = "0123456789"
	for range 100_000 {
		b := make([]byte, 38)
		for i := range b {
			b[i] = digits[r.IntN(10)]
		}
		// Mostly plausible leading digits, so many land in range.
		b[0] = "1234"[r.IntN(4)]
		if r.IntN(50) == 0 {
			b[r.IntN(38)] = byte(r.IntN(256))
		}
		in = append(in, string(b))
	}
	for _, s := range seqTestValues(10_000) {
		in = append(in, bigSeqString(s))
	}
	for _, s := range in {
		got, ok := parseSeqNum(s)
		want, wok := bigParseSeqNum(s)
		if got != want || ok != wok {
			t.Fatalf("parseSeqNum(%q) = %+v %v, want %+v %v", s, got, ok, want, wok)
		}
	}
}

// FuzzSeqNumMatchesBig checks parseSeqNum and String against math/big on
// arbitrary strings and on arbitrary shard and position values.
func FuzzSeqNumMatchesBig(f *testing.F) {
	f.Add("21267647932558653966460912964485513216", uint64(0), uint64(0))
	f.Add(seqNum{7, 123456}.String(), uint64(maxSeqShard), ^uint64(0))
	f.Fuzz(func(t *testing.T, s string, shard, pos uint64) {
		got, ok := parseSeqNum(s)
		want, wok := bigParseSeqNum(s)
		if got != want || ok != wok {
			t.Fatalf("parseSeqNum(%q) = %+v %v, want %+v %v", s, got, ok, want, wok)
		}
		n := seqNum{int(shard % (1 << 60)), pos}
		if got, want := n.String(), bigSeqString(n); got != want {
			t.Fatalf("%+v.String() = %q, want %q", n, got, want)
		}
	})
}

func TestSeqNumStringAllocs(t *testing.T) {
	s := seqNum{7, 123456789}
	if n := testing.AllocsPerRun(100, func() { _ = s.String() }); n > 1 {
		t.Fatalf("String allocates %v times, want at most 1", n)
	}
	str := s.String()
	if n := testing.AllocsPerRun(100, func() { parseSeqNum(str) }); n > 0 {
		t.Fatalf("parseSeqNum allocates %v times, want 0", n)
	}
}

var seqSink string

func BenchmarkSeqNumString(b *testing.B) {
	b.ReportAllocs()
	s := seqNum{7, 1 << 40}
	for b.Loop() {
		seqSink = s.String()
		s.pos++
	}
}

func BenchmarkSeqNumParse(b *testing.B) {
	b.ReportAllocs()
	str := seqNum{7, 123456789012}.String()
	for b.Loop() {
		if _, ok := parseSeqNum(str); !ok {
			b.Fatal("not parsed")
		}
	}
}

func TestShardID(t *testing.T) {
	for _, i := range []int{0, 7, 1023, 1024, 99999} {
		want := fmt.Sprintf("shardId-%012d", i)
		if got := shardID(i); got != want {
			t.Errorf("shardID(%d) = %q, want %q", i, got, want)
		}
		if n, ok := parseShardID(want); !ok || n != i {
			t.Errorf("parseShardID(%q) = %d, %v", want, n, ok)
		}
	}
}
