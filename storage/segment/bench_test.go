package segment

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/storage"
)

// BenchmarkAppend measures durable ingest: 8 writers append batches of 500
// records to 16 shards (each writer cycles over the shards), SyncAlways.
// b.N counts batches; records/s is reported as a metric.
func BenchmarkAppend(b *testing.B) {
	for _, size := range []int{100, 1024} {
		for _, shards := range []int{1, 16} {
			b.Run(fmt.Sprintf("rec=%dB/shards=%d/writers=8/batch=500", size, shards), func(b *testing.B) {
				benchAppend(b, size, shards, 8, 500, SyncAlways)
			})
		}
	}
}

func benchAppend(b *testing.B, size, shards, writers, batch int, mode SyncMode) {
	s := openBench(b, b.TempDir(), mode)
	defer s.Close()
	logs := make([]storage.ShardLog, shards)
	for i := range logs {
		l, err := s.Create(fmt.Sprintf("bench/shard-%d", i), 0)
		if err != nil {
			b.Fatal(err)
		}
		logs[i] = l
	}
	recs := make([][]storage.Record, writers)
	for w := range recs {
		data := make([]byte, size)
		for i := range data {
			data[i] = byte(w + i)
		}
		recs[w] = make([]storage.Record, batch)
		for i := range recs[w] {
			recs[w][i] = storage.Record{PartitionKey: fmt.Sprintf("pk-%d-%d", w, i), Data: data}
		}
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	b.SetBytes(int64(size * batch))
	b.ResetTimer()
	start := time.Now()
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for {
				n := next.Add(1) - 1
				if n >= int64(b.N) {
					return
				}
				now := time.Now()
				for i := range recs[w] {
					recs[w][i].Arrival = now
				}
				if _, err := logs[int(n)%shards].Append(recs[w]); err != nil {
					b.Error(err)
					return
				}
			}
		}(w)
	}
	wg.Wait()
	el := time.Since(start)
	b.ReportMetric(float64(b.N*batch)/el.Seconds(), "records/s")
}

func openBench(b *testing.B, dir string, mode SyncMode) *Store {
	cfg := DefaultConfig()
	cfg.Sync = mode
	s, err := Open(dir, cfg)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkRead measures warm sequential reads of one shard in batches of
// 10,000 records of 1 KiB. b.N counts batches.
func BenchmarkRead(b *testing.B) {
	const total, batch, size = 200_000, 10_000, 1024
	s := openBench(b, b.TempDir(), SyncNone)
	defer s.Close()
	l, err := s.Create("bench/read", 0)
	if err != nil {
		b.Fatal(err)
	}
	data := make([]byte, size)
	recs := make([]storage.Record, 500)
	for i := range recs {
		recs[i] = storage.Record{PartitionKey: "partition-key", Data: data, Arrival: time.Now()}
	}
	for n := 0; n < total; n += len(recs) {
		if _, err := l.Append(recs); err != nil {
			b.Fatal(err)
		}
	}
	// Warm the page cache.
	for p := uint64(0); p < total; p += batch {
		if _, err := l.Read(p, batch, 1<<30); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(batch * size)
	b.ResetTimer()
	pos := uint64(0)
	br := l.(storage.BufferReader)
	var buf []byte
	for i := 0; i < b.N; i++ {
		var got []storage.Record
		got, buf, err = br.ReadBuffer(pos, batch, 1<<30, buf)
		if err != nil {
			b.Fatal(err)
		}
		if len(got) != batch {
			b.Fatalf("read %d records", len(got))
		}
		pos = (pos + batch) % total
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "records/s")
}
