package delivery

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/storage"
	"github.com/eddy-streams/eddy/storage/mem"
	"github.com/eddy-streams/eddy/storage/segment"
)

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// recorder is a destination that keeps what it was given, failing while
// fail says so.
type recorder struct {
	mu      sync.Mutex
	buffers []Buffer
	failed  []Failed
	fail    func() bool
}

func (r *recorder) Deliver(ctx context.Context, b *Buffer) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil && r.fail() {
		return errors.New("destination down")
	}
	// The records' data is the pipeline's again once Deliver returns.
	c := *b
	c.Records = slices.Clone(b.Records)
	for i := range c.Records {
		c.Records[i].Data = slices.Clone(c.Records[i].Data)
	}
	r.buffers = append(r.buffers, c)
	return nil
}

func (r *recorder) DeliverFailed(ctx context.Context, f []Failed) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failed = append(r.failed, f...)
	return nil
}

// datas returns the data of each delivered buffer's records.
func (r *recorder) datas() [][]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out [][]string
	for _, b := range r.buffers {
		var d []string
		for _, rec := range b.Records {
			d = append(d, string(rec.Data))
		}
		out = append(out, d)
	}
	return out
}

type env struct {
	log   storage.ShardLog
	meta  storage.MetaStore
	clock *fakeClock
	dest  *recorder
	sig   Signal
}

func newEnv(t *testing.T) *env {
	logs := mem.NewLogs()
	log, err := logs.Create("firehose/us-east-1/d:1", 1)
	if err != nil {
		t.Fatal(err)
	}
	return &env{log: log, meta: mem.NewMeta(), clock: &fakeClock{now: time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)}, dest: &recorder{}}
}

func (e *env) put(t *testing.T, data ...string) {
	t.Helper()
	recs := make([]storage.Record, len(data))
	for i, d := range data {
		recs[i] = storage.Record{Data: []byte(d), Arrival: e.clock.Now()}
	}
	if _, err := e.log.Append(recs); err != nil {
		t.Fatal(err)
	}
	e.sig.Notify()
}

func (e *env) pipeline(hints Hints) *Pipeline {
	return &Pipeline{
		Source:      &LogSource{Log: e.log, Meta: e.meta, Table: "firehose/checkpoints", Key: "d", Signal: &e.sig},
		Destination: e.dest, Hints: hints, Clock: e.clock, RetryDelay: time.Millisecond,
	}
}

func (e *env) checkpoint(t *testing.T) string {
	t.Helper()
	pos, ok, err := (&LogSource{Meta: e.meta, Table: "firehose/checkpoints", Key: "d"}).Checkpoint()
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		return "none"
	}
	return fmt.Sprint(pos)
}

func step(t *testing.T, p *Pipeline) {
	t.Helper()
	if err := p.Step(context.Background(), 0); err != nil {
		t.Fatal(err)
	}
}

func TestBufferDeliveredAtSizeHint(t *testing.T) {
	e := newEnv(t)
	p := e.pipeline(Hints{Size: 100, Interval: time.Hour})
	e.put(t, strings.Repeat("a", 30), strings.Repeat("b", 30), strings.Repeat("c", 30))
	step(t, p)
	if got := e.dest.datas(); len(got) != 0 || e.checkpoint(t) != "none" {
		t.Fatalf("90 bytes of a 100-byte hint: delivered %v, checkpoint %s", got, e.checkpoint(t))
	}
	e.put(t, strings.Repeat("d", 10))
	step(t, p)
	if got := e.dest.datas(); len(got) != 1 || len(got[0]) != 4 {
		t.Fatalf("100 bytes: delivered %v, want one buffer of 4", got)
	}
	if cp := e.checkpoint(t); cp != "4" {
		t.Fatalf("checkpoint %s, want 4 (the last delivered record)", cp)
	}
}

func TestBufferDeliveredAtIntervalHint(t *testing.T) {
	e := newEnv(t)
	p := e.pipeline(Hints{Size: 1 << 20, Interval: 60 * time.Second})
	e.put(t, "x")
	step(t, p)
	e.clock.Advance(30 * time.Second)
	e.put(t, "y")
	step(t, p)
	e.clock.Advance(29 * time.Second)
	step(t, p)
	if got := e.dest.datas(); len(got) != 0 {
		t.Fatalf("59s after the first record: delivered %v", got)
	}
	if w := p.wait(); w != time.Second {
		t.Fatalf("wait %v, want 1s (the buffer is due in a second)", w)
	}
	e.clock.Advance(time.Second)
	step(t, p)
	if got := e.dest.datas(); len(got) != 1 || strings.Join(got[0], ",") != "x,y" {
		t.Fatalf("60s: delivered %v, want [[x y]]", got)
	}
	if b := e.dest.buffers[0]; !(b.Closed.Sub(b.Opened) == 60*time.Second) {
		t.Fatalf("buffer opened %v closed %v", b.Opened, b.Closed)
	}
}

// TestPartitionsBufferApartCheckpointWaitsForOldest: records go to a buffer
// per partition key set; one partition delivered does not move the
// checkpoint past a record of another still buffered.
func TestPartitionsBufferApartCheckpointWaitsForOldest(t *testing.T) {
	e := newEnv(t)
	p := e.pipeline(Hints{Size: 4, Interval: time.Hour})
	p.Transform = func(ctx context.Context, recs []Record) ([]Record, []Failed, error) {
		var out []Record
		var failed []Failed
		for _, r := range recs {
			switch d := string(r.Data); {
			case d == "drop":
			case d == "bad":
				failed = append(failed, Failed{Record: r, ErrorCode: "Lambda.ProcessingFailedStatus"})
			default:
				r.Keys = map[string]string{"k": d[:1]}
				out = append(out, r)
			}
		}
		return out, failed, nil
	}
	e.put(t, "b1", "drop", "a1", "bad", "a2") // positions 1..5
	step(t, p)
	if got := e.dest.datas(); strings.Join(slices.Concat(got...), ",") != "a1,a2" {
		t.Fatalf("delivered %v, want partition a only", got)
	}
	if len(e.dest.failed) != 1 || string(e.dest.failed[0].Record.Data) != "bad" {
		t.Fatalf("failed %+v", e.dest.failed)
	}
	if cp := e.checkpoint(t); cp != "none" {
		t.Fatalf("checkpoint %s, want none: b1 (position 1) is still buffered", cp)
	}
	e.put(t, "b2") // position 6
	step(t, p)
	if cp := e.checkpoint(t); cp != "6" {
		t.Fatalf("checkpoint %s, want 6", cp)
	}
	if b := e.dest.buffers[1]; b.Keys["k"] != "b" || len(b.Records) != 2 {
		t.Fatalf("second buffer %+v", b)
	}
}

// TestDestinationDownNothingLost runs a pipeline against a destination
// that fails its first deliveries, stops it midway, and runs a new one
// from the same checkpoint: every record is delivered, in order, and none
// before the checkpoint again.
func TestDestinationDownNothingLost(t *testing.T) {
	e := newEnv(t)
	var mu sync.Mutex
	failures := 5
	e.dest.fail = func() bool {
		mu.Lock()
		defer mu.Unlock()
		failures--
		return failures >= 0
	}
	run := func(n int) {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		p := e.pipeline(Hints{Size: 30, Interval: time.Hour})
		p.Idle = 10 * time.Millisecond
		go func() { p.Run(ctx); close(done) }()
		deadline := time.Now().Add(30 * time.Second)
		for e.checkpoint(t) != fmt.Sprint(n) {
			if time.Now().After(deadline) {
				cancel()
				<-done
				t.Fatalf("checkpoint %s, want %d", e.checkpoint(t), n)
			}
			time.Sleep(time.Millisecond)
		}
		cancel()
		<-done
	}
	var want []string
	for i := range 20 {
		d := fmt.Sprintf("r%02d", i) // 3 bytes: 10 records fill a buffer
		want = append(want, d)
		e.put(t, d)
	}
	run(20)
	for i := 20; i < 40; i++ {
		d := fmt.Sprintf("r%02d", i)
		want = append(want, d)
		e.clock.Advance(time.Millisecond)
		e.put(t, d)
	}
	run(40)
	if got := slices.Concat(e.dest.datas()...); !slices.Equal(got, want) {
		t.Fatalf("delivered %v\nwant %v", got, want)
	}
	// Delivered records are trimmed from the log: those that arrived
	// before the last delivered one.
	if b, _ := e.log.Bounds(); b.Next != 41 || b.Oldest != 40 {
		t.Fatalf("log bounds %+v", b)
	}
}

// TestReadWaitsForAppend: a Read waiting for records returns at the next
// append, not at the end of its wait.
func TestReadWaitsForAppend(t *testing.T) {
	e := newEnv(t)
	src := &LogSource{Log: e.log, Meta: e.meta, Table: "firehose/checkpoints", Key: "d", Signal: &e.sig}
	got := make(chan []Record, 1)
	go func() {
		recs, _ := src.Read(context.Background(), 10, time.Minute)
		got <- recs
	}()
	time.Sleep(10 * time.Millisecond) // let the reader wait (the test holds either way)
	e.put(t, "x")
	select {
	case recs := <-got:
		if len(recs) != 1 || string(recs[0].Data) != "x" || recs[0].Pos != 1 {
			t.Fatalf("read %+v", recs)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Read still waiting after an append")
	}
}

// TestPipelineOverSegmentLogReusesBuffers: a LogSource over a durable
// segment log reads into one reused buffer, and the pipeline keeps
// records in recycled chunks. Over many reads and buffers (records of
// varying sizes, some bigger than a quarter chunk) every delivered record
// must still hold its own bytes.
func TestPipelineOverSegmentLogReusesBuffers(t *testing.T) {
	logs, err := segment.Open(t.TempDir(), segment.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { logs.Close() })
	log, err := logs.Create("firehose/us-east-1/d:1", 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := log.(storage.BufferReader); !ok {
		t.Fatal("the segment log no longer reads into a caller's buffer: this test covers nothing")
	}
	var want []string
	for batch := range 40 {
		var recs []storage.Record
		for i := range 50 {
			n := len(want)
			size := 1 + (n*7919)%3000
			if n%97 == 0 {
				size = chunkSize/4 + 100 // its own allocation
			}
			d := fmt.Sprintf("%d-%d:", batch, i) + strings.Repeat(string(rune('a'+n%26)), size)
			want = append(want, d)
			recs = append(recs, storage.Record{Data: []byte(d), Arrival: time.Now()})
		}
		if _, err := log.Append(recs); err != nil {
			t.Fatal(err)
		}
	}
	dest := &recorder{}
	p := &Pipeline{
		Source:      &LogSource{Log: log, Meta: mem.NewMeta(), Table: "firehose/checkpoints", Key: "d"},
		Destination: dest, Hints: Hints{Size: 64 << 10, Interval: time.Hour}, ReadBatch: 37, RetryDelay: time.Millisecond,
	}
	runUntil(t, p, func() bool { return len(slices.Concat(dest.datas()...)) >= len(want)-50 })
	got := slices.Concat(dest.datas()...)
	if len(dest.buffers) < 10 {
		t.Fatalf("%d buffers: too few to recycle chunks", len(dest.buffers))
	}
	for i, g := range got {
		if g != want[i] {
			t.Fatalf("record %d: got %.40q (%d bytes), want %.40q (%d bytes)", i, g, len(g), want[i], len(want[i]))
		}
	}
}
