package config

import (
	"fmt"
	"strconv"
	"strings"
)

// Describe returns the listing `eddy agent --check` prints: the global
// settings that differ from the defaults, then every flow with its file
// pattern, destination, converters and buffer limits. One line per item,
// stable order, ending with a newline.
func (c *Config) Describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "checkpoint file: %s\n", c.CheckpointFile)
	if c.KinesisEndpoint != "" {
		fmt.Fprintf(&b, "kinesis endpoint: %s\n", c.KinesisEndpoint)
	}
	if c.FirehoseEndpoint != "" {
		fmt.Fprintf(&b, "firehose endpoint: %s\n", c.FirehoseEndpoint)
	}
	if c.AssumeRoleARN != "" {
		fmt.Fprintf(&b, "assume role: %s\n", c.AssumeRoleARN)
	}
	if c.AccessKeyID != "" {
		fmt.Fprintf(&b, "credentials: access key %s from the configuration\n", c.AccessKeyID)
	}
	fmt.Fprintf(&b, "flows: %d\n", len(c.Flows))
	for i := range c.Flows {
		f := &c.Flows[i]
		fmt.Fprintf(&b, "flow %d: %s -> %s %s\n", f.Index, f.FilePattern, f.Kind(), f.Destination())
		start := "end of file"
		if f.InitialPosition == "START_OF_FILE" {
			start = "start of file"
		}
		fmt.Fprintf(&b, "  initial position: %s", start)
		if f.SkipHeaderLines > 0 {
			fmt.Fprintf(&b, ", skipping %d header lines", f.SkipHeaderLines)
		}
		b.WriteByte('\n')
		if f.MultiLineStartPattern != "" {
			fmt.Fprintf(&b, "  records start at lines matching %s\n", strconv.Quote(f.MultiLineStartPattern))
		}
		if f.PartitionKeyOption != "" {
			fmt.Fprintf(&b, "  partition key: %s\n", f.PartitionKeyOption)
		}
		fmt.Fprintf(&b, "  buffer: %d records, %d bytes, %s\n", f.MaxBufferSizeRecords, f.MaxBufferSizeBytes, f.MaxBufferAge)
		if f.AggregatedRecordSizeBytes > 0 {
			fmt.Fprintf(&b, "  aggregation: records up to %d bytes\n", f.AggregatedRecordSizeBytes)
		}
		if len(f.DataProcessingOptions) == 0 {
			b.WriteString("  converters: none\n")
			continue
		}
		names := make([]string, len(f.DataProcessingOptions))
		for j, o := range f.DataProcessingOptions {
			names[j] = o.describe()
		}
		fmt.Fprintf(&b, "  converters: %s\n", strings.Join(names, " -> "))
	}
	return b.String()
}

func (o *ProcessingOption) describe() string {
	switch o.OptionName {
	case "CSVTOJSON":
		return fmt.Sprintf("CSVTOJSON(%d fields, delimiter %s)", len(o.CustomFieldNames), strconv.Quote(o.Delimiter))
	case "LOGTOJSON":
		if o.MatchPattern != "" {
			return fmt.Sprintf("LOGTOJSON(%s, matchPattern, %d fields)", o.LogFormat, len(o.CustomFieldNames))
		}
		return fmt.Sprintf("LOGTOJSON(%s)", o.LogFormat)
	case "ADDMETADATA":
		if o.Timestamp {
			return "ADDMETADATA(timestamp)"
		}
		return "ADDMETADATA"
	}
	return o.OptionName
}
