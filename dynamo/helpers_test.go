package dynamo

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/dynamo/attr"
	"github.com/eddy-streams/eddy/kinesis"
	"github.com/eddy-streams/eddy/protocol/ddb"
	"github.com/eddy-streams/eddy/storage"
	"github.com/eddy-streams/eddy/storage/mem"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// newEngine opens an engine over meta (a fresh memory store when nil) with
// a fake clock.
func newEngine(t testing.TB, meta storage.MetaStore) (*Engine, *kinesis.FakeClock) {
	t.Helper()
	if meta == nil {
		meta = mem.NewMeta()
	}
	clk := kinesis.NewFakeClock(t0)
	cfg := DefaultConfig()
	cfg.Clock = clk
	e, err := Open(cfg, meta)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e, clk
}

var ctx = context.Background()

func sp(s string) *string { return &s }

func S(s string) attr.Value { return attr.S(s) }
func N(s string) attr.Value { return attr.N(s) }

// mustValidate runs the input's Validate with the Checker set, as the
// transport does.
func mustValidate(t testing.TB, in interface{ Validate() error }) {
	t.Helper()
	if err := in.Validate(); err != nil {
		t.Fatal(err)
	}
}

// createTable makes a table with hash key h (and range key r when not "")
// of the given types, on demand.
func createTable(t testing.TB, e *Engine, name, h string, ht ddb.ScalarAttributeType, r string, rt ddb.ScalarAttributeType, mut ...func(*ddb.CreateTableInput)) {
	t.Helper()
	in := &ddb.CreateTableInput{
		TableName:            sp(name),
		AttributeDefinitions: []ddb.AttributeDefinition{{AttributeName: sp(h), AttributeType: &ht}},
		KeySchema:            []ddb.KeySchemaElement{{AttributeName: sp(h), KeyType: ptr(ddb.KeyTypeHash)}},
		BillingMode:          ptr(ddb.BillingPayPerRequest),
	}
	if r != "" {
		in.AttributeDefinitions = append(in.AttributeDefinitions, ddb.AttributeDefinition{AttributeName: sp(r), AttributeType: &rt})
		in.KeySchema = append(in.KeySchema, ddb.KeySchemaElement{AttributeName: sp(r), KeyType: ptr(ddb.KeyTypeRange)})
	}
	for _, m := range mut {
		m(in)
	}
	mustValidate(t, in)
	if _, err := e.CreateTable(ctx, in); err != nil {
		t.Fatal(err)
	}
}

func put(t testing.TB, e *Engine, table string, item attr.Item) {
	t.Helper()
	in := &ddb.PutItemInput{TableName: sp(table), Item: item, Checker: Checker{}}
	mustValidate(t, in)
	if _, err := e.PutItem(ctx, in); err != nil {
		t.Fatal(err)
	}
}

func get(t testing.TB, e *Engine, table string, key attr.Item) attr.Item {
	t.Helper()
	out, err := e.GetItem(ctx, &ddb.GetItemInput{TableName: sp(table), Key: key})
	if err != nil {
		t.Fatal(err)
	}
	return out.Item
}

// wantErr checks err's code and message.
func wantErr(t testing.TB, err error, code, msg string) {
	t.Helper()
	var e *eddy.Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v, want %s: %s", err, code, msg)
	}
	if e.Code != code || e.Message != msg {
		t.Fatalf("got %s: %s\nwant %s: %s", e.Code, e.Message, code, msg)
	}
}

func describe(t testing.TB, e *Engine, name string) *ddb.TableDescription {
	t.Helper()
	out, err := e.DescribeTable(ctx, &ddb.DescribeTableInput{TableName: sp(name)})
	if err != nil {
		t.Fatal(err)
	}
	return out.Table
}

type storageTx = storage.MetaTx

// waitFor polls cond until it holds, failing after a deadline.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
