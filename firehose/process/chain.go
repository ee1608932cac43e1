package process

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/eddy-streams/eddy"
)

// Record is one record passing through the processors.
type Record struct {
	// RecordID identifies the record in a Lambda invocation. The caller
	// gives each record of a batch a distinct id; deaggregation gives each
	// sub-record its parent's id followed by ":" and its index. (Records
	// without an id, or sharing one, are sent to the function under made-up
	// ids unique in the batch.)
	RecordID string
	Data     []byte
	// ApproximateArrival is when Firehose (or the source stream) received
	// the record.
	ApproximateArrival time.Time
	// Kinesis is the source record's metadata when the delivery stream
	// reads a Kinesis stream (KinesisStreamAsSource); nil for DirectPut.
	Kinesis *KinesisMetadata
	// PartitionKeysFromQuery are the keys MetadataExtraction extracted, for
	// !{partitionKeyFromQuery:k}; nil when it did not run.
	PartitionKeysFromQuery map[string]string
	// PartitionKeysFromLambda are the keys the Lambda function returned in
	// metadata.partitionKeys, for !{partitionKeyFromLambda:k}; nil when it
	// returned none.
	PartitionKeysFromLambda map[string]string
}

// KinesisMetadata is what Firehose tells a Lambda function about a record
// read from a Kinesis stream (kinesisRecordMetadata).
type KinesisMetadata struct {
	ShardID            string
	PartitionKey       string
	SequenceNumber     string
	SubsequenceNumber  int64
	ApproximateArrival time.Time
}

// Error output types: the value of !{firehose:error-output-type} for a
// failed record.
const (
	// OutputProcessingFailed is the Lambda processor's ("processing-failed",
	// Firehose's s3-prefixes documentation).
	OutputProcessingFailed = "processing-failed"
	// OutputDecompressionFailed is Decompression's: "these objects will be
	// delivered to an S3 bucket prefix called decompression-failed"
	// (docs.aws.amazon.com/firehose/latest/dev/decomp-faq.html).
	OutputDecompressionFailed = "decompression-failed"
	// OutputMetadataExtractionFailed is MetadataExtraction's. No AWS page
	// names it; users report failed records "routed to
	// errors/metadata-extraction-failed/" with ErrorOutputPrefix
	// "errors/!{firehose:error-output-type}/".
	OutputMetadataExtractionFailed = "metadata-extraction-failed"
)

// Failure is a record a processor could not process: it goes to the error
// output, never silently away.
type Failure struct {
	// Record is the record as the failing processor received it.
	Record Record
	// OutputType is the error output type (OutputProcessingFailed, ...).
	OutputType string
	// ErrorCode and ErrorMessage are Firehose's (Lambda.MissingRecordId,
	// DynamicPartitioning.MetadataExtractionFailed, ...).
	ErrorCode    string
	ErrorMessage string
	// AttemptsMade counts the Lambda invocations made for the record; 1 for
	// other processors.
	AttemptsMade int
	// AttemptEnding is when the processor gave up on the record.
	AttemptEnding time.Time
	// LambdaARN is the function's ARN, for Lambda failures.
	LambdaARN string
}

// Result is what a processor, or a whole Chain, made of a batch.
type Result struct {
	// Records are the records to deliver, in input order.
	Records []Record
	// Failed are the records for the error output.
	Failed []Failure
	// Dropped counts records removed on purpose.
	Dropped int
}

func (r *Result) merge(o Result) {
	r.Records = append(r.Records, o.Records...)
	r.Failed = append(r.Failed, o.Failed...)
	r.Dropped += o.Dropped
}

// Processor is one stage of a Chain.
type Processor interface {
	// Process processes a batch. The input records belong to the
	// processor; it returns an error only when ctx ends.
	Process(ctx context.Context, recs []Record) (Result, error)
}

// Processor types (Processor.Type), as Firehose names them.
const (
	TypeRecordDeAggregation     = "RecordDeAggregation"
	TypeDecompression           = "Decompression"
	TypeCloudWatchLogProcessing = "CloudWatchLogProcessing"
	TypeLambda                  = "Lambda"
	TypeMetadataExtraction      = "MetadataExtraction"
	TypeAppendDelimiterToRecord = "AppendDelimiterToRecord"
)

// Processor parameter names (ProcessorParameter.ParameterName).
const (
	ParamLambdaArn               = "LambdaArn"
	ParamNumberOfRetries         = "NumberOfRetries"
	ParamMetadataExtractionQuery = "MetadataExtractionQuery"
	ParamJsonParsingEngine       = "JsonParsingEngine"
	ParamRoleArn                 = "RoleArn"
	ParamBufferSizeInMBs         = "BufferSizeInMBs"
	ParamBufferIntervalInSeconds = "BufferIntervalInSeconds"
	ParamSubRecordType           = "SubRecordType"
	ParamDelimiter               = "Delimiter"
	ParamCompressionFormat       = "CompressionFormat"
	ParamDataMessageExtraction   = "DataMessageExtraction"
)

// ProcessingConfiguration is Firehose's ProcessingConfiguration.
type ProcessingConfiguration struct {
	Enabled    bool
	Processors []ProcessorConfig
}

// ProcessorConfig is Firehose's Processor.
type ProcessorConfig struct {
	Type       string
	Parameters []ProcessorParameter
}

// ProcessorParameter is Firehose's ProcessorParameter.
type ProcessorParameter struct {
	ParameterName  string
	ParameterValue string
}

// Clock is the time source of the Lambda processor's retries and failure
// timestamps; kinesis.RealClock and kinesis.FakeClock fit it.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f in its own goroutine after d.
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}

// Config configures a Chain.
type Config struct {
	ProcessingConfiguration ProcessingConfiguration
	// DeliveryStreamARN and Region are sent to the Lambda function.
	DeliveryStreamARN string
	Region            string
	// SourceKinesisStreamARN is the source stream of a KinesisStreamAsSource
	// delivery stream; "" for DirectPut. When set, KPL-aggregated records
	// are deaggregated first and the Lambda function gets
	// sourceKinesisStreamArn and each record's kinesisRecordMetadata.
	SourceKinesisStreamARN string
	// Invoker runs the Lambda processor's function. Required when there is
	// one.
	Invoker Invoker
	// Clock defaults to the system clock.
	Clock Clock
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

// Chain is a delivery stream's processors in Firehose's order.
type Chain struct {
	stages []Processor
	lambda *Lambda
}

// order is the rank of each processor type in a Chain (see the package doc).
var order = map[string]int{
	TypeDecompression:           0,
	TypeCloudWatchLogProcessing: 1,
	TypeRecordDeAggregation:     2,
	TypeLambda:                  3,
	TypeMetadataExtraction:      4,
	TypeAppendDelimiterToRecord: 5,
}

// New builds the chain cfg describes. A disabled or empty configuration
// gives a Chain that only deaggregates KPL records of a Kinesis source. An
// unknown type, a processor given twice, or a bad parameter is an
// InvalidArgumentException.
func New(cfg Config) (*Chain, error) {
	if cfg.Clock == nil {
		cfg.Clock = realClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	c := &Chain{}
	if cfg.SourceKinesisStreamARN != "" {
		c.stages = append(c.stages, KPLDeaggregation{})
	}
	if !cfg.ProcessingConfiguration.Enabled {
		return c, nil
	}
	var byRank [6]Processor
	for _, pc := range cfg.ProcessingConfiguration.Processors {
		rank, ok := order[pc.Type]
		if !ok {
			// Firehose's wording for an unknown type is not recorded; the
			// SDK's enum lists the six types.
			return nil, eddy.Errorf(eddy.CodeInvalidArgument, "Processor type %q is not one of %s.", pc.Type, strings.Join(typeNames(), ", "))
		}
		if byRank[rank] != nil {
			return nil, eddy.Errorf(eddy.CodeInvalidArgument, "Processor type %s is given more than once.", pc.Type)
		}
		p, err := build(pc, cfg)
		if err != nil {
			return nil, err
		}
		if l, ok := p.(*Lambda); ok {
			c.lambda = l
		}
		byRank[rank] = p
	}
	if byRank[order[TypeCloudWatchLogProcessing]] != nil && byRank[order[TypeDecompression]] == nil {
		return nil, eddy.Errorf(eddy.CodeInvalidArgument, "CloudWatchLogProcessing requires the Decompression processor.")
	}
	for _, p := range byRank {
		if p != nil {
			c.stages = append(c.stages, p)
		}
	}
	return c, nil
}

func typeNames() []string {
	return []string{TypeRecordDeAggregation, TypeDecompression, TypeCloudWatchLogProcessing, TypeLambda, TypeMetadataExtraction, TypeAppendDelimiterToRecord}
}

func build(pc ProcessorConfig, cfg Config) (Processor, error) {
	params := map[string]string{}
	for _, p := range pc.Parameters {
		if _, dup := params[p.ParameterName]; dup {
			return nil, eddy.Errorf(eddy.CodeInvalidArgument, "Processor parameter %s is given more than once.", p.ParameterName)
		}
		params[p.ParameterName] = p.ParameterValue
	}
	switch pc.Type {
	case TypeLambda:
		return newLambda(params, cfg)
	case TypeRecordDeAggregation:
		return newDeaggregation(params)
	case TypeDecompression:
		return newDecompression(params, cfg.Clock)
	case TypeCloudWatchLogProcessing:
		return newCloudWatchLogs(params)
	case TypeMetadataExtraction:
		return newMetadataExtraction(params, cfg.Clock)
	default: // TypeAppendDelimiterToRecord
		if err := onlyParams(pc.Type, params); err != nil {
			return nil, err
		}
		return AppendDelimiter{}, nil
	}
}

// onlyParams rejects parameters a processor does not take.
func onlyParams(typ string, params map[string]string, allowed ...string) error {
	for name := range params {
		ok := false
		for _, a := range allowed {
			ok = ok || a == name
		}
		if !ok {
			return eddy.Errorf(eddy.CodeInvalidArgument, "Processor parameter %s is not supported for processor type %s.", name, typ)
		}
	}
	return nil
}

// LambdaBuffering returns the Lambda processor's buffering hints for the
// runner (how much to buffer before an invocation); ok is false when the
// chain has no Lambda processor.
func (c *Chain) LambdaBuffering() (sizeBytes int, interval time.Duration, ok bool) {
	if c.lambda == nil {
		return 0, 0, false
	}
	return c.lambda.bufferBytes, c.lambda.interval, true
}

// Process runs every stage on recs in order. The failures and drops of all
// stages add up; records failed by one stage are not seen by the next.
func (c *Chain) Process(ctx context.Context, recs []Record) (Result, error) {
	var out Result
	for _, st := range c.stages {
		r, err := st.Process(ctx, recs)
		if err != nil {
			return Result{}, err
		}
		out.Failed = append(out.Failed, r.Failed...)
		out.Dropped += r.Dropped
		recs = r.Records
	}
	out.Records = recs
	return out, nil
}

// AppendDelimiter is AppendDelimiterToRecord: a newline after each record
// ("If you want to add a new line delimiter between records in objects that
// are delivered to Amazon S3, choose AppendDelimiterToRecord", the API's
// Processor documentation). It takes no parameters.
type AppendDelimiter struct{}

func (AppendDelimiter) Process(_ context.Context, recs []Record) (Result, error) {
	for i := range recs {
		d := recs[i].Data
		recs[i].Data = append(d[:len(d):len(d)], '\n')
	}
	return Result{Records: recs}, nil
}

// subID is the record id of sub-record i of the record with id parent.
func subID(parent string, i int) string {
	return parent + ":" + strconv.Itoa(i)
}
