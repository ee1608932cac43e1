// Package runner runs Kinesis Data Analytics for SQL applications in the
// Eddy process: it is the analytics service's Runtime. Each running
// application has one goroutine that reads its streaming input from a
// durable checkpoint, optionally has a Lambda function preprocess the
// records, decodes them into rows of the in-application input stream,
// pushes them through the compiled program (analytics/engine), and writes
// the rows of each output's in-application stream to its destination (a
// Kinesis stream, a Firehose delivery stream or a Lambda function) before
// it checkpoints the input: at least once, with back-pressure (nothing is
// read while an output is being written).
//
// ROWTIME of an input row is the time the runner inserted it (the clock,
// never going backwards within an application), as in Kinesis Data
// Analytics ("the time Amazon Kinesis Data Analytics inserted the row in
// the first in-application stream", SQL Reference, ROWTIME). Windows close
// as ROWTIME passes their end: at the next row, or at the next tick
// (Config.Tick) without one.
//
// What a stop keeps: each input's checkpoint (the records whose rows were
// pushed and whose outputs were written), so LAST_STOPPED_POINT resumes
// after them. The rows of windows still open at the stop are not kept:
// their records are not read again, so their aggregates are lost (Kinesis
// Data Analytics keeps no application state across a stop either).
package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/eddy-streams/eddy/analytics/engine"
	"github.com/eddy-streams/eddy/analytics/functions"
	"github.com/eddy-streams/eddy/firehose/delivery"
	fp "github.com/eddy-streams/eddy/protocol/firehose"
	"github.com/eddy-streams/eddy/protocol/kda"
	"github.com/eddy-streams/eddy/protocol/kds"
	"github.com/eddy-streams/eddy/storage"
)

// CheckpointTable holds the inputs' checkpoints: key
// "<application ARN>/<input id>/<shard id>".
const CheckpointTable = "analytics/checkpoints"

// Kinesis is what an application reads its input from and writes a
// Kinesis stream output to: a region's kinesis engine, in process.
type Kinesis interface {
	delivery.Kinesis
	PutRecords(ctx context.Context, in *kds.PutRecordsInput) (*kds.PutRecordsOutput, error)
}

// Firehose takes the records of a delivery stream output: the firehose
// service, in process.
type Firehose interface {
	PutRecordBatch(region string, in *fp.PutRecordBatchInput) (*fp.PutRecordBatchOutput, error)
}

// Invoker runs the Lambda functions of input preprocessing and of Lambda
// outputs: the lambda service, in process.
type Invoker interface {
	Invoke(ctx context.Context, functionName string, payload []byte) (result []byte, functionError string, err error)
}

// Config configures the runner.
type Config struct {
	// Kinesis returns a region's Kinesis streams.
	Kinesis func(region string) (Kinesis, error)
	// Firehose is the delivery streams' service; nil refuses delivery
	// stream outputs.
	Firehose Firehose
	// Invoker runs functions; nil refuses preprocessors and Lambda
	// outputs.
	Invoker Invoker
	// Tap opens a reader of a DirectPut delivery stream of a region from
	// now on, for an input from a delivery stream; nil refuses them.
	Tap func(region, name string) (*delivery.Tap, error)
	// Object returns an object of the S3-compatible store, for reference
	// data sources; nil refuses them.
	Object func(ctx context.Context, bucket, key string) ([]byte, error)
	// Meta keeps the checkpoints.
	Meta   storage.MetaStore
	Logger *slog.Logger
	// Now is the clock ROWTIMEs come from. Default time.Now.
	Now func() time.Time
	// Tick is how often windows are closed while no record arrives.
	// Default 1s.
	Tick time.Duration
	// Retry is the pause before an output write or a preprocessor
	// invocation that failed is tried again. Default 1s.
	Retry time.Duration
	// Metrics, if set, counts each application's records (see
	// metrics.go).
	Metrics *Metrics
	// Exclusive, if set, runs each started application on one node of
	// those sharing the store (cluster.Cluster.Run), as the job
	// "analytics/<application ARN>": Start checks the application here,
	// then it runs while this node leads the job, prepared afresh at each
	// lead (at the positions Start was given the first time, from
	// LAST_STOPPED_POINT after). Default nil: Start runs it here.
	Exclusive func(ctx context.Context, job string, fn func(ctx context.Context))
	// Current, with Exclusive, returns an application's stored
	// configuration and whether it should run (it is STARTING, RUNNING or
	// UPDATING), read at each lead: another node may have updated or
	// stopped it since Start. An application that should not run is
	// stopped here. Default nil: what Start was given runs.
	Current func(ctx context.Context, arn string) (app kda.ApplicationDetail, run bool, err error)
	// Recheck is how often, with Current, a leading node looks again:
	// an application stopped through another node stops, one updated
	// through another node starts again with its new configuration, from
	// its last stopped point. Default 2 s.
	Recheck time.Duration
}

// Runner runs applications; it implements analytics.Runtime.
type Runner struct {
	cfg Config
	log *slog.Logger

	mu   sync.Mutex
	apps map[string]*running // by application ARN
}

// running is an application being run.
type running struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// New returns a runner; Close stops what it runs.
func New(cfg Config) *Runner {
	functions.Register() // RANDOM_CUT_FOREST and the other table functions
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Tick <= 0 {
		cfg.Tick = time.Second
	}
	if cfg.Retry <= 0 {
		cfg.Retry = time.Second
	}
	if cfg.Recheck <= 0 {
		cfg.Recheck = 2 * time.Second
	}
	return &Runner{cfg: cfg, log: cfg.Logger.With("component", "analytics"), apps: map[string]*running{}}
}

// Started reports whether the application arn was started here and not
// stopped since (analytics.Candidate): with Exclusive, whether this node
// is a candidate for its lease.
func (r *Runner) Started(arn string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.apps[arn]
	return ok
}

// Start implements analytics.Runtime: it compiles app, positions its
// input as pos says, and runs it until Stop.
func (r *Runner) Start(ctx context.Context, app kda.ApplicationDetail, pos map[string]string) error {
	arn := kda.Deref(app.ApplicationARN)
	if err := r.Stop(ctx, arn); err != nil {
		return err
	}
	a, err := r.prepare(app, pos)
	if err != nil {
		return err
	}
	rctx, cancel := context.WithCancel(context.Background())
	ra := &running{cancel: cancel, done: make(chan struct{})}
	r.mu.Lock()
	r.apps[arn] = ra
	r.mu.Unlock()
	go func() {
		defer close(ra.done)
		if r.cfg.Exclusive == nil {
			a.run(rctx)
			return
		}
		a.input.release() // checked; run where the lead is
		first := true
		// stopHere ends the application on this node: it was stopped
		// through another.
		stopHere := func() {
			r.log.Info("application stopped through another node", "application", kda.Deref(app.ApplicationName))
			r.mu.Lock()
			if r.apps[arn] == ra {
				delete(r.apps, arn)
			}
			r.mu.Unlock()
			cancel() // Exclusive returns; the lead is given up
		}
		r.cfg.Exclusive(rctx, "analytics/"+arn, func(ctx context.Context) {
			cur := app
			if r.cfg.Current != nil {
				d, run, err := r.cfg.Current(ctx, arn)
				if err != nil {
					r.log.Warn("application not started", "application", kda.Deref(app.ApplicationName), "err", err)
					sleep(ctx, r.cfg.Retry)
					return
				}
				if !run {
					stopHere()
					return
				}
				cur = d
			}
			p := pos
			if !first {
				p = map[string]string{}
				for _, in := range cur.InputDescriptions {
					p[kda.Deref(in.InputId)] = kda.PositionLastStoppedPoint
				}
			}
			first = false
			a, err := r.prepare(cur, p)
			if err != nil {
				r.log.Warn("application not started", "application", kda.Deref(app.ApplicationName), "err", err)
				sleep(ctx, r.cfg.Retry)
				return
			}
			if r.cfg.Current != nil {
				runCtx, stopRun := context.WithCancel(ctx)
				defer stopRun()
				go r.recheck(runCtx, stopRun, stopHere, arn, cur)
				ctx = runCtx
			}
			a.run(ctx)
		})
	}()
	return nil
}

// recheck looks at the application's stored configuration every Recheck
// while it runs here under Exclusive: stopped elsewhere, it stops here
// (stopHere); updated elsewhere, this run ends (restart), and the next
// lead runs the new configuration.
func (r *Runner) recheck(ctx context.Context, restart, stopHere func(), arn string, running kda.ApplicationDetail) {
	t := time.NewTicker(r.cfg.Recheck)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		d, run, err := r.cfg.Current(ctx, arn)
		switch {
		case err != nil:
			continue // looked at again
		case !run:
			stopHere()
			return
		case versionOf(d) != versionOf(running):
			r.log.Info("application updated through another node; restarting", "application", kda.Deref(d.ApplicationName))
			restart()
			return
		}
	}
}

// Update implements analytics.Runtime: the application runs again with
// its new configuration, from where it stopped.
func (r *Runner) Update(ctx context.Context, app kda.ApplicationDetail) error {
	pos := map[string]string{}
	for _, in := range app.InputDescriptions {
		pos[kda.Deref(in.InputId)] = kda.PositionLastStoppedPoint
	}
	return r.Start(ctx, app, pos)
}

// Stop implements analytics.Runtime.
func (r *Runner) Stop(ctx context.Context, arn string) error {
	r.mu.Lock()
	ra := r.apps[arn]
	delete(r.apps, arn)
	r.mu.Unlock()
	if ra == nil {
		return nil
	}
	ra.cancel()
	select {
	case <-ra.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops every application.
func (r *Runner) Close() error {
	r.mu.Lock()
	apps := r.apps
	r.apps = map[string]*running{}
	r.mu.Unlock()
	for _, ra := range apps {
		ra.cancel()
		<-ra.done
	}
	return nil
}

// app is a prepared application: its program, input and outputs.
type app struct {
	r       *Runner
	arn     string
	name    string
	log     *slog.Logger
	prog    *engine.Program
	input   *input
	outputs map[string][]*output // by in-application stream name
	last    time.Time            // the last ROWTIME given
}

// prepare compiles app and opens its input at pos.
func (r *Runner) prepare(d kda.ApplicationDetail, pos map[string]string) (*app, error) {
	arn := kda.Deref(d.ApplicationARN)
	region, account, ok := arnRegionAccount(arn)
	if !ok {
		return nil, fmt.Errorf("analytics: %q is not an application ARN", arn)
	}
	a := &app{r: r, arn: arn, name: kda.Deref(d.ApplicationName), outputs: map[string][]*output{}}
	a.log = r.log.With("application", a.name)
	if len(d.InputDescriptions) != 1 {
		return nil, fmt.Errorf("analytics: application %s has %d inputs; one is needed", a.name, len(d.InputDescriptions))
	}
	in, err := r.openInput(a, region, account, d.InputDescriptions[0], pos)
	if err != nil {
		return nil, err
	}
	a.input = in
	fail := func(err error) (*app, error) {
		in.release()
		return nil, err
	}
	refs, err := r.references(a, d.ReferenceDataSourceDescriptions)
	if err != nil {
		return fail(err)
	}
	prog, err := engine.Compile(kda.Deref(d.ApplicationCode), in.schemas(), refs)
	if err != nil {
		return fail(fmt.Errorf("analytics: application %s: %w", a.name, err))
	}
	a.prog = prog
	for _, od := range d.OutputDescriptions {
		o, err := r.openOutput(a, region, od)
		if err != nil {
			return fail(err)
		}
		stream := strings.ToUpper(kda.Deref(od.Name))
		if prog.Columns(stream) == nil && !strings.EqualFold(stream, engine.ErrorStream) {
			return fail(fmt.Errorf("analytics: application %s: output %s names no in-application stream of the code", a.name, kda.Deref(od.Name)))
		}
		if strings.EqualFold(stream, engine.ErrorStream) {
			stream = engine.ErrorStream
		}
		a.outputs[stream] = append(a.outputs[stream], o)
	}
	return a, nil
}

// run is the application's loop: read, push, write, checkpoint.
func (a *app) run(ctx context.Context) {
	a.log.Info("application running")
	defer a.log.Info("application stopped")
	defer a.input.release()
	defer func() {
		var outs []string
		for _, os := range a.outputs {
			for _, o := range os {
				outs = append(outs, o.name)
			}
		}
		a.r.cfg.Metrics.forget(a.arn, outs)
	}()
	pending := map[string][]engine.Row{}
	eng := a.prog.Start(func(stream string, row engine.Row) {
		if _, ok := a.outputs[stream]; ok {
			pending[stream] = append(pending[stream], copyRow(row))
		}
	})
	tick := a.r.cfg.Tick
	lastAdvance := time.Time{}
	var (
		done      uint64    // the last position whose rows were written
		doneOK    bool      // done is not checkpointed yet
		committed time.Time // when the last checkpoint was made
		// uncommitted counts the records read since: the source keeps
		// each one's position until the checkpoint.
		uncommitted int
	)
	// The input is read and decoded by a goroutine of its own, a batch
	// ahead of the rows being pushed and written: two cores at work. It
	// owns the source, so it makes the checkpoints it is asked for.
	batches := make(chan inputBatch) // unbuffered: one batch pushed, at most one more held
	var ask checkpointAsk
	rctx, stopReading := context.WithCancel(ctx)
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		a.readLoop(rctx, batches, &ask)
	}()
	defer func() {
		stopReading()
		<-readerDone
		// What was written and not checkpointed yet, at the stop (asked
		// of the reader or not).
		if _, asked := ask.take(); asked || doneOK {
			a.commit(done)
		}
	}()
	for {
		var b inputBatch
		select {
		case b = <-batches:
		case <-ctx.Done():
			return
		}
		for _, ir := range b.rows {
			rt := a.rowtime()
			if ir.err != nil {
				if m := a.r.cfg.Metrics; m != nil {
					m.errors.With(a.arn).Inc()
				}
				eng.ReportRecordError(rt, ir.err)
				continue
			}
			if err := eng.Push(ir.stream, engine.Row{Rowtime: rt, Values: ir.values}); err != nil {
				a.log.Warn("push row", "err", err)
			}
		}
		if now := a.r.cfg.Now(); now.Sub(lastAdvance) >= tick || b.records == 0 {
			eng.Advance(a.rowtime())
			lastAdvance = now
		}
		if !a.flush(ctx, pending) {
			return
		}
		// The rows of what was read are written: its position may be
		// checkpointed. At most every checkpointEvery or
		// checkpointRecords (each checkpoint is a durable write), and at
		// the stop.
		if b.records > 0 {
			done, doneOK = b.last, true
			uncommitted += b.records
		}
		if doneOK && (time.Since(committed) >= checkpointEvery || uncommitted >= checkpointRecords) {
			ask.set(done)
			doneOK, committed, uncommitted = false, time.Now(), 0
		}
	}
}

// inputBatch is what one read of the input gave: its rows, and what the
// metrics and the checkpoint need of its records.
type inputBatch struct {
	rows    []inputRow
	records int       // records read; 0 after a wait of a tick with none
	bytes   int       // their data
	last    uint64    // the position of the last
	arrival time.Time // the arrival time of the last
}

// checkpointAsk hands the position to checkpoint from the loop that
// wrote its rows to the reader, which owns the source.
type checkpointAsk struct {
	mu  sync.Mutex
	pos uint64
	ok  bool
}

func (c *checkpointAsk) set(pos uint64) {
	c.mu.Lock()
	c.pos, c.ok = pos, true
	c.mu.Unlock()
}

func (c *checkpointAsk) take() (uint64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	pos, ok := c.pos, c.ok
	c.ok = false
	return pos, ok
}

// readLoop reads the input and decodes its records into batches until
// ctx ends, making the checkpoints asked for between reads.
func (a *app) readLoop(ctx context.Context, out chan<- inputBatch, ask *checkpointAsk) {
	tick := a.r.cfg.Tick
	for ctx.Err() == nil {
		if pos, ok := ask.take(); ok {
			a.commit(pos)
		}
		recs, err := a.input.read(ctx, tick)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			a.log.Warn("read input", "err", err)
			sleep(ctx, a.r.cfg.Retry)
			a.input.rewind()
			continue
		}
		b := inputBatch{records: len(recs)}
		if len(recs) > 0 {
			b.rows, err = a.input.rows(ctx, recs)
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				a.log.Warn("preprocess input", "err", err)
				sleep(ctx, a.r.cfg.Retry)
				a.input.rewind()
				continue
			}
			for _, r := range recs {
				b.bytes += len(r.Data)
			}
			b.last, b.arrival = recs[len(recs)-1].Pos, recs[len(recs)-1].Arrival
		}
		a.count(b)
		select {
		case out <- b:
		case <-ctx.Done():
			return
		}
	}
}

// checkpointEvery is how often a running application checkpoints its
// input: a kill -9 reads again at most what came in that long before it,
// or checkpointRecords records (at least once); a stop nothing.
const checkpointEvery = time.Second

// checkpointRecords is how many records read make a checkpoint sooner.
const checkpointRecords = 20000

func (a *app) commit(pos uint64) {
	if err := a.input.commit(pos); err != nil {
		a.log.Warn("checkpoint input", "err", err)
	}
}

// references loads the reference tables: each S3 object read once, at
// the start, decoded with its ReferenceSchema (a row that does not decode
// is an error: the application does not start).
func (r *Runner) references(a *app, ds []kda.ReferenceDataSourceDescription) ([]engine.RefTable, error) {
	var refs []engine.RefTable
	for _, d := range ds {
		name := kda.Deref(d.TableName)
		s3 := d.S3ReferenceDataSourceDescription
		if s3 == nil {
			return nil, fmt.Errorf("analytics: application %s: reference table %s has no S3 source", a.name, name)
		}
		if r.cfg.Object == nil {
			return nil, errors.New("analytics: no S3 store to read reference data from")
		}
		bucketARN := kda.Deref(s3.BucketARN)
		bucket := bucketARN[strings.LastIndexByte(bucketARN, ':')+1:]
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		body, err := r.cfg.Object(ctx, bucket, kda.Deref(s3.FileKey))
		cancel()
		if err != nil {
			return nil, fmt.Errorf("analytics: application %s: reference table %s: %w", a.name, name, err)
		}
		dec, cols, err := NewDecoder(d.ReferenceSchema)
		if err != nil {
			return nil, fmt.Errorf("analytics: application %s: reference table %s: %w", a.name, name, err)
		}
		rows, errs := decodeAll(dec, d.ReferenceSchema, body)
		if len(errs) > 0 {
			return nil, fmt.Errorf("analytics: application %s: reference table %s: %s (%d rows did not decode)", a.name, name, errs[0].Error(), len(errs))
		}
		refs = append(refs, engine.RefTable{Name: name, Columns: cols, Rows: rows})
	}
	return refs, nil
}

// decodeAll decodes a reference object: CSV lines, or JSON values one
// after another (JSON lines, or one document whose RecordRowPath selects
// an array).
func decodeAll(dec *engine.Decoder, s *kda.SourceSchema, body []byte) ([][]engine.Value, []*engine.RecordError) {
	if s.RecordFormat.RecordFormatType != "JSON" {
		return dec.Decode(body)
	}
	var rows [][]engine.Value
	var errs []*engine.RecordError
	jd := json.NewDecoder(bytes.NewReader(body))
	for {
		var v json.RawMessage
		if err := jd.Decode(&v); err == io.EOF {
			return rows, errs
		} else if err != nil {
			return rows, append(errs, &engine.RecordError{Name: "Parse error", Message: "invalid JSON: " + err.Error(), Data: body})
		}
		r, e := dec.Decode(v)
		rows, errs = append(rows, r...), append(errs, e...)
	}
}

// rowtime is the ROWTIME of the next row: the clock, never before the
// previous one.
func (a *app) rowtime() time.Time {
	t := a.r.cfg.Now().UTC().Truncate(time.Millisecond)
	if t.Before(a.last) {
		t = a.last
	}
	a.last = t
	return t
}

// flush writes the pending rows of every output, retrying until written;
// false when ctx ended first.
func (a *app) flush(ctx context.Context, pending map[string][]engine.Row) bool {
	for stream, rows := range pending {
		if len(rows) == 0 {
			continue
		}
		for _, o := range a.outputs[stream] {
			for {
				err := o.write(ctx, rows)
				if err == nil {
					break
				}
				if ctx.Err() != nil {
					return false
				}
				a.log.Warn("write output", "output", o.name, "err", err)
				if !sleep(ctx, a.r.cfg.Retry) {
					return false
				}
			}
			if m := a.r.cfg.Metrics; m != nil {
				m.outRecords.With(a.arn, o.name).Add(float64(len(rows)))
			}
		}
		pending[stream] = rows[:0]
	}
	return true
}

// count publishes what a read returned.
func (a *app) count(b inputBatch) {
	m := a.r.cfg.Metrics
	if m == nil {
		return
	}
	if b.records == 0 {
		m.behind.With(a.arn).Set(0)
		return
	}
	m.inRecords.With(a.arn).Add(float64(b.records))
	m.inBytes.With(a.arn).Add(float64(b.bytes))
	m.behind.With(a.arn).Set(float64(max(0, a.r.cfg.Now().Sub(b.arrival).Milliseconds())))
}

func copyRow(r engine.Row) engine.Row {
	return engine.Row{Rowtime: r.Rowtime, Values: append([]engine.Value(nil), r.Values...)}
}

// sleep waits d; false if ctx ended first.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// arnRegionAccount returns the region and account fields of an ARN.
func arnRegionAccount(arn string) (region, account string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[3] == "" || parts[4] == "" {
		return "", "", false
	}
	return parts[3], parts[4], true
}

// errNoFunctions refuses what needs functions when there are none.
var errNoFunctions = errors.New("analytics: no Lambda service to invoke functions")

func versionOf(d kda.ApplicationDetail) int64 {
	if d.ApplicationVersionId == nil {
		return 0
	}
	return *d.ApplicationVersionId
}
