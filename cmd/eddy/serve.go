package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/eddy-streams/eddy/engine"
	"github.com/eddy-streams/eddy/httpapi"
	"github.com/eddy-streams/eddy/httpapi/kinesisapi"
	"github.com/eddy-streams/eddy/storage"
	"github.com/eddy-streams/eddy/storage/boltmeta"
	"github.com/eddy-streams/eddy/storage/mem"
	"github.com/eddy-streams/eddy/storage/segment"
)

// runServe implements "eddy serve": the Kinesis API on one port until
// SIGINT or SIGTERM. Once listening it prints "eddy listening on ADDR" on
// stdout, so scripts that ask for port 0 learn the port.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", "[flags]", stderr)
	cfg, err := loadServeConfig(fs, args, os.Getenv)
	if err != nil {
		return err
	}
	var level slog.Level
	level.UnmarshalText([]byte(cfg.LogLevel))
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	logs, meta, err := openStorage(cfg, logger)
	if err != nil {
		return err
	}
	defer func() {
		if err := logs.Close(); err != nil {
			logger.Error("closing logs", "err", err)
		}
		if err := meta.Close(); err != nil {
			logger.Error("closing metadata", "err", err)
		}
	}()

	ecfg := engine.DefaultConfig()
	ecfg.Region, ecfg.AccountID = cfg.Region, cfg.AccountID
	ecfg.CreateDelay, ecfg.UpdateDelay, ecfg.DeleteDelay = cfg.CreateDelay, cfg.UpdateDelay, cfg.DeleteDelay
	ecfg.ShardLimit = cfg.ShardLimit
	ecfg.SubscriptionLifetime = cfg.SubLifetime
	ecfg.Logger = logger
	eng, err := engine.New(ecfg, logs, meta)
	if err != nil {
		return err
	}
	defer eng.Close()

	hcfg := httpapi.DefaultConfig()
	hcfg.Region = cfg.Region
	hcfg.Logger = logger
	if cfg.AccessKeyID != "" {
		hcfg.Credentials = map[string]string{cfg.AccessKeyID: cfg.SecretKey}
	}
	srv, err := httpapi.New(hcfg, kinesisapi.Service(eng))
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return err
	}
	scheme := "http"
	if cfg.TLSCert != "" {
		scheme = "https"
	}
	fmt.Fprintf(stdout, "eddy listening on %s://%s\n", scheme, ln.Addr())
	logger.Info("serving", "addr", ln.Addr().String(), "data", storageDesc(cfg), "sync", cfg.Sync,
		"verify signatures", cfg.AccessKeyID != "")

	errc := make(chan error, 1)
	go func() {
		if cfg.TLSCert != "" {
			errc <- srv.ServeTLS(ln, cfg.TLSCert, cfg.TLSKey)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	case <-ctx.Done():
		logger.Info("shutting down")
		// End SubscribeToShard streams first: Shutdown waits for active
		// connections, and a subscription stays active for minutes.
		eng.Close()
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			logger.Warn("shutdown", "err", err)
		}
	}
	return nil
}

func storageDesc(cfg serveConfig) string {
	if cfg.InMemory {
		return "in memory"
	}
	return cfg.DataDir
}

// openStorage opens the records and metadata stores cfg names: segment logs
// under <data-dir>/logs and bbolt metadata in <data-dir>/meta.db, or memory.
func openStorage(cfg serveConfig, logger *slog.Logger) (storage.Logs, storage.MetaStore, error) {
	if cfg.InMemory {
		return mem.NewLogs(), mem.NewMeta(), nil
	}
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, nil, err
	}
	// Metadata first: its file lock keeps a second server off the directory.
	meta, err := boltmeta.Open(filepath.Join(cfg.DataDir, "meta.db"), boltmeta.DefaultConfig())
	if err != nil {
		return nil, nil, fmt.Errorf("open metadata in %s: %w", cfg.DataDir, err)
	}
	scfg := segment.DefaultConfig()
	scfg.Sync = segment.SyncMode(cfg.Sync)
	scfg.Logger = logger
	logs, err := segment.Open(filepath.Join(cfg.DataDir, "logs"), scfg)
	if err != nil {
		meta.Close()
		return nil, nil, err
	}
	return logs, meta, nil
}
