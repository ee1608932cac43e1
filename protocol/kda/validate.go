package kda

import (
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/eddy-streams/eddy"
)

// pattern is one of the model's string patterns: as the front end prints
// it, and as Go matches it (the whole value, as Java's matches() does).
type pattern struct {
	printed string
	re      *regexp.Regexp
}

func pat(printed, goRE string) pattern {
	return pattern{printed, regexp.MustCompile(`^(?:` + goRE + `)$`)}
}

// patterns are the model's patterns (service-2.json): ApplicationName and
// Id; ResourceARN, BucketARN and LogStreamARN; RoleARN; RecordEncoding;
// KinesisAnalyticsARN, whose possessive quantifiers (\d{1}+, \d{12}+), which
// RE2 lacks, mean the same as the plain ones on fixed counts.
var patterns = map[string]pattern{
	"name":     pat(`[a-zA-Z0-9_.-]+`, `[a-zA-Z0-9_.-]+`),
	"id":       pat(`[a-zA-Z0-9_.-]+`, `[a-zA-Z0-9_.-]+`),
	"arn":      pat(`arn:.*`, `arn:.*`),
	"role":     pat(`arn:aws:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+`, `arn:aws:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+`),
	"encoding": pat(`UTF-8`, `UTF-8`),
	"appARN": pat(`arn:aws:kinesisanalytics:[a-z]{2}-[a-z]+-\d{1}+:\d{12}+:application/[a-zA-Z0-9_.-]{1,128}`,
		`arn:aws:kinesisanalytics:[a-z]{2}-[a-z]+-\d{1}:\d{12}:application/[a-zA-Z0-9_.-]{1,128}`),
}

// enums are the model's enums, values in the model's order.
var enums = map[string][]string{
	"RecordFormatType":      {FormatJSON, FormatCSV},
	"InputStartingPosition": {PositionNow, PositionTrimHorizon, PositionLastStoppedPoint},
}

// maxViolations is how many violations the front end reports at most.
const maxViolations = 10

type violations struct{ msgs []string }

// add records a violation of the member at path whose value is shown as
// value: "null", "'text'", or "" for a list (no recording shows how the
// front end prints a list; its value is left out).
func (v *violations) add(path, value, constraint string) {
	if len(v.msgs) >= maxViolations {
		return
	}
	if value != "" {
		value += " "
	}
	v.msgs = append(v.msgs, "Value "+value+"at '"+path+"' failed to satisfy constraint: "+constraint)
}

func quote(s string) string { return "'" + s + "'" }

func (v *violations) err() error {
	switch len(v.msgs) {
	case 0:
		return nil
	case 1:
		return &eddy.Error{Code: eddy.CodeValidation, Message: "1 validation error detected: " + v.msgs[0]}
	}
	return &eddy.Error{Code: eddy.CodeValidation,
		Message: strconv.Itoa(len(v.msgs)) + " validation errors detected: " + strings.Join(v.msgs, "; ")}
}

// Constraint messages, in the front end's words (protocol/firehose has the
// recordings).
const msgNotNull = "Member must not be null"

func msgMinLen(n int64) string { return "Member must have length greater than or equal to " + itoa(n) }
func msgMaxLen(n int64) string { return "Member must have length less than or equal to " + itoa(n) }
func msgMinVal(n int64) string { return "Member must have value greater than or equal to " + itoa(n) }
func msgMaxVal(n int64) string { return "Member must have value less than or equal to " + itoa(n) }
func msgPattern(p string) string {
	return "Member must satisfy regular expression pattern: " + p
}
func msgEnum(values []string) string {
	return "Member must satisfy enum value set: [" + strings.Join(values, ", ") + "]"
}
func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// javaLen is the length of s in UTF-16 code units, as Java counts it.
func javaLen(s string) int64 {
	n := int64(0)
	for _, r := range s {
		n += int64(utf16.RuneLen(r))
	}
	return n
}

// rule is a member's parsed v tag.
type rule struct {
	required         bool
	minLen, maxLen   *int64
	minVal, maxVal   *int64
	eachMin, eachMax *int64
	pattern          string
	enum             string
}

var rules = map[reflect.Type][]rule{}

func parseRange(s string) (lo, hi *int64) {
	a, b, _ := strings.Cut(s, ":")
	if a != "" {
		n, _ := strconv.ParseInt(a, 10, 64)
		lo = &n
	}
	if b != "" {
		n, _ := strconv.ParseInt(b, 10, 64)
		hi = &n
	}
	return lo, hi
}

func parseRule(tag string) rule {
	var r rule
	for _, part := range strings.Split(tag, ",") {
		k, val, _ := strings.Cut(part, "=")
		switch k {
		case "req":
			r.required = true
		case "len":
			r.minLen, r.maxLen = parseRange(val)
		case "val":
			r.minVal, r.maxVal = parseRange(val)
		case "each":
			r.eachMin, r.eachMax = parseRange(val)
		case "pat":
			if _, ok := patterns[val]; !ok {
				panic("kda: unknown pattern " + val)
			}
			r.pattern = val
		case "enum":
			r.enum = val
		}
	}
	return r
}

// rulesOf returns the rules of t's fields, parsed once (validation runs
// after the shapes were checked by tests; the map is filled at init).
func rulesOf(t reflect.Type) []rule {
	if rs, ok := rules[t]; ok {
		return rs
	}
	rs := make([]rule, t.NumField())
	rules[t] = rs
	for i := range rs {
		rs[i] = parseRule(t.Field(i).Tag.Get("v"))
		ft := t.Field(i).Type
		for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct && ft != reflect.TypeOf(Timestamp{}) {
			rulesOf(ft)
		}
	}
	return rs
}

func init() {
	for _, in := range inputs {
		rulesOf(reflect.TypeOf(in).Elem())
	}
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// validate checks in, a pointer to an input struct, against the model.
func validate(in any) error {
	var v violations
	v.walk("", reflect.ValueOf(in).Elem())
	return v.err()
}

func (v *violations) walk(path string, sv reflect.Value) {
	st := sv.Type()
	rs := rules[st]
	for i := 0; i < st.NumField() && len(v.msgs) < maxViolations; i++ {
		r := rs[i]
		p := join(path, lowerFirst(st.Field(i).Name))
		fv := sv.Field(i)
		switch fv.Kind() {
		case reflect.Pointer:
			if fv.IsNil() {
				if r.required {
					v.add(p, "null", msgNotNull)
				}
				continue
			}
			e := fv.Elem()
			switch e.Kind() {
			case reflect.Struct:
				if _, ok := e.Interface().(Timestamp); !ok {
					v.walk(p, e)
				}
			case reflect.String:
				v.str(p, e.String(), r)
			case reflect.Int32, reflect.Int64:
				n := e.Int()
				if r.minVal != nil && n < *r.minVal {
					v.add(p, quote(itoa(n)), msgMinVal(*r.minVal))
				} else if r.maxVal != nil && n > *r.maxVal {
					v.add(p, quote(itoa(n)), msgMaxVal(*r.maxVal))
				}
			}
		case reflect.String: // an enum
			s := fv.String()
			if s == "" {
				if r.required {
					v.add(p, "null", msgNotNull)
				}
				continue
			}
			if vals := enums[r.enum]; r.enum != "" && !contains(vals, s) {
				v.add(p, quote(s), msgEnum(vals))
			}
		case reflect.Slice:
			if fv.IsNil() {
				if r.required {
					v.add(p, "null", msgNotNull)
				}
				continue
			}
			n := int64(fv.Len())
			if r.minLen != nil && n < *r.minLen {
				v.add(p, "", msgMinLen(*r.minLen))
			} else if r.maxLen != nil && n > *r.maxLen {
				v.add(p, "", msgMaxLen(*r.maxLen))
			}
			switch fv.Type().Elem().Kind() {
			case reflect.Struct:
				for j := 0; j < fv.Len() && len(v.msgs) < maxViolations; j++ {
					v.walk(p+"."+strconv.Itoa(j+1)+".member", fv.Index(j))
				}
			case reflect.String:
				for j := 0; j < fv.Len(); j++ {
					l := javaLen(fv.Index(j).String())
					if (r.eachMin != nil && l < *r.eachMin) || (r.eachMax != nil && l > *r.eachMax) {
						// Element constraints as Kinesis's front end was
						// observed to list them: the maximum first.
						v.add(p, "", "Member must satisfy constraint: ["+msgMaxLen(*r.eachMax)+", "+msgMinLen(*r.eachMin)+"]")
						break
					}
				}
			}
		}
	}
}

func (v *violations) str(p, s string, r rule) {
	if r.pattern != "" && !patterns[r.pattern].re.MatchString(s) {
		v.add(p, quote(s), msgPattern(patterns[r.pattern].printed))
	}
	n := javaLen(s)
	if r.minLen != nil && n < *r.minLen {
		v.add(p, quote(s), msgMinLen(*r.minLen))
	} else if r.maxLen != nil && n > *r.maxLen {
		v.add(p, quote(s), msgMaxLen(*r.maxLen))
	}
}

func contains(vals []string, s string) bool {
	for _, x := range vals {
		if x == s {
			return true
		}
	}
	return false
}
