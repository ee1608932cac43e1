package process

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/internal/uuid"
)

// Invoker runs a Lambda function synchronously; lambda.Invoker (the Lambda
// service in process) has this form.
type Invoker interface {
	// Invoke runs the function with payload. It returns the function's
	// result, or its error payload and the kind of error ("Unhandled") in
	// functionError; err is for invocations that did not run
	// (ResourceNotFoundException, TooManyRequestsException, ...).
	Invoke(ctx context.Context, functionArn string, payload []byte) (result []byte, functionError string, err error)
}

// Lambda limits and defaults, from Firehose's "Transform source data"
// page (data-transformation.html): "The buffering size hint ranges between
// 0.2 MB and 3MB. The default Lambda buffering size hint is 1 MB ... The
// Lambda buffering interval hint ranges between 0 and 900 seconds. The
// default Lambda buffering interval hint is sixty seconds", and the failure
// handling page: "Amazon Data Firehose retries the invocation three times by
// default".
const (
	DefaultLambdaBufferSizeMB       = 1.0
	MinLambdaBufferSizeMB           = 0.2
	MaxLambdaBufferSizeMB           = 3.0
	DefaultLambdaBufferInterval     = 60 * time.Second
	MaxLambdaBufferIntervalSeconds  = 900
	DefaultLambdaNumberOfRetries    = 3
	MaxLambdaNumberOfRetries        = 300
	MaxLambdaInvocationPayloadBytes = 6 * 1024 * 1024
)

// MaxLambdaNumberOfRetries: no AWS page found states the upper bound of
// NumberOfRetries (the API documents only the default, 3); 300 is the bound
// Eddy enforces, not a recorded AWS limit.
//
// MaxLambdaInvocationPayloadBytes is Lambda's synchronous invocation payload
// quota ("6 MB each for request and response"): an invocation is split
// before its JSON passes it.

// Firehose's Lambda error codes and messages. The codes and the messages
// of JsonProcessingException, DuplicatedRecordId, ResourceNotFound,
// InvokeLimitExceeded and InvokeAccessDenied are the "Lambda invocation
// errors" table of Firehose's CloudWatch Logs page
// (monitoring-with-cloudwatch-logs.md); the MissingRecordId and
// FunctionError messages are as they appear in users' processing-failed
// error output ("errorCode":"Lambda.FunctionError","errorMessage":"The
// Lambda function was successfully invoked but it returned an error
// result.","attemptsMade":4); Lambda.ProcessingFailedStatus and its
// message likewise come from users' error output, no AWS page lists it.
const (
	CodeLambdaFunctionError          = "Lambda.FunctionError"
	CodeLambdaMissingRecordID        = "Lambda.MissingRecordId"
	CodeLambdaDuplicatedRecordID     = "Lambda.DuplicatedRecordId"
	CodeLambdaJSONProcessing         = "Lambda.JsonProcessingException"
	CodeLambdaProcessingFailedStatus = "Lambda.ProcessingFailedStatus"
	CodeLambdaResourceNotFound       = "Lambda.ResourceNotFound"
	CodeLambdaInvokeLimitExceeded    = "Lambda.InvokeLimitExceeded"
	CodeLambdaInvokeAccessDenied     = "Lambda.InvokeAccessDenied"

	msgFunctionError      = "The Lambda function was successfully invoked but it returned an error result."
	msgMissingRecordID    = "One or more record Ids were not returned. Ensure that the Lambda function returns all received record Ids."
	msgDuplicatedRecordID = "Multiple records were returned with the same record ID. Ensure that the Lambda function returns unique record IDs for each record."
	msgJSONProcessing     = "There was an error parsing returned records from the Lambda function. Ensure that the returned records follow the status model required by Kinesis Data Firehose."
	msgProcessingFailed   = "ProcessingFailed status set for record"
	msgResourceNotFound   = "The specified Lambda function does not exist. Use a different function that does exist."
	msgInvokeLimit        = "The Lambda concurrent execution limit is exceeded. Increase the concurrent execution limit."
	msgInvokeAccessDenied = "Access was denied. Ensure that the access policy allows access to the Lambda function."
)

// Transformation results (the response's records[].result).
const (
	ResultOk               = "Ok"
	ResultDropped          = "Dropped"
	ResultProcessingFailed = "ProcessingFailed"
)

// Lambda is the Lambda processor: it sends the batch to a function in
// invocations of at most BufferSizeInMBs of record data (and at most
// Lambda's 6 MB payload), in Firehose's request shape
//
//	{"invocationId":"<uuid>","deliveryStreamArn":"arn:...","region":"us-east-1",
//	 "records":[{"recordId":"..","approximateArrivalTimestamp":1507217624302,"data":"<base64>"}]}
//
// with, for a Kinesis stream source, "sourceKinesisStreamArn" and each
// record's "kinesisRecordMetadata" {shardId, partitionKey,
// approximateArrivalTimestamp, sequenceNumber, subsequenceNumber} (the shape
// of aws-lambda-go's events.KinesisFirehoseEvent). The function answers
//
//	{"records":[{"recordId":"..","result":"Ok|Dropped|ProcessingFailed","data":"<base64>",
//	             "metadata":{"partitionKeys":{"k":"v"}}}]}
//
// Ok records carry on with the returned data and partition keys (for
// !{partitionKeyFromLambda:k}), Dropped ones are removed, ProcessingFailed
// ones go to the error output. An invocation that fails (err from the
// Invoker, or a function error) is retried NumberOfRetries times, with a
// new invocationId each time, then all its records fail. A response that
// arrives is final: a record it does not return fails with
// Lambda.MissingRecordId, one returned twice with Lambda.DuplicatedRecordId,
// one whose result or data does not follow the status model with
// Lambda.JsonProcessingException, and an answer that is not the response
// JSON fails every record of the invocation with that code. Returned
// records with ids that were not sent are ignored (they have no record to
// replace); the record they stood for is missing.
type Lambda struct {
	arn         string
	retries     int
	bufferBytes int
	interval    time.Duration

	invoker                            Invoker
	streamARN, region, sourceStreamARN string
	clock                              Clock
	log                                *slog.Logger
}

func newLambda(params map[string]string, cfg Config) (Processor, error) {
	if err := onlyParams(TypeLambda, params, ParamLambdaArn, ParamNumberOfRetries, ParamRoleArn, ParamBufferSizeInMBs, ParamBufferIntervalInSeconds); err != nil {
		return nil, err
	}
	l := &Lambda{
		arn:             params[ParamLambdaArn],
		retries:         DefaultLambdaNumberOfRetries,
		bufferBytes:     int(DefaultLambdaBufferSizeMB * 1024 * 1024),
		interval:        DefaultLambdaBufferInterval,
		invoker:         cfg.Invoker,
		streamARN:       cfg.DeliveryStreamARN,
		region:          cfg.Region,
		sourceStreamARN: cfg.SourceKinesisStreamARN,
		clock:           cfg.Clock,
		log:             cfg.Logger.With("component", "firehose-lambda-processor"),
	}
	if l.arn == "" {
		return nil, eddy.Errorf(eddy.CodeInvalidArgument, "LambdaArn is required for the Lambda processor.")
	}
	if l.invoker == nil {
		return nil, eddy.Errorf(eddy.CodeInvalidArgument, "Lambda processors need an Invoker.")
	}
	if v, ok := params[ParamNumberOfRetries]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > MaxLambdaNumberOfRetries {
			return nil, eddy.Errorf(eddy.CodeInvalidArgument, "NumberOfRetries must be an integer between 0 and %d.", MaxLambdaNumberOfRetries)
		}
		l.retries = n
	}
	if v, ok := params[ParamBufferSizeInMBs]; ok {
		mb, err := strconv.ParseFloat(v, 64)
		if err != nil || mb < MinLambdaBufferSizeMB || mb > MaxLambdaBufferSizeMB {
			return nil, eddy.Errorf(eddy.CodeInvalidArgument, "BufferSizeInMBs must be a number between 0.2 and 3.")
		}
		l.bufferBytes = int(mb * 1024 * 1024)
	}
	if v, ok := params[ParamBufferIntervalInSeconds]; ok {
		s, err := strconv.Atoi(v)
		if err != nil || s < 0 || s > MaxLambdaBufferIntervalSeconds {
			return nil, eddy.Errorf(eddy.CodeInvalidArgument, "BufferIntervalInSeconds must be an integer between 0 and %d.", MaxLambdaBufferIntervalSeconds)
		}
		l.interval = time.Duration(s) * time.Second
	}
	return l, nil
}

// wireRecord is one record of the invocation request.
type wireRecord struct {
	RecordID                    string           `json:"recordId"`
	ApproximateArrivalTimestamp int64            `json:"approximateArrivalTimestamp"`
	Data                        []byte           `json:"data"`
	KinesisRecordMetadata       *wireKinesisMeta `json:"kinesisRecordMetadata,omitempty"`
}

type wireKinesisMeta struct {
	ShardID                     string `json:"shardId"`
	PartitionKey                string `json:"partitionKey"`
	ApproximateArrivalTimestamp int64  `json:"approximateArrivalTimestamp"`
	SequenceNumber              string `json:"sequenceNumber"`
	SubsequenceNumber           int64  `json:"subsequenceNumber"`
}

// wireResponse is the function's answer. Pointers tell a missing member
// from an empty one.
type wireResponse struct {
	Records *[]struct {
		RecordID *string `json:"recordId"`
		Result   *string `json:"result"`
		Data     *string `json:"data"`
		Metadata *struct {
			PartitionKeys map[string]string `json:"partitionKeys"`
		} `json:"metadata"`
	} `json:"records"`
}

func millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// encodeRecord is the JSON of r in the invocation request, under record id
// id.
func encodeRecord(r Record, id string) []byte {
	w := wireRecord{RecordID: id, ApproximateArrivalTimestamp: millis(r.ApproximateArrival), Data: r.Data}
	if w.Data == nil {
		w.Data = []byte{}
	}
	if k := r.Kinesis; k != nil {
		w.KinesisRecordMetadata = &wireKinesisMeta{
			ShardID: k.ShardID, PartitionKey: k.PartitionKey, SequenceNumber: k.SequenceNumber,
			SubsequenceNumber: k.SubsequenceNumber, ApproximateArrivalTimestamp: millis(k.ApproximateArrival),
		}
	}
	b, _ := json.Marshal(w) // cannot fail: strings, ints and bytes
	return b
}

// header is the request's JSON up to the records' opening bracket, with
// invocation id id.
func (l *Lambda) header(id string) []byte {
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	h := `{"invocationId":` + q(id) + `,"deliveryStreamArn":` + q(l.streamARN)
	if l.sourceStreamARN != "" {
		h += `,"sourceKinesisStreamArn":` + q(l.sourceStreamARN)
	}
	return []byte(h + `,"region":` + q(l.region) + `,"records":[`)
}

func (l *Lambda) Process(ctx context.Context, recs []Record) (Result, error) {
	var out Result
	ids := wireIDs(recs)
	enc := make([][]byte, len(recs))
	for i, r := range recs {
		enc[i] = encodeRecord(r, ids[i])
	}
	// The header's size does not depend on the invocation id (a UUID is
	// always 36 characters).
	overhead := len(l.header(uuid.New())) + len("]}")
	for start := 0; start < len(recs); {
		end, data, size := start, 0, overhead
		for end < len(recs) {
			d, s := len(recs[end].Data), len(enc[end])+1
			if end > start && (data+d > l.bufferBytes || size+s > MaxLambdaInvocationPayloadBytes) {
				break
			}
			data, size = data+d, size+s
			end++
		}
		r, err := l.invoke(ctx, recs[start:end], ids[start:end], enc[start:end])
		if err != nil {
			return Result{}, err
		}
		out.merge(r)
		start = end
	}
	return out, nil
}

// invoke runs one invocation, with its retries, and judges the answer.
func (l *Lambda) invoke(ctx context.Context, recs []Record, ids []string, enc [][]byte) (Result, error) {
	var lastCode, lastMsg string
	attempts := 0
	for attempt := 0; attempt <= l.retries; attempt++ {
		if attempt > 0 {
			if err := l.sleep(ctx, backoff(attempt)); err != nil {
				return Result{}, err
			}
		}
		attempts++
		payload := l.header(uuid.New())
		for i, e := range enc {
			if i > 0 {
				payload = append(payload, ',')
			}
			payload = append(payload, e...)
		}
		payload = append(payload, "]}"...)
		result, fnErr, err := l.invoker.Invoke(ctx, l.arn, payload)
		if err != nil {
			if cerr := ctx.Err(); cerr != nil {
				return Result{}, cerr
			}
			lastCode, lastMsg = invokeErrorCode(err)
			l.log.Info("lambda processor invocation failed", "function", l.arn, "attempt", attempts, "code", lastCode, "err", err)
			continue
		}
		if fnErr != "" {
			lastCode, lastMsg = CodeLambdaFunctionError, msgFunctionError
			l.log.Info("lambda processor function error", "function", l.arn, "attempt", attempts, "error", fnErr, "payload", truncate(result, 256))
			continue
		}
		return l.judge(recs, ids, result, attempts), nil
	}
	return l.failAll(recs, lastCode, lastMsg, attempts), nil
}

// backoff is the wait before retry n (1, 2, ...). Firehose does not
// document its Lambda retry intervals; Eddy waits 1 s, doubling, at most
// 30 s.
func backoff(n int) time.Duration {
	d := time.Second << (n - 1)
	if n > 6 || d > 30*time.Second {
		d = 30 * time.Second
	}
	return d
}

func (l *Lambda) sleep(ctx context.Context, d time.Duration) error {
	done := make(chan struct{})
	stop := l.clock.AfterFunc(d, func() { close(done) })
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		stop()
		return ctx.Err()
	}
}

// invokeErrorCode maps an invocation that did not run to Firehose's code.
// The codes Firehose documents are used where Lambda's exception has one;
// others become "Lambda." + the exception name, as Firehose names
// Lambda.InvalidSubnetIDException and Lambda.ENILimitReachedException.
func invokeErrorCode(err error) (code, msg string) {
	var e *eddy.Error
	if !errors.As(err, &e) {
		return "Lambda.ServiceException", err.Error()
	}
	switch e.Code {
	case eddy.CodeResourceNotFound:
		return CodeLambdaResourceNotFound, msgResourceNotFound
	case "TooManyRequestsException":
		return CodeLambdaInvokeLimitExceeded, msgInvokeLimit
	case eddy.CodeAccessDenied:
		return CodeLambdaInvokeAccessDenied, msgInvokeAccessDenied
	}
	return "Lambda." + e.Code, e.Message
}

func (l *Lambda) failure(r Record, code, msg string, attempts int) Failure {
	return Failure{
		Record: r, OutputType: OutputProcessingFailed, ErrorCode: code, ErrorMessage: msg,
		AttemptsMade: attempts, AttemptEnding: l.clock.Now(), LambdaARN: l.arn,
	}
}

func (l *Lambda) failAll(recs []Record, code, msg string, attempts int) Result {
	res := Result{Failed: make([]Failure, 0, len(recs))}
	for _, r := range recs {
		res.Failed = append(res.Failed, l.failure(r, code, msg, attempts))
	}
	return res
}

// judge applies the function's answer to the records it was sent.
// ids[i] is the record id recs[i] was sent under.
func (l *Lambda) judge(recs []Record, ids []string, result []byte, attempts int) Result {
	var resp wireResponse
	if err := json.Unmarshal(result, &resp); err != nil || resp.Records == nil {
		l.log.Info("lambda processor response is not the status model", "function", l.arn, "payload", truncate(result, 256))
		return l.failAll(recs, CodeLambdaJSONProcessing, msgJSONProcessing, attempts)
	}
	sent := make(map[string]int, len(recs))
	for i, id := range ids {
		sent[id] = i
	}
	returned := make([]int, len(recs)) // how many answers each record got
	answer := make([]int, len(recs))   // index of its answer
	for j, a := range *resp.Records {
		if a.RecordID == nil {
			continue
		}
		i, ok := sent[*a.RecordID]
		if !ok {
			l.log.Info("lambda processor returned an unknown record id", "function", l.arn, "recordId", *a.RecordID)
			continue
		}
		returned[i]++
		answer[i] = j
	}
	res := Result{Records: make([]Record, 0, len(recs))}
	for i, r := range recs {
		switch returned[i] {
		case 0:
			res.Failed = append(res.Failed, l.failure(r, CodeLambdaMissingRecordID, msgMissingRecordID, attempts))
			continue
		case 1:
		default:
			res.Failed = append(res.Failed, l.failure(r, CodeLambdaDuplicatedRecordID, msgDuplicatedRecordID, attempts))
			continue
		}
		a := (*resp.Records)[answer[i]]
		switch {
		case a.Result == nil:
			res.Failed = append(res.Failed, l.failure(r, CodeLambdaJSONProcessing, msgJSONProcessing, attempts))
		case *a.Result == ResultDropped:
			res.Dropped++
		case *a.Result == ResultProcessingFailed:
			res.Failed = append(res.Failed, l.failure(r, CodeLambdaProcessingFailedStatus, msgProcessingFailed, attempts))
		case *a.Result == ResultOk:
			if a.Data == nil {
				res.Failed = append(res.Failed, l.failure(r, CodeLambdaJSONProcessing, msgJSONProcessing, attempts))
				continue
			}
			data, err := base64.StdEncoding.DecodeString(*a.Data)
			if err != nil {
				res.Failed = append(res.Failed, l.failure(r, CodeLambdaJSONProcessing, msgJSONProcessing, attempts))
				continue
			}
			r.Data = data
			if a.Metadata != nil && len(a.Metadata.PartitionKeys) > 0 {
				r.PartitionKeysFromLambda = a.Metadata.PartitionKeys
			}
			res.Records = append(res.Records, r)
		default:
			res.Failed = append(res.Failed, l.failure(r, CodeLambdaJSONProcessing, msgJSONProcessing, attempts))
		}
	}
	return res
}

// wireIDs returns the record id each record is sent under: its RecordID,
// unless that is empty or already taken in the batch (the function could
// not tell the records apart), in which case a made-up id unique in the
// batch.
func wireIDs(recs []Record) []string {
	ids := make([]string, len(recs))
	used := make(map[string]bool, len(recs))
	for i, r := range recs {
		if r.RecordID != "" && !used[r.RecordID] {
			ids[i] = r.RecordID
			used[r.RecordID] = true
		}
	}
	for i, r := range recs {
		if ids[i] != "" {
			continue
		}
		for n := i; ; n++ {
			id := r.RecordID + "#" + strconv.Itoa(n)
			if !used[id] {
				ids[i] = id
				used[id] = true
				break
			}
		}
	}
	return ids
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}
