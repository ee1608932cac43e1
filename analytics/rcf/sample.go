package rcf

import "math"

// sampler keeps one tree's sample of the stream: at most capacity points,
// each point kept with a probability that decays exponentially with its age
// (weight exp(t/timeDecay) for the point that arrived at time t), and none
// that arrived timeDecay or more points ago.
//
// The decayed sample is weighted reservoir sampling without replacement
// (Efraimidis and Spirakis, "Weighted random sampling with a reservoir",
// 2006): each point draws u in (0,1] and gets the key u^(1/w); the sample is
// the capacity points with the largest keys. Working with
// log(-log(key)) = log(-log(u)) - t/timeDecay instead keeps the numbers
// small however long the stream runs: the sample is then the capacity points
// with the smallest such key, held in a max-heap so the point to evict is at
// the top. Guha et al. 2016 keep each tree's sample by reservoir sampling
// and point to time-decayed sampling for evolving streams; the KDA reference
// says only that "the algorithm exponentially decays the importance of older
// data", so the decay rate 1/timeDecay is our choice. The hard window is the
// KDA reference's "uses only the most recent 100,000 records (and ignores
// older records)" for the default timeDecay of 100,000.
type sampler struct {
	capacity int
	window   int64
	lambda   float64
	slots    []entry
	heap     []int32 // slot indices, a max-heap on key
	free     []int32
	fifo     []fifoEntry // accepted points in arrival order; stale ones skipped
	head     int
}

type entry struct {
	key     float64
	seq     int64
	leaf    int32
	heapPos int32 // -1 when the slot is free
}

type fifoEntry struct {
	slot int32
	seq  int64
}

func newSampler(capacity int, timeDecay int64) *sampler {
	return &sampler{
		capacity: capacity,
		window:   timeDecay,
		lambda:   1 / float64(timeDecay),
		slots:    make([]entry, 0, capacity),
		heap:     make([]int32, 0, capacity),
	}
}

func (s *sampler) len() int { return len(s.heap) }

// key is the sort key of a point that arrives at time seq with uniform u in
// (0, 1]; smaller keys are kept.
func (s *sampler) key(u float64, seq int64) float64 {
	return math.Log(-math.Log(u)) - s.lambda*float64(seq)
}

// accepts reports whether a point with key k enters the sample.
func (s *sampler) accepts(k float64) bool {
	return len(s.heap) < s.capacity || k < s.slots[s.heap[0]].key
}

// add puts a point in the sample; the caller has made room (evictTop) when
// the sample was full.
func (s *sampler) add(k float64, seq int64, leaf int32) {
	var i int32
	if n := len(s.free); n > 0 {
		i = s.free[n-1]
		s.free = s.free[:n-1]
	} else {
		i = int32(len(s.slots))
		s.slots = append(s.slots, entry{})
	}
	s.slots[i] = entry{key: k, seq: seq, leaf: leaf, heapPos: int32(len(s.heap))}
	s.heap = append(s.heap, i)
	s.up(len(s.heap) - 1)
	if s.head > 0 && s.head >= len(s.fifo)/2 {
		s.fifo = append(s.fifo[:0], s.fifo[s.head:]...)
		s.head = 0
	}
	s.fifo = append(s.fifo, fifoEntry{slot: i, seq: seq})
}

// evictTop removes the point with the largest key and returns its leaf.
func (s *sampler) evictTop() int32 {
	return s.removeAt(0)
}

// expire removes the oldest point if it arrived timeDecay or more points
// before now, returning its leaf and true; call it until it returns false.
func (s *sampler) expire(now int64) (int32, bool) {
	for s.head < len(s.fifo) {
		f := s.fifo[s.head]
		e := s.slots[f.slot]
		if e.heapPos < 0 || e.seq != f.seq { // evicted already
			s.head++
			continue
		}
		if now-f.seq < s.window {
			return 0, false
		}
		s.head++
		return s.removeAt(int(e.heapPos)), true
	}
	return 0, false
}

func (s *sampler) removeAt(pos int) int32 {
	i := s.heap[pos]
	leaf := s.slots[i].leaf
	last := len(s.heap) - 1
	s.swap(pos, last)
	s.heap = s.heap[:last]
	s.slots[i].heapPos = -1
	s.free = append(s.free, i)
	if pos < last {
		s.down(pos)
		s.up(pos)
	}
	return leaf
}

func (s *sampler) swap(a, b int) {
	s.heap[a], s.heap[b] = s.heap[b], s.heap[a]
	s.slots[s.heap[a]].heapPos = int32(a)
	s.slots[s.heap[b]].heapPos = int32(b)
}

func (s *sampler) less(a, b int) bool { // max-heap: larger key first
	return s.slots[s.heap[a]].key > s.slots[s.heap[b]].key
}

func (s *sampler) up(j int) {
	for j > 0 {
		p := (j - 1) / 2
		if !s.less(j, p) {
			return
		}
		s.swap(j, p)
		j = p
	}
}

func (s *sampler) down(j int) {
	n := len(s.heap)
	for {
		l := 2*j + 1
		if l >= n {
			return
		}
		c := l
		if r := l + 1; r < n && s.less(r, l) {
			c = r
		}
		if !s.less(c, j) {
			return
		}
		s.swap(j, c)
		j = c
	}
}
