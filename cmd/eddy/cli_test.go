package main

import (
	"context"
	"flag"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestHelpAndVersionAsTyped: the ways people ask for help and the version
// all work, exit 0 and print to stdout only.
func TestHelpAndVersionAsTyped(t *testing.T) {
	versionLine := regexp.MustCompile(`^eddy v\S+ \(commit \S+, ` + regexp.QuoteMeta(runtime.Version()) + `\)\n$`)
	for _, tc := range []struct {
		args []string
		want *regexp.Regexp
	}{
		{[]string{"--version"}, versionLine},
		{[]string{"-version"}, versionLine},
		{[]string{"version"}, versionLine},
		{[]string{"-h"}, regexp.MustCompile(`(?s)^Eddy is .*Usage:\n  eddy <command>.*\n  serve .*\n  health .*\n  version `)},
		{[]string{"--help"}, regexp.MustCompile(`(?s)^Eddy is .*Usage:`)},
		{[]string{"-help"}, regexp.MustCompile(`(?s)^Eddy is .*Usage:`)},
		{[]string{"help"}, regexp.MustCompile(`(?s)^Eddy is .*Usage:`)},
		{[]string{"help", "serve"}, regexp.MustCompile(`(?s)^usage: eddy serve \[flags\]\n\nFlags:\n.*-data-dir string`)},
		{[]string{"serve", "-h"}, regexp.MustCompile(`(?s)^usage: eddy serve \[flags\]\n\nFlags:\n.*-data-dir string`)},
		{[]string{"serve", "--help"}, regexp.MustCompile(`(?s)^usage: eddy serve \[flags\]\n`)},
		{[]string{"serve", "--in-memory", "-h"}, regexp.MustCompile(`(?s)^usage: eddy serve \[flags\]\n`)},
		{[]string{"version", "-h"}, regexp.MustCompile(`^usage: eddy version\n$`)},
		{[]string{"health", "-h"}, regexp.MustCompile(`(?s)^usage: eddy health \[flags\]\n\nFlags:\n.*-addr string`)},
		{[]string{"help", "health"}, regexp.MustCompile(`(?s)^usage: eddy health \[flags\]\n`)},
	} {
		code, stdout, stderr := runCmd(t, tc.args...)
		if code != exitOK || stderr != "" || !tc.want.MatchString(stdout) {
			t.Errorf("eddy %s: exit %d, stdout %q, stderr %q; want exit 0 and stdout matching %s, nothing on stderr",
				strings.Join(tc.args, " "), code, stdout, stderr, tc.want)
		}
	}
	// After "--" a -h is an argument, not a request for help.
	if code, stdout, stderr := runCmd(t, "version", "--", "-h"); code != exitUsage || stdout != "" || !strings.Contains(stderr, `unexpected argument "-h"`) {
		t.Errorf("eddy version -- -h: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// TestConfigFileErrors: a bad config file is reported by key, with what the
// key wants and what it got in words, and the line.
func TestConfigFileErrors(t *testing.T) {
	for _, tc := range []struct{ file, want string }{
		{"limits:\n  - aws\n", `config eddy.yaml: key "limits": want a string (off or aws), got a list (line 2)`},
		{"region: eu-west-1\nshard-limt: 3\n", `config eddy.yaml: unknown key "shard-limt" (line 2); known keys: listen, data-dir, in-memory, `},
		{"shard-limit: lots\n", `config eddy.yaml: key "shard-limit": want a whole number, got the string "lots" (line 1)`},
		{"shard-limit: 1.5\n", `config eddy.yaml: key "shard-limit": want a whole number, got the number 1.5 (line 1)`},
		{"in-memory: 3\n", `config eddy.yaml: key "in-memory": want true or false, got the number 3 (line 1)`},
		{"create-delay: 5\n", `config eddy.yaml: key "create-delay": want a duration such as 250ms, 30s or 5m, got the number 5 (line 1)`},
		{"sync: {a: b}\n", `config eddy.yaml: key "sync": want a string (always, interval or none), got a mapping (key: value) (line 1)`},
		{"listen: a:1\nlisten: b:2\n", `config eddy.yaml: key "listen" given twice (lines 1 and 2)`},
		{"- listen\n", `config eddy.yaml: want a mapping of keys to values (key: value, one a line), got a list (line 1)`},
		{"streams: a\n", `config eddy.yaml: key "streams": want a list of streams, each a mapping (- name: ...), got the string "a" (line 1)`},
		{"streams:\n  name: a\n", `config eddy.yaml: key "streams": want a list of streams, each a mapping (- name: ...), got a mapping (key: value) (line 2)`},
		{"streams:\n  - name: a\n    shards: two\n", `config eddy.yaml: key "streams[0].shards": want a whole number, got the string "two" (line 3)`},
		{"streams:\n  - name: a\n    shards: 1\n  - name: b\n    colour: red\n", `config eddy.yaml: unknown key "streams[1].colour" (line 5); a stream takes name, region, shards, mode, retention-hours`},
		{"streams:\n  - [a]\n", `config eddy.yaml: key "streams[0]": want a stream, a mapping with keys name, region, shards, mode, retention-hours, got a list (line 2)`},
		{"streams:\n  - name: a\n    mode: [x]\n", `config eddy.yaml: key "streams[0].mode": want a string (PROVISIONED or ON_DEMAND), got a list (line 3)`},
		{"faults:\n  - latency: soon\n", `config eddy.yaml: key "faults[0].latency": want a duration such as 250ms, 30s or 5m, got the string "soon" (line 2)`},
		{"faults:\n  - seed: -1\n", `config eddy.yaml: key "faults[0].seed": want a whole number, 0 or more, got the number -1 (line 2)`},
		{"faults:\n  - throttle-rate: high\n", `config eddy.yaml: key "faults[0].throttle-rate": want a number, got the string "high" (line 2)`},
		{"fault: x\n", `config eddy.yaml: unknown key "fault" (line 1)`},
		{"listen: [unclosed\n", `config eddy.yaml: line 1: did not find expected ',' or ']'`},
	} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "eddy.yaml"), []byte(tc.file), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Chdir(dir) // so that the message shows the path as given
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		_, err := loadServeConfig(fs, []string{"--config", "eddy.yaml"}, func(string) string { return "" })
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("file %q:\n got  %v\n want %s", tc.file, err, tc.want)
		}
	}
}

// TestConfigFileAccepts: what yaml itself accepts still loads: booleans as
// yes/no, numbers for string keys, empty values (the default), an empty
// file, anchors.
func TestConfigFileAccepts(t *testing.T) {
	for _, tc := range []struct {
		file  string
		check func(serveConfig) bool
	}{
		{"", func(c serveConfig) bool { return c.Listen == defaultServeConfig().Listen }},
		{"# only a comment\n", func(c serveConfig) bool { return c.Listen == defaultServeConfig().Listen }},
		{"in-memory: yes\n", func(c serveConfig) bool { return c.InMemory }},
		{"account-id: 123456789012\n", func(c serveConfig) bool { return c.AccountID == "123456789012" }},
		{"region:\n", func(c serveConfig) bool { return c.Region == "us-east-1" }},
		{"streams:\n", func(c serveConfig) bool { return c.Streams == nil }},
		{"create-delay: 1m30s\n", func(c serveConfig) bool { return c.CreateDelay.Seconds() == 90 }},
		{"x: &d 2s\nupdate-delay: *d\n", nil}, // anchors work, but x is no key
		{"streams:\n  - &s {name: a, shards: 2}\nfaults:\n  - {stream: a, latency: 20ms, seed: 3, throttle-rate: 1}\n",
			func(c serveConfig) bool {
				return len(c.Streams) == 1 && c.Streams[0] == (bootstrapStream{Name: "a", Shards: 2}) &&
					len(c.Faults) == 1 && c.Faults[0].Seed == 3 && c.Faults[0].ThrottleRate == 1 && time.Duration(c.Faults[0].Latency) == 20*time.Millisecond
			}},
	} {
		p := filepath.Join(t.TempDir(), "eddy.yaml")
		os.WriteFile(p, []byte(tc.file), 0o644)
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		cfg, err := loadServeConfig(fs, []string{"--config", p}, func(string) string { return "" })
		if tc.check == nil {
			if err == nil || !strings.Contains(err.Error(), `unknown key "x"`) {
				t.Errorf("file %q: %v, want unknown key x", tc.file, err)
			}
			continue
		}
		if err != nil || !tc.check(cfg) {
			t.Errorf("file %q: %v, config %+v", tc.file, err, cfg)
		}
	}
}

// TestConfigEnvErrors: a bad environment variable is named with what it
// wants in words.
func TestConfigEnvErrors(t *testing.T) {
	for env, want := range map[string]string{
		"EDDY_SHARD_LIMIT":  `EDDY_SHARD_LIMIT="lots": want a whole number`,
		"EDDY_IN_MEMORY":    `EDDY_IN_MEMORY="lots": want true or false`,
		"EDDY_SYNC":         `--sync "lots": want always, interval or none`,
		"EDDY_CREATE_DELAY": `EDDY_CREATE_DELAY="lots": want a duration such as 250ms, 30s or 5m`,
	} {
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		_, err := loadServeConfig(fs, nil, func(k string) string {
			if k == env {
				return "lots"
			}
			return ""
		})
		if err == nil || err.Error() != want {
			t.Errorf("%s=lots: %v, want %s", env, err, want)
		}
	}
}

// TestHealth: eddy health asks /health or /ready and exits 0 only on 200;
// an unspecified listen address is asked on loopback.
func TestHealth(t *testing.T) {
	var ready atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/health":
			io.WriteString(w, "ok\n")
		case r.URL.Path == "/ready" && ready.Load():
			io.WriteString(w, "ready\n")
		case r.URL.Path == "/ready":
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, "engine closed\n")
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	addr := srv.Listener.Addr().String()
	_, port, _ := net.SplitHostPort(addr)
	noEnv := func(string) string { return "" }

	runHealth := func(args []string, getenv func(string) string) (int, string, string) {
		var out, errOut strings.Builder
		err := health(context.Background(), args, getenv, &out, &errOut)
		return exitCode(err, "health", &errOut), out.String(), errOut.String()
	}
	if code, out, errOut := runHealth([]string{"--addr", addr}, noEnv); code != exitOK || out != "http://"+addr+"/health: ok\n" || errOut != "" {
		t.Errorf("health: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if code, out, errOut := runHealth([]string{"--addr", addr, "--ready"}, noEnv); code != exitError || out != "" ||
		errOut != "eddy health: GET http://"+addr+"/ready: 503 Service Unavailable: engine closed\n" {
		t.Errorf("not ready: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	ready.Store(true)
	if code, _, errOut := runHealth([]string{"--addr", addr, "--ready"}, noEnv); code != exitOK {
		t.Errorf("ready: exit %d, stderr %q", code, errOut)
	}
	// The address from the server's own variable, 0.0.0.0 asked on 127.0.0.1.
	env := func(k string) string {
		if k == "EDDY_ADMIN_LISTEN" {
			return "0.0.0.0:" + port
		}
		return ""
	}
	if code, out, errOut := runHealth(nil, env); code != exitOK || !strings.HasPrefix(out, "http://127.0.0.1:"+port+"/health") {
		t.Errorf("from EDDY_ADMIN_LISTEN: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	// Nobody listening: a failure, promptly.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	if code, _, errOut := runHealth([]string{"--addr", closed}, noEnv); code != exitError || !strings.Contains(errOut, "connection refused") {
		t.Errorf("nobody listening: exit %d, stderr %q", code, errOut)
	}
	for _, args := range [][]string{{"--addr", "off"}, {"--addr", "nohostport"}, {"--timeout", "0s"}, {"extra"}} {
		if code, _, _ := runHealth(args, noEnv); code != exitUsage {
			t.Errorf("health %q: exit %d, want %d", args, code, exitUsage)
		}
	}
}

// TestServeHealthCommand: eddy health against the real server's admin
// listener.
func TestServeHealthCommand(t *testing.T) {
	srv := startChild(t, "serve --listen 127.0.0.1:0 --in-memory")
	for _, args := range [][]string{{"health", "--addr", srv.admin}, {"health", "--addr", srv.admin, "--ready"}} {
		if code, stdout, stderr := runCmd(t, args...); code != exitOK || !strings.Contains(stdout, srv.admin) {
			t.Errorf("eddy %q: exit %d, stdout %q, stderr %q", args, code, stdout, stderr)
		}
	}
}
