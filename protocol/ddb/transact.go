package ddb

import "github.com/eddy-streams/eddy/dynamo/attr"

// Transactions: TransactWriteItems and TransactGetItems. Dynalite does not
// implement them, so no recording of DynamoDB's order of checks exists
// there; Validate follows the model's constraints (TransactItems 1 to 100
// items, ClientRequestToken 1 to 36 characters, each item's TableName as
// elsewhere) in the model's member order, then the rules whose wording is
// recorded elsewhere, noted at each. Two items on one item, and the keys'
// attributes, need the tables: the operation checks them.

// MaxTransactItems is how many items one transaction may hold (the model's
// TransactWriteItemList and TransactGetItemList: 1 to 100; moto and other
// emulators record "Member must have length less than or equal to 100").
const MaxTransactItems = 100

// shapeClientRequestToken is ClientRequestToken: 1 to 36 characters (the
// model).
var shapeClientRequestToken = newStrShape("", 1, 36)

// ConditionCheck is a transaction item that only checks a condition.
type ConditionCheck struct {
	Key                                 attr.Item                            `json:"Key,omitzero"`
	TableName                           *string                              `json:"TableName,omitempty"`
	ConditionExpression                 *string                              `json:"ConditionExpression,omitempty"`
	ExpressionAttributeNames            map[string]string                    `json:"ExpressionAttributeNames,omitzero"`
	ExpressionAttributeValues           map[string]attr.Value                `json:"ExpressionAttributeValues,omitzero"`
	ReturnValuesOnConditionCheckFailure *ReturnValuesOnConditionCheckFailure `json:"ReturnValuesOnConditionCheckFailure,omitempty"`
}

// Put is a transaction item that puts an item.
type Put struct {
	Item                                attr.Item                            `json:"Item,omitzero"`
	TableName                           *string                              `json:"TableName,omitempty"`
	ConditionExpression                 *string                              `json:"ConditionExpression,omitempty"`
	ExpressionAttributeNames            map[string]string                    `json:"ExpressionAttributeNames,omitzero"`
	ExpressionAttributeValues           map[string]attr.Value                `json:"ExpressionAttributeValues,omitzero"`
	ReturnValuesOnConditionCheckFailure *ReturnValuesOnConditionCheckFailure `json:"ReturnValuesOnConditionCheckFailure,omitempty"`
}

// Delete is a transaction item that deletes an item.
type Delete struct {
	Key                                 attr.Item                            `json:"Key,omitzero"`
	TableName                           *string                              `json:"TableName,omitempty"`
	ConditionExpression                 *string                              `json:"ConditionExpression,omitempty"`
	ExpressionAttributeNames            map[string]string                    `json:"ExpressionAttributeNames,omitzero"`
	ExpressionAttributeValues           map[string]attr.Value                `json:"ExpressionAttributeValues,omitzero"`
	ReturnValuesOnConditionCheckFailure *ReturnValuesOnConditionCheckFailure `json:"ReturnValuesOnConditionCheckFailure,omitempty"`
}

// Update is a transaction item that updates an item.
type Update struct {
	Key                                 attr.Item                            `json:"Key,omitzero"`
	UpdateExpression                    *string                              `json:"UpdateExpression,omitempty"`
	TableName                           *string                              `json:"TableName,omitempty"`
	ConditionExpression                 *string                              `json:"ConditionExpression,omitempty"`
	ExpressionAttributeNames            map[string]string                    `json:"ExpressionAttributeNames,omitzero"`
	ExpressionAttributeValues           map[string]attr.Value                `json:"ExpressionAttributeValues,omitzero"`
	ReturnValuesOnConditionCheckFailure *ReturnValuesOnConditionCheckFailure `json:"ReturnValuesOnConditionCheckFailure,omitempty"`
}

// TransactWriteItem is one item of TransactWriteItems: exactly one of its
// members.
type TransactWriteItem struct {
	ConditionCheck *ConditionCheck `json:"ConditionCheck,omitempty"`
	Put            *Put            `json:"Put,omitempty"`
	Delete         *Delete         `json:"Delete,omitempty"`
	Update         *Update         `json:"Update,omitempty"`

	// Parsed is what the request's Checker left for this item's
	// expressions.
	Parsed any `json:"-"`
}

// TransactWriteItemsInput is the request of TransactWriteItems.
type TransactWriteItemsInput struct {
	TransactItems               []TransactWriteItem          `json:"TransactItems,omitzero"`
	ReturnConsumedCapacity      *ReturnConsumedCapacity      `json:"ReturnConsumedCapacity,omitempty"`
	ReturnItemCollectionMetrics *ReturnItemCollectionMetrics `json:"ReturnItemCollectionMetrics,omitempty"`
	ClientRequestToken          *string                      `json:"ClientRequestToken,omitempty"`

	Checker ExpressionChecker `json:"-"`
}

// TransactWriteItemsOutput is the response of TransactWriteItems.
type TransactWriteItemsOutput struct {
	ConsumedCapacity      []ConsumedCapacity                 `json:"ConsumedCapacity,omitempty"`
	ItemCollectionMetrics map[string][]ItemCollectionMetrics `json:"ItemCollectionMetrics,omitempty"`
}

// itemParts are the members of any transaction write item, for checking
// them alike.
type itemParts struct {
	path        string
	table       *string
	key         attr.Item
	keyName     string // "key" or "item"
	condition   *string
	update      *string
	names       map[string]string
	values      map[string]attr.Value
	onCheckFail *ReturnValuesOnConditionCheckFailure
}

func (w *TransactWriteItem) parts(path string) (p itemParts, n int) {
	if c := w.ConditionCheck; c != nil {
		n++
		p = itemParts{path + ".conditionCheck", c.TableName, c.Key, "key", c.ConditionExpression, nil,
			c.ExpressionAttributeNames, c.ExpressionAttributeValues, c.ReturnValuesOnConditionCheckFailure}
	}
	if c := w.Put; c != nil {
		n++
		p = itemParts{path + ".put", c.TableName, c.Item, "item", c.ConditionExpression, nil,
			c.ExpressionAttributeNames, c.ExpressionAttributeValues, c.ReturnValuesOnConditionCheckFailure}
	}
	if c := w.Delete; c != nil {
		n++
		p = itemParts{path + ".delete", c.TableName, c.Key, "key", c.ConditionExpression, nil,
			c.ExpressionAttributeNames, c.ExpressionAttributeValues, c.ReturnValuesOnConditionCheckFailure}
	}
	if c := w.Update; c != nil {
		n++
		p = itemParts{path + ".update", c.TableName, c.Key, "key", c.ConditionExpression, c.UpdateExpression,
			c.ExpressionAttributeNames, c.ExpressionAttributeValues, c.ReturnValuesOnConditionCheckFailure}
	}
	return p, n
}

// Validate checks TransactWriteItems. The messages for an item with no
// action or several are those moto records ("TransactItems can only
// contain one of Check, Put, Update or Delete", getmoto/moto
// tests/test_dynamodb/exceptions/test_dynamodb_exceptions.py) and the
// DynamoDB Local ports record ("Invalid Request: TransactWriteRequest
// should contain Delete or Put or Update request").
func (in *TransactWriteItemsInput) Validate() error {
	var v violations
	if v.length("transactItems", in.TransactItems != nil, len(in.TransactItems), true, 1, MaxTransactItems,
		func() string { return renderObjects(in.TransactItems) }) {
		for i := range in.TransactItems {
			p, n := in.TransactItems[i].parts(member("transactItems", i))
			if n != 1 {
				continue
			}
			v.notNull(p.path+"."+p.keyName, p.key != nil, true)
			if p.update != nil || in.TransactItems[i].Update != nil {
				v.notNull(p.path+".updateExpression", p.update != nil, true)
			}
			v.str(p.path+".tableName", p.table, true, shapeTableName)
			enum(&v, p.path+".returnValuesOnConditionCheckFailure", p.onCheckFail, false, enumReturnOnCheckFailure)
			if in.TransactItems[i].ConditionCheck != nil {
				v.notNull(p.path+".conditionExpression", p.condition != nil, true)
			}
		}
	}
	enum(&v, "returnConsumedCapacity", in.ReturnConsumedCapacity, false, enumReturnConsumed)
	enum(&v, "returnItemCollectionMetrics", in.ReturnItemCollectionMetrics, false, enumReturnMetrics)
	v.str("clientRequestToken", in.ClientRequestToken, false, shapeClientRequestToken)
	if err := v.err(); err != nil {
		return err
	}
	for i := range in.TransactItems {
		w := &in.TransactItems[i]
		p, n := w.parts("")
		switch {
		case n == 0:
			return validationError("Invalid Request: TransactWriteRequest should contain Delete or Put or Update request")
		case n > 1:
			return validationError("TransactItems can only contain one of Check, Put, Update or Delete")
		}
		exprs := []param{{"ConditionExpression", p.condition != nil}}
		if w.Update != nil {
			exprs = []param{{"UpdateExpression", p.update != nil}, {"ConditionExpression", p.condition != nil}}
		}
		if err := checkExpressionParams(exprs, nil, p.names != nil, p.values != nil, false); err != nil {
			return err
		}
		if msg := CheckItem(p.key); msg != "" {
			return validationError(msg)
		}
		if w.Put != nil && ItemSize(p.key) > MaxItemSize {
			return validationError(msgItemTooLarge)
		}
		if err := checkExpressions(in.Checker, &Expressions{
			Update:    p.update,
			Condition: p.condition,
			Names:     p.names,
			Values:    p.values,
		}, &w.Parsed); err != nil {
			return err
		}
	}
	return nil
}

// Get is the one action of a TransactGetItem.
type Get struct {
	Key                      attr.Item         `json:"Key,omitzero"`
	TableName                *string           `json:"TableName,omitempty"`
	ProjectionExpression     *string           `json:"ProjectionExpression,omitempty"`
	ExpressionAttributeNames map[string]string `json:"ExpressionAttributeNames,omitzero"`
}

// TransactGetItem is one item of TransactGetItems.
type TransactGetItem struct {
	Get *Get `json:"Get,omitempty"`

	// Parsed is what the request's Checker left for this item's
	// expressions.
	Parsed any `json:"-"`
}

// TransactGetItemsInput is the request of TransactGetItems.
type TransactGetItemsInput struct {
	TransactItems          []TransactGetItem       `json:"TransactItems,omitzero"`
	ReturnConsumedCapacity *ReturnConsumedCapacity `json:"ReturnConsumedCapacity,omitempty"`

	Checker ExpressionChecker `json:"-"`
}

// ItemResponse is one item of TransactGetItems' answer; Item is absent
// when there is no such item.
type ItemResponse struct {
	Item attr.Item `json:"Item,omitempty"`
}

// TransactGetItemsOutput is the response of TransactGetItems.
type TransactGetItemsOutput struct {
	ConsumedCapacity []ConsumedCapacity `json:"ConsumedCapacity,omitempty"`
	Responses        []ItemResponse     `json:"Responses,omitempty"`
}

// Validate checks TransactGetItems against the model's constraints, then
// each item's key and expressions.
func (in *TransactGetItemsInput) Validate() error {
	var v violations
	if v.length("transactItems", in.TransactItems != nil, len(in.TransactItems), true, 1, MaxTransactItems,
		func() string { return renderObjects(in.TransactItems) }) {
		for i := range in.TransactItems {
			p := member("transactItems", i)
			g := in.TransactItems[i].Get
			if !v.notNull(p+".get", g != nil, true) {
				continue
			}
			v.notNull(p+".get.key", g.Key != nil, true)
			v.str(p+".get.tableName", g.TableName, true, shapeTableName)
		}
	}
	enum(&v, "returnConsumedCapacity", in.ReturnConsumedCapacity, false, enumReturnConsumed)
	if err := v.err(); err != nil {
		return err
	}
	for i := range in.TransactItems {
		t := &in.TransactItems[i]
		g := t.Get
		if err := checkExpressionParams([]param{{"ProjectionExpression", g.ProjectionExpression != nil}}, nil,
			g.ExpressionAttributeNames != nil, false, false); err != nil {
			return err
		}
		if msg := CheckItem(g.Key); msg != "" {
			return validationError(msg)
		}
		if err := checkExpressions(in.Checker, &Expressions{
			Projection: g.ProjectionExpression,
			Names:      g.ExpressionAttributeNames,
		}, &t.Parsed); err != nil {
			return err
		}
	}
	return nil
}
