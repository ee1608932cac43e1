package dynamo

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/eddy-streams/eddy/dynamo/attr"
	"github.com/eddy-streams/eddy/protocol/ddb"
)

// TestIndexesAndCountsMatchModel runs random puts, updates, deletes,
// batch writes and transactions against a table with a GSI (INCLUDE), a
// sparse GSI with a range key (KEYS_ONLY) and an LSI (ALL), then checks
// that a Scan of the table, of each index and of every segment split
// returns exactly the model's items, projected as each index projects
// them, each once, and that DescribeTable's counts and sizes are exact.
func TestIndexesAndCountsMatchModel(t *testing.T) {
	e, _ := newEngine(t, nil)
	createTable(t, e, "tab", "pk", ddb.ScalarS, "sk", ddb.ScalarN, func(in *ddb.CreateTableInput) {
		in.AttributeDefinitions = append(in.AttributeDefinitions,
			ddb.AttributeDefinition{AttributeName: sp("g"), AttributeType: ptr(ddb.ScalarS)},
			ddb.AttributeDefinition{AttributeName: sp("h"), AttributeType: ptr(ddb.ScalarB)},
			ddb.AttributeDefinition{AttributeName: sp("r"), AttributeType: ptr(ddb.ScalarN)},
			ddb.AttributeDefinition{AttributeName: sp("l"), AttributeType: ptr(ddb.ScalarS)})
		in.GlobalSecondaryIndexes = []ddb.GlobalSecondaryIndex{
			{IndexName: sp("byG"), KeySchema: []ddb.KeySchemaElement{{AttributeName: sp("g"), KeyType: ptr(ddb.KeyTypeHash)}},
				Projection: &ddb.Projection{ProjectionType: ptr(ddb.ProjectionInclude), NonKeyAttributes: []string{"x"}}},
			{IndexName: sp("byHR"), KeySchema: []ddb.KeySchemaElement{{AttributeName: sp("h"), KeyType: ptr(ddb.KeyTypeHash)}, {AttributeName: sp("r"), KeyType: ptr(ddb.KeyTypeRange)}},
				Projection: &ddb.Projection{ProjectionType: ptr(ddb.ProjectionKeysOnly)}},
		}
		in.LocalSecondaryIndexes = []ddb.LocalSecondaryIndex{
			{IndexName: sp("byL"), KeySchema: []ddb.KeySchemaElement{{AttributeName: sp("pk"), KeyType: ptr(ddb.KeyTypeHash)}, {AttributeName: sp("l"), KeyType: ptr(ddb.KeyTypeRange)}},
				Projection: &ddb.Projection{ProjectionType: ptr(ddb.ProjectionAll)}},
		}
	})
	rng := rand.New(rand.NewPCG(3, 4))
	model := map[string]attr.Item{}
	keyOfItem := func(it attr.Item) string { return *it["pk"].S + "/" + *it["sk"].N }
	randomItem := func() attr.Item {
		it := attr.Item{"pk": S(fmt.Sprint("p", rng.IntN(6))), "sk": N(fmt.Sprint(rng.IntN(8)))}
		if rng.IntN(3) > 0 {
			it["g"] = S(fmt.Sprint("g", rng.IntN(3)))
		}
		if rng.IntN(2) == 0 {
			it["h"] = attr.B([]byte{byte(rng.IntN(3))})
			it["r"] = N(fmt.Sprint(rng.IntN(5)))
		}
		if rng.IntN(2) == 0 {
			it["l"] = S(fmt.Sprint("l", rng.IntN(4)))
		}
		it["x"] = N(fmt.Sprint(rng.IntN(100)))
		it["y"] = S("payload")
		return it
	}
	for step := range 400 {
		switch rng.IntN(5) {
		case 0, 1:
			it := randomItem()
			put(t, e, "tab", it)
			model[keyOfItem(it)] = it.Canonical()
		case 2:
			it := randomItem()
			key := attr.Item{"pk": it["pk"], "sk": it["sk"]}
			in := &ddb.UpdateItemInput{TableName: sp("tab"), Key: key, UpdateExpression: sp("SET g = :g, x = :x REMOVE l"),
				ExpressionAttributeValues: map[string]attr.Value{":g": S(fmt.Sprint("g", step%3)), ":x": N(fmt.Sprint(step))}, Checker: Checker{}}
			mustValidate(t, in)
			if _, err := e.UpdateItem(ctx, in); err != nil {
				t.Fatal(err)
			}
			m := model[keyOfItem(key)]
			if m == nil {
				m = key.Clone()
			}
			m["g"], m["x"] = S(fmt.Sprint("g", step%3)), N(fmt.Sprint(step))
			delete(m, "l")
			model[keyOfItem(key)] = m
		case 3:
			it := randomItem()
			key := attr.Item{"pk": it["pk"], "sk": it["sk"]}
			if _, err := e.DeleteItem(ctx, &ddb.DeleteItemInput{TableName: sp("tab"), Key: key}); err != nil {
				t.Fatal(err)
			}
			delete(model, keyOfItem(key))
		case 4:
			a, b := randomItem(), randomItem()
			if keyOfItem(a) == keyOfItem(b) {
				continue
			}
			in := &ddb.TransactWriteItemsInput{Checker: Checker{}, TransactItems: []ddb.TransactWriteItem{
				{Put: &ddb.Put{TableName: sp("tab"), Item: a}},
				{Delete: &ddb.Delete{TableName: sp("tab"), Key: attr.Item{"pk": b["pk"], "sk": b["sk"]}}}}}
			mustValidate(t, in)
			if _, err := e.TransactWriteItems(ctx, in); err != nil {
				t.Fatal(err)
			}
			model[keyOfItem(a)] = a.Canonical()
			delete(model, keyOfItem(b))
		}
	}
	tbl := e.lookup("tab")
	// Every scan, whole and in segments, against the model.
	for _, name := range []string{"", "byG", "byHR", "byL"} {
		var ix *index
		if name != "" {
			ix = tbl.findIndex(name)
		}
		want := map[string]string{}
		var wantSize int64
		for k, it := range model {
			if ix != nil {
				if tbl.indexKey(ix, it) == "" {
					continue
				}
				p := ix.projectItem(it)
				want[k] = render(p)
				wantSize += int64(attr.ItemSize(p))
				continue
			}
			want[k] = render(it)
			wantSize += int64(attr.ItemSize(it))
		}
		for _, segments := range []int32{1, 3, 7} {
			got := map[string]string{}
			for seg := range segments {
				var esk attr.Item
				for {
					in := &ddb.ScanInput{TableName: sp("tab"), Limit: ptr(int32(1 + rng.IntN(9))), ExclusiveStartKey: esk, Checker: Checker{}}
					if name != "" {
						in.IndexName = &name
					}
					if segments > 1 {
						in.Segment, in.TotalSegments = ptr(seg), ptr(segments)
					}
					mustValidate(t, in)
					out, err := e.Scan(ctx, in)
					if err != nil {
						t.Fatal(err)
					}
					for _, it := range out.Items {
						k := keyOfItem(it)
						if _, dup := got[k]; dup {
							t.Fatalf("index %q, %d segments: %s twice", name, segments, k)
						}
						got[k] = render(it)
					}
					if out.LastEvaluatedKey == nil {
						break
					}
					esk = out.LastEvaluatedKey
				}
			}
			if fmt.Sprint(sorted(got)) != fmt.Sprint(sorted(want)) {
				t.Fatalf("index %q, %d segments:\ngot  %v\nwant %v", name, segments, sorted(got), sorted(want))
			}
		}
		d := describe(t, e, "tab")
		count, size := *d.ItemCount, *d.TableSizeBytes
		for _, g := range d.GlobalSecondaryIndexes {
			if *g.IndexName == name {
				count, size = *g.ItemCount, *g.IndexSizeBytes
			}
		}
		for _, l := range d.LocalSecondaryIndexes {
			if *l.IndexName == name {
				count, size = *l.ItemCount, *l.IndexSizeBytes
			}
		}
		if count != int64(len(want)) || size != wantSize {
			t.Fatalf("index %q: described %d items, %d bytes; the model has %d, %d", name, count, size, len(want), wantSize)
		}
	}
}

// render prints an item with its attributes in name order.
func render(it attr.Item) string {
	names := make([]string, 0, len(it))
	for n := range it {
		names = append(names, n)
	}
	sort.Strings(names)
	s := ""
	for _, n := range names {
		b, _ := encodeItem(attr.Item{n: it[n]})
		s += string(b)
	}
	return s
}

func sorted(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}
