// Package cluster runs background work once across the Eddy nodes that
// share one metadata store (storage/jetstream): each job (retention
// trimming, the on-demand scaler, an event source mapping's pollers, a
// delivery stream's pipeline...) has a leader, elected through a lease kept
// in the store, and moves to another node when its leader dies.
//
//	c := cluster.New(meta, cluster.Config{NodeID: "node-a"})
//	defer c.Close()
//	go c.Run(ctx, "firehose/arn:...", func(ctx context.Context) { pipeline.Run(ctx) })
//	if c.Leader("kinesis/retention") { trim() } // tick-style jobs
//
// # Leases
//
// A job's lease is one key of the table "cluster/leases" (the job's name),
// holding {"holder": node id, "expires": unix nanoseconds}. A node
//
//   - acquires the lease when the key is missing, expired (expires before
//     its clock's now) or already its own, in one Update (serialised by the
//     store: two nodes cannot both see the key free and both write it);
//   - renews it every TTL/3 with an Update that succeeds only while the key
//     still names it as holder, writing expires = now + TTL;
//   - gives it up on Close or when the job's context ends (deleting the
//     key, so another node takes over at once).
//
// A holder runs the job only while its lease is valid by its own account:
// until lastRenewal + TTL - TTL/3, where lastRenewal is the clock reading
// taken before the successful renewal's Update started. When a renewal
// fails (the store unreachable, the node partitioned, another holder), or
// that time passes without one, the job's context is cancelled at once, and
// the lease is not taken up again until fn has returned. Another node can
// only acquire the lease once expires (lastRenewal + TTL) has passed by its
// clock, so the old holder stopped TTL/3 earlier.
//
// # Clock skew
//
// Expiry is written by the holder's clock and compared with the reader's.
// The rule above holds if the nodes' clocks differ by less than TTL/3 minus
// the time fn takes to return once cancelled (with the default TTL of 10 s:
// about 3 s, far above what NTP keeps). A node whose clock runs ahead by
// more could take a lease early and overlap the holder. Jobs that must
// never overlap (all of Eddy's) also keep their progress through
// compare-and-set or idempotent checkpoints, so an overlap repeats work
// (at-least-once) rather than losing it.
//
// # Failover time
//
// A leader that dies (SIGKILL, power loss, a lost network) stops renewing;
// its lease expires at most TTL after its last renewal, and a waiting node
// looks again every TTL/3, so the job resumes within about TTL + TTL/3
// (13 s by default) from the checkpoints it keeps in the store. A leader
// that stops cleanly releases the lease and another node takes over as soon
// as it hears of the change (milliseconds, through storage.Watch).
//
// # A store of one node
//
// On a store no other process shares (storage.Watch reports ok=false:
// storage/segment with bbolt, storage/mem) every job is always held and
// nothing is written: Run just runs fn, Leader returns true.
package cluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/eddy-streams/eddy/storage"
)

// Table is the metadata table the leases are kept in, one key per job.
const Table = "cluster/leases"

// Config configures a Cluster.
type Config struct {
	// NodeID names this node in the leases it holds. Default: random, a
	// new one at every start (a restarted node is a new node).
	NodeID string
	// TTL is how long a lease lasts after its last renewal. Default 10 s.
	// It must exceed the clock skew between nodes plus a renewal period
	// (TTL/3) plus the time a job takes to stop (see the package doc).
	TTL time.Duration
	// Now is the clock leases are written and compared with. Default
	// time.Now.
	Now func() time.Time
	// Logger receives lease changes. Default: discard.
	Logger *slog.Logger
}

// DefaultTTL is Config.TTL's default.
const DefaultTTL = 10 * time.Second

// Validate reports a Config that cannot work.
func (c *Config) Validate() error {
	if c.TTL < 0 {
		return fmt.Errorf("cluster: negative lease TTL %v", c.TTL)
	}
	if c.TTL != 0 && c.TTL < 30*time.Millisecond {
		return fmt.Errorf("cluster: lease TTL %v is too short", c.TTL)
	}
	return nil
}

func (c Config) withDefaults() Config {
	if c.NodeID == "" {
		c.NodeID = RandomNodeID()
	}
	if c.TTL <= 0 {
		c.TTL = DefaultTTL
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// RandomNodeID returns a new random node id.
func RandomNodeID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// lease is the stored value of a job's key.
type lease struct {
	Holder  string `json:"holder"`
	Expires int64  `json:"expires"` // unix nanoseconds, by the holder's clock
}

// Cluster elects this node leader of jobs through leases in a MetaStore.
type Cluster struct {
	cfg    Config
	meta   storage.MetaStore
	shared bool // another process writes the store: leases are needed
	log    *slog.Logger
	stop   func() // stops the store's notices

	ctx    context.Context // ended by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu struct {
		sync.Mutex
		wake   map[string][]chan struct{} // by job: campaigns waiting for a change of its lease
		held   map[string]bool            // by job: leases held now
		ticked map[string]bool            // jobs Leader campaigns for
	}
}

// New returns the leader elections of this node over meta. Close releases
// every lease it holds.
func New(meta storage.MetaStore, cfg Config) *Cluster {
	cfg = cfg.withDefaults()
	c := &Cluster{cfg: cfg, meta: meta, log: cfg.Logger.With("component", "cluster", "node", cfg.NodeID)}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	c.mu.wake = map[string][]chan struct{}{}
	c.mu.held = map[string]bool{}
	c.mu.ticked = map[string]bool{}
	c.stop, c.shared = storage.Watch(meta, func(table, key string) {
		if table == Table {
			c.notify(key)
		}
	})
	return c
}

// NodeID returns this node's id.
func (c *Cluster) NodeID() string { return c.cfg.NodeID }

// TTL returns the lease time to live.
func (c *Cluster) TTL() time.Duration { return c.cfg.TTL }

// Shared reports whether leases are in use: false on a store of one node,
// where every job is always held.
func (c *Cluster) Shared() bool { return c.shared }

// Close ends every Run and Leader campaign, waits for their jobs to return
// and releases their leases.
func (c *Cluster) Close() error {
	c.cancel()
	c.wg.Wait()
	c.stop()
	return nil
}

// Leader reports whether this node holds job's lease now, for jobs that run
// on a tick: the caller checks it at each tick and skips the work if not.
// The first call starts campaigning for the lease (in the background until
// Close); it usually returns false until the lease is acquired.
func (c *Cluster) Leader(job string) bool {
	if !c.shared {
		return true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.mu.ticked[job] && c.ctx.Err() == nil {
		c.mu.ticked[job] = true
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			c.Run(c.ctx, job, func(ctx context.Context) { <-ctx.Done() })
		}()
	}
	return c.mu.held[job]
}

// Run runs fn while this node holds job's lease, until ctx ends (or the
// Cluster is closed): it waits for the lease, runs fn with a context that
// is cancelled when the lease is lost, waits for fn to return, and waits
// for the lease again. If fn returns by itself the lease is released and,
// after a renewal period, sought again (fn may then run here or elsewhere).
// Run returns once ctx has ended and fn has returned, having released the
// lease. fn must return promptly once its context is cancelled.
func (c *Cluster) Run(ctx context.Context, job string, fn func(ctx context.Context)) {
	ctx, cancel := mergeContexts(ctx, c.ctx)
	defer cancel()
	if !c.shared {
		fn(ctx)
		return
	}
	wake := c.subscribe(job)
	defer c.unsubscribe(job, wake)
	period := c.cfg.TTL / 3
	for ctx.Err() == nil {
		renewed, ok, err := c.acquire(job)
		if err != nil && ctx.Err() == nil {
			c.log.Warn("acquiring lease", "job", job, "err", err)
		}
		if !ok {
			select {
			case <-ctx.Done():
			case <-wake:
			case <-time.After(period):
			}
			continue
		}
		c.log.Info("leader", "job", job)
		c.hold(ctx, job, fn, renewed, wake)
		if ctx.Err() != nil {
			break
		}
		// Lost, or fn returned: give others a renewal period's chance.
		select {
		case <-ctx.Done():
		case <-time.After(period):
		}
	}
	c.release(job)
}

// hold runs fn while the lease acquired at renewed is kept, renewing it
// every TTL/3, and returns once fn has returned.
func (c *Cluster) hold(ctx context.Context, job string, fn func(ctx context.Context), renewed time.Time, wake <-chan struct{}) {
	fctx, stopFn := context.WithCancel(ctx)
	defer stopFn()
	done := make(chan struct{})
	c.setHeld(job, true)
	go func() {
		defer close(done)
		fn(fctx)
	}()
	defer func() {
		stopFn()
		c.setHeld(job, false) // before fn returns: Leader says false at once
		<-done
	}()
	period := c.cfg.TTL / 3
	for {
		// Valid until renewed + TTL - TTL/3 by this node's clock.
		validFor := renewed.Add(c.cfg.TTL - period).Sub(c.cfg.Now())
		if validFor <= 0 {
			c.log.Warn("lease not renewed in time; stopping", "job", job)
			return
		}
		next := min(period, validFor)
		select {
		case <-ctx.Done():
			return
		case <-done:
			c.log.Info("job returned; releasing", "job", job)
			c.release(job)
			return
		case <-time.After(next):
		}
		if c.cfg.Now().Before(renewed.Add(period)) {
			continue // woken early by the validity check: not yet due
		}
		// Renew, giving up when the lease's validity ends first.
		res := make(chan renewal, 1)
		go func() {
			t, err := c.renew(job)
			res <- renewal{t, err}
		}()
		deadline := renewed.Add(c.cfg.TTL - period).Sub(c.cfg.Now())
		select {
		case <-ctx.Done():
			return
		case r := <-res:
			if r.err != nil {
				if errors.Is(r.err, errLost) {
					c.log.Warn("lease lost", "job", job)
				} else {
					c.log.Warn("renewing lease failed; stopping", "job", job, "err", r.err)
				}
				return
			}
			renewed = r.at
		case <-time.After(max(deadline, 0)):
			c.log.Warn("renewing lease timed out; stopping", "job", job)
			return
		}
	}
}

type renewal struct {
	at  time.Time
	err error
}

// errLost: the lease names another holder, or none.
var errLost = errors.New("cluster: lease held by another node")

// acquire takes job's lease if it is free, expired or this node's; at is
// the clock reading its expiry counts from.
func (c *Cluster) acquire(job string) (at time.Time, ok bool, err error) {
	at = c.cfg.Now()
	err = c.meta.Update(func(tx storage.MetaTx) error {
		cur, found, err := getLease(tx, job)
		if err != nil {
			return err
		}
		if found && cur.Holder != c.cfg.NodeID && cur.Expires > at.UnixNano() {
			return errLost
		}
		return putLease(tx, job, lease{Holder: c.cfg.NodeID, Expires: at.Add(c.cfg.TTL).UnixNano()})
	})
	if errors.Is(err, errLost) {
		return at, false, nil
	}
	return at, err == nil, err
}

// renew extends job's lease if this node still holds it.
func (c *Cluster) renew(job string) (time.Time, error) {
	at := c.cfg.Now()
	err := c.meta.Update(func(tx storage.MetaTx) error {
		cur, found, err := getLease(tx, job)
		if err != nil {
			return err
		}
		if !found || cur.Holder != c.cfg.NodeID {
			return errLost
		}
		return putLease(tx, job, lease{Holder: c.cfg.NodeID, Expires: at.Add(c.cfg.TTL).UnixNano()})
	})
	return at, err
}

// release deletes job's lease if this node holds it.
func (c *Cluster) release(job string) {
	err := c.meta.Update(func(tx storage.MetaTx) error {
		cur, found, err := getLease(tx, job)
		if err != nil || !found || cur.Holder != c.cfg.NodeID {
			return err
		}
		return tx.Delete(Table, job)
	})
	if err != nil {
		c.log.Warn("releasing lease", "job", job, "err", err)
	}
}

// Holder returns the node holding job's lease by the store and this node's
// clock, or "" when none does (for tests and operators).
func (c *Cluster) Holder(job string) (string, error) {
	var holder string
	err := c.meta.View(func(tx storage.MetaTx) error {
		cur, found, err := getLease(tx, job)
		if err == nil && found && cur.Expires > c.cfg.Now().UnixNano() {
			holder = cur.Holder
		}
		return err
	})
	return holder, err
}

func getLease(tx storage.MetaTx, job string) (lease, bool, error) {
	b, err := tx.Get(Table, job)
	if errors.Is(err, storage.ErrNotFound) {
		return lease{}, false, nil
	}
	if err != nil {
		return lease{}, false, err
	}
	var l lease
	if err := json.Unmarshal(b, &l); err != nil {
		return lease{}, false, fmt.Errorf("cluster: lease %s: %w", job, err)
	}
	return l, true, nil
}

func putLease(tx storage.MetaTx, job string, l lease) error {
	b, _ := json.Marshal(l)
	return tx.Put(Table, job, b)
}

func (c *Cluster) setHeld(job string, held bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if held {
		c.mu.held[job] = true
	} else {
		delete(c.mu.held, job)
	}
}

// subscribe returns a channel signalled when another node changes job's
// lease.
func (c *Cluster) subscribe(job string) chan struct{} {
	ch := make(chan struct{}, 1)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.mu.wake[job] = append(c.mu.wake[job], ch)
	return ch
}

func (c *Cluster) unsubscribe(job string, ch chan struct{}) {
	c.mu.Lock()
	defer c.mu.Unlock()
	chs := c.mu.wake[job]
	for i, x := range chs {
		if x == ch {
			chs = append(chs[:i], chs[i+1:]...)
			break
		}
	}
	if len(chs) == 0 {
		delete(c.mu.wake, job)
	} else {
		c.mu.wake[job] = chs
	}
}

func (c *Cluster) notify(job string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, ch := range c.mu.wake[job] {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// mergeContexts returns a context ended when either a or b ends.
func mergeContexts(a, b context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(a)
	stop := context.AfterFunc(b, cancel)
	return ctx, func() { stop(); cancel() }
}
