package analytics

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/protocol/kda"
	"github.com/eddy-streams/eddy/protocol/kds"
)

// maxSample is how many records DiscoverInputSchema reads at most from a
// stream. Kinesis Analytics does not document its sample size ("random
// samples of records on the streaming source"); the choice is Eddy's.
const maxSample = 100

// maxObjectBytes bounds the S3 object DiscoverInputSchema reads (Eddy's
// bound: none is documented; a reference table is small).
const maxObjectBytes = 8 << 20

// DiscoverInputSchema infers a schema (see infer.go) from records sampled
// from a Kinesis stream, from TRIM_HORIZON whatever
// InputStartingPositionConfiguration says, or from an S3 object
// (S3Configuration; the whole object is one raw record, as the guide's
// static-data example shows). With an InputProcessingConfiguration the
// sampled records of a stream go through the Lambda preprocessor first
// (see preprocess.go) and the schema is the processed records'. Delivery
// streams are not supported (InvalidArgumentException, Eddy's words). No records,
// or records neither JSON objects nor delimited text, is
// UnableToDetectSchemaException with the sampled RawInputRecords.
func (s *Service) DiscoverInputSchema(ctx context.Context, _ string, in *kda.DiscoverInputSchemaInput) (*kda.DiscoverInputSchemaOutput, error) {
	var recs []sampled
	var err error
	fromS3 := in.S3Configuration != nil && in.ResourceARN == nil
	if fromS3 {
		if in.InputProcessingConfiguration != nil {
			return nil, invalidArgument("Eddy runs an InputProcessingConfiguration for DiscoverInputSchema over a stream only, not an S3 object.")
		}
		recs, err = s.readObject(ctx, in.S3Configuration)
	} else {
		recs, err = s.sampleStream(ctx, kda.Deref(in.ResourceARN))
	}
	if err != nil {
		return nil, err
	}
	var rawText []string
	raw := make([][]byte, len(recs))
	for i, r := range recs {
		raw[i] = r.data
		rawText = append(rawText, string(r.data))
	}
	var processedText []string
	if p := in.InputProcessingConfiguration; p != nil {
		raw, err = s.preprocess(ctx, kda.Deref(p.InputLambdaProcessor.ResourceARN), kda.Deref(in.ResourceARN), recs)
		if err != nil {
			return nil, (&eddy.Error{Code: eddy.CodeUnableToDetectSchema, Message: err.Error()}).With("RawInputRecords", rawText)
		}
		processedText = []string{}
		for _, r := range raw {
			processedText = append(processedText, string(r))
		}
	}
	schema, parsed := infer(raw)
	if schema == nil {
		msg := "Unable to determine the schema of the sampled records."
		if len(recs) == 0 {
			msg = "No records were found in the stream to determine its schema."
		}
		// Eddy's words.
		e := (&eddy.Error{Code: eddy.CodeUnableToDetectSchema, Message: msg}).With("RawInputRecords", orEmpty(rawText))
		if processedText != nil {
			e = e.With("ProcessedInputRecords", processedText)
		}
		return nil, e
	}
	return &kda.DiscoverInputSchemaOutput{InputSchema: schema, ParsedInputRecords: parsed,
		RawInputRecords: rawText, ProcessedInputRecords: processedText}, nil
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// sampleStream reads the records to discover from the stream arn.
func (s *Service) sampleStream(ctx context.Context, arn string) ([]sampled, error) {
	p, ok := parseARN(arn, kindStream)
	if !ok {
		return nil, invalidArgument("Eddy discovers schemas from Kinesis streams and S3 objects only; %s is not the ARN of a Kinesis stream.", arn)
	}
	if err := s.checkResource(ctx, arn, kindStream); err != nil {
		return nil, err
	}
	if s.cfg.Kinesis == nil {
		return nil, eddy.Errorf(eddy.CodeUnsupportedOperation, "DiscoverInputSchema is not available: no Kinesis service.")
	}
	k, err := s.cfg.Kinesis(p.region)
	if err != nil {
		return nil, err
	}
	return sample(ctx, k, p.name, maxSample)
}

// readObject reads the object c names. The bucket ARN is
// arn:aws:s3:::<bucket>; a missing bucket or object is
// ResourceNotFoundException (the model lists it for DiscoverInputSchema;
// the words are Eddy's).
func (s *Service) readObject(ctx context.Context, c *kda.S3Configuration) ([]sampled, error) {
	bucket, ok := strings.CutPrefix(kda.Deref(c.BucketARN), "arn:aws:s3:::")
	if !ok || bucket == "" || strings.Contains(bucket, "/") {
		return nil, invalidArgument("%s is not the ARN of an S3 bucket.", kda.Deref(c.BucketARN))
	}
	if s.cfg.ReadObject == nil {
		return nil, eddy.Errorf(eddy.CodeUnsupportedOperation, "DiscoverInputSchema from S3 is not available: no object store.")
	}
	key := kda.Deref(c.FileKey)
	b, err := s.cfg.ReadObject(ctx, bucket, key, maxObjectBytes)
	switch {
	case errors.Is(err, ErrNoObject):
		return nil, eddy.Errorf(eddy.CodeResourceNotFound, "Object %s of bucket %s is not found.", key, bucket)
	case err != nil:
		return nil, err
	}
	if len(b) == 0 {
		return nil, nil
	}
	return []sampled{{data: bytes.Clone(b)}}, nil
}

// sampled is a record read for discovery.
type sampled struct {
	data    []byte
	seq     string
	key     string
	shard   string
	arrival time.Time
}

// sample reads up to max records of the stream name from TRIM_HORIZON,
// shard by shard.
func sample(ctx context.Context, k Kinesis, name string, max int) ([]sampled, error) {
	var out []sampled
	var next *string
	for len(out) < max {
		lin := &kds.ListShardsInput{StreamName: kda.String(name)}
		if next != nil {
			lin = &kds.ListShardsInput{NextToken: next}
		}
		ls, err := k.ListShards(ctx, lin)
		if err != nil {
			return nil, err
		}
		for _, sh := range ls.Shards {
			trim := kds.ShardIteratorTypeTrimHorizon
			it, err := k.GetShardIterator(ctx, &kds.GetShardIteratorInput{StreamName: kda.String(name), ShardId: kda.String(sh.ShardId), ShardIteratorType: &trim})
			if err != nil {
				return nil, err
			}
			iter := kda.String(it.ShardIterator)
			for iter != nil && len(out) < max {
				gr, err := k.GetRecords(ctx, &kds.GetRecordsInput{ShardIterator: iter, Limit: kda.Int32(int32(max - len(out)))})
				if err != nil {
					return nil, err
				}
				for _, r := range gr.Records {
					out = append(out, sampled{data: bytes.Clone(r.Data), seq: r.SequenceNumber, key: r.PartitionKey,
						shard: sh.ShardId, arrival: r.ApproximateArrivalTimestamp.Time()})
				}
				if len(gr.Records) == 0 && gr.MillisBehindLatest == 0 {
					break // at the end of the shard's records
				}
				iter = gr.NextShardIterator
			}
			if len(out) >= max {
				break
			}
		}
		if ls.NextToken == nil {
			break
		}
		next = ls.NextToken
	}
	return out, nil
}
