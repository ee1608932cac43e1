package convert

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/agent/config"
)

// Test vectors come from two sources, cited per case:
//   - [doc]: AWS's Firehose developer guide, "Writing to Amazon Data Firehose
//     Using Kinesis Agent", section "Use the agent to Preprocess Data"
//     (https://docs.aws.amazon.com/firehose/latest/dev/writing-with-agents.html);
//   - [agent]: the agent's own unit tests, awslabs/amazon-kinesis-agent
//     tst/com/amazon/kinesis/streaming/agent/processing/processors/DataConverterTest.java.

const (
	clfLine   = `123.45.67.89 - - [27/Oct/2000:09:27:09 -0400] "GET /java/javaResources.html HTTP/1.0" 200 10450`
	clfOutput = `{"host":"123.45.67.89","ident":null,"authuser":null,"datetime":"27/Oct/2000:09:27:09 -0400","request":"GET /java/javaResources.html HTTP/1.0","response":"200","bytes":"10450"}` + "\n"
)

type vector struct {
	name string
	opts []config.ProcessingOption
	in   string
	want string // "" with skip: ErrSkip
	skip bool
}

func logOpt(format string) config.ProcessingOption {
	return config.ProcessingOption{OptionName: "LOGTOJSON", LogFormat: format}
}

func csvOpt(delim string, fields ...string) config.ProcessingOption {
	return config.ProcessingOption{OptionName: "CSVTOJSON", Delimiter: delim, CustomFieldNames: fields}
}

var vectors = []vector{
	// [doc] Example: LOGTOJSON Configuration.
	{"doc common log", []config.ProcessingOption{logOpt("COMMONAPACHELOG")},
		`64.242.88.10 - - [07/Mar/2004:16:10:02 -0800] "GET /mailman/listinfo/hsdivision HTTP/1.1" 200 6291` + "\n",
		`{"host":"64.242.88.10","ident":null,"authuser":null,"datetime":"07/Mar/2004:16:10:02 -0800","request":"GET /mailman/listinfo/hsdivision HTTP/1.1","response":"200","bytes":"6291"}` + "\n", false},
	// [doc] Example: LOGTOJSON Configuration With Custom Fields.
	{"doc custom fields", []config.ProcessingOption{{OptionName: "LOGTOJSON", LogFormat: "COMMONAPACHELOG", CustomFieldNames: []string{"f1", "f2", "f3", "f4", "f5", "f6", "f7"}}},
		`64.242.88.10 - - [07/Mar/2004:16:10:02 -0800] "GET /mailman/listinfo/hsdivision HTTP/1.1" 200 6291`,
		`{"f1":"64.242.88.10","f2":null,"f3":null,"f4":"07/Mar/2004:16:10:02 -0800","f5":"GET /mailman/listinfo/hsdivision HTTP/1.1","f6":"200","f7":"6291"}` + "\n", false},
	// [doc] Example: LOGTOJSON Configuration with Match Pattern; also [agent]
	// testApacheLogDataConverterCustomPattern.
	{"doc match pattern", []config.ProcessingOption{{OptionName: "LOGTOJSON", LogFormat: "COMMONAPACHELOG",
		MatchPattern:     `^([\d.]+) (\S+) (\S+) \[([\w:/]+\s[+\-]\d{4})\] "(.+?)" (\d{3})`,
		CustomFieldNames: []string{"host", "ident", "authuser", "datetime", "request", "response"}}},
		`123.45.67.89 - - [27/Oct/2000:09:27:09 -0400] "GET /java/javaResources.html HTTP/1.0" 200`,
		`{"host":"123.45.67.89","ident":null,"authuser":null,"datetime":"27/Oct/2000:09:27:09 -0400","request":"GET /java/javaResources.html HTTP/1.0","response":"200"}` + "\n", false},
	// [agent] testApacheLogDataConverterCombinedApacheLog.
	{"agent combined", []config.ProcessingOption{logOpt("COMBINEDAPACHELOG")},
		clfLine + ` "-" "Mozilla/4.6 [en] (X11; U; OpenBSD 2.8 i386; Nav)" "ANY_RANDOM_DATA"`,
		`{"host":"123.45.67.89","ident":null,"authuser":null,"datetime":"27/Oct/2000:09:27:09 -0400","request":"GET /java/javaResources.html HTTP/1.0","response":"200","bytes":"10450","referer":null,"agent":"Mozilla/4.6 [en] (X11; U; OpenBSD 2.8 i386; Nav)"}` + "\n", false},
	// [agent] testApacheLogDataConverterCommonApacheLog (three lines).
	{"agent common extra fields", []config.ProcessingOption{logOpt("COMMONAPACHELOG")},
		clfLine + ` "-" "Mozilla/4.6 [en] (X11; U; OpenBSD 2.8 i386; Nav)"`, clfOutput, false},
	{"agent common", []config.ProcessingOption{logOpt("COMMONAPACHELOG")}, clfLine, clfOutput, false},
	{"agent common hostname", []config.ProcessingOption{logOpt("COMMONAPACHELOG")},
		strings.Replace(clfLine, "123.45.67.89", "lj1036.inktomisearch.com", 1),
		strings.Replace(clfOutput, "123.45.67.89", "lj1036.inktomisearch.com", 1), false},
	// [agent] testApacheLogDataConverterInvalidLog: filtered out.
	{"agent invalid", []config.ProcessingOption{logOpt("COMMONAPACHELOG")},
		`123.45.67.89 - - [27/Oct/2000:09:27:09 -0400] "GET /java/javaResources.html HTTP/1.0" 200`, "", true},
	// [agent] testApacheLogDataConverterCustomCommonApacheLog.
	{"agent custom common", []config.ProcessingOption{{OptionName: "LOGTOJSON", LogFormat: "COMMONAPACHELOG",
		CustomFieldNames: []string{"column1", "column2", "column3", "column4", "column5", "column6", "column7"}}}, clfLine,
		`{"column1":"123.45.67.89","column2":null,"column3":null,"column4":"27/Oct/2000:09:27:09 -0400","column5":"GET /java/javaResources.html HTTP/1.0","column6":"200","column7":"10450"}` + "\n", false},
	// [agent] testApacheLogDataConverterApacheErrorLog (three lines).
	{"agent error log", []config.ProcessingOption{logOpt("APACHEERRORLOG")},
		`[Fri Sep 09 10:42:29.902022 2011] [core:error] [pid 35708:tid 4328636416] [client 72.15.99.187] File does not exist: /usr/local/apache2/htdocs/favicon.ico`,
		`{"timestamp":"Fri Sep 09 10:42:29.902022 2011","module":"core","severity":"error","processid":"35708","threadid":"4328636416","client":"72.15.99.187","message":"File does not exist: /usr/local/apache2/htdocs/favicon.ico"}` + "\n", false},
	{"agent error log no tid", []config.ProcessingOption{logOpt("APACHEERRORLOG")},
		`[Fri Sep 09 10:42:29 2011] [core:error] [pid 35708] [client 72.15.99.187] File does not exist: /usr/local/apache2/htdocs/favicon.ico`,
		`{"timestamp":"Fri Sep 09 10:42:29 2011","module":"core","severity":"error","processid":"35708","threadid":null,"client":"72.15.99.187","message":"File does not exist: /usr/local/apache2/htdocs/favicon.ico"}` + "\n", false},
	{"agent error log no module", []config.ProcessingOption{logOpt("APACHEERRORLOG")},
		`[Fri Sep 09 10:42:29.902022 2011] [error] [pid 35708:tid 4328636416] [client 72.15.99.187:12345] File does not exist: /usr/local/apache2/htdocs/favicon.ico`,
		`{"timestamp":"Fri Sep 09 10:42:29.902022 2011","module":null,"severity":"error","processid":"35708","threadid":"4328636416","client":"72.15.99.187:12345","message":"File does not exist: /usr/local/apache2/htdocs/favicon.ico"}` + "\n", false},
	// [agent] testSysLogDataConverter (two lines).
	{"agent syslog pid", []config.ProcessingOption{logOpt("SYSLOG")},
		`Mar 12 12:00:08 server2 rcd[308]: Loaded 12 packages in 'ximian-red-carpet|351' (0.01878 seconds) `,
		`{"timestamp":"Mar 12 12:00:08","hostname":"server2","program":"rcd","processid":"308","message":"Loaded 12 packages in 'ximian-red-carpet|351' (0.01878 seconds) "}` + "\n", false},
	{"agent syslog no pid", []config.ProcessingOption{logOpt("SYSLOG")},
		`Mar 12 12:01:02 server4 snort: Ports to decode telnet on: 21 23 25 119`,
		`{"timestamp":"Mar 12 12:01:02","hostname":"server4","program":"snort","processid":null,"message":"Ports to decode telnet on: 21 23 25 119"}` + "\n", false},
	// RFC3339SYSLOG: the pattern of PatternConstants.RFC3339_SYSLOG_BASE;
	// the agent's tests have no vector, so this one is derived from the
	// pattern. SysLogParser keeps "-" as a value.
	{"rfc3339 syslog", []config.ProcessingOption{logOpt("RFC3339SYSLOG")},
		`2024-01-02T03:04:05.123+00:00 web-1 sshd[42]: - accepted`,
		`{"timestamp":"2024-01-02T03:04:05.123+00:00","hostname":"web-1","program":"sshd","processid":"42","message":"- accepted"}` + "\n", false},
	{"syslog dash kept", []config.ProcessingOption{logOpt("SYSLOG")}, `Mar 12 12:01:02 server4 snort: -`,
		`{"timestamp":"Mar 12 12:01:02","hostname":"server4","program":"snort","processid":null,"message":"-"}` + "\n", false},
	// [agent] testCSVToJSONDataConverter (three lines). The record holds a
	// newline inside (a multi-line record); it is escaped.
	{"agent csv", []config.ProcessingOption{csvOpt(",", "column1", "column2", "column3", "column4")},
		"value1, value2,valu\ne3,    value4\n",
		`{"column1":"value1","column2":" value2","column3":"valu\ne3","column4":"    value4"}` + "\n", false},
	{"agent csv fewer", []config.ProcessingOption{csvOpt(",", "column1", "column2", "column3", "column4")},
		"value1, value2,value3\n",
		`{"column1":"value1","column2":" value2","column3":"value3","column4":null}` + "\n", false},
	{"agent csv more", []config.ProcessingOption{csvOpt(",", "column1", "column2", "column3", "column4")},
		"value1,value2,value3,value4,value5\n",
		`{"column1":"value1","column2":"value2","column3":"value3","column4":"value4"}` + "\n", false},
	// [agent] testCSVToJSONDataConverterConvertingTSV: "\\t" in Java source
	// is the two characters \t, a regular expression for a tab.
	{"agent tsv", []config.ProcessingOption{csvOpt(`\t`, "column1", "column2", "column3", "column4")},
		"value1\t value2\tvalue3\t    value4\n",
		`{"column1":"value1","column2":" value2","column3":"value3","column4":"    value4"}` + "\n", false},
	// String.split drops trailing empty columns: the third field is null,
	// not "".
	{"csv trailing empty", []config.ProcessingOption{csvOpt(",", "a", "b", "c")}, "x,,\n", `{"a":"x","b":null,"c":null}` + "\n", false},
	{"csv inner empty", []config.ProcessingOption{csvOpt(",", "a", "b", "c")}, "x,,z", `{"a":"x","b":"","c":"z"}` + "\n", false},
	{"csv empty record", []config.ProcessingOption{csvOpt(",", "a", "b")}, "\n", `{"a":"","b":null}` + "\n", false},
	{"csv regex delimiter", []config.ProcessingOption{csvOpt(`\s*;\s*`, "a", "b")}, "1 ; 2", `{"a":"1","b":"2"}` + "\n", false},
	{"csv duplicate names", []config.ProcessingOption{csvOpt(",", "a", "b", "a")}, "1,2,3", `{"a":"3","b":"2"}` + "\n", false},
	// Jackson escaping: control characters as \u00XX upper case, '/' and
	// non-ASCII as is, a malformed byte as U+FFFD.
	{"csv escaping", []config.ProcessingOption{csvOpt("\t", "a")}, "q\"b\\s/\x01\x1f\u00e9\xff", `{"a":"q\"b\\s/\u0001\u001F` + "\u00e9\uFFFD" + `"}` + "\n", false},
	// [agent] testSingleLineDataConverter.
	{"agent singleline", []config.ProcessingOption{{OptionName: "SINGLELINE"}},
		"{\n   \"a\": {\n           \"b\": 1,\n           \"c\": null,\n           \"d\": true\n    },\n   \"e\": \"f\",\n   \"g\": 2\n     }\n",
		`{"a": {"b": 1,"c": null,"d": true},"e": "f","g": 2}` + "\n", false},
	// [doc] Example: Convert Multi-Line Records: SINGLELINE then CSVTOJSON
	// on tabs.
	{"doc multi-line chain", []config.ProcessingOption{{OptionName: "SINGLELINE"}, csvOpt(`\t`, "field1", "field2", "field3")},
		"[SEQUENCE=1]\tfirst\n   second\tthird  \n",
		`{"field1":"[SEQUENCE=1]","field2":"firstsecond","field3":"third"}` + "\n", false},
	{"chain skip", []config.ProcessingOption{{OptionName: "SINGLELINE"}, logOpt("SYSLOG")}, "not syslog\n", "", true},
	{"no options", nil, "as is\n", "as is\n", false},
	// ADDMETADATA (AddMetadataConverter.java): metadata re-written by
	// Jackson (doubles as Java prints them), the record as "data".
	{"addmetadata", []config.ProcessingOption{{OptionName: "ADDMETADATA", Metadata: json.RawMessage(`{"key":"value","foo":{"bar":"baz"},"n":[1,2.50,1e3,-0],"k":1,"key":"again"}`)}},
		"line one\n", `{"metadata":{"key":"again","foo":{"bar":"baz"},"n":[1,2.5,1000.0,0],"k":1},"data":"line one"}` + "\n", false},
	{"addmetadata none", []config.ProcessingOption{{OptionName: "ADDMETADATA"}}, "x", `{"metadata":null,"data":"x"}` + "\n", false},
	{"addmetadata timestamp", []config.ProcessingOption{{OptionName: "ADDMETADATA", Timestamp: true, Metadata: json.RawMessage(`{"host":"a"}`)}},
		"x\n", `{"ts":"2024-03-04T05:06:07.089Z","metadata":{"host":"a"},"data":"x"}` + "\n", false},
}

var testClock = func() time.Time { return time.Date(2024, 3, 4, 5, 6, 7, 89e6, time.UTC) }

func TestVectors(t *testing.T) {
	for _, v := range vectors {
		t.Run(v.name, func(t *testing.T) {
			c, err := New(v.opts, WithClock(testClock))
			if err != nil {
				t.Fatal(err)
			}
			prefix := []byte("keep:")
			got, err := c.Convert(prefix, []byte(v.in))
			if v.skip {
				if !errors.Is(err, ErrSkip) {
					t.Fatalf("got %q, %v; want ErrSkip", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != "keep:"+v.want {
				t.Fatalf("got\n%s\nwant\n%s", got[5:], v.want)
			}
			// The output of the JSON converters is valid JSON.
			if v.opts != nil && v.opts[len(v.opts)-1].OptionName != "SINGLELINE" && !json.Valid(got[5:]) {
				t.Fatalf("invalid JSON %q", got[5:])
			}
			// Converting again with the same converter gives the same bytes
			// (no state leaks between records).
			again, err := c.Convert(nil, []byte(v.in))
			if err != nil || string(again) != v.want {
				t.Fatalf("second conversion %q, %v", again, err)
			}
		})
	}
}

func TestGroupCountMismatchSkips(t *testing.T) {
	// LogToJSON with a matchPattern whose group count differs from
	// customFieldNames: every record is skipped ("The parsed fields don't
	// match the given fields"), as in ApacheLogParser.parseLogRecord.
	c, err := New([]config.ProcessingOption{{OptionName: "LOGTOJSON", LogFormat: "COMMONAPACHELOG", MatchPattern: `(a)(b)`, CustomFieldNames: []string{"x"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Convert(nil, []byte("ab")); !errors.Is(err, ErrSkip) {
		t.Fatalf("err = %v", err)
	}
}

func TestNewRejects(t *testing.T) {
	for _, o := range []config.ProcessingOption{
		{OptionName: "CSVTOJSON"},
		{OptionName: "LOGTOJSON", LogFormat: "NGINX"},
		{OptionName: "LOGTOJSON", LogFormat: "SYSLOG", MatchPattern: "(x)"},
		{OptionName: "LOGTOJSON", LogFormat: "SYSLOG", CustomFieldNames: []string{"a"}},
		{OptionName: "LOGTOJSON", LogFormat: "SYSLOG", MatchPattern: "(?<=x)", CustomFieldNames: []string{"a"}},
		{OptionName: "ADDMETADATA", Metadata: json.RawMessage(`{`)},
		{OptionName: "UPPER"},
	} {
		if _, err := New([]config.ProcessingOption{o}); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
}

func TestAddEC2Metadata(t *testing.T) {
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	now := time.Date(2024, 3, 4, 5, 6, 7, 0, time.FixedZone("X", -7*3600))
	clock := func() time.Time { return now }
	opts := []config.ProcessingOption{logOpt("SYSLOG"), {OptionName: "ADDEC2METADATA", LogFormat: "SYSLOG", MetadataTTL: time.Hour}}

	// No instance: the record passes unchanged.
	c, err := New(opts, WithEnv(getenv), WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	line := "Mar 12 12:01:02 server4 snort: hi"
	base := `{"timestamp":"Mar 12 12:01:02","hostname":"server4","program":"snort","processid":null,"message":"hi"`
	got, err := c.Convert(nil, []byte(line))
	if err != nil || string(got) != base+"}\n" {
		t.Fatalf("got %q, %v", got, err)
	}

	// An instance: the fields in the agent's order; unset ones null.
	env[EnvEC2InstanceID] = "i-0123"
	env[EnvEC2Region] = "eu-west-1"
	env[EnvEC2PrivateIP] = "10.0.0.1"
	c, err = New(opts, WithEnv(getenv), WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	got, err = c.Convert(nil, []byte(line))
	want := base + `,"privateIp":"10.0.0.1","availabilityZone":null,"instanceId":"i-0123","instanceType":null,"accountId":null,"amiId":null,"region":"eu-west-1","metadataTimestamp":"2024-03-04T05:06:07-0700"}` + "\n"
	if err != nil || string(got) != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}

	// The metadata is re-read after metadataTTL.
	env[EnvEC2Region] = "us-east-2"
	now = now.Add(30 * time.Minute)
	if got, _ = c.Convert(nil, []byte(line)); strings.Contains(string(got), "us-east-2") {
		t.Fatalf("re-read before the TTL: %s", got)
	}
	now = now.Add(31 * time.Minute)
	if got, _ = c.Convert(nil, []byte(line)); !strings.Contains(string(got), `"region":"us-east-2","metadataTimestamp":"2024-03-04T06:07:07-0700"`) {
		t.Fatalf("not re-read after the TTL: %s", got)
	}

	// A record that is not a JSON object fails.
	only, err := New(opts[1:], WithEnv(getenv), WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"plain text\n", "[1,2]\n", `{"a":`, ""} {
		if _, err := only.Convert(nil, []byte(bad)); !errors.Is(err, ErrFailed) {
			t.Errorf("%q: err = %v", bad, err)
		}
	}
}

func TestJavaDouble(t *testing.T) {
	for in, want := range map[string]string{
		"1.0": "1.0", "2.50": "2.5", "1e3": "1000.0", "1e7": "1.0E7", "12345678.9": "1.23456789E7",
		"0.001": "0.001", "0.0001": "1.0E-4", "-1.5e-5": "-1.5E-5", "0.0": "0.0", "-0.0": "-0.0",
		"100": "100", "-0": "0", "123456789012345678901234567890": "123456789012345678901234567890",
	} {
		if got := string(appendJavaNumber(nil, in)); got != want {
			t.Errorf("%s: got %s want %s", in, got, want)
		}
	}
}
