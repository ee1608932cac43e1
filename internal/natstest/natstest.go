// Package natstest runs real NATS servers with JetStream for tests, on
// 127.0.0.1 only: the nats-server module (github.com/nats-io/nats-server/v2,
// the version go.mod pins), either inside the test process (Embedded, a
// single R1 server) or as a cluster of separate processes (StartCluster),
// which a test can kill with SIGKILL and restart.
//
// The cluster's processes are the test binary itself, started again with an
// environment variable that makes Main run a nats-server instead of the
// tests, so no other binary has to be installed. A package whose tests use
// StartCluster calls Main first thing in its TestMain:
//
//	func TestMain(m *testing.M) {
//		natstest.Main()
//		os.Exit(m.Run())
//	}
//
// Every server syncs every write to disk before it acknowledges it
// (sync_interval: always), as docs/CLUSTER.md asks of a production cluster.
package natstest

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// childEnv carries a child process's configuration (JSON of childConfig).
const childEnv = "EDDY_NATSTEST_SERVER"

// MaxPayload is the largest message the test servers accept: 8 MiB, the
// size docs/CLUSTER.md recommends, so that a PutRecords shard batch of up
// to 5 MiB fits one message. (The jetstream backend also works with the
// NATS default of 1 MiB, splitting larger batches.)
const MaxPayload = 8 << 20

// Server is one NATS server started by this package.
type Server struct {
	// URL is the client URL, nats://127.0.0.1:PORT.
	URL string
	// Dir is its JetStream store directory.
	Dir string

	srv *server.Server // Embedded only
	cfg childConfig    // cluster members only
	cmd *exec.Cmd
	log string
}

// Embedded starts a single nats-server with JetStream inside the test
// process and shuts it down when the test ends.
func Embedded(t testing.TB) *Server {
	t.Helper()
	dir := t.TempDir()
	opts := serverOptions(childConfig{Name: "embedded", Port: -1, Dir: dir})
	s, err := server.NewServer(opts)
	if err != nil {
		t.Fatalf("natstest: %v", err)
	}
	s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		s.Shutdown()
		t.Fatal("natstest: embedded nats-server did not start in 10 s")
	}
	t.Cleanup(func() {
		s.Shutdown()
		s.WaitForShutdown()
	})
	return &Server{URL: s.ClientURL(), Dir: dir, srv: s}
}

// childConfig is what a server process is started with.
type childConfig struct {
	Name        string   `json:"name"`
	Port        int      `json:"port"`
	Dir         string   `json:"dir"`
	ClusterPort int      `json:"cluster_port,omitempty"`
	Routes      []string `json:"routes,omitempty"`
}

func serverOptions(c childConfig) *server.Options {
	opts := &server.Options{
		ServerName:         c.Name,
		Host:               "127.0.0.1",
		Port:               c.Port,
		JetStream:          true,
		StoreDir:           c.Dir,
		SyncAlways:         true,
		MaxPayload:         MaxPayload,
		JetStreamMaxMemory: 256 << 20,
		JetStreamMaxStore:  8 << 30,
		NoSigs:             true,
		NoLog:              true,
	}
	if c.ClusterPort != 0 {
		opts.Cluster = server.ClusterOpts{Name: "eddy-test", Host: "127.0.0.1", Port: c.ClusterPort}
		for _, r := range c.Routes {
			u, err := url.Parse(r)
			if err == nil {
				opts.Routes = append(opts.Routes, u)
			}
		}
	}
	return opts
}

// Main runs a cluster member instead of the tests when this process was
// started as one by StartCluster; otherwise it returns at once. Call it
// first in TestMain.
func Main() {
	js := os.Getenv(childEnv)
	if js == "" {
		return
	}
	var c childConfig
	if err := json.Unmarshal([]byte(js), &c); err != nil {
		fmt.Fprintln(os.Stderr, "natstest:", err)
		os.Exit(2)
	}
	opts := serverOptions(c)
	opts.NoLog = false
	opts.NoSigs = false // SIGTERM shuts it down cleanly
	s, err := server.NewServer(opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "natstest:", err)
		os.Exit(2)
	}
	s.ConfigureLogger()
	s.Start()
	s.WaitForShutdown()
	os.Exit(0)
}

// Cluster is a NATS cluster of separate server processes on 127.0.0.1.
type Cluster struct {
	Servers []*Server
	t       testing.TB
}

// StartCluster starts an n-node cluster (n >= 1) of nats-server processes
// and waits until JetStream has a meta leader. The test binary must call
// Main in its TestMain. The servers are stopped (SIGKILL) when the test
// ends.
func StartCluster(t testing.TB, n int) *Cluster {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	ports := freePorts(t, 2*n)
	var routes []string
	for i := range n {
		routes = append(routes, fmt.Sprintf("nats://127.0.0.1:%d", ports[n+i]))
	}
	c := &Cluster{t: t}
	for i := range n {
		cfg := childConfig{
			Name:        fmt.Sprintf("n%d", i+1),
			Port:        ports[i],
			Dir:         filepath.Join(root, fmt.Sprintf("n%d", i+1)),
			ClusterPort: ports[n+i],
			Routes:      routes,
		}
		s := &Server{URL: fmt.Sprintf("nats://127.0.0.1:%d", cfg.Port), Dir: cfg.Dir, cfg: cfg,
			log: filepath.Join(root, cfg.Name+".log")}
		s.cmd = exe2cmd(exe, cfg, s.log)
		c.Servers = append(c.Servers, s)
	}
	t.Cleanup(func() {
		for _, s := range c.Servers {
			s.kill()
		}
	})
	for _, s := range c.Servers {
		if err := s.cmd.Start(); err != nil {
			t.Fatalf("natstest: start %s: %v", s.cfg.Name, err)
		}
	}
	c.WaitReady(t, 60*time.Second)
	c.waitPlacement(t, n, 60*time.Second)
	return c
}

// waitPlacement waits until JetStream can place a stream on all n
// servers: a server answers before the meta layer counts every peer
// online, and until then a replicated stream gets "no suitable peers for
// placement".
func (c *Cluster) waitPlacement(t testing.TB, n int, within time.Duration) {
	t.Helper()
	nc, err := nats.Connect(c.URLs())
	if err != nil {
		t.Fatalf("natstest: %v", err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatalf("natstest: %v", err)
	}
	deadline := time.Now().Add(within)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "NATSTEST_READY", Subjects: []string{"natstest.ready"}, Replicas: n, Storage: jetstream.MemoryStorage})
		if err == nil {
			err = js.DeleteStream(ctx, "NATSTEST_READY")
		}
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("natstest: a stream of %d replicas cannot be placed after %v: %v", n, within, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func exe2cmd(exe string, cfg childConfig, logFile string) *exec.Cmd {
	b, _ := json.Marshal(cfg)
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+string(b))
	if f, err := os.OpenFile(logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644); err == nil {
		cmd.Stdout, cmd.Stderr = f, f
	}
	return cmd
}

// URLs returns the servers' client URLs joined with commas, as nats.Connect
// and `eddy serve --nats-url` take them.
func (c *Cluster) URLs() string {
	var u []string
	for _, s := range c.Servers {
		u = append(u, s.URL)
	}
	return strings.Join(u, ",")
}

// Kill stops server i with SIGKILL and waits for it to exit.
func (c *Cluster) Kill(i int) { c.Servers[i].kill() }

// Restart starts server i again on the same ports and directory; it does
// not wait for it to catch up.
func (c *Cluster) Restart(i int) {
	s := c.Servers[i]
	s.kill()
	exe, err := os.Executable()
	if err != nil {
		c.t.Fatal(err)
	}
	s.cmd = exe2cmd(exe, s.cfg, s.log)
	if err := s.cmd.Start(); err != nil {
		c.t.Fatalf("natstest: restart %s: %v", s.cfg.Name, err)
	}
}

func (s *Server) kill() {
	if s.cmd == nil || s.cmd.Process == nil || s.cmd.ProcessState != nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	_ = s.cmd.Wait()
	if f, ok := s.cmd.Stdout.(*os.File); ok {
		f.Close()
	}
}

// WaitReady waits until every running server accepts connections and
// JetStream answers account requests (it has a meta leader).
func (c *Cluster) WaitReady(t testing.TB, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for _, s := range c.Servers {
		if s.cmd.ProcessState != nil {
			continue
		}
		for {
			err := jetStreamReady(s.URL)
			if err == nil {
				break
			}
			if time.Now().After(deadline) {
				log, _ := os.ReadFile(s.log)
				t.Fatalf("natstest: %s not ready after %v: %v\n%s", s.cfg.Name, within, err, tail(log, 4000))
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
}

func jetStreamReady(u string) error {
	nc, err := nats.Connect(u, nats.Timeout(time.Second), nats.NoReconnect())
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err = js.AccountInfo(ctx)
	return err
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

// freePorts returns n distinct free TCP ports on 127.0.0.1.
func freePorts(t testing.TB, n int) []int {
	t.Helper()
	var ls []net.Listener
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		_, p, _ := net.SplitHostPort(l.Addr().String())
		port, _ := strconv.Atoi(p)
		ports = append(ports, port)
	}
	for _, l := range ls {
		l.Close()
	}
	return ports
}
