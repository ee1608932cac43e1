package objectkey

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// A timeFormat is a compiled Java DateTimeFormatter pattern: the value of a
// !{timestamp:...} expression. Firehose documents the value as "a valid Java
// DateTimeFormatter string"
// (https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html); Eddy
// implements the subset of java.time.format.DateTimeFormatter's pattern
// letters that prefixes use, with Java's meaning for each count of letters:
//
//	y, u   year: y = unpadded, yy = two-digit (reduced), yyy = at least 3 digits, yyyy+ = padded to the count
//	M, L   month: M = 1..12, MM = 01..12, MMM = Jan, MMMM = January
//	d      day of month: d = 1..31, dd = 01..31
//	D      day of year: D = 1..366, DD = at least 2 digits, DDD = 001..366
//	H      hour of day: H = 0..23, HH = 00..23
//	h      clock hour of am/pm: h = 1..12, hh = 01..12
//	k      clock hour of day: k = 1..24, kk = 01..24
//	a      AM or PM
//	m      minute: m, mm
//	s      second: s, ss
//	S      fraction of second: one S per digit, truncated (S = tenths, SSS = milliseconds, up to 9)
//	E      day of week: E, EE, EEE = Mon, EEEE = Monday
//	'...'  literal text; '' is one quote, inside or outside quoted text
//
// Any other ASCII letter is rejected, as are '[', ']', '{', '}' and '#'
// (DateTimeFormatter reserves them; optional sections are not implemented),
// so a pattern Eddy cannot evaluate fails at CreateDeliveryStream rather
// than producing a wrong key. Every other character is copied literally,
// as Java does ('/', '-', '=', '_', ...).
type timeFormat []timePart

type timePart struct {
	letter byte   // 0 for literal text
	count  int    // number of pattern letters
	text   string // literal text when letter == 0
}

// parseTimeFormat compiles a Java DateTimeFormatter pattern, or says why it
// cannot.
func parseTimeFormat(p string) (timeFormat, error) {
	var f timeFormat
	lit := func(s string) {
		if n := len(f); n > 0 && f[n-1].letter == 0 {
			f[n-1].text += s
			return
		}
		f = append(f, timePart{text: s})
	}
	for i := 0; i < len(p); {
		c := p[i]
		switch {
		case c == '\'':
			if i+1 < len(p) && p[i+1] == '\'' {
				lit("'")
				i += 2
				continue
			}
			var b strings.Builder
			j := i + 1
			closed := false
			for j < len(p) {
				if p[j] == '\'' {
					if j+1 < len(p) && p[j+1] == '\'' {
						b.WriteByte('\'')
						j += 2
						continue
					}
					closed = true
					break
				}
				b.WriteByte(p[j])
				j++
			}
			if !closed {
				return nil, fmt.Errorf("pattern %q has a quote at position %d that is not closed", p, i)
			}
			lit(b.String())
			i = j + 1
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			n := 1
			for i+n < len(p) && p[i+n] == c {
				n++
			}
			if err := checkLetter(c, n); err != nil {
				return nil, fmt.Errorf("pattern %q: %v", p, err)
			}
			f = append(f, timePart{letter: c, count: n})
			i += n
		case c == '[' || c == ']' || c == '{' || c == '}' || c == '#':
			return nil, fmt.Errorf("pattern %q: the character %q is reserved by DateTimeFormatter and not supported", p, c)
		default:
			lit(string(c))
			i++
		}
	}
	return f, nil
}

// checkLetter accepts the letters and counts timeFormat implements.
func checkLetter(c byte, n int) error {
	max := 0
	switch c {
	case 'y', 'u':
		max = 19
	case 'M', 'L':
		max = 4
	case 'd', 'H', 'h', 'k', 'm', 's':
		max = 2
	case 'D':
		max = 3
	case 'a':
		max = 1
	case 'S':
		max = 9
	case 'E':
		max = 4
	default:
		return fmt.Errorf("the pattern letter %q is not supported (supported: y u M L d D H h k a m s S E and quoted text)", c)
	}
	if n > max {
		return fmt.Errorf("too many pattern letters: %s", strings.Repeat(string(c), n))
	}
	return nil
}

// usesTime reports whether the format prints anything from the time: a
// pattern of quoted text only does not.
func (f timeFormat) usesTime() bool {
	for _, p := range f {
		if p.letter != 0 {
			return true
		}
	}
	return false
}

// appendTime appends t formatted by f.
func (f timeFormat) appendTime(b []byte, t time.Time) []byte {
	for _, p := range f {
		switch p.letter {
		case 0:
			b = append(b, p.text...)
		case 'y', 'u':
			y := t.Year()
			if p.count == 2 {
				b = appendPadded(b, (y%100+100)%100, 2)
			} else {
				b = appendPadded(b, y, p.count)
			}
		case 'M', 'L':
			switch p.count {
			case 3:
				b = append(b, t.Month().String()[:3]...)
			case 4:
				b = append(b, t.Month().String()...)
			default:
				b = appendPadded(b, int(t.Month()), p.count)
			}
		case 'd':
			b = appendPadded(b, t.Day(), p.count)
		case 'D':
			b = appendPadded(b, t.YearDay(), p.count)
		case 'H':
			b = appendPadded(b, t.Hour(), p.count)
		case 'h':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			b = appendPadded(b, h, p.count)
		case 'k':
			h := t.Hour()
			if h == 0 {
				h = 24
			}
			b = appendPadded(b, h, p.count)
		case 'a':
			if t.Hour() < 12 {
				b = append(b, "AM"...)
			} else {
				b = append(b, "PM"...)
			}
		case 'm':
			b = appendPadded(b, t.Minute(), p.count)
		case 's':
			b = appendPadded(b, t.Second(), p.count)
		case 'S':
			frac := fmt.Sprintf("%09d", t.Nanosecond())
			b = append(b, frac[:p.count]...)
		case 'E':
			if p.count == 4 {
				b = append(b, t.Weekday().String()...)
			} else {
				b = append(b, t.Weekday().String()[:3]...)
			}
		}
	}
	return b
}

func appendPadded(b []byte, v, width int) []byte {
	if v < 0 {
		b = append(b, '-')
		v = -v
	}
	s := strconv.Itoa(v)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}
