package s3

import (
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"

	"github.com/eddy-streams/eddy/internal/natstest"
	"github.com/eddy-streams/eddy/storage/mem"
)

// storeEnv selects the ObjectStore the package's tests run over: unset,
// the file store (Store); "logs", the LogStore over storage/mem. TestMain
// runs the tests over the file store, then runs the test binary again,
// with the same arguments, over the LogStore: `go test ./s3` runs every
// test over both (the file-only crash test skips itself in the second).
const storeEnv = "EDDY_S3_TEST_STORE"

func TestMain(m *testing.M) {
	natstest.Main()
	code := m.Run()
	if os.Getenv(storeEnv) == "" {
		fmt.Println("s3: the tests again, over the LogStore (" + storeEnv + "=logs)")
		cmd := exec.Command(os.Args[0], os.Args[1:]...)
		cmd.Env = append(os.Environ(), storeEnv+"=logs")
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Println("s3: over the LogStore:", err)
			if code == 0 {
				code = 1
			}
		}
	}
	os.Exit(code)
}

func overLogs() bool { return os.Getenv(storeEnv) == "logs" }

// memStores: one storage/mem pair per "root", so that a second store at
// the same root (a restart) sees the first's objects.
var memStores = struct {
	sync.Mutex
	m map[string]*LogStore
}{m: map[string]*LogStore{}}

// storeAt returns the store the tests run over, at root: the file store
// there, or a LogStore over the mem logs and meta of that root. The
// LogStore's records are an odd size well under the 1 MiB default so
// that the tests' bodies span many of them, with ranges across their
// boundaries.
func storeAt(root string) ObjectStore {
	if !overLogs() {
		return &Store{Root: root}
	}
	memStores.Lock()
	defer memStores.Unlock()
	s, ok := memStores.m[root]
	if !ok {
		s = &LogStore{Meta: mem.NewMeta(), Logs: mem.NewLogs(), ChunkSize: 100_003}
		memStores.m[root] = s
	}
	return &LogStore{Meta: s.Meta, Logs: s.Logs, ChunkSize: s.ChunkSize}
}
