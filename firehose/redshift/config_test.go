package redshift

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/firehose/types"

	"github.com/eddy-streams/eddy"
)

func TestConnString(t *testing.T) {
	for _, tc := range []struct{ in, want, err string }{
		{"jdbc:redshift://127.0.0.1:5433/dev", "postgres://127.0.0.1:5433/dev", ""},
		{"jdbc:redshift://cluster.abc.us-east-1.redshift.amazonaws.com/dev", "postgres://cluster.abc.us-east-1.redshift.amazonaws.com:5439/dev", ""},
		{"jdbc:redshift://h:1/db?ssl=true&tcpKeepAlive=true", "postgres://h:1/db", ""},
		{"jdbc:redshift://[::1]:7/db", "postgres://[::1]:7/db", ""},
		{"postgres://u:p@127.0.0.1:5/x?sslmode=disable", "postgres://u:p@127.0.0.1:5/x?sslmode=disable", ""},
		{"postgresql://127.0.0.1/x", "postgresql://127.0.0.1/x", ""},
		{"jdbc:redshift://h:1", "", "has no database"},
		{"jdbc:redshift://h:1/", "", "has no database"},
		{"jdbc:postgresql://h/db", "", "must be jdbc:redshift://"},
		{"", "", "must be jdbc:redshift://"},
	} {
		got, err := ConnString(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || !errors.Is(err, &eddy.Error{Code: eddy.CodeInvalidArgument}) {
				t.Errorf("ConnString(%q) = %q, %v; want an InvalidArgumentException with %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ConnString(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestCopyOptions(t *testing.T) {
	s := func(v string) *string { return &v }
	for _, tc := range []struct {
		opts string
		want copyPlan
		err  string
	}{
		{"", copyPlan{format: "text"}, ""},
		{"delimiter '|'", copyPlan{format: "text", delimiter: '|'}, ""},
		{`delimiter '\t' gzip;`, copyPlan{format: "text", delimiter: '\t', gzip: true}, ""},
		{"DELIMITER AS ','  NULL AS 'nil' IGNOREHEADER AS 2", copyPlan{format: "text", delimiter: ',', null: s("nil"), ignoreHeader: 2}, ""},
		{"csv quote as '%' ignoreheader 1", copyPlan{format: "csv", quote: '%', ignoreHeader: 1}, ""},
		{"FORMAT AS CSV, DELIMITER ';'", copyPlan{format: "csv", delimiter: ';'}, ""},
		{"json 'auto'", copyPlan{format: "json"}, ""},
		{"JSON AS 'auto ignorecase' GZIP timeformat 'auto'", copyPlan{format: "json", jsonIgnoreCase: true, gzip: true}, ""},
		{"format as json 'auto'", copyPlan{format: "json"}, ""},
		{"null as ''''", copyPlan{format: "text", null: s("'")}, ""},
		{"json 's3://bucket/jsonpaths.txt'", copyPlan{}, "not through a JSONPaths file"},
		{"fixedwidth 'a:3'", copyPlan{}, "COPY option FIXEDWIDTH is not supported"},
		{"lzop", copyPlan{}, "no equivalent of lzop compression"},
		{"format as parquet", copyPlan{}, "does not load Parquet data"},
		{"maxerror 10", copyPlan{}, "COPY option MAXERROR is not supported"},
		{"frobnicate", copyPlan{}, `unknown COPY option "frobnicate"`},
		{"delimiter '||'", copyPlan{}, "single ASCII character"},
		{"delimiter", copyPlan{}, "needs a quoted value"},
		{"delimiter 'x", copyPlan{}, "unterminated"},
		{"csv json 'auto'", copyPlan{}, "two data formats"},
		{"quote '%'", copyPlan{}, "QUOTE needs CSV"},
		{"json 'auto' delimiter ','", copyPlan{}, "do not apply to JSON"},
		{"ignoreheader x", copyPlan{}, "number of rows"},
		{"dateformat 'YYYY-MM-DD'", copyPlan{}, "DATEFORMAT \"YYYY-MM-DD\" is not supported"},
	} {
		got, err := parseCopyOptions(tc.opts)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("parseCopyOptions(%q) = %+v, %v; want an error with %q", tc.opts, got, err, tc.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("parseCopyOptions(%q) = %+v, %v; want %+v", tc.opts, got, err, tc.want)
		}
	}
}

func TestPgCopySQL(t *testing.T) {
	for _, tc := range []struct{ opts, want string }{
		{"", `COPY "t" ("a", "b") FROM STDIN WITH (FORMAT text, DELIMITER '|')`},
		{"csv quote '''' null as 'N'", `COPY "t" ("a", "b") FROM STDIN WITH (FORMAT csv, QUOTE '''', NULL 'N')`},
		{"json 'auto'", `COPY "t" ("a", "b") FROM STDIN WITH (FORMAT csv, DELIMITER ',')`},
	} {
		p, err := parseCopyOptions(tc.opts)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.pgCopySQL(`"t"`, []string{`"a"`, `"b"`}); got != tc.want {
			t.Errorf("%q: %s, want %s", tc.opts, got, tc.want)
		}
	}
}

func TestValidate(t *testing.T) {
	base := func() Config {
		return Config{ClusterJDBCURL: "jdbc:redshift://h:5439/dev", CopyCommand: CopyCommand{DataTableName: "public.events"},
			Objects: &memObjects{}, Bucket: "b", Key: testKey}
	}
	n := func(v int32) *int32 { return &v }
	for _, tc := range []struct {
		name string
		edit func(*Config)
		err  string
	}{
		{"ok", func(*Config) {}, ""},
		{"retry 0", func(c *Config) { c.RetryOptions.DurationInSeconds = n(0) }, ""},
		{"retry 7200", func(c *Config) { c.RetryOptions.DurationInSeconds = n(7200) }, ""},
		{"retry 7201", func(c *Config) { c.RetryOptions.DurationInSeconds = n(7201) }, "between 0 and 7200"},
		{"retry -1", func(c *Config) { c.RetryOptions.DurationInSeconds = n(-1) }, "between 0 and 7200"},
		{"bad table", func(c *Config) { c.CopyCommand.DataTableName = "a;drop table x" }, "not a valid table name"},
		{"three-part table", func(c *Config) { c.CopyCommand.DataTableName = "a.b.c" }, "table or schema.table"},
		{"bad column", func(c *Config) { c.CopyCommand.DataTableColumns = "a, b c" }, "invalid column name"},
		{"bad option", func(c *Config) { c.CopyCommand.CopyOptions = "avro 'auto'" }, "AVRO is not supported"},
		{"backup without destination", func(c *Config) { c.S3BackupMode = "Enabled" }, "needs an S3BackupConfiguration"},
		{"bad backup mode", func(c *Config) { c.S3BackupMode = "AllDocuments" }, "Disabled or Enabled"},
		{"no bucket", func(c *Config) { c.Bucket = "" }, "intermediate bucket"},
	} {
		c := base()
		tc.edit(&c)
		_, err := New(c)
		if tc.err == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.err) || !errors.Is(err, &eddy.Error{Code: eddy.CodeInvalidArgument}) {
			t.Errorf("%s: %v, want an InvalidArgumentException with %q", tc.name, err, tc.err)
		}
	}
}

// TestFieldNamesMatchFirehose keeps Config's Firehose fields named as the
// Firehose API names them (aws-sdk-go-v2's types).
func TestFieldNamesMatchFirehose(t *testing.T) {
	for _, tc := range []struct {
		ours, theirs reflect.Type
		only         []string
	}{
		{reflect.TypeFor[Config](), reflect.TypeFor[types.RedshiftDestinationConfiguration](),
			[]string{"ClusterJDBCURL", "Username", "Password", "CopyCommand", "RetryOptions", "S3BackupMode"}},
		{reflect.TypeFor[CopyCommand](), reflect.TypeFor[types.CopyCommand](), nil},
		{reflect.TypeFor[RetryOptions](), reflect.TypeFor[types.RedshiftRetryOptions](), nil},
	} {
		names := tc.only
		if names == nil {
			for i := range tc.ours.NumField() {
				names = append(names, tc.ours.Field(i).Name)
			}
		}
		for _, name := range names {
			if _, ok := tc.ours.FieldByName(name); !ok {
				t.Errorf("%s has no field %s", tc.ours, name)
			}
			if _, ok := tc.theirs.FieldByName(name); !ok {
				t.Errorf("%s.%s is not a field of Firehose's %s", tc.ours, name, tc.theirs)
			}
		}
	}
}
