package kinesis

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/protocol/kds"
)

// Fault injection: rules that make chosen operations on chosen streams fail
// or slow down at a given rate, so that client retry code can be tested
// deterministically. Each rule draws from its own random source, seeded,
// so the same sequence of calls meets the same faults.
//
// A throttle fault is the error Kinesis throttles that operation with:
// ProvisionedThroughputExceededException for PutRecord, PutRecords,
// GetRecords and GetShardIterator, LimitExceededException for the others.
// For PutRecords each entry draws separately, and a faulted entry fails
// alone (ErrorCode and ErrorMessage, counted in FailedRecordCount) as a
// throttled entry does on Kinesis; the others are written.

// FaultRule is one fault injection rule.
type FaultRule struct {
	// Stream is the stream the rule applies to; "" means every stream and
	// the operations that address none (ListStreams, CreateStream's is its
	// new stream's name).
	Stream string `json:"stream,omitempty" yaml:"stream"`
	// Operation is the API operation, e.g. "PutRecords"; "" means every one.
	Operation string `json:"operation,omitempty" yaml:"operation"`
	// ThrottleRate is the probability, 0 to 1, that a call (a PutRecords
	// entry) is throttled.
	ThrottleRate float64 `json:"throttleRate,omitempty" yaml:"throttle-rate"`
	// FailureRate is the probability, 0 to 1, that a call (a PutRecords
	// entry) fails with InternalFailure.
	FailureRate float64 `json:"failureRate,omitempty" yaml:"failure-rate"`
	// Latency is added to every matching call before it runs.
	Latency Duration `json:"latency,omitempty" yaml:"latency"`
	// Seed seeds the rule's random source.
	Seed uint64 `json:"seed,omitempty" yaml:"seed"`
}

// Duration is a time.Duration written as Go writes durations ("250ms") in
// JSON and YAML.
type Duration time.Duration

func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// Validate reports what is wrong with the rule.
func (r *FaultRule) Validate() error {
	switch {
	case r.ThrottleRate < 0 || r.ThrottleRate > 1:
		return fmt.Errorf("fault rule: throttle rate %v not within 0..1", r.ThrottleRate)
	case r.FailureRate < 0 || r.FailureRate > 1:
		return fmt.Errorf("fault rule: failure rate %v not within 0..1", r.FailureRate)
	case r.ThrottleRate+r.FailureRate > 1:
		return fmt.Errorf("fault rule: throttle and failure rates add up to more than 1")
	case r.Latency < 0:
		return fmt.Errorf("fault rule: negative latency")
	case r.Operation != "" && !isOperation(r.Operation):
		return fmt.Errorf("fault rule: unknown operation %q", r.Operation)
	}
	return nil
}

// faultSet is the active rules, each with its random source.
type faultSet struct {
	mu    sync.Mutex
	rules []activeFault
	// any mirrors len(rules) > 0, so that every call can check for rules
	// without taking the lock.
	any atomic.Bool
}

type activeFault struct {
	FaultRule
	rnd *rand.Rand
}

// SetFaults replaces the fault injection rules; none removes them all.
func (e *Engine) SetFaults(rules []FaultRule) error {
	active := make([]activeFault, len(rules))
	for i, r := range rules {
		if err := r.Validate(); err != nil {
			return err
		}
		active[i] = activeFault{FaultRule: r, rnd: rand.New(rand.NewPCG(r.Seed, r.Seed^0x9e3779b97f4a7c15))}
	}
	e.faults.mu.Lock()
	e.faults.rules = active
	e.faults.any.Store(len(active) > 0)
	e.faults.mu.Unlock()
	return nil
}

// Faults returns the fault injection rules in force.
func (e *Engine) Faults() []FaultRule {
	e.faults.mu.Lock()
	defer e.faults.mu.Unlock()
	out := make([]FaultRule, len(e.faults.rules))
	for i, r := range e.faults.rules {
		out[i] = r.FaultRule
	}
	return out
}

// fault is what the rules decide for one call.
type fault struct {
	latency  time.Duration
	throttle bool
	fail     bool
}

// draw applies the rules matching op on stream: latencies add up, and the
// first rule that draws a failure decides it.
func (f *faultSet) draw(op, stream string) fault {
	var out fault
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.rules {
		r := &f.rules[i]
		if (r.Stream != "" && r.Stream != stream) || (r.Operation != "" && r.Operation != op) {
			continue
		}
		out.latency += time.Duration(r.Latency)
		if out.throttle || out.fail || (r.ThrottleRate == 0 && r.FailureRate == 0) {
			continue
		}
		switch x := r.rnd.Float64(); {
		case x < r.ThrottleRate:
			out.throttle = true
		case x < r.ThrottleRate+r.FailureRate:
			out.fail = true
		}
	}
	return out
}

// active reports whether any rule is set, so calls skip the lock when none is.
func (f *faultSet) active() bool { return f.any.Load() }

// admit runs the checks every operation starts with once it knows its
// stream (and shard, "" if none): injected faults, then (with limits on)
// the operation's control-plane rate. ctx bounds injected latency.
func (e *Engine) admit(ctx context.Context, op, stream, shard string) error {
	if e.faults.active() {
		f := e.faults.draw(op, stream)
		if err := e.delay(ctx, f.latency); err != nil {
			return err
		}
		switch {
		case f.throttle:
			return e.throttleError(op, stream, shard)
		case f.fail:
			return eddy.Errorf(eddy.CodeInternalFailure, "Injected fault.")
		}
	}
	if e.cfg.Limits == LimitsAWS && !e.limits.admitControl(e.now().UnixNano(), op, stream) {
		return e.rateExceeded(op, stream)
	}
	return nil
}

// delay waits d on the engine's clock, or until ctx ends.
func (e *Engine) delay(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	ch, stop := e.after(d)
	defer stop()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// dataOps are the operations Kinesis throttles with
// ProvisionedThroughputExceededException.
var dataOps = map[string]bool{"PutRecord": true, "PutRecords": true, "GetRecords": true, "GetShardIterator": true}

// throttleError is the error a throttled call of op gets; the data-plane
// operations always know their shard by then.
func (e *Engine) throttleError(op, stream, shard string) error {
	if dataOps[op] {
		return eddy.Errorf(eddy.CodeProvisionedThroughput, "%s", shardRateMessage(shard, stream, e.cfg.AccountID))
	}
	return e.rateExceeded(op, stream)
}

// shardRateMessage is Kinesis's message for a throttled shard.
func shardRateMessage(shard, stream, account string) string {
	return "Rate exceeded for shard " + shard + " in stream " + stream + " under account " + account + "."
}

// rateExceeded is the LimitExceededException of a control-plane operation
// called faster than its rate. Kinesis says "Rate exceeded for stream S
// under account A." (seen on DescribeStream, DeleteStream and ListShards,
// whatever the scope of their rate); for operations that name no stream
// the wording is not known, and Eddy says "Rate exceeded for account A.".
func (e *Engine) rateExceeded(op, stream string) error {
	if stream != "" {
		return eddy.Errorf(eddy.CodeLimitExceeded, "Rate exceeded for stream %s under account %s.", stream, e.cfg.AccountID)
	}
	return eddy.Errorf(eddy.CodeLimitExceeded, "Rate exceeded for account %s.", e.cfg.AccountID)
}

// isOperation reports whether name is an operation of the API model.
func isOperation(name string) bool {
	_, ok := kds.LookupOperation(name)
	return ok
}

// subscribeRateMessage is the LimitExceededException message of a
// SubscribeToShard call within a second of the previous one for the same
// consumer and shard.
func subscribeRateMessage(consumer, shard, stream, account string) string {
	return "Rate exceeded for consumer " + consumer + " and shard " + shard + " in stream " + stream + " under account " + account + "."
}

// Admit runs, before a control-plane operation, the checks the data-plane
// operations make themselves: injected faults and, with limits on, the
// operation's call rate (LimitExceededException). The transport calls it
// with the operation's name and decoded input before calling the operation.
// It returns nil for PutRecord, PutRecords, GetRecords, GetShardIterator and
// SubscribeToShard, which check per shard once they know the shard.
func (e *Engine) Admit(ctx context.Context, op string, in any) error {
	if op == "SubscribeToShard" || dataOps[op] {
		return nil
	}
	if !e.faults.active() && (e.cfg.Limits != LimitsAWS || controlRates[op].perSec == 0) {
		return nil
	}
	return e.admit(ctx, op, e.streamOf(in), "")
}

// streamOf returns the name of the stream an input addresses (by
// StreamName, StreamARN, ConsumerARN or ResourceARN; CreateStream's new
// stream), or "" for none or one that does not parse: the operation itself
// reports that.
func (e *Engine) streamOf(in any) string {
	v := reflect.ValueOf(in)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return ""
	}
	field := func(name string) string {
		f := v.FieldByName(name)
		switch {
		case !f.IsValid():
			return ""
		case f.Kind() == reflect.Pointer && !f.IsNil() && f.Elem().Kind() == reflect.String:
			return f.Elem().String()
		case f.Kind() == reflect.String:
			return f.String()
		}
		return ""
	}
	if n := field("StreamName"); n != "" {
		return n
	}
	for _, f := range []string{"StreamARN", "ConsumerARN", "ResourceARN"} {
		arn := field(f)
		if arn == "" {
			continue
		}
		if p, ok := e.parseConsumerARN(arn); ok {
			return p.stream
		}
		if n, _, ok := e.streamNameFromARN(arn); ok {
			return n
		}
	}
	return ""
}
