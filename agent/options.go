package agent

import (
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"regexp"
	"time"

	"github.com/eddy-streams/eddy/metrics"
)

// Destination kinds of a flow.
const (
	KinesisStream  = "kinesisStream"  // a Kinesis data stream
	DeliveryStream = "deliveryStream" // a Firehose delivery stream
)

// Initial positions: where the files found when a flow starts for the
// first time (without any checkpoint) are read from. Files that appear
// later, or when the flow has checkpoints, are read from their start.
const (
	StartOfFile = "START_OF_FILE"
	EndOfFile   = "END_OF_FILE"
)

// Partition key options of a Kinesis flow, as the agent's
// KinesisConstants.PartitionKeyOption (awslabs/amazon-kinesis-agent,
// src/com/amazon/kinesis/streaming/agent/tailing/KinesisRecord.java):
// RANDOM is a random number in [0, 1000000) as a decimal string,
// DETERMINISTIC the lowercase hex MD5 of the record's data.
const (
	PartitionKeyRandom        = "RANDOM"
	PartitionKeyDeterministic = "DETERMINISTIC"
)

// Maximum record sizes per destination, from the agent's
// KinesisConstants.MAX_RECORD_SIZE_BYTES (1024*1024) and
// FirehoseConstants.MAX_RECORD_SIZE_BYTES (1000*1024). For Kinesis the
// partition key counts in the record's size.
const (
	KinesisMaxRecordSize  = 1024 * 1024
	FirehoseMaxRecordSize = 1000 * 1024
)

// Firehose PutRecordBatch limits (FirehoseConstants.MAX_BATCH_PUT_SIZE_RECORDS
// and MAX_BATCH_PUT_SIZE_BYTES).
const (
	firehoseBatchRecords = 500
	firehoseBatchBytes   = 4 * 1024 * 1024
)

// Options are the agent's global settings.
type Options struct {
	CheckpointFile string // where checkpoints are kept; required
	// KinesisEndpoint and FirehoseEndpoint are the service URLs
	// (http://127.0.0.1:4567); empty means the SDK's default resolution.
	KinesisEndpoint  string
	FirehoseEndpoint string
	Region           string
	// AccessKeyID and SecretAccessKey, when set, are static credentials;
	// otherwise the SDK's default chain.
	AccessKeyID, SecretAccessKey string
	// AssumeRoleARN, when set, is a role assumed through STS (at
	// STSEndpoint, default the SDK's) with the credentials above; the
	// flows send with the role's temporary credentials, refreshed before
	// they expire. AssumeRoleExternalID is passed as the ExternalId.
	AssumeRoleARN, AssumeRoleExternalID string
	STSEndpoint                         string
	// CheckpointTTL is how long the checkpoint of a file no flow follows
	// any more is kept (checkpointTimeToLiveDays); default 7 days.
	CheckpointTTL  time.Duration
	SendingThreads int // concurrent sends per flow; default 8
	// RateLimit caps what a Kinesis flow writes to each shard, in percent
	// of Kinesis's per-shard limits (the producer library's RateLimit): 0
	// means the default, 150, as the KPL; a negative value turns the limiter
	// off (for an Eddy that runs without limits).
	RateLimit          int
	ShutdownTimeout    time.Duration // flush on shutdown at most this long; default 10s
	CheckpointInterval time.Duration // how often checkpoints are written; default 1s
	ProgressInterval   time.Duration // how often the progress line is logged; default 30s
	Logger             *slog.Logger
	Metrics            *metrics.Registry // nil: a private registry
}

// FlowOptions are one flow's settings.
type FlowOptions struct {
	FilePattern string // a path whose last element may hold glob characters
	Kind        string // KinesisStream or DeliveryStream
	Destination string // the stream's name
	// PartitionKeyOption is RANDOM (the default) or DETERMINISTIC.
	PartitionKeyOption string
	InitialPosition    string // StartOfFile (the default) or EndOfFile
	// BufferAge, BufferSizeBytes and BufferRecords bound a batch (Firehose)
	// or the producer's buffering (Kinesis): maxBufferAgeMillis,
	// maxBufferSizeBytes, maxBufferSizeRecords.
	BufferAge       time.Duration
	BufferSizeBytes int
	BufferRecords   int
	// QueueRecords bounds the records read and not yet acknowledged;
	// reading stops while it is reached. Default 10000.
	QueueRecords          int
	PollInterval          time.Duration // how often files are checked for new data; default 100ms
	MultiLineStartPattern string
	SkipHeaderLines       int
	// FileFooterPattern, if set, is a regular expression: a line matching
	// it is a file's last; the file is not read further (fileFooterPattern).
	FileFooterPattern string
	// RetryInitialBackoff and RetryMaxBackoff bound the wait before a
	// failed record is sent again, doubling from the first to the second;
	// defaults 100ms and 10s.
	RetryInitialBackoff, RetryMaxBackoff time.Duration
	// TruncatedRecordTerminator ends a record cut to MaxRecordSize; default "\n".
	TruncatedRecordTerminator string
	MaxRecordSize             int // default and maximum: the destination's
	// AggregatedRecordSizeBytes > 0 turns on KPL aggregation (Kinesis only),
	// with aggregates of at most this many bytes.
	AggregatedRecordSizeBytes int
	// Convert, if set, transforms a record (dataProcessingOptions): it
	// appends the result to dst and returns it. As in the Kinesis Agent, an
	// error wrapping convert.ErrSkip (or an empty result) drops the record;
	// any other error sends the record unconverted, with a warning
	// (AbstractParser.buildRecord: "Cannot process input data"). Convert is
	// called from one goroutine per flow.
	Convert func(dst, rec []byte) ([]byte, error)
}

func (o *Options) withDefaults() Options {
	c := *o
	if c.SendingThreads <= 0 {
		c.SendingThreads = 8
	}
	if c.ShutdownTimeout <= 0 {
		c.ShutdownTimeout = 10 * time.Second
	}
	if c.CheckpointInterval <= 0 {
		c.CheckpointInterval = time.Second
	}
	if c.ProgressInterval <= 0 {
		c.ProgressInterval = 30 * time.Second
	}
	if c.CheckpointTTL <= 0 {
		c.CheckpointTTL = 7 * 24 * time.Hour
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Metrics == nil {
		c.Metrics = metrics.NewRegistry()
	}
	return c
}

func (f *FlowOptions) withDefaults() FlowOptions {
	c := *f
	if c.PartitionKeyOption == "" {
		c.PartitionKeyOption = PartitionKeyRandom
	}
	if c.InitialPosition == "" {
		c.InitialPosition = StartOfFile
	}
	if c.BufferAge <= 0 {
		c.BufferAge = time.Second
	}
	limit := KinesisMaxRecordSize
	if c.Kind == DeliveryStream {
		limit = FirehoseMaxRecordSize
		if c.BufferRecords <= 0 || c.BufferRecords > firehoseBatchRecords {
			c.BufferRecords = firehoseBatchRecords
		}
		if c.BufferSizeBytes <= 0 || c.BufferSizeBytes > firehoseBatchBytes {
			c.BufferSizeBytes = firehoseBatchBytes
		}
	}
	if c.MaxRecordSize <= 0 || c.MaxRecordSize > limit {
		c.MaxRecordSize = limit
	}
	if c.QueueRecords <= 0 {
		c.QueueRecords = 10000
	}
	if c.PollInterval <= 0 {
		c.PollInterval = 100 * time.Millisecond
	}
	if c.TruncatedRecordTerminator == "" {
		c.TruncatedRecordTerminator = "\n"
	}
	if c.RetryInitialBackoff <= 0 {
		c.RetryInitialBackoff = 100 * time.Millisecond
	}
	if c.RetryMaxBackoff <= 0 {
		c.RetryMaxBackoff = max(10*time.Second, c.RetryInitialBackoff)
	}
	return c
}

// Validate reports the first problem of the options and flows, nil if
// there is none.
func Validate(o Options, flows []FlowOptions) error {
	if o.CheckpointFile == "" {
		return errors.New("agent: no checkpoint file")
	}
	if len(flows) == 0 {
		return errors.New("agent: no flows")
	}
	seen := map[string]bool{}
	for i, f := range flows {
		name := fmt.Sprintf("flow %d (%s)", i, f.FilePattern)
		if f.FilePattern == "" || !filepath.IsAbs(f.FilePattern) {
			return fmt.Errorf("agent: %s: filePattern must be an absolute path", name)
		}
		if _, err := filepath.Match(filepath.Base(f.FilePattern), ""); err != nil {
			return fmt.Errorf("agent: %s: bad pattern: %v", name, err)
		}
		if f.Kind != KinesisStream && f.Kind != DeliveryStream {
			return fmt.Errorf("agent: %s: destination kind %q is neither %s nor %s", name, f.Kind, KinesisStream, DeliveryStream)
		}
		if f.Destination == "" {
			return fmt.Errorf("agent: %s: no destination stream", name)
		}
		switch f.PartitionKeyOption {
		case "", PartitionKeyRandom, PartitionKeyDeterministic:
		default:
			return fmt.Errorf("agent: %s: partitionKeyOption %q is neither RANDOM nor DETERMINISTIC", name, f.PartitionKeyOption)
		}
		switch f.InitialPosition {
		case "", StartOfFile, EndOfFile:
		default:
			return fmt.Errorf("agent: %s: initialPosition %q is neither START_OF_FILE nor END_OF_FILE", name, f.InitialPosition)
		}
		if f.MultiLineStartPattern != "" {
			if _, err := regexp.Compile(f.MultiLineStartPattern); err != nil {
				return fmt.Errorf("agent: %s: multiLineStartPattern: %v", name, err)
			}
		}
		if f.FileFooterPattern != "" {
			if _, err := regexp.Compile(f.FileFooterPattern); err != nil {
				return fmt.Errorf("agent: %s: fileFooterPattern: %v", name, err)
			}
		}
		if f.RetryMaxBackoff > 0 && f.RetryMaxBackoff < f.RetryInitialBackoff {
			return fmt.Errorf("agent: %s: the maximum retry backoff is less than the initial one", name)
		}
		if f.SkipHeaderLines < 0 {
			return fmt.Errorf("agent: %s: skipHeaderLines is negative", name)
		}
		d := f.withDefaults()
		if len(d.TruncatedRecordTerminator) >= d.MaxRecordSize {
			return fmt.Errorf("agent: %s: truncatedRecordTerminator is longer than the maximum record size", name)
		}
		id := flowID(f)
		if seen[id] {
			return fmt.Errorf("agent: %s: a flow with the same file pattern and destination exists", name)
		}
		seen[id] = true
	}
	return nil
}

// flowID names a flow in the checkpoint file.
func flowID(f FlowOptions) string { return f.Kind + ":" + f.Destination + ":" + f.FilePattern }
