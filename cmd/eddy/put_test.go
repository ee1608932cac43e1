package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/eddy-streams/eddy/client/kpl"
)

// putEnv isolates `eddy put` from the machine's AWS configuration: static
// credentials and no instance metadata lookups.
func putEnv(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKID")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_ENDPOINT_URL", "")
	os.Unsetenv("AWS_ENDPOINT_URL")
}

// readUserRecords reads every shard of the stream and deaggregates it:
// partition key and data of each user record, sorted.
func readUserRecords(t *testing.T, c *kinesis.Client, stream string) []string {
	t.Helper()
	ctx := context.Background()
	shards, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(stream)})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, sh := range shards.Shards {
		it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(stream), ShardId: sh.ShardId,
			ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
		if err != nil {
			t.Fatal(err)
		}
		res, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res.Records {
			users, err := kpl.Deaggregate(r.Data)
			if err == kpl.ErrNotAggregated {
				out = append(out, *r.PartitionKey+"|"+string(r.Data))
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range users {
				out = append(out, u.PartitionKey+"|"+string(u.Data))
			}
		}
	}
	sort.Strings(out)
	return out
}

func TestPut(t *testing.T) {
	putEnv(t)
	c := startChild(t, "serve --listen 127.0.0.1:0 --in-memory")
	kc := c.client()
	ctx := context.Background()
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("in"), ShardCount: aws.Int32(2)}); err != nil {
		t.Fatal(err)
	}
	endpoint := "http://" + c.addr
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	lines := write("lines.txt", []byte("one\ntwo\r\n\nthree"))
	var lp []byte
	for _, r := range []string{"bin\x00ary", "with\nnewline"} {
		lp = binary.BigEndian.AppendUint32(lp, uint32(len(r)))
		lp = append(lp, r...)
	}
	length := write("records.bin", lp)
	docs := write("docs.json", []byte(`{"user":{"id":"u1"},"v":1} {"user":{"id":7},"v":2}
{"user":{"id":"u1"},"v":3}`))

	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"lines with one key", []string{"--partition-key", "k", lines}, []string{"k|one", "k|three", "k|two"}},
		{"length-delimited", []string{"--format", "length", "--partition-key", "k", length}, []string{"k|bin\x00ary", "k|with\nnewline"}},
		{"json by key field", []string{"--format", "json", "--key-field", "user.id", docs},
			[]string{`7|{"user":{"id":7},"v":2}`, `u1|{"user":{"id":"u1"},"v":1}`, `u1|{"user":{"id":"u1"},"v":3}`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stream := strings.ReplaceAll(tc.name, " ", "-")
			if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(stream), ShardCount: aws.Int32(2)}); err != nil {
				t.Fatal(err)
			}
			var stdout, stderr bytes.Buffer
			code := run(append([]string{"put", "--stream", stream, "--endpoint", endpoint}, tc.args...), &stdout, &stderr)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			if !strings.Contains(stdout.String(), strconv.Itoa(len(tc.want))+" records") || !strings.Contains(stdout.String(), "0 failed") {
				t.Errorf("summary %q", stdout.String())
			}
			got := readUserRecords(t, kc, stream)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Fatalf("stream holds\n%q\nwant\n%q", got, tc.want)
			}
		})
	}

	// Random keys, from stdin, with the endpoint from the environment.
	t.Run("random keys from stdin", func(t *testing.T) {
		t.Setenv("AWS_ENDPOINT_URL_KINESIS", endpoint)
		in, err := os.Open(lines)
		if err != nil {
			t.Fatal(err)
		}
		defer in.Close()
		old := os.Stdin
		os.Stdin = in
		defer func() { os.Stdin = old }()
		var stdout, stderr bytes.Buffer
		if code := run([]string{"put", "--stream", "in", "--random-key"}, &stdout, &stderr); code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
		got := readUserRecords(t, kc, "in")
		keys := map[string]bool{}
		for _, r := range got {
			k, _, _ := strings.Cut(r, "|")
			keys[k] = true
		}
		if len(got) != 3 || len(keys) != 3 {
			t.Fatalf("stream holds %q", got)
		}
	})

	// Failures: a record without the key field fails and the exit status
	// says so; a missing stream is an error.
	t.Run("failures", func(t *testing.T) {
		bad := write("bad.json", []byte(`{"id":"a"} {"other":1}`))
		var stdout, stderr bytes.Buffer
		code := run([]string{"put", "--stream", "in", "--endpoint", endpoint, "--format", "json", "--key-field", "id", bad}, &stdout, &stderr)
		if code != exitError || !strings.Contains(stderr.String(), `no field "id"`) || !strings.Contains(stdout.String(), "1 failed") {
			t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
		}
		stderr.Reset()
		code = run([]string{"put", "--stream", "nope", "--endpoint", endpoint, lines}, &stdout, &stderr)
		if code != exitError || !strings.Contains(stderr.String(), "ResourceNotFoundException") {
			t.Fatalf("missing stream: exit %d, stderr %q", code, stderr.String())
		}
		for _, args := range [][]string{{"put"}, {"put", "--stream", "s", "--partition-key", "k", "--random-key"}, {"put", "--stream", "s", "--format", "xml"}} {
			stderr.Reset()
			if code := run(args, &stdout, &stderr); code != exitUsage {
				t.Errorf("%q: exit %d, want %d (%s)", args, code, exitUsage, stderr.String())
			}
		}
	})
}
