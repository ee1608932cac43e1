package compress

import (
	"encoding/binary"
	"errors"
	"io"

	"github.com/klauspost/compress/s2"
)

// Snappy: snappy-java's stream format.
//
// Objects Firehose writes with CompressionFormat Snappy were observed to be
// snappy-java's SnappyOutputStream format, not the official framing format:
// they start with 0x82 "SNAPPY" 0x00, carry Content-Encoding snappy-java,
// and snappy-java's SnappyOutputStream reproduces them byte for byte
// (floci-io/floci#2328, a recorded comparison with real AWS objects). AWS's
// documentation does not name the framing. The format, from snappy-java's
// SnappyCodec.java and SnappyOutputStream.java:
//
//	header  0x82 'S' 'N' 'A' 'P' 'P' 'Y' 0x00 | version int32 BE (1) | compatible version int32 BE (1)
//	blocks  compressed length int32 BE | a raw Snappy block of at most 32 KiB of input
//
// Readers: snappy-java's SnappyInputStream, and any reader of the format
// above.
var snappyJavaHeader = []byte{0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1}

// snappyJavaBlockSize is SnappyOutputStream's default block size.
const snappyJavaBlockSize = 32 << 10

// blockWriter buffers input into blocks of at most size bytes and hands
// each full block to emit; the two Snappy formats differ only in emit and
// the header.
type blockWriter struct {
	w      io.Writer
	header []byte // written before the first block (or at Close if none)
	size   int
	buf    []byte
	out    []byte
	emit   func(out, block []byte) []byte // appends the encoded block to out
	err    error
	closed bool
}

func (b *blockWriter) Write(p []byte) (int, error) {
	if b.closed {
		return 0, errors.New("compress: write after close")
	}
	n := len(p)
	for len(p) > 0 {
		if b.err != nil {
			return 0, b.err
		}
		room := b.size - len(b.buf)
		if room > len(p) {
			room = len(p)
		}
		b.buf = append(b.buf, p[:room]...)
		p = p[room:]
		if len(b.buf) == b.size {
			b.flush()
		}
	}
	return n, b.err
}

func (b *blockWriter) flush() {
	out := b.out[:0]
	if b.header != nil {
		out = append(out, b.header...)
		b.header = nil
	}
	if len(b.buf) > 0 {
		out = b.emit(out, b.buf)
	}
	if len(out) > 0 && b.err == nil {
		_, b.err = b.w.Write(out)
	}
	b.out = out
	b.buf = b.buf[:0]
}

func (b *blockWriter) Close() error {
	if b.closed {
		return b.err
	}
	b.closed = true
	b.flush()
	return b.err
}

func newSnappyJavaWriter(w io.Writer) *blockWriter {
	return &blockWriter{
		w:      w,
		header: snappyJavaHeader,
		size:   snappyJavaBlockSize,
		buf:    make([]byte, 0, snappyJavaBlockSize),
		emit: func(out, block []byte) []byte {
			return appendSnappyBlock(out, block)
		},
	}
}

// appendSnappyBlock appends the compressed length (int32 BE) and the raw
// Snappy block of block to out.
func appendSnappyBlock(out, block []byte) []byte {
	at := len(out)
	out = append(out, 0, 0, 0, 0)
	need := s2.MaxEncodedLen(len(block))
	if cap(out)-len(out) < need {
		grown := make([]byte, len(out), len(out)+need)
		copy(grown, out)
		out = grown
	}
	enc := s2.EncodeSnappy(out[len(out):len(out)+need], block)
	binary.BigEndian.PutUint32(out[at:], uint32(len(enc)))
	return out[:len(out)+len(enc)]
}
