package awscbor

import (
	"encoding/hex"
	"encoding/json"
	"math"
	"testing"
	"time"
)

// golden is one example from RFC 8949 Appendix A that fits the data model.
type golden struct {
	hex    string
	want   any  // value Decode returns (Options{TimeUnit: EpochSeconds})
	encode bool // Encode(want) must reproduce hex exactly
}

func ints(lo, hi int64) []any {
	var out []any
	for i := lo; i <= hi; i++ {
		out = append(out, i)
	}
	return out
}

// rfc8949 lists the Appendix A examples in the order the RFC gives them.
// Floats that are not doubles decode but do not re-encode byte for byte
// (Encode always writes float64), nor do indefinite lengths or tag 0.
var rfc8949 = []golden{
	{"00", int64(0), true},
	{"01", int64(1), true},
	{"0a", int64(10), true},
	{"17", int64(23), true},
	{"1818", int64(24), true},
	{"1819", int64(25), true},
	{"1864", int64(100), true},
	{"1903e8", int64(1000), true},
	{"1a000f4240", int64(1000000), true},
	{"1b000000e8d4a51000", int64(1000000000000), true},
	{"1bffffffffffffffff", uint64(18446744073709551615), true},
	{"3bffffffffffffffff", json.Number("-18446744073709551616"), true},
	{"20", int64(-1), true},
	{"29", int64(-10), true},
	{"3863", int64(-100), true},
	{"3903e7", int64(-1000), true},
	{"f90000", 0.0, false},
	{"f98000", math.Copysign(0, -1), false},
	{"f93c00", 1.0, false},
	{"fb3ff199999999999a", 1.1, true},
	{"f93e00", 1.5, false},
	{"f97bff", 65504.0, false},
	{"fa47c35000", 100000.0, false},
	{"fa7f7fffff", 3.4028234663852886e+38, false},
	{"fb7e37e43c8800759c", 1.0e+300, true},
	{"f90001", 5.960464477539063e-8, false},
	{"f90400", 0.00006103515625, false},
	{"f9c400", -4.0, false},
	{"fbc010666666666666", -4.1, true},
	{"f97c00", math.Inf(1), false},
	{"f97e00", math.NaN(), false},
	{"f9fc00", math.Inf(-1), false},
	{"fa7f800000", math.Inf(1), false},
	{"fa7fc00000", math.NaN(), false},
	{"faff800000", math.Inf(-1), false},
	{"fb7ff0000000000000", math.Inf(1), true},
	{"fb7ff8000000000000", math.Float64frombits(0x7ff8000000000000), true},
	{"fbfff0000000000000", math.Inf(-1), true},
	{"f4", false, true},
	{"f5", true, true},
	{"f6", nil, true},
	{"f7", nil, false},
	{"c074323031332d30332d32315432303a30343a30305a", time.Date(2013, 3, 21, 20, 4, 0, 0, time.UTC), false},
	{"c11a514b67b0", time.Date(2013, 3, 21, 20, 4, 0, 0, time.UTC), true},
	{"c1fb41d452d9ec200000", time.Date(2013, 3, 21, 20, 4, 0, 5e8, time.UTC), true},
	{"d74401020304", []byte{1, 2, 3, 4}, false},                                             // tag 23 dropped
	{"d818456449455446", []byte("dIETF"), false},                                            // tag 24 dropped
	{"d82076687474703a2f2f7777772e6578616d706c652e636f6d", "http://www.example.com", false}, // tag 32 dropped
	{"40", []byte{}, true},
	{"4401020304", []byte{1, 2, 3, 4}, true},
	{"60", "", true},
	{"6161", "a", true},
	{"6449455446", "IETF", true},
	{"62225c", "\"\\", true},
	{"62c3bc", "\u00fc", true},
	{"63e6b0b4", "\u6c34", true},
	{"64f0908591", "\U00010151", true},
	{"80", []any{}, true},
	{"83010203", ints(1, 3), true},
	{"8301820203820405", []any{int64(1), ints(2, 3), ints(4, 5)}, true},
	{"98190102030405060708090a0b0c0d0e0f101112131415161718181819", ints(1, 25), true},
	{"a0", map[string]any{}, true},
	{"a26161016162820203", map[string]any{"a": int64(1), "b": ints(2, 3)}, true},
	{"826161a161626163", []any{"a", map[string]any{"b": "c"}}, true},
	{"a56161614161626142616361436164614461656145", map[string]any{"a": "A", "b": "B", "c": "C", "d": "D", "e": "E"}, true},
	{"5f42010243030405ff", []byte{1, 2, 3, 4, 5}, false},
	{"7f657374726561646d696e67ff", "streaming", false},
	{"9fff", []any{}, false},
	{"9f018202039f0405ffff", []any{int64(1), ints(2, 3), ints(4, 5)}, false},
	{"9f01820203820405ff", []any{int64(1), ints(2, 3), ints(4, 5)}, false},
	{"83018202039f0405ff", []any{int64(1), ints(2, 3), ints(4, 5)}, false},
	{"83019f0203ff820405", []any{int64(1), ints(2, 3), ints(4, 5)}, false},
	{"9f0102030405060708090a0b0c0d0e0f101112131415161718181819ff", ints(1, 25), false},
	{"bf61610161629f0203ffff", map[string]any{"a": int64(1), "b": ints(2, 3)}, false},
	{"826161bf61626163ff", []any{"a", map[string]any{"b": "c"}}, false},
	{"bf6346756ef563416d7421ff", map[string]any{"Fun": true, "Amt": int64(-2)}, false},
}

// rfc8949Rejected are Appendix A examples outside this package's data model.
var rfc8949Rejected = []string{
	"f0",         // simple(16)
	"f8ff",       // simple(255)
	"a201020304", // {1: 2, 3: 4}: non-text keys
}

var rfcOptions = Options{TimeUnit: EpochSeconds}

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func TestRFC8949Decode(t *testing.T) {
	for _, g := range rfc8949 {
		got, err := rfcOptions.Decode(unhex(t, g.hex))
		if err != nil {
			t.Errorf("Decode(%s): %v", g.hex, err)
			continue
		}
		if !equalValues(got, g.want, 0) {
			t.Errorf("Decode(%s) = %#v, want %#v", g.hex, got, g.want)
		}
	}
}

func TestRFC8949Encode(t *testing.T) {
	for _, g := range rfc8949 {
		if !g.encode {
			continue
		}
		got, err := rfcOptions.Encode(g.want)
		if err != nil {
			t.Errorf("Encode(%#v): %v", g.want, err)
			continue
		}
		if h := hex.EncodeToString(got); h != g.hex {
			t.Errorf("Encode(%#v) = %s, want %s", g.want, h, g.hex)
		}
	}
}

func TestRFC8949Rejected(t *testing.T) {
	for _, h := range rfc8949Rejected {
		if v, err := Decode(unhex(t, h)); err == nil {
			t.Errorf("Decode(%s) = %#v, want error", h, v)
		}
	}
}

// TestRFC8949TimestampsAsMillis checks the two tag-1 examples under the default
// (millisecond) reading too: the same numbers mean a time in January 1970.
func TestRFC8949TimestampsAsMillis(t *testing.T) {
	got, err := Decode(unhex(t, "c11a514b67b0"))
	if err != nil {
		t.Fatal(err)
	}
	if want := time.UnixMilli(1363896240).UTC(); !got.(time.Time).Equal(want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestTruncatedGolden cuts every accepted example at every byte.
func TestTruncatedGolden(t *testing.T) {
	for _, g := range rfc8949 {
		b := unhex(t, g.hex)
		for i := range len(b) {
			if v, err := rfcOptions.Decode(b[:i]); err == nil {
				t.Errorf("Decode(%s[:%d]) = %#v, want error", g.hex, i, v)
			}
		}
	}
}

// equalValues compares generic values; NaN equals NaN and times may differ
// by tol plus the resolution of a float64 holding their epoch seconds.
func equalValues(a, b any, tol time.Duration) bool {
	switch x := a.(type) {
	case float64:
		y, ok := b.(float64)
		if !ok {
			return false
		}
		if math.IsNaN(x) || math.IsNaN(y) {
			return math.IsNaN(x) && math.IsNaN(y)
		}
		return x == y && math.Signbit(x) == math.Signbit(y)
	case time.Time:
		y, ok := b.(time.Time)
		if !ok {
			return false
		}
		d := x.Sub(y)
		if d < 0 {
			d = -d
		}
		ulp := time.Duration(math.Abs(float64(x.Unix()))*0x1p-52*1e9) + 1
		return d <= tol+ulp && x.Location() == time.UTC && y.Location() == time.UTC
	case []byte:
		y, ok := b.([]byte)
		return ok && string(x) == string(y) && (x == nil) == (y == nil)
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) || (x == nil) != (y == nil) {
			return false
		}
		for i := range x {
			if !equalValues(x[i], y[i], tol) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !equalValues(v, w, tol) {
				return false
			}
		}
		return true
	}
	return a == b
}
