package redshift

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzCopyOptions: any options string is parsed or refused, never a
// panic; what parses makes a COPY statement whose quoted values are
// balanced.
func FuzzCopyOptions(f *testing.F) {
	for _, s := range []string{"", "json 'auto'", `delimiter '\t' gzip;`, "csv quote as '''' null as 'x'", "ignoreheader 2", "'", "format as csv, delimiter ';'"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := parseCopyOptions(s)
		if err != nil {
			return
		}
		sql := p.pgCopySQL(`"t"`, []string{`"a"`})
		if strings.Count(sql, "'")%2 != 0 {
			t.Fatalf("%q: unbalanced quotes in %s", s, sql)
		}
	})
}

// FuzzJSONToCSV: any staged object converts or fails, never a panic; a
// conversion gives one CSV line per JSON object, with as many fields as
// columns.
func FuzzJSONToCSV(f *testing.F) {
	for _, s := range []string{`{"a":1}`, `{"a":"x\ny"}{"b":null}`, "{}\n{}", `{"a":[1,{"b":"\""}]}`, `[1]`, `null`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := jsonToCSV(data, []string{"a", "b"}, false)
		if err != nil {
			return
		}
		// Fields are quoted; outside quotes, commas and newlines are structure.
		inQuote, commas := false, 0
		for _, c := range out {
			switch {
			case c == '"':
				inQuote = !inQuote
			case !inQuote && c == ',':
				commas++
			case !inQuote && c == '\n':
				if commas != 1 {
					t.Fatalf("%q: a line of %d commas in %q", data, commas, out)
				}
				commas = 0
			}
		}
		if inQuote || (len(out) > 0 && !bytes.HasSuffix(out, []byte("\n"))) {
			t.Fatalf("%q: malformed CSV %q", data, out)
		}
	})
}
