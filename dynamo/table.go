package dynamo

import (
	"encoding/json"
	"slices"
	"time"

	"github.com/eddy-streams/eddy/dynamo/attr"
	"github.com/eddy-streams/eddy/dynamo/expr"
	"github.com/eddy-streams/eddy/protocol/ddb"
)

// tableDoc is a table's definition as stored in the region's "tables"
// table, keyed by the table's name: everything DescribeTable tells but the
// item counts and sizes (kept in the stats record, see stats.go).
type tableDoc struct {
	ID        string                    `json:"id"` // TableId, a UUID; prefixes the table's item and index buckets
	Name      string                    `json:"name"`
	Created   time.Time                 `json:"created"`
	Version   uint64                    `json:"version"` // bumped when the indexes change (see stats.go)
	AttrDefs  []ddb.AttributeDefinition `json:"attrDefs"`
	KeySchema []ddb.KeySchemaElement    `json:"keySchema"`

	Billing         ddb.BillingMode         `json:"billing"`
	Read            int64                   `json:"read,omitempty"`
	Write           int64                   `json:"write,omitempty"`
	PayPerRequestAt time.Time               `json:"payPerRequestAt,omitzero"`
	OnDemand        *ddb.OnDemandThroughput `json:"onDemand,omitempty"`

	GSIs []indexDoc `json:"gsis,omitempty"`
	LSIs []indexDoc `json:"lsis,omitempty"`

	TTLAttribute string    `json:"ttlAttribute,omitempty"` // "" when TTL is disabled
	Tags         []tag     `json:"tags,omitempty"`         // in the order they were added
	PITR         bool      `json:"pitr,omitempty"`
	PITRDays     int32     `json:"pitrDays,omitempty"`
	PITRSince    time.Time `json:"pitrSince,omitzero"`

	Stream             *ddb.StreamSpecification `json:"stream,omitempty"`
	SSE                *ddb.SSESpecification    `json:"sse,omitempty"`
	TableClass         ddb.TableClass           `json:"tableClass,omitempty"`
	DeletionProtection bool                     `json:"deletionProtection,omitempty"`
}

// indexDoc is one secondary index.
type indexDoc struct {
	ID         string                  `json:"id"` // names the index's bucket
	Name       string                  `json:"name"`
	KeySchema  []ddb.KeySchemaElement  `json:"keySchema"`
	Projection ddb.Projection          `json:"projection"`
	Read       int64                   `json:"read,omitempty"`
	Write      int64                   `json:"write,omitempty"`
	OnDemand   *ddb.OnDemandThroughput `json:"onDemand,omitempty"`
}

type tag struct {
	Key   string `json:"k"`
	Value string `json:"v"`
}

// table is a table as the engine uses it: its stored definition and what
// follows from it. It is immutable; a change makes a new one.
type table struct {
	doc     tableDoc
	keys    expr.KeySchema
	indexes []*index // GSIs first, then LSIs, in definition order (the stats record's order)
	bucket  string   // the items' bucket
	arn     string
	stored  []byte // the definition as stored (its JSON), which changes are checked against (checkStored)
}

// index is a secondary index as the engine uses it.
type index struct {
	doc    indexDoc
	global bool
	keys   expr.KeySchema
	bucket string
	// project lists the attributes an INCLUDE or KEYS_ONLY index keeps
	// (its keys, the table's keys, the included attributes); nil for ALL.
	project []string
}

// Buckets of the engine, relative to the region's namespace.
const (
	bucketTables = "tables" // name -> tableDoc (JSON)
	bucketStats  = "stats"  // table id -> stats record (binary)
	bucketPurge  = "purge"  // bucket -> "" : buckets whose keys are being deleted
	bucketTokens = "tokens" // ClientRequestToken -> tokenRecord (JSON)
	itemsPrefix  = "items/" // items/<table id>: item key -> item
	indexPrefix  = "index/" // index/<index id>: index key -> projected item
)

func newTable(doc tableDoc, region, account string) *table {
	t := &table{doc: doc, bucket: itemsPrefix + doc.ID}
	t.arn = "arn:aws:dynamodb:" + region + ":" + account + ":table/" + doc.Name
	t.keys = keySchemaOf(doc.KeySchema, doc.AttrDefs)
	add := func(d indexDoc, global bool) {
		ix := &index{doc: d, global: global, keys: keySchemaOf(d.KeySchema, doc.AttrDefs), bucket: indexPrefix + d.ID}
		if d.Projection.ProjectionType == nil || *d.Projection.ProjectionType != ddb.ProjectionAll {
			seen := map[string]bool{}
			for _, n := range []string{ix.keys.HashName, ix.keys.RangeName, t.keys.HashName, t.keys.RangeName} {
				if n != "" && !seen[n] {
					seen[n] = true
					ix.project = append(ix.project, n)
				}
			}
			for _, n := range d.Projection.NonKeyAttributes {
				if !seen[n] {
					seen[n] = true
					ix.project = append(ix.project, n)
				}
			}
		}
		t.indexes = append(t.indexes, ix)
	}
	for _, d := range doc.GSIs {
		add(d, true)
	}
	for _, d := range doc.LSIs {
		add(d, false)
	}
	return t
}

// keySchemaOf resolves a key schema's attribute types.
func keySchemaOf(ks []ddb.KeySchemaElement, defs []ddb.AttributeDefinition) expr.KeySchema {
	typeOf := func(name string) attr.Kind {
		for _, d := range defs {
			if d.AttributeName != nil && *d.AttributeName == name && d.AttributeType != nil {
				return attr.Kind(*d.AttributeType)
			}
		}
		return ""
	}
	var s expr.KeySchema
	for _, k := range ks {
		name := *k.AttributeName
		if k.KeyType != nil && *k.KeyType == ddb.KeyTypeRange {
			s.RangeName, s.RangeType = name, typeOf(name)
		} else {
			s.HashName, s.HashType = name, typeOf(name)
		}
	}
	return s
}

// findIndex returns the index named name, or nil.
func (t *table) findIndex(name string) *index {
	for _, ix := range t.indexes {
		if ix.doc.Name == name {
			return ix
		}
	}
	return nil
}

// isKey reports whether name is one of the table's key attributes.
func (t *table) isKey(name string) bool {
	return name == t.keys.HashName || (name != "" && name == t.keys.RangeName)
}

// projectIndex returns what index ix stores of item: the whole item for an
// ALL projection, else its projected attributes.
func (ix *index) projectItem(item attr.Item) attr.Item {
	if ix.project == nil {
		return item
	}
	out := make(attr.Item, len(ix.project))
	for _, n := range ix.project {
		if v, ok := item[n]; ok {
			out[n] = v
		}
	}
	return out
}

func (t *table) marshal() ([]byte, error) { return json.Marshal(t.doc) }

// describe builds the TableDescription of t with its statistics.
func (t *table) describe(st *stats, status ddb.TableStatus) *ddb.TableDescription {
	d := &t.doc
	created := ddb.Timestamp(d.Created)
	count, size := st.count, st.size
	desc := &ddb.TableDescription{
		AttributeDefinitions:      slices.Clone(d.AttrDefs),
		TableName:                 ptr(d.Name),
		KeySchema:                 slices.Clone(d.KeySchema),
		TableStatus:               ptr(status),
		CreationDateTime:          &created,
		TableSizeBytes:            &size,
		ItemCount:                 &count,
		TableArn:                  ptr(t.arn),
		TableId:                   ptr(d.ID),
		DeletionProtectionEnabled: ptr(d.DeletionProtection),
	}
	zero := int64(0)
	pt := &ddb.ProvisionedThroughputDescription{NumberOfDecreasesToday: &zero, ReadCapacityUnits: ptr(d.Read), WriteCapacityUnits: ptr(d.Write)}
	desc.ProvisionedThroughput = pt
	// BillingModeSummary is there for a table that is or was on demand
	// (API reference, BillingModeSummary: the time of the last switch to
	// PAY_PER_REQUEST).
	if !d.PayPerRequestAt.IsZero() {
		at := ddb.Timestamp(d.PayPerRequestAt)
		desc.BillingModeSummary = &ddb.BillingModeSummary{BillingMode: ptr(d.Billing), LastUpdateToPayPerRequestDateTime: &at}
	}
	if d.Billing == ddb.BillingPayPerRequest {
		desc.OnDemandThroughput = onDemandOrDefault(d.OnDemand)
	}
	for i, ix := range t.indexes {
		var ic, is int64
		if i < len(st.indexes) {
			ic, is = st.indexes[i].count, st.indexes[i].size
		}
		arn := t.arn + "/index/" + ix.doc.Name
		proj := ix.doc.Projection
		if ix.global {
			gd := ddb.GlobalSecondaryIndexDescription{
				IndexName:      ptr(ix.doc.Name),
				KeySchema:      slices.Clone(ix.doc.KeySchema),
				Projection:     &proj,
				IndexStatus:    ptr(ddb.IndexActive),
				IndexSizeBytes: ptr(is),
				ItemCount:      ptr(ic),
				IndexArn:       ptr(arn),
				ProvisionedThroughput: &ddb.ProvisionedThroughputDescription{
					NumberOfDecreasesToday: &zero, ReadCapacityUnits: ptr(ix.doc.Read), WriteCapacityUnits: ptr(ix.doc.Write)},
			}
			if d.Billing == ddb.BillingPayPerRequest {
				gd.OnDemandThroughput = onDemandOrDefault(ix.doc.OnDemand)
			}
			desc.GlobalSecondaryIndexes = append(desc.GlobalSecondaryIndexes, gd)
		} else {
			desc.LocalSecondaryIndexes = append(desc.LocalSecondaryIndexes, ddb.LocalSecondaryIndexDescription{
				IndexName:      ptr(ix.doc.Name),
				KeySchema:      slices.Clone(ix.doc.KeySchema),
				Projection:     &proj,
				IndexSizeBytes: ptr(is),
				ItemCount:      ptr(ic),
				IndexArn:       ptr(arn),
			})
		}
	}
	if d.Stream != nil && d.Stream.StreamEnabled != nil && *d.Stream.StreamEnabled {
		s := *d.Stream
		desc.StreamSpecification = &s
	}
	if d.SSE != nil && d.SSE.Enabled != nil && *d.SSE.Enabled {
		// AWS-owned keys are what an absent or disabled SSESpecification
		// means, and DescribeTable then shows no SSEDescription; a KMS
		// key is reported as KMS, ENABLED (API reference,
		// SSEDescription). Eddy encrypts nothing: see DYNAMODB.md.
		typ := ddb.SSEType("KMS")
		desc.SSEDescription = &ddb.SSEDescription{Status: ptr(ddb.SSEStatus("ENABLED")), SSEType: &typ}
		if d.SSE.KMSMasterKeyId != nil {
			desc.SSEDescription.KMSMasterKeyArn = d.SSE.KMSMasterKeyId
		}
	}
	if d.TableClass != "" {
		desc.TableClassSummary = &ddb.TableClassSummary{TableClass: ptr(d.TableClass)}
	}
	return desc
}

// onDemandOrDefault is an on-demand table's or index's throughput cap as
// DescribeTable shows it: -1 for "no maximum" (API reference,
// OnDemandThroughput: "-1 ... to remove the maximum").
func onDemandOrDefault(o *ddb.OnDemandThroughput) *ddb.OnDemandThroughput {
	out := &ddb.OnDemandThroughput{MaxReadRequestUnits: ptr(int64(-1)), MaxWriteRequestUnits: ptr(int64(-1))}
	if o != nil {
		if o.MaxReadRequestUnits != nil {
			out.MaxReadRequestUnits = ptr(*o.MaxReadRequestUnits)
		}
		if o.MaxWriteRequestUnits != nil {
			out.MaxWriteRequestUnits = ptr(*o.MaxWriteRequestUnits)
		}
	}
	return out
}

func ptr[T any](v T) *T { return &v }
