// Package config reads the Kinesis Agent's agent.json as the agent reads it,
// for `eddy agent`.
//
// Parse accepts every file the Java agent (awslabs/amazon-kinesis-agent)
// accepts: JSON with comments (the agent's Jackson reader has ALLOW_COMMENTS
// on), numbers given as JSON numbers or as strings ("5000"), booleans as
// true/false or "true"/"false". It fills in the agent's defaults, checks the
// agent's ranges, and returns a Warning for every key it does not know (the
// Java agent ignores those silently; Eddy says so) and for every key it knows
// but does not act on.
//
//	cfg, warnings, err := config.Load("/etc/aws-kinesis/agent.json")
//	for _, w := range warnings { log.Warn(w.String()) }
//	for _, f := range cfg.Flows { ... f.FilePattern, f.Destination() ... }
//
// Defaults and ranges come from the agent's sources: AgentConfiguration.java
// (global keys), FileFlow.java, KinesisFileFlow.java, FirehoseFileFlow.java,
// Constants.java, KinesisConstants.java and FirehoseConstants.java (flow keys),
// and from AWS's "Agent Configuration Settings" table
// (https://docs.aws.amazon.com/firehose/latest/dev/agent-config-settings.html).
// Where neither gives a range, the comment on the key says so.
//
// This package knows nothing about tailing or sending; package agent uses the
// Config it returns.
package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Agent defaults, from AgentConfiguration.java.
const (
	DefaultCheckpointFile             = "/var/run/aws-kinesis-agent/checkpoints"
	DefaultShutdownTimeout            = 10 * time.Second
	DefaultSendingThreadsMaxQueueSize = 100
	DefaultMaxSendingThreadsPerCore   = 12
	DefaultLogStatusReportingPeriod   = 30 * time.Second
	DefaultCheckpointTimeToLiveDays   = 7
)

// Flow defaults shared by both kinds of flow, from FileFlow.java and
// Constants.java.
const (
	DefaultMaxBufferAge                     = time.Minute
	DefaultMinTimeBetweenFilePolls          = 100 * time.Millisecond
	DefaultMaxTimeBetweenFileTrackerRefresh = 10 * time.Second
	DefaultRetryInitialBackoff              = 100 * time.Millisecond
	DefaultRetryMaxBackoff                  = 10 * time.Second
	DefaultPublishQueueCapacity             = 100
	DefaultWaitOnPublishQueue               = time.Minute
	DefaultTruncatedRecordTerminator        = "\n"
)

// Limits of a kinesisStream flow, from KinesisConstants.java: a record is at
// most 1 MiB, a PutRecords call at most 500 records and 5 MiB, and the
// buffer defaults to (and is at most) one call.
const (
	KinesisMaxRecordSizeBytes  = 1024 * 1024
	KinesisMaxBufferSizeRecord = 500
	KinesisMaxBufferSizeBytes  = 5 * 1024 * 1024
)

// Limits of a deliveryStream flow, from FirehoseConstants.java: a record is
// at most 1,000 KiB, a PutRecordBatch call at most 500 records and 4 MiB.
const (
	FirehoseMaxRecordSizeBytes  = 1000 * 1024
	FirehoseMaxBufferSizeRecord = 500
	FirehoseMaxBufferSizeBytes  = 4 * 1024 * 1024
)

// Config is one agent.json. Zero values never reach callers: Parse fills in
// the agent's default for every key the file leaves out.
type Config struct {
	// KinesisEndpoint is "kinesis.endpoint" (default: none, the SDK's
	// endpoint for the region). KinesisRegion is "kinesis.region".
	KinesisEndpoint string
	KinesisRegion   string
	// FirehoseEndpoint is "firehose.endpoint" (default: none).
	FirehoseEndpoint string
	// STSEndpoint is "sts.endpoint" (default: none).
	STSEndpoint string
	// CloudWatchEndpoint is "cloudwatch.endpoint" (default: none).
	CloudWatchEndpoint string
	// CloudWatchEmitMetrics is "cloudwatch.emitMetrics" (default true).
	CloudWatchEmitMetrics bool

	// AccessKeyID and SecretAccessKey are "awsAccessKeyId" and
	// "awsSecretAccessKey" (default: none, the SDK's credential chain).
	AccessKeyID     string
	SecretAccessKey string
	// AssumeRoleARN and AssumeRoleExternalID are "assumeRoleARN" and
	// "assumeRoleExternalId".
	AssumeRoleARN        string
	AssumeRoleExternalID string

	// CheckpointFile is "checkpointFile" (default DefaultCheckpointFile).
	CheckpointFile string
	// CheckpointTimeToLiveDays is "checkpointTimeToLiveDays" (default 7).
	CheckpointTimeToLiveDays int
	// ShutdownTimeout is "shutdownTimeoutMillis" (default 10 s).
	ShutdownTimeout time.Duration
	// MaxSendingThreads is "maxSendingThreads"; 0 when absent, which means
	// the agent's default max(2, maxSendingThreadsPerCore × CPUs).
	MaxSendingThreads int
	// MaxSendingThreadsPerCore is "maxSendingThreadsPerCore" (default 12).
	MaxSendingThreadsPerCore int
	// SendingThreadsMaxQueueSize is "sendingThreadsMaxQueueSize" (default
	// 100).
	SendingThreadsMaxQueueSize int
	// LogLevel is "log.level" (default: "" meaning the agent's INFO).
	LogLevel string
	// LogStatusReportingPeriod is "log.statusReportingPeriodSeconds"
	// (default 30 s): how often the progress line is logged.
	LogStatusReportingPeriod time.Duration

	// Flows are the "flows" entries, in file order.
	Flows []Flow
}

// Flow is one entry of "flows": files to tail and where to send them.
type Flow struct {
	// Index is the position of the flow in "flows", from 0.
	Index int
	// FilePattern is "filePattern" (required): a path whose last element
	// may hold glob characters.
	FilePattern string
	// KinesisStream is "kinesisStream", DeliveryStream "deliveryStream":
	// exactly one is set.
	KinesisStream  string
	DeliveryStream string
	// PartitionKeyOption is "partitionKeyOption": RANDOM (default) or
	// DETERMINISTIC. Only kinesisStream flows read it.
	PartitionKeyOption string
	// InitialPosition is "initialPosition": START_OF_FILE or END_OF_FILE
	// (default).
	InitialPosition string
	// MaxBufferAge is "maxBufferAgeMillis": 1 s to 15 min, default 1 min.
	MaxBufferAge time.Duration
	// MaxBufferSizeBytes is "maxBufferSizeBytes": 1 to 5 MiB (Kinesis) or
	// 4 MiB (Firehose), default the maximum.
	MaxBufferSizeBytes int
	// MaxBufferSizeRecords is "maxBufferSizeRecords": 1 to 500, default 500.
	MaxBufferSizeRecords int
	// MinTimeBetweenFilePolls is "minTimeBetweenFilePollsMillis": 1 ms or
	// more, default 100 ms.
	MinTimeBetweenFilePolls time.Duration
	// MaxTimeBetweenFileTrackerRefresh is
	// "maxTimeBetweenFileTrackerRefreshMillis", default 10 s.
	MaxTimeBetweenFileTrackerRefresh time.Duration
	// WaitOnFullPublishQueue and WaitOnEmptyPublishQueue are
	// "waitOnFullPublishQueueMillis" and "waitOnEmptyPublishQueueMillis":
	// 1 s to 15 min, default 1 min.
	WaitOnFullPublishQueue  time.Duration
	WaitOnEmptyPublishQueue time.Duration
	// RetryInitialBackoff and RetryMaxBackoff are "retryInitialBackoffMillis"
	// (default 100 ms) and "retryMaxBackoffMillis" (default 10 s).
	RetryInitialBackoff time.Duration
	RetryMaxBackoff     time.Duration
	// PublishQueueCapacity is "publishQueueCapacity" (default 100).
	PublishQueueCapacity int
	// MultiLineStartPattern is "multiLineStartPattern": a regular
	// expression a record's first line matches; "" means one line per
	// record. MultiLineStart is it compiled.
	MultiLineStartPattern string
	MultiLineStart        *regexp.Regexp
	// FileFooterPattern is "fileFooterPattern": a line matching it stops
	// the reading of a file. FileFooter is it compiled.
	FileFooterPattern string
	FileFooter        *regexp.Regexp
	// SkipHeaderLines is "skipHeaderLines": 0 or more, default 0.
	SkipHeaderLines int
	// TruncatedRecordTerminator is "truncatedRecordTerminator" (default
	// "\n"): it ends a record cut at the maximum record size.
	TruncatedRecordTerminator string
	// AggregatedRecordSizeBytes is "aggregatedRecordSizeBytes": 0 (default)
	// for no aggregation.
	AggregatedRecordSizeBytes int
	// DataProcessingOptions is "dataProcessingOptions", in order.
	DataProcessingOptions []ProcessingOption
}

// ProcessingOption is one "dataProcessingOptions" entry. Package convert
// builds converters from it.
type ProcessingOption struct {
	// OptionName is SINGLELINE, CSVTOJSON, LOGTOJSON, ADDMETADATA or
	// ADDEC2METADATA.
	OptionName string
	// LogFormat is "logFormat" (LOGTOJSON, ADDEC2METADATA): COMMONAPACHELOG,
	// COMBINEDAPACHELOG, APACHEERRORLOG, SYSLOG or RFC3339SYSLOG.
	LogFormat string
	// MatchPattern is "matchPattern" (LOGTOJSON), "" when absent.
	MatchPattern string
	// CustomFieldNames is "customFieldNames"; nil when absent.
	CustomFieldNames []string
	// Delimiter is "delimiter" (CSVTOJSON), a Java regular expression,
	// default ",".
	Delimiter string
	// Metadata is "metadata" (ADDMETADATA) as written in the file,
	// compacted; "null" when absent.
	Metadata json.RawMessage
	// Timestamp is "timestamp" (ADDMETADATA), default false.
	Timestamp bool
	// MetadataTTL is "metadataTTL" (ADDEC2METADATA, seconds), default 1 h.
	MetadataTTL time.Duration
}

// KindKinesis and KindFirehose name a flow's destination kind.
const (
	KindKinesis  = "kinesisStream"
	KindFirehose = "deliveryStream"
)

// Kind returns KindKinesis or KindFirehose.
func (f *Flow) Kind() string {
	if f.DeliveryStream != "" {
		return KindFirehose
	}
	return KindKinesis
}

// Destination returns the stream or delivery stream name.
func (f *Flow) Destination() string {
	if f.DeliveryStream != "" {
		return f.DeliveryStream
	}
	return f.KinesisStream
}

// MaxRecordSizeBytes is the largest record the flow sends: 1 MiB for a
// kinesisStream flow, 1,000 KiB for a deliveryStream flow; longer records
// are cut and end with TruncatedRecordTerminator.
func (f *Flow) MaxRecordSizeBytes() int {
	if f.DeliveryStream != "" {
		return FirehoseMaxRecordSizeBytes
	}
	return KinesisMaxRecordSizeBytes
}

// Warning is a key Parse accepted without acting on it fully: unknown to the
// agent, or known but ignored by Eddy.
type Warning struct {
	// Flow is the flow index, or -1 for a global key. Option is the
	// dataProcessingOptions index within the flow, or -1.
	Flow, Option int
	// Key is the key as written.
	Key string
	// Message says what Eddy does with it.
	Message string
}

func (w Warning) String() string {
	return w.where() + w.Message
}

func (w Warning) where() string {
	switch {
	case w.Flow < 0:
		return fmt.Sprintf("%q: ", w.Key)
	case w.Option < 0:
		return fmt.Sprintf("flows[%d] %q: ", w.Flow, w.Key)
	default:
		return fmt.Sprintf("flows[%d].dataProcessingOptions[%d] %q: ", w.Flow, w.Option, w.Key)
	}
}

// Error is an invalid configuration: the key, where it is, and what is
// allowed.
type Error struct {
	Flow, Option int // as in Warning
	Key          string
	Message      string
}

func (e *Error) Error() string {
	w := Warning{Flow: e.Flow, Option: e.Option, Key: e.Key}
	if e.Key == "" {
		if e.Flow >= 0 {
			return fmt.Sprintf("agent config: flows[%d]: %s", e.Flow, e.Message)
		}
		return "agent config: " + e.Message
	}
	return "agent config: " + w.where() + e.Message
}

// Load reads and parses the file at path.
func Load(path string) (*Config, []Warning, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("agent config: %w", err)
	}
	return Parse(data)
}

// Parse parses an agent.json document. The error, if any, is an *Error or a
// JSON syntax error wrapped with the offset.
func Parse(data []byte) (*Config, []Warning, error) {
	clean := stripComments(data)
	var top map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(clean))
	dec.UseNumber()
	if err := dec.Decode(&top); err != nil {
		return nil, nil, fmt.Errorf("agent config: not a JSON object: %w", err)
	}
	if dec.More() {
		return nil, nil, errors.New("agent config: data after the JSON object")
	}
	if top == nil {
		return nil, nil, errors.New("agent config: not a JSON object: null")
	}
	p := &parser{}
	cfg, err := p.global(top)
	if err != nil {
		return nil, nil, err
	}
	return cfg, p.warnings, nil
}

type parser struct {
	warnings []Warning
}

func (p *parser) warn(flow, option int, key, msg string) {
	p.warnings = append(p.warnings, Warning{Flow: flow, Option: option, Key: key, Message: msg})
}

// obj is one JSON object being read: its members, where it is, and which
// keys were read (the rest are unknown).
type obj struct {
	m            map[string]json.RawMessage
	flow, option int
	used         map[string]bool
}

func newObj(m map[string]json.RawMessage, flow, option int) *obj {
	return &obj{m: m, flow: flow, option: option, used: map[string]bool{}}
}

func (o *obj) errorf(key, format string, args ...any) error {
	return &Error{Flow: o.flow, Option: o.option, Key: key, Message: fmt.Sprintf(format, args...)}
}

// raw returns a key's value; ok is false when the key is absent. A JSON null
// counts as present, as in the agent (its readers return null, and the
// caller's check then fails or the default is not used); Eddy treats null
// as absent for optional keys, which the agent would mostly reject later
// with a NullPointerException.
func (o *obj) raw(key string) (json.RawMessage, bool) {
	v, ok := o.m[key]
	o.used[key] = true
	if !ok || string(bytes.TrimSpace(v)) == "null" {
		return nil, false
	}
	return v, true
}

// str reads a string. The agent's string reader turns any scalar into its
// text (Configuration.stringConverter: input.toString()), so numbers and
// booleans are accepted as their text.
func (o *obj) str(key, def string) (string, error) {
	v, ok := o.raw(key)
	if !ok {
		return def, nil
	}
	var s string
	if err := json.Unmarshal(v, &s); err == nil {
		return s, nil
	}
	t := strings.TrimSpace(string(v))
	if t == "true" || t == "false" || (len(t) > 0 && (t[0] == '-' || (t[0] >= '0' && t[0] <= '9'))) {
		return t, nil
	}
	return "", o.errorf(key, "must be a string, got %s", t)
}

// integer reads an integer given as a JSON number or a string of digits
// (the agent converts strings with Guava's Ints/Longs.stringConverter).
func (o *obj) integer(key string, def, lo, hi int64) (int64, error) {
	v, ok := o.raw(key)
	if !ok {
		return def, nil
	}
	t := strings.TrimSpace(string(v))
	var s string
	if json.Unmarshal(v, &s) == nil {
		t = s
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil {
		return 0, o.errorf(key, "must be an integer in [%s, %s], got %s", fmtInt(lo), fmtInt(hi), string(v))
	}
	if n < lo || n > hi {
		return 0, o.errorf(key, "%d is out of range: must be in [%s, %s]", n, fmtInt(lo), fmtInt(hi))
	}
	return n, nil
}

func fmtInt(n int64) string {
	switch n {
	case maxInt32:
		return "2147483647"
	case maxInt64:
		return "9223372036854775807"
	}
	return strconv.FormatInt(n, 10)
}

const (
	maxInt32 = 1<<31 - 1
	maxInt64 = 1<<63 - 1
)

func (o *obj) millis(key string, def time.Duration, lo, hi int64) (time.Duration, error) {
	n, err := o.integer(key, def.Milliseconds(), lo, hi)
	return time.Duration(n) * time.Millisecond, err
}

// boolean reads true/false or the strings "true"/"false" (any case), as the
// agent's BooleanConverter does.
func (o *obj) boolean(key string, def bool) (bool, error) {
	v, ok := o.raw(key)
	if !ok {
		return def, nil
	}
	var b bool
	if json.Unmarshal(v, &b) == nil {
		return b, nil
	}
	var s string
	if json.Unmarshal(v, &s) == nil {
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
	}
	return false, o.errorf(key, "must be true or false, got %s", string(v))
}

// enum reads one of allowed; the error lists them as the agent's readEnum
// does ("Legal values are ...").
func (o *obj) enum(key, def string, allowed ...string) (string, error) {
	s, err := o.str(key, def)
	if err != nil {
		return "", err
	}
	for _, a := range allowed {
		if s == a {
			return s, nil
		}
	}
	return "", o.errorf(key, "value %q is not accepted: legal values are %s", s, strings.Join(allowed, ","))
}

// unknown warns for every key not read, in sorted order.
func (o *obj) unknown(p *parser, ignored map[string]string) {
	keys := make([]string, 0, len(o.m))
	for k := range o.m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if o.used[k] {
			continue
		}
		if why, ok := ignored[k]; ok {
			p.warn(o.flow, o.option, k, why)
			continue
		}
		if strings.HasPrefix(k, "userDefinedCredentialsProvider.") {
			p.warn(o.flow, o.option, k, "a Java credentials provider class; Eddy ignores it and uses the AWS SDK's credential chain")
			continue
		}
		p.warn(o.flow, o.option, k, "unknown key, ignored")
	}
}

// ignoredGlobal are global keys the agent reads (AgentConfiguration.java)
// whose effect Eddy does not have.
var ignoredGlobal = map[string]string{
	"cloudwatch.tagInstance":             "ignored: Eddy does not publish to CloudWatch",
	"cloudwatch.metricsBufferTimeMillis": "ignored: Eddy does not publish to CloudWatch",
	"cloudwatch.namespace":               "ignored: Eddy does not publish to CloudWatch",
	"cloudwatch.metricsQueueSize":        "ignored: Eddy does not publish to CloudWatch",
	"log.emitMetrics":                    "ignored: Eddy's metrics are on its Prometheus endpoint",
	"log.emitInternalMetrics":            "ignored: Eddy's metrics are on its Prometheus endpoint",
	"sendingThreadsKeepAliveMillis":      "ignored: Eddy sends from goroutines, not a thread pool",
	"maxConnections":                     "ignored: Go's HTTP client pools connections itself",
	"connectionTimeoutMillis":            "ignored: the AWS SDK for Go's default applies",
	"connectionTTLMillis":                "ignored: the AWS SDK for Go's default applies",
	"socketTimeoutMillis":                "ignored: the AWS SDK for Go's default applies",
	"useTcpKeepAlive":                    "ignored: Go's HTTP client keeps connections alive",
	"useHttpGzip":                        "ignored: the AWS SDK for Go's default applies",
}

func (p *parser) global(top map[string]json.RawMessage) (*Config, error) {
	o := newObj(top, -1, -1)
	c := &Config{}
	var err error
	str := func(dst *string, key string) {
		if err == nil {
			*dst, err = o.str(key, "")
		}
	}
	str(&c.KinesisEndpoint, "kinesis.endpoint")
	str(&c.KinesisRegion, "kinesis.region")
	str(&c.FirehoseEndpoint, "firehose.endpoint")
	str(&c.STSEndpoint, "sts.endpoint")
	str(&c.CloudWatchEndpoint, "cloudwatch.endpoint")
	str(&c.AccessKeyID, "awsAccessKeyId")
	str(&c.SecretAccessKey, "awsSecretAccessKey")
	str(&c.AssumeRoleARN, "assumeRoleARN")
	str(&c.AssumeRoleExternalID, "assumeRoleExternalId")
	str(&c.LogLevel, "log.level")
	if err != nil {
		return nil, err
	}
	if c.CloudWatchEmitMetrics, err = o.boolean("cloudwatch.emitMetrics", true); err != nil {
		return nil, err
	}
	if c.CheckpointFile, err = o.str("checkpointFile", DefaultCheckpointFile); err != nil {
		return nil, err
	}
	if c.CheckpointFile == "" {
		return nil, o.errorf("checkpointFile", "must not be empty")
	}
	// The agent gives no ranges for the keys below (AgentConfiguration.java
	// reads them unchecked); Eddy requires what makes sense: positive sizes,
	// non-negative times.
	var n int64
	if n, err = o.integer("checkpointTimeToLiveDays", DefaultCheckpointTimeToLiveDays, 1, maxInt32); err != nil {
		return nil, err
	}
	c.CheckpointTimeToLiveDays = int(n)
	if c.ShutdownTimeout, err = o.millis("shutdownTimeoutMillis", DefaultShutdownTimeout, 0, maxInt64/int64(time.Millisecond)); err != nil {
		return nil, err
	}
	if n, err = o.integer("maxSendingThreads", 0, 1, maxInt32); err != nil {
		return nil, err
	}
	c.MaxSendingThreads = int(n)
	if n, err = o.integer("maxSendingThreadsPerCore", DefaultMaxSendingThreadsPerCore, 1, maxInt32); err != nil {
		return nil, err
	}
	c.MaxSendingThreadsPerCore = int(n)
	if n, err = o.integer("sendingThreadsMaxQueueSize", DefaultSendingThreadsMaxQueueSize, 1, maxInt32); err != nil {
		return nil, err
	}
	c.SendingThreadsMaxQueueSize = int(n)
	if n, err = o.integer("log.statusReportingPeriodSeconds", int64(DefaultLogStatusReportingPeriod/time.Second), 1, maxInt32); err != nil {
		return nil, err
	}
	c.LogStatusReportingPeriod = time.Duration(n) * time.Second

	flows, ok := o.raw("flows")
	if !ok {
		return nil, &Error{Flow: -1, Option: -1, Key: "flows", Message: "required: the list of flows is missing"}
	}
	var list []map[string]json.RawMessage
	if err := json.Unmarshal(flows, &list); err != nil {
		return nil, &Error{Flow: -1, Option: -1, Key: "flows", Message: "must be a list of objects"}
	}
	for i, m := range list {
		if m == nil {
			return nil, &Error{Flow: i, Option: -1, Message: "a flow must be an object"}
		}
		f, err := p.flow(i, m)
		if err != nil {
			return nil, err
		}
		c.Flows = append(c.Flows, *f)
	}
	o.unknown(p, ignoredGlobal)
	return c, nil
}

func (p *parser) flow(i int, m map[string]json.RawMessage) (*Flow, error) {
	o := newObj(m, i, -1)
	f := &Flow{Index: i}
	var err error
	if f.FilePattern, err = o.str("filePattern", ""); err != nil {
		return nil, err
	}
	if f.FilePattern == "" {
		return nil, o.errorf("filePattern", "required: the files to tail")
	}
	// SourceFile.java: "File name component is empty!" for a pattern ending
	// in "/", "Directory component is empty!" for one without a directory.
	// Globs are matched in the last element only; the agent takes glob
	// characters in the directory literally ("TODO: this does not handle
	// globs in directory component").
	dir, name := path.Split(f.FilePattern)
	switch {
	case name == "":
		return nil, o.errorf("filePattern", "the file name component is empty: %q ends with /", f.FilePattern)
	case dir == "":
		return nil, o.errorf("filePattern", "the directory component is empty: %q needs a directory, as /var/log/app.log*", f.FilePattern)
	}
	if _, err := path.Match(name, ""); err != nil {
		return nil, o.errorf("filePattern", "bad glob in %q: %v", name, err)
	}
	if strings.ContainsAny(dir, "*?[") {
		p.warn(i, -1, "filePattern", fmt.Sprintf("glob characters in the directory %q are taken literally, as the agent takes them: only the last element is a pattern", dir))
	}
	if f.KinesisStream, err = o.str(KindKinesis, ""); err != nil {
		return nil, err
	}
	if f.DeliveryStream, err = o.str(KindFirehose, ""); err != nil {
		return nil, err
	}
	switch {
	case f.KinesisStream != "" && f.DeliveryStream != "":
		return nil, &Error{Flow: i, Option: -1, Message: `a flow has either "kinesisStream" or "deliveryStream", not both`}
	case f.KinesisStream == "" && f.DeliveryStream == "":
		return nil, &Error{Flow: i, Option: -1, Message: `a flow needs "kinesisStream" or "deliveryStream"`}
	}
	maxBytes, maxRecords := int64(KinesisMaxBufferSizeBytes), int64(KinesisMaxBufferSizeRecord)
	if f.DeliveryStream != "" {
		maxBytes, maxRecords = FirehoseMaxBufferSizeBytes, FirehoseMaxBufferSizeRecord
		// FirehoseFileFlow does not read partitionKeyOption.
		if _, ok := m["partitionKeyOption"]; ok {
			o.used["partitionKeyOption"] = true
			p.warn(i, -1, "partitionKeyOption", "ignored: a deliveryStream flow has no partition key")
		}
	} else if f.PartitionKeyOption, err = o.enum("partitionKeyOption", "RANDOM", "RANDOM", "DETERMINISTIC"); err != nil {
		return nil, err
	}
	if f.InitialPosition, err = o.enum("initialPosition", "END_OF_FILE", "START_OF_FILE", "END_OF_FILE"); err != nil {
		return nil, err
	}
	// Ranges from KinesisFileFlow/FirehoseFileFlow: Range.closed(1 s, 15 min)
	// for the buffer age and the publish-queue waits, closed(1, max) for the
	// buffer sizes.
	const second, fifteenMin = 1000, 15 * 60 * 1000
	if f.MaxBufferAge, err = o.millis("maxBufferAgeMillis", DefaultMaxBufferAge, second, fifteenMin); err != nil {
		return nil, err
	}
	var n int64
	if n, err = o.integer("maxBufferSizeRecords", maxRecords, 1, maxRecords); err != nil {
		return nil, err
	}
	f.MaxBufferSizeRecords = int(n)
	if n, err = o.integer("maxBufferSizeBytes", maxBytes, 1, maxBytes); err != nil {
		return nil, err
	}
	f.MaxBufferSizeBytes = int(n)
	if f.WaitOnFullPublishQueue, err = o.millis("waitOnFullPublishQueueMillis", DefaultWaitOnPublishQueue, second, fifteenMin); err != nil {
		return nil, err
	}
	if f.WaitOnEmptyPublishQueue, err = o.millis("waitOnEmptyPublishQueueMillis", DefaultWaitOnPublishQueue, second, fifteenMin); err != nil {
		return nil, err
	}
	// "Value range: 1 or more" (AWS's settings table); FileFlow does not
	// check it.
	maxMillis := int64(maxInt64 / int64(time.Millisecond))
	if f.MinTimeBetweenFilePolls, err = o.millis("minTimeBetweenFilePollsMillis", DefaultMinTimeBetweenFilePolls, 1, maxMillis); err != nil {
		return nil, err
	}
	// No range in the sources for the next ones ("TODO: Add validation
	// interval" in FileFlow.java); Eddy requires positive values.
	if f.MaxTimeBetweenFileTrackerRefresh, err = o.millis("maxTimeBetweenFileTrackerRefreshMillis", DefaultMaxTimeBetweenFileTrackerRefresh, 1, maxMillis); err != nil {
		return nil, err
	}
	if f.RetryInitialBackoff, err = o.millis("retryInitialBackoffMillis", DefaultRetryInitialBackoff, 1, maxMillis); err != nil {
		return nil, err
	}
	if f.RetryMaxBackoff, err = o.millis("retryMaxBackoffMillis", DefaultRetryMaxBackoff, 1, maxMillis); err != nil {
		return nil, err
	}
	if f.RetryMaxBackoff < f.RetryInitialBackoff {
		return nil, o.errorf("retryMaxBackoffMillis", "%d is less than retryInitialBackoffMillis (%d)", f.RetryMaxBackoff.Milliseconds(), f.RetryInitialBackoff.Milliseconds())
	}
	if n, err = o.integer("publishQueueCapacity", DefaultPublishQueueCapacity, 1, maxInt32); err != nil {
		return nil, err
	}
	f.PublishQueueCapacity = int(n)
	// "Value range: 0 or more" (AWS's settings table).
	if n, err = o.integer("skipHeaderLines", 0, 0, maxInt32); err != nil {
		return nil, err
	}
	f.SkipHeaderLines = int(n)
	// "Default: 0 (no aggregation)" (AWS's settings table); no upper bound
	// is documented. Eddy bounds it by the flow's maximum record size, since
	// an aggregate is one record.
	if n, err = o.integer("aggregatedRecordSizeBytes", 0, 0, int64(f.MaxRecordSizeBytes())); err != nil {
		return nil, err
	}
	f.AggregatedRecordSizeBytes = int(n)
	if f.TruncatedRecordTerminator, err = o.str("truncatedRecordTerminator", DefaultTruncatedRecordTerminator); err != nil {
		return nil, err
	}
	// FileFlow.java: the terminator must be shorter than the maximum
	// record size.
	if len(f.TruncatedRecordTerminator) >= f.MaxRecordSizeBytes() {
		return nil, o.errorf("truncatedRecordTerminator", "must be shorter than the maximum record size (%d bytes)", f.MaxRecordSizeBytes())
	}
	if f.MultiLineStartPattern, f.MultiLineStart, err = o.regex("multiLineStartPattern"); err != nil {
		return nil, err
	}
	if f.FileFooterPattern, f.FileFooter, err = o.regex("fileFooterPattern"); err != nil {
		return nil, err
	}
	if v, ok := o.raw("dataProcessingOptions"); ok {
		var opts []map[string]json.RawMessage
		if err := json.Unmarshal(v, &opts); err != nil {
			return nil, o.errorf("dataProcessingOptions", "must be a list of objects")
		}
		for j, om := range opts {
			if om == nil {
				return nil, &Error{Flow: i, Option: j, Key: "optionName", Message: "a processing option must be an object"}
			}
			po, err := p.option(i, j, om)
			if err != nil {
				return nil, err
			}
			f.DataProcessingOptions = append(f.DataProcessingOptions, *po)
		}
	}
	o.unknown(p, map[string]string{
		"log.emitInternalMetrics": "ignored: Eddy's metrics are on its Prometheus endpoint",
	})
	return f, nil
}

func (o *obj) regex(key string) (string, *regexp.Regexp, error) {
	s, err := o.str(key, "")
	if err != nil || s == "" {
		return "", nil, err
	}
	re, err := regexp.Compile(s)
	if err != nil {
		return "", nil, o.errorf(key, "not a regular expression Eddy can run (Go RE2 syntax: no backreferences or lookaround): %v", err)
	}
	return s, re, nil
}

// Option names and log formats, from ProcessingUtilsFactory.java
// (DataConversionOption, LogFormat) and AddEC2MetadataConverter.java.
var (
	OptionNames = []string{"SINGLELINE", "CSVTOJSON", "LOGTOJSON", "ADDMETADATA", "ADDEC2METADATA"}
	LogFormats  = []string{"COMMONAPACHELOG", "COMBINEDAPACHELOG", "APACHEERRORLOG", "SYSLOG", "RFC3339SYSLOG"}
)

func (p *parser) option(flow, idx int, m map[string]json.RawMessage) (*ProcessingOption, error) {
	o := newObj(m, flow, idx)
	po := &ProcessingOption{Delimiter: ",", Metadata: json.RawMessage("null"), MetadataTTL: time.Hour}
	var err error
	if _, ok := o.raw("optionName"); !ok {
		return nil, o.errorf("optionName", "required: one of %s", strings.Join(OptionNames, ","))
	}
	if po.OptionName, err = o.enum("optionName", "", OptionNames...); err != nil {
		return nil, err
	}
	// jsonFormat: ProcessingUtilsFactory.getPrinter reads it for every
	// JSON-writing converter; Eddy writes COMPACT only.
	if _, err = o.enum("jsonFormat", "COMPACT", "COMPACT"); err != nil {
		return nil, o.errorf("jsonFormat", "Eddy writes COMPACT JSON only (PRETTYPRINT is not supported)")
	}
	fields := func(required bool) error {
		v, ok := o.raw("customFieldNames")
		if !ok {
			if required {
				return o.errorf("customFieldNames", "required for %s: the list of field names", po.OptionName)
			}
			return nil
		}
		var names []string
		if json.Unmarshal(v, &names) != nil {
			return o.errorf("customFieldNames", "must be a list of strings")
		}
		if names == nil {
			names = []string{}
		}
		po.CustomFieldNames = names
		return nil
	}
	switch po.OptionName {
	case "CSVTOJSON":
		if err = fields(true); err != nil {
			return nil, err
		}
		if po.Delimiter, err = o.str("delimiter", ","); err != nil {
			return nil, err
		}
		if _, err := regexp.Compile(po.Delimiter); err != nil || po.Delimiter == "" {
			return nil, o.errorf("delimiter", "must be a non-empty regular expression (the agent splits with String.split): %q", po.Delimiter)
		}
	case "LOGTOJSON", "ADDEC2METADATA":
		// getLogParser: logFormat is required (readEnum without fallback),
		// also by ADDEC2METADATA, whose constructor builds a parser.
		if _, ok := o.raw("logFormat"); !ok {
			return nil, o.errorf("logFormat", "required: one of %s", strings.Join(LogFormats, ","))
		}
		if po.LogFormat, err = o.enum("logFormat", "", LogFormats...); err != nil {
			return nil, err
		}
		if err = fields(false); err != nil {
			return nil, err
		}
		if po.MatchPattern, err = o.str("matchPattern", ""); err != nil {
			return nil, err
		}
		if po.OptionName == "ADDEC2METADATA" {
			var ttl int64
			if ttl, err = o.integer("metadataTTL", 3600, 1, maxInt32); err != nil {
				return nil, err
			}
			po.MetadataTTL = time.Duration(ttl) * time.Second
			break
		}
		if err := checkLogFormat(po); err != nil {
			return nil, o.errorf(err.key, "%s", err.msg)
		}
	case "ADDMETADATA":
		if v, ok := o.raw("metadata"); ok {
			var buf bytes.Buffer
			if err := json.Compact(&buf, v); err != nil {
				return nil, o.errorf("metadata", "invalid JSON: %v", err)
			}
			po.Metadata = buf.Bytes()
		}
		if po.Timestamp, err = o.boolean("timestamp", false); err != nil {
			return nil, err
		}
	}
	o.unknown(p, nil)
	return po, nil
}

type keyError struct{ key, msg string }

// DefaultFieldCounts is how many fields each log format's default pattern
// yields (ApacheLogParser.java, SysLogParser.java).
var DefaultFieldCounts = map[string]int{
	"COMMONAPACHELOG":   7,
	"COMBINEDAPACHELOG": 9,
	"APACHEERRORLOG":    7,
	"SYSLOG":            5,
	"RFC3339SYSLOG":     5,
}

// checkLogFormat applies BaseLogParser's constructor checks.
func checkLogFormat(po *ProcessingOption) *keyError {
	if po.MatchPattern != "" {
		// BaseLogParser: "matchPattern must be specified when
		// customFieldNames is specified" (its wording; the check is that
		// customFieldNames is given with matchPattern).
		if po.CustomFieldNames == nil {
			return &keyError{"customFieldNames", "required when matchPattern is given: one name per capturing group"}
		}
		re, err := regexp.Compile(po.MatchPattern)
		if err != nil {
			return &keyError{"matchPattern", fmt.Sprintf("not a regular expression Eddy can run (Go RE2 syntax: no backreferences or lookaround): %v", err)}
		}
		_ = re
		return nil
	}
	if po.CustomFieldNames != nil && len(po.CustomFieldNames) != DefaultFieldCounts[po.LogFormat] {
		// BaseLogParser: "Invalid custom field names for the selected log
		// format."
		return &keyError{"customFieldNames", fmt.Sprintf("%s has %d fields, customFieldNames names %d: give %d names or a matchPattern",
			po.LogFormat, DefaultFieldCounts[po.LogFormat], len(po.CustomFieldNames), DefaultFieldCounts[po.LogFormat])}
	}
	return nil
}
