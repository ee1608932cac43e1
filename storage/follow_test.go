package storage_test

import (
	"sync"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/storage"
	"github.com/eddy-streams/eddy/storage/mem"
)

// watched is a MetaStore whose notices the test sends by hand, as
// storage/jetstream sends other nodes' writes.
type watched struct {
	storage.MetaStore
	mu sync.Mutex
	fn func(table, key string)
}

func (w *watched) Watch(fn func(table, key string)) func() {
	w.mu.Lock()
	w.fn = fn
	w.mu.Unlock()
	return func() {
		w.mu.Lock()
		w.fn = nil
		w.mu.Unlock()
	}
}

func (w *watched) notice(table, key string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.fn != nil {
		w.fn(table, key)
	}
}

// TestFollow: kept writes reach handle, each key once however often it
// was written while handle was busy, through a prefixed view too; nothing
// after stop; nothing at all on a store no one else writes.
func TestFollow(t *testing.T) {
	w := &watched{MetaStore: mem.NewMeta()}
	view := storage.PrefixMeta(w, "kinesis/eu-west-1/")
	got := make(chan string, 100)
	release := make(chan struct{})
	first := true
	stop, shared := storage.Follow(view, func(table, key string) string {
		if table == "streams" {
			return key
		}
		return ""
	}, func(key string) {
		if first {
			first = false
			<-release // busy while more notices arrive
		}
		got <- key
	})
	if !shared {
		t.Fatal("a Watcher under a prefixed view is shared")
	}
	w.notice("kinesis/eu-west-1/streams", "a")
	time.Sleep(50 * time.Millisecond) // handle("a") is now waiting
	for range 3 {
		w.notice("kinesis/eu-west-1/streams", "b")
	}
	w.notice("kinesis/eu-west-1/engine", "secret") // not kept
	w.notice("kinesis/us-east-1/streams", "c")     // another view's table
	close(release)
	want := map[string]bool{"a": true, "b": true}
	for len(want) > 0 {
		select {
		case k := <-got:
			if !want[k] {
				t.Fatalf("handled %q, want only a and b once each", k)
			}
			delete(want, k)
		case <-time.After(5 * time.Second):
			t.Fatalf("not handled: %v", want)
		}
	}
	select {
	case k := <-got:
		t.Fatalf("handled %q again", k)
	case <-time.After(100 * time.Millisecond):
	}
	stop()
	w.notice("kinesis/eu-west-1/streams", "d")
	select {
	case k := <-got:
		t.Fatalf("handled %q after stop", k)
	case <-time.After(100 * time.Millisecond):
	}

	if _, shared := storage.Follow(mem.NewMeta(), func(string, string) string { return "x" }, func(string) {}); shared {
		t.Fatal("a store no other process writes reported shared")
	}
}
