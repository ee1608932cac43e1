package firehose

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

var fastBodies = []string{
	`{"DeliveryStreamName":"a","Records":[{"Data":"aGVsbG8="},{"Data":""},{"Data":"YQ=="}]}`,
	` { "Records" : [ { "Data" : "eA==" } ] , "DeliveryStreamName" : "b" } `,
	`{"DeliveryStreamName":"a","Records":[]}`,
	`{"DeliveryStreamName":"a"}`,
	`{}`,
	`{"DeliveryStreamName":"a","Records":[{"Data":"aGVsbG8"}]}`,        // no padding: refused by both
	`{"DeliveryStreamName":"a","Records":[{"Data":"aGVs\nbG8="}]}`,     // a raw line break
	`{"DeliveryStreamName":"a","Records":[{"Data":"aGVs\\nbG8="}]}`,    // an escaped one
	`{"DeliveryStreamName":"a\u00e9","Records":[{"Data":"YQ=="}]}`,     // an escape
	`{"DeliveryStreamName":"a","Records":[{"Data":null}]}`,             // null
	`{"DeliveryStreamName":"a","Records":[{"Data":"YQ==","Other":1}]}`, // another member
	`{"DeliveryStreamName":"a","DeliveryStreamName":"b","Records":[]}`, // repeated
	`{"DeliveryStreamName":"a","Records":[{"Data":"YQ=="}]} x`,         // trailing bytes
	`{"DeliveryStreamName":"\xff","Records":[]}`,                       // invalid UTF-8
	`{"DeliveryStreamName":"a","Records":[{"Data":"YQ=="},]}`,          // trailing comma
	`{"deliveryStreamName":"a","Records":[]}`,                          // another case
	`{"DeliveryStreamName":"a","Records":[{"Data":"` + strings.Repeat("QUJD", 1000) + `"}]}`,
}

// TestDecodeFastJSONMatchesEncodingJSON: whatever the fast decoder accepts,
// it decodes as encoding/json does; on refusal it leaves the input zero.
func TestDecodeFastJSONMatchesEncodingJSON(t *testing.T) {
	accepted := 0
	for _, body := range fastBodies {
		if checkFast(t, body) {
			accepted++
		}
	}
	if accepted < 5 {
		t.Errorf("only %d bodies took the fast path", accepted)
	}
}

func checkFast(t *testing.T, body string) bool {
	t.Helper()
	var fast PutRecordBatchInput
	if !fast.DecodeFastJSON([]byte(body)) {
		if !reflect.DeepEqual(fast, PutRecordBatchInput{}) {
			t.Errorf("%q: refused but left %+v", body, fast)
		}
		return false
	}
	var slow PutRecordBatchInput
	if err := json.Unmarshal([]byte(body), &slow); err != nil {
		t.Errorf("%q: fast path accepted what encoding/json refuses: %v", body, err)
		return true
	}
	if !reflect.DeepEqual(fast, slow) {
		t.Errorf("%q:\nfast %+v\njson %+v", body, fast, slow)
	}
	return true
}

func FuzzDecodeFastJSON(f *testing.F) {
	for _, b := range fastBodies {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body string) { checkFast(t, body) })
}
