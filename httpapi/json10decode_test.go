package httpapi

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/protocol/ddb"
)

// dynamoSvc is the service the decoder tests decode for.
var dynamoSvc = func() *service {
	s := fakeDynamo()
	s.InternalErrorCode = eddy.CodeInternalServerError
	return &service{Service: s}
}()

// decode10 decodes body into a new value of in's type and returns the
// SerializationException's message ("" for none) and the decoded value.
func decode10(t *testing.T, in any, body string) (string, any) {
	t.Helper()
	v := reflect.New(reflect.TypeOf(in).Elem()).Interface()
	err := decodeJSON10([]byte(body), v, dynamoSvc)
	if err == nil {
		return "", v
	}
	var ee *eddy.Error
	if !errors.As(err, &ee) || ee.Code != eddy.CodeSerialization {
		t.Fatalf("%s: %v is not a SerializationException", body, err)
	}
	return ee.Message, v
}

// TestJSON10TypeMessages: DynamoDB's SerializationException texts for a
// value of the wrong type, per member type and value (dynalite
// validations/index.js checkTypes, replaying DynamoDB's answers recorded
// in its test/*.js assertType). The members are protocol/ddb's.
func TestJSON10TypeMessages(t *testing.T) {
	const param = "class sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl cannot be cast to class java.lang.Class " +
		"(sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl and java.lang.Class are in module java.base of loader 'bootstrap')"
	tests := []struct {
		in   any
		body string
		want string
	}{
		// String members.
		{&ddb.DescribeTableInput{}, `{"TableName":true}`, "TRUE_VALUE cannot be converted to String"},
		{&ddb.DescribeTableInput{}, `{"TableName":false}`, "FALSE_VALUE cannot be converted to String"},
		{&ddb.DescribeTableInput{}, `{"TableName":12}`, "NUMBER_VALUE cannot be converted to String"},
		{&ddb.DescribeTableInput{}, `{"TableName":-1.5}`, "DECIMAL_VALUE cannot be converted to String"},
		{&ddb.DescribeTableInput{}, `{"TableName":[]}`, "Unrecognized collection type class java.lang.String"},
		{&ddb.DescribeTableInput{}, `{"TableName":{}}`, "Start of structure or map found where not expected"},
		// Integer and Long members.
		{&ddb.ListTablesInput{}, `{"Limit":"1"}`, "STRING_VALUE cannot be converted to Integer"},
		{&ddb.ListTablesInput{}, `{"Limit":true}`, "TRUE_VALUE cannot be converted to Integer"},
		{&ddb.ListTablesInput{}, `{"Limit":[1]}`, "Unrecognized collection type class java.lang.Integer"},
		{&ddb.ListTablesInput{}, `{"Limit":{}}`, "Start of structure or map found where not expected"},
		{&ddb.CreateTableInput{}, `{"ProvisionedThroughput":{"ReadCapacityUnits":"1"}}`, "STRING_VALUE cannot be converted to Long"},
		{&ddb.CreateTableInput{}, `{"ProvisionedThroughput":{"WriteCapacityUnits":false}}`, "FALSE_VALUE cannot be converted to Long"},
		// Boolean members.
		{&ddb.GetItemInput{}, `{"ConsistentRead":23}`, "NUMBER_VALUE cannot be converted to Boolean"},
		{&ddb.GetItemInput{}, `{"ConsistentRead":2.5}`, "DECIMAL_VALUE cannot be converted to Boolean"},
		{&ddb.GetItemInput{}, `{"ConsistentRead":"23"}`, "Unexpected token received from parser"},
		{&ddb.GetItemInput{}, `{"ConsistentRead":[]}`, "Unrecognized collection type class java.lang.Boolean"},
		{&ddb.GetItemInput{}, `{"ConsistentRead":{}}`, "Start of structure or map found where not expected"},
		// Lists.
		{&ddb.GetItemInput{}, `{"AttributesToGet":"a"}`, "Unexpected field type"},
		{&ddb.GetItemInput{}, `{"AttributesToGet":1}`, "Unexpected field type"},
		{&ddb.GetItemInput{}, `{"AttributesToGet":{}}`, "Start of structure or map found where not expected"},
		{&ddb.GetItemInput{}, `{"AttributesToGet":[1]}`, "NUMBER_VALUE cannot be converted to String"},
		// Maps.
		{&ddb.GetItemInput{}, `{"Key":"a"}`, "Unexpected field type"},
		{&ddb.GetItemInput{}, `{"Key":[]}`, "Unrecognized collection type java.util.Map<java.lang.String, com.amazonaws.dynamodb.v20120810.AttributeValue>"},
		{&ddb.GetItemInput{}, `{"ExpressionAttributeNames":[]}`, "Unrecognized collection type java.util.Map<java.lang.String, java.lang.String>"},
		{&ddb.PutItemInput{}, `{"Expected":[]}`, "Unrecognized collection type java.util.Map<java.lang.String, com.amazonaws.dynamodb.v20120810.ExpectedAttributeValue>"},
		{&ddb.BatchWriteItemInput{}, `{"RequestItems":[]}`,
			"Unrecognized collection type java.util.Map<java.lang.String, java.util.List<com.amazonaws.dynamodb.v20120810.WriteRequest>>"},
		// Structures as members and as elements.
		{&ddb.CreateTableInput{}, `{"ProvisionedThroughput":1}`, "Unexpected field type"},
		{&ddb.CreateTableInput{}, `{"ProvisionedThroughput":[]}`, "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.ProvisionedThroughput"},
		{&ddb.CreateTableInput{}, `{"KeySchema":["a"]}`, "Unexpected value type in payload"},
		{&ddb.CreateTableInput{}, `{"KeySchema":[[]]}`, "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.KeySchemaElement"},
		{&ddb.CreateTableInput{}, `{"KeySchema":[{"KeyType":1}]}`, "NUMBER_VALUE cannot be converted to String"},
		// Attribute values: a value in a map is an element, the Value of an
		// expected condition a member.
		{&ddb.GetItemInput{}, `{"Key":{"a":"x"}}`, "Unexpected value type in payload"},
		{&ddb.GetItemInput{}, `{"Key":{"a":[]}}`, "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.AttributeValue"},
		{&ddb.PutItemInput{}, `{"Expected":{"a":{"Value":"x"}}}`, "Unexpected field type"},
		{&ddb.GetItemInput{}, `{"Key":{"a":{"S":1}}}`, "NUMBER_VALUE cannot be converted to String"},
		{&ddb.GetItemInput{}, `{"Key":{"a":{"N":1}}}`, "NUMBER_VALUE cannot be converted to String"},
		{&ddb.GetItemInput{}, `{"Key":{"a":{"BOOL":"maybe"}}}`, "Unexpected token received from parser"},
		{&ddb.GetItemInput{}, `{"Key":{"a":{"SS":"x"}}}`, "Unexpected field type"},
		{&ddb.GetItemInput{}, `{"Key":{"a":{"L":["x"]}}}`, "Unexpected value type in payload"},
		{&ddb.GetItemInput{}, `{"Key":{"a":{"M":[]}}}`, "Unrecognized collection type java.util.Map<java.lang.String, com.amazonaws.dynamodb.v20120810.AttributeValue>"},
		{&ddb.GetItemInput{}, `{"Key":{"a":{"M":{"b":{"L":[{"M":{"c":{"S":true}}}]}}}}}`, "TRUE_VALUE cannot be converted to String"},
		// Blobs.
		{&ddb.GetItemInput{}, `{"Key":{"a":{"B":1}}}`, "only base-64-encoded strings are convertible to bytes"},
		{&ddb.GetItemInput{}, `{"Key":{"a":{"B":true}}}`, "only base-64-encoded strings are convertible to bytes"},
		{&ddb.GetItemInput{}, `{"Key":{"a":{"B":[]}}}`, "Unrecognized collection type class java.nio.ByteBuffer"},
		{&ddb.GetItemInput{}, `{"Key":{"a":{"B":{}}}}`, "Start of structure or map found where not expected"},
		{&ddb.GetItemInput{}, `{"Key":{"a":{"B":"abc"}}}`, "Base64 encoded length is expected a multiple of 4 bytes but found: 3"},
		{&ddb.GetItemInput{}, `{"Key":{"a":{"B":"a=bc"}}}`, "Invalid last non-pad Base64 character dectected"},
		{&ddb.GetItemInput{}, `{"Key":{"a":{"BS":["abc"]}}}`, "Base64 encoded length is expected a multiple of 4 bytes but found: 3"},
		// Collections in collections (dynalite's ParameterizedList/Map).
		{&ddb.BatchWriteItemInput{}, `{"RequestItems":{"abc":"x"}}`, param},
		{&ddb.BatchWriteItemInput{}, `{"RequestItems":{"abc":{}}}`, "Start of structure or map found where not expected"},
		{&ddb.BatchGetItemInput{}, `{"RequestItems":{"abc":{"Keys":["x"]}}}`, param},
		{&ddb.BatchGetItemInput{}, `{"RequestItems":{"abc":{"Keys":[[]]}}}`,
			"Unrecognized collection type java.util.Map<java.lang.String, com.amazonaws.dynamodb.v20120810.AttributeValue>"},
		// The first fault in the document is reported.
		{&ddb.ListTablesInput{}, `{"ExclusiveStartTableName":1,"Limit":"x"}`, "NUMBER_VALUE cannot be converted to String"},
		{&ddb.ListTablesInput{}, `{"Limit":"x","ExclusiveStartTableName":1}`, "STRING_VALUE cannot be converted to Integer"},
		// Unknown members, nulls and members in another case are ignored.
		{&ddb.ListTablesInput{}, `{"Foo":{"x":[1,2]},"limit":"x","Limit":null}`, ""},
	}
	for _, tt := range tests {
		if got, _ := decode10(t, tt.in, tt.body); got != tt.want {
			t.Errorf("%T %s:\ngot  %q\nwant %q", tt.in, tt.body, got, tt.want)
		}
	}
}

// TestJSON10Conversions: what DynamoDB converts rather than refuses
// (dynalite checkTypes): booleans from words, integers rounded down and
// clamped; and member names matched exactly.
func TestJSON10Conversions(t *testing.T) {
	tests := []struct {
		in   any
		body string
		want string // the decoded input, re-encoded
	}{
		{&ddb.GetItemInput{}, `{"ConsistentRead":"yes"}`, `{"ConsistentRead":true}`},
		{&ddb.GetItemInput{}, `{"ConsistentRead":"False"}`, `{"ConsistentRead":false}`},
		{&ddb.GetItemInput{}, `{"ConsistentRead":"1","TableName":"t"}`, `{"TableName":"t","ConsistentRead":true}`},
		{&ddb.GetItemInput{}, `{"Key":{"a":{"NULL":"TRUE"}}}`, `{"Key":{"a":{"NULL":true}}}`},
		{&ddb.ListTablesInput{}, `{"Limit":2.7}`, `{"Limit":2}`},
		{&ddb.ListTablesInput{}, `{"Limit":-2.5}`, `{"Limit":-3}`},
		{&ddb.ListTablesInput{}, `{"Limit":1e3}`, `{"Limit":1000}`},
		{&ddb.ListTablesInput{}, `{"Limit":1e30}`, `{"Limit":2147483647}`},
		{&ddb.ListTablesInput{}, `{"Limit":-99999999999}`, `{"Limit":-2147483648}`},
		{&ddb.CreateTableInput{}, `{"ProvisionedThroughput":{"ReadCapacityUnits":99999999999999999999}}`,
			`{"ProvisionedThroughput":{"ReadCapacityUnits":9223372036854775807}}`},
		// encoding/json would take "tablename" and "s" for TableName and S.
		{&ddb.GetItemInput{}, `{"tablename":"x","TableName":"t","Key":{"a":{"s":"x","S":"y"}}}`, `{"TableName":"t","Key":{"a":{"S":"y"}}}`},
		{&ddb.GetItemInput{}, `{"TABLENAME":"x"}`, `{}`},
		{&ddb.GetItemInput{}, `{"Key":{"a":{"s":"x"}},"ConsistentRead":"no"}`, `{"Key":{"a":{}},"ConsistentRead":false}`},
		// Escapes in names are decoded before matching.
		{&ddb.DescribeTableInput{}, `{"Table\u004eame":"t"}`, `{"TableName":"t"}`},
		// Not an object: nothing is decoded (dynalite reads it as {}).
		{&ddb.DescribeTableInput{}, `[1,2]`, `{}`},
		{&ddb.DescribeTableInput{}, `"TableName"`, `{}`},
		{&ddb.DescribeTableInput{}, `null`, `{}`},
	}
	for _, tt := range tests {
		msg, v := decode10(t, tt.in, tt.body)
		if msg != "" {
			t.Errorf("%s: %s", tt.body, msg)
			continue
		}
		got, _ := json.Marshal(v)
		if string(got) != tt.want {
			t.Errorf("%s: decoded as %s, want %s", tt.body, got, tt.want)
		}
	}
}

// TestJSON10RewriteAgrees: for bodies that need no conversion, the
// rewriting walk reproduces a document encoding/json decodes to the same
// input (the rewrite is what runs when a body needs a conversion).
func TestJSON10RewriteAgrees(t *testing.T) {
	bodies := []string{
		`{"TableName":"t","Item":{"a":{"S":"x \" \\ \u00e9"},"b":{"N":"1.5"},"c":{"L":[{"M":{"d":{"BOOL":true}}},{"NULL":true}]},"d":{"B":"AAE="},"e":{"SS":["a","b"]}}}`,
		`{ "TableName" : "t" , "Item" : { } , "ConditionExpression" : "attribute_not_exists(a)" , "ExpressionAttributeNames" : { "#a" : "a" } }`,
		`{"TableName":"t","Item":{"a":{"S":"x"}},"Unknown":[1,{"x":null}],"ReturnValues":null}`,
	}
	for _, b := range bodies {
		sh := shapeOf10(reflect.TypeFor[ddb.PutItemInput]())
		rewritten := rewriteJSON10([]byte(b), sh, dynamoSvc)
		var a, c ddb.PutItemInput
		if err := json.Unmarshal([]byte(b), &a); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(rewritten, &c); err != nil {
			t.Fatalf("%s rewritten as %s: %v", b, rewritten, err)
		}
		if !reflect.DeepEqual(a, c) {
			t.Errorf("%s\nrewritten as %s\ndecodes differently", b, rewritten)
		}
	}
}

// TestJSON10DecodeAllocs: a PutItem body that needs no conversion costs
// no allocations beyond encoding/json's own decoding.
func TestJSON10DecodeAllocs(t *testing.T) {
	body := []byte(`{"TableName":"leases","Item":{"leaseKey":{"S":"shardId-000000000001"},"leaseCounter":{"N":"17"},"checkpoint":{"S":"49590338271490256608559692538361571095921575989136588898"},"ownerSwitchesSinceCheckpoint":{"N":"0"}},"ConditionExpression":"attribute_not_exists(leaseKey)"}`)
	walk := testing.AllocsPerRun(100, func() {
		w := walker10{data: body, svc: dynamoSvc}
		w.value(shapeOf10(reflect.TypeFor[ddb.PutItemInput]()), ctxField)
		if w.msg != "" || w.fix {
			t.Fatal(w.msg)
		}
	})
	if walk != 0 {
		t.Errorf("the checking walk allocates %.0f times", walk)
	}
}

// BenchmarkDecodeJSON10 decodes a KCL-style lease PutItem as the JSON 1.0
// front end does (the checking walk, then encoding/json), beside
// encoding/json alone.
func BenchmarkDecodeJSON10(b *testing.B) {
	body := []byte(`{"TableName":"leases","Item":{"leaseKey":{"S":"shardId-000000000001"},"leaseCounter":{"N":"17"},"checkpoint":{"S":"49590338271490256608559692538361571095921575989136588898"},"ownerSwitchesSinceCheckpoint":{"N":"0"},"leaseOwner":{"S":"worker-1"}},"ConditionExpression":"leaseCounter = :c","ExpressionAttributeValues":{":c":{"N":"16"}}}`)
	b.Run("json10", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			var in ddb.PutItemInput
			if err := decodeJSON10(body, &in, dynamoSvc); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			var in ddb.PutItemInput
			if err := json.Unmarshal(body, &in); err != nil {
				b.Fatal(err)
			}
		}
	})
}
