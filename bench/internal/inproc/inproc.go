// Package inproc starts Eddy's Kinesis API inside a benchmark program, on
// 127.0.0.1 with the segment backend in a temporary directory, so a
// benchmark needs no separately started server.
package inproc

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net"
	"os"

	"github.com/eddy-streams/eddy/httpapi"
	"github.com/eddy-streams/eddy/httpapi/kinesisapi"
	"github.com/eddy-streams/eddy/iam"
	"github.com/eddy-streams/eddy/kinesis"
	"github.com/eddy-streams/eddy/kms"
	"github.com/eddy-streams/eddy/storage"
	"github.com/eddy-streams/eddy/storage/boltmeta"
	"github.com/eddy-streams/eddy/storage/sealed"
	"github.com/eddy-streams/eddy/storage/segment"
	"github.com/eddy-streams/eddy/storage/walmeta"
)

// Start serves the API with the given sync mode and returns its address and
// a function that stops it and removes its data.
func Start(sync string) (addr string, stop func(), err error) {
	return StartWith(sync, kinesis.LimitsOff)
}

// StartWith is Start with the engine's throughput limits ("off" or "aws").
func StartWith(sync, limits string) (addr string, stop func(), err error) {
	return StartOptions(Options{Sync: sync, Limits: limits})
}

// Options are what StartOptions starts.
type Options struct {
	Sync, Limits string
	// AtRest stores as `eddy serve --encrypt-at-rest` does: records in a
	// sealed segment store, metadata in walmeta over another one, under
	// random keys made for the run.
	AtRest bool
	// IAM, if set, verifies signatures by its keys and authorizes every
	// call (eddy serve --identities).
	IAM *iam.Directory
	// Credentials, if set, verifies signatures by these keys (eddy serve
	// --access-key-id).
	Credentials map[string]string
}

// StartOptions is Start with Options.
func StartOptions(o Options) (addr string, stop func(), err error) {
	dir, err := os.MkdirTemp("", "eddy-bench-")
	if err != nil {
		return "", nil, err
	}
	scfg := segment.DefaultConfig()
	scfg.Sync = segment.SyncMode(o.Sync)
	var (
		logs     storage.Logs
		meta     storage.MetaStore
		metaLogs storage.Logs
	)
	if o.AtRest {
		key := func() []byte { k := make([]byte, 32); rand.Read(k); return k }
		ms, err := segment.Open(dir+"/meta", scfg)
		if err != nil {
			return "", nil, err
		}
		if metaLogs, err = sealed.Open(ms, key()); err != nil {
			return "", nil, err
		}
		if meta, err = walmeta.Open(metaLogs, walmeta.Config{}); err != nil {
			return "", nil, err
		}
		seg, err := segment.Open(dir+"/logs", scfg)
		if err != nil {
			return "", nil, err
		}
		if logs, err = sealed.Open(seg, key()); err != nil {
			return "", nil, err
		}
	} else {
		if meta, err = boltmeta.Open(dir+"/meta.db", boltmeta.DefaultConfig()); err != nil {
			return "", nil, err
		}
		if logs, err = segment.Open(dir+"/logs", scfg); err != nil {
			return "", nil, err
		}
	}
	limits := o.Limits
	// A key service, for streams with encryption at rest (a root key
	// made for the run).
	root, err := kms.NewRootKey(rand.Reader)
	if err != nil {
		return "", nil, err
	}
	kcfg := kms.DefaultConfig()
	kcfg.Root, kcfg.Logger = root, slog.New(slog.DiscardHandler)
	keys, err := kms.New(kcfg, meta)
	if err != nil {
		return "", nil, err
	}
	ecfg := kinesis.DefaultConfig()
	ecfg.Logger = slog.New(slog.DiscardHandler)
	ecfg.Limits = limits
	ecfg.KeyService = func(region string) kinesis.KeyService { return keys.In(region) }
	eng, err := kinesis.New(ecfg, logs, meta)
	if err != nil {
		return "", nil, err
	}
	hcfg := httpapi.DefaultConfig()
	hcfg.IAM, hcfg.Credentials = o.IAM, o.Credentials
	srv, err := httpapi.New(hcfg, kinesisapi.Service(eng))
	if err != nil {
		return "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("listen: %w", err)
	}
	go srv.Serve(ln)
	return ln.Addr().String(), func() {
		srv.Shutdown(context.Background())
		eng.Close()
		logs.Close()
		meta.Close()
		if metaLogs != nil {
			metaLogs.Close()
		}
		os.RemoveAll(dir)
	}, nil
}
