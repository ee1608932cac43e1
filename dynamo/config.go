package dynamo

import (
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Config configures an Engine. Start from DefaultConfig.
type Config struct {
	// Region and AccountID appear in ARNs (TableArn, IndexArn) and
	// messages. Defaults "us-east-1" and "000000000000".
	Region    string
	AccountID string
	// TTLInterval is how often the time-to-live sweeper deletes expired
	// items of the tables with TTL enabled. Default 1 s. DynamoDB deletes
	// them "within a few days" (developer guide, "How TTL works"); Eddy
	// deletes them promptly.
	TTLInterval time.Duration
	// TokenTTL is how long a TransactWriteItems ClientRequestToken is
	// remembered. Default 10 minutes, as on DynamoDB (API reference,
	// TransactWriteItems, ClientRequestToken: "A client request token is
	// valid for 10 minutes after the first request that uses it is
	// completed").
	TokenTTL time.Duration
	// NewID returns a new TableId (a UUID). Default: random (version 4).
	// Tests set a deterministic one.
	NewID func() string
	// Clock is the source of time. Default RealClock.
	Clock Clock
	// Logger receives the engine's logs. Default: discard.
	Logger *slog.Logger
	// Leader, if set, reports whether this node runs a background job now
	// (cluster.Cluster.Leader): with several engines on a shared store,
	// the TTL sweeper (job "dynamodb/<account>/<region>/ttl") runs on one
	// node only, checked at each pass. Default nil: this engine sweeps.
	Leader func(job string) bool
}

// DefaultConfig returns the default configuration.
func DefaultConfig() Config {
	return Config{
		Region:      "us-east-1",
		AccountID:   "000000000000",
		TTLInterval: time.Second,
		TokenTTL:    10 * time.Minute,
		NewID:       newID,
		Clock:       RealClock{},
		Logger:      slog.New(slog.DiscardHandler),
	}
}

// Validate reports the first invalid field.
func (c *Config) Validate() error {
	switch {
	case c.Region == "":
		return errors.New("dynamo: empty region")
	case len(c.AccountID) != 12:
		return fmt.Errorf("dynamo: account id %q must have 12 digits", c.AccountID)
	case c.TTLInterval <= 0:
		return errors.New("dynamo: TTL interval must be positive")
	case c.TokenTTL <= 0:
		return errors.New("dynamo: token TTL must be positive")
	case c.Clock == nil || c.Logger == nil || c.NewID == nil:
		return errors.New("dynamo: no clock, logger or id source")
	}
	for _, r := range c.AccountID {
		if r < '0' || r > '9' {
			return fmt.Errorf("dynamo: account id %q must have 12 digits", c.AccountID)
		}
	}
	return nil
}

// Clock is the engine's source of time: creation times, time to live and
// transaction tokens go through it, so tests move time instead of
// sleeping. kinesis.FakeClock satisfies it (the tests use it).
type Clock interface {
	Now() time.Time
	// AfterFunc calls f in its own goroutine after d.
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

// RealClock is the system clock.
type RealClock struct{}

// Now returns the current time.
func (RealClock) Now() time.Time { return time.Now() }

// AfterFunc calls f after d.
func (RealClock) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}
