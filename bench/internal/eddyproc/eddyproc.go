// Package eddyproc starts the eddy binary as its own process for the
// benchmark programs that measure it from outside (so the load and the
// server do not share one Go runtime), and fetches its profiles.
//
//	addr, stop, err := eddyproc.Start("bin/eddy", "always", nil)
//	defer stop()
package eddyproc

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Start starts `eddy serve` on a loopback port with a temporary, durable
// data directory (--sync sync) and returns its address and a function that
// stops it and removes the directory. extra flags go last; without an
// --admin-listen among them the admin listener is off.
func Start(bin, sync string, extra []string) (string, func(), error) {
	p, err := StartProcess(bin, sync, extra)
	if err != nil {
		return "", nil, err
	}
	return p.Addr, p.Stop, nil
}

// Process is a started `eddy serve`.
type Process struct {
	// Addr is the API listener's address; S3 and Admin those of the
	// embedded S3 endpoint and the admin listener ("" when off).
	Addr, S3, Admin string
	PID             int
	// Stop stops the process and removes its data directory.
	Stop func()
}

// CPU returns the CPU time the process used so far (user and system),
// from /proc (Linux only).
func (p *Process) CPU() (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.PID))
	if err != nil {
		return 0, err
	}
	// Fields after the command name (which may hold spaces): state is
	// field 3, utime 14 and stime 15, in clock ticks (100 a second on
	// Linux).
	rest := string(b[strings.LastIndexByte(string(b), ')')+2:])
	f := strings.Fields(rest)
	if len(f) < 13 {
		return 0, errors.New("short /proc stat")
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	s, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return time.Duration(u+s) * 10 * time.Millisecond, nil
}

// StartProcess is Start, telling every listener's address and the pid.
func StartProcess(bin, sync string, extra []string) (*Process, error) {
	dir, err := os.MkdirTemp("", "eddybench-")
	if err != nil {
		return nil, err
	}
	args := []string{"serve", "--listen", "127.0.0.1:0", "--data-dir", dir, "--sync", sync, "--log-level", "warn"}
	if !slices.Contains(extra, "--admin-listen") {
		args = append(args, "--admin-listen", "off")
	}
	cmd := exec.Command(bin, append(args, extra...)...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &Process{PID: cmd.Process.Pid, Stop: func() { cmd.Process.Kill(); cmd.Wait(); os.RemoveAll(dir) }}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		if a, ok := strings.CutPrefix(line, "eddy s3 on http://"); ok {
			p.S3 = a
		}
		if a, ok := strings.CutPrefix(line, "eddy admin on http://"); ok {
			p.Admin = a
		}
		if a, ok := strings.CutPrefix(line, "eddy listening on http://"); ok {
			go io.Copy(io.Discard, out)
			p.Addr = a
			return p, nil
		}
	}
	p.Stop()
	return nil, errors.New("eddy did not start")
}

// FetchProfile saves what url (a /debug/pprof/ address) answers into file.
func FetchProfile(url, file string) error {
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", url, resp.Status)
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
