package lambda

import "regexp"

// On-failure destinations of event source mappings
// (DestinationConfig.OnFailure.Destination). Lambda accepts an SNS topic,
// an SQS queue, an S3 bucket or (for Kafka sources) a Kafka topic there
// (API reference, API_OnFailure.html; developer guide,
// kinesis-on-failure-destination.html). Eddy has no SNS or SQS service;
// it accepts:
//
//   - a Kinesis stream, arn:aws:kinesis:REGION:ACCOUNT:stream/NAME (an
//     Eddy extension: Lambda does not list streams);
//   - an S3 bucket, arn:aws:s3:::BUCKET, written on the S3-compatible
//     server of Eddy's configuration;
//   - a Lambda function, arn:aws:lambda:REGION:ACCOUNT:function:NAME,
//     invoked asynchronously with the invocation record (an Eddy
//     extension: Lambda accepts functions as destinations of
//     asynchronous invocations, not of event source mappings).
//
// The messages of the refusals below are Eddy's: no recorded Lambda
// answer exists for destinations Lambda itself accepts.

// Destination kinds.
const (
	DestinationKinesis  = "kinesis"
	DestinationS3       = "s3"
	DestinationFunction = "function"
)

// Destination is a parsed on-failure destination ARN.
type Destination struct {
	Kind string
	// Region and Account are the ARN's; "" for an S3 bucket.
	Region, Account string
	// Name is the stream's, function's or bucket's name.
	Name string
}

var (
	// s3BucketARNRE matches an S3 bucket ARN. Bucket names are 3 to 63
	// lowercase letters, digits, dots and hyphens, beginning and ending
	// with a letter or digit (S3 user guide,
	// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html);
	// its further rules (no "..", no IP address, reserved prefixes and
	// suffixes) are left to the S3 server.
	s3BucketARNRE = regexp.MustCompile(`^arn:aws[a-zA-Z-]*:s3:::([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])$`)
	// functionARNRE matches an unqualified (or $LATEST) function ARN;
	// Eddy has no versions or aliases.
	functionARNRE = regexp.MustCompile(`^arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):(\d{12}):function:([a-zA-Z0-9-_]+)(:\$LATEST)?$`)
	// serviceOfARNRE finds the service of any ARN.
	serviceOfARNRE = regexp.MustCompile(`^arn:[^:]*:([^:]*):`)
)

// ParseDestination parses an on-failure destination ARN, or answers the
// InvalidParameterValueException that refuses it.
func ParseDestination(arn string) (Destination, error) {
	if region, account, name, ok := ParseStreamARN(arn); ok {
		return Destination{Kind: DestinationKinesis, Region: region, Account: account, Name: name}, nil
	}
	if m := s3BucketARNRE.FindStringSubmatch(arn); m != nil {
		return Destination{Kind: DestinationS3, Name: m[1]}, nil
	}
	if m := functionARNRE.FindStringSubmatch(arn); m != nil {
		return Destination{Kind: DestinationFunction, Region: m[1], Account: m[2], Name: m[3]}, nil
	}
	service := ""
	if m := serviceOfARNRE.FindStringSubmatch(arn); m != nil {
		service = m[1]
	}
	switch service {
	case "sqs", "sns":
		return Destination{}, InvalidParameter("Unsupported OnFailure destination: %s. Eddy has no Amazon %s service; use a Kinesis stream, S3 bucket or Lambda function ARN.", arn, map[string]string{"sqs": "SQS", "sns": "SNS"}[service])
	case "s3":
		return Destination{}, InvalidParameter("Invalid OnFailure destination: %s. An S3 destination is a bucket ARN, arn:aws:s3:::BUCKET, with a valid bucket name.", arn)
	case "lambda":
		return Destination{}, InvalidParameter("Invalid OnFailure destination: %s. A function destination is an unqualified function ARN, arn:aws:lambda:REGION:ACCOUNT:function:NAME.", arn)
	}
	return Destination{}, InvalidParameter("Unsupported OnFailure destination: %s. Eddy supports Kinesis stream, S3 bucket and Lambda function ARNs.", arn)
}
