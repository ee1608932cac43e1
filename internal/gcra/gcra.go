// Package gcra is the rate meter behind Eddy's throughput limits (Kinesis
// shards' and API call rates, Firehose's Direct PUT quotas): the "generic
// cell rate algorithm", a token bucket kept as one number, tat, the
// theoretical time at which the meter is empty again. A request costing c
// at rate r is admitted if
//
//	tat <= now  or  tat - now < burst
//
// and then tat = max(tat, now) + c/r. burst is how far ahead of real time
// the meter may run: a meter idle for a while admits burst×r at once, as a
// full token bucket would. Admission only requires the meter not to be
// beyond its burst, so one request larger than the burst is admitted and
// then holds the meter off for as long as the rate takes to pay for it.
//
//	var m gcra.Meter
//	ok := m.Take(now.UnixNano(), gcra.Per(records, 1000), int64(time.Second))
package gcra

import "time"

// Meter is one rate meter; its zero value is idle. Its methods are not
// safe for concurrent use: callers hold the lock of whatever owns it.
// Times and costs are in nanoseconds.
type Meter struct {
	tat int64 // Unix ns
}

// Admit reports whether a request may go now, given burst, without
// charging it: the meter is idle, or less than burst ahead of now.
func (m *Meter) Admit(now, burst int64) bool { return m.tat <= now || m.tat-now < burst }

// Charge adds a request costing cost.
func (m *Meter) Charge(now, cost int64) {
	m.tat = max(m.tat, now) + cost
}

// Take admits and charges a request, or reports false and charges nothing.
func (m *Meter) Take(now, cost, burst int64) bool {
	if !m.Admit(now, burst) {
		return false
	}
	m.Charge(now, cost)
	return true
}

// Wait is how long until the meter is at most burst ahead of the time
// (Admit needs it strictly less ahead): what a pacer that charges after
// waiting sleeps.
func (m *Meter) Wait(now, burst int64) time.Duration {
	return time.Duration(max(0, m.tat-burst-now))
}

// Per returns the cost of n units at perSec units per second.
func Per(n, perSec int64) int64 { return n * int64(time.Second) / perSec }
