package lambdaapi

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

const testStreamARN = "arn:aws:kinesis:us-east-1:000000000000:stream/s1"

func createESMFunction(t *testing.T, e *env, name string) {
	t.Helper()
	zip := zipFiles(t, map[string][]byte{"app.py": []byte("def handler(e, c):\n    return e\n")})
	if _, err := e.client.CreateFunction(ctxT(t), createInput(name, "python3.12", "app.handler", zip)); err != nil {
		t.Fatal(err)
	}
}

func TestEventSourceMappingLifecycle(t *testing.T) {
	e := start(t)
	ctx := ctxT(t)
	createESMFunction(t, e, "fn-a")
	createESMFunction(t, e, "fn-b")
	fnA := "arn:aws:lambda:us-east-1:000000000000:function:fn-a"

	created, err := e.client.CreateEventSourceMapping(ctx, &sdk.CreateEventSourceMappingInput{
		FunctionName:     aws.String("fn-a"),
		EventSourceArn:   aws.String(testStreamARN),
		StartingPosition: types.EventSourcePositionTrimHorizon,
	})
	if err != nil {
		t.Fatal(err)
	}
	uuid := aws.ToString(created.UUID)
	if len(uuid) != 36 || aws.ToString(created.State) != "Creating" || aws.ToString(created.FunctionArn) != fnA ||
		aws.ToInt32(created.BatchSize) != 100 || aws.ToInt32(created.MaximumRetryAttempts) != -1 ||
		aws.ToInt32(created.MaximumRecordAgeInSeconds) != -1 || aws.ToInt32(created.ParallelizationFactor) != 1 ||
		aws.ToString(created.LastProcessingResult) != "No records processed" || aws.ToString(created.StateTransitionReason) != "User action" ||
		created.StartingPosition != types.EventSourcePositionTrimHorizon || created.LastModified == nil ||
		aws.ToString(created.EventSourceMappingArn) != "arn:aws:lambda:us-east-1:000000000000:event-source-mapping:"+uuid {
		t.Fatalf("created %+v", created)
	}
	if time.Since(*created.LastModified) > time.Minute {
		t.Fatalf("LastModified %v", created.LastModified)
	}

	got, err := e.client.GetEventSourceMapping(ctx, &sdk.GetEventSourceMappingInput{UUID: aws.String(uuid)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.State) != "Enabled" || aws.ToString(got.EventSourceArn) != testStreamARN {
		t.Fatalf("got %+v", got)
	}

	_, err = e.client.CreateEventSourceMapping(ctx, &sdk.CreateEventSourceMappingInput{
		FunctionName: aws.String("fn-a"), EventSourceArn: aws.String(testStreamARN), StartingPosition: types.EventSourcePositionLatest,
	})
	wantAPIError(t, err, "ResourceConflictException", `The event source arn (" `+testStreamARN+` ") and function (" fn-a ") provided mapping already exists. Please update or delete the existing mapping with UUID `+uuid)

	other, err := e.client.CreateEventSourceMapping(ctx, &sdk.CreateEventSourceMappingInput{
		FunctionName: aws.String("fn-b"), EventSourceArn: aws.String(testStreamARN), StartingPosition: types.EventSourcePositionAtTimestamp,
		StartingPositionTimestamp: aws.Time(time.Unix(1700000000, 0)), Enabled: aws.Bool(false), BatchSize: aws.Int32(7),
		DestinationConfig:     &types.DestinationConfig{OnFailure: &types.OnFailure{Destination: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/dlq")}},
		FunctionResponseTypes: []types.FunctionResponseType{types.FunctionResponseTypeReportBatchItemFailures},
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err = e.client.GetEventSourceMapping(ctx, &sdk.GetEventSourceMappingInput{UUID: other.UUID})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.State) != "Disabled" || aws.ToInt32(got.BatchSize) != 7 || !got.StartingPositionTimestamp.Equal(time.Unix(1700000000, 0)) ||
		aws.ToString(got.DestinationConfig.OnFailure.Destination) != "arn:aws:kinesis:us-east-1:000000000000:stream/dlq" ||
		len(got.FunctionResponseTypes) != 1 {
		t.Fatalf("got %+v", got)
	}

	upd, err := e.client.UpdateEventSourceMapping(ctx, &sdk.UpdateEventSourceMappingInput{
		UUID: aws.String(uuid), Enabled: aws.Bool(false), BatchSize: aws.Int32(500), MaximumBatchingWindowInSeconds: aws.Int32(5),
		BisectBatchOnFunctionError: aws.Bool(true), MaximumRetryAttempts: aws.Int32(3), MaximumRecordAgeInSeconds: aws.Int32(60),
	})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(upd.State) != "Updating" || aws.ToInt32(upd.BatchSize) != 500 {
		t.Fatalf("updated %+v", upd)
	}
	got, err = e.client.GetEventSourceMapping(ctx, &sdk.GetEventSourceMappingInput{UUID: aws.String(uuid)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.State) != "Disabled" || aws.ToInt32(got.BatchSize) != 500 || aws.ToInt32(got.MaximumBatchingWindowInSeconds) != 5 ||
		!aws.ToBool(got.BisectBatchOnFunctionError) || aws.ToInt32(got.MaximumRetryAttempts) != 3 || aws.ToInt32(got.MaximumRecordAgeInSeconds) != 60 {
		t.Fatalf("after update %+v", got)
	}

	// List: all, filtered, paged.
	all, err := e.client.ListEventSourceMappings(ctx, &sdk.ListEventSourceMappingsInput{})
	if err != nil || len(all.EventSourceMappings) != 2 || all.NextMarker != nil {
		t.Fatalf("list %+v %v", all, err)
	}
	byFn, err := e.client.ListEventSourceMappings(ctx, &sdk.ListEventSourceMappingsInput{FunctionName: aws.String("fn-b")})
	if err != nil || len(byFn.EventSourceMappings) != 1 || aws.ToString(byFn.EventSourceMappings[0].UUID) != aws.ToString(other.UUID) {
		t.Fatalf("list by function %+v %v", byFn, err)
	}
	bySrc, err := e.client.ListEventSourceMappings(ctx, &sdk.ListEventSourceMappingsInput{EventSourceArn: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/none")})
	if err != nil || len(bySrc.EventSourceMappings) != 0 {
		t.Fatalf("list by source %+v %v", bySrc, err)
	}
	var seen []string
	p := sdk.NewListEventSourceMappingsPaginator(e.client, &sdk.ListEventSourceMappingsInput{MaxItems: aws.Int32(1)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.EventSourceMappings) != 1 {
			t.Fatalf("page %+v", page)
		}
		seen = append(seen, aws.ToString(page.EventSourceMappings[0].UUID))
	}
	if len(seen) != 2 || seen[0] == seen[1] {
		t.Fatalf("pages %v", seen)
	}

	del, err := e.client.DeleteEventSourceMapping(ctx, &sdk.DeleteEventSourceMappingInput{UUID: aws.String(uuid)})
	if err != nil || aws.ToString(del.State) != "Deleting" {
		t.Fatalf("delete %+v %v", del, err)
	}
	_, err = e.client.GetEventSourceMapping(ctx, &sdk.GetEventSourceMappingInput{UUID: aws.String(uuid)})
	wantAPIError(t, err, "ResourceNotFoundException", "The resource you requested does not exist.")
	_, err = e.client.DeleteEventSourceMapping(ctx, &sdk.DeleteEventSourceMappingInput{UUID: aws.String(uuid)})
	wantAPIError(t, err, "ResourceNotFoundException", "The resource you requested does not exist.")
	_, err = e.client.UpdateEventSourceMapping(ctx, &sdk.UpdateEventSourceMappingInput{UUID: aws.String(uuid), BatchSize: aws.Int32(1)})
	wantAPIError(t, err, "ResourceNotFoundException", "The resource you requested does not exist.")
}

func TestEventSourceMappingValidation(t *testing.T) {
	e := start(t)
	createESMFunction(t, e, "fn")
	base := func() *sdk.CreateEventSourceMappingInput {
		return &sdk.CreateEventSourceMappingInput{FunctionName: aws.String("fn"), EventSourceArn: aws.String(testStreamARN), StartingPosition: types.EventSourcePositionLatest}
	}
	v1 := func(value, member, constraint string) string {
		return "1 validation error detected: Value '" + value + "' at '" + member + "' failed to satisfy constraint: Member must " + constraint
	}
	cases := []struct {
		name    string
		mut     func(*sdk.CreateEventSourceMappingInput)
		code    string
		message string
	}{
		{"batch size 0", func(in *sdk.CreateEventSourceMappingInput) { in.BatchSize = aws.Int32(0) }, "ValidationException", v1("0", "batchSize", "have value greater than or equal to 1")},
		{"batch size 10001", func(in *sdk.CreateEventSourceMappingInput) { in.BatchSize = aws.Int32(10001) }, "ValidationException", v1("10001", "batchSize", "have value less than or equal to 10000")},
		{"window 301", func(in *sdk.CreateEventSourceMappingInput) { in.MaximumBatchingWindowInSeconds = aws.Int32(301) }, "ValidationException", v1("301", "maximumBatchingWindowInSeconds", "have value less than or equal to 300")},
		{"parallelization 11", func(in *sdk.CreateEventSourceMappingInput) { in.ParallelizationFactor = aws.Int32(11) }, "ValidationException", v1("11", "parallelizationFactor", "have value less than or equal to 10")},
		{"parallelization 0", func(in *sdk.CreateEventSourceMappingInput) { in.ParallelizationFactor = aws.Int32(0) }, "ValidationException", v1("0", "parallelizationFactor", "have value greater than or equal to 1")},
		{"retries -2", func(in *sdk.CreateEventSourceMappingInput) { in.MaximumRetryAttempts = aws.Int32(-2) }, "ValidationException", v1("-2", "maximumRetryAttempts", "have value greater than or equal to -1")},
		{"retries 10001", func(in *sdk.CreateEventSourceMappingInput) { in.MaximumRetryAttempts = aws.Int32(10001) }, "ValidationException", v1("10001", "maximumRetryAttempts", "have value less than or equal to 10000")},
		{"age 604801", func(in *sdk.CreateEventSourceMappingInput) { in.MaximumRecordAgeInSeconds = aws.Int32(604801) }, "ValidationException", v1("604801", "maximumRecordAgeInSeconds", "have value less than or equal to 604800")},
		{"age 59", func(in *sdk.CreateEventSourceMappingInput) { in.MaximumRecordAgeInSeconds = aws.Int32(59) }, "InvalidParameterValueException", "MaximumRecordAgeInSeconds must be -1 or between 60 and 604800."},
		{"tumbling 901", func(in *sdk.CreateEventSourceMappingInput) { in.TumblingWindowInSeconds = aws.Int32(901) }, "ValidationException", v1("901", "tumblingWindowInSeconds", "have value less than or equal to 900")},
		{"response type", func(in *sdk.CreateEventSourceMappingInput) {
			in.FunctionResponseTypes = []types.FunctionResponseType{"Nope"}
		}, "ValidationException", v1("[Nope]", "functionResponseTypes", "satisfy enum value set: [ReportBatchItemFailures]")},
		{"starting position", func(in *sdk.CreateEventSourceMappingInput) { in.StartingPosition = "SOMETIME" }, "ValidationException", v1("SOMETIME", "startingPosition", "satisfy enum value set: [TRIM_HORIZON, LATEST, AT_TIMESTAMP]")},
		{"no starting position", func(in *sdk.CreateEventSourceMappingInput) { in.StartingPosition = "" }, "InvalidParameterValueException", "StartingPosition must be specified for Kinesis event sources."},
		{"at timestamp without timestamp", func(in *sdk.CreateEventSourceMappingInput) {
			in.StartingPosition = types.EventSourcePositionAtTimestamp
		}, "InvalidParameterValueException", "StartingPositionTimestamp must be set if and only if StartingPosition is AT_TIMESTAMP."},
		{"not kinesis", func(in *sdk.CreateEventSourceMappingInput) {
			in.EventSourceArn = aws.String("arn:aws:sqs:us-east-1:000000000000:q")
		}, "InvalidParameterValueException", "Unrecognized event source, must be kinesis."},
		{"consumer ARN without creation time", func(in *sdk.CreateEventSourceMappingInput) {
			in.EventSourceArn = aws.String(testStreamARN + "/consumer/app")
		}, "InvalidParameterValueException", "Unrecognized event source, must be kinesis."},
		{"consumer ARN without name", func(in *sdk.CreateEventSourceMappingInput) {
			in.EventSourceArn = aws.String(testStreamARN + "/consumer/:1733335200")
		}, "InvalidParameterValueException", "Unrecognized event source, must be kinesis."},
		{"bad filter", func(in *sdk.CreateEventSourceMappingInput) {
			in.FilterCriteria = &types.FilterCriteria{Filters: []types.Filter{{Pattern: aws.String("not json")}}}
		}, "InvalidParameterValueException", "Invalid filter pattern definition."},
		{"unknown function", func(in *sdk.CreateEventSourceMappingInput) { in.FunctionName = aws.String("nope") }, "ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope"},
		{"two errors", func(in *sdk.CreateEventSourceMappingInput) {
			in.BatchSize = aws.Int32(0)
			in.ParallelizationFactor = aws.Int32(11)
		}, "ValidationException",
			"2 validation errors detected: Value '0' at 'batchSize' failed to satisfy constraint: Member must have value greater than or equal to 1; Value '11' at 'parallelizationFactor' failed to satisfy constraint: Member must have value less than or equal to 10"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := base()
			c.mut(in)
			_, err := e.client.CreateEventSourceMapping(ctxT(t), in)
			wantAPIError(t, err, c.code, c.message)
		})
	}
	_, err := e.client.ListEventSourceMappings(ctxT(t), &sdk.ListEventSourceMappingsInput{MaxItems: aws.Int32(0)})
	wantAPIError(t, err, "ValidationException", v1("0", "maxItems", "have value greater than or equal to 1"))
	_, err = e.client.ListEventSourceMappings(ctxT(t), &sdk.ListEventSourceMappingsInput{MaxItems: aws.Int32(10001)})
	wantAPIError(t, err, "ValidationException", v1("10001", "maxItems", "have value less than or equal to 10000"))
}
