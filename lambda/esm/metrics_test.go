package esm

import (
	"bytes"
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/kinesis"
	"github.com/eddy-streams/eddy/metrics"
	lp "github.com/eddy-streams/eddy/protocol/lambda"
)

// scrape returns the registry's samples by series ("name{labels}").
func scrape(t *testing.T, reg *metrics.Registry) map[string]string {
	t.Helper()
	var b bytes.Buffer
	if err := reg.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, line := range strings.Split(b.String(), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		out[line[:i]] = line[i+1:]
	}
	return out
}

// throttlingInvoker refuses the first n invocations as a function at its
// concurrency limit does, then hands over to next.
type throttlingInvoker struct {
	n    atomic.Int64
	next *fakeFunction
}

func (f *throttlingInvoker) Invoke(ctx context.Context, name string, payload []byte) ([]byte, string, error) {
	if f.n.Add(-1) >= 0 {
		return nil, "", &eddy.Error{Code: lp.CodeTooManyRequests, Message: "Rate Exceeded."}
	}
	return f.next.Invoke(ctx, name, payload)
}

func TestMetricsCountInvocationsErrorsFilteredAndDiscarded(t *testing.T) {
	fn := &fakeFunction{respond: func(call int, ev event) ([]byte, string) {
		for _, r := range ev.Records {
			if string(r.Kinesis.Data) == `{"k":"bad"}` {
				return []byte(`{"errorMessage":"poison"}`), "Unhandled"
			}
		}
		return []byte("null"), ""
	}}
	e := setup(t, fn)
	e.put(t, "src", `{"k":"a"}`, `{"k":"skip"}`, `{"k":"bad"}`, `{"k":"skip"}`, `{"k":"b"}`)
	e.mapping(t, func(in *lp.CreateEventSourceMappingInput) {
		in.BisectBatchOnFunctionError = ptr(true)
		in.MaximumRetryAttempts = ptr(int32(0))
		in.DestinationConfig = &lp.DestinationConfig{OnFailure: &lp.OnFailure{Destination: dlqARN}}
		in.FilterCriteria = &lp.FilterCriteria{Filters: []lp.Filter{{Pattern: `{"data":{"k":["a","bad","b"]}}`}}}
	})
	reg := metrics.NewRegistry()
	clock := kinesis.NewFakeClock(time.Now().Add(time.Hour))
	inv := &throttlingInvoker{next: fn}
	inv.n.Store(2)
	e.manager = New(Config{PollInterval: 10 * time.Millisecond, RetryDelay: time.Millisecond, Clock: clock, Metrics: reg}, e.svc, inv,
		func(string) (Source, error) { return e.eng, nil }, e.meta)
	ms, _ := e.svc.EventSourceMappings()
	labels := `{function="` + fnARN + `",uuid="` + ms[0].Config.UUID + `"}`
	// Invocations: [a bad b] fails, [a] ok, [bad b] fails, [bad] fails and
	// is discarded, [b] ok: 5 that ran, 3 function errors, after 2
	// throttled attempts.
	waitFor(t, func() bool {
		return len(fn.snapshot()) == 5 && scrape(t, reg)["lambda_esm_on_failure_batches_total"+labels] == "1"
	})
	got := scrape(t, reg)
	for name, want := range map[string]string{
		"lambda_esm_invocations_total":        "5",
		"lambda_esm_errors_total":             "3",
		"lambda_esm_throttles_total":          "2",
		"lambda_esm_filtered_records_total":   "2",
		"lambda_esm_on_failure_batches_total": "1",
		"lambda_esm_on_failure_records_total": "1",
	} {
		if got[name+labels] != want {
			t.Errorf("%s = %q, want %s", name+labels, got[name+labels], want)
		}
	}
	// The records arrived about an hour before the fake clock's now.
	age := got["lambda_esm_iterator_age_milliseconds"+labels]
	if age < "3600000" || age > "3660000" || len(age) != 7 {
		t.Errorf("iterator age %q ms, want about an hour", age)
	}
	// A deleted mapping's series go away.
	if _, err := e.svc.DeleteEventSourceMapping(ms[0].Config.UUID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool {
		for k := range scrape(t, reg) {
			if strings.Contains(k, ms[0].Config.UUID) {
				return false
			}
		}
		return true
	})
}
