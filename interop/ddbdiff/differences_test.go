package ddbdiff

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Where dynalite 4.0.0 does not implement what DynamoDB does, Eddy is
// checked against AWS's documentation and recorded answers instead, each
// source named beside its case. dynalite 4.0.0 has no TransactWriteItems
// or TransactGetItems (its readme's TODO: "Implement Transactions"; its
// actions/ directory has neither) and no UpdateTimeToLive (only
// DescribeTimeToLive, which always answers DISABLED).

// eddyTable returns an SDK client for Eddy alone, with a table keyed by "id".
func eddyTable(t *testing.T) (*dynamodb.Client, string) {
	t.Helper()
	if selftest() {
		t.Skip("dynalite, in Eddy's place, has no transactions")
	}
	p := newPair(t)
	table := p.hashTable("t")
	return p.eddy.ddb, table
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), callTimeout)
	t.Cleanup(cancel)
	return ctx
}

func key(id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"id": s(id)}
}

// getItem returns the item with the id, or nil.
func getItem(t *testing.T, c *dynamodb.Client, table, id string) map[string]types.AttributeValue {
	t.Helper()
	out, err := c.GetItem(ctxT(t), &dynamodb.GetItemInput{TableName: aws.String(table), Key: key(id), ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatalf("GetItem %s: %v", id, err)
	}
	return out.Item
}

// TestTransactWriteItems checks transactions against the API reference
// (docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html:
// all or nothing; TransactionCanceledException with one CancellationReason
// per item, in order, "None" for the items that did not fail; the old item
// in the reason when ReturnValuesOnConditionCheckFailure is ALL_OLD) and
// the recorded wire answer quoted in aws/aws-sdk-net issue 1292:
// {"__type":"...#TransactionCanceledException","CancellationReasons":
// [{"Code":"None"},{"Code":...,"Message":...}],"Message":"Transaction
// cancelled, please refer cancellation reasons for specific reasons [None,
// ...]"}. The message of a failed condition, "The conditional request
// failed", is ConditionalCheckFailedException's (dynalite's recording).
func TestTransactWriteItems(t *testing.T) {
	c, table := eddyTable(t)
	if _, err := c.PutItem(ctxT(t), &dynamodb.PutItemInput{TableName: aws.String(table), Item: map[string]types.AttributeValue{"id": s("exists"), "v": n("1")}}); err != nil {
		t.Fatal(err)
	}
	// All four actions, all conditions true.
	_, err := c.TransactWriteItems(ctxT(t), &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String(table), Item: map[string]types.AttributeValue{"id": s("a"), "v": n("1")}, ConditionExpression: aws.String("attribute_not_exists(id)")}},
		{Update: &types.Update{TableName: aws.String(table), Key: key("b"), UpdateExpression: aws.String("ADD v :one"), ExpressionAttributeValues: map[string]types.AttributeValue{":one": n("1")}}},
		{ConditionCheck: &types.ConditionCheck{TableName: aws.String(table), Key: key("exists"), ConditionExpression: aws.String("v = :one"), ExpressionAttributeValues: map[string]types.AttributeValue{":one": n("1")}}},
		{Delete: &types.Delete{TableName: aws.String(table), Key: key("nothing")}},
	}})
	if err != nil {
		t.Fatalf("TransactWriteItems: %v", err)
	}
	if getItem(t, c, table, "a") == nil || getItem(t, c, table, "b") == nil {
		t.Fatal("a committed transaction's Put and Update are not there")
	}

	// The second action's condition fails: nothing is written, and the
	// reasons say which.
	_, err = c.TransactWriteItems(ctxT(t), &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String(table), Item: map[string]types.AttributeValue{"id": s("c"), "v": n("1")}}},
		{Update: &types.Update{TableName: aws.String(table), Key: key("exists"), UpdateExpression: aws.String("SET v = :two"),
			ConditionExpression: aws.String("v = :two"), ExpressionAttributeValues: map[string]types.AttributeValue{":two": n("2")},
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld}},
		{Delete: &types.Delete{TableName: aws.String(table), Key: key("a")}},
	}})
	var tc *types.TransactionCanceledException
	if !errors.As(err, &tc) {
		t.Fatalf("TransactWriteItems with a failing condition: %v, want TransactionCanceledException", err)
	}
	if want := "Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed, None]"; tc.ErrorMessage() != want {
		t.Errorf("message %q, want %q", tc.ErrorMessage(), want)
	}
	wantReasons := []types.CancellationReason{
		{Code: aws.String("None")},
		{Code: aws.String("ConditionalCheckFailed"), Message: aws.String("The conditional request failed"),
			Item: map[string]types.AttributeValue{"id": s("exists"), "v": n("1")}},
		{Code: aws.String("None")},
	}
	if !reflect.DeepEqual(tc.CancellationReasons, wantReasons) {
		t.Errorf("CancellationReasons %s, want %s", show(tc.CancellationReasons), show(wantReasons))
	}
	if getItem(t, c, table, "c") != nil || getItem(t, c, table, "a") == nil {
		t.Error("a cancelled transaction wrote some of its items")
	}

	// Two actions on one item: ValidationException "Transaction request
	// cannot include multiple operations on one item" (a recorded DynamoDB
	// answer: community.thebackend.io/t/topic/202; the API reference: "no
	// two actions can target the same item").
	_, err = c.TransactWriteItems(ctxT(t), &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String(table), Item: map[string]types.AttributeValue{"id": s("d")}}},
		{ConditionCheck: &types.ConditionCheck{TableName: aws.String(table), Key: key("d"), ConditionExpression: aws.String("attribute_not_exists(id)")}},
	}})
	wantAPIError(t, "two actions on one item", err, "ValidationException", "Transaction request cannot include multiple operations on one item")

	// A missing table: ResourceNotFoundException (API reference, Errors).
	_, err = c.TransactWriteItems(ctxT(t), &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String(table + "-missing"), Item: map[string]types.AttributeValue{"id": s("d")}}},
	}})
	wantAPIError(t, "a missing table", err, "ResourceNotFoundException", "")
}

// TestTransactGetItems: the items in request order, an empty
// ItemResponse for a missing item (API reference, TransactGetItems:
// "Responses: An ordered array of up to 100 ItemResponse objects, each of
// which corresponds to the TransactGetItem object in the same position";
// ItemResponse.Item is absent for a missing item).
func TestTransactGetItems(t *testing.T) {
	c, table := eddyTable(t)
	for _, id := range []string{"x", "y"} {
		if _, err := c.PutItem(ctxT(t), &dynamodb.PutItemInput{TableName: aws.String(table), Item: map[string]types.AttributeValue{"id": s(id), "v": s(id + "!"), "w": n("7")}}); err != nil {
			t.Fatal(err)
		}
	}
	out, err := c.TransactGetItems(ctxT(t), &dynamodb.TransactGetItemsInput{TransactItems: []types.TransactGetItem{
		{Get: &types.Get{TableName: aws.String(table), Key: key("y")}},
		{Get: &types.Get{TableName: aws.String(table), Key: key("missing")}},
		{Get: &types.Get{TableName: aws.String(table), Key: key("x"), ProjectionExpression: aws.String("v")}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := []types.ItemResponse{
		{Item: map[string]types.AttributeValue{"id": s("y"), "v": s("y!"), "w": n("7")}},
		{},
		{Item: map[string]types.AttributeValue{"v": s("x!")}},
	}
	if !reflect.DeepEqual(out.Responses, want) {
		t.Errorf("Responses %s, want %s", show(out.Responses), show(want))
	}
}

// TestTimeToLive: UpdateTimeToLive answers with the specification it was
// given, and DescribeTimeToLive then names the attribute (API reference,
// UpdateTimeToLive and DescribeTimeToLive; AWS passes through ENABLING,
// Eddy is ENABLED at once, as its tables are ACTIVE at once). Before any
// UpdateTimeToLive both servers answer DISABLED, compared with dynalite.
func TestTimeToLive(t *testing.T) {
	p := newPair(t)
	table := p.hashTable("ttl")
	p.call("DescribeTimeToLive before", "DescribeTimeToLive", `{"TableName":"`+table+`"}`)
	p.call("DescribeTimeToLive of a missing table", "DescribeTimeToLive", `{"TableName":"$P-missing"}`)
	if selftest() {
		t.Skip("dynalite, in Eddy's place, has no UpdateTimeToLive")
	}
	c := p.eddy.ddb
	out, err := c.UpdateTimeToLive(ctxT(t), &dynamodb.UpdateTimeToLiveInput{TableName: aws.String(table),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String("expires"), Enabled: aws.Bool(true)}})
	if err != nil {
		t.Fatal(err)
	}
	if got := out.TimeToLiveSpecification; got == nil || aws.ToString(got.AttributeName) != "expires" || !aws.ToBool(got.Enabled) {
		t.Errorf("UpdateTimeToLive answered %s", show(got))
	}
	d, err := c.DescribeTimeToLive(ctxT(t), &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatal(err)
	}
	if got := d.TimeToLiveDescription; got == nil || aws.ToString(got.AttributeName) != "expires" || got.TimeToLiveStatus != types.TimeToLiveStatusEnabled {
		t.Errorf("DescribeTimeToLive answered %s, want expires ENABLED", show(got))
	}

	// Items really expire: one whose expiry (a Number of epoch seconds,
	// developer guide, "Time to Live") has passed is deleted; AWS does it
	// within days, Eddy's sweeper within seconds (docs/DYNAMODB.md). Ones
	// in the future, or whose attribute is not a Number, stay.
	now := time.Now().Unix()
	for id, exp := range map[string]types.AttributeValue{
		"past": n(fmt.Sprint(now - 60)), "future": n(fmt.Sprint(now + 3600)), "string": s(fmt.Sprint(now - 60)),
	} {
		if _, err := c.PutItem(ctxT(t), &dynamodb.PutItemInput{TableName: aws.String(table), Item: map[string]types.AttributeValue{"id": s(id), "expires": exp}}); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(60 * time.Second)
	for getItem(t, c, table, "past") != nil {
		if time.Now().After(deadline) {
			t.Fatal("an expired item is still there after 60 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if getItem(t, c, table, "future") == nil || getItem(t, c, table, "string") == nil {
		t.Error("TTL deleted an item that has not expired, or whose TTL attribute is not a Number")
	}
}

// wantAPIError checks err is the API error code (and message, unless "").
func wantAPIError(t *testing.T, what string, err error, code, msg string) {
	t.Helper()
	kind := errKind(err)
	if kind != code {
		t.Errorf("%s: %v, want %s", what, err, code)
		return
	}
	if msg != "" && !strings.HasSuffix(err.Error(), msg) {
		t.Errorf("%s: %v, want the message %q", what, err, msg)
	}
}
