package kinesis

import (
	"time"

	"github.com/eddy-streams/eddy"
)

// Daily quotas (Config.Limits = LimitsAWS). Besides call rates (limits.go),
// Kinesis caps how often a stream may be changed in some ways within a
// rolling 24 hours. By default, per stream:
//
//	UpdateShardCount       10 scaling operations ("Scale more than ten times
//	                       per rolling 24-hour period per stream")
//	UpdateStreamMode        2 switches ("For each data stream in your AWS
//	                       account, you can switch between the on-demand and
//	                       provisioned capacity modes twice within 24 hours.")
//	StartStreamEncryption  25 ("You can successfully apply a new AWS KMS key
//	                       for server-side encryption 25 times in a rolling
//	                       24-hour period.")
//	StopStreamEncryption   25 ("You can successfully disable server-side
//	                       encryption 25 times in a rolling 24-hour period.")
//
// Sources: the API reference of each operation (the doc comments of
// aws-sdk-go-v2's service/kinesis api_op_*.go), and the Developer Guide's
// "Quotas and limits" (service-sizes-and-limits) and "Choose the data stream
// capacity mode" (how-do-i-size-a-stream) pages. Only successful operations
// count: a refused call changes nothing and uses nothing up. Every
// StartStreamEncryption counts, whether or not its key differs from the
// stream's current one (AWS says "apply a new AWS KMS key"; whether it
// counts re-applying the same key is not documented).
//
// UpdateShardCount also may not ask for more shards than the account's
// shard limit (10,000 by default, which is also the documented per-stream
// default), with the message AWS answered kinesalite's tests with.
//
// Each counted operation's time on the engine's clock is kept in the
// stream's document (streamMeta.Quotas) and persisted with it, so a
// restart does not reset a count. A mode or encryption change counts
// itself in the same update that makes the change. UpdateShardCount
// reshards, so it reserves its count in an update of its own before
// resharding and gives it back if the reshard fails: a crash in between
// leaves the count taken, so a restart never allows an operation more.
//
// AWS's messages for the daily quotas could not be found (no recorded
// answer in kinesalite's tests, kinesis-mock words its own, and the API
// reference gives only the rule); ours are the documented rule in AWS's
// usual "stream S under account A" form, and are not AWS's verbatim.

// quotaWindow is the rolling period of the daily quotas.
const quotaWindow = 24 * time.Hour

// dailyQuota is one operation's per-stream count over quotaWindow.
type dailyQuota struct {
	op    string // the operation; its times' key in streamMeta.Quotas
	limit int
	// refuse is the error for stream once it has used the quota.
	refuse func(e *Engine, stream string) error
}

var (
	quotaUpdateShardCount = dailyQuota{op: "UpdateShardCount", limit: 10,
		refuse: func(e *Engine, stream string) error {
			// Not AWS's verbatim (see above): the documented rule, in the
			// words AWS's recorded UpdateShardCount refusals begin with.
			return eddy.Errorf(eddy.CodeLimitExceeded,
				"UpdateShardCount cannot scale stream %s under account %s more than %d times per rolling 24-hour period.",
				stream, e.cfg.AccountID, 10)
		}}
	quotaStreamMode = dailyQuota{op: "UpdateStreamMode", limit: 2,
		refuse: func(e *Engine, stream string) error {
			// Not AWS's verbatim (see above).
			return eddy.Errorf(eddy.CodeLimitExceeded,
				"Stream %s under account %s cannot switch between the on-demand and provisioned capacity modes more than %d times within 24 hours.",
				stream, e.cfg.AccountID, 2)
		}}
	quotaStartEncryption = dailyQuota{op: "StartStreamEncryption", limit: 25,
		refuse: func(e *Engine, stream string) error {
			// Not AWS's verbatim (see above).
			return eddy.Errorf(eddy.CodeLimitExceeded,
				"A new AWS KMS key can be applied for server-side encryption of stream %s under account %s only %d times in a rolling 24-hour period.",
				stream, e.cfg.AccountID, 25)
		}}
	quotaStopEncryption = dailyQuota{op: "StopStreamEncryption", limit: 25,
		refuse: func(e *Engine, stream string) error {
			// Not AWS's verbatim (see above).
			return eddy.Errorf(eddy.CodeLimitExceeded,
				"Server-side encryption of stream %s under account %s can be disabled only %d times in a rolling 24-hour period.",
				stream, e.cfg.AccountID, 25)
		}}
)

// recent returns the times of q's operations on m within quotaWindow
// before now, oldest first.
func (q dailyQuota) recent(m *streamMeta, now int64) []int64 {
	var kept []int64
	for _, t := range m.Quotas[q.op] {
		if now-t < int64(quotaWindow) {
			kept = append(kept, t)
		}
	}
	return kept
}

// chargeQuota counts one more of q's operations on m now, or refuses with
// q's error (changing nothing) when the stream has used its quota. Callers
// run it inside the update that makes the change, so the two are persisted
// together. With limits off it does nothing.
func (e *Engine) chargeQuota(m *streamMeta, q dailyQuota) error {
	if e.cfg.Limits != LimitsAWS {
		return nil
	}
	_, err := e.chargeQuotaAt(m, q)
	return err
}

// chargeQuotaAt is chargeQuota, returning the time it counted (Unix ns).
// It also forgets times that have left the window.
func (e *Engine) chargeQuotaAt(m *streamMeta, q dailyQuota) (int64, error) {
	now := e.now().UnixNano()
	kept := q.recent(m, now)
	if len(kept) >= q.limit {
		return 0, q.refuse(e, m.Name)
	}
	if m.Quotas == nil {
		m.Quotas = map[string][]int64{}
	}
	m.Quotas[q.op] = append(kept, now)
	return now, nil
}

// reserveQuota counts one of q's operations on the named stream in an
// update of its own, for an operation that changes the stream some other
// way (UpdateShardCount reshards). check, if not nil, runs first in the
// same update and may refuse. undo gives the count back if the operation
// then fails. With limits off it does nothing.
func (e *Engine) reserveQuota(name string, q dailyQuota, check func(m *streamMeta) error) (undo func(), err error) {
	nothing := func() {}
	if e.cfg.Limits != LimitsAWS {
		return nothing, nil
	}
	s, err := e.mutable(name)
	if err != nil {
		return nothing, err
	}
	var at int64
	err = s.update(func(m *streamMeta) error {
		if m.Status == StatusDeleting {
			return e.notFound(name)
		}
		if check != nil {
			if err := check(m); err != nil {
				return err
			}
		}
		var cerr error
		at, cerr = e.chargeQuotaAt(m, q)
		return cerr
	})
	if err != nil {
		return nothing, err
	}
	return func() {
		err := s.update(func(m *streamMeta) error {
			if m.Status == StatusDeleting {
				return e.notFound(name) // nothing to give back to
			}
			times := m.Quotas[q.op]
			for i, t := range times {
				if t == at {
					m.Quotas[q.op] = append(times[:i:i], times[i+1:]...)
					break
				}
			}
			return nil
		})
		if err != nil {
			e.log.Warn("giving back a daily quota count", "stream", name, "op", q.op, "err", err)
		}
	}, nil
}

// checkTargetShardCount refuses an UpdateShardCount to more shards than
// the account's shard limit, which by default is also the per-stream limit
// (10,000). The message is the one AWS answered kinesalite's test with
// (mhart/kinesalite test/updateShardCount.js: "Target shard count or
// number of open shards cannot be greater than 50. Current open shard
// count: 10, Target shard count: 52", from an account whose shard limit was
// 50). It is checked before the double-or-half rule, as the test shows.
func (e *Engine) checkTargetShardCount(m *streamMeta, target int) error {
	if target <= e.cfg.ShardLimit {
		return nil
	}
	open := 0
	for _, sm := range m.Shards {
		if !sm.Closed {
			open++
		}
	}
	return eddy.Errorf(eddy.CodeLimitExceeded,
		"Target shard count or number of open shards cannot be greater than %d. Current open shard count: %d, Target shard count: %d",
		e.cfg.ShardLimit, open, target)
}
