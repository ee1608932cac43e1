package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"

	"github.com/eddy-streams/eddy/client/kinesiscbor"
)

// The shards of a stream as `eddy tail` reads them: one reader goroutine
// per shard being read, and one coordinator (tailer.run) that starts a
// shard's reader once every parent of the shard has been read to its end,
// learning of child shards from GetRecords' ChildShards at the end of a
// closed shard, or from ListShards.

// Back-off after a throttled call: doubling from tailBackoffMin up to
// tailBackoffMax, with jitter; it starts again after a call that succeeds.
const (
	tailBackoffMin = 100 * time.Millisecond
	tailBackoffMax = 5 * time.Second
)

// shardState is where a shard is in its reading.
type shardState int

const (
	shardWaiting  shardState = iota // to be read once its parents are done
	shardReading                    // a reader runs
	shardCaughtUp                   // without --follow: the reader stopped, caught up
	shardDone                       // read to its end
	shardSkipped                    // not to be read (closed before a latest start, of another lineage, expired)
)

type tailShard struct {
	id      string
	parents []string
	state   shardState
	start   tailFrom // the starting position of its first iterator
}

// shardEvent is what a reader reports when it stops.
type shardEvent struct {
	shard    *tailShard
	ended    bool // read to its end: children follow
	children []types.ChildShard
	err      error
}

// tailer reads every shard of one stream.
type tailer struct {
	cfg    *tailConfig
	kc     *kinesis.Client
	out    *tailPrinter
	shards map[string]*tailShard // touched by the coordinator goroutine only
	// list returns every shard of the stream: listShards, or a test's
	// listing.
	list func(context.Context) (map[string]types.Shard, error)
}

func newTailer(cfg *tailConfig, out *tailPrinter) *tailer {
	t := &tailer{cfg: cfg, kc: cfg.Kinesis, out: out, shards: map[string]*tailShard{}}
	t.list = t.listShards
	return t
}

// run reads until every shard is caught up (without --follow), every shard
// has ended, ctx ends (nil then), or an error.
func (t *tailer) run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	listing, err := t.list(ctx)
	if err != nil {
		return err
	}
	if err := t.initial(ctx, listing); err != nil {
		return err
	}
	events := make(chan shardEvent)
	running := 0
	startReady := func() {
		for _, sh := range t.sorted() {
			if sh.state == shardWaiting && t.ready(sh) {
				sh.state = shardReading
				running++
				go func() { events <- t.read(ctx, sh) }()
			}
		}
	}
	startReady()
	var firstErr error
	for running > 0 {
		ev := <-events
		running--
		switch {
		case ev.err != nil:
			if firstErr == nil {
				firstErr = ev.err
				cancel()
			}
			continue
		case firstErr != nil:
			continue
		case ev.ended:
			ev.shard.state = shardDone
			if err := t.discover(ctx, ev.shard, ev.children); err != nil {
				firstErr = err
				cancel()
				continue
			}
		default:
			ev.shard.state = shardCaughtUp
		}
		startReady()
	}
	if firstErr != nil && ctx.Err() != nil && errors.Is(firstErr, context.Canceled) {
		return nil // interrupted, not an error
	}
	return firstErr
}

// sorted returns the shards in id order, so that shards start in a stable
// order.
func (t *tailer) sorted() []*tailShard {
	out := make([]*tailShard, 0, len(t.shards))
	for _, sh := range t.shards {
		out = append(out, sh)
	}
	slices.SortFunc(out, func(a, b *tailShard) int {
		switch {
		case a.id < b.id:
			return -1
		case a.id > b.id:
			return 1
		}
		return 0
	})
	return out
}

// ready reports whether every parent of sh is read to its end or not read.
func (t *tailer) ready(sh *tailShard) bool {
	for _, p := range sh.parents {
		if ps, ok := t.shards[p]; ok && ps.state != shardDone && ps.state != shardSkipped {
			return false
		}
	}
	return true
}

// initial decides, from the listing at start, which shards to read and from
// where.
func (t *tailer) initial(ctx context.Context, listing map[string]types.Shard) error {
	from := t.cfg.From
	for id, s := range listing {
		sh := &tailShard{id: id, parents: shardParents(s), start: from}
		switch from.Type {
		case types.ShardIteratorTypeLatest:
			if s.SequenceNumberRange != nil && s.SequenceNumberRange.EndingSequenceNumber != nil {
				sh.state = shardSkipped // closed: nothing will be put into it
			}
		case types.ShardIteratorTypeAtSequenceNumber:
			sh.state = shardSkipped // but the one that holds the sequence number, below
		}
		t.shards[id] = sh
	}
	// A parent absent from the listing is past the retention period.
	for _, sh := range t.sorted() {
		for _, p := range sh.parents {
			if _, ok := t.shards[p]; !ok {
				t.shards[p] = &tailShard{id: p, state: shardSkipped}
			}
		}
	}
	if from.Type != types.ShardIteratorTypeAtSequenceNumber {
		return nil
	}
	var lastErr error
	for _, sh := range t.sorted() {
		if _, listed := listing[sh.id]; !listed {
			continue
		}
		_, err := t.iterator(ctx, sh, "")
		var ae smithy.APIError
		switch {
		case err == nil:
			// Its parents are not read: it starts at once. Its descendants
			// are read from their start.
			sh.state = shardWaiting
			for grown := true; grown; {
				grown = false
				for _, d := range t.shards {
					if d.state != shardSkipped || slices.IndexFunc(d.parents, func(p string) bool { return t.shards[p].state == shardWaiting }) < 0 {
						continue
					}
					d.state, d.start, grown = shardWaiting, tailFrom{Type: types.ShardIteratorTypeTrimHorizon}, true
				}
			}
			return nil
		case errors.As(err, &ae) && ae.ErrorCode() == "InvalidArgumentException":
			lastErr = err
		default:
			return err
		}
	}
	return fmt.Errorf("no shard of stream %q holds sequence number %s (the last shard asked said: %w)", t.cfg.Stream, from.Seq, lastErr)
}

// discover adds the children of the shard that ended and decides whether
// to read them: a child is read if one of its parents is read. Without
// ChildShards from GetRecords, it finds them in a new listing.
func (t *tailer) discover(ctx context.Context, ended *tailShard, children []types.ChildShard) error {
	var listing map[string]types.Shard
	relist := func() error {
		if listing != nil {
			return nil
		}
		var err error
		listing, err = t.list(ctx)
		return err
	}
	if len(children) == 0 {
		if err := relist(); err != nil {
			return err
		}
		for id, s := range listing {
			if ps := shardParents(s); slices.Contains(ps, ended.id) {
				children = append(children, types.ChildShard{ShardId: aws.String(id), ParentShards: ps})
			}
		}
	}
	for _, c := range children {
		if err := t.add(aws.ToString(c.ShardId), c.ParentShards, relist, func() map[string]types.Shard { return listing }); err != nil {
			return err
		}
	}
	return nil
}

// add records shard id, learned after start, with its parents; a parent not
// known yet is looked up in a new listing (it may be a shard created after
// start, from a shard still being read) and added the same way.
func (t *tailer) add(id string, parents []string, relist func() error, listing func() map[string]types.Shard) error {
	if _, ok := t.shards[id]; ok {
		return nil
	}
	sh := &tailShard{id: id, parents: parents, state: shardSkipped, start: tailFrom{Type: types.ShardIteratorTypeTrimHorizon}}
	if t.cfg.From.Type == types.ShardIteratorTypeAtTimestamp {
		sh.start = t.cfg.From
	}
	t.shards[id] = sh // before the parents, so that no cycle can recur
	for _, p := range parents {
		if _, ok := t.shards[p]; ok {
			continue
		}
		if err := relist(); err != nil {
			return err
		}
		if s, ok := listing()[p]; ok {
			if err := t.add(p, shardParents(s), relist, listing); err != nil {
				return err
			}
		} else {
			t.shards[p] = &tailShard{id: p, state: shardSkipped} // expired
		}
	}
	for _, p := range parents {
		if t.shards[p].state != shardSkipped {
			sh.state = shardWaiting
		}
	}
	return nil
}

func shardParents(s types.Shard) []string {
	var ps []string
	for _, p := range []*string{s.ParentShardId, s.AdjacentParentShardId} {
		if p != nil {
			ps = append(ps, *p)
		}
	}
	return ps
}

// listShards returns every shard of the stream ListShards lists, closed ones
// included.
func (t *tailer) listShards(ctx context.Context) (map[string]types.Shard, error) {
	out := map[string]types.Shard{}
	in := &kinesis.ListShardsInput{StreamName: aws.String(t.cfg.Stream)}
	var b backoff
	for {
		res, err := t.kc.ListShards(ctx, in)
		if err != nil {
			if throttled(err) {
				if err := b.wait(ctx); err != nil {
					return nil, err
				}
				continue
			}
			return nil, apiError(fmt.Sprintf("stream %q", t.cfg.Stream), err)
		}
		b.reset()
		for _, s := range res.Shards {
			out[aws.ToString(s.ShardId)] = s
		}
		if res.NextToken == nil {
			return out, nil
		}
		in = &kinesis.ListShardsInput{NextToken: res.NextToken}
	}
}

// iterator returns an iterator for sh: after the sequence number after, or
// at sh's starting position when after is "".
func (t *tailer) iterator(ctx context.Context, sh *tailShard, after string) (*string, error) {
	in := &kinesis.GetShardIteratorInput{StreamName: aws.String(t.cfg.Stream), ShardId: aws.String(sh.id), ShardIteratorType: sh.start.Type}
	switch {
	case after != "":
		in.ShardIteratorType, in.StartingSequenceNumber = types.ShardIteratorTypeAfterSequenceNumber, aws.String(after)
	case sh.start.Type == types.ShardIteratorTypeAtTimestamp:
		in.Timestamp = aws.Time(sh.start.At)
	case sh.start.Type == types.ShardIteratorTypeAtSequenceNumber:
		in.StartingSequenceNumber = aws.String(sh.start.Seq)
	}
	var b backoff
	for {
		res, err := t.kc.GetShardIterator(ctx, in)
		if err == nil {
			return res.ShardIterator, nil
		}
		if !throttled(err) {
			return nil, apiError(sh.id, err)
		}
		if err := b.wait(ctx); err != nil {
			return nil, err
		}
	}
}

// read reads shard sh until its end, until it is caught up (without
// --follow), or until an error.
func (t *tailer) read(ctx context.Context, sh *tailShard) shardEvent {
	it, err := t.iterator(ctx, sh, "")
	if err != nil {
		return shardEvent{shard: sh, err: err}
	}
	var (
		last string // the sequence number of the last record printed
		b    backoff
	)
	for {
		// CBOR, as the Java SDK reads Kinesis: the data arrives as raw
		// bytes instead of base64 inside JSON.
		res, err := t.kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it}, kinesiscbor.GetRecords)
		if err != nil {
			var ae smithy.APIError
			switch {
			case ctx.Err() != nil:
				return shardEvent{shard: sh, err: ctx.Err()}
			case throttled(err):
				if err := b.wait(ctx); err != nil {
					return shardEvent{shard: sh, err: err}
				}
			case errors.As(err, &ae) && ae.ErrorCode() == "ExpiredIteratorException":
				if it, err = t.iterator(ctx, sh, last); err != nil {
					return shardEvent{shard: sh, err: err}
				}
			default:
				return shardEvent{shard: sh, err: apiError(sh.id, err)}
			}
			continue
		}
		b.reset()
		if len(res.Records) > 0 {
			if err := t.out.print(sh.id, res.Records, t.cfg.Deaggregate); err != nil {
				return shardEvent{shard: sh, err: err}
			}
			last = aws.ToString(res.Records[len(res.Records)-1].SequenceNumber)
		}
		if res.NextShardIterator == nil {
			return shardEvent{shard: sh, ended: true, children: res.ChildShards}
		}
		it = res.NextShardIterator
		if len(res.Records) == 0 && aws.ToInt64(res.MillisBehindLatest) == 0 {
			if !t.cfg.Follow {
				return shardEvent{shard: sh}
			}
			if err := sleepCtx(ctx, t.cfg.PollInterval); err != nil {
				return shardEvent{shard: sh, err: err}
			}
		}
	}
}

// throttled reports whether err is Kinesis throttling a call: the
// exceptions Kinesis throttles reads and ListShards with, and KMS's when
// it decrypts a record (the Kinesis API reference's errors of GetRecords,
// GetShardIterator and ListShards).
func throttled(err error) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	switch ae.ErrorCode() {
	case "ProvisionedThroughputExceededException", "LimitExceededException", "KMSThrottlingException":
		return true
	}
	return false
}

// apiError shortens an API error to "what: Code: message" and keeps it in
// the chain (errors.As finds the smithy.APIError); other errors get what
// as context.
func apiError(what string, err error) error {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return &tailAPIError{what: what, ae: ae, err: err}
	}
	return fmt.Errorf("%s: %w", what, err)
}

type tailAPIError struct {
	what string
	ae   smithy.APIError
	err  error
}

func (e *tailAPIError) Error() string {
	return fmt.Sprintf("%s: %s: %s", e.what, e.ae.ErrorCode(), e.ae.ErrorMessage())
}

func (e *tailAPIError) Unwrap() error { return e.err }

// backoff waits longer after each throttled call.
type backoff struct{ next time.Duration }

func (b *backoff) reset() { b.next = 0 }

func (b *backoff) wait(ctx context.Context) error {
	b.next = min(max(2*b.next, tailBackoffMin), tailBackoffMax)
	// Full jitter over the upper half, so that shards do not retry in step.
	return sleepCtx(ctx, b.next/2+rand.N(b.next/2+1))
}

// sleepCtx waits for d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}
