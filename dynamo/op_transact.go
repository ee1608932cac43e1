package dynamo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"sort"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/dynamo/attr"
	"github.com/eddy-streams/eddy/dynamo/expr"
	"github.com/eddy-streams/eddy/protocol/ddb"
	"github.com/eddy-streams/eddy/storage"
)

// TransactWriteItems and TransactGetItems.
//
// A TransactWriteItems runs in one MetaStore transaction: every item's
// condition is evaluated on the items as they are, and if any fails
// nothing is written and the answer is TransactionCanceledException with
// one CancellationReason per item, in the request's order ("None" for the
// items that did not fail, "ConditionalCheckFailed" with the item when it
// asked for ALL_OLD, "ValidationError" for an update that cannot apply).
// Otherwise every write is applied together. Transactions are so
// serialised with every other write: none ever conflicts
// (TransactionConflict never happens).
//
// ClientRequestToken makes the call idempotent for Config.TokenTTL (10
// minutes): a second call with the same token and the same items changes
// nothing and succeeds; with other items it fails with
// IdempotentParameterMismatchException.

// Messages of the transaction checks. msgTransactSameItem is quoted from
// DynamoDB in the developer guide ("Transaction conflict handling":
// "Transaction request cannot include multiple operations on one item").
// msgIdempotentMismatch: no recording of DynamoDB's text was found; it is
// the API reference's description of the exception.
const (
	msgTransactSameItem   = "Transaction request cannot include multiple operations on one item"
	msgIdempotentMismatch = "DynamoDB rejected the request because you retried a request with a different payload but with an idempotent token that was already used."
)

type tokenRecord struct {
	Hash string    `json:"hash"`
	At   time.Time `json:"at"`
}

// transactItem is one checked item of a TransactWriteItems.
type transactItem struct {
	t         *table
	key       string
	keyItem   attr.Item
	put       attr.Item // Put: the item
	update    *expr.Update
	delete    bool
	cond      *expr.Condition
	onFailure *ddb.ReturnValuesOnConditionCheckFailure
}

// TransactWriteItems applies up to 100 writes and condition checks, all or
// none.
func (e *Engine) TransactWriteItems(ctx context.Context, in *ddb.TransactWriteItemsInput) (*ddb.TransactWriteItemsOutput, error) {
	items := make([]transactItem, len(in.TransactItems))
	seen := map[string]bool{}
	nameSet := map[string]bool{}
	for i := range in.TransactItems {
		w := &in.TransactItems[i]
		var (
			table     *string
			key       attr.Item
			cond      *string
			upd       *string
			names     map[string]string
			values    map[string]attr.Value
			onFailure *ddb.ReturnValuesOnConditionCheckFailure
		)
		switch {
		case w.ConditionCheck != nil:
			c := w.ConditionCheck
			table, key, cond, names, values, onFailure = c.TableName, c.Key, c.ConditionExpression, c.ExpressionAttributeNames, c.ExpressionAttributeValues, c.ReturnValuesOnConditionCheckFailure
		case w.Put != nil:
			c := w.Put
			table, key, cond, names, values, onFailure = c.TableName, c.Item, c.ConditionExpression, c.ExpressionAttributeNames, c.ExpressionAttributeValues, c.ReturnValuesOnConditionCheckFailure
		case w.Delete != nil:
			c := w.Delete
			table, key, cond, names, values, onFailure = c.TableName, c.Key, c.ConditionExpression, c.ExpressionAttributeNames, c.ExpressionAttributeValues, c.ReturnValuesOnConditionCheckFailure
		case w.Update != nil:
			c := w.Update
			table, key, cond, upd, names, values, onFailure = c.TableName, c.Key, c.ConditionExpression, c.UpdateExpression, c.ExpressionAttributeNames, c.ExpressionAttributeValues, c.ReturnValuesOnConditionCheckFailure
		}
		p, err := parsed(w.Parsed, ddb.Expressions{Update: upd, Condition: cond, Names: names, Values: values})
		if err != nil {
			return nil, err
		}
		t := e.lookup(*table)
		if t == nil {
			return nil, errNotFound()
		}
		it := transactItem{t: t, cond: p.Condition, update: p.Update, onFailure: onFailure}
		if w.Put != nil {
			if err := t.validateItem(key); err != nil {
				return nil, err
			}
			it.put = key.Canonical()
			it.keyItem = keyOf(it.put, t.keys)
		} else {
			if err := t.validateKey(key); err != nil {
				return nil, err
			}
			it.keyItem = key.Canonical()
		}
		if it.update != nil {
			if err := t.validateUpdate(it.update); err != nil {
				return nil, err
			}
		}
		it.delete = w.Delete != nil
		it.key = t.itemKey(it.keyItem)
		if id := t.doc.ID + "\x00" + it.key; seen[id] {
			return nil, validation(msgTransactSameItem)
		} else {
			seen[id] = true
		}
		nameSet[t.doc.Name] = true
		items[i] = it
	}
	names := make([]string, 0, len(nameSet))
	for n := range nameSet {
		names = append(names, n)
	}
	sort.Strings(names)
	var hash string
	if in.ClientRequestToken != nil {
		b, err := json.Marshal(in.TransactItems)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(b)
		hash = hex.EncodeToString(sum[:])
	}
	now := e.cfg.Clock.Now()
	caps := map[string]*capacity{}
	err := e.writeTables(names, func(ws map[string]*writer) error {
		for _, n := range names {
			caps[n] = &capacity{}
		}
		if in.ClientRequestToken != nil {
			replay, err := e.checkToken(ws[names[0]].tx, *in.ClientRequestToken, hash, now)
			if err != nil || replay {
				return err
			}
		}
		olds := make([]attr.Item, len(items))
		news := make([]attr.Item, len(items))
		reasons := make([]ddb.CancellationReason, len(items))
		failed := false
		for i, it := range items {
			w := ws[it.t.doc.Name]
			old, err := w.get(it.key)
			if err != nil {
				return err
			}
			olds[i] = old
			reasons[i] = ddb.CancellationReason{Code: "None"}
			if it.cond != nil && !it.cond.Eval(old) {
				reasons[i] = ddb.CancellationReason{Code: "ConditionalCheckFailed", Message: ddb.MsgConditionalCheckFailed}
				if it.onFailure != nil && *it.onFailure == ddb.OnCheckFailureAllOld && old != nil {
					reasons[i].Item = old
				}
				failed = true
				continue
			}
			switch {
			case it.put != nil:
				news[i] = it.put
			case it.delete:
			case it.update != nil:
				item, err := applyUpdate(w.t, it.update, old, it.keyItem)
				if err != nil {
					reasons[i] = ddb.CancellationReason{Code: "ValidationError", Message: messageOf(err)}
					failed = true
					continue
				}
				news[i] = item
			default: // ConditionCheck
				caps[it.t.doc.Name].table += 2 * readUnits(sizeOf(old), true)
			}
		}
		if failed {
			return ddb.TransactionCanceled(reasons)
		}
		for i, it := range items {
			if it.put == nil && !it.delete && it.update == nil {
				continue
			}
			w := ws[it.t.doc.Name]
			c := &capacity{}
			c.addWrite(w.t, olds[i], news[i])
			c.scale(2)
			mergeCapacity(caps[it.t.doc.Name], c)
			if olds[i] == nil && news[i] == nil {
				continue
			}
			if err := w.write(it.key, olds[i], news[i]); err != nil {
				return err
			}
		}
		if in.ClientRequestToken != nil {
			b, _ := json.Marshal(tokenRecord{Hash: hash, At: now})
			return ws[names[0]].tx.Put(bucketTokens, *in.ClientRequestToken, b)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := &ddb.TransactWriteItemsOutput{}
	for _, n := range names {
		if cc := caps[n].report(n, in.ReturnConsumedCapacity); cc != nil {
			out.ConsumedCapacity = append(out.ConsumedCapacity, *cc)
		}
	}
	return out, nil
}

// checkToken looks a ClientRequestToken up: replay is true when the same
// request used it within the token TTL.
func (e *Engine) checkToken(tx storage.MetaTx, token, hash string, now time.Time) (replay bool, err error) {
	b, err := tx.Get(bucketTokens, token)
	if errors.Is(err, storage.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	var rec tokenRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		return false, err
	}
	if now.Sub(rec.At) >= e.cfg.TokenTTL {
		return false, nil
	}
	if rec.Hash != hash {
		return false, &eddy.Error{Code: eddy.CodeIdempotentParameterMismatch, Message: msgIdempotentMismatch}
	}
	return true, nil
}

// sweepTokens deletes the tokens older than the token TTL.
func (e *Engine) sweepTokens(now time.Time) error {
	var old []string
	err := e.meta.View(func(tx storage.MetaTx) error {
		return tx.Scan(bucketTokens, "", "", func(k string, v []byte) (bool, error) {
			var rec tokenRecord
			if json.Unmarshal(v, &rec) != nil || now.Sub(rec.At) >= e.cfg.TokenTTL {
				old = append(old, k)
			}
			return true, nil
		})
	})
	if err != nil || len(old) == 0 {
		return err
	}
	return e.meta.Update(func(tx storage.MetaTx) error {
		for _, k := range old {
			if err := tx.Delete(bucketTokens, k); err != nil {
				return err
			}
		}
		return nil
	})
}

func sizeOf(item attr.Item) int {
	if item == nil {
		return 0
	}
	return attr.ItemSize(item)
}

func mergeCapacity(dst, src *capacity) {
	dst.table += src.table
	for k, u := range src.indexes {
		if dst.indexes == nil {
			dst.indexes = map[string]float64{}
		}
		dst.indexes[k] += u
	}
	for k, u := range src.locals {
		if dst.locals == nil {
			dst.locals = map[string]float64{}
		}
		dst.locals[k] += u
	}
}

// TransactGetItems reads up to 100 items, from one consistent snapshot.
func (e *Engine) TransactGetItems(ctx context.Context, in *ddb.TransactGetItemsInput) (*ddb.TransactGetItemsOutput, error) {
	var names []string
	for _, g := range in.TransactItems {
		if g.Get != nil && g.Get.TableName != nil {
			names = append(names, *g.Get.TableName)
		}
	}
	before := e.cachedAll(names)
	out, err := e.transactGetItems(ctx, in)
	if e.readAgainAll(before, err) {
		out, err = e.transactGetItems(ctx, in)
	}
	return out, err
}

// transactGetItems is TransactGetItems with the tables' definitions as the
// engine holds them.
func (e *Engine) transactGetItems(ctx context.Context, in *ddb.TransactGetItemsInput) (*ddb.TransactGetItemsOutput, error) {
	type get struct {
		t    *table
		key  string
		proj *expr.Projection
	}
	gets := make([]get, len(in.TransactItems))
	for i := range in.TransactItems {
		g := in.TransactItems[i].Get
		p, err := parsed(in.TransactItems[i].Parsed, ddb.Expressions{Projection: g.ProjectionExpression, Names: g.ExpressionAttributeNames})
		if err != nil {
			return nil, err
		}
		t := e.lookup(*g.TableName)
		if t == nil {
			return nil, errNotFound()
		}
		if err := t.validateKey(g.Key); err != nil {
			return nil, err
		}
		gets[i] = get{t, t.itemKey(g.Key), p.Projection}
	}
	out := &ddb.TransactGetItemsOutput{Responses: make([]ddb.ItemResponse, len(gets))}
	caps := map[string]*capacity{}
	var order []string
	err := e.meta.View(func(tx storage.MetaTx) error {
		for i, g := range gets {
			if err := tableExists(tx, g.t); err != nil {
				return err
			}
			item, err := getItem(tx, g.t, g.key)
			if err != nil {
				return err
			}
			c := caps[g.t.doc.Name]
			if c == nil {
				c = &capacity{}
				caps[g.t.doc.Name] = c
				order = append(order, g.t.doc.Name)
			}
			c.table += 2 * readUnits(sizeOf(item), true)
			if item != nil && g.proj != nil {
				item = g.proj.Apply(item)
			}
			out.Responses[i].Item = item
		}
		return nil
	})
	if err != nil {
		return nil, readErr(err)
	}
	for _, n := range order {
		if cc := caps[n].report(n, in.ReturnConsumedCapacity); cc != nil {
			out.ConsumedCapacity = append(out.ConsumedCapacity, *cc)
		}
	}
	return out, nil
}
