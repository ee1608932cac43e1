package lambda

import (
	"errors"
	"strings"
	"testing"

	"github.com/eddy-streams/eddy"
)

func TestParseDestination(t *testing.T) {
	for _, tc := range []struct {
		arn  string
		want Destination
		err  string // substring of the InvalidParameterValueException; "" for none
	}{
		{"arn:aws:kinesis:eu-west-1:000000000000:stream/dlq", Destination{DestinationKinesis, "eu-west-1", "000000000000", "dlq"}, ""},
		{"arn:aws:s3:::failed-batches", Destination{Kind: DestinationS3, Name: "failed-batches"}, ""},
		{"arn:aws:s3:::a.b-c.123", Destination{Kind: DestinationS3, Name: "a.b-c.123"}, ""},
		{"arn:aws:lambda:us-east-1:000000000000:function:dest", Destination{DestinationFunction, "us-east-1", "000000000000", "dest"}, ""},
		{"arn:aws:lambda:us-east-1:000000000000:function:dest:$LATEST", Destination{DestinationFunction, "us-east-1", "000000000000", "dest"}, ""},
		{"arn:aws:lambda:us-east-1:000000000000:function:dest:prod", Destination{}, "A function destination is an unqualified function ARN"},
		{"arn:aws:s3:::ab", Destination{}, "valid bucket name"},
		{"arn:aws:s3:::" + strings.Repeat("a", 64), Destination{}, "valid bucket name"},
		{"arn:aws:s3:::-bucket", Destination{}, "valid bucket name"},
		{"arn:aws:s3:::Bucket", Destination{}, "valid bucket name"},
		{"arn:aws:s3:::bucket/key", Destination{}, "valid bucket name"},
		{"arn:aws:sqs:us-east-1:000000000000:q", Destination{}, "Eddy has no Amazon SQS service"},
		{"arn:aws:sns:us-east-1:000000000000:t", Destination{}, "Eddy has no Amazon SNS service"},
		{"kafka://topic", Destination{}, "Eddy supports Kinesis stream, S3 bucket and Lambda function ARNs"},
		{"arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/c:1", Destination{}, "Eddy supports Kinesis stream, S3 bucket and Lambda function ARNs"},
	} {
		t.Run(tc.arn, func(t *testing.T) {
			got, err := ParseDestination(tc.arn)
			if tc.err == "" {
				if err != nil || got != tc.want {
					t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
				}
				return
			}
			var ee *eddy.Error
			if !errors.As(err, &ee) || ee.Code != CodeInvalidParameterValue || !strings.Contains(ee.Message, tc.err) || !strings.Contains(ee.Message, tc.arn) {
				t.Fatalf("err %v, want InvalidParameterValueException naming %s with %q", err, tc.arn, tc.err)
			}
		})
	}
}
