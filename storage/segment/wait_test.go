package segment

import (
	"testing"
	"time"
)

// waitTimeout bounds every wait of a test on another goroutine, so that a
// stuck test fails on its own, naming what it waited for, before go test's
// -timeout takes the whole package down.
const waitTimeout = 30 * time.Second

// waitFor polls cond until it holds, failing the test after waitTimeout.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", waitTimeout, what)
		}
		time.Sleep(100 * time.Microsecond)
	}
}

// recvWithin receives from ch, failing the test if nothing comes within
// waitTimeout.
func recvWithin[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	timer := time.NewTimer(waitTimeout)
	defer timer.Stop()
	select {
	case v := <-ch:
		return v
	case <-timer.C:
		t.Fatalf("timed out after %s waiting for %s", waitTimeout, what)
		panic("unreachable")
	}
}
