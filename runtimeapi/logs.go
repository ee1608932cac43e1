package runtimeapi

import (
	"fmt"
	"log/slog"
	"os"
	"sync"

	"github.com/eddy-streams/eddy/lambda"
)

// logFile is an instance's log: the process's stdout and stderr are the
// file itself (no pipe, no copying goroutine), and Eddy's own lines are
// appended to it. So everything the function printed before it posted its
// response is in the file when the response arrives, and the tail of an
// invocation is exact: the bytes from the offset where it began. The file
// is removed when the instance stops.
type logFile struct {
	f    *os.File
	path string
	log  *slog.Logger
	mu   struct {
		sync.Mutex
		start  int64 // where the current invocation's log begins
		copied int64 // how much output has returned
	}
}

func openLog(path string, log *slog.Logger) (*logFile, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("instance log: %w", err)
	}
	return &logFile{f: f, path: path, log: log}, nil
}

// Write appends p (O_APPEND: whole writes do not interleave with the
// process's).
func (l *logFile) Write(p []byte) (int, error) { return l.f.Write(p) }

func (l *logFile) size() int64 {
	st, err := l.f.Stat()
	if err != nil {
		return 0
	}
	return st.Size()
}

// reset starts a new invocation's log at the current end.
func (l *logFile) reset() {
	end := l.size()
	l.mu.Lock()
	l.mu.start = end
	l.mu.Unlock()
}

// tail returns the current invocation's log (its last lambda.TailBytes),
// and logs all of it at debug level.
func (l *logFile) tail() []byte {
	l.mu.Lock()
	start := l.mu.start
	l.mu.Unlock()
	end := l.size()
	if end-start > lambda.TailBytes {
		start = end - lambda.TailBytes
	}
	if end <= start {
		return nil
	}
	b := make([]byte, end-start)
	n, _ := l.f.ReadAt(b, start)
	b = b[:n]
	l.log.Debug("invocation log", "output", string(b))
	return b
}

// output returns the log's bytes after what the previous call returned.
func (l *logFile) output() []byte {
	end := l.size()
	l.mu.Lock()
	defer l.mu.Unlock()
	if end <= l.mu.copied {
		return nil
	}
	b := make([]byte, end-l.mu.copied)
	n, _ := l.f.ReadAt(b, l.mu.copied)
	l.mu.copied += int64(n)
	return b[:n]
}

func (l *logFile) close() {
	l.f.Close()
	os.Remove(l.path)
}
