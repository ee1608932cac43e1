package esm

import (
	"errors"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/metrics"
	"github.com/eddy-streams/eddy/protocol/kds"
	lp "github.com/eddy-streams/eddy/protocol/lambda"
)

// Metrics. The manager publishes, in Config.Metrics, per mapping (labels
// function, the mapping's FunctionArn, and uuid) the CloudWatch metrics
// Lambda reports for a function fed by a stream (developer guide,
// monitoring-metrics-types.html) and the counts of its event source
// mapping metrics, under Prometheus names:
//
//	CloudWatch                  Prometheus
//	Invocations                 lambda_esm_invocations_total (the function ran, with or without error)
//	Errors                      lambda_esm_errors_total (function errors)
//	Throttles                   lambda_esm_throttles_total (invocations refused with TooManyRequestsException)
//	IteratorAge                 lambda_esm_iterator_age_milliseconds (gauge: age of the last record of the last batch invoked, at invocation)
//	FilteredOutEventCount       lambda_esm_filtered_records_total (records dropped by FilterCriteria)
//	(on-failure destination)    lambda_esm_on_failure_batches_total, lambda_esm_on_failure_records_total
//	                            (batches, and their records, described to DestinationConfig.OnFailure)
//
// As in CloudWatch, throttled invocations and invocations that did not run
// for another reason count neither as Invocations nor as Errors. A
// tumbling window's final invocation counts as an invocation.
// Metrics are the manager's metric families, registered once in a
// registry; several managers (one per account, in cmd/eddy) may share
// them through Config.MetricFamilies, since a family is registered once.
type Metrics struct {
	invocations, errors, throttles *metrics.CounterVec
	filtered                       *metrics.CounterVec
	failureBatches, failureRecords *metrics.CounterVec
	iteratorAge                    *metrics.GaugeVec
}

// NewMetrics registers the families in r.
func NewMetrics(r *metrics.Registry) *Metrics {
	l := []string{"function", "uuid"}
	return &Metrics{
		invocations:    r.CounterVec("lambda_esm_invocations_total", "Invocations of the function by the event source mapping that ran (CloudWatch Invocations).", l...),
		errors:         r.CounterVec("lambda_esm_errors_total", "Invocations by the event source mapping that ended in a function error (CloudWatch Errors).", l...),
		throttles:      r.CounterVec("lambda_esm_throttles_total", "Invocations by the event source mapping refused with TooManyRequestsException (CloudWatch Throttles).", l...),
		filtered:       r.CounterVec("lambda_esm_filtered_records_total", "Records dropped by the mapping's FilterCriteria (CloudWatch FilteredOutEventCount).", l...),
		failureBatches: r.CounterVec("lambda_esm_on_failure_batches_total", "Discarded batches described to the on-failure destination.", l...),
		failureRecords: r.CounterVec("lambda_esm_on_failure_records_total", "Records of the discarded batches described to the on-failure destination.", l...),
		iteratorAge:    r.GaugeVec("lambda_esm_iterator_age_milliseconds", "Age of the last record of the last batch invoked, in milliseconds, when invoked (CloudWatch IteratorAge).", l...),
	}
}

// mappingMetrics are one mapping's series, looked up once per shard poller.
type mappingMetrics struct {
	invocations, errors, throttles *metrics.Counter
	filtered                       *metrics.Counter
	failureBatches, failureRecords *metrics.Counter
	iteratorAge                    *metrics.Gauge
}

func (f *Metrics) mapping(function, uuid string) *mappingMetrics {
	return &mappingMetrics{
		invocations:    f.invocations.With(function, uuid),
		errors:         f.errors.With(function, uuid),
		throttles:      f.throttles.With(function, uuid),
		filtered:       f.filtered.With(function, uuid),
		failureBatches: f.failureBatches.With(function, uuid),
		failureRecords: f.failureRecords.With(function, uuid),
		iteratorAge:    f.iteratorAge.With(function, uuid),
	}
}

// forget removes a deleted mapping's series.
func (f *Metrics) forget(function, uuid string) {
	for _, v := range []*metrics.CounterVec{f.invocations, f.errors, f.throttles, f.filtered, f.failureBatches, f.failureRecords} {
		v.Delete(function, uuid)
	}
	f.iteratorAge.Delete(function, uuid)
}

// invoked records one invocation attempt of batch at now: err is the
// Invoker's error (the function did not run), functionError the kind of
// a function error.
func (m *mappingMetrics) invoked(batch []kds.Record, now time.Time, functionError string, err error) {
	if err != nil {
		var e *eddy.Error
		if errors.As(err, &e) && e.Code == lp.CodeTooManyRequests {
			m.throttles.Inc()
		}
		return
	}
	m.invocations.Inc()
	if functionError != "" {
		m.errors.Inc()
	}
	if len(batch) > 0 {
		age := now.Sub(batch[len(batch)-1].ApproximateArrivalTimestamp.Time())
		m.iteratorAge.Set(float64(max(age.Milliseconds(), 0)))
	}
}
