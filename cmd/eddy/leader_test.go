package main

import (
	"compress/gzip"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/internal/natstest"
)

// dirRecords returns how many times each record appears in the GZIP
// objects of a --s3-bucket-dir directory.
func dirRecords(t *testing.T, dir string) map[string]int {
	t.Helper()
	got := map[string]int{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".") { // a file being written
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		zr, err := gzip.NewReader(f)
		if err != nil {
			return err
		}
		data, err := io.ReadAll(zr)
		if err != nil {
			return err
		}
		for _, l := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
			got[l]++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestServeClusterDeliveryFailover runs two Eddy nodes on one JetStream
// store, writing to one bucket directory (as two nodes would to one S3
// bucket): a DirectPut delivery stream's pipeline runs on one node only,
// and when that node is SIGKILLed the other takes it over from the
// checkpoint, so every record is delivered, once.
func TestServeClusterDeliveryFailover(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two servers")
	}
	srv := natstest.Embedded(t)
	root, prefix, dir := newRootKey(t), "L"+strconv.Itoa(os.Getpid()), t.TempDir()
	args := func(node string) string {
		return fmt.Sprintf("serve --backend jetstream --nats-url %s --replicas 1 --nats-prefix %s --kms-root-key-file %s --listen 127.0.0.1:0 --data-dir %s --s3-bucket-dir out=%s --node-id %s --lease-ttl 1s",
			srv.URL, prefix, root, t.TempDir(), dir, node)
	}
	nodes := map[string]*child{"a": startChild(t, args("a")), "b": startChild(t, args("b"))}
	ctx := testContext(t)
	createGzipDeliveryStream(ctx, t, nodes["a"].firehoseClient(), "fo")
	want := putNumbered(ctx, t, nodes["b"].firehoseClient(), "fo", 0, 300)
	waitAll := func(want []string) map[string]int {
		t.Helper()
		for deadline := time.Now().Add(60 * time.Second); ; {
			got := dirRecords(t, dir)
			missing := 0
			for _, w := range want {
				if got[w] == 0 {
					missing++
				}
			}
			if missing == 0 {
				return got
			}
			if time.Now().After(deadline) {
				t.Fatalf("after 60s %d of %d records are not delivered", missing, len(want))
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitAll(want)
	time.Sleep(200 * time.Millisecond) // the checkpoint of what was delivered; and a second delivery, if any
	checkOnce(t, dir, want)
	// Which node leads the stream's job: the one that said so.
	leader := ""
	for name, c := range nodes {
		if strings.Contains(c.stderr.String(), "msg=leader component=cluster node="+name+" job=firehose/") {
			if leader != "" {
				t.Fatalf("both nodes lead the delivery stream")
			}
			leader = name
		}
	}
	if leader == "" {
		t.Fatal("no node says it leads the delivery stream")
	}
	other := map[string]string{"a": "b", "b": "a"}[leader]
	nodes[leader].cmd.Process.Signal(syscall.SIGKILL)
	nodes[leader].cmd.Wait()
	killed := time.Now()
	want = append(want, putNumbered(ctx, t, nodes[other].firehoseClient(), "fo", 300, 300)...)
	waitAll(want)
	t.Logf("node %s killed; node %s delivered the rest %v later", leader, other, time.Since(killed))
	if !strings.Contains(nodes[other].stderr.String(), "msg=leader component=cluster node="+other+" job=firehose/") {
		t.Fatalf("node %s delivered without saying it leads", other)
	}
	time.Sleep(500 * time.Millisecond) // anything delivered twice would show now
	checkOnce(t, dir, want)
}

// checkOnce fails unless the directory holds each record of want once, and
// nothing else.
func checkOnce(t *testing.T, dir string, want []string) {
	t.Helper()
	got := dirRecords(t, dir)
	twice := 0
	for _, w := range want {
		if got[w] != 1 {
			twice++
		}
	}
	if twice > 0 || len(got) != len(want) {
		t.Fatalf("%d of %d records not delivered exactly once; %d distinct records delivered", twice, len(want), len(got))
	}
}
