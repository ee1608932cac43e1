package process

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/eddy-streams/eddy"
)

// CodeDecompressionFailed is the error code of a record Decompression could
// not decompress. Firehose's pages say where such records go (the
// decompression-failed error output, "delivered as is (in compressed
// format)") but no source found records the code itself: this one is
// Eddy's.
const CodeDecompressionFailed = "Decompression.Failed"

// maxDecompressed bounds one record's decompressed size, so that a small
// gzip bomb cannot exhaust memory. Firehose documents no such limit; a
// CloudWatch Logs subscription record decompresses to well under this.
const maxDecompressed = 64 << 20

// Decompression is the Decompression processor: each record's data is
// gunzipped (CompressionFormat GZIP, the only format, and the default). A
// record that does not decompress goes to the error output
// (OutputDecompressionFailed) as it was; the others go on.
type Decompression struct {
	clock Clock
	max   int // bound on one record's decompressed size
}

func newDecompression(params map[string]string, clock Clock) (Processor, error) {
	if err := onlyParams(TypeDecompression, params, ParamCompressionFormat); err != nil {
		return nil, err
	}
	if f, ok := params[ParamCompressionFormat]; ok && f != "GZIP" {
		return nil, eddy.Errorf(eddy.CodeInvalidArgument, "CompressionFormat must be GZIP.")
	}
	return &Decompression{clock: clock, max: maxDecompressed}, nil
}

func (d *Decompression) Process(_ context.Context, recs []Record) (Result, error) {
	var out Result
	out.Records = recs[:0:0]
	for _, r := range recs {
		data, err := gunzip(r.Data, d.max)
		if err != nil {
			out.Failed = append(out.Failed, Failure{
				Record:        r,
				OutputType:    OutputDecompressionFailed,
				ErrorCode:     CodeDecompressionFailed,
				ErrorMessage:  "The record could not be decompressed as GZIP: " + err.Error(),
				AttemptsMade:  1,
				AttemptEnding: d.clock.Now(),
			})
			continue
		}
		r.Data = data
		out.Records = append(out.Records, r)
	}
	return out, nil
}

func gunzip(b []byte, max int) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(zr, int64(max)+1))
	if err != nil {
		return nil, err
	}
	if n > int64(max) {
		return nil, fmt.Errorf("decompressed record larger than %d bytes", max)
	}
	return buf.Bytes(), nil
}

// CloudWatchLogs is CloudWatchLogProcessing with DataMessageExtraction: a
// decompressed CloudWatch Logs subscription record
//
//	{"messageType":"DATA_MESSAGE","owner":..,"logGroup":..,"logStream":..,
//	 "subscriptionFilters":[..],"logEvents":[{"id":..,"timestamp":..,"message":..},..]}
//
// becomes its log events' messages, one per line ("Firehose filters out all
// metadata such as owner, loggroup, logstream, and others from the
// decompressed CloudWatch Logs records and delivers only the content inside
// the message fields", Message_extraction.html, whose example shows one
// message per line). The record stays one record: a RecordDeAggregation
// processor splits it further. A CONTROL_MESSAGE (CloudWatch Logs' check
// that the destination is reachable, with no log events) is dropped. A
// record that is not a subscription envelope passes unchanged.
type CloudWatchLogs struct{}

func newCloudWatchLogs(params map[string]string) (Processor, error) {
	if err := onlyParams(TypeCloudWatchLogProcessing, params, ParamDataMessageExtraction); err != nil {
		return nil, err
	}
	// "Extract message from CloudWatch logs. This must be true." (the CDK's
	// CloudWatchLogProcessorOptions.dataMessageExtraction).
	if !strings.EqualFold(params[ParamDataMessageExtraction], "true") {
		return nil, eddy.Errorf(eddy.CodeInvalidArgument, "DataMessageExtraction must be true for CloudWatchLogProcessing.")
	}
	return CloudWatchLogs{}, nil
}

// cwlEnvelope is the part of a CloudWatch Logs subscription record read.
type cwlEnvelope struct {
	MessageType *string `json:"messageType"`
	LogEvents   []struct {
		ID        string          `json:"id"`
		Timestamp json.RawMessage `json:"timestamp"`
		Message   string          `json:"message"`
	} `json:"logEvents"`
}

func (CloudWatchLogs) Process(_ context.Context, recs []Record) (Result, error) {
	var out Result
	out.Records = recs[:0:0]
	for _, r := range recs {
		var env cwlEnvelope
		if err := json.Unmarshal(r.Data, &env); err != nil || env.MessageType == nil {
			out.Records = append(out.Records, r)
			continue
		}
		switch *env.MessageType {
		case "CONTROL_MESSAGE":
			out.Dropped++
			continue
		case "DATA_MESSAGE":
		default:
			out.Records = append(out.Records, r)
			continue
		}
		var b []byte
		for i, e := range env.LogEvents {
			if i > 0 {
				b = append(b, '\n')
			}
			b = append(b, e.Message...)
		}
		r.Data = b
		out.Records = append(out.Records, r)
	}
	return out, nil
}
