package firehose

import (
	"errors"
	"log/slog"
	"time"
)

// Clock is the time source of the service: creation and update times, and
// the CREATING and DELETING periods.
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
	// CreateDelay is how long a new delivery stream stays CREATING.
	// Default 0 (ACTIVE at once); eddy serve passes its --create-delay.
	CreateDelay time.Duration
	// DeleteDelay is how long a deleted delivery stream stays DELETING
	// before it is gone. Default 0.
	DeleteDelay time.Duration
	// MaxDeliveryStreams bounds the delivery streams of one region;
	// CreateDeliveryStream beyond it fails with LimitExceededException.
	// Default 50, the quota CreateDeliveryStream's documentation names
	// ("By default, you can create up to 50 delivery streams per Amazon
	// Web Services Region").
	MaxDeliveryStreams int
	// Logger receives the service's logs. Default slog.Default().
	Logger *slog.Logger
	// Clock is the time source. Default: the system clock.
	Clock Clock
	// Appended, if set, is called with a DirectPut stream's log id after
	// records were appended to it (the delivery runner wakes its reader).
	Appended func(logID string)
	// Quotas is QuotasAWS to hold DirectPut streams to Firehose's
	// throughput quotas (see quotas.go), QuotasOff or empty for none;
	// eddy serve passes QuotasAWS under --limits aws.
	Quotas string
	// Changed, if set, is called after a delivery stream was created,
	// updated or deleted (the delivery runner looks at them again).
	Changed func()
}

// DefaultConfig returns a Config with every default set.
func DefaultConfig() Config {
	return Config{Region: "us-east-1", AccountID: "000000000000", MaxDeliveryStreams: 50}
}

// Validate reports an invalid Config.
func (c Config) Validate() error {
	if c.CreateDelay < 0 || c.DeleteDelay < 0 {
		return errors.New("firehose: negative CreateDelay or DeleteDelay")
	}
	if c.MaxDeliveryStreams < 0 {
		return errors.New("firehose: negative MaxDeliveryStreams")
	}
	if c.Quotas != "" && c.Quotas != QuotasOff && c.Quotas != QuotasAWS {
		return errors.New("firehose: Quotas must be off or aws")
	}
	if c.AccountID != "" && len(c.AccountID) != 12 {
		return errors.New("firehose: AccountID must be 12 digits")
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
	if c.MaxDeliveryStreams == 0 {
		c.MaxDeliveryStreams = d.MaxDeliveryStreams
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Clock == nil {
		c.Clock = realClock{}
	}
	return c
}
