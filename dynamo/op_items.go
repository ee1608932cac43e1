package dynamo

import (
	"bytes"
	"context"
	"errors"

	"github.com/eddy-streams/eddy/dynamo/attr"
	"github.com/eddy-streams/eddy/dynamo/expr"
	"github.com/eddy-streams/eddy/protocol/ddb"
	"github.com/eddy-streams/eddy/storage"
)

// The single-item operations: GetItem, PutItem, UpdateItem, DeleteItem.
//
// Each runs the checks that need the table after the input's Validate, in
// dynalite's order (actions/getItem.js, putItem.js, updateItem.js,
// deleteItem.js): the table exists (ResourceNotFoundException "Requested
// resource not found"), the key or item matches the schema, the update
// touches no key. A write then runs in one group-committed transaction
// (MetaStore.Batch): it reads the item, evaluates the condition on it
// (ConditionalCheckFailedException, with the old item when
// ReturnValuesOnConditionCheckFailure is ALL_OLD), and writes the item,
// its index entries and the table's counts together. Conditional writes
// on one item are so serialised by the transaction, and a write is
// acknowledged only once it is durable.

// GetItem returns an item by its key.
func (e *Engine) GetItem(ctx context.Context, in *ddb.GetItemInput) (*ddb.GetItemOutput, error) {
	before := e.cached(*in.TableName)
	out, err := e.getItemOp(ctx, in)
	if e.readAgain(*in.TableName, before, err) {
		out, err = e.getItemOp(ctx, in)
	}
	return out, err
}

// getItemOp is GetItem with the table's definition as the engine holds it.
func (e *Engine) getItemOp(ctx context.Context, in *ddb.GetItemInput) (*ddb.GetItemOutput, error) {
	p, err := parsed(in.Parsed, ddb.Expressions{Projection: in.ProjectionExpression, Names: in.ExpressionAttributeNames})
	if err != nil {
		return nil, err
	}
	proj := p.Projection
	if proj == nil {
		if proj, err = legacyProjection(in.AttributesToGet); err != nil {
			return nil, err
		}
	}
	t := e.lookup(*in.TableName)
	if t == nil {
		return nil, errNotFound()
	}
	if err := t.validateKey(in.Key); err != nil {
		return nil, err
	}
	if proj != nil {
		if err := t.validateKeyPaths(proj.Paths()); err != nil {
			return nil, err
		}
	}
	key := t.itemKey(in.Key)
	var item attr.Item
	err = e.meta.View(func(tx storage.MetaTx) error {
		if err := tableExists(tx, t); err != nil {
			return err
		}
		item, err = getItem(tx, t, key)
		return err
	})
	if err != nil {
		return nil, readErr(err)
	}
	out := &ddb.GetItemOutput{}
	size := 0
	if item != nil {
		size = attr.ItemSize(item)
		out.Item = item
		if proj != nil {
			out.Item = proj.Apply(item)
		}
	}
	if wantCapacity(in.ReturnConsumedCapacity) {
		c := capacity{table: readUnits(size, in.ConsistentRead != nil && *in.ConsistentRead)}
		out.ConsumedCapacity = c.report(t.doc.Name, in.ReturnConsumedCapacity)
	}
	return out, nil
}

// tableExists fails with errTableGone when t was deleted.
func tableExists(tx storage.MetaTx, t *table) error {
	_, err := readStats(tx, t)
	if err == errStale {
		return nil
	}
	return err
}

// readErr turns errTableGone into ResourceNotFoundException.
func readErr(err error) error {
	if err == errTableGone {
		return errNotFound()
	}
	return err
}

// conditionFailed returns the ConditionalCheckFailedException of a write
// whose condition old failed; with the old item when asked.
func conditionFailed(old attr.Item, mode *ddb.ReturnValuesOnConditionCheckFailure) error {
	if mode != nil && *mode == ddb.OnCheckFailureAllOld && old != nil {
		return ddb.ConditionalCheckFailed(old)
	}
	return ddb.ConditionalCheckFailed(nil)
}

// PutItem writes an item, replacing any with its key.
func (e *Engine) PutItem(ctx context.Context, in *ddb.PutItemInput) (*ddb.PutItemOutput, error) {
	ps, err := parsed(in.Parsed, ddb.Expressions{Condition: in.ConditionExpression, Names: in.ExpressionAttributeNames, Values: in.ExpressionAttributeValues})
	if err != nil {
		return nil, err
	}
	cond := ps.Condition
	if cond == nil {
		if cond, err = legacyExpected(in.Expected, in.ConditionalOperator); err != nil {
			return nil, err
		}
	}
	t := e.lookup(*in.TableName)
	if t == nil {
		return nil, errNotFound()
	}
	if err := t.validateItem(in.Item); err != nil {
		return nil, err
	}
	item := in.Item.Canonical()
	key := t.itemKey(item)
	p, err := prepare(t, item)
	if err != nil {
		return nil, err
	}
	var cc capacity
	old, _, err := e.writeItem(t, key, func(_ *table, old attr.Item) (*prepared, error) {
		if cond != nil && !cond.Eval(old) {
			return nil, conditionFailed(old, in.ReturnValuesOnConditionCheckFailure)
		}
		return p, nil
	})
	if err == nil && wantCapacity(in.ReturnConsumedCapacity) {
		cc.addWrite(e.lookupOr(t), old, item)
	}
	if err != nil {
		return nil, err
	}
	out := &ddb.PutItemOutput{ConsumedCapacity: cc.report(t.doc.Name, in.ReturnConsumedCapacity)}
	if in.ReturnValues != nil && *in.ReturnValues == ddb.ReturnAllOld && old != nil {
		out.Attributes = old
	}
	return out, nil
}

// DeleteItem deletes an item by its key.
func (e *Engine) DeleteItem(ctx context.Context, in *ddb.DeleteItemInput) (*ddb.DeleteItemOutput, error) {
	p, err := parsed(in.Parsed, ddb.Expressions{Condition: in.ConditionExpression, Names: in.ExpressionAttributeNames, Values: in.ExpressionAttributeValues})
	if err != nil {
		return nil, err
	}
	cond := p.Condition
	if cond == nil {
		if cond, err = legacyExpected(in.Expected, in.ConditionalOperator); err != nil {
			return nil, err
		}
	}
	t := e.lookup(*in.TableName)
	if t == nil {
		return nil, errNotFound()
	}
	if err := t.validateKey(in.Key); err != nil {
		return nil, err
	}
	key := t.itemKey(in.Key)
	var cc capacity
	old, _, err := e.writeItem(t, key, func(_ *table, old attr.Item) (*prepared, error) {
		if cond != nil && !cond.Eval(old) {
			return nil, conditionFailed(old, in.ReturnValuesOnConditionCheckFailure)
		}
		return nil, nil
	})
	if err == nil && wantCapacity(in.ReturnConsumedCapacity) {
		cc.addWrite(e.lookupOr(t), old, nil)
	}
	if err != nil {
		return nil, err
	}
	out := &ddb.DeleteItemOutput{ConsumedCapacity: cc.report(t.doc.Name, in.ReturnConsumedCapacity)}
	if in.ReturnValues != nil && *in.ReturnValues == ddb.ReturnAllOld && old != nil {
		out.Attributes = old
	}
	return out, nil
}

// UpdateItem changes an item's attributes, creating the item if it does
// not exist.
func (e *Engine) UpdateItem(ctx context.Context, in *ddb.UpdateItemInput) (*ddb.UpdateItemOutput, error) {
	p, err := parsed(in.Parsed, ddb.Expressions{Update: in.UpdateExpression, Condition: in.ConditionExpression,
		Names: in.ExpressionAttributeNames, Values: in.ExpressionAttributeValues})
	if err != nil {
		return nil, err
	}
	upd, cond := p.Update, p.Condition
	if upd == nil {
		if upd, err = legacyUpdates(in.AttributeUpdates); err != nil {
			return nil, err
		}
	}
	if cond == nil {
		if cond, err = legacyExpected(in.Expected, in.ConditionalOperator); err != nil {
			return nil, err
		}
	}
	t := e.lookup(*in.TableName)
	if t == nil {
		return nil, errNotFound()
	}
	if err := t.validateKey(in.Key); err != nil {
		return nil, err
	}
	if upd != nil {
		if err := t.validateUpdate(upd); err != nil {
			return nil, err
		}
	}
	keyItem := in.Key.Canonical()
	key := t.itemKey(keyItem)
	var cc capacity
	old, item, err := e.writeItem(t, key, func(t *table, old attr.Item) (*prepared, error) {
		if cond != nil && !cond.Eval(old) {
			return nil, conditionFailed(old, in.ReturnValuesOnConditionCheckFailure)
		}
		item, err := applyUpdate(t, upd, old, keyItem)
		if err != nil {
			return nil, err
		}
		return prepare(t, item)
	})
	if err == nil && wantCapacity(in.ReturnConsumedCapacity) {
		cc.addWrite(e.lookupOr(t), old, item)
	}
	if err != nil {
		return nil, err
	}
	out := &ddb.UpdateItemOutput{ConsumedCapacity: cc.report(t.doc.Name, in.ReturnConsumedCapacity)}
	if in.ReturnValues != nil {
		out.Attributes = returnValues(*in.ReturnValues, upd, old, item)
	}
	return out, nil
}

// applyUpdate returns the item upd makes of old (nil: the item does not
// exist, and starts as its key), checked against the size limit and the
// index key types.
func applyUpdate(t *table, upd *expr.Update, old, key attr.Item) (attr.Item, error) {
	base := old
	if base == nil {
		base = key
	}
	if upd == nil {
		return base.Clone(), nil
	}
	item, err := upd.Apply(base)
	if err != nil {
		return nil, err
	}
	if attr.ItemSize(item) > attr.MaxItemSize {
		return nil, validation(msgUpdateTooLarge)
	}
	if err := item.CheckDepth(); err != nil {
		return nil, err
	}
	if err := t.checkNewIndexKeys(item); err != nil {
		return nil, err
	}
	return item, nil
}

// returnValues returns the Attributes of an UpdateItem for ReturnValues
// rv (nil for none): UPDATED_OLD and UPDATED_NEW are the old and new item
// projected on the attributes the update wrote.
func returnValues(rv ddb.ReturnValue, upd *expr.Update, old, item attr.Item) attr.Item {
	var out attr.Item
	switch rv {
	case ddb.ReturnAllOld:
		out = old
	case ddb.ReturnAllNew:
		out = item
	case ddb.ReturnUpdatedOld:
		if upd != nil && old != nil {
			out = upd.Projection().Apply(old)
		}
	case ddb.ReturnUpdatedNew:
		if upd != nil && item != nil {
			out = upd.Projection().Apply(item)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// decideFunc decides a single-item write from the item as stored (nil:
// none) under t's definition: the item to write, prepared (nil: delete
// it), or a refusal (an *eddy.Error).
type decideFunc func(t *table, old attr.Item) (*prepared, error)

// writeItem writes one item of t under key, optimistically: it reads the
// item and decides the write outside the group commit (in parallel with
// other writers), then, in the commit, checks that the stored bytes and
// the table's definition are still those it decided on and writes; if
// either changed it decides again there. Conditional writes to one item
// are so still serialised by the transaction, while the commit does little
// more than a lookup, a comparison and the writes. It returns the old item
// and the new one (nil when deleted).
func (e *Engine) writeItem(t *table, key string, decide decideFunc) (old, item attr.Item, err error) {
	var raw []byte
	found := false
	err = e.meta.View(func(tx storage.MetaTx) error {
		b, err := tx.Get(t.bucket, key)
		if errors.Is(err, storage.ErrNotFound) {
			return nil
		}
		raw, found = b, err == nil
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	var old0 attr.Item
	if found {
		if old0, err = decodeItem(raw); err != nil {
			return nil, nil, err
		}
	}
	p0, refusal0 := decide(t, old0)
	err = e.writeItems(t.doc.Name, func(w *writer) error {
		cur, err := w.tx.Get(w.t.bucket, key)
		curFound := err == nil
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return err
		}
		p, refusal := p0, refusal0
		old = old0
		if w.t != t || curFound != found || !bytes.Equal(cur, raw) {
			old = nil
			if curFound {
				if old, err = decodeItem(cur); err != nil {
					return err
				}
			}
			p, refusal = decide(w.t, old)
		}
		if refusal != nil {
			return refusal
		}
		item = nil
		if p != nil {
			item = p.item
		}
		if old == nil && p == nil {
			return nil // deleting nothing
		}
		return w.writePrepared(key, old, p)
	})
	return old, item, err
}
