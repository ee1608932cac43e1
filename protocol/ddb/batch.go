package ddb

import (
	"strings"

	"github.com/eddy-streams/eddy/dynamo/attr"
)

// Batch operations: BatchGetItem, BatchWriteItem (dynalite
// validations/batchGetItem.js, batchWriteItem.js). Duplicate keys within a
// table's requests, and the keys' attributes, need the table's key schema:
// the operation checks them.

// KeysAndAttributes is one table's part of a BatchGetItem.
type KeysAndAttributes struct {
	Keys                     []attr.Item       `json:"Keys,omitzero"`
	AttributesToGet          []string          `json:"AttributesToGet,omitzero"`
	ConsistentRead           *bool             `json:"ConsistentRead,omitempty"`
	ProjectionExpression     *string           `json:"ProjectionExpression,omitempty"`
	ExpressionAttributeNames map[string]string `json:"ExpressionAttributeNames,omitzero"`

	// Parsed is what the request's Checker left for this table's
	// expressions.
	Parsed any `json:"-"`
}

// BatchGetItemInput is the request of BatchGetItem.
type BatchGetItemInput struct {
	RequestItems           map[string]KeysAndAttributes `json:"RequestItems,omitzero"`
	ReturnConsumedCapacity *ReturnConsumedCapacity      `json:"ReturnConsumedCapacity,omitempty"`

	Checker ExpressionChecker `json:"-"`
}

// BatchGetItemOutput is the response of BatchGetItem. Responses and
// UnprocessedKeys are always sent ({} when empty).
type BatchGetItemOutput struct {
	Responses        map[string][]attr.Item       `json:"Responses"`
	UnprocessedKeys  map[string]KeysAndAttributes `json:"UnprocessedKeys"`
	ConsumedCapacity []ConsumedCapacity           `json:"ConsumedCapacity,omitempty"`
}

// MaxBatchGetKeys is how many keys one BatchGetItem may ask for, over all
// its tables.
const MaxBatchGetKeys = 100

// shapeTableMapKey is the constraint on the table names that key
// RequestItems (dynalite lists them maximum, minimum, pattern).
var shapeTableMapKey = newStrShape(`[a-zA-Z0-9_.-]+`, 3, 255)

// Validate checks BatchGetItem (dynalite validations/batchGetItem.js).
// Tables are looked at in sorted order.
func (in *BatchGetItemInput) Validate() error {
	var v violations
	enum(&v, "returnConsumedCapacity", in.ReturnConsumedCapacity, false, enumReturnConsumed)
	render := func() string { return renderMap(in.RequestItems) }
	if v.length("requestItems", in.RequestItems != nil, len(in.RequestItems), true, 1, 0, render) {
		tables := sortedKeys(in.RequestItems)
		v.mapKeys("requestItems", tables, shapeTableMapKey, render)
		for _, t := range tables {
			ka := in.RequestItems[t]
			p := mapMember("requestItems", t)
			v.length(p+".keys", ka.Keys != nil, len(ka.Keys), true, 1, 100, func() string { return renderItems(ka.Keys) })
			checkAttributesToGetLength(&v, p+".attributesToGet", ka.AttributesToGet)
		}
	}
	if err := v.err(); err != nil {
		return err
	}
	n := 0
	for _, t := range sortedKeys(in.RequestItems) {
		ka := in.RequestItems[t]
		if err := checkExpressionParams(
			[]param{{"ProjectionExpression", ka.ProjectionExpression != nil}},
			[]param{{"AttributesToGet", ka.AttributesToGet != nil}},
			ka.ExpressionAttributeNames != nil, false, false); err != nil {
			return err
		}
		if err := checkAttributesToGet(ka.AttributesToGet); err != nil {
			return err
		}
		if err := checkExpressions(in.Checker, &Expressions{
			Projection: ka.ProjectionExpression,
			Names:      ka.ExpressionAttributeNames,
		}, &ka.Parsed); err != nil {
			return err
		}
		in.RequestItems[t] = ka
		for _, key := range ka.Keys {
			if msg := CheckItem(key); msg != "" {
				return validationError(msg)
			}
			n++
			if n > MaxBatchGetKeys {
				return validationError("Too many items requested for the BatchGetItem call")
			}
		}
	}
	return nil
}

// renderItems is how Java prints a list of items (maps of attribute
// values).
func renderItems(items []attr.Item) string {
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i] = renderMap(it)
	}
	return renderStrings(parts)
}

// WriteRequest is one put or delete of a BatchWriteItem: exactly one of
// PutRequest and DeleteRequest.
type WriteRequest struct {
	PutRequest    *PutRequest    `json:"PutRequest,omitempty"`
	DeleteRequest *DeleteRequest `json:"DeleteRequest,omitempty"`
}

// PutRequest is a BatchWriteItem put.
type PutRequest struct {
	Item attr.Item `json:"Item,omitzero"`
}

// DeleteRequest is a BatchWriteItem delete.
type DeleteRequest struct {
	Key attr.Item `json:"Key,omitzero"`
}

// BatchWriteItemInput is the request of BatchWriteItem.
type BatchWriteItemInput struct {
	RequestItems                map[string][]WriteRequest    `json:"RequestItems,omitzero"`
	ReturnConsumedCapacity      *ReturnConsumedCapacity      `json:"ReturnConsumedCapacity,omitempty"`
	ReturnItemCollectionMetrics *ReturnItemCollectionMetrics `json:"ReturnItemCollectionMetrics,omitempty"`
}

// BatchWriteItemOutput is the response of BatchWriteItem. UnprocessedItems
// is always sent ({} when every request was processed).
type BatchWriteItemOutput struct {
	UnprocessedItems      map[string][]WriteRequest          `json:"UnprocessedItems"`
	ItemCollectionMetrics map[string][]ItemCollectionMetrics `json:"ItemCollectionMetrics,omitempty"`
	ConsumedCapacity      []ConsumedCapacity                 `json:"ConsumedCapacity,omitempty"`
}

// MaxBatchWrites is how many requests one table's list in BatchWriteItem
// may hold (dynalite: the map's values have length 1 to 25).
const MaxBatchWrites = 25

// Validate checks BatchWriteItem (dynalite validations/batchWriteItem.js).
// Tables are looked at in sorted order.
func (in *BatchWriteItemInput) Validate() error {
	var v violations
	enum(&v, "returnConsumedCapacity", in.ReturnConsumedCapacity, false, enumReturnConsumed)
	enum(&v, "returnItemCollectionMetrics", in.ReturnItemCollectionMetrics, false, enumReturnMetrics)
	render := func() string { return renderWrites(in.RequestItems) }
	if v.length("requestItems", in.RequestItems != nil, len(in.RequestItems), true, 1, 0, render) {
		tables := sortedKeys(in.RequestItems)
		v.mapKeys("requestItems", tables, shapeTableMapKey, render)
		for _, t := range tables {
			if n := len(in.RequestItems[t]); n < 1 || n > MaxBatchWrites {
				v.add("requestItems", quote(render()), "Map value must satisfy constraint: ["+
					msgMaxLen(MaxBatchWrites)+", "+msgMinLen(1)+"]")
				break
			}
		}
		for _, t := range tables {
			for i, w := range in.RequestItems[t] {
				// requestItems.<table>.member.<i>.member (a list in a map).
				p := member(mapMember("requestItems", t), i)
				if w.DeleteRequest != nil {
					v.notNull(p+".deleteRequest.key", w.DeleteRequest.Key != nil, true)
				}
				if w.PutRequest != nil {
					v.notNull(p+".putRequest.item", w.PutRequest.Item != nil, true)
				}
			}
		}
	}
	if err := v.err(); err != nil {
		return err
	}
	for _, t := range sortedKeys(in.RequestItems) {
		reqs := in.RequestItems[t]
		for _, w := range reqs {
			if w.PutRequest == nil && w.DeleteRequest == nil {
				// Sic: DynamoDB's words for an empty WriteRequest.
				return validationError(msgValueSeveral)
			}
		}
		for _, w := range reqs {
			switch {
			case w.PutRequest != nil:
				if msg := CheckItem(w.PutRequest.Item); msg != "" {
					return validationError(msg)
				}
				if ItemSize(w.PutRequest.Item) > MaxItemSize {
					return validationError(msgItemTooLarge)
				}
			case w.DeleteRequest != nil:
				if msg := CheckItem(w.DeleteRequest.Key); msg != "" {
					return validationError(msg)
				}
			}
		}
	}
	return nil
}

// renderWrites is how Java prints BatchWriteItem's RequestItems.
func renderWrites(m map[string][]WriteRequest) string {
	keys := sortedKeys(m)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + renderObjects(m[k])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
