package sketch

import (
	"cmp"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// zipfKeys returns n keys drawn from a Zipf distribution over distinct
// values (s = 1.2), with a fixed seed.
func zipfKeys(n int, distinct uint64, seed uint64) []string {
	r := rand.New(rand.NewPCG(seed, seed))
	z := rand.NewZipf(r, 1.2, 1, distinct-1)
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("key-%d", z.Uint64())
	}
	return keys
}

type kc struct {
	key   string
	count int64
}

func exactCounts(keys []string) (map[string]int64, []kc) {
	m := map[string]int64{}
	for _, k := range keys {
		m[k]++
	}
	var all []kc
	for k, c := range m {
		all = append(all, kc{k, c})
	}
	slices.SortFunc(all, func(a, b kc) int {
		if c := cmp.Compare(b.count, a.count); c != 0 {
			return c
		}
		return cmp.Compare(a.key, b.key)
	})
	return m, all
}

func TestNewTopKRange(t *testing.T) {
	for _, k := range []int{0, -1, 100001} {
		s, err := NewTopK(k)
		var ke *KError
		if !errors.As(err, &ke) || s != nil {
			t.Errorf("NewTopK(%d) = %v, %v; want a *KError", k, s, err)
		}
	}
	if got := (&KError{K: 0}).Error(); got != "K must be greater than or equal to 1 and cannot exceed 100000, got 0" {
		t.Errorf("message %q", got)
	}
	for _, k := range []int{1, 100000} {
		if _, err := NewTopK(k); err != nil {
			t.Errorf("NewTopK(%d): %v", k, err)
		}
	}
	if _, err := NewTopKCapacity(10, 9); err == nil {
		t.Error("capacity below k accepted")
	}
}

// TestTopKSkewedExact: the top 10 of 300,000 Zipf-distributed keys over
// 100,000 values, with NewTopK's counters, are the exact top 10, in order,
// each guaranteed, each true count within its bounds.
func TestTopKSkewedExact(t *testing.T) {
	keys := zipfKeys(300000, 100000, 1)
	truth, order := exactCounts(keys)
	s, _ := NewTopK(10)
	for _, k := range keys {
		s.Add(k)
	}
	if s.Exact() || s.Total() != int64(len(keys)) {
		t.Fatalf("Exact %v Total %d", s.Exact(), s.Total())
	}
	top := s.Top()
	if len(top) != 10 {
		t.Fatalf("%d items", len(top))
	}
	for i, it := range top {
		if it.Key != order[i].key {
			t.Errorf("rank %d: %s (%d), exact %s (%d)", i+1, it.Key, it.Count, order[i].key, order[i].count)
		}
		if c := truth[it.Key]; c < it.Count-it.Error || c > it.Count {
			t.Errorf("%s: true count %d outside [%d, %d]", it.Key, c, it.Count-it.Error, it.Count)
		}
		if !it.Guaranteed {
			t.Errorf("%s (rank %d) not guaranteed: %+v", it.Key, i+1, it)
		}
	}
}

// TestTopKExactWhenFew: with no more distinct keys than counters, counts
// are exact and the order is the exact one.
func TestTopKExactWhenFew(t *testing.T) {
	keys := zipfKeys(50000, 500, 2)
	_, order := exactCounts(keys)
	s, _ := NewTopKCapacity(len(order), len(order))
	for _, k := range keys {
		s.Add(k)
	}
	if !s.Exact() {
		t.Fatal("not exact")
	}
	top := s.Top()
	if len(top) != len(order) {
		t.Fatalf("%d items, %d keys", len(top), len(order))
	}
	for i, it := range top {
		if it.Key != order[i].key || it.Count != order[i].count || it.Error != 0 || !it.Guaranteed {
			t.Fatalf("rank %d: %+v, exact %+v", i+1, it, order[i])
		}
	}
	s.Reset()
	if len(s.Top()) != 0 || s.Total() != 0 || !s.Exact() {
		t.Error("Reset left something")
	}
	s.Add("a")
	if top := s.Top(); len(top) != 1 || top[0] != (Item{Key: "a", Count: 1, Guaranteed: true}) {
		t.Errorf("after Reset: %+v", top)
	}
}

// TestTopKBoundsUniform: on a flat stream (many more distinct keys than
// counters, so counters are taken over all the time), every count's bounds
// hold, and every key more frequent than n/capacity is kept (the
// Space-Saving guarantee).
func TestTopKBoundsUniform(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	var keys []string
	for i := 0; i < 100000; i++ {
		switch {
		case i%20 == 0:
			keys = append(keys, "hot-1")
		case i%50 == 1:
			keys = append(keys, "hot-2")
		default:
			keys = append(keys, fmt.Sprint(r.IntN(20000)))
		}
	}
	truth, _ := exactCounts(keys)
	const capacity = 200
	s, _ := NewTopKCapacity(capacity, capacity)
	for _, k := range keys {
		s.Add(k)
	}
	top := s.Top()
	kept := map[string]bool{}
	for _, it := range top {
		kept[it.Key] = true
		if c := truth[it.Key]; c < it.Count-it.Error || c > it.Count {
			t.Fatalf("%s: true count %d outside [%d, %d]", it.Key, c, it.Count-it.Error, it.Count)
		}
	}
	for k, c := range truth {
		if c > int64(len(keys))/capacity && !kept[k] {
			t.Errorf("%s occurred %d times (> n/capacity = %d) but has no counter", k, c, len(keys)/capacity)
		}
	}
	if top[0].Key != "hot-1" || top[1].Key != "hot-2" || !top[0].Guaranteed {
		t.Errorf("top two %+v %+v", top[0], top[1])
	}
}
