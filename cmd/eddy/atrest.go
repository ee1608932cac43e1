package main

import (
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/eddy-streams/eddy/storage"
	"github.com/eddy-streams/eddy/storage/sealed"
	"github.com/eddy-streams/eddy/storage/segment"
	"github.com/eddy-streams/eddy/storage/walmeta"
)

// --encrypt-at-rest: everything the server keeps in its data directory's
// stores (records of every stream and delivery stream, metadata, KMS keys,
// DynamoDB-compatible tables and their leases, checkpoints) is sealed
// with AES-256-GCM under keys derived from the KMS root key, so no record,
// name or value is on disk in the clear (docs/SECURITY.md):
//
//   - records: storage/sealed over the segment store under <data-dir>/logs,
//     keyed by HKDF-SHA256(root key, info "eddy/storage/logs v1");
//   - metadata: storage/walmeta, whose write-ahead log is a second sealed
//     segment store, <data-dir>/meta, with the key of info
//     "eddy/storage/meta v1", instead of bbolt's meta.db (bbolt reads its
//     file through mmap and cannot be encrypted underneath).
//
// The root key must be given as bytes (--kms-root-key-file or
// EDDY_KMS_ROOT_KEY): a passphrase's salt is kept in the metadata it would
// have to open, and a root key file made in the data directory would sit
// beside the data it protects.
const (
	atRestLogsInfo = "eddy/storage/logs v1"
	atRestMetaInfo = "eddy/storage/meta v1"
	atRestMetaDir  = "meta"
	plainMetaFile  = "meta.db"
	dataDirLock    = "lock"
)

// atRestKeys derives the records' and the metadata's keys from the root
// key cfg and the environment give.
func atRestKeys(cfg serveConfig, getenv func(string) string) (logsKey, metaKey []byte, err error) {
	if cfg.KMSRootPass != "" {
		return nil, nil, errors.New("--encrypt-at-rest needs the root key as bytes (--kms-root-key-file or EDDY_KMS_ROOT_KEY): a passphrase's salt is kept in the metadata it would have to decrypt")
	}
	if cfg.KMSRootKey == "" && getenv("EDDY_KMS_ROOT_KEY") == "" {
		return nil, nil, errors.New("--encrypt-at-rest needs the root key (--kms-root-key-file or EDDY_KMS_ROOT_KEY), kept apart from the data directory: without it the data cannot be read")
	}
	root, err := kmsRootKey(cfg, getenv, nil, nil)
	if err != nil {
		return nil, nil, err
	}
	b := root.Bytes()
	defer clear(b)
	if logsKey, err = hkdf.Key(sha256.New, b, nil, atRestLogsInfo, 32); err != nil {
		return nil, nil, err
	}
	if metaKey, err = hkdf.Key(sha256.New, b, nil, atRestMetaInfo, 32); err != nil {
		return nil, nil, err
	}
	return logsKey, metaKey, nil
}

// checkAtRestMode refuses a data directory written in the other mode.
func checkAtRestMode(cfg serveConfig) error {
	encrypted := exists(filepath.Join(cfg.DataDir, atRestMetaDir))
	plain := exists(filepath.Join(cfg.DataDir, plainMetaFile))
	switch {
	case cfg.EncryptAtRest && plain:
		return fmt.Errorf("%s holds unencrypted data (%s): --encrypt-at-rest needs a data directory of its own; copy the streams over with a consumer (docs/SECURITY.md)", cfg.DataDir, plainMetaFile)
	case !cfg.EncryptAtRest && encrypted:
		return fmt.Errorf("%s is encrypted at rest (it has %s/, not %s): start with --encrypt-at-rest and its root key", cfg.DataDir, atRestMetaDir, plainMetaFile)
	}
	return nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// openEncryptedStorage opens the records and metadata stores of
// --encrypt-at-rest. scfg is the records store's configuration.
func openEncryptedStorage(cfg serveConfig, logger *slog.Logger, scfg segment.Config) (storage.Logs, storage.MetaStore, error) {
	logsKey, metaKey, err := atRestKeys(cfg, os.Getenv)
	if err != nil {
		return nil, nil, err
	}
	// bbolt's file lock is what keeps a second server off a plain data
	// directory; here a lock file does.
	unlock, err := lockDataDir(filepath.Join(cfg.DataDir, dataDirLock))
	if err != nil {
		return nil, nil, err
	}
	mcfg := segment.DefaultConfig()
	mcfg.Sync = scfg.Sync
	mcfg.Logger = logger
	metaSeg, err := segment.Open(filepath.Join(cfg.DataDir, atRestMetaDir), mcfg)
	if err != nil {
		unlock()
		return nil, nil, fmt.Errorf("open metadata in %s: %w", cfg.DataDir, err)
	}
	metaLogs, err := sealed.Open(metaSeg, metaKey)
	if err != nil {
		metaSeg.Close()
		unlock()
		return nil, nil, fmt.Errorf("open metadata in %s: %w", cfg.DataDir, err)
	}
	wm, err := walmeta.Open(metaLogs, walmeta.Config{})
	if err != nil {
		metaLogs.Close()
		unlock()
		return nil, nil, fmt.Errorf("open metadata in %s: %w", cfg.DataDir, err)
	}
	meta := &ownedMeta{Store: wm, logs: metaLogs, unlock: unlock}
	seg, err := segment.Open(filepath.Join(cfg.DataDir, "logs"), scfg)
	if err != nil {
		meta.Close()
		return nil, nil, err
	}
	logs, err := sealed.Open(seg, logsKey)
	if err != nil {
		seg.Close()
		meta.Close()
		return nil, nil, fmt.Errorf("open records in %s: %w", cfg.DataDir, err)
	}
	return logs, meta, nil
}

// ownedMeta is a walmeta store that closes its log store and releases the
// data directory's lock when it closes.
type ownedMeta struct {
	*walmeta.Store
	logs   storage.Logs
	unlock func()
}

func (m *ownedMeta) Close() error {
	err := m.Store.Close()
	if cerr := m.logs.Close(); err == nil {
		err = cerr
	}
	m.unlock()
	return err
}
