package esm

import (
	"context"
	"encoding/json"
	"time"

	"github.com/eddy-streams/eddy/internal/uuid"
	"github.com/eddy-streams/eddy/protocol/kds"
)

// The Kinesis event Lambda sends a function, as the AWS Lambda developer
// guide shows it (with-kinesis.html, "Example event") and aws-lambda-go's
// events.KinesisEvent decodes it: approximateArrivalTimestamp is epoch
// seconds with a fraction, data is base64 (encoding/json's []byte).
type event struct {
	Records []eventRecord `json:"Records"`
}

type eventRecord struct {
	Kinesis           kinesisData `json:"kinesis"`
	EventSource       string      `json:"eventSource"`
	EventVersion      string      `json:"eventVersion"`
	EventID           string      `json:"eventID"`
	EventName         string      `json:"eventName"`
	InvokeIdentityArn string      `json:"invokeIdentityArn"`
	AwsRegion         string      `json:"awsRegion"`
	EventSourceARN    string      `json:"eventSourceARN"`
}

type kinesisData struct {
	KinesisSchemaVersion        string  `json:"kinesisSchemaVersion"`
	PartitionKey                string  `json:"partitionKey"`
	SequenceNumber              string  `json:"sequenceNumber"`
	Data                        []byte  `json:"data"`
	ApproximateArrivalTimestamp float64 `json:"approximateArrivalTimestamp"`
}

func epochSeconds(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

func (p *shardPoller) event(batch []kds.Record) ([]byte, error) {
	if p.win != nil {
		return p.windowPayload(p.eventRecords(batch), false, false)
	}
	return json.Marshal(event{Records: p.eventRecords(batch)})
}

func (p *shardPoller) eventRecords(batch []kds.Record) []eventRecord {
	records := make([]eventRecord, len(batch))
	for i := range batch {
		r := &batch[i]
		records[i] = eventRecord{
			Kinesis: kinesisData{
				KinesisSchemaVersion:        "1.0",
				PartitionKey:                r.PartitionKey,
				SequenceNumber:              r.SequenceNumber,
				Data:                        r.Data,
				ApproximateArrivalTimestamp: epochSeconds(r.ApproximateArrivalTimestamp.Time()),
			},
			EventSource:       "aws:kinesis",
			EventVersion:      "1.0",
			EventID:           p.shard + ":" + r.SequenceNumber,
			EventName:         "aws:kinesis:record",
			InvokeIdentityArn: p.mp.Role,
			AwsRegion:         p.mp.Region,
			EventSourceARN:    p.mp.Config.EventSourceArn,
		}
	}
	return records
}

// response is what the on-failure record says of the last invocation.
type response struct {
	statusCode    int
	functionError string
}

// result is one invocation's outcome.
type result struct {
	invoked  bool // the function ran (an error then is a function error)
	ok       bool // it returned without error
	failedAt int  // with ok: index of the lowest failed item, -1 for none
	resp     response
}

// batchResponse is ReportBatchItemFailures' answer (Lambda developer
// guide, services-kinesis-batchfailurereporting.html).
type batchResponse struct {
	BatchItemFailures []struct {
		ItemIdentifier *string `json:"itemIdentifier"`
	} `json:"batchItemFailures"`
}

func (p *shardPoller) invoke(ctx context.Context, batch []kds.Record) (res result) {
	payload, err := p.event(batch)
	if err != nil {
		return result{}
	}
	out, ferr, err := p.m.invoker.Invoke(ctx, p.mp.Config.FunctionArn, payload)
	p.met.invoked(batch, p.m.cfg.Clock.Now(), ferr, err)
	if err != nil {
		// Not run (function gone, throttled): retried until the records
		// age out, as Lambda does for errors before invocation.
		p.log.Debug("invoke", "err", err)
		return result{resp: response{statusCode: 500}}
	}
	res = result{invoked: true, resp: response{statusCode: 200, functionError: ferr}}
	if ferr != "" {
		return res
	}
	if p.win != nil {
		// A windowed answer without a state is a failed invocation; the
		// state of a successful one (in part, with ReportBatchItemFailures)
		// is the window's state from now on.
		state, ok := windowState(out)
		if !ok {
			return res
		}
		defer func() {
			if res.ok {
				p.took(state)
			}
		}()
	}
	res.ok, res.failedAt = true, -1
	if !reportsItems(p.mp.Config.FunctionResponseTypes) {
		return res
	}
	// The developer guide: an empty or null batchItemFailures (or an empty
	// or null response) is complete success; an empty, null or unknown
	// itemIdentifier fails the whole batch. A response that is no JSON
	// object is taken as success (no documented rule).
	var br batchResponse
	if json.Unmarshal(out, &br) != nil {
		return res
	}
	index := map[string]int{}
	for i := range batch {
		index[batch[i].SequenceNumber] = i
	}
	for _, f := range br.BatchItemFailures {
		if f.ItemIdentifier == nil {
			return result{invoked: true, resp: res.resp}
		}
		i, ok := index[*f.ItemIdentifier]
		if !ok {
			return result{invoked: true, resp: res.resp}
		}
		if res.failedAt < 0 || i < res.failedAt {
			res.failedAt = i
		}
	}
	return res
}

func reportsItems(types []string) bool {
	for _, t := range types {
		if t == "ReportBatchItemFailures" {
			return true
		}
	}
	return false
}

// The on-failure record's conditions. RetryAttemptsExhausted is the one
// in the developer guide's example (kinesis-on-failure-destination.html);
// RecordAgeExceeded names the other documented reason to discard, its
// exact value not found in a source.
const (
	conditionRetries   = "RetryAttemptsExhausted"
	conditionRecordAge = "RecordAgeExceeded"
)

// failureRecord is the on-failure invocation record for a stream source,
// as the developer guide's example shows it
// (kinesis-on-failure-destination.html).
type failureRecord struct {
	RequestContext struct {
		RequestID              string `json:"requestId"`
		FunctionArn            string `json:"functionArn"`
		Condition              string `json:"condition"`
		ApproximateInvokeCount int    `json:"approximateInvokeCount"`
	} `json:"requestContext"`
	ResponseContext struct {
		StatusCode      int    `json:"statusCode"`
		ExecutedVersion string `json:"executedVersion"`
		FunctionError   string `json:"functionError"`
	} `json:"responseContext"`
	Version          string    `json:"version"`
	Timestamp        string    `json:"timestamp"`
	KinesisBatchInfo batchInfo `json:"KinesisBatchInfo"`
}

type batchInfo struct {
	ShardID                         string `json:"shardId"`
	StartSequenceNumber             string `json:"startSequenceNumber"`
	EndSequenceNumber               string `json:"endSequenceNumber"`
	ApproximateArrivalOfFirstRecord string `json:"approximateArrivalOfFirstRecord"`
	ApproximateArrivalOfLastRecord  string `json:"approximateArrivalOfLastRecord"`
	BatchSize                       int    `json:"batchSize"`
	StreamArn                       string `json:"streamArn"`
}

const isoMillis = "2006-01-02T15:04:05.000Z"

// discard describes batch to the on-failure destination, if any
// (destination.go). A destination that cannot be written is logged; the
// records are skipped all the same, as Lambda skips them.
func (p *shardPoller) discard(ctx context.Context, batch []kds.Record, condition string, invokes int, resp response) {
	c := &p.mp.Config
	p.log.Info("discarding batch", "condition", condition, "records", len(batch), "first", batch[0].SequenceNumber)
	if c.DestinationConfig == nil || c.DestinationConfig.OnFailure == nil || c.DestinationConfig.OnFailure.Destination == "" {
		return
	}
	var fr failureRecord
	fr.RequestContext.RequestID = uuid.New()
	fr.RequestContext.FunctionArn = c.FunctionArn
	fr.RequestContext.Condition = condition
	fr.RequestContext.ApproximateInvokeCount = invokes
	fr.ResponseContext.StatusCode = resp.statusCode
	fr.ResponseContext.ExecutedVersion = "$LATEST"
	fr.ResponseContext.FunctionError = resp.functionError
	fr.Version = "1.0"
	fr.Timestamp = p.m.cfg.Clock.Now().UTC().Format(isoMillis)
	fr.KinesisBatchInfo = batchInfo{
		ShardID:                         p.shard,
		StartSequenceNumber:             batch[0].SequenceNumber,
		EndSequenceNumber:               batch[len(batch)-1].SequenceNumber,
		ApproximateArrivalOfFirstRecord: batch[0].ApproximateArrivalTimestamp.Time().UTC().Format(isoMillis),
		ApproximateArrivalOfLastRecord:  batch[len(batch)-1].ApproximateArrivalTimestamp.Time().UTC().Format(isoMillis),
		BatchSize:                       len(batch),
		StreamArn:                       c.EventSourceArn,
	}
	if p.deliver(ctx, &fr, batch) {
		p.met.failureBatches.Inc()
		p.met.failureRecords.Add(float64(len(batch)))
	}
}
