package firehose

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
)

var fastBodies = []string{
	`{"DeliveryStreamName":"a","Records":[{"Data":"aGVsbG8="},{"Data":""},{"Data":"YQ=="}]}`,
	` { "Records" : [ { "Data" : "eA==" } ] , "DeliveryStreamName" : "b" } `,
	`{"DeliveryStreamName":"a","Records":[]}`,
	`{"DeliveryStreamName":"a","Records":[{"Data":""}]}`,
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
	chunks := fast.arenas
	fast.arenas = nil // the comparison is of the wire fields
	defer func() { fast.arenas = chunks; fast.Release() }()
	if len(body) < 64<<10 && slices.ContainsFunc(fast.Records, func(r Record) bool { return len(r.Data) > 0 }) && chunks == nil {
		t.Errorf("%q: records decoded outside the pooled arenas", body)
	}
	var slow PutRecordBatchInput
	if err := json.Unmarshal([]byte(body), &slow); err != nil {
		t.Errorf("%q: fast path accepted what encoding/json refuses: %v", body, err)
		return true
	}
	if !reflect.DeepEqual(fast, slow) {
		t.Errorf("%.200q:\nfast %.300v\njson %.300v", body, fast, slow)
	}
	return true
}

func FuzzDecodeFastJSON(f *testing.F) {
	for _, b := range fastBodies {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body string) { checkFast(t, body) })
}

// TestAppendFastJSONMatchesEncodingJSON: the PutRecordBatch answer is
// byte for byte what encoding/json writes, for every combination of
// present members.
func TestAppendFastJSONMatchesEncodingJSON(t *testing.T) {
	outs := []PutRecordBatchOutput{
		{},
		{FailedPutCount: Int32(0), RequestResponses: []PutRecordBatchResponseEntry{}, Encrypted: Bool(false)},
		{FailedPutCount: Int32(1), Encrypted: Bool(true), RequestResponses: []PutRecordBatchResponseEntry{
			{RecordId: String("0123456789abcdef0123456789abcdef")},
			{ErrorCode: String("ServiceUnavailableException"), ErrorMessage: String(`Slow down. "<&>" é` + "\n")},
			{},
		}},
		{RequestResponses: []PutRecordBatchResponseEntry{{RecordId: String("x")}}},
		{Encrypted: Bool(true)},
	}
	for _, out := range outs {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(&out); err != nil {
			t.Fatal(err)
		}
		got, err := out.AppendFastJSON([]byte("prefix"))
		if err != nil || string(got) != "prefix"+strings.TrimSuffix(want.String(), "\n") {
			t.Errorf("got  %s (%v)\nwant %s", got, err, want.String())
		}
	}
}
