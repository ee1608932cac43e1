package convert

import (
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/eddy-streams/eddy/agent/config"
)

// 200-byte lines, as the benchmark ships.
var (
	benchCombined = padTo(`203.0.113.77 - frank [10/Oct/2023:13:55:36 -0700] "GET /static/images/product-4711.png?size=large HTTP/1.1" 200 48213 "https://www.example.com/shop/catalog" "Mozilla/5.0 (X11; Linux x86_64)"`, 200)
	benchSyslog   = padTo(`Oct 11 22:14:15 web-frontend-03 nginx[31337]: upstream response time 0.042s for request id 7f3a9c1e2b4d from client 198.51.100.23, cache status HIT, bytes sent 48213 `, 200)
	benchCSV      = padTo(`2023-10-10T13:55:36Z,203.0.113.77,frank,GET,/static/images/product-4711.png,200,48213,https://www.example.com/shop/catalog,Mozilla/5.0 (X11; Linux x86_64),0.042,HIT,eu-west-1,`, 200)
)

func padTo(s string, n int) string {
	if len(s) >= n {
		return s[:n]
	}
	return s + strings.Repeat("x", n-len(s))
}

func bench(b *testing.B, opts []config.ProcessingOption, line string) {
	c, err := New(opts)
	if err != nil {
		b.Fatal(err)
	}
	rec := []byte(line + "\n")
	buf := make([]byte, 0, 1024)
	if _, err := c.Convert(buf, rec); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(rec)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		out, err := c.Convert(buf[:0], rec)
		if err != nil {
			b.Fatal(err)
		}
		buf = out
	}
}

func BenchmarkSingleLine(b *testing.B) {
	bench(b, []config.ProcessingOption{{OptionName: "SINGLELINE"}}, benchSyslog)
}

func BenchmarkCSVToJSON(b *testing.B) {
	names := []string{"ts", "ip", "user", "method", "path", "status", "bytes", "referer", "agent", "latency", "cache", "region"}
	bench(b, []config.ProcessingOption{csvOpt(",", names...)}, benchCSV)
}

func BenchmarkLogToJSONCombined(b *testing.B) {
	bench(b, []config.ProcessingOption{logOpt("COMBINEDAPACHELOG")}, benchCombined)
}

func BenchmarkLogToJSONSyslog(b *testing.B) {
	bench(b, []config.ProcessingOption{logOpt("SYSLOG")}, benchSyslog)
}

func BenchmarkAddMetadata(b *testing.B) {
	bench(b, []config.ProcessingOption{{OptionName: "ADDMETADATA", Metadata: json.RawMessage(`{"host":"web-3","env":"prod"}`)}}, benchSyslog)
}

func BenchmarkAddEC2Metadata(b *testing.B) {
	b.Setenv(EnvEC2InstanceID, "i-0123456789abcdef0")
	bench(b, []config.ProcessingOption{logOpt("SYSLOG"), {OptionName: "ADDEC2METADATA", LogFormat: "SYSLOG"}}, benchSyslog)
}

// FuzzConverters runs every converter on arbitrary records: no panic, and
// the JSON converters write valid JSON ending in "\n" (or skip or fail).
func FuzzConverters(f *testing.F) {
	for _, v := range vectors {
		f.Add(v.in)
	}
	f.Add("\xff\x00\n\n  \t")
	sets := [][]config.ProcessingOption{
		{{OptionName: "SINGLELINE"}},
		{csvOpt(",", "a", "b", "c")},
		{csvOpt(`\s*\|?`, "a", "b")},
		{logOpt("COMMONAPACHELOG")},
		{logOpt("COMBINEDAPACHELOG")},
		{logOpt("APACHEERRORLOG")},
		{logOpt("SYSLOG")},
		{logOpt("RFC3339SYSLOG")},
		{{OptionName: "ADDMETADATA", Timestamp: true, Metadata: json.RawMessage(`{"a":[1,2.5]}`)}},
		{{OptionName: "ADDEC2METADATA", LogFormat: "SYSLOG"}},
	}
	env := func(k string) string {
		if k == EnvEC2InstanceID {
			return "i-1"
		}
		return ""
	}
	convs := make([]Converter, len(sets))
	for i, s := range sets {
		c, err := New(s, WithEnv(env))
		if err != nil {
			f.Fatal(err)
		}
		convs[i] = c
	}
	f.Fuzz(func(t *testing.T, in string) {
		for i, c := range convs {
			out, err := c.Convert(nil, []byte(in))
			if err != nil {
				if !errors.Is(err, ErrSkip) && !errors.Is(err, ErrFailed) {
					t.Fatalf("set %d: unexpected error %v", i, err)
				}
				continue
			}
			if len(out) == 0 || out[len(out)-1] != '\n' {
				t.Fatalf("set %d: output %q does not end in a newline", i, out)
			}
			if i > 0 && !json.Valid(out) {
				t.Fatalf("set %d: invalid JSON %q from %q", i, out, in)
			}
		}
	})
}

// FuzzApacheFast checks that matchApache gives exactly the groups the
// COMMONAPACHELOG and COMBINEDAPACHELOG regular expressions give.
func FuzzApacheFast(f *testing.F) {
	for _, v := range vectors {
		f.Add(v.in)
	}
	f.Add(benchCombined)
	f.Add(`a.b. x_y -.- [1/Jan/2000:0:00:00.5 +1] "r" -12 - "q" "w"` + "\n")
	f.Add(`... u u [31/December/9:23:59:60,1  -0] "r" + -`)
	res := []*regexp.Regexp{regexp.MustCompile(`^(?:` + logFormats["COMMONAPACHELOG"].pattern + `)$`),
		regexp.MustCompile(`^(?:` + logFormats["COMBINEDAPACHELOG"].pattern + `)$`)}
	f.Fuzz(func(t *testing.T, line string) {
		for i, re := range res {
			want := re.FindStringSubmatchIndex(line)
			got, ok := matchApache([]byte(line), i == 1, nil)
			if ok != (want != nil) {
				t.Fatalf("combined=%v %q: fast match %v, regexp %v", i == 1, line, ok, want != nil)
			}
			if ok && !slices.Equal(got, want[2:]) {
				t.Fatalf("combined=%v %q: fast groups %v, regexp %v", i == 1, line, got, want[2:])
			}
		}
	})
}
