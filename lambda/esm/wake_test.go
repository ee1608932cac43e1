package esm

import (
	"fmt"
	"testing"
	"time"
)

// TestCaughtUpShardWakesOnAppend: a poller that has read everything waits
// for the shard's next append, not for PollInterval (an hour here), so a
// record put then reaches the function at once.
func TestCaughtUpShardWakesOnAppend(t *testing.T) {
	e := setup(t, &fakeFunction{})
	e.put(t, "src", "r0")
	e.mapping(t, nil)
	e.manager = New(Config{PollInterval: time.Hour, RetryDelay: time.Millisecond}, e.svc, e.fn,
		func(string) (Source, error) { return e.eng, nil }, e.meta)
	defer e.stop()
	waitFor(t, func() bool { return len(e.fn.snapshot()) == 1 })
	for i := 1; i <= 3; i++ {
		// Let the poller reach its wait: it reads the empty shard first.
		time.Sleep(20 * time.Millisecond)
		e.put(t, "src", fmt.Sprintf("r%d", i))
		waitFor(t, func() bool { return len(e.fn.snapshot()) == i+1 })
	}
	if got := fmt.Sprint(datas(e.fn.snapshot())); got != "[[r0] [r1] [r2] [r3]]" {
		t.Fatalf("delivered %s", got)
	}
}
