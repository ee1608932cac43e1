package natstest

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

func TestMain(m *testing.M) {
	Main()
	os.Exit(m.Run())
}

// putGet creates an R-replica stream through url, stores a message and
// reads it back.
func putGet(t *testing.T, url string, replicas int) {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "T", Subjects: []string{"t"}, Replicas: replicas})
	if err != nil {
		t.Fatal(err)
	}
	ack, err := js.Publish(ctx, "t", []byte("hello"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.GetMsg(ctx, ack.Sequence)
	if err != nil || string(m.Data) != "hello" {
		t.Fatalf("GetMsg = %v, %v", m, err)
	}
}

func TestEmbedded(t *testing.T) {
	putGet(t, Embedded(t).URL, 1)
}

func TestClusterKillRestart(t *testing.T) {
	c := StartCluster(t, 3)
	putGet(t, c.URLs(), 3)
	c.Kill(0)
	nc, err := nats.Connect(c.Servers[1].URL)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		_, err := js.Publish(ctx, "t", []byte("after kill"))
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("no write after killing a node: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.Restart(0)
	c.WaitReady(t, 60*time.Second)
}
