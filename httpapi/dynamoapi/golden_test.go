package dynamoapi

// Golden request/response files for every operation. One scenario
// (goldenScenario) runs in order against one engine: in-memory storage, a
// fake clock and table ids counted from 1, so every answer is the same on
// every run. Each exchange is written to
// testdata/golden/<Operation>/<case>.json.txt (format as in
// httpapi/kinesisapi/testdata/golden/README.md, JSON 1.0 only).
//
//	go test ./httpapi/dynamoapi -run Golden           compare
//	go test ./httpapi/dynamoapi -run Golden -update   rewrite
//
// The test also checks that the scenario is deterministic (it runs
// twice) and that every served operation has a successful exchange, and
// a failing one where the operation can fail after Validate.

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"github.com/eddy-streams/eddy/internal/goldenfile"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/dynamo"
	"github.com/eddy-streams/eddy/httpapi"
	"github.com/eddy-streams/eddy/kinesis"
	"github.com/eddy-streams/eddy/storage/mem"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

const goldenDir = "testdata/golden"

var goldenStart = time.Date(2024, 1, 2, 3, 4, 5, 678_000_000, time.UTC)

const unverifiedAuth = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240102/us-east-1/dynamodb/aws4_request, " +
	"SignedHeaders=content-type;host;x-amz-date;x-amz-target, " +
	"Signature=0000000000000000000000000000000000000000000000000000000000000000"

// step is one exchange: an operation, the case's name, what it shows, and
// the request body (JSON).
type step struct {
	op, name, note, body string
	advance              time.Duration // move the clock before the request
}

const (
	arnEvents = "arn:aws:dynamodb:us-east-1:000000000000:table/events"
	arnNope   = "arn:aws:dynamodb:us-east-1:000000000000:table/nope"
)

var goldenScenario = []step{
	{op: "CreateTable", name: "ok", note: "hash and range keys, a GSI, provisioned", body: `{"TableName":"events",
		"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"},{"AttributeName":"kind","AttributeType":"S"}],
		"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],
		"GlobalSecondaryIndexes":[{"IndexName":"byKind","KeySchema":[{"AttributeName":"kind","KeyType":"HASH"}],"Projection":{"ProjectionType":"KEYS_ONLY"},
			"ProvisionedThroughput":{"ReadCapacityUnits":5,"WriteCapacityUnits":5}}],
		"ProvisionedThroughput":{"ReadCapacityUnits":5,"WriteCapacityUnits":5},"Tags":[{"Key":"team","Value":"a"}]}`},
	{op: "CreateTable", name: "lease-table", note: "a KCL lease table, on demand", body: `{"TableName":"leases",
		"AttributeDefinitions":[{"AttributeName":"leaseKey","AttributeType":"S"}],"KeySchema":[{"AttributeName":"leaseKey","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"}`},
	{op: "CreateTable", name: "exists", note: "the table exists", body: `{"TableName":"leases",
		"AttributeDefinitions":[{"AttributeName":"leaseKey","AttributeType":"S"}],"KeySchema":[{"AttributeName":"leaseKey","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"}`},
	{op: "CreateTable", name: "no-key-schema", note: "KeySchema missing", body: `{"TableName":"x12","AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}`},
	{op: "DescribeTable", name: "ok", advance: time.Second, body: `{"TableName":"events"}`},
	{op: "DescribeTable", name: "not-found", body: `{"TableName":"nope"}`},
	{op: "ListTables", name: "ok", body: `{}`},
	{op: "ListTables", name: "page", note: "Limit 1", body: `{"Limit":1}`},
	{op: "ListTables", name: "bad-limit", body: `{"Limit":0}`},

	{op: "PutItem", name: "ok", body: `{"TableName":"events","Item":{"pk":{"S":"a"},"sk":{"N":"1"},"kind":{"S":"click"},"n":{"N":"1.50"},"tags":{"SS":["x","y"]},"m":{"M":{"l":{"L":[{"BOOL":true},{"NULL":true}]}}}}}`},
	{op: "PutItem", name: "more", note: "more items of hash key a", body: `{"TableName":"events","Item":{"pk":{"S":"a"},"sk":{"N":"2"},"kind":{"S":"view"}}}`},
	{op: "PutItem", name: "more-b", body: `{"TableName":"events","Item":{"pk":{"S":"b"},"sk":{"N":"-3"},"kind":{"S":"click"},"bin":{"B":"AAEC"}}}`},
	{op: "PutItem", name: "all-old", note: "ReturnValues ALL_OLD and capacity", body: `{"TableName":"events","Item":{"pk":{"S":"a"},"sk":{"N":"2"},"kind":{"S":"view"},"v":{"N":"2"}},
		"ReturnValues":"ALL_OLD","ReturnConsumedCapacity":"INDEXES"}`},
	{op: "PutItem", name: "condition-failed", body: `{"TableName":"events","Item":{"pk":{"S":"a"},"sk":{"N":"1"}},"ConditionExpression":"attribute_not_exists(pk)"}`},
	{op: "PutItem", name: "condition-failed-all-old", note: "ReturnValuesOnConditionCheckFailure ALL_OLD", body: `{"TableName":"events","Item":{"pk":{"S":"a"},"sk":{"N":"2"}},
		"ConditionExpression":"v = :v","ExpressionAttributeValues":{":v":{"N":"3"}},"ReturnValuesOnConditionCheckFailure":"ALL_OLD"}`},
	{op: "PutItem", name: "legacy-expected", note: "Expected, as KCL 2.x sends it", body: `{"TableName":"leases","Item":{"leaseKey":{"S":"shard-0"},"leaseCounter":{"N":"0"}},"Expected":{"leaseKey":{"Exists":false}}}`},
	{op: "PutItem", name: "missing-key", body: `{"TableName":"events","Item":{"pk":{"S":"a"}}}`},
	{op: "PutItem", name: "key-type", body: `{"TableName":"events","Item":{"pk":{"N":"1"},"sk":{"N":"1"}}}`},
	{op: "PutItem", name: "index-key-type", body: `{"TableName":"events","Item":{"pk":{"S":"a"},"sk":{"N":"9"},"kind":{"N":"1"}}}`},
	{op: "PutItem", name: "not-found", body: `{"TableName":"nope","Item":{"pk":{"S":"a"}}}`},
	{op: "PutItem", name: "syntax-error", body: `{"TableName":"events","Item":{"pk":{"S":"a"},"sk":{"N":"1"}},"ConditionExpression":"attribute_not_exists(pk) AND"}`},

	{op: "GetItem", name: "ok", body: `{"TableName":"events","Key":{"pk":{"S":"a"},"sk":{"N":"1"}},"ConsistentRead":true,"ReturnConsumedCapacity":"TOTAL"}`},
	{op: "GetItem", name: "projection", body: `{"TableName":"events","Key":{"pk":{"S":"a"},"sk":{"N":"1"}},"ProjectionExpression":"#n, m.l[1]","ExpressionAttributeNames":{"#n":"n"}}`},
	{op: "GetItem", name: "no-item", body: `{"TableName":"events","Key":{"pk":{"S":"zz"},"sk":{"N":"1"}}}`},
	{op: "GetItem", name: "bad-key", body: `{"TableName":"events","Key":{"pk":{"S":"a"}}}`},
	{op: "GetItem", name: "not-found", body: `{"TableName":"nope","Key":{"pk":{"S":"a"}}}`},

	{op: "UpdateItem", name: "ok", note: "SET with arithmetic, ADD to a set, ALL_NEW", body: `{"TableName":"events","Key":{"pk":{"S":"a"},"sk":{"N":"1"}},
		"UpdateExpression":"set n = n + :d, m.l[0] = :f add tags :t","ExpressionAttributeValues":{":d":{"N":"0.5"},":f":{"BOOL":false},":t":{"SS":["z"]}},"ReturnValues":"ALL_NEW"}`},
	{op: "UpdateItem", name: "updated-old", body: `{"TableName":"events","Key":{"pk":{"S":"a"},"sk":{"N":"1"}},"UpdateExpression":"REMOVE tags","ReturnValues":"UPDATED_OLD"}`},
	{op: "UpdateItem", name: "legacy", note: "AttributeUpdates and Expected, as KCL 2.x renews a lease", body: `{"TableName":"leases","Key":{"leaseKey":{"S":"shard-0"}},
		"AttributeUpdates":{"leaseCounter":{"Action":"ADD","Value":{"N":"1"}},"leaseOwner":{"Action":"PUT","Value":{"S":"worker-1"}}},
		"Expected":{"leaseCounter":{"Value":{"N":"0"}}},"ReturnValues":"UPDATED_NEW"}`},
	{op: "UpdateItem", name: "key-attribute", body: `{"TableName":"events","Key":{"pk":{"S":"a"},"sk":{"N":"1"}},"UpdateExpression":"SET sk = :v","ExpressionAttributeValues":{":v":{"N":"5"}}}`},
	{op: "UpdateItem", name: "condition-failed", body: `{"TableName":"leases","Key":{"leaseKey":{"S":"shard-0"}},"UpdateExpression":"SET leaseOwner = :o",
		"ConditionExpression":"leaseOwner = :prev","ExpressionAttributeValues":{":o":{"S":"w2"},":prev":{"S":"w9"}}}`},
	{op: "UpdateItem", name: "missing-operand", body: `{"TableName":"events","Key":{"pk":{"S":"a"},"sk":{"N":"1"}},"UpdateExpression":"SET x = nothing + :one","ExpressionAttributeValues":{":one":{"N":"1"}}}`},
	{op: "UpdateItem", name: "not-found", body: `{"TableName":"nope","Key":{"pk":{"S":"a"}},"UpdateExpression":"REMOVE x"}`},

	{op: "Query", name: "ok", body: `{"TableName":"events","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"a"}}}`},
	{op: "Query", name: "reverse-limit", note: "ScanIndexForward false, Limit 1: LastEvaluatedKey", body: `{"TableName":"events","KeyConditionExpression":"pk = :p AND sk BETWEEN :lo AND :hi",
		"ExpressionAttributeValues":{":p":{"S":"a"},":lo":{"N":"0"},":hi":{"N":"5"}},"ScanIndexForward":false,"Limit":1}`},
	{op: "Query", name: "index", body: `{"TableName":"events","IndexName":"byKind","KeyConditionExpression":"kind = :k","ExpressionAttributeValues":{":k":{"S":"click"}},"ReturnConsumedCapacity":"INDEXES"}`},
	{op: "Query", name: "filter-count", body: `{"TableName":"events","KeyConditionExpression":"pk = :p","FilterExpression":"attribute_exists(v)","ExpressionAttributeValues":{":p":{"S":"a"}},"Select":"COUNT"}`},
	{op: "Query", name: "legacy", note: "KeyConditions", body: `{"TableName":"events","KeyConditions":{"pk":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"b"}]}}}`},
	{op: "Query", name: "filter-on-key", body: `{"TableName":"events","KeyConditionExpression":"pk = :p","FilterExpression":"sk > :s","ExpressionAttributeValues":{":p":{"S":"a"},":s":{"N":"1"}}}`},
	{op: "Query", name: "no-index", body: `{"TableName":"events","IndexName":"nope","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"a"}}}`},
	{op: "Query", name: "missed-key", body: `{"TableName":"events","KeyConditionExpression":"sk = :s","ExpressionAttributeValues":{":s":{"N":"1"}}}`},
	{op: "Query", name: "not-found", body: `{"TableName":"nope","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"a"}}}`},

	{op: "Scan", name: "ok", body: `{"TableName":"events"}`},
	{op: "Scan", name: "segment", body: `{"TableName":"events","Segment":1,"TotalSegments":2,"ProjectionExpression":"pk, sk"}`},
	{op: "Scan", name: "filter-limit", body: `{"TableName":"events","FilterExpression":"kind = :k","ExpressionAttributeValues":{":k":{"S":"click"}},"Limit":2}`},
	{op: "Scan", name: "bad-start-key", body: `{"TableName":"events","ExclusiveStartKey":{"pk":{"S":"a"}}}`},
	{op: "Scan", name: "not-found", body: `{"TableName":"nope"}`},

	{op: "BatchWriteItem", name: "ok", body: `{"RequestItems":{"leases":[{"PutRequest":{"Item":{"leaseKey":{"S":"shard-1"}}}},{"PutRequest":{"Item":{"leaseKey":{"S":"shard-2"}}}},
		{"DeleteRequest":{"Key":{"leaseKey":{"S":"shard-9"}}}}]},"ReturnConsumedCapacity":"TOTAL"}`},
	{op: "BatchWriteItem", name: "duplicates", body: `{"RequestItems":{"leases":[{"PutRequest":{"Item":{"leaseKey":{"S":"shard-1"}}}},{"DeleteRequest":{"Key":{"leaseKey":{"S":"shard-1"}}}}]}}`},
	{op: "BatchWriteItem", name: "bad-key", body: `{"RequestItems":{"leases":[{"PutRequest":{"Item":{"other":{"S":"x"}}}}]}}`},
	{op: "BatchWriteItem", name: "not-found", body: `{"RequestItems":{"nope":[{"PutRequest":{"Item":{"leaseKey":{"S":"x"}}}}]}}`},
	{op: "BatchGetItem", name: "ok", body: `{"RequestItems":{"leases":{"Keys":[{"leaseKey":{"S":"shard-1"}},{"leaseKey":{"S":"shard-7"}}],"ConsistentRead":true}}}`},
	{op: "BatchGetItem", name: "duplicates", body: `{"RequestItems":{"leases":{"Keys":[{"leaseKey":{"S":"shard-1"}},{"leaseKey":{"S":"shard-1"}}]}}}`},
	{op: "BatchGetItem", name: "not-found", body: `{"RequestItems":{"nope":{"Keys":[{"leaseKey":{"S":"shard-1"}}]}}}`},

	{op: "TransactWriteItems", name: "ok", body: `{"TransactItems":[
		{"ConditionCheck":{"TableName":"leases","Key":{"leaseKey":{"S":"shard-0"}},"ConditionExpression":"attribute_exists(leaseKey)"}},
		{"Put":{"TableName":"leases","Item":{"leaseKey":{"S":"shard-3"}}}},
		{"Update":{"TableName":"leases","Key":{"leaseKey":{"S":"shard-1"}},"UpdateExpression":"SET checkpoint = :c","ExpressionAttributeValues":{":c":{"S":"TRIM_HORIZON"}}}},
		{"Delete":{"TableName":"leases","Key":{"leaseKey":{"S":"shard-2"}}}}],"ClientRequestToken":"token-1","ReturnConsumedCapacity":"TOTAL"}`},
	{op: "TransactWriteItems", name: "cancelled", body: `{"TransactItems":[
		{"Put":{"TableName":"leases","Item":{"leaseKey":{"S":"shard-4"}}}},
		{"ConditionCheck":{"TableName":"leases","Key":{"leaseKey":{"S":"shard-0"}},"ConditionExpression":"attribute_not_exists(leaseKey)","ReturnValuesOnConditionCheckFailure":"ALL_OLD"}}]}`},
	{op: "TransactWriteItems", name: "same-item", body: `{"TransactItems":[
		{"Put":{"TableName":"leases","Item":{"leaseKey":{"S":"shard-4"}}}},{"Delete":{"TableName":"leases","Key":{"leaseKey":{"S":"shard-4"}}}}]}`},
	{op: "TransactWriteItems", name: "token-mismatch", note: "token-1 again with other items", body: `{"TransactItems":[
		{"Put":{"TableName":"leases","Item":{"leaseKey":{"S":"shard-5"}}}}],"ClientRequestToken":"token-1"}`},
	{op: "TransactWriteItems", name: "not-found", body: `{"TransactItems":[{"Put":{"TableName":"nope","Item":{"leaseKey":{"S":"x"}}}}]}`},
	{op: "TransactGetItems", name: "ok", body: `{"TransactItems":[{"Get":{"TableName":"leases","Key":{"leaseKey":{"S":"shard-1"}}}},{"Get":{"TableName":"leases","Key":{"leaseKey":{"S":"shard-2"}}}}]}`},
	{op: "TransactGetItems", name: "not-found", body: `{"TransactItems":[{"Get":{"TableName":"nope","Key":{"leaseKey":{"S":"x"}}}}]}`},

	{op: "DeleteItem", name: "ok", body: `{"TableName":"events","Key":{"pk":{"S":"b"},"sk":{"N":"-3"}},"ReturnValues":"ALL_OLD"}`},
	{op: "DeleteItem", name: "condition-failed", body: `{"TableName":"events","Key":{"pk":{"S":"a"},"sk":{"N":"1"}},"Expected":{"n":{"ComparisonOperator":"GT","AttributeValueList":[{"N":"100"}]}}}`},
	{op: "DeleteItem", name: "bad-key", body: `{"TableName":"events","Key":{"pk":{"S":"a"},"sk":{"S":"1"}}}`},
	{op: "DeleteItem", name: "not-found", body: `{"TableName":"nope","Key":{"pk":{"S":"a"}}}`},

	{op: "UpdateTable", name: "create-index", note: "a GSI, backfilled", body: `{"TableName":"leases","AttributeDefinitions":[{"AttributeName":"leaseOwner","AttributeType":"S"}],
		"GlobalSecondaryIndexUpdates":[{"Create":{"IndexName":"byOwner","KeySchema":[{"AttributeName":"leaseOwner","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}}]}`},
	{op: "UpdateTable", name: "index-exists", body: `{"TableName":"leases","AttributeDefinitions":[{"AttributeName":"leaseOwner","AttributeType":"S"}],
		"GlobalSecondaryIndexUpdates":[{"Create":{"IndexName":"byOwner","KeySchema":[{"AttributeName":"leaseOwner","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}}]}`},
	{op: "UpdateTable", name: "throughput", body: `{"TableName":"events","ProvisionedThroughput":{"ReadCapacityUnits":10,"WriteCapacityUnits":5}}`},
	{op: "UpdateTable", name: "not-found", body: `{"TableName":"nope","BillingMode":"PAY_PER_REQUEST"}`},

	{op: "UpdateTimeToLive", name: "ok", body: `{"TableName":"leases","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"expires"}}`},
	{op: "UpdateTimeToLive", name: "already-enabled", body: `{"TableName":"leases","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"expires"}}`},
	{op: "UpdateTimeToLive", name: "not-found", body: `{"TableName":"nope","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"expires"}}`},
	{op: "DescribeTimeToLive", name: "ok", body: `{"TableName":"leases"}`},
	{op: "DescribeTimeToLive", name: "not-found", body: `{"TableName":"nope"}`},

	{op: "TagResource", name: "ok", body: `{"ResourceArn":"` + arnEvents + `","Tags":[{"Key":"env","Value":"test"}]}`},
	{op: "TagResource", name: "not-found", body: `{"ResourceArn":"` + arnNope + `","Tags":[{"Key":"env","Value":"test"}]}`},
	{op: "TagResource", name: "not-an-arn", body: `{"ResourceArn":"events","Tags":[{"Key":"env","Value":"test"}]}`},
	{op: "UntagResource", name: "ok", body: `{"ResourceArn":"` + arnEvents + `","TagKeys":["team"]}`},
	{op: "UntagResource", name: "not-found", body: `{"ResourceArn":"` + arnNope + `","TagKeys":["team"]}`},
	{op: "ListTagsOfResource", name: "ok", body: `{"ResourceArn":"` + arnEvents + `"}`},
	{op: "ListTagsOfResource", name: "not-found", body: `{"ResourceArn":"` + arnNope + `"}`},

	{op: "UpdateContinuousBackups", name: "ok", body: `{"TableName":"leases","PointInTimeRecoverySpecification":{"PointInTimeRecoveryEnabled":true}}`},
	{op: "UpdateContinuousBackups", name: "not-found", body: `{"TableName":"nope","PointInTimeRecoverySpecification":{"PointInTimeRecoveryEnabled":true}}`},
	{op: "DescribeContinuousBackups", name: "ok", advance: time.Hour, body: `{"TableName":"leases"}`},
	{op: "DescribeContinuousBackups", name: "not-found", body: `{"TableName":"nope"}`},
	{op: "DescribeLimits", name: "ok", body: `{}`},
	{op: "DescribeEndpoints", name: "ok", body: `{}`},

	{op: "DeleteTable", name: "ok", body: `{"TableName":"events"}`},
	{op: "DeleteTable", name: "not-found", body: `{"TableName":"events"}`},
}

// noFailure lists the operations that cannot fail once Validate passed.
var noFailure = []string{"DescribeLimits", "DescribeEndpoints"}

type goldenRun struct {
	srv   *httpapi.Server
	clock *kinesis.FakeClock
	files map[string]string
	codes map[string][]int // op -> statuses seen
}

func newGoldenRun(t *testing.T) *goldenRun {
	t.Helper()
	clk := kinesis.NewFakeClock(goldenStart)
	cfg := dynamo.DefaultConfig()
	cfg.Clock = clk
	n := 0
	cfg.NewID = func() string {
		n++
		return fmt.Sprintf("00000000-0000-4000-8000-%012d", n)
	}
	e, err := dynamo.Open(cfg, mem.NewMeta())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	srv, err := httpapi.New(httpapi.DefaultConfig(), Service(e))
	if err != nil {
		t.Fatal(err)
	}
	return &goldenRun{srv: srv, clock: clk, files: map[string]string{}, codes: map[string][]int{}}
}

func (r *goldenRun) run(t *testing.T, s step) {
	if s.advance > 0 {
		r.clock.Advance(s.advance)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, []byte(s.body)); err != nil {
		t.Fatalf("%s/%s: body: %v", s.op, s.name, err)
	}
	body := compact.Bytes()
	now := r.clock.Now()
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810."+s.op)
	req.Header.Set("X-Amz-Date", now.UTC().Format("20060102T150405Z"))
	req.Header.Set("Authorization", unverifiedAuth)
	rec := httptest.NewRecorder()
	r.srv.ServeHTTP(rec, req)
	res := rec.Result()
	r.codes[s.op] = append(r.codes[s.op], res.StatusCode)

	var b strings.Builder
	fmt.Fprintf(&b, "# %s %s: %s\n", s.op, s.name, s.note)
	fmt.Fprintf(&b, "# clock %s\n", now.UTC().Format("2006-01-02T15:04:05.000Z"))
	b.WriteString("\n--- request\nPOST /\nContent-Type: application/x-amz-json-1.0\n")
	fmt.Fprintf(&b, "X-Amz-Target: DynamoDB_20120810.%s\n\n", s.op)
	b.WriteString(goldenfile.RenderJSON(body))
	b.WriteString("\n--- response\n")
	fmt.Fprintf(&b, "%d %s\n", res.StatusCode, http.StatusText(res.StatusCode))
	b.WriteString(goldenfile.RenderHeaders(res.Header, "x-amzn-requestid", "date"))
	b.WriteString("\n")
	b.WriteString(goldenfile.RenderJSON(rec.Body.Bytes()))
	r.files[filepath.Join(s.op, s.name+".json.txt")] = b.String()
}

func TestGolden(t *testing.T) {
	first, again := newGoldenRun(t), newGoldenRun(t)
	for _, s := range goldenScenario {
		first.run(t, s)
		again.run(t, s)
	}
	// Every served operation has a success, and a failure unless it has
	// none to show.
	for _, op := range Service(nil).Operations {
		codes := first.codes[op.Name]
		if !slices.Contains(codes, 200) {
			t.Errorf("%s: no successful exchange in the scenario", op.Name)
		}
		if !slices.Contains(noFailure, op.Name) && !slices.ContainsFunc(codes, func(c int) bool { return c >= 400 }) {
			t.Errorf("%s: no failing exchange in the scenario", op.Name)
		}
	}
	goldenfile.Check(t, goldenDir, first.files, again.files, *update)
}
