package kinesis

import (
	"math/big"
	"testing"
)

func TestSplitEvenly(t *testing.T) {
	for _, n := range []int{1, 2, 3, 7, 16, 1000} {
		r := splitEvenly(hashKey{}, maxHashKey, n)
		if r[0][0] != (hashKey{}) || r[n-1][1] != maxHashKey {
			t.Fatalf("n=%d: ranges do not cover the key space", n)
		}
		for i := 1; i < n; i++ {
			if r[i][0] != r[i-1][1].add1() {
				t.Fatalf("n=%d: gap or overlap at %d", n, i)
			}
		}
	}
	// Two shards: AWS's boundary is 2^127.
	r := splitEvenly(hashKey{}, maxHashKey, 2)
	if got := r[1][0].String(); got != "170141183460469231731687303715884105728" {
		t.Fatalf("second shard starts at %s", got)
	}
}

func TestPartitionHash(t *testing.T) {
	// md5("a") = 0cc175b9c0f1b6a831c399e269772661
	want, _ := new(big.Int).SetString("0cc175b9c0f1b6a831c399e269772661", 16)
	if got := partitionHash("a").big(); got.Cmp(want) != 0 {
		t.Fatalf("partitionHash(a) = %s, want %s", got, want)
	}
}

func TestParseHashKey(t *testing.T) {
	for s, ok := range map[string]bool{
		"0": true, "340282366920938463463374607431768211455": true,
		"340282366920938463463374607431768211456": false, "-1": false, "": false, "1a": false, " 1": false,
	} {
		k, got := parseHashKey(s)
		if got != ok {
			t.Fatalf("parseHashKey(%q) ok = %v", s, got)
		}
		if ok && k.String() != s {
			t.Fatalf("round trip %q -> %s", s, k)
		}
	}
}

func TestSeqNum(t *testing.T) {
	for _, s := range []seqNum{{0, 0}, {1, 0}, {7, 123456}, {1 << 30, ^uint64(0)}} {
		str := s.String()
		if len(str) != 38 {
			t.Fatalf("%+v -> %q (%d digits)", s, str, len(str))
		}
		got, ok := parseSeqNum(str)
		if !ok || got != s {
			t.Fatalf("%+v -> %q -> %+v %v", s, str, got, ok)
		}
	}
	a, b := seqNum{3, 9}.String(), seqNum{3, 10}.String()
	if !(a < b) {
		t.Fatal("sequence numbers do not sort as strings")
	}
	for _, bad := range []string{"", "0", "1234", "49590338271490256608559692538361571095921575989136588898", "x1267650600228229401496703205376000000"} {
		if _, ok := parseSeqNum(bad); ok {
			t.Fatalf("parseSeqNum(%q) accepted", bad)
		}
	}
}

func FuzzParseSeqNum(f *testing.F) {
	f.Add(seqNum{5, 77}.String())
	f.Add("21267647932558653966460912964485513216")
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := parseSeqNum(s)
		if ok && n.String() != s {
			t.Fatalf("%q parsed to %+v which prints %q", s, n, n.String())
		}
	})
}
