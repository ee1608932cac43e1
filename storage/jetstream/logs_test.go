package jetstream

import (
	"crypto/rand"
	"encoding/hex"
	"testing"

	"github.com/eddy-streams/eddy/internal/natstest"
	"github.com/eddy-streams/eddy/storage"
	"github.com/eddy-streams/eddy/storage/storagetest"
)

// randomPrefix returns a Config.Prefix no other test uses.
func randomPrefix() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "T" + hex.EncodeToString(b[:])
}

// connect opens a Conn to urls with a fresh prefix (or prefix, if given)
// and closes it when the test ends.
func connect(t testing.TB, urls string, replicas int, prefix string) *Conn {
	t.Helper()
	if prefix == "" {
		prefix = randomPrefix()
	}
	c, err := Open(Config{URLs: urls, Replicas: replicas, Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func openLogs(t testing.TB, c *Conn) *Logs {
	t.Helper()
	s, err := c.Logs()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestLogsEmbeddedR1(t *testing.T) {
	srv := natstest.Embedded(t)
	storagetest.TestLogs(t, func(t *testing.T) storage.Logs {
		return openLogs(t, connect(t, srv.URL, 1, ""))
	})
}

func TestLogsClusterR3(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a 3-node cluster")
	}
	c := natstest.StartCluster(t, 3)
	storagetest.TestLogs(t, func(t *testing.T) storage.Logs {
		return openLogs(t, connect(t, c.URLs(), 3, ""))
	})
}
