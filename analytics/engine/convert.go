package engine

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// errOverflow is the run-time error of integer and DECIMAL arithmetic that leaves its range.
var errOverflow = errors.New("numeric overflow")

// rescale converts an unscaled decimal from scale `from` to scale `to`, rounding half away
// from zero when it drops digits; ok is false on overflow.
func rescale(u int64, from, to int) (int64, bool) {
	switch {
	case to == from:
		return u, true
	case to > from:
		d := to - from
		if d >= len(pow10tab) {
			return 0, u == 0
		}
		return mulInt(u, pow10tab[d])
	}
	d := from - to
	if d >= len(pow10tab) {
		return 0, true
	}
	p := pow10tab[d]
	q, r := u/p, u%p
	if r >= (p+1)/2 {
		q++
	} else if -r >= (p+1)/2 {
		q--
	}
	return q, true
}

func mulInt(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	c := a * b
	if c/b != a || (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64) {
		return 0, false
	}
	return c, true
}

func addInt(a, b int64) (int64, bool) {
	c := a + b
	if (c > a) != (b > 0) {
		return 0, false
	}
	return c, true
}

func subInt(a, b int64) (int64, bool) {
	c := a - b
	if (c < a) != (b > 0) {
		return 0, false
	}
	return c, true
}

// digits counts the decimal digits of |u|.
func digits(u int64) int {
	if u < 0 {
		if u == math.MinInt64 {
			return 19
		}
		u = -u
	}
	n := 1
	for u >= 10 {
		u /= 10
		n++
	}
	return n
}

// decDiv divides two decimals exactly to the given scale, rounding half away from zero.
func decDiv(au int64, as int, bu int64, bs int, scale int) (int64, bool) {
	// a/b = au*10^-as / (bu*10^-bs) = (au * 10^(scale - as + bs)) / bu * 10^-scale
	e := scale - as + bs
	neg := (au < 0) != (bu < 0)
	x, y := absU(au), absU(bu)
	var hi, lo uint64
	if e >= 0 {
		if e >= len(pow10tab) {
			return 0, x == 0
		}
		hi, lo = bits.Mul64(x, uint64(pow10tab[e]))
	} else {
		if -e >= len(pow10tab) {
			return 0, true
		}
		y2hi, y2 := bits.Mul64(y, uint64(pow10tab[-e]))
		if y2hi != 0 {
			return 0, true // the quotient rounds to 0
		}
		lo, y = x, y2
	}
	if hi >= y {
		return 0, false
	}
	q, r := bits.Div64(hi, lo, y)
	if r >= y-r { // r >= y/2 rounded up
		q++
	}
	if q > math.MaxInt64 {
		return 0, false
	}
	if neg {
		return -int64(q), true
	}
	return int64(q), true
}

func absU(x int64) uint64 {
	if x < 0 {
		return uint64(-(x + 1)) + 1
	}
	return uint64(x)
}

// parseDecimal parses text such as -12.345 or 1e3 to an unscaled value and its scale.
func parseDecimal(s string) (int64, int, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, 0, false
	}
	exp := 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		e, err := strconv.Atoi(s[i+1:])
		if err != nil || e > 40 || e < -40 {
			return 0, 0, false
		}
		exp = e
		s = s[:i]
	}
	neg := false
	switch {
	case strings.HasPrefix(s, "-"):
		neg, s = true, s[1:]
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	}
	intPart, frac, _ := strings.Cut(s, ".")
	if intPart == "" && frac == "" {
		return 0, 0, false
	}
	all := strings.TrimLeft(intPart+frac, "0")
	for _, c := range intPart + frac {
		if c < '0' || c > '9' {
			return 0, 0, false
		}
	}
	scale := len(frac) - exp
	if all == "" {
		return 0, max(scale, 0), true
	}
	if len(all) > 18 {
		return 0, 0, false
	}
	u, err := strconv.ParseInt(all, 10, 64)
	if err != nil {
		return 0, 0, false
	}
	if scale < 0 {
		v, ok := rescale(u, 0, -scale)
		if !ok {
			return 0, 0, false
		}
		u, scale = v, 0
	}
	if neg {
		u = -u
	}
	return u, scale, true
}

// timestampLayouts are the text forms accepted for TIMESTAMP (sqlref Literals shows
// 'yyyy-MM-dd HH:mm:ss[.SSS]'; RFC 3339 is accepted too, an Eddy extension for JSON input).
var timestampLayouts = []string{
	"2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04",
	"2006-01-02",
}

func parseTimestamp(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	for _, l := range timestampLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UnixMilli(), true
		}
	}
	return 0, false
}

func parseTimeOfDay(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	for _, l := range []string{"15:04:05.999999999", "15:04:05", "15:04"} {
		if t, err := time.Parse(l, s); err == nil {
			return int64(t.Hour())*3600000 + int64(t.Minute())*60000 + int64(t.Second())*1000 + int64(t.Nanosecond()/1e6), true
		}
	}
	return 0, false
}

// castError is the message of a failed conversion, as the error_stream reports it.
func castError(v Value, t Type) error {
	s := v.String()
	if len(s) > 100 {
		s = s[:100] + "..."
	}
	return fmt.Errorf("cannot convert %q to %s", s, t)
}

// Cast converts v to type t as CAST(v AS t) does: NULL stays NULL; numbers convert to
// numbers (rounding to a DECIMAL's scale, truncating toward zero to an integer) and check
// the target's range; strings parse; CHAR(n) and VARCHAR(n) truncate to n characters
// (sqlref is silent on over-long strings; SQLstream, which KDA runs, truncates in CAST).
func Cast(v Value, t Type) (Value, error) {
	if v.Kind == KindNull || t.Kind == KindNull {
		return Null, nil
	}
	switch t.Kind {
	case KindBool:
		switch v.Kind {
		case KindBool:
			return v, nil
		case KindString:
			switch strings.ToUpper(strings.TrimSpace(v.S)) {
			case "TRUE":
				return Bool(true), nil
			case "FALSE":
				return Bool(false), nil
			case "UNKNOWN":
				return Null, nil
			}
		}
	case KindInt:
		var i int64
		switch v.Kind {
		case KindInt:
			i = v.I
		case KindFloat:
			f := math.Trunc(v.F)
			if math.IsNaN(f) || f < -9.223372036854775e18 || f > 9.223372036854775e18 {
				return Null, castError(v, t)
			}
			i = int64(f)
		case KindDecimal:
			p := pow10tab[v.Scale]
			i = v.I / p
		case KindString:
			s := strings.TrimSpace(v.S)
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				u, sc, ok := parseDecimal(s)
				if !ok {
					return Null, castError(v, t)
				}
				n = u / pow10tab[sc]
			}
			i = n
		case KindBool:
			i = v.I
		default:
			return Null, castError(v, t)
		}
		r := intRange[t.Name]
		if i < r[0] || i > r[1] {
			return Null, fmt.Errorf("value %d is out of range for %s", i, t.Name)
		}
		return Int(i), nil
	case KindFloat:
		var f float64
		switch v.Kind {
		case KindInt, KindFloat, KindDecimal:
			f = v.Float64()
		case KindString:
			x, err := strconv.ParseFloat(strings.TrimSpace(v.S), 64)
			if err != nil && !errors.Is(err, strconv.ErrRange) {
				return Null, castError(v, t)
			}
			f = x
		default:
			return Null, castError(v, t)
		}
		if t.Name == "REAL" {
			f = float64(float32(f))
		}
		return Float(f), nil
	case KindDecimal:
		var u int64
		var sc int
		switch v.Kind {
		case KindInt:
			u, sc = v.I, 0
		case KindDecimal:
			u, sc = v.I, int(v.Scale)
		case KindFloat:
			s := strconv.FormatFloat(v.F, 'f', t.Scale, 64)
			var ok bool
			if u, sc, ok = parseDecimal(s); !ok {
				return Null, castError(v, t)
			}
		case KindString:
			var ok bool
			if u, sc, ok = parseDecimal(v.S); !ok {
				return Null, castError(v, t)
			}
		default:
			return Null, castError(v, t)
		}
		r, ok := rescale(u, sc, t.Scale)
		if !ok || digits(r) > t.Prec {
			return Null, fmt.Errorf("value %s is out of range for %s", v, t)
		}
		return Decimal(r, t.Scale), nil
	case KindString:
		s := v.String()
		if v.Kind == KindString {
			s = v.S
		}
		if t.Len > 0 && utf8.RuneCountInString(s) > t.Len {
			s = truncRunes(s, t.Len)
		}
		if t.Name == "CHAR" {
			if n := utf8.RuneCountInString(s); n < t.Len {
				s += strings.Repeat(" ", t.Len-n)
			}
		}
		return String(s), nil
	case KindTimestamp:
		switch v.Kind {
		case KindTimestamp:
			return v, nil
		case KindDate:
			return TimestampMillis(v.I * msPerDay), nil
		case KindString:
			if ms, ok := parseTimestamp(v.S); ok {
				return TimestampMillis(ms), nil
			}
		}
	case KindDate:
		switch v.Kind {
		case KindDate:
			return v, nil
		case KindTimestamp:
			return Value{Kind: KindDate, I: floorDiv(v.I, msPerDay)}, nil
		case KindString:
			if ms, ok := parseTimestamp(v.S); ok {
				return Value{Kind: KindDate, I: floorDiv(ms, msPerDay)}, nil
			}
		}
	case KindTime:
		switch v.Kind {
		case KindTime:
			return v, nil
		case KindTimestamp:
			return TimeOfDay(v.I - floorDiv(v.I, msPerDay)*msPerDay), nil
		case KindString:
			if ms, ok := parseTimeOfDay(v.S); ok {
				return TimeOfDay(ms), nil
			}
		}
	case KindIntervalDS, KindIntervalYM:
		if v.Kind == t.Kind {
			return v, nil
		}
	}
	return Null, castError(v, t)
}

func truncRunes(s string, n int) string {
	i := 0
	for k := range s {
		if i == n {
			return s[:k]
		}
		i++
	}
	return s
}

// castable reports whether CAST from type a to type b can succeed for some value.
func castable(a, b Type) bool {
	if a.Kind == KindNull || a.Kind == KindString || b.Kind == KindString {
		return a.Kind != KindIntervalDS && a.Kind != KindIntervalYM || b.Kind == KindString || a.Kind == b.Kind
	}
	if isNumeric(a.Kind) && isNumeric(b.Kind) {
		return true
	}
	switch b.Kind {
	case KindBool:
		return a.Kind == KindBool
	case KindInt:
		return a.Kind == KindBool
	case KindTimestamp, KindDate:
		return a.Kind == KindTimestamp || a.Kind == KindDate
	case KindTime:
		return a.Kind == KindTime || a.Kind == KindTimestamp
	}
	return a.Kind == b.Kind
}

// assignable reports whether a value of type a may be stored in a column of type b: the
// same family (numbers, characters, or the same datetime kind). sqlref CREATE PUMP says the
// column lists "need to match in terms of datatype"; Eddy converts within a family.
func assignable(a, b Type) bool {
	if a.Kind == KindNull {
		return true
	}
	if isNumeric(a.Kind) && isNumeric(b.Kind) {
		return true
	}
	if a.Kind == KindTimestamp && b.Kind == KindDate || a.Kind == KindDate && b.Kind == KindTimestamp {
		return true
	}
	return a.Kind == b.Kind
}
