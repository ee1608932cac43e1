package main

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// deployDir holds the example configuration, the systemd unit and the
// compose file.
var deployDir = filepath.Join("..", "..", "deploy")

// uncomment turns deploy/eddy.yaml into the configuration it describes:
// "##" lines explain and go, "# " in front of a setting goes.
func uncomment(text string) string {
	var b strings.Builder
	for _, line := range strings.SplitAfter(text, "\n") {
		switch {
		case strings.HasPrefix(line, "##"), strings.TrimSpace(line) == "#":
		case strings.HasPrefix(line, "# "):
			b.WriteString(line[2:])
		default:
			b.WriteString(line)
		}
	}
	return b.String()
}

// yamlKeyPaths lists the key paths of a YAML document as configKeys names
// them ("streams[].name").
func yamlKeyPaths(n *yaml.Node, prefix string, out map[string]bool) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			yamlKeyPaths(c, prefix, out)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			p := joinKey(prefix, n.Content[i].Value)
			out[p] = true
			yamlKeyPaths(n.Content[i+1], p, out)
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			yamlKeyPaths(c, prefix+"[]", out)
		}
	}
}

// TestExampleConfig keeps deploy/eddy.yaml true: commented out, it loads
// as the defaults; with its settings uncommented it loads, holds every key
// the config file takes, and shows each scalar key at its default.
func TestExampleConfig(t *testing.T) {
	path := filepath.Join(deployDir, "eddy.yaml")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg := defaultServeConfig()
	if err := decodeConfigFile(path, b, &cfg); err != nil || !reflect.DeepEqual(cfg, defaultServeConfig()) {
		t.Fatalf("as shipped (all commented out): %v, %+v; want the defaults", err, cfg)
	}

	text := uncomment(string(b))
	cfg = serveConfig{} // every key must come from the file
	if err := decodeConfigFile(path+" (uncommented)", []byte(text), &cfg); err != nil {
		t.Fatalf("uncommented: %v\n%s", err, text)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		t.Fatal(err)
	}
	present := map[string]bool{}
	yamlKeyPaths(&doc, "", present)
	for _, k := range configKeys() {
		if !present[k] {
			t.Errorf("%s lacks the key %q: add it, commented out at its default, with a line on what it does", path, k)
		}
	}

	// Scalars at their defaults; the lists are examples.
	if len(cfg.Streams) == 0 || len(cfg.Faults) == 0 {
		t.Errorf("the streams and faults examples are missing: %+v %+v", cfg.Streams, cfg.Faults)
	}
	cfg.Streams, cfg.Faults, cfg.Functions = nil, nil, nil
	if want := defaultServeConfig(); !reflect.DeepEqual(cfg, want) {
		got, def := reflect.ValueOf(cfg), reflect.ValueOf(want)
		for i := range got.NumField() {
			if f := got.Type().Field(i); !reflect.DeepEqual(got.Field(i).Interface(), def.Field(i).Interface()) {
				t.Errorf("%s shows %s: %v, but the default is %v", path, f.Tag.Get("yaml"), got.Field(i), def.Field(i))
			}
		}
	}
	// The examples are valid too.
	cfg, err = loadExample(t, text)
	if err != nil {
		t.Fatalf("the uncommented example does not validate: %v", err)
	}
	if _, err := cfg.faultRules(); err != nil {
		t.Fatal(err)
	}
}

func loadExample(t *testing.T, text string) (serveConfig, error) {
	t.Helper()
	cfg := defaultServeConfig()
	if err := decodeConfigFile("example", []byte(text), &cfg); err != nil {
		return cfg, err
	}
	return cfg, cfg.validate()
}

// TestConfigKeys: configKeys walks into the list types.
func TestConfigKeys(t *testing.T) {
	keys := configKeys()
	for _, k := range []string{"listen", "limits", "streams", "streams[].name", "streams[].retention-hours", "faults[].throttle-rate", "faults[].seed"} {
		if !slices.Contains(keys, k) {
			t.Errorf("configKeys lacks %q: %v", k, keys)
		}
	}
	if slices.Contains(keys, "fault") {
		t.Errorf("configKeys has the flag-only fault: %v", keys)
	}
}

// TestDeployFilesNameRealSettings: the Dockerfile, the compose file and the
// systemd unit use only environment variables and flags that eddy knows.
func TestDeployFilesNameRealSettings(t *testing.T) {
	// Besides the settings' own: variables that hold a secret itself
	// rather than a file's name.
	envs := map[string]bool{"EDDY_CONFIG": true, "EDDY_ADMIN_TOKEN": true, "EDDY_KMS_ROOT_KEY": true}
	flags := map[string]bool{"config": true}
	for _, f := range configFields() {
		envs[f.env] = true
		flags[f.flag] = true
	}
	envRE := regexp.MustCompile(`\bEDDY_[A-Z0-9_]+`)
	flagRE := regexp.MustCompile(`(?:^|\s|")--([a-z][a-z0-9-]*)`)
	for _, name := range []string{"../../Dockerfile", filepath.Join(deployDir, "compose.yaml"), filepath.Join(deployDir, "eddy.service")} {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, env := range envRE.FindAllString(string(b), -1) {
			if !envs[env] {
				t.Errorf("%s names %s, which eddy serve does not read", name, env)
			}
		}
		// Flags on a line that runs eddy serve (ExecStart, command, the
		// examples in comments).
		for _, line := range strings.Split(string(b), "\n") {
			if !strings.Contains(line, "serve") {
				continue
			}
			for _, m := range flagRE.FindAllStringSubmatch(line, -1) {
				if !flags[m[1]] {
					t.Errorf("%s: %q: eddy serve has no flag --%s", name, strings.TrimSpace(line), m[1])
				}
			}
		}
	}
	// The cluster examples: every flag on a line that is not a comment
	// (the compose file's command list, the unit's ExecStart lines).
	for _, name := range []string{filepath.Join(deployDir, "cluster", "compose.yaml"), filepath.Join(deployDir, "cluster", "eddy-cluster.service")} {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "#") {
				continue
			}
			for _, m := range flagRE.FindAllStringSubmatch(strings.ReplaceAll(line, "=", " "), -1) {
				n++
				if !flags[m[1]] {
					t.Errorf("%s: %q: eddy serve has no flag --%s", name, strings.TrimSpace(line), m[1])
				}
			}
		}
		if n < 4 {
			t.Errorf("%s: found %d flags; the check reads nothing", name, n)
		}
	}
	// The health check and the unit call real commands.
	for _, c := range []string{"serve", "health"} {
		if _, ok := lookup(c); !ok {
			t.Errorf("no command %q", c)
		}
	}
}
