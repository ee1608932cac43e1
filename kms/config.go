package kms

import (
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"time"
)

// Clock is the time source of the service: creation dates, deletion
// windows and rotation dates. Keys pending deletion are deleted when the
// clock passes their DeletionDate.
type Clock interface {
	Now() time.Time
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

// Config configures the service.
type Config struct {
	// Region is the region of requests that name none. Default
	// "us-east-1".
	Region string
	// AccountID is the account in ARNs and messages. Default
	// "000000000000".
	AccountID string
	// Root is the key that seals every key material (see RootKey).
	// Required.
	Root *RootKey
	// Logger receives the service's logs. Default slog.Default().
	Logger *slog.Logger
	// Clock is the time source. Default: the system clock.
	Clock Clock
	// Rand is the source of key ids, key materials, data keys and nonces.
	// Default crypto/rand.Reader; tests pass a deterministic reader for
	// golden files.
	Rand io.Reader
}

// DefaultConfig returns a Config with every default set (Root is still
// the caller's to give).
func DefaultConfig() Config {
	return Config{Region: "us-east-1", AccountID: "000000000000"}
}

// Validate reports an invalid Config.
func (c Config) Validate() error {
	if c.Root == nil {
		return errors.New("kms: no root key")
	}
	if c.AccountID != "" && len(c.AccountID) != 12 {
		return errors.New("kms: AccountID must be 12 digits")
	}
	return nil
}

func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.Region == "" {
		c.Region = d.Region
	}
	if c.AccountID == "" {
		c.AccountID = d.AccountID
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Clock == nil {
		c.Clock = realClock{}
	}
	if c.Rand == nil {
		c.Rand = rand.Reader
	}
	return c
}
