package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/analytics"
	"github.com/eddy-streams/eddy/analytics/runner"
	"github.com/eddy-streams/eddy/firehose"
	"github.com/eddy-streams/eddy/firehose/delivery"
	"github.com/eddy-streams/eddy/httpapi"
	"github.com/eddy-streams/eddy/lambda"
	"github.com/eddy-streams/eddy/lambda/esm"
	"github.com/eddy-streams/eddy/s3"
	"github.com/eddy-streams/eddy/storage"
)

// accountServices are one account's delivery streams and functions, and
// the work that runs for them: the delivery streams' pipelines and the
// event source mappings' pollers.
type accountServices struct {
	firehose   *firehose.Service
	deliveries *delivery.Runner
	functions  *lambda.Service
	mappings   *esm.Manager
	analytics  *analytics.Service // SQL applications
	apps       *runner.Runner     // what runs them
}

// close stops the work, then the functions it invokes.
func (a *accountServices) close() {
	if a.analytics != nil {
		// The service first (its calls under way), then the applications:
		// those RUNNING stay so in the store, and run again at the next
		// start.
		a.analytics.Close()
	}
	if a.apps != nil {
		a.apps.Close()
	}
	a.mappings.Close()
	a.deliveries.Close()
	a.functions.Close()
}

// tableAccounts records the accounts other than the server's whose
// services were opened (keyed by account id), so that their delivery
// streams and event source mappings run again after a restart.
const tableAccounts = "accounts/services"

// accountSet keeps each account's Firehose and Lambda resources apart, as
// in AWS: the server's account (--account-id) in the store's own tables,
// another account (a caller's, with --identities) under
// "accounts/<account>/", opened on its first request and at every start
// after that.
type accountSet struct {
	defaultID string
	meta      storage.MetaStore
	// open makes an account's services; meta and logs are the account's
	// (prefixed for another account than the server's).
	open func(account string) (*accountServices, error)

	mu     sync.Mutex
	m      map[string]*accountServices
	closed bool
}

var errAccountsClosed = errors.New("accounts: closed")

// get returns account's services ("" is the server's account), opening
// them on first use.
func (s *accountSet) get(account string) (*accountServices, error) {
	if account == "" {
		account = s.defaultID
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errAccountsClosed
	}
	if a := s.m[account]; a != nil {
		return a, nil
	}
	if account != s.defaultID {
		if !eddy.ValidAccountID(account) {
			return nil, fmt.Errorf("accounts: %q is not an account id", account)
		}
		if err := s.meta.Update(func(tx storage.MetaTx) error {
			return tx.Put(tableAccounts, account, []byte("{}"))
		}); err != nil {
			return nil, fmt.Errorf("accounts: record %s: %w", account, err)
		}
	}
	a, err := s.open(account)
	if err != nil {
		return nil, fmt.Errorf("account %s: %w", account, err)
	}
	if s.m == nil {
		s.m = map[string]*accountServices{}
	}
	s.m[account] = a
	return a, nil
}

// resume opens the server's account and every account recorded before.
func (s *accountSet) resume() error {
	var accounts []string
	if err := s.meta.View(func(tx storage.MetaTx) error {
		return tx.Scan(tableAccounts, "", "", func(key string, _ []byte) (bool, error) {
			accounts = append(accounts, key)
			return true, nil
		})
	}); err != nil {
		return err
	}
	for _, account := range append([]string{s.defaultID}, accounts...) {
		if _, err := s.get(account); err != nil {
			return err
		}
	}
	return nil
}

// caller returns the services of the request's caller's account (the
// server's without identities).
func (s *accountSet) caller(ctx context.Context) (*accountServices, error) {
	if c := httpapi.Caller(ctx); c != nil {
		return s.get(c.Account)
	}
	return s.get("")
}

// close stops every account's work; later gets fail.
func (s *accountSet) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	for _, a := range s.m {
		a.close()
	}
}

// referenceObjects reads the objects of SQL applications' reference data
// sources and of DiscoverInputSchema, at most max bytes of each (all with
// max < 0): a bucket of --s3-bucket-dir is a directory (the key a file
// under it), any other bucket is the embedded S3 endpoint's. A missing
// bucket or object is analytics.ErrNoObject.
func referenceObjects(store s3.ObjectStore, dirs map[string]string) func(ctx context.Context, bucket, key string, max int64) ([]byte, error) {
	readAll := func(r io.Reader, max int64) ([]byte, error) {
		if max >= 0 {
			r = io.LimitReader(r, max)
		}
		return io.ReadAll(r)
	}
	return func(ctx context.Context, bucket, key string, max int64) ([]byte, error) {
		if dir, ok := dirs[bucket]; ok {
			if !filepath.IsLocal(filepath.FromSlash(key)) {
				return nil, fmt.Errorf("object key %q is not a path under the directory of bucket %s", key, bucket)
			}
			f, err := os.Open(filepath.Join(dir, filepath.FromSlash(key)))
			if errors.Is(err, os.ErrNotExist) {
				return nil, fmt.Errorf("s3://%s/%s: %w", bucket, key, analytics.ErrNoObject)
			}
			if err != nil {
				return nil, err
			}
			defer f.Close()
			return readAll(f, max)
		}
		if store == nil {
			return nil, fmt.Errorf("no S3 store holds bucket %s (the embedded S3 endpoint is off and no --s3-bucket-dir names it)", bucket)
		}
		obj, err := store.Open(bucket, key)
		if s3.IsNotFound(err) {
			return nil, fmt.Errorf("s3://%s/%s: %v: %w", bucket, key, err, analytics.ErrNoObject)
		}
		if err != nil {
			return nil, fmt.Errorf("s3://%s/%s: %w", bucket, key, err)
		}
		defer obj.Close()
		return readAll(obj.Body(0, obj.Size), max)
	}
}
