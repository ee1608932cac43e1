package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/eddy-streams/eddy/agent"
)

// TestAgentChild runs `eddy agent` with the arguments in EDDY_AGENT_ARGS;
// it does nothing unless a test starts it as a child process.
func TestAgentChild(t *testing.T) {
	args := os.Getenv("EDDY_AGENT_ARGS")
	if args == "" {
		t.Skip("run by other tests as a child process")
	}
	os.Exit(run(strings.Fields(args), os.Stdout, os.Stderr))
}

func startAgent(t *testing.T, cfg string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestAgentChild$")
	cmd.Env = append(os.Environ(), "EDDY_AGENT_ARGS=agent --config "+cfg)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd
}

// TestAgentRotationAndKill9 appends lines to a log while it is rotated by
// rename and by copytruncate, SIGKILLs the agent and restarts it twice,
// and checks that every line reached the stream (duplicates are counted
// and reported: only what was in flight at a kill may repeat).
func TestAgentRotationAndKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server and the agent")
	}
	putEnv(t)
	srv := startChild(t, "serve --data-dir "+t.TempDir()+" --listen 127.0.0.1:0")
	c := srv.client()
	ctx := testContext(t)
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("logs"), ShardCount: aws.Int32(2)}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	log := filepath.Join(dir, "app.log")
	cfgPath := filepath.Join(dir, "agent.json")
	cfg := map[string]any{
		"options": agent.Options{CheckpointFile: filepath.Join(dir, "checkpoints"), KinesisEndpoint: "http://" + srv.addr,
			AccessKeyID: "AKID", SecretAccessKey: "secret", CheckpointInterval: 100 * time.Millisecond},
		"flows": []map[string]any{{"FilePattern": filepath.Join(dir, "app.log*"), "Kind": agent.KinesisStream, "Destination": "logs",
			"BufferAge": int64(50 * time.Millisecond), "PollInterval": int64(20 * time.Millisecond)}},
	}
	b, _ := json.Marshal(cfg)
	if err := os.WriteFile(cfgPath, b, 0o644); err != nil {
		t.Fatal(err)
	}
	a := startAgent(t, cfgPath)

	n := 0
	write := func(count int) {
		f, err := os.OpenFile(log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		for range count {
			fmt.Fprintf(f, "line %06d\n", n)
			n++
		}
		f.Close()
	}
	waitCount := func(min int) {
		deadline := time.Now().Add(testTimeout)
		for time.Now().Before(deadline) {
			if len(readUserRecords(t, c, "logs")) >= min {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("fewer than %d records arrived", min)
	}
	write(500)
	waitCount(100)
	// Rotation by rename: app.log -> app.log.1, a new app.log.
	os.Rename(log, log+".1")
	write(500)
	a.Process.Signal(syscall.SIGKILL)
	a.Wait()
	write(300)
	a = startAgent(t, cfgPath)
	waitCount(1000)
	// Rotation by copytruncate.
	data, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(log+".2", data, 0o644)
	os.Truncate(log, 0)
	write(400)
	a.Process.Signal(syscall.SIGKILL)
	a.Wait()
	write(300)
	a = startAgent(t, cfgPath)
	waitCount(n)
	a.Process.Signal(syscall.SIGTERM)
	a.Wait()

	seen := map[string]int{}
	for _, r := range readUserRecords(t, c, "logs") {
		_, d, _ := strings.Cut(r, "|")
		seen[d]++
	}
	dups := 0
	for i := range n {
		line := fmt.Sprintf("line %06d\n", i)
		if seen[line] == 0 {
			t.Errorf("%q never arrived", line)
		}
		dups += max(seen[line]-1, 0)
	}
	// Lines copied to app.log.2 by copytruncate are a new file and so are
	// sent again: the agent cannot tell a copy from new content.
	t.Logf("%d lines, %d duplicates (copytruncate's copy included)", n, dups)
}
