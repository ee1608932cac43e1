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
	SendingThreads               int           // concurrent sends per flow; default 8
	ShutdownTimeout              time.Duration // flush on shutdown at most this long; default 10s
	CheckpointInterval           time.Duration // how often checkpoints are written; default 1s
	ProgressInterval             time.Duration // how often the progress line is logged; default 30s
	Logger                       *slog.Logger
	Metrics                      *metrics.Registry // nil: a private registry
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
	// TruncatedRecordTerminator ends a record cut to MaxRecordSize; default "\n".
	TruncatedRecordTerminator string
	MaxRecordSize             int // default and maximum: the destination's
	// AggregatedRecordSizeBytes > 0 turns on KPL aggregation (Kinesis only),
	// with aggregates of at most this many bytes.
	AggregatedRecordSizeBytes int
	// Convert, if set, transforms a record (dataProcessingOptions): it
	// appends the result to dst and returns it; an empty result skips the
	// record.
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
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Metrics == nil {
		c.Metrics = metrics.NewRegistry()
	}
	if c.Region == "" {
		c.Region = "us-east-1"
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
		if dir := filepath.Dir(f.FilePattern); hasMeta(dir) {
			return fmt.Errorf("agent: %s: wildcards are allowed in the file name only, not in %q", name, dir)
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

func hasMeta(s string) bool {
	for _, c := range s {
		switch c {
		case '*', '?', '[', '\\':
			return true
		}
	}
	return false
}
