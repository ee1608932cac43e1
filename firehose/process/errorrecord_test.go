package process

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

func TestAppendErrorRecord(t *testing.T) {
	f := Failure{
		Record:        Record{RecordID: "r", Data: []byte("raw\x00data"), ApproximateArrival: time.UnixMilli(1741088912364)},
		OutputType:    OutputProcessingFailed,
		ErrorCode:     CodeLambdaFunctionError,
		ErrorMessage:  msgFunctionError + " \"quoted\" \x01",
		AttemptsMade:  4,
		AttemptEnding: time.UnixMilli(1741089007666),
		LambdaARN:     "arn:aws:lambda:eu-west-2:000000000000:function:f:$LATEST",
	}
	b := AppendErrorRecord([]byte("prefix"), f)
	if string(b[:6]) != "prefix" {
		t.Fatalf("dst not kept: %q", b)
	}
	var got map[string]any
	if err := json.Unmarshal(b[6:], &got); err != nil {
		t.Fatalf("not JSON: %v: %s", err, b[6:])
	}
	want := map[string]any{
		"rawData": "cmF3AGRhdGE=", "errorCode": "Lambda.FunctionError", "errorMessage": f.ErrorMessage,
		"attemptsMade": 4.0, "arrivalTimestamp": 1741088912364.0, "attemptEndingTimestamp": 1741089007666.0,
		"lambdaARN": f.LambdaARN,
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v\nwant %v", got, want)
	}
	f.LambdaARN = ""
	var other map[string]any
	if err := json.Unmarshal(AppendErrorRecord(nil, f), &other); err != nil {
		t.Fatal(err)
	}
	if _, ok := other["lambdaARN"]; ok || len(other) != len(want)-1 {
		t.Error("lambdaARN written for a failure without a function")
	}
}
