package dynamo

import (
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"sync"
	"sync/atomic"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/storage"
)

// Engine is DynamoDB for one region over a MetaStore. Its exported methods
// are the API operations, taking and returning protocol/ddb shapes; all
// are safe for concurrent use.
type Engine struct {
	cfg  Config
	meta storage.MetaStore
	log  *slog.Logger

	// tables maps a table's name to its definition, copied on write: the
	// item paths read it without a lock.
	tables atomic.Pointer[map[string]*table]
	// mu serialises changes of table definitions: each runs its
	// transaction and publishes the new map under it.
	mu sync.Mutex
	// pub serialises publications of e.tables (publishLocked, refresh).
	pub    sync.Mutex
	closed atomic.Bool
	peers  *peers // other nodes' changes, on a shared store (cluster.go)

	bg struct {
		sync.Mutex
		stopTTL  func() bool
		wg       sync.WaitGroup
		closing  bool
		purging  bool
		ttlAfter map[string]string // table id -> where the TTL sweeper goes on
	}
}

// Open opens the engine of one region over meta (which the caller owns
// and closes after Close): it loads the region's tables, finishes emptying
// the buckets of dropped tables and indexes, and starts the time-to-live
// sweeper.
func Open(cfg Config, meta storage.MetaStore) (*Engine, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	e := &Engine{cfg: cfg, meta: meta, log: cfg.Logger.With("component", "dynamo", "region", cfg.Region)}
	tables := map[string]*table{}
	err := meta.View(func(tx storage.MetaTx) error {
		return tx.Scan(bucketTables, "", "", func(name string, b []byte) (bool, error) {
			t, err := loadTable(b, cfg.Region, cfg.AccountID)
			if err != nil {
				return false, fmt.Errorf("table %s: %w", name, err)
			}
			tables[name] = t
			return true, nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("dynamo: load tables: %w", err)
	}
	e.tables.Store(&tables)
	e.watchPeers()
	e.startPurge()
	e.scheduleTTL()
	return e, nil
}

// Region returns the region the engine serves.
func (e *Engine) Region() string { return e.cfg.Region }

// Close stops the background work (the sweeper, the purge of dropped
// tables) and waits for it. It does not close the store.
func (e *Engine) Close() error {
	e.closed.Store(true)
	e.stopPeers()
	e.bg.Lock()
	e.bg.closing = true
	if e.bg.stopTTL != nil {
		e.bg.stopTTL()
	}
	e.bg.Unlock()
	e.bg.wg.Wait()
	return nil
}

// Ready reports whether the engine serves requests: its store answers.
func (e *Engine) Ready() error {
	if e.closed.Load() {
		return errors.New("dynamo: engine closed")
	}
	return e.meta.View(func(tx storage.MetaTx) error {
		_, err := tx.Get(bucketTables, "\x00")
		if errors.Is(err, storage.ErrNotFound) {
			return nil
		}
		return err
	})
}

// lookup returns the table named name, or nil. On a shared store a table
// the engine does not hold is looked up in the store (another node may
// have just created it).
func (e *Engine) lookup(name string) *table {
	t := (*e.tables.Load())[name]
	if t != nil || !e.shared() {
		return t
	}
	t, err := e.refresh(name)
	if err != nil {
		e.log.Warn("looking up a table in the store", "table", name, "err", err)
		return nil
	}
	return t
}

// publishLocked makes t the table named name (nil: none). e.mu is held.
func (e *Engine) publishLocked(name string, t *table) {
	e.pub.Lock()
	defer e.pub.Unlock()
	e.publishPubLocked(name, t)
}

// publishPubLocked is publishLocked with e.pub held.
func (e *Engine) publishPubLocked(name string, t *table) {
	next := maps.Clone(*e.tables.Load())
	if t == nil {
		delete(next, name)
	} else {
		next[name] = t
	}
	e.tables.Store(&next)
}

// tableNames returns the names of the tables.
func (e *Engine) tableNames() []string {
	m := *e.tables.Load()
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	return names
}

// writeItems runs fn in a group-committed transaction (MetaStore.Batch)
// with a writer for the table named name, and commits if fn returns nil.
// When the table's definition changed under it (an index added or
// removed), fn runs again with the new definition; when the table is gone
// the caller gets ResourceNotFoundException. fn may run more than once and
// must act only through the writer.
func (e *Engine) writeItems(name string, fn func(w *writer) error) error {
	return e.writeTables([]string{name}, func(ws map[string]*writer) error { return fn(ws[name]) })
}

// writeTables is writeItems over several tables in one transaction.
func (e *Engine) writeTables(names []string, fn func(ws map[string]*writer) error) error {
	for attempt := 0; ; attempt++ {
		tables := make([]*table, len(names))
		for i, name := range names {
			if tables[i] = e.lookup(name); tables[i] == nil {
				return errNotFound()
			}
		}
		// On a shared store another node may have deleted (and made
		// again) or changed a table since the engine's copy: the store's
		// definition is taken and the write made again.
		if attempt > 0 && e.shared() {
			for _, name := range names {
				if _, err := e.refresh(name); err != nil {
					return err
				}
			}
			for i, name := range names {
				if tables[i] = e.lookup(name); tables[i] == nil {
					return errNotFound()
				}
			}
		}
		// A refusal (an *eddy.Error: a failed condition, an update that
		// cannot apply) comes before any write; it is returned from the
		// transaction as success with nothing written, so it does not
		// abort the group commit it shares (boltmeta runs the other
		// functions again after a failed one).
		var refused error
		err := e.meta.Batch(func(tx storage.MetaTx) error {
			refused = nil
			ws := make(map[string]*writer, len(names))
			for _, t := range tables {
				w, err := newWriter(tx, t)
				if err != nil {
					return err
				}
				ws[t.doc.Name] = w
			}
			if err := fn(ws); err != nil {
				var ee *eddy.Error
				if errors.As(err, &ee) && !anyDirty(ws) {
					refused = err
					return nil
				}
				return err
			}
			for _, w := range ws {
				if !w.dirty {
					continue
				}
				if err := w.finish(); err != nil {
					return err
				}
			}
			return nil
		})
		if err == nil && refused != nil {
			err = refused
		}
		switch {
		case errors.Is(err, errTableGone) && e.shared() && attempt < 10:
			continue // deleted, or deleted and made again, through another node
		case errors.Is(err, errTableGone):
			return errNotFound()
		case errors.Is(err, errStale) && attempt < 10:
			// The definition is being changed: wait for it to be
			// published (changes publish under e.mu) and take it.
			e.mu.Lock()
			e.mu.Unlock() //nolint:staticcheck // a barrier
			continue
		}
		return err
	}
}

func anyDirty(ws map[string]*writer) bool {
	for _, w := range ws {
		if w.dirty {
			return true
		}
	}
	return false
}

// newID returns a random UUID (version 4), as TableId is.
func newID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// lookupOr returns the current definition of t's table, or t if it is
// gone.
func (e *Engine) lookupOr(t *table) *table {
	if n := e.lookup(t.doc.Name); n != nil {
		return n
	}
	return t
}
