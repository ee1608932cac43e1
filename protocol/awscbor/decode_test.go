package awscbor

import (
	"bytes"
	"errors"
	"runtime"
	"strings"
	"testing"
)

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name, hex, want string
	}{
		{"empty", "", "unexpected end of input"},
		{"trailing", "0000", "trailing bytes"},
		{"trailing after map", "a0f6", "trailing bytes"},
		{"reserved ai 28", "1c", "reserved additional information 28"},
		{"reserved ai 29 bytes", "5d", "reserved additional information 29"},
		{"reserved ai 30 simple", "fe", "reserved additional information 30"},
		{"indefinite uint", "1f", "indefinite length is not allowed"},
		{"indefinite negint", "3f", "indefinite length is not allowed"},
		{"indefinite tag", "df00", "indefinite length is not allowed"},
		{"stray break", "ff", "unexpected break"},
		{"break in definite array", "81ff", "unexpected break"},
		{"break as map key", "a1ff00", "unexpected break"},
		{"two-byte simple below 32", "f814", "simple value 20 encoded in two bytes"},
		{"unassigned simple", "f0", "unsupported simple value 16"},
		{"invalid utf-8", "62c328", "invalid UTF-8"},
		{"utf-8 split across chunks", "7f61c361bcff", "invalid UTF-8"},
		{"surrogate in utf-8", "63eda080", "invalid UTF-8"},
		{"int map key", "a10102", "map key must be a text string"},
		{"bytes map key", "a1416101", "map key must be a text string"},
		{"text chunk in byte string", "5f6161ff", "chunk of an indefinite-length byte string"},
		{"nested indefinite chunk", "5f5fffff", "chunk of an indefinite-length byte string"},
		{"unterminated indefinite array", "9f01", "unexpected end of input"},
		{"unterminated indefinite string", "7f6161", "unexpected end of input"},
		{"tag 1 text", "c16161", "tag 1"},
		{"tag 1 NaN", "c1f97e00", "not finite"},
		{"tag 1 too late", "c11b7fffffffffffffff", "outside years 1-9999"},
		{"tag 1 too early", "c13b7fffffffffffffff", "outside years 1-9999"},
		{"tag 1 uint64", "c11bffffffffffffffff", "outside years 1-9999"},
		{"tag 0 not RFC 3339", "c0626162", "not an RFC 3339 time"},
		{"tag 0 int", "c000", "tag 0 content must be a text string"},
		{"huge byte string (5 bytes)", "5affffffff", "claims 4294967295 bytes"},
		{"2^60-byte string", "5b1000000000000000", "claims 1152921504606846976 bytes"},
		{"huge text string", "7b1000000000000000", "claims"},
		{"huge chunk", "5f5b1000000000000000ff", "claims"},
		{"huge array", "9b1000000000000000", "claims 1152921504606846976 elements"},
		{"huge map", "bb1000000000000000", "claims"},
		{"map count vs bytes", "a2616100", "claims 2 elements"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := Decode(unhex(t, tt.hex))
			if err == nil {
				t.Fatalf("Decode(%s) = %#v, want error", tt.hex, v)
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %v is %T, want *SyntaxError", err, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			// The same input must fail Unmarshal the same way.
			var dst any
			if err := Unmarshal(unhex(t, tt.hex), &dst); err == nil {
				t.Errorf("Unmarshal(%s) succeeded", tt.hex)
			}
		})
	}
}

func TestErrorOffset(t *testing.T) {
	// {"a": [1, "\xff"]}: the bad string starts at offset 5.
	_, err := Decode(unhex(t, "a1616182016 1ff"[:0]+"a16161820161ff"))
	var se *SyntaxError
	if !errors.As(err, &se) || se.Offset != 5 {
		t.Fatalf("got %v, want *SyntaxError at offset 5", err)
	}
}

// TestHugeLengthNoAlloc: a tiny item claiming a huge length must fail
// without allocating in proportion to the claim.
func TestHugeLengthNoAlloc(t *testing.T) {
	for _, h := range []string{"5b1000000000000000", "9b1000000000000000", "bb1000000000000000", "5affffffff", "9affffffff"} {
		b := unhex(t, h)
		allocs := testing.AllocsPerRun(10, func() {
			if _, err := Decode(b); err == nil {
				t.Fatalf("Decode(%s) succeeded", h)
			}
		})
		if allocs > 10 {
			t.Errorf("Decode(%s): %v allocations", h, allocs)
		}
	}
	// A claim that fits the input is still not preallocated beyond a cap:
	// one million one-byte elements claimed, the second one bad.
	b := append(unhex(t, "9a000f4240"), bytes.Repeat([]byte{0xf6}, 1_000_000)...)
	b[6] = 0x1c // reserved ai: fails on element 2
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if _, err := Decode(b); err == nil {
		t.Fatal("want error")
	}
	runtime.ReadMemStats(&after)
	if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
		t.Errorf("allocated %d bytes for a claim of 1e6 elements that fails at the second", n)
	}
}

func TestDepthLimit(t *testing.T) {
	nest := func(open string, n int) []byte {
		return append(bytes.Repeat(unhex(t, open), n), 0x00)
	}
	for _, open := range []string{"81", "a16161", "c2"} {
		if _, err := Decode(nest(open, DefaultMaxDepth)); err != nil {
			t.Errorf("depth %d of %s: %v", DefaultMaxDepth, open, err)
		}
		_, err := Decode(nest(open, DefaultMaxDepth+1))
		if err == nil || !strings.Contains(err.Error(), "nesting deeper than 128") {
			t.Errorf("depth %d of %s: got %v, want nesting error", DefaultMaxDepth+1, open, err)
		}
	}
	// A million-deep bomb fails fast instead of exhausting the stack.
	bomb := bytes.Repeat([]byte{0x9f}, 1_000_000)
	if _, err := Decode(bomb); err == nil {
		t.Error("depth bomb accepted")
	}
	var dst struct{ A any }
	if err := Unmarshal(append(unhex(t, "a16141"), bomb...), &dst); err == nil {
		t.Error("depth bomb accepted by Unmarshal")
	}
	// MaxDepth is configurable.
	if _, err := (Options{MaxDepth: 2}).Decode(unhex(t, "818100")); err != nil {
		t.Errorf("MaxDepth 2, depth 2: %v", err)
	}
	if _, err := (Options{MaxDepth: 2}).Decode(unhex(t, "81818100")); err == nil {
		t.Error("MaxDepth 2, depth 3 accepted")
	}
}

func TestDuplicateKeysLastWins(t *testing.T) {
	v, err := Decode(unhex(t, "a2616101616102"))
	if err != nil {
		t.Fatal(err)
	}
	if got := v.(map[string]any)["a"]; got != int64(2) {
		t.Errorf("a = %v, want 2", got)
	}
}

// TestDecodePrefix: the item at an UnmarshalTypeError's offset can be read
// again, whatever follows it.
func TestDecodePrefix(t *testing.T) {
	body, err := Marshal(map[string]any{"A": 1, "B": "wrong", "C": []any{true}})
	if err != nil {
		t.Fatal(err)
	}
	var into struct {
		A int  `json:"A"`
		B bool `json:"B"`
	}
	var te *UnmarshalTypeError
	if err := Unmarshal(body, &into); !errors.As(err, &te) {
		t.Fatalf("Unmarshal: %v, want an UnmarshalTypeError", err)
	}
	v, n, err := DecodePrefix(body[te.Offset:])
	if err != nil || v != "wrong" || n != 6 {
		t.Errorf("DecodePrefix at %d = %v, %d, %v; want \"wrong\", 6, nil", te.Offset, v, n, err)
	}
	if _, _, err := DecodePrefix([]byte{0x65, 'a'}); err == nil {
		t.Error("DecodePrefix of a truncated string: no error")
	}
}
