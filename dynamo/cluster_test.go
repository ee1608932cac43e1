package dynamo

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"testing"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/dynamo/attr"
	"github.com/eddy-streams/eddy/internal/natstest"
	"github.com/eddy-streams/eddy/protocol/ddb"
	"github.com/eddy-streams/eddy/storage"
	"github.com/eddy-streams/eddy/storage/jetstream"
)

// twoNodes opens two engines over two connections to one JetStream
// metadata store (one embedded nats-server): two Eddy nodes of a cluster.
func twoNodes(t *testing.T) (a, b *Engine) {
	t.Helper()
	e := nodes(t, 2)
	return e[0], e[1]
}

// nodes opens n engines on one JetStream store.
func nodes(t *testing.T, n int) []*Engine {
	t.Helper()
	srv := natstest.Embedded(t)
	var p [6]byte
	rand.Read(p[:])
	prefix := "T" + hex.EncodeToString(p[:])
	open := func() *Engine {
		c, err := jetstream.Open(jetstream.Config{URLs: srv.URL, Replicas: 1, Prefix: prefix})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		m, err := c.Meta()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		e, _ := newEngine(t, storage.PrefixMeta(m, Namespace("us-east-1")))
		return e
	}
	var es []*Engine
	for range n {
		es = append(es, open())
	}
	return es
}

// TestClusterTables: a table created, changed, deleted and made again
// through one node is seen at once through the other; changes made
// through both at once are both kept.
func TestClusterTables(t *testing.T) {
	a, b := twoNodes(t)
	createTable(t, a, "leases", "leaseKey", ddb.ScalarS, "", "")
	put(t, b, "leases", attr.Item{"leaseKey": S("shard-0"), "leaseOwner": S("w1")})
	if it := get(t, a, "leases", attr.Item{"leaseKey": S("shard-0")}); it == nil || *it["leaseOwner"].S != "w1" {
		t.Fatalf("A reads %v", it)
	}
	out, err := b.ListTables(ctx, &ddb.ListTablesInput{})
	if err != nil || len(out.TableNames) != 1 {
		t.Fatalf("B lists %v, %v", out, err)
	}

	// Tags added through both nodes at once: each change is made over
	// the definition it read, so neither is lost.
	arn := "arn:aws:dynamodb:us-east-1:000000000000:table/leases"
	var wg sync.WaitGroup
	for i, e := range []*Engine{a, b, a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := &ddb.TagResourceInput{ResourceArn: &arn, Tags: []ddb.Tag{{Key: sp(fmt.Sprint("k", i)), Value: sp("v")}}}
			if _, err := e.TagResource(ctx, in); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	for _, e := range []*Engine{a, b} {
		tags, err := e.ListTagsOfResource(ctx, &ddb.ListTagsOfResourceInput{ResourceArn: &arn})
		if err != nil || len(tags.Tags) != 4 {
			t.Fatalf("tags %v, %v: want the 4 added through both nodes", tags, err)
		}
	}

	// An index added through A is queried through B at once.
	in := &ddb.UpdateTableInput{TableName: sp("leases"),
		AttributeDefinitions: []ddb.AttributeDefinition{{AttributeName: sp("leaseOwner"), AttributeType: ptr(ddb.ScalarS)}},
		GlobalSecondaryIndexUpdates: []ddb.GlobalSecondaryIndexUpdate{{Create: &ddb.CreateGlobalSecondaryIndexAction{
			IndexName: sp("byOwner"), KeySchema: []ddb.KeySchemaElement{{AttributeName: sp("leaseOwner"), KeyType: ptr(ddb.KeyTypeHash)}},
			Projection: &ddb.Projection{ProjectionType: ptr(ddb.ProjectionAll)}}}}}
	mustValidate(t, in)
	if _, err := a.UpdateTable(ctx, in); err != nil {
		t.Fatal(err)
	}
	if out := queryIndex(t, b, "leases", "byOwner", "leaseOwner = :o", map[string]attr.Value{":o": S("w1")}); out.Count != 1 {
		t.Fatalf("B's query of the index added through A finds %d items, want 1", out.Count)
	}
	if d := describe(t, b, "leases"); len(d.GlobalSecondaryIndexes) != 1 {
		t.Fatalf("B describes %d indexes", len(d.GlobalSecondaryIndexes))
	}
	put(t, b, "leases", attr.Item{"leaseKey": S("shard-1"), "leaseOwner": S("w1")})
	if out := queryIndex(t, a, "leases", "byOwner", "leaseOwner = :o", map[string]attr.Value{":o": S("w1")}); out.Count != 2 {
		t.Fatalf("A's index holds %d of w1's items, want 2 (one written through B under the new index)", out.Count)
	}

	// Deleted through A: gone through B. Made again through A with
	// another key: B writes and reads it under the new key.
	if _, err := a.DeleteTable(ctx, &ddb.DeleteTableInput{TableName: sp("leases")}); err != nil {
		t.Fatal(err)
	}
	_, err = b.GetItem(ctx, &ddb.GetItemInput{TableName: sp("leases"), Key: attr.Item{"leaseKey": S("shard-0")}})
	wantErr(t, err, eddy.CodeResourceNotFound, msgNotFound)
	createTable(t, a, "leases", "id", ddb.ScalarN, "", "")
	if it := get(t, b, "leases", attr.Item{"id": N("7")}); it != nil {
		t.Fatalf("B reads %v from the new table", it)
	}
	put(t, b, "leases", attr.Item{"id": N("7")})
	if it := get(t, a, "leases", attr.Item{"id": N("7")}); it == nil {
		t.Fatal("A does not read the item B wrote in the table made again")
	}
	if d := describe(t, b, "leases"); *d.ItemCount != 1 || len(d.GlobalSecondaryIndexes) != 0 {
		t.Fatalf("B describes %d items, %d indexes", *d.ItemCount, len(d.GlobalSecondaryIndexes))
	}
}

// TestClusterLeases: KCL-style workers on two nodes take and steal leases
// with conditional writes; no lease ever has two owners at one counter,
// and both nodes read the same final items.
func TestClusterLeases(t *testing.T) {
	a, b := twoNodes(t)
	createTable(t, a, "leases", "leaseKey", ddb.ScalarS, "", "")
	const leases, rounds = 4, 25
	type win struct{ lease, counter int }
	var mu sync.Mutex
	winners := map[win][]string{}
	var wg sync.WaitGroup
	for w, e := range []*Engine{a, b, a, b} {
		worker := fmt.Sprint("worker-", w)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for l := range leases {
				key := attr.Item{"leaseKey": S(fmt.Sprint("shard-", l))}
				// Take the lease if nobody has it...
				in := &ddb.PutItemInput{TableName: sp("leases"), Checker: Checker{},
					Item:                attr.Item{"leaseKey": key["leaseKey"], "leaseOwner": S(worker), "leaseCounter": N("0")},
					ConditionExpression: sp("attribute_not_exists(leaseKey)")}
				if _, err := e.PutItem(ctx, in); err == nil {
					mu.Lock()
					winners[win{l, 0}] = append(winners[win{l, 0}], worker)
					mu.Unlock()
				} else if eddy.CodeOf(err) != "ConditionalCheckFailedException" {
					t.Error(err)
					return
				}
				// ...then steal it, counter by counter: a steal is
				// conditional on the counter read.
				for c := 1; c <= rounds; c++ {
					in := &ddb.UpdateItemInput{TableName: sp("leases"), Checker: Checker{}, Key: key,
						UpdateExpression:          sp("SET leaseOwner = :me, leaseCounter = :next"),
						ConditionExpression:       sp("leaseCounter = :prev"),
						ExpressionAttributeValues: map[string]attr.Value{":me": S(worker), ":next": N(fmt.Sprint(c)), ":prev": N(fmt.Sprint(c - 1))}}
					_, err := e.UpdateItem(ctx, in)
					switch {
					case err == nil:
						mu.Lock()
						winners[win{l, c}] = append(winners[win{l, c}], worker)
						mu.Unlock()
					case eddy.CodeOf(err) == "ConditionalCheckFailedException":
					default:
						t.Error(err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	for l := range leases {
		for c := 0; c <= rounds; c++ {
			if w := winners[win{l, c}]; len(w) > 1 {
				t.Fatalf("lease %d counter %d taken by %v", l, c, w)
			}
		}
		key := attr.Item{"leaseKey": S(fmt.Sprint("shard-", l))}
		ia, ib := get(t, a, "leases", key), get(t, b, "leases", key)
		if ia == nil || ib == nil || *ia["leaseOwner"].S != *ib["leaseOwner"].S || *ia["leaseCounter"].N != *ib["leaseCounter"].N {
			t.Fatalf("lease %d: A reads %v, B reads %v", l, ia, ib)
		}
		var last string
		for c := rounds; c >= 0; c-- {
			if w := winners[win{l, c}]; len(w) == 1 {
				last = w[0]
				if *ia["leaseCounter"].N != fmt.Sprint(c) {
					t.Fatalf("lease %d: counter %s, last won %d", l, *ia["leaseCounter"].N, c)
				}
				break
			}
		}
		if *ia["leaseOwner"].S != last {
			t.Fatalf("lease %d owned by %s, last winner %s", l, *ia["leaseOwner"].S, last)
		}
	}
}

// TestClusterNotices: a node's copy of a table follows changes made
// through another node without being asked (the TTL sweeper and the item
// paths read the copy): the store's notices reload it.
func TestClusterNotices(t *testing.T) {
	a, b := twoNodes(t)
	createTable(t, a, "tab", "id", ddb.ScalarS, "", "")
	put(t, b, "tab", attr.Item{"id": S("x")}) // b holds the table now
	if b.cached("tab") == nil {
		t.Fatal("B does not hold the table")
	}
	if _, err := a.UpdateTimeToLive(ctx, &ddb.UpdateTimeToLiveInput{TableName: sp("tab"),
		TimeToLiveSpecification: &ddb.TimeToLiveSpecification{Enabled: ptr(true), AttributeName: sp("exp")}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "B's copy has the TTL attribute set through A", func() bool {
		t := b.cached("tab")
		return t != nil && t.doc.TTLAttribute == "exp"
	})
	if _, err := a.DeleteTable(ctx, &ddb.DeleteTableInput{TableName: sp("tab")}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "B forgets the table deleted through A", func() bool { return b.cached("tab") == nil })
}

// TestClusterStaleCopy: a node that hears no notices (its copy of a
// table stays as it was) still reads and writes a table deleted and made
// again, with another key, through another node, and queries an index
// added through it: each operation finding its copy stale takes the
// store's definition.
func TestClusterStaleCopy(t *testing.T) {
	es := nodes(t, 2)
	a, c := es[0], es[1]
	c.stopPeers()
	createTable(t, a, "tab", "k", ddb.ScalarS, "", "")
	put(t, c, "tab", attr.Item{"k": S("x")})
	remake := func() {
		t.Helper()
		if _, err := a.DeleteTable(ctx, &ddb.DeleteTableInput{TableName: sp("tab")}); err != nil {
			t.Fatal(err)
		}
		createTable(t, a, "tab", "id", ddb.ScalarN, "", "")
		put(t, a, "tab", attr.Item{"id": N("1"), "g": S("v")})
	}
	key := attr.Item{"id": N("1")}
	ops := map[string]func() error{
		"GetItem": func() error {
			out, err := c.GetItem(ctx, &ddb.GetItemInput{TableName: sp("tab"), Key: key})
			if err == nil && out.Item == nil {
				err = fmt.Errorf("no item")
			}
			return err
		},
		"BatchGetItem": func() error {
			out, err := c.BatchGetItem(ctx, &ddb.BatchGetItemInput{RequestItems: map[string]ddb.KeysAndAttributes{"tab": {Keys: []attr.Item{key}}}})
			if err == nil && len(out.Responses["tab"]) != 1 {
				err = fmt.Errorf("%d items", len(out.Responses["tab"]))
			}
			return err
		},
		"TransactGetItems": func() error {
			out, err := c.TransactGetItems(ctx, &ddb.TransactGetItemsInput{TransactItems: []ddb.TransactGetItem{{Get: &ddb.Get{TableName: sp("tab"), Key: key}}}})
			if err == nil && out.Responses[0].Item == nil {
				err = fmt.Errorf("no item")
			}
			return err
		},
		"Query": func() error {
			in := &ddb.QueryInput{TableName: sp("tab"), KeyConditionExpression: sp("id = :v"), ExpressionAttributeValues: map[string]attr.Value{":v": N("1")}, Checker: Checker{}}
			if err := in.Validate(); err != nil {
				return err
			}
			out, err := c.Query(ctx, in)
			if err == nil && out.Count != 1 {
				err = fmt.Errorf("%d items", out.Count)
			}
			return err
		},
		"Scan": func() error {
			out, err := c.Scan(ctx, &ddb.ScanInput{TableName: sp("tab")})
			if err == nil && out.Count != 1 {
				err = fmt.Errorf("%d items", out.Count)
			}
			return err
		},
		"PutItem": func() error {
			in := &ddb.PutItemInput{TableName: sp("tab"), Item: attr.Item{"id": N("2")}, Checker: Checker{}}
			if err := in.Validate(); err != nil {
				return err
			}
			_, err := c.PutItem(ctx, in)
			return err
		},
	}
	for _, name := range []string{"GetItem", "BatchGetItem", "TransactGetItems", "Query", "Scan", "PutItem"} {
		// c's copy is the table it last used, made again through a.
		c.refresh("tab")
		remake()
		if err := ops[name](); err != nil {
			t.Errorf("%s through a node whose copy is stale: %v", name, err)
		}
	}
}
