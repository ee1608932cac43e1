package metrics_test

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file holds a deliberately strict parser for the text exposition
// format as this package writes it. It accepts only what WriteText should
// produce: every family opens with "# HELP name text" then "# TYPE name
// type", families are sorted and appear once, each has at least one sample,
// samples carry no timestamp, escapes are only the legal ones, no series
// repeats, and histograms are complete and consistent.

type parsedFamily struct {
	name, help, typ string
	samples         []parsedSample
}

type parsedSample struct {
	name   string
	labels [][2]string // name, value; in line order
	value  float64
}

func (s parsedSample) label(name string) (string, bool) {
	for _, l := range s.labels {
		if l[0] == name {
			return l[1], true
		}
	}
	return "", false
}

// key identifies the series: the sample name and its labels in name order,
// leaving out the label skip.
func (s parsedSample) key(skip string) string {
	ls := slices.Clone(s.labels)
	slices.SortFunc(ls, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	var b strings.Builder
	b.WriteString(s.name)
	for _, l := range ls {
		if l[0] != skip {
			fmt.Fprintf(&b, "\x00%s\x00%s", l[0], l[1])
		}
	}
	return b.String()
}

var (
	metricNameRE = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)
	labelNameRE  = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)
	numberRE     = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?(e[+-][0-9]+)?$`)
)

// parseText parses a whole exposition strictly.
func parseText(text string) ([]*parsedFamily, error) {
	if text == "" {
		return nil, nil
	}
	if !strings.HasSuffix(text, "\n") {
		return nil, errors.New("output does not end with a newline")
	}
	var fams []*parsedFamily
	var cur *parsedFamily
	seenSeries := map[string]bool{}
	for n, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		fail := func(format string, args ...any) error {
			return fmt.Errorf("line %d %q: %s", n+1, line, fmt.Sprintf(format, args...))
		}
		switch {
		case strings.HasPrefix(line, "# HELP "):
			name, help, ok := strings.Cut(line[len("# HELP "):], " ")
			if !ok {
				return nil, fail("HELP without a space after the name")
			}
			if !metricNameRE.MatchString(name) {
				return nil, fail("invalid metric name")
			}
			if cur != nil {
				if cur.typ == "" {
					return nil, fail("previous family %s has no TYPE", cur.name)
				}
				if len(cur.samples) == 0 {
					return nil, fail("previous family %s has no samples", cur.name)
				}
				if name <= cur.name {
					return nil, fail("family %s not after %s (repeated or unsorted)", name, cur.name)
				}
			}
			h, err := unescape(help, false)
			if err != nil {
				return nil, fail("help: %v", err)
			}
			cur = &parsedFamily{name: name, help: h}
			fams = append(fams, cur)
		case strings.HasPrefix(line, "# TYPE "):
			name, typ, ok := strings.Cut(line[len("# TYPE "):], " ")
			if !ok || cur == nil || name != cur.name {
				return nil, fail("TYPE not directly after the family's HELP")
			}
			if cur.typ != "" || len(cur.samples) > 0 {
				return nil, fail("TYPE repeated or after samples")
			}
			switch typ {
			case "counter", "gauge", "histogram", "untyped":
			default:
				return nil, fail("unknown type %q", typ)
			}
			cur.typ = typ
		case strings.HasPrefix(line, "#"):
			return nil, fail("unexpected comment")
		default:
			if cur == nil || cur.typ == "" {
				return nil, fail("sample before HELP and TYPE")
			}
			s, err := parseSampleLine(line)
			if err != nil {
				return nil, fail("%v", err)
			}
			if !belongs(cur, s.name) {
				return nil, fail("sample %s does not belong to %s family %s", s.name, cur.typ, cur.name)
			}
			if k := s.key(""); seenSeries[k] {
				return nil, fail("duplicate series")
			} else {
				seenSeries[k] = true
			}
			cur.samples = append(cur.samples, s)
		}
	}
	if cur.typ == "" || len(cur.samples) == 0 {
		return nil, fmt.Errorf("last family %s has no TYPE or no samples", cur.name)
	}
	for _, f := range fams {
		if f.typ == "histogram" {
			if err := checkHistogram(f); err != nil {
				return nil, fmt.Errorf("histogram %s: %v", f.name, err)
			}
		}
	}
	return fams, nil
}

// belongs reports whether a sample called name is part of family f.
func belongs(f *parsedFamily, name string) bool {
	if f.typ != "histogram" {
		return name == f.name
	}
	suffix, ok := strings.CutPrefix(name, f.name)
	return ok && (suffix == "_bucket" || suffix == "_sum" || suffix == "_count")
}

// parseSampleLine parses `name{l="v",...} value`.
func parseSampleLine(line string) (parsedSample, error) {
	var s parsedSample
	i := strings.IndexAny(line, "{ ")
	if i < 0 {
		return s, errors.New("no value")
	}
	s.name = line[:i]
	if !metricNameRE.MatchString(s.name) {
		return s, errors.New("invalid metric name")
	}
	rest := line[i:]
	if rest[0] == '{' {
		rest = rest[1:]
		for {
			eq := strings.IndexByte(rest, '=')
			if eq < 0 {
				return s, errors.New("label without '='")
			}
			name := rest[:eq]
			if !labelNameRE.MatchString(name) || strings.HasPrefix(name, "__") {
				return s, fmt.Errorf("invalid label name %q", name)
			}
			if _, dup := s.label(name); dup {
				return s, fmt.Errorf("repeated label %s", name)
			}
			rest = rest[eq+1:]
			if !strings.HasPrefix(rest, `"`) {
				return s, errors.New("label value not quoted")
			}
			end := closingQuote(rest)
			if end < 0 {
				return s, errors.New("unterminated label value")
			}
			value, err := unescape(rest[1:end], true)
			if err != nil {
				return s, fmt.Errorf("label %s: %v", name, err)
			}
			s.labels = append(s.labels, [2]string{name, value})
			rest = rest[end+1:]
			if strings.HasPrefix(rest, "}") {
				rest = rest[1:]
				break
			}
			if !strings.HasPrefix(rest, ",") || strings.HasPrefix(rest, ",}") {
				return s, errors.New("bad separator after label value")
			}
			rest = rest[1:]
		}
	}
	v, ok := strings.CutPrefix(rest, " ")
	if !ok {
		return s, errors.New("no space before the value")
	}
	f, err := parseValue(v)
	if err != nil {
		return s, err
	}
	s.value = f
	return s, nil
}

// closingQuote returns the index in s (which starts with a quote) of the
// unescaped closing quote, or -1.
func closingQuote(s string) int {
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return -1
}

// unescape undoes the format's escaping: \\ and \n, and \" if quoted (label
// values). Any other backslash, a raw newline, or (in a label value) a raw
// quote is an error, as is invalid UTF-8.
func unescape(s string, quoted bool) (string, error) {
	if !utf8.ValidString(s) {
		return "", errors.New("not valid UTF-8")
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\n':
			return "", errors.New("raw newline")
		case c == '"' && quoted:
			return "", errors.New("raw quote")
		case c != '\\':
			b.WriteByte(c)
			continue
		}
		if i+1 == len(s) {
			return "", errors.New("trailing backslash")
		}
		i++
		switch s[i] {
		case '\\':
			b.WriteByte('\\')
		case 'n':
			b.WriteByte('\n')
		case '"':
			if !quoted {
				return "", errors.New(`\" in help`)
			}
			b.WriteByte('"')
		default:
			return "", fmt.Errorf("bad escape \\%c", s[i])
		}
	}
	return b.String(), nil
}

// parseValue accepts exactly the value forms WriteText writes.
func parseValue(v string) (float64, error) {
	switch v {
	case "+Inf":
		return math.Inf(1), nil
	case "-Inf":
		return math.Inf(-1), nil
	case "NaN":
		return math.NaN(), nil
	}
	if !numberRE.MatchString(v) {
		return 0, fmt.Errorf("malformed value %q", v)
	}
	return strconv.ParseFloat(v, 64)
}

// checkHistogram checks each series of a histogram family: buckets with
// increasing le ending at +Inf, non-decreasing counts, one _sum and one
// _count equal to the +Inf bucket.
func checkHistogram(f *parsedFamily) error {
	type hist struct {
		les, counts   []float64
		sums, nCounts int
		count         float64
	}
	byKey := map[string]*hist{}
	get := func(s parsedSample) *hist {
		k := strings.TrimPrefix(s.key("le"), s.name)
		if byKey[k] == nil {
			byKey[k] = &hist{}
		}
		return byKey[k]
	}
	for _, s := range f.samples {
		le, hasLe := s.label("le")
		h := get(s)
		switch strings.TrimPrefix(s.name, f.name) {
		case "_bucket":
			if !hasLe {
				return errors.New("bucket without le")
			}
			b, err := parseValue(le)
			if err != nil || math.IsNaN(b) {
				return fmt.Errorf("bad le %q", le)
			}
			if n := len(h.les); n > 0 && !(h.les[n-1] < b) {
				return fmt.Errorf("le %q not increasing", le)
			}
			if n := len(h.counts); n > 0 && s.value < h.counts[n-1] {
				return fmt.Errorf("bucket le=%q count decreases", le)
			}
			h.les = append(h.les, b)
			h.counts = append(h.counts, s.value)
		case "_sum":
			if hasLe {
				return errors.New("_sum with le")
			}
			h.sums++
		case "_count":
			if hasLe {
				return errors.New("_count with le")
			}
			h.nCounts++
			h.count = s.value
		}
	}
	for k, h := range byKey {
		n := len(h.les)
		switch {
		case n == 0 || !math.IsInf(h.les[n-1], 1):
			return fmt.Errorf("series %q has no +Inf bucket", k)
		case h.sums != 1 || h.nCounts != 1:
			return fmt.Errorf("series %q has %d _sum and %d _count", k, h.sums, h.nCounts)
		case h.count != h.counts[n-1]:
			return fmt.Errorf("series %q: _count %v != +Inf bucket %v", k, h.count, h.counts[n-1])
		}
	}
	return nil
}
