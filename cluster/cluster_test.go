package cluster

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/internal/natstest"
	"github.com/eddy-streams/eddy/storage"
	"github.com/eddy-streams/eddy/storage/jetstream"
	"github.com/eddy-streams/eddy/storage/mem"
)

func TestMain(m *testing.M) {
	natstest.Main()
	m.Run()
}

const testTTL = 900 * time.Millisecond

// node is one Eddy node of a test: its own connection to NATS (the same
// prefix as the others) and its Cluster.
type node struct {
	conn *jetstream.Conn
	meta *flakyMeta
	c    *Cluster
}

// flakyMeta is a node's metadata store whose Updates can be made to fail,
// as a partitioned node's do.
type flakyMeta struct {
	*jetstream.Meta
	fail atomic.Bool
}

var errPartitioned = errors.New("test: partitioned")

func (m *flakyMeta) Update(fn func(storage.MetaTx) error) error {
	if m.fail.Load() {
		return errPartitioned
	}
	return m.Meta.Update(fn)
}

func startNodes(t *testing.T, n int, skew ...time.Duration) []*node {
	t.Helper()
	srv := natstest.Embedded(t)
	prefix := "T" + RandomNodeID()
	var nodes []*node
	for i := range n {
		conn, err := jetstream.Open(jetstream.Config{URLs: srv.URL, Replicas: 1, Prefix: prefix})
		if err != nil {
			t.Fatal(err)
		}
		m, err := conn.Meta()
		if err != nil {
			t.Fatal(err)
		}
		fm := &flakyMeta{Meta: m}
		cfg := Config{NodeID: fmt.Sprintf("node%d", i), TTL: testTTL}
		if i < len(skew) {
			d := skew[i]
			cfg.Now = func() time.Time { return time.Now().Add(d) }
		}
		nd := &node{conn: conn, meta: fm, c: New(fm, cfg)}
		if !nd.c.Shared() {
			t.Fatal("a jetstream store is not shared")
		}
		t.Cleanup(func() {
			nd.c.Close()
			m.Close()
			conn.Close()
		})
		nodes = append(nodes, nd)
	}
	return nodes
}

// exclusive counts the nodes running a job at once.
type exclusive struct {
	running  atomic.Int32
	maxSeen  atomic.Int32
	runs     atomic.Int32
	mu       sync.Mutex
	by       string // the node running it now
	overlaps []string
}

func (x *exclusive) fn(name string) func(ctx context.Context) {
	return func(ctx context.Context) {
		n := x.running.Add(1)
		x.runs.Add(1)
		x.mu.Lock()
		if n > 1 {
			x.overlaps = append(x.overlaps, name+" started while "+x.by+" ran")
		}
		x.by = name
		x.mu.Unlock()
		for {
			if m := x.maxSeen.Load(); n <= m || x.maxSeen.CompareAndSwap(m, n) {
				break
			}
		}
		<-ctx.Done()
		x.mu.Lock()
		x.by = ""
		x.mu.Unlock()
		x.running.Add(-1)
	}
}

func (x *exclusive) runner() string {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.by
}

func (x *exclusive) check(t *testing.T) {
	t.Helper()
	x.mu.Lock()
	defer x.mu.Unlock()
	if len(x.overlaps) > 0 || x.maxSeen.Load() > 1 {
		t.Fatalf("job ran on two nodes at once: %v", x.overlaps)
	}
}

func waitFor(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", within, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// runAll runs job on every node until the test ends.
func runAll(t *testing.T, nodes []*node, job string, x *exclusive) (cancels []context.CancelFunc) {
	var wg sync.WaitGroup
	for i, nd := range nodes {
		ctx, cancel := context.WithCancel(context.Background())
		cancels = append(cancels, cancel)
		wg.Add(1)
		go func() {
			defer wg.Done()
			nd.c.Run(ctx, job, x.fn(fmt.Sprintf("node%d", i)))
		}()
	}
	t.Cleanup(func() {
		for _, c := range cancels {
			c()
		}
		wg.Wait()
	})
	return cancels
}

func nodeIndex(name string) int {
	var i int
	fmt.Sscanf(name, "node%d", &i)
	return i
}

func TestOneHolder(t *testing.T) {
	nodes := startNodes(t, 3)
	var x exclusive
	runAll(t, nodes, "job", &x)
	waitFor(t, 5*time.Second, "a leader", func() bool { return x.runner() != "" })
	leader := x.runner()
	// Several renewal periods: the leader keeps the lease, nobody else runs.
	time.Sleep(3 * testTTL)
	x.check(t)
	if got := x.runner(); got != leader {
		t.Fatalf("leader moved from %s to %s without a failure", leader, got)
	}
	if r := x.runs.Load(); r != 1 {
		t.Fatalf("job started %d times, want 1", r)
	}
	h, err := nodes[0].c.Holder("job")
	if err != nil || h != leader {
		t.Fatalf("Holder = %q, %v; want %s", h, err, leader)
	}
}

// A leader whose node dies stops renewing: another node takes the job
// within about TTL + TTL/3.
func TestFailoverOnDeath(t *testing.T) {
	nodes := startNodes(t, 3)
	var x exclusive
	cancels := runAll(t, nodes, "job", &x)
	waitFor(t, 5*time.Second, "a leader", func() bool { return x.runner() != "" })
	old := nodeIndex(x.runner())
	// The node "dies": its connection goes, so its renewals fail. (Its
	// Run goroutine lives on, as a process would not, and must not run
	// the job again while it cannot reach the store.)
	nodes[old].conn.Close()
	start := time.Now()
	waitFor(t, 3*testTTL, "another leader", func() bool {
		r := x.runner()
		return r != "" && nodeIndex(r) != old
	})
	t.Logf("failover after %v (TTL %v)", time.Since(start), testTTL)
	x.check(t)
	cancels[old]()
	// And again: the second leader stops cleanly (releases), the third
	// takes over at once.
	second := nodeIndex(x.runner())
	cancels[second]()
	start = time.Now()
	waitFor(t, 3*testTTL, "a third leader", func() bool {
		r := x.runner()
		return r != "" && nodeIndex(r) != second && nodeIndex(r) != old
	})
	t.Logf("handover after a release: %v", time.Since(start))
	x.check(t)
}

// A holder whose renewals fail (partitioned from the store) stops its job
// before the lease expires, so no other node runs it meanwhile; once back,
// it is a follower.
func TestPartitionedHolderStops(t *testing.T) {
	nodes := startNodes(t, 2)
	var x exclusive
	runAll(t, nodes, "job", &x)
	waitFor(t, 5*time.Second, "a leader", func() bool { return x.runner() != "" })
	old := nodeIndex(x.runner())
	cut := time.Now()
	nodes[old].meta.fail.Store(true)
	waitFor(t, testTTL, "the partitioned holder to stop", func() bool { return x.runner() != fmt.Sprintf("node%d", old) })
	stopped := time.Since(cut)
	if stopped >= testTTL {
		t.Fatalf("the partitioned holder ran %v after its last renewal could be made, past the TTL %v", stopped, testTTL)
	}
	waitFor(t, 3*testTTL, "the other node to lead", func() bool { return x.runner() == fmt.Sprintf("node%d", 1-old) })
	x.check(t)
	nodes[old].meta.fail.Store(false)
	time.Sleep(2 * testTTL)
	x.check(t)
	if x.runner() != fmt.Sprintf("node%d", 1-old) {
		t.Fatalf("the healed node took the job back: runner %s", x.runner())
	}
}

// A node whose clock runs ahead by less than TTL/3 minus the time a job
// takes to stop does not take a lease early.
func TestSkewWithinBound(t *testing.T) {
	nodes := startNodes(t, 2, 0, testTTL/5)
	var x exclusive
	runAll(t, nodes, "job", &x)
	waitFor(t, 5*time.Second, "a leader", func() bool { return x.runner() != "" })
	old := nodeIndex(x.runner())
	nodes[old].meta.fail.Store(true)
	waitFor(t, 3*testTTL, "the other node to lead", func() bool { return x.runner() == fmt.Sprintf("node%d", 1-old) })
	x.check(t)
}

// Tick-style jobs: exactly one node's Leader says true, and it moves when
// that node stops.
func TestLeader(t *testing.T) {
	nodes := startNodes(t, 3)
	leaders := func() (n int, who int) {
		for i, nd := range nodes {
			if nd.c.Leader("tick") {
				n++
				who = i
			}
		}
		return n, who
	}
	waitFor(t, 5*time.Second, "a leader", func() bool { n, _ := leaders(); return n == 1 })
	for range 20 {
		if n, _ := leaders(); n > 1 {
			t.Fatalf("%d nodes lead", n)
		}
		time.Sleep(testTTL / 10)
	}
	_, who := leaders()
	nodes[who].c.Close()
	if nodes[who].c.Leader("tick") {
		t.Fatal("a closed node leads")
	}
	waitFor(t, 3*testTTL, "another leader", func() bool {
		n, w := leaders()
		return n == 1 && w != who
	})
}

// A job that returns by itself gives the lease up.
func TestJobReturns(t *testing.T) {
	nodes := startNodes(t, 2)
	var runs atomic.Int32
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		nodes[0].c.Run(ctx, "short", func(ctx context.Context) { runs.Add(1) })
	}()
	waitFor(t, 5*time.Second, "a run", func() bool { return runs.Load() >= 1 })
	waitFor(t, 5*time.Second, "the lease released", func() bool {
		h, _ := nodes[1].c.Holder("short")
		return h == "" || runs.Load() >= 2
	})
	cancel()
	<-done
	if h, _ := nodes[1].c.Holder("short"); h != "" {
		t.Fatalf("lease still held by %s after Run returned", h)
	}
}

// On a store of one node every job is held and nothing is written.
func TestSingleNode(t *testing.T) {
	meta := mem.NewMeta()
	c := New(meta, Config{})
	defer c.Close()
	if c.Shared() || !c.Leader("x") {
		t.Fatal("a single node must lead every job")
	}
	ran := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	go c.Run(ctx, "y", func(ctx context.Context) { close(ran); <-ctx.Done() })
	<-ran
	cancel()
	err := meta.View(func(tx storage.MetaTx) error {
		return tx.Scan(Table, "", "", func(k string, _ []byte) (bool, error) {
			return false, fmt.Errorf("lease %s written on a single node", k)
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestValidate(t *testing.T) {
	for _, c := range []Config{{TTL: -1}, {TTL: time.Millisecond}} {
		if c.Validate() == nil {
			t.Errorf("%+v: no error", c)
		}
	}
	c := Config{}
	if err := c.Validate(); err != nil {
		t.Error(err)
	}
}
