// Package kds holds the Go shapes of the Kinesis Data Streams API
// (Kinesis_20131202) and the validation of its requests.
//
// Every operation Xxx has an XxxInput and an XxxOutput struct whose JSON
// tags are the model's member names, so one struct serves both wire
// protocols: encoding/json for application/x-amz-json-1.1 and
// protocol/awscbor for application/x-amz-cbor-1.1. Blobs are []byte
// (base64 in JSON, byte strings in CBOR) and timestamps are Timestamp
// (epoch seconds in JSON, tag 1 in CBOR).
//
// # Usage
//
//	op, ok := kds.LookupOperation(strings.TrimPrefix(target, kds.TargetPrefix+"."))
//	if !ok {
//		// UnknownOperationException
//	}
//	in := op.NewInput() // *kds.PutRecordsInput for "PutRecords"
//	if err := json.Unmarshal(body, in); err != nil {
//		// SerializationException
//	}
//	if err := in.Validate(); err != nil {
//		// err is an *eddy.Error: ValidationException, or
//		// InvalidArgumentException, worded as Kinesis words it.
//	}
//	out := &kds.PutRecordsOutput{FailedRecordCount: 0, Records: results}
//	body, _ = json.Marshal(out)
//
// # Presence
//
// Inputs tell absent from zero: every member of a request, and of any
// structure a request contains, is a pointer, a slice or a map, nil when
// the member was not sent. Both decoders turn a present empty blob, list or
// map into a non-nil empty one, and encoding keeps the difference: blobs,
// lists and maps are tagged omitzero, so nil is left out and an empty one
// is sent ("Data":"").
//
// Outputs hold required members (and members Kinesis always sends, such as
// PutRecordsOutput.FailedRecordCount and GetRecordsOutput.MillisBehindLatest)
// as plain values without omitempty, so they are always on the wire.
// Required lists must be set to non-nil slices: a nil slice encodes as null
// where Kinesis sends [] (GetRecordsOutput.Records, ListShardsOutput.Shards,
// ...). Optional members are pointers with omitempty, except in the shapes
// built once per record (Record, PutRecordsResultEntry), which use values
// with omitempty or omitzero. An operation without output has an empty
// XxxOutput; Kinesis answers it with an empty body.
//
// # Validation
//
// Validate checks what the model says (required members, lengths,
// patterns, ranges, enum values) and the syntactic rules on which members
// name the stream or consumer. Checks that need server state (the stream
// exists, the shard is open, the retention period is in range, the record
// fits the stream's size limit, ...) belong to the engine. See validate.go
// for the message format and what is known and inferred about it.
package kds
