package ddb

import "github.com/eddy-streams/eddy/dynamo/attr"

// Single-item operations: GetItem, PutItem, UpdateItem, DeleteItem. The
// order of checks in each Validate is dynalite's
// (validations/<operation>.js); checks that need the table (the key's
// attributes and types, the item's key) are the operation's.

// GetItemInput is the request of GetItem.
type GetItemInput struct {
	TableName                *string                 `json:"TableName,omitempty"`
	Key                      attr.Item               `json:"Key,omitzero"`
	AttributesToGet          []string                `json:"AttributesToGet,omitzero"`
	ConsistentRead           *bool                   `json:"ConsistentRead,omitempty"`
	ReturnConsumedCapacity   *ReturnConsumedCapacity `json:"ReturnConsumedCapacity,omitempty"`
	ProjectionExpression     *string                 `json:"ProjectionExpression,omitempty"`
	ExpressionAttributeNames map[string]string       `json:"ExpressionAttributeNames,omitzero"`

	// Checker parses the expressions during Validate (see Expressions);
	// Parsed is what it left.
	Checker ExpressionChecker `json:"-"`
	Parsed  any               `json:"-"`
}

// GetItemOutput is the response of GetItem. Item is absent when there is
// no such item.
type GetItemOutput struct {
	Item             attr.Item         `json:"Item,omitempty"`
	ConsumedCapacity *ConsumedCapacity `json:"ConsumedCapacity,omitempty"`
}

// Validate checks GetItem (dynalite validations/getItem.js).
func (in *GetItemInput) Validate() error {
	var v violations
	enum(&v, "returnConsumedCapacity", in.ReturnConsumedCapacity, false, enumReturnConsumed)
	checkAttributesToGetLength(&v, "attributesToGet", in.AttributesToGet)
	v.str("tableName", in.TableName, true, shapeTableName)
	v.notNull("key", in.Key != nil, true)
	if err := v.err(); err != nil {
		return err
	}
	if err := checkExpressionParams(
		[]param{{"ProjectionExpression", in.ProjectionExpression != nil}},
		[]param{{"AttributesToGet", in.AttributesToGet != nil}},
		in.ExpressionAttributeNames != nil, false, false); err != nil {
		return err
	}
	if msg := CheckItem(in.Key); msg != "" {
		return validationError(msg)
	}
	if err := checkAttributesToGet(in.AttributesToGet); err != nil {
		return err
	}
	return checkExpressions(in.Checker, &Expressions{
		Projection: in.ProjectionExpression,
		Names:      in.ExpressionAttributeNames,
	}, &in.Parsed)
}

func checkAttributesToGetLength(v *violations, path string, l []string) {
	v.length(path, l != nil, len(l), false, 1, 255, func() string { return renderStrings(l) })
}

// checkExpectedModel checks the model constraints of Expected: each
// condition's ComparisonOperator is one of the operators.
func checkExpectedModel(v *violations, expected map[string]ExpectedAttributeValue) {
	for _, k := range sortedKeys(expected) {
		c := expected[k]
		enum(v, mapMember("expected", k)+".comparisonOperator", c.ComparisonOperator, false, enumComparisonOperator)
	}
}

// PutItemInput is the request of PutItem.
type PutItemInput struct {
	TableName                           *string                              `json:"TableName,omitempty"`
	Item                                attr.Item                            `json:"Item,omitzero"`
	Expected                            map[string]ExpectedAttributeValue    `json:"Expected,omitzero"`
	ReturnValues                        *ReturnValue                         `json:"ReturnValues,omitempty"`
	ReturnConsumedCapacity              *ReturnConsumedCapacity              `json:"ReturnConsumedCapacity,omitempty"`
	ReturnItemCollectionMetrics         *ReturnItemCollectionMetrics         `json:"ReturnItemCollectionMetrics,omitempty"`
	ConditionalOperator                 *ConditionalOperator                 `json:"ConditionalOperator,omitempty"`
	ConditionExpression                 *string                              `json:"ConditionExpression,omitempty"`
	ExpressionAttributeNames            map[string]string                    `json:"ExpressionAttributeNames,omitzero"`
	ExpressionAttributeValues           map[string]attr.Value                `json:"ExpressionAttributeValues,omitzero"`
	ReturnValuesOnConditionCheckFailure *ReturnValuesOnConditionCheckFailure `json:"ReturnValuesOnConditionCheckFailure,omitempty"`

	Checker ExpressionChecker `json:"-"`
	Parsed  any               `json:"-"`
}

// PutItemOutput is the response of PutItem.
type PutItemOutput struct {
	Attributes            attr.Item              `json:"Attributes,omitempty"`
	ConsumedCapacity      *ConsumedCapacity      `json:"ConsumedCapacity,omitempty"`
	ItemCollectionMetrics *ItemCollectionMetrics `json:"ItemCollectionMetrics,omitempty"`
}

// Validate checks PutItem (dynalite validations/putItem.js).
func (in *PutItemInput) Validate() error {
	var v violations
	enum(&v, "returnConsumedCapacity", in.ReturnConsumedCapacity, false, enumReturnConsumed)
	v.str("tableName", in.TableName, true, shapeTableName)
	v.notNull("item", in.Item != nil, true)
	enum(&v, "conditionalOperator", in.ConditionalOperator, false, enumConditionalOperator)
	checkExpectedModel(&v, in.Expected)
	enum(&v, "returnValues", in.ReturnValues, false, enumReturnValues)
	enum(&v, "returnItemCollectionMetrics", in.ReturnItemCollectionMetrics, false, enumReturnMetrics)
	enum(&v, "returnValuesOnConditionCheckFailure", in.ReturnValuesOnConditionCheckFailure, false, enumReturnOnCheckFailure)
	if err := v.err(); err != nil {
		return err
	}
	if err := checkExpressionParams(
		[]param{{"ConditionExpression", in.ConditionExpression != nil}},
		[]param{{"Expected", in.Expected != nil}},
		in.ExpressionAttributeNames != nil, in.ExpressionAttributeValues != nil, false); err != nil {
		return err
	}
	if msg := CheckItem(in.Item); msg != "" {
		return validationError(msg)
	}
	if in.ReturnValues != nil && *in.ReturnValues != ReturnAllOld && *in.ReturnValues != ReturnNone {
		return validationError("ReturnValues can only be ALL_OLD or NONE")
	}
	if ItemSize(in.Item) > MaxItemSize {
		return validationError(msgItemTooLarge)
	}
	if err := checkExpected(in.Expected); err != nil {
		return err
	}
	return checkExpressions(in.Checker, &Expressions{
		Condition: in.ConditionExpression,
		Names:     in.ExpressionAttributeNames,
		Values:    in.ExpressionAttributeValues,
	}, &in.Parsed)
}

// DeleteItemInput is the request of DeleteItem.
type DeleteItemInput struct {
	TableName                           *string                              `json:"TableName,omitempty"`
	Key                                 attr.Item                            `json:"Key,omitzero"`
	Expected                            map[string]ExpectedAttributeValue    `json:"Expected,omitzero"`
	ConditionalOperator                 *ConditionalOperator                 `json:"ConditionalOperator,omitempty"`
	ReturnValues                        *ReturnValue                         `json:"ReturnValues,omitempty"`
	ReturnConsumedCapacity              *ReturnConsumedCapacity              `json:"ReturnConsumedCapacity,omitempty"`
	ReturnItemCollectionMetrics         *ReturnItemCollectionMetrics         `json:"ReturnItemCollectionMetrics,omitempty"`
	ConditionExpression                 *string                              `json:"ConditionExpression,omitempty"`
	ExpressionAttributeNames            map[string]string                    `json:"ExpressionAttributeNames,omitzero"`
	ExpressionAttributeValues           map[string]attr.Value                `json:"ExpressionAttributeValues,omitzero"`
	ReturnValuesOnConditionCheckFailure *ReturnValuesOnConditionCheckFailure `json:"ReturnValuesOnConditionCheckFailure,omitempty"`

	Checker ExpressionChecker `json:"-"`
	Parsed  any               `json:"-"`
}

// DeleteItemOutput is the response of DeleteItem.
type DeleteItemOutput struct {
	Attributes            attr.Item              `json:"Attributes,omitempty"`
	ConsumedCapacity      *ConsumedCapacity      `json:"ConsumedCapacity,omitempty"`
	ItemCollectionMetrics *ItemCollectionMetrics `json:"ItemCollectionMetrics,omitempty"`
}

// Validate checks DeleteItem (dynalite validations/deleteItem.js).
func (in *DeleteItemInput) Validate() error {
	var v violations
	enum(&v, "returnConsumedCapacity", in.ReturnConsumedCapacity, false, enumReturnConsumed)
	v.str("tableName", in.TableName, true, shapeTableName)
	enum(&v, "returnValues", in.ReturnValues, false, enumReturnValues)
	enum(&v, "returnItemCollectionMetrics", in.ReturnItemCollectionMetrics, false, enumReturnMetrics)
	v.notNull("key", in.Key != nil, true)
	enum(&v, "conditionalOperator", in.ConditionalOperator, false, enumConditionalOperator)
	checkExpectedModel(&v, in.Expected)
	enum(&v, "returnValuesOnConditionCheckFailure", in.ReturnValuesOnConditionCheckFailure, false, enumReturnOnCheckFailure)
	if err := v.err(); err != nil {
		return err
	}
	if err := checkExpressionParams(
		[]param{{"ConditionExpression", in.ConditionExpression != nil}},
		[]param{{"Expected", in.Expected != nil}},
		in.ExpressionAttributeNames != nil, in.ExpressionAttributeValues != nil, false); err != nil {
		return err
	}
	if msg := CheckItem(in.Key); msg != "" {
		return validationError(msg)
	}
	if err := checkExpected(in.Expected); err != nil {
		return err
	}
	return checkExpressions(in.Checker, &Expressions{
		Condition: in.ConditionExpression,
		Names:     in.ExpressionAttributeNames,
		Values:    in.ExpressionAttributeValues,
	}, &in.Parsed)
}

// UpdateItemInput is the request of UpdateItem.
type UpdateItemInput struct {
	TableName                           *string                              `json:"TableName,omitempty"`
	Key                                 attr.Item                            `json:"Key,omitzero"`
	AttributeUpdates                    map[string]AttributeValueUpdate      `json:"AttributeUpdates,omitzero"`
	Expected                            map[string]ExpectedAttributeValue    `json:"Expected,omitzero"`
	ConditionalOperator                 *ConditionalOperator                 `json:"ConditionalOperator,omitempty"`
	ReturnValues                        *ReturnValue                         `json:"ReturnValues,omitempty"`
	ReturnConsumedCapacity              *ReturnConsumedCapacity              `json:"ReturnConsumedCapacity,omitempty"`
	ReturnItemCollectionMetrics         *ReturnItemCollectionMetrics         `json:"ReturnItemCollectionMetrics,omitempty"`
	UpdateExpression                    *string                              `json:"UpdateExpression,omitempty"`
	ConditionExpression                 *string                              `json:"ConditionExpression,omitempty"`
	ExpressionAttributeNames            map[string]string                    `json:"ExpressionAttributeNames,omitzero"`
	ExpressionAttributeValues           map[string]attr.Value                `json:"ExpressionAttributeValues,omitzero"`
	ReturnValuesOnConditionCheckFailure *ReturnValuesOnConditionCheckFailure `json:"ReturnValuesOnConditionCheckFailure,omitempty"`

	Checker ExpressionChecker `json:"-"`
	Parsed  any               `json:"-"`
}

// UpdateItemOutput is the response of UpdateItem.
type UpdateItemOutput struct {
	Attributes            attr.Item              `json:"Attributes,omitempty"`
	ConsumedCapacity      *ConsumedCapacity      `json:"ConsumedCapacity,omitempty"`
	ItemCollectionMetrics *ItemCollectionMetrics `json:"ItemCollectionMetrics,omitempty"`
}

// Validate checks UpdateItem (dynalite validations/updateItem.js).
// AttributeUpdates' Action is not checked against its enum here, as
// dynalite records no answer for a wrong one: the operation refuses it.
func (in *UpdateItemInput) Validate() error {
	var v violations
	enum(&v, "returnConsumedCapacity", in.ReturnConsumedCapacity, false, enumReturnConsumed)
	v.str("tableName", in.TableName, true, shapeTableName)
	enum(&v, "returnItemCollectionMetrics", in.ReturnItemCollectionMetrics, false, enumReturnMetrics)
	enum(&v, "returnValues", in.ReturnValues, false, enumReturnValues)
	v.notNull("key", in.Key != nil, true)
	enum(&v, "conditionalOperator", in.ConditionalOperator, false, enumConditionalOperator)
	checkExpectedModel(&v, in.Expected)
	enum(&v, "returnValuesOnConditionCheckFailure", in.ReturnValuesOnConditionCheckFailure, false, enumReturnOnCheckFailure)
	if err := v.err(); err != nil {
		return err
	}
	if err := checkExpressionParams(
		[]param{{"UpdateExpression", in.UpdateExpression != nil}, {"ConditionExpression", in.ConditionExpression != nil}},
		[]param{{"AttributeUpdates", in.AttributeUpdates != nil}, {"Expected", in.Expected != nil}},
		in.ExpressionAttributeNames != nil, in.ExpressionAttributeValues != nil, false); err != nil {
		return err
	}
	if msg := CheckItem(in.Key); msg != "" {
		return validationError(msg)
	}
	for _, k := range sortedKeys(in.AttributeUpdates) {
		u := in.AttributeUpdates[k]
		action := AttributeAction(deref(u.Action))
		if u.Value != nil {
			if msg := CheckValue(u.Value); msg != "" {
				return validationError(msg)
			}
		}
		if u.Value == nil && action != ActionDelete {
			return invalid("Only DELETE action is allowed when no attribute value is specified")
		}
		if u.Value != nil {
			kind, _ := u.Value.Kind()
			if action == ActionDelete && kind != attr.KindSS && kind != attr.KindNS && kind != attr.KindBS {
				return invalid("DELETE action with value is not supported for the type " + string(kind))
			}
			if action == ActionAdd && kind != attr.KindL && kind != attr.KindSS && kind != attr.KindNS && kind != attr.KindBS && kind != attr.KindN {
				return invalid("ADD action is not supported for the type " + string(kind))
			}
		}
	}
	if err := checkExpected(in.Expected); err != nil {
		return err
	}
	return checkExpressions(in.Checker, &Expressions{
		Update:    in.UpdateExpression,
		Condition: in.ConditionExpression,
		Names:     in.ExpressionAttributeNames,
		Values:    in.ExpressionAttributeValues,
	}, &in.Parsed)
}
