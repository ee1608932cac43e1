package attr

import (
	"bytes"
	"slices"
	"testing"
)

// TestKeyOrder: encodings sort as DynamoDB orders key values, and a hash
// key's encoding followed by a range key's sorts by hash key first.
func TestKeyOrder(t *testing.T) {
	groups := [][]Value{
		{S(""), S("\x00"), S("\x00\x00"), S("\x00a"), S("a"), S("a\x00"), S("ab"), S("b"), S("é")},
		{B(nil), B([]byte{0}), B([]byte{0, 0xFF}), B([]byte{1}), B([]byte{0xFF}), B([]byte{0xFF, 0})},
		{N("-1e125"), N("-10"), N("-1.23"), N("-1.2"), N("-1"), N("-1e-130"), N("0"), N("1e-130"), N("0.1"), N("1"), N("1.2"), N("1.23"), N("10"), N("1e125")},
	}
	for _, g := range groups {
		var keys [][]byte
		for _, v := range g {
			k, err := AppendKey(nil, v)
			if err != nil {
				t.Fatal(err)
			}
			keys = append(keys, k)
		}
		for i := 1; i < len(keys); i++ {
			if bytes.Compare(keys[i-1], keys[i]) >= 0 {
				t.Errorf("%+v does not sort before %+v: %x vs %x", g[i-1], g[i], keys[i-1], keys[i])
			}
		}
		// Composite: (hash, range) pairs sort by hash, then range.
		var composite [][]byte
		for _, h := range g {
			for _, r := range g {
				k, _ := AppendKey(nil, h)
				k, _ = AppendKey(k, r)
				composite = append(composite, k)
			}
		}
		if !slices.IsSortedFunc(composite, bytes.Compare) {
			t.Errorf("composite keys of %v do not sort by hash then range", g[0])
		}
	}
}

func TestDecodeKey(t *testing.T) {
	vals := []Value{S("a\x00b"), B([]byte{0, 1, 0xFF}), N("-12.5"), N("0"), N("7e100")}
	var buf []byte
	for _, v := range vals {
		var err error
		if buf, err = AppendKey(buf, v); err != nil {
			t.Fatal(err)
		}
	}
	rest := buf
	for _, want := range vals {
		k, _ := want.Kind()
		got, r, err := DecodeKey(rest, k)
		if err != nil {
			t.Fatal(err)
		}
		if !Equal(got, want) {
			t.Fatalf("decoded %+v, want %+v", got, want)
		}
		rest = r
	}
	if len(rest) != 0 {
		t.Fatalf("%d bytes left", len(rest))
	}
	for _, bad := range [][]byte{{}, {0x61}, {0x61, 0x00}, {0x61, 0x00, 0x05}} {
		if _, _, err := DecodeKey(bad, KindS); err == nil {
			t.Errorf("%x decoded as S", bad)
		}
	}
	for _, bad := range [][]byte{{}, {0xC0}, {0xC0, 0x80}, {0xC0, 0x80, 0x00}, {0xC0, 0x80, 0x01, 0x00}, {0x55}, {0x40, 0x10, 0x0B, 0xFF}} {
		if _, _, err := DecodeKey(bad, KindN); err == nil {
			t.Errorf("%x decoded as N", bad)
		}
	}
	if _, err := AppendKey(nil, Bool(true)); err == nil {
		t.Fatal("a BOOL encoded as a key")
	}
}

// FuzzKeyBytes: string and binary keys round-trip and sort as their bytes.
func FuzzKeyBytes(f *testing.F) {
	f.Add([]byte("a"), []byte("a\x00"))
	f.Add([]byte{0, 0xFF}, []byte{0, 1})
	f.Fuzz(func(t *testing.T, a, b []byte) {
		ka, _ := AppendKey(nil, B(a))
		kb, _ := AppendKey(nil, B(b))
		if got, want := bytes.Compare(ka, kb), bytes.Compare(a, b); got != want {
			t.Fatalf("keys of %x and %x compare %d, values %d", a, b, got, want)
		}
		v, rest, err := DecodeKey(append(ka, kb...), KindB)
		if err != nil || !bytes.Equal(v.B, a) || !bytes.Equal(rest, kb) {
			t.Fatalf("decode of %x: %x %x %v", a, v.B, rest, err)
		}
	})
}
