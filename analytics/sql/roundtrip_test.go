package sql

import (
	"reflect"
	"testing"
)

// stripPos returns a deep copy-free view of v with every Pos zeroed, by zeroing in place:
// callers pass trees they own.
func stripPos(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			stripPos(v.Elem())
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(Pos{}) {
			if v.CanSet() {
				v.Set(reflect.Zero(v.Type()))
			}
			return
		}
		for i := 0; i < v.NumField(); i++ {
			stripPos(v.Field(i))
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			stripPos(v.Index(i))
		}
	}
}

// sameTree reports whether a and b are equal ignoring positions.
func sameTree(a, b any) bool {
	stripPos(reflect.ValueOf(a))
	stripPos(reflect.ValueOf(b))
	return reflect.DeepEqual(a, b)
}

// roundTrip formats prog, parses the text again and requires the same tree and the same text.
func roundTrip(t testing.TB, prog *Program) {
	t.Helper()
	text := prog.String()
	again, err := Parse(text)
	if err != nil {
		t.Fatalf("formatted program does not parse: %v\n%s", err, text)
	}
	if text2 := again.String(); text2 != text {
		t.Fatalf("format is not stable:\n%s\n%s", text, text2)
	}
	if !sameTree(prog, again) {
		t.Fatalf("round trip changed the tree:\n%s", text)
	}
}
