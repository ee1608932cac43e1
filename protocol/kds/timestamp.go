package kds

import (
	"encoding/json"
	"errors"
	"math/big"
	"strconv"
	"time"
)

// Timestamp is a point in time as the Kinesis API carries it. In JSON 1.1
// it is a number of seconds since the Unix epoch with millisecond precision
// (1700000000.123); protocol/awscbor treats it as a time.Time, so the same
// structs encode CBOR timestamps (tag 1, milliseconds).
//
// The zero Timestamp is the zero time.Time; optional timestamp members are
// *Timestamp, or Timestamp with omitzero.
type Timestamp time.Time

// NewTimestamp returns a pointer to t as a Timestamp, for optional members.
func NewTimestamp(t time.Time) *Timestamp {
	ts := Timestamp(t)
	return &ts
}

// Time returns t as a time.Time.
func (t Timestamp) Time() time.Time { return time.Time(t) }

// IsZero reports whether t is the zero time, so that omitzero omits it.
func (t Timestamp) IsZero() bool { return time.Time(t).IsZero() }

// MarshalJSON writes t as epoch seconds: an integer when t falls on a whole
// second, otherwise with exactly three decimals. Precision below a
// millisecond is dropped, rounding toward the past. It never uses an
// exponent.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	return appendEpochSeconds(make([]byte, 0, 24), time.Time(t).UnixMilli()), nil
}

func appendEpochSeconds(b []byte, ms int64) []byte {
	if ms < 0 {
		b = append(b, '-')
		// -ms overflows only at MinInt64, which no time.Time reaches.
		ms = -ms
	}
	b = strconv.AppendInt(b, ms/1000, 10)
	if frac := ms % 1000; frac != 0 {
		b = append(b, '.', byte('0'+frac/100), byte('0'+frac/10%10), byte('0'+frac%10))
	}
	return b
}

// Timestamps are limited to years 1 through 9999, as in protocol/awscbor.
const (
	minEpochSec = -62135596800 // 0001-01-01T00:00:00Z
	maxEpochSec = 253402300799 // 9999-12-31T23:59:59Z
)

var (
	errTimestampType  = errors.New("kds: timestamp must be a JSON number of epoch seconds")
	errTimestampRange = errors.New("kds: timestamp outside years 1-9999")
)

// UnmarshalJSON reads a JSON number of epoch seconds, integer or
// fractional (an exponent is accepted), rounding to the nearest
// nanosecond. null leaves t unchanged, as encoding/json does.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	sec, nsec, err := parseEpochSeconds(b)
	if err != nil {
		return err
	}
	*t = Timestamp(time.Unix(sec, nsec).UTC())
	return nil
}

// parseEpochSeconds parses a JSON number exactly, without going through a
// float64, so 1700000000.123 is 123 ms and not 122.99999 ms.
func parseEpochSeconds(b []byte) (sec, nsec int64, err error) {
	if len(b) == 0 || len(b) > 64 || !json.Valid(b) || (b[0] != '-' && (b[0] < '0' || b[0] > '9')) {
		return 0, 0, errTimestampType
	}
	s := string(b)
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	mant, exp := s, 0
	for i := 0; i < len(s); i++ {
		if s[i] == 'e' || s[i] == 'E' {
			mant = s[:i]
			e, perr := strconv.Atoi(s[i+1:])
			if perr != nil || e > 40 || e < -40 {
				return 0, 0, errTimestampRange
			}
			exp = e
			break
		}
	}
	digits, scale := mant, 0
	for i := 0; i < len(mant); i++ {
		if mant[i] == '.' {
			digits = mant[:i] + mant[i+1:]
			scale = len(mant) - i - 1
			break
		}
	}
	// value = digits * 10^(exp-scale); in nanoseconds, 10^(exp-scale+9).
	ns, ok := new(big.Int).SetString(digits, 10)
	if !ok {
		return 0, 0, errTimestampType
	}
	if p := exp - scale + 9; p >= 0 {
		ns.Mul(ns, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(p)), nil))
	} else {
		div := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(-p)), nil)
		q, r := new(big.Int).QuoRem(ns, div, new(big.Int))
		if r.Lsh(r, 1).Cmp(div) >= 0 { // round half away from zero
			q.Add(q, big.NewInt(1))
		}
		ns = q
	}
	if neg {
		ns.Neg(ns)
	}
	s64, n64 := new(big.Int).DivMod(ns, big.NewInt(1e9), new(big.Int))
	if !s64.IsInt64() || s64.Int64() < minEpochSec || s64.Int64() > maxEpochSec {
		return 0, 0, errTimestampRange
	}
	return s64.Int64(), n64.Int64(), nil
}
