package main

import (
	"bytes"
	"github.com/eddy-streams/eddy/internal/natstest"
	"os"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// TestMain keeps every test of the package, and the servers and commands
// it starts (they inherit the environment), off the EC2 instance metadata
// endpoint: `eddy put` and `eddy tail` look credentials up through the
// SDK's chain, which would otherwise send requests to 169.254.169.254.
func TestMain(m *testing.M) {
	natstest.Main() // a nats-server process of natstest.StartCluster
	os.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	os.Exit(m.Run())
}

// runCmd runs the command line and returns its exit code and output.
func runCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestVersion(t *testing.T) {
	code, stdout, stderr := runCmd(t, "version")
	if code != exitOK {
		t.Fatalf("exit code %d, want %d; stderr: %s", code, exitOK, stderr)
	}
	want := regexp.MustCompile(`^eddy v\S+ \(commit \S+, ` + regexp.QuoteMeta(runtime.Version()) + `\)\n$`)
	if !want.MatchString(stdout) {
		t.Errorf("stdout = %q, want a match for %s", stdout, want)
	}
	if stderr != "" {
		t.Errorf("stderr = %q, want nothing", stderr)
	}
}

func TestVersionRejectsArguments(t *testing.T) {
	for _, args := range [][]string{{"version", "extra"}, {"version", "-nosuchflag"}} {
		code, stdout, stderr := runCmd(t, args...)
		if code != exitUsage {
			t.Errorf("%q: exit code %d, want %d", args, code, exitUsage)
		}
		if stdout != "" {
			t.Errorf("%q: stdout = %q, want nothing", args, stdout)
		}
		if !strings.Contains(stderr, "usage: eddy version") {
			t.Errorf("%q: stderr = %q, want the version usage", args, stderr)
		}
	}
}

func TestHelp(t *testing.T) {
	for _, arg := range []string{"help", "-h", "--help"} {
		code, stdout, stderr := runCmd(t, arg)
		if code != exitOK {
			t.Errorf("%s: exit code %d, want %d", arg, code, exitOK)
		}
		if stderr != "" {
			t.Errorf("%s: stderr = %q, want nothing", arg, stderr)
		}
		if !strings.Contains(stdout, "Usage:") {
			t.Errorf("%s: stdout lacks usage:\n%s", arg, stdout)
		}
		// Every command is listed on an indented line starting with its
		// name; scripts/run.sh depends on that form.
		for _, c := range commands {
			if !regexp.MustCompile(`(?m)^\s+` + c.name + `\s`).MatchString(stdout) {
				t.Errorf("%s: usage does not list %q:\n%s", arg, c.name, stdout)
			}
		}
	}
}

func TestHelpCommand(t *testing.T) {
	code, stdout, stderr := runCmd(t, "help", "version")
	if code != exitOK {
		t.Fatalf("exit code %d, want %d; stderr: %s", code, exitOK, stderr)
	}
	if !strings.HasPrefix(stdout, "usage: eddy version\n") {
		t.Errorf("stdout = %q, want the version usage", stdout)
	}

	code, _, stderr = runCmd(t, "help", "nosuch")
	if code != exitUsage {
		t.Errorf("help nosuch: exit code %d, want %d", code, exitUsage)
	}
	if !strings.Contains(stderr, `unknown command "nosuch"`) {
		t.Errorf("help nosuch: stderr = %q", stderr)
	}
}

func TestUnknownCommand(t *testing.T) {
	code, stdout, stderr := runCmd(t, "nosuch")
	if code != exitUsage {
		t.Errorf("exit code %d, want %d", code, exitUsage)
	}
	if stdout != "" {
		t.Errorf("stdout = %q, want nothing", stdout)
	}
	if !strings.Contains(stderr, `unknown command "nosuch"`) || !strings.Contains(stderr, "Usage:") {
		t.Errorf("stderr = %q, want the error and the usage", stderr)
	}
}

func TestNoArguments(t *testing.T) {
	code, stdout, stderr := runCmd(t)
	if code != exitUsage {
		t.Errorf("exit code %d, want %d", code, exitUsage)
	}
	if stdout != "" || !strings.Contains(stderr, "Usage:") {
		t.Errorf("stdout = %q, stderr = %q; want usage on stderr only", stdout, stderr)
	}
}
