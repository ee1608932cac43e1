package firehose

import (
	"reflect"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/eddy-streams/eddy"
)

// memberInfo is what the model says of one member besides its shape's
// constraints: whether it is required and which enum it is.
type memberInfo struct {
	required bool
	enum     string
}

// maxViolations is how many violations the front end reports at most.
const maxViolations = 10

// violations collects constraint failures in the order they are found.
type violations struct{ msgs []string }

// add records one violation. The value is not part of the message: the
// Firehose front end answers "Value at 'path' failed to satisfy
// constraint: ..." today (probed against the real service in 2026 and
// recorded in floci-io/floci's S3DestinationValidator.java, issue 2328),
// where recordings from 2016-2019 show the value ("Value 'NotLambda' at
// ...").
func (v *violations) add(path, constraint string) {
	if len(v.msgs) < maxViolations {
		v.msgs = append(v.msgs, "Value at '"+path+"' failed to satisfy constraint: "+constraint)
	}
}

// err returns the ValidationException for the collected failures, or nil.
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

// Constraint messages, in the front end's words.
const msgNotNull = "Member must not be null"

func msgPattern(p string) string { return "Member must satisfy regular expression pattern: " + p }
func msgMinLen(n int64) string   { return "Member must have length greater than or equal to " + itoa(n) }
func msgMaxLen(n int64) string   { return "Member must have length less than or equal to " + itoa(n) }
func msgMinVal(n int64) string   { return "Member must have value greater than or equal to " + itoa(n) }
func msgMaxVal(n int64) string   { return "Member must have value less than or equal to " + itoa(n) }
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

// lowerFirst is a member name as the front end's paths spell it.
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

// validate checks in, a pointer to an input struct, against the model and
// returns the ValidationException for what it breaks, or nil.
func validate(in any) error {
	var v violations
	v.walk("", reflect.ValueOf(in).Elem())
	return v.err()
}

// walk checks the members of the struct sv, in declaration order (the
// model's: required members first, then the others alphabetically, as the
// SDK's generator orders them; the front end's own order is not recorded
// for Firehose).
func (v *violations) walk(path string, sv reflect.Value) {
	st := sv.Type()
	for i := 0; i < st.NumField() && len(v.msgs) < maxViolations; i++ {
		f := st.Field(i)
		key := st.Name() + "." + f.Name
		info := members[key]
		c := constraints[key]
		p := join(path, lowerFirst(f.Name))
		fv := sv.Field(i)
		switch fv.Kind() {
		case reflect.Pointer:
			if fv.IsNil() {
				if info.required {
					v.add(p, msgNotNull)
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
				v.str(p, e.String(), c)
			case reflect.Int32, reflect.Int64:
				v.num(p, e.Int(), c)
			case reflect.Float64:
				if c.value != nil && !c.value.withinF(e.Float()) {
					v.add(p, c.value.rangeMsg(e.Float()))
				}
			}
		case reflect.String: // an enum
			s := fv.String()
			if s == "" {
				if info.required {
					v.add(p, msgNotNull)
				}
				continue
			}
			if vals := enumValues[info.enum]; info.enum != "" && !contains(vals, s) {
				v.add(p, msgEnum(enumOrder(info.enum, vals)))
			}
		case reflect.Slice:
			if fv.IsNil() {
				if info.required {
					v.add(p, msgNotNull)
				}
				continue
			}
			n := int64(fv.Len())
			if fv.Type().Elem().Kind() == reflect.Uint8 { // a blob
				if c.length != nil && !c.length.within(n) {
					v.add(p, c.length.lenMsg(n))
				}
				continue
			}
			if c.length != nil && !c.length.within(n) {
				v.add(p, c.length.lenMsg(n))
			}
			switch fv.Type().Elem().Kind() {
			case reflect.Struct:
				for j := 0; j < fv.Len() && len(v.msgs) < maxViolations; j++ {
					v.walk(p+"."+strconv.Itoa(j+1)+".member", fv.Index(j))
				}
			case reflect.String:
				if ec, ok := constraints[key+"[]"]; ok {
					for j := 0; j < fv.Len(); j++ {
						if s := fv.Index(j).String(); !ec.ok(s) {
							v.add(p, "Member must satisfy constraint: "+ec.elementMsg())
							break
						}
					}
				}
			}
		}
	}
}

// str checks a present string member.
func (v *violations) str(p, s string, c constraint) {
	if c.match != nil && !c.match(s) {
		v.add(p, msgPattern(c.pattern))
	}
	if c.length != nil {
		if n := javaLen(s); !c.length.within(n) {
			v.add(p, c.length.lenMsg(n))
		}
	}
}

// num checks a present integer member.
func (v *violations) num(p string, n int64, c constraint) {
	if c.value != nil && !c.value.within(n) {
		v.add(p, c.value.valMsg(n))
	}
}

// printedOrder is the order the front end lists an enum's values in, where
// it was probed (floci-io/floci S3DestinationValidator.java, recorded from
// the real service in 2026): neither the model's order nor alphabetical.
// Other enums are listed in the model's order.
var printedOrder = map[string][]string{
	"CompressionFormat":    {"ZIP", "HADOOP_SNAPPY", "Snappy", "GZIP", "UNCOMPRESSED"},
	"ParquetCompression":   {"SNAPPY", "GZIP", "UNCOMPRESSED"},
	"ParquetWriterVersion": {"V1", "V2"},
	"OrcCompression":       {"ZLIB", "SNAPPY", "NONE"},
	"OrcFormatVersion":     {"V0_11", "V0_12"},
	"ProcessorType": {"Decompression", "Lambda", "RecordDeAggregation", "MetadataExtraction",
		"AppendDelimiterToRecord", "CloudWatchLogProcessing"},
	"ProcessorParameterName": {"DataMessageExtraction", "NumberOfRetries", "Delimiter", "RoleArn", "JsonParsingEngine",
		"SubRecordType", "MetadataExtractionQuery", "BufferIntervalInSeconds", "LambdaArn", "BufferSizeInMBs", "CompressionFormat"},
}

// enumOrder returns the values of enum as the front end lists them: the
// probed order when it has the same values as the model, else the model's.
func enumOrder(enum string, model []string) []string {
	if p, ok := printedOrder[enum]; ok && len(p) == len(model) {
		for _, v := range model {
			if !contains(p, v) {
				return model
			}
		}
		return p
	}
	return model
}

func contains(vals []string, s string) bool {
	for _, x := range vals {
		if x == s {
			return true
		}
	}
	return false
}
