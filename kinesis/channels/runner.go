// Package channels delivers the records of Kinesis Data Streams channels
// to general purpose S3 buckets. The kinesis engine keeps the channels
// (CreateChannel and the others); a Runner runs one firehose/delivery
// Pipeline per ACTIVE channel to S3:
//
//	source       delivery.KinesisSource on the channel's stream, in
//	             process, from per-shard checkpoints in the MetaStore table
//	             "kinesis/channel-checkpoints" (key <channel ARN>/<channel
//	             id>/<shard id>), starting when the channel became ACTIVE
//	             (no backfill)
//	transform    JSON records must be valid JSON, STRING records valid
//	             UTF-8; the others go to the dead-letter queue
//	buffer       until DataFreshnessInSeconds passed since the buffer's
//	             first record, or Config.ObjectSize bytes
//	destination  one object per buffer: the records, each followed by a
//	             newline, compressed (NONE, GZIP, ZSTD), under the key of
//	             the OutputKeyTemplate (or the documented default),
//	             written through a delivery.Objects (internal/s3sink against
//	             `eddy serve --s3-endpoint`)
//	dead letters the records that failed validation, one JSON document per
//	             line (Firehose's processing-failed shape), under
//	             ErrorOutputPrefix (default kinesis-channel-errors/<channel
//	             name>/<channel id>/) in the dead-letter bucket
//
// A channel's checkpoint moves only past records whose object the store
// acknowledged, so records are delivered at least once across restarts.
// An update of the channel restarts its pipeline from the checkpoint with
// the new configuration; a deleted channel's pipeline stops.
//
//	r := channels.New(cfg, regions, meta) // cfg.Objects: an S3-compatible store
//	defer r.Close()
package channels

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/eddy-streams/eddy/firehose/delivery"
	"github.com/eddy-streams/eddy/firehose/iceberg"
	"github.com/eddy-streams/eddy/kinesis"
	"github.com/eddy-streams/eddy/protocol/kds"
	"github.com/eddy-streams/eddy/storage"
)

// CheckpointTable is the MetaStore table of the channels' checkpoints.
const CheckpointTable = "kinesis/channel-checkpoints"

// Engines are the kinesis engines whose channels are delivered
// (*kinesis.Regions is one).
type Engines interface {
	// List names the regions served.
	List() []string
	// Lookup returns a region's engine, nil if it has none.
	Lookup(region string) *kinesis.Engine
}

// Config configures a Runner. Start from DefaultConfig.
type Config struct {
	// Objects writes the objects. Required.
	Objects delivery.Objects
	// Poll is how often the channels are listed to start, restart and
	// stop pipelines (Wake does it at once). Default 5s.
	Poll time.Duration
	// Exclusive, if set, runs each channel's pipeline on one node of those
	// sharing the store (cluster.Cluster.Run), as the job
	// "kinesis/channels/<id>"; the next leader resumes from the
	// checkpoints. Default nil: every pipeline runs here.
	Exclusive delivery.Exclusive
	// ObjectSize is the size of records (before compression) at which a
	// buffer is delivered before its data freshness is reached. The
	// developer guide only says "optimally sized objects". Default 64 MiB.
	ObjectSize int
	// Idle is the longest a pipeline waits for records before looking at
	// its buffers again. Default 1s.
	Idle time.Duration
	// RetryEvery and RetryFor are how a failing object write is retried.
	// No channel documentation says; Firehose's S3 rule is used: every 5 s
	// for 24 h (then the object is dropped and logged).
	RetryEvery, RetryFor time.Duration
	// Clock tells the time of buffering decisions and object keys.
	// Default the system clock.
	Clock delivery.Clock
	// Suffix makes object keys unique. Default 16 random hex digits.
	Suffix func() string
	// Logger defaults to discarding.
	Logger *slog.Logger
	// BucketDir gives the local directory of a bucket (`eddy serve
	// --s3-bucket-dir`): a channel to S3 Tables writes its tables as
	// Apache Iceberg tables in the directory of its table bucket's name.
	// Nil: no channel to S3 Tables is delivered.
	BucketDir func(bucket string) (string, bool)
}

// DefaultConfig returns the defaults, without Objects.
func DefaultConfig() Config {
	return Config{Poll: 5 * time.Second, ObjectSize: 64 << 20, Idle: time.Second,
		RetryEvery: 5 * time.Second, RetryFor: 24 * time.Hour}
}

// Validate reports an unusable Config.
func (c *Config) Validate() error {
	switch {
	case c.Objects == nil:
		return errors.New("channels: no Objects to write to")
	case c.Poll <= 0 || c.Idle <= 0:
		return errors.New("channels: Poll and Idle must be positive")
	case c.ObjectSize <= 0:
		return errors.New("channels: ObjectSize must be positive")
	case c.RetryEvery <= 0 || c.RetryFor <= 0:
		return errors.New("channels: RetryEvery and RetryFor must be positive")
	}
	return nil
}

// Runner runs the pipelines of the channels of every region.
type Runner struct {
	cfg     Config
	engines Engines
	meta    storage.MetaStore
	log     *slog.Logger
	mgr     *delivery.Manager

	mu struct {
		sync.Mutex
		jobs map[string]job // by channel ARN, as last listed
	}
}

type job struct {
	eng *kinesis.Engine
	d   kinesis.ChannelDelivery
}

// New starts a Runner; Close stops it. Checkpoints are kept in meta.
func New(cfg Config, engines Engines, meta storage.MetaStore) (*Runner, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Suffix == nil {
		cfg.Suffix = randomSuffix
	}
	r := &Runner{cfg: cfg, engines: engines, meta: meta, log: cfg.Logger.With("component", "channels")}
	r.mu.jobs = map[string]job{}
	r.mgr = delivery.NewExclusiveManager(r.list, r.build, cfg.Poll, r.log, cfg.Exclusive, "kinesis/channels/")
	return r, nil
}

// Wake looks at the channels now, after a create, update or delete.
func (r *Runner) Wake() { r.mgr.Wake() }

// Close stops every pipeline and waits for them. Records read and not yet
// delivered are read again by the next Runner, from the checkpoints.
func (r *Runner) Close() error { return r.mgr.Close() }

// list is the manager's Jobs: the channels to deliver now.
func (r *Runner) list() ([]delivery.Job, error) {
	jobs := map[string]job{}
	var out []delivery.Job
	for _, region := range r.engines.List() {
		eng := r.engines.Lookup(region)
		if eng == nil {
			continue
		}
		ds, err := eng.ChannelDeliveries()
		if err != nil {
			return nil, fmt.Errorf("region %s: %w", region, err)
		}
		for _, d := range ds {
			jobs[d.ARN] = job{eng: eng, d: d}
			out = append(out, delivery.Job{ID: d.ARN, Version: d.Version})
		}
	}
	r.mu.Lock()
	r.mu.jobs = jobs
	r.mu.Unlock()
	return out, nil
}

// build is the manager's Build: the pipeline of a channel.
func (r *Runner) build(j delivery.Job) (*delivery.Pipeline, func(), error) {
	r.mu.Lock()
	jb, ok := r.mu.jobs[j.ID]
	r.mu.Unlock()
	if !ok {
		return nil, nil, fmt.Errorf("channel %s is no longer listed", j.ID)
	}
	d := jb.d
	if d.Tables != nil {
		return r.buildTables(jb)
	}
	sc := d.S3.StorageConfiguration
	bucket, err := bucketName(deref(sc.BucketARN))
	if err != nil {
		return nil, nil, err
	}
	dlqBucket, err := bucketName(deref(d.S3.DeadLetterQueueS3Configuration.BucketARN))
	if err != nil {
		return nil, nil, err
	}
	var compression kds.S3CompressionType
	if sc.CompressionType != nil {
		compression = *sc.CompressionType
	}
	template := DefaultKeyTemplate
	if sc.OutputKeyTemplate != nil && *sc.OutputKeyTemplate != "" {
		template = *sc.OutputKeyTemplate
	}
	vars := keyVars{channel: d.Name, id: d.ID, stream: d.StreamName, ext: extension(compression)}
	errPrefix := "kinesis-channel-errors/" + d.Name + "/" + d.ID + "/"
	if p := d.S3.DeadLetterQueueS3Configuration.ErrorOutputPrefix; p != nil && *p != "" {
		errPrefix = *p
	}
	log := r.log.With("channel", d.ARN)
	dropped := func(key string, records int, err error) {
		log.Error("object dropped after retrying", "key", key, "records", records, "err", err)
	}
	main := &delivery.S3{
		Objects: r.cfg.Objects, Bucket: bucket,
		Key: func(_ *delivery.Buffer, now time.Time) (string, error) {
			return expandKey(template, vars, now, r.cfg.Suffix()), nil
		},
		Encode: func(b *delivery.Buffer) ([]byte, []delivery.Failed, error) {
			body, err := encode(b, compression)
			return body, nil, err
		},
		RetryEvery: r.cfg.RetryEvery, RetryFor: r.cfg.RetryFor, Dropped: dropped, Clock: r.cfg.Clock,
	}
	dlq := &delivery.S3{
		Objects: r.cfg.Objects, Bucket: dlqBucket,
		ErrorKey: func(outputType string, now time.Time) (string, error) {
			now = now.UTC()
			return errPrefix + outputType + "/" + now.Format("2006/01/02/15/") +
				d.Name + "-" + d.ID + "-" + now.Format("2006-01-02-15-04") + "-" + r.cfg.Suffix(), nil
		},
		RetryEvery: r.cfg.RetryEvery, RetryFor: r.cfg.RetryFor, Dropped: dropped, Clock: r.cfg.Clock,
	}
	p := &delivery.Pipeline{
		Source: &delivery.KinesisSource{
			Kinesis: jb.eng, StreamARN: d.StreamARN, Start: d.Start, Meta: r.meta,
			Table: CheckpointTable, Prefix: d.ARN + "/" + d.ID + "/",
		},
		Transform:   validate(d.RecordFormat),
		Destination: destination{main: main, dlq: dlq},
		Hints:       delivery.Hints{Size: r.cfg.ObjectSize, Interval: time.Duration(d.S3.DataFreshnessInSeconds) * time.Second},
		Clock:       r.cfg.Clock,
		Logger:      log,
		Idle:        r.cfg.Idle,
	}
	log.Info("channel delivery started", "version", d.Version, "bucket", bucket)
	return p, nil, nil
}

// destination writes objects to the channel's bucket and dead letters to
// its dead-letter bucket.
type destination struct{ main, dlq *delivery.S3 }

func (d destination) Deliver(ctx context.Context, b *delivery.Buffer) error {
	return d.main.Deliver(ctx, b)
}

func (d destination) DeliverFailed(ctx context.Context, failed []delivery.Failed) error {
	return d.dlq.DeliverFailed(ctx, failed)
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// buildTables is the pipeline of a channel to S3 Tables: the records, JSON
// objects, appended as rows to Apache Iceberg tables (firehose/iceberg) in
// the local warehouse of the table bucket, created with an inferred schema
// when missing; the records that cannot be rows go to the dead-letter
// bucket.
func (r *Runner) buildTables(jb job) (*delivery.Pipeline, func(), error) {
	d := jb.d
	t := d.Tables
	if len(t.S3TablesConfigurationList) != 1 {
		// Eddy routes every record to one table; no routing source of a
		// channel's records among several tables is documented.
		return nil, nil, fmt.Errorf("channel %s: Eddy delivers to exactly one table, the configuration lists %d", d.Name, len(t.S3TablesConfigurationList))
	}
	tc := t.S3TablesConfigurationList[0]
	arn := deref(tc.TableBucketARN)
	_, bucket, ok := strings.Cut(arn, ":bucket/")
	if !ok || bucket == "" {
		return nil, nil, fmt.Errorf("channel %s: table bucket ARN %q: want arn:aws:s3tables:REGION:ACCOUNT:bucket/NAME", d.Name, arn)
	}
	dirOf := r.cfg.BucketDir
	if dirOf == nil {
		dirOf = func(string) (string, bool) { return "", false }
	}
	wh, err := iceberg.Warehouse("s3://"+bucket, dirOf)
	if err != nil {
		return nil, nil, fmt.Errorf("channel %s: %w", d.Name, err)
	}
	dlqBucket, err := bucketName(deref(t.DeadLetterQueueS3Configuration.BucketARN))
	if err != nil {
		return nil, nil, err
	}
	errPrefix := "kinesis-channel-errors/" + d.Name + "/" + d.ID + "/"
	if p := t.DeadLetterQueueS3Configuration.ErrorOutputPrefix; p != nil && *p != "" {
		errPrefix = *p
	}
	log := r.log.With("channel", d.ARN)
	dlq := &delivery.S3{
		Objects: r.cfg.Objects, Bucket: dlqBucket,
		ErrorKey: func(outputType string, now time.Time) (string, error) {
			now = now.UTC()
			return errPrefix + outputType + "/" + now.Format("2006/01/02/15/") +
				d.Name + "-" + d.ID + "-" + now.Format("2006-01-02-15-04") + "-" + r.cfg.Suffix(), nil
		},
		RetryEvery: r.cfg.RetryEvery, RetryFor: r.cfg.RetryFor, Clock: r.cfg.Clock,
		Dropped: func(key string, records int, err error) {
			log.Error("object dropped after retrying", "key", key, "records", records, "err", err)
		},
	}
	dest, err := iceberg.New(iceberg.Config{Warehouse: wh, Tables: []iceberg.Table{{Database: deref(tc.Namespace), Name: deref(tc.TableName)}},
		CreateTables: true, Errors: dlq.DeliverFailed})
	if err != nil {
		return nil, nil, err
	}
	p := &delivery.Pipeline{
		Source: &delivery.KinesisSource{
			Kinesis: jb.eng, StreamARN: d.StreamARN, Start: d.Start, Meta: r.meta,
			Table: CheckpointTable, Prefix: d.ARN + "/" + d.ID + "/",
		},
		Transform:   tableRecords(d.RecordFormat),
		Destination: dest,
		Hints:       delivery.Hints{Size: r.cfg.ObjectSize, Interval: time.Duration(t.DataFreshnessInSeconds) * time.Second},
		Clock:       r.cfg.Clock,
		Logger:      log,
		Idle:        r.cfg.Idle,
	}
	log.Info("channel delivery to S3 Tables started", "version", d.Version, "warehouse", wh, "table", deref(tc.Namespace)+"."+deref(tc.TableName))
	return p, func() { dest.Close() }, nil
}

// Glue Schema Registry wire format (AWSSchemaRegistryConstants in
// awslabs/aws-glue-schema-registry): a version byte 3, a compression byte
// (0 none, 5 zlib), the 16-byte schema version id, then the payload.
const (
	gsrVersion     = 3
	gsrNone        = 0
	gsrZlib        = 5
	gsrHeaderBytes = 18
)

// CodeUnsupportedFormat is the dead-letter error code of a record Eddy
// cannot turn into a row (Eddy's code: no channel documentation names one).
const CodeUnsupportedFormat = "Kinesis.Channel.UnsupportedRecordFormat"

// tableRecords is the transform of a channel to S3 Tables: it hands the
// JSON document of each record to the Iceberg destination. GSR_JSON
// records lose their Glue Schema Registry header (zlib payloads are
// inflated); JSON records pass as they are (their GSRSchemaARN is not
// read: columns come from the table). GSR_AVRO records, which need the
// registry's schema, go to the dead-letter bucket.
func tableRecords(format kds.RecordFormatType) delivery.Transform {
	return func(_ context.Context, recs []delivery.Record) ([]delivery.Record, []delivery.Failed, error) {
		out := recs[:0:0]
		var failed []delivery.Failed
		for _, r := range recs {
			data, code, msg := tableJSON(format, r.Data)
			if code != "" {
				failed = append(failed, delivery.Failed{Record: r, ErrorCode: code, ErrorMessage: msg, OutputType: outputValidation})
				continue
			}
			r.Data = data
			out = append(out, r)
		}
		return out, failed, nil
	}
}

func tableJSON(format kds.RecordFormatType, b []byte) ([]byte, string, string) {
	switch format {
	case kds.RecordFormatTypeGSRJSON:
		if len(b) >= gsrHeaderBytes && b[0] == gsrVersion {
			payload := b[gsrHeaderBytes:]
			switch b[1] {
			case gsrNone:
				b = payload
			case gsrZlib:
				zr, err := zlib.NewReader(bytes.NewReader(payload))
				if err != nil {
					return nil, CodeInvalidJSON, "The record's Glue Schema Registry payload does not inflate."
				}
				inflated, err := io.ReadAll(io.LimitReader(zr, 10<<20))
				if err != nil {
					return nil, CodeInvalidJSON, "The record's Glue Schema Registry payload does not inflate."
				}
				b = inflated
			}
		}
	case kds.RecordFormatTypeJSON:
	default:
		return nil, CodeUnsupportedFormat, fmt.Sprintf("Eddy writes %s records to S3 Tables only as JSON documents.", format)
	}
	if !json.Valid(b) {
		return nil, CodeInvalidJSON, "The record is not a valid JSON payload."
	}
	return b, "", ""
}
