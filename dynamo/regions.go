package dynamo

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/storage"
)

// Regions serves DynamoDB in every region from one store: one Engine per
// region, each on a prefixed view of the store (storage.PrefixMeta) under
// "dynamodb/<region>/", made on first use and opened again at start-up for
// every region used before. The table "dynamodb/regions" lists them:
//
//	dynamodb/regions   <region> -> ""
//
// as kinesis.Regions does for Kinesis (a region is a namespace of its own:
// tables, ARNs). Another account's region (GetAccount, for callers of that
// account when eddy serve has identities) has the key "<account>/<region>"
// and the namespace "dynamodb/<account>/<region>/".
type Regions struct {
	cfg  Config // the template of every region's Config; Region is the default
	meta storage.MetaStore

	engines atomic.Pointer[map[string]*Engine]
	mu      struct {
		sync.Mutex // serialises making engines and Close
		closed     bool
	}
}

const tableRegions = "dynamodb/regions"

// Namespace returns the prefix of a region's tables in the store.
func Namespace(region string) string { return "dynamodb/" + region + "/" }

// OpenRegions opens the engine of every region recorded in meta and of
// cfg.Region, the default region. The caller owns meta and closes it
// after Close.
func OpenRegions(cfg Config, meta storage.MetaStore) (*Regions, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if !eddy.ValidRegion(cfg.Region) {
		return nil, fmt.Errorf("dynamo: region %q: want lowercase letters, digits and hyphens, like us-east-1", cfg.Region)
	}
	r := &Regions{cfg: cfg, meta: meta}
	var regions []string
	err := meta.Update(func(tx storage.MetaTx) error {
		if err := tx.Scan(tableRegions, "", "", func(k string, _ []byte) (bool, error) {
			if _, _, ok := splitKey(k); !ok {
				return false, fmt.Errorf("bad region %q", k)
			}
			regions = append(regions, k)
			return true, nil
		}); err != nil {
			return err
		}
		if !slices.Contains(regions, cfg.Region) {
			regions = append(regions, cfg.Region)
			return tx.Put(tableRegions, cfg.Region, nil)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("dynamo: load regions: %w", err)
	}
	engines := map[string]*Engine{}
	for _, region := range regions {
		e, err := r.open(region)
		if err != nil {
			for _, e := range engines {
				e.Close()
			}
			return nil, err
		}
		engines[region] = e
	}
	r.engines.Store(&engines)
	return r, nil
}

// open opens the engine of key: a region of the default account, or
// "<account>/<region>".
func (r *Regions) open(key string) (*Engine, error) {
	account, region, _ := splitKey(key)
	cfg := r.cfg
	cfg.Region = region
	if account != "" {
		cfg.AccountID = account
	}
	e, err := Open(cfg, storage.PrefixMeta(r.meta, Namespace(key)))
	if err != nil {
		return nil, fmt.Errorf("dynamo: region %s: %w", key, err)
	}
	return e, nil
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

// GetAccount returns the engine of account's region, as Get does; "" or
// Config.AccountID is the default account.
func (r *Regions) GetAccount(account, region string) (*Engine, error) {
	if account == "" || account == r.cfg.AccountID {
		return r.Get(region)
	}
	key := account + "/" + region
	if e := (*r.engines.Load())[key]; e != nil {
		return e, nil
	}
	if _, _, ok := splitKey(key); !ok {
		return nil, fmt.Errorf("dynamo: %q is not an account id and region", key)
	}
	return r.make(key)
}

// Default returns the engine of the default region (Config.Region).
func (r *Regions) Default() *Engine { return (*r.engines.Load())[r.cfg.Region] }

// ErrRegionsClosed is returned by Get after Close.
var ErrRegionsClosed = errors.New("dynamo: regions closed")

// Get returns the engine of region, making it (and recording the region)
// on first use. It fails for a name that is not a valid region, after
// Close, or when the region cannot be recorded or opened.
func (r *Regions) Get(region string) (*Engine, error) {
	if e := (*r.engines.Load())[region]; e != nil {
		return e, nil
	}
	if !eddy.ValidRegion(region) {
		return nil, fmt.Errorf("dynamo: %q is not a valid region name", region)
	}
	return r.make(region)
}

// make opens the engine of key, recording it first.
func (r *Regions) make(region string) (*Engine, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.mu.closed {
		return nil, ErrRegionsClosed
	}
	engines := *r.engines.Load()
	if e := engines[region]; e != nil {
		return e, nil
	}
	if err := r.meta.Update(func(tx storage.MetaTx) error { return tx.Put(tableRegions, region, nil) }); err != nil {
		return nil, fmt.Errorf("dynamo: record region %s: %w", region, err)
	}
	e, err := r.open(region)
	if err != nil {
		return nil, err
	}
	next := maps.Clone(engines)
	next[region] = e
	r.engines.Store(&next)
	return e, nil
}

// List returns the keys of the open engines, sorted: the default
// account's regions, and "<account>/<region>" for other accounts'.
func (r *Regions) List() []string { return slices.Sorted(maps.Keys(*r.engines.Load())) }

// Ready reports whether every region's engine serves requests.
func (r *Regions) Ready() error {
	for _, region := range r.List() {
		if err := (*r.engines.Load())[region].Ready(); err != nil {
			return fmt.Errorf("dynamodb region %s: %w", region, err)
		}
	}
	return nil
}

// Close closes every region's engine; later Gets of a new region fail. It
// does not close the store.
func (r *Regions) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.mu.closed = true
	for _, e := range *r.engines.Load() {
		e.Close()
	}
	return nil
}
