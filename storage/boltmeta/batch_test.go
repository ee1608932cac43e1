package boltmeta_test

import (
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/eddy-streams/eddy/storage"
	"github.com/eddy-streams/eddy/storage/boltmeta"
)

// BenchmarkCommit compares Update and Batch for 64 goroutines writing one
// small item each per transaction, durably (a sync per commit): Batch
// shares the sync.
//
//	go test -run '^$' -bench Commit -benchtime 3s ./storage/boltmeta/
func BenchmarkCommit(b *testing.B) {
	for _, mode := range []string{"Update", "Batch"} {
		b.Run(mode, func(b *testing.B) {
			s, err := boltmeta.Open(filepath.Join(b.TempDir(), "meta.db"), boltmeta.DefaultConfig())
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			commit := s.Update
			if mode == "Batch" {
				commit = s.Batch
			}
			var n atomic.Int64
			value := make([]byte, 200)
			b.SetParallelism(32) // 32 x GOMAXPROCS goroutines
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
