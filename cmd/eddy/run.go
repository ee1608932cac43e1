package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1 // the command ran and failed
	exitUsage = 2 // bad command line
)

// A command is one subcommand of eddy. Its run function parses its own flags
// from args (with a flag.FlagSet from newFlags), writes its output to stdout
// and diagnostics to stderr, and stops when ctx is cancelled (on SIGINT or
// SIGTERM).
type command struct {
	name    string
	summary string // one line, lowercase, for the usage listing
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

// commands lists eddy's subcommands in the order usage shows them. To add a
// subcommand, write its func in its own file and add a line here. "help" is
// handled by run itself.
var commands = []command{
	{"serve", "serve the Kinesis API (HTTP/1.1, h2c, HTTPS) on local storage", runServe},
	{"put", "put records from stdin or files into a stream (KPL-style producer)", runPut},
	{"tail", "print a stream's records as they come, shard by shard, following reshards", runTail},
	{"sql", "run a SQL query (the Kinesis Data Analytics dialect) over a stream and print its rows live", runSQL},
	{"agent", "tail log files into streams and delivery streams, as the Kinesis Agent does", runAgent},
	{"logs", "print a function's log (stdout, stderr, START/END/REPORT); --follow for new lines", runLogs},
	{"health", "check a running server's admin /health (or /ready); exit 0 if it answers 200", runHealth},
	{"version", "print the version, commit and Go version (also: eddy --version)", runVersion},
}

// usageError reports a bad command line; run exits with exitUsage.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// run executes the command line args (without the program name) and returns
// the process exit code.
func run(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		return help(ctx, rest, stdout, stderr)
	case "-version", "--version":
		name = "version"
	}
	cmd, ok := lookup(name)
	if !ok {
		fmt.Fprintf(stderr, "eddy: unknown command %q\n\n", name)
		usage(stderr)
		return exitUsage
	}
	if asksForHelp(rest) {
		// As "eddy help <command>": the command's usage on stdout.
		return help(ctx, []string{cmd.name}, stdout, stderr)
	}
	return exitCode(cmd.run(ctx, rest, stdout, stderr), cmd.name, stderr)
}

// asksForHelp reports whether a command's arguments hold -h, -help or
// --help before any "--". The flag package would print the usage to the
// command's stderr; someone who asked for it expects it on stdout.
func asksForHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help":
			return true
		}
	}
	return false
}

// help implements "eddy help [command]".
func help(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	switch len(args) {
	case 0:
		usage(stdout)
		return exitOK
	case 1:
		cmd, ok := lookup(args[0])
		if !ok {
			fmt.Fprintf(stderr, "eddy help: unknown command %q\n\n", args[0])
			usage(stderr)
			return exitUsage
		}
		// A command's -h prints its synopsis and flags to its flag set's
		// output; send that to stdout, since help was asked for.
		return exitCode(cmd.run(ctx, []string{"-h"}, stdout, stdout), cmd.name, stderr)
	default:
		fmt.Fprintln(stderr, "usage: eddy help [command]")
		return exitUsage
	}
}

// exitCode maps a command's error to an exit code, reporting it on stderr.
func exitCode(err error, name string, stderr io.Writer) int {
	var uerr *usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &uerr):
		if uerr.msg != "" {
			fmt.Fprintf(stderr, "eddy %s: %s\n", name, uerr.msg)
		}
		return exitUsage
	default:
		fmt.Fprintf(stderr, "eddy %s: %v\n", name, err)
		return exitError
	}
}

func lookup(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// usage writes the top-level usage text to w. scripts/run.sh looks for a
// command's name at the start of an indented line here to learn whether the
// binary has it.
func usage(w io.Writer) {
	fmt.Fprint(w, `Eddy is a Kinesis-compatible streaming data platform.

Usage:
  eddy <command> [flags] [args]

Commands:
`)
	tw := tabwriter.NewWriter(w, 0, 0, 3, ' ', 0)
	for _, c := range commands {
		fmt.Fprintf(tw, "  %s\t%s\n", c.name, c.summary)
	}
	fmt.Fprintf(tw, "  %s\t%s\n", "help", "show this text, or a command's flags")
	tw.Flush()
	fmt.Fprint(w, `
Run "eddy help <command>" or "eddy <command> -h" for a command's flags.
`)
}

// newFlags returns a flag set for subcommand name whose usage message starts
// with "usage: eddy name synopsis" and lists the flags. Parse errors are
// printed to stderr and returned; pass them through parseFlags.
func newFlags(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("eddy "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), strings.TrimSpace("usage: eddy "+name+" "+synopsis))
		var hasFlags bool
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			fmt.Fprintln(fs.Output(), "\nFlags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parseFlags parses args with fs and turns a bad command line into a
// usageError (the flag package has already printed the details).
// flag.ErrHelp comes back unchanged.
func parseFlags(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return err
	}
	return &usageError{}
}

// parseInterspersed parses args with fs, letting flags follow positional
// arguments (the flag package stops at the first): each argument that is
// not a flag goes to arg, in order, and parsing goes on after it. What
// follows "--" is returned as it is.
func parseInterspersed(fs *flag.FlagSet, args []string, arg func(string)) (afterDashes []string, err error) {
	rest := args
	for {
		if err := parseFlags(fs, rest); err != nil {
			return nil, err
		}
		rest = fs.Args()
		if len(rest) == 0 {
			return nil, nil
		}
		if rest[0] == "--" {
			return rest[1:], nil
		}
		arg(rest[0])
		rest = rest[1:]
	}
}

// noArgs returns a usageError if fs has positional arguments left.
func noArgs(fs *flag.FlagSet) error {
	if fs.NArg() > 0 {
		fs.Usage()
		return &usageError{msg: fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	return nil
}
