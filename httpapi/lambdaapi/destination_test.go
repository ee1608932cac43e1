package lambdaapi

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/eddy-streams/eddy/lambda"
)

// TestOnFailureDestinations creates mappings with every kind of
// on-failure destination through the SDK, on a server with and one
// without an S3-compatible server configured. The refusals' messages are
// Eddy's (protocol/lambda/destination.go, lambda/destination.go).
func TestOnFailureDestinations(t *testing.T) {
	withS3 := start(t, func(c *lambda.Config) { c.S3Destinations = true })
	withoutS3 := start(t)
	for _, e := range []*env{withS3, withoutS3} {
		createESMFunction(t, e, "fn")
		createESMFunction(t, e, "dest")
	}
	const (
		dlq     = "arn:aws:kinesis:us-east-1:000000000000:stream/dlq"
		bucket  = "arn:aws:s3:::failed-batches"
		destFn  = "arn:aws:lambda:us-east-1:000000000000:function:dest"
		missing = "arn:aws:lambda:us-east-1:000000000000:function:nope"
	)
	cases := []struct {
		name        string
		env         *env
		destination string
		code        string // "" for accepted
		message     string
	}{
		{"kinesis stream", withoutS3, dlq, "", ""},
		{"function", withoutS3, destFn, "", ""},
		{"function $LATEST", withoutS3, destFn + ":$LATEST", "", ""},
		{"s3 bucket", withS3, bucket, "", ""},
		{"s3 without endpoint", withoutS3, bucket, "InvalidParameterValueException",
			"Unsupported OnFailure destination: " + bucket + ". Eddy writes S3 destinations to an S3-compatible server, and none is configured (start eddy with --s3-endpoint)."},
		{"function not found", withoutS3, missing, "InvalidParameterValueException",
			"The OnFailure destination function " + missing + " does not exist."},
		{"function of another region", withoutS3, "arn:aws:lambda:eu-west-1:000000000000:function:dest", "InvalidParameterValueException",
			"The OnFailure destination function arn:aws:lambda:eu-west-1:000000000000:function:dest does not exist."},
		{"function of another account", withoutS3, "arn:aws:lambda:us-east-1:111111111111:function:dest", "InvalidParameterValueException",
			"The OnFailure destination function arn:aws:lambda:us-east-1:111111111111:function:dest does not exist."},
		{"function version", withoutS3, destFn + ":1", "InvalidParameterValueException",
			"Invalid OnFailure destination: " + destFn + ":1. A function destination is an unqualified function ARN, arn:aws:lambda:REGION:ACCOUNT:function:NAME."},
		{"s3 object", withS3, bucket + "/prefix", "InvalidParameterValueException",
			"Invalid OnFailure destination: " + bucket + "/prefix. An S3 destination is a bucket ARN, arn:aws:s3:::BUCKET, with a valid bucket name."},
		{"s3 bad bucket name", withS3, "arn:aws:s3:::Bad_Bucket", "InvalidParameterValueException",
			"Invalid OnFailure destination: arn:aws:s3:::Bad_Bucket. An S3 destination is a bucket ARN, arn:aws:s3:::BUCKET, with a valid bucket name."},
		{"sqs", withS3, "arn:aws:sqs:us-east-1:000000000000:dlq", "InvalidParameterValueException",
			"Unsupported OnFailure destination: arn:aws:sqs:us-east-1:000000000000:dlq. Eddy has no Amazon SQS service; use a Kinesis stream, S3 bucket or Lambda function ARN."},
		{"sns", withS3, "arn:aws:sns:us-east-1:000000000000:topic", "InvalidParameterValueException",
			"Unsupported OnFailure destination: arn:aws:sns:us-east-1:000000000000:topic. Eddy has no Amazon SNS service; use a Kinesis stream, S3 bucket or Lambda function ARN."},
		{"dynamodb", withS3, "arn:aws:dynamodb:us-east-1:000000000000:table/t", "InvalidParameterValueException",
			"Unsupported OnFailure destination: arn:aws:dynamodb:us-east-1:000000000000:table/t. Eddy supports Kinesis stream, S3 bucket and Lambda function ARNs."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := ctxT(t)
			out, err := c.env.client.CreateEventSourceMapping(ctx, &sdk.CreateEventSourceMappingInput{
				FunctionName: aws.String("fn"), EventSourceArn: aws.String(testStreamARN), StartingPosition: types.EventSourcePositionLatest,
				DestinationConfig: &types.DestinationConfig{OnFailure: &types.OnFailure{Destination: aws.String(c.destination)}},
			})
			if c.code != "" {
				wantAPIError(t, err, c.code, c.message)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer c.env.client.DeleteEventSourceMapping(ctx, &sdk.DeleteEventSourceMappingInput{UUID: out.UUID})
			if got := aws.ToString(out.DestinationConfig.OnFailure.Destination); got != c.destination {
				t.Fatalf("destination %q, want %q", got, c.destination)
			}
		})
	}

	// UpdateEventSourceMapping checks the destination the same way.
	ctx := ctxT(t)
	out, err := withoutS3.client.CreateEventSourceMapping(ctx, &sdk.CreateEventSourceMappingInput{
		FunctionName: aws.String("fn"), EventSourceArn: aws.String(testStreamARN), StartingPosition: types.EventSourcePositionLatest,
	})
	if err != nil {
		t.Fatal(err)
	}
	update := func(dest string) error {
		_, err := withoutS3.client.UpdateEventSourceMapping(ctx, &sdk.UpdateEventSourceMappingInput{UUID: out.UUID,
			DestinationConfig: &types.DestinationConfig{OnFailure: &types.OnFailure{Destination: aws.String(dest)}}})
		return err
	}
	wantAPIError(t, update(bucket), "InvalidParameterValueException",
		"Unsupported OnFailure destination: "+bucket+". Eddy writes S3 destinations to an S3-compatible server, and none is configured (start eddy with --s3-endpoint).")
	wantAPIError(t, update(missing), "InvalidParameterValueException", "The OnFailure destination function "+missing+" does not exist.")
	if err := update(destFn); err != nil {
		t.Fatal(err)
	}
	got, err := withoutS3.client.GetEventSourceMapping(ctx, &sdk.GetEventSourceMappingInput{UUID: out.UUID})
	if err != nil {
		t.Fatal(err)
	}
	if d := aws.ToString(got.DestinationConfig.OnFailure.Destination); d != destFn {
		t.Fatalf("destination after update %q, want %q", d, destFn)
	}
}
