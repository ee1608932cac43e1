package boltmeta_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/storage"
	"github.com/eddy-streams/eddy/storage/boltmeta"
	"github.com/eddy-streams/eddy/storage/storagetest"
)

func open(t *testing.T, path string, cfg boltmeta.Config) *boltmeta.Store {
	t.Helper()
	s, err := boltmeta.Open(path, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestMeta(t *testing.T) {
	cfg := boltmeta.DefaultConfig()
	cfg.NoSync = true // durability is TestMetaReopen's business
	storagetest.TestMeta(t, func(t *testing.T) storage.MetaStore {
		return open(t, filepath.Join(t.TempDir(), "meta.db"), cfg)
	})
}

func TestMetaReopen(t *testing.T) {
	storagetest.TestMetaReopen(t, func(t *testing.T, dir string) storage.MetaStore {
		return open(t, filepath.Join(dir, "meta.db"), boltmeta.DefaultConfig())
	})
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*boltmeta.Config)
		valid bool
	}{
		{"default", func(*boltmeta.Config) {}, true},
		{"no sync", func(c *boltmeta.Config) { c.NoSync = true }, true},
		{"short timeout", func(c *boltmeta.Config) { c.Timeout = time.Millisecond }, true},
		{"mode 0640", func(c *boltmeta.Config) { c.FileMode = 0o640 }, true},
		{"zero timeout", func(c *boltmeta.Config) { c.Timeout = 0 }, false},
		{"negative timeout", func(c *boltmeta.Config) { c.Timeout = -time.Second }, false},
		{"zero mode", func(c *boltmeta.Config) { c.FileMode = 0 }, false},
		{"owner cannot write", func(c *boltmeta.Config) { c.FileMode = 0o444 }, false},
		{"not permission bits", func(c *boltmeta.Config) { c.FileMode = os.ModeDir | 0o700 }, false},
		{"zero config", func(c *boltmeta.Config) { *c = boltmeta.Config{} }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := boltmeta.DefaultConfig()
			tt.edit(&cfg)
			err := cfg.Validate()
			if (err == nil) != tt.valid {
				t.Fatalf("Validate(%+v) = %v, want valid %v", cfg, err, tt.valid)
			}
			if !tt.valid {
				if _, err := boltmeta.Open(filepath.Join(t.TempDir(), "meta.db"), cfg); err == nil {
					t.Fatal("Open with an invalid Config succeeded")
				}
			}
		})
	}
}

// While one Store has the file open, a second Open waits Config.Timeout for
// the lock and fails; once the first is closed, it succeeds.
func TestOpenLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "meta.db")
	first := open(t, path, boltmeta.DefaultConfig())
	cfg := boltmeta.DefaultConfig()
	cfg.Timeout = 50 * time.Millisecond
	if s, err := boltmeta.Open(path, cfg); err == nil {
		s.Close()
		t.Fatal("second Open of a locked file succeeded")
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	second := open(t, path, cfg)
	if err := second.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestOpenCreatesFileWithMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "meta.db")
	cfg := boltmeta.DefaultConfig()
	cfg.FileMode = 0o640
	s := open(t, path, cfg)
	defer s.Close()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	// The umask may clear bits, never add them.
	if perm := fi.Mode().Perm(); perm&^0o640 != 0 || perm&0o600 != 0o600 {
		t.Fatalf("file mode = %v, want within 0640", perm)
	}
	if _, err := boltmeta.Open(filepath.Join(t.TempDir(), "missing-dir", "meta.db"), cfg); err == nil {
		t.Fatal("Open in a missing directory succeeded")
	}
}

func TestOpenNotABoltFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "meta.db")
	if err := os.WriteFile(path, make([]byte, 64<<10), 0o600); err != nil {
		t.Fatal(err)
	}
	if s, err := boltmeta.Open(path, boltmeta.DefaultConfig()); err == nil {
		s.Close()
		t.Fatal("Open of a file of zeros succeeded")
	}
}

// A commit that fails is reported, not mistaken for the function's error
// or for a closed store.
func TestUpdateReturnsFunctionError(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "meta.db"), boltmeta.DefaultConfig())
	defer s.Close()
	sentinel := errors.New("mine")
	err := s.Update(func(tx storage.MetaTx) error {
		if err := tx.Put("t", "k", []byte("v")); err != nil {
			return err
		}
		return sentinel
	})
	if err != sentinel {
		t.Fatalf("Update returned %v, want the function's error unwrapped", err)
	}
	err = s.View(func(tx storage.MetaTx) error {
		_, err := tx.Get("t", "k")
		return err
	})
	if !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("Get after a failed Update: err = %v, want ErrNotFound", err)
	}
}

// A MetaTx kept past its transaction refuses to work rather than touching a
// finished bbolt transaction.
func TestTxUsedAfterEnd(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "meta.db"), boltmeta.DefaultConfig())
	defer s.Close()
	var kept storage.MetaTx
	if err := s.Update(func(tx storage.MetaTx) error { kept = tx; return tx.Put("t", "k", []byte("v")) }); err != nil {
		t.Fatal(err)
	}
	if err := kept.Put("t", "k2", []byte("v")); err == nil {
		t.Fatal("Put on an ended transaction succeeded")
	}
	if _, err := kept.Get("t", "k"); err == nil || errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("Get on an ended transaction: err = %v", err)
	}
	if err := kept.Delete("t", "k"); err == nil {
		t.Fatal("Delete on an ended transaction succeeded")
	}
	if err := kept.Scan("t", "", "", func(string, []byte) (bool, error) { return true, nil }); err == nil {
		t.Fatal("Scan on an ended transaction succeeded")
	}
}
