package jetstream

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/eddy-streams/eddy/internal/natstest"
	"github.com/eddy-streams/eddy/storage"
	"github.com/eddy-streams/eddy/storage/storagetest"
)

// randomPrefix returns a Config.Prefix no other test uses.
func randomPrefix() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "T" + hex.EncodeToString(b[:])
}

// connect opens a Conn to urls with a fresh prefix (or prefix, if given)
// and closes it when the test ends.
func connect(t testing.TB, urls string, replicas int, prefix string) *Conn {
	t.Helper()
	if prefix == "" {
		prefix = randomPrefix()
	}
	c, err := Open(Config{URLs: urls, Replicas: replicas, Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func openLogs(t testing.TB, c *Conn) *Logs {
	t.Helper()
	s, err := c.Logs()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestLogsEmbeddedR1(t *testing.T) {
	srv := natstest.Embedded(t)
	storagetest.TestLogs(t, func(t *testing.T) storage.Logs {
		return openLogs(t, connect(t, srv.URL, 1, ""))
	})
}

func TestLogsClusterR3(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a 3-node cluster")
	}
	c := natstest.StartCluster(t, 3)
	storagetest.TestLogs(t, func(t *testing.T) storage.Logs {
		return openLogs(t, connect(t, c.URLs(), 3, ""))
	})
}

// embedded starts a nats-server in the test process with the given maximum
// payload and maximum number of messages in an atomic batch (0: the
// server's default), for what natstest.Embedded does not set.
func embedded(t testing.TB, maxPayload int32, maxBatch int) string {
	t.Helper()
	opts := &server.Options{
		ServerName: "small", Host: "127.0.0.1", Port: -1,
		JetStream: true, StoreDir: t.TempDir(), SyncAlways: true,
		MaxPayload: maxPayload, NoSigs: true, NoLog: true,
		JetStreamMaxMemory: 64 << 20, JetStreamMaxStore: 1 << 30,
	}
	opts.JetStreamLimits.MaxBatchSize = maxBatch
	s, err := server.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server did not start")
	}
	t.Cleanup(func() { s.Shutdown(); s.WaitForShutdown() })
	return s.ClientURL()
}

// The suite on a server with the NATS default max payload of 1 MiB: every
// batch over ~1 MiB (the 10 MiB record of MaxDataSize, for one) is split.
func TestLogsSmallPayload(t *testing.T) {
	url := embedded(t, 1<<20, 0)
	storagetest.TestLogs(t, func(t *testing.T) storage.Logs {
		return openLogs(t, connect(t, url, 1, ""))
	})
}

// streamMsgs returns how many messages l's stream holds.
func streamMsgs(t testing.TB, l storage.ShardLog) uint64 {
	t.Helper()
	sl := l.(*shardLog)
	ctx, cancel := sl.s.c.ctx()
	defer cancel()
	info, err := sl.stream.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Msgs
}

func mustAppend(t testing.TB, l storage.ShardLog, recs []storage.Record) uint64 {
	t.Helper()
	first, err := l.Append(recs)
	if err != nil {
		t.Fatalf("Append(%d records) to %q: %v", len(recs), l.ID(), err)
	}
	return first
}

// records returns n records of size bytes each, tagged with tag.
func records(tag string, n, size int, arrival time.Time) []storage.Record {
	recs := make([]storage.Record, n)
	for i := range recs {
		d := bytes.Repeat([]byte{byte(i)}, size)
		copy(d, fmt.Sprintf("%s-%d-", tag, i))
		recs[i] = storage.Record{PartitionKey: fmt.Sprintf("%s-%d", tag, i), Data: d, Arrival: arrival}
	}
	return recs
}

// readAll reads l from 0 to its Next.
func readAll(t testing.TB, l storage.ShardLog) []storage.Record {
	t.Helper()
	var all []storage.Record
	from := uint64(0)
	for {
		recs, err := l.Read(from, 1000, 64<<20)
		if err != nil {
			t.Fatalf("Read(%d) of %q: %v", from, l.ID(), err)
		}
		if len(recs) == 0 {
			return all
		}
		all = append(all, recs...)
		from = recs[len(recs)-1].Seq + 1
	}
}

func sameRecords(t testing.TB, what string, got []storage.Record, first uint64, want []storage.Record) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d records, want %d", what, len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.Seq != first+uint64(i) || g.PartitionKey != w.PartitionKey || !bytes.Equal(g.Data, w.Data) {
			t.Fatalf("%s: record %d is %d %q (%d bytes), want %d %q (%d bytes)", what, i, g.Seq, g.PartitionKey, len(g.Data), first+uint64(i), w.PartitionKey, len(w.Data))
		}
	}
}

// A batch larger than the max payload is split into parts, one atomic
// batch: readers (with no hints, landing on any part) see all of it; a
// batch the server refuses (too many parts) leaves nothing; a batch whose
// expected last sequence is stale is refused whole and retried.
func TestLogsSplitBatches(t *testing.T) {
	url := embedded(t, 1<<20, 4) // at most 4 parts of ~1 MiB
	prefix := randomPrefix()
	s := openLogs(t, connect(t, url, 1, prefix))
	l, err := s.Create("s/split", 100)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Unix(0, 1_700_000_000_000_000_000)
	small1 := records("a", 3, 10, t0)
	big := records("b", 30, 100<<10, t0.Add(time.Second)) // 3 MB: 3 parts
	small2 := records("c", 2, 10, t0.Add(2*time.Second))
	if first := mustAppend(t, l, small1); first != 100 {
		t.Fatalf("first Append = %d", first)
	}
	if first := mustAppend(t, l, big); first != 103 {
		t.Fatalf("big Append = %d", first)
	}
	if first := mustAppend(t, l, small2); first != 133 {
		t.Fatalf("third Append = %d", first)
	}
	if n := streamMsgs(t, l); n != 5 {
		t.Fatalf("stream holds %d messages, want 1 + 3 parts + 1", n)
	}
	all := append(append(append([]storage.Record{}, small1...), big...), small2...)

	// Too many parts: refused whole.
	tooBig := records("x", 60, 100<<10, t0.Add(3*time.Second)) // 6 MB: 6 parts > 4
	start := time.Now()
	_, err = l.Append(tooBig)
	t.Logf("refused append took %v: %v", time.Since(start), err)
	if err == nil {
		t.Fatal("Append of a batch of more parts than the server allows succeeded")
	}
	if n := streamMsgs(t, l); n != 5 {
		t.Fatalf("after a refused batch the stream holds %d messages, want 5", n)
	}

	// Every position reads right through a fresh store (no hints), so the
	// search lands on parts other than the first.
	fresh := openLogs(t, connect(t, url, 1, prefix))
	fl, err := fresh.Open("s/split")
	if err != nil {
		t.Fatal(err)
	}
	if b, err := fl.Bounds(); err != nil || b != (storage.Bounds{Oldest: 100, Next: 135}) {
		t.Fatalf("Bounds = %+v, %v", b, err)
	}
	for from := uint64(100); from < 135; from += 7 {
		got, err := fl.Read(from, 1, 1)
		if err != nil {
			t.Fatalf("Read(%d): %v", from, err)
		}
		sameRecords(t, fmt.Sprintf("Read(%d, 1)", from), got, from, all[from-100:from-99])
	}
	got := readAll(t, fl)
	sameRecords(t, "readAll", got, 100, all)
	// A reader that lands on any part reads the whole batch.
	for seq := uint64(2); seq <= 4; seq++ {
		m, err := fl.(*shardLog).at(seq)
		if err != nil {
			t.Fatal(err)
		}
		recs, after, err := fl.(*shardLog).readBatch(m)
		if err != nil || after != 5 {
			t.Fatalf("readBatch from msg %d (part %d/%d): next msg %d, %v", seq, m.part, m.parts, after, err)
		}
		sameRecords(t, fmt.Sprintf("readBatch from msg %d", seq), recs, 103, big)
	}
	if pos, err := fl.SeekTime(t0.Add(time.Second)); err != nil || pos != 103 {
		t.Fatalf("SeekTime = %d, %v; want 103", pos, err)
	}

	// A stale view: this node appends (so it knows the last message),
	// another node appends after it; this node's split batch is refused
	// whole by the expected last sequence, and retried.
	if first := mustAppend(t, l, small2); first != 135 {
		t.Fatalf("Append = %d, want 135", first)
	}
	if first := mustAppend(t, fl, small1); first != 137 {
		t.Fatalf("Append through the other store = %d, want 137", first)
	}
	if first := mustAppend(t, l, big); first != 140 {
		t.Fatalf("split Append with a stale view = %d, want 140", first)
	}
	if n := streamMsgs(t, l); n != 10 {
		t.Fatalf("stream holds %d messages, want 10 (a refused attempt left parts?)", n)
	}
	all = append(append(append(all, small2...), small1...), big...)
	sameRecords(t, "readAll after the retried split batch", readAll(t, fl), 100, all)

	// Trimming keeps or drops a split batch whole.
	oldest, err := fl.TrimBefore(t0.Add(time.Second))
	if err != nil || oldest != 103 {
		t.Fatalf("TrimBefore = %d, %v; want 103", oldest, err)
	}
	sameRecords(t, "readAll after trim", readAll(t, l), 103, all[3:])
}

// Two nodes (two Conns) append to one log at once: positions are dense,
// never given twice, nothing acknowledged is lost, and each node reads what
// the other wrote.
func TestLogsTwoNodes(t *testing.T) {
	srv := natstest.Embedded(t)
	prefix := randomPrefix()
	testTwoNodes(t, connect(t, srv.URL, 1, prefix), connect(t, srv.URL, 1, prefix), 60)
}

// The same on a 3-node R3 cluster, each node's Conn to another server.
func TestLogsTwoNodesCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a 3-node cluster")
	}
	c := natstest.StartCluster(t, 3)
	prefix := randomPrefix()
	conn := func(url string) *Conn {
		cn, err := Open(Config{URLs: url, Replicas: 3, Prefix: prefix})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cn.Close() })
		return cn
	}
	testTwoNodes(t, conn(c.Servers[0].URL), conn(c.Servers[2].URL), 40)
}

type acked struct {
	first uint64
	recs  []storage.Record
}

func testTwoNodes(t *testing.T, a, b *Conn, batches int) {
	sa, sb := openLogs(t, a), openLogs(t, b)
	la, err := sa.Create("s/shared", 1000)
	if err != nil {
		t.Fatal(err)
	}
	lb, err := sb.Open("s/shared")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	acks := make([][]acked, 4)
	errs := make([]error, 4)
	for w := range 4 {
		l := la
		if w%2 == 1 {
			l = lb
		}
		wg.Go(func() {
			for i := range batches {
				recs := records(fmt.Sprintf("w%d-b%d", w, i), i%4+1, 20, time.Now())
				first, err := l.Append(recs)
				if err != nil {
					errs[w] = err
					return
				}
				acks[w] = append(acks[w], acked{first, recs})
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	checkAcked(t, la, 1000, acks, true)
	checkAcked(t, lb, 1000, acks, true)
}

// checkAcked reads l and checks that every acknowledged batch is at its
// position, and (if exact) that nothing else is there.
func checkAcked(t *testing.T, l storage.ShardLog, base uint64, acks [][]acked, exact bool) {
	t.Helper()
	got := readAll(t, l)
	if len(got) > 0 && got[0].Seq != base {
		t.Fatalf("%q starts at %d, want %d", l.ID(), got[0].Seq, base)
	}
	for i := range got {
		if got[i].Seq != base+uint64(i) {
			t.Fatalf("%q: record %d has position %d: not dense", l.ID(), i, got[i].Seq)
		}
		if i > 0 && got[i].Arrival.Before(got[i-1].Arrival) {
			t.Fatalf("%q: arrival of %d before that of %d", l.ID(), got[i].Seq, got[i-1].Seq)
		}
	}
	total := 0
	for w, as := range acks {
		prev := uint64(0)
		for _, a := range as {
			if a.first < prev {
				t.Fatalf("writer %d: Append returned %d after %d", w, a.first, prev)
			}
			prev = a.first
			total += len(a.recs)
			if a.first < base || a.first-base+uint64(len(a.recs)) > uint64(len(got)) {
				t.Fatalf("writer %d: acknowledged batch at %d (%d records) is not in the log of %d records", w, a.first, len(a.recs), len(got))
			}
			sameRecords(t, fmt.Sprintf("writer %d batch at %d", w, a.first), got[a.first-base:a.first-base+uint64(len(a.recs))], a.first, a.recs)
		}
	}
	if exact && total != len(got) {
		t.Fatalf("%q holds %d records, %d were acknowledged", l.ID(), len(got), total)
	}
	b, err := l.Bounds()
	if err != nil || b.Next != base+uint64(len(got)) {
		t.Fatalf("Bounds = %+v, %v; want Next %d", b, err, base+uint64(len(got)))
	}
}

// A log deleted through one node is deleted for the other's handle too.
func TestLogsDeletedElsewhere(t *testing.T) {
	srv := natstest.Embedded(t)
	prefix := randomPrefix()
	sa := openLogs(t, connect(t, srv.URL, 1, prefix))
	sb := openLogs(t, connect(t, srv.URL, 1, prefix))
	la, err := sa.Create("s/x", 0)
	if err != nil {
		t.Fatal(err)
	}
	mustAppend(t, la, records("a", 1, 1, time.Now()))
	lb, err := sb.Open("s/x")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lb.Bounds(); err != nil {
		t.Fatal(err)
	}
	if err := la.Delete(); err != nil {
		t.Fatal(err)
	}
	if _, err := lb.Append(records("b", 1, 1, time.Now())); !errors.Is(err, storage.ErrDeleted) {
		t.Fatalf("Append through the other node after Delete: %v, want ErrDeleted", err)
	}
	if _, err := lb.Read(0, 1, 1); !errors.Is(err, storage.ErrDeleted) {
		t.Fatalf("Read through the other node after Delete: %v, want ErrDeleted", err)
	}
	if _, err := sb.Open("s/x"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("Open through the other node after Delete: %v, want ErrNotFound", err)
	}
	if _, err := sb.Create("s/x", 5); err != nil {
		t.Fatalf("Create again through the other node: %v", err)
	}
	if _, err := sa.Create("s/x", 6); !errors.Is(err, storage.ErrExists) {
		t.Fatalf("Create of the re-created log: %v, want ErrExists", err)
	}
}

// Two nodes append to one R3 log while the stream's leader is SIGKILLed
// and restarted: every acknowledged Append is readable afterwards, at the
// position it was given, in order.
func TestLogsClusterKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a 3-node cluster")
	}
	c := natstest.StartCluster(t, 3)
	prefix := randomPrefix()
	var urls []string
	for _, s := range c.Servers {
		urls = append(urls, s.URL)
	}
	open := func(order ...int) *Logs {
		var u []string
		for _, i := range order {
			u = append(u, urls[i])
		}
		conn, err := Open(Config{URLs: strings.Join(u, ","), Replicas: 3, Prefix: prefix, Timeout: 3 * time.Second,
			Options: []nats.Option{nats.DontRandomize()}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		return openLogs(t, conn)
	}
	sa, sb := open(0, 1, 2), open(2, 1, 0)
	la, err := sa.Create("s/kill", 0)
	if err != nil {
		t.Fatal(err)
	}
	lb, err := sb.Open("s/kill")
	if err != nil {
		t.Fatal(err)
	}
	leader := func() int {
		ctx, cancel := sa.c.ctx()
		defer cancel()
		info, err := la.(*shardLog).stream.Info(ctx)
		if err != nil || info.Cluster == nil {
			return -1
		}
		for i := range c.Servers {
			if info.Cluster.Leader == fmt.Sprintf("n%d", i+1) {
				return i
			}
		}
		return -1
	}

	var (
		mu      sync.Mutex
		acks    = make([][]acked, 4)
		nacks   int
		failed  int
		unknown bool // an append failed with an unknown outcome
		stop    = make(chan struct{})
		writers sync.WaitGroup
	)
	count := func() int {
		mu.Lock()
		defer mu.Unlock()
		return nacks
	}
	for w := range 4 {
		l := la
		if w%2 == 1 {
			l = lb
		}
		writers.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				recs := records(fmt.Sprintf("w%d-b%d", w, i), i%3+1, 100, time.Now())
				first, err := l.Append(recs)
				mu.Lock()
				if err == nil {
					acks[w] = append(acks[w], acked{first, recs})
					nacks++
				} else {
					failed++
					unknown = unknown || errors.Is(err, errUnknownOutcome)
					if failed <= 5 {
						t.Logf("writer %d: %v", w, err)
					}
				}
				mu.Unlock()
				if err != nil {
					time.Sleep(50 * time.Millisecond)
				}
			}
		})
	}
	waitFor := func(what string, within time.Duration, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(within)
		for !cond() {
			if time.Now().After(deadline) {
				close(stop)
				writers.Wait()
				t.Fatalf("timed out after %v waiting for %s", within, what)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitFor("50 appends", 30*time.Second, func() bool { return count() >= 50 })
	victim := leader()
	if victim < 0 {
		victim = 0
	}
	t.Logf("killing n%d, the stream leader, after %d appends", victim+1, count())
	c.Kill(victim)
	n := count()
	waitFor("appends after the kill", 60*time.Second, func() bool { return count() >= n+50 })
	t.Logf("restarting n%d after %d appends", victim+1, count())
	c.Restart(victim)
	c.WaitReady(t, 60*time.Second)
	n = count()
	waitFor("appends after the restart", 60*time.Second, func() bool { return count() >= n+50 })
	close(stop)
	writers.Wait()
	t.Logf("%d appends acknowledged, %d failed", count(), failed)

	// Failed appends stored nothing, unless their outcome stayed unknown;
	// check through both nodes.
	if unknown {
		t.Log("an append failed with an unknown outcome: checking only that acknowledged appends are kept")
	}
	checkAcked(t, la, 0, acks, !unknown)
	checkAcked(t, lb, 0, acks, !unknown)
}

// Two nodes creating one id with the same base: exactly one succeeds, also
// when they race (a JetStream create of an identical configuration would
// succeed twice).
func TestLogsCreateOnTwoNodes(t *testing.T) {
	srv := natstest.Embedded(t)
	prefix := randomPrefix()
	sa := openLogs(t, connect(t, srv.URL, 1, prefix))
	sb := openLogs(t, connect(t, srv.URL, 1, prefix))
	if _, err := sa.Create("s/a", 0); err != nil {
		t.Fatal(err)
	}
	if _, err := sb.Create("s/a", 0); !errors.Is(err, storage.ErrExists) {
		t.Fatalf("second Create through another node: %v, want ErrExists", err)
	}
	for i := range 20 {
		id := fmt.Sprintf("s/race-%d", i)
		var errA, errB error
		var wg sync.WaitGroup
		wg.Go(func() { _, errA = sa.Create(id, 7) })
		wg.Go(func() { _, errB = sb.Create(id, 7) })
		wg.Wait()
		if (errA == nil) == (errB == nil) {
			t.Fatalf("racing Creates of %q: %v and %v; want one success and one ErrExists", id, errA, errB)
		}
		for _, err := range []error{errA, errB} {
			if err != nil && !errors.Is(err, storage.ErrExists) {
				t.Fatalf("racing Create of %q: %v", id, err)
			}
		}
	}
}

// BenchmarkAppend: each op is one AppendMulti of 16 batches (one per log)
// of 500 records of 1 KiB, as a PutRecords spread over 16 shards would be
// after the engine grouped it, on an embedded R1 server that syncs every
// write (and, unless -short, on a 3-node R3 cluster of separate processes).
func BenchmarkAppend(b *testing.B) {
	b.Run("R1", func(b *testing.B) { benchAppend(b, natstest.Embedded(b).URL, 1) })
	b.Run("R3", func(b *testing.B) {
		if testing.Short() {
			b.Skip("starts a 3-node cluster")
		}
		benchAppend(b, natstest.StartCluster(b, 3).URLs(), 3)
	})
}

func benchAppend(b *testing.B, urls string, replicas int) {
	const logs, perBatch, size = 16, 500, 1 << 10
	s := openLogs(b, connect(b, urls, replicas, ""))
	var ls []storage.ShardLog
	for i := range logs {
		l, err := s.Create(fmt.Sprintf("bench/shardId-%012d", i), 0)
		if err != nil {
			b.Fatal(err)
		}
		ls = append(ls, l)
	}
	recs := records("r", perBatch, size, time.Now())
	batches := make([]storage.AppendBatch, logs)
	b.SetBytes(logs * perBatch * size)
	b.ResetTimer()
	for b.Loop() {
		for i := range batches {
			batches[i] = storage.AppendBatch{Log: ls[i], Recs: recs}
		}
		s.AppendMulti(batches)
		for _, bt := range batches {
			if bt.Err != nil {
				b.Fatal(bt.Err)
			}
		}
	}
	b.ReportMetric(float64(b.N)*logs*perBatch/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkRead: each op is one Read of up to 1,000 records of 1 KiB (4 MiB
// at most) from a log of 100 batches of 500, sequentially, starting again
// at the beginning at the end (embedded R1 server).
func BenchmarkRead(b *testing.B) {
	const batches, perBatch, size, maxRecords = 100, 500, 1 << 10, 1000
	srv, prefix := natstest.Embedded(b), randomPrefix()
	w, err := openLogs(b, connect(b, srv.URL, 1, prefix)).Create("bench/read", 0)
	if err != nil {
		b.Fatal(err)
	}
	recs := records("r", perBatch, size, time.Now())
	for range batches {
		mustAppend(b, w, recs)
	}
	// Another store (node), so that its hints come from its reads alone.
	l, err := openLogs(b, connect(b, srv.URL, 1, prefix)).Open("bench/read")
	if err != nil {
		b.Fatal(err)
	}
	var n int
	from := uint64(0)
	b.ResetTimer()
	for b.Loop() {
		got, err := l.Read(from, maxRecords, 4<<20)
		if err != nil {
			b.Fatal(err)
		}
		if len(got) == 0 {
			from = 0
			continue
		}
		n += len(got)
		from = got[len(got)-1].Seq + 1
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(n)*size/b.Elapsed().Seconds()/1e6, "MB/s")
}

// An Append whose outcome is unknown (its acknowledgement lost, or its
// publish timed out before reaching the server) is resolved by sending it
// again: it is stored exactly once, at the position Append returns, also
// when another node appended in between.
func TestLogsLostAck(t *testing.T) {
	url := embedded(t, 1<<20, 0)
	prefix := randomPrefix()
	for _, size := range []int{100, 3 << 20} { // one message, and a split batch
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			s := openLogs(t, connect(t, url, 1, prefix))
			other := openLogs(t, connect(t, url, 1, prefix))
			id := fmt.Sprintf("s/lost-%d", size)
			l, err := s.Create(id, 0)
			if err != nil {
				t.Fatal(err)
			}
			ol, err := other.Open(id)
			if err != nil {
				t.Fatal(err)
			}
			big := records("big", 3, size/3, time.Now())
			small := records("other", 1, 10, time.Now())
			var want []storage.Record
			appendOther := func() {
				mustAppend(t, ol, small)
				want = append(want, small...)
			}

			// Stored, acknowledgement lost, another node appends next.
			s.testAckLost = func() error {
				s.testAckLost = nil
				appendOther()
				return nats.ErrTimeout
			}
			if first := mustAppend(t, l, big); first != 0 {
				t.Fatalf("Append with a lost ack = %d, want 0", first)
			}
			want = append(big, want...)
			// Not stored (timed out on the way), another node appends
			// meanwhile: stored once, after it.
			s.testSend = func() error {
				s.testSend = nil
				appendOther()
				return context.DeadlineExceeded
			}
			if first := mustAppend(t, l, big); first != 5 {
				t.Fatalf("Append after a timeout = %d, want 5", first)
			}
			want = append(want, big...)
			sameRecords(t, "log", readAll(t, ol), 0, want)
		})
	}
}

// A message that is not a valid batch reads as ErrCorrupt naming the
// stream and the message.
func TestLogsCorrupt(t *testing.T) {
	srv := natstest.Embedded(t)
	c := connect(t, srv.URL, 1, "")
	s := openLogs(t, c)
	for _, tt := range []struct {
		name string
		hdr  map[string]string
		data string
	}{
		{"bad blob", map[string]string{hdrFirst: "1", hdrCount: "1", hdrLastArrival: "0"}, "junk"},
		{"too many records", map[string]string{hdrFirst: "1", hdrCount: "1000000", hdrLastArrival: "0"}, "\x01"},
		{"no headers", nil, "x"},
		{"bad part", map[string]string{hdrFirst: "1", hdrCount: "1", hdrLastArrival: "0", hdrPart: "3/2"}, "x"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			id := "s/" + strings.ReplaceAll(tt.name, " ", "-")
			l, err := s.Create(id, 0)
			if err != nil {
				t.Fatal(err)
			}
			mustAppend(t, l, records("ok", 1, 10, time.Now()))
			m := nats.NewMsg(l.(*shardLog).subject)
			for k, v := range tt.hdr {
				m.Header.Set(k, v)
			}
			m.Data = []byte(tt.data)
			ctx, cancel := c.ctx()
			defer cancel()
			if _, err := c.js.PublishMsg(ctx, m); err != nil {
				t.Fatal(err)
			}
			_, err = l.Read(1, 10, 1<<20)
			if !errors.Is(err, storage.ErrCorrupt) || !strings.Contains(err.Error(), l.(*shardLog).name) || !strings.Contains(err.Error(), "msg 2") {
				t.Fatalf("Read of a bad message: %v, want ErrCorrupt naming stream %s msg 2", err, l.(*shardLog).name)
			}
		})
	}
}

// AppendMulti fails a batch for another store's log (or none) alone.
func TestLogsAppendMultiForeign(t *testing.T) {
	srv := natstest.Embedded(t)
	s := openLogs(t, connect(t, srv.URL, 1, ""))
	other := openLogs(t, connect(t, srv.URL, 1, ""))
	l, err := s.Create("s/a", 0)
	if err != nil {
		t.Fatal(err)
	}
	ol, err := other.Create("s/a", 0)
	if err != nil {
		t.Fatal(err)
	}
	bs := []storage.AppendBatch{
		{Log: l, Recs: records("a", 2, 1, time.Now())},
		{Log: ol, Recs: records("b", 2, 1, time.Now())},
		{Log: nil, Recs: records("c", 2, 1, time.Now())},
	}
	s.AppendMulti(bs)
	if bs[0].Err != nil || bs[0].First != 0 {
		t.Fatalf("batch for this store: %d, %v", bs[0].First, bs[0].Err)
	}
	if bs[1].Err == nil || bs[2].Err == nil {
		t.Fatalf("batches for another store's log and for none: %v, %v; want errors", bs[1].Err, bs[2].Err)
	}
	if b, err := ol.Bounds(); err != nil || b.Next != 0 {
		t.Fatalf("the other store's log: %+v, %v; want untouched", b, err)
	}
}

// A TrimBefore that would drop every record appends a marker first, on
// condition that nothing was appended meanwhile: when another node appends
// a newer record just then, the trim starts again and keeps it.
func TestLogsTrimRacesAppend(t *testing.T) {
	srv := natstest.Embedded(t)
	prefix := randomPrefix()
	s := openLogs(t, connect(t, srv.URL, 1, prefix))
	other := openLogs(t, connect(t, srv.URL, 1, prefix))
	t0 := time.Unix(0, 1_700_000_000_000_000_000)
	l, err := s.Create("s/trim", 0)
	if err != nil {
		t.Fatal(err)
	}
	old := records("old", 5, 10, t0)
	mustAppend(t, l, old)
	ol, err := other.Open("s/trim")
	if err != nil {
		t.Fatal(err)
	}
	fresh := records("fresh", 2, 10, t0.Add(time.Hour))
	s.testSend = func() error {
		s.testSend = nil
		mustAppend(t, ol, fresh) // lands just before the trim's marker
		return nil
	}
	oldest, err := l.TrimBefore(t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if oldest != 5 {
		t.Fatalf("TrimBefore = %d, want 5", oldest)
	}
	sameRecords(t, "after the trim", readAll(t, ol), 5, fresh)
	if b, err := l.Bounds(); err != nil || b != (storage.Bounds{Oldest: 5, Next: 7}) {
		t.Fatalf("Bounds = %+v, %v", b, err)
	}
}

// Regression: an appender that found the log empty read the stream's last
// sequence with a second request, so when another node appended in between
// it expected that node's message to be the last one and took the same
// positions.
func TestLogsFirstAppendRace(t *testing.T) {
	srv := natstest.Embedded(t)
	prefix := randomPrefix()
	s := openLogs(t, connect(t, srv.URL, 1, prefix))
	other := openLogs(t, connect(t, srv.URL, 1, prefix))
	l, err := s.Create("s/first", 10)
	if err != nil {
		t.Fatal(err)
	}
	ol, err := other.Open("s/first")
	if err != nil {
		t.Fatal(err)
	}
	theirs := records("theirs", 2, 10, time.Now())
	s.testRefresh = func() {
		s.testRefresh = nil
		mustAppend(t, ol, theirs)
	}
	mine := records("mine", 3, 10, time.Now())
	if first := mustAppend(t, l, mine); first != 12 {
		t.Fatalf("Append = %d, want 12 (after the other node's 2 records)", first)
	}
	sameRecords(t, "log", readAll(t, l), 10, append(theirs, mine...))
}
