// Package iceberg is the Firehose Apache Iceberg destination: it appends a
// delivery stream's JSON records, as rows, to Iceberg tables, through
// apache/iceberg-go.
//
// Tables live in a warehouse directory with iceberg-go's Hadoop catalog
// (<warehouse>/<database>/<table>/metadata/vN.metadata.json, data files in
// Parquet). The catalog is atomic on a local filesystem only (iceberg-go
// refuses commits to an S3 warehouse without "allow-unsafe-commits"), so
// the warehouse is local: the stream's WarehouseLocation s3://BUCKET/PREFIX
// names a bucket given a directory with `eddy serve --s3-bucket-dir
// BUCKET=DIR`, and the warehouse is DIR/PREFIX. Any Iceberg reader that
// knows the Hadoop layout (Spark, Trino, PyIceberg, iceberg-go) reads it.
//
// Each buffer is one append (one snapshot): the records that are JSON
// objects whose values fit the table's columns become rows; the others go
// to the error output (the S3Configuration's bucket and
// ErrorOutputPrefix). Records are inserted only: UniqueKeys and
// update/delete operations are not supported.
package iceberg

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	iceberggo "github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/catalog"
	"github.com/apache/iceberg-go/catalog/hadoop"
	"github.com/apache/iceberg-go/table"

	"github.com/eddy-streams/eddy/firehose/delivery"
)

// Table names one destination table.
type Table struct {
	Database, Name string
}

// Config configures a destination.
type Config struct {
	// Warehouse is the local directory of the Hadoop catalog.
	Warehouse string
	// Tables are the DestinationTableConfigurationList's tables. With one,
	// every record goes to it; with several, a record goes to the table its
	// partition keys destinationDatabaseName and destinationTableName
	// (from a MetadataExtraction query or a Lambda processor) name.
	Tables []Table
	// CreateTables creates a missing table (TableCreationConfiguration),
	// with a schema inferred from the first buffer's records: every
	// top-level key a column, typed boolean, long, double or string.
	CreateTables bool
	// Errors writes records that could not become rows.
	Errors func(ctx context.Context, failed []delivery.Failed) error
	// TableErrors, where a table has one, write its records that could
	// not become rows instead (a DestinationTableConfiguration's own
	// S3ErrorOutputPrefix).
	TableErrors map[Table]func(ctx context.Context, failed []delivery.Failed) error
	// Backup, if set (S3BackupMode AllData), writes every buffer, as
	// received, before it is appended.
	Backup func(ctx context.Context, b *delivery.Buffer) error
	// Attempted counts delivery attempts (metrics): nil error for a
	// success.
	Attempted func(err error)
}

// Error codes of records that cannot become rows. No AWS source documents
// the codes Firehose writes for Iceberg deliveries; these are Eddy's, as is
// the error output type "iceberg-failed".
const (
	CodeNoRoute       = "Iceberg.NoRoute"
	CodeInvalidRecord = "Iceberg.InvalidRecord"
	outputType        = "iceberg-failed"
)

// Destination appends buffers to Iceberg tables.
type Destination struct {
	cfg Config
	cat *hadoop.Catalog

	mu     sync.Mutex
	tables map[Table]*table.Table
}

// New opens the warehouse.
func New(cfg Config) (*Destination, error) {
	if cfg.Warehouse == "" {
		return nil, errors.New("iceberg: no warehouse directory")
	}
	if len(cfg.Tables) == 0 {
		return nil, errors.New("iceberg: no destination table")
	}
	cat, err := hadoop.NewCatalog("eddy", cfg.Warehouse, iceberggo.Properties{})
	if err != nil {
		return nil, fmt.Errorf("iceberg: warehouse %s: %w", cfg.Warehouse, err)
	}
	return &Destination{cfg: cfg, cat: cat, tables: map[Table]*table.Table{}}, nil
}

// Close releases the catalog.
func (d *Destination) Close() error { return d.cat.Close() }

// Deliver implements delivery.Destination: one append per table the
// buffer's records go to.
func (d *Destination) Deliver(ctx context.Context, b *delivery.Buffer) error {
	if d.cfg.Backup != nil {
		if err := d.cfg.Backup(ctx, b); err != nil {
			return fmt.Errorf("iceberg: S3 backup: %w", err)
		}
	}
	groups := map[Table][]int{}
	var order []Table
	var failed []delivery.Failed
	for i := range b.Records {
		t, err := d.route(&b.Records[i])
		if err != nil {
			failed = append(failed, delivery.Failed{Record: b.Records[i], ErrorCode: CodeNoRoute, ErrorMessage: err.Error(), OutputType: outputType})
			continue
		}
		if groups[t] == nil {
			order = append(order, t)
		}
		groups[t] = append(groups[t], i)
	}
	for _, t := range order {
		f, err := d.appendRows(ctx, t, b, groups[t])
		if d.cfg.Attempted != nil {
			d.cfg.Attempted(err)
		}
		if err != nil {
			return err
		}
		if w := d.cfg.TableErrors[t]; w != nil && len(f) > 0 {
			if err := w(ctx, f); err != nil {
				return err
			}
			continue
		}
		failed = append(failed, f...)
	}
	if len(failed) > 0 {
		return d.DeliverFailed(ctx, failed)
	}
	return nil
}

// DeliverFailed implements delivery.Destination.
func (d *Destination) DeliverFailed(ctx context.Context, failed []delivery.Failed) error {
	if d.cfg.Errors == nil {
		return errors.New("iceberg: records failed and there is no error output (S3Configuration)")
	}
	return d.cfg.Errors(ctx, failed)
}

// route picks a record's table.
func (d *Destination) route(r *delivery.Record) (Table, error) {
	db, name := r.Keys["destinationDatabaseName"], r.Keys["destinationTableName"]
	if db == "" && name == "" {
		if len(d.cfg.Tables) == 1 {
			return d.cfg.Tables[0], nil
		}
		return Table{}, errors.New("the record names no table (partition keys destinationDatabaseName and destinationTableName) and the stream has several")
	}
	for _, t := range d.cfg.Tables {
		if t.Database == db && t.Name == name {
			return t, nil
		}
	}
	return Table{}, fmt.Errorf("table %s.%s is not in the stream's DestinationTableConfigurationList", db, name)
}

// load returns the table, created if missing and allowed.
func (d *Destination) load(ctx context.Context, t Table, b *delivery.Buffer, rows []int) (*table.Table, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	ident := table.Identifier{t.Database, t.Name}
	tbl, err := d.cat.LoadTable(ctx, ident)
	if err == nil {
		return tbl, nil
	}
	if !errors.Is(err, catalog.ErrNoSuchTable) || !d.cfg.CreateTables {
		return nil, fmt.Errorf("iceberg: table %s.%s: %w", t.Database, t.Name, err)
	}
	if err := d.cat.CreateNamespace(ctx, table.Identifier{t.Database}, nil); err != nil && !errors.Is(err, catalog.ErrNamespaceAlreadyExists) {
		return nil, fmt.Errorf("iceberg: namespace %s: %w", t.Database, err)
	}
	sc := inferSchema(b, rows)
	if sc == nil {
		return nil, fmt.Errorf("iceberg: table %s.%s does not exist and no record is a JSON object to infer its columns from", t.Database, t.Name)
	}
	return d.cat.CreateTable(ctx, ident, sc)
}

// appendRows appends the buffer's records rows to table t and returns the
// records that could not become rows.
func (d *Destination) appendRows(ctx context.Context, t Table, b *delivery.Buffer, rows []int) ([]delivery.Failed, error) {
	tbl, err := d.load(ctx, t, b, rows)
	if err != nil {
		return nil, err
	}
	schema, err := table.SchemaToArrowSchema(tbl.Schema(), nil, true, false)
	if err != nil {
		return nil, fmt.Errorf("iceberg: table %s.%s: %w", t.Database, t.Name, err)
	}
	bld := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer bld.Release()
	var failed []delivery.Failed
	n := 0
	for _, i := range rows {
		r := &b.Records[i]
		vals, err := decodeRow(r.Data, schema)
		if err != nil {
			failed = append(failed, delivery.Failed{Record: *r, ErrorCode: CodeInvalidRecord, ErrorMessage: err.Error(), OutputType: outputType})
			continue
		}
		for f := range schema.Fields() {
			appendValue(bld.Field(f), vals[f])
		}
		n++
	}
	if n == 0 {
		return failed, nil
	}
	rec := bld.NewRecordBatch()
	defer rec.Release()
	rdr, err := array.NewRecordReader(schema, []arrow.RecordBatch{rec})
	if err != nil {
		return nil, err
	}
	defer rdr.Release()
	txn := tbl.NewTransaction()
	props := iceberggo.Properties{"eddy.first-record-id": b.Records[rows[0]].ID, "eddy.records": fmt.Sprint(n)}
	if err := txn.Append(ctx, rdr, props); err != nil {
		return nil, fmt.Errorf("iceberg: append to %s.%s: %w", t.Database, t.Name, err)
	}
	if _, err := txn.Commit(ctx); err != nil {
		return nil, fmt.Errorf("iceberg: commit to %s.%s: %w", t.Database, t.Name, err)
	}
	return failed, nil
}

// decodeRow reads a JSON object and returns, per column of schema, the
// value to append (nil for null). A key matches a column by its exact name,
// else case-insensitively; keys without a column are ignored. It fails on
// a record that is not a JSON object, a value of the wrong type, and a
// missing required column.
func decodeRow(data []byte, schema *arrow.Schema) ([]any, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil || obj == nil {
		return nil, errors.New("the record is not a JSON object")
	}
	out := make([]any, schema.NumFields())
	for i, f := range schema.Fields() {
		raw, ok := obj[f.Name]
		if !ok {
			for k, v := range obj {
				if strings.EqualFold(k, f.Name) {
					raw, ok = v, true
					break
				}
			}
		}
		if !ok || string(raw) == "null" {
			if !f.Nullable {
				return nil, fmt.Errorf("the required column %q has no value", f.Name)
			}
			continue
		}
		v, err := convert(raw, f.Type)
		if err != nil {
			return nil, fmt.Errorf("column %q: %v", f.Name, err)
		}
		out[i] = v
	}
	return out, nil
}

// convert turns a JSON value into the Go value appendValue takes for the
// column type.
func convert(raw json.RawMessage, t arrow.DataType) (any, error) {
	switch t.ID() {
	case arrow.STRING, arrow.LARGE_STRING:
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return string(raw), nil // a number, object or array: its JSON text
		}
		return s, nil
	case arrow.BOOL:
		var v bool
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, errors.New("not a boolean")
		}
		return v, nil
	case arrow.INT32, arrow.INT64:
		var v json.Number
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, errors.New("not a number")
		}
		n, err := v.Int64()
		if err != nil || t.ID() == arrow.INT32 && (n < math.MinInt32 || n > math.MaxInt32) {
			return nil, fmt.Errorf("%s is not an integer of the column's size", v)
		}
		return n, nil
	case arrow.FLOAT32, arrow.FLOAT64:
		var v float64
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, errors.New("not a number")
		}
		return v, nil
	case arrow.DATE32:
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, errors.New("not a date (YYYY-MM-DD)")
		}
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return nil, errors.New("not a date (YYYY-MM-DD)")
		}
		return d, nil
	case arrow.TIMESTAMP:
		var s string
		if err := json.Unmarshal(raw, &s); err == nil {
			ts, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return nil, errors.New("not an RFC 3339 timestamp")
			}
			return ts, nil
		}
		var ms json.Number
		if err := json.Unmarshal(raw, &ms); err != nil {
			return nil, errors.New("not a timestamp (RFC 3339, or milliseconds since the epoch)")
		}
		n, err := ms.Int64()
		if err != nil {
			return nil, errors.New("not a timestamp (RFC 3339, or milliseconds since the epoch)")
		}
		return time.UnixMilli(n), nil
	}
	return nil, fmt.Errorf("columns of type %s are not supported by Eddy's Iceberg destination", t)
}

// appendValue appends v (from convert, nil for null) to the builder.
func appendValue(b array.Builder, v any) {
	if v == nil {
		b.AppendNull()
		return
	}
	switch b := b.(type) {
	case *array.StringBuilder:
		b.Append(v.(string))
	case *array.LargeStringBuilder:
		b.Append(v.(string))
	case *array.BooleanBuilder:
		b.Append(v.(bool))
	case *array.Int32Builder:
		b.Append(int32(v.(int64)))
	case *array.Int64Builder:
		b.Append(v.(int64))
	case *array.Float32Builder:
		b.Append(float32(v.(float64)))
	case *array.Float64Builder:
		b.Append(v.(float64))
	case *array.Date32Builder:
		b.Append(arrow.Date32FromTime(v.(time.Time)))
	case *array.TimestampBuilder:
		unit := b.Type().(*arrow.TimestampType).Unit
		ts, _ := arrow.TimestampFromTime(v.(time.Time), unit)
		b.Append(ts)
	default:
		b.AppendNull()
	}
}

// inferSchema makes a table schema from the top-level keys of the rows'
// records that are JSON objects, in order of first appearance: boolean,
// long (integral numbers), double (other numbers) or string (the rest; a
// key seen with two types is a string). Every column is optional. Nil when
// no record is an object.
func inferSchema(b *delivery.Buffer, rows []int) *iceberggo.Schema {
	type col struct {
		name string
		typ  iceberggo.Type
	}
	var cols []col
	at := map[string]int{}
	for _, i := range rows {
		var obj map[string]json.RawMessage
		dec := json.NewDecoder(strings.NewReader(string(b.Records[i].Data)))
		if dec.Decode(&obj) != nil || obj == nil {
			continue
		}
		for _, k := range orderedKeys(b.Records[i].Data) {
			raw := obj[k]
			var t iceberggo.Type = iceberggo.PrimitiveTypes.String
			var v any
			d := json.NewDecoder(strings.NewReader(string(raw)))
			d.UseNumber()
			if d.Decode(&v) == nil {
				switch x := v.(type) {
				case bool:
					t = iceberggo.PrimitiveTypes.Bool
				case json.Number:
					if _, err := x.Int64(); err == nil {
						t = iceberggo.PrimitiveTypes.Int64
					} else {
						t = iceberggo.PrimitiveTypes.Float64
					}
				case nil:
					t = nil
				}
			}
			j, ok := at[k]
			if !ok {
				at[k] = len(cols)
				cols = append(cols, col{name: k, typ: t})
				continue
			}
			switch {
			case cols[j].typ == nil:
				cols[j].typ = t
			case t == nil || cols[j].typ.Equals(t):
			case cols[j].typ.Equals(iceberggo.PrimitiveTypes.Int64) && t.Equals(iceberggo.PrimitiveTypes.Float64):
				cols[j].typ = t
			case cols[j].typ.Equals(iceberggo.PrimitiveTypes.Float64) && t.Equals(iceberggo.PrimitiveTypes.Int64):
			default:
				cols[j].typ = iceberggo.PrimitiveTypes.String
			}
		}
	}
	if len(cols) == 0 {
		return nil
	}
	fields := make([]iceberggo.NestedField, len(cols))
	for i, c := range cols {
		t := c.typ
		if t == nil {
			t = iceberggo.PrimitiveTypes.String
		}
		fields[i] = iceberggo.NestedField{ID: i + 1, Name: c.name, Type: t}
	}
	return iceberggo.NewSchema(0, fields...)
}

// orderedKeys returns a JSON object's top-level keys in document order.
func orderedKeys(data []byte) []string {
	dec := json.NewDecoder(strings.NewReader(string(data)))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	var keys []string
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return keys
		}
		k, _ := t.(string)
		keys = append(keys, k)
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return keys
		}
	}
	return keys
}

// Warehouse maps a WarehouseLocation to a local directory: file:///DIR is
// DIR; s3://BUCKET/PREFIX is PREFIX under the directory dir(BUCKET) gives
// (`--s3-bucket-dir`), an error for a bucket without one.
func Warehouse(location string, dir func(bucket string) (string, bool)) (string, error) {
	if p, ok := strings.CutPrefix(location, "file://"); ok {
		if !filepath.IsAbs(p) {
			return "", fmt.Errorf("iceberg: warehouse %s is not an absolute file:// path", location)
		}
		return p, nil
	}
	rest, ok := strings.CutPrefix(location, "s3://")
	if !ok {
		return "", fmt.Errorf("iceberg: warehouse location %q is neither s3://BUCKET/PREFIX nor file:///DIR", location)
	}
	bucket, prefix, _ := strings.Cut(rest, "/")
	base, ok := dir(bucket)
	if !ok {
		return "", fmt.Errorf("iceberg: the warehouse bucket %s is not a local directory: Eddy keeps Iceberg warehouses on a local filesystem, where iceberg-go's catalog commits atomically; give it one with `eddy serve --s3-bucket-dir %s=DIR`", bucket, bucket)
	}
	return filepath.Join(base, filepath.FromSlash(strings.Trim(prefix, "/"))), nil
}
