package segment

import (
	"testing"

	"github.com/eddy-streams/eddy/storage"
	"github.com/eddy-streams/eddy/storage/storagetest"
)

func conformanceConfigs() map[string]func(*Config) {
	return map[string]func(*Config){
		"default": nil,
		// Tiny segments and a dense index: every test crosses many rolls.
		"small-segments": func(c *Config) { c.SegmentBytes = 4096; c.IndexInterval = 256; c.MaxOpenFiles = 8 },
		"sync-interval":  func(c *Config) { c.Sync = SyncInterval },
		"sync-none":      func(c *Config) { c.Sync = SyncNone },
	}
}

func TestConformance(t *testing.T) {
	for name, mut := range conformanceConfigs() {
		t.Run(name, func(t *testing.T) {
			storagetest.TestLogs(t, func(t *testing.T) storage.Logs { return openTest(t, t.TempDir(), mut) })
		})
	}
}

func TestConformanceReopen(t *testing.T) {
	for name, mut := range conformanceConfigs() {
		t.Run(name, func(t *testing.T) {
			storagetest.TestLogsReopen(t, func(t *testing.T, dir string) storage.Logs { return openTest(t, dir, mut) })
		})
	}
}
