package eventstream

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"math/rand/v2"
	"testing"
)

// fixCRCs returns a copy of b with its prelude CRC, and its message CRC if
// the prelude's total length fits in b, recomputed, so that fuzzed headers
// get past the checksums to the header parser.
func fixCRCs(b []byte) []byte {
	b = bytes.Clone(b)
	if len(b) < preludeLen {
		return b
	}
	binary.BigEndian.PutUint32(b[8:], crc32.ChecksumIEEE(b[:8]))
	if total := binary.BigEndian.Uint32(b); total >= overhead && uint64(total) <= uint64(len(b)) {
		binary.BigEndian.PutUint32(b[total-4:], crc32.ChecksumIEEE(b[:total-4]))
	}
	return b
}

// FuzzDecode: Decode never panics; whatever it accepts re-encodes to exactly
// the bytes it consumed, the SDK decodes those bytes to the same message, and
// Decoder.Next agrees with Decode.
func FuzzDecode(f *testing.F) {
	for i := range golden {
		b := goldenBytes(f, i)
		f.Add(b)
		f.Add(b[:len(b)/2])
	}
	r := rand.New(rand.NewPCG(5, 6))
	for range 10 {
		m := randomMessage(r)
		m.Payload = m.Payload[:min(len(m.Payload), 32)]
		if b, err := m.AppendTo(nil); err == nil && len(b) < 1000 {
			f.Add(b)
		}
	}
	f.Add(frame([]byte{1, 'a', 10}, nil))
	f.Add(withPrelude(0xffff_ffff, 0))
	f.Fuzz(func(t *testing.T, data []byte) {
		check(t, data)
		check(t, fixCRCs(data))
	})
}

func check(t *testing.T, data []byte) {
	m, n, err := Decode(data)
	dm, derr := NewDecoder(bytes.NewReader(data)).Next()
	if err != nil {
		if n != 0 || m.Headers != nil || m.Payload != nil {
			t.Fatalf("Decode error %v with n=%d, message %+v", err, n, m)
		}
		if derr == nil {
			t.Fatalf("Decode error %v, Decoder.Next succeeded", err)
		}
		return
	}
	if n < overhead || n > len(data) {
		t.Fatalf("Decode consumed %d of %d bytes", n, len(data))
	}
	b, err := m.AppendTo(nil)
	if err != nil {
		t.Fatalf("AppendTo after Decode: %v\n%+v", err, m)
	}
	if !bytes.Equal(b, data[:n]) {
		t.Fatalf("re-encoded\n%x\nwant\n%x", b, data[:n])
	}
	if derr != nil || !equalMessages(dm, m) {
		t.Fatalf("Decoder.Next = %+v, %v; Decode = %+v", dm, derr, m)
	}
	if !uniqueNames(m) {
		return // the SDK keeps only the last value of a repeated name
	}
	sm, err := sdkDecode(t, data[:n])
	if err != nil {
		t.Fatalf("SDK cannot decode what Decode accepted: %v", err)
	}
	if !equalMessages(sm, m) {
		t.Fatalf("SDK decoded %+v, Decode %+v", sm, m)
	}
}

func uniqueNames(m Message) bool {
	seen := make(map[string]bool, len(m.Headers))
	for _, h := range m.Headers {
		if seen[h.Name] {
			return false
		}
		seen[h.Name] = true
	}
	return true
}
