package metrics

import (
	"math"
	"strconv"
)

// This file holds the pieces of the text exposition format (version 0.0.4)
// that every family type shares: the HELP/TYPE header, sample lines, escaping
// and number formatting.

// ContentType is the Content-Type of the text exposition format that
// WriteText produces and Handler serves.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// desc is what every family has: its name, help text and type.
type desc struct {
	name string
	help string
	typ  string // "counter", "gauge", "histogram" or "untyped"
}

// appendHeader appends the family's "# HELP" and "# TYPE" lines.
func (d *desc) appendHeader(b []byte) []byte {
	b = append(b, "# HELP "...)
	b = append(b, d.name...)
	b = append(b, ' ')
	b = appendEscaped(b, d.help, false)
	b = append(b, "\n# TYPE "...)
	b = append(b, d.name...)
	b = append(b, ' ')
	b = append(b, d.typ...)
	return append(b, '\n')
}

// appendSample appends one sample line: name+suffix, then the label text
// (already rendered, without braces) and extra (one more rendered pair, used
// for le), then the value.
func appendSample(b []byte, name, suffix, labels, extra string, v float64) []byte {
	b = append(b, name...)
	b = append(b, suffix...)
	if labels != "" || extra != "" {
		b = append(b, '{')
		b = append(b, labels...)
		if labels != "" && extra != "" {
			b = append(b, ',')
		}
		b = append(b, extra...)
		b = append(b, '}')
	}
	b = append(b, ' ')
	b = appendFloat(b, v)
	return append(b, '\n')
}

// appendLabelPair appends name="value" with value escaped.
func appendLabelPair(b []byte, name, value string) []byte {
	b = append(b, name...)
	b = append(b, '=', '"')
	b = appendEscaped(b, value, true)
	return append(b, '"')
}

// renderLabels renders names[i]="values[i]" pairs joined by commas, the text
// that goes between the braces of a sample line.
func renderLabels(names, values []string) string {
	if len(names) == 0 {
		return ""
	}
	var b []byte
	for i, n := range names {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendLabelPair(b, n, values[i])
	}
	return string(b)
}

// appendEscaped appends s with backslash and newline escaped, and with double
// quote escaped too if quote is set (label values; help text leaves quotes
// alone).
func appendEscaped(b []byte, s string, quote bool) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch c := s[i]; {
		case c == '\\':
			esc = `\\`
		case c == '\n':
			esc = `\n`
		case c == '"' && quote:
			esc = `\"`
		default:
			continue
		}
		b = append(b, s[start:i]...)
		b = append(b, esc...)
		start = i + 1
	}
	return append(b, s[start:]...)
}

// appendFloat appends f as Prometheus reads it: "+Inf", "-Inf" or "NaN";
// an integer of magnitude at most 2^53 (where every integer is exact) in
// plain decimal; anything else in the shortest form that round-trips,
// with an exponent where that form is shorter.
func appendFloat(b []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, "NaN"...)
	case math.IsInf(f, 1):
		return append(b, "+Inf"...)
	case math.IsInf(f, -1):
		return append(b, "-Inf"...)
	case f == math.Trunc(f) && math.Abs(f) <= 1<<53:
		return strconv.AppendFloat(b, f, 'f', -1, 64)
	default:
		return strconv.AppendFloat(b, f, 'g', -1, 64)
	}
}
