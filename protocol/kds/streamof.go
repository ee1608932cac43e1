package kds

import (
	"reflect"
	"strings"
	"sync"
)

// StreamOf returns the name of the stream a request addresses, for logs
// and metrics: its StreamName member, or else the stream named in its
// StreamARN, ConsumerARN or ResourceARN member (a stream or consumer ARN,
// arn:aws:kinesis:<region>:<account>:stream/<name>[/consumer/...]). It
// returns "" for an input that names no stream (ListStreams), for a member
// that is absent, and for an ARN that does not parse; it does not validate.
//
// in is a pointer to any input struct of this package; anything else gives
// "". The members are found by name once per type, so StreamOf needs no
// code per operation.
func StreamOf(in any) string {
	v := reflect.ValueOf(in)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return ""
	}
	v = v.Elem()
	fields := streamFieldsOf(v.Type())
	if i := fields.name; i >= 0 {
		if s := stringField(v.Field(i)); s != "" {
			return s
		}
	}
	for _, i := range fields.arns {
		if name := streamFromARN(stringField(v.Field(i))); name != "" {
			return name
		}
	}
	return ""
}

// streamFields are the indexes of the members of an input struct that name
// a stream: StreamName (-1 if none), then the ARN members in the order
// StreamOf tries them.
type streamFields struct {
	name int
	arns []int
}

var streamFieldsCache sync.Map // reflect.Type -> *streamFields

func streamFieldsOf(t reflect.Type) *streamFields {
	if f, ok := streamFieldsCache.Load(t); ok {
		return f.(*streamFields)
	}
	f := &streamFields{name: -1}
	index := func(name string) int {
		sf, ok := t.FieldByName(name)
		if !ok || len(sf.Index) != 1 || !isStringish(sf.Type) {
			return -1
		}
		return sf.Index[0]
	}
	f.name = index("StreamName")
	for _, name := range []string{"StreamARN", "ConsumerARN", "ResourceARN"} {
		if i := index(name); i >= 0 {
			f.arns = append(f.arns, i)
		}
	}
	streamFieldsCache.Store(t, f)
	return f
}

// isStringish reports whether t is a string or a pointer to one.
func isStringish(t reflect.Type) bool {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Kind() == reflect.String
}

// stringField returns the string in v, a string or *string field; "" for
// nil.
func stringField(v reflect.Value) string {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return ""
		}
		v = v.Elem()
	}
	return v.String()
}

// streamFromARN returns the stream name in a Kinesis stream or consumer
// ARN, or "" if arn is not one.
func streamFromARN(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "kinesis" {
		return ""
	}
	rest, ok := strings.CutPrefix(parts[5], "stream/")
	if !ok {
		return ""
	}
	name, _, _ := strings.Cut(rest, "/")
	return name
}

// AccountOf returns the account named by a request's StreamARN,
// ConsumerARN or ResourceARN member (the first present that is a Kinesis
// ARN), or "" if it names none: the account whose stream the request is
// for, when it names one by ARN.
func AccountOf(in any) string {
	v := reflect.ValueOf(in)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return ""
	}
	v = v.Elem()
	for _, i := range streamFieldsOf(v.Type()).arns {
		parts := strings.SplitN(stringField(v.Field(i)), ":", 6)
		if len(parts) == 6 && parts[0] == "arn" && parts[2] == "kinesis" && parts[4] != "" {
			return parts[4]
		}
	}
	return ""
}
