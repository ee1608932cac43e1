package esm

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/internal/uuid"
	"github.com/eddy-streams/eddy/protocol/kds"
	lp "github.com/eddy-streams/eddy/protocol/lambda"
)

// On-failure destinations. A discarded batch is described by the
// invocation record of the developer guide
// (https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html)
// and sent to DestinationConfig.OnFailure.Destination, one of:
//
//   - a Kinesis stream: the record is put with the shard id as partition
//     key (an Eddy extension);
//   - an S3 bucket: the record, plus "payload", "the original invocation
//     record as an escaped JSON string" (the event the function was
//     invoked with), is written as the object
//     aws/lambda/<ESM-UUID>/<shardID>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<Random UUID>
//     (the guide's "naming convention"; the time is the record's
//     timestamp, UTC) on the S3-compatible server of Config.Objects;
//   - a function: invoked asynchronously (InvocationType Event) with the
//     record as its event (an Eddy extension: Lambda takes functions as
//     destinations of asynchronous invocations, not of mappings).
//
// A write refused for a reason that may pass (throttling, an unavailable
// service) is retried, up to maxDestinationAttempts with doubling delays
// from Config.RetryDelay; S3 writes are retried by the S3 client itself.
// A write that still fails is logged and the batch is skipped all the
// same, as Lambda skips it.

// Objects writes objects to an S3-compatible server; internal/s3sink's
// *Sink implements it.
type Objects interface {
	Put(ctx context.Context, bucket, key string, body []byte, contentType string) error
}

// AsyncInvoker queues asynchronous invocations (InvocationType Event);
// *lambda.Service implements it.
type AsyncInvoker interface {
	InvokeAsync(ctx context.Context, functionName string, payload []byte) error
}

// maxDestinationAttempts bounds the tries of one on-failure write.
const maxDestinationAttempts = 6

// s3FailureRecord is the invocation record an S3 destination receives.
type s3FailureRecord struct {
	*failureRecord
	Payload string `json:"payload"`
}

// objectKey is the S3 key of an on-failure record, in the developer
// guide's naming convention (see above).
func objectKey(mappingUUID, shard string, at time.Time) string {
	at = at.UTC()
	return "aws/lambda/" + mappingUUID + "/" + shard + "/" + at.Format("2006/01/02") + "/" + at.Format("2006-01-02T15.04.05") + "-" + uuid.New()
}

// deliver sends fr, describing batch, to the mapping's on-failure
// destination, and reports whether it was written.
func (p *shardPoller) deliver(ctx context.Context, fr *failureRecord, batch []kds.Record) bool {
	dest := p.mp.Config.DestinationConfig.OnFailure.Destination
	log := p.log.With("destination", dest)
	d, err := lp.ParseDestination(dest)
	if err != nil {
		log.Warn("unsupported on-failure destination", "err", err)
		return false
	}
	var send func() error
	switch d.Kind {
	case lp.DestinationKinesis:
		data, err := json.Marshal(fr)
		if err != nil {
			log.Warn("encode on-failure record", "err", err)
			return false
		}
		send = func() error {
			_, err := p.src.PutRecord(ctx, &kds.PutRecordInput{StreamARN: &dest, PartitionKey: &p.shard, Data: data})
			return err
		}
	case lp.DestinationFunction:
		if p.m.cfg.Async == nil {
			log.Warn("no asynchronous invoker for a function destination")
			return false
		}
		data, err := json.Marshal(fr)
		if err != nil {
			log.Warn("encode on-failure record", "err", err)
			return false
		}
		send = func() error { return p.m.cfg.Async.InvokeAsync(ctx, dest, data) }
	case lp.DestinationS3:
		if p.m.cfg.Objects == nil {
			log.Warn("no S3-compatible server configured for an S3 destination")
			return false
		}
		payload, err := p.event(batch)
		if err != nil {
			log.Warn("encode on-failure payload", "err", err)
			return false
		}
		body, err := json.Marshal(s3FailureRecord{failureRecord: fr, Payload: string(payload)})
		if err != nil {
			log.Warn("encode on-failure record", "err", err)
			return false
		}
		at, err := time.Parse(isoMillis, fr.Timestamp)
		if err != nil {
			at = p.m.cfg.Clock.Now()
		}
		key := objectKey(p.mp.Config.UUID, p.shard, at)
		// The guide does not say which Content-Type Lambda gives the
		// object; the body is JSON.
		send = func() error { return p.m.cfg.Objects.Put(ctx, d.Name, key, body, "application/json") }
	default:
		return false
	}
	delay := p.m.cfg.RetryDelay
	for attempt := 1; ; attempt++ {
		err := send()
		if err == nil {
			return true
		}
		if attempt == maxDestinationAttempts || !retryableDestinationError(err) {
			log.Warn("write on-failure record", "attempts", attempt, "err", err)
			return false
		}
		log.Debug("write on-failure record, retrying", "attempt", attempt, "err", err)
		if !sleep(ctx, delay) {
			return false
		}
		delay *= 2
	}
}

// retryableDestinationError reports a refusal that may pass: the
// catalog's retryable codes (Kinesis throttling, InternalFailure) and
// Lambda's throttling and service errors.
func retryableDestinationError(err error) bool {
	var ee *eddy.Error
	if !errors.As(err, &ee) {
		return false
	}
	switch ee.Code {
	case lp.CodeTooManyRequests, lp.CodeService:
		return true
	}
	return eddy.Retryable(ee.Code)
}
