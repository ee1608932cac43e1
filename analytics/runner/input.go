package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"time"

	"github.com/eddy-streams/eddy/analytics"
	"github.com/eddy-streams/eddy/analytics/engine"
	"github.com/eddy-streams/eddy/firehose/delivery"
	"github.com/eddy-streams/eddy/protocol/kda"
	"github.com/eddy-streams/eddy/storage"
)

// input is an application's streaming input: a Kinesis stream read from
// its checkpoint, the records preprocessed if a function is configured,
// then decoded into rows of the in-application input streams.
type input struct {
	a         *app
	src       delivery.Source
	close     func()   // releases the source; nil when nothing to release
	streamARN string   // the source's ARN: a Kinesis stream's or a delivery stream's
	streams   []string // the in-application streams, <prefix>_001 ...
	dec       *engine.Decoder
	cols      []engine.Column
	function  string // the preprocessor's ARN, "" without
}

// inputRow is a record's row for one in-application stream, or the error
// that kept it from being one (for the error_stream).
type inputRow struct {
	stream string
	values []engine.Value
	err    *engine.RecordError
}

// openInput positions the input at pos[inputId]: NOW, TRIM_HORIZON, or
// LAST_STOPPED_POINT (its checkpoint; where there is none, NOW).
func (r *Runner) openInput(a *app, region, account string, d kda.InputDescription, pos map[string]string) (*input, error) {
	id := kda.Deref(d.InputId)
	var in *input
	switch {
	case d.KinesisStreamsInputDescription != nil:
		in = &input{a: a, streamARN: kda.Deref(d.KinesisStreamsInputDescription.ResourceARN)}
	case d.KinesisFirehoseInputDescription != nil:
		in = &input{a: a, streamARN: kda.Deref(d.KinesisFirehoseInputDescription.ResourceARN)}
	default:
		return nil, fmt.Errorf("analytics: application %s: input %s has no source", a.name, id)
	}
	if sr, _, ok := arnRegionAccount(in.streamARN); ok {
		region = sr
	}
	dec, cols, err := NewDecoder(d.InputSchema)
	if err != nil {
		return nil, fmt.Errorf("analytics: application %s: input schema: %w", a.name, err)
	}
	in.streams, in.dec, in.cols = d.InAppStreamNames, dec, cols
	if len(in.streams) == 0 {
		in.streams = []string{kda.Deref(d.NamePrefix) + "_001"}
	}
	if p := d.InputProcessingConfigurationDescription; p != nil && p.InputLambdaProcessorDescription != nil {
		if r.cfg.Invoker == nil {
			return nil, errNoFunctions
		}
		in.function = kda.Deref(p.InputLambdaProcessorDescription.ResourceARN)
	}
	if d.KinesisFirehoseInputDescription != nil {
		// A delivery stream keeps its records for its delivery, not for
		// other readers: a tap reads those put from now on, whatever the
		// starting position (documented in docs/ANALYTICS.md).
		if r.cfg.Tap == nil {
			return nil, errors.New("analytics: no delivery streams to read from")
		}
		name := in.streamARN[strings.LastIndexByte(in.streamARN, '/')+1:]
		tap, err := r.cfg.Tap(region, name)
		if err != nil {
			return nil, fmt.Errorf("analytics: application %s: input %s: %w", a.name, id, err)
		}
		in.src, in.close = tap, tap.Close
		return in, nil
	}
	kin, err := r.cfg.Kinesis(region)
	if err != nil {
		return nil, err
	}
	prefix := a.arn + "/" + id + "/"
	start := time.Time{} // TRIM_HORIZON
	switch pos[id] {
	case kda.PositionLastStoppedPoint:
		has, err := hasCheckpoint(r.cfg.Meta, prefix)
		if err != nil {
			return nil, err
		}
		if !has {
			start = r.cfg.Now()
		}
	case kda.PositionTrimHorizon:
		if err := dropCheckpoints(r.cfg.Meta, prefix); err != nil {
			return nil, err
		}
	default: // NOW
		if err := dropCheckpoints(r.cfg.Meta, prefix); err != nil {
			return nil, err
		}
		start = r.cfg.Now()
	}
	in.src = &delivery.KinesisSource{Kinesis: kin, StreamARN: in.streamARN, Start: start, Meta: r.cfg.Meta,
		Table: CheckpointTable, Prefix: prefix, Poll: r.cfg.Tick, NoIDs: true}
	return in, nil
}

// schemas are the in-application input streams for the compiler.
func (in *input) schemas() []engine.InputSchema {
	out := make([]engine.InputSchema, len(in.streams))
	for i, s := range in.streams {
		out[i] = engine.InputSchema{Stream: s, Columns: in.cols}
	}
	return out
}

// readBatch is the most records one read returns (GetRecords returns up
// to 10,000 of a shard).
const readBatch = 5000

// read returns the next records, waiting up to wait for one.
func (in *input) read(ctx context.Context, wait time.Duration) ([]delivery.Record, error) {
	recs, err := in.src.Read(ctx, readBatch, wait)
	if err != nil {
		return nil, err
	}
	// The source reuses nothing of what it returns: Data is the
	// record's own.
	return recs, nil
}

func (in *input) commit(pos uint64) error { return in.src.Commit(pos) }
func (in *input) rewind()                 { in.src.Rewind() }

// release gives back what the input holds.
func (in *input) release() {
	if in.close != nil {
		in.close()
	}
}

// stream is the in-application stream of a record: with InputParallelism
// above 1, each shard's records go to one of the streams.
func (in *input) stream(rec delivery.Record) string {
	if len(in.streams) == 1 || rec.Kinesis == nil {
		return in.streams[0]
	}
	h := fnv.New32a()
	h.Write([]byte(rec.Kinesis.ShardID))
	return in.streams[int(h.Sum32()%uint32(len(in.streams)))]
}

// rows decodes recs, preprocessed first if a function is configured.
func (in *input) rows(ctx context.Context, recs []delivery.Record) ([]inputRow, error) {
	out := make([]inputRow, 0, len(recs))
	if in.function == "" {
		for _, rec := range recs {
			out = append(out, in.decode(rec, rec.Data)...)
		}
		return out, nil
	}
	results, err := in.preprocess(ctx, recs)
	if err != nil {
		return nil, err
	}
	for i, rec := range recs {
		res := results[i]
		switch res.Result {
		case analytics.ResultOk:
			out = append(out, in.decode(rec, res.Data)...)
		case analytics.ResultDropped:
		default: // ProcessingFailed
			// Where the developer guide is silent on the error_stream
			// row of a record the preprocessor failed, Eddy names it
			// Lambda_Processing_Failed and keeps the record's data.
			out = append(out, inputRow{stream: in.stream(rec), err: &engine.RecordError{
				Name: "Lambda_Processing_Failed", Message: "the preprocessing function answered ProcessingFailed", Data: rec.Data}})
		}
	}
	return out, nil
}

// decode turns a record into its rows (a JSON array or CSV lines give
// several) and the errors of those that did not decode.
func (in *input) decode(rec delivery.Record, data []byte) []inputRow {
	rows, errs := in.dec.Decode(data)
	stream := in.stream(rec)
	out := make([]inputRow, 0, len(rows)+len(errs))
	for _, vals := range rows {
		// APPROXIMATE_ARRIVAL_TIME follows the columns.
		vals = append(vals, engine.Timestamp(rec.Arrival))
		out = append(out, inputRow{stream: stream, values: vals})
	}
	for _, e := range errs {
		out = append(out, inputRow{stream: stream, err: e})
	}
	return out
}

// preprocess invokes the function with recs and returns its result for
// each, in order; an answer that leaves a record out or gives a result
// that is none of Ok, Dropped and ProcessingFailed is an error (the
// batch is read again).
func (in *input) preprocess(ctx context.Context, recs []delivery.Record) ([]analytics.PreprocessResult, error) {
	ev := analytics.PreprocessEvent{InvocationID: newInvocationID(), ApplicationARN: in.a.arn, StreamARN: in.streamARN}
	for _, rec := range recs {
		pr := analytics.PreprocessRecord{RecordID: strconv.FormatUint(rec.Pos, 10), Data: rec.Data}
		if k := rec.Kinesis; k != nil {
			pr.Metadata = analytics.StreamMetadata{SequenceNumber: k.SequenceNumber, PartitionKey: k.PartitionKey, ShardID: k.ShardID,
				ApproximateArrivalTimestamp: rec.Arrival.UnixMilli()}
		}
		ev.Records = append(ev.Records, pr)
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		return nil, err
	}
	res, fnErr, err := in.a.r.cfg.Invoker.Invoke(ctx, in.function, payload)
	if err != nil {
		return nil, fmt.Errorf("invoke %s: %w", in.function, err)
	}
	if fnErr != "" {
		return nil, fmt.Errorf("invoke %s: function error %s: %s", in.function, fnErr, res)
	}
	var ans analytics.PreprocessResponse
	if err := json.Unmarshal(res, &ans); err != nil {
		return nil, fmt.Errorf("invoke %s: answer is not a preprocessing response: %v", in.function, err)
	}
	byID := make(map[string]analytics.PreprocessResult, len(ans.Records))
	for _, r := range ans.Records {
		byID[r.RecordID] = r
	}
	out := make([]analytics.PreprocessResult, len(recs))
	for i, pr := range ev.Records {
		r, ok := byID[pr.RecordID]
		if !ok {
			return nil, fmt.Errorf("invoke %s: no result for record %s", in.function, pr.RecordID)
		}
		switch r.Result {
		case analytics.ResultOk, analytics.ResultDropped, analytics.ResultProcessingFailed:
		default:
			return nil, fmt.Errorf("invoke %s: record %s: result %q is not Ok, Dropped or ProcessingFailed", in.function, pr.RecordID, r.Result)
		}
		out[i] = r
	}
	return out, nil
}

// hasCheckpoint reports whether some shard of prefix has a checkpoint.
func hasCheckpoint(meta storage.MetaStore, prefix string) (bool, error) {
	found := false
	err := meta.View(func(tx storage.MetaTx) error {
		return tx.Scan(CheckpointTable, prefix, "", func(string, []byte) (bool, error) {
			found = true
			return false, nil
		})
	})
	return found, err
}

// dropCheckpoints forgets where an input stopped.
func dropCheckpoints(meta storage.MetaStore, prefix string) error {
	return meta.Update(func(tx storage.MetaTx) error {
		var keys []string
		if err := tx.Scan(CheckpointTable, prefix, "", func(k string, _ []byte) (bool, error) {
			keys = append(keys, k)
			return true, nil
		}); err != nil {
			return err
		}
		for _, k := range keys {
			if err := tx.Delete(CheckpointTable, k); err != nil {
				return err
			}
		}
		return nil
	})
}
