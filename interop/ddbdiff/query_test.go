package ddbdiff

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// put stores an item (a JSON object of AttributeValues) on both servers.
func (p *pair) put(table, item string) {
	p.t.Helper()
	p.call("PutItem", "PutItem", fmt.Sprintf(`{"TableName":%q,"Item":%s}`, p.sub(table), item))
}

// queryPages runs a Query (or Scan) body on both servers page by page,
// comparing each page exactly: a Query's order is defined. The next page
// starts from Eddy's LastEvaluatedKey on both.
func (p *pair) queryPages(what, op, body string) {
	p.t.Helper()
	var start json.RawMessage
	for i := range maxPages {
		b := body
		if start != nil {
			b = strings.TrimSuffix(strings.TrimSpace(body), "}") + `,"ExclusiveStartKey":` + string(start) + "}"
		}
		e := p.call(fmt.Sprintf("%s, page %d", what, i+1), op, b)
		var m struct{ LastEvaluatedKey json.RawMessage }
		if e.Status != 200 || json.Unmarshal(e.Raw, &m) != nil || m.LastEvaluatedKey == nil {
			return
		}
		start = m.LastEvaluatedKey
	}
	p.t.Errorf("%s: more than %d pages", what, maxPages)
}

// rangeValues are the range keys stored per type: N across signs,
// exponents and precision; S by UTF-8 bytes; B bytewise.
var rangeValues = map[string][]string{
	"N": {"-1E+125", "-99999999999999999999999999999999999999", "-1e10", "-100", "-10.5", "-2.5", "-1", "-0.001", "-1E-130",
		"0", "1E-130", "0.001", "0.5", "1", "1.5e3", "2", "10", "10.5", "100", "1e10", "99999999999999999999999999999999999999", "9.9E+125"},
	"S": {"0", "10", "9", "A", "B", "Z", "a", "a b", "aa", "ab", "abc", "b", "~", "é", "日本", "\u007f", "z"},
	"B": {b64(0), b64(0, 0), b64(0, 1), b64(1), b64(0x7f), b64(0x80), b64(0x80, 0), b64(0xfe), b64(0xff), b64(0xff, 0), b64('a', 'b', 'c'), b64('a', 'b')},
}

func b64(b ...byte) string { return base64.StdEncoding.EncodeToString(b) }

// queryOperands are the operands each key condition is tried with.
var queryOperands = map[string][]string{
	"N": {"-100", "-1", "0", "0.001", "1", "1500", "10", "1E+10", "-1E-130", "5"},
	"S": {"a", "A", "ab", "b", "9", "é", "zz"},
	"B": {b64(0), b64(0x7f), b64(0x80), b64('a'), b64(0xff)},
}

// TestQueryKeyConditions queries a table per range key type (N, S, B)
// with every key condition operator, both directions, with and without
// Limit paging, through the expression and the legacy KeyConditions.
func TestQueryKeyConditions(t *testing.T) {
	for _, typ := range []string{"N", "S", "B"} {
		t.Run(typ, func(t *testing.T) {
			p := newPair(t)
			p.createTable(fmt.Sprintf(`{"TableName":"$P","AttributeDefinitions":[{"AttributeName":"h","AttributeType":"S"},{"AttributeName":"r","AttributeType":%q}],
				"KeySchema":[{"AttributeName":"h","KeyType":"HASH"},{"AttributeName":"r","KeyType":"RANGE"}],"BillingMode":"PAY_PER_REQUEST"}`, typ))
			for i, v := range rangeValues[typ] {
				p.put("$P", fmt.Sprintf(`{"h":{"S":"h1"},"r":{%q:%q},"i":{"N":"%d"},"odd":{"BOOL":%v}}`, typ, v, i, i%2 == 1))
				if i%3 == 0 {
					p.put("$P", fmt.Sprintf(`{"h":{"S":"h2"},"r":{%q:%q}}`, typ, v))
				}
			}
			ops := []string{"=", "<", "<=", ">", ">=", "BETWEEN", "begins_with"}
			vals := queryOperands[typ]
			for _, op := range ops {
				for i, v := range vals {
					var cond string
					attrs := fmt.Sprintf(`":h":{"S":"h1"},":v":{%q:%q}`, typ, v)
					switch op {
					case "BETWEEN":
						w := vals[(i+3)%len(vals)]
						cond = "r BETWEEN :v AND :w"
						attrs += fmt.Sprintf(`,":w":{%q:%q}`, typ, w)
					case "begins_with":
						cond = "begins_with(r, :v)"
					default:
						cond = "r " + op + " :v"
					}
					for _, fwd := range []bool{true, false} {
						body := fmt.Sprintf(`{"TableName":"$P","KeyConditionExpression":"h = :h AND %s","ExpressionAttributeValues":{%s},"ScanIndexForward":%v}`, cond, attrs, fwd)
						p.call(fmt.Sprintf("Query %s %s fwd=%v", cond, v, fwd), "Query", body)
					}
				}
			}
			// The whole partition both ways, paged by 4, with a filter and
			// a projection; then the legacy KeyConditions and QueryFilter.
			for _, fwd := range []bool{true, false} {
				p.queryPages(fmt.Sprintf("Query paged fwd=%v", fwd), "Query", fmt.Sprintf(
					`{"TableName":"$P","KeyConditionExpression":"h = :h","ExpressionAttributeValues":{":h":{"S":"h1"}},"Limit":4,"ScanIndexForward":%v}`, fwd))
				p.queryPages(fmt.Sprintf("Query paged, filtered fwd=%v", fwd), "Query", fmt.Sprintf(
					`{"TableName":"$P","KeyConditionExpression":"h = :h","FilterExpression":"odd = :t","ProjectionExpression":"r, i",
					"ExpressionAttributeValues":{":h":{"S":"h1"},":t":{"BOOL":true}},"Limit":5,"ScanIndexForward":%v}`, fwd))
			}
			p.call("Query Select COUNT", "Query", `{"TableName":"$P","KeyConditionExpression":"h = :h","ExpressionAttributeValues":{":h":{"S":"h1"}},"Select":"COUNT"}`)
			for _, op := range []string{"EQ", "LT", "LE", "GT", "GE", "BEGINS_WITH", "BETWEEN"} {
				list := fmt.Sprintf(`[{%q:%q}]`, typ, vals[1])
				if op == "BETWEEN" {
					list = fmt.Sprintf(`[{%q:%q},{%q:%q}]`, typ, vals[1], typ, vals[4])
				}
				p.call("Query KeyConditions "+op, "Query", fmt.Sprintf(`{"TableName":"$P","KeyConditions":{"h":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"h1"}]},
					"r":{"ComparisonOperator":%q,"AttributeValueList":%s}},"QueryFilter":{"i":{"ComparisonOperator":"GT","AttributeValueList":[{"N":"2"}]}}}`, op, list))
			}
			p.call("Query of an empty partition", "Query", `{"TableName":"$P","KeyConditionExpression":"h = :h","ExpressionAttributeValues":{":h":{"S":"none"}}}`)
			p.call("Scan", "Scan", `{"TableName":"$P"}`, unordered("Items"))
		})
	}
}

// TestGSI creates a table with three global secondary indexes (KEYS_ONLY,
// INCLUDE, ALL), some items outside them (sparse), and queries and scans
// each index.
func TestGSI(t *testing.T) {
	p := newPair(t)
	gsi := func(name, hash, rng, proj string) string {
		return fmt.Sprintf(`{"IndexName":%q,"KeySchema":[{"AttributeName":%q,"KeyType":"HASH"},{"AttributeName":%q,"KeyType":"RANGE"}],"Projection":%s}`, name, hash, rng, proj)
	}
	p.createTable(`{"TableName":"$P","BillingMode":"PAY_PER_REQUEST",
		"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"},{"AttributeName":"g","AttributeType":"S"},{"AttributeName":"gs","AttributeType":"N"}],
		"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],
		"GlobalSecondaryIndexes":[` + gsi("keys", "g", "gs", `{"ProjectionType":"KEYS_ONLY"}`) + "," +
		gsi("incl", "g", "gs", `{"ProjectionType":"INCLUDE","NonKeyAttributes":["a"]}`) + "," +
		gsi("all", "g", "gs", `{"ProjectionType":"ALL"}`) + `]}`)
	p.call("DescribeTable", "DescribeTable", `{"TableName":"$P"}`)
	for i := range 30 {
		item := fmt.Sprintf(`{"pk":{"S":"p%d"},"sk":{"N":"%d"},"a":{"S":"a%d"},"b":{"N":"%d"}`, i%4, i, i, i*7)
		if i%5 != 0 { // sparse: every fifth item is in no index
			item += fmt.Sprintf(`,"g":{"S":"g%d"},"gs":{"N":"%d"}`, i%3, 100-i)
		}
		p.put("$P", item+"}")
	}
	for _, idx := range []string{"keys", "incl", "all"} {
		for _, fwd := range []bool{true, false} {
			p.queryPages(fmt.Sprintf("Query %s fwd=%v", idx, fwd), "Query", fmt.Sprintf(
				`{"TableName":"$P","IndexName":%q,"KeyConditionExpression":"g = :g AND gs > :x","ExpressionAttributeValues":{":g":{"S":"g1"},":x":{"N":"75"}},"Limit":3,"ScanIndexForward":%v}`, idx, fwd))
		}
		p.call("Query "+idx+" with a filter", "Query", fmt.Sprintf(`{"TableName":"$P","IndexName":%q,"KeyConditionExpression":"g = :g","FilterExpression":"attribute_exists(a)","ExpressionAttributeValues":{":g":{"S":"g2"}}}`, idx))
		p.call("Query "+idx+" projecting b", "Query", fmt.Sprintf(`{"TableName":"$P","IndexName":%q,"KeyConditionExpression":"g = :g","ProjectionExpression":"b, pk","ExpressionAttributeValues":{":g":{"S":"g2"}}}`, idx))
		p.call("Query "+idx+" Select ALL_ATTRIBUTES", "Query", fmt.Sprintf(`{"TableName":"$P","IndexName":%q,"KeyConditionExpression":"g = :g","Select":"ALL_ATTRIBUTES","ExpressionAttributeValues":{":g":{"S":"g0"}}}`, idx))
		p.call("Query "+idx+" ConsistentRead", "Query", fmt.Sprintf(`{"TableName":"$P","IndexName":%q,"KeyConditionExpression":"g = :g","ConsistentRead":true,"ExpressionAttributeValues":{":g":{"S":"g0"}}}`, idx))
		p.call("Scan "+idx, "Scan", fmt.Sprintf(`{"TableName":"$P","IndexName":%q}`, idx), unordered("Items"))
	}
	p.call("Query of a missing index", "Query", `{"TableName":"$P","IndexName":"nope","KeyConditionExpression":"g = :g","ExpressionAttributeValues":{":g":{"S":"g0"}}}`)
	p.call("Query an index on the table's key", "Query", `{"TableName":"$P","IndexName":"all","KeyConditionExpression":"pk = :g","ExpressionAttributeValues":{":g":{"S":"p0"}}}`)
	// Moving an item out of, and within, an index.
	p.call("UpdateItem removing g", "UpdateItem", `{"TableName":"$P","Key":{"pk":{"S":"p1"},"sk":{"N":"1"}},"UpdateExpression":"REMOVE g"}`)
	p.call("UpdateItem changing gs", "UpdateItem", `{"TableName":"$P","Key":{"pk":{"S":"p2"},"sk":{"N":"2"}},"UpdateExpression":"SET gs = :v","ExpressionAttributeValues":{":v":{"N":"1000"}}}`)
	p.call("Query all after updates", "Query", `{"TableName":"$P","IndexName":"all","KeyConditionExpression":"g = :g","ExpressionAttributeValues":{":g":{"S":"g1"}}}`)
	p.call("Query all after updates g2", "Query", `{"TableName":"$P","IndexName":"all","KeyConditionExpression":"g = :g","ExpressionAttributeValues":{":g":{"S":"g2"}}}`)
	p.call("PutItem with a wrong-typed index key", "PutItem", `{"TableName":"$P","Item":{"pk":{"S":"x"},"sk":{"N":"1"},"g":{"N":"1"}}}`)
}
