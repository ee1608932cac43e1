package delivery

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"time"
)

// Objects writes objects to an S3-compatible store (internal/s3sink's Sink
// is one).
type Objects interface {
	Put(ctx context.Context, bucket, key string, body []byte, contentType string) error
}

// EncodedObjects are Objects that also set an object's Content-Encoding
// (internal/s3sink's Sink and the embedded endpoint's s3.Objects do). A
// separate interface, so the Objects other packages declare and fake keep
// their one method; Objects without it write objects without the header.
type EncodedObjects interface {
	PutEncoded(ctx context.Context, bucket, key string, body []byte, contentType, contentEncoding string) error
}

// S3 delivers buffers as objects of a bucket: one object per buffer, its
// records' data one after the other (as Firehose writes them: no
// delimiter unless a processor appends one), then encoded.
type S3 struct {
	Objects Objects
	Bucket  string
	// Key names the object of a buffer closed at now (the prefix, with
	// the buffer's partition keys, and the object name).
	Key func(b *Buffer, now time.Time) (string, error)
	// ErrorKey names an error output object of the given type
	// (processing-failed, format-conversion-failed) written at now.
	ErrorKey func(outputType string, now time.Time) (string, error)
	// Encode turns the concatenated records into the object's body
	// (format conversion, compression), returning the records that did
	// not convert; nil writes the data as it is.
	Encode func(b *Buffer) (body []byte, failed []Failed, err error)
	// ContentType of the objects, if any.
	ContentType string
	// ContentEncoding of the objects (compress.ContentEncoding of the
	// CompressionFormat), if any; error output documents have none.
	ContentEncoding string
	// RetryFor is how long a failing write is retried: Firehose retries
	// S3 "every 5 seconds for up to a maximum period of 24 hours"
	// (Firehose developer guide, "Data delivery failure handling"), then
	// discards the data. Default 24h.
	RetryFor time.Duration
	// RetryEvery is the wait between attempts. Default 5s.
	RetryEvery time.Duration
	// Dropped is told of buffers discarded after RetryFor (for logs and
	// metrics); may be nil.
	Dropped func(key string, records int, err error)
	// Attempted is told of every write's outcome (for metrics); may be nil.
	Attempted func(err error)
	Clock     Clock
}

func (s *S3) clock() Clock {
	if s.Clock == nil {
		return realClock{}
	}
	return s.Clock
}

// Deliver implements Destination.
func (s *S3) Deliver(ctx context.Context, b *Buffer) error {
	var body []byte
	var failed []Failed
	if s.Encode != nil {
		var err error
		if body, failed, err = s.Encode(b); err != nil {
			return err
		}
	} else {
		body = make([]byte, 0, b.Bytes)
		for _, r := range b.Records {
			body = append(body, r.Data...)
		}
	}
	if len(failed) > 0 {
		if err := s.DeliverFailed(ctx, failed); err != nil {
			return err
		}
	}
	if len(failed) == len(b.Records) {
		return nil
	}
	key, err := s.Key(b, s.clock().Now())
	var ke *KeyError
	if errors.As(err, &ke) {
		// The records cannot be named: to the error output, as
		// processing failures are.
		failed := make([]Failed, len(b.Records))
		for i := range b.Records {
			failed[i] = Failed{Record: b.Records[i], ErrorCode: ke.Code, ErrorMessage: ke.Message}
		}
		return s.DeliverFailed(ctx, failed)
	}
	if err != nil {
		return err
	}
	return s.put(ctx, key, body, len(b.Records), s.ContentType, s.ContentEncoding)
}

// DeliverFailed implements Destination: the failed records of each error
// output type go to one object under ErrorKey, a JSON document per record
// and per line in the processing-failed shape of the Firehose developer
// guide ("Handle failure in data transformation": attemptsMade,
// arrivalTimestamp, errorCode, errorMessage, attemptEndingTimestamp,
// rawData, lambdaArn; timestamps in epoch milliseconds). The guide does not
// say how the documents are separated; Eddy ends each with a newline.
func (s *S3) DeliverFailed(ctx context.Context, failed []Failed) error {
	byType := map[string][]Failed{}
	var types []string
	for _, f := range failed {
		t := f.OutputType
		if t == "" {
			t = "processing-failed"
		}
		if byType[t] == nil {
			types = append(types, t)
		}
		byType[t] = append(byType[t], f)
	}
	for _, t := range types {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		for _, f := range byType[t] {
			ended := f.Ended
			if ended.IsZero() {
				ended = s.clock().Now()
			}
			doc := failedDoc{
				AttemptsMade: f.Attempts, ArrivalTimestamp: f.Record.Arrival.UnixMilli(),
				ErrorCode: f.ErrorCode, ErrorMessage: f.ErrorMessage, AttemptEndingTimestamp: ended.UnixMilli(),
				RawData: base64.StdEncoding.EncodeToString(f.Record.Data), LambdaArn: f.LambdaArn,
			}
			if err := enc.Encode(&doc); err != nil {
				return err
			}
		}
		key, err := s.ErrorKey(t, s.clock().Now())
		if err != nil {
			return err
		}
		if err := s.put(ctx, key, buf.Bytes(), len(byType[t]), "application/json", ""); err != nil {
			return err
		}
	}
	return nil
}

type failedDoc struct {
	AttemptsMade           int    `json:"attemptsMade"`
	ArrivalTimestamp       int64  `json:"arrivalTimestamp"`
	ErrorCode              string `json:"errorCode"`
	ErrorMessage           string `json:"errorMessage"`
	AttemptEndingTimestamp int64  `json:"attemptEndingTimestamp"`
	RawData                string `json:"rawData"`
	LambdaArn              string `json:"lambdaArn,omitempty"`
}

// put writes an object, retrying every RetryEvery for RetryFor; after that
// the object is dropped (nil, and Dropped told) as Firehose drops it.
func (s *S3) put(ctx context.Context, key string, body []byte, records int, contentType, contentEncoding string) error {
	every, retryFor := s.RetryEvery, s.RetryFor
	if every <= 0 {
		every = 5 * time.Second
	}
	if retryFor <= 0 {
		retryFor = 24 * time.Hour
	}
	start := s.clock().Now()
	for {
		var err error
		if eo, ok := s.Objects.(EncodedObjects); ok && contentEncoding != "" {
			err = eo.PutEncoded(ctx, s.Bucket, key, body, contentType, contentEncoding)
		} else {
			err = s.Objects.Put(ctx, s.Bucket, key, body, contentType)
		}
		if s.Attempted != nil && ctx.Err() == nil {
			s.Attempted(err)
		}
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if s.clock().Now().Sub(start) >= retryFor {
			if s.Dropped != nil {
				s.Dropped(key, records, err)
			}
			return nil
		}
		sleep(ctx, every)
	}
}
