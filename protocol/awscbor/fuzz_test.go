package awscbor

import (
	"reflect"
	"testing"
	"time"
)

// FuzzDecode: Decode never panics, and whatever it accepts re-encodes and
// decodes to an equal value (NaN equal to NaN; timestamps within the
// precision the encoding keeps: 1 ms in EpochMillis, a float64 ulp of the
// epoch seconds in EpochSeconds). ToJSON and Unmarshal must not panic either.
func FuzzDecode(f *testing.F) {
	for _, g := range rfc8949 {
		f.Add(unhex(f, g.hex))
	}
	for _, h := range rfc8949Rejected {
		f.Add(unhex(f, h))
	}
	if b, err := Marshal(fullValue()); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, o := range []struct {
			opts Options
			tol  time.Duration
		}{
			{Options{}, time.Millisecond},
			{Options{TimeUnit: EpochSeconds}, 0},
		} {
			v, err := o.opts.Decode(data)
			if err != nil {
				continue
			}
			b, err := o.opts.Encode(v)
			if err != nil {
				t.Fatalf("%v: Encode(%#v) after Decode: %v", o.opts.TimeUnit, v, err)
			}
			v2, err := o.opts.Decode(b)
			if err != nil {
				t.Fatalf("%v: Decode(Encode(v)) = %v\nv = %#v\nencoded %x", o.opts.TimeUnit, err, v, b)
			}
			if !equalValues(v, v2, o.tol) {
				t.Fatalf("%v: round trip changed the value:\n%#v\n%#v", o.opts.TimeUnit, v, v2)
			}
			_, _ = o.opts.ToJSON(data)
		}
		var dst everything
		_ = Unmarshal(data, &dst)
	})
}

// fuzzPutRecords mirrors a PutRecords request.
type fuzzPutRecords struct {
	StreamName string
	StreamARN  *string `json:",omitempty"`
	Records    []struct {
		Data            []byte
		PartitionKey    string
		ExplicitHashKey *string
	}
}

// FuzzUnmarshal: Unmarshal into a request struct never panics, and what it
// accepts survives Marshal + Unmarshal unchanged.
func FuzzUnmarshal(f *testing.F) {
	hk := "170141183460469231731687303715884105728"
	seed := fuzzPutRecords{StreamName: "s"}
	seed.Records = append(seed.Records, struct {
		Data            []byte
		PartitionKey    string
		ExplicitHashKey *string
	}{[]byte("data"), "pk", &hk})
	seed.Records = append(seed.Records, seed.Records[0])
	seed.Records[1].ExplicitHashKey, seed.Records[1].Data = nil, nil
	if b, err := Marshal(seed); err == nil {
		f.Add(b)
	}
	for _, g := range rfc8949 {
		f.Add(unhex(f, g.hex))
	}
	// Java SDK style: indefinite map and array.
	f.Add(unhex(f, "bf6a53747265616d4e616d656161675265636f7264739fbf644461746141016c506172746974696f6e4b65796170ffffff"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var a fuzzPutRecords
		if err := Unmarshal(data, &a); err != nil {
			return
		}
		b, err := Marshal(a)
		if err != nil {
			t.Fatalf("Marshal(%+v): %v", a, err)
		}
		var c fuzzPutRecords
		if err := Unmarshal(b, &c); err != nil {
			t.Fatalf("Unmarshal(Marshal(v)): %v", err)
		}
		if !reflect.DeepEqual(a, c) {
			t.Fatalf("round trip changed the value:\n%+v\n%+v", a, c)
		}
		if _, err := Decode(b); err != nil {
			t.Fatalf("Decode(Marshal(v)): %v", err)
		}
	})
}
