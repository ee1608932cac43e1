package gcra

import (
	"testing"
	"time"
)

// TestMeterBurstAndRate: an idle meter admits a burst's worth at once,
// then one request per cost as time passes; a request larger than the
// burst is admitted and holds the meter off until it is paid for.
func TestMeterBurstAndRate(t *testing.T) {
	sec := int64(time.Second)
	var m Meter
	now := int64(1_000_000_000_000)
	cost := Per(1, 10) // 10 per second
	n := 0
	for m.Take(now, cost, sec) {
		n++
	}
	if n != 10 {
		t.Fatalf("an idle meter with a 1 s burst at 10/s admitted %d, want 10", n)
	}
	if w := m.Wait(now, sec); w != 0 {
		t.Fatalf("Wait = %v at exactly a burst ahead, want 0", w)
	}
	if w := m.Wait(now-cost, sec); w != time.Duration(cost) {
		t.Fatalf("Wait = %v a cost earlier, want %v", w, time.Duration(cost))
	}
	now += cost
	if !m.Take(now, cost, sec) || m.Take(now, cost, sec) {
		t.Fatal("after one cost of time, exactly one more request")
	}
	var big Meter
	if !big.Take(now, 5*sec, sec) {
		t.Fatal("a request larger than the burst is admitted when the meter is idle")
	}
	if big.Admit(now+3*sec, sec) || !big.Admit(now+4*sec+1, sec) {
		t.Fatal("a 5 s request with a 1 s burst holds the meter off for 4 s")
	}
}
