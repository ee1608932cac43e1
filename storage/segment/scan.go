package segment

import (
	"errors"
	"io"

	"github.com/eddy-streams/eddy/storage/vfs"
)

const (
	minChunk = 64 << 10
	maxChunk = 16 << 20
)

// scanFrames reads the frames of f in [off, end), calling fn for each valid
// one with its offset, until fn returns false, the range ends, or a frame is
// torn or bad. It returns the offset at which it stopped (the start of the
// frame fn refused, or of the torn or bad frame, or end) and errShortFrame
// or errBadFrame when it stopped on a frame that is not valid.
//
// Each chunk is read into a fresh buffer that scanFrames never touches
// again, so fn may keep slices of the frameView it is given. The first chunk
// is chunk bytes; later ones grow fourfold, or, if hint is not nil, are
// hint(bytes scanned so far, frames scanned so far) bytes.
//
// alloc, if not nil, supplies the chunk buffers (of exactly the length
// asked for) instead of make.
func scanFrames(f vfs.File, off, end int64, chunk int, hint func(scanned int64, frames int) int, alloc func(n int) []byte, fn func(fv *frameView, off int64) bool) (int64, error) {
	if chunk < minChunk {
		chunk = minChunk
	}
	startOff, frames := off, 0
	for off < end {
		n := min(int64(chunk), end-off)
		var buf []byte
		if alloc != nil {
			buf = alloc(int(n))
		} else {
			buf = make([]byte, n)
		}
		got, err := f.ReadAt(buf, off)
		if err != nil && !(errors.Is(err, io.EOF) && got > 0) {
			if errors.Is(err, io.EOF) {
				return off, errShortFrame
			}
			return off, err
		}
		buf = buf[:got]
		p := 0
		for p < len(buf) {
			fl, err := frameLen(buf[p:])
			if err == errBadFrame {
				return off + int64(p), errBadFrame
			}
			if err == errShortFrame || p+fl > len(buf) {
				need := int64(4)
				if err == nil {
					need = int64(fl)
				}
				if off+int64(p)+need > end || int64(got) < n {
					// The frame runs past the range (or the file): torn.
					return off + int64(p), errShortFrame
				}
				if p == 0 && need > int64(chunk) {
					chunk = int(need)
				}
				break
			}
			fv, err := decodeFrame(buf[p : p+fl])
			if err != nil {
				return off + int64(p), err
			}
			if !fn(&fv, off+int64(p)) {
				return off + int64(p), nil
			}
			p += fl
			frames++
		}
		off += int64(p)
		switch {
		case p == 0:
			// chunk was raised above to fit the frame.
		case hint != nil:
			chunk = min(max(hint(off-startOff, frames), minChunk), maxChunk)
		case chunk < maxChunk:
			chunk = min(chunk*4, maxChunk)
		}
	}
	return off, nil
}
