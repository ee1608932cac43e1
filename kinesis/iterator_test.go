package kinesis

import (
	"testing"
	"time"
)

func TestIteratorRoundTripAndForgery(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	it := iterator{shard: 12, pos: 99, issued: time.UnixMilli(1700000000123), streamName: "my.stream-1", streamCreate: 42}
	s := it.encode(secret)
	if len(s) > 512 {
		t.Fatalf("iterator is %d characters", len(s))
	}
	got, err := decodeIterator(s, secret)
	if err != nil || got.shard != 12 || got.pos != 99 || !got.issued.Equal(it.issued) || got.streamName != "my.stream-1" || got.streamCreate != 42 {
		t.Fatalf("round trip: %+v %v", got, err)
	}
	if _, err := decodeIterator(s, []byte("another secret")); err == nil {
		t.Fatal("iterator verified with another secret")
	}
	raw := []byte(s)
	for i := range raw {
		mut := append([]byte(nil), raw...)
		mut[i] ^= 1
		if _, err := decodeIterator(string(mut), secret); err == nil {
			t.Fatalf("altered iterator (byte %d) accepted", i)
		}
	}
	long := it
	long.streamName = string(make([]byte, 128))
	if n := len(long.encode(secret)); n > 512 {
		t.Fatalf("longest iterator is %d characters", n)
	}
}

func FuzzDecodeIterator(f *testing.F) {
	secret := []byte("k")
	f.Add(iterator{shard: 1, pos: 2, issued: time.UnixMilli(3), streamName: "s", streamCreate: 4}.encode(secret))
	f.Add("AAAA")
	f.Fuzz(func(t *testing.T, s string) {
		it, err := decodeIterator(s, secret)
		if err == nil && it.encode(secret) != s {
			t.Fatalf("accepted %q which re-encodes differently", s)
		}
	})
}
