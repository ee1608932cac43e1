package jetstream

import (
	"crypto/rand"
	"encoding/hex"
	"testing"

	"github.com/eddy-streams/eddy/internal/natstest"
	"github.com/eddy-streams/eddy/storage"
	"github.com/eddy-streams/eddy/storage/storagetest"
)

// testPrefix returns a prefix of its own for one store, so that stores
// made on one server do not see each other's data.
func testPrefix() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "T" + hex.EncodeToString(b[:])
}

// connect opens a Conn to urls for the test and closes it at its end.
func connect(t testing.TB, urls string, replicas int, prefix string) *Conn {
	t.Helper()
	c, err := Open(Config{URLs: urls, Replicas: replicas, Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func openMeta(t testing.TB, c *Conn) *Meta {
	t.Helper()
	m, err := c.Meta()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func TestMetaEmbedded(t *testing.T) {
	srv := natstest.Embedded(t)
	storagetest.TestMeta(t, func(t *testing.T) storage.MetaStore {
		return openMeta(t, connect(t, srv.URL, 1, testPrefix()))
	})
}

func TestMetaCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a three-node cluster")
	}
	c := natstest.StartCluster(t, 3)
	storagetest.TestMeta(t, func(t *testing.T) storage.MetaStore {
		return openMeta(t, connect(t, c.URLs(), 3, testPrefix()))
	})
}
