package awscbor

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"
)

// Timestamps are limited to years 1 through 9999, the range RFC 3339 and the
// AWS SDKs can print, so every accepted value converts exactly between
// seconds, milliseconds and time.Time without overflow.
const (
	minEpochSec = -62135596800 // 0001-01-01T00:00:00Z
	maxEpochSec = 253402300799 // 9999-12-31T23:59:59Z
)

var errTimeRange = errors.New("timestamp outside years 1-9999")

// epochTime converts a generic number (as decoded from a tag-1 item or an
// untagged number) into a UTC time.Time, interpreting it in unit.
func epochTime(v any, unit TimeUnit) (time.Time, error) {
	switch n := v.(type) {
	case int64:
		return timeFromInt(n, unit)
	case float64:
		return timeFromFloat(n, unit)
	case uint64, json.Number:
		return time.Time{}, errTimeRange
	}
	return time.Time{}, fmt.Errorf("epoch time must be a number, not %s", kindName(v))
}

func timeFromInt(n int64, unit TimeUnit) (time.Time, error) {
	if unit == EpochSeconds {
		if n < minEpochSec || n > maxEpochSec {
			return time.Time{}, errTimeRange
		}
		return time.Unix(n, 0).UTC(), nil
	}
	if n < minEpochSec*1000 || n > maxEpochSec*1000+999 {
		return time.Time{}, errTimeRange
	}
	return time.UnixMilli(n).UTC(), nil
}

func timeFromFloat(f float64, unit TimeUnit) (time.Time, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return time.Time{}, fmt.Errorf("epoch time %v is not finite", f)
	}
	// Split into a whole number of units and a fraction; both steps are
	// exact for doubles in range, then the fraction is rounded to the
	// nearest nanosecond.
	perUnit, lo, hi := 1e9, float64(minEpochSec), float64(maxEpochSec)+1
	if unit != EpochSeconds {
		perUnit, lo, hi = 1e6, lo*1000, hi*1000
	}
	if f < lo || f >= hi {
		return time.Time{}, errTimeRange
	}
	whole := math.Floor(f)
	frac := int64(math.Round((f - whole) * perUnit))
	w := int64(whole)
	if frac >= int64(perUnit) {
		w++
		frac -= int64(perUnit)
	}
	if unit == EpochSeconds {
		if w > maxEpochSec {
			return time.Time{}, errTimeRange
		}
		return time.Unix(w, frac).UTC(), nil
	}
	if w > maxEpochSec*1000+999 {
		return time.Time{}, errTimeRange
	}
	sec, ms := w/1000, w%1000
	if ms < 0 {
		sec, ms = sec-1, ms+1000
	}
	return time.Unix(sec, ms*1e6+frac).UTC(), nil
}

// appendTime appends t as tag 1 in unit.
func appendTime(b []byte, t time.Time, unit TimeUnit) ([]byte, error) {
	sec := t.Unix()
	if sec < minEpochSec || sec > maxEpochSec {
		return b, &MarshalError{Msg: "time " + t.String(), Err: errTimeRange}
	}
	b = append(b, majorTag<<5|1)
	if unit != EpochSeconds {
		return appendInt(b, t.UnixMilli()), nil
	}
	if ns := t.Nanosecond(); ns != 0 {
		return appendFloat(b, float64(sec)+float64(ns)/1e9), nil
	}
	return appendInt(b, sec), nil
}

// epochSeconds formats t as an exact decimal number of seconds, the AWS JSON
// 1.1 timestamp form: "1700000000", "1700000000.123", "-0.5".
func epochSeconds(t time.Time) string {
	sec, ns := t.Unix(), int64(t.Nanosecond())
	if ns == 0 {
		return strconv.FormatInt(sec, 10)
	}
	sign := ""
	if sec < 0 {
		sign, sec, ns = "-", -(sec + 1), 1e9-ns
	}
	frac := strconv.FormatInt(1e9+ns, 10)[1:] // nine digits, zero-padded
	for frac[len(frac)-1] == '0' {
		frac = frac[:len(frac)-1]
	}
	return sign + strconv.FormatInt(sec, 10) + "." + frac
}
