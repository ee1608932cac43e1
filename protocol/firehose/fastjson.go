package firehose

import (
	"encoding/base64"
	"slices"
	"strconv"
	"unicode/utf8"

	simd64 "github.com/segmentio/asm/base64"

	"github.com/eddy-streams/eddy/internal/jsonscan"
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
// anywhere JSON allows it; nothing else (no null, no other member).
//
// The records' data is decoded into buffers from a pool (internal/jsonscan),
// which Release gives back: the caller must call it once nothing reads the
// records' Data any more, or never (the buffers are then left to the
// garbage collector). httpapi calls it when the operation returned.
func (in *PutRecordBatchInput) DecodeFastJSON(b []byte) bool {
	d := fastDec{Dec: jsonscan.Dec{B: b}}
	var out PutRecordBatchInput
	ok := d.batch(&out) && d.End()
	out.arenas = d.arena.Chunks()
	if !ok {
		out.Release()
		return false
	}
	*in = out
	return true
}

// Release gives the buffers holding the records' data back to the pool
// (see DecodeFastJSON) and drops the records. It does nothing for an input
// not decoded by DecodeFastJSON.
func (in *PutRecordBatchInput) Release() {
	if in.arenas == nil {
		return
	}
	jsonscan.Release(in.arenas)
	in.arenas = nil
	in.Records = nil
}

type fastDec struct {
	jsonscan.Dec
	arena jsonscan.Arena
}

func (d *fastDec) batch(in *PutRecordBatchInput) bool {
	return d.Members(func(k []byte) bool {
		switch string(k) {
		case "DeliveryStreamName":
			s, ok := d.Str()
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

// records reads the Records array, decoding each base64 string into the
// arena as it goes.
func (d *fastDec) records(in *PutRecordBatchInput) bool {
	in.Records = make([]Record, 0, 500) // PutRecordBatch's most
	return d.Elements(func() bool {
		var data []byte
		seen := false
		ok := d.Members(func(k []byte) bool {
			if string(k) != "Data" || seen {
				return false
			}
			seen = true
			s, ok := d.B64Str()
			if !ok {
				return false
			}
			buf := d.arena.Alloc(base64.StdEncoding.DecodedLen(len(s)))
			m, err := simd64.StdEncoding.Decode(buf, s)
			if err != nil || !jsonscan.FullyDecoded(s, m) {
				return false
			}
			data = buf[:m:m]
			if data == nil {
				data = []byte{} // as encoding/json decodes ""
			}
			return true
		})
		if ok && seen {
			in.Records = append(in.Records, Record{Data: data})
		}
		return ok && seen
	})
}

// AppendFastJSON appends the answer as encoding/json encodes it (HTML
// escaping off, no trailing newline): 500 entries through reflection were
// a tenth of the server's CPU per PutRecordBatch.
func (out *PutRecordBatchOutput) AppendFastJSON(dst []byte) ([]byte, error) {
	dst = slices.Grow(dst, 64+len(out.RequestResponses)*48)
	dst = append(dst, '{')
	comma := false
	if out.FailedPutCount != nil {
		dst = append(dst, `"FailedPutCount":`...)
		dst = strconv.AppendInt(dst, int64(*out.FailedPutCount), 10)
		comma = true
	}
	if out.RequestResponses != nil { // omitzero: an empty, non-nil list is written
		if comma {
			dst = append(dst, ',')
		}
		dst = append(dst, `"RequestResponses":[`...)
		for i := range out.RequestResponses {
			if i > 0 {
				dst = append(dst, ',')
			}
			e := &out.RequestResponses[i]
			dst = append(dst, '{')
			c := false
			for _, f := range [...]struct {
				name string
				v    *string
			}{{`"ErrorCode":`, e.ErrorCode}, {`"ErrorMessage":`, e.ErrorMessage}, {`"RecordId":`, e.RecordId}} {
				if f.v == nil {
					continue
				}
				if c {
					dst = append(dst, ',')
				}
				c = true
				dst = append(dst, f.name...)
				dst = jsonscan.AppendString(dst, *f.v)
			}
			dst = append(dst, '}')
		}
		dst = append(dst, ']')
		comma = true
	}
	if out.Encrypted != nil {
		if comma {
			dst = append(dst, ',')
		}
		dst = strconv.AppendBool(append(dst, `"Encrypted":`...), *out.Encrypted)
	}
	return append(dst, '}'), nil
}
