package jetstream

import (
	"testing"

	"github.com/eddy-streams/eddy/internal/natstest"
	"github.com/eddy-streams/eddy/storage"
	"github.com/eddy-streams/eddy/storage/storagetest"
)

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
		return openMeta(t, connect(t, srv.URL, 1, randomPrefix()))
	})
}

func TestMetaCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a three-node cluster")
	}
	c := natstest.StartCluster(t, 3)
	storagetest.TestMeta(t, func(t *testing.T) storage.MetaStore {
		return openMeta(t, connect(t, c.URLs(), 3, randomPrefix()))
	})
}
