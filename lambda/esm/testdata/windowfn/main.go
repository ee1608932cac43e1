// Command windowfn is a tumbling-window handler built with aws-lambda-go,
// run by Eddy as a provided.al2023 bootstrap in the event source mapping
// tests. It adds the records' data (decimal integers) into state["sum"]
// and, on the final invocation of a window, appends
// {"start":..., "end":..., "sum":...} to the file named by $OUT.
package main

import (
	"context"
	"encoding/json"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

type line struct {
	Start, End string
	Sum        int
	Early      bool
}

func handle(ctx context.Context, ev events.KinesisTimeWindowEvent) (events.KinesisTimeWindowEventResponse, error) {
	sum, _ := strconv.Atoi(ev.State["sum"])
	if ev.IsFinalInvokeForWindow {
		f, err := os.OpenFile(os.Getenv("OUT"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return events.KinesisTimeWindowEventResponse{}, err
		}
		defer f.Close()
		b, _ := json.Marshal(line{Start: ev.Window.Start.UTC().Format(time.RFC3339), End: ev.Window.End.UTC().Format(time.RFC3339), Sum: sum, Early: ev.IsWindowTerminatedEarly})
		if _, err := f.Write(append(b, '\n')); err != nil {
			return events.KinesisTimeWindowEventResponse{}, err
		}
		return events.KinesisTimeWindowEventResponse{}, nil
	}
	for _, r := range ev.Records {
		n, err := strconv.Atoi(string(r.Kinesis.Data))
		if err != nil {
			return events.KinesisTimeWindowEventResponse{}, err
		}
		sum += n
	}
	var res events.KinesisTimeWindowEventResponse
	res.State = map[string]string{"sum": strconv.Itoa(sum)}
	return res, nil
}

func main() { lambda.Start(handle) }
