package analyticsapi

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ka "github.com/aws/aws-sdk-go-v2/service/kinesisanalytics"
	"github.com/aws/aws-sdk-go-v2/service/kinesisanalytics/types"

	"github.com/eddy-streams/eddy/internal/natstest"
	"github.com/eddy-streams/eddy/storage/jetstream"
)

func TestMain(m *testing.M) {
	natstest.Main()
	os.Exit(m.Run())
}

// candidate is a recorder that also reports which applications it has
// started (analytics.Candidate), as the runner does with leases.
type candidate struct{ recorder }

func (c *candidate) Started(arn string) bool {
	name := arn[strings.LastIndex(arn, "/")+1:]
	started := false
	for _, call := range c.Calls() {
		switch {
		case strings.HasPrefix(call, "start "+name+" "):
			started = true
		case strings.HasPrefix(call, "stop ") && strings.HasSuffix(call, "/"+name):
			started = false
		}
	}
	return started
}

// TestClusterNodesTakeUpApplications: an application started through one
// node of a cluster is started on the other too, from LAST_STOPPED_POINT,
// once it is RUNNING, so that the other node is a candidate for its lease
// (and runs it if the first dies).
func TestClusterNodesTakeUpApplications(t *testing.T) {
	srv := natstest.Embedded(t)
	var b [6]byte
	rand.Read(b[:])
	prefix := "A" + hex.EncodeToString(b[:])
	var servers []*server
	var runtimes []*candidate
	for range 2 {
		c, err := jetstream.Open(jetstream.Config{URLs: srv.URL, Replicas: 1, Prefix: prefix})
		if err != nil {
			t.Fatal(err)
		}
		logs, err := c.Logs()
		if err != nil {
			t.Fatal(err)
		}
		meta, err := c.Meta()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { meta.Close(); logs.Close(); c.Close() })
		rt := &candidate{}
		runtimes = append(runtimes, rt)
		servers = append(servers, startServer(t, &stores{meta, logs}, rt))
	}
	a := servers[0]
	ctx := testCtx(t)
	createStream(t, a, "ticks")
	if _, err := a.kda.CreateApplication(ctx, &ka.CreateApplicationInput{ApplicationName: aws.String("app"),
		ApplicationCode: aws.String(code), Inputs: []types.Input{input("ticks", 1)}}); err != nil {
		t.Fatal(err)
	}
	if err := startApp(t, a, "app", types.InputStartingPositionTrimHorizon); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the other node to start the application", func() bool { return len(runtimes[1].Calls()) > 0 })
	if got := runtimes[0].Calls(); len(got) != 1 || got[0] != "start app v1 map[1.1:TRIM_HORIZON]" {
		t.Errorf("node A's runtime: %q, want the start it was asked for", got)
	}
	if got := runtimes[1].Calls(); len(got) != 1 || got[0] != "start app v1 map[1.1:LAST_STOPPED_POINT]" {
		t.Errorf("node B's runtime: %q, want one start from LAST_STOPPED_POINT", got)
	}
}
