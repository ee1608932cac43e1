package delivery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/eddy-streams/eddy/firehose"
	"github.com/eddy-streams/eddy/firehose/process"
	"github.com/eddy-streams/eddy/metrics"
	fp "github.com/eddy-streams/eddy/protocol/firehose"
	"github.com/eddy-streams/eddy/storage"
)

// Checkpoint tables of the delivery streams' pipelines.
const (
	// LogCheckpoints holds a DirectPut stream's checkpoint, keyed by its
	// log id (which names the stream's incarnation).
	LogCheckpoints = "firehose/checkpoints"
	// KinesisCheckpoints holds a KinesisStreamAsSource stream's shard
	// checkpoints, keyed "<delivery stream ARN>@<created, Unix ns>/<shardId>".
	KinesisCheckpoints = "firehose/kinesis-checkpoints"
)

// Streams is what the runner needs of the firehose service.
type Streams interface {
	DeliveryStreams(region string) ([]firehose.DeliveryStream, error)
	OpenLog(ds firehose.DeliveryStream) (storage.ShardLog, error)
}

// Config configures the delivery of every delivery stream.
type Config struct {
	Streams Streams
	// Kinesis returns the kinesis engine of a region, for
	// KinesisStreamAsSource streams.
	Kinesis func(region string) (Kinesis, error)
	Meta    storage.MetaStore
	// Objects returns where a bucket's objects go (the embedded S3
	// endpoint, or an S3-compatible server); an error when there is none
	// holds a stream's delivery back (its records stay in its source).
	Objects func(bucket string) (Objects, error)
	// Invoker runs Lambda processors' functions (the lambda service).
	Invoker process.Invoker
	// SchemaDir holds the Parquet schemas that stand for Glue tables:
	// SchemaDir/<DatabaseName>/<TableName>.json (see firehose/parquet).
	SchemaDir string
	// Destinations builds the destinations other than S3 (HTTP endpoint,
	// Redshift, OpenSearch...), by destination type (protocol/firehose's
	// Dest names); a type without one is not delivered.
	Destinations map[string]func(ds firehose.DeliveryStream, d Deps) (Destination, Hints, error)
	Metrics      *metrics.Registry
	// MetricFamilies, if set, are the families to publish in (shared
	// with other runners); Metrics is then unused.
	MetricFamilies *Metrics
	// LabelByARN labels a stream's series with its ARN rather than its
	// name: for the runners of accounts other than the server's, whose
	// names may repeat those of the server's account.
	LabelByARN bool
	Logger     *slog.Logger
	// Poll is how often the delivery streams are listed. Default 1s.
	Poll time.Duration
	// Exclusive, if set, runs each stream's pipeline on one node of those
	// sharing the store (cluster.Cluster.Run), as the job
	// "firehose/<stream ARN>@<creation time>"; the next leader resumes
	// from the stream's checkpoint. Default nil: every pipeline runs here.
	Exclusive Exclusive
}

// Deps are what a destination builder may use.
type Deps struct {
	Objects func(bucket string) (Objects, error)
	Logger  *slog.Logger
	Metrics *StreamMetrics
	// S3 builds the writer of an S3 configuration of the stream (a
	// destination's S3Configuration, for its backup and error output).
	S3 func(c *fp.S3DestinationConfiguration) (*S3, error)
}

// Runner delivers every ACTIVE delivery stream, one pipeline each.
type Runner struct {
	cfg     Config
	log     *slog.Logger
	metrics *Metrics
	mgr     *Manager

	mu      sync.Mutex
	signals map[string]*Signal            // by log id
	taps    map[string]map[*Tap]time.Time // by log id: each tap's earliest arrival still needed
	byID    map[string]firehose.DeliveryStream
}

// NewRunner starts delivering; Close stops.
func NewRunner(cfg Config) *Runner {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Poll <= 0 {
		cfg.Poll = time.Second
	}
	if cfg.Metrics == nil {
		cfg.Metrics = metrics.NewRegistry()
	}
	r := &Runner{cfg: cfg, log: cfg.Logger.With("component", "firehose-delivery"), metrics: cfg.MetricFamilies,
		signals: map[string]*Signal{}, taps: map[string]map[*Tap]time.Time{}, byID: map[string]firehose.DeliveryStream{}}
	if r.metrics == nil {
		r.metrics = NewMetrics(cfg.Metrics)
	}
	r.mgr = NewExclusiveManager(r.jobs, r.build, cfg.Poll, r.log, cfg.Exclusive, "firehose/")
	return r
}

// Close stops every pipeline.
func (r *Runner) Close() error { return r.mgr.Close() }

// Appended wakes the pipeline of the log id: records were appended (the
// firehose service's Config.Appended).
func (r *Runner) Appended(logID string) {
	r.mu.Lock()
	s := r.signals[logID]
	var taps []*Tap
	for t := range r.taps[logID] {
		taps = append(taps, t)
	}
	r.mu.Unlock()
	if s != nil {
		s.Notify()
	}
	for _, t := range taps {
		t.sig.Notify()
	}
}

// Changed makes the runner look at the delivery streams now (after a
// create, update or delete).
func (r *Runner) Changed() { r.mgr.Wake() }

func (r *Runner) jobs() ([]Job, error) {
	all, err := r.cfg.Streams.DeliveryStreams("")
	if err != nil {
		return nil, err
	}
	var jobs []Job
	byID := map[string]firehose.DeliveryStream{}
	for _, ds := range all {
		if ds.Status != "ACTIVE" {
			continue
		}
		id := ds.ARN + "@" + strconv.FormatInt(ds.Created.UnixNano(), 10)
		byID[id] = ds
		jobs = append(jobs, Job{ID: id, Version: strconv.FormatInt(ds.Version, 10)})
	}
	r.mu.Lock()
	for id, ds := range r.byID {
		if _, ok := byID[id]; !ok {
			r.metrics.Forget(r.label(ds), destinationName(ds))
		}
	}
	r.byID = byID
	r.mu.Unlock()
	return jobs, nil
}

// destinationName is the metrics label of a stream's destination type.
func destinationName(ds firehose.DeliveryStream) string {
	switch t := ds.Destination.Type(); t {
	case fp.DestExtendedS3:
		return fp.DestS3
	default:
		return t
	}
}

func (r *Runner) build(j Job) (*Pipeline, func(), error) {
	r.mu.Lock()
	ds, ok := r.byID[j.ID]
	r.mu.Unlock()
	if !ok {
		return nil, nil, errors.New("delivery stream gone")
	}
	log := r.log.With("delivery_stream", ds.Name)
	sm := r.metrics.For(r.label(ds), destinationName(ds))
	p := &Pipeline{Logger: log, Metrics: sm}
	var release func()
	switch ds.Type {
	case "KinesisStreamAsSource":
		if ds.Source == nil || ds.Source.KinesisStreamARN == nil {
			return nil, nil, errors.New("no source stream")
		}
		arn := *ds.Source.KinesisStreamARN
		region := strings.Split(arn, ":")
		if len(region) < 4 || r.cfg.Kinesis == nil {
			return nil, nil, fmt.Errorf("cannot read %s", arn)
		}
		kin, err := r.cfg.Kinesis(region[3])
		if err != nil {
			return nil, nil, err
		}
		p.Source = &KinesisSource{Kinesis: kin, StreamARN: arn, Start: ds.Created, Meta: r.cfg.Meta,
			Table: KinesisCheckpoints, Prefix: j.ID + "/"}
	default:
		lg, err := r.cfg.Streams.OpenLog(ds)
		if err != nil {
			return nil, nil, err
		}
		sig := &Signal{}
		r.mu.Lock()
		r.signals[ds.LogID] = sig
		r.mu.Unlock()
		release = func() {
			r.mu.Lock()
			if r.signals[ds.LogID] == sig {
				delete(r.signals, ds.LogID)
			}
			r.mu.Unlock()
		}
		created := ds.Created
		logID := ds.LogID
		p.Source = &LogSource{Log: lg, Meta: r.cfg.Meta, Table: LogCheckpoints, Key: ds.LogID, Signal: sig,
			ID:   func(pos uint64) string { return firehose.RecordID(created, pos) },
			Hold: func() (time.Time, bool) { return r.heldBefore(logID) }}
	}
	fail := func(err error) (*Pipeline, func(), error) {
		if release != nil {
			release()
		}
		return nil, nil, err
	}
	pc, err := r.transform(ds, log)
	if err != nil {
		return fail(err)
	}
	p.Transform = pc
	deps := Deps{Objects: r.cfg.Objects, Logger: log, Metrics: sm}
	deps.S3 = func(c *fp.S3DestinationConfiguration) (*S3, error) {
		return r.newS3(ds, plainOptions(orEmpty(c)), deps)
	}
	switch d := ds.Destination; {
	case d.ExtendedS3 != nil || d.S3 != nil:
		dest, hints, err := r.s3Destination(ds, deps)
		if err != nil {
			return fail(err)
		}
		p.Destination, p.Hints = dest, hints
		backup, bhints, err := r.sourceBackup(ds, deps)
		if err != nil {
			return fail(err)
		}
		if backup != nil {
			p.Backup, p.BackupHints = backup, bhints
		}
	default:
		b := r.cfg.Destinations[d.Type()]
		if b == nil {
			return fail(fmt.Errorf("delivery to %s destinations is not built", d.Type()))
		}
		dest, hints, err := b(ds, deps)
		if err != nil {
			return fail(err)
		}
		p.Destination, p.Hints = dest, hints
	}
	return p, release, nil
}

// processing returns a destination's ProcessingConfiguration.
func processing(d firehose.Destination) *fp.ProcessingConfiguration {
	switch {
	case d.ExtendedS3 != nil:
		return d.ExtendedS3.ProcessingConfiguration
	case d.HTTPEndpoint != nil:
		return d.HTTPEndpoint.ProcessingConfiguration
	case d.Redshift != nil:
		return d.Redshift.ProcessingConfiguration
	case d.OpenSearch != nil:
		return d.OpenSearch.ProcessingConfiguration
	case d.Elasticsearch != nil:
		return d.Elasticsearch.ProcessingConfiguration
	}
	return nil
}

// transform builds the stream's processors as a Transform; nil when there
// is nothing to do (a DirectPut stream without processors).
func (r *Runner) transform(ds firehose.DeliveryStream, log *slog.Logger) (Transform, error) {
	cfg := process.Config{DeliveryStreamARN: ds.ARN, Region: ds.Region, Invoker: r.cfg.Invoker, Logger: log}
	if pc := processing(ds.Destination); pc != nil {
		cfg.ProcessingConfiguration.Enabled = pc.Enabled == nil || *pc.Enabled
		for _, p := range pc.Processors {
			c := process.ProcessorConfig{Type: p.Type}
			for _, pp := range p.Parameters {
				v := ""
				if pp.ParameterValue != nil {
					v = *pp.ParameterValue
				}
				c.Parameters = append(c.Parameters, process.ProcessorParameter{ParameterName: pp.ParameterName, ParameterValue: v})
			}
			cfg.ProcessingConfiguration.Processors = append(cfg.ProcessingConfiguration.Processors, c)
		}
	}
	if ds.Source != nil && ds.Source.KinesisStreamARN != nil {
		cfg.SourceKinesisStreamARN = *ds.Source.KinesisStreamARN
	}
	if !cfg.ProcessingConfiguration.Enabled || len(cfg.ProcessingConfiguration.Processors) == 0 {
		if cfg.SourceKinesisStreamARN == "" {
			return nil, nil
		}
	}
	chain, err := process.New(cfg)
	if err != nil {
		return nil, err
	}
	return chainTransform(chain), nil
}

// Partition key namespaces in Record.Keys: a key k from MetadataExtraction
// is "partitionKeyFromQuery:k", from a Lambda processor
// "partitionKeyFromLambda:k".
const (
	queryKey  = "partitionKeyFromQuery:"
	lambdaKey = "partitionKeyFromLambda:"
)

// chainTransform runs the processors over records as they are read.
func chainTransform(chain *process.Chain) Transform {
	return func(ctx context.Context, recs []Record) ([]Record, []Failed, error) {
		in := make([]process.Record, len(recs))
		byID := make(map[string]*Record, len(recs))
		for i := range recs {
			r := &recs[i]
			in[i] = process.Record{RecordID: r.ID, Data: r.Data, ApproximateArrival: r.Arrival}
			if k := r.Kinesis; k != nil {
				in[i].Kinesis = &process.KinesisMetadata{ShardID: k.ShardID, PartitionKey: k.PartitionKey, SequenceNumber: k.SequenceNumber,
					SubsequenceNumber: int64(k.SubsequenceNumber), ApproximateArrival: r.Arrival}
			}
			byID[r.ID] = r
		}
		res, err := chain.Process(ctx, in)
		if err != nil {
			return nil, nil, err
		}
		// An output's id is its input's, or a sub-record's
		// "<parent>:<index>": the source record is found by trimming.
		source := func(id string) *Record {
			for {
				if r := byID[id]; r != nil {
					return r
				}
				i := strings.LastIndexByte(id, ':')
				if i < 0 {
					return nil
				}
				id = id[:i]
			}
		}
		out := make([]Record, 0, len(res.Records))
		for _, pr := range res.Records {
			src := source(pr.RecordID)
			if src == nil {
				return nil, nil, fmt.Errorf("delivery: a processor returned the unknown record id %q", pr.RecordID)
			}
			rec := Record{Pos: src.Pos, ID: pr.RecordID, Data: pr.Data, Arrival: src.Arrival, Kinesis: src.Kinesis}
			if len(pr.PartitionKeysFromQuery)+len(pr.PartitionKeysFromLambda) > 0 {
				rec.Keys = map[string]string{}
				for k, v := range pr.PartitionKeysFromQuery {
					rec.Keys[queryKey+k] = v
				}
				for k, v := range pr.PartitionKeysFromLambda {
					rec.Keys[lambdaKey+k] = v
				}
			}
			out = append(out, rec)
		}
		var failed []Failed
		for _, f := range res.Failed {
			src := source(f.Record.RecordID)
			if src == nil {
				return nil, nil, fmt.Errorf("delivery: a processor failed the unknown record id %q", f.Record.RecordID)
			}
			failed = append(failed, Failed{
				Record:    Record{Pos: src.Pos, ID: f.Record.RecordID, Data: f.Record.Data, Arrival: src.Arrival},
				ErrorCode: f.ErrorCode, ErrorMessage: f.ErrorMessage, OutputType: f.OutputType,
				Attempts: f.AttemptsMade, LambdaArn: f.LambdaARN, Ended: f.AttemptEnding,
			})
		}
		return out, failed, nil
	}
}

// splitKeys returns a buffer's partition keys by namespace.
func splitKeys(keys map[string]string) (query, lambda map[string]string) {
	for k, v := range keys {
		switch {
		case strings.HasPrefix(k, queryKey):
			if query == nil {
				query = map[string]string{}
			}
			query[k[len(queryKey):]] = v
		case strings.HasPrefix(k, lambdaKey):
			if lambda == nil {
				lambda = map[string]string{}
			}
			lambda[k[len(lambdaKey):]] = v
		}
	}
	return query, lambda
}

// bucketOf returns the bucket an S3 BucketARN names (arn:aws:s3:::bucket).
func bucketOf(arn *string) (string, error) {
	if arn == nil {
		return "", errors.New("no BucketARN")
	}
	b, ok := strings.CutPrefix(*arn, "arn:aws:s3:::")
	if !ok || b == "" || strings.Contains(b, "/") {
		return "", fmt.Errorf("BucketARN %q does not name a bucket", *arn)
	}
	return b, nil
}

// schemaFile is where the schema of a Glue table is looked for.
func (r *Runner) schemaFile(sc *fp.SchemaConfiguration) (string, error) {
	if sc == nil || sc.DatabaseName == nil || sc.TableName == nil {
		return "", errors.New("data format conversion without SchemaConfiguration DatabaseName and TableName")
	}
	if r.cfg.SchemaDir == "" {
		return "", errors.New("data format conversion needs a schema directory (eddy serve --glue-schema-dir)")
	}
	db, table := *sc.DatabaseName, *sc.TableName
	for _, s := range []string{db, table} {
		if s == "" || s == "." || s == ".." || strings.ContainsAny(s, `/\`) {
			return "", fmt.Errorf("Glue name %q cannot name a schema file", s)
		}
	}
	p := filepath.Join(r.cfg.SchemaDir, db, table+".json")
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("schema of Glue table %s.%s: %w", db, table, err)
	}
	return p, nil
}

// label is the delivery_stream label of ds's series (Config.LabelByARN).
func (r *Runner) label(ds firehose.DeliveryStream) string {
	if r.cfg.LabelByARN {
		return ds.ARN
	}
	return ds.Name
}
