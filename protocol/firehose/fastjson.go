package firehose

import (
	"bytes"
	"unicode/utf8"

	simd64 "github.com/segmentio/asm/base64"
)

// DecodeFastJSON decodes a PutRecordBatch request body into in, reporting
// whether it could; on false in is left zero and the caller decodes the
// body with encoding/json, which also words the errors. It is the hot path
// of the intake: encoding/json validates the whole body, then
// base64-decodes each record through reflection, which was about 70% of
// the server's CPU per PutRecordBatch of 500 × 1 KiB
// (BenchmarkPutRecordBatch).
//
// It accepts only what it decodes exactly as encoding/json would: an
// object with the members DeliveryStreamName (a string without escapes,
// valid UTF-8) and Records (an array of objects whose only member is Data,
// a base64 string without line breaks), each at most once, whitespace
// anywhere JSON allows it; nothing else (no null, no other member). Every
// record's Data is a slice of one buffer holding them all.
func (in *PutRecordBatchInput) DecodeFastJSON(b []byte) bool {
	d := fastDec{b: b}
	var out PutRecordBatchInput
	if !d.batch(&out) {
		return false
	}
	d.ws()
	if d.i != len(b) {
		return false
	}
	*in = out
	return true
}

type fastDec struct {
	b []byte
	i int
}

func (d *fastDec) ws() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *fastDec) byte(c byte) bool {
	d.ws()
	if d.i < len(d.b) && d.b[d.i] == c {
		d.i++
		return true
	}
	return false
}

// str reads a string without escapes or control characters.
func (d *fastDec) str() ([]byte, bool) {
	if !d.byte('"') {
		return nil, false
	}
	start := d.i
	for ; d.i < len(d.b); d.i++ {
		switch c := d.b[d.i]; {
		case c == '"':
			s := d.b[start:d.i]
			d.i++
			return s, true
		case c == '\\' || c < 0x20:
			return nil, false
		}
	}
	return nil, false
}

// members calls fn for each member of an object; fn returns false to
// decline.
func (d *fastDec) members(fn func(key []byte) bool) bool {
	if !d.byte('{') {
		return false
	}
	if d.byte('}') {
		return true
	}
	for {
		k, ok := d.str()
		if !ok || !d.byte(':') || !fn(k) {
			return false
		}
		if d.byte('}') {
			return true
		}
		if !d.byte(',') {
			return false
		}
	}
}

func (d *fastDec) batch(in *PutRecordBatchInput) bool {
	return d.members(func(k []byte) bool {
		switch string(k) {
		case "DeliveryStreamName":
			s, ok := d.str()
			if !ok || in.DeliveryStreamName != nil || !utf8.Valid(s) {
				return false
			}
			in.DeliveryStreamName = String(string(s))
			return true
		case "Records":
			return in.Records == nil && d.records(in)
		}
		return false
	})
}

// records reads the Records array: first the base64 strings' places, then
// one buffer sized for all of them.
func (d *fastDec) records(in *PutRecordBatchInput) bool {
	if !d.byte('[') {
		return false
	}
	var blobs [][]byte
	if !d.byte(']') {
		for {
			var data []byte
			seen := false
			ok := d.members(func(k []byte) bool {
				if string(k) != "Data" || seen {
					return false
				}
				s, ok := d.str()
				if !ok || bytes.IndexByte(s, '\r') >= 0 || bytes.IndexByte(s, '\n') >= 0 {
					return false
				}
				data, seen = s, true
				return true
			})
			if !ok || !seen {
				return false
			}
			blobs = append(blobs, data)
			if d.byte(']') {
				break
			}
			if !d.byte(',') {
				return false
			}
		}
	}
	size := 1 // never a nil buffer: an empty Data is an empty, non-nil slice
	for _, s := range blobs {
		size += simd64.StdEncoding.DecodedLen(len(s))
	}
	buf := make([]byte, 0, size)
	in.Records = make([]Record, len(blobs))
	for i, s := range blobs {
		start := len(buf)
		n, err := simd64.StdEncoding.Decode(buf[start:start+simd64.StdEncoding.DecodedLen(len(s))], s)
		if err != nil {
			return false
		}
		buf = buf[:start+n]
		in.Records[i].Data = buf[start : start+n : start+n]
	}
	return true
}
