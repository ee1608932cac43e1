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
	"strings"
)

// Start starts `eddy serve` on a loopback port with a temporary, durable
// data directory (--sync sync) and returns its address and a function that
// stops it and removes the directory. extra flags go last; without an
// --admin-listen among them the admin listener is off.
func Start(bin, sync string, extra []string) (string, func(), error) {
	dir, err := os.MkdirTemp("", "eddybench-")
	if err != nil {
		return "", nil, err
	}
	args := []string{"serve", "--listen", "127.0.0.1:0", "--data-dir", dir, "--sync", sync, "--log-level", "warn"}
	if !slices.Contains(extra, "--admin-listen") {
		args = append(args, "--admin-listen", "off")
	}
	cmd := exec.Command(bin, append(args, extra...)...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop := func() { cmd.Process.Kill(); cmd.Wait(); os.RemoveAll(dir) }
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if a, ok := strings.CutPrefix(sc.Text(), "eddy listening on http://"); ok {
			go io.Copy(io.Discard, out)
			return a, stop, nil
		}
	}
	stop()
	return "", nil, errors.New("eddy did not start")
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
