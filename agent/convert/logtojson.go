package convert

import (
	"errors"
	"fmt"
	"regexp"

	"github.com/eddy-streams/eddy/agent/config"
)

// The agent's log patterns (PatternConstants.java), in Go syntax. Java's \s
// is [ \t\n\x0B\f\r] where Go's lacks \x0B (\v), so it is spelled out.
const (
	pInt       = `(?:[+-]?(?:[0-9]+))`
	pPosInt    = `(?:[1-9][0-9]*)`
	pNonNegInt = `(?:[0-9]+)`
	pAnyData   = `.*`
	pWord      = `\w+`
	pNoQuote   = `[^"]+`
	pSpace     = `[ \t\n\v\f\r]`
	pIP        = `(?:[\d\.]+)`
	pHostname  = `(?:[\w\-]+)(?:\.(?:[\w\-]+))*(?:\.?|\b)`
	pIPOrHost  = `(?:` + pHostname + `|` + pIP + `)`
	pURIHost   = `(?:` + pIPOrHost + `(?::` + pPosInt + `)?)`
	pUser      = `(?:[a-zA-Z0-9._-]+)`
	pMonthDay  = `(?:(?:0[1-9])|(?:[12][0-9])|(?:3[01])|[1-9])`
	pDay       = `(?:Mon(?:day)?|Tue(?:sday)?|Wed(?:nesday)?|Thu(?:rsday)?|Fri(?:day)?|Sat(?:urday)?|Sun(?:day)?)`
	pMonth     = `\b(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|Jun(?:e)?|Jul(?:y)?|Aug(?:ust)?|Sep(?:tember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\b`
	pYear      = `(?:[1-9]\d*)`
	pHour      = `(?:2[0123]|[01]?[0-9])`
	pMinute    = `(?:[0-5][0-9])`
	pSecond    = `(?:(?:[0-5]?[0-9]|60)(?:[:\.,][0-9]+)?)`
	pTime      = `(?:` + pHour + `:` + pMinute + `:` + pSecond + `)`
	pHTTPDate  = `(?:` + pMonthDay + `/` + pMonth + `/` + pYear + `:` + pTime + pSpace + pInt + `)`
	pErrorTS   = `(?:` + pDay + pSpace + `+` + pMonth + pSpace + `+` + pMonthDay + pSpace + `+` + pTime + pSpace + `+` + pYear + `)`
	pSyslogTS  = `(?:` + pMonth + pSpace + `+` + pMonthDay + pSpace + `+` + pTime + `)`
	pRFC3339   = `(?:\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?)(?:Z|(?:[-+]\d{2}:\d{2}))`
	pFacility  = `<` + pNonNegInt + `.` + pNonNegInt + `>`
	pProg      = `([\w\._/%-]+)`
	pSyslogPrg = pProg + `(?:\[(` + pPosInt + `)\])?`

	commonApacheLog   = `^(` + pIPOrHost + `) (` + pUser + `) (` + pUser + `) \[(` + pHTTPDate + `)\] "(` + pNoQuote + `)" (` + pInt + `|\-) (` + pInt + `|\-)`
	combinedApacheLog = commonApacheLog + ` "(` + pNoQuote + `)" "(` + pNoQuote + `)"`
	apacheErrorLog    = `^\[(` + pErrorTS + `)\] \[(?:(` + pWord + `):)?(` + pWord + `)\] \[pid (` + pNonNegInt + `)(?::tid (` + pNonNegInt + `))?\] \[client (` + pURIHost + `)\] (` + pAnyData + `)`
	syslogBase        = `^(` + pSyslogTS + `) (?:` + pFacility + ` )?(` + pUser + `) ` + pSyslogPrg + `: (` + pAnyData + `)`
	rfc3339SyslogBase = `^(` + pRFC3339 + `) (?:` + pFacility + ` )?(` + pUser + `) ` + pSyslogPrg + `: (` + pAnyData + `)`
)

// logFormat is one of the agent's predefined log formats: its pattern (the
// ApacheLogParser ones end in ".*", the error log and syslog ones do not),
// its field names, and whether "-" means a missing value (ApacheLogParser
// turns "-" into null; SysLogParser does not).
type logFormat struct {
	pattern  string
	fields   []string
	dashNull bool
}

var logFormats = map[string]logFormat{
	"COMMONAPACHELOG":   {commonApacheLog + `.*`, []string{"host", "ident", "authuser", "datetime", "request", "response", "bytes"}, true},
	"COMBINEDAPACHELOG": {combinedApacheLog + `.*`, []string{"host", "ident", "authuser", "datetime", "request", "response", "bytes", "referer", "agent"}, true},
	"APACHEERRORLOG":    {apacheErrorLog, []string{"timestamp", "module", "severity", "processid", "threadid", "client", "message"}, true},
	"SYSLOG":            {syslogBase, []string{"timestamp", "hostname", "program", "processid", "message"}, false},
	"RFC3339SYSLOG":     {rfc3339SyslogBase, []string{"timestamp", "hostname", "program", "processid", "message"}, false},
}

// logToJSON is LOGTOJSON (LogToJSONDataConverter.java with ApacheLogParser
// or SysLogParser): the record, less its trailing newline, must match the
// pattern as a whole (Java's Matcher.matches); the i-th capturing group
// becomes the i-th field, null when the group did not take part (and, for
// the Apache formats, when it is "-"). A record that does not match, or
// whose pattern has a different number of groups than there are field
// names, is skipped (the agent logs it at debug level and drops it).
type logToJSON struct {
	re       *regexp.Regexp
	fields   *fieldSet
	nfields  int
	dashNull bool
	// fast is set for COMMONAPACHELOG (1) and COMBINEDAPACHELOG (2) without
	// matchPattern: matchApache replaces the regular expression.
	fast int
	idx  []int
	vals [][]byte
}

func newLogToJSON(o *config.ProcessingOption) (*logToJSON, error) {
	f, ok := logFormats[o.LogFormat]
	if !ok {
		return nil, fmt.Errorf("logFormat %q is not accepted", o.LogFormat)
	}
	pattern, names := f.pattern, f.fields
	if o.MatchPattern != "" {
		if o.CustomFieldNames == nil {
			return nil, errors.New("customFieldNames is required with matchPattern")
		}
		pattern, names = o.MatchPattern, o.CustomFieldNames
	} else if o.CustomFieldNames != nil {
		if len(o.CustomFieldNames) != len(f.fields) {
			return nil, fmt.Errorf("%s has %d fields, customFieldNames names %d", o.LogFormat, len(f.fields), len(o.CustomFieldNames))
		}
		names = o.CustomFieldNames
	}
	// Matcher.matches: the whole record. Go's leftmost-first submatch
	// choice is the backtracking one Java makes.
	re, err := regexp.Compile(`^(?:` + pattern + `)$`)
	if err != nil {
		return nil, fmt.Errorf("matchPattern: %w", err)
	}
	c := &logToJSON{re: re, fields: newFieldSet(names), nfields: len(names), dashNull: f.dashNull}
	if o.MatchPattern == "" {
		switch o.LogFormat {
		case "COMMONAPACHELOG":
			c.fast = 1
		case "COMBINEDAPACHELOG":
			c.fast = 2
		}
	}
	return c, nil
}

func (c *logToJSON) Convert(dst, rec []byte) ([]byte, error) {
	line := trimNewline(rec)
	if c.re.NumSubexp() != c.nfields {
		return dst, ErrSkip // "The parsed fields don't match the given fields"
	}
	var groups []int // start and end of each group, -1 when it did not take part
	if c.fast != 0 {
		var ok bool
		c.idx, ok = matchApache(line, c.fast == 2, c.idx)
		if !ok {
			return dst, ErrSkip
		}
		groups = c.idx
	} else {
		m := c.re.FindSubmatchIndex(line)
		if m == nil {
			return dst, ErrSkip // "Invalid log entry given the entry pattern"
		}
		groups = m[2:]
	}
	c.vals = c.vals[:0]
	for i := 0; i < c.nfields; i++ {
		lo, hi := groups[2*i], groups[2*i+1]
		if lo < 0 {
			c.vals = append(c.vals, nil)
			continue
		}
		v := line[lo:hi:hi]
		if c.dashNull && len(v) == 1 && v[0] == '-' {
			v = nil
		} else if v == nil {
			v = []byte{}
		}
		c.vals = append(c.vals, v)
	}
	return c.fields.appendObject(dst, c.vals), nil
}
