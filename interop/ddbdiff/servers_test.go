package ddbdiff

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// startTimeout bounds building Eddy and starting either server.
const startTimeout = 3 * time.Minute

// A server is a child process serving DynamoDB's API on 127.0.0.1.
type server struct {
	name     string
	endpoint string // http://127.0.0.1:PORT
	cmd      *exec.Cmd
	stdin    io.WriteCloser // dynalite exits when it closes
	stderr   *lockedBuffer
	done     chan struct{} // closed when the process has exited
}

// lockedBuffer is a bytes.Buffer safe for a writer and a reader.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// tail returns the last n lines of the server's stderr.
func (s *server) tail(n int) string {
	lines := strings.Split(strings.TrimRight(s.stderr.String(), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// stop ends the server: its stdin closes, then SIGTERM, then SIGKILL, each
// with a bounded wait.
func (s *server) stop() {
	if s.stdin != nil {
		s.stdin.Close()
	}
	wait := func(d time.Duration) bool {
		select {
		case <-s.done:
			return true
		case <-time.After(d):
			return false
		}
	}
	if wait(2 * time.Second) {
		return
	}
	s.cmd.Process.Signal(os.Interrupt)
	if wait(10 * time.Second) {
		return
	}
	s.cmd.Process.Kill()
	wait(10 * time.Second)
}

// startProcess runs cmd and waits until a line of its stdout starting with
// prefix gives its endpoint (the rest of the line).
func startProcess(name string, cmd *exec.Cmd, prefix string) (*server, error) {
	s := &server{name: name, cmd: cmd, stderr: &lockedBuffer{}, done: make(chan struct{})}
	cmd.Stderr = s.stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	s.stdin = stdin
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	found := make(chan string, 1)
	go func() {
		lines := bufio.NewScanner(out)
		for lines.Scan() {
			if ep, ok := strings.CutPrefix(lines.Text(), prefix); ok {
				select {
				case found <- strings.TrimSpace(ep):
				default:
				}
			}
		}
		cmd.Wait()
		close(s.done)
	}()
	select {
	case ep := <-found:
		s.endpoint = ep
		return s, nil
	case <-s.done:
		return nil, fmt.Errorf("%s exited without listening; its stderr:\n%s", name, s.stderr)
	case <-time.After(startTimeout):
		s.stop()
		return nil, fmt.Errorf("%s did not listen within %s; its stderr:\n%s", name, startTimeout, s.stderr)
	}
}

// moduleRoot is the directory of go.mod, two levels up from this package.
func moduleRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// startDynalite starts interop/dynalite/serve.js (in memory, or on disk
// in path when it is not empty).
func startDynalite(path string) (*server, error) {
	dir := filepath.Join(moduleRoot(), "interop", "dynalite")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "dynalite", "package.json")); err != nil {
		return nil, fmt.Errorf("dynalite is not installed in %s: run scripts/install-test-deps.sh (%v)", dir, err)
	}
	args := []string{filepath.Join(dir, "serve.js")}
	if path != "" {
		args = append(args, "--path", path)
	}
	cmd := exec.Command("node", args...)
	cmd.Dir = dir
	return startProcess("dynalite", cmd, "dynalite listening on ")
}

// buildEddy returns EDDY_BIN (absolute, or relative to the module root), or
// builds ./cmd/eddy with the race detector into dir.
func buildEddy(dir string) (string, error) {
	if bin := os.Getenv("EDDY_BIN"); bin != "" {
		if !filepath.IsAbs(bin) {
			bin = filepath.Join(moduleRoot(), bin) // go test runs in the package's directory
		}
		return bin, nil
	}
	bin := filepath.Join(dir, "eddy")
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-race", "-o", bin, "./cmd/eddy")
	cmd.Dir = moduleRoot()
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/eddy: %v\n%s", err, out)
	}
	return bin, nil
}

// startEddy starts `eddy serve` with its data in dataDir, with no EDDY_*
// variable of the caller's environment.
func startEddy(bin, dataDir string, extra ...string) (*server, error) {
	args := append([]string{"serve", "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", "--data-dir", dataDir}, extra...)
	cmd := exec.Command(bin, args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "EDDY_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	return startProcess("eddy", cmd, "eddy listening on ")
}

// The servers every test shares, started by the first test that needs them
// and stopped by TestMain.
var shared struct {
	once      sync.Once
	err       error
	tmp       string
	eddy, dyn *server
	stopOnce  sync.Once
}

func TestMain(m *testing.M) {
	code := m.Run()
	stopShared()
	os.Exit(code)
}

func stopShared() {
	shared.stopOnce.Do(func() {
		if shared.eddy != nil {
			shared.eddy.stop()
		}
		if shared.dyn != nil {
			shared.dyn.stop()
		}
		if shared.tmp != "" {
			os.RemoveAll(shared.tmp)
		}
	})
}

// servers returns the shared Eddy and dynalite, starting them the first
// time; a test that cannot have them fails.
func servers(t *testing.T) (eddy, dyn *server) {
	t.Helper()
	shared.once.Do(func() {
		shared.tmp, shared.err = os.MkdirTemp("", "eddy-ddbdiff-")
		if shared.err != nil {
			return
		}
		var wg sync.WaitGroup
		var derr error
		wg.Add(1)
		go func() { defer wg.Done(); shared.dyn, derr = startDynalite("") }()
		var err error
		if selftest() {
			// The harness's own check: a second dynalite in Eddy's place
			// must agree with the first on everything.
			shared.eddy, err = startDynalite("")
		} else {
			var bin string
			bin, err = buildEddy(shared.tmp)
			if err == nil {
				shared.eddy, err = startEddy(bin, filepath.Join(shared.tmp, "data"))
			}
		}
		wg.Wait()
		shared.err = err
		if shared.err == nil {
			shared.err = derr
		}
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.eddy, shared.dyn
}

// selftest reports whether DDBDIFF_SELFTEST puts a second dynalite in
// Eddy's place; checks of Eddy against AWS's documentation are off then.
func selftest() bool { return os.Getenv("DDBDIFF_SELFTEST") != "" }
