package segment

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/storage"
)

// TestKill9 runs a child process (this test binary, as TestKill9Child) that
// appends under concurrent load to a real directory and prints each
// acknowledged batch; the parent kills it with SIGKILL mid-load, reopens the
// store, and checks that every acknowledged record is present, in order,
// exactly once. Three rounds on the same directory.
func TestKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("kill -9 test skipped in -short mode")
	}
	dir := t.TempDir()
	var acks []ack
	for round := 0; round < 3; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKill9Child$")
		cmd.Env = append(os.Environ(), "EDDY_KILL9_DIR="+dir, "EDDY_KILL9_ROUND="+strconv.Itoa(round))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		n := 0
		killed := false
		deadline := time.AfterFunc(20*time.Second, func() { cmd.Process.Kill() })
		for sc.Scan() {
			a, ok := parseAck(sc.Text())
			if !ok {
				continue
			}
			acks = append(acks, a)
			n++
			// Kill after a few hundred acknowledgements, while writers are
			// mid-append; keep reading what was printed before the kill.
			if n == 300+round*150 && !killed {
				cmd.Process.Kill()
				killed = true
			}
		}
		deadline.Stop()
		cmd.Wait()
		if !killed {
			t.Fatalf("round %d: child exited after %d acknowledgements before it was killed", round, n)
		}
		s, err := Open(dir, kill9Config())
		if err != nil {
			t.Fatal(err)
		}
		verifyAcks(t, s, acks)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		t.Logf("round %d: %d batches acknowledged in total, all present", round, len(acks))
	}
}

func kill9Config() Config {
	cfg := DefaultConfig()
	cfg.SegmentBytes = 64 << 10
	cfg.IndexInterval = 2 << 10
	return cfg
}

func parseAck(line string) (ack, bool) {
	f := strings.Fields(line)
	if len(f) != 7 || f[0] != "ACK" {
		return ack{}, false
	}
	var a ack
	a.log = f[1]
	var err error
	var v [5]uint64
	for i := range v {
		if v[i], err = strconv.ParseUint(f[2+i], 10, 64); err != nil {
			return ack{}, false
		}
	}
	a.first, a.writer, a.start, a.n, a.size = v[0], int(v[1]), int(v[2]), int(v[3]), int(v[4])
	return a, true
}

// TestKill9Child is the child half of TestKill9; it does nothing unless run
// by it.
func TestKill9Child(t *testing.T) {
	dir := os.Getenv("EDDY_KILL9_DIR")
	if dir == "" {
		t.Skip("run by TestKill9")
	}
	round, _ := strconv.Atoi(os.Getenv("EDDY_KILL9_ROUND"))
	s, err := Open(dir, kill9Config())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	logs := []string{"k/0", "k/1", "k/2", "k/3"}
	for _, id := range logs {
		if _, err := s.Open(id); err == storage.ErrNotFound {
			if _, err := s.Create(id, 0); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
		}
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			w += round * 8
			for counter := 0; ; {
				id := logs[(w+counter)%len(logs)]
				l, _ := s.Open(id)
				n, size := 1+counter%17, 32+(w*counter)%700
				recs := make([]storage.Record, n)
				for i := range recs {
					recs[i] = storage.Record{PartitionKey: "pk", Data: payload(w, counter+i, size), Arrival: time.Now()}
				}
				first, err := l.Append(recs)
				if err != nil {
					fmt.Fprintln(os.Stderr, "append:", err)
					os.Exit(1)
				}
				mu.Lock()
				fmt.Printf("ACK %s %d %d %d %d %d\n", id, first, w, counter, n, size)
				mu.Unlock()
				counter += n
			}
		}(w)
	}
	wg.Wait()
}
