package ddb

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// fastInputs makes a fresh input of each operation with a fast decoder.
var fastInputs = map[string]func() interface{ DecodeFastJSON([]byte) bool }{
	"PutItem":    func() interface{ DecodeFastJSON([]byte) bool } { return &PutItemInput{} },
	"UpdateItem": func() interface{ DecodeFastJSON([]byte) bool } { return &UpdateItemInput{} },
	"DeleteItem": func() interface{ DecodeFastJSON([]byte) bool } { return &DeleteItemInput{} },
	"GetItem":    func() interface{ DecodeFastJSON([]byte) bool } { return &GetItemInput{} },
}

// checkFast decodes body with the fast decoder and with encoding/json: if
// the fast one takes it, both must give the same input. It reports
// whether the fast decoder took it.
func checkFast(t *testing.T, op string, body []byte) bool {
	t.Helper()
	fast := fastInputs[op]()
	if !fast.DecodeFastJSON(body) {
		if !reflect.DeepEqual(fast, fastInputs[op]()) {
			t.Fatalf("%s %s: refused, but changed the input to %#v", op, body, fast)
		}
		return false
	}
	slow := fastInputs[op]()
	if err := json.Unmarshal(body, slow); err != nil {
		t.Fatalf("%s %s: the fast decoder took what encoding/json refuses: %v", op, body, err)
	}
	if !reflect.DeepEqual(fast, slow) {
		t.Fatalf("%s %s:\nfast decoded %#v\nencoding/json %#v", op, body, fast, slow)
	}
	return true
}

// TestFastDecodeMatchesEncodingJSON: plain bodies (every member of each
// operation, every kind of value, empty containers and binaries) are taken
// by the fast decoder and decode as encoding/json decodes them; the bodies
// it must leave to encoding/json are refused.
func TestFastDecodeMatchesEncodingJSON(t *testing.T) {
	value := `{"S":"héllo","N":"-1.5e3","B":"AAH/","SS":["a",""],"NS":["1"],"BS":["AQ==",""],"M":{"x":{"L":[{"NULL":true},{"BOOL":false},{"M":{}},{"L":[]}]}},"L":[],"NULL":false,"BOOL":true}`
	taken := map[string][]string{
		"PutItem": {
			`{}`,
			` { "TableName" : "t" , "Item" : { "pk" : { "S" : "a" } } } `,
			`{"TableName":"t","Item":{"pk":{"S":"a"},"v":` + value + `,"e":{"B":""}},"Expected":{"a":{"Value":{"N":"1"},"Exists":true,"ComparisonOperator":"EQ","AttributeValueList":[{"S":"x"}]},"b":{"Exists":false},"c":{"AttributeValueList":[]}},` +
				`"ReturnValues":"ALL_OLD","ReturnConsumedCapacity":"TOTAL","ReturnItemCollectionMetrics":"SIZE","ConditionalOperator":"OR","ConditionExpression":"attribute_not_exists(#p)",` +
				`"ExpressionAttributeNames":{"#p":"pk","#p":"pk2"},"ExpressionAttributeValues":{":v":` + value + `},"ReturnValuesOnConditionCheckFailure":"ALL_OLD"}`,
			`{"Item":{"a":{"S":"1"},"a":{"N":"2"}}}`, // a map's repeated key: the last one
		},
		"UpdateItem": {
			`{"TableName":"t","Key":{"pk":{"S":"shardId-000000000001"}},"Expected":{"leaseCounter":{"Value":{"N":"41"}}},"AttributeUpdates":{"leaseCounter":{"Action":"ADD","Value":{"N":"1"}},"o":{"Action":"DELETE"}},` +
				`"ConditionalOperator":"AND","ReturnValues":"UPDATED_NEW","ReturnConsumedCapacity":"INDEXES","ReturnItemCollectionMetrics":"NONE","UpdateExpression":"ADD n :one","ConditionExpression":"n < :c",` +
				`"ExpressionAttributeNames":{"#n":"n"},"ExpressionAttributeValues":{":one":{"N":"1"}},"ReturnValuesOnConditionCheckFailure":"NONE"}`,
		},
		"DeleteItem": {
			`{"TableName":"t","Key":{"pk":{"B":"AQID"}},"Expected":{"a":{"Exists":false}},"ConditionalOperator":"AND","ReturnValues":"ALL_OLD","ReturnConsumedCapacity":"NONE",` +
				`"ReturnItemCollectionMetrics":"SIZE","ConditionExpression":"attribute_exists(pk)","ExpressionAttributeNames":{"#a":"a"},"ExpressionAttributeValues":{":a":{"SS":["x"]}},"ReturnValuesOnConditionCheckFailure":"ALL_OLD"}`,
		},
		"GetItem": {
			`{"TableName":"t","Key":{"pk":{"S":"a"},"sk":{"N":"1"}},"AttributesToGet":["a","b"],"ConsistentRead":true,"ReturnConsumedCapacity":"TOTAL","ProjectionExpression":"#a, b","ExpressionAttributeNames":{"#a":"a"}}`,
			`{"ConsistentRead":false,"AttributesToGet":[]}`,
		},
	}
	refused := []string{
		`[]`, `"x"`, `{"TableName":null}`, `{"TableName":"a\"b"}`, `{"TableName":"\u0041"}`, "{\"TableName\":\"\xff\"}",
		`{"tablename":"t"}`, `{"TableName":"t","TableName":"u"}`, `{"Unknown":1}`, `{"TableName":1}`,
		`{"Key":{"a":{"S":"x","S":"y"}}}`, `{"Key":{"a":{"X":"y"}}}`, `{"Key":{"a":null}}`, `{"Key":{"a":{"B":"!!"}}}`,
		`{"Key":{"a":{"BOOL":"true"}}}`, `{"TableName":"t"} x`, `{"TableName":"t"`,
	}
	for op, bodies := range taken {
		for _, b := range bodies {
			if !checkFast(t, op, []byte(b)) {
				t.Errorf("%s %s: the fast decoder refused a plain body", op, b)
			}
		}
		for _, b := range refused {
			if checkFast(t, op, []byte(b)) {
				t.Errorf("%s %s: the fast decoder took it", op, b)
			}
		}
	}
}

// TestFastDecodeGoldenRequests: the golden files' requests of the four
// operations decode as encoding/json decodes them.
func TestFastDecodeGoldenRequests(t *testing.T) {
	n := 0
	for op := range fastInputs {
		files, _ := filepath.Glob(filepath.Join("..", "..", "httpapi", "dynamoapi", "testdata", "golden", op, "*.txt"))
		for _, f := range files {
			body := goldenRequestBody(t, f)
			if checkFast(t, op, body) {
				n++
			}
		}
	}
	if n < 10 {
		t.Fatalf("the fast decoder took %d golden requests; want most of them", n)
	}
}

// goldenRequestBody returns the body of a golden file's request: the
// lines after the request's headers, up to the next "---" line.
func goldenRequestBody(t *testing.T, file string) []byte {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	state := 0 // 0 before the request, 1 in its headers, 2 in its body
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case state == 0 && line == "--- request":
			state = 1
		case state == 1 && line == "":
			state = 2
		case state == 2 && strings.HasPrefix(line, "---"):
			return body.Bytes()
		case state == 2:
			body.WriteString(line + "\n")
		}
	}
	return body.Bytes()
}

// FuzzDecodeFastJSON: whatever the fast decoders take, encoding/json
// decodes to the same input.
func FuzzDecodeFastJSON(f *testing.F) {
	f.Add([]byte(`{"TableName":"t","Item":{"pk":{"S":"a"},"n":{"N":"1"},"b":{"B":"AQ=="},"l":{"L":[{"M":{"x":{"NULL":true}}}]}},"Expected":{"pk":{"Exists":false}}}`))
	f.Add([]byte(`{"TableName":"t","Key":{"pk":{"S":"a"}},"AttributeUpdates":{"c":{"Action":"ADD","Value":{"N":"1"}}},"ConsistentRead":true,"AttributesToGet":["a"]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		if !json.Valid(body) {
			return // the transport rejects it before decoding
		}
		for op := range fastInputs {
			checkFast(t, op, body)
		}
	})
}
