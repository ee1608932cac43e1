package dynamo

import (
	"bytes"
	"context"
	"strconv"
	"strings"

	"github.com/eddy-streams/eddy/dynamo/attr"
	"github.com/eddy-streams/eddy/dynamo/expr"
	"github.com/eddy-streams/eddy/protocol/ddb"
	"github.com/eddy-streams/eddy/storage"
)

// Query and Scan. Both read a page of items in key order from the table's
// bucket or an index's (see store.go), in one read transaction, stopping
// after Limit items or once the items read reach 1 MB (the size counted
// before the filter, as DynamoDB counts it: "A single Query operation can
// retrieve a maximum of 1 MB of data. This limit applies before any
// FilterExpression ... is applied", developer guide, "Paginating table
// query results"); LastEvaluatedKey is the key of the last item read
// whenever a page stopped so, even if no item follows (as DynamoDB and
// dynalite answer). The filter then drops items, the projection cuts
// them, Count counts what is left and ScannedCount what was read. The
// checks that need the table come in dynalite's order (actions/query.js,
// actions/scan.js).

// maxPageBytes is the most item data one Query or Scan page reads.
const maxPageBytes = 1 << 20

// readPlan is what a Query or Scan reads and how.
type readPlan struct {
	t       *table
	ix      *index // nil: the table
	bucket  string
	prefix  string // keys read start with it
	after   string // forward: keys sorting after it ("" from the start)
	before  string // reverse: keys sorting before it ("" from the end)
	reverse bool
	stop    func(key string, item attr.Item) (skip, past bool)
	limit   int
	fetch   bool // read the whole item from the table (LSI, ALL_ATTRIBUTES)
}

type page struct {
	items   []attr.Item
	scanned int
	size    int // bytes read (capacity)
	last    attr.Item
	full    bool
}

func (e *Engine) readPage(pl *readPlan) (*page, error) {
	pg := &page{}
	err := e.meta.View(func(tx storage.MetaTx) error {
		if err := tableExists(tx, pl.t); err != nil {
			return err
		}
		visit := func(k string, v []byte) (bool, error) {
			item, err := decodeItem(v)
			if err != nil {
				return false, err
			}
			if pl.stop != nil {
				skip, past := pl.stop(k, item)
				if past {
					return false, nil
				}
				if skip {
					return true, nil
				}
			}
			if pl.fetch {
				full, err := getItem(tx, pl.t, pl.t.itemKey(item))
				if err != nil {
					return false, err
				}
				if full != nil {
					item = full
				}
			}
			size := attr.ItemSize(item)
			pg.items = append(pg.items, item)
			pg.scanned++
			pg.size += size
			pg.last = item
			if (pl.limit > 0 && pg.scanned >= pl.limit) || pg.size >= maxPageBytes {
				pg.full = true
				return false, nil
			}
			return true, nil
		}
		if pl.reverse {
			return tx.ScanReverse(pl.bucket, pl.prefix, pl.before, visit)
		}
		return tx.Scan(pl.bucket, pl.prefix, pl.after, visit)
	})
	if err != nil {
		return nil, readErr(err)
	}
	return pg, nil
}

// finish applies the filter, the projection and Select to a page and
// builds the answer.
func finishPage(pg *page, pl *readPlan, filter *expr.Condition, proj *expr.Projection, sel ddb.Select,
	consistent bool, mode *ddb.ReturnConsumedCapacity, startKeys []expr.KeySchema) *ddb.QueryOutput {
	out := &ddb.QueryOutput{ScannedCount: int32(pg.scanned)}
	var items []attr.Item
	for _, it := range pg.items {
		if filter != nil && !filter.Eval(it) {
			continue
		}
		if proj != nil {
			it = proj.Apply(it)
		}
		items = append(items, it)
	}
	out.Count = int32(len(items))
	if sel != ddb.SelectCount {
		if items == nil {
			items = []attr.Item{}
		}
		out.Items = items
	}
	if pg.full && pg.last != nil {
		out.LastEvaluatedKey = keyOf(pg.last, startKeys...)
	}
	if wantCapacity(mode) {
		c := capacity{}
		u := 0.0 // nothing read costs nothing (dynalite db/index.js queryTable)
		if pg.size > 0 {
			u = readUnits(pg.size, consistent)
		}
		if pl.ix != nil {
			c.addIndex(pl.ix, u)
		} else {
			c.table = u
		}
		out.ConsumedCapacity = c.report(pl.t.doc.Name, mode)
	}
	return out
}

// lookupIndex finds the queried index and makes DynamoDB's checks on it.
func lookupIndex(t *table, name *string, consistent bool) (*index, error) {
	if name == nil {
		return nil, nil
	}
	ix := t.findIndex(*name)
	if ix == nil {
		return nil, validation(msgNoSuchIndex + *name)
	}
	if ix.global && consistent {
		return nil, validation(msgConsistentOnGSI)
	}
	return ix, nil
}

// selectOf returns the request's Select or its default.
func selectOf(sel *ddb.Select, ix *index, proj *expr.Projection) ddb.Select {
	switch {
	case sel != nil:
		return *sel
	case proj != nil:
		return ddb.SelectSpecificAttributes
	case ix != nil:
		return ddb.SelectAllProjectedAttributes
	}
	return ddb.SelectAllAttributes
}

// checkSelect refuses ALL_ATTRIBUTES on a GSI that does not project all,
// and says whether an LSI must fetch from the table.
func checkSelect(ix *index, sel ddb.Select) (fetch bool, err error) {
	if ix == nil || sel != ddb.SelectAllAttributes || ix.project == nil {
		return false, nil
	}
	if ix.global {
		return false, validation(msgInvalidParams + "Select type ALL_ATTRIBUTES is not supported for global secondary index " +
			ix.doc.Name + " because its projection type is not ALL")
	}
	return true, nil
}

// checkFilterKeys refuses a filter on the queried key attributes.
func checkFilterKeys(filter *expr.Condition, ks expr.KeySchema, legacy bool) error {
	if filter == nil {
		return nil
	}
	what := "Filter Expression"
	if legacy {
		what = "QueryFilter"
	}
	for _, k := range keyAttrs(ks) {
		for _, p := range filter.Paths() {
			if p[0].Name == k.name {
				return validation(what + " can only contain non-primary key attributes: Primary key attribute: " + k.name)
			}
		}
	}
	return nil
}

// Query reads the items of one hash key, of the table or an index, in
// range key order.
func (e *Engine) Query(ctx context.Context, in *ddb.QueryInput) (*ddb.QueryOutput, error) {
	before := e.cached(*in.TableName)
	out, err := e.queryOp(ctx, in)
	if e.readAgain(*in.TableName, before, err) {
		out, err = e.queryOp(ctx, in)
	}
	return out, err
}

// queryOp is Query with the table's definition as the engine holds it.
func (e *Engine) queryOp(ctx context.Context, in *ddb.QueryInput) (*ddb.QueryOutput, error) {
	p, err := parsed(in.Parsed, ddb.Expressions{KeyCondition: in.KeyConditionExpression, Filter: in.FilterExpression,
		Projection: in.ProjectionExpression, Names: in.ExpressionAttributeNames, Values: in.ExpressionAttributeValues})
	if err != nil {
		return nil, err
	}
	kce, filter, proj := p.KeyCondition, p.Filter, p.Projection
	if kce == nil {
		if kce, err = expr.FromKeyConditions(legacyComparisons(in.KeyConditions)); err != nil {
			return nil, err
		}
	}
	if filter == nil {
		if filter, err = legacyFilter(in.QueryFilter, in.ConditionalOperator); err != nil {
			return nil, err
		}
	}
	if proj == nil {
		if proj, err = legacyProjection(in.AttributesToGet); err != nil {
			return nil, err
		}
	}
	t := e.lookup(*in.TableName)
	if t == nil {
		return nil, errNotFound()
	}
	consistent := in.ConsistentRead != nil && *in.ConsistentRead
	ix, err := lookupIndex(t, in.IndexName, consistent)
	if err != nil {
		return nil, err
	}
	schema, startKeys := t.keys, []expr.KeySchema{t.keys}
	if ix != nil {
		schema = ix.keys
		startKeys = append(startKeys, ix.keys)
	}
	esk := in.ExclusiveStartKey
	if esk != nil {
		if len(esk) != len(keyOf(esk, startKeys...)) || len(esk) != countKeyNames(startKeys) {
			return nil, validation(msgStartKeyInvalid)
		}
		for _, k := range keyAttrs(schema) {
			if _, ok := esk[k.name]; !ok {
				return nil, validation(msgStartKeyInvalid)
			}
			if err := validateKeyPiece(esk, k.name, k.kind, k.hash); err != nil {
				return nil, err
			}
		}
	}
	kc, err := kce.Resolve(schema)
	if err != nil {
		return nil, err
	}
	if esk != nil {
		if err := t.validateKey(keyOf(esk, t.keys)); err != nil {
			return nil, validation(msgStartKeyInvalid + ": " + messageOf(err))
		}
		hashSame := attr.Equal(esk[schema.HashName], kc.Hash)
		if kc.Range == nil {
			if !hashSame {
				return nil, validation("The provided starting key is outside query boundaries based on provided conditions")
			}
		} else {
			if !kc.Range.Match(esk[schema.RangeName]) {
				return nil, validation("The provided starting key does not match the range key predicate")
			}
			if !hashSame {
				return nil, validation("The query can return at most one row and cannot be restarted")
			}
		}
	}
	if proj != nil {
		if err := t.validateKeyPaths(proj.Paths()); err != nil {
			return nil, err
		}
	}
	if err := checkFilterKeys(filter, schema, in.QueryFilter != nil); err != nil {
		return nil, err
	}
	sel := selectOf(in.Select, ix, proj)
	fetch, err := checkSelect(ix, sel)
	if err != nil {
		return nil, err
	}
	if filter != nil {
		if err := t.validateKeyPaths(filter.Paths()); err != nil {
			return nil, err
		}
	}

	pl := &readPlan{t: t, ix: ix, bucket: t.bucket, reverse: in.ScanIndexForward != nil && !*in.ScanIndexForward, fetch: fetch}
	if ix != nil {
		pl.bucket = ix.bucket
	}
	if in.Limit != nil {
		pl.limit = int(*in.Limit)
	}
	hk := hashBucket(kc.Hash)
	prefix, _ := attr.AppendKey(append([]byte(nil), hk[:]...), kc.Hash)
	if kc.Range != nil && kc.Range.Op == expr.RangeEQ {
		prefix, _ = attr.AppendKey(prefix, kc.Range.Values[0])
	}
	pl.prefix = string(prefix)
	if kc.Range != nil {
		r := kc.Range
		name := schema.RangeName
		pl.stop = func(_ string, item attr.Item) (bool, bool) {
			v := item[name]
			if r.Match(v) {
				return false, false
			}
			return true, pastRange(r, v, pl.reverse)
		}
		// Start near the bound the scan meets first.
		switch {
		case !pl.reverse && (r.Op == expr.RangeGT || r.Op == expr.RangeGE || r.Op == expr.RangeBetween || r.Op == expr.RangeBeginsWith):
			b, _ := attr.AppendKey(append([]byte(nil), pl.prefix...), r.Values[0])
			pl.after = string(b[:len(b)-1])
		case pl.reverse && (r.Op == expr.RangeLT || r.Op == expr.RangeLE || r.Op == expr.RangeBetween):
			hi := r.Values[len(r.Values)-1]
			b, _ := attr.AppendKey(append([]byte(nil), pl.prefix...), hi)
			pl.before = prefixEnd(string(b))
		}
	}
	if esk != nil {
		k := t.itemKey(esk)
		if ix != nil {
			k = t.indexKey(ix, esk)
		}
		if pl.reverse {
			pl.before = k
		} else if k > pl.after {
			pl.after = k
		}
	}
	pg, err := e.readPage(pl)
	if err != nil {
		return nil, err
	}
	return finishPage(pg, pl, filter, proj, sel, consistent, in.ReturnConsumedCapacity, startKeys), nil
}

func countKeyNames(schemas []expr.KeySchema) int {
	seen := map[string]bool{}
	for _, s := range schemas {
		for _, n := range []string{s.HashName, s.RangeName} {
			if n != "" {
				seen[n] = true
			}
		}
	}
	return len(seen)
}

// pastRange reports whether a range key value that fails r lies beyond
// every value that satisfies it, in the direction of the scan.
func pastRange(r *expr.RangeCondition, v attr.Value, reverse bool) bool {
	lo, hi := r.Values[0], r.Values[len(r.Values)-1]
	cmp := func(a, b attr.Value) int { c, _ := attr.Compare(a, b); return c }
	if r.Op == expr.RangeBeginsWith {
		c := cmp(v, lo)
		if reverse {
			return c < 0
		}
		return c > 0 && !hasPrefix(v, lo)
	}
	if reverse {
		switch r.Op {
		case expr.RangeEQ, expr.RangeGE, expr.RangeBetween:
			return cmp(v, lo) < 0
		case expr.RangeGT:
			return cmp(v, lo) <= 0
		}
		return false
	}
	switch r.Op {
	case expr.RangeEQ, expr.RangeLE, expr.RangeBetween:
		return cmp(v, hi) > 0
	case expr.RangeLT:
		return cmp(v, hi) >= 0
	}
	return false
}

func hasPrefix(v, p attr.Value) bool {
	switch {
	case v.S != nil && p.S != nil:
		return strings.HasPrefix(*v.S, *p.S)
	case v.B != nil && p.B != nil:
		return bytes.HasPrefix(v.B, p.B)
	}
	return false
}

// prefixEnd returns the least string greater than every string with
// prefix p ("" when there is none).
func prefixEnd(p string) string {
	b := []byte(p)
	for len(b) > 0 && b[len(b)-1] == 0xFF {
		b = b[:len(b)-1]
	}
	if len(b) == 0 {
		return ""
	}
	b[len(b)-1]++
	return string(b)
}

// Scan reads a table or an index in storage order (by the hash of the
// hash key), or one segment of it.
func (e *Engine) Scan(ctx context.Context, in *ddb.ScanInput) (*ddb.ScanOutput, error) {
	before := e.cached(*in.TableName)
	out, err := e.scanOp(ctx, in)
	if e.readAgain(*in.TableName, before, err) {
		out, err = e.scanOp(ctx, in)
	}
	return out, err
}

// scanOp is Scan with the table's definition as the engine holds it.
func (e *Engine) scanOp(ctx context.Context, in *ddb.ScanInput) (*ddb.ScanOutput, error) {
	p, err := parsed(in.Parsed, ddb.Expressions{Filter: in.FilterExpression, Projection: in.ProjectionExpression,
		Names: in.ExpressionAttributeNames, Values: in.ExpressionAttributeValues})
	if err != nil {
		return nil, err
	}
	filter, proj := p.Filter, p.Projection
	if filter == nil {
		if filter, err = legacyFilter(in.ScanFilter, in.ConditionalOperator); err != nil {
			return nil, err
		}
	}
	if proj == nil {
		if proj, err = legacyProjection(in.AttributesToGet); err != nil {
			return nil, err
		}
	}
	t := e.lookup(*in.TableName)
	if t == nil {
		return nil, errNotFound()
	}
	consistent := in.ConsistentRead != nil && *in.ConsistentRead
	ix, err := lookupIndex(t, in.IndexName, consistent)
	if err != nil {
		return nil, err
	}
	startKeys := []expr.KeySchema{t.keys}
	schema := t.keys
	if ix != nil {
		startKeys = append(startKeys, ix.keys)
		schema = ix.keys
	}
	esk := in.ExclusiveStartKey
	if esk != nil {
		if len(esk) != countKeyNames(startKeys) || len(keyOf(esk, startKeys...)) != len(esk) {
			if ix != nil {
				return nil, validation(msgStartKeyInvalid)
			}
			return nil, validation(msgStartKeyInvalid + ": " + msgKeyMismatch)
		}
		for _, k := range keyAttrs(schema) {
			if err := validateKeyPiece(esk, k.name, k.kind, k.hash); err != nil {
				return nil, validation(msgStartKeyInvalid + ": " + messageOf(err))
			}
		}
		if err := t.validateKey(keyOf(esk, t.keys)); err != nil {
			return nil, validation(msgStartKeyInvalid + ": " + messageOf(err))
		}
	}
	sel := selectOf(in.Select, ix, proj)
	fetch, err := checkSelect(ix, sel)
	if err != nil {
		return nil, err
	}
	pl := &readPlan{t: t, ix: ix, bucket: t.bucket, fetch: fetch}
	if ix != nil {
		pl.bucket = ix.bucket
	}
	if in.Limit != nil {
		pl.limit = int(*in.Limit)
	}
	hiBucket := 4096
	if in.TotalSegments != nil && *in.TotalSegments > 1 {
		n, s := int(*in.TotalSegments), int(*in.Segment)
		lo := (4096*s + n - 1) / n
		hiBucket = (4096*(s+1) + n - 1) / n
		if lo > 0 {
			pl.after = string([]byte{byte(lo >> 4), byte(lo&0xF) << 4})
		}
		if esk != nil {
			k := t.itemKey(esk)
			if ix != nil {
				k = t.indexKey(ix, esk)
			}
			if b := bucket12(k); b < lo || b >= hiBucket {
				return nil, validation(msgStartKeyInvalid + ": Invalid ExclusiveStartKey. Please use ExclusiveStartKey with correct Segment. " +
					"TotalSegments: " + strconv.Itoa(n) + " Segment: " + strconv.Itoa(s))
			}
		}
	}
	if esk != nil {
		k := t.itemKey(esk)
		if ix != nil {
			k = t.indexKey(ix, esk)
		}
		if k > pl.after {
			pl.after = k
		}
	}
	if proj != nil {
		if err := t.validateKeyPaths(proj.Paths()); err != nil {
			return nil, err
		}
	}
	if filter != nil {
		if err := t.validateKeyPaths(filter.Paths()); err != nil {
			return nil, err
		}
	}
	if hiBucket < 4096 {
		pl.stop = func(k string, _ attr.Item) (bool, bool) { return false, bucket12(k) >= hiBucket }
	}
	pg, err := e.readPage(pl)
	if err != nil {
		return nil, err
	}
	return finishPage(pg, pl, filter, proj, sel, consistent, in.ReturnConsumedCapacity, startKeys), nil
}

// bucket12 returns the first 12 bits of a storage key: its Scan segment
// bucket.
func bucket12(k string) int {
	if len(k) < 2 {
		return 0
	}
	return int(k[0])<<4 | int(k[1])>>4
}
