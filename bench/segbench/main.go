// Command segbench measures the segment log the way docs/BENCHMARKS.md
// reports it: durable ingest with latency percentiles and peak RSS, warm
// sequential reads, reopen time after kill -9, and the cost of many shards.
//
//	go run ./bench/segbench -mode ingest -shards 16 -size 1024
//	go run ./bench/segbench -mode read
//	go run ./bench/segbench -mode reopen -records 1000000 -shards 16
//	go run ./bench/segbench -mode shards -shards 10000
//
// Each mode works in a fresh temporary directory (or -dir) and removes it.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/eddy-streams/eddy/storage"
	"github.com/eddy-streams/eddy/storage/segment"
)

func main() {
	mode := flag.String("mode", "ingest", "ingest | read | reopen | shards | child")
	dir := flag.String("dir", "", "data directory (default: a new temporary one)")
	shards := flag.Int("shards", 16, "number of shards")
	size := flag.Int("size", 1024, "record data size in bytes")
	batch := flag.Int("batch", 500, "records per append")
	writers := flag.Int("writers", 8, "concurrent writers")
	records := flag.Int("records", 2_000_000, "records to write (ingest, reopen)")
	readBatch := flag.Int("read-batch", 10_000, "records per read (read)")
	sync := flag.String("sync", "always", "sync mode: always | interval | none")
	flag.Parse()

	d := *dir
	if d == "" {
		var err error
		if d, err = os.MkdirTemp("", "segbench-"); err != nil {
			fail(err)
		}
		if *mode != "child" {
			defer os.RemoveAll(d)
		}
	}
	cfg := segment.DefaultConfig()
	cfg.Sync = segment.SyncMode(*sync)
	switch *mode {
	case "ingest":
		ingest(d, cfg, *shards, *size, *batch, *writers, *records)
	case "read":
		read(d, cfg, *size, *readBatch, *records)
	case "reopen":
		reopen(d, *shards, *size, *batch, *writers, *records)
	case "child":
		child(d, cfg, *shards, *size, *batch, *writers)
	case "shards":
		manyShards(d, cfg, *shards)
	default:
		fail(fmt.Errorf("unknown mode %q", *mode))
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "segbench:", err)
	os.Exit(1)
}

func createLogs(st *segment.Store, n int) []storage.ShardLog {
	logs := make([]storage.ShardLog, n)
	for i := range logs {
		id := fmt.Sprintf("bench/shardId-%012d", i)
		l, err := st.Open(id)
		if err == storage.ErrNotFound {
			l, err = st.Create(id, 0)
		}
		if err != nil {
			fail(err)
		}
		logs[i] = l
	}
	return logs
}

func batchOf(w, size, batch int) []storage.Record {
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(w*7 + i)
	}
	recs := make([]storage.Record, batch)
	for i := range recs {
		recs[i] = storage.Record{PartitionKey: fmt.Sprintf("partition-%d-%d", w, i), Data: data}
	}
	return recs
}

// ingest: writers append batches round-robin over the shards; each batch's
// latency is recorded; peak RSS is read from /proc at the end.
func ingest(dir string, cfg segment.Config, shards, size, batch, writers, records int) {
	st, err := segment.Open(dir, cfg)
	if err != nil {
		fail(err)
	}
	defer st.Close()
	logs := createLogs(st, shards)
	batches := records / batch
	lat := make([]time.Duration, batches)
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			recs := batchOf(w, size, batch)
			for {
				n := int(next.Add(1) - 1)
				if n >= batches {
					return
				}
				t := time.Now()
				for i := range recs {
					recs[i].Arrival = t
				}
				if _, err := logs[n%shards].Append(recs); err != nil {
					fail(err)
				}
				lat[n] = time.Since(t)
			}
		}(w)
	}
	wg.Wait()
	el := time.Since(start)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	n := batches * batch
	fmt.Printf("ingest: %d records of %d B in %d shards, %d writers, batches of %d, sync %s\n", n, size, shards, writers, batch, cfg.Sync)
	fmt.Printf("  %.0f records/s, %.1f MB/s, batch latency p50 %.2f ms p99 %.2f ms, peak RSS %d MB\n",
		float64(n)/el.Seconds(), float64(n*size)/el.Seconds()/1e6,
		ms(lat[len(lat)/2]), ms(lat[len(lat)*99/100]), procStatusKB("VmHWM")/1024)
}

func read(dir string, cfg segment.Config, size, readBatch, records int) {
	st, err := segment.Open(dir, cfg)
	if err != nil {
		fail(err)
	}
	defer st.Close()
	l := createLogs(st, 1)[0]
	recs := batchOf(0, size, 500)
	for n := 0; n < records; n += len(recs) {
		if _, err := l.Append(recs); err != nil {
			fail(err)
		}
	}
	br := l.(storage.BufferReader)
	pass := func() (int, time.Duration) {
		var buf []byte
		start := time.Now()
		total := 0
		for pos := uint64(0); pos < uint64(records); {
			got, b, err := br.ReadBuffer(pos, readBatch, 1<<30, buf)
			if err != nil {
				fail(err)
			}
			buf = b
			total += len(got)
			pos += uint64(len(got))
		}
		return total, time.Since(start)
	}
	pass() // warm the page cache
	best := time.Duration(1 << 62)
	var n int
	for i := 0; i < 3; i++ {
		var el time.Duration
		if n, el = pass(); el < best {
			best = el
		}
	}
	fmt.Printf("read: %d records of %d B, batches of %d, warm, best of 3\n", n, size, readBatch)
	fmt.Printf("  %.0f records/s, %.1f MB/s\n", float64(n)/best.Seconds(), float64(n*size)/best.Seconds()/1e6)
}

// reopen starts a child that appends until killed, kills it with SIGKILL
// once it has acknowledged the requested records, then times Open plus the
// recovery of every shard, and checks that nothing acknowledged is missing.
func reopen(dir string, shards, size, batch, writers, records int) {
	exe, err := os.Executable()
	if err != nil {
		fail(err)
	}
	cmd := exec.Command(exe, "-mode", "child", "-dir", dir, "-shards", strconv.Itoa(shards),
		"-size", strconv.Itoa(size), "-batch", strconv.Itoa(batch), "-writers", strconv.Itoa(writers))
	out, err := cmd.StdoutPipe()
	if err != nil {
		fail(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		fail(err)
	}
	acked := make([]uint64, shards) // per shard: highest acknowledged position + 1
	total := 0
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		var sh int
		var end uint64
		if _, err := fmt.Sscanf(sc.Text(), "ACK %d %d", &sh, &end); err != nil {
			continue
		}
		acked[sh] = max(acked[sh], end)
		total += batch
		if total >= records {
			cmd.Process.Kill()
			break
		}
	}
	// Everything printed before the kill was acknowledged too.
	for sc.Scan() {
		var sh int
		var end uint64
		if _, err := fmt.Sscanf(sc.Text(), "ACK %d %d", &sh, &end); err == nil {
			acked[sh] = max(acked[sh], end)
		}
	}
	cmd.Wait()
	var sum uint64
	for _, a := range acked {
		sum += a
	}

	start := time.Now()
	st, err := segment.Open(dir, segment.DefaultConfig())
	if err != nil {
		fail(err)
	}
	logs := createLogs(st, shards)
	var found uint64
	for i, l := range logs {
		b, err := l.Bounds()
		if err != nil {
			fail(err)
		}
		if b.Next < acked[i] {
			fail(fmt.Errorf("shard %d: %d records after reopen, %d acknowledged", i, b.Next, acked[i]))
		}
		found += b.Next
	}
	ready := time.Since(start)
	st.Close()
	fmt.Printf("reopen after kill -9: %d records acknowledged in %d shards (%d present)\n", sum, shards, found)
	fmt.Printf("  ready (open + recover every shard) in %.1f ms; nothing acknowledged lost\n", ms(ready))
}

func child(dir string, cfg segment.Config, shards, size, batch, writers int) {
	st, err := segment.Open(dir, cfg)
	if err != nil {
		fail(err)
	}
	logs := createLogs(st, shards)
	var mu sync.Mutex
	w := bufio.NewWriter(os.Stdout)
	var next atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < writers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			recs := batchOf(i, size, batch)
			for {
				sh := int(next.Add(1)-1) % shards
				first, err := logs[sh].Append(recs)
				if err != nil {
					fail(err)
				}
				mu.Lock()
				fmt.Fprintf(w, "ACK %d %d\n", sh, first+uint64(len(recs)))
				w.Flush()
				mu.Unlock()
			}
		}(i)
	}
	wg.Wait()
}

// manyShards creates n shards, appends one record to each, and reports RSS
// and open file descriptors.
func manyShards(dir string, cfg segment.Config, n int) {
	st, err := segment.Open(dir, cfg)
	if err != nil {
		fail(err)
	}
	defer st.Close()
	start := time.Now()
	logs := createLogs(st, n)
	created := time.Since(start)
	rec := []storage.Record{{PartitionKey: "pk", Data: make([]byte, 100), Arrival: time.Now()}}
	start = time.Now()
	for _, l := range logs {
		if _, err := l.Append(rec); err != nil {
			fail(err)
		}
	}
	appended := time.Since(start)
	for _, l := range logs {
		if got, err := l.Read(0, 10, 1<<20); err != nil || len(got) != 1 {
			fail(fmt.Errorf("read back: %d records, %v", len(got), err))
		}
	}
	fds, _ := os.ReadDir("/proc/self/fd")
	fmt.Printf("shards: %d shards with one record each (created in %.1f s, appended in %.1f s)\n", n, created.Seconds(), appended.Seconds())
	fmt.Printf("  RSS %d MB (peak %d MB), open files %d (store's own: %d)\n",
		procStatusKB("VmRSS")/1024, procStatusKB("VmHWM")/1024, len(fds), st.OpenFiles())
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// procStatusKB returns a "kB" field of /proc/self/status, or 0.
func procStatusKB(field string) int {
	b, err := os.ReadFile(filepath.Join("/proc", "self", "status"))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			v, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return v
		}
	}
	return 0
}
