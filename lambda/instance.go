package lambda

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	lp "github.com/eddy-streams/eddy/protocol/lambda"
)

// invocation is one event handed to an instance.
type invocation struct {
	id, arn, traceID string
	payload          []byte
	deadline         time.Time
	done             chan result // buffered 1; the first result wins
}

// result is what an invocation ended with.
type result struct {
	payload []byte
	errored bool // payload is a function error
}

// instance is one running function process with its Runtime API.
type instance struct {
	fn       *lp.FunctionConfiguration // the configuration it was started with
	revision string
	cmd      *exec.Cmd
	srv      *http.Server
	invq     chan *invocation
	ready    chan struct{} // closed at the first /next
	stopped  chan struct{} // closed by stop
	exited   chan struct{} // closed when the process has exited
	exitErr  error         // valid after exited
	logs     *logBuffer

	readyOnce, stopOnce sync.Once
	mu                  struct {
		sync.Mutex
		cur     *invocation
		initErr []byte // the init/error post, if any
	}
}

func (i *instance) markReady() { i.readyOnce.Do(func() { close(i.ready) }) }

// deliver hands res to the current invocation if its id is id.
func (i *instance) deliver(id string, res result) bool {
	i.mu.Lock()
	inv := i.mu.cur
	if inv == nil || inv.id != id {
		i.mu.Unlock()
		return false
	}
	i.mu.cur = nil
	i.mu.Unlock()
	inv.done <- res
	return true
}

func (i *instance) initFailed(payload []byte) {
	i.mu.Lock()
	i.mu.initErr = payload
	i.mu.Unlock()
}

func (i *instance) initError() []byte {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.mu.initErr
}

// stop kills the process group and closes the Runtime API.
func (i *instance) stop() {
	i.stopOnce.Do(func() {
		close(i.stopped)
		if i.cmd.Process != nil {
			syscall.Kill(-i.cmd.Process.Pid, syscall.SIGKILL)
		}
		i.srv.Close()
	})
}

// alive reports whether the instance may take another invocation.
func (i *instance) alive() bool {
	select {
	case <-i.exited:
		return false
	case <-i.stopped:
		return false
	default:
		return true
	}
}

// start starts an instance of c (region's function) and waits until it
// asks for its first invocation, fails its init, exits or the init timeout
// passes. A failed start returns the function error payload to answer the
// invocation with.
func (s *Service) start(region string, c *lp.FunctionConfiguration) (*instance, []byte, error) {
	codeDir := filepath.Join(s.runDir, c.FunctionName+"-"+c.RevisionId)
	if _, err := os.Stat(codeDir); err != nil {
		zipPath, err := s.codePath(c)
		if err != nil {
			return nil, nil, err
		}
		tmp := codeDir + ".tmp-" + newRevision()
		if err := os.MkdirAll(tmp, 0o755); err != nil {
			return nil, nil, err
		}
		if err := unzip(zipPath, tmp); err != nil {
			os.RemoveAll(tmp)
			return nil, nil, fmt.Errorf("unzip code of %s: %w", c.FunctionName, err)
		}
		if err := os.Rename(tmp, codeDir); err != nil && !errors.Is(err, os.ErrExist) {
			os.RemoveAll(tmp)
			if _, serr := os.Stat(codeDir); serr != nil {
				return nil, nil, err
			}
		}
	}
	argv, err := s.command(c, codeDir)
	if err != nil {
		return nil, mustJSON(map[string]string{"errorType": "Runtime.InvalidEntrypoint", "errorMessage": err.Error()}), nil
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, fmt.Errorf("runtime api listener: %w", err)
	}
	cc := *c
	i := &instance{
		fn: &cc, revision: c.RevisionId,
		invq: make(chan *invocation), ready: make(chan struct{}),
		stopped: make(chan struct{}), exited: make(chan struct{}),
		logs: newLogBuffer(s.log.With("function", c.FunctionName)),
	}
	i.srv = &http.Server{Handler: i, ReadHeaderTimeout: 10 * time.Second}
	go i.srv.Serve(ln)

	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = codeDir
	cmd.Env = s.environment(region, c, codeDir, ln.Addr().String())
	cmd.Stdout, cmd.Stderr = i.logs, i.logs
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	i.cmd = cmd
	if err := cmd.Start(); err != nil {
		i.srv.Close()
		return nil, mustJSON(map[string]string{"errorType": "Runtime.InvalidEntrypoint", "errorMessage": err.Error()}), nil
	}
	go func() {
		i.exitErr = cmd.Wait()
		close(i.exited)
		i.stop()
	}()
	timer := time.NewTimer(s.cfg.InitTimeout)
	defer timer.Stop()
	select {
	case <-i.ready:
		return i, nil, nil
	case <-i.exited:
	case <-timer.C:
		i.stop()
		<-i.exited
		return nil, mustJSON(map[string]string{"errorType": "Runtime.Unknown",
			"errorMessage": fmt.Sprintf("Init timed out after %.2f seconds", s.cfg.InitTimeout.Seconds())}), nil
	}
	if p := i.initError(); p != nil {
		return nil, p, nil
	}
	return nil, exitError("", i.exitErr), nil
}

// exitError is the function error of an instance that exited (Lambda's
// wording: "RequestId: ID Error: Runtime exited with error: exit status
// N", errorType Runtime.ExitError).
func exitError(requestID string, err error) []byte {
	msg := "Runtime exited without providing a reason"
	if err != nil {
		msg = "Runtime exited with error: " + err.Error()
	}
	if requestID != "" {
		msg = "RequestId: " + requestID + " Error: " + msg
	}
	return mustJSON(map[string]string{"errorType": "Runtime.ExitError", "errorMessage": msg})
}

// command is the argv that runs c's runtime in codeDir.
func (s *Service) command(c *lp.FunctionConfiguration, codeDir string) ([]string, error) {
	switch {
	case strings.HasPrefix(c.Runtime, "provided"):
		boot := filepath.Join(codeDir, "bootstrap")
		st, err := os.Stat(boot)
		if err != nil {
			return nil, errors.New("Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]")
		}
		if st.Mode().Perm()&0o111 == 0 {
			return nil, errors.New("fork/exec /var/task/bootstrap: permission denied")
		}
		return []string{boot}, nil
	case strings.HasPrefix(c.Runtime, "python3."):
		py, err := exec.LookPath(s.cfg.Python)
		if err != nil {
			return nil, fmt.Errorf("python interpreter %q not found: %v", s.cfg.Python, err)
		}
		return []string{py, "-u", filepath.Join(s.runtimeDir, pythonClient)}, nil
	case strings.HasPrefix(c.Runtime, "nodejs"):
		node, err := exec.LookPath(s.cfg.Node)
		if err != nil {
			return nil, fmt.Errorf("node interpreter %q not found: %v", s.cfg.Node, err)
		}
		return []string{node, filepath.Join(s.runtimeDir, nodeClient)}, nil
	}
	return nil, fmt.Errorf("unsupported runtime %s", c.Runtime)
}

// environment is the process environment Lambda gives a runtime
// (docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html,
// "Defined runtime environment variables"), the function's own variables
// first so that the reserved ones win.
func (s *Service) environment(region string, c *lp.FunctionConfiguration, codeDir, api string) []string {
	var env []string
	if c.Environment != nil {
		env = sortedEnv(c.Environment.Variables)
	}
	env = append(env,
		"PATH="+os.Getenv("PATH"),
		"LANG=en_US.UTF-8",
		"TZ=:UTC",
		"AWS_LAMBDA_RUNTIME_API="+api,
		"AWS_LAMBDA_FUNCTION_NAME="+c.FunctionName,
		"AWS_LAMBDA_FUNCTION_VERSION="+c.Version,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE="+strconv.Itoa(int(c.MemorySize)),
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/"+c.FunctionName,
		"AWS_LAMBDA_LOG_STREAM_NAME="+time.Now().UTC().Format("2006/01/02")+"/[$LATEST]"+strings.ReplaceAll(newRevision(), "-", ""),
		"AWS_EXECUTION_ENV=AWS_Lambda_"+c.Runtime,
		"_HANDLER="+c.Handler,
		"LAMBDA_TASK_ROOT="+codeDir,
		"LAMBDA_RUNTIME_DIR="+s.runtimeDir,
		"AWS_REGION="+region,
		"AWS_DEFAULT_REGION="+region,
		"AWS_ACCESS_KEY_ID="+s.cfg.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY="+s.cfg.SecretAccessKey,
	)
	if s.cfg.SessionToken != "" {
		env = append(env, "AWS_SESSION_TOKEN="+s.cfg.SessionToken)
	}
	if s.cfg.Endpoint != "" {
		env = append(env, "AWS_ENDPOINT_URL="+s.cfg.Endpoint)
	}
	return env
}

// run hands inv to i and waits for its result, the deadline or the
// process's exit. ok is false if the instance must not be reused.
func (i *instance) run(ctx context.Context, inv *invocation) (res result, ok bool) {
	select {
	case i.invq <- inv:
	case <-i.exited:
		return result{errored: true, payload: exitError(inv.id, i.exitErr)}, false
	case <-ctx.Done():
		return result{}, true
	}
	timer := time.NewTimer(time.Until(inv.deadline))
	defer timer.Stop()
	select {
	case res := <-inv.done:
		return res, true
	case <-i.exited:
		select {
		case res := <-inv.done: // posted just before exiting
			return res, false
		default:
		}
		return result{errored: true, payload: exitError(inv.id, i.exitErr)}, false
	case <-timer.C:
		i.stop()
		<-i.exited
		secs := float64(i.fn.Timeout)
		i.logs.Write(fmt.Appendf(nil, "%s %s Task timed out after %.2f seconds\n", time.Now().UTC().Format("2006-01-02T15:04:05.000Z"), inv.id, secs))
		// Lambda's payload for a timeout (errorType Sandbox.Timedout,
		// "RequestId: ID Error: Task timed out after N.NN seconds").
		return result{errored: true, payload: mustJSON(map[string]string{
			"errorType":    "Sandbox.Timedout",
			"errorMessage": fmt.Sprintf("RequestId: %s Error: Task timed out after %.2f seconds", inv.id, secs),
		})}, false
	}
}
