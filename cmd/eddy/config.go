package main

import (
	"flag"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/internal/s3sink"
	"github.com/eddy-streams/eddy/kinesis"
)

// serveConfig is everything `eddy serve` can be told. Each field is a flag
// (its `flag` tag), an environment variable (EDDY_ and the flag name upper
// case, dashes as underscores) and a key of the YAML config file (its
// `yaml` tag). Precedence: flag, then environment, then file, then default.
type serveConfig struct {
	Listen        string        `flag:"listen" yaml:"listen" help:"address to serve the API on (HTTP/1.1 and h2c, or HTTPS with --tls-cert)"`
	DataDir       string        `flag:"data-dir" yaml:"data-dir" help:"directory for records and metadata"`
	InMemory      bool          `flag:"in-memory" yaml:"in-memory" help:"keep everything in memory (lost on exit)"`
	Region        string        `flag:"region" yaml:"region" help:"default region: of config-file streams and faults, the admin API, and requests whose signature names no valid region (every region is served)"`
	AccountID     string        `flag:"account-id" yaml:"account-id" help:"12-digit account id in ARNs and messages"`
	Backend       string        `flag:"backend" yaml:"backend" help:"where records and metadata live: segment (files under --data-dir), memory (as --in-memory) or jetstream (a NATS JetStream cluster, --nats-url; several Eddy nodes on one cluster serve the same streams, docs/CLUSTER.md)"`
	NATSURL       string        `flag:"nats-url" yaml:"nats-url" help:"with --backend jetstream: the NATS servers, comma-separated (nats://a:4222,nats://b:4222); user and password may be in the URL"`
	Replicas      int           `flag:"replicas" yaml:"replicas" help:"with --backend jetstream: copies JetStream keeps of every shard and of the metadata, 1 or 3"`
	NATSCreds     string        `flag:"nats-creds" yaml:"nats-creds" help:"with --backend jetstream: NATS credentials file (JWT and NKey seed)"`
	NATSCA        string        `flag:"nats-ca" yaml:"nats-ca" help:"with --backend jetstream: CA certificate file (PEM) the NATS servers' TLS certificates are verified with"`
	NATSCert      string        `flag:"nats-cert" yaml:"nats-cert" help:"with --backend jetstream: client certificate file (PEM) for NATS servers that verify clients (with --nats-key)"`
	NATSKey       string        `flag:"nats-key" yaml:"nats-key" help:"with --backend jetstream: private key file (PEM) of --nats-cert"`
	NodeID        string        `flag:"node-id" yaml:"node-id" help:"with --backend jetstream: this node's name in the leases of background jobs (docs/CLUSTER.md); default a random one at each start"`
	LeaseTTL      time.Duration `flag:"lease-ttl" yaml:"lease-ttl" help:"with --backend jetstream: how long a background job's leader lease lasts without renewal; a dead leader's jobs move after about this (more than the nodes' clock skew plus a third of it)"`
	NATSPrefix    string        `flag:"nats-prefix" yaml:"nats-prefix" help:"with --backend jetstream: start of the names of Eddy's JetStream streams and subjects, so several Eddy clusters can share a NATS cluster"`
	Sync          string        `flag:"sync" yaml:"sync" help:"when records are fsync'd: always (before acknowledging), interval, none"`
	SyncFS        bool          `flag:"syncfs" yaml:"syncfs" help:"with --sync always, concurrent appends to all shards share one syncfs(2) (Linux) instead of an fdatasync per shard; --syncfs=false for fdatasync"`
	CreateDelay   time.Duration `flag:"create-delay" yaml:"create-delay" help:"how long a new stream or Firehose delivery stream stays CREATING"`
	UpdateDelay   time.Duration `flag:"update-delay" yaml:"update-delay" help:"how long a stream stays UPDATING after a change"`
	DeleteDelay   time.Duration `flag:"delete-delay" yaml:"delete-delay" help:"how long a stream or Firehose delivery stream stays DELETING"`
	ShardLimit    int           `flag:"shard-limit" yaml:"shard-limit" help:"open shards allowed per account and region"`
	SubLifetime   time.Duration `flag:"subscription-lifetime" yaml:"subscription-lifetime" help:"how long a SubscribeToShard stream lasts before the consumer must subscribe again"`
	TLSCert       string        `flag:"tls-cert" yaml:"tls-cert" help:"TLS certificate file (PEM); serves HTTPS with HTTP/2"`
	TLSKey        string        `flag:"tls-key" yaml:"tls-key" help:"TLS private key file (PEM)"`
	TLS           string        `flag:"tls" yaml:"tls" help:"auto: serve HTTPS with a self-signed certificate made on first start and kept in the metadata store (its certificate written to <data-dir>/tls-cert.pem for clients' --ca-bundle, its fingerprint logged); off: plain HTTP unless --tls-cert is given"`
	Insecure      bool          `flag:"insecure" yaml:"insecure" help:"serve on addresses other than loopback without TLS, signature verification or an admin token (refused otherwise)"`
	AdminToken    string        `flag:"admin-token-file" yaml:"admin-token-file" help:"file holding a bearer token (16 characters or more) every admin request but /health and /ready must carry (Authorization: Bearer TOKEN); or EDDY_ADMIN_TOKEN holding the token itself"`
	AccessKeyID   string        `flag:"access-key-id" yaml:"access-key-id" help:"verify SigV4 signatures with this key id (with --secret-access-key); unset: accept any"`
	SecretKey     string        `flag:"secret-access-key" yaml:"secret-access-key" help:"secret for --access-key-id"`
	Identities    string        `flag:"identities" yaml:"identities" help:"file of accounts, users, roles, access keys and their IAM policies (docs/SECURITY.md#identities): every request's signature is verified against its keys and every call authorized by IAM's evaluation logic, with the resource policies of streams and consumers; --access-key-id then signs as the root of --account-id"`
	LogLevel      string        `flag:"log-level" yaml:"log-level" help:"debug, info, warn or error"`
	LogRequests   bool          `flag:"log-requests" yaml:"log-requests" help:"log every API request at info level (operation, stream, status, duration, request id); failed requests are logged at info level either way"`
	AdminListen   string        `flag:"admin-listen" yaml:"admin-listen" help:"address of the admin API (/metrics, /health, /ready, /faults, purge); off: none"`
	S3Listen      string        `flag:"s3-listen" yaml:"s3-listen" help:"address of the embedded S3-compatible endpoint (objects under <data-dir>/s3, or with --backend jetstream the cluster's; docs/S3.md); off: none"`
	Pprof         bool          `flag:"pprof" yaml:"pprof" help:"also serve Go's profiler, /debug/pprof/, on the admin listener"`
	Limits        string        `flag:"limits" yaml:"limits" help:"throughput limits: off, or aws (Kinesis's per-shard limits and API call rates, Firehose's Direct PUT quotas)"`
	ScaleEvery    time.Duration `flag:"on-demand-scale-interval" yaml:"on-demand-scale-interval" help:"how often ON_DEMAND streams are measured and grown"`
	OnDemandMin   int           `flag:"on-demand-min-shards" yaml:"on-demand-min-shards" help:"shards of a new ON_DEMAND stream, and the least it keeps"`
	OnDemandMax   int           `flag:"on-demand-max-shards" yaml:"on-demand-max-shards" help:"most shards an ON_DEMAND stream grows to"`
	MaxInflight   int           `flag:"max-inflight-bytes" yaml:"max-inflight-bytes" help:"request bytes the API reads and holds at once; more requests wait their turn (0: no bound)"`
	FaultSpecs    []string      `flag:"fault" yaml:"-" help:"fault injection rule, repeatable: stream=S,operation=Op,throttle=0.1,failure=0.05,latency=20ms,seed=1 (env: rules separated by ';')"`
	S3Endpoint    string        `flag:"s3-endpoint" yaml:"s3-endpoint" help:"URL of an S3-compatible server that delivery streams, Kinesis channels and S3 on-failure destinations of event source mappings write to; unset: the embedded endpoint of --s3-listen if any, else such destinations are refused and channels deliver nothing"`
	S3Region      string        `flag:"s3-region" yaml:"s3-region" help:"region that signs requests to --s3-endpoint"`
	S3AccessKey   string        `flag:"s3-access-key-id" yaml:"s3-access-key-id" help:"access key id for --s3-endpoint (with --s3-secret-access-key); unset: requests go unsigned"`
	S3SecretKey   string        `flag:"s3-secret-access-key" yaml:"s3-secret-access-key" help:"secret for --s3-access-key-id"`
	S3PathStyle   bool          `flag:"s3-path-style" yaml:"s3-path-style" help:"address buckets path-style, ENDPOINT/BUCKET/KEY (most self-hosted servers); --s3-path-style=false for BUCKET.ENDPOINT host names"`
	ChannelSize   int           `flag:"channel-object-size" yaml:"channel-object-size" help:"record bytes at which a Kinesis channel writes an object before its data freshness is reached"`
	BucketDirs    []string      `flag:"s3-bucket-dir" yaml:"s3-bucket-dirs" help:"deliver the objects of BUCKET as files under DIR, repeatable: BUCKET=DIR (an Eddy extension for development; delivery streams and Kinesis channels writing to BUCKET write there, and Iceberg warehouses and S3 table buckets named BUCKET live there; env: pairs separated by ';')"`
	KMSRootKey    string        `flag:"kms-root-key-file" yaml:"kms-root-key-file" help:"file holding the KMS root key (32 bytes, or their hex or base64 text) that seals every KMS key's material (docs/KMS.md); or EDDY_KMS_ROOT_KEY holding the key itself; unset: <data-dir>/kms-root.key, made on first start"`
	KMSRootPass   string        `flag:"kms-root-passphrase-file" yaml:"kms-root-passphrase-file" help:"file holding a passphrase the KMS root key is derived from (PBKDF2-SHA256, salt in the metadata), instead of --kms-root-key-file"`
	EncryptAtRest bool          `flag:"encrypt-at-rest" yaml:"encrypt-at-rest" help:"seal everything stored in --data-dir (records, metadata, KMS keys, DynamoDB tables and leases) with AES-256-GCM under keys derived from the KMS root key, which must then be given (--kms-root-key-file or EDDY_KMS_ROOT_KEY); needs a data directory of its own (docs/SECURITY.md)"`
	GlueSchemas   string        `flag:"glue-schema-dir" yaml:"glue-schema-dir" help:"directory of the Parquet schemas that stand for Glue tables: DIR/<database>/<table>.json (docs/FIREHOSE.md); default <data-dir>/glue"`

	// File only: structured fault rules and streams to create at start-up.
	Faults    []kinesis.FaultRule `yaml:"faults"`
	Streams   []bootstrapStream   `yaml:"streams"`
	Functions []bootstrapFunction `yaml:"functions"`
}

// bootstrapStream is a stream the config file asks for: created at start-up
// unless a stream of that name exists in its region.
type bootstrapStream struct {
	Name           string `yaml:"name"`
	Region         string `yaml:"region"` // default: --region
	Shards         int    `yaml:"shards"`
	Mode           string `yaml:"mode"` // PROVISIONED (default) or ON_DEMAND
	RetentionHours int    `yaml:"retention-hours"`
}

func defaultServeConfig() serveConfig {
	return serveConfig{
		Listen:      "127.0.0.1:4567",
		DataDir:     "./eddy-data",
		Region:      "us-east-1",
		AccountID:   "000000000000",
		Backend:     "segment",
		Replicas:    3,
		NATSPrefix:  "EDDY",
		LeaseTTL:    10 * time.Second,
		Sync:        "always",
		SyncFS:      true,
		ShardLimit:  10000,
		SubLifetime: 5 * time.Minute,
		LogLevel:    "info",
		AdminListen: "127.0.0.1:4568",
		TLS:         "off",
		S3Listen:    "off",
		Limits:      "off",
		ScaleEvery:  time.Minute,
		OnDemandMin: 4,
		OnDemandMax: 200,
		MaxInflight: 64 << 20,
		S3Region:    "us-east-1",
		S3PathStyle: true,
		ChannelSize: 64 << 20,
	}
}

// s3Config is the S3-compatible server of the --s3-* flags; ok is false
// without --s3-endpoint.
func (c *serveConfig) s3Config() (cfg s3sink.Config, ok bool) {
	if c.S3Endpoint == "" {
		return cfg, false
	}
	cfg = s3sink.DefaultConfig()
	cfg.Endpoint, cfg.Region, cfg.PathStyle = c.S3Endpoint, c.S3Region, c.S3PathStyle
	cfg.AccessKeyID, cfg.SecretAccessKey = c.S3AccessKey, c.S3SecretKey
	return cfg, true
}

// loadServeConfig builds the configuration from args, the environment (via
// getenv) and the file named by --config or EDDY_CONFIG.
func loadServeConfig(fs *flag.FlagSet, args []string, getenv func(string) string) (serveConfig, error) {
	cfg := defaultServeConfig()
	var flagged serveConfig
	configFile := fs.String("config", "", "YAML config file (keys as the flag names)")
	fields := configFields()
	for _, f := range fields {
		p := reflect.ValueOf(&flagged).Elem().FieldByIndex(f.index).Addr().Interface()
		def := reflect.ValueOf(cfg).FieldByIndex(f.index)
		switch p := p.(type) {
		case *string:
			fs.StringVar(p, f.flag, def.String(), f.help)
		case *bool:
			fs.BoolVar(p, f.flag, def.Bool(), f.help)
		case *int:
			fs.IntVar(p, f.flag, int(def.Int()), f.help)
		case *time.Duration:
			fs.DurationVar(p, f.flag, time.Duration(def.Int()), f.help)
		case *[]string:
			fs.Var((*stringList)(p), f.flag, f.help)
		}
	}
	if err := parseFlags(fs, args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, &usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	path := *configFile
	if path == "" {
		path = getenv("EDDY_CONFIG")
	}
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return cfg, fmt.Errorf("config file: %w", err)
		}
		if err := decodeConfigFile(path, b, &cfg); err != nil {
			return cfg, &usageError{err.Error()}
		}
	}
	for _, f := range fields {
		v := getenv(f.env) // empty means unset
		if v == "" {
			continue
		}
		fv := reflect.ValueOf(&cfg).Elem().FieldByIndex(f.index)
		if err := setFromString(fv, v); err != nil {
			return cfg, &usageError{fmt.Sprintf("%s=%q: want %s", f.env, v, want(fv.Type(), f.flag))}
		}
	}
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	for _, f := range fields {
		if set[f.flag] {
			reflect.ValueOf(&cfg).Elem().FieldByIndex(f.index).Set(reflect.ValueOf(flagged).FieldByIndex(f.index))
		}
	}
	return cfg, cfg.validate()
}

type configField struct {
	index     []int
	flag, env string
	help      string
}

func configFields() []configField {
	t := reflect.TypeFor[serveConfig]()
	out := make([]configField, 0, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := f.Tag.Get("flag")
		if name == "" {
			continue // file only
		}
		out = append(out, configField{
			index: f.Index, flag: name, help: f.Tag.Get("help"),
			env: "EDDY_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_")),
		})
	}
	return out
}

func setFromString(v reflect.Value, s string) error {
	switch v.Interface().(type) {
	case string:
		v.SetString(s)
	case bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return err
		}
		v.SetBool(b)
	case int:
		n, err := strconv.Atoi(s)
		if err != nil {
			return err
		}
		v.SetInt(int64(n))
	case time.Duration:
		d, err := time.ParseDuration(s)
		if err != nil {
			return err
		}
		v.SetInt(int64(d))
	case []string:
		var list []string
		for _, x := range strings.Split(s, ";") {
			if x = strings.TrimSpace(x); x != "" {
				list = append(list, x)
			}
		}
		v.Set(reflect.ValueOf(list))
	}
	return nil
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ";") }

func (l *stringList) Set(s string) error {
	*l = append(*l, s)
	return nil
}

// parseFault parses a --fault rule: comma-separated key=value pairs, keys
// stream, operation, throttle, failure, latency and seed.
func parseFault(spec string) (kinesis.FaultRule, error) {
	var r kinesis.FaultRule
	for _, kv := range strings.Split(spec, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if !ok {
			return r, fmt.Errorf("--fault %q: %q is not key=value", spec, kv)
		}
		var err error
		switch k {
		case "stream":
			r.Stream = v
		case "operation", "op":
			r.Operation = v
		case "throttle":
			r.ThrottleRate, err = strconv.ParseFloat(v, 64)
		case "failure":
			r.FailureRate, err = strconv.ParseFloat(v, 64)
		case "latency":
			var d time.Duration
			d, err = time.ParseDuration(v)
			r.Latency = kinesis.Duration(d)
		case "seed":
			r.Seed, err = strconv.ParseUint(v, 10, 64)
		default:
			return r, fmt.Errorf("--fault %q: unknown key %q (want stream, operation, throttle, failure, latency, seed)", spec, k)
		}
		if err != nil {
			return r, fmt.Errorf("--fault %q: %s: %w", spec, k, err)
		}
	}
	if err := r.Validate(); err != nil {
		return r, fmt.Errorf("--fault %q: %w", spec, err)
	}
	return r, nil
}

// bucketDirs are the --s3-bucket-dir pairs, bucket to directory.
func (c *serveConfig) bucketDirs() (map[string]string, error) {
	dirs := map[string]string{}
	for _, spec := range c.BucketDirs {
		bucket, dir, ok := strings.Cut(spec, "=")
		if !ok || bucket == "" || dir == "" {
			return nil, fmt.Errorf("--s3-bucket-dir %q: want BUCKET=DIR", spec)
		}
		if _, dup := dirs[bucket]; dup {
			return nil, fmt.Errorf("--s3-bucket-dir: bucket %s given twice", bucket)
		}
		dirs[bucket] = dir
	}
	return dirs, nil
}

// faultRules are the file's rules and the --fault ones.
func (c *serveConfig) faultRules() ([]kinesis.FaultRule, error) {
	rules := append([]kinesis.FaultRule(nil), c.Faults...)
	for i := range rules {
		if err := rules[i].Validate(); err != nil {
			return nil, fmt.Errorf("config file: faults[%d]: %w", i, err)
		}
	}
	for _, spec := range c.FaultSpecs {
		r, err := parseFault(spec)
		if err != nil {
			return nil, err
		}
		rules = append(rules, r)
	}
	return rules, nil
}

func (c *serveConfig) validate() error {
	switch c.Sync {
	case "always", "interval", "none":
	default:
		return &usageError{fmt.Sprintf("--sync %q: want always, interval or none", c.Sync)}
	}
	if !eddy.ValidRegion(c.Region) {
		return &usageError{fmt.Sprintf("--region %q: want lowercase letters, digits and hyphens, like us-east-1", c.Region)}
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return &usageError{"--tls-cert and --tls-key go together"}
	}
	switch c.TLS {
	case "", "off":
	case "auto":
		if c.TLSCert != "" {
			return &usageError{"--tls auto and --tls-cert: give one (--tls auto makes its own certificate)"}
		}
	default:
		return &usageError{fmt.Sprintf("--tls %q: want auto or off", c.TLS)}
	}
	if (c.AccessKeyID == "") != (c.SecretKey == "") {
		return &usageError{"--access-key-id and --secret-access-key go together"}
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return &usageError{fmt.Sprintf("--log-level %q: want debug, info, warn or error", c.LogLevel)}
	}
	if c.SubLifetime <= 0 {
		return &usageError{"--subscription-lifetime must be positive"}
	}
	switch c.Backend {
	case "segment", "jetstream":
	case "memory":
		c.InMemory = true
	default:
		return &usageError{fmt.Sprintf("--backend %q: want segment, memory or jetstream", c.Backend)}
	}
	if c.Backend == "jetstream" {
		switch {
		case c.NATSURL == "":
			return &usageError{"--backend jetstream needs --nats-url"}
		case c.InMemory:
			return &usageError{"--backend jetstream and --in-memory: choose one"}
		case c.Replicas != 1 && c.Replicas != 3:
			return &usageError{fmt.Sprintf("--replicas %d: want 1 or 3", c.Replicas)}
		case c.LeaseTTL != 0 && c.LeaseTTL < 100*time.Millisecond:
			return &usageError{fmt.Sprintf("--lease-ttl %v: want at least 100ms", c.LeaseTTL)}
		case (c.NATSCert == "") != (c.NATSKey == ""):
			return &usageError{"--nats-cert and --nats-key go together"}
		case c.EncryptAtRest:
			return &usageError{"--encrypt-at-rest and --backend jetstream: records in JetStream are not sealed by Eddy yet (use NATS's own encryption at rest, docs/CLUSTER.md)"}
		}
	}
	if !c.InMemory && c.DataDir == "" {
		return &usageError{"--data-dir is empty"}
	}
	if c.InMemory && c.EncryptAtRest {
		return &usageError{"--encrypt-at-rest and --in-memory: with --in-memory nothing is stored on disk to encrypt"}
	}
	if c.Limits != kinesis.LimitsOff && c.Limits != kinesis.LimitsAWS {
		return &usageError{fmt.Sprintf("--limits %q: want off or aws", c.Limits)}
	}
	if c.MaxInflight < 0 {
		return &usageError{"--max-inflight-bytes must not be negative"}
	}
	if c.ChannelSize <= 0 {
		return &usageError{"--channel-object-size must be positive"}
	}
	if c.ScaleEvery <= 0 {
		return &usageError{"--on-demand-scale-interval must be positive"}
	}
	if c.OnDemandMin < 1 || c.OnDemandMax < c.OnDemandMin {
		return &usageError{fmt.Sprintf("--on-demand-min-shards %d and --on-demand-max-shards %d: want 1 <= min <= max", c.OnDemandMin, c.OnDemandMax)}
	}
	if _, err := c.faultRules(); err != nil {
		return &usageError{err.Error()}
	}
	if _, err := c.bucketDirs(); err != nil {
		return &usageError{err.Error()}
	}
	if (c.S3AccessKey == "") != (c.S3SecretKey == "") {
		return &usageError{"--s3-access-key-id and --s3-secret-access-key go together"}
	}
	if s3, ok := c.s3Config(); ok {
		if err := s3.Validate(); err != nil {
			return &usageError{fmt.Sprintf("--s3-endpoint %q: want an http:// or https:// URL", c.S3Endpoint)}
		}
	}
	seen := map[[2]string]bool{}
	for i, s := range c.Streams {
		region := s.Region
		if region == "" {
			region = c.Region
		}
		switch {
		case s.Name == "":
			return &usageError{fmt.Sprintf("config file: streams[%d] has no name", i)}
		case !eddy.ValidRegion(region):
			return &usageError{fmt.Sprintf("config file: stream %s: region %q: want lowercase letters, digits and hyphens, like us-east-1", s.Name, region)}
		case seen[[2]string{region, s.Name}]:
			return &usageError{fmt.Sprintf("config file: stream %s listed twice in %s", s.Name, region)}
		case s.Mode != "" && s.Mode != kinesis.ModeProvisioned && s.Mode != kinesis.ModeOnDemand:
			return &usageError{fmt.Sprintf("config file: stream %s: mode %q: want PROVISIONED or ON_DEMAND", s.Name, s.Mode)}
		case s.Mode == kinesis.ModeOnDemand && s.Shards != 0:
			return &usageError{fmt.Sprintf("config file: stream %s: ON_DEMAND streams take no shard count", s.Name)}
		case s.Mode != kinesis.ModeOnDemand && s.Shards < 1:
			return &usageError{fmt.Sprintf("config file: stream %s: shards %d: want at least 1", s.Name, s.Shards)}
		}
		seen[[2]string{region, s.Name}] = true
	}
	for i := range c.Functions {
		if _, err := c.Functions[i].createInput(); err != nil {
			return &usageError{err.Error()}
		}
	}
	return nil
}
