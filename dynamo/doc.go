// Package dynamo is Eddy's DynamoDB: tables with hash or hash and range
// keys, global and local secondary indexes, items of every attribute type,
// conditional writes, queries and scans, batches, transactions, time to
// live and tags, over a storage.MetaStore (bbolt on disk by default), one
// Engine per region (Regions).
//
// The Engine's exported methods are the API operations: each takes the
// protocol/ddb input after its Validate (which the transport calls) and
// returns the protocol/ddb output or an *eddy.Error whose Code is the
// DynamoDB exception's name. The checks that need a table come here, in
// DynamoDB's order and words (dynalite's recordings; errors.go, keys.go).
// Expressions arrive parsed by Checker (dynamo/expr behind the
// protocol/ddb.ExpressionChecker seam), or are parsed by the operation.
//
//	regions, err := dynamo.OpenRegions(dynamo.DefaultConfig(), meta)
//	e := regions.Default()
//	_, err = e.CreateTable(ctx, &ddb.CreateTableInput{...})
//	_, err = e.PutItem(ctx, &ddb.PutItemInput{TableName: &name, Item: item})
//
// # Storage
//
// Each region's tables live in the store under "dynamodb/<region>/"
// (store.go draws the layout): the table definitions, a statistics record
// per table, one bucket of items per table keyed so that a Query is a
// prefix scan in range order and a Scan walks the table in hash order, and
// one bucket per secondary index. An item write (PutItem, UpdateItem,
// DeleteItem, batches, transactions) reads the item, checks its condition
// and writes the item, its index entries and the table's counts in one
// MetaStore.Batch transaction: concurrent writers share one commit and one
// fsync (group commit), conditional writes to one item are serialised,
// and a write is acknowledged only once durable.
//
// # Time
//
// Creation times, time to live and transaction tokens go through Clock;
// the TTL sweeper runs every Config.TTLInterval on it.
package dynamo
