package process

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	awslambda "github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/eddy-streams/eddy"
)

const (
	testFunctionARN = "arn:aws:lambda:us-east-1:000000000000:function:transform"
	testStreamARN   = "arn:aws:firehose:us-east-1:000000000000:deliverystream/s"
	testSourceARN   = "arn:aws:kinesis:us-east-1:000000000000:stream/src"
)

// handlerInvoker runs an aws-lambda-go handler in process, as the Lambda
// runtime does: the payload is unmarshalled into the handler's argument
// (events.KinesisFirehoseEvent) by aws-lambda-go and its answer marshalled
// by it, so the wire shape is checked by the library Lambda functions are
// written with. A handler error becomes an "Unhandled" function error.
type handlerInvoker struct {
	h awslambda.Handler

	mu       sync.Mutex
	payloads [][]byte
	events   []events.KinesisFirehoseEvent
}

func newHandlerInvoker(fn func(context.Context, events.KinesisFirehoseEvent) (events.KinesisFirehoseResponse, error)) *handlerInvoker {
	return &handlerInvoker{h: awslambda.NewHandler(fn)}
}

func (hi *handlerInvoker) Invoke(ctx context.Context, arn string, payload []byte) ([]byte, string, error) {
	if arn != testFunctionARN {
		return nil, "", eddy.Errorf(eddy.CodeResourceNotFound, "Function not found: %s", arn)
	}
	// Firehose's request has no member aws-lambda-go does not know.
	var ev events.KinesisFirehoseEvent
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ev); err != nil {
		return nil, "", fmt.Errorf("payload does not decode as events.KinesisFirehoseEvent: %w", err)
	}
	hi.mu.Lock()
	hi.payloads = append(hi.payloads, payload)
	hi.events = append(hi.events, ev)
	hi.mu.Unlock()
	out, err := hi.h.Invoke(ctx, payload)
	if err != nil {
		b, _ := json.Marshal(map[string]string{"errorMessage": err.Error(), "errorType": "errorString"})
		return b, "Unhandled", nil
	}
	return out, "", nil
}

func (hi *handlerInvoker) calls() int {
	hi.mu.Lock()
	defer hi.mu.Unlock()
	return len(hi.events)
}

func lambdaChain(t *testing.T, inv Invoker, clock Clock, source string, ps ...types.ProcessorParameter) *Chain {
	t.Helper()
	params := append([]types.ProcessorParameter{param(types.ProcessorParameterNameLambdaArn, testFunctionARN)}, ps...)
	c, err := New(Config{
		ProcessingConfiguration: fromSDK(types.ProcessingConfiguration{Enabled: aws.Bool(true), Processors: []types.Processor{{Type: types.ProcessorTypeLambda, Parameters: params}}}),
		DeliveryStreamARN:       testStreamARN,
		Region:                  "us-east-1",
		SourceKinesisStreamARN:  source,
		Invoker:                 inv,
		Clock:                   clock,
		Logger:                  slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func records(datas ...string) []Record {
	out := make([]Record, len(datas))
	for i, d := range datas {
		out[i] = Record{RecordID: fmt.Sprintf("id-%d", i), Data: []byte(d), ApproximateArrival: time.UnixMilli(1507217624302 + int64(i))}
	}
	return out
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// transform answers each record by its data: "ok:x" is Ok with data X
// (upper-cased) and partition key k=x, "drop" Dropped, "fail"
// ProcessingFailed, "skip" is left out of the answer.
func transform(_ context.Context, ev events.KinesisFirehoseEvent) (events.KinesisFirehoseResponse, error) {
	var resp events.KinesisFirehoseResponse
	for _, r := range ev.Records {
		d := string(r.Data)
		out := events.KinesisFirehoseResponseRecord{RecordID: r.RecordID, Data: r.Data}
		switch {
		case strings.HasPrefix(d, "ok:"):
			out.Result = events.KinesisFirehoseTransformedStateOk
			out.Data = []byte(strings.ToUpper(d[3:]))
			out.Metadata.PartitionKeys = map[string]string{"k": d[3:]}
		case d == "drop":
			out.Result = events.KinesisFirehoseTransformedStateDropped
		case d == "fail":
			out.Result = events.KinesisFirehoseTransformedStateProcessingFailed
		case d == "skip":
			continue
		}
		resp.Records = append(resp.Records, out)
	}
	return resp, nil
}

func TestLambdaOutcomes(t *testing.T) {
	inv := newHandlerInvoker(transform)
	clock := &instantClock{now: time.Unix(1700000000, 0)}
	c := lambdaChain(t, inv, clock, "")
	in := records("ok:a", "drop", "fail", "skip", "ok:b", "ok:")
	out, err := c.Process(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := dataOf(out.Records), []string{"A", "B", ""}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("delivered %q, want %q", got, want)
	}
	for i, k := range []string{"a", "b", ""} {
		r := out.Records[i]
		if r.PartitionKeysFromLambda["k"] != k {
			t.Errorf("record %d partition keys %v, want k=%q", i, r.PartitionKeysFromLambda, k)
		}
	}
	if out.Records[0].RecordID != "id-0" || !out.Records[0].ApproximateArrival.Equal(in[0].ApproximateArrival) {
		t.Errorf("record 0 lost its id or arrival: %+v", out.Records[0])
	}
	if out.Dropped != 1 {
		t.Errorf("dropped %d, want 1", out.Dropped)
	}
	if len(out.Failed) != 2 {
		t.Fatalf("failed %+v, want 2", out.Failed)
	}
	wantFail := map[string]string{"fail": CodeLambdaProcessingFailedStatus, "skip": CodeLambdaMissingRecordID}
	for _, f := range out.Failed {
		if wantFail[string(f.Record.Data)] != f.ErrorCode || f.OutputType != OutputProcessingFailed || f.AttemptsMade != 1 ||
			f.LambdaARN != testFunctionARN || !f.AttemptEnding.Equal(clock.Now()) || f.ErrorMessage == "" {
			t.Errorf("failure %+v", f)
		}
	}
	if inv.calls() != 1 {
		t.Fatalf("%d invocations, want 1", inv.calls())
	}
	ev := inv.events[0]
	if !uuidRE.MatchString(ev.InvocationID) || ev.DeliveryStreamArn != testStreamARN || ev.Region != "us-east-1" || ev.SourceKinesisStreamArn != "" {
		t.Errorf("event %+v", ev)
	}
	for i, r := range ev.Records {
		if r.RecordID != in[i].RecordID || string(r.Data) != string(in[i].Data) || !r.ApproximateArrivalTimestamp.Equal(in[i].ApproximateArrival) {
			t.Errorf("event record %d = %+v", i, r)
		}
	}
	// DirectPut: no Kinesis metadata on the wire at all.
	if bytes.Contains(inv.payloads[0], []byte("kinesisRecordMetadata")) || bytes.Contains(inv.payloads[0], []byte("sourceKinesisStreamArn")) {
		t.Errorf("DirectPut payload carries Kinesis members: %s", inv.payloads[0])
	}
}

func TestLambdaKinesisSource(t *testing.T) {
	inv := newHandlerInvoker(transform)
	c := lambdaChain(t, inv, &instantClock{}, testSourceARN)
	in := records("ok:x")
	in[0].Kinesis = &KinesisMetadata{ShardID: "shardId-000000000003", PartitionKey: "pk", SequenceNumber: "49546986683135544286507457936321625675700192471156785154", ApproximateArrival: time.UnixMilli(1507217624000)}
	if _, err := c.Process(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	ev := inv.events[0]
	md := ev.Records[0].KinesisFirehoseRecordMetadata
	if ev.SourceKinesisStreamArn != testSourceARN || md.ShardID != "shardId-000000000003" || md.PartitionKey != "pk" ||
		md.SequenceNumber != in[0].Kinesis.SequenceNumber || md.SubsequenceNumber != 0 || !md.ApproximateArrivalTimestamp.Equal(time.UnixMilli(1507217624000)) {
		t.Fatalf("event %+v metadata %+v", ev, md)
	}
}

func TestLambdaFunctionErrorRetries(t *testing.T) {
	t.Run("recovers", func(t *testing.T) {
		fails := 2
		var mu sync.Mutex
		inv := newHandlerInvoker(func(ctx context.Context, ev events.KinesisFirehoseEvent) (events.KinesisFirehoseResponse, error) {
			mu.Lock()
			defer mu.Unlock()
			if fails > 0 {
				fails--
				return events.KinesisFirehoseResponse{}, errors.New("boom")
			}
			return transform(ctx, ev)
		})
		clock := &instantClock{}
		c := lambdaChain(t, inv, clock, "")
		out, err := c.Process(context.Background(), records("ok:a", "fail"))
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Records) != 1 || string(out.Records[0].Data) != "A" || len(out.Failed) != 1 || out.Failed[0].AttemptsMade != 3 {
			t.Fatalf("got %+v", out)
		}
		if inv.calls() != 3 {
			t.Fatalf("%d invocations, want 3", inv.calls())
		}
		if d := clock.Delays(); len(d) != 2 || d[0] != time.Second || d[1] != 2*time.Second {
			t.Errorf("backoff %v, want [1s 2s]", d)
		}
		if inv.events[0].InvocationID == inv.events[1].InvocationID {
			t.Error("a retry reused the invocation id")
		}
	})
	t.Run("gives up", func(t *testing.T) {
		inv := newHandlerInvoker(func(context.Context, events.KinesisFirehoseEvent) (events.KinesisFirehoseResponse, error) {
			return events.KinesisFirehoseResponse{}, errors.New("always")
		})
		c := lambdaChain(t, inv, &instantClock{}, "", param(types.ProcessorParameterNameLambdaNumberOfRetries, "2"))
		out, err := c.Process(context.Background(), records("ok:a", "ok:b"))
		if err != nil {
			t.Fatal(err)
		}
		if inv.calls() != 3 || len(out.Records) != 0 || len(out.Failed) != 2 {
			t.Fatalf("%d calls, got %+v", inv.calls(), out)
		}
		for _, f := range out.Failed {
			if f.ErrorCode != CodeLambdaFunctionError || f.ErrorMessage != msgFunctionError || f.AttemptsMade != 3 {
				t.Errorf("failure %+v", f)
			}
		}
	})
	t.Run("no retries", func(t *testing.T) {
		inv := newHandlerInvoker(func(context.Context, events.KinesisFirehoseEvent) (events.KinesisFirehoseResponse, error) {
			return events.KinesisFirehoseResponse{}, errors.New("always")
		})
		c := lambdaChain(t, inv, &instantClock{}, "", param(types.ProcessorParameterNameLambdaNumberOfRetries, "0"))
		out, _ := c.Process(context.Background(), records("ok:a"))
		if inv.calls() != 1 || len(out.Failed) != 1 || out.Failed[0].AttemptsMade != 1 {
			t.Fatalf("%d calls, got %+v", inv.calls(), out)
		}
	})
}

// funcInvoker answers with fixed bytes or an error.
type funcInvoker func(payload []byte) ([]byte, string, error)

func (f funcInvoker) Invoke(_ context.Context, _ string, payload []byte) ([]byte, string, error) {
	return f(payload)
}

func TestLambdaInvocationErrors(t *testing.T) {
	tests := []struct {
		err      error
		wantCode string
	}{
		{eddy.Errorf(eddy.CodeResourceNotFound, "Function not found"), CodeLambdaResourceNotFound},
		{eddy.Errorf("TooManyRequestsException", "Rate exceeded"), CodeLambdaInvokeLimitExceeded},
		{eddy.Errorf(eddy.CodeAccessDenied, "no"), CodeLambdaInvokeAccessDenied},
		{eddy.Errorf("RequestTooLargeException", "Request must be smaller than 6291456 bytes for the InvokeFunction operation"), "Lambda.RequestTooLargeException"},
		{errors.New("connection reset"), "Lambda.ServiceException"},
	}
	for _, tt := range tests {
		t.Run(tt.wantCode, func(t *testing.T) {
			calls := 0
			inv := funcInvoker(func([]byte) ([]byte, string, error) { calls++; return nil, "", tt.err })
			c := lambdaChain(t, inv, &instantClock{}, "", param(types.ProcessorParameterNameLambdaNumberOfRetries, "1"))
			out, err := c.Process(context.Background(), records("a"))
			if err != nil {
				t.Fatal(err)
			}
			if calls != 2 || len(out.Failed) != 1 || out.Failed[0].ErrorCode != tt.wantCode || out.Failed[0].AttemptsMade != 2 {
				t.Fatalf("%d calls, got %+v", calls, out.Failed)
			}
		})
	}
}

func TestLambdaBadResponses(t *testing.T) {
	// The records sent are id-0 ("a") and id-1 ("b").
	tests := []struct {
		name string
		resp string
		want map[string]string // record data -> error code; absent: delivered
	}{
		{"not json", `oops`, map[string]string{"a": CodeLambdaJSONProcessing, "b": CodeLambdaJSONProcessing}},
		{"no records member", `{"recs":[]}`, map[string]string{"a": CodeLambdaJSONProcessing, "b": CodeLambdaJSONProcessing}},
		{"wrong type", `{"records":{"recordId":"id-0"}}`, map[string]string{"a": CodeLambdaJSONProcessing, "b": CodeLambdaJSONProcessing}},
		{"unknown id only", `{"records":[{"recordId":"nope","result":"Ok","data":"eA=="},{"recordId":"id-1","result":"Ok","data":"eQ=="}]}`,
			map[string]string{"a": CodeLambdaMissingRecordID}},
		{"duplicated id", `{"records":[{"recordId":"id-0","result":"Ok","data":"eA=="},{"recordId":"id-0","result":"Ok","data":"eA=="},{"recordId":"id-1","result":"Ok","data":"eQ=="}]}`,
			map[string]string{"a": CodeLambdaDuplicatedRecordID}},
		{"bad result", `{"records":[{"recordId":"id-0","result":"OK","data":"eA=="},{"recordId":"id-1","result":"Ok","data":"eQ=="}]}`,
			map[string]string{"a": CodeLambdaJSONProcessing}},
		{"missing result", `{"records":[{"recordId":"id-0","data":"eA=="},{"recordId":"id-1","result":"Ok","data":"eQ=="}]}`,
			map[string]string{"a": CodeLambdaJSONProcessing}},
		{"invalid base64", `{"records":[{"recordId":"id-0","result":"Ok","data":"!!"},{"recordId":"id-1","result":"Ok","data":"eQ=="}]}`,
			map[string]string{"a": CodeLambdaJSONProcessing}},
		{"ok without data", `{"records":[{"recordId":"id-0","result":"Ok"},{"recordId":"id-1","result":"Dropped"}]}`,
			map[string]string{"a": CodeLambdaJSONProcessing}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			inv := funcInvoker(func([]byte) ([]byte, string, error) { calls++; return []byte(tt.resp), "", nil })
			c := lambdaChain(t, inv, &instantClock{}, "")
			out, err := c.Process(context.Background(), records("a", "b"))
			if err != nil {
				t.Fatal(err)
			}
			if calls != 1 {
				t.Errorf("%d calls: a response that arrived was retried", calls)
			}
			got := map[string]string{}
			for _, f := range out.Failed {
				got[string(f.Record.Data)] = f.ErrorCode
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Fatalf("failures %v, want %v", got, tt.want)
			}
			if n := len(out.Records) + len(out.Failed) + out.Dropped; n != 2 {
				t.Fatalf("%d records accounted for, want 2", n)
			}
		})
	}
}

func TestLambdaSplitsByBufferSize(t *testing.T) {
	inv := newHandlerInvoker(func(_ context.Context, ev events.KinesisFirehoseEvent) (events.KinesisFirehoseResponse, error) {
		var resp events.KinesisFirehoseResponse
		for _, r := range ev.Records {
			resp.Records = append(resp.Records, events.KinesisFirehoseResponseRecord{RecordID: r.RecordID, Result: "Ok", Data: r.Data[:1]})
		}
		return resp, nil
	})
	// 0.2 MB is 209,715 bytes: two records of 100,000 bytes per invocation.
	c := lambdaChain(t, inv, &instantClock{}, "", param(types.ProcessorParameterNameBufferSizeInMb, "0.2"), param(types.ProcessorParameterNameBufferIntervalInSeconds, "0"))
	size, interval, ok := c.LambdaBuffering()
	if !ok || size != 209715 || interval != 0 {
		t.Fatalf("LambdaBuffering = %d, %v, %v", size, interval, ok)
	}
	var datas []string
	for i := 0; i < 9; i++ {
		datas = append(datas, strings.Repeat(string(rune('a'+i)), 100000))
	}
	out, err := c.Process(context.Background(), records(datas...))
	if err != nil {
		t.Fatal(err)
	}
	if inv.calls() != 5 {
		t.Errorf("%d invocations, want 5", inv.calls())
	}
	for i, ev := range inv.events {
		if n := len(ev.Records); n != 2 && !(i == 4 && n == 1) {
			t.Errorf("invocation %d had %d records", i, n)
		}
	}
	if got := strings.Join(dataOf(out.Records), ""); got != "abcdefghi" {
		t.Fatalf("delivered %q, want every record once, in order", got)
	}
}

func TestLambdaDefaults(t *testing.T) {
	c := lambdaChain(t, nopInvoker{}, &instantClock{}, "")
	size, interval, ok := c.LambdaBuffering()
	if !ok || size != 1<<20 || interval != 60*time.Second {
		t.Fatalf("LambdaBuffering = %d, %v, %v; want 1 MiB, 60s", size, interval, ok)
	}
}

func TestLambdaContextEndsDuringBackoff(t *testing.T) {
	inv := funcInvoker(func([]byte) ([]byte, string, error) { return nil, "", errors.New("down") })
	never := neverClock{}
	c := lambdaChain(t, inv, never, "")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := c.Process(ctx, records("a"))
		done <- err
	}()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Process = %v, want context.Canceled", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Process did not return after its context ended")
	}
}

// neverClock's timers never fire.
type neverClock struct{}

func (neverClock) Now() time.Time                              { return time.Time{} }
func (neverClock) AfterFunc(time.Duration, func()) func() bool { return func() bool { return true } }

// TestLambdaRecordIDsMadeUnique: records without an id, or sharing one,
// are still told apart by the function and come back with their own ids.
func TestLambdaRecordIDsMadeUnique(t *testing.T) {
	inv := newHandlerInvoker(transform)
	c := lambdaChain(t, inv, &instantClock{}, "")
	in := records("ok:a", "ok:b", "ok:c", "ok:d")
	in[0].RecordID, in[1].RecordID, in[2].RecordID, in[3].RecordID = "", "", "x", "x"
	out, err := c.Process(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Failed) != 0 || fmt.Sprint(dataOf(out.Records)) != "[A B C D]" {
		t.Fatalf("got %q, failed %+v", dataOf(out.Records), out.Failed)
	}
	for i, want := range []string{"", "", "x", "x"} {
		if out.Records[i].RecordID != want {
			t.Errorf("record %d id %q, want %q", i, out.Records[i].RecordID, want)
		}
	}
	seen := map[string]bool{}
	for _, r := range inv.events[0].Records {
		if r.RecordID == "" || seen[r.RecordID] {
			t.Fatalf("record id %q sent empty or twice", r.RecordID)
		}
		seen[r.RecordID] = true
	}
}
