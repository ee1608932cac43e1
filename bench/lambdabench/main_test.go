package main

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

// TestSmoke runs the whole benchmark on a few hundred records against a
// freshly built eddy, so that a change breaking the program (or the
// mappings it drives) fails here rather than at the next benchmark run.
func TestSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds eddy and the handler")
	}
	bin := filepath.Join(t.TempDir(), "eddy")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/eddy-streams/eddy/cmd/eddy").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v: %s", err, out)
	}
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	err := run(ctx, config{
		eddyBin: bin, records: 300, size: 100, shards: 2, batches: []int{100},
		rate: 20, duration: 2 * time.Second, syncMode: "always", out: &out, runTimeout: time.Minute,
	})
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	t.Log(out.String())
	for _, re := range []string{
		`throughput, BatchSize 100 +\d+ records/s \(300 in .* 300 records delivered\)`,
		`latency at 20 records/s +put-to-invoke p50 \S+ +p90 \S+ +p99 \S+ +max \S+ +\((\d+) of (\d+) records put`,
	} {
		if !regexp.MustCompile(re).MatchString(out.String()) {
			t.Errorf("output does not match %s", re)
		}
	}
	m := regexp.MustCompile(`\((\d+) of (\d+) records put`).FindStringSubmatch(out.String())
	if m == nil || m[1] != m[2] || m[1] == "0" {
		t.Errorf("latency run: delivered and put differ or are zero: %v", m)
	}
}
