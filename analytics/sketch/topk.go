package sketch

import (
	"cmp"
	"fmt"
	"slices"
)

// Limits of TOP_K_ITEMS_TUMBLING's K, from the KDA SQL reference page
// (sqlref/top-k.html): "The value K must be greater than or equal to one and
// cannot exceed 100,000."
const (
	MinK = 1
	MaxK = 100000
)

// CapacityFor is the number of counters NewTopK keeps for k items:
// max(10*k, 1000). KDA documents only that the function "approximates the
// most frequently occurring values" ("when seeking the three most traded
// stocks, the function may return three of the five most traded stocks"),
// not its summary's size; ten counters per item reported makes the top k of
// a skewed stream exact in practice (the tests), and any stream with at most
// CapacityFor(k) distinct values is counted exactly.
func CapacityFor(k int) int { return max(10*k, 1000) }

// TopK is a Space-Saving summary (Metwally, Agrawal and El Abbadi,
// "Efficient Computation of Frequent and Top-k Elements in Data Streams",
// ICDT 2005) over string keys: at most capacity counters, each a key, a
// count and an error. A key with a counter has its count incremented; a
// new key takes a free counter, or else the counter with the smallest count
// m, becoming (key, m+1, error m). Every counted key's true count lies in
// [Count-Error, Count], every key that occurred more than n/capacity times
// in n additions has a counter, and while no counter has been taken over
// (Exact) the counts are exact. It is not safe for concurrent use.
type TopK struct {
	k        int
	capacity int
	index    map[string]int32 // key -> slot
	items    []Item           // by slot
	pos      []int32          // slot -> position in heap
	heap     []int32          // slots, a min-heap on Count
	total    int64
	evicted  bool
}

// Item is a key with its count. Its true count is between Count-Error and
// Count. Guaranteed (set by Top) says it is certainly among the k most
// frequent keys: Count-Error is at least the count of every key not
// returned.
type Item struct {
	Key        string
	Count      int64
	Error      int64
	Guaranteed bool
}

// KError is a K outside [MinK, MaxK]. KDA's error text for it is not
// documented; this one restates the reference's rule.
type KError struct{ K int }

func (e *KError) Error() string {
	return fmt.Sprintf("K must be greater than or equal to %d and cannot exceed %d, got %d", MinK, MaxK, e.K)
}

// NewTopK returns a summary for the k most frequent keys, with
// CapacityFor(k) counters, or a *KError if k is outside [MinK, MaxK].
func NewTopK(k int) (*TopK, error) {
	if k < MinK || k > MaxK {
		return nil, &KError{K: k}
	}
	return NewTopKCapacity(k, CapacityFor(k))
}

// NewTopKCapacity is NewTopK with capacity counters (at least k).
func NewTopKCapacity(k, capacity int) (*TopK, error) {
	if k < MinK || k > MaxK {
		return nil, &KError{K: k}
	}
	if capacity < k {
		return nil, fmt.Errorf("sketch: capacity %d is less than k %d", capacity, k)
	}
	return &TopK{k: k, capacity: capacity, index: make(map[string]int32)}, nil
}

// Add counts one occurrence of key.
func (s *TopK) Add(key string) {
	s.total++
	if i, ok := s.index[key]; ok {
		s.items[i].Count++
		s.down(int(s.pos[i]))
		return
	}
	if len(s.heap) < s.capacity {
		i := int32(len(s.items))
		s.items = append(s.items, Item{Key: key, Count: 1})
		s.pos = append(s.pos, int32(len(s.heap)))
		s.heap = append(s.heap, i)
		s.index[key] = i
		s.up(len(s.heap) - 1)
		return
	}
	// Take over the counter with the smallest count.
	s.evicted = true
	i := s.heap[0]
	m := s.items[i]
	delete(s.index, m.Key)
	s.items[i] = Item{Key: key, Count: m.Count + 1, Error: m.Count}
	s.index[key] = i
	s.down(0)
}

// Top returns the (at most) k keys with the largest counts, largest first;
// equal counts are ordered by key. The slice is the caller's.
func (s *TopK) Top() []Item {
	all := slices.Clone(s.items)
	slices.SortFunc(all, func(a, b Item) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return cmp.Compare(a.Key, b.Key)
	})
	// The largest count of a key not returned: the next counter's, or, once
	// a counter has been taken over, at most the smallest count (a key
	// without a counter occurred at most that often).
	var next int64
	if len(all) > s.k {
		next = all[s.k].Count
		all = all[:s.k]
	}
	if s.evicted {
		next = max(next, s.items[s.heap[0]].Count)
	}
	for i := range all {
		all[i].Guaranteed = all[i].Count-all[i].Error >= next
	}
	return all
}

// Exact reports whether every count is exact: no counter has been taken
// over, so no key has been missed.
func (s *TopK) Exact() bool { return !s.evicted }

// Total is the number of keys added.
func (s *TopK) Total() int64 { return s.total }

// Reset empties the summary for the next window, keeping its memory.
func (s *TopK) Reset() {
	clear(s.index)
	s.items, s.pos, s.heap = s.items[:0], s.pos[:0], s.heap[:0]
	s.total = 0
	s.evicted = false
}

func (s *TopK) count(j int) int64 { return s.items[s.heap[j]].Count }

func (s *TopK) swap(i, j int) {
	s.heap[i], s.heap[j] = s.heap[j], s.heap[i]
	s.pos[s.heap[i]] = int32(i)
	s.pos[s.heap[j]] = int32(j)
}

func (s *TopK) up(j int) {
	for j > 0 {
		p := (j - 1) / 2
		if s.count(p) <= s.count(j) {
			return
		}
		s.swap(j, p)
		j = p
	}
}

func (s *TopK) down(j int) {
	n := len(s.heap)
	for {
		l := 2*j + 1
		if l >= n {
			return
		}
		c := l
		if r := l + 1; r < n && s.count(r) < s.count(l) {
			c = r
		}
		if s.count(j) <= s.count(c) {
			return
		}
		s.swap(j, c)
		j = c
	}
}
