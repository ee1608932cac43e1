package dynamo

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/dynamo/attr"
	"github.com/eddy-streams/eddy/protocol/ddb"
	"github.com/eddy-streams/eddy/storage"
)

// The table operations: CreateTable, DescribeTable, ListTables,
// DeleteTable, UpdateTable. Tables (and indexes) are ACTIVE as soon as the
// call returns: CreateTable's answer already says ACTIVE, where DynamoDB
// says CREATING for a few seconds (clients wait for ACTIVE, which they
// see at once). DeleteTable answers DELETING, as DynamoDB does, with the
// table already gone.

// DynamoDB's table limits and messages not in protocol/ddb.
const (
	// msgTableExists: AWS's ResourceInUseException for CreateTable of an
	// existing table, "Table already exists: <name>" (quoted from AWS in
	// joshsymonds/Dynamoid issue 178; dynalite sends an empty message).
	msgTableExists = "Table already exists: "
	// msgDeletionProtected: DeleteTable of a protected table (ack-api-quirks
	// dynamodb message catalogue, DDB-TABLE-442, recorded live).
	msgDeletionProtected = "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first."
	// msgIndexExists and msgNotAGSI: UpdateTable's GSI creation and
	// deletion (same catalogue).
	msgIndexExists = "Attempting to create an index which already exists"
	msgNotAGSI     = "Cannot delete an index that is not a GlobalSecondaryIndex: "
)

// CreateTable creates a table, ACTIVE at once.
func (e *Engine) CreateTable(ctx context.Context, in *ddb.CreateTableInput) (*ddb.CreateTableOutput, error) {
	name := *in.TableName
	now := e.cfg.Clock.Now()
	doc := tableDoc{
		ID:        e.cfg.NewID(),
		Name:      name,
		Created:   now,
		Version:   1,
		AttrDefs:  slices.Clone(in.AttributeDefinitions),
		KeySchema: slices.Clone(in.KeySchema),
		Billing:   ddb.BillingProvisioned,
		Stream:    in.StreamSpecification,
		SSE:       in.SSESpecification,
	}
	if in.BillingMode != nil && *in.BillingMode == ddb.BillingPayPerRequest {
		doc.Billing = ddb.BillingPayPerRequest
		doc.PayPerRequestAt = now
		doc.OnDemand = in.OnDemandThroughput
	} else if pt := in.ProvisionedThroughput; pt != nil {
		doc.Read, doc.Write = *pt.ReadCapacityUnits, *pt.WriteCapacityUnits
	}
	if in.TableClass != nil {
		doc.TableClass = *in.TableClass
	}
	if in.DeletionProtectionEnabled != nil {
		doc.DeletionProtection = *in.DeletionProtectionEnabled
	}
	for i, g := range in.GlobalSecondaryIndexes {
		if doc.Billing == ddb.BillingProvisioned && g.ProvisionedThroughput == nil {
			return nil, validation(msgInvalidParams + "ProvisionedThroughput is not specified for index: " + *g.IndexName)
		}
		ix := indexDoc{ID: doc.ID + "." + strconv.Itoa(i), Name: *g.IndexName, KeySchema: g.KeySchema, Projection: *g.Projection, OnDemand: g.OnDemandThroughput}
		if pt := g.ProvisionedThroughput; pt != nil && pt.ReadCapacityUnits != nil && pt.WriteCapacityUnits != nil {
			ix.Read, ix.Write = *pt.ReadCapacityUnits, *pt.WriteCapacityUnits
		}
		doc.GSIs = append(doc.GSIs, ix)
	}
	for i, l := range in.LocalSecondaryIndexes {
		doc.LSIs = append(doc.LSIs, indexDoc{ID: doc.ID + ".l" + strconv.Itoa(i), Name: *l.IndexName, KeySchema: l.KeySchema, Projection: *l.Projection})
	}
	if err := checkTagLimit(len(in.Tags)); err != nil {
		return nil, err
	}
	for _, tg := range in.Tags {
		doc.Tags = setTag(doc.Tags, *tg.Key, *tg.Value)
	}
	t := newTable(doc, e.cfg.Region, e.cfg.AccountID)
	b, err := t.marshal()
	if err != nil {
		return nil, err
	}
	t.stored = b
	st := &stats{version: doc.Version, indexes: make([]indexStats, len(t.indexes))}
	e.mu.Lock()
	defer e.mu.Unlock()
	err = e.meta.Update(func(tx storage.MetaTx) error {
		if _, err := tx.Get(bucketTables, name); err == nil {
			return &eddy.Error{Code: eddy.CodeResourceInUse, Message: msgTableExists + name}
		} else if !errors.Is(err, storage.ErrNotFound) {
			return err
		}
		if err := tx.Put(bucketTables, name, b); err != nil {
			return err
		}
		return tx.Put(bucketStats, doc.ID, st.marshal())
	})
	if err != nil {
		return nil, err
	}
	e.publishLocked(name, t)
	e.log.Info("table created", "table", name, "id", doc.ID)
	return &ddb.CreateTableOutput{TableDescription: t.describe(st, ddb.TableActive)}, nil
}

// stats returns t's statistics as stored.
func (e *Engine) stats(t *table) (*stats, error) {
	var st *stats
	err := e.meta.View(func(tx storage.MetaTx) error {
		b, err := tx.Get(bucketStats, t.doc.ID)
		if err != nil {
			return err
		}
		st, err = unmarshalStats(b)
		return err
	})
	if errors.Is(err, storage.ErrNotFound) {
		return nil, errTableNotFound(t.doc.Name)
	}
	return st, err
}

// DescribeTable describes a table, with its item count and size.
func (e *Engine) DescribeTable(ctx context.Context, in *ddb.DescribeTableInput) (*ddb.DescribeTableOutput, error) {
	t, err := e.fresh(*in.TableName)
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, errTableNotFound(*in.TableName)
	}
	st, err := e.stats(t)
	if err != nil {
		return nil, err
	}
	return &ddb.DescribeTableOutput{Table: t.describe(st, ddb.TableActive)}, nil
}

// ListTables lists the tables' names in order, 100 at most by default
// (the Limit's maximum); LastEvaluatedTableName is set when the page is
// full and more follow (dynalite actions/listTables.js).
func (e *Engine) ListTables(ctx context.Context, in *ddb.ListTablesInput) (*ddb.ListTablesOutput, error) {
	names := e.tableNames()
	if e.shared() {
		var err error
		if names, err = e.storedNames(); err != nil {
			return nil, err
		}
	}
	sort.Strings(names)
	if in.ExclusiveStartTableName != nil {
		i, _ := slices.BinarySearch(names, *in.ExclusiveStartTableName)
		for i < len(names) && names[i] <= *in.ExclusiveStartTableName {
			i++
		}
		names = names[i:]
	}
	limit := 100
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	out := &ddb.ListTablesOutput{TableNames: []string{}}
	if len(names) > limit {
		names = names[:limit]
		out.LastEvaluatedTableName = ptr(names[limit-1])
	}
	out.TableNames = append(out.TableNames, names...)
	return out, nil
}

// DeleteTable deletes a table and its items. Its answer describes the
// table as DELETING; the items' buckets are emptied in the background.
func (e *Engine) DeleteTable(ctx context.Context, in *ddb.DeleteTableInput) (*ddb.DeleteTableOutput, error) {
	for attempt := 0; ; attempt++ {
		out, err := e.deleteTable(in)
		if !errors.Is(err, errStale) || attempt == 10 {
			return out, err
		}
	}
}

// deleteTable is DeleteTable made from the table's definition as read
// (errStale: it changed through another node meanwhile).
func (e *Engine) deleteTable(in *ddb.DeleteTableInput) (*ddb.DeleteTableOutput, error) {
	name := *in.TableName
	e.mu.Lock()
	defer e.mu.Unlock()
	t, err := e.fresh(name)
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, errTableNotFound(name)
	}
	if t.doc.DeletionProtection {
		return nil, validation(msgDeletionProtected)
	}
	var st *stats
	err = e.meta.Update(func(tx storage.MetaTx) error {
		if err := checkStored(tx, t); err != nil {
			return err
		}
		b, err := tx.Get(bucketStats, t.doc.ID)
		if err != nil {
			return err
		}
		if st, err = unmarshalStats(b); err != nil {
			return err
		}
		if err := tx.Delete(bucketTables, name); err != nil {
			return err
		}
		if err := tx.Delete(bucketStats, t.doc.ID); err != nil {
			return err
		}
		for _, bucket := range t.buckets() {
			if err := tx.Put(bucketPurge, bucket, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, errTableGone) {
		e.publishLocked(name, nil)
		return nil, errTableNotFound(name)
	}
	if err != nil {
		return nil, err
	}
	e.publishLocked(name, nil)
	e.startPurge()
	e.log.Info("table deleted", "table", name, "id", t.doc.ID)
	return &ddb.DeleteTableOutput{TableDescription: t.describe(st, ddb.TableDeleting)}, nil
}

// buckets lists the buckets of t's items and indexes.
func (t *table) buckets() []string {
	b := []string{t.bucket}
	for _, ix := range t.indexes {
		b = append(b, ix.bucket)
	}
	return b
}

// UpdateTable changes a table's throughput or billing mode, adds (with its
// entries backfilled from the items, in the same transaction) or deletes
// global secondary indexes, and changes its stream, encryption, class or
// deletion protection settings.
func (e *Engine) UpdateTable(ctx context.Context, in *ddb.UpdateTableInput) (*ddb.UpdateTableOutput, error) {
	for attempt := 0; ; attempt++ {
		out, err := e.updateTable(in)
		if !errors.Is(err, errStale) || attempt == 10 {
			return out, err
		}
	}
}

// updateTable is UpdateTable made from the table's definition as read
// (errStale: it changed through another node meanwhile).
func (e *Engine) updateTable(in *ddb.UpdateTableInput) (*ddb.UpdateTableOutput, error) {
	name := *in.TableName
	e.mu.Lock()
	defer e.mu.Unlock()
	t, err := e.fresh(name)
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, errTableNotFound(name)
	}
	doc := t.doc
	doc.GSIs = slices.Clone(doc.GSIs)
	doc.AttrDefs = slices.Clone(doc.AttrDefs)
	now := e.cfg.Clock.Now()
	billing := doc.Billing
	if in.BillingMode != nil {
		billing = *in.BillingMode
	}
	if in.ProvisionedThroughput != nil && billing == ddb.BillingPayPerRequest {
		return nil, validation(msgInvalidParams + "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST")
	}
	if pt := in.ProvisionedThroughput; pt != nil && doc.Billing == ddb.BillingProvisioned &&
		*pt.ReadCapacityUnits == doc.Read && *pt.WriteCapacityUnits == doc.Write && len(in.GlobalSecondaryIndexUpdates) == 0 {
		// dynalite actions/updateTable.js.
		return nil, validation("The provisioned throughput for the table will not change. The requested value equals the current value. " +
			"Current ReadCapacityUnits provisioned for the table: " + strconv.FormatInt(doc.Read, 10) +
			". Requested ReadCapacityUnits: " + strconv.FormatInt(*pt.ReadCapacityUnits, 10) + ". " +
			"Current WriteCapacityUnits provisioned for the table: " + strconv.FormatInt(doc.Write, 10) +
			". Requested WriteCapacityUnits: " + strconv.FormatInt(*pt.WriteCapacityUnits, 10) + ". " +
			"Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.")
	}
	if billing == ddb.BillingProvisioned && doc.Billing == ddb.BillingPayPerRequest {
		// Every GSI needs throughput when the table becomes provisioned
		// (dynalite actions/updateTable.js getThroughputUpdates).
		var missing []string
		for _, g := range doc.GSIs {
			given := slices.ContainsFunc(in.GlobalSecondaryIndexUpdates, func(u ddb.GlobalSecondaryIndexUpdate) bool {
				return u.Update != nil && *u.Update.IndexName == g.Name && u.Update.ProvisionedThroughput != nil
			})
			if !given {
				missing = append(missing, g.Name)
			}
		}
		if len(missing) > 0 {
			return nil, validation(msgInvalidParams + "ProvisionedThroughput must be specified for index: " + strings.Join(missing, ","))
		}
	}
	if billing != doc.Billing {
		if billing == ddb.BillingPayPerRequest {
			doc.PayPerRequestAt = now
			doc.Read, doc.Write = 0, 0
		}
		doc.Billing = billing
	}
	if pt := in.ProvisionedThroughput; pt != nil {
		doc.Read, doc.Write = *pt.ReadCapacityUnits, *pt.WriteCapacityUnits
	}
	if in.OnDemandThroughput != nil {
		doc.OnDemand = in.OnDemandThroughput
	}
	if in.StreamSpecification != nil {
		doc.Stream = in.StreamSpecification
	}
	if in.SSESpecification != nil {
		doc.SSE = in.SSESpecification
	}
	if in.TableClass != nil {
		doc.TableClass = *in.TableClass
	}
	if in.DeletionProtectionEnabled != nil {
		doc.DeletionProtection = *in.DeletionProtectionEnabled
	}
	for _, d := range in.AttributeDefinitions {
		if !slices.ContainsFunc(doc.AttrDefs, func(x ddb.AttributeDefinition) bool { return *x.AttributeName == *d.AttributeName }) {
			doc.AttrDefs = append(doc.AttrDefs, d)
		}
	}
	var created []string
	var dropped []string
	for _, u := range in.GlobalSecondaryIndexUpdates {
		switch {
		case u.Create != nil:
			c := u.Create
			if t.findIndex(*c.IndexName) != nil || slices.ContainsFunc(doc.GSIs, func(x indexDoc) bool { return x.Name == *c.IndexName }) {
				return nil, validation(msgIndexExists)
			}
			for _, k := range c.KeySchema {
				if !slices.ContainsFunc(doc.AttrDefs, func(x ddb.AttributeDefinition) bool { return *x.AttributeName == *k.AttributeName }) {
					return nil, validation(msgInvalidParams + "Some index key attributes are not defined in AttributeDefinitions. Keys: [" +
						*k.AttributeName + "], AttributeDefinitions: [" + attrDefNames(doc.AttrDefs) + "]")
				}
			}
			if doc.Billing == ddb.BillingProvisioned && c.ProvisionedThroughput == nil {
				return nil, validation(msgInvalidParams + "ProvisionedThroughput is not specified for index: " + *c.IndexName)
			}
			ix := indexDoc{ID: doc.ID + "." + strconv.FormatUint(doc.Version, 10) + "." + *c.IndexName, Name: *c.IndexName, KeySchema: c.KeySchema, Projection: *c.Projection, OnDemand: c.OnDemandThroughput}
			if pt := c.ProvisionedThroughput; pt != nil && pt.ReadCapacityUnits != nil && pt.WriteCapacityUnits != nil {
				ix.Read, ix.Write = *pt.ReadCapacityUnits, *pt.WriteCapacityUnits
			}
			doc.GSIs = append(doc.GSIs, ix)
			created = append(created, ix.Name)
		case u.Delete != nil:
			i := slices.IndexFunc(doc.GSIs, func(x indexDoc) bool { return x.Name == *u.Delete.IndexName })
			if i < 0 {
				return nil, validation(msgNotAGSI + *u.Delete.IndexName)
			}
			dropped = append(dropped, indexPrefix+doc.GSIs[i].ID)
			doc.GSIs = slices.Delete(doc.GSIs, i, i+1)
		case u.Update != nil:
			i := slices.IndexFunc(doc.GSIs, func(x indexDoc) bool { return x.Name == *u.Update.IndexName })
			if i < 0 {
				return nil, validation("Cannot update an index that is not a GlobalSecondaryIndex: " + *u.Update.IndexName)
			}
			if pt := u.Update.ProvisionedThroughput; pt != nil {
				doc.GSIs[i].Read, doc.GSIs[i].Write = *pt.ReadCapacityUnits, *pt.WriteCapacityUnits
			}
			if u.Update.OnDemandThroughput != nil {
				doc.GSIs[i].OnDemand = u.Update.OnDemandThroughput
			}
		}
	}
	reindex := len(created) > 0 || len(dropped) > 0
	if reindex {
		doc.Version++
	}
	nt := newTable(doc, e.cfg.Region, e.cfg.AccountID)
	b, err := nt.marshal()
	if err != nil {
		return nil, err
	}
	nt.stored = b
	var st *stats
	err = e.meta.Update(func(tx storage.MetaTx) error {
		if err := checkStored(tx, t); err != nil {
			return err
		}
		sb, err := tx.Get(bucketStats, doc.ID)
		if err != nil {
			return err
		}
		old, err := unmarshalStats(sb)
		if err != nil {
			return err
		}
		st = &stats{version: doc.Version, count: old.count, size: old.size}
		for _, ix := range nt.indexes {
			if j := slices.IndexFunc(t.indexes, func(o *index) bool { return o.doc.ID == ix.doc.ID }); j >= 0 && j < len(old.indexes) {
				st.indexes = append(st.indexes, old.indexes[j])
				continue
			}
			s, err := backfill(tx, nt, ix)
			if err != nil {
				return err
			}
			st.indexes = append(st.indexes, s)
		}
		for _, bucket := range dropped {
			if err := tx.Put(bucketPurge, bucket, nil); err != nil {
				return err
			}
		}
		if err := tx.Put(bucketTables, name, b); err != nil {
			return err
		}
		return tx.Put(bucketStats, doc.ID, st.marshal())
	})
	if errors.Is(err, errTableGone) {
		e.publishLocked(name, nil)
		return nil, errTableNotFound(name)
	}
	if err != nil {
		return nil, err
	}
	e.publishLocked(name, nt)
	if len(dropped) > 0 {
		e.startPurge()
	}
	if reindex {
		e.log.Info("table indexes changed", "table", name, "created", created, "deleted", len(dropped))
	}
	return &ddb.UpdateTableOutput{TableDescription: nt.describe(st, ddb.TableActive)}, nil
}

// backfill writes the entries of a new index for every item of t, in tx,
// and returns the index's statistics. An item whose index key attribute
// has another type than the index's is left out of the index, as the
// developer guide says DynamoDB does during a backfill ("Adding a global
// secondary index to an existing table": such items are reported as
// violations and not written to the index).
func backfill(tx storage.MetaTx, t *table, ix *index) (indexStats, error) {
	var s indexStats
	type entry struct {
		key string
		val []byte
	}
	var entries []entry
	err := tx.Scan(t.bucket, "", "", func(_ string, v []byte) (bool, error) {
		item, err := decodeItem(v)
		if err != nil {
			return false, err
		}
		k := t.indexKey(ix, item)
		if k == "" {
			return true, nil
		}
		p := ix.projectItem(item)
		b, err := encodeItem(p)
		if err != nil {
			return false, err
		}
		entries = append(entries, entry{k, b})
		s.count++
		s.size += int64(attr.ItemSize(p))
		return true, nil
	})
	if err != nil {
		return s, err
	}
	for _, en := range entries {
		if err := tx.Put(ix.bucket, en.key, en.val); err != nil {
			return s, err
		}
	}
	return s, nil
}

func attrDefNames(defs []ddb.AttributeDefinition) string {
	s := ""
	for i, d := range defs {
		if i > 0 {
			s += ", "
		}
		s += *d.AttributeName
	}
	return s
}
