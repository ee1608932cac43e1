// Package eddytest starts an Eddy server inside a test process: Kinesis and
// DynamoDB on one loopback port, durable storage (segment logs and bbolt) in
// a directory the caller owns, and aws-sdk-go-v2 clients pointed at it.
//
// Tests of the client libraries (client/consumer, client/producer) and of
// third-party Kinesis libraries use it to talk to a real server over HTTP
// without a separately built binary. The libraries themselves never import
// it: only their tests do.
package eddytest

import (
	"context"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/eddy-streams/eddy/dynamo"
	"github.com/eddy-streams/eddy/httpapi"
	"github.com/eddy-streams/eddy/httpapi/dynamoapi"
	"github.com/eddy-streams/eddy/httpapi/kinesisapi"
	kin "github.com/eddy-streams/eddy/kinesis"
	"github.com/eddy-streams/eddy/storage/boltmeta"
	"github.com/eddy-streams/eddy/storage/segment"
)

// Region is the region the clients sign for and the server's default.
const Region = "us-east-1"

// Options change how Start builds the server. The zero value is a durable
// server with AWS's delays for stream state changes set to zero.
type Options struct {
	// Kinesis adjusts the Kinesis engine's configuration before it opens
	// (limits, delays, the subscription lifetime, a clock).
	Kinesis func(*kin.Config)
}

// Server is a running Eddy. Stop it with Close (Start also registers Close
// with t.Cleanup); a stopped server can be started again on the same Dir
// with Restart, which is how tests check what survives a restart.
type Server struct {
	// Endpoint is the base URL: http://127.0.0.1:PORT.
	Endpoint string
	// Dir holds the server's data.
	Dir string

	t       testing.TB
	opts    Options
	srv     *httpapi.Server
	regions *kin.Regions
	ddb     *dynamo.Regions
	logs    *segment.Store
	meta    *boltmeta.Store
}

// Start serves Kinesis and DynamoDB on 127.0.0.1:0 with data in a fresh
// temporary directory.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	s := &Server{t: t, opts: opts, Dir: t.TempDir()}
	s.open("127.0.0.1:0")
	t.Cleanup(s.Close)
	return s
}

func (s *Server) open(addr string) {
	t := s.t
	t.Helper()
	meta, err := boltmeta.Open(filepath.Join(s.Dir, "meta.db"), boltmeta.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	logs, err := segment.Open(filepath.Join(s.Dir, "logs"), segment.DefaultConfig())
	if err != nil {
		meta.Close()
		t.Fatal(err)
	}
	cfg := kin.DefaultConfig()
	cfg.Region = Region
	cfg.CreateDelay, cfg.UpdateDelay, cfg.DeleteDelay = 0, 0, 0
	if s.opts.Kinesis != nil {
		s.opts.Kinesis(&cfg)
	}
	regions, err := kin.OpenRegions(cfg, logs, meta)
	if err != nil {
		logs.Close()
		meta.Close()
		t.Fatal(err)
	}
	dcfg := dynamo.DefaultConfig()
	dcfg.Region = Region
	ddb, err := dynamo.OpenRegions(dcfg, meta)
	if err != nil {
		regions.Close()
		logs.Close()
		meta.Close()
		t.Fatal(err)
	}
	hcfg := httpapi.DefaultConfig()
	hcfg.Region = Region
	srv, err := httpapi.New(hcfg, kinesisapi.RegionalService(regions), dynamoapi.RegionalService(ddb))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	s.srv, s.regions, s.ddb, s.logs, s.meta = srv, regions, ddb, logs, meta
	s.Endpoint = "http://" + ln.Addr().String()
}

// Close stops the server and closes its storage. It may be called twice.
func (s *Server) Close() {
	if s.srv == nil {
		return
	}
	// Subscriptions end first: Shutdown waits for active connections.
	s.regions.Close()
	s.ddb.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s.srv.Shutdown(ctx)
	s.logs.Close()
	s.meta.Close()
	s.srv = nil
}

// Restart closes the server and opens it again on the same directory and,
// where the port is still free, the same address.
func (s *Server) Restart() {
	s.t.Helper()
	addr := s.Endpoint[len("http://"):]
	s.Close()
	s.open(addr)
}

// Kinesis returns a new aws-sdk-go-v2 Kinesis client for the server.
func (s *Server) Kinesis() *kinesis.Client {
	return kinesis.New(kinesis.Options{
		Region:       Region,
		BaseEndpoint: aws.String(s.Endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
	})
}

// DynamoDB returns a new aws-sdk-go-v2 DynamoDB client for the server.
func (s *Server) DynamoDB() *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region:       Region,
		BaseEndpoint: aws.String(s.Endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
	})
}

// Engine returns the Kinesis engine of the default region, for tests that
// need to look behind the API (fault rules, the clock).
func (s *Server) Engine() *kin.Engine { return s.regions.Default() }
