package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// serveConfig is everything `eddy serve` can be told. Each field is a flag
// (its `flag` tag), an environment variable (EDDY_ and the flag name upper
// case, dashes as underscores) and a key of the YAML config file (its
// `yaml` tag). Precedence: flag, then environment, then file, then default.
type serveConfig struct {
	Listen      string        `flag:"listen" yaml:"listen" help:"address to serve the API on (HTTP/1.1 and h2c, or HTTPS with --tls-cert)"`
	DataDir     string        `flag:"data-dir" yaml:"data-dir" help:"directory for records and metadata"`
	InMemory    bool          `flag:"in-memory" yaml:"in-memory" help:"keep everything in memory (lost on exit)"`
	Region      string        `flag:"region" yaml:"region" help:"region in ARNs and signatures"`
	AccountID   string        `flag:"account-id" yaml:"account-id" help:"12-digit account id in ARNs and messages"`
	Sync        string        `flag:"sync" yaml:"sync" help:"when records are fsync'd: always (before acknowledging), interval, none"`
	CreateDelay time.Duration `flag:"create-delay" yaml:"create-delay" help:"how long a new stream stays CREATING"`
	UpdateDelay time.Duration `flag:"update-delay" yaml:"update-delay" help:"how long a stream stays UPDATING after a change"`
	DeleteDelay time.Duration `flag:"delete-delay" yaml:"delete-delay" help:"how long a stream stays DELETING"`
	ShardLimit  int           `flag:"shard-limit" yaml:"shard-limit" help:"open shards allowed per account"`
	SubLifetime time.Duration `flag:"subscription-lifetime" yaml:"subscription-lifetime" help:"how long a SubscribeToShard stream lasts before the consumer must subscribe again"`
	TLSCert     string        `flag:"tls-cert" yaml:"tls-cert" help:"TLS certificate file (PEM); serves HTTPS with HTTP/2"`
	TLSKey      string        `flag:"tls-key" yaml:"tls-key" help:"TLS private key file (PEM)"`
	AccessKeyID string        `flag:"access-key-id" yaml:"access-key-id" help:"verify SigV4 signatures with this key id (with --secret-access-key); unset: accept any"`
	SecretKey   string        `flag:"secret-access-key" yaml:"secret-access-key" help:"secret for --access-key-id"`
	LogLevel    string        `flag:"log-level" yaml:"log-level" help:"debug, info, warn or error"`
}

func defaultServeConfig() serveConfig {
	return serveConfig{
		Listen:      "127.0.0.1:4567",
		DataDir:     "./eddy-data",
		Region:      "us-east-1",
		AccountID:   "000000000000",
		Sync:        "always",
		ShardLimit:  10000,
		SubLifetime: 5 * time.Minute,
		LogLevel:    "info",
	}
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
		dec := yaml.NewDecoder(strings.NewReader(string(b)))
		dec.KnownFields(true)
		if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
			return cfg, fmt.Errorf("config file %s: %w", path, err)
		}
	}
	for _, f := range fields {
		v := getenv(f.env) // empty means unset
		if v == "" {
			continue
		}
		if err := setFromString(reflect.ValueOf(&cfg).Elem().FieldByIndex(f.index), v); err != nil {
			return cfg, fmt.Errorf("%s: %w", f.env, err)
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
	}
	return nil
}

func (c *serveConfig) validate() error {
	switch c.Sync {
	case "always", "interval", "none":
	default:
		return &usageError{fmt.Sprintf("--sync %q: want always, interval or none", c.Sync)}
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return &usageError{"--tls-cert and --tls-key go together"}
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
	if !c.InMemory && c.DataDir == "" {
		return &usageError{"--data-dir is empty"}
	}
	return nil
}
