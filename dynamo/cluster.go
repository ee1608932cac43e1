package dynamo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/storage"
)

// Engines on a shared store.
//
// With storage/jetstream every Eddy node of a cluster runs an engine per
// region over the same metadata. Items, statistics and tokens are read
// and written only in the store's transactions, so they are cluster-wide
// already, and a conditional write checks its condition in the
// transaction that writes (writeItem), which the store serialises across
// nodes. What an engine holds in memory is the tables' definitions
// (Engine.tables); it follows the other nodes' changes as the Kinesis
// engine does (kinesis/cluster.go):
//
//   - The store tells it (storage.Watcher) of every table definition
//     another node wrote; a goroutine reloads those tables.
//   - A table it does not hold is looked up in the store before it is
//     called missing (lookup), so a table created through one node is
//     usable through every other at once; control-plane operations
//     (DescribeTable, ListTables, UpdateTable, DeleteTable, TTL and tag
//     changes) read the definition from the store first.
//   - A definition change is stored only over the definition it was made
//     from (checkStored): one made from a stale copy is refused with
//     errStale, the copy is reloaded and the change made again. An item
//     write made under a stale definition meets errStale or errTableGone
//     in its transaction (the statistics record carries the version and
//     the table's id) and is made again under the reloaded definition.

// peers is the engine's side of a shared store.
type peers struct {
	stop func() // stops the store's notices
}

// watchPeers starts following other nodes' changes if the store is
// shared; it does nothing otherwise.
func (e *Engine) watchPeers() {
	stop, shared := storage.Follow(e.meta, func(table, key string) string {
		if table == bucketTables {
			return key
		}
		return ""
	}, func(name string) {
		if _, err := e.refresh(name); err != nil {
			e.log.Warn("reloading a table another node changed", "table", name, "err", err)
		}
	})
	if shared {
		e.peers = &peers{stop: stop}
	}
}

// stopPeers stops following other nodes (Close).
func (e *Engine) stopPeers() {
	if e.peers != nil {
		e.peers.stop()
	}
}

// shared reports whether other nodes write the engine's store.
func (e *Engine) shared() bool { return e.peers != nil }

// refresh brings the engine's copy of the table named name in line with
// the store and returns it (nil: no such table).
func (e *Engine) refresh(name string) (*table, error) {
	// Read and publish under pub, so an older read never replaces what a
	// newer one (or this engine's own change) published.
	e.pub.Lock()
	defer e.pub.Unlock()
	var b []byte
	err := e.meta.View(func(tx storage.MetaTx) error {
		v, err := tx.Get(bucketTables, name)
		if errors.Is(err, storage.ErrNotFound) {
			return nil
		}
		b = v
		return err
	})
	if err != nil {
		return nil, err
	}
	cur := (*e.tables.Load())[name]
	if b == nil {
		if cur != nil {
			e.publishPubLocked(name, nil)
		}
		return nil, nil
	}
	if cur != nil && bytes.Equal(cur.stored, b) {
		return cur, nil
	}
	t, err := loadTable(b, e.cfg.Region, e.cfg.AccountID)
	if err != nil {
		return nil, fmt.Errorf("table %s: %w", name, err)
	}
	e.publishPubLocked(name, t)
	return t, nil
}

// loadTable makes a table of its stored definition b.
func loadTable(b []byte, region, account string) (*table, error) {
	var doc tableDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	t := newTable(doc, region, account)
	t.stored = b
	return t, nil
}

// fresh returns the table named name as the store has it now when the
// store is shared (control-plane operations), else the engine's copy.
func (e *Engine) fresh(name string) (*table, error) {
	if !e.shared() {
		return e.lookup(name), nil
	}
	return e.refresh(name)
}

// checkStored fails with errTableGone when the table t was made from is
// no longer stored under its name, and with errStale when its definition
// changed since (a definition change made from t would overwrite another
// node's).
func checkStored(tx storage.MetaTx, t *table) error {
	b, err := tx.Get(bucketTables, t.doc.Name)
	if errors.Is(err, storage.ErrNotFound) {
		return errTableGone
	}
	if err != nil {
		return err
	}
	if t.stored != nil && !bytes.Equal(b, t.stored) {
		return errStale
	}
	return nil
}

// storedNames returns the names of the tables in the store (ListTables on
// a shared store).
func (e *Engine) storedNames() ([]string, error) {
	var names []string
	err := e.meta.View(func(tx storage.MetaTx) error {
		return tx.Scan(bucketTables, "", "", func(name string, _ []byte) (bool, error) {
			names = append(names, name)
			return true, nil
		})
	})
	sort.Strings(names)
	return names, err
}

// cached returns the engine's copy of the table named name, or nil.
func (e *Engine) cached(name string) *table { return (*e.tables.Load())[name] }

// readAgain reports whether a read of the table named name that failed
// with err should be made again: on a shared store, a table missing, gone
// or without the index asked for may have been made again or changed
// through another node since before, the engine's copy when the read
// began; the store's definition, if another, is taken now.
func (e *Engine) readAgain(name string, before *table, err error) bool {
	if err == nil || !e.shared() {
		return false
	}
	if c := eddy.CodeOf(err); c != eddy.CodeResourceNotFound && c != eddy.CodeValidation {
		return false
	}
	t, rerr := e.refresh(name)
	return rerr == nil && t != nil && t != before
}

// readAgainAll is readAgain for a read of several tables: it reports
// whether any of them is stored under another definition than the one
// the engine held when the read began (before, by name).
func (e *Engine) readAgainAll(before map[string]*table, err error) bool {
	again := false
	for name, t := range before {
		if e.readAgain(name, t, err) {
			again = true
		}
	}
	return again
}

// cachedAll returns the engine's copies of the tables named.
func (e *Engine) cachedAll(names []string) map[string]*table {
	m := make(map[string]*table, len(names))
	for _, n := range names {
		m[n] = e.cached(n)
	}
	return m
}
