package agent

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/eddy-streams/eddy/metrics"
)

// flowMetrics are a flow's counters, named as the Kinesis Agent's metrics
// (BytesSent, RecordSendAttempts, RecordSendErrors, ServiceErrors) under the
// prefix AWSKinesisAgent_, with the flow as label.
type flowMetrics struct {
	bytesSent, sendAttempts, sendErrors, serviceErrors *metrics.Counter
	recordsSent, recordsParsed, bytesParsed            *metrics.Counter
	recordsSkipped, recordsTransformed                 *metrics.Counter
	processingErrors                                   *metrics.Counter
}

type registryVecs struct {
	bytesSent, sendAttempts, sendErrors, serviceErrors, recordsSent, recordsParsed, bytesParsed, recordsSkipped, recordsTransformed, processingErrors *metrics.CounterVec
}

func newVecs(r *metrics.Registry) *registryVecs {
	v := func(name, help string) *metrics.CounterVec {
		return r.CounterVec("AWSKinesisAgent_"+name, help, "flow")
	}
	return &registryVecs{
		bytesSent:          v("BytesSent", "Bytes of records acknowledged by the destination."),
		sendAttempts:       v("RecordSendAttempts", "Records sent, each attempt counted."),
		sendErrors:         v("RecordSendErrors", "Record attempts that failed."),
		serviceErrors:      v("ServiceErrors", "Calls that failed as a whole."),
		recordsSent:        v("RecordsSent", "Records acknowledged by the destination."),
		recordsParsed:      v("RecordsParsed", "Records read from files."),
		bytesParsed:        v("BytesParsed", "Bytes read from files."),
		recordsSkipped:     v("RecordsSkipped", "Records dropped by the converters."),
		recordsTransformed: v("RecordsTransformed", "Records changed by the converters."),
		processingErrors:   v("DataProcessingErrors", "Records the converters failed on, sent unconverted."),
	}
}

func (v *registryVecs) forFlow(name string) *flowMetrics {
	return &flowMetrics{bytesSent: v.bytesSent.With(name), sendAttempts: v.sendAttempts.With(name), sendErrors: v.sendErrors.With(name),
		serviceErrors: v.serviceErrors.With(name), recordsSent: v.recordsSent.With(name), recordsParsed: v.recordsParsed.With(name),
		bytesParsed: v.bytesParsed.With(name), recordsSkipped: v.recordsSkipped.With(name), recordsTransformed: v.recordsTransformed.With(name),
		processingErrors: v.processingErrors.With(name)}
}

// Run tails the flows' files and sends their records until ctx ends, then
// flushes what was read for at most ShutdownTimeout and writes the
// checkpoints a last time.
func Run(ctx context.Context, o Options, flowOpts []FlowOptions) error {
	if !fileIdentities {
		return fmt.Errorf("agent: files have no device and inode on %s, which the tailer follows them by: eddy agent runs on Linux, macOS and the BSDs", runtime.GOOS)
	}
	if err := Validate(o, flowOpts); err != nil {
		return err
	}
	o = o.withDefaults()
	store, err := openCheckpoints(o.CheckpointFile)
	if err != nil {
		return err
	}
	cfg, err := awsConfig(ctx, o)
	if err != nil {
		return err
	}
	// Sends outlive ctx by the shutdown flush.
	sendCtx, cancelSends := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelSends()
	vecs := newVecs(o.Metrics)
	var flows []*flow
	for _, fo := range flowOpts {
		fo = fo.withDefaults()
		f := &flow{opts: fo, id: flowID(fo), store: store, log: o.Logger, files: map[fileID]*trackedFile{},
			buf: make([]byte, readBufferSize), queue: make(chan struct{}, fo.QueueRecords)}
		f.m = vecs.forFlow(f.id)
		if fo.MultiLineStartPattern != "" {
			f.start = regexp.MustCompile(fo.MultiLineStartPattern)
		}
		if fo.FileFooterPattern != "" {
			f.footer = regexp.MustCompile(fo.FileFooterPattern)
		}
		f.limit = fo.MaxRecordSize
		if fo.Kind == KinesisStream {
			// The partition key counts in a Kinesis record's size; a
			// DETERMINISTIC key is 32 characters, a RANDOM one fewer.
			f.limit -= 32
			kc := kinesis.NewFromConfig(cfg, func(k *kinesis.Options) {
				if o.KinesisEndpoint != "" {
					k.BaseEndpoint = aws.String(o.KinesisEndpoint)
				}
			})
			s, err := newKinesisSender(sendCtx, kc, &f.opts, o.SendingThreads, o.RateLimit, f.m, o.Logger)
			if err != nil {
				return fmt.Errorf("agent: flow %s: %w", f.id, err)
			}
			f.sender = s
		} else {
			fc := firehose.NewFromConfig(cfg, func(k *firehose.Options) {
				if o.FirehoseEndpoint != "" {
					k.BaseEndpoint = aws.String(o.FirehoseEndpoint)
				}
			})
			f.sender = newFirehoseSender(sendCtx, fc, &f.opts, o.SendingThreads, f.m, o.Logger)
		}
		flows = append(flows, f)
	}

	var wg sync.WaitGroup
	for _, f := range flows {
		wg.Add(1)
		go func() { defer wg.Done(); f.run(ctx) }()
	}
	saveAll := func() {
		for _, f := range flows {
			f.checkpoint()
		}
		store.expire(time.Now(), o.CheckpointTTL)
		if err := store.save(); err != nil {
			o.Logger.Error("agent: writing checkpoints failed", "file", o.CheckpointFile, "err", err)
		}
	}
	cp := time.NewTicker(o.CheckpointInterval)
	pr := time.NewTicker(o.ProgressInterval)
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-cp.C:
			saveAll()
		case <-pr.C:
			for _, f := range flows {
				f.progress()
			}
		}
	}
	cp.Stop()
	pr.Stop()
	wg.Wait()
	// Flush what was read, for at most ShutdownTimeout.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), o.ShutdownTimeout)
	defer cancel()
	var cwg sync.WaitGroup
	for _, f := range flows {
		cwg.Add(1)
		go func() {
			defer cwg.Done()
			if err := f.sender.close(sctx); err != nil {
				o.Logger.Warn("agent: shutdown flush incomplete", "flow", f.id, "err", err)
			}
		}()
	}
	cwg.Wait()
	cancelSends()
	saveAll()
	for _, f := range flows {
		f.progress()
	}
	return nil
}

// progress logs the flow's progress line, worded as the Kinesis Agent's
// FileTailer prints it.
func (f *flow) progress() {
	kind := "kinesis"
	if f.opts.Kind == DeliveryStream {
		kind = "fh"
	}
	f.log.Info(fmt.Sprintf("FileTailer[%s:%s:%s]: Tailer Progress: Tailer has parsed %d records (%d bytes), transformed %d records, skipped %d records, and has successfully sent %d records to destination.",
		kind, f.opts.Destination, f.opts.FilePattern, int64(f.m.recordsParsed.Value()), int64(f.m.bytesParsed.Value()),
		int64(f.m.recordsTransformed.Value()), int64(f.m.recordsSkipped.Value()), int64(f.m.recordsSent.Value())))
}

// awsConfig resolves the region and credentials the flows use: the
// configured region, else the one in a kinesis/firehose endpoint's AWS host
// name, else the SDK's (AWS_REGION, the shared config), else us-east-1;
// static credentials if configured, else the SDK's chain; then, with
// AssumeRoleARN, the role's temporary credentials obtained with them.
func awsConfig(ctx context.Context, o Options) (aws.Config, error) {
	var opts []func(*config.LoadOptions) error
	region := o.Region
	if region == "" {
		region = regionOfEndpoint(o.KinesisEndpoint)
	}
	if region == "" {
		region = regionOfEndpoint(o.FirehoseEndpoint)
	}
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	if o.AccessKeyID != "" {
		opts = append(opts, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(o.AccessKeyID, o.SecretAccessKey, "")))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return cfg, err
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if o.AssumeRoleARN != "" {
		sc := sts.NewFromConfig(cfg, func(so *sts.Options) {
			if o.STSEndpoint != "" {
				so.BaseEndpoint = aws.String(o.STSEndpoint)
			}
		})
		p := stscreds.NewAssumeRoleProvider(sc, o.AssumeRoleARN, func(ao *stscreds.AssumeRoleOptions) {
			ao.RoleSessionName = "eddy-agent"
			if o.AssumeRoleExternalID != "" {
				ao.ExternalID = aws.String(o.AssumeRoleExternalID)
			}
		})
		cfg.Credentials = aws.NewCredentialsCache(p)
	}
	return cfg, nil
}

// regionOfEndpoint returns the region in an AWS endpoint such as
// https://kinesis.us-west-2.amazonaws.com or firehose.eu-west-1.amazonaws.com.cn,
// "" for any other.
func regionOfEndpoint(endpoint string) string {
	host := endpoint
	if u, err := url.Parse(endpoint); err == nil && u.Host != "" {
		host = u.Hostname()
	}
	parts := strings.Split(host, ".")
	if len(parts) >= 4 && parts[2] == "amazonaws" {
		return parts[1]
	}
	return ""
}
