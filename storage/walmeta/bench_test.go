package walmeta_test

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/eddy-streams/eddy/storage"
	"github.com/eddy-streams/eddy/storage/walmeta"
)

// BenchmarkCommit is storage/boltmeta's BenchmarkCommit on walmeta over a
// durable segment store: 64 goroutines writing one 200-byte item each per
// transaction, with Update (a sync each) and Batch (group commit).
//
//	go test -run '^$' -bench Commit -benchtime 3s ./storage/walmeta/ ./storage/boltmeta/
func BenchmarkCommit(b *testing.B) {
	for _, mode := range []string{"Update", "Batch"} {
		b.Run(mode, func(b *testing.B) {
			s := openSegment(b, b.TempDir(), walmeta.Config{})
			defer s.Close()
			commit := s.Update
			if mode == "Batch" {
				commit = s.Batch
			}
			var n atomic.Int64
			value := make([]byte, 200)
			b.SetParallelism(32)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					key := fmt.Sprintf("item-%09d", n.Add(1))
					if err := commit(func(tx storage.MetaTx) error { return tx.Put("t", key, value) }); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
