package process

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/client/kpl"
)

// MaxSubRecords is how many sub-records RecordDeAggregation splits one
// record into at most: "Record deaggregation by JSON or by delimiter is
// capped at 500 per record"
// (docs.aws.amazon.com/firehose/latest/dev/dynamic-partitioning-multirecord-deaggergation.html).
// AWS does not document what happens past the cap; users report that "a
// delivery whose record carries more than 500 events is passed WHOLE" to
// the next processor, which is what Deaggregation does.
const MaxSubRecords = 500

// Sub-record types (SubRecordType).
const (
	SubRecordJSON      = "JSON"
	SubRecordDelimited = "DELIMITED"
)

// Deaggregation is RecordDeAggregation: one record holding several
// (concatenated JSON objects, or pieces separated by a delimiter) becomes
// one record per sub-record, each with its parent's arrival time and
// metadata and the id parent:i.
//
// JSON: "JSON objects must be on a single line with no delimiter or
// newline-delimited (JSONL) only. An array of JSON objects is not a valid
// input." ({"a":1}{"a":2} and {"a":1}\n{"a":2} both give two records.)
// DELIMITED: the data is split at each occurrence of the Delimiter
// parameter (base64 in the configuration: "####" is "IyMjIw=="); a final
// empty piece after a trailing delimiter is not a record.
//
// A record that is not a sequence of JSON objects, or has more than
// MaxSubRecords sub-records, passes on whole: Firehose documents no error
// output for deaggregation, and users observe such records reach the next
// processor (MetadataExtraction then fails them with "Non JSON record
// provided").
type Deaggregation struct {
	SubRecordType string
	Delimiter     []byte
}

func newDeaggregation(params map[string]string) (Processor, error) {
	if err := onlyParams(TypeRecordDeAggregation, params, ParamSubRecordType, ParamDelimiter); err != nil {
		return nil, err
	}
	d := &Deaggregation{SubRecordType: params[ParamSubRecordType]}
	switch d.SubRecordType {
	case SubRecordJSON:
		if _, ok := params[ParamDelimiter]; ok {
			return nil, eddy.Errorf(eddy.CodeInvalidArgument, "Delimiter is only supported when SubRecordType is DELIMITED.")
		}
	case SubRecordDelimited:
		v, ok := params[ParamDelimiter]
		if !ok {
			return nil, eddy.Errorf(eddy.CodeInvalidArgument, "Delimiter is required when SubRecordType is DELIMITED.")
		}
		delim, err := base64.StdEncoding.DecodeString(v)
		if err != nil || len(delim) == 0 {
			return nil, eddy.Errorf(eddy.CodeInvalidArgument, "Delimiter must be a non-empty base64-encoded string.")
		}
		d.Delimiter = delim
	default:
		return nil, eddy.Errorf(eddy.CodeInvalidArgument, "SubRecordType must be JSON or DELIMITED.")
	}
	return d, nil
}

func (d *Deaggregation) Process(_ context.Context, recs []Record) (Result, error) {
	out := make([]Record, 0, len(recs))
	for _, r := range recs {
		var parts [][]byte
		if d.SubRecordType == SubRecordJSON {
			parts = splitJSON(r.Data)
		} else {
			parts = splitDelimited(r.Data, d.Delimiter)
		}
		if parts == nil {
			out = append(out, r)
			continue
		}
		for i, p := range parts {
			sub := r
			sub.RecordID = subID(r.RecordID, i)
			sub.Data = p
			out = append(out, sub)
		}
	}
	return Result{Records: out}, nil
}

// splitJSON returns the JSON objects data is a sequence of, or nil if data
// is not such a sequence of 1 to MaxSubRecords objects.
func splitJSON(data []byte) [][]byte {
	dec := json.NewDecoder(bytes.NewReader(data))
	var parts [][]byte
	for {
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil || len(raw) == 0 || raw[0] != '{' || len(parts) == MaxSubRecords {
			return nil
		}
		parts = append(parts, raw)
	}
	if len(parts) == 0 {
		return nil
	}
	return parts
}

// splitDelimited returns the pieces of data between delimiters, or nil if
// there would be more than MaxSubRecords.
func splitDelimited(data, delim []byte) [][]byte {
	parts := bytes.Split(data, delim)
	if n := len(parts); n > 1 && len(parts[n-1]) == 0 {
		parts = parts[:n-1]
	}
	if len(parts) > MaxSubRecords {
		return nil
	}
	return parts
}

// KPLDeaggregation splits KPL-aggregated records
// (awslabs/amazon-kinesis-producer's aggregation format, client/kpl) read
// from a Kinesis stream into their user records, as Firehose does for a
// Kinesis stream source: each user record gets its own partition key and
// subsequence number in its Kinesis metadata, and the id parent:i. A record
// that is not an aggregate passes unchanged; so does an aggregate whose
// magic number and MD5 match but whose message does not decode, rather than
// being lost (AWS documents no error output for it).
type KPLDeaggregation struct{}

func (KPLDeaggregation) Process(_ context.Context, recs []Record) (Result, error) {
	out := make([]Record, 0, len(recs))
	var users []kpl.UserRecord
	for _, r := range recs {
		var err error
		users, err = kpl.AppendDeaggregated(users[:0], r.Data)
		if err != nil {
			out = append(out, r)
			continue
		}
		for i, u := range users {
			sub := r
			sub.RecordID = subID(r.RecordID, i)
			sub.Data = u.Data
			if r.Kinesis != nil {
				md := *r.Kinesis
				md.PartitionKey = u.PartitionKey
				md.SubsequenceNumber = int64(i)
				sub.Kinesis = &md
			}
			out = append(out, sub)
		}
	}
	return Result{Records: out}, nil
}
