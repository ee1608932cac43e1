package iceberg

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	iceberggo "github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/catalog/hadoop"
	"github.com/apache/iceberg-go/table"

	"github.com/eddy-streams/eddy/firehose/delivery"
)

func buffer(recs ...string) *delivery.Buffer {
	b := &delivery.Buffer{}
	for i, r := range recs {
		b.Records = append(b.Records, delivery.Record{ID: fmt.Sprint(i), Data: []byte(r), Arrival: time.Now()})
		b.Bytes += len(r)
	}
	return b
}

// rows scans the table with iceberg-go's reader and returns each row as
// "col=value ..." in the schema's order, sorted.
func rows(t *testing.T, warehouse string, db, name string) []string {
	t.Helper()
	cat, err := hadoop.NewCatalog("reader", warehouse, iceberggo.Properties{})
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := cat.LoadTable(context.Background(), table.Identifier{db, name})
	if err != nil {
		t.Fatal(err)
	}
	at, err := tbl.Scan().ToArrowTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer at.Release()
	var out []string
	tr := array.NewTableReader(at, 1024)
	defer tr.Release()
	for tr.Next() {
		rec := tr.RecordBatch()
		for r := 0; r < int(rec.NumRows()); r++ {
			var parts []string
			for c := 0; c < int(rec.NumCols()); c++ {
				col := rec.Column(c)
				v := "null"
				if !col.IsNull(r) {
					v = col.ValueStr(r)
				}
				parts = append(parts, rec.ColumnName(c)+"="+v)
			}
			out = append(out, strings.Join(parts, " "))
		}
	}
	sort.Strings(out)
	return out
}

func TestAppendToExistingTable(t *testing.T) {
	ctx := context.Background()
	wh := t.TempDir()
	cat, err := hadoop.NewCatalog("setup", wh, iceberggo.Properties{})
	if err != nil {
		t.Fatal(err)
	}
	if err := cat.CreateNamespace(ctx, table.Identifier{"shop"}, nil); err != nil {
		t.Fatal(err)
	}
	sc := iceberggo.NewSchema(0,
		iceberggo.NestedField{ID: 1, Name: "id", Type: iceberggo.PrimitiveTypes.Int64, Required: true},
		iceberggo.NestedField{ID: 2, Name: "item", Type: iceberggo.PrimitiveTypes.String},
		iceberggo.NestedField{ID: 3, Name: "price", Type: iceberggo.PrimitiveTypes.Float64},
		iceberggo.NestedField{ID: 4, Name: "paid", Type: iceberggo.PrimitiveTypes.Bool},
		iceberggo.NestedField{ID: 5, Name: "at", Type: iceberggo.PrimitiveTypes.TimestampTz},
		iceberggo.NestedField{ID: 6, Name: "day", Type: iceberggo.PrimitiveTypes.Date},
		iceberggo.NestedField{ID: 7, Name: "qty", Type: iceberggo.PrimitiveTypes.Int32},
	)
	if _, err := cat.CreateTable(ctx, table.Identifier{"shop", "orders"}, sc); err != nil {
		t.Fatal(err)
	}
	var failed []delivery.Failed
	d, err := New(Config{Warehouse: wh, Tables: []Table{{"shop", "orders"}},
		Errors: func(_ context.Context, f []delivery.Failed) error { failed = append(failed, f...); return nil }})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	err = d.Deliver(ctx, buffer(
		`{"id": 1, "item": "tea", "price": 2.5, "paid": true, "at": "2026-12-05T07:00:00Z", "day": "2026-12-05", "qty": 3, "extra": "ignored"}`,
		`{"ID": 2, "Item": "cake"}`,
		`not json`,
		`{"item": "no id"}`,
		`{"id": "three"}`,
		`{"id": 4, "qty": 3000000000}`,
		`{"id": 5, "at": 1764918000000, "item": {"nested": true}}`,
	))
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Deliver(ctx, buffer(`{"id": 6}`)); err != nil {
		t.Fatal(err)
	}
	got := rows(t, wh, "shop", "orders")
	want := []string{
		"id=1 item=tea price=2.5 paid=true at=2026-12-05T07:00:00Z day=2026-12-05 qty=3",
		"id=2 item=cake price=null paid=null at=null day=null qty=null",
		`id=5 item={"nested": true} price=null paid=null at=2025-12-05T07:00:00Z day=null qty=null`,
		"id=6 item=null price=null paid=null at=null day=null qty=null",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var codes []string
	for _, f := range failed {
		codes = append(codes, string(f.Record.Data)+": "+f.ErrorMessage)
	}
	if len(failed) != 4 {
		t.Errorf("failed records:\n%s", strings.Join(codes, "\n"))
	}
	// Two buffers, two snapshots.
	tbl, _ := cat.LoadTable(ctx, table.Identifier{"shop", "orders"})
	if n := len(tbl.Metadata().Snapshots()); n != 2 {
		t.Errorf("%d snapshots, want 2", n)
	}
}

func TestCreateTableAndRoute(t *testing.T) {
	ctx := context.Background()
	wh := t.TempDir()
	d, err := New(Config{Warehouse: wh, Tables: []Table{{"logs", "web"}, {"logs", "app"}}, CreateTables: true,
		Errors: func(context.Context, []delivery.Failed) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	b := buffer(`{"msg": "a", "n": 1, "ok": true, "v": 1}`, `{"msg": "b", "n": 2, "v": 1.5}`, `{"msg": "c"}`)
	b.Records[0].Keys = map[string]string{"destinationDatabaseName": "logs", "destinationTableName": "web"}
	b.Records[1].Keys = map[string]string{"destinationDatabaseName": "logs", "destinationTableName": "web"}
	b.Records[2].Keys = map[string]string{"destinationDatabaseName": "logs", "destinationTableName": "app"}
	if err := d.Deliver(ctx, b); err != nil {
		t.Fatal(err)
	}
	if got := rows(t, wh, "logs", "web"); strings.Join(got, "|") != "msg=a n=1 ok=true v=1|msg=b n=2 ok=null v=1.5" {
		t.Errorf("web rows %q", got)
	}
	if got := rows(t, wh, "logs", "app"); strings.Join(got, "|") != "msg=c" {
		t.Errorf("app rows %q", got)
	}
	cat, _ := hadoop.NewCatalog("r", wh, iceberggo.Properties{})
	tbl, _ := cat.LoadTable(ctx, table.Identifier{"logs", "web"})
	var types []string
	for _, f := range tbl.Schema().Fields() {
		types = append(types, f.Name+":"+f.Type.String())
	}
	if strings.Join(types, " ") != "msg:string n:long ok:boolean v:double" {
		t.Errorf("inferred schema %v", types)
	}
	// A record routed nowhere goes to the error output; a record a table
	// refuses, to that table's own error output when it has one.
	var failed, webFailed []delivery.Failed
	d.cfg.Errors = func(_ context.Context, f []delivery.Failed) error { failed = append(failed, f...); return nil }
	d.cfg.TableErrors = map[Table]func(context.Context, []delivery.Failed) error{
		{"logs", "web"}: func(_ context.Context, f []delivery.Failed) error { webFailed = append(webFailed, f...); return nil }}
	b = buffer(`{"msg": "d"}`, `{"n": "not a number"}`, `{"n": true}`)
	b.Records[1].Keys = map[string]string{"destinationDatabaseName": "logs", "destinationTableName": "web"}
	b.Records[2].Keys = map[string]string{"destinationDatabaseName": "logs", "destinationTableName": "app"}
	if err := d.Deliver(ctx, b); err != nil {
		t.Fatal(err)
	}
	if len(failed) != 1 || failed[0].ErrorCode != CodeNoRoute {
		t.Errorf("unrouted record: %+v", failed)
	}
	if len(webFailed) != 1 || webFailed[0].ErrorCode != CodeInvalidRecord || string(webFailed[0].Record.Data) != `{"n": "not a number"}` {
		t.Errorf("the web table's own error output got %+v", webFailed)
	}
}

func TestMissingTableWithoutCreation(t *testing.T) {
	d, err := New(Config{Warehouse: t.TempDir(), Tables: []Table{{"db", "none"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	err = d.Deliver(context.Background(), buffer(`{"a": 1}`))
	if err == nil || !strings.Contains(err.Error(), "db.none") {
		t.Errorf("error %v, want one naming the missing table", err)
	}
}

func TestWarehouse(t *testing.T) {
	dirs := func(b string) (string, bool) {
		if b == "lake" {
			return "/data/lake", true
		}
		return "", false
	}
	for in, want := range map[string]string{
		"s3://lake/warehouse/": "/data/lake/warehouse",
		"s3://lake":            "/data/lake",
		"file:///srv/wh":       "/srv/wh",
	} {
		got, err := Warehouse(in, dirs)
		if err != nil || got != filepath.FromSlash(want) {
			t.Errorf("Warehouse(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"s3://other/x", "hdfs://x", "file://rel"} {
		if _, err := Warehouse(in, dirs); err == nil {
			t.Errorf("Warehouse(%q): no error", in)
		}
	}
}
