package httpapi

import (
	"testing"
	"time"
)

// recvWithin receives from ch, failing the test if nothing comes within
// 10 s, as waitFor does for conditions. what names the awaited value.
func recvWithin[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	timer := time.NewTimer(10 * time.Second)
	defer timer.Stop()
	select {
	case v := <-ch:
		return v
	case <-timer.C:
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}
