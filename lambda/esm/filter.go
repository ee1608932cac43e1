package esm

import (
	"encoding/json"
	"strings"

	"github.com/eddy-streams/eddy/protocol/kds"
	lp "github.com/eddy-streams/eddy/protocol/lambda"
)

// FilterCriteria, after the Lambda developer guide's "Control which events
// Lambda sends to your function" (invocation-eventfiltering.html): a
// record is sent when any filter's pattern matches it, and a record no
// filter matches is dropped (checkpointed, not invoked). A pattern is a
// JSON object over the record's fields as the event shows them
// (partitionKey, sequenceNumber, ... and data, which is matched as JSON
// when the record's data is a JSON object); each leaf is an array of
// alternatives: a value (string, number, boolean, null) matched exactly,
// or one of {"prefix": "s"}, {"suffix": "s"}, {"exists": bool},
// {"anything-but": [values]}, {"numeric": [op, n, op, n]}, {"equals-ignore-case": "s"}.
// Other operators match nothing (Eddy does not implement them).

// filters is a mapping's compiled FilterCriteria; nil matches everything.
type filters []map[string]any

func compileFilters(fc *lp.FilterCriteria) filters {
	if fc == nil || len(fc.Filters) == 0 {
		return nil
	}
	var fs filters
	for _, f := range fc.Filters {
		var p map[string]any
		if json.Unmarshal([]byte(f.Pattern), &p) == nil {
			fs = append(fs, p)
		}
	}
	return fs
}

// match reports whether r passes the filters.
func (fs filters) match(r *kds.Record) bool {
	if fs == nil {
		return true
	}
	doc := map[string]any{
		"partitionKey":         r.PartitionKey,
		"sequenceNumber":       r.SequenceNumber,
		"kinesisSchemaVersion": "1.0",
	}
	var data any
	if json.Unmarshal(r.Data, &data) == nil {
		if _, ok := data.(map[string]any); ok {
			doc["data"] = data
		}
	}
	for _, p := range fs {
		if matchObject(p, doc) {
			return true
		}
	}
	return false
}

func matchObject(pattern, doc map[string]any) bool {
	for k, want := range pattern {
		v, present := doc[k]
		switch w := want.(type) {
		case map[string]any:
			sub, ok := v.(map[string]any)
			if !ok || !matchObject(w, sub) {
				return false
			}
		case []any:
			if !matchAlternatives(w, v, present) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func matchAlternatives(alts []any, v any, present bool) bool {
	for _, a := range alts {
		if op, ok := a.(map[string]any); ok {
			if matchOperator(op, v, present) {
				return true
			}
			continue
		}
		if present && equal(a, v) {
			return true
		}
	}
	return false
}

func equal(a, v any) bool {
	if vs, ok := v.([]any); ok { // an array matches when any element does
		for _, e := range vs {
			if equal(a, e) {
				return true
			}
		}
		return false
	}
	return a == v
}

func matchOperator(op map[string]any, v any, present bool) bool {
	if len(op) != 1 {
		return false
	}
	for name, arg := range op {
		switch name {
		case "exists":
			b, ok := arg.(bool)
			return ok && b == present
		case "prefix":
			s, ok1 := arg.(string)
			x, ok2 := v.(string)
			return present && ok1 && ok2 && strings.HasPrefix(x, s)
		case "suffix":
			s, ok1 := arg.(string)
			x, ok2 := v.(string)
			return present && ok1 && ok2 && strings.HasSuffix(x, s)
		case "equals-ignore-case":
			s, ok1 := arg.(string)
			x, ok2 := v.(string)
			return present && ok1 && ok2 && strings.EqualFold(x, s)
		case "anything-but":
			if !present {
				return false
			}
			list, ok := arg.([]any)
			if !ok {
				list = []any{arg}
			}
			for _, a := range list {
				if equal(a, v) {
					return false
				}
			}
			return true
		case "numeric":
			n, ok := v.(float64)
			conds, ok2 := arg.([]any)
			if !present || !ok || !ok2 || len(conds)%2 != 0 {
				return false
			}
			for i := 0; i < len(conds); i += 2 {
				o, _ := conds[i].(string)
				x, ok := conds[i+1].(float64)
				if !ok {
					return false
				}
				var pass bool
				switch o {
				case "=":
					pass = n == x
				case "<":
					pass = n < x
				case "<=":
					pass = n <= x
				case ">":
					pass = n > x
				case ">=":
					pass = n >= x
				}
				if !pass {
					return false
				}
			}
			return true
		}
	}
	return false
}
