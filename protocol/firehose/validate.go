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

func (v *violations) add(path, value, constraint string) {
	if len(v.msgs) < maxViolations {
		v.msgs = append(v.msgs, "Value "+value+" at '"+path+"' failed to satisfy constraint: "+constraint)
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
				v.str(p, e.String(), c)
			case reflect.Int32, reflect.Int64:
				v.num(p, e.Int(), c)
			case reflect.Float64:
				if c.value != nil && !c.value.withinF(e.Float()) {
					v.add(p, "'"+strconv.FormatFloat(e.Float(), 'f', -1, 64)+"'", c.value.rangeMsg(e.Float()))
				}
			}
		case reflect.String: // an enum
			s := fv.String()
			if s == "" {
				if info.required {
					v.add(p, "null", msgNotNull)
				}
				continue
			}
			if vals := enumValues[info.enum]; info.enum != "" && !contains(vals, s) {
				v.add(p, "'"+s+"'", msgEnum(vals))
			}
		case reflect.Slice:
			if fv.IsNil() {
				if info.required {
					v.add(p, "null", msgNotNull)
				}
				continue
			}
			n := int64(fv.Len())
			if fv.Type().Elem().Kind() == reflect.Uint8 { // a blob
				if c.length != nil && !c.length.within(n) {
					v.add(p, blobValue(n), c.length.lenMsg(n))
				}
				continue
			}
			if c.length != nil && !c.length.within(n) {
				v.add(p, listValue(fv), c.length.lenMsg(n))
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
							v.add(p, listValue(fv), "Member must satisfy constraint: "+ec.elementMsg())
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
		v.add(p, "'"+s+"'", msgPattern(c.pattern))
	}
	if c.length != nil {
		if n := javaLen(s); !c.length.within(n) {
			v.add(p, "'"+s+"'", c.length.lenMsg(n))
		}
	}
}

// num checks a present integer member.
func (v *violations) num(p string, n int64, c constraint) {
	if c.value != nil && !c.value.within(n) {
		v.add(p, "'"+itoa(n)+"'", c.value.valMsg(n))
	}
}

// blobValue renders a blob as Java prints the ByteBuffer the front end
// holds (osquery issue 3568 records Firehose's "Value
// 'java.nio.HeapByteBuffer[pos=0 lim=1045710 cap=1045710]' at
// 'records.N.member.data'").
func blobValue(n int64) string {
	return "'java.nio.HeapByteBuffer[pos=0 lim=" + itoa(n) + " cap=" + itoa(n) + "]'"
}

// listValue renders a list as Java prints it: [a, b], structures by
// their Go form (the front end prints its own objects there; Eddy's
// rendering of a list of structures is its own).
func listValue(l reflect.Value) string {
	parts := make([]string, l.Len())
	for i := range parts {
		e := l.Index(i)
		if e.Kind() == reflect.String {
			parts[i] = e.String()
		} else {
			parts[i] = e.Type().Name()
		}
	}
	return "'[" + strings.Join(parts, ", ") + "]'"
}

func contains(vals []string, s string) bool {
	for _, x := range vals {
		if x == s {
			return true
		}
	}
	return false
}
