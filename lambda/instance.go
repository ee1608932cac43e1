package lambda

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	lp "github.com/eddy-streams/eddy/protocol/lambda"
)

// instance is a running instance of one revision of a function.
type instance struct {
	Instance
	fn       *lp.FunctionConfiguration // the configuration it was started with
	revision string
	expires  time.Time // when its role credentials expire; zero: never
}

// fresh reports whether the instance's credentials have 5 minutes left.
func (i *instance) fresh(now time.Time) bool {
	return i.expires.IsZero() || i.expires.Sub(now) > 5*time.Minute
}

// start starts an instance of c (region's function): the code unzipped
// once per revision, then the runtime's process on its own Runtime API. A
// failed start returns the function error payload to answer the
// invocation with.
func (s *Service) start(region string, r *record) (*instance, []byte, error) {
	c := &r.Config
	if url := webhookURL(r); url != "" {
		poster, ok := s.cfg.Launcher.(WebhookPoster)
		if !ok {
			return nil, nil, errors.New("lambda: the Launcher cannot post to webhooks")
		}
		cc := *c
		return &instance{Instance: &webhook{url: url, poster: poster}, fn: &cc, revision: c.RevisionId}, nil, nil
	}
	codeDir := r.LocalDir // used in place: each new instance sees the directory as it is
	if codeDir == "" {
		var err error
		if codeDir, err = s.unpacked(c); err != nil {
			return nil, nil, err
		}
	}
	argv, err := s.command(c, codeDir)
	if err != nil {
		return nil, mustJSON(map[string]string{"errorType": "Runtime.InvalidEntrypoint", "errorMessage": err.Error()}), nil
	}
	if s.cfg.Launcher == nil {
		return nil, nil, errors.New("lambda: no Launcher configured")
	}
	env, expires := s.environment(region, c, codeDir)
	if r.LocalDir != "" {
		// Python caches compiled modules by source mtime in whole
		// seconds and size: an edit within the second the cache was
		// written would be missed. Nor should Eddy write __pycache__
		// into the user's directory.
		env = append(env, "PYTHONDONTWRITEBYTECODE=1")
	}
	ri, failed, err := s.cfg.Launcher.Start(InstanceSpec{
		Argv: argv, Dir: codeDir, Env: env,
		LogPath:     filepath.Join(s.logDir, c.FunctionName+"-"+newRevision()+".log"),
		InitTimeout: s.cfg.InitTimeout, Logger: s.log.With("function", c.FunctionName),
	})
	if ri == nil {
		return nil, failed, err
	}
	cc := *c
	return &instance{Instance: ri, fn: &cc, revision: c.RevisionId, expires: expires}, nil, nil
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

// environment is the process environment Lambda gives a runtime (but
// AWS_LAMBDA_RUNTIME_API, which the Launcher adds)
// (docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html,
// "Defined runtime environment variables"), the function's own variables
// first so that the reserved ones win.
//
// It also returns when the credentials it holds expire (zero: never).
func (s *Service) environment(region string, c *lp.FunctionConfiguration, codeDir string) ([]string, time.Time) {
	var env []string
	if c.Environment != nil {
		env = sortedEnv(c.Environment.Variables)
	}
	env = append(env,
		"PATH="+os.Getenv("PATH"),
		"LANG=en_US.UTF-8",
		"TZ=:UTC",
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
	)
	key, secret, token := s.cfg.AccessKeyID, s.cfg.SecretAccessKey, s.cfg.SessionToken
	var expires time.Time
	if s.cfg.RoleCredentials != nil {
		rc, err := s.cfg.RoleCredentials(c.Role, c.FunctionName)
		if err != nil {
			s.log.Warn("function's execution role cannot be assumed; its instance gets the default credentials",
				"function", c.FunctionName, "role", c.Role, "error", err)
		} else {
			key, secret, token, expires = rc.AccessKeyID, rc.SecretAccessKey, rc.SessionToken, rc.Expires
		}
	}
	env = append(env, "AWS_ACCESS_KEY_ID="+key, "AWS_SECRET_ACCESS_KEY="+secret)
	if token != "" {
		env = append(env, "AWS_SESSION_TOKEN="+token)
	}
	if s.cfg.Endpoint != "" {
		env = append(env, "AWS_ENDPOINT_URL="+s.cfg.Endpoint)
	}
	if s.cfg.CABundle != "" {
		env = append(env, "AWS_CA_BUNDLE="+s.cfg.CABundle, "NODE_EXTRA_CA_CERTS="+s.cfg.CABundle)
	}
	return env, expires
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// unpacked returns the directory c's code is unzipped in, unzipping it once
// per revision: instances that start together wait for the first one's
// unzip rather than each unzipping the same zip (16 instances of a new
// mapping's function had spent half of its first seconds of CPU so).
func (s *Service) unpacked(c *lp.FunctionConfiguration) (string, error) {
	codeDir := filepath.Join(s.runDir, c.FunctionName+"-"+c.RevisionId)
	if _, err := os.Stat(codeDir); err == nil {
		return codeDir, nil
	}
	s.unzipMu.Lock()
	defer s.unzipMu.Unlock()
	if _, err := os.Stat(codeDir); err == nil {
		return codeDir, nil
	}
	zipPath, err := s.codePath(c)
	if err != nil {
		return "", err
	}
	tmp := codeDir + ".tmp-" + newRevision()
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return "", err
	}
	s.unzips.Add(1)
	if err := unzip(zipPath, tmp); err != nil {
		os.RemoveAll(tmp)
		return "", fmt.Errorf("unzip code of %s: %w", c.FunctionName, err)
	}
	if err := os.Rename(tmp, codeDir); err != nil {
		os.RemoveAll(tmp)
		if _, serr := os.Stat(codeDir); serr != nil {
			return "", err
		}
	}
	return codeDir, nil
}
