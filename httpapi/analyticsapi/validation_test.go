package analyticsapi

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ka "github.com/aws/aws-sdk-go-v2/service/kinesisanalytics"
	"github.com/aws/aws-sdk-go-v2/service/kinesisanalytics/types"
)

// TestCreateValidation sends invalid CreateApplication requests through
// the SDK: each gets its exact error and creates nothing.
func TestCreateValidation(t *testing.T) {
	s := startServer(t, openStores(t), nil)
	createStream(t, s, "ticks")
	ctx := testCtx(t)
	withInput := func(f func(in *types.Input)) []types.Input {
		in := input("ticks", 1)
		f(&in)
		return []types.Input{in}
	}
	cases := []struct {
		name      string
		in        ka.CreateApplicationInput
		code, msg string
	}{
		{"name pattern", ka.CreateApplicationInput{ApplicationName: aws.String("my app")}, "ValidationException",
			"1 validation error detected: Value 'my app' at 'applicationName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"},
		{"name length", ka.CreateApplicationInput{ApplicationName: aws.String(strings.Repeat("a", 129))}, "ValidationException",
			"1 validation error detected: Value '" + strings.Repeat("a", 129) + "' at 'applicationName' failed to satisfy constraint: Member must have length less than or equal to 128"},
		{"code too long", ka.CreateApplicationInput{ApplicationName: aws.String("a"), ApplicationCode: aws.String(strings.Repeat("x", 102401))}, "ValidationException",
			"1 validation error detected: Value '" + strings.Repeat("x", 102401) + "' at 'applicationCode' failed to satisfy constraint: Member must have length less than or equal to 102400"},
		{"parallelism", ka.CreateApplicationInput{ApplicationName: aws.String("a"), Inputs: withInput(func(in *types.Input) {
			in.InputParallelism.Count = aws.Int32(65)
		})}, "ValidationException",
			"1 validation error detected: Value '65' at 'inputs.1.member.inputParallelism.count' failed to satisfy constraint: Member must have value less than or equal to 64"},
		{"name prefix", ka.CreateApplicationInput{ApplicationName: aws.String("a"), Inputs: withInput(func(in *types.Input) {
			in.NamePrefix = aws.String(strings.Repeat("P", 33))
		})}, "ValidationException",
			"1 validation error detected: Value '" + strings.Repeat("P", 33) + "' at 'inputs.1.member.namePrefix' failed to satisfy constraint: Member must have length less than or equal to 32"},
		{"role pattern", ka.CreateApplicationInput{ApplicationName: aws.String("a"), Inputs: withInput(func(in *types.Input) {
			in.KinesisStreamsInput.RoleARN = aws.String("role")
		})}, "ValidationException",
			`1 validation error detected: Value 'role' at 'inputs.1.member.kinesisStreamsInput.roleARN' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:aws:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+`},
		{"no source", ka.CreateApplicationInput{ApplicationName: aws.String("a"), Inputs: withInput(func(in *types.Input) {
			in.KinesisStreamsInput = nil
		})}, "InvalidArgumentException", "Either KinesisStreamsInput or KinesisFirehoseInput is required, not both."},
		{"JSON column without mapping", ka.CreateApplicationInput{ApplicationName: aws.String("a"), Inputs: withInput(func(in *types.Input) {
			in.InputSchema.RecordColumns[1].Mapping = nil
		})}, "InvalidArgumentException", "RecordColumn price needs a Mapping for RecordFormatType JSON."},
		{"missing stream", ka.CreateApplicationInput{ApplicationName: aws.String("a"), Inputs: []types.Input{input("nope", 1)}},
			"InvalidArgumentException", "Kinesis stream arn:aws:kinesis:us-east-1:000000000000:stream/nope does not exist."},
		{"missing delivery stream", ka.CreateApplicationInput{ApplicationName: aws.String("a"), Outputs: []types.Output{{
			Name:                  aws.String("OUT"),
			KinesisFirehoseOutput: &types.KinesisFirehoseOutput{ResourceARN: aws.String("arn:aws:firehose:us-east-1:000000000000:deliverystream/nope"), RoleARN: aws.String(role)},
			DestinationSchema:     &types.DestinationSchema{RecordFormatType: types.RecordFormatTypeCsv}}}},
			"InvalidArgumentException", "Firehose delivery stream arn:aws:firehose:us-east-1:000000000000:deliverystream/nope does not exist."},
		{"stream ARN for a delivery stream", ka.CreateApplicationInput{ApplicationName: aws.String("a"), Outputs: []types.Output{{
			Name:                  aws.String("OUT"),
			KinesisFirehoseOutput: &types.KinesisFirehoseOutput{ResourceARN: aws.String(streamARN("ticks")), RoleARN: aws.String(role)},
			DestinationSchema:     &types.DestinationSchema{RecordFormatType: types.RecordFormatTypeCsv}}}},
			"InvalidArgumentException", "arn:aws:kinesis:us-east-1:000000000000:stream/ticks is not the ARN of a Firehose delivery stream."},
		{"two destinations", ka.CreateApplicationInput{ApplicationName: aws.String("a"), Outputs: []types.Output{func() types.Output {
			o := output("ticks")
			o.LambdaOutput = &types.LambdaOutput{ResourceARN: aws.String("arn:aws:lambda:us-east-1:000000000000:function:f"), RoleARN: aws.String(role)}
			return o
		}()}}, "InvalidArgumentException", "Exactly one of KinesisStreamsOutput, KinesisFirehoseOutput and LambdaOutput is required."},
		{"too many outputs", ka.CreateApplicationInput{ApplicationName: aws.String("a"), Outputs: []types.Output{output("ticks"), output("ticks"), output("ticks"), output("ticks")}},
			"InvalidArgumentException", "An application can have at most 3 outputs."},
		{"two inputs", ka.CreateApplicationInput{ApplicationName: aws.String("a"), Inputs: []types.Input{input("ticks", 1), input("ticks", 1)}},
			"InvalidArgumentException", "An application can have at most 1 input."},
		{"bad code", ka.CreateApplicationInput{ApplicationName: aws.String("a"), ApplicationCode: aws.String("CREATE STREAM s (a INTEGER);\nSELEKT 1")},
			"CodeValidationException", `Error in application code at line 2, column 1: expected CREATE, INSERT or SELECT but found "SELEKT"`},
		{"too many tags", ka.CreateApplicationInput{ApplicationName: aws.String("a"), Tags: func() []types.Tag {
			var tags []types.Tag
			for i := range 51 {
				tags = append(tags, types.Tag{Key: aws.String(strings.Repeat("k", i+1))})
			}
			return tags
		}()}, "TooManyTagsException", "An application can have at most 50 tags."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.kda.CreateApplication(ctx, &c.in)
			wantError(t, err, c.code, c.msg)
		})
	}
	l, err := s.kda.ListApplications(ctx, &ka.ListApplicationsInput{})
	if err != nil || len(l.ApplicationSummaries) != 0 {
		t.Fatalf("invalid requests created applications: %+v %v", l, err)
	}
}

// TestOtherValidation covers the model's checks of other operations.
func TestOtherValidation(t *testing.T) {
	s := startServer(t, openStores(t), nil)
	ctx := testCtx(t)
	_, err := s.kda.ListApplications(ctx, &ka.ListApplicationsInput{Limit: aws.Int32(51)})
	wantError(t, err, "ValidationException",
		"1 validation error detected: Value '51' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50")
	_, err = s.kda.TagResource(ctx, &ka.TagResourceInput{ResourceARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/x"),
		Tags: []types.Tag{{Key: aws.String("k")}}})
	wantError(t, err, "ValidationException",
		`1 validation error detected: Value 'arn:aws:kinesis:us-east-1:000000000000:stream/x' at 'resourceARN' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:aws:kinesisanalytics:[a-z]{2}-[a-z]+-\d{1}+:\d{12}+:application/[a-zA-Z0-9_.-]{1,128}`)
	_, err = s.kda.ListTagsForResource(ctx, &ka.ListTagsForResourceInput{ResourceARN: aws.String(appARN("none"))})
	wantError(t, err, "ResourceNotFoundException", "Application none is not found.")
	_, err = s.kda.UpdateApplication(ctx, &ka.UpdateApplicationInput{ApplicationName: aws.String("x"), CurrentApplicationVersionId: aws.Int64(0),
		ApplicationUpdate: &types.ApplicationUpdate{}})
	wantError(t, err, "ValidationException",
		"1 validation error detected: Value '0' at 'currentApplicationVersionId' failed to satisfy constraint: Member must have value greater than or equal to 1")
	_, err = s.kda.StartApplication(ctx, &ka.StartApplicationInput{ApplicationName: aws.String("x"), InputConfigurations: []types.InputConfiguration{{Id: aws.String("1.1"),
		InputStartingPositionConfiguration: &types.InputStartingPositionConfiguration{InputStartingPosition: "LATEST"}}}})
	wantError(t, err, "ValidationException",
		"1 validation error detected: Value 'LATEST' at 'inputConfigurations.1.member.inputStartingPositionConfiguration.inputStartingPosition' failed to satisfy constraint: Member must satisfy enum value set: [NOW, TRIM_HORIZON, LAST_STOPPED_POINT]")
	_, err = s.kda.StopApplication(ctx, &ka.StopApplicationInput{ApplicationName: aws.String("x")})
	wantError(t, err, "ResourceNotFoundException", "Application x is not found.")
}
