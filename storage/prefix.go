package storage

import "strings"

// Prefixed views give several users of one store disjoint namespaces: the
// engine of each region sees its own logs and metadata tables, while every
// region's data lives in the same segment store and bbolt file (so one
// fsync still serves them all).
//
// A view maps names, nothing else: PrefixLogs(l, "kinesis/eu-west-1/")
// creates and opens log "s:1/shardId-000000000000" as the store's
// "kinesis/eu-west-1/s:1/shardId-000000000000", and PrefixMeta(m, p) keeps
// table "streams" as the store's table p+"streams". An empty prefix returns
// the store itself.
//
// Two departures from the Logs contract follow from not wrapping the shard
// logs (wrapping would cost every append and read an indirection and hide
// the store's optional interfaces, MultiAppender and BufferReader, which
// work on the store's own logs):
//
//   - ShardLog.ID() of a log reached through a view is the store's id, the
//     prefix included.
//   - Close of a view closes nothing and returns nil: the view does not own
//     the store, whose owner closes it.

// PrefixLogs returns a view of l in which log id "x" is l's prefix+"x". The
// prefix must be empty or a valid id followed by "/", so that every id of
// the view is valid in l. List returns the view's ids (without the prefix).
func PrefixLogs(l Logs, prefix string) Logs {
	if prefix == "" {
		return l
	}
	checkPrefix(prefix)
	return &prefixLogs{l: l, prefix: prefix}
}

// PrefixMeta returns a view of m in which table "t" is m's table prefix+"t";
// keys and values are unchanged. Transactions are m's, so a view's Update is
// as atomic and durable as m's.
func PrefixMeta(m MetaStore, prefix string) MetaStore {
	if prefix == "" {
		return m
	}
	checkPrefix(prefix)
	return &prefixMeta{m: m, prefix: prefix}
}

func checkPrefix(prefix string) {
	if !strings.HasSuffix(prefix, "/") || !ValidID(strings.TrimSuffix(prefix, "/")) {
		panic("storage: prefix " + prefix + ": want a valid id followed by /")
	}
}

type prefixLogs struct {
	l      Logs
	prefix string
}

var _ MultiAppender = (*prefixLogs)(nil)

func (p *prefixLogs) Create(id string, base uint64) (ShardLog, error) {
	return p.l.Create(p.prefix+id, base)
}

func (p *prefixLogs) Open(id string) (ShardLog, error) { return p.l.Open(p.prefix + id) }

func (p *prefixLogs) List() ([]string, error) {
	all, err := p.l.List()
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, id := range all {
		if rest, ok := strings.CutPrefix(id, p.prefix); ok {
			ids = append(ids, rest)
		}
	}
	return ids, nil // still sorted: all shared the prefix
}

// Close closes nothing: see the package's notes on views.
func (p *prefixLogs) Close() error { return nil }

// AppendMulti hands the batches to the store: their logs are its own.
func (p *prefixLogs) AppendMulti(batches []AppendBatch) { AppendAll(p.l, batches) }

type prefixMeta struct {
	m      MetaStore
	prefix string
}

func (p *prefixMeta) View(fn func(MetaTx) error) error {
	return p.m.View(func(tx MetaTx) error { return fn(prefixTx{tx, p.prefix}) })
}

func (p *prefixMeta) Update(fn func(MetaTx) error) error {
	return p.m.Update(func(tx MetaTx) error { return fn(prefixTx{tx, p.prefix}) })
}

func (p *prefixMeta) Batch(fn func(MetaTx) error) error {
	return p.m.Batch(func(tx MetaTx) error { return fn(prefixTx{tx, p.prefix}) })
}

// Close closes nothing: see the package's notes on views.
func (p *prefixMeta) Close() error { return nil }

// Watch passes on the writes of other processes to the view's tables, with
// the prefix taken off their names, if the store is a Watcher.
func (p *prefixMeta) Watch(fn func(table, key string)) (stop func()) {
	stop, _ = Watch(p.m, func(table, key string) {
		if t, ok := strings.CutPrefix(table, p.prefix); ok {
			fn(t, key)
		}
	})
	return stop
}

type prefixTx struct {
	tx     MetaTx
	prefix string
}

func (t prefixTx) Get(table, key string) ([]byte, error) { return t.tx.Get(t.prefix+table, key) }

func (t prefixTx) Put(table, key string, value []byte) error {
	if table == "" {
		// The store refuses an empty table name; so does the view.
		return t.tx.Put("", key, value)
	}
	return t.tx.Put(t.prefix+table, key, value)
}

func (t prefixTx) Delete(table, key string) error { return t.tx.Delete(t.prefix+table, key) }

func (t prefixTx) Scan(table, prefix, startAfter string, fn func(key string, value []byte) (bool, error)) error {
	return t.tx.Scan(t.prefix+table, prefix, startAfter, fn)
}

func (t prefixTx) ScanReverse(table, prefix, startBefore string, fn func(key string, value []byte) (bool, error)) error {
	return t.tx.ScanReverse(t.prefix+table, prefix, startBefore, fn)
}
