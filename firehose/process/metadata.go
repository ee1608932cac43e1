package process

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/itchyny/gojq"
)

// CodeMetadataExtractionFailed is the error code of a record
// MetadataExtraction could not take partition keys from. Users' error
// output records it ("DynamicPartitioning.MetadataExtractionFailed: Non
// JSON record provided"); AWS's pages say only that such records go to the
// error output "organized based on the error type"
// (dynamic-partitioning-error-handling.html).
const CodeMetadataExtractionFailed = "DynamicPartitioning.MetadataExtractionFailed"

// MessageNonJSON is the error message for a record that is not one JSON
// value, as users have seen it in their error output.
const MessageNonJSON = "Non JSON record provided"

// JSONParsingEngine is the only JsonParsingEngine: "Currently, we only
// support jq 1.6 version" (dynamic-partitioning-partitioning-keys.html).
const JSONParsingEngine = "JQ-1.6"

// queryTimeout bounds one record's query, so that a query that never ends
// (def f: f; f) fails its records instead of stalling the stream. Firehose
// documents no such limit; the bound is Eddy's.
const queryTimeout = 5 * time.Second

// MetadataExtraction is the MetadataExtraction processor ("inline
// parsing"): MetadataExtractionQuery, a jq program such as
// {customer_id:.customer_id,device:.type.device}, runs on each record's
// JSON, and its object's members become the record's
// PartitionKeysFromQuery. String values are the keys as they are; numbers
// and booleans their JSON text. A record that is not JSON, a query that
// fails, gives no output or something other than an object, or a member
// that is null, an array or an object, sends the record to the error
// output (OutputMetadataExtractionFailed) with
// CodeMetadataExtractionFailed.
//
// The query runs on github.com/itchyny/gojq. To behave as jq 1.6 does,
// numbers are decoded as IEEE doubles (jq 1.6 has no big integers: an id
// of 2^53+1 reads back as 2^53). gojq is not jq: the error texts differ, and
// so do a few builtins (gojq has no input_filename, $__loc__ or
// getpath-with-null quirks of jq 1.6).
type MetadataExtraction struct {
	code    *gojq.Code
	clock   Clock
	timeout time.Duration
}

func newMetadataExtraction(params map[string]string, clock Clock) (Processor, error) {
	if err := onlyParams(TypeMetadataExtraction, params, ParamMetadataExtractionQuery, ParamJsonParsingEngine); err != nil {
		return nil, err
	}
	if e := params[ParamJsonParsingEngine]; e != JSONParsingEngine {
		return nil, eddy.Errorf(eddy.CodeInvalidArgument, "JsonParsingEngine must be %s.", JSONParsingEngine)
	}
	q, ok := params[ParamMetadataExtractionQuery]
	if !ok || q == "" {
		return nil, eddy.Errorf(eddy.CodeInvalidArgument, "MetadataExtractionQuery is required for MetadataExtraction.")
	}
	m, err := NewMetadataExtraction(q)
	if err != nil {
		return nil, err
	}
	m.clock = clock
	return m, nil
}

// NewMetadataExtraction compiles query; an invalid query is an
// InvalidArgumentException.
func NewMetadataExtraction(query string) (*MetadataExtraction, error) {
	parsed, err := gojq.Parse(query)
	if err != nil {
		return nil, eddy.Errorf(eddy.CodeInvalidArgument, "MetadataExtractionQuery is not a valid jq expression: %v", err)
	}
	code, err := gojq.Compile(parsed)
	if err != nil {
		return nil, eddy.Errorf(eddy.CodeInvalidArgument, "MetadataExtractionQuery is not a valid jq expression: %v", err)
	}
	return &MetadataExtraction{code: code, clock: realClock{}, timeout: queryTimeout}, nil
}

func (m *MetadataExtraction) Process(ctx context.Context, recs []Record) (Result, error) {
	var out Result
	out.Records = recs[:0:0]
	for _, r := range recs {
		if err := ctx.Err(); err != nil {
			return Result{}, err
		}
		keys, msg := m.keys(ctx, r.Data)
		if msg != "" {
			if err := ctx.Err(); err != nil {
				return Result{}, err
			}
			out.Failed = append(out.Failed, Failure{
				Record:        r,
				OutputType:    OutputMetadataExtractionFailed,
				ErrorCode:     CodeMetadataExtractionFailed,
				ErrorMessage:  msg,
				AttemptsMade:  1,
				AttemptEnding: m.clock.Now(),
			})
			continue
		}
		r.PartitionKeysFromQuery = keys
		out.Records = append(out.Records, r)
	}
	return out, nil
}

// keys runs the query on data; msg is the failure, "" on success.
func (m *MetadataExtraction) keys(ctx context.Context, data []byte) (keys map[string]string, msg string) {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, MessageNonJSON
	}
	ctx, cancel := context.WithTimeout(ctx, m.timeout)
	defer cancel()
	iter := m.code.RunWithContext(ctx, v)
	res, ok := iter.Next()
	if !ok {
		return nil, "The MetadataExtractionQuery produced no output."
	}
	if err, isErr := res.(error); isErr {
		var he *gojq.HaltError
		if errors.As(err, &he) && he.Value() == nil {
			return nil, "The MetadataExtractionQuery halted."
		}
		return nil, "The MetadataExtractionQuery failed: " + err.Error()
	}
	obj, isObj := res.(map[string]any)
	if !isObj {
		return nil, fmt.Sprintf("The MetadataExtractionQuery produced %s, not an object.", gojq.TypeOf(res))
	}
	keys = make(map[string]string, len(obj))
	for k, val := range obj {
		switch x := val.(type) {
		case string:
			keys[k] = x
		case bool, int, float64:
			b, _ := gojq.Marshal(x)
			keys[k] = string(b)
		default:
			if val == nil {
				return nil, fmt.Sprintf("The partition key %q is null.", k)
			}
			if b, isBig := val.(interface{ String() string }); isBig {
				keys[k] = b.String()
				continue
			}
			return nil, fmt.Sprintf("The partition key %q is %s, not a string or a number.", k, gojq.TypeOf(val))
		}
	}
	return keys, ""
}
