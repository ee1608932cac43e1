package redshift

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// copyPlan is what the Redshift COPY options of a delivery stream mean for
// PostgreSQL: the format of the staged object and how to load it.
//
// The options are those of Redshift's COPY command ("Data format
// parameters", "Data conversion parameters" and "File compression
// parameters" of the Amazon Redshift Database Developer Guide,
// https://docs.aws.amazon.com/redshift/latest/dg/copy-parameters-data-format.html,
// .../copy-parameters-data-conversion.html,
// .../copy-parameters-file-compression.html). Those with a PostgreSQL
// meaning are kept; every other one is refused by parseCopyOptions.
type copyPlan struct {
	// format is "text" (Redshift's default: delimited text, '|' between
	// fields), "csv" or "json".
	format string
	// delimiter between fields; 0 for the format's default ('|' for text,
	// ',' for CSV, as Redshift's).
	delimiter byte
	// quote is CSV's quote character; 0 for '"'.
	quote byte
	// null is the string loaded as NULL (NULL AS); nil for the format's
	// default ('\N' for text, an unquoted empty field for CSV).
	null *string
	// ignoreHeader is how many leading lines of the object are skipped
	// (IGNOREHEADER).
	ignoreHeader int
	// gzip: the object is gzip-compressed (GZIP).
	gzip bool
	// jsonIgnoreCase: JSON 'auto ignorecase' matches keys to columns
	// without regard to case; JSON 'auto' matches them exactly.
	jsonIgnoreCase bool
}

// copyToken is one word, quoted string or number of the options.
type copyToken struct {
	text   string
	quoted bool
}

// tokenizeCopyOptions splits Redshift COPY options into words and quoted
// strings (in single quotes, a quote inside doubled or after a backslash,
// and the escapes backslash-t, -n and -backslash as
// Redshift reads them in DELIMITER '\t'). Commas and semicolons between
// options are ignored.
func tokenizeCopyOptions(s string) ([]copyToken, error) {
	var toks []copyToken
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == ';':
			i++
		case c == '\'':
			var sb strings.Builder
			i++
			closed := false
			for i < len(s) {
				ch := s[i]
				if ch == '\'' {
					if i+1 < len(s) && s[i+1] == '\'' {
						sb.WriteByte('\'')
						i += 2
						continue
					}
					i++
					closed = true
					break
				}
				if ch == '\\' && i+1 < len(s) {
					switch s[i+1] {
					case 't':
						sb.WriteByte('\t')
					case 'n':
						sb.WriteByte('\n')
					case '\\':
						sb.WriteByte('\\')
					case '\'':
						sb.WriteByte('\'')
					default:
						sb.WriteByte('\\')
						sb.WriteByte(s[i+1])
					}
					i += 2
					continue
				}
				sb.WriteByte(ch)
				i++
			}
			if !closed {
				return nil, fmt.Errorf("unterminated quoted string in COPY options %q", s)
			}
			toks = append(toks, copyToken{text: sb.String(), quoted: true})
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\n\r,;'", rune(s[j])) {
				j++
			}
			toks = append(toks, copyToken{text: s[i:j]})
			i = j
		}
	}
	return toks, nil
}

// unsupportedCopyOptions are Redshift COPY parameters PostgreSQL cannot
// play: named in the refusal, so the message says which one and why.
var unsupportedCopyOptions = map[string]string{
	"FIXEDWIDTH": "fixed-width data", "SHAPEFILE": "shapefiles", "AVRO": "Avro data", "PARQUET": "Parquet data",
	"ORC": "ORC data", "RCFILE": "RCFile data", "SEQUENCEFILE": "SequenceFile data",
	"BZIP2": "bzip2 compression", "LZOP": "lzop compression", "ZSTD": "zstd compression",
	"MANIFEST": "manifests (Eddy copies the staged object itself)", "ENCRYPTED": "client-side encrypted objects",
	"REGION": "an S3 region", "IAM_ROLE": "IAM roles", "CREDENTIALS": "credentials", "ACCESS_KEY_ID": "credentials",
	"SECRET_ACCESS_KEY": "credentials", "SESSION_TOKEN": "credentials",
	"ACCEPTANYDATE": "ACCEPTANYDATE", "ACCEPTINVCHARS": "ACCEPTINVCHARS", "BLANKSASNULL": "BLANKSASNULL",
	"EMPTYASNULL": "EMPTYASNULL", "ENCODING": "ENCODING", "ESCAPE": "ESCAPE", "EXPLICIT_IDS": "EXPLICIT_IDS",
	"FILLRECORD": "FILLRECORD", "IGNOREBLANKLINES": "IGNOREBLANKLINES", "REMOVEQUOTES": "REMOVEQUOTES",
	"ROUNDEC": "ROUNDEC", "TRIMBLANKS": "TRIMBLANKS", "TRUNCATECOLUMNS": "TRUNCATECOLUMNS",
	"COMPROWS": "COMPROWS", "COMPUPDATE": "COMPUPDATE", "IGNOREALLERRORS": "IGNOREALLERRORS", "MAXERROR": "MAXERROR",
	"NOLOAD": "NOLOAD", "STATUPDATE": "STATUPDATE", "SERIALIZETOJSON": "SERIALIZETOJSON",
}

// supportedCopyOptions is named in every refusal.
const supportedCopyOptions = "CSV [QUOTE [AS] 'c'], FORMAT [AS] CSV|JSON, JSON [AS] 'auto'|'auto ignorecase', " +
	"DELIMITER [AS] 'c', NULL AS 's', IGNOREHEADER [AS] n, GZIP, DATEFORMAT/TIMEFORMAT [AS] 'auto'"

// parseCopyOptions reads a delivery stream's CopyOptions.
func parseCopyOptions(s string) (copyPlan, error) {
	toks, err := tokenizeCopyOptions(s)
	if err != nil {
		return copyPlan{}, err
	}
	p := copyPlan{format: "text"}
	formatSet := false
	i := 0
	word := func() (string, bool) {
		if i < len(toks) && !toks[i].quoted {
			return strings.ToUpper(toks[i].text), true
		}
		return "", false
	}
	skipAs := func() {
		if w, ok := word(); ok && w == "AS" {
			i++
		}
	}
	quoted := func(opt string) (string, error) {
		skipAs()
		if i >= len(toks) || !toks[i].quoted {
			return "", fmt.Errorf("COPY option %s needs a quoted value", opt)
		}
		i++
		return toks[i-1].text, nil
	}
	oneChar := func(opt string) (byte, error) {
		v, err := quoted(opt)
		if err != nil {
			return 0, err
		}
		if len(v) != 1 || v[0] > unicode.MaxASCII || v[0] == '\n' || v[0] == '\r' {
			return 0, fmt.Errorf("COPY option %s needs a single ASCII character, not %q", opt, v)
		}
		return v[0], nil
	}
	setFormat := func(f string) error {
		if formatSet && p.format != f {
			return fmt.Errorf("COPY options name two data formats (%s and %s)", strings.ToUpper(p.format), strings.ToUpper(f))
		}
		p.format, formatSet = f, true
		return nil
	}
	readJSON := func() error {
		if err := setFormat("json"); err != nil {
			return err
		}
		skipAs()
		if i >= len(toks) || !toks[i].quoted {
			return fmt.Errorf("COPY option JSON needs 'auto' or 'auto ignorecase'")
		}
		switch v := strings.ToLower(toks[i].text); v {
		case "auto":
		case "auto ignorecase":
			p.jsonIgnoreCase = true
		default:
			return fmt.Errorf("COPY option JSON %q is not supported: Eddy's PostgreSQL stand-in for Redshift reads JSON only by "+
				"column name ('auto' or 'auto ignorecase'), not through a JSONPaths file", toks[i].text)
		}
		i++
		return nil
	}
	for i < len(toks) {
		t := toks[i]
		if t.quoted {
			return copyPlan{}, fmt.Errorf("unexpected quoted string %q in COPY options", t.text)
		}
		opt := strings.ToUpper(t.text)
		i++
		switch opt {
		case "CSV":
			if err := setFormat("csv"); err != nil {
				return copyPlan{}, err
			}
			if w, ok := word(); ok && w == "QUOTE" {
				i++
				if p.quote, err = oneChar("QUOTE"); err != nil {
					return copyPlan{}, err
				}
			}
		case "QUOTE":
			if p.quote, err = oneChar("QUOTE"); err != nil {
				return copyPlan{}, err
			}
		case "FORMAT":
			skipAs()
			w, ok := word()
			if !ok {
				return copyPlan{}, fmt.Errorf("COPY option FORMAT needs a format name")
			}
			i++
			switch w {
			case "CSV":
				err = setFormat("csv")
			case "JSON":
				err = readJSON()
			default:
				if what, known := unsupportedCopyOptions[w]; known {
					err = fmt.Errorf("COPY option FORMAT %s is not supported: Eddy's PostgreSQL stand-in for Redshift does not load %s; supported: %s", w, what, supportedCopyOptions)
				} else {
					err = fmt.Errorf("COPY option FORMAT %s is not supported; supported: %s", w, supportedCopyOptions)
				}
			}
			if err != nil {
				return copyPlan{}, err
			}
		case "JSON":
			if err := readJSON(); err != nil {
				return copyPlan{}, err
			}
		case "DELIMITER":
			if p.delimiter, err = oneChar("DELIMITER"); err != nil {
				return copyPlan{}, err
			}
		case "NULL":
			v, err := quoted("NULL AS")
			if err != nil {
				return copyPlan{}, err
			}
			p.null = &v
		case "IGNOREHEADER":
			skipAs()
			if i >= len(toks) || toks[i].quoted {
				return copyPlan{}, fmt.Errorf("COPY option IGNOREHEADER needs a number of rows")
			}
			n, err := strconv.Atoi(toks[i].text)
			if err != nil || n < 0 {
				return copyPlan{}, fmt.Errorf("COPY option IGNOREHEADER needs a number of rows, not %q", toks[i].text)
			}
			p.ignoreHeader = n
			i++
		case "GZIP":
			p.gzip = true
		case "DATEFORMAT", "TIMEFORMAT":
			v, err := quoted(opt)
			if err != nil {
				return copyPlan{}, err
			}
			if !strings.EqualFold(v, "auto") {
				return copyPlan{}, fmt.Errorf("COPY option %s %q is not supported: Eddy's PostgreSQL stand-in for Redshift "+
					"parses dates and times as PostgreSQL does, which only %s 'auto' stands for", opt, v, opt)
			}
		default:
			if what, known := unsupportedCopyOptions[opt]; known {
				return copyPlan{}, fmt.Errorf("COPY option %s is not supported: Eddy's PostgreSQL stand-in for Redshift has no "+
					"equivalent of %s; supported: %s", opt, what, supportedCopyOptions)
			}
			return copyPlan{}, fmt.Errorf("unknown COPY option %q; supported: %s", t.text, supportedCopyOptions)
		}
	}
	if p.quote != 0 && p.format != "csv" {
		return copyPlan{}, fmt.Errorf("COPY option QUOTE needs CSV")
	}
	if p.format == "json" && (p.delimiter != 0 || p.null != nil || p.ignoreHeader > 0) {
		return copyPlan{}, fmt.Errorf("COPY options DELIMITER, NULL AS and IGNOREHEADER do not apply to JSON")
	}
	return p, nil
}

// pgCopySQL is the PostgreSQL COPY statement that loads text or CSV data
// of the plan from STDIN into table (columns).
func (p copyPlan) pgCopySQL(table string, columns []string) string {
	var sb strings.Builder
	sb.WriteString("COPY ")
	sb.WriteString(table)
	if len(columns) > 0 {
		sb.WriteString(" (")
		sb.WriteString(strings.Join(columns, ", "))
		sb.WriteString(")")
	}
	sb.WriteString(" FROM STDIN WITH (FORMAT ")
	delim := p.delimiter
	switch p.format {
	case "csv", "json": // JSON records are turned into CSV rows
		sb.WriteString("csv")
		if p.format == "json" {
			delim = ','
		}
	default:
		sb.WriteString("text")
		if delim == 0 {
			delim = '|' // Redshift's default delimiter (PostgreSQL's is a tab)
		}
	}
	if delim != 0 {
		sb.WriteString(", DELIMITER " + sqlLiteral(string(delim)))
	}
	if p.quote != 0 {
		sb.WriteString(", QUOTE " + sqlLiteral(string(p.quote)))
	}
	if p.null != nil {
		sb.WriteString(", NULL " + sqlLiteral(*p.null))
	}
	sb.WriteString(")")
	return sb.String()
}

// sqlLiteral quotes s as a standard SQL string literal.
func sqlLiteral(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
