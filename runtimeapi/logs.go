package runtimeapi

import (
	"bytes"
	"log/slog"
	"sync"

	"github.com/eddy-streams/eddy/lambda"
)

// logBuffer takes an instance's stdout and stderr: each line goes to the
// service log at debug level with the function's name, and the output of
// the invocation in progress is kept (its last lambda.TailBytes) for Tail.
type logBuffer struct {
	log *slog.Logger
	mu  struct {
		sync.Mutex
		partial []byte // an unfinished line
		tail    []byte // the current invocation's output, at most lambda.TailBytes
	}
}

func newLogBuffer(log *slog.Logger) *logBuffer { return &logBuffer{log: log} }

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.mu.tail = append(b.mu.tail, p...)
	if n := len(b.mu.tail); n > lambda.TailBytes {
		b.mu.tail = append(b.mu.tail[:0], b.mu.tail[n-lambda.TailBytes:]...)
	}
	b.mu.partial = append(b.mu.partial, p...)
	for {
		i := bytes.IndexByte(b.mu.partial, '\n')
		if i < 0 {
			break
		}
		b.log.Debug("function output", "line", string(b.mu.partial[:i]))
		b.mu.partial = b.mu.partial[i+1:]
	}
	if len(b.mu.partial) > 64<<10 {
		b.log.Debug("function output", "line", string(b.mu.partial))
		b.mu.partial = nil
	}
	return len(p), nil
}

// reset starts a new invocation's tail.
func (b *logBuffer) reset() {
	b.mu.Lock()
	b.mu.tail = b.mu.tail[:0]
	b.mu.Unlock()
}

// tail returns the current invocation's output so far (the last lambda.TailBytes).
func (b *logBuffer) tail() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]byte(nil), b.mu.tail...)
}
