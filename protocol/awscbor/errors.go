package awscbor

import (
	"fmt"
	"reflect"
)

// SyntaxError reports input that is not a well-formed CBOR item of the data
// model this package handles: truncated or trailing bytes, reserved
// additional information, invalid UTF-8, non-text map keys, lengths beyond the
// input, nesting beyond Options.MaxDepth, timestamps out of range.
type SyntaxError struct {
	Offset int64 // byte offset of the offending item or byte
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("cbor: offset %d: %s", e.Offset, e.Msg)
}

// UnmarshalTypeError reports a well-formed item that does not fit the Go
// value it is decoded into, such as a text string for an int field, an
// integer that overflows its field, or invalid base64 for a []byte field.
type UnmarshalTypeError struct {
	Value  string       // the CBOR item, e.g. "text string", "integer 300"
	Type   reflect.Type // the Go type it could not be stored in
	Field  string       // path from the root using JSON names, e.g. "Records[2].Data"; "" at the root
	Offset int64        // byte offset of the item
	Err    error        // underlying cause, if any (e.g. from base64 or UnmarshalJSON)
}

func (e *UnmarshalTypeError) Error() string {
	s := "cbor: cannot unmarshal " + e.Value + " into "
	if e.Field != "" {
		s += "field " + e.Field + " of "
	}
	s += "Go type " + e.Type.String() + fmt.Sprintf(" at offset %d", e.Offset)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *UnmarshalTypeError) Unwrap() error { return e.Err }

// UnsupportedTypeError is returned by Marshal and Unmarshal for Go types with
// no CBOR form: channels, functions, complex numbers, maps with non-string
// keys, interfaces with methods.
type UnsupportedTypeError struct {
	Type reflect.Type
}

func (e *UnsupportedTypeError) Error() string {
	return "cbor: unsupported type " + e.Type.String()
}

// MarshalError reports a value Marshal cannot encode: a time outside years
// 1-9999, an invalid json.Number, a failing MarshalJSON, a pointer cycle.
type MarshalError struct {
	Msg string
	Err error
}

func (e *MarshalError) Error() string {
	if e.Err != nil {
		return "cbor: " + e.Msg + ": " + e.Err.Error()
	}
	return "cbor: " + e.Msg
}

func (e *MarshalError) Unwrap() error { return e.Err }
