package jsonscan

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"testing"
)

// TestAppendStringMatchesEncodingJSON: AppendString writes what
// json.Encoder with HTML escaping off writes.
func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "plain", `q"b\s`, "\x00\x1f\b\f\n\r\t", "\xff\xfe", "é\u2028\u2029", "<&>"} {
		checkString(t, s)
	}
}

func FuzzAppendString(f *testing.F) {
	f.Add("a\"b\\\u2028\xff")
	f.Fuzz(checkString)
}

func checkString(t *testing.T, s string) {
	var want bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		t.Fatal(err)
	}
	if got := AppendString(nil, s); string(got) != string(bytes.TrimSuffix(want.Bytes(), []byte("\n"))) {
		t.Errorf("%q: got %s, want %s", s, got, want.Bytes())
	}
}

// TestFullyDecoded: a base64 string with a line break inside decodes to
// fewer bytes than its length says, and is caught.
func TestFullyDecoded(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want bool
	}{
		{"", true}, {"YQ==", true}, {"YWI=", true}, {"YWJj", true},
		{"YW\nJj", false}, {"YWJjZGVm\r\n\r\n", false}, {"YWJ", false},
	} {
		buf := make([]byte, base64.StdEncoding.DecodedLen(len(tc.s)))
		m, err := base64.StdEncoding.Decode(buf, []byte(tc.s))
		if got := err == nil && FullyDecoded([]byte(tc.s), m); got != tc.want {
			t.Errorf("%q: %v, want %v", tc.s, got, tc.want)
		}
	}
}

// TestDecScans: members, strings and base64 strings of a small body.
func TestDecScans(t *testing.T) {
	d := Dec{B: []byte(` { "a" : "x" , "b":"YQ==" } `)}
	var a, b string
	ok := d.Members(func(k []byte) bool {
		switch string(k) {
		case "a":
			s, ok := d.Str()
			a = string(s)
			return ok
		case "b":
			s, ok := d.B64Str()
			b = string(s)
			return ok
		}
		return false
	})
	if !ok || !d.End() || a != "x" || b != "YQ==" {
		t.Fatalf("ok %v end %v a %q b %q", ok, d.End(), a, b)
	}
	for _, bad := range []string{`{"a":"x\"}`, `{"a":"x` + "\n" + `"}`, `{"a":"x",}`, `{"a" "x"}`} {
		d := Dec{B: []byte(bad)}
		if d.Members(func([]byte) bool { _, ok := d.Str(); return ok }) && d.End() {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestArena: allocations do not overlap, a large one gets its own
// buffer, and Release hands the pooled chunks back.
func TestArena(t *testing.T) {
	var a Arena
	x, y := a.Alloc(10), a.Alloc(20)
	if len(x) != 10 || cap(x) != 10 || len(y) != 20 {
		t.Fatalf("lengths %d/%d %d", len(x), cap(x), len(y))
	}
	copy(x, bytes.Repeat([]byte{1}, 10))
	copy(y, bytes.Repeat([]byte{2}, 20))
	if x[9] != 1 || y[0] != 2 {
		t.Fatal("allocations overlap")
	}
	big := a.Alloc(ArenaChunk + 1)
	if len(big) != ArenaChunk+1 || len(a.Chunks()) != 1 {
		t.Fatalf("big %d, chunks %d", len(big), len(a.Chunks()))
	}
	for range ArenaChunk/1000 + 1 {
		a.Alloc(1000)
	}
	if len(a.Chunks()) != 2 {
		t.Fatalf("chunks %d, want 2", len(a.Chunks()))
	}
	Release(a.Chunks())
}
