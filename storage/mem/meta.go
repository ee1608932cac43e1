package mem

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/google/btree"

	"github.com/eddy-streams/eddy/storage"
)

// NewMeta returns an empty in-memory metadata store.
//
// View runs under a read lock and Update under the write lock, so Views run
// concurrently with each other and every Update runs alone. The function given
// to View or Update must not call back into the store: that deadlocks.
func NewMeta() storage.MetaStore {
	m := &meta{}
	m.mu.tables = make(map[string]*table)
	return m
}

type meta struct {
	mu struct {
		sync.RWMutex
		closed bool
		tables map[string]*table
	}
	// commit, if set, is given every Update's writes before they are
	// applied (NewCommitting).
	commit func([]Write) error
}

// Write is one change an Update made: a Put of Value, or a Delete.
type Write struct {
	Table, Key string
	Value      []byte
	Delete     bool
}

// Committing is an in-memory store that hands the writes of every Update
// to a function before applying them, under the store's write lock, so
// the function sees commits one at a time and in the order they apply. A
// durable store built on it (storage/walmeta) logs them there; if the
// function fails, the Update fails and nothing of it is applied.
type Committing struct{ *meta }

// NewCommitting returns an empty Committing store that calls commit with
// each Update's writes (tables, then keys, in bytewise order). An Update
// that writes nothing does not call it.
func NewCommitting(commit func(writes []Write) error) *Committing {
	m := &meta{commit: commit}
	m.mu.tables = make(map[string]*table)
	return &Committing{m}
}

// Exclusive runs fn while no transaction runs; fn may call each to visit
// every key of every table (tables, then keys, in bytewise order) with its
// value, valid only during the call.
func (c *Committing) Exclusive(fn func(each func(visit func(table, key string, value []byte) error) error) error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.mu.closed {
		return storage.ErrClosed
	}
	return fn(func(visit func(table, key string, value []byte) error) error {
		names := make([]string, 0, len(c.mu.tables))
		for name := range c.mu.tables {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			t := c.mu.tables[name]
			var err error
			t.keys.Ascend(func(k string) bool {
				err = visit(name, k, t.vals[k])
				return err == nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// Apply applies writes made elsewhere (another node's commits, as
// storage/jetstream receives them) without calling the commit function.
// fn runs under the store's write lock and returns the writes to apply, so
// it can decide which to keep, and record what it applied, with no
// transaction running. A Write with Delete removes its key.
func (c *Committing) Apply(fn func() []Write) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.mu.closed {
		return storage.ErrClosed
	}
	staged := make(map[string]map[string]*[]byte)
	for _, w := range fn() {
		t := staged[w.Table]
		if t == nil {
			t = make(map[string]*[]byte)
			staged[w.Table] = t
		}
		if w.Delete {
			t[w.Key] = nil
		} else {
			v := w.Value
			t[w.Key] = &v
		}
	}
	c.applyLocked(staged)
	return nil
}

// sortedWrites lists staged writes in table, then key, order.
func sortedWrites(writes map[string]map[string]*[]byte) []Write {
	var out []Write
	names := make([]string, 0, len(writes))
	for name := range writes {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		keys := make([]string, 0, len(writes[name]))
		for k := range writes[name] {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if v := writes[name][k]; v != nil {
				out = append(out, Write{Table: name, Key: k, Value: *v})
			} else {
				out = append(out, Write{Table: name, Key: k, Delete: true})
			}
		}
	}
	return out
}

var _ storage.MetaStore = (*meta)(nil)

// table is one committed table: values by key, and the keys in bytewise
// order for Scan (a B-tree: inserting into a sorted slice made a table of
// 400,000 random keys take 30 s to fill). A table with no keys is removed
// from meta.mu.tables.
type table struct {
	vals map[string][]byte
	keys *btree.BTreeG[string]
}

func newTable() *table {
	return &table{vals: make(map[string][]byte), keys: btree.NewOrderedG[string](32)}
}

// errTxDone is returned by a MetaTx used after its View or Update returned.
var errTxDone = errors.New("mem: transaction used after it ended")

func (m *meta) View(fn func(storage.MetaTx) error) error {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.mu.closed {
		return storage.ErrClosed
	}
	tx := &metaTx{m: m}
	defer func() { tx.done = true }()
	return fn(tx)
}

func (m *meta) Update(fn func(storage.MetaTx) error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.mu.closed {
		return storage.ErrClosed
	}
	tx := &metaTx{m: m, writable: true, writes: make(map[string]map[string]*[]byte)}
	defer func() { tx.done = true }()
	if err := fn(tx); err != nil {
		return err
	}
	if m.commit != nil && len(tx.writes) > 0 {
		if err := m.commit(sortedWrites(tx.writes)); err != nil {
			return err
		}
	}
	m.applyLocked(tx.writes)
	return nil
}

// Batch is Update: an in-memory store has no sync to share.
func (m *meta) Batch(fn func(storage.MetaTx) error) error { return m.Update(fn) }

// applyLocked commits a transaction's staged writes. m.mu must be held for
// writing.
func (m *meta) applyLocked(writes map[string]map[string]*[]byte) {
	for name, w := range writes {
		t := m.mu.tables[name]
		if t == nil {
			t = newTable()
			m.mu.tables[name] = t
		}
		for key, v := range w {
			_, exists := t.vals[key]
			switch {
			case v != nil && !exists:
				t.keys.ReplaceOrInsert(key)
				t.vals[key] = *v
			case v != nil:
				t.vals[key] = *v
			case exists:
				t.keys.Delete(key)
				delete(t.vals, key)
			}
		}
		if len(t.vals) == 0 {
			delete(m.mu.tables, name)
		}
	}
}

// Close drops every table. Later calls, including Close, return
// storage.ErrClosed.
func (m *meta) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.mu.closed {
		return storage.ErrClosed
	}
	m.mu.closed = true
	m.mu.tables = nil
	return nil
}

// metaTx is a transaction on a meta. Reads see the committed tables overlaid
// with the transaction's own staged writes; writes are staged in writes
// (table -> key -> value, with a nil pointer for a deletion) until Update
// applies them.
type metaTx struct {
	m        *meta
	writable bool
	done     bool
	writes   map[string]map[string]*[]byte
}

func (tx *metaTx) Get(table, key string) ([]byte, error) {
	if tx.done {
		return nil, errTxDone
	}
	if v, ok := tx.writes[table][key]; ok {
		if v == nil {
			return nil, storage.ErrNotFound
		}
		return slices.Clone(*v), nil
	}
	t := tx.m.mu.tables[table]
	if t == nil {
		return nil, storage.ErrNotFound
	}
	v, ok := t.vals[key]
	if !ok {
		return nil, storage.ErrNotFound
	}
	return slices.Clone(v), nil
}

func (tx *metaTx) Put(table, key string, value []byte) error {
	if tx.done {
		return errTxDone
	}
	if !tx.writable {
		return storage.ErrReadOnly
	}
	if table == "" || key == "" {
		return fmt.Errorf("mem: put %q/%q: table and key must be non-empty", table, key)
	}
	v := make([]byte, len(value))
	copy(v, value)
	tx.stage(table, key, &v)
	return nil
}

func (tx *metaTx) Delete(table, key string) error {
	if tx.done {
		return errTxDone
	}
	if !tx.writable {
		return storage.ErrReadOnly
	}
	tx.stage(table, key, nil)
	return nil
}

func (tx *metaTx) stage(table, key string, v *[]byte) {
	w := tx.writes[table]
	if w == nil {
		w = make(map[string]*[]byte)
		tx.writes[table] = w
	}
	w[key] = v
}

func (tx *metaTx) Scan(table, prefix, startAfter string, fn func(key string, value []byte) (bool, error)) error {
	if tx.done {
		return errTxDone
	}
	// The transaction's own writes to this table, in key order, gathered
	// before fn runs (the committed keys do not change while it runs:
	// writes are staged until the Update ends).
	var staged []string
	for k := range tx.writes[table] {
		if strings.HasPrefix(k, prefix) && k > startAfter {
			staged = append(staged, k)
		}
	}
	slices.Sort(staged)
	var vals map[string][]byte
	t := tx.m.mu.tables[table]
	if t != nil {
		vals = t.vals
	}

	// fn gets each value in a scratch buffer that the next call overwrites,
	// so it can neither change the store nor keep a value that stays valid.
	var scratch []byte
	// visit calls fn for key if it exists, looking the value up now rather
	// than when the scan began: fn may have written since.
	visit := func(key string) (bool, error) {
		v, ok := vals[key]
		if sv, isStaged := tx.writes[table][key]; isStaged {
			if sv != nil {
				v, ok = *sv, true
			} else {
				ok = false
			}
		}
		if !ok {
			return true, nil
		}
		scratch = append(scratch[:0], v...)
		return fn(key, scratch[:len(v):len(v)])
	}
	more, err := true, error(nil)
	if t != nil {
		lo := prefix
		if startAfter >= prefix {
			lo = startAfter
		}
		t.keys.AscendGreaterOrEqual(lo, func(k string) bool {
			if k == startAfter {
				return true
			}
			if !strings.HasPrefix(k, prefix) {
				return false // keys are sorted: none further has the prefix either
			}
			for len(staged) > 0 && staged[0] <= k {
				s := staged[0]
				staged = staged[1:]
				if s == k {
					break // visited below, once
				}
				if more, err = visit(s); err != nil || !more {
					return false
				}
			}
			more, err = visit(k)
			return err == nil && more
		})
	}
	for len(staged) > 0 && err == nil && more {
		more, err = visit(staged[0])
		staged = staged[1:]
	}
	return err
}

func (tx *metaTx) ScanReverse(table, prefix, startBefore string, fn func(key string, value []byte) (bool, error)) error {
	if tx.done {
		return errTxDone
	}
	in := func(k string) bool { return strings.HasPrefix(k, prefix) && (startBefore == "" || k < startBefore) }
	// The keys to visit, committed and staged, gathered before fn runs;
	// values are looked up at each visit, as in Scan.
	seen := map[string]bool{}
	var keys []string
	if t := tx.m.mu.tables[table]; t != nil {
		t.keys.AscendGreaterOrEqual(prefix, func(k string) bool {
			if !strings.HasPrefix(k, prefix) {
				return false
			}
			if in(k) {
				keys = append(keys, k)
				seen[k] = true
			}
			return true
		})
	}
	for k := range tx.writes[table] {
		if in(k) && !seen[k] {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var scratch []byte
	for i := len(keys) - 1; i >= 0; i-- {
		key := keys[i]
		var v []byte
		ok := false
		if t := tx.m.mu.tables[table]; t != nil {
			v, ok = t.vals[key]
		}
		if sv, isStaged := tx.writes[table][key]; isStaged {
			if sv != nil {
				v, ok = *sv, true
			} else {
				ok = false
			}
		}
		if !ok {
			continue
		}
		scratch = append(scratch[:0], v...)
		more, err := fn(key, scratch[:len(v):len(v)])
		if err != nil || !more {
			return err
		}
	}
	return nil
}
