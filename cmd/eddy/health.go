package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"
)

// runHealth implements "eddy health": GET /health (or /ready) from a running
// server's admin listener, print the answer, and succeed only on 200. It is
// the container health check: distroless and scratch images have no curl or
// wget, and the binary is already there.
//
// The address defaults to EDDY_ADMIN_LISTEN, as the server reads it, so
// that a container configured through the environment needs no flag; an
// unspecified host (0.0.0.0, [::] or none) is asked on loopback.
func runHealth(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return health(ctx, args, os.Getenv, stdout, stderr)
}

func health(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("health", "[flags]", stderr)
	def := defaultServeConfig().AdminListen
	if v := getenv("EDDY_ADMIN_LISTEN"); v != "" {
		def = v
	}
	addr := fs.String("addr", def, "the server's admin address, host:port (its --admin-listen)")
	ready := fs.Bool("ready", false, "ask /ready (the engine is open) instead of /health (the process serves)")
	timeout := fs.Duration("timeout", 5*time.Second, "give up after this long")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if *addr == "off" || *addr == "" {
		return &usageError{"the admin listener is off (--admin-listen off): nothing to ask; give --addr"}
	}
	if *timeout <= 0 {
		return &usageError{"--timeout must be positive"}
	}
	host, port, err := net.SplitHostPort(*addr)
	if err != nil {
		return &usageError{fmt.Sprintf("--addr %q: want host:port", *addr)}
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
		if ip != nil && ip.To4() == nil {
			host = "::1"
		}
	}
	path := "/health"
	if *ready {
		path = "/ready"
	}
	url := "http://" + net.JoinHostPort(host, port) + path

	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	// No proxy: the admin listener is local, and a proxy from the
	// environment would answer for it.
	client := &http.Client{Transport: &http.Transport{Proxy: nil}}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	answer := strings.TrimSpace(string(body))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s: %s", url, resp.Status, answer)
	}
	_, err = fmt.Fprintf(stdout, "%s: %s\n", url, answer)
	return err
}
