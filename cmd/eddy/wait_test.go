package main

import (
	"testing"
	"time"
)

// waitFor polls cond until it holds, failing the test after testTimeout.
// what names the awaited condition in the failure.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(testTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", testTimeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// recvWithin receives from ch, failing the test if nothing comes within
// testTimeout. what names the awaited value in the failure.
func recvWithin[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	timer := time.NewTimer(testTimeout)
	defer timer.Stop()
	select {
	case v := <-ch:
		return v
	case <-timer.C:
		t.Fatalf("timed out after %s waiting for %s", testTimeout, what)
		panic("unreachable")
	}
}
