package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/eddy-streams/eddy/analytics"
	"github.com/eddy-streams/eddy/analytics/engine"
	"github.com/eddy-streams/eddy/analytics/functions"
	"github.com/eddy-streams/eddy/analytics/runner"
	"github.com/eddy-streams/eddy/analytics/sql"
	"github.com/eddy-streams/eddy/protocol/kda"
)

const sqlSynopsis = `"SELECT STREAM ..." --stream STREAM [--from latest|trim-horizon] [--columns "NAME TYPE, ..."] [--format text|json|csv] [flags]`

const sqlHelp = `
eddy sql runs one query of the Kinesis Data Analytics SQL dialect over the
records of STREAM and prints its rows as they come, until SIGINT, SIGTERM or
--duration. The stream is read through the Kinesis API (as eddy tail reads
it, every shard, following reshards, KPL aggregates taken apart), so it works
against AWS as well; the query runs in the eddy sql process.

The query reads the in-application stream "SOURCE_SQL_STREAM_001", as an
application's code does:

  eddy sql 'SELECT STREAM "TICKER_SYMBOL", COUNT(*) AS "N"
            FROM "SOURCE_SQL_STREAM_001"
            GROUP BY "TICKER_SYMBOL", STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '"'"'10'"'"' SECOND)' --stream ticker

Columns: --columns "TICKER_SYMBOL VARCHAR(4), PRICE DOUBLE" gives them (JSON
records, each column mapped from the member of its name); without it they
are discovered from the first records read (up to 10, or those of the first
half second), as DiscoverInputSchema discovers them (JSON or CSV), and printed on
stderr.

ROWTIME is the time eddy sql read the record (as in Kinesis Data Analytics:
the time the row entered the input stream); windows close as the clock
passes their end. Records that do not decode go to the error stream, printed
on stderr.

--format: text (a header line, then ROWTIME and the values separated by
tabs, NULL as an empty field), json (an object per row, ROWTIME first) or csv
(ROWTIME and the values, as an application's CSV output writes them).
`

// runSQL implements "eddy sql".
func runSQL(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sql", sqlSynopsis, stderr)
	var (
		stream   = fs.String("stream", "", "the Kinesis stream to read (`NAME`)")
		from     = fs.String("from", "latest", "where to start: latest (records put from now on) or trim-horizon (every retained record)")
		columns  = fs.String("columns", "", "the input `COLUMNS`: \"NAME TYPE, ...\" (default: discovered from the first records)")
		format   = fs.String("format", "text", "output format: text, json or csv")
		duration = fs.Duration("duration", 0, "stop after this long (default: until SIGINT or SIGTERM)")
		tick     = fs.Duration("tick", time.Second, "how often windows are closed while no record comes")
		endpoint = fs.String("endpoint", "", "Kinesis endpoint URL (default: the AWS configuration's, else "+defaultPutEndpoint+")")
		region   = fs.String("region", "", "AWS region (default: the AWS configuration's, else us-east-1)")
		profile  = fs.String("profile", "", "AWS shared config profile")
	)
	usage := fs.Usage
	fs.Usage = func() { usage(); fmt.Fprint(fs.Output(), sqlHelp) }
	var positional []string
	afterDashes, err := parseInterspersed(fs, args, func(arg string) { positional = append(positional, arg) })
	if err != nil {
		return err
	}
	positional = append(positional, afterDashes...)
	switch {
	case len(positional) != 1:
		fs.Usage()
		return &usageError{msg: "one query is required (quote it)"}
	case *stream == "":
		return &usageError{msg: "--stream is required"}
	case *format != "text" && *format != "json" && *format != "csv":
		return &usageError{msg: fmt.Sprintf("unknown --format %q (want text, json or csv)", *format)}
	case *tick <= 0:
		return &usageError{msg: "--tick must be positive"}
	}
	tf := tailFrom{Type: types.ShardIteratorTypeLatest}
	switch *from {
	case "latest":
	case "trim-horizon":
		tf.Type = types.ShardIteratorTypeTrimHorizon
	default:
		return &usageError{msg: fmt.Sprintf("--from %q: want latest or trim-horizon", *from)}
	}
	q := &sqlQuery{query: positional[0], format: *format, stderr: stderr, tick: *tick}
	functions.Register()
	if *columns != "" {
		schema, err := columnsSchema(*columns)
		if err != nil {
			return &usageError{msg: "--columns: " + err.Error()}
		}
		if err := q.compile(schema); err != nil {
			return err
		}
	} else if _, err := sql.ParseQuery(q.query); err != nil {
		return err // a query that does not parse fails before any read
	}

	sigpipe := make(chan os.Signal, 1)
	signal.Notify(sigpipe, syscall.SIGPIPE)
	defer signal.Stop(sigpipe)
	kc, err := kinesisClient(ctx, *endpoint, *region, *profile)
	if err != nil {
		return err
	}
	if *duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *duration)
		defer cancel()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	q.cancel = cancel
	cfg := &tailConfig{Stream: *stream, From: tf, Follow: true, Deaggregate: true, PollInterval: 200 * time.Millisecond,
		Kinesis: kc, Stderr: stderr}
	out := newTailPrinter(stdout, "text", stderr)
	q.w = func(b []byte) { out.mu.w.Write(b) }
	out.records = q.record
	done := make(chan struct{})
	defer close(done)
	go func() {
		// Often enough to discover the columns soon after the first
		// records; windows are closed every --tick.
		t := time.NewTicker(min(*tick, 100*time.Millisecond))
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				out.mu.Lock()
				q.advance()
				out.mu.w.Flush()
				out.mu.Unlock()
			}
		}
	}()
	err = newTailer(cfg, out).run(ctx)
	out.mu.Lock()
	if q.err != nil {
		err = q.err
	}
	out.mu.Unlock()
	if ferr := out.flush(); err == nil {
		err = ferr
	}
	switch {
	case errors.Is(err, syscall.EPIPE):
		return nil
	case err != nil && errors.Is(err, context.Canceled), err != nil && errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil:
		return nil // interrupted, or --duration ended
	}
	return err
}

// sqlQuery is the query of eddy sql and the rows it has made. Its methods
// run under the printer's lock.
type sqlQuery struct {
	query  string
	format string
	tick   time.Duration
	stderr io.Writer
	w      func([]byte)

	dec    *engine.Decoder
	cols   []engine.Column // the query's
	run    *engine.Runner
	sample [][]byte  // records held until the columns are discovered
	first  time.Time // when the first of them was read
	last   time.Time // the last ROWTIME given
	err    error     // what ended the query (a schema that cannot be discovered)
	cancel func()    // ends the reading
	header bool
	closed time.Time // when windows were last closed
}

const sqlInput = "SOURCE_SQL_STREAM_001"

// fail ends the query with err.
func (q *sqlQuery) fail(err error) {
	q.err = err
	q.cancel()
}

func (q *sqlQuery) compile(schema *kda.SourceSchema) error {
	dec, cols, err := runner.NewDecoder(schema)
	if err != nil {
		return fmt.Errorf("input columns: %w", err)
	}
	prog, err := engine.CompileQuery(q.query, []engine.InputSchema{{Stream: sqlInput, Columns: cols}}, nil)
	if err != nil {
		return err
	}
	q.dec, q.cols = dec, prog.Columns(engine.QueryStream)
	q.run = prog.Start(func(stream string, row engine.Row) {
		switch stream {
		case engine.QueryStream:
			q.print(row)
		case engine.ErrorStream:
			fmt.Fprintf(q.stderr, "eddy sql: error_stream: %s: %s\n", row.Values[2].String(), row.Values[3].String())
		}
	})
	return nil
}

// record takes a record read from the stream.
func (q *sqlQuery) record(r *tailRecord) {
	if q.err != nil {
		return
	}
	if q.run == nil {
		if len(q.sample) == 0 {
			q.first = time.Now()
		}
		q.sample = append(q.sample, append([]byte(nil), r.Data...))
		if len(q.sample) >= 10 {
			q.discover()
		}
		return
	}
	q.push(r.Data, r.Arrival)
}

func (q *sqlQuery) push(data []byte, arrival time.Time) {
	rows, errs := q.dec.Decode(data)
	for _, vals := range rows {
		vals = append(vals, engine.Timestamp(arrival))
		q.run.Push(sqlInput, engine.Row{Rowtime: q.rowtime(), Values: vals})
	}
	for _, e := range errs {
		q.run.ReportRecordError(q.rowtime(), e)
	}
}

// discover finds the columns of the records sampled, compiles the query
// and runs the sample through it.
func (q *sqlQuery) discover() {
	schema := analytics.InferSchema(q.sample)
	if schema == nil {
		// Some records may be bad: the schema of those that are JSON.
		var js [][]byte
		for _, d := range q.sample {
			if json.Valid(d) {
				js = append(js, d)
			}
		}
		schema = analytics.InferSchema(js)
	}
	if schema == nil {
		q.fail(errors.New("eddy sql: the columns of the first records cannot be discovered (neither JSON nor CSV): give them with --columns"))
		return
	}
	var desc []string
	for _, c := range schema.RecordColumns {
		desc = append(desc, kda.Deref(c.Name)+" "+kda.Deref(c.SqlType))
	}
	fmt.Fprintf(q.stderr, "eddy sql: %s columns discovered: %s\n", schema.RecordFormat.RecordFormatType, strings.Join(desc, ", "))
	if err := q.compile(schema); err != nil {
		q.fail(err)
		return
	}
	for _, data := range q.sample {
		q.push(data, q.first)
	}
	q.sample = nil
}

// advance closes the windows due by now (and discovers the columns of a
// sample a second old).
func (q *sqlQuery) advance() {
	if q.err != nil {
		return
	}
	if q.run == nil {
		if len(q.sample) > 0 && time.Since(q.first) >= 500*time.Millisecond {
			q.discover()
		}
		return
	}
	if time.Since(q.closed) >= q.tick {
		q.closed = time.Now()
		q.run.Advance(q.rowtime())
	}
}

func (q *sqlQuery) rowtime() time.Time {
	t := time.Now().UTC().Truncate(time.Millisecond)
	if t.Before(q.last) {
		t = q.last
	}
	q.last = t
	return t
}

// print writes a row of the query.
func (q *sqlQuery) print(row engine.Row) {
	cols := append([]engine.Column{{Name: "ROWTIME", Type: engine.TypeTimestamp}}, q.cols...)
	vals := append([]engine.Value{engine.Timestamp(row.Rowtime)}, row.Values...)
	switch q.format {
	case "text":
		var b strings.Builder
		if !q.header {
			q.header = true
			for i, c := range cols {
				if i > 0 {
					b.WriteByte('\t')
				}
				b.WriteString(c.Name)
			}
			b.WriteByte('\n')
		}
		for i, v := range vals {
			if i > 0 {
				b.WriteByte('\t')
			}
			if v.Kind != engine.KindNull {
				b.WriteString(v.String())
			}
		}
		b.WriteByte('\n')
		q.w([]byte(b.String()))
	default:
		f := strings.ToUpper(q.format)
		data, err := engine.EncodeRecord(f, cols, engine.Row{Rowtime: row.Rowtime, Values: vals})
		if err != nil {
			fmt.Fprintf(q.stderr, "eddy sql: %v\n", err)
			return
		}
		if f == "JSON" {
			data = append(data, '\n')
		}
		q.w(data)
	}
}

// columnsSchema makes the JSON schema of --columns: "NAME TYPE, ...",
// each column mapped from the member of its name.
func columnsSchema(spec string) (*kda.SourceSchema, error) {
	var cols []kda.RecordColumn
	depth, start := 0, 0
	var parts []string
	for i, r := range spec {
		switch r {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				parts = append(parts, spec[start:i])
				start = i + 1
			}
		}
	}
	parts = append(parts, spec[start:])
	for _, p := range parts {
		name, typ, ok := strings.Cut(strings.TrimSpace(p), " ")
		if !ok || name == "" || strings.TrimSpace(typ) == "" {
			return nil, fmt.Errorf("%q: want NAME TYPE", strings.TrimSpace(p))
		}
		typ = strings.TrimSpace(typ)
		if _, err := engine.ParseType(typ); err != nil {
			return nil, fmt.Errorf("column %s: %v", name, err)
		}
		cols = append(cols, kda.RecordColumn{Name: &name, SqlType: &typ, Mapping: kda.String("$." + name)})
	}
	return &kda.SourceSchema{RecordFormat: &kda.RecordFormat{RecordFormatType: "JSON",
		MappingParameters: &kda.MappingParameters{JSONMappingParameters: &kda.JSONMappingParameters{RecordRowPath: kda.String("$")}}},
		RecordColumns: cols}, nil
}
