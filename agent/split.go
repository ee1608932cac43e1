package agent

import (
	"bytes"
	"regexp"
)

// splitter cuts one file's bytes into records: lines, or with a start
// pattern groups of lines each begun by a line matching it. It keeps what
// it needs across reads (a line longer than a read, an open multi-line
// record) and truncates records above its limit the agent's way: the
// first limit-len(terminator) bytes followed by the terminator
// (AbstractRecord.truncate in awslabs/amazon-kinesis-agent).
type splitter struct {
	start      *regexp.Regexp // nil: one record per line
	footer     *regexp.Regexp // nil: no footer line
	ended      bool           // a footer line was read: the file is complete
	limit      int            // maximum record size after truncation
	term       []byte
	headerLeft int // header lines still to skip

	line     []byte // the start of a line longer than what one read held
	rec      []byte // the open multi-line record
	inRecord bool
	recEnd   int64 // file offset after the open record's last line
	skipped  int64 // records skipped (header lines, lines before the first start)
}

func newSplitter(f *FlowOptions, start, footer *regexp.Regexp, limit int, header int) *splitter {
	return &splitter{start: start, footer: footer, limit: limit, term: []byte(f.TruncatedRecordTerminator), headerLeft: header}
}

// emitFunc receives a record and the file offset just after it; the
// record's bytes are valid only during the call.
type emitFunc func(rec []byte, end int64)

// feed splits buf, which starts at file offset base, emitting every
// complete record, and returns how many bytes of buf it consumed: all of
// them (a partial last line is kept by the splitter), or, after a footer
// line, what it consumed up to the footer's end. With eof (the file will not grow: it is gone or
// rotated away and read to its end), the last partial line and the open
// record are emitted too.
func (s *splitter) feed(buf []byte, base int64, eof bool, emit emitFunc) int {
	pos := 0
	for pos < len(buf) && !s.ended {
		i := bytes.IndexByte(buf[pos:], '\n')
		if i < 0 {
			break
		}
		lineEnd := pos + i + 1
		line := buf[pos:lineEnd]
		if len(s.line) > 0 {
			s.line = appendCapped(s.line, line, s.limit+1)
			line = s.line
		}
		s.onLine(line, base+int64(lineEnd), emit)
		s.line = s.line[:0]
		pos = lineEnd
	}
	if s.ended {
		return pos
	}
	rest := buf[pos:]
	if len(rest) > 0 {
		// A line without its end yet: keep its start (up to the limit)
		// and consume it, so that the read buffer can be reused.
		s.line = appendCapped(s.line, rest, s.limit+1)
		pos = len(buf)
	}
	if eof && !s.ended {
		if len(s.line) > 0 {
			s.onLine(s.line, base+int64(pos), emit)
			s.line = s.line[:0]
		}
		s.flushRecord(emit)
	}
	return pos
}

// idle emits the open multi-line record: no line followed it for a while.
func (s *splitter) idle(emit emitFunc) { s.flushRecord(emit) }

func (s *splitter) onLine(line []byte, end int64, emit emitFunc) {
	if s.headerLeft > 0 {
		s.headerLeft--
		s.skipped++
		return
	}
	if s.footer != nil && s.footer.Match(bytes.TrimRight(line, "\r\n")) {
		// The footer is sent as the file's last record; the open
		// multi-line record ends before it.
		s.flushRecord(emit)
		s.ended = true
		emit(s.truncate(line), end)
		return
	}
	if s.start == nil {
		emit(s.truncate(line), end)
		return
	}
	if s.start.Match(bytes.TrimRight(line, "\r\n")) {
		s.flushRecord(emit)
		s.rec = appendCapped(s.rec[:0], line, s.limit+1)
		s.inRecord = true
		s.recEnd = end
		return
	}
	if !s.inRecord {
		s.skipped++ // lines before the first record's start
		return
	}
	s.rec = appendCapped(s.rec, line, s.limit+1)
	s.recEnd = end
}

func (s *splitter) flushRecord(emit emitFunc) {
	if !s.inRecord {
		return
	}
	s.inRecord = false
	emit(s.truncate(s.rec), s.recEnd)
	s.rec = s.rec[:0]
}

// truncate cuts rec to the limit, ending it with the terminator; it may
// write into rec's spare room.
func (s *splitter) truncate(rec []byte) []byte {
	if len(rec) <= s.limit {
		return rec
	}
	out := rec[:s.limit-len(s.term)]
	return append(out[:len(out):len(out)], s.term...)
}

// hasOpenRecord reports whether a multi-line record waits for its end.
func (s *splitter) hasOpenRecord() bool { return s.inRecord }

func appendCapped(dst, src []byte, limit int) []byte {
	if room := limit - len(dst); room < len(src) {
		if room <= 0 {
			return dst
		}
		src = src[:room]
	}
	return append(dst, src...)
}
