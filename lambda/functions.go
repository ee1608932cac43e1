package lambda

import (
	"archive/zip"
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/eddy-streams/eddy"
	lp "github.com/eddy-streams/eddy/protocol/lambda"
	"github.com/eddy-streams/eddy/storage"
)

// functionsTable is the MetaStore table of function records, keyed
// "REGION/NAME", each a JSON record.
const functionsTable = "lambda/functions"

// AccountConcurrency is the account's concurrency limit that reserved
// concurrency is carved from (Lambda's default quota, 1,000).
const AccountConcurrency = 1000

// record is a function as stored.
type record struct {
	Config   lp.FunctionConfiguration `json:"config"`
	Tags     map[string]string        `json:"tags,omitempty"`
	Reserved *int32                   `json:"reserved,omitempty"`
	// LocalDir, when set, is the code: a directory on the Eddy host used
	// in place (Code.S3Bucket lp.LocalCodeBucket); no zip is stored.
	LocalDir string `json:"localDir,omitempty"`
}

// Service is the Lambda service. Its methods are safe for concurrent use.
type Service struct {
	cfg        Config
	meta       storage.MetaStore
	log        *slog.Logger
	codeDir    string // content-addressed zips
	runDir     string // unzipped code, per function revision
	runtimeDir string // the embedded runtime clients
	logDir     string // running instances' output
	tmpDir     string // removed by Close; "" when DataDir was given

	mu struct {
		sync.Mutex
		pools  map[string]*pool // by "REGION/NAME"
		closed bool
	}
	asyncWG sync.WaitGroup

	dataDir   string     // Config.DataDir, or the temporary one
	funcLogMu sync.Mutex // serializes appends to function logs

	unzipMu sync.Mutex   // one unzip at a time (see unpacked)
	unzips  atomic.Int64 // unzips done, for tests
}

// New returns the service over meta. Close stops its instances.
func New(cfg Config, meta storage.MetaStore) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	s := &Service{cfg: cfg, meta: meta, log: cfg.Logger.With("component", "lambda")}
	dir := cfg.DataDir
	if dir == "" {
		d, err := os.MkdirTemp("", "eddy-lambda-")
		if err != nil {
			return nil, fmt.Errorf("lambda: %w", err)
		}
		dir, s.tmpDir = d, d
	}
	s.dataDir = dir
	s.codeDir = filepath.Join(dir, "code")
	s.runDir = filepath.Join(dir, "run")
	s.runtimeDir = filepath.Join(dir, "runtimes")
	s.logDir = filepath.Join(dir, "logs")
	for _, d := range []string{s.codeDir, s.runDir, s.runtimeDir, s.logDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("lambda: %w", err)
		}
	}
	if err := writeRuntimeClients(s.runtimeDir); err != nil {
		return nil, fmt.Errorf("lambda: %w", err)
	}
	s.mu.pools = map[string]*pool{}
	return s, nil
}

// Close stops every instance and waits for asynchronous invocations.
func (s *Service) Close() error {
	s.mu.Lock()
	s.mu.closed = true
	pools := s.mu.pools
	s.mu.pools = map[string]*pool{}
	s.mu.Unlock()
	for _, p := range pools {
		p.shutdown()
	}
	s.asyncWG.Wait()
	if s.tmpDir != "" {
		return os.RemoveAll(s.tmpDir)
	}
	return nil
}

// Region is the region of the service's ARNs when a caller names none.
func (s *Service) arn(region, name string) string {
	return lp.FunctionARN(region, s.cfg.AccountID, name)
}

// resolve turns a FunctionName member into the function's bare name, or
// the ResourceNotFoundException Lambda answers for a qualifier other
// than $LATEST (Eddy has no versions or aliases yet).
func (s *Service) resolve(region, fn string) (string, error) {
	name, qual, ok := lp.ParseFunctionName(fn)
	if !ok {
		return "", &eddy.Error{Code: lp.CodeValidation, Message: "1 validation error detected: Value '" + fn +
			"' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: " +
			`(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?`}
	}
	if qual != "" && qual != "$LATEST" {
		return "", lp.NotFound(s.arn(region, name) + ":" + qual)
	}
	return name, nil
}

func key(region, name string) string { return region + "/" + name }

func (s *Service) load(tx storage.MetaTx, region, name string) (*record, error) {
	b, err := tx.Get(functionsTable, key(region, name))
	if errors.Is(err, storage.ErrNotFound) {
		return nil, lp.NotFound(s.arn(region, name))
	}
	if err != nil {
		return nil, err
	}
	var r record
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("decode function %s: %w", name, err)
	}
	return &r, nil
}

func store(tx storage.MetaTx, region string, r *record) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return tx.Put(functionsTable, key(region, r.Config.FunctionName), b)
}

func newRevision() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// saveCode checks that zipBytes is a zip archive and stores it under its
// SHA-256. It returns CodeSha256 as Lambda reports it (base64 of the
// digest) and the size.
func (s *Service) saveCode(zipBytes []byte) (string, int64, error) {
	if _, err := zip.NewReader(bytes.NewReader(zipBytes), int64(len(zipBytes))); err != nil {
		// Lambda's answer to a ZipFile that is no zip (moto's tests and
		// the AWS CLI's users record "Could not unzip uploaded file.
		// Please check your file, then try to upload again.").
		return "", 0, lp.InvalidParameter("Could not unzip uploaded file. Please check your file, then try to upload again.")
	}
	sum := sha256.Sum256(zipBytes)
	if err := s.shareCode(hex.EncodeToString(sum[:]), zipBytes); err != nil {
		return "", 0, err
	}
	path := filepath.Join(s.codeDir, hex.EncodeToString(sum[:])+".zip")
	if _, err := os.Stat(path); err != nil {
		tmp := path + ".tmp-" + newRevision()
		if err := os.WriteFile(tmp, zipBytes, 0o644); err != nil {
			return "", 0, fmt.Errorf("store code: %w", err)
		}
		if err := os.Rename(tmp, path); err != nil {
			return "", 0, fmt.Errorf("store code: %w", err)
		}
	}
	return base64.StdEncoding.EncodeToString(sum[:]), int64(len(zipBytes)), nil
}

// codePath is the stored zip of a configuration, fetched from the shared
// store (Config.Code) if this node has no copy (code.go).
func (s *Service) codePath(c *lp.FunctionConfiguration) (string, error) {
	sum, err := base64.StdEncoding.DecodeString(c.CodeSha256)
	if err != nil {
		return "", fmt.Errorf("function %s: bad CodeSha256 %q", c.FunctionName, c.CodeSha256)
	}
	return s.codeFile(hex.EncodeToString(sum))
}

// CreateFunction creates a function from in (validated) in region.
func (s *Service) CreateFunction(region string, in *lp.CreateFunctionInput) (*lp.FunctionConfiguration, error) {
	name, _, _ := lp.ParseFunctionName(in.FunctionName)
	var (
		sha, localDir string
		size          int64
		err           error
	)
	switch {
	case len(in.Code.ZipFile) == 0 && in.Code.S3Bucket == lp.LocalCodeBucket:
		localDir, sha, err = localCode(in.Code.S3Key)
	case len(in.Code.ZipFile) == 0 && in.Code.S3Bucket == "" && in.Tags[WebhookTag] != "":
		// A webhook function with no code at all, as the config file
		// declares them (the API's validation asks for code): CodeSize
		// 0 and the SHA-256 of no bytes.
		sum := sha256.Sum256(nil)
		sha = base64.StdEncoding.EncodeToString(sum[:])
	default:
		sha, size, err = s.saveCode(in.Code.ZipFile)
	}
	if err != nil {
		return nil, err
	}
	if err := checkWebhookTag(in.Tags); err != nil {
		return nil, err
	}
	c := lp.FunctionConfiguration{
		FunctionName:     name,
		FunctionArn:      s.arn(region, name),
		Runtime:          in.Runtime,
		Role:             in.Role,
		Handler:          in.Handler,
		CodeSize:         size,
		Description:      in.Description,
		Timeout:          lp.DefaultTimeout,
		MemorySize:       lp.DefaultMemorySize,
		LastModified:     s.cfg.Clock.Now().UTC().Format(lp.LastModifiedFormat),
		CodeSha256:       sha,
		Version:          "$LATEST",
		TracingConfig:    lp.TracingConfig{Mode: "PassThrough"},
		RevisionId:       newRevision(),
		State:            "Active",
		LastUpdateStatus: "Successful",
		PackageType:      "Zip",
		Architectures:    []string{"x86_64"},
		EphemeralStorage: lp.EphemeralStorage{Size: 512},
	}
	if len(in.Architectures) > 0 {
		c.Architectures = in.Architectures
	}
	if in.Timeout != nil {
		c.Timeout = *in.Timeout
	}
	if in.MemorySize != nil {
		c.MemorySize = *in.MemorySize
	}
	if in.Environment != nil && len(in.Environment.Variables) > 0 {
		c.Environment = &lp.EnvironmentResponse{Variables: in.Environment.Variables}
	}
	r := &record{Config: c, Tags: in.Tags, LocalDir: localDir}
	err = s.meta.Update(func(tx storage.MetaTx) error {
		if _, err := tx.Get(functionsTable, key(region, name)); err == nil {
			return lp.AlreadyExists(name)
		} else if !errors.Is(err, storage.ErrNotFound) {
			return err
		}
		return store(tx, region, r)
	})
	if err != nil {
		return nil, err
	}
	return &r.Config, nil
}

// get returns the function's record.
func (s *Service) get(region, fn string) (*record, error) {
	name, err := s.resolve(region, fn)
	if err != nil {
		return nil, err
	}
	var r *record
	err = s.meta.View(func(tx storage.MetaTx) error {
		var err error
		r, err = s.load(tx, region, name)
		return err
	})
	return r, err
}

// GetFunctionConfiguration returns the function's configuration.
func (s *Service) GetFunctionConfiguration(region, fn string) (*lp.FunctionConfiguration, error) {
	r, err := s.get(region, fn)
	if err != nil {
		return nil, err
	}
	return &r.Config, nil
}

// GetFunction returns the function's configuration, code location,
// reserved concurrency and tags. The code location is a file:// URL of the
// stored zip (Lambda gives a presigned S3 URL), or of the local directory
// (localCodeLocation).
func (s *Service) GetFunction(region, fn string) (*lp.GetFunctionOutput, error) {
	r, err := s.get(region, fn)
	if err != nil {
		return nil, err
	}
	out := &lp.GetFunctionOutput{Configuration: &r.Config, Tags: r.Tags}
	if r.LocalDir != "" {
		out.Code = localCodeLocation(r.LocalDir)
	} else {
		// A function of no code (a webhook) has no zip to fetch.
		sum, _ := base64.StdEncoding.DecodeString(r.Config.CodeSha256)
		path := filepath.Join(s.codeDir, hex.EncodeToString(sum)+".zip")
		if r.Config.CodeSize > 0 {
			if path, err = s.codePath(&r.Config); err != nil {
				return nil, err
			}
		}
		out.Code = &lp.FunctionCodeLocation{RepositoryType: "S3", Location: "file://" + path}
	}
	if r.Reserved != nil {
		out.Concurrency = &lp.Concurrency{ReservedConcurrentExecutions: r.Reserved}
	}
	return out, nil
}

// ListFunctions returns up to maxItems functions of region in name order
// after marker (the NextMarker of the previous page, "" for the first).
func (s *Service) ListFunctions(region, marker string, maxItems int) (*lp.ListFunctionsOutput, error) {
	out := &lp.ListFunctionsOutput{Functions: []*lp.FunctionConfiguration{}}
	after := ""
	if marker != "" {
		b, err := base64.RawURLEncoding.DecodeString(marker)
		if err != nil || len(b) == 0 {
			// No recorded wording for a bad marker; Lambda answers
			// InvalidParameterValueException for malformed parameters.
			return nil, lp.InvalidParameter("Invalid marker: %s", marker)
		}
		after = key(region, string(b))
	}
	err := s.meta.View(func(tx storage.MetaTx) error {
		return tx.Scan(functionsTable, region+"/", after, func(k string, v []byte) (bool, error) {
			if len(out.Functions) == maxItems {
				last := out.Functions[len(out.Functions)-1].FunctionName
				out.NextMarker = base64.RawURLEncoding.EncodeToString([]byte(last))
				return false, nil
			}
			var r record
			if err := json.Unmarshal(v, &r); err != nil {
				return false, fmt.Errorf("decode function %s: %w", k, err)
			}
			out.Functions = append(out.Functions, &r.Config)
			return true, nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// update applies fn to the function's record under a new RevisionId and
// LastModified, after checking revisionID (if set) against the current
// one as Lambda does.
func (s *Service) update(region, fnName, revisionID string, fn func(r *record) error) (*record, error) {
	name, err := s.resolve(region, fnName)
	if err != nil {
		return nil, err
	}
	var r *record
	err = s.meta.Update(func(tx storage.MetaTx) error {
		var err error
		if r, err = s.load(tx, region, name); err != nil {
			return err
		}
		if revisionID != "" && revisionID != r.Config.RevisionId {
			// Lambda's wording (PreconditionFailedException, 412 in the
			// model); seen in AWS CLI users' reports.
			return &eddy.Error{Code: "PreconditionFailedException", Message: "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id"}
		}
		if err := fn(r); err != nil {
			return err
		}
		r.Config.RevisionId = newRevision()
		r.Config.LastModified = s.cfg.Clock.Now().UTC().Format(lp.LastModifiedFormat)
		return store(tx, region, r)
	})
	if err != nil {
		return nil, err
	}
	s.retire(region, name)
	return r, nil
}

// UpdateFunctionCode replaces the function's code. Warm instances of the
// old code are stopped.
func (s *Service) UpdateFunctionCode(region, fn string, in *lp.UpdateFunctionCodeInput) (*lp.FunctionConfiguration, error) {
	sha, size, err := s.saveCode(in.ZipFile)
	if err != nil {
		return nil, err
	}
	if in.DryRun {
		r, err := s.get(region, fn)
		if err != nil {
			return nil, err
		}
		c := r.Config
		c.CodeSha256, c.CodeSize = sha, size
		return &c, nil
	}
	r, err := s.update(region, fn, in.RevisionId, func(r *record) error {
		r.Config.CodeSha256, r.Config.CodeSize = sha, size
		r.LocalDir = "" // a zip replaces a local directory
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &r.Config, nil
}

// UpdateFunctionConfiguration changes the members in sets; the
// environment, when given, replaces the old one whole, as on Lambda.
func (s *Service) UpdateFunctionConfiguration(region, fn string, in *lp.UpdateFunctionConfigurationInput) (*lp.FunctionConfiguration, error) {
	r, err := s.update(region, fn, in.RevisionId, func(r *record) error {
		c := &r.Config
		if in.Runtime != nil {
			c.Runtime = *in.Runtime
		}
		if in.Role != nil {
			c.Role = *in.Role
		}
		if in.Handler != nil {
			c.Handler = *in.Handler
		}
		if in.Description != nil {
			c.Description = *in.Description
		}
		if in.Timeout != nil {
			c.Timeout = *in.Timeout
		}
		if in.MemorySize != nil {
			c.MemorySize = *in.MemorySize
		}
		if in.Environment != nil {
			c.Environment = nil
			if len(in.Environment.Variables) > 0 {
				c.Environment = &lp.EnvironmentResponse{Variables: in.Environment.Variables}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &r.Config, nil
}

// DeleteFunction deletes the function and stops its instances.
func (s *Service) DeleteFunction(region, fn string) error {
	name, err := s.resolve(region, fn)
	if err != nil {
		return err
	}
	err = s.meta.Update(func(tx storage.MetaTx) error {
		if _, err := s.load(tx, region, name); err != nil {
			return err
		}
		return tx.Delete(functionsTable, key(region, name))
	})
	if err != nil {
		return err
	}
	s.mu.Lock()
	p := s.mu.pools[key(region, name)]
	delete(s.mu.pools, key(region, name))
	s.mu.Unlock()
	if p != nil {
		p.shutdown()
	}
	return nil
}

// PutFunctionConcurrency reserves n concurrent executions for the
// function, leaving at least lp.UnreservedMinimum of the account's
// AccountConcurrency unreserved.
func (s *Service) PutFunctionConcurrency(region, fn string, n int32) (int32, error) {
	name, err := s.resolve(region, fn)
	if err != nil {
		return 0, err
	}
	err = s.meta.Update(func(tx storage.MetaTx) error {
		r, err := s.load(tx, region, name)
		if err != nil {
			return err
		}
		reserved := int64(n)
		err = tx.Scan(functionsTable, region+"/", "", func(k string, v []byte) (bool, error) {
			if k == key(region, name) {
				return true, nil
			}
			var o record
			if err := json.Unmarshal(v, &o); err != nil {
				return false, err
			}
			if o.Reserved != nil {
				reserved += int64(*o.Reserved)
			}
			return true, nil
		})
		if err != nil {
			return err
		}
		if AccountConcurrency-reserved < lp.UnreservedMinimum {
			// Lambda's wording, as AWS users report it.
			return lp.InvalidParameter("Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [%d].", lp.UnreservedMinimum)
		}
		r.Reserved = &n
		return store(tx, region, r)
	})
	return n, err
}

// DeleteFunctionConcurrency removes the function's reservation.
func (s *Service) DeleteFunctionConcurrency(region, fn string) error {
	_, err := s.update(region, fn, "", func(r *record) error {
		r.Reserved = nil
		return nil
	})
	return err
}

// GetFunctionConcurrency returns the reservation, nil for none.
func (s *Service) GetFunctionConcurrency(region, fn string) (*int32, error) {
	r, err := s.get(region, fn)
	if err != nil {
		return nil, err
	}
	return r.Reserved, nil
}

// sortedEnv returns the variables as KEY=VALUE, sorted.
func sortedEnv(m map[string]string) []string {
	var out []string
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// unzip extracts the zip at path into dir, keeping file modes.
func unzip(path, dir string) error {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return err
	}
	defer zr.Close()
	for _, f := range zr.File {
		target := filepath.Join(dir, f.Name)
		if !strings.HasPrefix(target, filepath.Clean(dir)+string(os.PathSeparator)) {
			return fmt.Errorf("zip entry %q escapes the code directory", f.Name)
		}
		if f.FileInfo().IsDir() {
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		mode := f.Mode().Perm()
		if mode == 0 {
			mode = 0o644
		}
		rc, err := f.Open()
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		_, err = buf.ReadFrom(rc)
		rc.Close()
		if err != nil {
			return err
		}
		if err := os.WriteFile(target, buf.Bytes(), mode|0o400); err != nil {
			return err
		}
	}
	return nil
}
