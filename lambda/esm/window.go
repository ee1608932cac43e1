package esm

import (
	"bytes"
	"context"
	"encoding/json"
	"time"

	"github.com/eddy-streams/eddy/protocol/kds"
)

// Tumbling windows (TumblingWindowInSeconds above 0), as the Lambda
// developer guide describes them (services-kinesis-windows.html,
// "Implementing stateful Kinesis Data Streams processing in Lambda") and
// aws-lambda-go's events.KinesisTimeWindowEvent /
// KinesisTimeWindowEventResponse decode them:
//
//   - Each record belongs to one window: [start, start+W) holding its
//     approximate arrival time, windows aligned on the Unix epoch in steps
//     of W (the guide's example window is 07:04:00Z–07:06:00Z). A batch
//     never holds records of two windows.
//   - Every invocation carries window {start, end} (RFC 3339, seconds),
//     state (what the function returned from the previous invocation of
//     this window on this shard; {} at a window's start), shardId,
//     eventSourceARN, isFinalInvokeForWindow and isWindowTerminatedEarly.
//   - The function must answer with a state property; an answer without
//     one is a failed invocation (the guide). The final invocation's
//     answer is not checked for one: its state is deleted anyway (no AWS
//     source says whether Lambda checks it).
//   - A window ends when a record of a later window is read, or when the
//     clock passes the window's end and the shard has nothing more to
//     read. Lambda then makes the final invocation, isFinalInvokeForWindow
//     true, with the window's state. No AWS source says whether the final
//     invocation carries records; Eddy sends an empty Records list. The
//     final invocation is retried until it succeeds ("If the invocation
//     fails, your Lambda function suspends further processing until a
//     successful invocation"), then the state is deleted.
//   - State is at most 1 MB per shard; over it, "Lambda terminates the
//     window early": Eddy makes the final invocation at once with
//     isWindowTerminatedEarly also true, and later batches of the same
//     window start again from {} (aws-lambda-go's TimeWindowProperties:
//     "Subsequent invoke will continue the same window with a fresh
//     state").
//
// The state goes into the shard's checkpoint with the sequence number it
// belongs to, so a restart of Eddy continues the open window with its
// state (Lambda does not document what it does on a poller restart).
// Retries, bisection, ReportBatchItemFailures, MaximumRecordAgeInSeconds
// and the on-failure destination work on windowed batches as on others:
// a successful invocation (or the part of it before the lowest reported
// failure) moves the checkpoint and takes the returned state; a discarded
// batch leaves the state as it was. A windowed mapping invokes one batch
// of a shard at a time, whatever its ParallelizationFactor, since the
// state is per shard.

// maxWindowState is the documented state cap: "Your state can be a
// maximum of 1 MB per shard."
const maxWindowState = 1 << 20

// timeWindow is one window of one shard in progress.
type timeWindow struct {
	size     time.Duration
	start    time.Time // zero: no window open
	state    json.RawMessage
	overflow bool // the last state returned is over maxWindowState
}

// windowOf returns the start of the window holding t: a multiple of the
// window's size since the Unix epoch.
func (w *timeWindow) windowOf(t time.Time) time.Time {
	ms, size := t.UnixMilli(), w.size.Milliseconds()
	return time.UnixMilli(ms - ((ms%size)+size)%size)
}

// open reports whether a window is in progress.
func (w *timeWindow) open() bool { return !w.start.IsZero() }

// windowEvent is the event of a windowed invocation.
type windowEvent struct {
	Records                 []eventRecord   `json:"Records"`
	Window                  windowSpan      `json:"window"`
	State                   json.RawMessage `json:"state"`
	ShardID                 string          `json:"shardId"`
	EventSourceARN          string          `json:"eventSourceARN"`
	IsFinalInvokeForWindow  bool            `json:"isFinalInvokeForWindow"`
	IsWindowTerminatedEarly bool            `json:"isWindowTerminatedEarly"`
}

type windowSpan struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

const rfc3339Seconds = "2006-01-02T15:04:05Z"

// windowPayload wraps records (already in Lambda's record shape) with the
// window's properties.
func (p *shardPoller) windowPayload(records []eventRecord, final, early bool) ([]byte, error) {
	w := p.win
	state := w.state
	if len(state) == 0 {
		state = json.RawMessage("{}")
	}
	if records == nil {
		records = []eventRecord{}
	}
	return json.Marshal(windowEvent{
		Records:                 records,
		Window:                  windowSpan{Start: w.start.UTC().Format(rfc3339Seconds), End: w.start.Add(w.size).UTC().Format(rfc3339Seconds)},
		State:                   state,
		ShardID:                 p.shard,
		EventSourceARN:          p.mp.Config.EventSourceArn,
		IsFinalInvokeForWindow:  final,
		IsWindowTerminatedEarly: early,
	})
}

// windowState reads the state out of a windowed invocation's answer; ok
// false when it has no state property (a failed invocation). A null
// state (what aws-lambda-go sends for a nil map) counts as {}: the
// property is there.
func windowState(out []byte) (json.RawMessage, bool) {
	var r map[string]json.RawMessage
	if json.Unmarshal(out, &r) != nil {
		return nil, false
	}
	s, ok := r["state"]
	if !ok {
		return nil, false
	}
	s = bytes.TrimSpace(s)
	if bytes.Equal(s, []byte("null")) {
		return json.RawMessage("{}"), true
	}
	return append(json.RawMessage(nil), s...), true
}

// enterWindow makes the window of the records about to be invoked (all
// in one window) the open one, ending the open one first if it is an
// earlier window. It returns false only when ctx ended.
func (p *shardPoller) enterWindow(ctx context.Context, first *kds.Record) bool {
	start := p.win.windowOf(first.ApproximateArrivalTimestamp.Time())
	if p.win.open() && p.win.start.Equal(start) {
		return true
	}
	if p.win.open() && !p.finishWindow(ctx, false) {
		return false
	}
	p.win.start, p.win.state = start, nil
	return true
}

// windowExpired ends the open window if its end is at or before readAt,
// when a read that found nothing more began.
func (p *shardPoller) windowExpired(ctx context.Context, readAt time.Time) bool {
	if p.win == nil || !p.win.open() || readAt.Before(p.win.start.Add(p.win.size)) {
		return true
	}
	return p.finishWindow(ctx, false)
}

// finishWindow makes the final invocation of the open window, retrying it
// until it succeeds, then forgets the state (early: the window goes on
// with a fresh state). It returns false only when ctx ended.
func (p *shardPoller) finishWindow(ctx context.Context, early bool) bool {
	for {
		payload, err := p.windowPayload(nil, true, early)
		if err != nil {
			return false
		}
		_, ferr, err := p.m.invoker.Invoke(ctx, p.mp.Config.FunctionArn, payload)
		p.met.invoked(nil, p.m.cfg.Clock.Now(), ferr, err)
		if ctx.Err() != nil {
			return false
		}
		if err == nil && ferr == "" {
			break
		}
		p.log.Debug("final invocation of window failed", "window", p.win.start, "functionError", ferr, "err", err)
		if !sleep(ctx, p.m.cfg.RetryDelay) {
			return false
		}
	}
	p.win.state, p.win.overflow = nil, false
	if !early {
		p.win.start = time.Time{}
	}
	p.cp.WindowStart, p.cp.State = p.win.checkpoint()
	if err := p.m.saveCheckpoint(p.mp.Config.UUID, p.shard, p.cp); err != nil {
		p.log.Warn("save checkpoint", "err", err)
		return false
	}
	return true
}

// checkpoint returns what the shard's checkpoint keeps of the window.
func (w *timeWindow) checkpoint() (int64, json.RawMessage) {
	if !w.open() {
		return 0, nil
	}
	return w.start.UnixMilli(), w.state
}

// restore reopens the window a checkpoint recorded.
func (w *timeWindow) restore(cp checkpoint) {
	if cp.WindowStart != 0 {
		w.start = time.UnixMilli(cp.WindowStart)
		w.state = cp.State
	}
}

// sameWindow returns how many of rs, from the first, lie in one window.
func (w *timeWindow) sameWindow(rs []kds.Record) int {
	if len(rs) == 0 {
		return 0
	}
	start := w.windowOf(rs[0].ApproximateArrivalTimestamp.Time())
	for i := 1; i < len(rs); i++ {
		if !w.windowOf(rs[i].ApproximateArrivalTimestamp.Time()).Equal(start) {
			return i
		}
	}
	return len(rs)
}

// took records the state a successful windowed invocation returned; it
// goes into the checkpoint with the next advance.
func (p *shardPoller) took(state json.RawMessage) {
	p.win.state = state
	p.win.overflow = len(state) > maxWindowState
	p.cp.WindowStart, p.cp.State = p.win.checkpoint()
}
