package main

import (
	"math"
	"slices"
	"sync"
	"time"
)

// Latency is a distribution summary in milliseconds.
type Latency struct {
	N    int     `json:"n"`
	P50  float64 `json:"p50_ms"`
	P99  float64 `json:"p99_ms"`
	P999 float64 `json:"p999_ms"`
	Max  float64 `json:"max_ms"`
}

// percentile is the nearest-rank q-quantile (0 < q <= 1) of sorted: the
// smallest value with at least q of the values at or below it.
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// summarizeLatency sorts d in place and summarizes it.
func summarizeLatency(d []time.Duration) Latency {
	if len(d) == 0 {
		return Latency{}
	}
	slices.Sort(d)
	ms := func(x time.Duration) float64 { return float64(x) / 1e6 }
	return Latency{N: len(d), P50: ms(percentile(d, 0.5)), P99: ms(percentile(d, 0.99)),
		P999: ms(percentile(d, 0.999)), Max: ms(d[len(d)-1])}
}

// samples collects durations from many goroutines.
type samples struct {
	mu struct {
		sync.Mutex
		d []time.Duration
	}
}

func (s *samples) add(d time.Duration) {
	s.mu.Lock()
	s.mu.d = append(s.mu.d, d)
	s.mu.Unlock()
}

func (s *samples) summary() Latency {
	s.mu.Lock()
	defer s.mu.Unlock()
	return summarizeLatency(s.mu.d)
}

// median of xs (the mean of the middle two for an even count); NaN for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
