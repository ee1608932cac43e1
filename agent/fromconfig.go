package agent

import (
	"fmt"
	"path/filepath"
	"runtime"
	"time"

	"github.com/eddy-streams/eddy/agent/config"
	"github.com/eddy-streams/eddy/agent/convert"
)

// FromConfig turns a parsed agent.json into the options Run takes: every
// key the Kinesis Agent acts on maps onto an option here (docs/AGENT.md
// lists them), and each flow's dataProcessingOptions become its Convert
// chain. A relative filePattern is made absolute against the working
// directory, as the agent's Paths.get does.
func FromConfig(c *config.Config, copts ...convert.Option) (Options, []FlowOptions, error) {
	threads := c.MaxSendingThreads
	if threads <= 0 {
		// AgentConfiguration.maxSendingThreads: max(2, perCore × CPUs).
		threads = max(2, c.MaxSendingThreadsPerCore*runtime.NumCPU())
	}
	o := Options{
		CheckpointFile:       c.CheckpointFile,
		KinesisEndpoint:      c.KinesisEndpoint,
		FirehoseEndpoint:     c.FirehoseEndpoint,
		Region:               c.KinesisRegion,
		AccessKeyID:          c.AccessKeyID,
		SecretAccessKey:      c.SecretAccessKey,
		AssumeRoleARN:        c.AssumeRoleARN,
		AssumeRoleExternalID: c.AssumeRoleExternalID,
		STSEndpoint:          c.STSEndpoint,
		CheckpointTTL:        time.Duration(c.CheckpointTimeToLiveDays) * 24 * time.Hour,
		SendingThreads:       threads,
		ShutdownTimeout:      c.ShutdownTimeout,
		ProgressInterval:     c.LogStatusReportingPeriod,
	}
	flows := make([]FlowOptions, 0, len(c.Flows))
	for i := range c.Flows {
		cf := &c.Flows[i]
		pattern, err := filepath.Abs(cf.FilePattern)
		if err != nil {
			return Options{}, nil, fmt.Errorf("agent config: flows[%d] \"filePattern\": %v", cf.Index, err)
		}
		f := FlowOptions{
			FilePattern:               pattern,
			Kind:                      cf.Kind(),
			Destination:               cf.Destination(),
			PartitionKeyOption:        cf.PartitionKeyOption,
			InitialPosition:           cf.InitialPosition,
			BufferAge:                 cf.MaxBufferAge,
			BufferSizeBytes:           cf.MaxBufferSizeBytes,
			BufferRecords:             cf.MaxBufferSizeRecords,
			PollInterval:              cf.MinTimeBetweenFilePolls,
			MultiLineStartPattern:     cf.MultiLineStartPattern,
			FileFooterPattern:         cf.FileFooterPattern,
			SkipHeaderLines:           cf.SkipHeaderLines,
			TruncatedRecordTerminator: cf.TruncatedRecordTerminator,
			MaxRecordSize:             cf.MaxRecordSizeBytes(),
			AggregatedRecordSizeBytes: cf.AggregatedRecordSizeBytes,
			RetryInitialBackoff:       cf.RetryInitialBackoff,
			RetryMaxBackoff:           cf.RetryMaxBackoff,
			// The agent queues publishQueueCapacity buffers of at most
			// maxBufferSizeRecords records before reading waits.
			QueueRecords: cf.PublishQueueCapacity * cf.MaxBufferSizeRecords,
		}
		if len(cf.DataProcessingOptions) > 0 {
			conv, err := convert.New(cf.DataProcessingOptions, copts...)
			if err != nil {
				return Options{}, nil, fmt.Errorf("agent config: flows[%d] %v", cf.Index, err)
			}
			f.Convert = conv.Convert
		}
		flows = append(flows, f)
	}
	if err := Validate(o, flows); err != nil {
		return Options{}, nil, err
	}
	return o, flows, nil
}
