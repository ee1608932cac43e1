package firehose

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	fp "github.com/eddy-streams/eddy/protocol/firehose"
)

// fill sets every member of the structure v points to, recursively: strings
// to their member name, numbers to 7, booleans to true, each list to one
// element, enums to a string (they are strings).
func fill(v reflect.Value, depth int) {
	for i := 0; i < v.NumField(); i++ {
		f, name := v.Field(i), v.Type().Field(i).Name
		switch f.Kind() {
		case reflect.String:
			f.SetString(name)
		case reflect.Pointer:
			e := reflect.New(f.Type().Elem())
			switch e.Elem().Kind() {
			case reflect.String:
				e.Elem().SetString(name)
			case reflect.Int32, reflect.Int64:
				e.Elem().SetInt(7)
			case reflect.Float64:
				e.Elem().SetFloat(0.5)
			case reflect.Bool:
				e.Elem().SetBool(true)
			case reflect.Struct:
				if depth > 6 {
					continue
				}
				fill(e.Elem(), depth+1)
			}
			f.Set(e)
		case reflect.Slice:
			s := reflect.MakeSlice(f.Type(), 1, 1)
			switch s.Index(0).Kind() {
			case reflect.String:
				s.Index(0).SetString(name)
			case reflect.Struct:
				fill(s.Index(0), depth+1)
			}
			f.Set(s)
		case reflect.Map:
			m := reflect.MakeMap(f.Type())
			m.SetMapIndex(reflect.ValueOf("k"), reflect.ValueOf("v"))
			f.Set(m)
		}
	}
}

// secrets are the configuration members a description leaves out.
var secrets = map[string]bool{"Password": true, "AccessKey": true}

// subset reports the paths of want missing or different in got, with the
// configuration-to-description renames applied at the top level.
func subset(t *testing.T, path string, want, got map[string]any, top bool) {
	t.Helper()
	for k, w := range want {
		gk := k
		if top {
			if n, ok := descriptionNames[k]; ok {
				gk = n
			}
		}
		if secrets[k] {
			if _, ok := got[k]; ok {
				t.Errorf("%s.%s: a secret is described", path, k)
			}
			continue
		}
		g, ok := got[gk]
		if !ok {
			t.Errorf("%s.%s: missing from the description", path, k)
			continue
		}
		wm, wok := w.(map[string]any)
		gm, gok := g.(map[string]any)
		if wok && gok {
			subset(t, path+"."+k, wm, gm, false)
			continue
		}
		wb, _ := json.Marshal(w)
		gb, _ := json.Marshal(g)
		if string(wb) != string(gb) {
			t.Errorf("%s.%s: described as %s, configured %s", path, k, gb, wb)
		}
	}
}

// TestDescriptionKeepsEveryMember: for every destination type, a
// configuration with every member set is described with every member
// (renamed where the description renames it), secrets excepted.
func TestDescriptionKeepsEveryMember(t *testing.T) {
	for _, typ := range []string{fp.DestExtendedS3, fp.DestS3, fp.DestRedshift, fp.DestElasticsearch, fp.DestOpenSearch, fp.DestHTTPEndpoint, fp.DestIceberg} {
		t.Run(typ, func(t *testing.T) {
			var d Destination
			dv := reflect.ValueOf(&d).Elem()
			for i := 0; i < dv.NumField(); i++ {
				if tag := strings.Split(dv.Type().Field(i).Tag.Get("json"), ",")[0]; tag == typ {
					cfg := reflect.New(dv.Field(i).Type().Elem())
					fill(cfg.Elem(), 0)
					dv.Field(i).Set(cfg)
				}
			}
			d.ID = DestinationID
			if d.Type() != typ {
				t.Fatalf("filled %s, Type() = %s", typ, d.Type())
			}
			desc, err := d.description()
			if err != nil {
				t.Fatal(err)
			}
			want, _ := toMap(d.config())
			all, _ := toMap(desc)
			delete(all, "DestinationId")
			if len(all) != 1 {
				t.Fatalf("description has %d destinations: %v", len(all), all)
			}
			for _, got := range all {
				subset(t, typ, want, got.(map[string]any), true)
			}
		})
	}
}

// TestConversionBufferDefault: a destination converting records buffers
// 128 MiB unless told otherwise; one that does not, 5 MiB.
func TestConversionBufferDefault(t *testing.T) {
	conv := &fp.ExtendedS3DestinationConfiguration{RoleARN: fp.String("arn:r"), BucketARN: fp.String("arn:b"),
		DataFormatConversionConfiguration: &fp.DataFormatConversionConfiguration{}}
	d := destinationOf(&fp.CreateDeliveryStreamInput{ExtendedS3DestinationConfiguration: conv})
	if h := d.ExtendedS3.BufferingHints; *h.SizeInMBs != 128 || *h.IntervalInSeconds != 300 {
		t.Errorf("converting: %d MiB, %d s", *h.SizeInMBs, *h.IntervalInSeconds)
	}
	plain := &fp.ExtendedS3DestinationConfiguration{RoleARN: fp.String("arn:r"), BucketARN: fp.String("arn:b"),
		DataFormatConversionConfiguration: &fp.DataFormatConversionConfiguration{Enabled: fp.Bool(false)}}
	d = destinationOf(&fp.CreateDeliveryStreamInput{ExtendedS3DestinationConfiguration: plain})
	if h := d.ExtendedS3.BufferingHints; *h.SizeInMBs != 5 {
		t.Errorf("conversion disabled: %d MiB", *h.SizeInMBs)
	}
}
