// Package pgtest runs a real PostgreSQL server inside a test process, for
// the tests of code that talks to PostgreSQL (the Firehose Redshift
// destination, played by PostgreSQL). It uses the server binaries of the
// Debian package postgresql (initdb and pg_ctl, on PATH or under
// /usr/lib/postgresql/<version>/bin): a new cluster in t.TempDir(),
// listening on 127.0.0.1 on a free port with its unix socket in the same
// temporary directory, stopped by the test's cleanup. Without the
// binaries the test is skipped with a message saying how to get them
// (`make test` installs them through scripts/install-test-deps.sh).
//
//	srv := pgtest.Start(t)          // srv.Port, srv.User, srv.Password
//	url := srv.URL("postgres")      // postgres://eddy:...@127.0.0.1:PORT/postgres
//	srv.Stop(t); srv.Restart(t)     // a server down, then up again on the same port
//
// initdb refuses to run as root: a test run by root runs the server as the
// user "postgres" (which the Debian package creates), giving it the
// temporary directory.
package pgtest

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
)

// Server is a running PostgreSQL cluster.
type Server struct {
	Host string // 127.0.0.1
	Port int
	// User is the cluster's superuser; Password its password, required
	// (scram-sha-256) on TCP connections. The unix socket trusts anyone.
	User, Password string
	// Dir holds the cluster (Dir/data), its socket and its log (Dir/log).
	Dir string

	bin     string
	running bool
}

// Bin returns the directory of initdb and pg_ctl, or "" when PostgreSQL is
// not installed.
func Bin() string {
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		if _, err := exec.LookPath("initdb"); err == nil {
			return filepath.Dir(p)
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	// The highest version first (numeric: 9 < 10).
	slices.SortFunc(dirs, func(a, b string) int {
		va, _ := strconv.Atoi(filepath.Base(filepath.Dir(a)))
		vb, _ := strconv.Atoi(filepath.Base(filepath.Dir(b)))
		return vb - va
	})
	for _, d := range dirs {
		if isFile(filepath.Join(d, "initdb")) && isFile(filepath.Join(d, "pg_ctl")) {
			return d
		}
	}
	return ""
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// Start creates and starts a cluster; the test's cleanup stops it. It
// skips the test when PostgreSQL is not installed.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := Bin()
	if bin == "" {
		t.Skip("pgtest: PostgreSQL server binaries (initdb, pg_ctl) not found on PATH or under /usr/lib/postgresql/*/bin;" +
			" install the Debian package postgresql (`make test` does it through scripts/install-test-deps.sh)")
	}
	s := &Server{Host: "127.0.0.1", User: "eddy", Password: "eddy-test-password", Dir: t.TempDir(), bin: bin}
	if err := prepareDir(s.Dir); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	pwfile := filepath.Join(s.Dir, "pwfile")
	if err := os.WriteFile(pwfile, []byte(s.Password+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := s.run("initdb", "-D", s.data(), "-U", s.User, "--pwfile", pwfile, "-E", "UTF8", "--locale", "C",
		"--auth-local", "trust", "--auth-host", "scram-sha-256", "--no-sync"); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	var err error
	for range 3 { // the free port may be taken between finding it and listening
		if s.Port, err = freePort(); err != nil {
			t.Fatalf("pgtest: %v", err)
		}
		if err = s.start(); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		if s.running {
			_ = s.stop()
		}
	})
	return s
}

func (s *Server) data() string { return filepath.Join(s.Dir, "data") }

func (s *Server) start() error {
	opts := fmt.Sprintf("-h %s -p %d -k %s -F -c fsync=off", s.Host, s.Port, s.Dir)
	if err := s.run("pg_ctl", "-D", s.data(), "-l", filepath.Join(s.Dir, "log"), "-o", opts, "-w", "-t", "60", "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(s.Dir, "log"))
		return fmt.Errorf("%w\nserver log:\n%s", err, log)
	}
	s.running = true
	return nil
}

func (s *Server) stop() error {
	err := s.run("pg_ctl", "-D", s.data(), "-m", "fast", "-w", "-t", "60", "stop")
	if err == nil {
		s.running = false
	}
	return err
}

// Stop stops the server (a later Restart starts it on the same port).
func (s *Server) Stop(t testing.TB) {
	t.Helper()
	if err := s.stop(); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
}

// Restart starts a stopped server again, on the same port.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	if err := s.start(); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
}

// URL is the postgres:// URL of database db over TCP, with the
// superuser's name and password.
func (s *Server) URL(db string) string {
	u := url.URL{Scheme: "postgres", User: url.UserPassword(s.User, s.Password),
		Host: net.JoinHostPort(s.Host, strconv.Itoa(s.Port)), Path: "/" + db, RawQuery: "sslmode=disable"}
	return u.String()
}

// run runs one of the server's programs, as the user "postgres" when the
// test runs as root.
func (s *Server) run(prog string, args ...string) error {
	cmd := exec.Command(filepath.Join(s.bin, prog), args...)
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	if err := asServerUser(cmd); err != nil {
		return err
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %v: %w\n%s", prog, args, err, out)
	}
	return nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
