package ddb

import (
	"strconv"
	"strings"
	"time"
)

// Table lifecycle: CreateTable, DescribeTable, ListTables, DeleteTable,
// UpdateTable, and the TableDescription they answer with. The order of
// checks in each Validate is dynalite's (validations/<operation>.js).

// Timestamp is a time on the wire of JSON 1.0: seconds since the epoch as
// a JSON number with a fraction (DynamoDB sends e.g. 1.712345678123E9;
// the SDKs read any number).
type Timestamp time.Time

// MarshalJSON writes t as epoch seconds with millisecond precision.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	ms := time.Time(t).UnixMilli()
	return strconv.AppendFloat(nil, float64(ms)/1000, 'f', -1, 64), nil
}

// UnmarshalJSON reads epoch seconds.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return err
	}
	*t = Timestamp(time.UnixMilli(int64(f * 1000)))
	return nil
}

// CreateTableInput is the request of CreateTable.
type CreateTableInput struct {
	AttributeDefinitions      []AttributeDefinition  `json:"AttributeDefinitions,omitzero"`
	TableName                 *string                `json:"TableName,omitempty"`
	KeySchema                 []KeySchemaElement     `json:"KeySchema,omitzero"`
	LocalSecondaryIndexes     []LocalSecondaryIndex  `json:"LocalSecondaryIndexes,omitzero"`
	GlobalSecondaryIndexes    []GlobalSecondaryIndex `json:"GlobalSecondaryIndexes,omitzero"`
	BillingMode               *BillingMode           `json:"BillingMode,omitempty"`
	ProvisionedThroughput     *ProvisionedThroughput `json:"ProvisionedThroughput,omitempty"`
	StreamSpecification       *StreamSpecification   `json:"StreamSpecification,omitempty"`
	SSESpecification          *SSESpecification      `json:"SSESpecification,omitempty"`
	Tags                      []Tag                  `json:"Tags,omitzero"`
	TableClass                *TableClass            `json:"TableClass,omitempty"`
	DeletionProtectionEnabled *bool                  `json:"DeletionProtectionEnabled,omitempty"`
	OnDemandThroughput        *OnDemandThroughput    `json:"OnDemandThroughput,omitempty"`
}

// CreateTableOutput is the response of CreateTable.
type CreateTableOutput struct {
	TableDescription *TableDescription `json:"TableDescription,omitempty"`
}

// maxProvisioned is the largest capacity DynamoDB takes in a request
// (dynalite validations/createTable.js: "Given value N for
// ReadCapacityUnits is out of bounds" above it).
const maxProvisioned = 1000000000000

// Validate checks CreateTable as DynamoDB does (dynalite
// validations/createTable.js).
func (in *CreateTableInput) Validate() error {
	if err := checkTableName(in.TableName); err != nil {
		return err
	}
	var v violations
	if v.notNull("attributeDefinitions", in.AttributeDefinitions != nil, true) {
		for i := range in.AttributeDefinitions {
			checkAttributeDefinition(&v, member("attributeDefinitions", i), &in.AttributeDefinitions[i])
		}
	}
	v.str("tableName", in.TableName, false, shapeTableNamePattern)
	enum(&v, "billingMode", in.BillingMode, false, enumBillingMode)
	checkThroughput(&v, "provisionedThroughput", in.ProvisionedThroughput, false)
	checkKeySchema(&v, "keySchema", in.KeySchema, true)
	for i := range in.LocalSecondaryIndexes {
		p := member("localSecondaryIndexes", i)
		lsi := &in.LocalSecondaryIndexes[i]
		v.str(p+".indexName", lsi.IndexName, true, shapeIndexName)
		checkIndexKeySchema(&v, p+".keySchema", lsi.KeySchema)
		checkProjection(&v, p+".projection", lsi.Projection)
	}
	for i := range in.GlobalSecondaryIndexes {
		p := member("globalSecondaryIndexes", i)
		gsi := &in.GlobalSecondaryIndexes[i]
		v.str(p+".indexName", gsi.IndexName, true, shapeIndexName)
		checkIndexKeySchema(&v, p+".keySchema", gsi.KeySchema)
		checkProjection(&v, p+".projection", gsi.Projection)
		checkThroughput(&v, p+".provisionedThroughput", gsi.ProvisionedThroughput, false)
	}
	// Members dynalite does not know, in the model's order.
	checkStreamSpecification(&v, "streamSpecification", in.StreamSpecification)
	checkSSESpecification(&v, "sSESpecification", in.SSESpecification)
	enum(&v, "tableClass", in.TableClass, false, enumTableClass)
	if err := v.err(); err != nil {
		return err
	}
	return in.custom()
}

// custom is createTable.js's custom check.
func (in *CreateTableInput) custom() error {
	payPerRequest := in.BillingMode != nil && *in.BillingMode == BillingPayPerRequest
	pt := in.ProvisionedThroughput
	if payPerRequest {
		if pt != nil {
			return invalid("Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST")
		}
	} else {
		if pt == nil || pt.ReadCapacityUnits == nil || *pt.ReadCapacityUnits == 0 || pt.WriteCapacityUnits == nil || *pt.WriteCapacityUnits == 0 {
			return invalid("ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED")
		}
		if err := checkThroughputBounds(pt); err != nil {
			return err
		}
	}
	defs := make([]string, len(in.AttributeDefinitions))
	for i, d := range in.AttributeDefinitions {
		defs[i] = deref(d.AttributeName)
	}
	keys := keyNames(in.KeySchema)
	if len(keys) > len(defs) {
		return validationError("Invalid KeySchema: Some index key attribute have no definition")
	}
	if err := keysDefined(keys, defs); err != nil {
		return err
	}
	if err := checkKeyOrder(in.KeySchema); err != nil {
		return err
	}
	if in.LocalSecondaryIndexes == nil && in.GlobalSecondaryIndexes == nil && len(in.KeySchema) != len(in.AttributeDefinitions) {
		return invalid("Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions")
	}
	indexNames := map[string]bool{}
	if in.LocalSecondaryIndexes != nil {
		tableHash := deref(in.KeySchema[0].AttributeName)
		if len(in.LocalSecondaryIndexes) == 0 {
			return invalid("List of LocalSecondaryIndexes is empty")
		}
		if len(in.KeySchema) != 2 {
			return invalid("Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex")
		}
		for _, lsi := range in.LocalSecondaryIndexes {
			name := deref(lsi.IndexName)
			if err := keysDefined(keyNames(lsi.KeySchema), defs); err != nil {
				return err
			}
			if err := checkKeyOrder(lsi.KeySchema); err != nil {
				return err
			}
			if len(lsi.KeySchema) != 2 {
				return invalid("Index KeySchema does not have a range key for index: " + name)
			}
			if h := deref(lsi.KeySchema[0].AttributeName); h != tableHash {
				return invalid("Index KeySchema does not have the same leading hash key as table KeySchema for index: " +
					name + ". index hash key: " + h + ", table hash key: " + tableHash)
			}
			if err := checkProjectionRules(lsi.Projection); err != nil {
				return err
			}
			if indexNames[name] {
				return invalid("Duplicate index name: " + name)
			}
			indexNames[name] = true
		}
		if len(in.LocalSecondaryIndexes) > 5 {
			return invalid("Number of LocalSecondaryIndexes exceeds per-table limit of 5")
		}
	}
	if in.GlobalSecondaryIndexes != nil {
		if len(in.GlobalSecondaryIndexes) == 0 {
			return invalid("List of GlobalSecondaryIndexes is empty")
		}
		for _, gsi := range in.GlobalSecondaryIndexes {
			name := deref(gsi.IndexName)
			if err := keysDefined(keyNames(gsi.KeySchema), defs); err != nil {
				return err
			}
			if err := checkKeyOrder(gsi.KeySchema); err != nil {
				return err
			}
			if err := checkProjectionRules(gsi.Projection); err != nil {
				return err
			}
			if payPerRequest && gsi.ProvisionedThroughput != nil {
				return invalid("ProvisionedThroughput should not be specified for index: " + name + " when BillingMode is PAY_PER_REQUEST")
			}
			if indexNames[name] {
				return invalid("Duplicate index name: " + name)
			}
			indexNames[name] = true
		}
		if len(in.GlobalSecondaryIndexes) > 20 {
			return invalid("GlobalSecondaryIndex count exceeds the per-table limit of 20")
		}
	}
	return checkTags(in.Tags)
}

// invalid is a ValidationException "One or more parameter values were
// invalid: <msg>".
func invalid(msg string) error { return validationError(msgInvalidParameter + msg) }

func deref[T ~string](p *T) string {
	if p == nil {
		return ""
	}
	return string(*p)
}

func keyNames(ks []KeySchemaElement) []string {
	names := make([]string, len(ks))
	for i, k := range ks {
		names[i] = deref(k.AttributeName)
	}
	return names
}

// keysDefined is the rule that every key attribute has a definition.
func keysDefined(keys, defs []string) error {
	for _, k := range keys {
		found := false
		for _, d := range defs {
			found = found || d == k
		}
		if !found {
			return invalid("Some index key attributes are not defined in AttributeDefinitions. Keys: [" +
				strings.Join(keys, ", ") + "], AttributeDefinitions: [" + strings.Join(defs, ", ") + "]")
		}
	}
	return nil
}

// checkKeyOrder is the rule on a key schema's two elements: distinct
// names, HASH then RANGE.
func checkKeyOrder(ks []KeySchemaElement) error {
	if len(ks) > 1 && deref(ks[0].AttributeName) == deref(ks[1].AttributeName) {
		return validationError("Both the Hash Key and the Range Key element in the KeySchema have the same name")
	}
	if deref(ks[0].KeyType) != string(KeyTypeHash) {
		return validationError("Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
	}
	if len(ks) > 1 && deref(ks[1].KeyType) != string(KeyTypeRange) {
		return validationError("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type")
	}
	return nil
}

// checkProjectionRules is the rule on an index's projection.
func checkProjectionRules(p *Projection) error {
	if p.ProjectionType == nil {
		return invalid("Unknown ProjectionType: null")
	}
	if p.NonKeyAttributes != nil && *p.ProjectionType != ProjectionInclude {
		return invalid("ProjectionType is " + string(*p.ProjectionType) + ", but NonKeyAttributes is specified")
	}
	return nil
}

// checkThroughputBounds is the rule on capacities above the largest.
func checkThroughputBounds(pt *ProvisionedThroughput) error {
	if pt.ReadCapacityUnits != nil && *pt.ReadCapacityUnits > maxProvisioned {
		return validationError("Given value " + strconv.FormatInt(*pt.ReadCapacityUnits, 10) + " for ReadCapacityUnits is out of bounds")
	}
	if pt.WriteCapacityUnits != nil && *pt.WriteCapacityUnits > maxProvisioned {
		return validationError("Given value " + strconv.FormatInt(*pt.WriteCapacityUnits, 10) + " for WriteCapacityUnits is out of bounds")
	}
	return nil
}

func checkAttributeDefinition(v *violations, path string, d *AttributeDefinition) {
	v.str(path+".attributeName", d.AttributeName, true, shapeAny)
	enum(v, path+".attributeType", d.AttributeType, true, enumAttributeType)
}

// checkThroughput checks a ProvisionedThroughput: write capacity first, as
// DynamoDB reports them.
func checkThroughput(v *violations, path string, pt *ProvisionedThroughput, required bool) {
	if !v.notNull(path, pt != nil, required) {
		return
	}
	num(v, path+".writeCapacityUnits", pt.WriteCapacityUnits, true, 1, 0)
	num(v, path+".readCapacityUnits", pt.ReadCapacityUnits, true, 1, 0)
}

// checkKeySchema checks a table's key schema: 1 or 2 elements, each with
// a name and a HASH or RANGE key type.
func checkKeySchema(v *violations, path string, ks []KeySchemaElement, required bool) {
	if !v.length(path, ks != nil, len(ks), required, 1, 2, func() string { return renderObjects(ks) }) {
		return
	}
	for i := range ks {
		p := member(path, i)
		v.str(p+".attributeName", ks[i].AttributeName, true, shapeAny)
		enum(v, p+".keyType", ks[i].KeyType, true, enumKeyType)
	}
}

// checkIndexKeySchema checks an index's key schema, whose key types the
// model check leaves to the rules (dynalite lists no enum for them).
func checkIndexKeySchema(v *violations, path string, ks []KeySchemaElement) {
	if !v.length(path, ks != nil, len(ks), true, 1, 2, func() string { return renderObjects(ks) }) {
		return
	}
	for i := range ks {
		p := member(path, i)
		v.str(p+".attributeName", ks[i].AttributeName, true, shapeAny)
		v.notNull(p+".keyType", ks[i].KeyType != nil, true)
	}
}

func checkProjection(v *violations, path string, p *Projection) {
	if !v.notNull(path, p != nil, true) {
		return
	}
	enum(v, path+".projectionType", p.ProjectionType, false, enumProjectionType)
	v.length(path+".nonKeyAttributes", p.NonKeyAttributes != nil, len(p.NonKeyAttributes), false, 1, 0,
		func() string { return renderStrings(p.NonKeyAttributes) })
}

func checkStreamSpecification(v *violations, path string, s *StreamSpecification) {
	if s == nil {
		return
	}
	v.notNull(path+".streamEnabled", s.StreamEnabled != nil, true)
	enum(v, path+".streamViewType", s.StreamViewType, false, enumStreamViewType)
}

func checkSSESpecification(v *violations, path string, s *SSESpecification) {
	if s == nil {
		return
	}
	enum(v, path+".sSEType", s.SSEType, false, enumSSEType)
	v.str(path+".kMSMasterKeyId", s.KMSMasterKeyId, false, newStrShape("", 1, 0))
}

// DescribeTableInput is the request of DescribeTable.
type DescribeTableInput struct {
	TableName *string `json:"TableName,omitempty"`
}

// DescribeTableOutput is the response of DescribeTable.
type DescribeTableOutput struct {
	Table *TableDescription `json:"Table,omitempty"`
}

// Validate checks DescribeTable (dynalite validations/describeTable.js).
func (in *DescribeTableInput) Validate() error { return checkTableOnly(in.TableName) }

// checkTableOnly is the whole check of the operations that take only a
// table name: present, 3 to 255 characters, then the pattern.
func checkTableOnly(name *string) error {
	if err := checkTableName(name); err != nil {
		return err
	}
	var v violations
	v.str("tableName", name, false, shapeTableNamePattern)
	return v.err()
}

// DeleteTableInput is the request of DeleteTable.
type DeleteTableInput struct {
	TableName *string `json:"TableName,omitempty"`
}

// DeleteTableOutput is the response of DeleteTable.
type DeleteTableOutput struct {
	TableDescription *TableDescription `json:"TableDescription,omitempty"`
}

// Validate checks DeleteTable (dynalite validations/deleteTable.js).
func (in *DeleteTableInput) Validate() error { return checkTableOnly(in.TableName) }

// ListTablesInput is the request of ListTables.
type ListTablesInput struct {
	ExclusiveStartTableName *string `json:"ExclusiveStartTableName,omitempty"`
	Limit                   *int32  `json:"Limit,omitempty"`
}

// ListTablesOutput is the response of ListTables. TableNames is always
// sent ([] when there are none).
type ListTablesOutput struct {
	TableNames             []string `json:"TableNames"`
	LastEvaluatedTableName *string  `json:"LastEvaluatedTableName,omitempty"`
}

// Validate checks ListTables (dynalite validations/listTables.js: Limit 1
// to 100, then ExclusiveStartTableName).
func (in *ListTablesInput) Validate() error {
	var v violations
	num(&v, "limit", in.Limit, false, 1, 100)
	v.str("exclusiveStartTableName", in.ExclusiveStartTableName, false, shapeTableName)
	return v.err()
}

// UpdateTableInput is the request of UpdateTable.
type UpdateTableInput struct {
	TableName                   *string                      `json:"TableName,omitempty"`
	AttributeDefinitions        []AttributeDefinition        `json:"AttributeDefinitions,omitzero"`
	BillingMode                 *BillingMode                 `json:"BillingMode,omitempty"`
	ProvisionedThroughput       *ProvisionedThroughput       `json:"ProvisionedThroughput,omitempty"`
	GlobalSecondaryIndexUpdates []GlobalSecondaryIndexUpdate `json:"GlobalSecondaryIndexUpdates,omitzero"`
	StreamSpecification         *StreamSpecification         `json:"StreamSpecification,omitempty"`
	SSESpecification            *SSESpecification            `json:"SSESpecification,omitempty"`
	TableClass                  *TableClass                  `json:"TableClass,omitempty"`
	DeletionProtectionEnabled   *bool                        `json:"DeletionProtectionEnabled,omitempty"`
	OnDemandThroughput          *OnDemandThroughput          `json:"OnDemandThroughput,omitempty"`
}

// GlobalSecondaryIndexUpdate is one of UpdateTable's index changes: exactly
// one of Update, Create and Delete.
type GlobalSecondaryIndexUpdate struct {
	Update *UpdateGlobalSecondaryIndexAction `json:"Update,omitempty"`
	Create *CreateGlobalSecondaryIndexAction `json:"Create,omitempty"`
	Delete *DeleteGlobalSecondaryIndexAction `json:"Delete,omitempty"`
}

// UpdateGlobalSecondaryIndexAction changes an index's capacity.
type UpdateGlobalSecondaryIndexAction struct {
	IndexName             *string                `json:"IndexName,omitempty"`
	ProvisionedThroughput *ProvisionedThroughput `json:"ProvisionedThroughput,omitempty"`
	OnDemandThroughput    *OnDemandThroughput    `json:"OnDemandThroughput,omitempty"`
}

// CreateGlobalSecondaryIndexAction adds an index.
type CreateGlobalSecondaryIndexAction struct {
	IndexName             *string                `json:"IndexName,omitempty"`
	KeySchema             []KeySchemaElement     `json:"KeySchema,omitzero"`
	Projection            *Projection            `json:"Projection,omitempty"`
	ProvisionedThroughput *ProvisionedThroughput `json:"ProvisionedThroughput,omitempty"`
	OnDemandThroughput    *OnDemandThroughput    `json:"OnDemandThroughput,omitempty"`
}

// DeleteGlobalSecondaryIndexAction removes an index.
type DeleteGlobalSecondaryIndexAction struct {
	IndexName *string `json:"IndexName,omitempty"`
}

// UpdateTableOutput is the response of UpdateTable.
type UpdateTableOutput struct {
	TableDescription *TableDescription `json:"TableDescription,omitempty"`
}

// Validate checks UpdateTable as DynamoDB does (dynalite
// validations/updateTable.js), with two differences that let on-demand
// tables gain an index as they do on AWS today: a Create's
// ProvisionedThroughput may be absent (dynalite requires it; the model
// does not, and an index of a PAY_PER_REQUEST table has none), and
// AttributeDefinitions, which dynalite does not know, is checked as in
// CreateTable.
func (in *UpdateTableInput) Validate() error {
	if err := checkTableName(in.TableName); err != nil {
		return err
	}
	var v violations
	v.str("tableName", in.TableName, false, shapeTableNamePattern)
	checkThroughput(&v, "provisionedThroughput", in.ProvisionedThroughput, false)
	enum(&v, "billingMode", in.BillingMode, false, enumBillingMode)
	for i := range in.GlobalSecondaryIndexUpdates {
		p := member("globalSecondaryIndexUpdates", i)
		u := &in.GlobalSecondaryIndexUpdates[i]
		if a := u.Update; a != nil {
			v.str(p+".update.indexName", a.IndexName, true, shapeIndexName)
			if a.OnDemandThroughput == nil {
				checkThroughput(&v, p+".update.provisionedThroughput", a.ProvisionedThroughput, true)
			} else {
				checkThroughput(&v, p+".update.provisionedThroughput", a.ProvisionedThroughput, false)
			}
		}
		if a := u.Create; a != nil {
			checkProjection(&v, p+".create.projection", a.Projection)
			v.str(p+".create.indexName", a.IndexName, true, shapeIndexName)
			checkThroughput(&v, p+".create.provisionedThroughput", a.ProvisionedThroughput, false)
			checkIndexKeySchema(&v, p+".create.keySchema", a.KeySchema)
		}
		if a := u.Delete; a != nil {
			v.str(p+".delete.indexName", a.IndexName, true, shapeIndexName)
		}
	}
	if in.AttributeDefinitions != nil {
		for i := range in.AttributeDefinitions {
			checkAttributeDefinition(&v, member("attributeDefinitions", i), &in.AttributeDefinitions[i])
		}
	}
	checkStreamSpecification(&v, "streamSpecification", in.StreamSpecification)
	checkSSESpecification(&v, "sSESpecification", in.SSESpecification)
	enum(&v, "tableClass", in.TableClass, false, enumTableClass)
	if err := v.err(); err != nil {
		return err
	}

	if in.ProvisionedThroughput == nil && in.BillingMode == nil && in.StreamSpecification == nil &&
		len(in.GlobalSecondaryIndexUpdates) == 0 && in.SSESpecification == nil && in.TableClass == nil &&
		in.DeletionProtectionEnabled == nil && in.OnDemandThroughput == nil {
		return validationError("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required")
	}
	if in.BillingMode != nil && *in.BillingMode == BillingProvisioned && in.ProvisionedThroughput == nil {
		return invalid("ProvisionedThroughput must be specified when BillingMode is PROVISIONED")
	}
	if in.ProvisionedThroughput != nil {
		if err := checkThroughputBounds(in.ProvisionedThroughput); err != nil {
			return err
		}
	}
	names := map[string]bool{}
	for _, u := range in.GlobalSecondaryIndexUpdates {
		if u.Update == nil && u.Create == nil && u.Delete == nil {
			return invalid("One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be null")
		}
		var name string
		switch {
		case u.Update != nil && deref(u.Update.IndexName) != "":
			name = deref(u.Update.IndexName)
		case u.Create != nil && deref(u.Create.IndexName) != "":
			name = deref(u.Create.IndexName)
		case u.Delete != nil:
			name = deref(u.Delete.IndexName)
		}
		if names[name] {
			return invalid("Only one global secondary index update per index is allowed simultaneously. Index: " + name)
		}
		names[name] = true
	}
	return nil
}

// TableDescription describes a table.
type TableDescription struct {
	AttributeDefinitions      []AttributeDefinition             `json:"AttributeDefinitions,omitempty"`
	TableName                 *string                           `json:"TableName,omitempty"`
	KeySchema                 []KeySchemaElement                `json:"KeySchema,omitempty"`
	TableStatus               *TableStatus                      `json:"TableStatus,omitempty"`
	CreationDateTime          *Timestamp                        `json:"CreationDateTime,omitempty"`
	ProvisionedThroughput     *ProvisionedThroughputDescription `json:"ProvisionedThroughput,omitempty"`
	TableSizeBytes            *int64                            `json:"TableSizeBytes,omitempty"`
	ItemCount                 *int64                            `json:"ItemCount,omitempty"`
	TableArn                  *string                           `json:"TableArn,omitempty"`
	TableId                   *string                           `json:"TableId,omitempty"`
	BillingModeSummary        *BillingModeSummary               `json:"BillingModeSummary,omitempty"`
	LocalSecondaryIndexes     []LocalSecondaryIndexDescription  `json:"LocalSecondaryIndexes,omitempty"`
	GlobalSecondaryIndexes    []GlobalSecondaryIndexDescription `json:"GlobalSecondaryIndexes,omitempty"`
	StreamSpecification       *StreamSpecification              `json:"StreamSpecification,omitempty"`
	LatestStreamLabel         *string                           `json:"LatestStreamLabel,omitempty"`
	LatestStreamArn           *string                           `json:"LatestStreamArn,omitempty"`
	SSEDescription            *SSEDescription                   `json:"SSEDescription,omitempty"`
	TableClassSummary         *TableClassSummary                `json:"TableClassSummary,omitempty"`
	DeletionProtectionEnabled *bool                             `json:"DeletionProtectionEnabled,omitempty"`
	OnDemandThroughput        *OnDemandThroughput               `json:"OnDemandThroughput,omitempty"`
}

// ProvisionedThroughputDescription is a table's or index's capacity as
// described.
type ProvisionedThroughputDescription struct {
	LastIncreaseDateTime   *Timestamp `json:"LastIncreaseDateTime,omitempty"`
	LastDecreaseDateTime   *Timestamp `json:"LastDecreaseDateTime,omitempty"`
	NumberOfDecreasesToday *int64     `json:"NumberOfDecreasesToday,omitempty"`
	ReadCapacityUnits      *int64     `json:"ReadCapacityUnits,omitempty"`
	WriteCapacityUnits     *int64     `json:"WriteCapacityUnits,omitempty"`
}

// BillingModeSummary is a table's billing mode as described.
type BillingModeSummary struct {
	BillingMode                       *BillingMode `json:"BillingMode,omitempty"`
	LastUpdateToPayPerRequestDateTime *Timestamp   `json:"LastUpdateToPayPerRequestDateTime,omitempty"`
}

// LocalSecondaryIndexDescription describes a local secondary index.
type LocalSecondaryIndexDescription struct {
	IndexName      *string            `json:"IndexName,omitempty"`
	KeySchema      []KeySchemaElement `json:"KeySchema,omitempty"`
	Projection     *Projection        `json:"Projection,omitempty"`
	IndexSizeBytes *int64             `json:"IndexSizeBytes,omitempty"`
	ItemCount      *int64             `json:"ItemCount,omitempty"`
	IndexArn       *string            `json:"IndexArn,omitempty"`
}

// GlobalSecondaryIndexDescription describes a global secondary index.
type GlobalSecondaryIndexDescription struct {
	IndexName             *string                           `json:"IndexName,omitempty"`
	KeySchema             []KeySchemaElement                `json:"KeySchema,omitempty"`
	Projection            *Projection                       `json:"Projection,omitempty"`
	IndexStatus           *IndexStatus                      `json:"IndexStatus,omitempty"`
	Backfilling           *bool                             `json:"Backfilling,omitempty"`
	ProvisionedThroughput *ProvisionedThroughputDescription `json:"ProvisionedThroughput,omitempty"`
	IndexSizeBytes        *int64                            `json:"IndexSizeBytes,omitempty"`
	ItemCount             *int64                            `json:"ItemCount,omitempty"`
	IndexArn              *string                           `json:"IndexArn,omitempty"`
	OnDemandThroughput    *OnDemandThroughput               `json:"OnDemandThroughput,omitempty"`
}

// SSEDescription describes a table's encryption at rest.
type SSEDescription struct {
	Status          *SSEStatus `json:"Status,omitempty"`
	SSEType         *SSEType   `json:"SSEType,omitempty"`
	KMSMasterKeyArn *string    `json:"KMSMasterKeyArn,omitempty"`
}

// TableClassSummary describes a table's class.
type TableClassSummary struct {
	TableClass         *TableClass `json:"TableClass,omitempty"`
	LastUpdateDateTime *Timestamp  `json:"LastUpdateDateTime,omitempty"`
}
