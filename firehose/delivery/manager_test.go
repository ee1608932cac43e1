package delivery

import (
	"sync"
	"testing"
	"time"
)

// TestManagerStartsRestartsAndStops: a job's pipeline runs while it is
// listed, is rebuilt when its version changes, and stops (released) when
// it is gone.
func TestManagerStartsRestartsAndStops(t *testing.T) {
	e := newEnv(t)
	var mu sync.Mutex
	jobs := []Job{{ID: "d", Version: "1"}}
	built, released := map[string]int{}, 0
	m := NewManager(func() ([]Job, error) {
		mu.Lock()
		defer mu.Unlock()
		return append([]Job(nil), jobs...), nil
	}, func(j Job) (*Pipeline, func(), error) {
		mu.Lock()
		built[j.Version]++
		mu.Unlock()
		p := e.pipeline(Hints{Size: 1, Interval: time.Hour})
		p.Clock, p.Idle = nil, 5*time.Millisecond
		return p, func() { mu.Lock(); released++; mu.Unlock() }, nil
	}, 5*time.Millisecond, nil)
	defer m.Close()
	waitCond := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			mu.Lock()
			ok := cond()
			mu.Unlock()
			if ok {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: not in 20s (built %v, released %d)", what, built, released)
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	e.put(t, "a")
	waitCond("first delivery", func() bool { return len(e.dest.datas()) == 1 })
	mu.Lock()
	jobs[0].Version = "2"
	mu.Unlock()
	m.Wake()
	waitCond("rebuilt", func() bool { return built["2"] == 1 && released == 1 })
	e.put(t, "b")
	waitCond("delivery by the new pipeline", func() bool { return len(e.dest.datas()) == 2 })
	mu.Lock()
	jobs = nil
	mu.Unlock()
	m.Wake()
	waitCond("stopped", func() bool { return released == 2 })
	if built["1"] != 1 || built["2"] != 1 {
		t.Fatalf("built %v", built)
	}
}
