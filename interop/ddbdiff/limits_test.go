package ddbdiff

import (
	"fmt"
	"strings"
	"testing"
)

// The 1 MB page: a Query or Scan stops at 1 MB of items read (before the
// filter) and answers LastEvaluatedKey there. Items of equal size make the
// page boundaries independent of the order, so Scan pages compare too.
func TestOneMegabytePages(t *testing.T) {
	p := newPair(t)
	p.createTable(`{"TableName":"$P","AttributeDefinitions":[{"AttributeName":"h","AttributeType":"S"},{"AttributeName":"r","AttributeType":"N"}],
		"KeySchema":[{"AttributeName":"h","KeyType":"HASH"},{"AttributeName":"r","KeyType":"RANGE"}],"BillingMode":"PAY_PER_REQUEST"}`)
	pad := strings.Repeat("p", 90*1024)
	for i := range 30 {
		p.put("$P", fmt.Sprintf(`{"h":{"S":"a"},"r":{"N":"%d"},"pad":{"S":%q},"odd":{"BOOL":%v}}`, 100+i, pad, i%2 == 1))
	}
	for _, fwd := range []bool{true, false} {
		p.queryPages(fmt.Sprintf("Query of 2.7 MB fwd=%v", fwd), "Query", fmt.Sprintf(
			`{"TableName":"$P","KeyConditionExpression":"h = :h","ExpressionAttributeValues":{":h":{"S":"a"}},"ProjectionExpression":"r","ScanIndexForward":%v}`, fwd))
		p.queryPages(fmt.Sprintf("Query of 2.7 MB, filtered, fwd=%v", fwd), "Query", fmt.Sprintf(
			`{"TableName":"$P","KeyConditionExpression":"h = :h","FilterExpression":"odd = :t","ExpressionAttributeValues":{":h":{"S":"a"},":t":{"BOOL":true}},"ProjectionExpression":"r","ScanIndexForward":%v}`, fwd))
		p.queryPages(fmt.Sprintf("Query COUNT of 2.7 MB fwd=%v", fwd), "Query", fmt.Sprintf(
			`{"TableName":"$P","KeyConditionExpression":"h = :h","ExpressionAttributeValues":{":h":{"S":"a"}},"Select":"COUNT","ScanIndexForward":%v}`, fwd))
	}
	// One Scan page: its size is the same whatever the order.
	p.call("Scan of 2.7 MB, first page", "Scan", `{"TableName":"$P","Select":"COUNT"}`, ignoringLastKey())
}

// ignoringLastKey compares LastEvaluatedKey's presence only: a Scan's
// order, and so the key it stops at, is unspecified.
func ignoringLastKey() option {
	return func(o *compareOpts) { o.lastKeyPresence = true }
}

// The 400 KB item limit, found by bisection on each server for items of
// several shapes: the largest string each accepts must be the same.
func TestItemSizeBoundary(t *testing.T) {
	p := newPair(t)
	p.createTable(`{"TableName":"$P","AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],"KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"}`)
	shapes := map[string]string{
		"top-level S":           `{"id":{"S":"k"},"big":{"S":"%s"}}`,
		"S in a map":            `{"id":{"S":"k"},"m":{"M":{"inner":{"S":"%s"},"n":{"N":"123.456"}}}}`,
		"S in a list":           `{"id":{"S":"k"},"l":{"L":[{"S":"%s"},{"NULL":true},{"BOOL":false},{"N":"-1e10"}]}}`,
		"S beside a string set": `{"id":{"S":"k"},"ss":{"SS":["a","bb","ccc"]},"bs":{"BS":["AAEC"]},"big":{"S":"%s"}}`,
		"S in nested maps":      `{"id":{"S":"k"},"a":{"M":{"b":{"M":{"c":{"L":[{"M":{"d":{"S":"%s"}}}]}}}}}}`,
	}
	for name, shape := range shapes {
		largest := func(tg *target) int {
			lo, hi := 0, 400*1024 // lo is accepted, hi+1 is not
			for lo < hi {
				mid := (lo + hi + 1) / 2
				body := fmt.Sprintf(`{"TableName":"%s","Item":%s}`, p.sub("$P"), fmt.Sprintf(shape, strings.Repeat("x", mid)))
				if r := tg.raw(t, rawRequest{Op: "PutItem", Body: body}); r.Status == 200 {
					lo = mid
				} else {
					hi = mid - 1
				}
			}
			return lo
		}
		e, d := largest(p.eddy), largest(p.dyn)
		if e != d {
			t.Errorf("%s: the largest string eddy accepts is %d bytes, dynalite's %d", name, e, d)
		}
		// And the answer just past it.
		over := fmt.Sprintf(`{"TableName":"$P","Item":%s}`, fmt.Sprintf(shape, strings.Repeat("x", d+1)))
		p.call(name+": one byte over", "PutItem", over)
	}
}
