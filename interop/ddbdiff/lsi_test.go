package ddbdiff

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Local secondary indexes (N, S and B index range keys; KEYS_ONLY,
// INCLUDE and ALL), queried both ways, paged, with Select and projections
// of attributes the index does not hold (an LSI fetches them from the
// table), and GSIs with N and B range keys.
func TestSecondaryIndexKeyTypes(t *testing.T) {
	p := newPair(t)
	lsi := func(name, attr, proj string) string {
		return fmt.Sprintf(`{"IndexName":%q,"KeySchema":[{"AttributeName":"h","KeyType":"HASH"},{"AttributeName":%q,"KeyType":"RANGE"}],"Projection":%s}`, name, attr, proj)
	}
	p.createTable(`{"TableName":"$P","BillingMode":"PAY_PER_REQUEST",
		"AttributeDefinitions":[{"AttributeName":"h","AttributeType":"S"},{"AttributeName":"r","AttributeType":"S"},{"AttributeName":"ln","AttributeType":"N"},{"AttributeName":"ls","AttributeType":"S"},{"AttributeName":"lb","AttributeType":"B"},{"AttributeName":"gh","AttributeType":"B"},{"AttributeName":"gr","AttributeType":"N"}],
		"KeySchema":[{"AttributeName":"h","KeyType":"HASH"},{"AttributeName":"r","KeyType":"RANGE"}],
		"LocalSecondaryIndexes":[` + lsi("by-n", "ln", `{"ProjectionType":"KEYS_ONLY"}`) + "," + lsi("by-s", "ls", `{"ProjectionType":"INCLUDE","NonKeyAttributes":["x"]}`) + "," + lsi("by-b", "lb", `{"ProjectionType":"ALL"}`) + `],
		"GlobalSecondaryIndexes":[{"IndexName":"g-bn","KeySchema":[{"AttributeName":"gh","KeyType":"HASH"},{"AttributeName":"gr","KeyType":"RANGE"}],"Projection":{"ProjectionType":"INCLUDE","NonKeyAttributes":["y"]}}]}`)
	p.call("DescribeTable", "DescribeTable", `{"TableName":"$P"}`)
	nums := []string{"-10", "2.5", "0", "1e3", "-0.5", "7", "99", "-99", "3", "4", "5", "6"}
	strs := []string{"b", "a", "ab", "Z", "z", "é", "0", "~", "aa", "ba", "bb", "c"}
	bins := []string{b64(0), b64(0xff), b64(0x80), b64(1, 2), b64(0x7f), b64(0, 0), b64(0xfe), b64(3), b64(4), b64(5), b64(6), b64(7)}
	for i := range 12 {
		item := fmt.Sprintf(`{"h":{"S":"p%d"},"r":{"S":"r%02d"},"x":{"S":"x%d"},"y":{"N":"%d"},"z":{"S":"not projected"}`, i%2, i, i, i)
		if i%4 != 3 { // sparse: some items lack the index keys
			item += fmt.Sprintf(`,"ln":{"N":%q},"ls":{"S":%q},"lb":{"B":%q},"gh":{"B":%q},"gr":{"N":%q}`, nums[i], strs[i], bins[i], b64(byte(i%3)), nums[(i*5)%12])
		}
		p.put("$P", item+"}")
	}
	for _, idx := range []string{"by-n", "by-s", "by-b"} {
		for _, fwd := range []bool{true, false} {
			p.queryPages(fmt.Sprintf("Query %s fwd=%v", idx, fwd), "Query", fmt.Sprintf(
				`{"TableName":"$P","IndexName":%q,"KeyConditionExpression":"h = :h","ExpressionAttributeValues":{":h":{"S":"p0"}},"Limit":2,"ScanIndexForward":%v}`, idx, fwd))
		}
		for _, sel := range []string{"ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES", "COUNT"} {
			p.call("Query "+idx+" Select "+sel, "Query", fmt.Sprintf(`{"TableName":"$P","IndexName":%q,"KeyConditionExpression":"h = :h","ExpressionAttributeValues":{":h":{"S":"p1"}},"Select":%q}`, idx, sel))
		}
		p.call("Query "+idx+" projecting an attribute outside the index", "Query", fmt.Sprintf(`{"TableName":"$P","IndexName":%q,"KeyConditionExpression":"h = :h","ProjectionExpression":"z, r","ExpressionAttributeValues":{":h":{"S":"p1"}}}`, idx))
		p.call("Query "+idx+" consistent", "Query", fmt.Sprintf(`{"TableName":"$P","IndexName":%q,"KeyConditionExpression":"h = :h","ConsistentRead":true,"ExpressionAttributeValues":{":h":{"S":"p0"}}}`, idx))
		p.call("Scan "+idx, "Scan", fmt.Sprintf(`{"TableName":"$P","IndexName":%q}`, idx), unordered("Items"))
	}
	p.call("Query by-n range", "Query", `{"TableName":"$P","IndexName":"by-n","KeyConditionExpression":"h = :h AND ln BETWEEN :a AND :b","ExpressionAttributeValues":{":h":{"S":"p0"},":a":{"N":"-1"},":b":{"N":"100"}}}`)
	p.call("Query by-s begins_with", "Query", `{"TableName":"$P","IndexName":"by-s","KeyConditionExpression":"h = :h AND begins_with(ls, :a)","ExpressionAttributeValues":{":h":{"S":"p1"},":a":{"S":"a"}}}`)
	p.call("Query by-b >", "Query", `{"TableName":"$P","IndexName":"by-b","KeyConditionExpression":"h = :h AND lb > :a","ExpressionAttributeValues":{":h":{"S":"p0"},":a":{"B":"fw=="}}}`)
	for g := range 3 {
		for _, fwd := range []bool{true, false} {
			p.queryPages(fmt.Sprintf("Query g-bn %d fwd=%v", g, fwd), "Query", fmt.Sprintf(
				`{"TableName":"$P","IndexName":"g-bn","KeyConditionExpression":"gh = :g AND gr >= :lo","ExpressionAttributeValues":{":g":{"B":%q},":lo":{"N":"-50"}},"Limit":2,"ScanIndexForward":%v}`, b64(byte(g)), fwd))
		}
	}
	p.call("Query g-bn Select ALL_ATTRIBUTES", "Query", `{"TableName":"$P","IndexName":"g-bn","KeyConditionExpression":"gh = :g","Select":"ALL_ATTRIBUTES","ExpressionAttributeValues":{":g":{"B":"AA=="}}}`)
	p.call("Query g-bn projecting outside", "Query", `{"TableName":"$P","IndexName":"g-bn","KeyConditionExpression":"gh = :g","ProjectionExpression":"z","ExpressionAttributeValues":{":g":{"B":"AA=="}}}`)
	// An item collection over 10 GB cannot be made here; an LSI key of
	// the wrong type can.
	p.call("PutItem with an LSI key of the wrong type", "PutItem", `{"TableName":"$P","Item":{"h":{"S":"p0"},"r":{"S":"bad"},"ln":{"S":"x"}}}`)
}

// Parallel Scan: the segments of each server are disjoint and together
// hold every item, and the union is the same on both. (Which items fall in
// which segment depends on the server's hash and is not compared.)
func TestParallelScan(t *testing.T) {
	p := newPair(t)
	table := p.hashTable("seg")
	for i := range 40 {
		p.put(table, fmt.Sprintf(`{"id":{"S":"item-%d"},"n":{"N":"%d"}}`, i, i))
	}
	for _, total := range []int32{1, 2, 3, 7} {
		seen := map[string]map[string]int{"eddy": {}, "dynalite": {}}
		for side, tg := range map[string]*target{"eddy": p.eddy, "dynalite": p.dyn} {
			for seg := range total {
				var start map[string]types.AttributeValue
				for range maxPages {
					ctx, cancel := context.WithTimeout(t.Context(), callTimeout)
					out, err := tg.ddb.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(table), Segment: aws.Int32(seg), TotalSegments: aws.Int32(total), Limit: aws.Int32(5), ExclusiveStartKey: start})
					cancel()
					tg.rec.take()
					if err != nil {
						t.Fatalf("%s: Scan segment %d/%d: %v", tg.srv.name, seg, total, err)
					}
					for _, it := range out.Items {
						seen[side][it["id"].(*types.AttributeValueMemberS).Value]++
					}
					if out.LastEvaluatedKey == nil {
						break
					}
					start = out.LastEvaluatedKey
				}
			}
		}
		for name, ids := range seen {
			if len(ids) != 40 {
				t.Errorf("%s, %d segments: %d distinct items, want 40", name, total, len(ids))
			}
			for id, n := range ids {
				if n != 1 {
					t.Errorf("%s, %d segments: %s returned %d times", name, total, id, n)
				}
			}
		}
	}
}
