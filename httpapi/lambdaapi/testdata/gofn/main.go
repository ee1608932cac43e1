// Command gofn is a test function built with aws-lambda-go, run by Eddy as
// a provided.al2023 bootstrap. What it does depends on the event's "op".
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type event struct {
	Op string `json:"op"`
	MS int    `json:"ms"`
}

var calls int

func handle(ctx context.Context, ev event) (map[string]any, error) {
	calls++
	lc, _ := lambdacontext.FromContext(ctx)
	deadline, _ := ctx.Deadline()
	switch ev.Op {
	case "error":
		return nil, errors.New("handler failed on purpose")
	case "sleep":
		time.Sleep(time.Duration(ev.MS) * time.Millisecond)
	case "crash":
		fmt.Println("crashing now")
		os.Exit(3)
	case "log":
		fmt.Println("hello from the go handler")
	}
	return map[string]any{
		"calls":       calls,
		"pid":         os.Getpid(),
		"requestId":   lc.AwsRequestID,
		"arn":         lc.InvokedFunctionArn,
		"remainingMs": time.Until(deadline).Milliseconds(),
		"name":        lambdacontext.FunctionName,
		"memory":      lambdacontext.MemoryLimitInMB,
		"region":      os.Getenv("AWS_REGION"),
		"endpoint":    os.Getenv("AWS_ENDPOINT_URL"),
		"custom":      os.Getenv("CUSTOM"),
		"taskRoot":    os.Getenv("LAMBDA_TASK_ROOT"),
		"handler":     os.Getenv("_HANDLER"),
	}, nil
}

func main() { lambda.Start(handle) }
