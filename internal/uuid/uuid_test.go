package uuid

import (
	"regexp"
	"testing"
)

func TestFormat(t *testing.T) {
	b := []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	if got, want := Format(b), "ffffffff-ffff-4fff-bfff-ffffffffffff"; got != want {
		t.Fatalf("Format = %s, want %s", got, want)
	}
	re := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	if a, b := New(), New(); !re.MatchString(a) || a == b {
		t.Fatalf("New: %s, %s", a, b)
	}
}
