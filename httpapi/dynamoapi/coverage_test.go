package dynamoapi

import (
	"reflect"
	"testing"

	"github.com/eddy-streams/eddy/protocol/ddb"
)

// TestEveryOperationServed: each operation protocol/ddb has shapes for is
// registered, with its input type, and with dynamo.Checker set where the
// input has a Checker; nothing else is registered. The DynamoDB
// operations without shapes (PartiQL, backups, global tables, streams'
// own API, ...) are listed in docs/DYNAMODB.md and answered
// UnknownOperationException.
func TestEveryOperationServed(t *testing.T) {
	served := map[string]any{}
	for _, op := range Service(nil).Operations {
		served[op.Name] = op.NewInput()
	}
	for _, op := range ddb.Operations {
		got, ok := served[op.Name]
		switch {
		case !ok:
			t.Errorf("%s has shapes but is not served", op.Name)
			continue
		case reflect.TypeOf(got) != reflect.TypeOf(op.NewInput()):
			t.Errorf("%s decodes into %T, its input is %T", op.Name, got, op.NewInput())
		}
		if f := reflect.ValueOf(got).Elem().FieldByName("Checker"); f.IsValid() && f.IsNil() {
			t.Errorf("%s: the input's Checker is not set: its expressions would be parsed after Validate's other checks", op.Name)
		}
		delete(served, op.Name)
	}
	for name := range served {
		t.Errorf("%s is served but protocol/ddb has no shapes for it", name)
	}
}
