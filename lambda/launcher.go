package lambda

import (
	"context"
	"log/slog"
	"time"
)

// Launcher starts function instances. The runtimeapi package implements it
// (processes talking to their own Runtime API over loopback HTTP); cmd/eddy
// gives it to the service in Config.Launcher. It lives behind this
// interface so that the service's behaviour serves no HTTP itself.
type Launcher interface {
	// Start starts an instance and waits until it asks for its first
	// invocation. When the process cannot start or its init fails, it
	// returns a nil Instance and the function error payload to answer the
	// invocation with; err is for the launcher's own failures.
	Start(spec InstanceSpec) (inst Instance, initFailure []byte, err error)
}

// InstanceSpec is what to run as one instance.
type InstanceSpec struct {
	// Argv is the command; Argv[0] a path.
	Argv []string
	// Dir is the working directory: the unzipped code.
	Dir string
	// Env is Lambda's environment for the runtime, but for
	// AWS_LAMBDA_RUNTIME_API, which the launcher adds.
	Env []string
	// LogPath is the file the instance's output goes to; the launcher
	// creates it and removes it when the instance ends.
	LogPath string
	// InitTimeout bounds the start.
	InitTimeout time.Duration
	// Logger receives the process's output lines.
	Logger *slog.Logger
}

// Instance is one running function instance.
type Instance interface {
	// Run hands inv to the instance and waits for its result, its
	// deadline or the process's exit. reusable is false if the instance
	// must not take another invocation (it timed out, which kills it, or
	// it exited). If ctx ends before the instance takes inv, Run returns a
	// zero Result.
	Run(ctx context.Context, inv *Invocation) (res Result, reusable bool)
	// Alive reports whether the instance may take another invocation.
	Alive() bool
	// Stop kills the instance; it does not wait for the process to exit.
	Stop()
	// ResetLog starts a new invocation's log tail; Log appends a line of
	// Eddy's own (START, END, REPORT) to it; Tail returns its last
	// TailBytes.
	ResetLog()
	Log(format string, args ...any)
	Tail() []byte
	// Output returns what the instance's log gained since the last call
	// (since it started, for the first): the process's output and Eddy's
	// lines, for the function's log (functionlog.go).
	Output() []byte
}

// TailBytes is how much of an invocation's log Invoke returns with
// X-Amz-Log-Type: Tail (the last 4 KB, as Lambda's LogResult).
const TailBytes = 4096

// Invocation is one event handed to an instance.
type Invocation struct {
	ID, ARN, TraceID string
	Payload          []byte
	Deadline         time.Time
	// Timeout is the function's timeout, for the timeout's message.
	Timeout time.Duration
}

// Result is what an invocation ended with.
type Result struct {
	Payload []byte
	// Errored reports that Payload is a function error.
	Errored bool
}
