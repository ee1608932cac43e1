package ddbdiff

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
)

// TestRandomOperations: a seeded, bounded random sequence of conditional
// puts, updates and deletes on a small key space (4 partitions x 5 sort
// keys), each answer compared, and every 100 operations the whole table
// compared by Scan and by Query on each partition in both directions.
// DDBDIFF_SEED picks the seed (default 1); DDBDIFF_OPS the length (600).
func TestRandomOperations(t *testing.T) {
	seed, ops := uint64(1), 600
	if v, err := strconv.ParseUint(os.Getenv("DDBDIFF_SEED"), 10, 64); err == nil {
		seed = v
	}
	if v, err := strconv.Atoi(os.Getenv("DDBDIFF_OPS")); err == nil {
		ops = v
	}
	t.Logf("seed %d, %d operations", seed, ops)
	rng := rand.New(rand.NewPCG(seed, 0))
	p := newPair(t)
	p.createTable(`{"TableName":"$P","AttributeDefinitions":[{"AttributeName":"h","AttributeType":"S"},{"AttributeName":"r","AttributeType":"N"}],
		"KeySchema":[{"AttributeName":"h","KeyType":"HASH"},{"AttributeName":"r","KeyType":"RANGE"}],"BillingMode":"PAY_PER_REQUEST"}`)
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	num := func() string { return pick("-5", "-1.5", "0", "1", "2", "3.25", "10", "100", "1e3") }
	str := func() string { return pick("a", "ab", "abc", "b", "ba", "z") }
	key := func() string {
		return fmt.Sprintf(`{"h":{"S":"p%d"},"r":{"N":"%s"}}`, rng.IntN(4), pick("-1", "0", "0.5", "7", "1e2"))
	}
	conds := []string{"", "", "", "", "", "attribute_exists(a)", "attribute_not_exists(a)", "attribute_not_exists(h)", "a > :n", "a = :n", "a <= :n",
		"begins_with(b, :p)", "contains(s, :e)", "size(s) > :k", "b IN (:p, :q)", "NOT attribute_exists(b) OR a < :n",
		"a BETWEEN :n AND :m", "attribute_type(a, :t)", "(a <> :n AND b = :p) OR size(b) = :k"}
	values := func() string {
		return fmt.Sprintf(`":n":{"N":%q},":m":{"N":%q},":p":{"S":%q},":q":{"S":%q},":e":{"S":%q},":k":{"N":"%d"},":t":{"S":%q}`,
			num(), num(), str(), str(), str(), rng.IntN(3), pick("N", "S", "SS"))
	}
	// withCond adds a condition (and the values it uses) to a body's members.
	withCond := func(members string, used string) string {
		c := conds[rng.IntN(len(conds))]
		if c != "" {
			members += fmt.Sprintf(`,"ConditionExpression":%q`, c)
		}
		vals := used
		if c != "" {
			// Only the placeholders the expressions use may be given.
			vals = joinValues(used, filterValues(values(), c+" "+members))
		}
		if vals != "" {
			members += `,"ExpressionAttributeValues":{` + vals + `}`
		}
		return "{" + members + "}"
	}
	rvs := []string{"NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"}
	updates := []string{"SET a = :a", "SET a = a + :a", "SET b = :b", "ADD a :a", "ADD s :ss", "DELETE s :ss", "REMOVE b",
		"SET a = if_not_exists(a, :a) REMOVE s", "SET l = list_append(if_not_exists(l, :l), :l)", "SET b = :b, a = :a ADD s :ss"}
	outcomes := map[string]int{} // what Eddy answered: "ok" or the error type
	count := func(r response) {
		if r.Status == 200 {
			outcomes["ok"]++
		} else {
			outcomes[r.errType()]++
		}
	}
	defer func() { t.Logf("outcomes: %v", outcomes) }()
	for i := range ops {
		what := fmt.Sprintf("op %d", i)
		switch rng.IntN(10) {
		case 0, 1, 2: // PutItem
			k := key()
			item := k[:len(k)-1] + fmt.Sprintf(`,"a":{"N":%q},"b":{"S":%q},"s":{"SS":[%q,%q]}}`, num(), str(), str(), str())
			rv := pick("NONE", "ALL_OLD")
			count(p.call(what+" PutItem", "PutItem", withCond(fmt.Sprintf(`"TableName":"$P","Item":%s,"ReturnValues":%q`, item, rv), "")))
		case 3, 4, 5, 6, 7: // UpdateItem
			u := updates[rng.IntN(len(updates))]
			used := filterValues(fmt.Sprintf(`":a":{"N":%q},":b":{"S":%q},":ss":{"SS":[%q]},":l":{"L":[{"N":%q}]}`, num(), str(), str(), num()), u)
			count(p.call(what+" UpdateItem "+u, "UpdateItem", withCond(fmt.Sprintf(`"TableName":"$P","Key":%s,"UpdateExpression":%q,"ReturnValues":%q`,
				key(), u, rvs[rng.IntN(len(rvs))]), used)))
		default: // DeleteItem
			count(p.call(what+" DeleteItem", "DeleteItem", withCond(fmt.Sprintf(`"TableName":"$P","Key":%s,"ReturnValues":%q`, key(), pick("NONE", "ALL_OLD")), "")))
		}
		if i%100 == 99 || i == ops-1 {
			p.call(fmt.Sprintf("Scan after op %d", i), "Scan", `{"TableName":"$P","ConsistentRead":true}`, unordered("Items"))
			for h := range 4 {
				for _, fwd := range []bool{true, false} {
					p.call(fmt.Sprintf("Query p%d fwd=%v after op %d", h, fwd, i), "Query", fmt.Sprintf(
						`{"TableName":"$P","KeyConditionExpression":"h = :h","ExpressionAttributeValues":{":h":{"S":"p%d"}},"ScanIndexForward":%v}`, h, fwd))
				}
			}
		}
		if t.Failed() {
			t.Fatalf("stopped at operation %d (seed %d): later answers would differ only because of this one", i, seed)
		}
	}
}

// filterValues keeps the members of a values list (":x":{...},...) whose
// placeholder occurs in expr.
func filterValues(vals, expr string) string {
	var out string
	for _, m := range splitMembers(vals) {
		name := m[1 : indexByte(m[1:], '"')+1]
		if containsWord(expr, name) {
			out = joinValues(out, m)
		}
	}
	return out
}

func joinValues(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "," + b
}

// splitMembers splits `"k":{...},"k2":{...}` at its top-level commas.
func splitMembers(s string) []string {
	var out []string
	depth, start, inStr := 0, 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case inStr:
			if c == '\\' {
				i++
			} else if c == '"' {
				inStr = false
			}
		case c == '"':
			inStr = true
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
		case c == ',' && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

// containsWord reports whether name (":x") occurs in expr not followed by
// another name character.
func containsWord(expr, name string) bool {
	for i := 0; i+len(name) <= len(expr); i++ {
		if expr[i:i+len(name)] == name {
			j := i + len(name)
			if j == len(expr) || !(expr[j] == '_' || expr[j] >= 'a' && expr[j] <= 'z' || expr[j] >= 'A' && expr[j] <= 'Z' || expr[j] >= '0' && expr[j] <= '9') {
				return true
			}
		}
	}
	return false
}
