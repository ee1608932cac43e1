package dynamo

import (
	"fmt"
	"strings"
	"testing"

	"github.com/eddy-streams/eddy/dynamo/attr"
	"github.com/eddy-streams/eddy/protocol/ddb"
)

// TestQueryPageLimit: a page stops once the items read reach 1 MB, before
// the filter: a filter that drops everything still pages.
func TestQueryPageLimit(t *testing.T) {
	e, _ := newEngine(t, nil)
	createTable(t, e, "tab", "pk", ddb.ScalarS, "sk", ddb.ScalarN)
	big := strings.Repeat("x", 300<<10)
	for i := range 8 {
		put(t, e, "tab", attr.Item{"pk": S("p"), "sk": N(fmt.Sprint(i)), "payload": S(big)})
	}
	var pages []int32
	var esk attr.Item
	for {
		in := &ddb.QueryInput{TableName: sp("tab"), KeyConditionExpression: sp("pk = :p"), FilterExpression: sp("attribute_not_exists(payload)"),
			ExpressionAttributeValues: map[string]attr.Value{":p": S("p")}, ExclusiveStartKey: esk, Checker: Checker{}}
		mustValidate(t, in)
		out, err := e.Query(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if out.Count != 0 {
			t.Fatalf("filter let %d items through", out.Count)
		}
		pages = append(pages, out.ScannedCount)
		if out.LastEvaluatedKey == nil {
			break
		}
		esk = out.LastEvaluatedKey
	}
	// 300 KB items: the fourth reaches 1 MB.
	if fmt.Sprint(pages) != "[4 4 0]" {
		t.Fatalf("pages scanned %v, want 4 items per 1 MB page", pages)
	}
}

// TestIndexPaging pages a GSI query with Limit, items sharing the index
// key: LastEvaluatedKey carries the index and table keys, and every item
// comes once.
func TestIndexPaging(t *testing.T) {
	e, _ := newEngine(t, nil)
	createTable(t, e, "tab", "id", ddb.ScalarS, "", "", func(in *ddb.CreateTableInput) {
		in.AttributeDefinitions = append(in.AttributeDefinitions, ddb.AttributeDefinition{AttributeName: sp("grp"), AttributeType: ptr(ddb.ScalarS)})
		in.GlobalSecondaryIndexes = []ddb.GlobalSecondaryIndex{{IndexName: sp("byGrp"),
			KeySchema:  []ddb.KeySchemaElement{{AttributeName: sp("grp"), KeyType: ptr(ddb.KeyTypeHash)}},
			Projection: &ddb.Projection{ProjectionType: ptr(ddb.ProjectionAll)}}}
	})
	for i := range 10 {
		put(t, e, "tab", attr.Item{"id": S(fmt.Sprint("i", i)), "grp": S("g")})
	}
	seen := map[string]bool{}
	var esk attr.Item
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("paging does not end")
		}
		in := &ddb.QueryInput{TableName: sp("tab"), IndexName: sp("byGrp"), KeyConditionExpression: sp("grp = :g"), Limit: ptr(int32(3)),
			ExpressionAttributeValues: map[string]attr.Value{":g": S("g")}, ExclusiveStartKey: esk, Checker: Checker{}}
		mustValidate(t, in)
		out, err := e.Query(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range out.Items {
			id := *it["id"].S
			if seen[id] {
				t.Fatalf("%s twice", id)
			}
			seen[id] = true
		}
		if out.LastEvaluatedKey == nil {
			break
		}
		if len(out.LastEvaluatedKey) != 2 {
			t.Fatalf("LastEvaluatedKey %v: want the index and table keys", out.LastEvaluatedKey)
		}
		esk = out.LastEvaluatedKey
	}
	if len(seen) != 10 {
		t.Fatalf("%d items seen, want 10", len(seen))
	}
}

// TestRecreatedTableIsEmpty: a table deleted and created again under its
// name has none of the old items, and the old buckets are emptied.
func TestRecreatedTableIsEmpty(t *testing.T) {
	e, _ := newEngine(t, nil)
	createTable(t, e, "tab", "id", ddb.ScalarS, "", "")
	for i := range 5 {
		put(t, e, "tab", attr.Item{"id": S(fmt.Sprint(i))})
	}
	old := e.lookup("tab").bucket
	if _, err := e.DeleteTable(ctx, &ddb.DeleteTableInput{TableName: sp("tab")}); err != nil {
		t.Fatal(err)
	}
	createTable(t, e, "tab", "id", ddb.ScalarS, "", "")
	if got := get(t, e, "tab", attr.Item{"id": S("1")}); got != nil {
		t.Fatalf("old item in the new table: %v", got)
	}
	out, err := e.Scan(ctx, &ddb.ScanInput{TableName: sp("tab")})
	if err != nil || out.Count != 0 {
		t.Fatalf("scan of the new table: %v %v", out, err)
	}
	waitFor(t, "the old bucket emptied", func() bool {
		n := 0
		e.meta.View(func(tx storageTx) error {
			return tx.Scan(old, "", "", func(string, []byte) (bool, error) { n++; return true, nil })
		})
		return n == 0
	})
}
