package walmeta_test

import (
	"crypto/rand"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/eddy-streams/eddy/storage"
	"github.com/eddy-streams/eddy/storage/sealed"
	"github.com/eddy-streams/eddy/storage/segment"
	"github.com/eddy-streams/eddy/storage/walmeta"
)

func openSealed(b *testing.B, dir string) owning {
	inner, err := segment.Open(dir, segment.DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	key := make([]byte, 32)
	rand.Read(key)
	logs, err := sealed.Open(inner, key)
	if err != nil {
		b.Fatal(err)
	}
	s, err := walmeta.Open(logs, walmeta.Config{})
	if err != nil {
		b.Fatal(err)
	}
	return owning{s, logs}
}

// BenchmarkCommit is storage/boltmeta's BenchmarkCommit on walmeta over a
// durable segment store, plain and sealed (storage/sealed, as
// --encrypt-at-rest keeps metadata): 64 goroutines writing one 200-byte
// item each per transaction, with Update (a sync each) and Batch (group
// commit).
//
//	go test -run '^$' -bench Commit -benchtime 3s ./storage/walmeta/ ./storage/boltmeta/
func BenchmarkCommit(b *testing.B) {
	for _, mode := range []string{"Update", "Batch", "Update/sealed", "Batch/sealed"} {
		b.Run(mode, func(b *testing.B) {
			var s owning
			if strings.HasSuffix(mode, "/sealed") {
				s = openSealed(b, b.TempDir())
			} else {
				s = openSegment(b, b.TempDir(), walmeta.Config{})
			}
			defer s.Close()
			commit := s.Update
			if strings.HasPrefix(mode, "Batch") {
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
