package dynamo

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/dynamo/attr"
	"github.com/eddy-streams/eddy/protocol/ddb"
)

// TestTableChecks: the checks that need the table, with DynamoDB's
// messages (dynalite db/index.js and actions/*.js record them).
func TestTableChecks(t *testing.T) {
	e, _ := newEngine(t, nil)
	createTable(t, e, "tab", "id", ddb.ScalarS, "n", ddb.ScalarN, func(in *ddb.CreateTableInput) {
		in.AttributeDefinitions = append(in.AttributeDefinitions, ddb.AttributeDefinition{AttributeName: sp("g"), AttributeType: ptr(ddb.ScalarN)})
		in.GlobalSecondaryIndexes = []ddb.GlobalSecondaryIndex{{IndexName: sp("byG"),
			KeySchema:  []ddb.KeySchemaElement{{AttributeName: sp("g"), KeyType: ptr(ddb.KeyTypeHash)}},
			Projection: &ddb.Projection{ProjectionType: ptr(ddb.ProjectionKeysOnly)}}}
	})
	const inv = "One or more parameter values were invalid: "
	cases := []struct {
		name string
		call func() error
		code string
		msg  string
	}{
		{"put missing hash", func() error {
			_, err := e.PutItem(ctx, &ddb.PutItemInput{TableName: sp("tab"), Item: attr.Item{"n": N("1")}})
			return err
		}, eddy.CodeValidation, inv + "Missing the key id in the item"},
		{"put wrong type", func() error {
			_, err := e.PutItem(ctx, &ddb.PutItemInput{TableName: sp("tab"), Item: attr.Item{"id": N("1"), "n": N("1")}})
			return err
		}, eddy.CodeValidation, inv + "Type mismatch for key id expected: S actual: N"},
		{"put empty key", func() error {
			_, err := e.PutItem(ctx, &ddb.PutItemInput{TableName: sp("tab"), Item: attr.Item{"id": S(""), "n": N("1")}})
			return err
		}, eddy.CodeValidation, "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: id"},
		{"put index key type", func() error {
			_, err := e.PutItem(ctx, &ddb.PutItemInput{TableName: sp("tab"), Item: attr.Item{"id": S("a"), "n": N("1"), "g": S("x")}})
			return err
		}, eddy.CodeValidation, inv + "Type mismatch for Index Key g Expected: N Actual: S IndexName: byG"},
		{"hash key too large", func() error {
			_, err := e.PutItem(ctx, &ddb.PutItemInput{TableName: sp("tab"), Item: attr.Item{"id": S(strings.Repeat("x", 2049)), "n": N("1")}})
			return err
		}, eddy.CodeValidation, inv + "Size of hashkey has exceeded the maximum size limit of2048 bytes"},
		{"get key with extra attribute", func() error {
			_, err := e.GetItem(ctx, &ddb.GetItemInput{TableName: sp("tab"), Key: attr.Item{"id": S("a"), "n": N("1"), "x": S("")}})
			return err
		}, eddy.CodeValidation, "The provided key element does not match the schema"},
		{"get key of wrong type", func() error {
			_, err := e.GetItem(ctx, &ddb.GetItemInput{TableName: sp("tab"), Key: attr.Item{"id": S("a"), "n": S("1")}})
			return err
		}, eddy.CodeValidation, "The provided key element does not match the schema"},
		{"missing table", func() error {
			_, err := e.GetItem(ctx, &ddb.GetItemInput{TableName: sp("nope"), Key: attr.Item{"id": S("a")}})
			return err
		}, eddy.CodeResourceNotFound, "Requested resource not found"},
		{"update key", func() error {
			_, err := e.UpdateItem(ctx, &ddb.UpdateItemInput{TableName: sp("tab"), Key: attr.Item{"id": S("a"), "n": N("1")},
				UpdateExpression: sp("SET n = :v"), ExpressionAttributeValues: map[string]attr.Value{":v": N("2")}})
			return err
		}, eddy.CodeValidation, inv + "Cannot update attribute n. This attribute is part of the key"},
		{"update nested key path", func() error {
			_, err := e.UpdateItem(ctx, &ddb.UpdateItemInput{TableName: sp("tab"), Key: attr.Item{"id": S("a"), "n": N("1")},
				UpdateExpression: sp("SET x = g.y")})
			return err
		}, eddy.CodeValidation, "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: IndexKey: g"},
		{"update index key type", func() error {
			_, err := e.UpdateItem(ctx, &ddb.UpdateItemInput{TableName: sp("tab"), Key: attr.Item{"id": S("a"), "n": N("1")},
				UpdateExpression: sp("SET g = :v"), ExpressionAttributeValues: map[string]attr.Value{":v": S("x")}})
			return err
		}, eddy.CodeValidation, inv + "Type mismatch for Index Key g Expected: N Actual: S IndexName: byG"},
		{"describe missing", func() error {
			_, err := e.DescribeTable(ctx, &ddb.DescribeTableInput{TableName: sp("nope")})
			return err
		}, eddy.CodeResourceNotFound, "Requested resource not found: Table: nope not found"},
		{"create existing", func() error {
			_, err := e.CreateTable(ctx, &ddb.CreateTableInput{TableName: sp("tab"),
				AttributeDefinitions: []ddb.AttributeDefinition{{AttributeName: sp("id"), AttributeType: ptr(ddb.ScalarS)}},
				KeySchema:            []ddb.KeySchemaElement{{AttributeName: sp("id"), KeyType: ptr(ddb.KeyTypeHash)}},
				BillingMode:          ptr(ddb.BillingPayPerRequest)})
			return err
		}, eddy.CodeResourceInUse, "Table already exists: tab"},
		{"query missing index", func() error {
			_, err := e.Query(ctx, &ddb.QueryInput{TableName: sp("tab"), IndexName: sp("x"), KeyConditionExpression: sp("id = :v"),
				ExpressionAttributeValues: map[string]attr.Value{":v": S("a")}})
			return err
		}, eddy.CodeValidation, "The table does not have the specified index: x"},
		{"query consistent on GSI", func() error {
			_, err := e.Query(ctx, &ddb.QueryInput{TableName: sp("tab"), IndexName: sp("byG"), ConsistentRead: ptr(true), KeyConditionExpression: sp("g = :v"),
				ExpressionAttributeValues: map[string]attr.Value{":v": N("1")}})
			return err
		}, eddy.CodeValidation, "Consistent reads are not supported on global secondary indexes"},
		{"query missed key", func() error {
			_, err := e.Query(ctx, &ddb.QueryInput{TableName: sp("tab"), KeyConditionExpression: sp("n = :v"),
				ExpressionAttributeValues: map[string]attr.Value{":v": N("1")}})
			return err
		}, eddy.CodeValidation, "Query condition missed key schema element: id"},
		{"query filter on key", func() error {
			_, err := e.Query(ctx, &ddb.QueryInput{TableName: sp("tab"), KeyConditionExpression: sp("id = :v"), FilterExpression: sp("n > :n"),
				ExpressionAttributeValues: map[string]attr.Value{":v": S("a"), ":n": N("1")}})
			return err
		}, eddy.CodeValidation, "Filter Expression can only contain non-primary key attributes: Primary key attribute: n"},
		{"query ALL_ATTRIBUTES on keys-only GSI", func() error {
			_, err := e.Query(ctx, &ddb.QueryInput{TableName: sp("tab"), IndexName: sp("byG"), Select: ptr(ddb.SelectAllAttributes), KeyConditionExpression: sp("g = :v"),
				ExpressionAttributeValues: map[string]attr.Value{":v": N("1")}})
			return err
		}, eddy.CodeValidation, inv + "Select type ALL_ATTRIBUTES is not supported for global secondary index byG because its projection type is not ALL"},
		{"query start key outside", func() error {
			_, err := e.Query(ctx, &ddb.QueryInput{TableName: sp("tab"), KeyConditionExpression: sp("id = :v"),
				ExpressionAttributeValues: map[string]attr.Value{":v": S("a")}, ExclusiveStartKey: attr.Item{"id": S("b"), "n": N("1")}})
			return err
		}, eddy.CodeValidation, "The provided starting key is outside query boundaries based on provided conditions"},
		{"batch write duplicates", func() error {
			_, err := e.BatchWriteItem(ctx, &ddb.BatchWriteItemInput{RequestItems: map[string][]ddb.WriteRequest{"tab": {
				{PutRequest: &ddb.PutRequest{Item: attr.Item{"id": S("a"), "n": N("1")}}},
				{DeleteRequest: &ddb.DeleteRequest{Key: attr.Item{"id": S("a"), "n": N("1.0")}}}}}})
			return err
		}, eddy.CodeValidation, "Provided list of item keys contains duplicates"},
		{"batch write put missing key", func() error {
			_, err := e.BatchWriteItem(ctx, &ddb.BatchWriteItemInput{RequestItems: map[string][]ddb.WriteRequest{"tab": {
				{PutRequest: &ddb.PutRequest{Item: attr.Item{"id": S("a")}}}}}})
			return err
		}, eddy.CodeValidation, "The provided key element does not match the schema"},
		{"transact same item twice", func() error {
			_, err := e.TransactWriteItems(ctx, &ddb.TransactWriteItemsInput{TransactItems: []ddb.TransactWriteItem{
				{Put: &ddb.Put{TableName: sp("tab"), Item: attr.Item{"id": S("a"), "n": N("1")}}},
				{Delete: &ddb.Delete{TableName: sp("tab"), Key: attr.Item{"id": S("a"), "n": N("1")}}}}})
			return err
		}, eddy.CodeValidation, "Transaction request cannot include multiple operations on one item"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { wantErr(t, c.call(), c.code, c.msg) })
	}
}

func TestConditionsAndReturnValues(t *testing.T) {
	e, _ := newEngine(t, nil)
	createTable(t, e, "tab", "id", ddb.ScalarS, "", "")
	key := attr.Item{"id": S("a")}
	put(t, e, "tab", attr.Item{"id": S("a"), "v": N("1"), "s": attr.SS("x", "y")})

	// A failing condition, with and without the old item.
	_, err := e.PutItem(ctx, &ddb.PutItemInput{TableName: sp("tab"), Item: attr.Item{"id": S("a")}, ConditionExpression: sp("attribute_not_exists(id)")})
	wantErr(t, err, eddy.CodeConditionalCheckFailed, "The conditional request failed")
	_, err = e.PutItem(ctx, &ddb.PutItemInput{TableName: sp("tab"), Item: attr.Item{"id": S("a")}, ConditionExpression: sp("attribute_not_exists(id)"),
		ReturnValuesOnConditionCheckFailure: ptr(ddb.OnCheckFailureAllOld)})
	var ee *eddy.Error
	if !errorsAs(err, &ee) || len(ee.Members) == 0 {
		t.Fatalf("no Item with the failure: %v", err)
	}
	// Legacy Expected.
	_, err = e.DeleteItem(ctx, &ddb.DeleteItemInput{TableName: sp("tab"), Key: key,
		Expected: map[string]ddb.ExpectedAttributeValue{"v": {Value: ptr(N("2"))}}})
	wantErr(t, err, eddy.CodeConditionalCheckFailed, "The conditional request failed")

	// UPDATED_OLD / UPDATED_NEW / ALL_NEW.
	upd := func(rv ddb.ReturnValue) attr.Item {
		out, err := e.UpdateItem(ctx, &ddb.UpdateItemInput{TableName: sp("tab"), Key: key, UpdateExpression: sp("SET v = v + :one ADD s :z"),
			ExpressionAttributeValues: map[string]attr.Value{":one": N("1"), ":z": attr.SS("z")}, ReturnValues: &rv})
		if err != nil {
			t.Fatal(err)
		}
		return out.Attributes
	}
	if got := upd(ddb.ReturnUpdatedOld); fmt.Sprintf("%d %s", len(got), *got["v"].N) != "2 1" {
		t.Fatalf("UPDATED_OLD %v", got)
	}
	if got := upd(ddb.ReturnUpdatedNew); *got["v"].N != "3" || len(got["s"].SS) != 3 || got["id"].S != nil {
		t.Fatalf("UPDATED_NEW %v", got)
	}
	if got := upd(ddb.ReturnAllNew); *got["v"].N != "4" || *got["id"].S != "a" {
		t.Fatalf("ALL_NEW %v", got)
	}
	if got := upd(ddb.ReturnNone); got != nil {
		t.Fatalf("NONE %v", got)
	}
	out, err := e.DeleteItem(ctx, &ddb.DeleteItemInput{TableName: sp("tab"), Key: key, ReturnValues: ptr(ddb.ReturnAllOld)})
	if err != nil || *out.Attributes["v"].N != "5" {
		t.Fatalf("ALL_OLD %v %v", out, err)
	}
	// UpdateItem creates a missing item from its key; the update's errors
	// come back.
	_, err = e.UpdateItem(ctx, &ddb.UpdateItemInput{TableName: sp("tab"), Key: key, UpdateExpression: sp("SET v = w + :one"),
		ExpressionAttributeValues: map[string]attr.Value{":one": N("1")}})
	wantErr(t, err, eddy.CodeValidation, "The provided expression refers to an attribute that does not exist in the item")
	if _, err := e.UpdateItem(ctx, &ddb.UpdateItemInput{TableName: sp("tab"), Key: key, UpdateExpression: sp("SET v = :one"),
		ExpressionAttributeValues: map[string]attr.Value{":one": N("1")}}); err != nil {
		t.Fatal(err)
	}
	if got := get(t, e, "tab", key); len(got) != 2 {
		t.Fatalf("created %v", got)
	}
	// An update past 400 KB.
	big := strings.Repeat("x", 300000)
	_, err = e.UpdateItem(ctx, &ddb.UpdateItemInput{TableName: sp("tab"), Key: key, UpdateExpression: sp("SET a = :b, b = :b"),
		ExpressionAttributeValues: map[string]attr.Value{":b": S(big)}})
	wantErr(t, err, eddy.CodeValidation, "Item size to update has exceeded the maximum allowed size")
}

func errorsAs(err error, target **eddy.Error) bool {
	e, ok := err.(*eddy.Error)
	if ok {
		*target = e
	}
	return ok
}

// TestConcurrentConditionalUpdates: conditional increments of one item
// from many goroutines never lose an update: every success saw the value
// it replaced.
func TestConcurrentConditionalUpdates(t *testing.T) {
	e, _ := newEngine(t, nil)
	createTable(t, e, "tab", "id", ddb.ScalarS, "", "")
	put(t, e, "tab", attr.Item{"id": S("c"), "n": N("0")})
	var wg sync.WaitGroup
	var mu sync.Mutex
	successes := 0
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				cur := get(t, e, "tab", attr.Item{"id": S("c")})
				_, err := e.UpdateItem(ctx, &ddb.UpdateItemInput{TableName: sp("tab"), Key: attr.Item{"id": S("c")},
					UpdateExpression: sp("SET n = n + :one"), ConditionExpression: sp("n = :cur"),
					ExpressionAttributeValues: map[string]attr.Value{":one": N("1"), ":cur": cur["n"]}})
				if err == nil {
					mu.Lock()
					successes++
					mu.Unlock()
				} else if eddy.CodeOf(err) != eddy.CodeConditionalCheckFailed {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	got := get(t, e, "tab", attr.Item{"id": S("c")})
	if *got["n"].N != fmt.Sprint(successes) || successes == 0 {
		t.Fatalf("n = %s after %d successful conditional increments", *got["n"].N, successes)
	}
}
