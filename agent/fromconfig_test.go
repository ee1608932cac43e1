package agent

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/agent/config"
)

func TestFromConfig(t *testing.T) {
	cfg, _, err := config.Parse([]byte(`{
  "checkpointFile": "/var/tmp/ckpt",
  "kinesis.endpoint": "https://kinesis.eu-west-1.amazonaws.com",
  "checkpointTimeToLiveDays": 2,
  "shutdownTimeoutMillis": 2500,
  "maxSendingThreadsPerCore": 3,
  "log.statusReportingPeriodSeconds": 5,
  "flows": [
    {"filePattern": "/var/log/app/*.log", "kinesisStream": "s", "maxBufferAgeMillis": 2000,
     "maxBufferSizeRecords": 100, "maxBufferSizeBytes": 100000, "publishQueueCapacity": 7,
     "retryInitialBackoffMillis": 50, "retryMaxBackoffMillis": 400, "fileFooterPattern": "^END$",
     "multiLineStartPattern": "^\\[", "skipHeaderLines": 1, "truncatedRecordTerminator": "~",
     "aggregatedRecordSizeBytes": 4096, "partitionKeyOption": "DETERMINISTIC", "initialPosition": "START_OF_FILE",
     "minTimeBetweenFilePollsMillis": 30},
    {"filePattern": "rel/x.log", "deliveryStream": "d",
     "dataProcessingOptions": [{"optionName": "SINGLELINE"}, {"optionName": "CSVTOJSON", "customFieldNames": ["a", "b"]}]}
  ]
}`))
	if err != nil {
		t.Fatal(err)
	}
	o, flows, err := FromConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if o.CheckpointFile != "/var/tmp/ckpt" || o.CheckpointTTL != 48*time.Hour || o.ShutdownTimeout != 2500*time.Millisecond ||
		o.SendingThreads != max(2, 3*runtime.NumCPU()) || o.ProgressInterval != 5*time.Second ||
		o.KinesisEndpoint != "https://kinesis.eu-west-1.amazonaws.com" {
		t.Errorf("options %+v", o)
	}
	k := flows[0]
	want := FlowOptions{FilePattern: "/var/log/app/*.log", Kind: KinesisStream, Destination: "s", PartitionKeyOption: PartitionKeyDeterministic,
		InitialPosition: StartOfFile, BufferAge: 2 * time.Second, BufferSizeBytes: 100000, BufferRecords: 100, QueueRecords: 700,
		PollInterval: 30 * time.Millisecond, MultiLineStartPattern: `^\[`, FileFooterPattern: "^END$", SkipHeaderLines: 1,
		TruncatedRecordTerminator: "~", MaxRecordSize: 1024 * 1024, AggregatedRecordSizeBytes: 4096,
		RetryInitialBackoff: 50 * time.Millisecond, RetryMaxBackoff: 400 * time.Millisecond}
	if k.Convert != nil {
		t.Error("a flow without dataProcessingOptions has a converter")
	}
	if fmt.Sprintf("%+v", k) != fmt.Sprintf("%+v", want) {
		t.Errorf("kinesis flow\n got %+v\nwant %+v", k, want)
	}
	d := flows[1]
	wd, _ := os.Getwd()
	if d.FilePattern != filepath.Join(wd, "rel/x.log") || d.Kind != DeliveryStream || d.MaxRecordSize != 1000*1024 ||
		d.InitialPosition != EndOfFile || d.BufferAge != time.Minute || d.QueueRecords != 100*500 {
		t.Errorf("firehose flow %+v", d)
	}
	got, err := d.Convert(nil, []byte("  x,\n  y\n"))
	if err != nil || string(got) != `{"a":"x","b":"y"}`+"\n" {
		t.Errorf("converter chain: %q, %v", got, err)
	}
	if got := k.backoff(0); got != 50*time.Millisecond {
		t.Errorf("first backoff %v", got)
	}
	if got := k.backoff(5); got != 400*time.Millisecond {
		t.Errorf("backoff after 5 attempts %v, want the maximum", got)
	}
}

func TestRegionOfEndpoint(t *testing.T) {
	for in, want := range map[string]string{
		"https://kinesis.us-west-2.amazonaws.com":       "us-west-2",
		"firehose.cn-north-1.amazonaws.com.cn":          "cn-north-1",
		"https://kinesis-fips.us-east-1.amazonaws.com/": "us-east-1",
		"http://127.0.0.1:4567":                         "",
		"":                                              "",
	} {
		if got := regionOfEndpoint(in); got != want {
			t.Errorf("regionOfEndpoint(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestAssumeRole checks that assumeRoleARN makes the flows use the role's
// temporary credentials, obtained from STS (a local test server answering
// AssumeRole as STS does: Eddy has no STS yet) with the configured
// credentials, the role ARN and the external id.
func TestAssumeRole(t *testing.T) {
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	var form url.Values
	var auth string
	sts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		form, auth = r.PostForm, r.Header.Get("Authorization")
		exp := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
		fmt.Fprintf(w, `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>
<Credentials><AccessKeyId>ASIATEMP</AccessKeyId><SecretAccessKey>tempsecret</SecretAccessKey><SessionToken>token</SessionToken><Expiration>%s</Expiration></Credentials>
<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/shipper/eddy-agent</Arn><AssumedRoleId>AROA:eddy-agent</AssumedRoleId></AssumedRoleUser>
</AssumeRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleResponse>`, exp)
	}))
	defer sts.Close()
	cfg, err := awsConfig(context.Background(), Options{Region: "eu-west-1", AccessKeyID: "AKIDBASE", SecretAccessKey: "s",
		AssumeRoleARN: "arn:aws:iam::123456789012:role/shipper", AssumeRoleExternalID: "ext-1", STSEndpoint: sts.URL})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if creds.AccessKeyID != "ASIATEMP" || creds.SessionToken != "token" {
		t.Errorf("credentials %+v, want the role's", creds)
	}
	if form.Get("Action") != "AssumeRole" || form.Get("RoleArn") != "arn:aws:iam::123456789012:role/shipper" || form.Get("ExternalId") != "ext-1" {
		t.Errorf("AssumeRole request %v", form)
	}
	if !strings.Contains(auth, "Credential=AKIDBASE/") || !strings.Contains(auth, "/eu-west-1/sts/") {
		t.Errorf("AssumeRole not signed with the configured credentials: %s", auth)
	}
}

func TestCheckpointExpiry(t *testing.T) {
	p := filepath.Join(t.TempDir(), "ckpt")
	s, err := openCheckpoints(p)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	s.set(checkpoint{Flow: "f", Dev: 1, Ino: 1, Offset: 10, Seen: now.Add(-49 * time.Hour).Unix()})
	s.set(checkpoint{Flow: "f", Dev: 1, Ino: 2, Offset: 20, Seen: now.Add(-47 * time.Hour).Unix()})
	s.expire(now, 48*time.Hour)
	if err := s.save(); err != nil {
		t.Fatal(err)
	}
	s2, err := openCheckpoints(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s2.get("f", fileID{1, 1}); ok {
		t.Error("a checkpoint older than its time to live was kept")
	}
	if c, ok := s2.get("f", fileID{1, 2}); !ok || c.Offset != 20 {
		t.Errorf("a live checkpoint was lost: %+v %v", c, ok)
	}
	// Nothing changed: save does not rewrite the file.
	fi, _ := os.Stat(p)
	os.Chtimes(p, fi.ModTime().Add(-time.Hour), fi.ModTime().Add(-time.Hour))
	if err := s2.save(); err != nil {
		t.Fatal(err)
	}
	if fi2, _ := os.Stat(p); !fi2.ModTime().Equal(fi.ModTime().Add(-time.Hour)) {
		t.Error("save rewrote unchanged checkpoints")
	}
}

func TestCheckpointFileOfTheJavaAgent(t *testing.T) {
	p := filepath.Join(t.TempDir(), "checkpoints")
	os.WriteFile(p, append([]byte("SQLite format 3\x00"), make([]byte, 100)...), 0o644)
	if _, err := openCheckpoints(p); err == nil || !strings.Contains(err.Error(), "SQLite database") {
		t.Errorf("error %v, want one saying the file is the Kinesis Agent's database", err)
	}
}
