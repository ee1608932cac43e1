package dynamo

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/eddy-streams/eddy/dynamo/attr"
	"github.com/eddy-streams/eddy/protocol/ddb"
)

// TestQueryMatchesModel compares Query with every range key condition,
// forward and reverse, paged with small Limits, against a brute-force
// model: every item of the hash key that satisfies the condition, sorted
// by range key. It covers the scan bounds Query derives from the
// condition (where it starts, when it stops).
func TestQueryMatchesModel(t *testing.T) {
	e, _ := newEngine(t, nil)
	rng := rand.New(rand.NewPCG(1, 2))
	for _, rt := range []ddb.ScalarAttributeType{ddb.ScalarN, ddb.ScalarS} {
		name := "tab" + string(rt)
		createTable(t, e, name, "pk", ddb.ScalarS, "rk", rt)
		var items []attr.Item
		value := func() attr.Value {
			if rt == ddb.ScalarN {
				return N(fmt.Sprint(rng.IntN(200)-100, ".", rng.IntN(10)))
			}
			b := make([]byte, 1+rng.IntN(3))
			for i := range b {
				b[i] = "ab\x00c"[rng.IntN(4)]
			}
			return S(string(b))
		}
		seen := map[string]bool{}
		for range 150 {
			pk := []string{"p", "q"}[rng.IntN(2)]
			rk := value()
			k := pk + "/" + keyString(rk.Canonical())
			if seen[k] {
				continue
			}
			seen[k] = true
			it := attr.Item{"pk": S(pk), "rk": rk}
			put(t, e, name, it)
			items = append(items, it.Canonical())
		}
		ops := []string{"=", "<", "<=", ">", ">=", "BETWEEN", "begins_with"}
		for round := range 300 {
			op := ops[round%len(ops)]
			if op == "begins_with" && rt == ddb.ScalarN {
				continue
			}
			lo, hi := value(), value()
			if c, _ := attr.Compare(lo, hi); c > 0 {
				lo, hi = hi, lo
			}
			cond := "pk = :p AND rk " + op + " :lo"
			vals := map[string]attr.Value{":p": S("p"), ":lo": lo}
			switch op {
			case "BETWEEN":
				cond = "pk = :p AND rk BETWEEN :lo AND :hi"
				vals[":hi"] = hi
			case "begins_with":
				cond = "pk = :p AND begins_with(rk, :lo)"
			}
			match := func(v attr.Value) bool {
				c, _ := attr.Compare(v, lo)
				switch op {
				case "=":
					return c == 0
				case "<":
					return c < 0
				case "<=":
					return c <= 0
				case ">":
					return c > 0
				case ">=":
					return c >= 0
				case "BETWEEN":
					c2, _ := attr.Compare(v, hi)
					return c >= 0 && c2 <= 0
				}
				return hasPrefix(v, lo)
			}
			var want []string
			for _, it := range items {
				if *it["pk"].S == "p" && match(it["rk"]) {
					want = append(want, keyString(it["rk"]))
				}
			}
			slices.SortFunc(want, func(a, b string) int { return compareKeyStrings(a, b, rt) })
			reverse := round%2 == 1
			if reverse {
				slices.Reverse(want)
			}
			limit := int32(1 + rng.IntN(7))
			var got []string
			var esk attr.Item
			for pages := 0; ; pages++ {
				if pages > 200 {
					t.Fatal("paging does not end")
				}
				in := &ddb.QueryInput{TableName: sp(name), KeyConditionExpression: &cond, ExpressionAttributeValues: vals,
					ScanIndexForward: ptr(!reverse), Limit: &limit, ExclusiveStartKey: esk, Checker: Checker{}}
				mustValidate(t, in)
				out, err := e.Query(ctx, in)
				if err != nil {
					t.Fatalf("%s: %v", cond, err)
				}
				for _, it := range out.Items {
					got = append(got, keyString(it["rk"]))
				}
				if out.LastEvaluatedKey == nil {
					break
				}
				esk = out.LastEvaluatedKey
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("%s (lo %v hi %v, reverse %v, limit %d):\ngot  %q\nwant %q", cond, keyString(lo), keyString(hi), reverse, limit, got, want)
			}
		}
	}
}

func keyString(v attr.Value) string {
	if v.N != nil {
		return *v.N
	}
	return *v.S
}

func compareKeyStrings(a, b string, rt ddb.ScalarAttributeType) int {
	if rt == ddb.ScalarN {
		c, _ := attr.Compare(N(a), N(b))
		return c
	}
	c, _ := attr.Compare(S(a), S(b))
	return c
}
