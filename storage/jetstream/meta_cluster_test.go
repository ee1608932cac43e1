package jetstream

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/internal/natstest"
	"github.com/eddy-streams/eddy/storage"
)

// Tests of the MetaStore across nodes: several Conns with the same prefix
// are several Eddy nodes sharing one NATS cluster.

const accounts = 8

func balance(tx storage.MetaTx, i int) (int, error) {
	v, err := tx.Get("bank", "acct-"+strconv.Itoa(i))
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(string(v))
}

// transfer moves a random amount between two random accounts.
func transfer(m storage.MetaStore, r *rand.Rand) error {
	from, to := r.IntN(accounts), r.IntN(accounts)
	amount := r.IntN(10)
	return m.Update(func(tx storage.MetaTx) error {
		a, err := balance(tx, from)
		if err != nil {
			return err
		}
		b, err := balance(tx, to)
		if err != nil {
			return err
		}
		if from == to {
			return nil
		}
		if err := tx.Put("bank", "acct-"+strconv.Itoa(from), []byte(strconv.Itoa(a-amount))); err != nil {
			return err
		}
		return tx.Put("bank", "acct-"+strconv.Itoa(to), []byte(strconv.Itoa(b+amount)))
	})
}

// total sums every account in one View, and counts them.
func total(m storage.MetaStore) (sum, n int, err error) {
	err = m.View(func(tx storage.MetaTx) error {
		sum, n = 0, 0
		return tx.Scan("bank", "acct-", "", func(_ string, v []byte) (bool, error) {
			b, err := strconv.Atoi(string(v))
			sum += b
			n++
			return true, err
		})
	})
	return sum, n, err
}

// TestMetaNodesSerialised runs transfers and counter increments through
// three nodes at once while all three read: no update is lost (the
// counter ends at the number of increments acknowledged) and no view on
// any node ever sees a transfer half done (the total never changes). A
// fourth node that starts afterwards, from a stream in which most
// messages were replaced, sees exactly the same state.
func TestMetaNodesSerialised(t *testing.T) {
	srv := natstest.Embedded(t)
	prefix := randomPrefix()
	var nodes []*Meta
	for range 3 {
		nodes = append(nodes, openMeta(t, connect(t, srv.URL, 1, prefix)))
	}
	if err := nodes[0].Update(func(tx storage.MetaTx) error {
		for i := range accounts {
			if err := tx.Put("bank", "acct-"+strconv.Itoa(i), []byte("100")); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var (
		wg        sync.WaitGroup
		stop      atomic.Bool
		increment atomic.Int64
		views     atomic.Int64
		errs      = make(chan error, 100)
	)
	for i, m := range nodes {
		wg.Add(3)
		go func() { // transfers
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(i), 1))
			for !stop.Load() {
				if err := transfer(m, r); err != nil {
					errs <- fmt.Errorf("node %d transfer: %w", i, err)
					return
				}
			}
		}()
		go func() { // increments
			defer wg.Done()
			for !stop.Load() {
				err := m.Update(func(tx storage.MetaTx) error {
					n := 0
					if v, err := tx.Get("counter", "c"); err == nil {
						n, _ = strconv.Atoi(string(v))
					} else if !errors.Is(err, storage.ErrNotFound) {
						return err
					}
					return tx.Put("counter", "c", []byte(strconv.Itoa(n+1)))
				})
				if err != nil {
					errs <- fmt.Errorf("node %d increment: %w", i, err)
					return
				}
				increment.Add(1)
			}
		}()
		go func() { // views
			defer wg.Done()
			for !stop.Load() {
				sum, n, err := total(m)
				if err != nil {
					errs <- fmt.Errorf("node %d view: %w", i, err)
					return
				}
				if sum != accounts*100 || n != accounts {
					errs <- fmt.Errorf("node %d saw %d accounts holding %d, want %d holding %d", i, n, sum, accounts, accounts*100)
					return
				}
				views.Add(1)
			}
		}()
	}
	time.Sleep(3 * time.Second)
	stop.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	t.Logf("%d increments, %d views", increment.Load(), views.Load())
	if increment.Load() == 0 || views.Load() == 0 {
		t.Fatal("nothing ran")
	}
	late := openMeta(t, connect(t, srv.URL, 1, prefix))
	for i, m := range append(nodes, late) {
		var got string
		if err := m.View(func(tx storage.MetaTx) error {
			v, err := tx.Get("counter", "c")
			got = string(v)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if got != strconv.FormatInt(increment.Load(), 10) {
			t.Errorf("node %d: counter %s, want %d (the increments acknowledged)", i, got, increment.Load())
		}
		if sum, n, err := total(m); err != nil || sum != accounts*100 || n != accounts {
			t.Errorf("node %d: %d accounts holding %d (%v)", i, n, sum, err)
		}
	}
}

// TestMetaReadYourWritesAcrossNodes: what one node commits, a transaction
// starting afterwards on another node sees, every time.
func TestMetaReadYourWritesAcrossNodes(t *testing.T) {
	srv := natstest.Embedded(t)
	prefix := randomPrefix()
	a := openMeta(t, connect(t, srv.URL, 1, prefix))
	b := openMeta(t, connect(t, srv.URL, 1, prefix))
	for i := range 300 {
		w, r := a, b
		if i%2 == 1 {
			w, r = b, a
		}
		key := "k" + strconv.Itoa(i%7)
		val := strconv.Itoa(i)
		if err := w.Update(func(tx storage.MetaTx) error {
			if i%5 == 0 {
				return tx.Delete("t", key)
			}
			return tx.Put("t", key, []byte(val))
		}); err != nil {
			t.Fatal(err)
		}
		if err := r.View(func(tx storage.MetaTx) error {
			v, err := tx.Get("t", key)
			if i%5 == 0 {
				if !errors.Is(err, storage.ErrNotFound) {
					return fmt.Errorf("write %d: deleted key %s reads %q, %v", i, key, v, err)
				}
				return nil
			}
			if err != nil || string(v) != val {
				return fmt.Errorf("write %d: key %s reads %q, %v on the other node, want %q", i, key, v, err, val)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestMetaClusterNodeKilled: with R3, metadata transactions through two
// nodes go on while one NATS server is killed and restarted, and every
// acknowledged increment is kept.
func TestMetaClusterNodeKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a three-node cluster")
	}
	c := natstest.StartCluster(t, 3)
	prefix := randomPrefix()
	a := openMeta(t, connect(t, c.Servers[0].URL+","+c.Servers[1].URL, 3, prefix))
	b := openMeta(t, connect(t, c.Servers[2].URL+","+c.Servers[1].URL, 3, prefix))
	var acked atomic.Int64
	var failed atomic.Int64
	var stop atomic.Bool
	var wg sync.WaitGroup
	for _, m := range []*Meta{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				err := m.Update(func(tx storage.MetaTx) error {
					n := 0
					if v, err := tx.Get("counter", "c"); err == nil {
						n, _ = strconv.Atoi(string(v))
					} else if !errors.Is(err, storage.ErrNotFound) {
						return err
					}
					return tx.Put("counter", "c", []byte(strconv.Itoa(n+1)))
				})
				if err != nil {
					// Unavailable while a leader is elected: the caller
					// sees an error and nothing is acknowledged.
					failed.Add(1)
					time.Sleep(50 * time.Millisecond)
					continue
				}
				acked.Add(1)
			}
		}()
	}
	time.Sleep(time.Second)
	c.Kill(1)
	time.Sleep(3 * time.Second)
	c.Restart(1)
	time.Sleep(2 * time.Second)
	stop.Store(true)
	wg.Wait()
	t.Logf("%d increments acknowledged, %d failed", acked.Load(), failed.Load())
	if acked.Load() == 0 {
		t.Fatal("no increment acknowledged")
	}
	// Failed increments may have landed (an unacknowledged write can), so
	// the counter is at least the acknowledged count and at most all.
	for i, m := range []*Meta{a, b} {
		var n int
		err := m.View(func(tx storage.MetaTx) error {
			v, err := tx.Get("counter", "c")
			if err == nil {
				n, err = strconv.Atoi(string(v))
			}
			return err
		})
		if err != nil {
			t.Fatalf("node %d: %v", i, err)
		}
		if int64(n) < acked.Load() || int64(n) > acked.Load()+failed.Load() {
			t.Errorf("node %d: counter %d, want between %d acknowledged and %d attempted", i, n, acked.Load(), acked.Load()+failed.Load())
		}
	}
}

// TestMetaClusterNodesStartTogether: nodes started at the same instant
// (docker compose up) all open the metadata, whose stream they race to
// create.
func TestMetaClusterNodesStartTogether(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a three-node cluster")
	}
	c := natstest.StartCluster(t, 3)
	prefix := randomPrefix()
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	metas := make([]*Meta, 3)
	for i := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn, err := Open(Config{URLs: c.Servers[i].URL, Replicas: 3, Prefix: prefix})
			if err != nil {
				errs <- err
				return
			}
			t.Cleanup(func() { conn.Close() })
			m, err := conn.Meta()
			if err != nil {
				errs <- fmt.Errorf("node %d: %w", i, err)
				return
			}
			t.Cleanup(func() { m.Close() })
			metas[i] = m
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if err := metas[0].Update(func(tx storage.MetaTx) error { return tx.Put("t", "k", []byte("v")) }); err != nil {
		t.Fatal(err)
	}
	for i, m := range metas {
		if err := m.View(func(tx storage.MetaTx) error {
			_, err := tx.Get("t", "k")
			return err
		}); err != nil {
			t.Errorf("node %d: %v", i, err)
		}
	}
}
