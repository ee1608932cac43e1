package eventstream

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"testing"
	"testing/iotest"
)

// encodeAll writes the golden messages with an Encoder.
func encodeAll(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := NewEncoder(&buf)
	for _, g := range golden {
		if err := enc.Encode(g.msg); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

func TestEncoderDecoder(t *testing.T) {
	stream := encodeAll(t)
	readers := map[string]func() io.Reader{
		"whole":      func() io.Reader { return bytes.NewReader(stream) },
		"one byte":   func() io.Reader { return iotest.OneByteReader(bytes.NewReader(stream)) },
		"half":       func() io.Reader { return iotest.HalfReader(bytes.NewReader(stream)) },
		"data + EOF": func() io.Reader { return iotest.DataErrReader(bytes.NewReader(stream)) },
	}
	for name, r := range readers {
		t.Run(name, func(t *testing.T) {
			dec := NewDecoder(r())
			var got []Message
			for {
				m, err := dec.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("message %d: %v", len(got), err)
				}
				got = append(got, m)
			}
			if len(got) != len(golden) {
				t.Fatalf("got %d messages, want %d", len(got), len(golden))
			}
			for i := range got {
				if !equalMessages(got[i], golden[i].msg) {
					t.Errorf("message %d: %+v", i, got[i])
				}
			}
			if _, err := dec.Next(); err != io.EOF {
				t.Errorf("Next after EOF: %v", err)
			}
		})
	}
}

// TestDecoderOwnsPayload: each message from Next has its own buffer.
func TestDecoderOwnsPayload(t *testing.T) {
	var buf bytes.Buffer
	enc := NewEncoder(&buf)
	for _, p := range []string{"first", "second"} {
		if err := enc.Encode(Message{Headers: []Header{{"b", BytesValue(p)}}, Payload: []byte(p)}); err != nil {
			t.Fatal(err)
		}
	}
	dec := NewDecoder(&buf)
	m1, err1 := dec.Next()
	m2, err2 := dec.Next()
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if string(m1.Payload) != "first" || string(m1.Get("b").(BytesValue)) != "first" || string(m2.Payload) != "second" {
		t.Errorf("messages share buffers: %q %q", m1.Payload, m2.Payload)
	}
}

func TestDecoderTruncated(t *testing.T) {
	stream := encodeAll(t)
	for n := range len(stream) {
		dec := NewDecoder(bytes.NewReader(stream[:n]))
		var err error
		for err == nil {
			_, err = dec.Next()
		}
		// A cut at a message boundary is a clean end; anywhere else is not.
		boundary := false
		off := 0
		for i := range golden {
			if off == n {
				boundary = true
			}
			off += len(goldenBytes(t, i))
		}
		if boundary {
			if err != io.EOF {
				t.Fatalf("cut at boundary %d: %v, want io.EOF", n, err)
			}
		} else if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("cut at %d: %v, want io.ErrUnexpectedEOF", n, err)
		}
	}
}

func TestDecoderErrorsAreSticky(t *testing.T) {
	stream := encodeAll(t)
	stream[len(goldenBytes(t, 0))+20] ^= 1 // inside the second message
	dec := NewDecoder(bytes.NewReader(stream))
	if _, err := dec.Next(); err != nil {
		t.Fatalf("first message: %v", err)
	}
	for range 2 {
		if _, err := dec.Next(); !isErr(err, ErrMessageCRC) {
			t.Fatalf("second message: %v, want ErrMessageCRC", err)
		}
	}
	readErr := errors.New("connection reset")
	dec = NewDecoder(iotest.ErrReader(readErr))
	if _, err := dec.Next(); !errors.Is(err, readErr) {
		t.Errorf("read error: %v", err)
	}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// TestDecoderRejectsAbsurdLengths: a prelude claiming 4 GiB is rejected after
// reading its 12 bytes, without allocating for the message.
func TestDecoderRejectsAbsurdLengths(t *testing.T) {
	for _, pre := range [][]byte{
		withPrelude(0xffff_ffff, 0),
		withPrelude(0xffff_ffff, 0xffff_fff0),
		withPrelude(overhead+MaxPayloadLen+1, 0),
	} {
		src := io.MultiReader(bytes.NewReader(pre), bytes.NewReader(make([]byte, 1<<20)))
		cr := &countingReader{r: src}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := NewDecoder(cr).Next()
		runtime.ReadMemStats(&after)
		if !isErr(err, ErrLength) {
			t.Errorf("prelude %x: %v, want ErrLength", pre, err)
		}
		if cr.n != preludeLen {
			t.Errorf("prelude %x: read %d bytes, want %d", pre, cr.n, preludeLen)
		}
		if d := after.TotalAlloc - before.TotalAlloc; d > 64<<10 {
			t.Errorf("prelude %x: allocated %d bytes", pre, d)
		}
	}
	// A bad prelude CRC is reported before the lengths are looked at.
	pre := withPrelude(0xffff_ffff, 0)
	pre[11] ^= 1
	if _, err := NewDecoder(bytes.NewReader(pre)).Next(); !isErr(err, ErrPreludeCRC) {
		t.Errorf("bad prelude CRC: %v", err)
	}
}

// writeRecorder records each Write call.
type writeRecorder struct {
	writes [][]byte
	n      int   // if > 0, accept at most n bytes per write
	err    error // returned by every write
}

func (w *writeRecorder) Write(p []byte) (int, error) {
	w.writes = append(w.writes, bytes.Clone(p))
	if w.err != nil {
		return 0, w.err
	}
	if w.n > 0 && len(p) > w.n {
		return w.n, nil
	}
	return len(p), nil
}

func TestEncoderWrites(t *testing.T) {
	w := &writeRecorder{}
	enc := NewEncoder(w)
	for i, g := range golden {
		if err := enc.Encode(g.msg); err != nil {
			t.Fatal(err)
		}
		if len(w.writes) != i+1 || !bytes.Equal(w.writes[i], goldenBytes(t, i)) {
			t.Fatalf("message %d: want one Write of the message, got %d writes", i, len(w.writes))
		}
	}
	// An invalid message writes nothing.
	if err := enc.Encode(Message{Headers: []Header{{"", BoolValue(true)}}}); !isErr(err, ErrHeader) {
		t.Errorf("invalid message: %v", err)
	}
	if len(w.writes) != len(golden) {
		t.Errorf("invalid message was written")
	}
	// Write errors and short writes are reported.
	if err := NewEncoder(&writeRecorder{n: 3}).Encode(golden[0].msg); err != io.ErrShortWrite {
		t.Errorf("short write: %v", err)
	}
	boom := errors.New("boom")
	if err := NewEncoder(&writeRecorder{err: boom}).Encode(golden[0].msg); err != boom {
		t.Errorf("write error: %v", err)
	}
}

func BenchmarkEncode(b *testing.B) {
	m := EventMessage("SubscribeToShardEvent", ContentTypeJSON, bytes.Repeat([]byte("x"), 4096))
	enc := NewEncoder(io.Discard)
	b.SetBytes(4096)
	b.ReportAllocs()
	for b.Loop() {
		if err := enc.Encode(m); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	m := EventMessage("SubscribeToShardEvent", ContentTypeJSON, bytes.Repeat([]byte("x"), 4096))
	buf, _ := m.AppendTo(nil)
	b.SetBytes(4096)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Decode(buf); err != nil {
			b.Fatal(err)
		}
	}
}
