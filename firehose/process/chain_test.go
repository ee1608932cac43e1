package process

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/eddy-streams/eddy"
)

// instantClock fires timers at once and records the delays asked for.
type instantClock struct {
	mu     sync.Mutex
	now    time.Time
	delays []time.Duration
}

func (c *instantClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *instantClock) AfterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	c.delays = append(c.delays, d)
	c.now = c.now.Add(d)
	c.mu.Unlock()
	go f()
	return func() bool { return false }
}

func (c *instantClock) Delays() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.delays...)
}

// fromSDK converts the aws-sdk-go-v2 Firehose type into the package's, so
// that the tests build configurations with the SDK's field names.
func fromSDK(pc types.ProcessingConfiguration) ProcessingConfiguration {
	out := ProcessingConfiguration{Enabled: aws.ToBool(pc.Enabled)}
	for _, p := range pc.Processors {
		c := ProcessorConfig{Type: string(p.Type)}
		for _, pp := range p.Parameters {
			c.Parameters = append(c.Parameters, ProcessorParameter{ParameterName: string(pp.ParameterName), ParameterValue: aws.ToString(pp.ParameterValue)})
		}
		out.Processors = append(out.Processors, c)
	}
	return out
}

func param(name types.ProcessorParameterName, v string) types.ProcessorParameter {
	return types.ProcessorParameter{ParameterName: name, ParameterValue: aws.String(v)}
}

type nopInvoker struct{}

func (nopInvoker) Invoke(context.Context, string, []byte) ([]byte, string, error) {
	return nil, "", errors.New("not called")
}

func TestNewValidation(t *testing.T) {
	lambdaP := func(ps ...types.ProcessorParameter) types.Processor {
		return types.Processor{Type: types.ProcessorTypeLambda, Parameters: append([]types.ProcessorParameter{param(types.ProcessorParameterNameLambdaArn, "arn:aws:lambda:us-east-1:000000000000:function:f")}, ps...)}
	}
	tests := []struct {
		name    string
		procs   []types.Processor
		wantErr string // substring; "" for success
	}{
		{"lambda defaults", []types.Processor{lambdaP()}, ""},
		{"lambda all parameters", []types.Processor{lambdaP(
			param(types.ProcessorParameterNameLambdaNumberOfRetries, "0"),
			param(types.ProcessorParameterNameBufferSizeInMb, "0.2"),
			param(types.ProcessorParameterNameBufferIntervalInSeconds, "900"),
			param(types.ProcessorParameterNameRoleArn, "arn:aws:iam::000000000000:role/r"))}, ""},
		{"lambda without arn", []types.Processor{{Type: types.ProcessorTypeLambda}}, "LambdaArn is required"},
		{"retries negative", []types.Processor{lambdaP(param(types.ProcessorParameterNameLambdaNumberOfRetries, "-1"))}, "NumberOfRetries"},
		{"retries not a number", []types.Processor{lambdaP(param(types.ProcessorParameterNameLambdaNumberOfRetries, "three"))}, "NumberOfRetries"},
		{"buffer size below 0.2", []types.Processor{lambdaP(param(types.ProcessorParameterNameBufferSizeInMb, "0.1"))}, "BufferSizeInMBs"},
		{"buffer size above 3", []types.Processor{lambdaP(param(types.ProcessorParameterNameBufferSizeInMb, "3.5"))}, "BufferSizeInMBs"},
		{"interval above 900", []types.Processor{lambdaP(param(types.ProcessorParameterNameBufferIntervalInSeconds, "901"))}, "BufferIntervalInSeconds"},
		{"unknown parameter for lambda", []types.Processor{lambdaP(param(types.ProcessorParameterNameDelimiter, "Cg=="))}, "not supported for processor type Lambda"},
		{"parameter twice", []types.Processor{lambdaP(param(types.ProcessorParameterNameLambdaArn, "x"))}, "more than once"},
		{"processor twice", []types.Processor{lambdaP(), lambdaP()}, "more than once"},
		{"unknown type", []types.Processor{{Type: "Compress"}}, "is not one of"},
		{"deaggregation json", []types.Processor{{Type: types.ProcessorTypeRecordDeAggregation, Parameters: []types.ProcessorParameter{param(types.ProcessorParameterNameSubRecordType, "JSON")}}}, ""},
		{"deaggregation delimited", []types.Processor{{Type: types.ProcessorTypeRecordDeAggregation, Parameters: []types.ProcessorParameter{
			param(types.ProcessorParameterNameSubRecordType, "DELIMITED"), param(types.ProcessorParameterNameDelimiter, "IyMjIw==")}}}, ""},
		{"delimited without delimiter", []types.Processor{{Type: types.ProcessorTypeRecordDeAggregation, Parameters: []types.ProcessorParameter{param(types.ProcessorParameterNameSubRecordType, "DELIMITED")}}}, "Delimiter is required"},
		{"delimiter not base64", []types.Processor{{Type: types.ProcessorTypeRecordDeAggregation, Parameters: []types.ProcessorParameter{
			param(types.ProcessorParameterNameSubRecordType, "DELIMITED"), param(types.ProcessorParameterNameDelimiter, "####")}}}, "base64"},
		{"bad sub-record type", []types.Processor{{Type: types.ProcessorTypeRecordDeAggregation, Parameters: []types.ProcessorParameter{param(types.ProcessorParameterNameSubRecordType, "CSV")}}}, "SubRecordType"},
		{"decompression", []types.Processor{{Type: types.ProcessorTypeDecompression, Parameters: []types.ProcessorParameter{param(types.ProcessorParameterNameCompressionFormat, "GZIP")}}}, ""},
		{"decompression zip", []types.Processor{{Type: types.ProcessorTypeDecompression, Parameters: []types.ProcessorParameter{param(types.ProcessorParameterNameCompressionFormat, "ZIP")}}}, "GZIP"},
		{"cloudwatch without decompression", []types.Processor{{Type: types.ProcessorTypeCloudWatchLogProcessing, Parameters: []types.ProcessorParameter{param(types.ProcessorParameterNameDataMessageExtraction, "true")}}}, "requires the Decompression"},
		{"cloudwatch extraction false", []types.Processor{{Type: types.ProcessorTypeDecompression}, {Type: types.ProcessorTypeCloudWatchLogProcessing, Parameters: []types.ProcessorParameter{param(types.ProcessorParameterNameDataMessageExtraction, "false")}}}, "must be true"},
		{"metadata extraction", []types.Processor{{Type: types.ProcessorTypeMetadataExtraction, Parameters: []types.ProcessorParameter{
			param(types.ProcessorParameterNameMetadataExtractionQuery, "{id:.id}"), param(types.ProcessorParameterNameJsonParsingEngine, "JQ-1.6")}}}, ""},
		{"metadata bad query", []types.Processor{{Type: types.ProcessorTypeMetadataExtraction, Parameters: []types.ProcessorParameter{
			param(types.ProcessorParameterNameMetadataExtractionQuery, "{id:.id"), param(types.ProcessorParameterNameJsonParsingEngine, "JQ-1.6")}}}, "not a valid jq expression"},
		{"metadata without engine", []types.Processor{{Type: types.ProcessorTypeMetadataExtraction, Parameters: []types.ProcessorParameter{
			param(types.ProcessorParameterNameMetadataExtractionQuery, "{id:.id}")}}}, "JsonParsingEngine must be JQ-1.6"},
		{"append delimiter", []types.Processor{{Type: types.ProcessorTypeAppendDelimiterToRecord}}, ""},
		{"append delimiter with parameter", []types.Processor{{Type: types.ProcessorTypeAppendDelimiterToRecord, Parameters: []types.ProcessorParameter{param(types.ProcessorParameterNameDelimiter, "Cg==")}}}, "not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(Config{
				ProcessingConfiguration: fromSDK(types.ProcessingConfiguration{Enabled: aws.Bool(true), Processors: tt.procs}),
				Invoker:                 nopInvoker{},
			})
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			var e *eddy.Error
			if !errors.As(err, &e) || e.Code != eddy.CodeInvalidArgument || !strings.Contains(e.Message, tt.wantErr) {
				t.Fatalf("New: %v, want InvalidArgumentException containing %q", err, tt.wantErr)
			}
		})
	}
}

func gz(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestChainOrder lists the processors backwards and checks that they run
// in Firehose's order: decompression, CloudWatch Logs message extraction,
// deaggregation, metadata extraction, then the delimiter.
func TestChainOrder(t *testing.T) {
	cfg := types.ProcessingConfiguration{Enabled: aws.Bool(true), Processors: []types.Processor{
		{Type: types.ProcessorTypeAppendDelimiterToRecord},
		{Type: types.ProcessorTypeMetadataExtraction, Parameters: []types.ProcessorParameter{
			param(types.ProcessorParameterNameMetadataExtractionQuery, "{user:.user}"), param(types.ProcessorParameterNameJsonParsingEngine, "JQ-1.6")}},
		{Type: types.ProcessorTypeRecordDeAggregation, Parameters: []types.ProcessorParameter{param(types.ProcessorParameterNameSubRecordType, "JSON")}},
		{Type: types.ProcessorTypeCloudWatchLogProcessing, Parameters: []types.ProcessorParameter{param(types.ProcessorParameterNameDataMessageExtraction, "true")}},
		{Type: types.ProcessorTypeDecompression, Parameters: []types.ProcessorParameter{param(types.ProcessorParameterNameCompressionFormat, "GZIP")}},
	}}
	c, err := New(Config{ProcessingConfiguration: fromSDK(cfg)})
	if err != nil {
		t.Fatal(err)
	}
	data := gz(t, []byte(`{"messageType":"DATA_MESSAGE","owner":"123456789012","logGroup":"g","logStream":"s","subscriptionFilters":["f"],`+
		`"logEvents":[{"id":"1","timestamp":1,"message":"{\"user\":\"a\"}"},{"id":"2","timestamp":2,"message":"{\"user\":\"b\"}"}]}`))
	control := gz(t, []byte(`{"messageType":"CONTROL_MESSAGE","owner":"CloudwatchLogs","logGroup":"","logStream":"","subscriptionFilters":[],"logEvents":[{"id":"","timestamp":1,"message":"CWL CONTROL MESSAGE: Checking health of destination Firehose."}]}`))
	arrival := time.UnixMilli(1700000000000)
	out, err := c.Process(context.Background(), []Record{
		{RecordID: "r0", Data: data, ApproximateArrival: arrival},
		{RecordID: "r1", Data: control, ApproximateArrival: arrival},
		{RecordID: "r2", Data: []byte("not gzip"), ApproximateArrival: arrival},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Records) != 2 || out.Dropped != 1 || len(out.Failed) != 1 {
		t.Fatalf("got %d records, %d dropped, %d failed; want 2, 1, 1", len(out.Records), out.Dropped, len(out.Failed))
	}
	for i, want := range []string{"a", "b"} {
		r := out.Records[i]
		if string(r.Data) != `{"user":"`+want+`"}`+"\n" || r.PartitionKeysFromQuery["user"] != want || r.RecordID != subID("r0", i) || !r.ApproximateArrival.Equal(arrival) {
			t.Errorf("record %d = %+v", i, r)
		}
	}
	if f := out.Failed[0]; f.OutputType != OutputDecompressionFailed || f.Record.RecordID != "r2" || string(f.Record.Data) != "not gzip" {
		t.Errorf("failure = %+v", f)
	}
}

func TestDisabledChainPassesRecords(t *testing.T) {
	c, err := New(Config{ProcessingConfiguration: ProcessingConfiguration{Enabled: false, Processors: []ProcessorConfig{{Type: TypeAppendDelimiterToRecord}}}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.Process(context.Background(), []Record{{RecordID: "a", Data: []byte("x")}})
	if err != nil || len(out.Records) != 1 || string(out.Records[0].Data) != "x" {
		t.Fatalf("Process = %+v, %v", out, err)
	}
	if _, _, ok := c.LambdaBuffering(); ok {
		t.Error("LambdaBuffering ok without a Lambda processor")
	}
}

func TestAppendDelimiterDoesNotShareBacking(t *testing.T) {
	backing := []byte("abcdef")
	recs := []Record{{Data: backing[:3]}, {Data: backing[3:]}}
	out, _ := AppendDelimiter{}.Process(context.Background(), recs)
	if string(out.Records[0].Data) != "abc\n" || string(out.Records[1].Data) != "def\n" || string(backing) != "abcdef" {
		t.Fatalf("got %q %q, backing %q", out.Records[0].Data, out.Records[1].Data, backing)
	}
}
