package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/eddy-streams/eddy/kms"
	"github.com/eddy-streams/eddy/storage"
)

// kmsRootKeyFile is the root key file eddy serve makes under the data
// directory when no root key is given.
const kmsRootKeyFile = "kms-root.key"

// openKMS opens the key service over meta with the root key the
// configuration names: --kms-root-key-file, EDDY_KMS_ROOT_KEY or
// --kms-root-passphrase-file (at most one). With none: in memory, a random
// key for the process; otherwise <data-dir>/kms-root.key, made (0600) on a
// store that holds no KMS keys yet. A store that holds keys without its
// root key, or with another one, is an error before anything is served.
func openKMS(cfg serveConfig, getenv func(string) string, meta storage.MetaStore, logger *slog.Logger) (*kms.Service, error) {
	root, err := kmsRootKey(cfg, getenv, meta, logger)
	if err != nil {
		return nil, err
	}
	kcfg := kms.DefaultConfig()
	kcfg.Region, kcfg.AccountID, kcfg.Logger, kcfg.Root = cfg.Region, cfg.AccountID, logger, root
	svc, err := kms.New(kcfg, meta)
	if errors.Is(err, kms.ErrWrongRootKey) {
		return nil, fmt.Errorf("%w (is this the root key this data directory was first started with?)", err)
	}
	return svc, err
}

func kmsRootKey(cfg serveConfig, getenv func(string) string, meta storage.MetaStore, logger *slog.Logger) (*kms.RootKey, error) {
	env := getenv("EDDY_KMS_ROOT_KEY")
	given := 0
	for _, set := range []bool{cfg.KMSRootKey != "", env != "", cfg.KMSRootPass != ""} {
		if set {
			given++
		}
	}
	if given > 1 {
		return nil, errors.New("give the KMS root key one way only: --kms-root-key-file, EDDY_KMS_ROOT_KEY or --kms-root-passphrase-file")
	}
	switch {
	case cfg.KMSRootKey != "":
		b, err := os.ReadFile(cfg.KMSRootKey)
		if err != nil {
			return nil, fmt.Errorf("--kms-root-key-file: %w", err)
		}
		k, err := kms.RootKeyFromBytes(b)
		if err != nil {
			return nil, fmt.Errorf("--kms-root-key-file %s: %w", cfg.KMSRootKey, err)
		}
		return k, nil
	case env != "":
		k, err := kms.RootKeyFromBytes([]byte(env))
		if err != nil {
			return nil, fmt.Errorf("EDDY_KMS_ROOT_KEY: %w", err)
		}
		return k, nil
	case cfg.KMSRootPass != "":
		b, err := os.ReadFile(cfg.KMSRootPass)
		if err != nil {
			return nil, fmt.Errorf("--kms-root-passphrase-file: %w", err)
		}
		return kms.RootKeyFromPassphrase(b)
	case cfg.InMemory:
		return kms.NewRootKey(rand.Reader)
	case cfg.Backend == "jetstream":
		// Every node must unseal the keys any node made.
		return nil, errors.New("--backend jetstream: give every node the same KMS root key (--kms-root-key-file, EDDY_KMS_ROOT_KEY or --kms-root-passphrase-file; docs/CLUSTER.md)")
	}
	path := filepath.Join(cfg.DataDir, kmsRootKeyFile)
	if b, err := os.ReadFile(path); err == nil {
		k, err := kms.RootKeyFromBytes(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return k, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	stored, err := kms.Initialized(meta)
	if err != nil {
		return nil, err
	}
	if stored {
		return nil, fmt.Errorf("KMS keys are stored in %s but no KMS root key was given (--kms-root-key-file, EDDY_KMS_ROOT_KEY or --kms-root-passphrase-file) and %s does not exist", cfg.DataDir, path)
	}
	k, err := kms.NewRootKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("write the KMS root key: %w", err)
	}
	_, err = f.Write(k.Bytes())
	if err2 := f.Sync(); err == nil {
		err = err2
	}
	if err2 := f.Close(); err == nil {
		err = err2
	}
	if err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("write the KMS root key: %w", err)
	}
	logger.Warn("kms: made a root key file beside the data it protects; anyone who can read the data directory can read every KMS key: "+
		"keep the root key elsewhere with --kms-root-key-file, EDDY_KMS_ROOT_KEY or --kms-root-passphrase-file (docs/KMS.md)", "file", path)
	return k, nil
}

// failingKeys is the key service of an account whose keys cannot be
// opened: every use answers the error (KMSInternalException's kind, a
// server fault), so nothing is written unencrypted by mistake.
type failingKeys struct{ err error }

func (f failingKeys) GenerateDataKey(context.Context, string, map[string]string) ([]byte, []byte, string, error) {
	return nil, nil, "", f.err
}

func (f failingKeys) Decrypt(context.Context, []byte, map[string]string) ([]byte, string, error) {
	return nil, "", f.err
}

func (f failingKeys) CheckUsable(context.Context, string) error { return f.err }
