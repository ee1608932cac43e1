package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/eddy-streams/eddy/analytics/engine"
	"github.com/eddy-streams/eddy/internal/uuid"
	fp "github.com/eddy-streams/eddy/protocol/firehose"
	"github.com/eddy-streams/eddy/protocol/kda"
	"github.com/eddy-streams/eddy/protocol/kds"
)

// output writes the rows of an in-application stream to a destination,
// each row one record encoded as the DestinationSchema says (JSON or
// CSV).
type output struct {
	name  string
	enc   encoder
	write func(ctx context.Context, rows []engine.Row) error
}

// maxBatch is the most records of one PutRecords, PutRecordBatch or
// output function invocation.
const maxBatch = 500

// openOutput makes the writer of an output.
func (r *Runner) openOutput(a *app, region string, d kda.OutputDescription) (*output, error) {
	name := kda.Deref(d.Name)
	format := "JSON"
	if d.DestinationSchema != nil && d.DestinationSchema.RecordFormatType != "" {
		format = d.DestinationSchema.RecordFormatType
	}
	cols := a.prog.Columns(strings.ToUpper(name))
	if strings.EqualFold(name, engine.ErrorStream) {
		cols = engine.ErrorStreamColumns
	}
	enc, err := newEncoder(format, cols)
	if err != nil {
		return nil, fmt.Errorf("analytics: application %s: output %s: %w", a.name, name, err)
	}
	o := &output{name: name, enc: enc}
	switch {
	case d.KinesisStreamsOutputDescription != nil:
		arn := kda.Deref(d.KinesisStreamsOutputDescription.ResourceARN)
		rg := region
		if sr, _, ok := arnRegionAccount(arn); ok {
			rg = sr
		}
		kin, err := r.cfg.Kinesis(rg)
		if err != nil {
			return nil, err
		}
		o.write = func(ctx context.Context, rows []engine.Row) error { return o.toStream(ctx, kin, arn, rows) }
	case d.KinesisFirehoseOutputDescription != nil:
		if r.cfg.Firehose == nil {
			return nil, errors.New("analytics: no delivery streams to write to")
		}
		arn := kda.Deref(d.KinesisFirehoseOutputDescription.ResourceARN)
		rg, _, _ := arnRegionAccount(arn)
		ds := arn[strings.LastIndexByte(arn, '/')+1:]
		o.write = func(ctx context.Context, rows []engine.Row) error {
			return o.toDeliveryStream(ctx, r.cfg.Firehose, rg, ds, rows)
		}
	case d.LambdaOutputDescription != nil:
		if r.cfg.Invoker == nil {
			return nil, errNoFunctions
		}
		fn := kda.Deref(d.LambdaOutputDescription.ResourceARN)
		o.write = func(ctx context.Context, rows []engine.Row) error {
			return o.toFunction(ctx, r.cfg.Invoker, a.arn, fn, rows)
		}
	default:
		return nil, fmt.Errorf("analytics: application %s: output %s has no destination", a.name, name)
	}
	return o, nil
}

// toStream puts rows into a Kinesis stream, 500 records a call, putting
// again the records a call failed.
func (o *output) toStream(ctx context.Context, kin Kinesis, arn string, rows []engine.Row) error {
	for len(rows) > 0 {
		n := min(len(rows), maxBatch)
		entries := make([]kds.PutRecordsRequestEntry, n)
		for i := range n {
			// The partition key of an output record is not documented;
			// Eddy spreads rows over the shards by their position.
			key := strconv.Itoa(i)
			data, err := o.enc.encode(rows[i])
			if err != nil {
				return err
			}
			entries[i] = kds.PutRecordsRequestEntry{Data: data, PartitionKey: &key}
		}
		for len(entries) > 0 {
			out, err := kin.PutRecords(ctx, &kds.PutRecordsInput{StreamARN: &arn, Records: entries})
			if err != nil {
				return err
			}
			if out.FailedRecordCount == 0 {
				break
			}
			var again []kds.PutRecordsRequestEntry
			for i, res := range out.Records {
				if res.ErrorCode != "" {
					again = append(again, entries[i])
				}
			}
			entries = again
			if !sleep(ctx, 100*time.Millisecond) {
				return ctx.Err()
			}
		}
		rows = rows[n:]
	}
	return nil
}

// toDeliveryStream puts rows into a delivery stream, 500 records a call,
// putting again the records a call failed.
func (o *output) toDeliveryStream(ctx context.Context, fh Firehose, region, name string, rows []engine.Row) error {
	for len(rows) > 0 {
		n := min(len(rows), maxBatch)
		recs := make([]fp.Record, n)
		for i := range n {
			data, err := o.enc.encode(rows[i])
			if err != nil {
				return err
			}
			recs[i] = fp.Record{Data: data}
		}
		for len(recs) > 0 {
			out, err := fh.PutRecordBatch(region, &fp.PutRecordBatchInput{DeliveryStreamName: &name, Records: recs})
			if err != nil {
				return err
			}
			if out.FailedPutCount == nil || *out.FailedPutCount == 0 {
				break
			}
			var again []fp.Record
			for i, res := range out.RequestResponses {
				if res.ErrorCode != nil {
					again = append(again, recs[i])
				}
			}
			recs = again
			if len(recs) > 0 && !sleep(ctx, 100*time.Millisecond) {
				return ctx.Err()
			}
		}
		rows = rows[n:]
	}
	return nil
}

// The Lambda output event and answer (the SQL Developer Guide, "Using a
// Lambda Function as Output"; the field names as the Lambda runtimes'
// event types spell them).
type (
	outputEvent struct {
		InvocationID   string        `json:"invocationId"`
		ApplicationARN string        `json:"applicationArn"`
		Records        []outputEntry `json:"records"`
	}
	outputEntry struct {
		RecordID string `json:"recordId"`
		Data     []byte `json:"data"`
	}
	outputAnswer struct {
		Records []struct {
			RecordID string `json:"recordId"`
			Result   string `json:"result"`
		} `json:"records"`
	}
)

// toFunction invokes the function with the rows, 500 a call, invoking it
// again with the records it answered DeliveryFailed for (or left out).
func (o *output) toFunction(ctx context.Context, inv Invoker, appARN, fn string, rows []engine.Row) error {
	for len(rows) > 0 {
		n := min(len(rows), maxBatch)
		entries := make([]outputEntry, n)
		for i := range n {
			data, err := o.enc.encode(rows[i])
			if err != nil {
				return err
			}
			entries[i] = outputEntry{RecordID: strconv.Itoa(i), Data: data}
		}
		for len(entries) > 0 {
			payload, err := json.Marshal(outputEvent{InvocationID: uuid.New(), ApplicationARN: appARN, Records: entries})
			if err != nil {
				return err
			}
			res, fnErr, err := inv.Invoke(ctx, fn, payload)
			if err != nil {
				return fmt.Errorf("invoke %s: %w", fn, err)
			}
			if fnErr != "" {
				return fmt.Errorf("invoke %s: function error %s: %s", fn, fnErr, res)
			}
			var ans outputAnswer
			if err := json.Unmarshal(res, &ans); err != nil {
				return fmt.Errorf("invoke %s: answer is not an output delivery response: %v", fn, err)
			}
			ok := map[string]bool{}
			for _, r := range ans.Records {
				if r.Result == "Ok" {
					ok[r.RecordID] = true
				}
			}
			var again []outputEntry
			for _, e := range entries {
				if !ok[e.RecordID] {
					again = append(again, e)
				}
			}
			entries = again
			if len(entries) > 0 && !sleep(ctx, 100*time.Millisecond) {
				return ctx.Err()
			}
		}
		rows = rows[n:]
	}
	return nil
}

func newInvocationID() string { return uuid.New() }
