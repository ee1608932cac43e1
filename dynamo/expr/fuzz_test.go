package expr

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/dynamo/attr"
)

// The fuzz tests feed each parser arbitrary text with a fixed set of
// expression attribute names (#a..#e, #k) and values (:s, :n, :b, ... one of
// each type) so that the fuzzer can reach the checks and evaluation, not
// only the syntax errors. Every parser must either return a
// ValidationException or a result that:
//   - evaluates (or applies) over fuzzItem without panicking;
//   - prints (String) as an expression that parses back to the same tree
//     (compared with dump, which shows the tree's structure and resolved
//     names and values and ignores token positions and spacing).

var fuzzNames = map[string]string{
	"#a": "a", "#b": "b", "#c": "c", "#d": "d.e", "#e": "status", "#k": "pk",
}

const fuzzValues = `{
	":s": {"S": "x"}, ":t": {"S": "S"}, ":n": {"N": "1"}, ":m": {"N": "-2.5"}, ":b": {"B": "AQI="},
	":ss": {"SS": ["x", "y"]}, ":ns": {"NS": ["1", "2"]}, ":bs": {"BS": ["AQ=="]},
	":l": {"L": [{"S": "x"}, {"N": "1"}]}, ":mm": {"M": {"a": {"N": "1"}}},
	":bo": {"BOOL": true}, ":nu": {"NULL": true}
}`

const fuzzItem = `{
	"pk": {"S": "k"}, "a": {"N": "5"}, "b": {"S": "xyz"}, "c": {"L": [{"N": "1"}, {"M": {"a": {"SS": ["x"]}}}, {"L": []}]},
	"d": {"M": {"a": {"NS": ["1", "3"]}, "e": {"BS": ["AQ=="]}, "c": {"L": [{"S": "x"}]}}},
	"d.e": {"BOOL": false}, "status": {"NULL": true}, "x": {"SS": ["x"]}
}`

// fuzzSeeds are valid and invalid expressions of every form, for every
// fuzzer.
var fuzzSeeds = []string{
	"a = :n", "a <> :s AND NOT b < :s OR c[0] >= :n", "(a = :n OR b = :s) AND attribute_exists(#d)",
	"a BETWEEN :n AND :m", "b IN (:s, :t, :n)", "size(c) > :n", "contains(x, :s)", "begins_with(b, :s)",
	"attribute_type(#e, :t)", "attribute_not_exists(d.c[0])", "not (a = :n) and not not b = :s",
	"pk = :s AND a BETWEEN :n AND :m", "#k = :s AND begins_with(b, :s)", "pk=:s and a>=:n",
	"SET a = a + :n, b = if_not_exists(b, :s) REMOVE c[1] ADD x :ss DELETE d.a :ns",
	"set c = list_append(c, :l), d.c[5] = :s", "remove a, d.e, c[0]", "ADD a :n", "DELETE x :ss",
	"SET #a = (#a - :n)", "set a = :n  remove b", "a, b.c, c[1].d, #d", "pk, d.c[0]",
	"a = ", "SET", ")", "a IN ()", "size(a", "#zz = :zz", "a.b[", "a = :n AND", ":n = :n", "SET a = a + b - c",
}

func fuzzParams(t testing.TB) *Params {
	p, err := NewParams(fuzzNames, vals(t, fuzzValues))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// mustValidation fails the test unless err is a ValidationException.
func mustValidation(t *testing.T, s string, err error) {
	t.Helper()
	var e *eddy.Error
	if !errors.As(err, &e) || e.Code != eddy.CodeValidation || e.Message == "" {
		t.Fatalf("%q: error %v is not a ValidationException", s, err)
	}
}

func addSeeds(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
}

func FuzzParseCondition(f *testing.F) {
	addSeeds(f)
	it := item(f, fuzzItem)
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCondition(s, fuzzParams(t))
		if err != nil {
			mustValidation(t, s, err)
			return
		}
		c.Eval(it)
		c.Eval(nil)
		printed := c.String()
		again, err := ParseCondition(printed, fuzzParams(t))
		if err != nil {
			t.Fatalf("%q printed as %q, which does not parse: %v", s, printed, err)
		}
		if a, b := dumpCond(c.root), dumpCond(again.root); a != b {
			t.Fatalf("%q printed as %q:\n tree %s\nagain %s", s, printed, a, b)
		}
		if again.Eval(it) != c.Eval(it) {
			t.Fatalf("%q and %q evaluate differently", s, printed)
		}
	})
}

func FuzzParseUpdate(f *testing.F) {
	addSeeds(f)
	it := item(f, fuzzItem)
	f.Fuzz(func(t *testing.T, s string) {
		u, err := ParseUpdate(s, fuzzParams(t))
		if err != nil {
			mustValidation(t, s, err)
			return
		}
		before := itemJSON(t, it)
		for _, in := range []attr.Item{it, nil} {
			out, err := u.Apply(in)
			if err != nil {
				mustValidation(t, s, err)
				continue
			}
			if err := out.Validate(); err != nil {
				t.Fatalf("%q applied to %s gave an invalid item %s: %v", s, itemJSON(t, in), itemJSON(t, out), err)
			}
			u.Projection().Apply(out)
		}
		if itemJSON(t, it) != before {
			t.Fatalf("%q: Apply modified its argument", s)
		}
		printed := u.String()
		again, err := ParseUpdate(printed, fuzzParams(t))
		if err != nil {
			t.Fatalf("%q printed as %q, which does not parse: %v", s, printed, err)
		}
		if a, b := dumpUpdate(u), dumpUpdate(again); a != b {
			t.Fatalf("%q printed as %q:\n tree %s\nagain %s", s, printed, a, b)
		}
	})
}

func FuzzParseProjection(f *testing.F) {
	addSeeds(f)
	it := item(f, fuzzItem)
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseProjection(s, fuzzParams(t))
		if err != nil {
			mustValidation(t, s, err)
			return
		}
		out := p.Apply(it)
		if len(out) > len(it) {
			t.Fatalf("%q projected %s from %s", s, itemJSON(t, out), fuzzItem)
		}
		p.Apply(nil)
		printed := p.String()
		again, err := ParseProjection(printed, fuzzParams(t))
		if err != nil {
			t.Fatalf("%q printed as %q, which does not parse: %v", s, printed, err)
		}
		if !reflect.DeepEqual(p.Paths(), again.Paths()) {
			t.Fatalf("%q printed as %q: paths %v, again %v", s, printed, p.Paths(), again.Paths())
		}
	})
}

func FuzzParseKeyCondition(f *testing.F) {
	addSeeds(f)
	it := item(f, fuzzItem)
	schemas := []KeySchema{
		{HashName: "pk", HashType: attr.KindS},
		{HashName: "pk", HashType: attr.KindS, RangeName: "a", RangeType: attr.KindN},
		{HashName: "a", HashType: attr.KindN, RangeName: "b", RangeType: attr.KindS},
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParseKeyCondition(s, fuzzParams(t))
		if err != nil {
			mustValidation(t, s, err)
			return
		}
		if err := k.Validate(); err != nil {
			mustValidation(t, s, err)
		}
		for _, schema := range schemas {
			kc, err := k.Resolve(schema)
			if err != nil {
				mustValidation(t, s, err)
				continue
			}
			if kc.Hash.S == nil && kc.Hash.N == nil && kc.Hash.B == nil {
				t.Fatalf("%q on %+v: hash value %+v", s, schema, kc.Hash)
			}
			kc.Match(it, schema)
		}
		// The expression prints and parses back as a condition does.
		root, err := parseConditionTree(kindKeyCondition, s, fuzzParams(t))
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		var b strings.Builder
		root.writeTo(&b)
		again, err := ParseKeyCondition(b.String(), fuzzParams(t))
		if err != nil {
			t.Fatalf("%q printed as %q, which does not parse: %v", s, b.String(), err)
		}
		if !reflect.DeepEqual(k, again) {
			t.Fatalf("%q printed as %q: %+v, again %+v", s, b.String(), k, again)
		}
	})
}

// dumpCond renders a condition tree's structure: operators, resolved paths,
// values by reference and type.
func dumpCond(n cond) string {
	switch n := n.(type) {
	case *andCond:
		return "(AND " + dumpCond(n.l) + " " + dumpCond(n.r) + ")"
	case *orCond:
		return "(OR " + dumpCond(n.l) + " " + dumpCond(n.r) + ")"
	case *notCond:
		return "(NOT " + dumpCond(n.c) + ")"
	case *groupCond:
		return "(GROUP " + dumpCond(n.c) + ")"
	case *cmpCond:
		return "(" + opText[n.op] + " " + dumpOperand(n.l) + " " + dumpOperand(n.r) + ")"
	case *betweenCond:
		return "(BETWEEN " + dumpOperand(n.x) + " " + dumpOperand(n.lo) + " " + dumpOperand(n.hi) + ")"
	case *inCond:
		s := "(IN " + dumpOperand(n.x)
		for _, o := range n.list {
			s += " " + dumpOperand(o)
		}
		return s + ")"
	case *funcCond:
		return dumpOperand(n.f)
	}
	return fmt.Sprintf("?%T", n)
}

func dumpOperand(o operand) string {
	switch o := o.(type) {
	case *pathOp:
		return "path" + o.path.String()
	case *valueOp:
		k, _ := o.val.Kind()
		return o.ref + "/" + string(k)
	case *funcOp:
		s := "(" + o.name
		for _, a := range o.args {
			s += " " + dumpOperand(a)
		}
		return s + ")"
	case *parenOp:
		return "(PAREN " + dumpOperand(o.inner) + ")"
	case *arithOp:
		return "(" + opText[o.op] + " " + dumpOperand(o.l) + " " + dumpOperand(o.r) + ")"
	}
	return fmt.Sprintf("?%T", o)
}

func dumpUpdate(u *Update) string {
	var b strings.Builder
	for _, s := range u.sections {
		b.WriteString(sectionNames[s.kind] + "[")
		for _, a := range s.actions {
			b.WriteString(" " + dumpOperand(a.target))
			if a.value != nil {
				b.WriteString("=" + dumpOperand(a.value))
			}
		}
		b.WriteString("] ")
	}
	return b.String()
}
