package dynamo

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/dynamo/attr"
	"github.com/eddy-streams/eddy/kinesis"
	"github.com/eddy-streams/eddy/protocol/ddb"
	"github.com/eddy-streams/eddy/storage/boltmeta"
	"github.com/eddy-streams/eddy/storage/mem"
)

func queryIndex(t *testing.T, e *Engine, table, index, cond string, vals map[string]attr.Value) *ddb.QueryOutput {
	t.Helper()
	in := &ddb.QueryInput{TableName: sp(table), KeyConditionExpression: &cond, ExpressionAttributeValues: vals, Checker: Checker{}}
	if index != "" {
		in.IndexName = &index
	}
	mustValidate(t, in)
	out, err := e.Query(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestGSIBackfillAndMaintenance: a GSI added by UpdateTable holds the
// items written before it (backfilled) and follows later writes; counts
// follow; a deleted GSI is gone.
func TestGSIBackfillAndMaintenance(t *testing.T) {
	e, _ := newEngine(t, nil)
	createTable(t, e, "tab", "id", ddb.ScalarS, "", "")
	for i := range 6 {
		put(t, e, "tab", attr.Item{"id": S(fmt.Sprint(i)), "ownr": S(fmt.Sprint("w", i%2)), "x": N(fmt.Sprint(i))})
	}
	put(t, e, "tab", attr.Item{"id": S("noowner")}) // sparse: not in the index
	in := &ddb.UpdateTableInput{TableName: sp("tab"),
		AttributeDefinitions: []ddb.AttributeDefinition{{AttributeName: sp("ownr"), AttributeType: ptr(ddb.ScalarS)}},
		GlobalSecondaryIndexUpdates: []ddb.GlobalSecondaryIndexUpdate{{Create: &ddb.CreateGlobalSecondaryIndexAction{
			IndexName: sp("byOwner"), KeySchema: []ddb.KeySchemaElement{{AttributeName: sp("ownr"), KeyType: ptr(ddb.KeyTypeHash)}},
			Projection: &ddb.Projection{ProjectionType: ptr(ddb.ProjectionInclude), NonKeyAttributes: []string{"x"}}}}}}
	mustValidate(t, in)
	if _, err := e.UpdateTable(ctx, in); err != nil {
		t.Fatal(err)
	}
	if out := queryIndex(t, e, "tab", "byOwner", "ownr = :o", map[string]attr.Value{":o": S("w1")}); out.Count != 3 {
		t.Fatalf("backfilled index holds %d of w1's 3 items", out.Count)
	}
	// A write moves an item from one index key to another.
	put(t, e, "tab", attr.Item{"id": S("1"), "ownr": S("w0"), "x": N("1"), "y": S("not projected")})
	out := queryIndex(t, e, "tab", "byOwner", "ownr = :o", map[string]attr.Value{":o": S("w0")})
	if out.Count != 4 {
		t.Fatalf("w0 has %d items, want 4", out.Count)
	}
	for _, it := range out.Items {
		if _, ok := it["y"]; ok || it["x"].N == nil {
			t.Fatalf("projection INCLUDE x: %v", it)
		}
	}
	d := describe(t, e, "tab")
	if *d.ItemCount != 7 || *d.GlobalSecondaryIndexes[0].ItemCount != 6 || *d.GlobalSecondaryIndexes[0].IndexStatus != ddb.IndexActive {
		t.Fatalf("counts: table %d index %d", *d.ItemCount, *d.GlobalSecondaryIndexes[0].ItemCount)
	}
	// Creating it again fails; deleting it removes it.
	_, err := e.UpdateTable(ctx, in)
	wantErr(t, err, eddy.CodeValidation, "Attempting to create an index which already exists")
	if _, err := e.UpdateTable(ctx, &ddb.UpdateTableInput{TableName: sp("tab"), GlobalSecondaryIndexUpdates: []ddb.GlobalSecondaryIndexUpdate{
		{Delete: &ddb.DeleteGlobalSecondaryIndexAction{IndexName: sp("byOwner")}}}}); err != nil {
		t.Fatal(err)
	}
	_, err = e.Query(ctx, &ddb.QueryInput{TableName: sp("tab"), IndexName: sp("byOwner"), KeyConditionExpression: sp("ownr = :o"),
		ExpressionAttributeValues: map[string]attr.Value{":o": S("w0")}})
	wantErr(t, err, eddy.CodeValidation, "The table does not have the specified index: byOwner")
}

// TestLSIQuery: a local secondary index orders one hash key's items by
// another attribute; ALL_ATTRIBUTES fetches what it does not project.
func TestLSIQuery(t *testing.T) {
	e, _ := newEngine(t, nil)
	createTable(t, e, "tab", "pk", ddb.ScalarS, "sk", ddb.ScalarS, func(in *ddb.CreateTableInput) {
		in.AttributeDefinitions = append(in.AttributeDefinitions, ddb.AttributeDefinition{AttributeName: sp("ts"), AttributeType: ptr(ddb.ScalarN)})
		in.LocalSecondaryIndexes = []ddb.LocalSecondaryIndex{{IndexName: sp("byAt"),
			KeySchema:  []ddb.KeySchemaElement{{AttributeName: sp("pk"), KeyType: ptr(ddb.KeyTypeHash)}, {AttributeName: sp("ts"), KeyType: ptr(ddb.KeyTypeRange)}},
			Projection: &ddb.Projection{ProjectionType: ptr(ddb.ProjectionKeysOnly)}}}
	})
	for i, sk := range []string{"a", "b", "c", "d"} {
		put(t, e, "tab", attr.Item{"pk": S("p"), "sk": S(sk), "ts": N(fmt.Sprint(10 - i)), "big": S("payload")})
	}
	in := &ddb.QueryInput{TableName: sp("tab"), IndexName: sp("byAt"), KeyConditionExpression: sp("pk = :p AND ts BETWEEN :lo AND :hi"),
		ExpressionAttributeValues: map[string]attr.Value{":p": S("p"), ":lo": N("8"), ":hi": N("9")}, Select: ptr(ddb.SelectAllAttributes), Checker: Checker{}}
	mustValidate(t, in)
	out, err := e.Query(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if out.Count != 2 || *out.Items[0]["sk"].S != "c" || out.Items[0]["big"].S == nil {
		t.Fatalf("LSI query: %v", out.Items)
	}
}

// TestRestart: tables, items, indexes and counts survive closing and
// reopening the store.
func TestRestart(t *testing.T) {
	path := t.TempDir() + "/meta.db"
	meta, err := boltmeta.Open(path, boltmeta.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	e, _ := newEngine(t, meta)
	createTable(t, e, "tab", "id", ddb.ScalarN, "", "")
	for i := range 20 {
		put(t, e, "tab", attr.Item{"id": N(fmt.Sprint(i)), "v": S("x")})
	}
	e.Close()
	meta.Close()
	meta, err = boltmeta.Open(path, boltmeta.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer meta.Close()
	e, _ = newEngine(t, meta)
	if d := describe(t, e, "tab"); *d.ItemCount != 20 {
		t.Fatalf("after restart: %d items", *d.ItemCount)
	}
	if got := get(t, e, "tab", attr.Item{"id": N("7")}); got == nil {
		t.Fatal("item 7 lost")
	}
}

func TestListTablesPages(t *testing.T) {
	e, _ := newEngine(t, nil)
	for _, n := range []string{"ccc", "aaa", "bbb", "ddd"} {
		createTable(t, e, n, "id", ddb.ScalarS, "", "")
	}
	out, err := e.ListTables(ctx, &ddb.ListTablesInput{Limit: ptr(int32(3))})
	if err != nil || fmt.Sprint(out.TableNames) != "[aaa bbb ccc]" || *out.LastEvaluatedTableName != "ccc" {
		t.Fatalf("%v %v", out, err)
	}
	out, err = e.ListTables(ctx, &ddb.ListTablesInput{ExclusiveStartTableName: sp("ccc")})
	if err != nil || fmt.Sprint(out.TableNames) != "[ddd]" || out.LastEvaluatedTableName != nil {
		t.Fatalf("%v %v", out, err)
	}
}

// TestTTLSweeper: with TTL on, the sweeper deletes the items whose TTL
// attribute is a number of seconds before now, and only those.
func TestTTLSweeper(t *testing.T) {
	e, clk := newEngine(t, nil)
	createTable(t, e, "tab", "id", ddb.ScalarS, "", "")
	now := t0.Unix()
	put(t, e, "tab", attr.Item{"id": S("past"), "exp": N(fmt.Sprint(now - 1))})
	put(t, e, "tab", attr.Item{"id": S("soon"), "exp": N(fmt.Sprint(now + 30))})
	put(t, e, "tab", attr.Item{"id": S("string"), "exp": S(fmt.Sprint(now - 100))})
	put(t, e, "tab", attr.Item{"id": S("none")})
	put(t, e, "tab", attr.Item{"id": S("ancient"), "exp": N(fmt.Sprint(t0.AddDate(-5, 0, -1).Unix()))})
	// TTL off: nothing expires.
	clk.Advance(2 * time.Second)
	if get(t, e, "tab", attr.Item{"id": S("past")}) == nil {
		t.Fatal("deleted with TTL disabled")
	}
	if _, err := e.UpdateTimeToLive(ctx, &ddb.UpdateTimeToLiveInput{TableName: sp("tab"),
		TimeToLiveSpecification: &ddb.TimeToLiveSpecification{Enabled: ptr(true), AttributeName: sp("exp")}}); err != nil {
		t.Fatal(err)
	}
	_, err := e.UpdateTimeToLive(ctx, &ddb.UpdateTimeToLiveInput{TableName: sp("tab"),
		TimeToLiveSpecification: &ddb.TimeToLiveSpecification{Enabled: ptr(true), AttributeName: sp("exp")}})
	wantErr(t, err, eddy.CodeValidation, "TimeToLive is already enabled")
	clk.Advance(time.Second)
	if get(t, e, "tab", attr.Item{"id": S("past")}) != nil {
		t.Fatal("expired item not swept")
	}
	for _, id := range []string{"soon", "string", "none", "ancient"} {
		if get(t, e, "tab", attr.Item{"id": S(id)}) == nil {
			t.Fatalf("%s swept", id)
		}
	}
	clk.Advance(31 * time.Second)
	if get(t, e, "tab", attr.Item{"id": S("soon")}) != nil {
		t.Fatal("item expired 1 s ago not swept")
	}
	if d := describe(t, e, "tab"); *d.ItemCount != 3 {
		t.Fatalf("count %d after sweeping", *d.ItemCount)
	}
	out, err := e.DescribeTimeToLive(ctx, &ddb.DescribeTimeToLiveInput{TableName: sp("tab")})
	if err != nil || *out.TimeToLiveDescription.TimeToLiveStatus != ddb.TTLEnabled || *out.TimeToLiveDescription.AttributeName != "exp" {
		t.Fatalf("%v %v", out, err)
	}
}

func TestTags(t *testing.T) {
	e, _ := newEngine(t, nil)
	createTable(t, e, "tab", "id", ddb.ScalarS, "", "")
	arn := "arn:aws:dynamodb:us-east-1:000000000000:table/tab"
	if _, err := e.TagResource(ctx, &ddb.TagResourceInput{ResourceArn: &arn, Tags: []ddb.Tag{{Key: sp("a"), Value: sp("1")}, {Key: sp("b"), Value: sp("2")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.UntagResource(ctx, &ddb.UntagResourceInput{ResourceArn: &arn, TagKeys: []string{"a", "zz"}}); err != nil {
		t.Fatal(err)
	}
	out, err := e.ListTagsOfResource(ctx, &ddb.ListTagsOfResourceInput{ResourceArn: &arn})
	if err != nil || len(out.Tags) != 1 || *out.Tags[0].Key != "b" {
		t.Fatalf("%v %v", out, err)
	}
	many := make([]ddb.Tag, 50)
	for i := range many {
		many[i] = ddb.Tag{Key: sp(fmt.Sprint("k", i)), Value: sp("v")}
	}
	_, err = e.TagResource(ctx, &ddb.TagResourceInput{ResourceArn: &arn, Tags: many})
	wantErr(t, err, eddy.CodeValidation, "Number of Tags exceed the current limit for the provided ResourceArn")
	missing := "arn:aws:dynamodb:us-east-1:000000000000:table/nope"
	_, err = e.ListTagsOfResource(ctx, &ddb.ListTagsOfResourceInput{ResourceArn: &missing})
	wantErr(t, err, eddy.CodeResourceNotFound, "Requested resource not found: ResourcArn: "+missing+" not found")
}

// TestTTLSweeperResumes: a pass reads a bounded number of items and the
// next goes on from there, so every expired item of a large table goes.
func TestTTLSweeperResumes(t *testing.T) {
	defer func(c, b int) { sweepChunk, sweepBudget = c, b }(sweepChunk, sweepBudget)
	sweepChunk, sweepBudget = 2, 20 // 20 items read per pass
	e, clk := newEngine(t, nil)
	createTable(t, e, "tab", "id", ddb.ScalarS, "", "")
	for i := range 50 {
		put(t, e, "tab", attr.Item{"id": S(fmt.Sprint(i)), "exp": N(fmt.Sprint(t0.Unix() - 10))})
	}
	if _, err := e.UpdateTimeToLive(ctx, &ddb.UpdateTimeToLiveInput{TableName: sp("tab"),
		TimeToLiveSpecification: &ddb.TimeToLiveSpecification{Enabled: ptr(true), AttributeName: sp("exp")}}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Second)
	if n := *describe(t, e, "tab").ItemCount; n == 0 || n == 50 {
		t.Fatalf("%d items left after one bounded pass", n)
	}
	for range 5 {
		clk.Advance(time.Second)
	}
	if n := *describe(t, e, "tab").ItemCount; n != 0 {
		t.Fatalf("%d expired items left after 6 passes", n)
	}
}

// TestUpdateTableToProvisioned: a table with GSIs becomes PROVISIONED only
// with throughput for each of them (dynalite actions/updateTable.js).
func TestUpdateTableToProvisioned(t *testing.T) {
	e, _ := newEngine(t, nil)
	createTable(t, e, "tab", "id", ddb.ScalarS, "", "", func(in *ddb.CreateTableInput) {
		in.AttributeDefinitions = append(in.AttributeDefinitions, ddb.AttributeDefinition{AttributeName: sp("g"), AttributeType: ptr(ddb.ScalarS)})
		in.GlobalSecondaryIndexes = []ddb.GlobalSecondaryIndex{{IndexName: sp("byG"),
			KeySchema:  []ddb.KeySchemaElement{{AttributeName: sp("g"), KeyType: ptr(ddb.KeyTypeHash)}},
			Projection: &ddb.Projection{ProjectionType: ptr(ddb.ProjectionAll)}}}
	})
	pt := &ddb.ProvisionedThroughput{ReadCapacityUnits: ptr(int64(5)), WriteCapacityUnits: ptr(int64(5))}
	_, err := e.UpdateTable(ctx, &ddb.UpdateTableInput{TableName: sp("tab"), BillingMode: ptr(ddb.BillingProvisioned), ProvisionedThroughput: pt})
	wantErr(t, err, eddy.CodeValidation, "One or more parameter values were invalid: ProvisionedThroughput must be specified for index: byG")
	out, err := e.UpdateTable(ctx, &ddb.UpdateTableInput{TableName: sp("tab"), BillingMode: ptr(ddb.BillingProvisioned), ProvisionedThroughput: pt,
		GlobalSecondaryIndexUpdates: []ddb.GlobalSecondaryIndexUpdate{{Update: &ddb.UpdateGlobalSecondaryIndexAction{IndexName: sp("byG"), ProvisionedThroughput: pt}}}})
	if err != nil {
		t.Fatal(err)
	}
	d := out.TableDescription
	if *d.BillingModeSummary.BillingMode != ddb.BillingProvisioned || *d.ProvisionedThroughput.ReadCapacityUnits != 5 || *d.GlobalSecondaryIndexes[0].ProvisionedThroughput.WriteCapacityUnits != 5 {
		t.Fatalf("after the switch: %+v", d)
	}
}

// TestTTLSweeperOnlyOnLeader: a node that does not lead the sweeper deletes
// nothing; once it leads, it sweeps.
func TestTTLSweeperOnlyOnLeader(t *testing.T) {
	var lead atomic.Bool
	var asked atomic.Value
	clk := kinesis.NewFakeClock(t0)
	cfg := DefaultConfig()
	cfg.Clock = clk
	cfg.Leader = func(job string) bool { asked.Store(job); return lead.Load() }
	e, err := Open(cfg, mem.NewMeta())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	createTable(t, e, "tab", "id", ddb.ScalarS, "", "")
	put(t, e, "tab", attr.Item{"id": S("past"), "exp": N(fmt.Sprint(t0.Unix() - 1))})
	if _, err := e.UpdateTimeToLive(ctx, &ddb.UpdateTimeToLiveInput{TableName: sp("tab"),
		TimeToLiveSpecification: &ddb.TimeToLiveSpecification{Enabled: ptr(true), AttributeName: sp("exp")}}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(3 * time.Second)
	if get(t, e, "tab", attr.Item{"id": S("past")}) == nil {
		t.Fatal("a node that does not lead swept")
	}
	if j, _ := asked.Load().(string); j != "dynamodb/000000000000/us-east-1/ttl" {
		t.Fatalf("asked about job %q", j)
	}
	lead.Store(true)
	clk.Advance(2 * time.Second)
	if get(t, e, "tab", attr.Item{"id": S("past")}) != nil {
		t.Fatal("the leader did not sweep")
	}
}
