// Command kinesisfn is a Kinesis handler built with aws-lambda-go, run by
// Eddy as a provided.al2023 bootstrap in the event source mapping tests.
// It appends one JSON line per record it is given to the file named by
// $OUT (with the fields aws-lambda-go decoded) and fails any batch holding
// a record whose data is "bad".
package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

type line struct {
	Data, PartitionKey, SequenceNumber, EventID, EventName, EventSource, EventVersion string
	Region, SourceARN, Identity, SchemaVersion                                        string
	Arrival                                                                           int64
	BatchSize                                                                         int
}

func handle(ctx context.Context, ev events.KinesisEvent) error {
	f, err := os.OpenFile(os.Getenv("OUT"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	bad := false
	for _, r := range ev.Records {
		b, _ := json.Marshal(line{
			Data: string(r.Kinesis.Data), PartitionKey: r.Kinesis.PartitionKey, SequenceNumber: r.Kinesis.SequenceNumber,
			EventID: r.EventID, EventName: r.EventName, EventSource: r.EventSource, EventVersion: r.EventVersion,
			Region: r.AwsRegion, SourceARN: r.EventSourceArn, Identity: r.InvokeIdentityArn, SchemaVersion: r.Kinesis.KinesisSchemaVersion,
			Arrival: r.Kinesis.ApproximateArrivalTimestamp.Unix(), BatchSize: len(ev.Records),
		})
		f.Write(append(b, '\n'))
		bad = bad || string(r.Kinesis.Data) == "bad"
	}
	if bad {
		return errors.New("poison record")
	}
	return nil
}

func main() { lambda.Start(handle) }
