package kinesisapi

import (
	"reflect"
	"testing"

	"github.com/eddy-streams/eddy/kinesis"
	"github.com/eddy-streams/eddy/protocol/kds"
	"github.com/eddy-streams/eddy/storage/mem"
)

// pending lists the operations of the model that Eddy does not serve yet,
// with the issue that brings them. Requests for them get
// UnknownOperationException. Anything else in the model must be served.
var pending = map[string]string{}

// TestEveryOperationServed: each model operation is registered (or listed
// as pending), with the model's input type.
func TestEveryOperationServed(t *testing.T) {
	e, err := kinesis.New(kinesis.DefaultConfig(), mem.NewLogs(), mem.NewMeta())
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	served := map[string]reflect.Type{}
	for _, op := range Service(e).Operations {
		served[op.Name] = reflect.TypeOf(op.NewInput())
	}
	for _, op := range kds.Operations() {
		got, ok := served[op.Name]
		_, isPending := pending[op.Name]
		switch {
		case ok && isPending:
			t.Errorf("%s is served: remove it from pending", op.Name)
		case !ok && !isPending:
			t.Errorf("%s is in the model but not served", op.Name)
		case ok && got != reflect.TypeOf(op.NewInput()):
			t.Errorf("%s decodes into %v, the model's input is %T", op.Name, got, op.NewInput())
		}
		delete(served, op.Name)
	}
	for name := range served {
		t.Errorf("%s is served but not in the model", name)
	}
}
