package sketch

import (
	"fmt"
	"testing"
)

// BenchmarkTopKAdd: Add on a Zipf-distributed stream over 100,000 values
// with NewTopK(10)'s 1,000 counters (counters are taken over often).
func BenchmarkTopKAdd(b *testing.B) {
	keys := zipfKeys(1<<16, 100000, 9)
	s, _ := NewTopK(10)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.Add(keys[i&(1<<16-1)])
	}
}

// BenchmarkCountDistinctAdd: Add of distinct keys, past the exact limit
// (the sketch's registers).
func BenchmarkCountDistinctAdd(b *testing.B) {
	keys := make([]string, 1<<16)
	for i := range keys {
		keys[i] = fmt.Sprintf("user-%d", i)
	}
	c := NewCountDistinct()
	for _, k := range keys[:DefaultExactLimit+1] {
		c.Add(k)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.Add(keys[i&(1<<16-1)])
	}
}

// BenchmarkCountDistinctAddExact: Add while counting exactly (at most
// 10,000 distinct keys).
func BenchmarkCountDistinctAddExact(b *testing.B) {
	keys := make([]string, DefaultExactLimit)
	for i := range keys {
		keys[i] = fmt.Sprintf("user-%d", i)
	}
	c := NewCountDistinct()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.Add(keys[i%len(keys)])
	}
}
