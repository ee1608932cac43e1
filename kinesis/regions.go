package kinesis

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/metrics"
	"github.com/eddy-streams/eddy/storage"
)

// Regions serves every region from one process: one Engine per region over
// a shared store. On Kinesis a region is a namespace of its own (streams,
// consumers, ARNs, shard and on-demand stream quotas, control-plane call
// rates, resource policies are all per account and region), and an Engine
// already is all of that for one region, so each region gets one, made on
// first use and opened again at start-up for every region that has been
// used. Each runs its own background work (retention, on-demand scaling),
// and all share one set of metric families, whose series carry the region.
//
// # Layout
//
// A region's engine sees the store through prefixed views
// (storage.PrefixLogs, storage.PrefixMeta) under its namespace,
// "kinesis/<region>/": its metadata tables are "kinesis/<region>/streams"
// and "kinesis/<region>/engine", its shard logs
// "kinesis/<region>/<stream>:<incarnation>/shardId-NNNNNNNNNNNN". The table
// "kinesis/regions" lists the regions, each with its namespace:
//
//	kinesis/regions   <region> -> {"namespace":"kinesis/eu-central-1/"}
//
// Data written before Eddy served several regions (tables "streams" and
// "engine", log ids without a prefix) has the empty namespace. The first
// start-up that finds it, with "kinesis/regions" still empty, gives it to
// the default region (Config.Region, `eddy serve --region`) in the same
// transaction that records that region: so its streams, their ARNs and log
// ids stay as they were, and no log is renamed. The assignment is stored,
// so a later --region does not move it: the old streams stay in the region
// they were created in, and the new default region gets a namespace of its
// own.
//
// # Accounts
//
// Streams are separate per account too. The default account
// (Config.AccountID, `eddy serve --account-id`) has the layout above;
// another account's region (made by GetAccount, for callers of that
// account when eddy serve has identities) has the key
// "<account>/<region>" in "kinesis/regions" and the namespace
// "kinesis/<account>/<region>/". List, Lookup and the engines' map use
// these keys: a region's name for the default account.
type Regions struct {
	cfg  Config // the template of every region's Config; Region is the default
	logs storage.Logs
	meta storage.MetaStore
	fams *metricFamilies

	// engines maps region to its engine, copied on write: the request path
	// reads it without a lock.
	engines   atomic.Pointer[map[string]*Engine]
	stopWatch func() // stops the notices of other nodes' regions
	mu        struct {
		sync.Mutex // serialises making engines and Close
		closed     bool
	}
}

// Metadata of Regions.
const (
	tableRegions    = "kinesis/regions"
	namespacePrefix = "kinesis/"
)

// regionRecord is a region's entry in tableRegions.
type regionRecord struct {
	// Namespace prefixes the region's log ids and table names; "" for the
	// data of single-region Eddy.
	Namespace string `json:"namespace"`
}

// OpenRegions opens the engine of every region recorded in meta and of
// cfg.Region, the default region, assigning data of the single-region
// layout to it first if no region has it yet (see Regions). cfg is the
// template for every region's engine. The caller owns logs and meta and
// closes them after Close.
func OpenRegions(cfg Config, logs storage.Logs, meta storage.MetaStore) (*Regions, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if !eddy.ValidRegion(cfg.Region) {
		return nil, fmt.Errorf("engine: region %q: want lowercase letters, digits and hyphens, like us-east-1", cfg.Region)
	}
	reg := cfg.Metrics
	if reg == nil {
		reg = metrics.NewRegistry()
	}
	r := &Regions{cfg: cfg, logs: logs, meta: meta, fams: newMetricFamilies(reg)}
	r.engines.Store(&map[string]*Engine{})
	records := map[string]regionRecord{}
	err := meta.Update(func(tx storage.MetaTx) error {
		if err := scanRegions(tx, records); err != nil {
			return err
		}
		if len(records) == 0 {
			legacy, err := hasLegacyData(tx)
			if err != nil {
				return err
			}
			if legacy {
				// Single-region data: it was made under the configured
				// region, and stays in it for good.
				records[cfg.Region] = regionRecord{Namespace: ""}
				return putRegion(tx, cfg.Region, records[cfg.Region])
			}
		}
		if _, ok := records[cfg.Region]; !ok {
			records[cfg.Region] = newRegionRecord(cfg.Region)
			return putRegion(tx, cfg.Region, records[cfg.Region])
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("engine: load regions: %w", err)
	}
	engines := map[string]*Engine{}
	for _, region := range slices.Sorted(maps.Keys(records)) {
		e, err := r.openRegion(region, records[region])
		if err != nil {
			for _, e := range engines {
				e.Close()
			}
			return nil, err
		}
		engines[region] = e
	}
	r.engines.Store(&engines)
	// On a store shared with other nodes, open the regions they record,
	// so that this node's background work (retention, scaling) and
	// metrics cover them too.
	r.stopWatch, _ = storage.Follow(meta, func(table, key string) string {
		if table == tableRegions {
			return key
		}
		return ""
	}, func(key string) {
		if _, err := r.make(key); err != nil && !errors.Is(err, ErrRegionsClosed) {
			cfg.Logger.Warn("opening a region another node recorded", "region", key, "err", err)
		}
	})
	return r, nil
}

// newRegionRecord is the record of a new region, or of an account's
// region (key "<account>/<region>").
func newRegionRecord(key string) regionRecord {
	return regionRecord{Namespace: namespacePrefix + key + "/"}
}

// splitKey parses an engine key: a region (the default account's), or
// "<account>/<region>".
func splitKey(key string) (account, region string, ok bool) {
	account, region, found := strings.Cut(key, "/")
	if !found {
		return "", key, eddy.ValidRegion(key)
	}
	return account, region, eddy.ValidAccountID(account) && eddy.ValidRegion(region)
}

func scanRegions(tx storage.MetaTx, into map[string]regionRecord) error {
	return tx.Scan(tableRegions, "", "", func(key string, value []byte) (bool, error) {
		var rec regionRecord
		if err := json.Unmarshal(value, &rec); err != nil {
			return false, fmt.Errorf("region %s: %w", key, err)
		}
		if _, _, ok := splitKey(key); !ok || !validNamespace(rec.Namespace) {
			return false, fmt.Errorf("region %q: bad record %s", key, value)
		}
		into[key] = rec
		return true, nil
	})
}

// validNamespace reports whether ns can prefix log ids and tables: empty,
// or a valid log id followed by "/".
func validNamespace(ns string) bool {
	id, ok := strings.CutSuffix(ns, "/")
	return ns == "" || ok && storage.ValidID(id)
}

func putRegion(tx storage.MetaTx, region string, rec regionRecord) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return tx.Put(tableRegions, region, b)
}

// hasLegacyData reports whether the tables of single-region Eddy hold
// anything: a stream, the iterator secret or the account settings.
func hasLegacyData(tx storage.MetaTx) (bool, error) {
	found := false
	for _, table := range []string{tableStreams, tableEngine} {
		err := tx.Scan(table, "", "", func(string, []byte) (bool, error) {
			found = true
			return false, nil
		})
		if err != nil || found {
			return found, err
		}
	}
	return false, nil
}

// openRegion opens the engine of key (a region, or "<account>/<region>")
// over its namespace.
func (r *Regions) openRegion(key string, rec regionRecord) (*Engine, error) {
	account, region, _ := splitKey(key)
	cfg := r.cfg
	cfg.Region = region
	if account != "" {
		cfg.AccountID, cfg.MetricsRegion = account, key
		if aks := r.cfg.AccountKeyService; aks != nil {
			cfg.KeyService = func(region string) KeyService { return aks(account, region) }
		}
	}
	e, err := open(cfg, storage.PrefixLogs(r.logs, rec.Namespace), storage.PrefixMeta(r.meta, rec.Namespace), r.fams)
	if err != nil {
		return nil, fmt.Errorf("engine: region %s: %w", key, err)
	}
	return e, nil
}

// Default returns the engine of the default region (Config.Region).
func (r *Regions) Default() *Engine { return (*r.engines.Load())[r.cfg.Region] }

// DefaultRegion returns the default region's name.
func (r *Regions) DefaultRegion() string { return r.cfg.Region }

// ErrRegionsClosed is returned by Get after Close.
var ErrRegionsClosed = errors.New("engine: regions closed")

// Get returns the engine of region, making it (and recording the region)
// on first use. It fails for a name that is not a valid region
// (eddy.ValidRegion), after Close (ErrRegionsClosed), or if the region
// cannot be recorded or opened.
func (r *Regions) Get(region string) (*Engine, error) {
	if e := (*r.engines.Load())[region]; e != nil {
		return e, nil
	}
	if !eddy.ValidRegion(region) {
		return nil, fmt.Errorf("engine: %q is not a valid region name", region)
	}
	return r.make(region)
}

// GetAccount returns the engine of account's region, as Get does; "" or
// Config.AccountID is the default account. Another account's streams are
// its own: its engine has its own namespace (see Accounts).
func (r *Regions) GetAccount(account, region string) (*Engine, error) {
	if account == "" || account == r.cfg.AccountID {
		return r.Get(region)
	}
	key := account + "/" + region
	if e := (*r.engines.Load())[key]; e != nil {
		return e, nil
	}
	if _, _, ok := splitKey(key); !ok {
		return nil, fmt.Errorf("engine: %q is not an account id and region", key)
	}
	return r.make(key)
}

// LookupAccount returns the engine of account's region if it is open,
// else nil. It makes nothing.
func (r *Regions) LookupAccount(account, region string) *Engine {
	if account == "" || account == r.cfg.AccountID {
		return r.Lookup(region)
	}
	return r.Lookup(account + "/" + region)
}

// make opens the engine of key, recording it first.
func (r *Regions) make(key string) (*Engine, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.mu.closed {
		return nil, ErrRegionsClosed
	}
	engines := *r.engines.Load()
	if e := engines[key]; e != nil {
		return e, nil
	}
	rec := newRegionRecord(key)
	err := r.meta.Update(func(tx storage.MetaTx) error {
		b, err := tx.Get(tableRegions, key)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			return putRegion(tx, key, rec)
		case err != nil:
			return err
		}
		// Recorded but not open: only if another process wrote it, which
		// the store's lock rules out; take what it says.
		if err := json.Unmarshal(b, &rec); err != nil || !validNamespace(rec.Namespace) {
			return fmt.Errorf("bad record %s", b)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("engine: record region %s: %w", key, err)
	}
	e, err := r.openRegion(key, rec)
	if err != nil {
		return nil, err
	}
	next := maps.Clone(engines)
	next[key] = e
	r.engines.Store(&next)
	e.log.Info("region opened", "namespace", rec.Namespace)
	return e, nil
}

// Lookup returns the engine of key (a region of the default account, or
// "<account>/<region>") if it is open, else nil. It makes nothing.
func (r *Regions) Lookup(key string) *Engine { return (*r.engines.Load())[key] }

// List returns the keys of the open engines, sorted: the default
// account's regions, and "<account>/<region>" for other accounts'.
func (r *Regions) List() []string { return slices.Sorted(maps.Keys(*r.engines.Load())) }

// Ready reports whether every region's engine serves requests.
func (r *Regions) Ready() error {
	for _, region := range r.List() {
		if err := r.Lookup(region).Ready(); err != nil {
			return fmt.Errorf("region %s: %w", region, err)
		}
	}
	return nil
}

// Close closes every region's engine; later Gets of a new region fail. It
// does not close the storage.
func (r *Regions) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.mu.closed = true
	if r.stopWatch != nil {
		r.stopWatch()
	}
	for _, e := range *r.engines.Load() {
		e.Close()
	}
	return nil
}

// Region returns the region the engine serves.
func (e *Engine) Region() string { return e.cfg.Region }
