package analytics

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/eddy-streams/eddy/internal/uuid"
)

// The Lambda preprocessor's contract, from the developer guide's
// "Preprocessing Data Using a Lambda Function" (Data Preprocessing Event
// Input Data Model / Record Response Model), for a Kinesis stream source:
// the event holds invocationId (a random GUID), applicationArn, streamArn
// and records, each with recordId ("based off of Kinesis record sequence
// number": Eddy sends the sequence number), data (base64) and
// kinesisStreamRecordMetadata (sequenceNumber, partitionKey, shardId,
// approximateArrivalTimestamp). The response's records carry recordId,
// result (Ok, Dropped or ProcessingFailed) and data (base64, optional
// unless Ok). Every record sent must come back with its id, else the
// batch failed. The guide does not give approximateArrivalTimestamp's
// unit: Eddy sends epoch milliseconds, as Kinesis event sources of Lambda
// carry arrival times as numbers. For DiscoverInputSchema there is no
// application: applicationArn is "" (Eddy's choice).

// PreprocessEvent is the event a preprocessing function receives.
type PreprocessEvent struct {
	InvocationID   string             `json:"invocationId"`
	ApplicationARN string             `json:"applicationArn"`
	StreamARN      string             `json:"streamArn"`
	Records        []PreprocessRecord `json:"records"`
}

// PreprocessRecord is one record of a PreprocessEvent.
type PreprocessRecord struct {
	RecordID string         `json:"recordId"`
	Metadata StreamMetadata `json:"kinesisStreamRecordMetadata"`
	Data     []byte         `json:"data"` // base64 on the wire
}

// StreamMetadata is a Kinesis record's metadata in a PreprocessRecord.
type StreamMetadata struct {
	SequenceNumber              string `json:"sequenceNumber"`
	PartitionKey                string `json:"partitionKey"`
	ShardID                     string `json:"shardId"`
	ApproximateArrivalTimestamp int64  `json:"approximateArrivalTimestamp"` // epoch milliseconds
}

// PreprocessResponse is what a preprocessing function returns.
type PreprocessResponse struct {
	Records []PreprocessResult `json:"records"`
}

// PreprocessResult is one record of a PreprocessResponse.
type PreprocessResult struct {
	RecordID string `json:"recordId"`
	Result   string `json:"result"` // Ok, Dropped or ProcessingFailed
	Data     []byte `json:"data,omitempty"`
}

// Preprocessing results.
const (
	ResultOk               = "Ok"
	ResultDropped          = "Dropped"
	ResultProcessingFailed = "ProcessingFailed"
)

// preprocess runs the function fn over recs of the stream streamARN and
// returns the data of the records it kept (Ok), in order. A response
// that is not the contract's (a record missing or unknown, a result not
// one of the three, Ok without data) is an error, as is a failed
// invocation; ProcessingFailed records are left out, as Dropped ones.
func (s *Service) preprocess(ctx context.Context, fn, streamARN string, recs []sampled) ([][]byte, error) {
	if s.cfg.Invoke == nil {
		return nil, invalidArgument("Eddy cannot run the InputProcessingConfiguration: no Lambda service.")
	}
	if len(recs) == 0 {
		return nil, nil
	}
	ev := PreprocessEvent{InvocationID: uuid.New(), StreamARN: streamARN}
	for _, r := range recs {
		ev.Records = append(ev.Records, PreprocessRecord{RecordID: r.seq, Data: r.data, Metadata: StreamMetadata{
			SequenceNumber: r.seq, PartitionKey: r.key, ShardID: r.shard, ApproximateArrivalTimestamp: r.arrival.UnixMilli()}})
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		return nil, err
	}
	b, err := s.cfg.Invoke(ctx, fn, payload)
	if err != nil {
		return nil, fmt.Errorf("preprocessing function %s failed: %v", fn, err)
	}
	var resp PreprocessResponse
	if err := json.Unmarshal(b, &resp); err != nil {
		return nil, fmt.Errorf("preprocessing function %s returned a response that is not the record response model: %v", fn, err)
	}
	byID := map[string]*PreprocessResult{}
	for i := range resp.Records {
		r := &resp.Records[i]
		switch r.Result {
		case ResultOk, ResultDropped, ResultProcessingFailed:
		default:
			return nil, fmt.Errorf("preprocessing function %s returned record %s with result %q, not Ok, Dropped or ProcessingFailed", fn, r.RecordID, r.Result)
		}
		byID[r.RecordID] = r
	}
	var out [][]byte
	for _, rec := range ev.Records {
		r, ok := byID[rec.RecordID]
		if !ok {
			return nil, fmt.Errorf("preprocessing function %s did not return record %s", fn, rec.RecordID)
		}
		delete(byID, rec.RecordID)
		if r.Result != ResultOk {
			continue
		}
		if r.Data == nil {
			return nil, fmt.Errorf("preprocessing function %s returned record %s Ok without data", fn, rec.RecordID)
		}
		out = append(out, r.Data)
	}
	if len(byID) > 0 {
		id := slices.Sorted(maps.Keys(byID))[0]
		return nil, fmt.Errorf("preprocessing function %s returned record %s, which it was not sent", fn, id)
	}
	return out, nil
}
