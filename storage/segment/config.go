package segment

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/eddy-streams/eddy/storage/vfs"
)

// SyncMode says when appended records are made durable.
type SyncMode string

const (
	// SyncAlways fsyncs before Append returns; concurrent appends to one
	// shard share an fsync (group commit). Nothing acknowledged is lost on
	// a crash or power failure. The default.
	SyncAlways SyncMode = "always"
	// SyncInterval acknowledges after the write reaches the OS and fsyncs
	// every SyncInterval. A power failure loses up to that much; a process
	// crash loses nothing.
	SyncInterval SyncMode = "interval"
	// SyncNone never fsyncs except when a segment is rolled, a log is
	// sealed, and the store is closed.
	SyncNone SyncMode = "none"
)

// Config configures a Store. The zero value is not valid; start from
// DefaultConfig.
type Config struct {
	// Sync is the durability mode. Default SyncAlways.
	Sync SyncMode
	// SyncInterval is the fsync period for SyncInterval. Default 100ms.
	SyncInterval time.Duration
	// SyncFS, with SyncAlways, makes group commit store-wide: the logs'
	// concurrent appends share syncfs(2) calls (one makes the whole
	// filesystem durable) instead of an fdatasync per log, so a request
	// that appends to many shards costs one sync, not one per shard (see
	// fssync.go). It syncs whatever else is dirty on that filesystem too.
	// It needs an FS that implements vfs.FSSyncer (vfs.OS on Linux, MemFS);
	// with another it is ignored. Default true.
	SyncFS bool
	// SegmentBytes is the size at which the active segment is rolled: a
	// batch that would take it past this starts a new segment. A single
	// batch larger than this gets a segment of its own. Default 64 MiB.
	SegmentBytes int64
	// IndexInterval is the number of segment bytes between sparse index
	// entries: a lookup scans at most about this much. Default 64 KiB.
	IndexInterval int64
	// MaxOpenFiles bounds the file descriptors the store keeps open
	// across all shards; idle files beyond it are closed, least recently
	// used first. Default 256.
	MaxOpenFiles int
	// MaxCachedIndexes bounds how many sealed segments, across all logs,
	// keep their sparse index in memory (about 24 bytes per IndexInterval
	// of data: 24 KiB for a full default segment). Default 4096.
	MaxCachedIndexes int
	// FS is the filesystem. Default vfs.OS.
	FS vfs.FS
	// Logger receives the store's logs. Default: discard.
	Logger *slog.Logger
	// OnSync, if set, is called after every fsync of appended records (a
	// group commit) with how long it took and its error, for metrics. It
	// must be quick and safe for concurrent use. Default nil.
	OnSync func(d time.Duration, err error)
}

// DefaultConfig returns the default configuration.
func DefaultConfig() Config {
	return Config{
		Sync:             SyncAlways,
		SyncInterval:     100 * time.Millisecond,
		SyncFS:           true,
		SegmentBytes:     64 << 20,
		IndexInterval:    64 << 10,
		MaxOpenFiles:     256,
		MaxCachedIndexes: 4096,
		FS:               vfs.OS,
		Logger:           slog.New(slog.DiscardHandler),
	}
}

// Validate reports the first invalid field.
func (c *Config) Validate() error {
	switch c.Sync {
	case SyncAlways, SyncInterval, SyncNone:
	default:
		return fmt.Errorf("segment: sync mode %q: want always, interval or none", c.Sync)
	}
	if c.Sync == SyncInterval && c.SyncInterval <= 0 {
		return fmt.Errorf("segment: sync interval must be positive, got %v", c.SyncInterval)
	}
	if c.SegmentBytes < 4096 || c.SegmentBytes > 1<<31 {
		return fmt.Errorf("segment: segment size %d out of range [4096, 2 GiB]", c.SegmentBytes)
	}
	if c.IndexInterval < 256 {
		return fmt.Errorf("segment: index interval %d below 256", c.IndexInterval)
	}
	if c.MaxOpenFiles < 8 {
		return fmt.Errorf("segment: max open files %d below 8", c.MaxOpenFiles)
	}
	if c.MaxCachedIndexes < 1 {
		return fmt.Errorf("segment: max cached indexes %d below 1", c.MaxCachedIndexes)
	}
	if c.FS == nil {
		return fmt.Errorf("segment: no filesystem")
	}
	if c.Logger == nil {
		return fmt.Errorf("segment: no logger")
	}
	return nil
}
