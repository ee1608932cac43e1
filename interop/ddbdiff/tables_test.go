package ddbdiff

import (
	"fmt"
	"testing"
)

// Table operations and the remaining read options: errors of table
// lifecycle calls, UpdateTable, ListTables paging, ReturnConsumedCapacity,
// Scan's Limit with a filter, Select, ExclusiveStartKey errors, tags.
func TestTablesAndReadOptions(t *testing.T) {
	p := newPair(t)
	table := p.hashTable("a")
	p.hashTable("b")
	p.hashTable("c")
	p.call("DescribeTable of a missing table", "DescribeTable", `{"TableName":"$P-missing"}`)
	p.call("DeleteTable of a missing table", "DeleteTable", `{"TableName":"$P-missing"}`)
	p.call("UpdateTable throughput", "UpdateTable", `{"TableName":"$P-b","ProvisionedThroughput":{"ReadCapacityUnits":7,"WriteCapacityUnits":9}}`)
	p.call("UpdateTable of a missing table", "UpdateTable", `{"TableName":"$P-missing","ProvisionedThroughput":{"ReadCapacityUnits":7,"WriteCapacityUnits":9}}`)
	p.waitActive(p.sub("$P-b"))
	p.call("DescribeTable after UpdateTable", "DescribeTable", `{"TableName":"$P-b"}`)
	p.call("ListTables from the prefix, Limit 2", "ListTables", `{"ExclusiveStartTableName":"$P","Limit":2}`)
	p.call("ListTables from the second, Limit 1", "ListTables", `{"ExclusiveStartTableName":"$P-a","Limit":1}`)

	for i := range 12 {
		p.put(table, fmt.Sprintf(`{"id":{"S":"k%02d"},"n":{"N":"%d"},"pad":{"S":"%0*d"}}`, i, i, 100*i+1, 0))
	}
	for _, rcc := range []string{"TOTAL", "INDEXES", "NONE"} {
		p.call("GetItem ReturnConsumedCapacity "+rcc, "GetItem", fmt.Sprintf(`{"TableName":%q,"Key":{"id":{"S":"k05"}},"ReturnConsumedCapacity":%q}`, table, rcc))
		p.call("GetItem consistent ReturnConsumedCapacity "+rcc, "GetItem", fmt.Sprintf(`{"TableName":%q,"Key":{"id":{"S":"k11"}},"ConsistentRead":true,"ReturnConsumedCapacity":%q}`, table, rcc))
		p.call("PutItem ReturnConsumedCapacity "+rcc, "PutItem", fmt.Sprintf(`{"TableName":%q,"Item":{"id":{"S":"big"},"pad":{"S":"%0*d"}},"ReturnConsumedCapacity":%q}`, table, 3000, 0, rcc))
		p.call("DeleteItem ReturnConsumedCapacity "+rcc, "DeleteItem", fmt.Sprintf(`{"TableName":%q,"Key":{"id":{"S":"big"}},"ReturnConsumedCapacity":%q}`, table, rcc))
		p.call("UpdateItem ReturnConsumedCapacity "+rcc, "UpdateItem", fmt.Sprintf(`{"TableName":%q,"Key":{"id":{"S":"k01"}},"UpdateExpression":"SET m = :v","ExpressionAttributeValues":{":v":{"N":"1"}},"ReturnConsumedCapacity":%q}`, table, rcc))
		p.call("Scan ReturnConsumedCapacity "+rcc, "Scan", fmt.Sprintf(`{"TableName":%q,"ReturnConsumedCapacity":%q,"Select":"COUNT"}`, table, rcc))
	}
	p.call("Scan Select COUNT with a filter", "Scan", fmt.Sprintf(`{"TableName":%q,"Select":"COUNT","FilterExpression":"n > :x","ExpressionAttributeValues":{":x":{"N":"4"}}}`, table))
	p.call("Scan Limit with a filter: counts only", "Scan", fmt.Sprintf(`{"TableName":%q,"Select":"COUNT","Limit":5,"FilterExpression":"n > :x","ExpressionAttributeValues":{":x":{"N":"4"}}}`, table))
	p.call("Scan ScanFilter legacy", "Scan", fmt.Sprintf(`{"TableName":%q,"ScanFilter":{"n":{"ComparisonOperator":"BETWEEN","AttributeValueList":[{"N":"3"},{"N":"6"}]}},"AttributesToGet":["id"]}`, table), unordered("Items"))
	p.call("Scan ScanFilter IN / NOT_NULL / CONTAINS", "Scan", fmt.Sprintf(`{"TableName":%q,"ScanFilter":{"n":{"ComparisonOperator":"IN","AttributeValueList":[{"N":"3"},{"N":"6"}]},"id":{"ComparisonOperator":"CONTAINS","AttributeValueList":[{"S":"0"}]},"pad":{"ComparisonOperator":"NOT_NULL"}}}`, table), unordered("Items"))
	// ConditionalOperator OR: dynalite's matchesFilter (db/index.js) stops
	// at the first condition that is false, OR or not; the API reference
	// (ScanInput.ConditionalOperator): "OR - If any of the conditions
	// evaluate to true, then the entire map evaluates to true." Every item
	// has pad, so all 12 match.
	if e := p.eddy.raw(t, rawRequest{Op: "Scan", Body: fmt.Sprintf(`{"TableName":%q,"Select":"COUNT","ScanFilter":{"n":{"ComparisonOperator":"IN","AttributeValueList":[{"N":"3"},{"N":"6"}]},"pad":{"ComparisonOperator":"NOT_NULL"}},"ConditionalOperator":"OR"}`, table)}); !selftest() && message(e) == "" {
		if m, _ := e.Body.(map[string]any); fmt.Sprint(m["Count"]) != "12" {
			t.Errorf("Scan with ScanFilter and ConditionalOperator OR: eddy %s, want Count 12", e.Raw)
		}
	}
	p.call("Scan Select SPECIFIC_ATTRIBUTES", "Scan", fmt.Sprintf(`{"TableName":%q,"Select":"SPECIFIC_ATTRIBUTES","ProjectionExpression":"n"}`, table), unordered("Items"))
	p.call("Scan Select ALL_PROJECTED_ATTRIBUTES on a table", "Scan", fmt.Sprintf(`{"TableName":%q,"Select":"ALL_PROJECTED_ATTRIBUTES"}`, table))
	p.call("Scan with a bad ExclusiveStartKey", "Scan", fmt.Sprintf(`{"TableName":%q,"ExclusiveStartKey":{"nope":{"S":"x"}}}`, table))
	p.call("Scan with an ExclusiveStartKey of the wrong type", "Scan", fmt.Sprintf(`{"TableName":%q,"ExclusiveStartKey":{"id":{"N":"1"}}}`, table))
	p.call("Scan with a Segment and no TotalSegments", "Scan", fmt.Sprintf(`{"TableName":%q,"Segment":1}`, table))
	p.call("Scan with Segment >= TotalSegments", "Scan", fmt.Sprintf(`{"TableName":%q,"Segment":2,"TotalSegments":2}`, table))
	p.call("Query on a hash-only table without its key", "Query", fmt.Sprintf(`{"TableName":%q,"KeyConditionExpression":"n = :n","ExpressionAttributeValues":{":n":{"N":"1"}}}`, table))
	p.call("Query with a range condition on a hash-only table", "Query", fmt.Sprintf(`{"TableName":%q,"KeyConditionExpression":"id = :i AND n > :n","ExpressionAttributeValues":{":i":{"S":"k01"},":n":{"N":"1"}}}`, table))
	p.call("Query with a filter on the key", "Query", fmt.Sprintf(`{"TableName":%q,"KeyConditionExpression":"id = :i","FilterExpression":"id = :i","ExpressionAttributeValues":{":i":{"S":"k01"}}}`, table))
	p.call("Query with OR in the key condition", "Query", fmt.Sprintf(`{"TableName":%q,"KeyConditionExpression":"id = :i OR id = :j","ExpressionAttributeValues":{":i":{"S":"k01"},":j":{"S":"k02"}}}`, table))
	p.call("Query with a function in the key condition", "Query", fmt.Sprintf(`{"TableName":%q,"KeyConditionExpression":"attribute_exists(id)"}`, table))
	p.call("GetItem with a missing key attribute", "GetItem", fmt.Sprintf(`{"TableName":%q,"Key":{}}`, table))
	p.call("PutItem ReturnValues ALL_NEW (invalid for PutItem)", "PutItem", fmt.Sprintf(`{"TableName":%q,"Item":{"id":{"S":"x"}},"ReturnValues":"ALL_NEW"}`, table))
	p.call("DeleteItem ReturnValues UPDATED_OLD (invalid)", "DeleteItem", fmt.Sprintf(`{"TableName":%q,"Key":{"id":{"S":"x"}},"ReturnValues":"UPDATED_OLD"}`, table))
	// CreateTable of an existing table: ResourceInUseException on both;
	// dynalite's message is empty (actions/createTable.js), DynamoDB's is
	// "Table already exists: NAME" (quoted from AWS in joshsymonds/Dynamoid
	// issue 178).
	e := p.eddy.raw(t, rawRequest{Op: "CreateTable", Body: fmt.Sprintf(`{"TableName":%q,"AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],"KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"}`, table)})
	if want := "Table already exists: " + table; !selftest() && (e.errType() != "ResourceInUseException" || message(e) != want) {
		t.Errorf("CreateTable of an existing table: eddy %d %s, want ResourceInUseException %q", e.Status, e.Raw, want)
	}
	p.call("DescribeTimeToLive", "DescribeTimeToLive", fmt.Sprintf(`{"TableName":%q}`, table))

	// Tags: dynalite keeps them too.
	arn := "arn:aws:dynamodb:us-east-1:000000000000:table/" + table
	eArn := p.eddy.tableArn(t, table)
	if eArn != "" {
		arn = eArn
	}
	p.call("TagResource", "TagResource", fmt.Sprintf(`{"ResourceArn":%q,"Tags":[{"Key":"a","Value":"1"},{"Key":"b","Value":"2"}]}`, arn))
	p.call("ListTagsOfResource", "ListTagsOfResource", fmt.Sprintf(`{"ResourceArn":%q}`, arn), unordered("Tags"))
	p.call("UntagResource", "UntagResource", fmt.Sprintf(`{"ResourceArn":%q,"TagKeys":["a","zz"]}`, arn))
	p.call("ListTagsOfResource after untag", "ListTagsOfResource", fmt.Sprintf(`{"ResourceArn":%q}`, arn))
	p.call("TagResource of a missing table", "TagResource", fmt.Sprintf(`{"ResourceArn":%q,"Tags":[{"Key":"a","Value":"1"}]}`, arn+"-missing"))
}

// tableArn returns the table's ARN as the server describes it.
func (tg *target) tableArn(t *testing.T, table string) string {
	r := tg.raw(t, rawRequest{Op: "DescribeTable", Body: `{"TableName":"` + table + `"}`})
	m, _ := r.Body.(map[string]any)
	tbl, _ := m["Table"].(map[string]any)
	s, _ := tbl["TableArn"].(string)
	return s
}
