package dynamo

import (
	"context"
	"sort"
	"strings"

	"github.com/eddy-streams/eddy/dynamo/attr"
	"github.com/eddy-streams/eddy/dynamo/expr"
	"github.com/eddy-streams/eddy/protocol/ddb"
	"github.com/eddy-streams/eddy/storage"
)

// BatchGetItem and BatchWriteItem. Both check every table and key before
// they read or write anything (dynalite actions/batchGetItem.js,
// batchWriteItem.js). A BatchWriteItem's writes go in one transaction:
// all are applied or none, where DynamoDB applies each on its own; none
// is ever left unprocessed, so UnprocessedItems is always empty. A
// BatchGetItem reads in one transaction and returns every item (the
// request is at most 100 keys of at most 400 KB each, under the 16 MB a
// response may carry), so UnprocessedKeys is always empty too.

// BatchGetItem reads up to 100 items by key from one or more tables.
func (e *Engine) BatchGetItem(ctx context.Context, in *ddb.BatchGetItemInput) (*ddb.BatchGetItemOutput, error) {
	names := make([]string, 0, len(in.RequestItems))
	for n := range in.RequestItems {
		names = append(names, n)
	}
	before := e.cachedAll(names)
	out, err := e.batchGetItem(ctx, in)
	if e.readAgainAll(before, err) {
		out, err = e.batchGetItem(ctx, in)
	}
	return out, err
}

// batchGetItem is BatchGetItem with the tables' definitions as the engine
// holds them.
func (e *Engine) batchGetItem(ctx context.Context, in *ddb.BatchGetItemInput) (*ddb.BatchGetItemOutput, error) {
	names := make([]string, 0, len(in.RequestItems))
	for n := range in.RequestItems {
		names = append(names, n)
	}
	sort.Strings(names)
	type tableReq struct {
		t    *table
		proj *expr.Projection
		keys []string
	}
	reqs := make([]tableReq, len(names))
	for i, name := range names {
		ka := in.RequestItems[name]
		p, err := parsed(ka.Parsed, ddb.Expressions{Projection: ka.ProjectionExpression, Names: ka.ExpressionAttributeNames})
		if err != nil {
			return nil, err
		}
		proj := p.Projection
		if proj == nil {
			if proj, err = legacyProjection(ka.AttributesToGet); err != nil {
				return nil, err
			}
		}
		t := e.lookup(name)
		if t == nil {
			return nil, errNotFound()
		}
		seen := map[string]bool{}
		var keys []string
		for _, key := range ka.Keys {
			if err := t.validateKey(key); err != nil {
				return nil, err
			}
			k := t.itemKey(key)
			if seen[k] {
				return nil, validation(msgDuplicateKeys)
			}
			seen[k] = true
			keys = append(keys, k)
		}
		reqs[i] = tableReq{t, proj, keys}
	}
	out := &ddb.BatchGetItemOutput{Responses: map[string][]attr.Item{}, UnprocessedKeys: map[string]ddb.KeysAndAttributes{}}
	err := e.meta.View(func(tx storage.MetaTx) error {
		for i, r := range reqs {
			if err := tableExists(tx, r.t); err != nil {
				return err // deleted (and made again, through another node?)
			}
			items := []attr.Item{}
			var c capacity
			consistent := in.RequestItems[names[i]].ConsistentRead != nil && *in.RequestItems[names[i]].ConsistentRead
			for _, k := range r.keys {
				item, err := getItem(tx, r.t, k)
				if err != nil {
					return err
				}
				size := 0
				if item != nil {
					size = attr.ItemSize(item)
					if r.proj != nil {
						item = r.proj.Apply(item)
					}
					items = append(items, item)
				}
				c.table += readUnits(size, consistent)
			}
			out.Responses[names[i]] = items
			if cc := c.report(names[i], in.ReturnConsumedCapacity); cc != nil {
				out.ConsumedCapacity = append(out.ConsumedCapacity, *cc)
			}
		}
		return nil
	})
	if err != nil {
		return nil, readErr(err)
	}
	return out, nil
}

// BatchWriteItem puts and deletes up to 25 items in one or more tables.
func (e *Engine) BatchWriteItem(ctx context.Context, in *ddb.BatchWriteItemInput) (*ddb.BatchWriteItemOutput, error) {
	names := make([]string, 0, len(in.RequestItems))
	for n := range in.RequestItems {
		names = append(names, n)
	}
	sort.Strings(names)
	type write struct {
		key  string
		item attr.Item // nil: delete
		p    *prepared // the put, encoded outside the commit
	}
	writes := map[string][]write{}
	for _, name := range names {
		t := e.lookup(name)
		if t == nil {
			return nil, errNotFound()
		}
		seen := map[string]bool{}
		for _, r := range in.RequestItems[name] {
			var w write
			if r.PutRequest != nil {
				if err := t.validateItem(r.PutRequest.Item); err != nil {
					// A put's key faults read as a key mismatch in a
					// batch (dynalite actions/batchWriteItem.js).
					if m := messageOf(err); strings.Contains(m, "Missing the key") || strings.Contains(m, "Type mismatch for key") {
						return nil, validation(msgKeyMismatch)
					}
					return nil, err
				}
				w.item = r.PutRequest.Item.Canonical()
				w.key = t.itemKey(w.item)
				var err error
				if w.p, err = prepare(t, w.item); err != nil {
					return nil, err
				}
			} else {
				if err := t.validateKey(r.DeleteRequest.Key); err != nil {
					return nil, err
				}
				w.key = t.itemKey(r.DeleteRequest.Key)
			}
			if seen[w.key] {
				return nil, validation(msgDuplicateKeys)
			}
			seen[w.key] = true
			writes[name] = append(writes[name], w)
		}
	}
	caps := map[string]*capacity{}
	err := e.writeTables(names, func(ws map[string]*writer) error {
		for _, name := range names {
			w := ws[name]
			c := &capacity{}
			caps[name] = c
			for _, wr := range writes[name] {
				old, err := w.get(wr.key)
				if err != nil {
					return err
				}
				if old == nil && wr.item == nil {
					c.table += writeUnits(0)
					continue
				}
				c.addWrite(w.t, old, wr.item)
				if err := w.writePrepared(wr.key, old, wr.p); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := &ddb.BatchWriteItemOutput{UnprocessedItems: map[string][]ddb.WriteRequest{}}
	for _, name := range names {
		if cc := caps[name].report(name, in.ReturnConsumedCapacity); cc != nil {
			out.ConsumedCapacity = append(out.ConsumedCapacity, *cc)
		}
	}
	return out, nil
}
