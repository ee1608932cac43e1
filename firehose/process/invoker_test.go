package process_test

import (
	"github.com/eddy-streams/eddy/firehose/process"
	"github.com/eddy-streams/eddy/lambda"
)

// The Lambda service in process is an Invoker for the Lambda processor.
var _ process.Invoker = (*lambda.Service)(nil)
