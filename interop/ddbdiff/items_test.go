package ddbdiff

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// hashTable creates $P-NAME keyed by a string attribute "id".
func (p *pair) hashTable(name string) string {
	p.t.Helper()
	table := p.sub("$P-" + name)
	p.createTable(fmt.Sprintf(`{"TableName":%q,"AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],
		"KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],"ProvisionedThroughput":{"ReadCapacityUnits":5,"WriteCapacityUnits":5}}`, table))
	return table
}

// The checkpoint pattern with expressions, as consumers other than the
// Java KCL write it (the Go and Python KCL ports): a conditional put of a
// new checkpoint, then updates under a condition on the owner and the
// previous sequence number, with ReturnValuesOnConditionCheckFailure.
func TestCheckpointExpressions(t *testing.T) {
	p := newPair(t)
	table := p.hashTable("ckpt")
	put := func(what, owner string) {
		sdk(p, what, func(ctx context.Context, c *dynamodb.Client) (*dynamodb.PutItemOutput, error) {
			return c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table),
				Item:                map[string]types.AttributeValue{"id": s("app/stream/shard-0"), "owner": s(owner), "seq": s("0"), "n": n("0")},
				ConditionExpression: aws.String("attribute_not_exists(#id)"), ExpressionAttributeNames: map[string]string{"#id": "id"},
				ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld})
		})
	}
	put("first checkpoint", "w1")
	put("second checkpoint for the same key", "w2")
	checkpoint := func(what, owner, prev, next string, rv types.ReturnValue) {
		sdk(p, what, func(ctx context.Context, c *dynamodb.Client) (*dynamodb.UpdateItemOutput, error) {
			return c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(table),
				Key:                       map[string]types.AttributeValue{"id": s("app/stream/shard-0")},
				UpdateExpression:          aws.String("SET #seq = :next, #n = #n + :one, updated = :next REMOVE claim"),
				ConditionExpression:       aws.String("#owner = :owner AND (#seq = :prev OR attribute_not_exists(#seq))"),
				ExpressionAttributeNames:  map[string]string{"#seq": "seq", "#n": "n", "#owner": "owner"},
				ExpressionAttributeValues: map[string]types.AttributeValue{":next": s(next), ":one": n("1"), ":owner": s(owner), ":prev": s(prev)},
				ReturnValues:              rv, ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld})
		})
	}
	checkpoint("checkpoint 1", "w1", "0", "100", types.ReturnValueAllNew)
	checkpoint("checkpoint 2", "w1", "100", "205", types.ReturnValueUpdatedNew)
	checkpoint("checkpoint by another owner", "w2", "205", "300", types.ReturnValueNone)
	checkpoint("checkpoint from a stale sequence number", "w1", "100", "300", types.ReturnValueUpdatedOld)
	checkpoint("checkpoint 3", "w1", "205", "300", types.ReturnValueAllOld)
	sdk(p, "read the checkpoint", func(ctx context.Context, c *dynamodb.Client) (*dynamodb.GetItemOutput, error) {
		return c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: map[string]types.AttributeValue{"id": s("app/stream/shard-0")},
			ConsistentRead: aws.Bool(true), ProjectionExpression: aws.String("#s, n, #o"), ExpressionAttributeNames: map[string]string{"#s": "seq", "#o": "owner"}})
	})
	sdk(p, "release", func(ctx context.Context, c *dynamodb.Client) (*dynamodb.DeleteItemOutput, error) {
		return c.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(table), Key: map[string]types.AttributeValue{"id": s("app/stream/shard-0")},
			ConditionExpression: aws.String("#o IN (:a, :b)"), ExpressionAttributeNames: map[string]string{"#o": "owner"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":a": s("w0"), ":b": s("w1")}, ReturnValues: types.ReturnValueAllOld})
	})
}

// doc is an item with every attribute type and nested documents.
const doc = `{"id":{"S":"doc"},"s":{"S":"text"},"n":{"N":"10"},"b":{"B":"AAEC"},"t":{"BOOL":true},"z":{"NULL":true},
	"ss":{"SS":["a","b","c"]},"ns":{"NS":["1","2.5","-3"]},"bs":{"BS":["AQ==","Ag=="]},
	"l":{"L":[{"S":"x"},{"N":"1"},{"M":{"deep":{"L":[{"N":"1"},{"N":"2"},{"M":{"c":{"S":"found"}}}]}}}]},
	"m":{"M":{"a":{"M":{"b":{"S":"ab"},"list":{"L":[{"N":"0"},{"N":"1"}]}}},"k":{"S":"v"},"dotted.name":{"S":"dot"}}}}`

// Every update action (SET with arithmetic, if_not_exists and list_append,
// REMOVE, ADD, DELETE) on every type it takes, on nested paths, with each
// ReturnValues kind, and the errors each misuse gives.
func TestUpdateActions(t *testing.T) {
	p := newPair(t)
	table := p.hashTable("upd")
	req := func(update, cond, names, values, rv string) string {
		body := fmt.Sprintf(`{"TableName":%q,"Key":{"id":{"S":"doc"}},"UpdateExpression":%q`, table, update)
		if cond != "" {
			body += fmt.Sprintf(`,"ConditionExpression":%q`, cond)
		}
		if names != "" {
			body += `,"ExpressionAttributeNames":` + names
		}
		if values != "" {
			body += `,"ExpressionAttributeValues":` + values
		}
		if rv != "" {
			body += fmt.Sprintf(`,"ReturnValues":%q`, rv)
		}
		return body + "}"
	}
	reset := func() { p.put(table, doc) }
	reset()
	cases := []struct{ update, cond, names, values string }{
		{"SET n = n + :one", "", "", `{":one":{"N":"1"}}`},
		{"SET n = n - :big", "", "", `{":big":{"N":"12345678901234567890123456789012345678"}}`},
		{"SET n = :a + :b", "", "", `{":a":{"N":"0.1"},":b":{"N":"0.2"}}`},
		{"SET n = n + :one", "", "", `{":one":{"N":"1E+126"}}`},
		{"SET s = s + :one", "", "", `{":one":{"N":"1"}}`},
		{"SET newattr = if_not_exists(newattr, :z), n = if_not_exists(n, :z)", "", "", `{":z":{"N":"0"}}`},
		{"SET l = list_append(l, :more), l2 = list_append(:more, l)", "", "", `{":more":{"L":[{"S":"end"}]}}`},
		{"SET l = list_append(s, :more)", "", "", `{":more":{"L":[{"S":"end"}]}}`},
		{"SET m.a.b = :v, m.k = :v, #d = :v", "", `{"#d":"dotted.name"}`, `{":v":{"S":"new"}}`},
		{"SET m.#d = :v", "", `{"#d":"dotted.name"}`, `{":v":{"S":"inner"}}`},
		{"SET m.nope.deeper = :v", "", "", `{":v":{"S":"x"}}`},
		{"SET l[2].deep[2].c = :v, l[1] = :v", "", "", `{":v":{"S":"changed"}}`},
		{"SET l[10] = :v", "", "", `{":v":{"S":"appended"}}`},
		{"SET l[0].x = :v", "", "", `{":v":{"S":"x"}}`},
		{"SET s[0] = :v", "", "", `{":v":{"S":"x"}}`},
		{"REMOVE l[0], m.a.list[1], t, nothere", "", "", ""},
		{"REMOVE l[5]", "", "", ""},
		{"ADD n :five, ss :more, ns :nums, newset :more, newn :five", "", "", `{":five":{"N":"5"},":more":{"SS":["c","d"]},":nums":{"NS":["2.5","7"]}}`},
		{"ADD bs :b", "", "", `{":b":{"BS":["Aw==","AQ=="]}}`},
		{"ADD s :five", "", "", `{":five":{"N":"5"}}`},
		{"ADD ss :five", "", "", `{":five":{"N":"5"}}`},
		{"ADD l :five", "", "", `{":five":{"L":[{"N":"5"}]}}`},
		{"DELETE ss :ab, ns :n, bs :b", "", "", `{":ab":{"SS":["a","b","zz"]},":n":{"NS":["1"]},":b":{"BS":["AQ=="]}}`},
		{"DELETE ss :all", "", "", `{":all":{"SS":["a","b","c"]}}`},
		{"DELETE n :ab", "", "", `{":ab":{"SS":["a"]}}`},
		{"DELETE ss :s", "", "", `{":s":{"S":"a"}}`},
		{"SET n = :v", "n > :ten", "", `{":v":{"N":"0"},":ten":{"N":"10"}}`},
		{"SET n = :v", "n >= :ten AND size(ss) = :three AND attribute_type(l, :L) AND contains(ss, :a) AND begins_with(s, :te)", "",
			`{":v":{"N":"0"},":ten":{"N":"10"},":three":{"N":"3"},":L":{"S":"L"},":a":{"S":"a"},":te":{"S":"te"}}`},
		{"SET n = :v", "NOT (n BETWEEN :a AND :b) OR m.a.b = :ab", "", `{":v":{"N":"1"},":a":{"N":"0"},":b":{"N":"5"},":ab":{"S":"ab"}}`},
		{"SET n = :v", "l[2].deep[2].c = :f AND size(m.a.list) < :three", "", `{":v":{"N":"2"},":f":{"S":"found"},":three":{"N":"3"}}`},
		{"set n = :v remove t", "attribute_exists(z) and z = :null", "", `{":v":{"N":"3"},":null":{"NULL":true}}`},
		{"SET n = :v", "contains(l, :x) AND contains(s, :ex) AND size(b) = :three", "", `{":v":{"N":"4"},":x":{"S":"x"},":ex":{"S":"ex"},":three":{"N":"3"}}`},
		{"SET #n = :v", "#n <> :v", `{"#n":"n"}`, `{":v":{"N":"5"}}`},
		{"SET id = :v", "", "", `{":v":{"S":"other"}}`},
		{"REMOVE id", "", "", ""},
		{"SET n = :v, n = :v", "", "", `{":v":{"N":"1"}}`},
		{"SET m.a = :v REMOVE m.a.b", "", "", `{":v":{"N":"1"}}`},
		{"SET n = :v", "", `{"#unused":"x"}`, `{":v":{"N":"1"}}`},
		{"SET n = :v", "", "", `{":v":{"N":"1"},":unused":{"N":"2"}}`},
		{"SET n = :missing", "", "", `{":v":{"N":"1"}}`},
		{"SET n = :v", "", "", `{":v":{"SS":[]}}`},
		{"SET n = :v", "", "", `{":v":{"N":"1e200"}}`},
		{"SET n = :v", "", "", `{":v":{"N":"1.00000000000000000000000000000000000001"}}`},
		{"SET n = :v", "", "", `{":v":{"N":"0001.500"}}`},
		{"SET n = n + :v", "", "", `{":v":{"N":"-0.0000000000000000000000000000000000001"}}`},
		{"SET n = :v", "n = :v", "", `{":v":{"N":"1.5"}}`},
		{"SET n = :v", "n = :v", "", `{":v":{"N":"1.50"}}`},
	}
	for _, c := range cases {
		for _, rv := range []string{"NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"} {
			reset()
			p.call(fmt.Sprintf("UpdateItem %q if %q ReturnValues %s", c.update, c.cond, rv), "UpdateItem", req(c.update, c.cond, c.names, c.values, rv))
		}
		p.call("GetItem after "+c.update, "GetItem", fmt.Sprintf(`{"TableName":%q,"Key":{"id":{"S":"doc"}},"ConsistentRead":true}`, table))
	}
	// An update that creates the item, and one on a missing item under a condition.
	p.call("UpdateItem creating", "UpdateItem", fmt.Sprintf(`{"TableName":%q,"Key":{"id":{"S":"fresh"}},"UpdateExpression":"ADD c :one SET l = list_append(if_not_exists(l, :empty), :one_l)",
		"ExpressionAttributeValues":{":one":{"N":"1"},":empty":{"L":[]},":one_l":{"L":[{"N":"1"}]}},"ReturnValues":"ALL_NEW"}`, table))
	p.call("UpdateItem missing, conditional", "UpdateItem", fmt.Sprintf(`{"TableName":%q,"Key":{"id":{"S":"missing"}},"UpdateExpression":"SET a = :one",
		"ConditionExpression":"attribute_exists(id)","ExpressionAttributeValues":{":one":{"N":"1"}},"ReturnValuesOnConditionCheckFailure":"ALL_OLD"}`, table))
	// The legacy AttributeUpdates on every action and type.
	for _, au := range []string{
		`{"n":{"Action":"ADD","Value":{"N":"2"}},"ss":{"Action":"ADD","Value":{"SS":["q"]}}}`,
		`{"ss":{"Action":"DELETE","Value":{"SS":["a"]}},"s":{"Action":"DELETE"}}`,
		`{"s":{"Action":"PUT","Value":{"S":"put"}},"new":{"Action":"ADD","Value":{"NS":["1"]}}}`,
		`{"s":{"Action":"ADD","Value":{"S":"x"}}}`,
		`{"s":{"Action":"PUT"}}`,
		`{"id":{"Action":"PUT","Value":{"S":"x"}}}`,
	} {
		reset()
		p.call("UpdateItem AttributeUpdates "+au, "UpdateItem", fmt.Sprintf(`{"TableName":%q,"Key":{"id":{"S":"doc"}},"AttributeUpdates":%s,"ReturnValues":"ALL_NEW"}`, table, au))
	}
}

// Projections on nested paths, in GetItem, Query, Scan and BatchGetItem.
func TestProjections(t *testing.T) {
	p := newPair(t)
	table := p.hashTable("proj")
	p.put(table, doc)
	for _, pe := range []string{"s", "m.a.b", "l[2].deep[1], l[0]", "m.a, m.a.b", "#d, m.#d", "ss, ns, nothere, m.nothere.x", "l[9]", "id", "m.k, m.a.list[0], n, b, bs"} {
		p.call("GetItem "+pe, "GetItem", fmt.Sprintf(`{"TableName":%q,"Key":{"id":{"S":"doc"}},"ProjectionExpression":%q,"ExpressionAttributeNames":{"#d":"dotted.name"}}`, table, pe))
	}
	p.call("GetItem with unused name", "GetItem", fmt.Sprintf(`{"TableName":%q,"Key":{"id":{"S":"doc"}},"ProjectionExpression":"s","ExpressionAttributeNames":{"#d":"dotted.name"}}`, table))
	p.call("GetItem AttributesToGet", "GetItem", fmt.Sprintf(`{"TableName":%q,"Key":{"id":{"S":"doc"}},"AttributesToGet":["s","l","missing"]}`, table))
	p.call("GetItem overlapping paths", "GetItem", fmt.Sprintf(`{"TableName":%q,"Key":{"id":{"S":"doc"}},"ProjectionExpression":"m, m.a"}`, table))
	p.call("GetItem reserved word", "GetItem", fmt.Sprintf(`{"TableName":%q,"Key":{"id":{"S":"doc"}},"ProjectionExpression":"name"}`, table))
	p.call("Scan projection", "Scan", fmt.Sprintf(`{"TableName":%q,"ProjectionExpression":"m.a.b, l[2]"}`, table))
	p.call("Scan Select SPECIFIC_ATTRIBUTES without", "Scan", fmt.Sprintf(`{"TableName":%q,"Select":"SPECIFIC_ATTRIBUTES"}`, table))
}

// BatchWriteItem and BatchGetItem over two tables, with deletes, missing
// keys and the errors of duplicate keys and oversize batches.
func TestBatch(t *testing.T) {
	p := newPair(t)
	t1, t2 := p.hashTable("b1"), p.hashTable("b2")
	var puts1, puts2 []types.WriteRequest
	for i := range 25 {
		puts1 = append(puts1, types.WriteRequest{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{"id": s(fmt.Sprint(i)), "v": n(fmt.Sprint(i * i))}}})
		if i < 10 {
			puts2 = append(puts2, types.WriteRequest{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{"id": s(fmt.Sprint(i)), "w": s("x")}}})
		}
	}
	write := func(what string, items map[string][]types.WriteRequest) {
		sdk(p, what, func(ctx context.Context, c *dynamodb.Client) (*dynamodb.BatchWriteItemOutput, error) {
			return c.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: items})
		})
	}
	write("BatchWriteItem 25", map[string][]types.WriteRequest{t1: puts1})
	write("BatchWriteItem 26 over two tables", map[string][]types.WriteRequest{t1: puts1[:16], t2: puts2})
	write("BatchWriteItem mixed", map[string][]types.WriteRequest{t1: {
		{DeleteRequest: &types.DeleteRequest{Key: map[string]types.AttributeValue{"id": s("3")}}},
		{DeleteRequest: &types.DeleteRequest{Key: map[string]types.AttributeValue{"id": s("nope")}}},
		{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{"id": s("new"), "v": n("-1")}}}}})
	write("BatchWriteItem duplicate keys", map[string][]types.WriteRequest{t1: {
		{DeleteRequest: &types.DeleteRequest{Key: map[string]types.AttributeValue{"id": s("4")}}},
		{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{"id": s("4")}}}}})
	write("BatchWriteItem to a missing table", map[string][]types.WriteRequest{p.sub("$P-missing"): puts2[:1]})
	write("BatchWriteItem a key of the wrong type", map[string][]types.WriteRequest{t1: {
		{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{"id": n("4")}}}}})

	keys := func(ids ...string) []map[string]types.AttributeValue {
		var out []map[string]types.AttributeValue
		for _, id := range ids {
			out = append(out, map[string]types.AttributeValue{"id": s(id)})
		}
		return out
	}
	// BatchGetItem's order within a table is unspecified (AWS: "the
	// order of the returned items is not necessarily the same as the
	// order in which they were requested"), so each table's list is
	// compared as a set below.
	getSorted := func(what string, items map[string]types.KeysAndAttributes) {
		p.t.Helper()
		run := func(tg *target) response {
			ctx, cancel := context.WithTimeout(p.t.Context(), callTimeout)
			defer cancel()
			tg.ddb.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: items})
			r := tg.rec.take()
			if m, ok := r.Body.(map[string]any); ok {
				if resp, ok := m["Responses"].(map[string]any); ok {
					for _, v := range resp {
						sortMember(map[string]any{"x": v}, "x")
					}
				}
			}
			return r
		}
		p.compare(what, run(p.eddy), run(p.dyn))
	}
	getSorted("BatchGetItem", map[string]types.KeysAndAttributes{
		t1: {Keys: keys("0", "1", "3", "24", "missing"), ConsistentRead: aws.Bool(true)},
		t2: {Keys: keys("9", "5"), ProjectionExpression: aws.String("w, #i"), ExpressionAttributeNames: map[string]string{"#i": "id"}}})
	getSorted("BatchGetItem duplicate keys", map[string]types.KeysAndAttributes{t1: {Keys: keys("1", "1")}})
	getSorted("BatchGetItem missing table", map[string]types.KeysAndAttributes{p.sub("$P-missing"): {Keys: keys("1")}})
	var many []string
	for i := range 101 {
		many = append(many, fmt.Sprint(i))
	}
	getSorted("BatchGetItem 101 keys", map[string]types.KeysAndAttributes{t1: {Keys: keys(many...)}})
	getSorted("BatchGetItem 100 keys", map[string]types.KeysAndAttributes{t1: {Keys: keys(many[:100]...)}})
	p.scanPages("Scan after batches", func(ctx context.Context, c *dynamodb.Client, start map[string]types.AttributeValue) (*dynamodb.ScanOutput, error) {
		return c.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(t1), Limit: aws.Int32(7), ExclusiveStartKey: start,
			FilterExpression: aws.String("v > :x"), ExpressionAttributeValues: map[string]types.AttributeValue{":x": n("50")}})
	})
}
