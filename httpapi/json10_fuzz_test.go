package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/protocol/ddb"
)

// FuzzDecodeJSON10 decodes arbitrary bodies into every protocol/ddb input
// with the transport's JSON 1.0 decoder and checks that:
//
//   - it never panics, and refuses only with a SerializationException;
//   - what it decodes is a fixed point: the input encoded and decoded again
//     is the same input;
//   - a body it had to rewrite (conversions, dropped members) is rewritten
//     to one that needs no more rewriting and decodes to the same input;
//   - Validate never panics on what it decoded, and answers only with an
//     *eddy.Error;
//   - the whole front end (DynamoDB's order of checks) answers every body
//     with a 200 or a 4xx, never a 5xx.
func FuzzDecodeJSON10(f *testing.F) {
	seeds := []string{
		`{}`, `[]`, `null`, `"x"`, `{"TableName":"abc"}`,
		`{"TableName":"abc","Item":{"a":{"S":"x"},"b":{"N":"1.5"},"c":{"L":[{"M":{"d":{"BOOL":"yes"}}}]},"d":{"B":"AAE="},"e":{"NS":["1","2"]}}}`,
		`{"TableName":"abc","Key":{"a":{"s":"x"}},"ConsistentRead":"no","Limit":2.5}`,
		`{"RequestItems":{"abc":[{"PutRequest":{"Item":{"a":{"S":"x"}}}},{"DeleteRequest":{"Key":{"a":{"N":"1"}}}}]}}`,
		`{"RequestItems":{"abc":{"Keys":[{"a":{"S":"x"}}],"ProjectionExpression":"a"}}}`,
		`{"TransactItems":[{"Update":{"TableName":"abc","Key":{"a":{"S":"x"}},"UpdateExpression":"SET b = :b","ExpressionAttributeValues":{":b":{"N":"1"}}}}]}`,
		`{"TableName":"abc","KeyConditions":{"a":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"x"}]}},"Limit":1e30}`,
		`{"TableName":"abc","AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"}],"KeySchema":[{"AttributeName":"a","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"}`,
		`{"Table\u004eame":"abc","Key":{"a":{"B":"abc"}}}`,
	}
	for i, s := range seeds {
		f.Add(uint8(i), []byte(s))
	}
	h := fuzzDynamoHandler(f)
	f.Fuzz(func(t *testing.T, opIndex uint8, body []byte) {
		if !json.Valid(body) {
			return // refused before decoding, as the front end does
		}
		op := ddb.Operations[int(opIndex)%len(ddb.Operations)]
		in := op.NewInput()
		err := decodeJSON10(body, in, dynamoSvc)
		if err != nil {
			var ee *eddy.Error
			if !errors.As(err, &ee) || ee.Code != eddy.CodeSerialization || ee.Message == "" {
				t.Fatalf("%s %s: %v", op.Name, body, err)
			}
		} else {
			again := op.NewInput()
			enc, merr := json.Marshal(in)
			if merr != nil {
				t.Fatalf("%s %s: encode: %v", op.Name, body, merr)
			}
			if err := decodeJSON10(enc, again, dynamoSvc); err != nil || !reflect.DeepEqual(in, again) {
				t.Fatalf("%s %s: decoded %s, which decodes to %+v (%v)", op.Name, body, enc, again, err)
			}
			sh := shapeOf10(reflect.TypeOf(in).Elem())
			w := walker10{data: body, svc: dynamoSvc}
			w.value(sh, ctxField)
			if w.fix && body[firstNonSpace(body)] == '{' {
				re := rewriteJSON10(body, sh, dynamoSvc)
				w2 := walker10{data: re, svc: dynamoSvc}
				w2.value(sh, ctxField)
				if w2.fix || w2.msg != "" {
					t.Fatalf("%s %s rewritten as %s still needs work (%q)", op.Name, body, re, w2.msg)
				}
			}
			if v, ok := in.(interface{ Validate() error }); ok {
				if verr := v.Validate(); verr != nil {
					var ee *eddy.Error
					if !errors.As(verr, &ee) {
						t.Fatalf("%s %s: Validate: %v", op.Name, body, verr)
					}
				}
			}
		}
		req := rawRequest(t, "http://example.com", ddb.TargetPrefix+"."+op.Name, contentTypeJSON10, body)
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00")
		req.Header.Set("X-Amz-Date", "20240101T000000Z")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s: %d %s", op.Name, body, rec.Code, rec.Body)
		}
	})
}

func firstNonSpace(b []byte) int {
	for i, c := range b {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return i
		}
	}
	return 0
}

// fuzzDynamoHandler serves every protocol/ddb operation with an echo.
func fuzzDynamoHandler(t testing.TB) http.Handler {
	svc := fakeDynamo()
	svc.Operations = nil
	for _, op := range ddb.Operations {
		svc.Operations = append(svc.Operations, Operation{
			Name:     op.Name,
			NewInput: op.NewInput,
			Call:     func(context.Context, any) (any, error) { return nil, nil },
		})
	}
	srv, err := New(Config{}, svc)
	if err != nil {
		t.Fatal(err)
	}
	return srv
}
