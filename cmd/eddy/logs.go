package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/eddy-streams/eddy/lambda"
	lp "github.com/eddy-streams/eddy/protocol/lambda"
)

const logsSynopsis = "[--follow|-f] [--since DURATION] [flags] FUNCTION"

const logsHelp = `
eddy logs prints a function's log: its instances' stdout and stderr and
Eddy's START, END and REPORT lines, each prefixed with the time Eddy
recorded it. It reads the log file a server keeps under its data directory
(<data-dir>/lambda/logs/functions/REGION/FUNCTION.log, and the rotated
FUNCTION.log.1 before it), so it runs on the server's host and needs no
running server; an --in-memory server keeps its logs in a temporary
directory that eddy logs does not find. With --follow it prints new lines
as they are recorded (when the invocation that printed them ends) until
SIGINT or SIGTERM.
`

// runLogs implements "eddy logs".
func runLogs(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("logs", logsSynopsis, stderr)
	var follow bool
	fs.BoolVar(&follow, "follow", false, "keep printing new lines until SIGINT or SIGTERM")
	fs.BoolVar(&follow, "f", false, "shorthand for --follow")
	var (
		since   = fs.Duration("since", 0, "print only lines recorded in the last `DURATION` (e.g. 10m; default all)")
		dataDir = fs.String("data-dir", defaultServeConfig().DataDir, "the server's data directory (its --data-dir)")
		region  = fs.String("region", defaultServeConfig().Region, "the function's region")
		poll    = fs.Duration("poll-interval", 200*time.Millisecond, "with --follow, the wait between looks at the file")
	)
	usage := fs.Usage
	fs.Usage = func() { usage(); fmt.Fprint(fs.Output(), logsHelp) }
	var positional []string
	rest := args
	for {
		if err := parseFlags(fs, rest); err != nil {
			return err
		}
		rest = fs.Args()
		if len(rest) == 0 {
			break
		}
		positional = append(positional, rest[0])
		rest = rest[1:]
	}
	if len(positional) != 1 {
		fs.Usage()
		return &usageError{msg: "one FUNCTION is required"}
	}
	name, _, ok := lp.ParseFunctionName(positional[0])
	if !ok {
		return &usageError{msg: fmt.Sprintf("%q is not a function name or ARN", positional[0])}
	}
	if *poll <= 0 {
		return &usageError{msg: "--poll-interval must be positive"}
	}
	l := &logReader{
		path: lambda.FunctionLogPath(filepath.Join(*dataDir, "lambda"), *region, name),
		out:  stdout,
	}
	if *since > 0 {
		l.since = time.Now().Add(-*since)
	}
	if err := l.history(); err != nil {
		if !errors.Is(err, errNotExist) || !follow {
			if errors.Is(err, errNotExist) {
				return fmt.Errorf("no log for function %s in region %s under %s (not invoked yet, or another --data-dir?)", name, *region, *dataDir)
			}
			return err
		}
	}
	if !follow {
		return nil
	}
	t := time.NewTicker(*poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		if err := l.more(); err != nil && !errors.Is(err, errNotExist) {
			return err
		}
	}
}

var errNotExist = iofs.ErrNotExist

// logReader prints a function log's lines: the history, then what is
// appended, following rotation (the file renamed to .1, a new one begun).
type logReader struct {
	path    string
	out     io.Writer
	since   time.Time
	current os.FileInfo // the file read up to offset
	offset  int64
	partial []byte // a line not yet complete
}

// history prints the rotated file, then the current one.
func (l *logReader) history() error {
	if b, err := os.ReadFile(l.path + ".1"); err == nil {
		if err := l.print(b); err != nil {
			return err
		}
		l.partial = nil
	}
	return l.more()
}

// more prints what the current file gained since the last look.
func (l *logReader) more() error {
	st, err := os.Stat(l.path)
	if err != nil {
		return err
	}
	if l.current != nil && (!os.SameFile(l.current, st) || st.Size() < l.offset) {
		// Rotated: finish the old file (now .1), then begin the new one.
		if old, err := os.Stat(l.path + ".1"); err == nil && os.SameFile(l.current, old) {
			if err := l.readFrom(l.path+".1", l.offset); err != nil {
				return err
			}
		}
		l.offset, l.partial = 0, nil
	}
	l.current = st
	return l.readFrom(l.path, l.offset)
}

func (l *logReader) readFrom(path string, off int64) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		return err
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return err
	}
	l.offset = off + int64(len(b))
	return l.print(b)
}

// print writes the complete lines of b (after any partial line kept from
// before) recorded since l.since, and keeps an incomplete last line.
func (l *logReader) print(b []byte) error {
	b = append(l.partial, b...)
	l.partial = nil
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			l.partial = append([]byte(nil), b...)
			return nil
		}
		line := b[:i+1]
		b = b[i+1:]
		if !l.since.IsZero() && !recordedSince(line, l.since) {
			continue
		}
		if _, err := l.out.Write(line); err != nil {
			return err
		}
	}
	return nil
}

// recordedSince reports whether a function log line was recorded at or
// after t (a line without a readable time counts as recorded).
func recordedSince(line []byte, t time.Time) bool {
	n := len(lambda.FunctionLogTimeFormat)
	if len(line) < n {
		return true
	}
	at, err := time.Parse(lambda.FunctionLogTimeFormat, string(line[:n]))
	return err != nil || !at.Before(t)
}
