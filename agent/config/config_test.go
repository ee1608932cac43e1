package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The configurations AWS's documentation shows are accepted unchanged, with
// no warnings.
func TestDocExamplesAccepted(t *testing.T) {
	files, err := filepath.Glob("testdata/docs-*.json")
	if err != nil || len(files) != 4 {
		t.Fatalf("glob: %v %v", files, err)
	}
	for _, name := range files {
		cfg, warns, err := Load(name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(warns) != 0 {
			t.Errorf("%s: warnings %v", name, warns)
		}
		if len(cfg.Flows) == 0 {
			t.Errorf("%s: no flows", name)
		}
	}
	cfg, _, err := Load("testdata/docs-multi-line.json")
	if err != nil {
		t.Fatal(err)
	}
	f := cfg.Flows[0]
	if f.MultiLineStart == nil || !f.MultiLineStart.MatchString("[SEQUENCE=1] x") {
		t.Errorf("multiLineStartPattern: %q", f.MultiLineStartPattern)
	}
	if got := f.DataProcessingOptions[1]; got.OptionName != "CSVTOJSON" || got.Delimiter != `\t` || len(got.CustomFieldNames) != 3 {
		t.Errorf("CSVTOJSON option: %+v", got)
	}
}

// Defaults follow the agent's sources, and differ between the flow kinds
// where the sources do (buffer bytes, record size).
func TestDefaults(t *testing.T) {
	cfg, _, err := Load("testdata/docs-multiple-streams.json")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.CheckpointFile != "/var/run/aws-kinesis-agent/checkpoints" || cfg.ShutdownTimeout != 10*time.Second ||
		!cfg.CloudWatchEmitMetrics || cfg.SendingThreadsMaxQueueSize != 100 || cfg.MaxSendingThreads != 0 {
		t.Errorf("globals: %+v", cfg)
	}
	k, fh := cfg.Flows[0], cfg.Flows[1]
	if k.Kind() != KindKinesis || k.Destination() != "yourkinesisstream" || fh.Kind() != KindFirehose {
		t.Fatalf("kinds: %s %s", k.Kind(), fh.Kind())
	}
	if k.MaxBufferSizeBytes != 5*1024*1024 || fh.MaxBufferSizeBytes != 4*1024*1024 {
		t.Errorf("maxBufferSizeBytes: %d %d", k.MaxBufferSizeBytes, fh.MaxBufferSizeBytes)
	}
	if k.MaxRecordSizeBytes() != 1024*1024 || fh.MaxRecordSizeBytes() != 1000*1024 {
		t.Errorf("max record size: %d %d", k.MaxRecordSizeBytes(), fh.MaxRecordSizeBytes())
	}
	for _, f := range []Flow{k, fh} {
		if f.MaxBufferSizeRecords != 500 || f.MaxBufferAge != time.Minute || f.MinTimeBetweenFilePolls != 100*time.Millisecond ||
			f.InitialPosition != "END_OF_FILE" || f.TruncatedRecordTerminator != "\n" || f.SkipHeaderLines != 0 ||
			f.RetryInitialBackoff != 100*time.Millisecond || f.RetryMaxBackoff != 10*time.Second || f.PublishQueueCapacity != 100 ||
			f.AggregatedRecordSizeBytes != 0 {
			t.Errorf("flow %d defaults: %+v", f.Index, f)
		}
	}
	if k.PartitionKeyOption != "RANDOM" || fh.PartitionKeyOption != "" {
		t.Errorf("partitionKeyOption: %q %q", k.PartitionKeyOption, fh.PartitionKeyOption)
	}
}

// Comments are accepted, as Jackson's ALLOW_COMMENTS does in the agent;
// numbers and booleans may be strings, as the agent's converters allow.
func TestCommentsAndStringScalars(t *testing.T) {
	doc := `// agent.json
{
  /* global */ "cloudwatch.emitMetrics": "false",
  "shutdownTimeoutMillis": "2500", // in ms
  "flows": [ { "filePattern": "/var/log/a*.log", "kinesisStream": "s // not a comment",
               "maxBufferAgeMillis": "5000", "initialPosition": "START_OF_FILE" } ]
}`
	cfg, warns, err := Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if len(warns) != 0 {
		t.Errorf("warnings: %v", warns)
	}
	if cfg.CloudWatchEmitMetrics || cfg.ShutdownTimeout != 2500*time.Millisecond {
		t.Errorf("globals: %+v", cfg)
	}
	f := cfg.Flows[0]
	if f.KinesisStream != "s // not a comment" || f.MaxBufferAge != 5*time.Second || f.InitialPosition != "START_OF_FILE" {
		t.Errorf("flow: %+v", f)
	}
	if _, _, err := Parse([]byte(`{"flows": [] /* unterminated`)); err == nil {
		t.Error("unterminated comment accepted")
	}
}

func TestWarnings(t *testing.T) {
	doc := `{
  "userDefinedCredentialsProvider.classname": "com.example.Creds",
  "userDefinedCredentialsProvider.location": "/opt/creds.jar",
  "socketTimeoutMillis": 5000,
  "bogus": 1,
  "flows": [ { "filePattern": "/var/*/a", "kinesisStream": "s", "filePatern": "/b",
    "dataProcessingOptions": [ { "optionName": "SINGLELINE", "extra": true } ] } ]
}`
	_, warns, err := Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range warns {
		got = append(got, w.String())
	}
	want := []string{
		`"bogus": unknown key, ignored`,
		`"socketTimeoutMillis": ignored: the AWS SDK for Go's default applies`,
		`"userDefinedCredentialsProvider.classname": a Java credentials provider class; Eddy ignores it and uses the AWS SDK's credential chain`,
		`"userDefinedCredentialsProvider.location": a Java credentials provider class; Eddy ignores it and uses the AWS SDK's credential chain`,
		`flows[0].dataProcessingOptions[0] "extra": unknown key, ignored`,
		`flows[0] "filePatern": unknown key, ignored`,
		`flows[0] "filePattern": glob characters in the directory "/var/*/" are taken literally, as the agent takes them: only the last element is a pattern`,
	}
	// Flow warnings come first (flows are parsed before the global
	// unknown-key pass); compare as sets of lines.
	if strings.Join(sorted(got), "\n") != strings.Join(sorted(want), "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestInvalid(t *testing.T) {
	flow := func(extra string) string {
		return `{"flows": [ {"filePattern": "/a", "kinesisStream": "s"}, {"filePattern": "/b", "deliveryStream": "d"` + extra + `} ]}`
	}
	opt := func(o string) string { return flow(`, "dataProcessingOptions": [` + o + `]`) }
	tests := []struct {
		name, doc, want string
	}{
		{"not json", `{`, "not a JSON object"},
		{"array", `[]`, "not a JSON object"},
		{"no flows", `{}`, `"flows": required`},
		{"flows not list", `{"flows": 3}`, `"flows": must be a list`},
		{"both destinations", `{"flows": [{"filePattern": "/a", "kinesisStream": "s", "deliveryStream": "d"}]}`, `flows[0]: a flow has either`},
		{"no destination", `{"flows": [{"filePattern": "/a"}]}`, `flows[0]: a flow needs`},
		{"no pattern", `{"flows": [{"kinesisStream": "s"}]}`, `flows[0] "filePattern": required`},
		{"pattern dir", `{"flows": [{"filePattern": "/var/log/", "kinesisStream": "s"}]}`, `"filePattern": the file name component is empty`},
		{"pattern no dir", `{"flows": [{"filePattern": "app.log*", "kinesisStream": "s"}]}`, `"filePattern": the directory component is empty`},
		{"pattern glob", `{"flows": [{"filePattern": "/var/log/[a", "kinesisStream": "s"}]}`, `"filePattern": bad glob in "[a"`},
		{"buffer age low", flow(`, "maxBufferAgeMillis": 999`), `flows[1] "maxBufferAgeMillis": 999 is out of range: must be in [1000, 900000]`},
		{"buffer age high", flow(`, "maxBufferAgeMillis": 900001`), `must be in [1000, 900000]`},
		{"buffer age text", flow(`, "maxBufferAgeMillis": "soon"`), `flows[1] "maxBufferAgeMillis": must be an integer in [1000, 900000]`},
		{"buffer age fraction", flow(`, "maxBufferAgeMillis": 1500.5`), `must be an integer`},
		{"firehose bytes", flow(`, "maxBufferSizeBytes": 4194305`), `flows[1] "maxBufferSizeBytes": 4194305 is out of range: must be in [1, 4194304]`},
		{"kinesis bytes", `{"flows": [{"filePattern": "/a", "kinesisStream": "s", "maxBufferSizeBytes": 5242881}]}`, `must be in [1, 5242880]`},
		{"records", flow(`, "maxBufferSizeRecords": 501`), `"maxBufferSizeRecords": 501 is out of range: must be in [1, 500]`},
		{"records zero", flow(`, "maxBufferSizeRecords": 0`), `must be in [1, 500]`},
		{"polls", flow(`, "minTimeBetweenFilePollsMillis": 0`), `"minTimeBetweenFilePollsMillis": 0 is out of range`},
		{"skip", flow(`, "skipHeaderLines": -1`), `"skipHeaderLines": -1 is out of range`},
		{"aggregation", flow(`, "aggregatedRecordSizeBytes": 1024001`), `"aggregatedRecordSizeBytes": 1024001 is out of range: must be in [0, 1024000]`},
		{"position", flow(`, "initialPosition": "MIDDLE"`), `flows[1] "initialPosition": value "MIDDLE" is not accepted: legal values are START_OF_FILE,END_OF_FILE`},
		{"partition key", `{"flows": [{"filePattern": "/a", "kinesisStream": "s", "partitionKeyOption": "HASH"}]}`, `legal values are RANDOM,DETERMINISTIC`},
		{"multiline regex", flow(`, "multiLineStartPattern": "(a"`), `"multiLineStartPattern": not a regular expression`},
		{"backoff order", flow(`, "retryInitialBackoffMillis": 500, "retryMaxBackoffMillis": 100`), `"retryMaxBackoffMillis": 100 is less than`},
		{"bool", `{"cloudwatch.emitMetrics": "yes", "flows": []}`, `"cloudwatch.emitMetrics": must be true or false`},
		{"string", `{"kinesis.endpoint": {}, "flows": []}`, `"kinesis.endpoint": must be a string`},
		{"option name", opt(`{"optionName": "UPPERCASE"}`), `flows[1].dataProcessingOptions[0] "optionName": value "UPPERCASE" is not accepted: legal values are SINGLELINE,CSVTOJSON,LOGTOJSON,ADDMETADATA,ADDEC2METADATA`},
		{"option missing name", opt(`{}`), `"optionName": required`},
		{"csv fields", opt(`{"optionName": "CSVTOJSON"}`), `"customFieldNames": required for CSVTOJSON`},
		{"csv delimiter", opt(`{"optionName": "CSVTOJSON", "customFieldNames": ["a"], "delimiter": "("}`), `"delimiter": must be a non-empty regular expression`},
		{"log format missing", opt(`{"optionName": "LOGTOJSON"}`), `"logFormat": required`},
		{"log format", opt(`{"optionName": "LOGTOJSON", "logFormat": "NGINX"}`), `legal values are COMMONAPACHELOG,COMBINEDAPACHELOG,APACHEERRORLOG,SYSLOG,RFC3339SYSLOG`},
		{"match without fields", opt(`{"optionName": "LOGTOJSON", "logFormat": "SYSLOG", "matchPattern": "(.*)"}`), `"customFieldNames": required when matchPattern is given`},
		{"field count", opt(`{"optionName": "LOGTOJSON", "logFormat": "SYSLOG", "customFieldNames": ["a"]}`), `SYSLOG has 5 fields, customFieldNames names 1`},
		{"match regex", opt(`{"optionName": "LOGTOJSON", "logFormat": "SYSLOG", "matchPattern": "(?<=a)b", "customFieldNames": ["a"]}`), `"matchPattern": not a regular expression`},
		{"pretty", opt(`{"optionName": "CSVTOJSON", "customFieldNames": ["a"], "jsonFormat": "PRETTYPRINT"}`), `"jsonFormat": Eddy writes COMPACT JSON only`},
		{"metadata bool", opt(`{"optionName": "ADDMETADATA", "timestamp": "maybe"}`), `"timestamp": must be true or false`},
		{"ec2 needs format", opt(`{"optionName": "ADDEC2METADATA"}`), `"logFormat": required`},
		{"terminator", `{"flows": [{"filePattern": "/a", "deliveryStream": "d", "truncatedRecordTerminator": "` + strings.Repeat("x", 1000*1024) + `"}]}`, `"truncatedRecordTerminator": must be shorter than the maximum record size (1024000 bytes)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Parse([]byte(tt.doc))
			if err == nil {
				t.Fatalf("accepted")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q, want it to contain %q", err, tt.want)
			}
		})
	}
	var ce *Error
	_, _, err := Parse([]byte(flow(`, "maxBufferSizeRecords": 0`)))
	if !errors.As(err, &ce) || ce.Flow != 1 || ce.Key != "maxBufferSizeRecords" {
		t.Errorf("error value: %#v", err)
	}
}

func TestOptions(t *testing.T) {
	doc := `{"flows": [{"filePattern": "/a", "kinesisStream": "s", "dataProcessingOptions": [
	  {"optionName": "LOGTOJSON", "logFormat": "COMMONAPACHELOG", "customFieldNames": ["f1","f2","f3","f4","f5","f6","f7"]},
	  {"optionName": "ADDMETADATA", "timestamp": "true", "metadata": { "key" : "value", "foo": {"bar": "baz"} }},
	  {"optionName": "ADDEC2METADATA", "logFormat": "RFC3339SYSLOG", "metadataTTL": 60}
	]}]}`
	cfg, warns, err := Parse([]byte(doc))
	if err != nil || len(warns) != 0 {
		t.Fatal(err, warns)
	}
	o := cfg.Flows[0].DataProcessingOptions
	if len(o) != 3 || len(o[0].CustomFieldNames) != 7 {
		t.Fatalf("options: %+v", o)
	}
	if string(o[1].Metadata) != `{"key":"value","foo":{"bar":"baz"}}` || !o[1].Timestamp {
		t.Errorf("ADDMETADATA: %s %v", o[1].Metadata, o[1].Timestamp)
	}
	if o[2].MetadataTTL != time.Minute {
		t.Errorf("metadataTTL: %v", o[2].MetadataTTL)
	}
}

func TestDescribe(t *testing.T) {
	cfg, _, err := Load("testdata/docs-multi-line.json")
	if err != nil {
		t.Fatal(err)
	}
	got := cfg.Describe()
	want := `checkpoint file: /var/run/aws-kinesis-agent/checkpoints
flows: 1
flow 0: /tmp/app.log* -> deliveryStream my-delivery-stream
  initial position: end of file
  records start at lines matching "\\[SEQUENCE="
  buffer: 500 records, 4194304 bytes, 1m0s
  converters: SINGLELINE -> CSVTOJSON(3 fields, delimiter "\\t")
`
	if got != want {
		t.Errorf("Describe:\n%s\nwant:\n%s", got, want)
	}
}

func TestLoadMissing(t *testing.T) {
	_, _, err := Load(filepath.Join(t.TempDir(), "none.json"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("err = %v", err)
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"docs-basic.json", "docs-multiple-streams.json", "docs-apache-common-log.json", "docs-multi-line.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"flows":[{"filePattern":"/a","kinesisStream":"s","dataProcessingOptions":[{"optionName":"LOGTOJSON","logFormat":"SYSLOG","matchPattern":"(a)","customFieldNames":["x"]}]}]} // c`))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, _, err := Parse(data)
		if err != nil {
			return
		}
		for _, fl := range cfg.Flows {
			if (fl.KinesisStream == "") == (fl.DeliveryStream == "") || fl.FilePattern == "" {
				t.Fatalf("invalid flow accepted: %+v", fl)
			}
			if fl.MaxBufferSizeRecords < 1 || fl.MaxBufferSizeRecords > 500 {
				t.Fatalf("records out of range: %d", fl.MaxBufferSizeRecords)
			}
		}
		_ = cfg.Describe()
	})
}
