package httpapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"reflect"
	"strings"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/protocol/awscbor"
)

// Content types of the two AWS protocols served. A response is always in
// the request's content type.
const (
	contentTypeJSON = "application/x-amz-json-1.1"
	contentTypeCBOR = "application/x-amz-cbor-1.1"
)

// codec is one wire encoding of the request and response structs.
type codec struct {
	contentType string
	marshal     func(dst *bytes.Buffer, v any) error
	unmarshal   func(body []byte, v any) error
	// isObject reports whether body starts with an object (JSON) or map
	// (CBOR), the only top-level shape an input can have.
	isObject func(body []byte) bool
	// wellFormed reports whether body is one well-formed object (JSON) or
	// map (CBOR), for a body no input is decoded from.
	wellFormed func(body []byte) bool
	// classify sorts an unmarshal error of body: malformed input, a value
	// of the wrong type (te non-nil), or neither.
	classify func(body []byte, err error) (malformed bool, te *typeError)
	// locate, if set, finds the first value of body that does not fit the
	// input in (see jsonMismatch), where classify cannot tell which it is.
	locate func(body []byte, in any) *typeError
}

var jsonCodec = &codec{
	contentType: contentTypeJSON,
	marshal:     marshalJSON,
	unmarshal:   json.Unmarshal,
	isObject: func(body []byte) bool {
		b := bytes.TrimLeft(body, " \t\r\n")
		return len(b) > 0 && b[0] == '{'
	},
	wellFormed: func(body []byte) bool {
		b := bytes.TrimLeft(body, " \t\r\n")
		return len(b) > 0 && b[0] == '{' && json.Valid(b)
	},
	classify: func(_ []byte, err error) (bool, *typeError) {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return true, nil
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			// Value is "string", "number", "number 1.5", "bool", "array"
			// or "object".
			kind, value := kindOther, ""
			switch v := te.Value; {
			case v == "string":
				kind = kindString
			case v == "number" || strings.HasPrefix(v, "number "):
				kind, value = kindNumber, strings.TrimPrefix(v, "number ")
			case v == "bool":
				kind = kindBool
			case v == "array":
				kind = kindArray
			case v == "object":
				kind = kindObject
			}
			return false, &typeError{found: kind, text: value, want: te.Type}
		}
		return false, nil
	},
	locate: func(body []byte, in any) *typeError {
		return jsonMismatch(body, reflect.TypeOf(in))
	},
}

var cborCodec = &codec{
	contentType: contentTypeCBOR,
	marshal:     marshalCBOR,
	unmarshal:   awscbor.Unmarshal,
	isObject: func(body []byte) bool {
		return len(body) > 0 && body[0]>>5 == 5 // major type 5: map
	},
	wellFormed: func(body []byte) bool {
		v, err := awscbor.Decode(body)
		_, isMap := v.(map[string]any)
		return err == nil && isMap
	},
	classify: func(body []byte, err error) (bool, *typeError) {
		var se *awscbor.SyntaxError
		if errors.As(err, &se) {
			return true, nil
		}
		var te *awscbor.UnmarshalTypeError
		if errors.As(err, &te) {
			// Value is "text string", "byte string", "integer 300",
			// "float 1.5", "boolean", "array", "map", "timestamp" or "null".
			kind, value := kindOther, ""
			switch v := te.Value; {
			case v == "text string":
				kind = kindString
				// The message may quote the string: read it again.
				if te.Offset >= 0 && te.Offset < int64(len(body)) {
					if s, _, err := awscbor.DecodePrefix(body[te.Offset:]); err == nil {
						value, _ = s.(string)
					}
				}
			case v == "byte string":
				kind = kindBytes
			case strings.HasPrefix(v, "integer "), strings.HasPrefix(v, "float "):
				_, value, _ = strings.Cut(v, " ")
				kind = kindNumber
			case v == "boolean":
				kind = kindBool
			case v == "array":
				kind = kindArray
			case v == "map":
				kind = kindObject
			case v == "timestamp":
				kind = kindTimestamp
			}
			return false, &typeError{found: kind, text: value, want: te.Type}
		}
		return false, nil
	},
}

// mediaType returns the media type of a Content-Type header value:
// parameters dropped, spaces trimmed, lower case.
func mediaType(contentType string) string {
	mt, _, _ := strings.Cut(contentType, ";")
	return strings.ToLower(strings.TrimSpace(mt))
}

// codecFor returns the codec for a Content-Type header value, ignoring
// parameters and case, or nil if it is neither AWS JSON 1.1 nor CBOR 1.1.
func codecFor(contentType string) *codec {
	switch mediaType(contentType) {
	case contentTypeJSON:
		return jsonCodec
	case contentTypeCBOR:
		return cborCodec
	}
	return nil
}

// decodeResult is the outcome of decoding a request body.
type decodeResult struct {
	// malformed is set when the body is not a well-formed object at all.
	// AWS answers that with a SerializationException without a message,
	// before it checks the signature.
	malformed bool
	// err is the error to answer with, after authentication, when the body
	// is well formed but does not fit the input: a SerializationException,
	// an *eddy.Error a custom unmarshaler returned, or (for an input type
	// the codec cannot handle at all, a bug) any other error.
	err error
}

// decode decodes body into in.
func (c *codec) decode(body []byte, in any) decodeResult {
	if !c.isObject(body) {
		// Empty, null, a scalar or an array at the top: AWS answers all of
		// these with a bare SerializationException.
		return decodeResult{malformed: true}
	}
	if c == jsonCodec {
		if f, ok := in.(fastJSONDecoder); ok && f.DecodeFastJSON(body) {
			return decodeResult{}
		}
	}
	err := c.unmarshal(body, in)
	if err == nil {
		return decodeResult{}
	}
	var ee *eddy.Error
	if errors.As(err, &ee) {
		return decodeResult{err: ee}
	}
	malformed, te := c.classify(body, err)
	if malformed {
		return decodeResult{malformed: true}
	}
	if c.locate != nil {
		if found := c.locate(body, in); found != nil {
			te = found
		}
	}
	if te != nil {
		return decodeResult{err: &eddy.Error{Code: eddy.CodeSerialization, Message: serializationMessage(te)}}
	}
	var cie base64.CorruptInputError
	if errors.As(err, &cie) {
		// encoding/json reports bad base64 in a []byte field this way;
		// locate finds the string, so this is only a fallback.
		return decodeResult{err: &eddy.Error{Code: eddy.CodeSerialization, Message: javaClass[kindString] + " can not be converted to a Blob"}}
	}
	var ue *awscbor.UnsupportedTypeError
	var je *json.UnsupportedTypeError
	var ie *json.InvalidUnmarshalError
	if errors.As(err, &ue) || errors.As(err, &je) || errors.As(err, &ie) {
		return decodeResult{err: err}
	}
	// Anything else comes from the input's own unmarshaling methods, which
	// judge the value.
	return decodeResult{err: &eddy.Error{Code: eddy.CodeSerialization, Message: err.Error()}}
}

// fastJSONDecoder is an input with a hand-written decoder for its hot path
// (protocol/kds.PutRecordsInput). DecodeFastJSON reports false, leaving the
// input zero, for anything it cannot decode exactly as encoding/json would;
// encoding/json then decodes it, or reports the exact error.
type fastJSONDecoder interface {
	DecodeFastJSON(body []byte) bool
}

// fastJSONEncoder is an output with a hand-written encoder producing the
// bytes marshalJSON would (protocol/kds.GetRecordsOutput).
type fastJSONEncoder interface {
	AppendFastJSON(dst []byte) ([]byte, error)
}

// marshalJSON encodes v into dst without the newline json.Encoder adds.
func marshalJSON(dst *bytes.Buffer, v any) error {
	if f, ok := v.(fastJSONEncoder); ok {
		return appendFast(dst, f.AppendFastJSON)
	}
	enc := json.NewEncoder(dst)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	dst.Truncate(dst.Len() - 1)
	return nil
}

// appendFast appends what a hand-written encoder writes to dst, in dst's
// free space.
func appendFast(dst *bytes.Buffer, encode func([]byte) ([]byte, error)) error {
	avail := dst.AvailableBuffer()
	b, err := encode(avail)
	if err != nil {
		return err
	}
	if dst.Len() == 0 && cap(b) > cap(avail) {
		// The encoder outgrew the buffer and allocated its own: take it
		// over rather than copy it into a buffer grown again.
		*dst = *bytes.NewBuffer(b)
		return nil
	}
	dst.Write(b)
	return nil
}

// fastCBOREncoder is an output with a hand-written encoder producing the
// bytes awscbor.Marshal would (protocol/kds.GetRecordsOutput).
type fastCBOREncoder interface {
	AppendFastCBOR(dst []byte) ([]byte, error)
}

func marshalCBOR(dst *bytes.Buffer, v any) error {
	if f, ok := v.(fastCBOREncoder); ok {
		return appendFast(dst, f.AppendFastCBOR)
	}
	b, err := awscbor.Marshal(v)
	if err != nil {
		return err
	}
	dst.Write(b)
	return nil
}
