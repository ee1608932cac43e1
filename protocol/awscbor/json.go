package awscbor

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"time"
)

// toJSON renders a generic value (as Decode returns it) as AWS JSON 1.1
// text. It rewrites v in place: timestamps become epoch-seconds numbers.
// encoding/json then writes []byte as base64 and sorts map keys.
func toJSON(v any) ([]byte, error) {
	v, err := jsonShape(v)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("cbor: to JSON: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func jsonShape(v any) (any, error) {
	switch x := v.(type) {
	case time.Time:
		return json.Number(epochSeconds(x)), nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("cbor: to JSON: float %v has no JSON form", x)
		}
	case []any:
		for i, el := range x {
			s, err := jsonShape(el)
			if err != nil {
				return nil, err
			}
			x[i] = s
		}
	case map[string]any:
		for k, el := range x {
			s, err := jsonShape(el)
			if err != nil {
				return nil, err
			}
			x[k] = s
		}
	}
	return v, nil
}
