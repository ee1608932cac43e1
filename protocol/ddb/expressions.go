package ddb

import (
	"regexp"
	"strings"

	"github.com/eddy-streams/eddy/dynamo/attr"
)

// Expressions and the legacy parameters they replace: the checks DynamoDB
// makes on them before it parses anything, and the seam where the
// expression parser (dynamo/expr) takes over.
//
// Each input with expressions has a Checker member (not on the wire). When
// it is set (the operation's NewInput sets it), Validate calls it at the
// point in DynamoDB's order where the expressions are parsed (dynalite
// validations/index.js validateExpressions: after ExpressionAttributeNames
// and ExpressionAttributeValues are checked here); when it is nil,
// Validate skips that step, and the operation must parse the expressions
// itself before it does anything else. What the checker leaves in
// Expressions.Parsed is kept on the input (its Parsed member) for the
// operation.

// Expressions are one request's (or one transaction item's, or one
// BatchGetItem table's) expressions with their substitutions, in the
// order DynamoDB parses them: update, condition, key condition, filter,
// projection.
type Expressions struct {
	Update       *string
	Condition    *string
	KeyCondition *string
	Filter       *string
	Projection   *string
	Names        map[string]string
	Values       map[string]attr.Value

	// Parsed is for the checker to fill with what it parsed, for the
	// operation's use.
	Parsed any
}

// ExpressionChecker parses and checks a request's expressions, returning
// DynamoDB's ValidationException for the first fault in DynamoDB's order
// (dynalite validateExpressions from its parse of UpdateExpression on):
// each expression parsed ("Invalid UpdateExpression: Syntax error; ...",
// "Invalid ConditionExpression: ...", "The expression can not be empty;"),
// names and values it uses that are not defined, then the names and
// values defined but unused ("Value provided in ExpressionAttributeNames
// unused in expressions: keys: {#a}"). For a Query's key condition it also
// makes DynamoDB's key condition checks ("Invalid operator used in
// KeyConditionExpression: OR", "Conditions can be of length 1 or 2
// only", ...). Checks that need the table (key attributes, index names)
// are not its: they come after Validate, in the operation.
type ExpressionChecker interface {
	CheckExpressions(e *Expressions) error
}

// Messages of the expression parameter checks (dynalite
// validations/index.js validateExpressionParams and validateExpressions).
const (
	msgNamesWithoutExpr = "ExpressionAttributeNames can only be specified when using expressions"
	msgNamesEmpty       = "ExpressionAttributeNames must not be empty"
	msgValuesEmpty      = "ExpressionAttributeValues must not be empty"
)

var (
	nameKeyRE  = regexp.MustCompile(`^#[0-9a-zA-Z_]+$`)
	valueKeyRE = regexp.MustCompile(`^:[0-9a-zA-Z_]+$`)
)

// param is a request parameter by name, for the expression parameter
// rules.
type param struct {
	name    string
	present bool
}

// checkExpressionParams is the rule against mixing expression and legacy
// parameters, and against substitutions without expressions. exprs and
// legacy are in the order DynamoDB names them in its message.
// keyConditionsAlone: a Query with KeyConditions but no
// KeyConditionExpression may use the other expressions with them.
func checkExpressionParams(exprs, legacy []param, names, values bool, keyConditionsAlone bool) error {
	var used []string
	for _, p := range exprs {
		if p.present {
			used = append(used, p.name)
		}
	}
	if len(used) > 0 {
		var mixed []string
		for _, p := range legacy {
			if p.present && !(keyConditionsAlone && p.name == "KeyConditions") {
				mixed = append(mixed, p.name)
			}
		}
		if len(mixed) > 0 {
			return validationError("Can not use both expression and non-expression parameters in the same request: " +
				"Non-expression parameters: {" + strings.Join(mixed, ", ") + "} " +
				"Expression parameters: {" + strings.Join(used, ", ") + "}")
		}
	}
	if names && len(used) == 0 {
		return validationError(msgNamesWithoutExpr)
	}
	var valueExprs []string
	anyValueExpr := false
	for _, p := range exprs {
		if p.name != "ProjectionExpression" {
			valueExprs = append(valueExprs, p.name)
			anyValueExpr = anyValueExpr || p.present
		}
	}
	if len(valueExprs) > 0 && values && !anyValueExpr {
		verb := "is"
		if len(valueExprs) > 1 {
			verb = "are"
		}
		return validationError("ExpressionAttributeValues can only be specified when using expressions: " +
			strings.Join(valueExprs, " and ") + " " + verb + " null")
	}
	return nil
}

// checkSubstitutions checks ExpressionAttributeNames and
// ExpressionAttributeValues before the expressions are parsed: not empty,
// keys of the right form, values valid. Keys are looked at in sorted order
// (DynamoDB's is the request's; a map does not keep it).
func checkSubstitutions(names map[string]string, values map[string]attr.Value) error {
	if names != nil {
		if len(names) == 0 {
			return validationError(msgNamesEmpty)
		}
		for _, k := range sortedKeys(names) {
			if !nameKeyRE.MatchString(k) {
				return validationError(`ExpressionAttributeNames contains invalid key: Syntax error; key: "` + k + `"`)
			}
		}
	}
	if values != nil {
		if len(values) == 0 {
			return validationError(msgValuesEmpty)
		}
		keys := sortedKeys(values)
		for _, k := range keys {
			if !valueKeyRE.MatchString(k) {
				return validationError(`ExpressionAttributeValues contains invalid key: Syntax error; key: "` + k + `"`)
			}
		}
		for _, k := range keys {
			v := values[k]
			if msg := CheckValue(&v); msg != "" {
				return validationError("ExpressionAttributeValues contains invalid value: " + msg + " for key " + k)
			}
		}
	}
	return nil
}

// checkExpressions is dynalite's validateExpressions: the substitutions,
// then the checker (if any), which may leave what it parsed in *parsed.
func checkExpressions(c ExpressionChecker, e *Expressions, parsed *any) error {
	if err := checkSubstitutions(e.Names, e.Values); err != nil {
		return err
	}
	if c == nil {
		return nil
	}
	if err := c.CheckExpressions(e); err != nil {
		return err
	}
	*parsed = e.Parsed
	return nil
}

// checkExpected is dynalite's validateAttributeConditions: the rules on
// the legacy Expected parameter. Attributes are looked at in sorted order.
func checkExpected(expected map[string]ExpectedAttributeValue) error {
	for _, key := range sortedKeys(expected) {
		c := expected[key]
		if c.AttributeValueList != nil && c.Value != nil {
			return invalid("Value and AttributeValueList cannot be used together for Attribute: " + key)
		}
		if c.ComparisonOperator != nil {
			op := *c.ComparisonOperator
			if c.Exists != nil {
				return invalid("Exists and ComparisonOperator cannot be used together for Attribute: " + key)
			}
			if op != OpNull && op != OpNotNull && c.AttributeValueList == nil && c.Value == nil {
				return invalid("Value or AttributeValueList must be used with ComparisonOperator: " + string(op) + " for Attribute: " + key)
			}
			n := len(c.AttributeValueList)
			if c.AttributeValueList == nil && c.Value != nil {
				n = 1
			}
			if !argCountOK(op, n) {
				return invalid("Invalid number of argument(s) for the " + string(op) + " ComparisonOperator")
			}
			if l := c.AttributeValueList; len(l) > 0 {
				if err := sameKinds(l); err != nil {
					return err
				}
				if op == OpBetween {
					if c, ok := compareValues(&l[0], &l[1]); ok && c > 0 {
						return validationError(msgBetweenBounds)
					}
				}
			}
			continue
		}
		if c.AttributeValueList != nil {
			return invalid("AttributeValueList can only be used with a ComparisonOperator for Attribute: " + key)
		}
		exists := c.Exists == nil || *c.Exists
		if exists && c.Value == nil {
			state := "null"
			if c.Exists != nil {
				state = "true"
			}
			return invalid("Value must be provided when Exists is " + state + " for Attribute: " + key)
		}
		if !exists && c.Value != nil {
			return invalid("Value cannot be used when Exists is false for Attribute: " + key)
		}
		if c.Value != nil {
			if msg := CheckValue(c.Value); msg != "" {
				return validationError(msg)
			}
		}
	}
	return nil
}

const msgBetweenBounds = "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"

// argCountOK is how many values each comparison operator takes in
// Expected (dynalite validateAttributeConditions).
func argCountOK(op ComparisonOperator, n int) bool {
	switch op {
	case OpEQ, OpNE, OpLE, OpLT, OpGE, OpGT, OpContains, OpNotContains, OpBeginsWith:
		return n == 1
	case OpNull, OpNotNull:
		return n == 0
	case OpIN:
		return n > 0
	case OpBetween:
		return n == 2
	}
	return false
}

// sameKinds is the rule that the values of an AttributeValueList share a
// type.
func sameKinds(l []attr.Value) error {
	k0, _ := l[0].Kind()
	for i := range l {
		if k, _ := l[i].Kind(); k != k0 {
			return invalid("AttributeValues inside AttributeValueList must be of same type")
		}
	}
	return nil
}

// conditionKinds are the value types each operator compares in
// KeyConditions, QueryFilter and ScanFilter (dynalite validateConditions).
var conditionKinds = map[ComparisonOperator][]attr.Kind{
	OpEQ:          {attr.KindS, attr.KindN, attr.KindB, attr.KindSS, attr.KindNS, attr.KindBS},
	OpNE:          {attr.KindS, attr.KindN, attr.KindB, attr.KindSS, attr.KindNS, attr.KindBS},
	OpLE:          {attr.KindS, attr.KindN, attr.KindB},
	OpLT:          {attr.KindS, attr.KindN, attr.KindB},
	OpGE:          {attr.KindS, attr.KindN, attr.KindB},
	OpGT:          {attr.KindS, attr.KindN, attr.KindB},
	OpContains:    {attr.KindS, attr.KindN, attr.KindB},
	OpNotContains: {attr.KindS, attr.KindN, attr.KindB},
	OpBeginsWith:  {attr.KindS, attr.KindB},
	OpIN:          {attr.KindS, attr.KindN, attr.KindB},
	OpBetween:     {attr.KindS, attr.KindN, attr.KindB},
}

// checkConditions is dynalite's validateConditions: the rules on the
// legacy KeyConditions, QueryFilter and ScanFilter. Attributes are looked
// at in sorted order.
func checkConditions(conds map[string]Condition) error {
	for _, key := range sortedKeys(conds) {
		c := conds[key]
		op := ComparisonOperator(deref(c.ComparisonOperator))
		for i := range c.AttributeValueList {
			if msg := CheckValue(&c.AttributeValueList[i]); msg != "" {
				return validationError(msg)
			}
		}
		n := len(c.AttributeValueList)
		countOK := argCountOK(op, n)
		if op == OpIN {
			// IN takes one value or more in Expected, but dynalite's
			// lengths table gives it exactly [1] here: at least one.
			countOK = n >= 1
		}
		if !countOK {
			return invalid("Invalid number of argument(s) for the " + string(op) + " ComparisonOperator")
		}
		if n > 0 {
			if err := sameKinds(c.AttributeValueList); err != nil {
				return err
			}
		}
		if kinds, ok := conditionKinds[op]; ok {
			for i := range c.AttributeValueList {
				k, _ := c.AttributeValueList[i].Kind()
				found := false
				for _, want := range kinds {
					found = found || k == want
				}
				if !found {
					return invalid("ComparisonOperator " + string(op) + " is not valid for " + string(k) + " AttributeValue type")
				}
			}
		}
		if op == OpBetween {
			if c, ok := compareValues(&c.AttributeValueList[0], &c.AttributeValueList[1]); ok && c > 0 {
				return validationError(msgBetweenBounds)
			}
		}
	}
	return nil
}

// checkAttributesToGet is the rule against a name twice in
// AttributesToGet.
func checkAttributesToGet(names []string) error {
	seen := make(map[string]bool, len(names))
	for _, n := range names {
		if seen[n] {
			return invalid("Duplicate value in attribute name: " + n)
		}
		seen[n] = true
	}
	return nil
}
