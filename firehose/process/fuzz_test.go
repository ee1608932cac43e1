package process

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"
)

// FuzzLambdaResponse feeds arbitrary answers to the Lambda processor's
// judge: whatever the function returns, every record sent comes out exactly
// once, delivered, dropped or failed.
func FuzzLambdaResponse(f *testing.F) {
	f.Add([]byte(`{"records":[{"recordId":"id-0","result":"Ok","data":"eA=="},{"recordId":"id-1","result":"Dropped"}]}`))
	f.Add([]byte(`{"records":[{"recordId":"id-0","result":"ProcessingFailed"},{"recordId":"id-0","result":"Ok","data":"eA=="}]}`))
	f.Add([]byte(`{"records":[{"recordId":"id-2","result":"Ok","data":"!!","metadata":{"partitionKeys":{"k":"v"}}}]}`))
	f.Add([]byte(`{"records":null}`))
	f.Add([]byte(`[]`))
	l := &Lambda{arn: "arn", clock: realClock{}, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	recs := records("a", "b", "c")
	f.Fuzz(func(t *testing.T, resp []byte) {
		in := append([]Record(nil), recs...)
		res := l.judge(in, wireIDs(in), resp, 1)
		if n := len(res.Records) + len(res.Failed) + res.Dropped; n != len(recs) {
			t.Fatalf("%d records accounted for, want %d (%+v)", n, len(recs), res)
		}
		for _, fl := range res.Failed {
			if fl.ErrorCode == "" || fl.OutputType != OutputProcessingFailed {
				t.Fatalf("failure without a code: %+v", fl)
			}
		}
	})
}

// FuzzDeaggregateJSON: JSON deaggregation never loses or invents bytes of
// JSON: it returns the record whole, or 1 to 500 JSON objects.
func FuzzDeaggregateJSON(f *testing.F) {
	f.Add([]byte(`{"a":1}{"a":2}`))
	f.Add([]byte("{\"a\":1}\n{\"b\":[1,{}]}\n"))
	f.Add([]byte(`[{"a":1}]`))
	f.Add([]byte(`{"a":"}{"}`))
	d := &Deaggregation{SubRecordType: SubRecordJSON}
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := d.Process(context.Background(), []Record{{RecordID: "p", Data: data}})
		if err != nil || len(out.Failed) != 0 || out.Dropped != 0 || len(out.Records) == 0 || len(out.Records) > MaxSubRecords {
			t.Fatalf("got %+v, %v", out, err)
		}
		if len(out.Records) == 1 && out.Records[0].RecordID == "p" {
			if string(out.Records[0].Data) != string(data) {
				t.Fatal("a record passed whole was changed")
			}
			return
		}
		for _, r := range out.Records {
			var m map[string]any
			if err := json.Unmarshal(r.Data, &m); err != nil {
				t.Fatalf("sub-record %q is not a JSON object: %v", r.Data, err)
			}
		}
	})
}
