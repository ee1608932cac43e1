package analytics

import (
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/eddy-streams/eddy/protocol/kda"
)

// columns renders a schema's columns as "NAME TYPE MAPPING".
func columns(s *kda.SourceSchema) []string {
	var out []string
	for _, c := range s.RecordColumns {
		out = append(out, strings.TrimSpace(kda.Deref(c.Name)+" "+kda.Deref(c.SqlType)+" "+kda.Deref(c.Mapping)))
	}
	return out
}

func strs(p []*string) []string {
	out := make([]string, len(p))
	for i, s := range p {
		if s == nil {
			out[i] = "<null>"
		} else {
			out[i] = *s
		}
	}
	return out
}

func raws(recs ...string) [][]byte {
	out := make([][]byte, len(recs))
	for i, r := range recs {
		out[i] = []byte(r)
	}
	return out
}

// TestInferStockTicker: records of the developer guide's demo stream give
// the schema its Getting Started exercise shows: (TICKER_SYMBOL
// VARCHAR(4), SECTOR varchar(16), CHANGE REAL, PRICE REAL), mapped by
// JSONPath from RecordRowPath "$".
func TestInferStockTicker(t *testing.T) {
	schema, parsed := infer(raws(
		`{"TICKER_SYMBOL":"QXZ","SECTOR":"HEALTHCARE","CHANGE":-0.05,"PRICE":84.51}`,
		`{"TICKER_SYMBOL":"AMZN","SECTOR":"TECHNOLOGY","CHANGE":1.38,"PRICE":823.4}`,
		`{"TICKER_SYMBOL":"JKL","SECTOR":"FINANCIAL","CHANGE":0,"PRICE":12}`,
		`{"TICKER_SYMBOL":"IOP","SECTOR":"RETAIL","CHANGE":-1.2,"PRICE":56.07}`,
	))
	if schema == nil {
		t.Fatal("no schema")
	}
	want := []string{"TICKER_SYMBOL VARCHAR(4) $.TICKER_SYMBOL", "SECTOR VARCHAR(16) $.SECTOR", "CHANGE REAL $.CHANGE", "PRICE REAL $.PRICE"}
	if got := columns(schema); !reflect.DeepEqual(got, want) {
		t.Errorf("columns\n%q\nwant\n%q", got, want)
	}
	f := schema.RecordFormat
	if f.RecordFormatType != kda.FormatJSON || kda.Deref(f.MappingParameters.JSONMappingParameters.RecordRowPath) != "$" ||
		f.MappingParameters.CSVMappingParameters != nil || kda.Deref(schema.RecordEncoding) != "UTF-8" {
		t.Errorf("format %+v encoding %v", f, kda.Deref(schema.RecordEncoding))
	}
	if len(parsed) != 4 || !reflect.DeepEqual(strs(parsed[2]), []string{"JKL", "FINANCIAL", "0", "12"}) {
		t.Errorf("parsed %v", parsed)
	}
	// The schema is one CreateApplication accepts.
	in := kda.CreateApplicationInput{ApplicationName: kda.String("a"), Inputs: []kda.Input{{NamePrefix: kda.String("SOURCE_SQL_STREAM"),
		KinesisStreamsInput: &kda.ResourceRole{ResourceARN: kda.String("arn:aws:kinesis:us-east-1:000000000000:stream/s"), RoleARN: kda.String("arn:aws:iam::000000000000:role/r")},
		InputSchema:         schema}}}
	if err := in.Validate(); err != nil {
		t.Errorf("discovered schema rejected: %v", err)
	}
}

// TestInferStaticCSV: the developer guide's static-data example ("Using
// the Schema Discovery Feature on Static Data"), whose response it prints:
// the header names the columns (year and month renamed as reserved
// words), the header row is parsed with null for the columns that are not
// VARCHAR, the row delimiter is the file's "\r\n".
func TestInferStaticCSV(t *testing.T) {
	file := "year,month,state,producer_type,energy_source,units,consumption\r\n" +
		"2001,1,AK,TotalElectricPowerIndustry,Coal,ShortTons,47615\r\n" +
		"2001,1,AK,ElectricGeneratorsElectricUtilities,Coal,ShortTons,16535\r\n" +
		"2001,1,AK,CombinedHeatandPowerElectricPower,Coal,ShortTons,22890\r\n" +
		"2001,1,AL,TotalElectricPowerIndustry,Coal,ShortTons,3020601\r\n" +
		"2001,1,AL,ElectricGeneratorsElectricUtilities,Coal,ShortTons,2987681"
	schema, parsed := infer(raws(file))
	if schema == nil {
		t.Fatal("no schema")
	}
	want := []string{"COL_year INTEGER", "COL_month INTEGER", "state VARCHAR(4)", "producer_type VARCHAR(64)",
		"energy_source VARCHAR(4)", "units VARCHAR(16)", "consumption INTEGER"}
	if got := columns(schema); !reflect.DeepEqual(got, want) {
		t.Errorf("columns\n%q\nwant\n%q", got, want)
	}
	f := schema.RecordFormat
	if f.RecordFormatType != kda.FormatCSV || kda.Deref(f.MappingParameters.CSVMappingParameters.RecordRowDelimiter) != "\r\n" ||
		kda.Deref(f.MappingParameters.CSVMappingParameters.RecordColumnDelimiter) != "," {
		t.Errorf("format %+v", f.MappingParameters.CSVMappingParameters)
	}
	if len(parsed) != 6 {
		t.Fatalf("%d parsed rows", len(parsed))
	}
	if got := strs(parsed[0]); !reflect.DeepEqual(got, []string{"<null>", "<null>", "state", "producer_type", "energy_source", "units", "<null>"}) {
		t.Errorf("header row %q", got)
	}
	if got := strs(parsed[5]); !reflect.DeepEqual(got, []string{"2001", "1", "AL", "ElectricGeneratorsElectricUtilities", "Coal", "ShortTons", "2987681"}) {
		t.Errorf("last row %q", got)
	}
}

// TestInferCSV: delimited records without a header, over several records.
func TestInferCSV(t *testing.T) {
	schema, parsed := infer(raws("QXZ,HEALTHCARE,-0.05,84.51\nAMZN,TECHNOLOGY,1.38,823\n", "JKL,FINANCIAL,0,12"))
	if schema == nil {
		t.Fatal("no schema")
	}
	want := []string{"COL_0 VARCHAR(4)", "COL_1 VARCHAR(16)", "COL_2 REAL", "COL_3 REAL"}
	if got := columns(schema); !reflect.DeepEqual(got, want) {
		t.Errorf("columns %q want %q", got, want)
	}
	if kda.Deref(schema.RecordFormat.MappingParameters.CSVMappingParameters.RecordRowDelimiter) != "\n" || len(parsed) != 3 {
		t.Errorf("delimiter or rows: %d", len(parsed))
	}
	schema, _ = infer(raws("a|1|2026-12-05 19:00:00", "bb|3000000000|2026-12-05 19:00:01.5"))
	if got := columns(schema); !reflect.DeepEqual(got, []string{"COL_0 VARCHAR(4)", "COL_1 BIGINT", "COL_2 TIMESTAMP"}) ||
		kda.Deref(schema.RecordFormat.MappingParameters.CSVMappingParameters.RecordColumnDelimiter) != "|" {
		t.Errorf("columns %q", got)
	}
}

// TestInferJSONShapes: nested objects, arrays, booleans, nulls and
// missing members.
func TestInferJSONShapes(t *testing.T) {
	schema, parsed := infer(raws(
		`{"id":1,"ok":true,"at":"2026-12-05 19:00:00.123","geo":{"lat":1.5,"city":"Oslo"},"tags":["a"],"note":null}`,
		`{"id":3000000000,"ok":false,"at":"2026-12-05T19:00:01Z","geo":{"lat":2,"city":"Rome","name":"x"},"name":"y"}`,
	))
	want := []string{"id BIGINT $.id", "ok BOOLEAN $.ok", "at TIMESTAMP $.at", "lat REAL $.geo.lat", "city VARCHAR(4) $.geo.city",
		"tags VARCHAR(8) $.tags", "geo_name VARCHAR(4) $.geo.name", "name VARCHAR(4) $.name"}
	if got := columns(schema); !reflect.DeepEqual(got, want) {
		t.Errorf("columns\n%q\nwant\n%q", got, want)
	}
	if got := strs(parsed[0]); !reflect.DeepEqual(got, []string{"1", "true", "2026-12-05 19:00:00.123", "1.5", "Oslo", `["a"]`, "<null>", "<null>"}) {
		t.Errorf("parsed %q", got)
	}
}

func TestInferNothing(t *testing.T) {
	for _, recs := range [][]string{nil, {"hello"}, {`{"a":1} {"b":2}`}, {"one field\nper line"}, {strings.Repeat("x,", 1000) + "x"}, {"a,b", "a,b,c"}} {
		if s, _ := infer(raws(recs...)); s != nil {
			t.Errorf("%q: schema %q", recs, columns(s))
		}
	}
}

// TestColumnName: the developer guide's examples of discovery-suggested
// names, and its other rules.
func TestColumnName(t *testing.T) {
	for _, c := range []struct {
		src  string
		i    int
		want string
	}{
		{"USER", 0, "COL_USER"},
		{"USER@DOMAIN", 0, "COL_USERDOMAIN"},
		{"@@", 0, "COL_0"},
		{"@@", 3, "COL_3"},
		{"year", 0, "COL_year"},
		{"TIMESTAMP", 0, "COL_TIMESTAMP"},
		{"TICKER_SYMBOL", 0, "TICKER_SYMBOL"},
		{"2fast", 0, "COL_2fast"},
		{"prix €", 0, "COL_prix"},
		{strings.Repeat("a", 100), 0, strings.Repeat("a", 100)},
		{strings.Repeat("a", 101), 0, "COL_" + strings.Repeat("a", 96)},
	} {
		if got := columnName(c.src, c.i); got != c.want {
			t.Errorf("columnName(%q, %d) = %q, want %q", c.src, c.i, got, c.want)
		}
	}
}

// FuzzInfer: any records give no schema, or a schema CreateApplication
// accepts with one parsed value per column in every row.
func FuzzInfer(f *testing.F) {
	f.Add(`{"TICKER_SYMBOL":"QXZ","SECTOR":"HEALTHCARE","CHANGE":-0.05,"PRICE":84.51}`, `{"TICKER_SYMBOL":"AB","geo":{"lat":1}}`)
	f.Add("year,month\r\n2001,1", "AK,2")
	f.Add("a|b|c", "@@|USER|1x")
	f.Fuzz(func(t *testing.T, a, b string) {
		schema, parsed := infer(raws(a, b))
		if schema == nil {
			return
		}
		for _, row := range parsed {
			if len(row) != len(schema.RecordColumns) {
				t.Fatalf("row of %d values for %d columns", len(row), len(schema.RecordColumns))
			}
		}
		names := map[string]bool{}
		for _, c := range schema.RecordColumns {
			n := strings.ToUpper(kda.Deref(c.Name))
			if names[n] || n == "" || len(n) > maxNameLen+4 {
				t.Fatalf("column name %q (duplicate, empty or long) in %q", n, columns(schema))
			}
			names[n] = true
		}
		in := kda.CreateApplicationInput{ApplicationName: kda.String("a"), Inputs: []kda.Input{{NamePrefix: kda.String("S"),
			KinesisStreamsInput: &kda.ResourceRole{ResourceARN: kda.String("arn:aws:kinesis:us-east-1:000000000000:stream/s"), RoleARN: kda.String("arn:aws:iam::000000000000:role/r")},
			InputSchema:         schema}}}
		if err := in.Validate(); err != nil {
			t.Fatalf("schema rejected: %v", err)
		}
	})
}

// BenchmarkInfer infers the schema of 100 stock-ticker records, the
// sample DiscoverInputSchema reads at most.
func BenchmarkInfer(b *testing.B) {
	var recs []string
	for i := range maxSample {
		recs = append(recs, `{"TICKER_SYMBOL":"QXZ","SECTOR":"HEALTHCARE","CHANGE":-0.0`+strconv.Itoa(i%10)+`,"PRICE":84.51}`)
	}
	raw := raws(recs...)
	b.ReportAllocs()
	for b.Loop() {
		if s, _ := infer(raw); s == nil {
			b.Fatal("no schema")
		}
	}
}
