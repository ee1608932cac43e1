package ddb

import (
	"strconv"
	"strings"

	"github.com/eddy-streams/eddy/dynamo/attr"
)

// Reads of many items: Query and Scan (dynalite validations/query.js,
// scan.js). The key conditions' attributes, the index and the starting
// key's attributes need the table: the operation checks them.

// QueryInput is the request of Query.
type QueryInput struct {
	TableName                 *string                 `json:"TableName,omitempty"`
	IndexName                 *string                 `json:"IndexName,omitempty"`
	Select                    *Select                 `json:"Select,omitempty"`
	AttributesToGet           []string                `json:"AttributesToGet,omitzero"`
	Limit                     *int32                  `json:"Limit,omitempty"`
	ConsistentRead            *bool                   `json:"ConsistentRead,omitempty"`
	KeyConditions             map[string]Condition    `json:"KeyConditions,omitzero"`
	QueryFilter               map[string]Condition    `json:"QueryFilter,omitzero"`
	ConditionalOperator       *ConditionalOperator    `json:"ConditionalOperator,omitempty"`
	ScanIndexForward          *bool                   `json:"ScanIndexForward,omitempty"`
	ExclusiveStartKey         attr.Item               `json:"ExclusiveStartKey,omitzero"`
	ReturnConsumedCapacity    *ReturnConsumedCapacity `json:"ReturnConsumedCapacity,omitempty"`
	ProjectionExpression      *string                 `json:"ProjectionExpression,omitempty"`
	FilterExpression          *string                 `json:"FilterExpression,omitempty"`
	KeyConditionExpression    *string                 `json:"KeyConditionExpression,omitempty"`
	ExpressionAttributeNames  map[string]string       `json:"ExpressionAttributeNames,omitzero"`
	ExpressionAttributeValues map[string]attr.Value   `json:"ExpressionAttributeValues,omitzero"`

	Checker ExpressionChecker `json:"-"`
	Parsed  any               `json:"-"`
}

// QueryOutput is the response of Query (and of Scan). Items is sent
// unless Select is COUNT; Count and ScannedCount always.
type QueryOutput struct {
	Items            []attr.Item       `json:"Items,omitzero"`
	Count            int32             `json:"Count"`
	ScannedCount     int32             `json:"ScannedCount"`
	LastEvaluatedKey attr.Item         `json:"LastEvaluatedKey,omitempty"`
	ConsumedCapacity *ConsumedCapacity `json:"ConsumedCapacity,omitempty"`
}

// checkConditionsModel checks the model constraints of a map of legacy
// conditions: each has a ComparisonOperator, one of the operators.
func checkConditionsModel(v *violations, path string, conds map[string]Condition) {
	for _, k := range sortedKeys(conds) {
		c := conds[k]
		enum(v, mapMember(path, k)+".comparisonOperator", c.ComparisonOperator, true, enumComparisonOperator)
	}
}

// startKeyMessage words a fault of ExclusiveStartKey: DynamoDB prefixes
// most of the attribute value messages, but not those about numbers and
// duplicates (dynalite query.js and scan.js).
func startKeyMessage(msg string) string {
	for _, s := range []string{"contains duplicates", "number set", "numeric value", "significant digits", "number with magnitude"} {
		if strings.Contains(msg, s) {
			return msg
		}
	}
	return "The provided starting key is invalid: " + msg
}

// Validate checks Query (dynalite validations/query.js). The checks on
// the key condition expression (its operators, one condition per key) are
// the Checker's; a request with legacy KeyConditions gets them here.
func (in *QueryInput) Validate() error {
	var v violations
	enum(&v, "select", in.Select, false, enumSelect)
	v.str("indexName", in.IndexName, false, shapeIndexName)
	enum(&v, "returnConsumedCapacity", in.ReturnConsumedCapacity, false, enumReturnConsumed)
	checkConditionsModel(&v, "queryFilter", in.QueryFilter)
	v.str("tableName", in.TableName, true, shapeTableName)
	enum(&v, "conditionalOperator", in.ConditionalOperator, false, enumConditionalOperator)
	checkAttributesToGetLength(&v, "attributesToGet", in.AttributesToGet)
	num(&v, "limit", in.Limit, false, 1, 0)
	checkConditionsModel(&v, "keyConditions", in.KeyConditions)
	if err := v.err(); err != nil {
		return err
	}
	if err := checkExpressionParams(
		[]param{{"ProjectionExpression", in.ProjectionExpression != nil}, {"FilterExpression", in.FilterExpression != nil},
			{"KeyConditionExpression", in.KeyConditionExpression != nil}},
		[]param{{"AttributesToGet", in.AttributesToGet != nil}, {"QueryFilter", in.QueryFilter != nil},
			{"ConditionalOperator", in.ConditionalOperator != nil}, {"KeyConditions", in.KeyConditions != nil}},
		in.ExpressionAttributeNames != nil, in.ExpressionAttributeValues != nil,
		in.KeyConditions != nil && in.KeyConditionExpression == nil); err != nil {
		return err
	}
	if err := checkConditions(in.QueryFilter); err != nil {
		return err
	}
	if err := checkAttributesToGet(in.AttributesToGet); err != nil {
		return err
	}
	if msg := CheckItem(in.ExclusiveStartKey); msg != "" {
		return validationError(startKeyMessage(msg))
	}
	if in.KeyConditions == nil && in.KeyConditionExpression == nil {
		return validationError("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.")
	}
	if err := checkExpressions(in.Checker, &Expressions{
		KeyCondition: in.KeyConditionExpression,
		Filter:       in.FilterExpression,
		Projection:   in.ProjectionExpression,
		Names:        in.ExpressionAttributeNames,
		Values:       in.ExpressionAttributeValues,
	}, &in.Parsed); err != nil {
		return err
	}
	if in.KeyConditionExpression == nil {
		if err := checkConditions(in.KeyConditions); err != nil {
			return err
		}
		if n := len(in.KeyConditions); n != 1 && n != 2 {
			return validationError("Conditions can be of length 1 or 2 only")
		}
	}
	return nil
}

// ScanInput is the request of Scan.
type ScanInput struct {
	TableName                 *string                 `json:"TableName,omitempty"`
	IndexName                 *string                 `json:"IndexName,omitempty"`
	AttributesToGet           []string                `json:"AttributesToGet,omitzero"`
	Limit                     *int32                  `json:"Limit,omitempty"`
	Select                    *Select                 `json:"Select,omitempty"`
	ScanFilter                map[string]Condition    `json:"ScanFilter,omitzero"`
	ConditionalOperator       *ConditionalOperator    `json:"ConditionalOperator,omitempty"`
	ExclusiveStartKey         attr.Item               `json:"ExclusiveStartKey,omitzero"`
	ReturnConsumedCapacity    *ReturnConsumedCapacity `json:"ReturnConsumedCapacity,omitempty"`
	TotalSegments             *int32                  `json:"TotalSegments,omitempty"`
	Segment                   *int32                  `json:"Segment,omitempty"`
	ProjectionExpression      *string                 `json:"ProjectionExpression,omitempty"`
	FilterExpression          *string                 `json:"FilterExpression,omitempty"`
	ExpressionAttributeNames  map[string]string       `json:"ExpressionAttributeNames,omitzero"`
	ExpressionAttributeValues map[string]attr.Value   `json:"ExpressionAttributeValues,omitzero"`
	ConsistentRead            *bool                   `json:"ConsistentRead,omitempty"`

	Checker ExpressionChecker `json:"-"`
	Parsed  any               `json:"-"`
}

// ScanOutput is the response of Scan: the shape of QueryOutput.
type ScanOutput = QueryOutput

// Validate checks Scan (dynalite validations/scan.js).
func (in *ScanInput) Validate() error {
	var v violations
	enum(&v, "select", in.Select, false, enumSelect)
	v.str("indexName", in.IndexName, false, shapeIndexName)
	num(&v, "totalSegments", in.TotalSegments, false, 1, 0)
	enum(&v, "returnConsumedCapacity", in.ReturnConsumedCapacity, false, enumReturnConsumed)
	v.str("tableName", in.TableName, true, shapeTableName)
	enum(&v, "conditionalOperator", in.ConditionalOperator, false, enumConditionalOperator)
	checkConditionsModel(&v, "scanFilter", in.ScanFilter)
	num(&v, "segment", in.Segment, false, 0, 0)
	num(&v, "limit", in.Limit, false, 1, 0)
	checkAttributesToGetLength(&v, "attributesToGet", in.AttributesToGet)
	if err := v.err(); err != nil {
		return err
	}
	if err := checkExpressionParams(
		[]param{{"ProjectionExpression", in.ProjectionExpression != nil}, {"FilterExpression", in.FilterExpression != nil}},
		[]param{{"AttributesToGet", in.AttributesToGet != nil}, {"ScanFilter", in.ScanFilter != nil},
			{"ConditionalOperator", in.ConditionalOperator != nil}},
		in.ExpressionAttributeNames != nil, in.ExpressionAttributeValues != nil, false); err != nil {
		return err
	}
	if err := checkAttributesToGet(in.AttributesToGet); err != nil {
		return err
	}
	if err := checkConditions(in.ScanFilter); err != nil {
		return err
	}
	if msg := CheckItem(in.ExclusiveStartKey); msg != "" {
		return validationError(startKeyMessage(msg))
	}
	if in.Segment != nil && *in.Segment != 0 && in.TotalSegments == nil {
		return validationError("The TotalSegments parameter is required but was not present in the request when Segment parameter is present")
	}
	if in.TotalSegments != nil && *in.TotalSegments != 0 {
		if in.Segment == nil {
			return validationError("The Segment parameter is required but was not present in the request when parameter TotalSegments is present")
		}
		if *in.Segment >= *in.TotalSegments {
			return validationError("The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: " +
				strconv.Itoa(int(*in.Segment)) + " is not less than TotalSegments: " + strconv.Itoa(int(*in.TotalSegments)))
		}
	}
	return checkExpressions(in.Checker, &Expressions{
		Filter:     in.FilterExpression,
		Projection: in.ProjectionExpression,
		Names:      in.ExpressionAttributeNames,
		Values:     in.ExpressionAttributeValues,
	}, &in.Parsed)
}
