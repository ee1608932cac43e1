package dynamo

import (
	"testing"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/dynamo/attr"
	"github.com/eddy-streams/eddy/protocol/ddb"
)

func TestTransactWrite(t *testing.T) {
	e, clk := newEngine(t, nil)
	createTable(t, e, "tab", "id", ddb.ScalarS, "", "")
	put(t, e, "tab", attr.Item{"id": S("a"), "v": N("1")})
	tx := func(token *string, cond string) error {
		in := &ddb.TransactWriteItemsInput{ClientRequestToken: token, Checker: Checker{}, TransactItems: []ddb.TransactWriteItem{
			{Put: &ddb.Put{TableName: sp("tab"), Item: attr.Item{"id": S("b"), "v": N("1")}}},
			{ConditionCheck: &ddb.ConditionCheck{TableName: sp("tab"), Key: attr.Item{"id": S("a")}, ConditionExpression: &cond,
				ReturnValuesOnConditionCheckFailure: ptr(ddb.OnCheckFailureAllOld)}},
			{Update: &ddb.Update{TableName: sp("tab"), Key: attr.Item{"id": S("c")}, UpdateExpression: sp("ADD v :one"),
				ExpressionAttributeValues: map[string]attr.Value{":one": N("1")}}},
		}}
		if err := in.Validate(); err != nil {
			return err
		}
		_, err := e.TransactWriteItems(ctx, in)
		return err
	}
	err := tx(nil, "attribute_not_exists(v)")
	wantErr(t, err, eddy.CodeTransactionCanceled,
		"Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed, None]")
	reasons := err.(*eddy.Error).Members[0].Value.([]ddb.CancellationReason)
	if reasons[1].Item == nil || reasons[0].Code != "None" {
		t.Fatalf("reasons %+v", reasons)
	}
	if get(t, e, "tab", attr.Item{"id": S("b")}) != nil || get(t, e, "tab", attr.Item{"id": S("c")}) != nil {
		t.Fatal("a cancelled transaction wrote")
	}
	// Idempotent with a token: the second call writes nothing more.
	token := "tok-1"
	for range 2 {
		if err := tx(&token, "attribute_exists(v)"); err != nil {
			t.Fatal(err)
		}
	}
	if got := get(t, e, "tab", attr.Item{"id": S("c")}); *got["v"].N != "1" {
		t.Fatalf("replayed transaction applied twice: v = %s", *got["v"].N)
	}
	wantErr(t, tx(&token, "attribute_exists(id)"), eddy.CodeIdempotentParameterMismatch, msgIdempotentMismatch)
	// After 10 minutes the token is new again.
	clk.Advance(10 * time.Minute)
	if err := tx(&token, "attribute_exists(v)"); err != nil {
		t.Fatal(err)
	}
	if got := get(t, e, "tab", attr.Item{"id": S("c")}); *got["v"].N != "2" {
		t.Fatalf("v = %s", *got["v"].N)
	}
	// TransactGetItems reads them together.
	out, err := e.TransactGetItems(ctx, &ddb.TransactGetItemsInput{TransactItems: []ddb.TransactGetItem{
		{Get: &ddb.Get{TableName: sp("tab"), Key: attr.Item{"id": S("c")}}},
		{Get: &ddb.Get{TableName: sp("tab"), Key: attr.Item{"id": S("zz")}}}}})
	if err != nil || len(out.Responses) != 2 || out.Responses[0].Item == nil || out.Responses[1].Item != nil {
		t.Fatalf("%+v %v", out, err)
	}
}

func TestBatch(t *testing.T) {
	e, _ := newEngine(t, nil)
	createTable(t, e, "tab", "id", ddb.ScalarS, "", "")
	_, err := e.BatchWriteItem(ctx, &ddb.BatchWriteItemInput{RequestItems: map[string][]ddb.WriteRequest{"tab": {
		{PutRequest: &ddb.PutRequest{Item: attr.Item{"id": S("a"), "v": N("1")}}},
		{PutRequest: &ddb.PutRequest{Item: attr.Item{"id": S("b"), "v": N("2")}}},
		{DeleteRequest: &ddb.DeleteRequest{Key: attr.Item{"id": S("zz")}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.BatchGetItem(ctx, &ddb.BatchGetItemInput{RequestItems: map[string]ddb.KeysAndAttributes{"tab": {
		Keys: []attr.Item{{"id": S("a")}, {"id": S("b")}, {"id": S("c")}}}}})
	if err != nil || len(out.Responses["tab"]) != 2 || len(out.UnprocessedKeys) != 0 {
		t.Fatalf("%+v %v", out, err)
	}
	_, err = e.BatchGetItem(ctx, &ddb.BatchGetItemInput{RequestItems: map[string]ddb.KeysAndAttributes{"tab": {
		Keys: []attr.Item{{"id": S("a")}, {"id": S("a")}}}}})
	wantErr(t, err, eddy.CodeValidation, "Provided list of item keys contains duplicates")
}
