package ddbdiff

import (
	"testing"
)

// Edge values and expressions: empty strings and binaries outside keys,
// numbers' accepted spellings, empty names, and update expressions that
// are invalid for the way they use functions and paths.
func TestValueEdges(t *testing.T) {
	p := newPair(t)
	p.createTable(`{"TableName":"$P","AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"},{"AttributeName":"g","AttributeType":"S"}],"KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST",
	"GlobalSecondaryIndexes":[{"IndexName":"gidx","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{"ProjectionType":"KEYS_ONLY"}}]}`)
	for _, b := range []string{
		`{"TableName":"$P","Item":{"id":{"S":"a"},"e":{"S":""}}}`,
		`{"TableName":"$P","Item":{"id":{"S":"a"},"e":{"B":""}}}`,
		// "+1" is left out: dynalite refuses it, DynamoDB accepts it
		// (scylladb test/alternator/test_number.py, run against DynamoDB);
		// dynamo/attr's number tests assert DynamoDB's answer.
		`{"TableName":"$P","Item":{"id":{"S":"a"},"n":{"N":" 1"}}}`,
		`{"TableName":"$P","Item":{"id":{"S":"a"},"n":{"N":"1e-130"}}}`,
		`{"TableName":"$P","Item":{"id":{"S":"a"},"n":{"N":"-0"}}}`,
		`{"TableName":"$P","Item":{"id":{"S":"a"},"n":{"N":".5"}}}`,
		`{"TableName":"$P","Item":{"id":{"S":"a"},"n":{"N":"5."}}}`,
		`{"TableName":"$P","Item":{"id":{"S":"a"},"m":{"M":{"":{"S":"x"}}}}}`,
		`{"TableName":"$P","Item":{"id":{"S":"a"},"":{"S":"x"}}}`,
		`{"TableName":"$P","Item":{"id":{"S":"a"},"l":{"L":[]}, "m":{"M":{}}}}`,
	} {
		p.call("PutItem "+b, "PutItem", b)
		p.call("GetItem after PutItem "+b, "GetItem", `{"TableName":"$P","Key":{"id":{"S":"a"}}}`)
	}
	for _, b := range []string{
		`{"TableName":"$P","Key":{"id":{"S":"a"}},"UpdateExpression":"SET e = :e","ExpressionAttributeValues":{":e":{"S":""}},"ReturnValues":"ALL_NEW"}`,
		`{"TableName":"$P","Key":{"id":{"S":"a"}},"UpdateExpression":"SET a = :e","ConditionExpression":"size(nope) > :z","ExpressionAttributeValues":{":e":{"S":"x"},":z":{"N":"0"}}}`,
		`{"TableName":"$P","Key":{"id":{"S":"a"}},"UpdateExpression":"SET a = :e, b = a","ExpressionAttributeValues":{":e":{"S":"x"}}}`,
		`{"TableName":"$P","Key":{"id":{"S":"a"}},"UpdateExpression":"SET a = :e ADD a :n","ExpressionAttributeValues":{":e":{"S":"x"},":n":{"N":"1"}}}`,
		`{"TableName":"$P","Key":{"id":{"S":"a"}},"UpdateExpression":"SET a = list_append(:l, :m)","ExpressionAttributeValues":{":l":{"L":[]},":m":{"L":[{"S":"x"}]}},"ReturnValues":"UPDATED_NEW"}`,
		`{"TableName":"$P","Key":{"id":{"S":"a"}},"UpdateExpression":"SET a = :n - :n","ExpressionAttributeValues":{":n":{"N":"1"}},"ReturnValues":"UPDATED_NEW"}`,
		`{"TableName":"$P","Key":{"id":{"S":"a"}},"UpdateExpression":"SET a = :n","ConditionExpression":"a IN (:n, :n)","ExpressionAttributeValues":{":n":{"N":"0"}},"ReturnValues":"UPDATED_NEW"}`,
		`{"TableName":"$P","Key":{"id":{"S":"a"}},"UpdateExpression":"REMOVE a, a"}`,
		`{"TableName":"$P","Key":{"id":{"S":"a"}},"UpdateExpression":"SET a[0] = :n","ExpressionAttributeValues":{":n":{"N":"0"}}}`,
		`{"TableName":"$P","Key":{"id":{"S":"a"}},"UpdateExpression":"SET a = :n","ConditionExpression":"a < :s","ExpressionAttributeValues":{":n":{"N":"0"},":s":{"S":"x"}}}`,
		`{"TableName":"$P","Key":{"id":{"S":"a"}},"UpdateExpression":"SET a = :n","ConditionExpression":"contains(:s, a)","ExpressionAttributeValues":{":n":{"N":"0"},":s":{"S":"x0"}}}`,
		`{"TableName":"$P","Key":{"id":{"S":"a"}},"UpdateExpression":"SET a = :n","ConditionExpression":"size(id) = :two","ExpressionAttributeValues":{":n":{"N":"0"},":two":{"N":"1"}},"ReturnValues":"ALL_NEW"}`,
	} {
		p.call("UpdateItem "+b, "UpdateItem", b)
	}

	// Where dynalite 4.0.0 answers otherwise than DynamoDB: Eddy is held
	// to DynamoDB's recorded wording.
	if selftest() {
		return
	}
	for _, c := range []struct{ op, body, want, source string }{
		// An empty string as a GSI key: refused since DynamoDB accepted
		// empty strings outside keys (2020); dynalite stores it.
		{"PutItem", `{"TableName":"$P","Item":{"id":{"S":"a"},"g":{"S":""}}}`,
			"One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty string value. IndexName: gidx, IndexKey: g",
			"DynamoDB's answer as users report it from botocore's ClientError, and as getmoto/moto raises it"},
		// An empty name: dynalite treats it as undefined.
		{"UpdateItem", `{"TableName":"$P","Key":{"id":{"S":"a"}},"UpdateExpression":"SET #a = :e","ExpressionAttributeNames":{"#a":""},"ExpressionAttributeValues":{":e":{"S":"x"}}}`,
			"ExpressionAttributeNames contains invalid value: Empty attribute name for key #a",
			"DynamoDB's answer as applications match it (e.g. an AWS SDK user's handler for '... Empty attribute name for key #DE')"},
		// A condition function in an update: dynalite calls it unknown.
		{"UpdateItem", `{"TableName":"$P","Key":{"id":{"S":"a"}},"UpdateExpression":"SET a = size(:s)","ExpressionAttributeValues":{":s":{"S":"x0"}}}`,
			"Invalid UpdateExpression: The function is not allowed in an update expression; function: size",
			"DynamoDB Local's message table (INVALID_VALUE_FUNCTION) and the Go expression libraries that mirror DynamoDB"},
	} {
		e := p.eddy.raw(t, rawRequest{Op: c.op, Body: p.sub(c.body)})
		if e.errType() != "ValidationException" || message(e) != c.want {
			t.Errorf("%s %s: eddy %d %s, want ValidationException %q (%s)", c.op, c.body, e.Status, e.Raw, c.want, c.source)
		}
	}
}
