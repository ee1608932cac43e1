package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

// TestServeConfigRegions: --region must be a region name; a config-file
// stream may name its region, and a name may be listed once per region.
func TestServeConfigRegions(t *testing.T) {
	load := func(args []string, file string) (serveConfig, error) {
		if file != "" {
			p := filepath.Join(t.TempDir(), "c.yaml")
			os.WriteFile(p, []byte(file), 0o644)
			args = append(args, "--config", p)
		}
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		return loadServeConfig(fs, args, func(string) string { return "" })
	}
	for _, tc := range []struct {
		args []string
		file string
		ok   bool
	}{
		{args: []string{"--region", "eu-central-1"}, ok: true},
		{args: []string{"--region", "EU"}},
		{args: []string{"--region", "eu_central_1"}},
		{file: "streams:\n  - name: x\n    shards: 1\n  - name: x\n    shards: 1\n    region: eu-west-1\n", ok: true},
		{file: "streams:\n  - name: x\n    shards: 1\n  - name: x\n    shards: 1\n    region: us-east-1\n"},
		{args: []string{"--region", "eu-west-1"}, file: "streams:\n  - name: x\n    shards: 1\n  - name: x\n    shards: 1\n    region: eu-west-1\n"},
		{file: "streams:\n  - name: x\n    shards: 1\n    region: Eu-West-1\n"},
	} {
		_, err := load(tc.args, tc.file)
		if (err == nil) != tc.ok {
			t.Errorf("%v %q: error %v, want ok=%v", tc.args, tc.file, err, tc.ok)
		}
	}
}

// TestServeRegions: the real binary serves each client in its region:
// --region is the default region of config-file streams and of the admin
// API; a stream that names its region is made there.
func TestServeRegions(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	conf := filepath.Join(dir, "eddy.yaml")
	os.WriteFile(conf, []byte(`
streams:
  - name: boot
    shards: 1
  - name: boot
    shards: 2
    region: eu-west-3
`), 0o644)
	args := fmt.Sprintf("serve --listen 127.0.0.1:0 --data-dir %s --config %s --region eu-central-1", filepath.Join(dir, "data"), conf)
	srv := startChild(t, args)
	client := func(region string) *kinesis.Client {
		return kinesis.New(kinesis.Options{Region: region, BaseEndpoint: aws.String("http://" + srv.addr),
			Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", ""), RetryMaxAttempts: 1})
	}
	for region, shards := range map[string]int32{"eu-central-1": 1, "eu-west-3": 2} {
		out, err := client(region).DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("boot")})
		if err != nil {
			t.Fatalf("%s: %v", region, err)
		}
		sum := out.StreamDescriptionSummary
		if *sum.OpenShardCount != shards || *sum.StreamARN != "arn:aws:kinesis:"+region+":000000000000:stream/boot" {
			t.Errorf("%s: %d shards, ARN %s", region, *sum.OpenShardCount, *sum.StreamARN)
		}
	}
	us := client("us-east-1")
	if out, err := us.ListStreams(ctx, &kinesis.ListStreamsInput{}); err != nil || len(out.StreamNames) != 0 {
		t.Fatalf("us-east-1 lists %v, %v", out, err)
	}
	if _, err := us.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("boot"), ShardCount: aws.Int32(3)}); err != nil {
		t.Fatal(err)
	}

	// The admin API: the default region, or the one named.
	admin := "http://" + srv.admin
	req, _ := http.NewRequest("PUT", admin+"/faults?region=us-east-1", strings.NewReader(`{"rules":[{"stream":"boot","operation":"PutRecord","throttleRate":1}]}`))
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("PUT /faults: %v %v", resp, err)
	}
	_, err := us.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("boot"), PartitionKey: aws.String("k"), Data: []byte("x")})
	if apiCode(err) != "ProvisionedThroughputExceededException" {
		t.Fatalf("us-east-1 PutRecord under its rule: %v", err)
	}
	if _, err := client("eu-central-1").PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("boot"), PartitionKey: aws.String("k"), Data: []byte("x")}); err != nil {
		t.Fatalf("eu-central-1 PutRecord: %v", err)
	}
	if code, body := get(t, admin+"/faults"); code != 200 || body != `{"region":"eu-central-1","rules":[]}`+"\n" {
		t.Errorf("GET /faults: %d %s", code, body)
	}
	code, body := get(t, admin+"/metrics")
	for _, want := range []string{`eddy_open_shards{region="eu-central-1"} 1`, `eddy_open_shards{region="eu-west-3"} 2`,
		`eddy_open_shards{region="us-east-1"} 3`, `kinesis_incoming_records_total{region="eu-central-1",stream="boot"} 1`} {
		if code != 200 || !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}

	// After a restart every region is back.
	srv.cmd.Process.Kill()
	srv.cmd.Wait()
	srv = startChild(t, args)
	var got []string
	for _, region := range []string{"eu-central-1", "eu-west-3", "us-east-1"} {
		out, err := client(region).ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("boot")})
		if err != nil {
			t.Fatalf("%s after restart: %v", region, err)
		}
		got = append(got, fmt.Sprint(len(out.Shards)))
	}
	if !slices.Equal(got, []string{"1", "2", "3"}) {
		t.Errorf("shards after restart: %v", got)
	}
}
