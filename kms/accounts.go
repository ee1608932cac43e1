package kms

import (
	"fmt"
	"sync"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/storage"
)

// Accounts serves each account's keys from a Service of its own: keys
// and aliases are separate per account, as in KMS. The default account's
// Service is the one given (its tables unprefixed); another account's
// keeps its tables under "accounts/<account>/" in the same store, sealed
// under the same root key, and is opened on first use.
type Accounts struct {
	def  *Service
	meta storage.MetaStore

	mu sync.Mutex
	m  map[string]*Service
}

// NewAccounts serves def's account with def and any other account from
// meta.
func NewAccounts(def *Service, meta storage.MetaStore) *Accounts {
	return &Accounts{def: def, meta: meta, m: map[string]*Service{}}
}

// Default returns the default account's Service.
func (a *Accounts) Default() *Service { return a.def }

// Get returns account's Service ("" is the default account's).
func (a *Accounts) Get(account string) (*Service, error) {
	if account == "" || account == a.def.cfg.AccountID {
		return a.def, nil
	}
	if !eddy.ValidAccountID(account) {
		return nil, fmt.Errorf("kms: %q is not an account id", account)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if s := a.m[account]; s != nil {
		return s, nil
	}
	cfg := a.def.cfg
	cfg.AccountID = account
	s, err := New(cfg, storage.PrefixMeta(a.meta, "accounts/"+account+"/"))
	if err != nil {
		return nil, fmt.Errorf("kms: account %s: %w", account, err)
	}
	a.m[account] = s
	return s, nil
}
