package rcf

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkUpdate measures Update with KDA's defaults (100 trees, sample
// 256) on 2-dimensional Gaussian points, once the samples are full.
func BenchmarkUpdate(b *testing.B) { benchmarkUpdate(b, false) }

// BenchmarkUpdateExplained is BenchmarkUpdate with UpdateExplained.
func BenchmarkUpdateExplained(b *testing.B) { benchmarkUpdate(b, true) }

func benchmarkUpdate(b *testing.B, explain bool) {
	c := DefaultConfig()
	c.Dimensions = 2
	f, err := New(c)
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	pts := make([][]float64, 4096)
	for i := range pts {
		pts[i] = []float64{r.NormFloat64(), r.NormFloat64()}
	}
	for i := 0; i < 2000; i++ {
		f.Update(pts[i%len(pts)])
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var err error
		if explain {
			_, err = f.UpdateExplained(pts[i%len(pts)])
		} else {
			_, err = f.Update(pts[i%len(pts)])
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
