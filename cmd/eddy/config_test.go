package main

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
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
	if cfg != want {
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
