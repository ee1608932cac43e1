package ddb

import (
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/dynamo/attr"
)

// newInput returns a new input of the named operation.
func newInput(t *testing.T, op string) any {
	t.Helper()
	for _, o := range Operations {
		if o.Name == op {
			return o.NewInput()
		}
	}
	t.Fatalf("no operation %s", op)
	return nil
}

// validate decodes body into op's input and returns Validate's message, or
// "" if it passes.
func validate(t *testing.T, op, body string) string {
	t.Helper()
	in := newInput(t, op)
	if err := json.Unmarshal([]byte(body), in); err != nil {
		t.Fatalf("%s %s: %v", op, body, err)
	}
	err := in.(interface{ Validate() error }).Validate()
	if err == nil {
		return ""
	}
	var ee *eddy.Error
	if !errors.As(err, &ee) || ee.Code != eddy.CodeValidation {
		t.Fatalf("%s %s: %v is not a ValidationException", op, body, err)
	}
	return ee.Message
}

// The sources of the wordings, cited per case:
//
//	dl:<file>     dynalite (github.com/mhart/dynalite) validations/<file>,
//	              which replays DynamoDB's answers
//	dlt:<file>    dynalite test/<file>, recorded against DynamoDB
//	rec           a recorded DynamoDB answer in a public catalogue of
//	              DynamoDB's answers to degenerate requests
//	moto          getmoto/moto tests/test_dynamodb, which record DynamoDB's
func TestValidateMessages(t *testing.T) {
	tests := []struct {
		op, body, want string
	}{
		// dlt:createTable.js
		{"CreateTable", `{}`, "The parameter 'TableName' is required but was not present in the request"},
		{"CreateTable", `{"TableName":""}`, "TableName must be at least 3 characters long and at most 255 characters long"},
		{"CreateTable", `{"TableName":"a;"}`, "TableName must be at least 3 characters long and at most 255 characters long"},
		{"CreateTable", `{"TableName":"` + strings.Repeat("a", 256) + `"}`, "TableName must be at least 3 characters long and at most 255 characters long"},
		{"CreateTable", `{"TableName":"abc;"}`, "3 validation errors detected: " +
			"Value null at 'attributeDefinitions' failed to satisfy constraint: Member must not be null; " +
			"Value 'abc;' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; " +
			"Value null at 'keySchema' failed to satisfy constraint: Member must not be null"},
		{"CreateTable", `{"TableName":"abc","AttributeDefinitions":[]}`, "1 validation error detected: " +
			"Value null at 'keySchema' failed to satisfy constraint: Member must not be null"},
		{"CreateTable", `{"TableName":"abc","AttributeDefinitions":[],"ProvisionedThroughput":{}}`, "3 validation errors detected: " +
			"Value null at 'provisionedThroughput.writeCapacityUnits' failed to satisfy constraint: Member must not be null; " +
			"Value null at 'provisionedThroughput.readCapacityUnits' failed to satisfy constraint: Member must not be null; " +
			"Value null at 'keySchema' failed to satisfy constraint: Member must not be null"},
		{"CreateTable", `{"TableName":"abc","AttributeDefinitions":[],"KeySchema":[],"ProvisionedThroughput":{"ReadCapacityUnits":-1,"WriteCapacityUnits":-1}}`,
			"3 validation errors detected: " +
				"Value '-1' at 'provisionedThroughput.writeCapacityUnits' failed to satisfy constraint: Member must have value greater than or equal to 1; " +
				"Value '-1' at 'provisionedThroughput.readCapacityUnits' failed to satisfy constraint: Member must have value greater than or equal to 1; " +
				"Value '[]' at 'keySchema' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"CreateTable", `{"TableName":"abc","AttributeDefinitions":[],"KeySchema":[{"KeyType":"HASH","AttributeName":"a"}],"ProvisionedThroughput":{"ReadCapacityUnits":1000000000001,"WriteCapacityUnits":-1}}`,
			"1 validation error detected: Value '-1' at 'provisionedThroughput.writeCapacityUnits' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"CreateTable", `{"TableName":"abc","AttributeDefinitions":[],"KeySchema":[{"KeyType":"HASH","AttributeName":"a"}]}`,
			"One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED"},
		{"CreateTable", `{"TableName":"abc","AttributeDefinitions":[],"KeySchema":[{"KeyType":"HASH","AttributeName":"a"}],"ProvisionedThroughput":{"ReadCapacityUnits":1000000000001,"WriteCapacityUnits":1000000000001}}`,
			"Given value 1000000000001 for ReadCapacityUnits is out of bounds"},
		{"CreateTable", `{"TableName":"abc","AttributeDefinitions":[],"KeySchema":[{"KeyType":"HASH","AttributeName":"a"}],"ProvisionedThroughput":{"ReadCapacityUnits":1000000000000,"WriteCapacityUnits":1000000000001}}`,
			"Given value 1000000000001 for WriteCapacityUnits is out of bounds"},
		{"CreateTable", `{"TableName":"abc","AttributeDefinitions":[],"KeySchema":[{"KeyType":"HASH","AttributeName":"a"},{"KeyType":"HASH","AttributeName":"a"}],"ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}}`,
			"Invalid KeySchema: Some index key attribute have no definition"},
		{"CreateTable", `{"TableName":"abc","AttributeDefinitions":[{}],"KeySchema":[{"KeyType":"HASH","AttributeName":"a"},{"KeyType":"HASH","AttributeName":"a"}],"ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}}`,
			"2 validation errors detected: " +
				"Value null at 'attributeDefinitions.1.member.attributeName' failed to satisfy constraint: Member must not be null; " +
				"Value null at 'attributeDefinitions.1.member.attributeType' failed to satisfy constraint: Member must not be null"},
		{"CreateTable", `{"TableName":"abc","AttributeDefinitions":[{"AttributeName":"b","AttributeType":"SS"}],"KeySchema":[{"KeyType":"HASH","AttributeName":"a"}],"ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}}`,
			"1 validation error detected: Value 'SS' at 'attributeDefinitions.1.member.attributeType' failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]"},
		// dl:createTable.js custom
		{"CreateTable", `{"TableName":"abc","AttributeDefinitions":[{"AttributeName":"b","AttributeType":"S"}],"KeySchema":[{"KeyType":"HASH","AttributeName":"a"}],"ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}}`,
			"One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [a], AttributeDefinitions: [b]"},
		{"CreateTable", `{"TableName":"abc","AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"},{"AttributeName":"b","AttributeType":"S"}],"KeySchema":[{"KeyType":"HASH","AttributeName":"a"},{"KeyType":"RANGE","AttributeName":"a"}],"ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}}`,
			"Both the Hash Key and the Range Key element in the KeySchema have the same name"},
		{"CreateTable", `{"TableName":"abc","AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"}],"KeySchema":[{"KeyType":"RANGE","AttributeName":"a"}],"ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}}`,
			"Invalid KeySchema: The first KeySchemaElement is not a HASH key type"},
		{"CreateTable", `{"TableName":"abc","AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"},{"AttributeName":"b","AttributeType":"S"}],"KeySchema":[{"KeyType":"HASH","AttributeName":"a"},{"KeyType":"HASH","AttributeName":"b"}],"ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}}`,
			"Invalid KeySchema: The second KeySchemaElement is not a RANGE key type"},
		{"CreateTable", `{"TableName":"abc","AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"},{"AttributeName":"b","AttributeType":"S"}],"KeySchema":[{"KeyType":"HASH","AttributeName":"a"}],"ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}}`,
			"One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions"},
		{"CreateTable", `{"TableName":"abc","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"}],"KeySchema":[{"KeyType":"HASH","AttributeName":"a"}],"ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}}`,
			"One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"},
		{"CreateTable", `{"TableName":"abc","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"}],"KeySchema":[{"KeyType":"HASH","AttributeName":"a"}],"GlobalSecondaryIndexes":[]}`,
			"One or more parameter values were invalid: List of GlobalSecondaryIndexes is empty"},
		{"CreateTable", `{"TableName":"abc","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"}],"KeySchema":[{"KeyType":"HASH","AttributeName":"a"}],"GlobalSecondaryIndexes":[{"IndexName":"idx","KeySchema":[{"AttributeName":"a","KeyType":"HASH"}],"Projection":{}}]}`,
			"One or more parameter values were invalid: Unknown ProjectionType: null"},
		{"CreateTable", `{"TableName":"abc","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"}],"KeySchema":[{"KeyType":"HASH","AttributeName":"a"}],"GlobalSecondaryIndexes":[{"IndexName":"idx","KeySchema":[{"AttributeName":"a","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL","NonKeyAttributes":["x"]}}]}`,
			"One or more parameter values were invalid: ProjectionType is ALL, but NonKeyAttributes is specified"},
		{"CreateTable", `{"TableName":"abc","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"}],"KeySchema":[{"KeyType":"HASH","AttributeName":"a"}],"GlobalSecondaryIndexes":[{"IndexName":"idx","KeySchema":[{"AttributeName":"a","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}},{"IndexName":"idx","KeySchema":[{"AttributeName":"a","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}]}`,
			"One or more parameter values were invalid: Duplicate index name: idx"},
		{"CreateTable", `{"TableName":"abc","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"}],"KeySchema":[{"KeyType":"HASH","AttributeName":"a"}],"GlobalSecondaryIndexes":[{"IndexName":"idx","KeySchema":[{"AttributeName":"a","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"},"ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}}]}`,
			"One or more parameter values were invalid: ProvisionedThroughput should not be specified for index: idx when BillingMode is PAY_PER_REQUEST"},
		{"CreateTable", `{"TableName":"abc","AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"},{"AttributeName":"b","AttributeType":"S"}],"KeySchema":[{"KeyType":"HASH","AttributeName":"a"}],"LocalSecondaryIndexes":[{"IndexName":"idx","KeySchema":[{"AttributeName":"a","KeyType":"HASH"},{"AttributeName":"b","KeyType":"RANGE"}],"Projection":{"ProjectionType":"ALL"}}],"ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}}`,
			"One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex"},
		// rec (tags at CreateTable)
		{"CreateTable", `{"TableName":"abc","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"}],"KeySchema":[{"KeyType":"HASH","AttributeName":"a"}],"Tags":[{}]}`,
			"The Tag Key provided is invalid, Key: null"},
		{"CreateTable", `{"TableName":"abc","BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"}],"KeySchema":[{"KeyType":"HASH","AttributeName":"a"}]}`, ""},

		// dl:describeTable.js, deleteTable.js, describeTimeToLive.js
		{"DescribeTable", `{}`, "The parameter 'TableName' is required but was not present in the request"},
		{"DescribeTable", `{"TableName":"ab"}`, "TableName must be at least 3 characters long and at most 255 characters long"},
		{"DescribeTable", `{"TableName":"ab;"}`, "1 validation error detected: Value 'ab;' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"},
		{"DeleteTable", `{"TableName":"a"}`, "TableName must be at least 3 characters long and at most 255 characters long"},
		{"DescribeTimeToLive", `{}`, "The parameter 'TableName' is required but was not present in the request"},

		// dl:listTables.js; dl index.js comment (a recorded answer)
		{"ListTables", `{"Limit":0}`, "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"ListTables", `{"Limit":2147483647,"ExclusiveStartTableName":"89hls;;f;d"}`, "2 validation errors detected: " +
			"Value '2147483647' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100; " +
			"Value '89hls;;f;d' at 'exclusiveStartTableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"},
		{"ListTables", `{"ExclusiveStartTableName":""}`, "2 validation errors detected: " +
			"Value '' at 'exclusiveStartTableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; " +
			"Value '' at 'exclusiveStartTableName' failed to satisfy constraint: Member must have length greater than or equal to 3"},

		// dl:updateTable.js
		{"UpdateTable", `{"TableName":"abc"}`, "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required"},
		{"UpdateTable", `{"TableName":"abc","BillingMode":"PROVISIONED"}`, "One or more parameter values were invalid: ProvisionedThroughput must be specified when BillingMode is PROVISIONED"},
		{"UpdateTable", `{"TableName":"abc","GlobalSecondaryIndexUpdates":[{}]}`, "One or more parameter values were invalid: One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be null"},
		{"UpdateTable", `{"TableName":"abc","GlobalSecondaryIndexUpdates":[{"Delete":{"IndexName":"idx"}},{"Delete":{"IndexName":"idx"}}]}`,
			"One or more parameter values were invalid: Only one global secondary index update per index is allowed simultaneously. Index: idx"},
		{"UpdateTable", `{"TableName":"abc","GlobalSecondaryIndexUpdates":[{"Create":{"IndexName":"x"}}]}`, "3 validation errors detected: " +
			"Value null at 'globalSecondaryIndexUpdates.1.member.create.projection' failed to satisfy constraint: Member must not be null; " +
			"Value 'x' at 'globalSecondaryIndexUpdates.1.member.create.indexName' failed to satisfy constraint: Member must have length greater than or equal to 3; " +
			"Value null at 'globalSecondaryIndexUpdates.1.member.create.keySchema' failed to satisfy constraint: Member must not be null"},
		// An on-demand table's new index has no ProvisionedThroughput.
		{"UpdateTable", `{"TableName":"abc","AttributeDefinitions":[{"AttributeName":"g","AttributeType":"S"}],"GlobalSecondaryIndexUpdates":[{"Create":{"IndexName":"idx","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}}]}`, ""},

		// rec (UpdateTimeToLive, UpdateContinuousBackups)
		{"UpdateTimeToLive", `{"TableName":"abc","TimeToLiveSpecification":{}}`, "2 validation errors detected: " +
			"Value null at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member must not be null; " +
			"Value null at 'timeToLiveSpecification.enabled' failed to satisfy constraint: Member must not be null"},
		{"UpdateTimeToLive", `{"TableName":"abc","TimeToLiveSpecification":{"AttributeName":"","Enabled":true}}`,
			"1 validation error detected: Value '' at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"UpdateContinuousBackups", `{"TableName":"abc","PointInTimeRecoverySpecification":{}}`,
			"1 validation error detected: Value null at 'pointInTimeRecoverySpecification.pointInTimeRecoveryEnabled' failed to satisfy constraint: Member must not be null"},
		{"UpdateContinuousBackups", `{"TableName":"abc","PointInTimeRecoverySpecification":{"PointInTimeRecoveryEnabled":true,"RecoveryPeriodInDays":0}}`,
			"1 validation error detected: Value '0' at 'pointInTimeRecoverySpecification.recoveryPeriodInDays' failed to satisfy constraint: Member must have value greater than or equal to 1"},

		// dl:getItem.js, index.js validateExpressionParams
		{"GetItem", `{}`, "2 validation errors detected: " +
			"Value null at 'tableName' failed to satisfy constraint: Member must not be null; " +
			"Value null at 'key' failed to satisfy constraint: Member must not be null"},
		{"GetItem", `{"TableName":"a","AttributesToGet":[],"ReturnConsumedCapacity":"hi"}`, "4 validation errors detected: " +
			"Value 'hi' at 'returnConsumedCapacity' failed to satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]; " +
			"Value '[]' at 'attributesToGet' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
			"Value 'a' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3; " +
			"Value null at 'key' failed to satisfy constraint: Member must not be null"},
		{"GetItem", `{"TableName":"abc","Key":{"a":{"S":"x"}},"AttributesToGet":["a"],"ProjectionExpression":"a"}`,
			"Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}"},
		{"GetItem", `{"TableName":"abc","Key":{"a":{"S":"x"}},"ExpressionAttributeNames":{"#a":"a"}}`,
			"ExpressionAttributeNames can only be specified when using expressions"},
		{"GetItem", `{"TableName":"abc","Key":{"a":{"S":"x"}},"AttributesToGet":["a","a"]}`,
			"One or more parameter values were invalid: Duplicate value in attribute name: a"},
		{"GetItem", `{"TableName":"abc","Key":{"a":{}}}`, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"},
		{"GetItem", `{"TableName":"abc","Key":{"a":{"S":"x"}},"ProjectionExpression":"a","ExpressionAttributeNames":{}}`, "ExpressionAttributeNames must not be empty"},
		{"GetItem", `{"TableName":"abc","Key":{"a":{"S":"x"}},"ProjectionExpression":"a","ExpressionAttributeNames":{"a":"a"}}`,
			`ExpressionAttributeNames contains invalid key: Syntax error; key: "a"`},
		{"GetItem", `{"TableName":"abc","Key":{"a":{"S":"x"}}}`, ""},

		// dl:putItem.js, index.js
		{"PutItem", `{"TableName":"abc","Item":{"a":{"S":"x"}},"Expected":{"a":{"Exists":false}},"ConditionExpression":"attribute_not_exists(a)"}`,
			"Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}"},
		{"PutItem", `{"TableName":"abc","Item":{"a":{"S":"x"}},"ExpressionAttributeValues":{":a":{"S":"b"}}}`,
			"ExpressionAttributeValues can only be specified when using expressions: ConditionExpression is null"},
		{"PutItem", `{"TableName":"abc","Item":{"a":{"S":"x"}},"ReturnValues":"UPDATED_NEW"}`, "ReturnValues can only be ALL_OLD or NONE"},
		{"PutItem", `{"TableName":"abc","Item":{"a":{"S":"x"}},"ReturnValues":"WHAT"}`,
			"1 validation error detected: Value 'WHAT' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]"},
		{"PutItem", `{"TableName":"abc","Item":{"a":{"S":"` + strings.Repeat("x", MaxItemSize) + `"}}}`, "Item size has exceeded the maximum allowed size"},
		{"PutItem", `{"TableName":"abc","Item":{"a":{"S":"x"}},"Expected":{"a":{}}}`,
			"One or more parameter values were invalid: Value must be provided when Exists is null for Attribute: a"},
		{"PutItem", `{"TableName":"abc","Item":{"a":{"S":"x"}},"Expected":{"a":{"Exists":true}}}`,
			"One or more parameter values were invalid: Value must be provided when Exists is true for Attribute: a"},
		{"PutItem", `{"TableName":"abc","Item":{"a":{"S":"x"}},"Expected":{"a":{"Exists":false,"Value":{"S":"b"}}}}`,
			"One or more parameter values were invalid: Value cannot be used when Exists is false for Attribute: a"},
		{"PutItem", `{"TableName":"abc","Item":{"a":{"S":"x"}},"Expected":{"a":{"ComparisonOperator":"EQ","Exists":true}}}`,
			"One or more parameter values were invalid: Exists and ComparisonOperator cannot be used together for Attribute: a"},
		{"PutItem", `{"TableName":"abc","Item":{"a":{"S":"x"}},"Expected":{"a":{"ComparisonOperator":"EQ"}}}`,
			"One or more parameter values were invalid: Value or AttributeValueList must be used with ComparisonOperator: EQ for Attribute: a"},
		{"PutItem", `{"TableName":"abc","Item":{"a":{"S":"x"}},"Expected":{"a":{"ComparisonOperator":"BETWEEN","AttributeValueList":[{"N":"1"}]}}}`,
			"One or more parameter values were invalid: Invalid number of argument(s) for the BETWEEN ComparisonOperator"},
		{"PutItem", `{"TableName":"abc","Item":{"a":{"S":"x"}},"Expected":{"a":{"ComparisonOperator":"BETWEEN","AttributeValueList":[{"N":"10"},{"N":"9"}]}}}`,
			"The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"},
		{"PutItem", `{"TableName":"abc","Item":{"a":{"S":"x"}},"Expected":{"a":{"AttributeValueList":[{"N":"1"}]}}}`,
			"One or more parameter values were invalid: AttributeValueList can only be used with a ComparisonOperator for Attribute: a"},
		{"PutItem", `{"TableName":"abc","Item":{"a":{"S":"x"}},"ConditionExpression":"a = :a","ExpressionAttributeValues":{}}`,
			"ExpressionAttributeValues must not be empty"},
		{"PutItem", `{"TableName":"abc","Item":{"a":{"S":"x"}},"ConditionExpression":"a = :a","ExpressionAttributeValues":{":a":{}}}`,
			"ExpressionAttributeValues contains invalid value: Supplied AttributeValue is empty, must contain exactly one of the supported datatypes for key :a"},
		{"PutItem", `{"TableName":"abc","Item":{"a":{"S":"x"}},"ConditionExpression":"a = :a","ExpressionAttributeValues":{"a":{"S":"x"}}}`,
			`ExpressionAttributeValues contains invalid key: Syntax error; key: "a"`},
		{"PutItem", `{"TableName":"abc","Item":{"a":{"S":"x"}},"ConditionExpression":"attribute_not_exists(a)"}`, ""},

		// dl:updateItem.js
		{"UpdateItem", `{"TableName":"abc","Key":{"a":{"S":"x"}},"AttributeUpdates":{"b":{"Action":"PUT"}}}`,
			"One or more parameter values were invalid: Only DELETE action is allowed when no attribute value is specified"},
		{"UpdateItem", `{"TableName":"abc","Key":{"a":{"S":"x"}},"AttributeUpdates":{"b":{"Action":"DELETE","Value":{"S":"y"}}}}`,
			"One or more parameter values were invalid: DELETE action with value is not supported for the type S"},
		{"UpdateItem", `{"TableName":"abc","Key":{"a":{"S":"x"}},"AttributeUpdates":{"b":{"Action":"ADD","Value":{"S":"y"}}}}`,
			"One or more parameter values were invalid: ADD action is not supported for the type S"},
		{"UpdateItem", `{"TableName":"abc","Key":{"a":{"S":"x"}},"AttributeUpdates":{"b":{"Action":"PUT","Value":{"S":"y"}}},"UpdateExpression":"SET b = :b"}`,
			"Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributeUpdates} Expression parameters: {UpdateExpression}"},
		{"UpdateItem", `{"TableName":"abc","Key":{"a":{"S":"x"}},"ExpressionAttributeValues":{":b":{"S":"y"}}}`,
			"ExpressionAttributeValues can only be specified when using expressions: UpdateExpression and ConditionExpression are null"},

		// dl:deleteItem.js
		{"DeleteItem", `{"TableName":"abc"}`, "1 validation error detected: Value null at 'key' failed to satisfy constraint: Member must not be null"},

		// dl:batchGetItem.js
		{"BatchGetItem", `{}`, "1 validation error detected: Value null at 'requestItems' failed to satisfy constraint: Member must not be null"},
		{"BatchGetItem", `{"RequestItems":{"abc":{}}}`, "1 validation error detected: Value null at 'requestItems.abc.member.keys' failed to satisfy constraint: Member must not be null"},
		{"BatchGetItem", `{"RequestItems":{"abc":{"Keys":[{"a":{"S":"x"}},{"a":{"S":"y"}}],"AttributesToGet":["a","a"]}}}`,
			"One or more parameter values were invalid: Duplicate value in attribute name: a"},

		// dl:batchWriteItem.js
		{"BatchWriteItem", `{"RequestItems":{"abc":[{}]}}`, "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"},
		{"BatchWriteItem", `{"RequestItems":{"abc":[{"PutRequest":{}}]}}`,
			"1 validation error detected: Value null at 'requestItems.abc.member.1.member.putRequest.item' failed to satisfy constraint: Member must not be null"},
		{"BatchWriteItem", `{"RequestItems":{"abc":[{"DeleteRequest":{"Key":{"a":{"N":"x"}}}}]}}`, "The parameter cannot be converted to a numeric value: x"},

		// dl:query.js
		{"Query", `{"TableName":"abc"}`, "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request."},
		{"Query", `{"TableName":"abc","KeyConditions":{"a":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"x"}]}},"QueryFilter":{"b":{"ComparisonOperator":"NULL"}},"FilterExpression":"b = :b"}`,
			"Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {QueryFilter} Expression parameters: {FilterExpression}"},
		{"Query", `{"TableName":"abc","KeyConditions":{"a":{"ComparisonOperator":"BEGINS_WITH","AttributeValueList":[{"N":"1"}]}}}`,
			"One or more parameter values were invalid: ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type"},
		{"Query", `{"TableName":"abc","KeyConditions":{"a":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"x"}]},"b":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"x"}]},"c":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"x"}]}}}`,
			"Conditions can be of length 1 or 2 only"},
		{"Query", `{"TableName":"abc","KeyConditionExpression":"a = :a","ExclusiveStartKey":{"a":{}}}`,
			"The provided starting key is invalid: Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"},
		{"Query", `{"TableName":"abc","KeyConditionExpression":"a = :a","ExclusiveStartKey":{"a":{"N":"x"}}}`,
			"The parameter cannot be converted to a numeric value: x"},
		{"Query", `{"TableName":"abc","KeyConditionExpression":"a = :a","Limit":0}`,
			"1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"},

		// dl:scan.js
		{"Scan", `{"TableName":"abc","Segment":1}`, "The TotalSegments parameter is required but was not present in the request when Segment parameter is present"},
		{"Scan", `{"TableName":"abc","TotalSegments":2}`, "The Segment parameter is required but was not present in the request when parameter TotalSegments is present"},
		{"Scan", `{"TableName":"abc","TotalSegments":2,"Segment":2}`, "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 2 is not less than TotalSegments: 2"},
		{"Scan", `{"TableName":"abc","TotalSegments":0,"Segment":-1}`, "2 validation errors detected: " +
			"Value '0' at 'totalSegments' failed to satisfy constraint: Member must have value greater than or equal to 1; " +
			"Value '-1' at 'segment' failed to satisfy constraint: Member must have value greater than or equal to 0"},
		{"Scan", `{"TableName":"abc","ProjectionExpression":"a","ExpressionAttributeValues":{":a":{"S":"b"}}}`,
			"ExpressionAttributeValues can only be specified when using expressions: FilterExpression is null"},

		// moto (TransactWriteItems); model constraints
		{"TransactWriteItems", `{"TransactItems":[{"Put":{"TableName":"abc","Item":{"a":{"S":"x"}}},"Delete":{"TableName":"abc","Key":{"a":{"S":"x"}}}}]}`,
			"TransactItems can only contain one of Check, Put, Update or Delete"},
		{"TransactWriteItems", `{"TransactItems":[]}`,
			"1 validation error detected: Value '[]' at 'transactItems' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"TransactWriteItems", `{"TransactItems":[{"Put":{"Item":{"a":{"S":"x"}}}}]}`,
			"1 validation error detected: Value null at 'transactItems.1.member.put.tableName' failed to satisfy constraint: Member must not be null"},
		{"TransactGetItems", `{"TransactItems":[{"Get":{"TableName":"abc","Key":{"a":{"S":"x"}}}}]}`, ""},
		{"TransactGetItems", `{"TransactItems":[{}]}`,
			"1 validation error detected: Value null at 'transactItems.1.member.get' failed to satisfy constraint: Member must not be null"},

		// dl:tagResource.js
		{"TagResource", `{}`, "Invalid TableArn"},
		{"UntagResource", `{}`, "Invalid TableArn"},
		{"ListTagsOfResource", `{}`, "Invalid TableArn"},
	}
	for _, tt := range tests {
		name := tt.op + " " + tt.body
		if len(name) > 100 {
			name = name[:100]
		}
		t.Run(name, func(t *testing.T) {
			if got := validate(t, tt.op, tt.body); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

// TestValidateRenderedList: a list of structures is rendered as Java
// renders it, each element its class and a hash (dlt:createTable.js
// matches it with a pattern; DynamoDB's hash codes cannot be reproduced).
func TestValidateRenderedList(t *testing.T) {
	got := validate(t, "CreateTable", `{"TableName":"abc","AttributeDefinitions":[],"KeySchema":[{"KeyType":"HASH"},{"AttributeName":"a"},{"KeyType":"Woop","AttributeName":"a"}],"ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}}`)
	re := regexp.MustCompile(`^4 validation errors detected: ` +
		`Value '\[com\.amazonaws\.dynamodb\.v20120810\.KeySchemaElement@[0-9a-f]+(, com\.amazonaws\.dynamodb\.v20120810\.KeySchemaElement@[0-9a-f]+){2}\]' at 'keySchema' failed to satisfy constraint: Member must have length less than or equal to 2; ` +
		`Value null at 'keySchema\.1\.member\.attributeName' failed to satisfy constraint: Member must not be null; ` +
		`Value null at 'keySchema\.2\.member\.keyType' failed to satisfy constraint: Member must not be null; ` +
		`Value 'Woop' at 'keySchema\.3\.member\.keyType' failed to satisfy constraint: Member must satisfy enum value set: \[HASH, RANGE\]$`)
	if !re.MatchString(got) {
		t.Fatalf("got %q", got)
	}
}

// TestValidateTenViolations: DynamoDB reports at most ten.
func TestValidateTenViolations(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"TableName":"abc","BillingMode":"PAY_PER_REQUEST","KeySchema":[{"AttributeName":"a","KeyType":"HASH"}],"AttributeDefinitions":[`)
	for i := 0; i < 12; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{}`)
	}
	b.WriteString(`]}`)
	got := validate(t, "CreateTable", b.String())
	if !strings.HasPrefix(got, "10 validation errors detected: ") || strings.Count(got, "Value null") != 10 {
		t.Fatalf("got %q", got)
	}
}

// checker is an ExpressionChecker that records what it was given and
// fails on a condition "bad".
type checker struct{ seen []Expressions }

func (c *checker) CheckExpressions(e *Expressions) error {
	c.seen = append(c.seen, *e)
	if e.Condition != nil && *e.Condition == "bad" {
		return validationError("Invalid ConditionExpression: Syntax error; token: \"bad\"")
	}
	e.Parsed = "parsed"
	return nil
}

// TestExpressionSeam: Validate calls the checker after its own checks, with
// the expressions and substitutions, and keeps what it parsed; a checker
// error is the answer.
func TestExpressionSeam(t *testing.T) {
	c := &checker{}
	in := &UpdateItemInput{Checker: c}
	body := `{"TableName":"abc","Key":{"a":{"S":"x"}},"UpdateExpression":"SET b = :b","ConditionExpression":"attribute_exists(a)","ExpressionAttributeValues":{":b":{"N":"1"}}}`
	if err := json.Unmarshal([]byte(body), in); err != nil {
		t.Fatal(err)
	}
	if err := in.Validate(); err != nil {
		t.Fatal(err)
	}
	if len(c.seen) != 1 || *c.seen[0].Update != "SET b = :b" || *c.seen[0].Condition != "attribute_exists(a)" || c.seen[0].Values[":b"].N == nil {
		t.Fatalf("checker saw %+v", c.seen)
	}
	if in.Parsed != "parsed" {
		t.Fatalf("Parsed = %v", in.Parsed)
	}
	// A fault found before the parse is answered without calling it.
	c.seen = nil
	bad := &PutItemInput{Checker: c}
	json.Unmarshal([]byte(`{"TableName":"abc","Item":{"a":{}},"ConditionExpression":"bad"}`), bad)
	if err := bad.Validate(); err == nil || len(c.seen) != 0 {
		t.Fatalf("err %v, checker called %d times", err, len(c.seen))
	}
	bad = &PutItemInput{Checker: c}
	json.Unmarshal([]byte(`{"TableName":"abc","Item":{"a":{"S":"x"}},"ConditionExpression":"bad"}`), bad)
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "Invalid ConditionExpression") {
		t.Fatalf("err %v", err)
	}
	// Each transaction item's expressions are checked, each keeps its own.
	tw := &TransactWriteItemsInput{Checker: c}
	json.Unmarshal([]byte(`{"TransactItems":[{"ConditionCheck":{"TableName":"abc","Key":{"a":{"S":"x"}},"ConditionExpression":"attribute_exists(a)"}},{"Put":{"TableName":"abc","Item":{"a":{"S":"y"}}}}]}`), tw)
	if err := tw.Validate(); err != nil {
		t.Fatal(err)
	}
	if tw.TransactItems[0].Parsed != "parsed" || tw.TransactItems[1].Parsed != "parsed" {
		t.Fatalf("parsed: %v", tw.TransactItems)
	}
}

// TestTagARNChecks: the checks after Validate, in DynamoDB's order
// (dl:tagResource.js, untagResource.js; rec for the empty tag key).
func TestTagARNChecks(t *testing.T) {
	s := func(v string) *string { return &v }
	arn := "arn:aws:dynamodb:us-east-1:000000000000:table/abc"
	tests := []struct {
		in   interface{ CheckARN(string, string) error }
		code string
		msg  string
	}{
		{&TagResourceInput{ResourceArn: s("abc")}, eddy.CodeAccessDenied,
			"User: arn:aws:iam::000000000000:root is not authorized to perform: dynamodb:TagResource on resource: abc"},
		{&TagResourceInput{ResourceArn: s(arn)}, eddy.CodeValidation,
			"1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null"},
		{&TagResourceInput{ResourceArn: s("arn:aws:dynamodb:us-east-1:000000000000:stream/abc"), Tags: []Tag{}}, eddy.CodeValidation,
			"Invalid TableArn: Invalid ResourceArn provided as input arn:aws:dynamodb:us-east-1:000000000000:stream/abc"},
		{&TagResourceInput{ResourceArn: s(arn), Tags: []Tag{}}, eddy.CodeValidation, "Atleast one Tag needs to be provided as Input."},
		{&TagResourceInput{ResourceArn: s(arn), Tags: []Tag{{Key: s("k")}}}, eddy.CodeValidation, "The Tag Value provided is invalid, Value: null"},
		{&TagResourceInput{ResourceArn: s(arn), Tags: []Tag{{Key: s("k"), Value: s("v")}}}, "", ""},
		{&UntagResourceInput{ResourceArn: s(arn), TagKeys: []string{}}, eddy.CodeValidation, "Atleast one Tag Key needs to be provided as Input."},
		{&UntagResourceInput{ResourceArn: s(arn), TagKeys: []string{""}}, eddy.CodeValidation, "The Tag Key provided is invalid, Key: "},
		{&ListTagsOfResourceInput{ResourceArn: s(arn)}, "", ""},
	}
	for i, tt := range tests {
		err := tt.in.CheckARN("000000000000", "root")
		if tt.code == "" {
			if err != nil {
				t.Errorf("%d: %v", i, err)
			}
			continue
		}
		var ee *eddy.Error
		if !errors.As(err, &ee) || ee.Code != tt.code || ee.Message != tt.msg {
			t.Errorf("%d: got %v, want %s: %s", i, err, tt.code, tt.msg)
		}
	}
}

// TestErrorsOnTheWire: DynamoDB's "__type" namespaces and message keys,
// and the two exceptions with members.
func TestErrorsOnTheWire(t *testing.T) {
	for code, want := range map[string]string{
		eddy.CodeResourceNotFound:       "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException", // developer guide
		eddy.CodeConditionalCheckFailed: "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",
		eddy.CodeValidation:             "com.amazon.coral.validate#ValidationException",        // dynalite db/index.js
		eddy.CodeSerialization:          "com.amazon.coral.service#SerializationException",      // dynalite index.js
		eddy.CodeUnknownOperation:       "com.amazon.coral.service#UnknownOperationException",   // dynalite test/connection.js
		eddy.CodeThrottling:             "com.amazon.coral.availability#ThrottlingException",    // dynalite test/helpers.js
		eddy.CodeAccessDenied:           "com.amazon.coral.service#AccessDeniedException",       // dynalite tagResource.js
		eddy.CodeInternalServerError:    "com.amazonaws.dynamodb.v20120810#InternalServerError", // the model's
	} {
		if got := ErrorType(code); got != want {
			t.Errorf("ErrorType(%s) = %s, want %s", code, got, want)
		}
	}
	for code, want := range map[string]string{
		eddy.CodeSerialization: "Message", eddy.CodeTransactionCanceled: "Message", eddy.CodeAccessDenied: "Message",
		eddy.CodeValidation: "message", eddy.CodeConditionalCheckFailed: "message", eddy.CodeResourceNotFound: "message",
	} {
		if got := MessageKey(code); got != want {
			t.Errorf("MessageKey(%s) = %s, want %s", code, got, want)
		}
	}
	for _, code := range []string{eddy.CodeConditionalCheckFailed, eddy.CodeTransactionCanceled, eddy.CodeRequestLimitExceeded,
		eddy.CodeThrottling, eddy.CodeInternalServerError, eddy.CodeTransactionConflict} {
		if _, ok := eddy.Lookup(code); !ok {
			t.Errorf("%s is not in the eddy catalog", code)
		}
	}
	s := "x"
	e := ConditionalCheckFailed(attr.Item{"a": {S: &s}})
	if e.Message != "The conditional request failed" || len(e.Members) != 1 || e.Members[0].Name != "Item" {
		t.Fatalf("%+v", e)
	}
	if e := ConditionalCheckFailed(nil); len(e.Members) != 0 {
		t.Fatalf("members without an item: %+v", e.Members)
	}
	tc := TransactionCanceled([]CancellationReason{{Code: "None"}, {Code: "ConditionalCheckFailed", Message: MsgConditionalCheckFailed}})
	if tc.Message != "Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]" ||
		tc.Members[0].Name != "CancellationReasons" {
		t.Fatalf("%+v", tc)
	}
}
