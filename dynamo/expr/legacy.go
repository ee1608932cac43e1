package expr

import (
	"fmt"
	"strconv"

	"github.com/eddy-streams/eddy/dynamo/attr"
)

// The legacy (pre-expression) parameters, which the Java KCL 2.x still
// sends (Expected and AttributeUpdates), convert to the same Condition,
// Update, KeyConditionExpr and Projection as expressions. The shapes carry
// the wire's JSON names. The converters assume the request passed the
// shape-level validation first (ComparisonOperator and Action are values of
// their enums); an operator outside the enum is a plain (non-AWS) error.

// ExpectedAttributeValue is one attribute's condition in Expected. Value and
// AttributeValueList are nil when absent from the request.
type ExpectedAttributeValue struct {
	Value              *attr.Value  `json:"Value,omitzero"`
	Exists             *bool        `json:"Exists,omitzero"`
	ComparisonOperator string       `json:"ComparisonOperator,omitzero"`
	AttributeValueList []attr.Value `json:"AttributeValueList,omitzero"`
}

// Comparison is one attribute's condition in QueryFilter, ScanFilter and
// KeyConditions (the API's Condition shape).
type Comparison struct {
	ComparisonOperator string       `json:"ComparisonOperator"`
	AttributeValueList []attr.Value `json:"AttributeValueList,omitzero"`
}

// AttributeValueUpdate is one attribute's update in AttributeUpdates.
// Action is PUT (the default when empty), ADD or DELETE.
type AttributeValueUpdate struct {
	Value  *attr.Value `json:"Value,omitzero"`
	Action string      `json:"Action,omitzero"`
}

const msgParamInvalid = "One or more parameter values were invalid: "

// The number of values each operator takes (-1: one or more), and the
// types its values may have in QueryFilter, ScanFilter and KeyConditions
// (dynalite validations/index.js validateConditions; the legacy
// Condition documentation of the DynamoDB API reference).
var (
	operatorArgs = map[string]int{
		"NULL": 0, "NOT_NULL": 0, "EQ": 1, "NE": 1, "LE": 1, "LT": 1, "GE": 1, "GT": 1,
		"CONTAINS": 1, "NOT_CONTAINS": 1, "BEGINS_WITH": 1, "IN": -1, "BETWEEN": 2,
	}
	operatorTypes = map[string]string{
		"EQ": "S N B SS NS BS", "NE": "S N B SS NS BS", "LE": "S N B", "LT": "S N B", "GE": "S N B",
		"GT": "S N B", "CONTAINS": "S N B", "NOT_CONTAINS": "S N B", "BEGINS_WITH": "S B",
		"IN": "S N B", "BETWEEN": "S N B",
	}
)

func argsOK(op string, n int) bool {
	want := operatorArgs[op]
	if want < 0 {
		return n >= 1
	}
	return n == want
}

func typeAllowed(op string, k attr.Kind) bool {
	for _, t := range splitFields(operatorTypes[op]) {
		if t == string(k) {
			return true
		}
	}
	return false
}

func splitFields(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ' ' {
			if i > start {
				out = append(out, s[start:i])
			}
			start = i + 1
		}
	}
	return out
}

func kindOf(v attr.Value) attr.Kind { k, _ := v.Kind(); return k }

// validateValues validates and canonicalises a list of values.
func validateValues(vs []attr.Value) ([]attr.Value, error) {
	out := make([]attr.Value, len(vs))
	for i, v := range vs {
		if err := v.Validate(); err != nil {
			return nil, err
		}
		out[i] = v.Canonical()
	}
	return out, nil
}

// validateComparisons checks QueryFilter, ScanFilter and KeyConditions
// conditions (and key conditions converted from an expression) with the
// checks and messages of dynalite's validateConditions, whose tests
// (test/query.js, test/scan.js) record them from DynamoDB.
func validateComparisons(conds map[string]*legacyCond) error {
	for _, name := range sortedKeys(conds) {
		c := conds[name]
		if _, ok := operatorArgs[c.op]; !ok {
			return fmt.Errorf("expr: unknown ComparisonOperator %q", c.op)
		}
		if !argsOK(c.op, len(c.values)) {
			return validation(msgParamInvalid + "Invalid number of argument(s) for the " + c.op + " ComparisonOperator")
		}
		if len(c.values) > 0 {
			k := kindOf(c.values[0])
			for _, v := range c.values[1:] {
				if kindOf(v) != k {
					return validation(msgParamInvalid + "AttributeValues inside AttributeValueList must be of same type")
				}
			}
			for _, v := range c.values {
				if !typeAllowed(c.op, kindOf(v)) {
					return validation(msgParamInvalid + "ComparisonOperator " + c.op + " is not valid for " + string(kindOf(v)) + " AttributeValue type")
				}
			}
		}
		if c.op == "BETWEEN" && compareValues(c.values[0], c.values[1]) > 0 {
			return validation("The BETWEEN condition was provided a range where the lower bound is greater than the upper bound")
		}
	}
	return nil
}

// comparisons converts and validates a QueryFilter, ScanFilter or
// KeyConditions map.
func comparisons(m map[string]Comparison) (map[string]*legacyCond, error) {
	conds := make(map[string]*legacyCond, len(m))
	for _, name := range sortedKeys(m) {
		vs, err := validateValues(m[name].AttributeValueList)
		if err != nil {
			return nil, err
		}
		conds[name] = &legacyCond{op: m[name].ComparisonOperator, values: vs}
	}
	return conds, validateComparisons(conds)
}

// FromFilter converts a QueryFilter or ScanFilter, with its
// ConditionalOperator (AND, the default when empty, or OR), to a Condition.
// The conditions combine in attribute-name order.
func FromFilter(filter map[string]Comparison, conditionalOperator string) (*Condition, error) {
	conds, err := comparisons(filter)
	if err != nil {
		return nil, err
	}
	return combine(conds, conditionalOperator)
}

// FromKeyConditions converts the legacy KeyConditions of a Query; Resolve
// checks it against the key schema.
func FromKeyConditions(conds map[string]Comparison) (*KeyConditionExpr, error) {
	lc, err := comparisons(conds)
	if err != nil {
		return nil, err
	}
	if n := len(lc); n != 1 && n != 2 {
		return nil, validation("Conditions can be of length 1 or 2 only")
	}
	return &KeyConditionExpr{conds: lc}, nil
}

// FromExpected converts Expected, with its ConditionalOperator (AND, the
// default when empty, or OR), to a Condition. The checks and messages are
// dynalite's validateAttributeConditions, whose tests (test/putItem.js,
// test/updateItem.js) record them from DynamoDB: Value with
// AttributeValueList, Exists with ComparisonOperator, a ComparisonOperator
// without a value, AttributeValueList without a ComparisonOperator, Exists
// true (or absent) without a Value, Exists false with a Value, and a wrong
// number of values.
func FromExpected(expected map[string]ExpectedAttributeValue, conditionalOperator string) (*Condition, error) {
	conds := make(map[string]*legacyCond, len(expected))
	for _, name := range sortedKeys(expected) {
		e := expected[name]
		if e.AttributeValueList != nil && e.Value != nil {
			return nil, validation(msgParamInvalid + "Value and AttributeValueList cannot be used together for Attribute: " + name)
		}
		switch {
		case e.ComparisonOperator != "":
			op := e.ComparisonOperator
			if _, ok := operatorArgs[op]; !ok {
				return nil, fmt.Errorf("expr: unknown ComparisonOperator %q", op)
			}
			if e.Exists != nil {
				return nil, validation(msgParamInvalid + "Exists and ComparisonOperator cannot be used together for Attribute: " + name)
			}
			if op != "NULL" && op != "NOT_NULL" && e.AttributeValueList == nil && e.Value == nil {
				return nil, validation(msgParamInvalid + "Value or AttributeValueList must be used with ComparisonOperator: " + op + " for Attribute: " + name)
			}
			values := e.AttributeValueList
			if values == nil && e.Value != nil {
				values = []attr.Value{*e.Value}
			}
			if !argsOK(op, len(values)) {
				return nil, validation(msgParamInvalid + "Invalid number of argument(s) for the " + op + " ComparisonOperator")
			}
			vs, err := validateValues(values)
			if err != nil {
				return nil, err
			}
			for _, v := range vs[min(1, len(vs)):] {
				if kindOf(v) != kindOf(vs[0]) {
					return nil, validation(msgParamInvalid + "AttributeValues inside AttributeValueList must be of same type")
				}
			}
			if op == "BETWEEN" && compareValues(vs[0], vs[1]) > 0 {
				return nil, validation("The BETWEEN condition was provided a range where the lower bound is greater than the upper bound")
			}
			conds[name] = &legacyCond{op: op, values: vs}
		case e.AttributeValueList != nil:
			return nil, validation(msgParamInvalid + "AttributeValueList can only be used with a ComparisonOperator for Attribute: " + name)
		default:
			exists := e.Exists == nil || *e.Exists
			if exists && e.Value == nil {
				state := "null"
				if e.Exists != nil {
					state = strconv.FormatBool(*e.Exists)
				}
				return nil, validation(msgParamInvalid + "Value must be provided when Exists is " + state + " for Attribute: " + name)
			}
			if !exists {
				if e.Value != nil {
					return nil, validation(msgParamInvalid + "Value cannot be used when Exists is false for Attribute: " + name)
				}
				conds[name] = &legacyCond{op: "NULL"}
				continue
			}
			if err := e.Value.Validate(); err != nil {
				return nil, err
			}
			conds[name] = &legacyCond{op: "EQ", values: []attr.Value{e.Value.Canonical()}}
		}
	}
	return combine(conds, conditionalOperator)
}

// combine builds the condition tree of legacy conditions: each one a
// comparison on a top-level attribute, joined by AND or OR.
func combine(conds map[string]*legacyCond, conditionalOperator string) (*Condition, error) {
	if conditionalOperator != "" && conditionalOperator != "AND" && conditionalOperator != "OR" {
		return nil, fmt.Errorf("expr: unknown ConditionalOperator %q", conditionalOperator)
	}
	var root cond
	for _, name := range sortedKeys(conds) {
		c := legacyCondition(name, conds[name])
		switch {
		case root == nil:
			root = c
		case conditionalOperator == "OR":
			root = &orCond{root, c}
		default:
			root = &andCond{root, c}
		}
	}
	return &Condition{root: root}, nil
}

// legacyCondition is the expression equivalent of one legacy condition:
// EQ is =, NE is <>, NULL is attribute_not_exists, NOT_NULL is
// attribute_exists, NOT_CONTAINS is NOT contains.
func legacyCondition(name string, c *legacyCond) cond {
	path := &pathOp{path: Path{{Name: name}}}
	vals := make([]operand, len(c.values))
	for i, v := range c.values {
		vals[i] = &valueOp{val: v}
	}
	fn := func(f string, args ...operand) cond { return &funcCond{&funcOp{name: f, args: args}} }
	switch c.op {
	case "EQ":
		return &cmpCond{tEQ, path, vals[0]}
	case "NE":
		return &cmpCond{tNE, path, vals[0]}
	case "LT":
		return &cmpCond{tLT, path, vals[0]}
	case "LE":
		return &cmpCond{tLE, path, vals[0]}
	case "GT":
		return &cmpCond{tGT, path, vals[0]}
	case "GE":
		return &cmpCond{tGE, path, vals[0]}
	case "NULL":
		return fn("attribute_not_exists", path)
	case "NOT_NULL":
		return fn("attribute_exists", path)
	case "CONTAINS":
		return fn("contains", path, vals[0])
	case "NOT_CONTAINS":
		return &notCond{fn("contains", path, vals[0])}
	case "BEGINS_WITH":
		return fn("begins_with", path, vals[0])
	case "IN":
		return &inCond{path, vals}
	}
	return &betweenCond{path, vals[0], vals[1]} // BETWEEN
}

// FromAttributeUpdates converts AttributeUpdates to an Update. The checks
// and messages are dynalite's (validations/updateItem.js, test/updateItem.js,
// recorded from DynamoDB): a missing Value is allowed only with DELETE, a
// DELETE value must be a set, an ADD value a number, set or list. Applying
// it follows AttributeUpdates' rules: PUT replaces, ADD adds to a number or
// a set or appends to a list (creating the attribute when absent), DELETE
// without a value removes the attribute and with a set removes its members;
// an attribute of another type gives "Type mismatch for attribute to
// update".
func FromAttributeUpdates(updates map[string]AttributeValueUpdate) (*Update, error) {
	u := &Update{legacy: true}
	for _, name := range sortedKeys(updates) {
		upd := updates[name]
		if upd.Value != nil {
			if err := upd.Value.Validate(); err != nil {
				return nil, err
			}
		}
		act := upd.Action
		if act == "" {
			act = "PUT"
		}
		if upd.Value == nil && act != "DELETE" {
			return nil, validation(msgParamInvalid + "Only DELETE action is allowed when no attribute value is specified")
		}
		var k attr.Kind
		if upd.Value != nil {
			k = kindOf(*upd.Value)
		}
		switch act {
		case "DELETE":
			if upd.Value != nil && k != attr.KindSS && k != attr.KindNS && k != attr.KindBS {
				return nil, validation(msgParamInvalid + "DELETE action with value is not supported for the type " + string(k))
			}
		case "ADD":
			if k != attr.KindL && k != attr.KindSS && k != attr.KindNS && k != attr.KindBS && k != attr.KindN {
				return nil, validation(msgParamInvalid + "ADD action is not supported for the type " + string(k))
			}
		case "PUT":
		default:
			return nil, fmt.Errorf("expr: unknown AttributeValueUpdate Action %q", act)
		}
		a := &action{target: &pathOp{path: Path{{Name: name}}}}
		switch {
		case act == "PUT":
			a.kind, a.value = tSet, &valueOp{val: upd.Value.Canonical()}
		case act == "ADD":
			a.kind, a.value = tAdd, &valueOp{val: upd.Value.Canonical()}
		case upd.Value == nil: // DELETE without a value removes the attribute
			a.kind = tRemove
		default:
			a.kind, a.value = tDelete, &valueOp{val: upd.Value.Canonical()}
		}
		u.actions = append(u.actions, a)
		u.sections = append(u.sections, &section{kind: a.kind, actions: []*action{a}})
	}
	return u, nil
}

// FromAttributesToGet converts the legacy AttributesToGet (top-level
// attribute names) to a Projection; a name given twice is refused as
// DynamoDB refuses it ("One or more parameter values were invalid:
// Duplicate value in attribute name: a", dynalite test/query.js).
func FromAttributesToGet(names []string) (*Projection, error) {
	seen := make(map[string]bool, len(names))
	paths := make([]Path, len(names))
	for i, n := range names {
		if seen[n] {
			return nil, validation(msgParamInvalid + "Duplicate value in attribute name: " + n)
		}
		seen[n] = true
		paths[i] = Path{{Name: n}}
	}
	return newProjection(paths), nil
}
