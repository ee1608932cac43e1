package runtimeapi

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os/exec"
	"sync"
	"time"

	"github.com/eddy-streams/eddy/lambda"
)

// Launcher implements lambda.Launcher: each instance a process with its
// own Runtime API listener.
type Launcher struct{}

var _ lambda.Launcher = Launcher{}

// Start implements lambda.Launcher.
func (Launcher) Start(spec lambda.InstanceSpec) (lambda.Instance, []byte, error) {
	i, failed, err := Start(spec)
	if i == nil {
		return nil, failed, err
	}
	return i, nil, nil
}

// current is the invocation an instance works on.
type current struct {
	inv  *lambda.Invocation
	done chan lambda.Result // buffered 1; the first result wins
}

// Instance is one running function process with its Runtime API.
type Instance struct {
	cmd     *exec.Cmd
	srv     *http.Server
	addr    string
	invq    chan *current
	ready   chan struct{} // closed at the first /next
	stopped chan struct{} // closed by Stop
	exited  chan struct{} // closed when the process has exited
	exitErr error         // valid after exited
	logs    *logFile

	readyOnce, stopOnce, closeOnce sync.Once
	mu                             struct {
		sync.Mutex
		cur     *current
		initErr []byte // the init/error post, if any
	}
}

// Start starts an instance and waits until it asks for its first
// invocation, fails its init, exits, or spec.InitTimeout passes. When the
// process cannot start or its init fails, Start returns a nil Instance and
// the function error payload to answer the invocation with; err is for
// Eddy's own failures (no listener).
func Start(spec lambda.InstanceSpec) (*Instance, []byte, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, fmt.Errorf("runtime api listener: %w", err)
	}
	logger := spec.Logger
	if logger == nil {
		logger = slog.Default()
	}
	logs, err := openLog(spec.LogPath, logger)
	if err != nil {
		ln.Close()
		return nil, nil, err
	}
	i := &Instance{
		addr: ln.Addr().String(),
		invq: make(chan *current), ready: make(chan struct{}),
		stopped: make(chan struct{}), exited: make(chan struct{}),
		logs: logs,
	}
	i.srv = &http.Server{Handler: i, ReadHeaderTimeout: 10 * time.Second}
	go i.srv.Serve(ln)

	cmd := exec.Command(spec.Argv[0], spec.Argv[1:]...)
	cmd.Dir = spec.Dir
	cmd.Env = append(append([]string(nil), spec.Env...), "AWS_LAMBDA_RUNTIME_API="+i.addr)
	cmd.Stdout, cmd.Stderr = logs.f, logs.f // the file itself: see logFile
	ownProcessGroup(cmd)
	i.cmd = cmd
	if err := cmd.Start(); err != nil {
		i.srv.Close()
		logs.close()
		return nil, mustJSON(map[string]string{"errorType": "Runtime.InvalidEntrypoint", "errorMessage": err.Error()}), nil
	}
	go func() {
		i.exitErr = cmd.Wait()
		close(i.exited)
		i.kill()
	}()
	timer := time.NewTimer(spec.InitTimeout)
	defer timer.Stop()
	select {
	case <-i.ready:
		return i, nil, nil
	case <-i.exited:
	case <-timer.C:
		i.Stop()
		<-i.exited
		return nil, mustJSON(map[string]string{"errorType": "Runtime.Unknown",
			"errorMessage": fmt.Sprintf("Init timed out after %.2f seconds", spec.InitTimeout.Seconds())}), nil
	}
	i.Stop()
	if p := i.initError(); p != nil {
		return nil, p, nil
	}
	return nil, ExitError("", i.exitErr), nil
}

// Addr is the instance's Runtime API address (AWS_LAMBDA_RUNTIME_API).
func (i *Instance) Addr() string { return i.addr }

func (i *Instance) markReady() { i.readyOnce.Do(func() { close(i.ready) }) }

// deliver hands res to the current invocation if its id is id.
func (i *Instance) deliver(id string, res lambda.Result) bool {
	i.mu.Lock()
	cur := i.mu.cur
	if cur == nil || cur.inv.ID != id {
		i.mu.Unlock()
		return false
	}
	i.mu.cur = nil
	i.mu.Unlock()
	cur.done <- res
	return true
}

func (i *Instance) initFailed(payload []byte) {
	i.mu.Lock()
	i.mu.initErr = payload
	i.mu.Unlock()
}

func (i *Instance) initError() []byte {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.mu.initErr
}

// Stop kills the process group and closes the Runtime API; once the
// process has exited, its log file is removed. It does not wait.
func (i *Instance) Stop() {
	i.kill()
	i.closeOnce.Do(func() {
		go func() {
			<-i.exited
			i.logs.close()
		}()
	})
}

// kill kills the process group and closes the Runtime API, keeping the
// log for the invocation's tail.
func (i *Instance) kill() {
	i.stopOnce.Do(func() {
		close(i.stopped)
		if i.cmd.Process != nil {
			killProcessGroup(i.cmd)
		}
		i.srv.Close()
	})
}

// Alive reports whether the instance may take another invocation.
func (i *Instance) Alive() bool {
	select {
	case <-i.exited:
		return false
	case <-i.stopped:
		return false
	default:
		return true
	}
}

// ExitError is the function error of an instance that exited (Lambda's
// wording: "RequestId: ID Error: Runtime exited with error: exit status
// N", errorType Runtime.ExitError).
func ExitError(requestID string, err error) []byte {
	msg := "Runtime exited without providing a reason"
	if err != nil {
		msg = "Runtime exited with error: " + err.Error()
	}
	if requestID != "" {
		msg = "RequestId: " + requestID + " Error: " + msg
	}
	return mustJSON(map[string]string{"errorType": "Runtime.ExitError", "errorMessage": msg})
}

// Run hands inv to the instance and waits for its result, the deadline or
// the process's exit. reusable is false if the instance must not take
// another invocation (it timed out, which kills it, or exited). If ctx
// ends before the instance takes inv, Run returns a zero Result.
func (i *Instance) Run(ctx context.Context, inv *lambda.Invocation) (res lambda.Result, reusable bool) {
	c := &current{inv: inv, done: make(chan lambda.Result, 1)}
	select {
	case i.invq <- c:
	case <-i.exited:
		return lambda.Result{Errored: true, Payload: ExitError(inv.ID, i.exitErr)}, false
	case <-ctx.Done():
		return lambda.Result{}, true
	}
	timer := time.NewTimer(time.Until(inv.Deadline))
	defer timer.Stop()
	select {
	case res := <-c.done:
		return res, true
	case <-i.exited:
		select {
		case res := <-c.done: // posted just before exiting
			return res, false
		default:
		}
		return lambda.Result{Errored: true, Payload: ExitError(inv.ID, i.exitErr)}, false
	case <-timer.C:
		i.kill()
		<-i.exited
		secs := inv.Timeout.Seconds()
		i.logs.Write(fmt.Appendf(nil, "%s %s Task timed out after %.2f seconds\n", time.Now().UTC().Format("2006-01-02T15:04:05.000Z"), inv.ID, secs))
		// Lambda's payload for a timeout (errorType Sandbox.Timedout,
		// "RequestId: ID Error: Task timed out after N.NN seconds"; no
		// AWS page words it, it is what Lambda's current runtimes return
		// as users report it).
		return lambda.Result{Errored: true, Payload: mustJSON(map[string]string{
			"errorType":    "Sandbox.Timedout",
			"errorMessage": fmt.Sprintf("RequestId: %s Error: Task timed out after %.2f seconds", inv.ID, secs),
		})}, false
	}
}

// Log appends a line of Eddy's own (START, END, REPORT) to the log.
func (i *Instance) Log(format string, args ...any) {
	fmt.Fprintf(i.logs, format, args...)
}

// ResetLog starts a new invocation's log tail.
func (i *Instance) ResetLog() { i.logs.reset() }

// Tail returns the current invocation's log so far (its last
// lambda.TailBytes).
func (i *Instance) Tail() []byte { return i.logs.tail() }

// Output implements lambda.Instance.
func (i *Instance) Output() []byte { return i.logs.output() }

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
