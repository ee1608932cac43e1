package main

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/kinesis"
)

func TestServeConfigPrecedence(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "eddy.yaml")
	os.WriteFile(file, []byte("listen: 127.0.0.1:9000\nregion: eu-west-1\nsync: none\ncreate-delay: 2s\nshard-limit: 50\n"), 0o644)
	env := map[string]string{"EDDY_REGION": "ap-south-1", "EDDY_SHARD_LIMIT": "60", "EDDY_IN_MEMORY": "true"}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	cfg, err := loadServeConfig(fs, []string{"--config", file, "--shard-limit", "70"}, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	want := defaultServeConfig()
	want.Listen = "127.0.0.1:9000"     // file
	want.Region = "ap-south-1"         // env over file
	want.Sync = "none"                 // file
	want.CreateDelay = 2 * time.Second // file
	want.ShardLimit = 70               // flag over env over file
	want.InMemory = true               // env
	if !reflect.DeepEqual(cfg, want) {
		t.Fatalf("got  %+v\nwant %+v", cfg, want)
	}
}

func TestServeConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		file string
	}{
		{args: []string{"--sync", "sometimes"}},
		{args: []string{"--tls-cert", "c.pem"}},
		{args: []string{"--access-key-id", "AKID"}},
		{args: []string{"extra"}},
		{file: "unknown-key: 1\n"},
		{file: "shard-limit: lots\n"},
		{args: []string{"--limits", "fast"}},
		{args: []string{"--fault", "throttle=2"}},
		{args: []string{"--fault", "stream"}},
		{args: []string{"--fault", "colour=blue"}},
		{args: []string{"--fault", "operation=Nope"}},
		{args: []string{"--on-demand-min-shards", "0"}},
		{args: []string{"--s3-endpoint", "127.0.0.1:9000"}},
		{args: []string{"--s3-endpoint", "http://127.0.0.1:9000", "--s3-access-key-id", "AKID"}},
		{args: []string{"--on-demand-min-shards", "8", "--on-demand-max-shards", "4"}},
		{file: "streams:\n  - name: x\n"},
		{file: "streams:\n  - shards: 1\n"},
		{file: "streams:\n  - name: x\n    mode: ON_DEMAND\n    shards: 2\n"},
		{file: "streams:\n  - name: x\n    shards: 1\n  - name: x\n    shards: 1\n"},
		{file: "streams:\n  - name: x\n    shards: 1\n    mode: FAST\n"},
		{file: "faults:\n  - throttle-rate: 2\n"},
		{file: "faults:\n  - latency: soon\n"},
		{args: []string{"--backend", "cassandra"}},
		{args: []string{"--backend", "jetstream"}},
		{args: []string{"--backend", "jetstream", "--nats-url", "nats://127.0.0.1:4222", "--replicas", "2"}},
		{args: []string{"--backend", "jetstream", "--nats-url", "nats://127.0.0.1:4222", "--in-memory"}},
		{args: []string{"--backend", "jetstream", "--nats-url", "nats://127.0.0.1:4222", "--nats-cert", "c.pem"}},
		{args: []string{"--backend", "jetstream", "--nats-url", "nats://127.0.0.1:4222", "--encrypt-at-rest"}},
	} {
		args := tc.args
		if tc.file != "" {
			p := filepath.Join(t.TempDir(), "c.yaml")
			os.WriteFile(p, []byte(tc.file), 0o644)
			args = []string{"--config", p}
		}
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		if _, err := loadServeConfig(fs, args, func(string) string { return "" }); err == nil {
			t.Errorf("%v %q: accepted", tc.args, tc.file)
		}
	}
}

func TestServeConfigFaultsAndStreams(t *testing.T) {
	p := filepath.Join(t.TempDir(), "c.yaml")
	os.WriteFile(p, []byte("limits: aws\nfaults:\n  - stream: a\n    operation: PutRecords\n    throttle-rate: 0.5\n    latency: 20ms\n    seed: 9\nstreams:\n  - name: a\n    shards: 3\n    retention-hours: 72\n  - name: b\n    mode: ON_DEMAND\n"), 0o644)
	env := map[string]string{"EDDY_FAULT": "stream=b,failure=0.25; operation=ListShards,latency=1s"}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	cfg, err := loadServeConfig(fs, []string{"--config", p}, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	rules, err := cfg.faultRules()
	if err != nil {
		t.Fatal(err)
	}
	want := []kinesis.FaultRule{
		{Stream: "a", Operation: "PutRecords", ThrottleRate: 0.5, Latency: kinesis.Duration(20 * time.Millisecond), Seed: 9},
		{Stream: "b", FailureRate: 0.25},
		{Operation: "ListShards", Latency: kinesis.Duration(time.Second)},
	}
	if !reflect.DeepEqual(rules, want) {
		t.Fatalf("rules %+v\nwant  %+v", rules, want)
	}
	if cfg.Limits != "aws" || len(cfg.Streams) != 2 || cfg.Streams[0] != (bootstrapStream{Name: "a", Shards: 3, RetentionHours: 72}) ||
		cfg.Streams[1] != (bootstrapStream{Name: "b", Mode: "ON_DEMAND"}) {
		t.Fatalf("config %+v", cfg)
	}
	// Repeated --fault flags replace the environment's.
	fs = flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	cfg, err = loadServeConfig(fs, []string{"--fault", "throttle=1", "--fault", "op=GetRecords,failure=1"}, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.FaultSpecs) != 2 || cfg.FaultSpecs[1] != "op=GetRecords,failure=1" {
		t.Fatalf("fault specs %q", cfg.FaultSpecs)
	}
}

// TestServeConfigBackend: --backend memory is --in-memory; jetstream takes
// its NATS settings.
func TestServeConfigBackend(t *testing.T) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	cfg, err := loadServeConfig(fs, []string{"--backend", "memory"}, func(string) string { return "" })
	if err != nil || !cfg.InMemory {
		t.Fatalf("--backend memory: %v, in-memory %v", err, cfg.InMemory)
	}
	fs = flag.NewFlagSet("serve", flag.ContinueOnError)
	cfg, err = loadServeConfig(fs, []string{"--backend", "jetstream", "--nats-url", "nats://127.0.0.1:1"}, func(k string) string {
		return map[string]string{"EDDY_REPLICAS": "1", "EDDY_NATS_PREFIX": "P"}[k]
	})
	if err != nil || cfg.Replicas != 1 || cfg.NATSPrefix != "P" || cfg.NATSURL != "nats://127.0.0.1:1" || cfg.InMemory {
		t.Fatalf("--backend jetstream: %v, %+v", err, cfg)
	}
}
