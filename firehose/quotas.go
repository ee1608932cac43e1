package firehose

import (
	"sync"
	"time"

	"github.com/eddy-streams/eddy/internal/gcra"
)

// Direct PUT quotas (Config.Quotas). "When Direct PUT is configured as the
// data source, each Firehose stream provides the following combined quota
// for PutRecord and PutRecordBatch requests: for US East (N. Virginia), US
// West (Oregon), and Europe (Ireland): 500,000 records/second, 2,000
// requests/second, and 5 MiB/second"; in the other Regions 100,000
// records/second, 1,000 requests/second and 1 MiB/second (the Firehose
// developer guide, "Amazon Data Firehose Quota"). Older versions of the
// same page and the API reference's PutRecord say 5,000 records/second in
// the first three Regions; Eddy follows the current page.
//
// Each of the three is a GCRA meter (internal/gcra) with a burst of one
// second, per delivery stream. A call over the request rate fails whole
// with ServiceUnavailableException; records over the record or byte rate
// fail one by one, those of a PutRecordBatch after the last admitted one
// with the entry error ServiceUnavailableException "Slow down.", as the
// real service answers a throttled batch (boto/boto3#2804 shows such an
// answer: FailedPutCount 450 of 500, each failed entry
// {"ErrorCode":"ServiceUnavailableException","ErrorMessage":"Slow
// down."}).
const (
	quotaBurst = int64(time.Second)
	// throttledMessage is the real service's message (boto/boto3#2804,
	// awslabs/amazon-kinesis-agent#29).
	throttledMessage = "Slow down."
)

// Quotas modes of Config.Quotas.
const (
	QuotasOff = "off"
	QuotasAWS = "aws"
)

// rates are one delivery stream's Direct PUT quotas.
type rates struct{ records, requests, bytes int64 }

// directPutRates returns the quotas of region.
func directPutRates(region string) rates {
	switch region {
	case "us-east-1", "us-west-2", "eu-west-1":
		return rates{records: 500_000, requests: 2_000, bytes: 5 << 20}
	}
	return rates{records: 100_000, requests: 1_000, bytes: 1 << 20}
}

// streamQuota is one delivery stream's meters.
type streamQuota struct {
	mu                      sync.Mutex
	rates                   rates
	records, requests, byts gcra.Meter
}

// quotaOf returns the meters of the stream whose log is logID, nil with
// quotas off.
func (s *Service) quotaOf(region, logID string) *streamQuota {
	if s.cfg.Quotas != QuotasAWS {
		return nil
	}
	if q, ok := s.quotas.Load(logID); ok {
		return q.(*streamQuota)
	}
	q, _ := s.quotas.LoadOrStore(logID, &streamQuota{rates: directPutRates(region)})
	return q.(*streamQuota)
}

// admit charges a call carrying data and returns how many of its records,
// in order, are within the quotas; ok false means the call itself is over
// the request rate (nothing charged). A nil quota admits everything.
func (q *streamQuota) admit(now time.Time, data [][]byte) (n int, ok bool) {
	if q == nil {
		return len(data), true
	}
	t := now.UnixNano()
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.requests.Take(t, gcra.Per(1, q.rates.requests), quotaBurst) {
		return 0, false
	}
	for _, d := range data {
		if !q.records.Admit(t, quotaBurst) || !q.byts.Admit(t, quotaBurst) {
			break
		}
		q.records.Charge(t, gcra.Per(1, q.rates.records))
		q.byts.Charge(t, gcra.Per(int64(len(d)), q.rates.bytes))
		n++
	}
	return n, true
}
