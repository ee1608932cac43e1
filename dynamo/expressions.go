package dynamo

import (
	"github.com/eddy-streams/eddy/dynamo/expr"
	"github.com/eddy-streams/eddy/protocol/ddb"
)

// Parsed is what Checker leaves in ddb.Expressions.Parsed (and so in an
// input's Parsed member): a request's expressions, parsed with their
// names and values bound. Members are nil for expressions the request did
// not send.
type Parsed struct {
	Update       *expr.Update
	Condition    *expr.Condition
	KeyCondition *expr.KeyConditionExpr
	Filter       *expr.Condition
	Projection   *expr.Projection
}

// Checker is the ddb.ExpressionChecker over dynamo/expr: it parses a
// request's expressions in DynamoDB's order (update, condition, key
// condition, filter, projection, then the names and values none of them
// used, then what makes a key condition unusable whatever the table) and
// leaves a *Parsed. The transport sets it on every input with expressions;
// an input that arrives without one (a direct call) is parsed by the
// operation itself, the same way.
type Checker struct{}

// CheckExpressions implements ddb.ExpressionChecker.
func (Checker) CheckExpressions(e *ddb.Expressions) error {
	p, err := parseExpressions(e)
	if err != nil {
		return err
	}
	e.Parsed = p
	return nil
}

func parseExpressions(e *ddb.Expressions) (*Parsed, error) {
	params, err := expr.NewParams(e.Names, e.Values)
	if err != nil {
		return nil, err
	}
	p := &Parsed{}
	if e.Update != nil {
		if p.Update, err = expr.ParseUpdate(*e.Update, params); err != nil {
			return nil, err
		}
	}
	if e.Condition != nil {
		if p.Condition, err = expr.ParseCondition(*e.Condition, params); err != nil {
			return nil, err
		}
	}
	if e.KeyCondition != nil {
		if p.KeyCondition, err = expr.ParseKeyCondition(*e.KeyCondition, params); err != nil {
			return nil, err
		}
	}
	if e.Filter != nil {
		if p.Filter, err = expr.ParseFilter(*e.Filter, params); err != nil {
			return nil, err
		}
	}
	if e.Projection != nil {
		if p.Projection, err = expr.ParseProjection(*e.Projection, params); err != nil {
			return nil, err
		}
	}
	if err := params.Unused(); err != nil {
		return nil, err
	}
	if p.KeyCondition != nil {
		if err := p.KeyCondition.Validate(); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// parsed returns what the checker left, or parses e now when it left
// nothing (the input did not pass through a checker).
func parsed(left any, e ddb.Expressions) (*Parsed, error) {
	if p, ok := left.(*Parsed); ok && p != nil {
		return p, nil
	}
	return parseExpressions(&e)
}

// Conversions of the legacy parameters to dynamo/expr's shapes.

func legacyExpected(m map[string]ddb.ExpectedAttributeValue, op *ddb.ConditionalOperator) (*expr.Condition, error) {
	if m == nil {
		return nil, nil
	}
	out := make(map[string]expr.ExpectedAttributeValue, len(m))
	for k, v := range m {
		out[k] = expr.ExpectedAttributeValue{Value: v.Value, Exists: v.Exists, ComparisonOperator: deref(v.ComparisonOperator), AttributeValueList: v.AttributeValueList}
	}
	return expr.FromExpected(out, deref(op))
}

func legacyComparisons(m map[string]ddb.Condition) map[string]expr.Comparison {
	out := make(map[string]expr.Comparison, len(m))
	for k, v := range m {
		out[k] = expr.Comparison{ComparisonOperator: deref(v.ComparisonOperator), AttributeValueList: v.AttributeValueList}
	}
	return out
}

func legacyFilter(m map[string]ddb.Condition, op *ddb.ConditionalOperator) (*expr.Condition, error) {
	if m == nil {
		return nil, nil
	}
	return expr.FromFilter(legacyComparisons(m), deref(op))
}

func legacyUpdates(m map[string]ddb.AttributeValueUpdate) (*expr.Update, error) {
	if m == nil {
		return nil, nil
	}
	out := make(map[string]expr.AttributeValueUpdate, len(m))
	for k, v := range m {
		out[k] = expr.AttributeValueUpdate{Value: v.Value, Action: deref(v.Action)}
	}
	return expr.FromAttributeUpdates(out)
}

func legacyProjection(names []string) (*expr.Projection, error) {
	if names == nil {
		return nil, nil
	}
	return expr.FromAttributesToGet(names)
}

func deref[T ~string](p *T) string {
	if p == nil {
		return ""
	}
	return string(*p)
}
