// Package jsonscan holds the pieces of Eddy's hand-written JSON decoders
// for the requests that carry records (Kinesis PutRecords, Firehose
// PutRecordBatch): a scanner over a body that accepts only the plain JSON
// it can decode exactly as encoding/json would (strings without escapes,
// no nulls) and declines the rest, so the caller falls back to
// encoding/json, which then also words the errors; and pooled arenas that
// the records' base64-decoded data is carved from.
//
//	d := jsonscan.Dec{B: body}
//	ok := d.Members(func(key []byte) bool { ... d.Str() ... })
package jsonscan

import (
	"bytes"
	"sync"
	"unicode/utf8"
)

// Dec scans B from I.
type Dec struct {
	B []byte
	I int
}

// WS skips whitespace.
func (d *Dec) WS() {
	for d.I < len(d.B) {
		switch d.B[d.I] {
		case ' ', '\t', '\n', '\r':
			d.I++
		default:
			return
		}
	}
}

// Byte skips whitespace and then c, reporting whether c was there.
func (d *Dec) Byte(c byte) bool {
	d.WS()
	if d.I < len(d.B) && d.B[d.I] == c {
		d.I++
		return true
	}
	return false
}

// Peek returns the next byte after whitespace, 0 at the end.
func (d *Dec) Peek() byte {
	d.WS()
	if d.I < len(d.B) {
		return d.B[d.I]
	}
	return 0
}

// End reports whether only whitespace is left.
func (d *Dec) End() bool {
	d.WS()
	return d.I == len(d.B)
}

// Str reads a string without escapes or control characters and returns
// its bytes (not checked to be UTF-8: callers that keep the string check).
func (d *Dec) Str() ([]byte, bool) {
	if !d.Byte('"') {
		return nil, false
	}
	start := d.I
	for ; d.I < len(d.B); d.I++ {
		switch c := d.B[d.I]; {
		case c == '"':
			s := d.B[start:d.I]
			d.I++
			return s, true
		case c == '\\' || c < 0x20:
			return nil, false
		}
	}
	return nil, false
}

// B64Str reads a string that must be base64, the bulk of a records body,
// finding its end with a vectorised search instead of Str's byte-by-byte
// checks. The base64 decoder that follows rejects every byte Str would (a
// backslash, a control character, non-ASCII) except the line breaks it
// skips, which JSON does not allow raw; the caller checks the decoded
// length with FullyDecoded to catch those.
func (d *Dec) B64Str() ([]byte, bool) {
	if !d.Byte('"') {
		return nil, false
	}
	j := bytes.IndexByte(d.B[d.I:], '"')
	if j < 0 {
		return nil, false
	}
	s := d.B[d.I : d.I+j]
	d.I += j + 1
	return s, true
}

// FullyDecoded reports whether decoding s gave m bytes because every byte
// of s was base64, none a line break the decoder skipped. Padded base64
// decodes 4n characters ending in p '=' to 3n-p bytes; k skipped line
// breaks with len(s) still a multiple of 4 mean k >= 4, so at most 3n-3
// bytes, fewer than 3n-2. Cheaper than searching s for '\n' and '\r'.
func FullyDecoded(s []byte, m int) bool {
	if len(s)%4 != 0 {
		return false
	}
	pad := 0
	if len(s) > 0 && s[len(s)-1] == '=' {
		pad++
		if len(s) > 1 && s[len(s)-2] == '=' {
			pad++
		}
	}
	return m == len(s)/4*3-pad
}

// Members calls fn for each member of an object, after reading its key;
// fn reads the value and returns false to decline.
func (d *Dec) Members(fn func(key []byte) bool) bool {
	if !d.Byte('{') {
		return false
	}
	if d.Byte('}') {
		return true
	}
	for {
		k, ok := d.Str()
		if !ok || !d.Byte(':') || !fn(k) {
			return false
		}
		if d.Byte('}') {
			return true
		}
		if !d.Byte(',') {
			return false
		}
	}
}

// Elements reads an array, calling fn to read each element; fn returns
// false to decline.
func (d *Dec) Elements(fn func() bool) bool {
	if !d.Byte('[') {
		return false
	}
	if d.Byte(']') {
		return true
	}
	for {
		if !fn() {
			return false
		}
		if d.Byte(']') {
			return true
		}
		if !d.Byte(',') {
			return false
		}
	}
}

// ArenaChunk is the size of the pooled buffers records' data is decoded
// into: a 500 × 1 KiB batch takes three. A fresh zeroed 256 KiB per chunk
// was a twentieth of the server's CPU per record put.
const ArenaChunk = 256 << 10

var arenaPool = sync.Pool{New: func() any { b := make([]byte, ArenaChunk); return &b }}

// Arena hands out slices of pooled chunks (or of a fresh buffer for a
// request larger than a chunk). The zero Arena is ready; Release gives
// the chunks back, after which no slice it handed out may be used.
type Arena struct {
	chunks []*[]byte
	cur    []byte
}

// Alloc returns n bytes (not zeroed) with capacity n.
func (a *Arena) Alloc(n int) []byte {
	if cap(a.cur)-len(a.cur) < n {
		if n > ArenaChunk {
			return make([]byte, n)
		}
		bp := arenaPool.Get().(*[]byte)
		a.chunks = append(a.chunks, bp)
		a.cur = (*bp)[:0]
	}
	start := len(a.cur)
	a.cur = a.cur[:start+n]
	return a.cur[start : start+n : start+n]
}

// Chunks returns the pooled chunks handed out so far, for a decoded value
// to keep and give back with Release.
func (a *Arena) Chunks() []*[]byte { return a.chunks }

// Release returns chunks (from Chunks) to the pool.
func Release(chunks []*[]byte) {
	for _, bp := range chunks {
		arenaPool.Put(bp)
	}
}

const hexDigits = "0123456789abcdef"

// AppendString appends s quoted as encoding/json does with HTML
// escaping off: control characters, quote and backslash escaped, invalid
// UTF-8 as \ufffd, and U+2028 and U+2029 escaped.
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
