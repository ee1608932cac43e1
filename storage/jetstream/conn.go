// Package jetstream is Eddy's cluster storage backend: storage.Logs and
// storage.MetaStore kept in a NATS JetStream cluster, so that several Eddy
// nodes connected to the same NATS cluster share every stream, shard and
// piece of metadata (docs/CLUSTER.md).
//
//   - Each shard log is one JetStream stream (its own Raft group, with
//     Config.Replicas copies). Each Append is one message holding the
//     batch's framed records (a blob), never one message per record.
//   - The MetaStore is one JetStream stream used as a key-value bucket with
//     one subject per key; every transaction commits with compare-and-set
//     on the stream's last sequence, so transactions from all nodes are
//     serialised.
//
// Open connects once; Conn.Logs and Conn.Meta share that connection.
package jetstream

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Config configures a connection to a NATS cluster.
type Config struct {
	// URLs is the comma-separated list of NATS servers
	// (nats://a:4222,nats://b:4222).
	URLs string
	// Replicas is how many copies JetStream keeps of every stream: 1 or 3
	// (the default; 5 is allowed too).
	Replicas int
	// Prefix starts the name of every JetStream stream and subject Eddy
	// makes, so that several Eddy clusters (or tests) can share one NATS
	// cluster. Letters, digits, '-' and '_'. Default "EDDY".
	Prefix string
	// Timeout bounds each request to JetStream. Default 10 s.
	Timeout time.Duration
	// StartTimeout bounds how long Open and Meta wait for a cluster that
	// is starting (no JetStream meta leader yet, the metadata stream being
	// created by another node). Default 60 s.
	StartTimeout time.Duration
	// Options are extra nats.go options: credentials, TLS, a name.
	Options []nats.Option
}

func (c *Config) defaults() error {
	if c.URLs == "" {
		return errors.New("jetstream: no NATS url")
	}
	if c.Replicas == 0 {
		c.Replicas = 3
	}
	switch c.Replicas {
	case 1, 3, 5:
	default:
		return fmt.Errorf("jetstream: replicas %d: want 1, 3 or 5", c.Replicas)
	}
	if c.Prefix == "" {
		c.Prefix = "EDDY"
	}
	for _, r := range c.Prefix {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return fmt.Errorf("jetstream: prefix %q: only letters, digits, '-' and '_'", c.Prefix)
		}
	}
	if c.Timeout <= 0 {
		c.Timeout = 10 * time.Second
	}
	if c.StartTimeout <= 0 {
		c.StartTimeout = time.Minute
	}
	return nil
}

// Conn is a connection to a NATS cluster, shared by the Logs and the
// MetaStore made from it.
type Conn struct {
	cfg Config
	nc  *nats.Conn
	js  jetstream.JetStream
}

// Open connects to the NATS cluster and checks that JetStream answers.
func Open(cfg Config) (*Conn, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	opts := append([]nats.Option{
		nats.Name("eddy"),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(250 * time.Millisecond),
	}, cfg.Options...)
	nc, err := nats.Connect(strings.ReplaceAll(cfg.URLs, " ", ""), opts...)
	if err != nil {
		return nil, fmt.Errorf("jetstream: connect %s: %w", cfg.URLs, err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("jetstream: %w", err)
	}
	// A cluster that starts with Eddy may take seconds to elect its
	// JetStream meta leader: wait for it, within StartTimeout.
	deadline := time.Now().Add(cfg.StartTimeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), cfg.Timeout)
		_, err := js.AccountInfo(ctx)
		cancel()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			nc.Close()
			return nil, fmt.Errorf("jetstream: JetStream at %s: %w", cfg.URLs, err)
		}
		time.Sleep(250 * time.Millisecond)
	}
	return &Conn{cfg: cfg, nc: nc, js: js}, nil
}

// ensureStream returns the stream cfg names, creating it if it does not
// exist. Several nodes starting at once may all try: a create that fails
// or times out (nats-server does not always answer the losers of a
// concurrent create of a replicated stream) is followed by a look, until
// the stream exists or StartTimeout has passed.
func (c *Conn) ensureStream(cfg jetstream.StreamConfig) (jetstream.Stream, error) {
	deadline := time.Now().Add(c.cfg.StartTimeout)
	for {
		ctx, cancel := c.ctx()
		s, err := c.js.Stream(ctx, cfg.Name)
		cancel()
		if err == nil {
			return s, nil
		}
		if !errors.Is(err, jetstream.ErrStreamNotFound) && time.Now().After(deadline) {
			return nil, err
		}
		if errors.Is(err, jetstream.ErrStreamNotFound) {
			ctx, cancel := context.WithTimeout(context.Background(), min(c.cfg.Timeout, 5*time.Second))
			s, err = c.js.CreateStream(ctx, cfg)
			cancel()
			if err == nil {
				return s, nil
			}
			if time.Now().After(deadline) {
				return nil, err
			}
		}
		time.Sleep(time.Duration(100+rand.IntN(400)) * time.Millisecond)
	}
}

// ctx returns a context bounded by the configured request timeout.
func (c *Conn) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), c.cfg.Timeout)
}

// Close closes the connection. Close the Logs and MetaStore made from it
// first.
func (c *Conn) Close() error {
	c.nc.Close()
	return nil
}
