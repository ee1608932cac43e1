package ddbdiff

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func s(v string) types.AttributeValue     { return &types.AttributeValueMemberS{Value: v} }
func n(v string) types.AttributeValue     { return &types.AttributeValueMemberN{Value: v} }
func ss(v ...string) types.AttributeValue { return &types.AttributeValueMemberSS{Value: v} }

// The KCL 2.x lease table, as the Java KCL (software.amazon.kinesis.leases.dynamodb:
// DynamoDBLeaseRefresher, DynamoDBLeaseSerializer) uses it: a table keyed by
// leaseKey (S), items created with Expected leaseKey Exists=false, renewed,
// taken, evicted and checkpointed with AttributeUpdates under an Expected
// on leaseCounter or leaseOwner, listed by Scan in pages, read with
// ConsistentRead, deleted conditionally. All through aws-sdk-go-v2.
func TestKCLLeaseTable(t *testing.T) {
	p := newPair(t)
	table := p.sub("$P-leases")
	_, err := sdk(p, "CreateTable", func(ctx context.Context, c *dynamodb.Client) (*dynamodb.CreateTableOutput, error) {
		return c.CreateTable(ctx, &dynamodb.CreateTableInput{
			TableName:            aws.String(table),
			AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("leaseKey"), AttributeType: types.ScalarAttributeTypeS}},
			KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("leaseKey"), KeyType: types.KeyTypeHash}},
			BillingMode:          types.BillingModePayPerRequest,
		})
	})
	p.mustOK("CreateTable", err)
	p.waitActive(table)
	sdk(p, "DescribeTable", func(ctx context.Context, c *dynamodb.Client) (*dynamodb.DescribeTableOutput, error) {
		return c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	})

	// createLeaseIfNotExists, twice for the same key: the second fails.
	newLease := func(key string) map[string]types.AttributeValue {
		return map[string]types.AttributeValue{
			"leaseKey": s(key), "leaseCounter": n("0"), "ownerSwitchesSinceCheckpoint": n("0"),
			"checkpoint": s("TRIM_HORIZON"), "checkpointSubSequenceNumber": n("0"),
			"parentShardId": ss("shardId-000000000000"),
		}
	}
	notExists := map[string]types.ExpectedAttributeValue{"leaseKey": {Exists: aws.Bool(false)}}
	for i := range 7 {
		key := fmt.Sprintf("shardId-%012d", i)
		_, err := sdk(p, "PutItem "+key, func(ctx context.Context, c *dynamodb.Client) (*dynamodb.PutItemOutput, error) {
			return c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: newLease(key), Expected: notExists})
		})
		p.mustOK("PutItem "+key, err)
	}
	sdk(p, "PutItem existing lease", func(ctx context.Context, c *dynamodb.Client) (*dynamodb.PutItemOutput, error) {
		return c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: newLease("shardId-000000000003"), Expected: notExists})
	})

	counterIs := func(v string) map[string]types.ExpectedAttributeValue {
		return map[string]types.ExpectedAttributeValue{"leaseCounter": {Value: n(v)}}
	}
	update := func(what, key string, expected map[string]types.ExpectedAttributeValue, updates map[string]types.AttributeValueUpdate, rv types.ReturnValue) {
		t.Helper()
		sdk(p, what, func(ctx context.Context, c *dynamodb.Client) (*dynamodb.UpdateItemOutput, error) {
			return c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(table),
				Key: map[string]types.AttributeValue{"leaseKey": s(key)}, Expected: expected, AttributeUpdates: updates, ReturnValues: rv})
		})
	}
	key := "shardId-000000000001"
	// takeLease: leaseOwner PUT, leaseCounter ADD 1, ownerSwitches ADD 1.
	take := map[string]types.AttributeValueUpdate{
		"leaseOwner":                   {Action: types.AttributeActionPut, Value: s("worker-a")},
		"leaseCounter":                 {Action: types.AttributeActionAdd, Value: n("1")},
		"ownerSwitchesSinceCheckpoint": {Action: types.AttributeActionAdd, Value: n("1")},
	}
	update("takeLease", key, counterIs("0"), take, types.ReturnValueAllNew)
	update("takeLease with a stale counter", key, counterIs("0"), take, types.ReturnValueNone)
	// renewLease: leaseCounter ADD 1 under the counter it read.
	renew := map[string]types.AttributeValueUpdate{"leaseCounter": {Action: types.AttributeActionAdd, Value: n("1")}}
	update("renewLease", key, counterIs("1"), renew, types.ReturnValueUpdatedNew)
	update("renewLease with a stale counter", key, counterIs("1"), renew, types.ReturnValueNone)
	// updateLease (checkpoint): PUTs and ADD under the counter.
	update("checkpoint", key, counterIs("2"), map[string]types.AttributeValueUpdate{
		"checkpoint":                   {Action: types.AttributeActionPut, Value: s("49590338271490256608559692538361571095921575989136588898")},
		"checkpointSubSequenceNumber":  {Action: types.AttributeActionPut, Value: n("0")},
		"ownerSwitchesSinceCheckpoint": {Action: types.AttributeActionPut, Value: n("0")},
		"leaseCounter":                 {Action: types.AttributeActionAdd, Value: n("1")},
	}, types.ReturnValueUpdatedOld)
	// evictLease: under leaseOwner, leaseOwner DELETE (no value) and counter ADD 1.
	ownerIs := func(o string) map[string]types.ExpectedAttributeValue {
		return map[string]types.ExpectedAttributeValue{"leaseOwner": {Value: s(o)}}
	}
	evict := map[string]types.AttributeValueUpdate{
		"leaseOwner":   {Action: types.AttributeActionDelete},
		"leaseCounter": {Action: types.AttributeActionAdd, Value: n("1")},
	}
	update("evictLease by another owner", key, ownerIs("worker-b"), evict, types.ReturnValueNone)
	update("evictLease", key, ownerIs("worker-a"), evict, types.ReturnValueAllOld)
	// A lease's update on a key that does not exist, under Exists=true.
	update("update of a missing lease", "shardId-999999999999", map[string]types.ExpectedAttributeValue{
		"leaseKey": {Exists: aws.Bool(true), Value: s("shardId-999999999999")}}, renew, types.ReturnValueNone)
	// The legacy ComparisonOperator form, as the KCL's multi-stream leases use.
	update("renew with ComparisonOperator EQ", key, map[string]types.ExpectedAttributeValue{
		"leaseCounter": {ComparisonOperator: types.ComparisonOperatorEq, AttributeValueList: []types.AttributeValue{n("4")}}}, renew, types.ReturnValueAllNew)
	update("renew with NULL owner", key, map[string]types.ExpectedAttributeValue{
		"leaseOwner": {ComparisonOperator: types.ComparisonOperatorNull}}, renew, types.ReturnValueUpdatedNew)

	// getLease, consistent.
	for _, k := range []string{key, "shardId-000000000005", "shardId-424242424242"} {
		sdk(p, "GetItem "+k, func(ctx context.Context, c *dynamodb.Client) (*dynamodb.GetItemOutput, error) {
			return c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: map[string]types.AttributeValue{"leaseKey": s(k)}, ConsistentRead: aws.Bool(true)})
		})
	}

	// listLeases: Scan with Limit, paged with ExclusiveStartKey. Scan order
	// is unspecified, so pages are compared by size and the whole as a set.
	p.scanPages("listLeases", func(ctx context.Context, c *dynamodb.Client, start map[string]types.AttributeValue) (*dynamodb.ScanOutput, error) {
		return c.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(table), Limit: aws.Int32(3), ConsistentRead: aws.Bool(true), ExclusiveStartKey: start})
	})

	// deleteLease: conditional on the owner, then unconditional.
	del := func(what, k string, expected map[string]types.ExpectedAttributeValue) {
		sdk(p, what, func(ctx context.Context, c *dynamodb.Client) (*dynamodb.DeleteItemOutput, error) {
			return c.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(table), Key: map[string]types.AttributeValue{"leaseKey": s(k)},
				Expected: expected, ReturnValues: types.ReturnValueAllOld})
		})
	}
	del("deleteLease by a non-owner", key, ownerIs("worker-z"))
	del("deleteLease without owner", key, map[string]types.ExpectedAttributeValue{"leaseOwner": {Exists: aws.Bool(false)}})
	del("deleteLease again", key, nil)
	del("deleteLease of an unowned lease with Exists=true", "shardId-000000000002", map[string]types.ExpectedAttributeValue{"leaseOwner": {Exists: aws.Bool(true), Value: s("x")}})
	p.scanPages("listLeases after deletes", func(ctx context.Context, c *dynamodb.Client, start map[string]types.AttributeValue) (*dynamodb.ScanOutput, error) {
		return c.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(table), Limit: aws.Int32(2), ExclusiveStartKey: start})
	})
	sdk(p, "DeleteTable", func(ctx context.Context, c *dynamodb.Client) (*dynamodb.DeleteTableOutput, error) {
		return c.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(table)})
	})
}
