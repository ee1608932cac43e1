package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"path/filepath"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/admin"
	"github.com/eddy-streams/eddy/analytics"
	"github.com/eddy-streams/eddy/analytics/runner"
	"github.com/eddy-streams/eddy/cluster"
	"github.com/eddy-streams/eddy/dynamo"
	"github.com/eddy-streams/eddy/firehose"
	"github.com/eddy-streams/eddy/firehose/delivery"
	"github.com/eddy-streams/eddy/firehose/httpendpoint"
	"github.com/eddy-streams/eddy/firehose/iceberg"
	"github.com/eddy-streams/eddy/firehose/opensearch"
	"github.com/eddy-streams/eddy/firehose/redshift"
	"github.com/eddy-streams/eddy/httpapi"
	"github.com/eddy-streams/eddy/httpapi/analyticsapi"
	"github.com/eddy-streams/eddy/httpapi/dynamoapi"
	"github.com/eddy-streams/eddy/httpapi/firehoseapi"
	"github.com/eddy-streams/eddy/httpapi/iamapi"
	"github.com/eddy-streams/eddy/httpapi/kinesisapi"
	"github.com/eddy-streams/eddy/httpapi/kmsapi"
	"github.com/eddy-streams/eddy/httpapi/lambdaapi"
	"github.com/eddy-streams/eddy/httpapi/stsapi"
	"github.com/eddy-streams/eddy/iam"
	"github.com/eddy-streams/eddy/internal/s3sink"
	"github.com/eddy-streams/eddy/kinesis"
	"github.com/eddy-streams/eddy/kinesis/channels"
	"github.com/eddy-streams/eddy/kms"
	"github.com/eddy-streams/eddy/lambda"
	"github.com/eddy-streams/eddy/lambda/esm"
	"github.com/eddy-streams/eddy/metrics"
	fp "github.com/eddy-streams/eddy/protocol/firehose"
	"github.com/eddy-streams/eddy/protocol/kda"
	"github.com/eddy-streams/eddy/protocol/kds"
	"github.com/eddy-streams/eddy/runtimeapi"
	"github.com/eddy-streams/eddy/s3"
	"github.com/eddy-streams/eddy/storage"
	"github.com/eddy-streams/eddy/storage/boltmeta"
	"github.com/eddy-streams/eddy/storage/mem"
	"github.com/eddy-streams/eddy/storage/segment"
)

// runServe implements "eddy serve": the Kinesis API on one port until
// SIGINT or SIGTERM. Once listening it prints "eddy listening on ADDR" on
// stdout, so scripts that ask for port 0 learn the port.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", "[flags]", stderr)
	cfg, err := loadServeConfig(fs, args, os.Getenv)
	if err != nil {
		return err
	}
	var level slog.Level
	level.UnmarshalText([]byte(cfg.LogLevel))
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	reg := metrics.NewRegistry()
	dataDir := cfg.DataDir
	if cfg.InMemory {
		dataDir = ""
	}
	registerProcessMetrics(reg, dataDir)
	logs, meta, err := openStorage(cfg, logger, reg)
	if err != nil {
		return err
	}
	defer func() {
		if err := logs.Close(); err != nil {
			logger.Error("closing logs", "err", err)
		}
		if err := meta.Close(); err != nil {
			logger.Error("closing metadata", "err", err)
		}
	}()

	// Background work (retention, scalers, pollers, deliveries) runs on
	// one node of those sharing the store, each job under a leader lease
	// (docs/CLUSTER.md); on a store of one node every job runs here.
	leaders := cluster.New(meta, cluster.Config{NodeID: cfg.NodeID, TTL: cfg.LeaseTTL, Logger: logger})
	defer leaders.Close()
	// leader and exclusive are the services' hooks: nil on one node, where
	// the services run their jobs as they always did.
	var (
		leader    func(job string) bool
		exclusive func(ctx context.Context, job string, fn func(ctx context.Context))
	)
	if leaders.Shared() {
		logger.Info("background jobs under leader leases", "node", leaders.NodeID(), "lease ttl", leaders.TTL())
		leader, exclusive = leaders.Leader, leaders.Run
	}

	// KMS keys in the same store ("kms/keys", "kms/aliases"), their
	// material sealed under the root key (docs/KMS.md). Opened first: the
	// Kinesis engines encrypt streams' records with them.
	keys, err := openKMS(cfg, os.Getenv, meta, logger)
	if err != nil {
		return err
	}

	// Other accounts' keys (with --identities) in services of their own,
	// under "accounts/<account>/" in the same store.
	kmsAccounts := kms.NewAccounts(keys, meta)

	ecfg := kinesis.DefaultConfig()
	ecfg.KeyService = func(region string) kinesis.KeyService { return keys.In(region) }
	ecfg.AccountKeyService = func(account, region string) kinesis.KeyService {
		s, err := kmsAccounts.Get(account)
		if err != nil {
			return failingKeys{err}
		}
		return s.In(region)
	}
	ecfg.Region, ecfg.AccountID = cfg.Region, cfg.AccountID
	ecfg.CreateDelay, ecfg.UpdateDelay, ecfg.DeleteDelay = cfg.CreateDelay, cfg.UpdateDelay, cfg.DeleteDelay
	ecfg.ShardLimit = cfg.ShardLimit
	ecfg.SubscriptionLifetime = cfg.SubLifetime
	ecfg.Limits = cfg.Limits
	ecfg.OnDemandScaleInterval, ecfg.OnDemandMinShards, ecfg.OnDemandMaxShards = cfg.ScaleEvery, cfg.OnDemandMin, cfg.OnDemandMax
	ecfg.Metrics = reg
	ecfg.Logger = logger
	ecfg.Leader = leader
	// One engine per region; --region is the default region, for what
	// names none (config-file streams and faults, the admin API, requests
	// signed without a valid region name).
	regions, err := kinesis.OpenRegions(ecfg, logs, meta)
	if err != nil {
		return err
	}
	defer regions.Close()
	rules, err := cfg.faultRules()
	if err != nil {
		return err
	}
	if err := regions.Default().SetFaults(rules); err != nil {
		return err
	}
	if err := bootstrapStreams(ctx, regions, cfg.Streams, logger); err != nil {
		return err
	}

	// DynamoDB in the same store, under "dynamodb/<region>/", one engine
	// per region as for Kinesis.
	dcfg := dynamo.DefaultConfig()
	dcfg.Region, dcfg.AccountID = cfg.Region, cfg.AccountID
	dcfg.Logger = logger
	dcfg.Leader = leader
	ddbRegions, err := dynamo.OpenRegions(dcfg, meta)
	if err != nil {
		return err
	}
	defer ddbRegions.Close()

	// Firehose delivery streams in the same store: configurations in the
	// metadata ("firehose/delivery-streams"), each DirectPut stream's
	// records in a log of its own ("firehose/<region>/<name>:...").
	fcfg := firehose.DefaultConfig()
	fcfg.Region, fcfg.AccountID, fcfg.Logger = cfg.Region, cfg.AccountID, logger
	fcfg.CreateDelay, fcfg.DeleteDelay = cfg.CreateDelay, cfg.DeleteDelay
	if cfg.Limits == kinesis.LimitsAWS {
		fcfg.Quotas = firehose.QuotasAWS // Direct PUT throughput quotas
	}
	// Each account's delivery streams and functions (accounts.go), opened
	// below once everything they use is.
	accounts := &accountSet{defaultID: cfg.AccountID, meta: meta}

	hcfg := httpapi.DefaultConfig()
	hcfg.Region = cfg.Region
	hcfg.Logger = logger
	hcfg.LogRequests = cfg.LogRequests
	hcfg.MaxInflightBytes = int64(cfg.MaxInflight)
	if cfg.MaxInflight == 0 {
		hcfg.MaxInflightBytes = httpapi.NoInflightLimit
	}
	if cfg.AccessKeyID != "" {
		hcfg.Credentials = map[string]string{cfg.AccessKeyID: cfg.SecretKey}
	}
	if cfg.Identities != "" {
		dir, err := loadIdentities(cfg)
		if err != nil {
			return err
		}
		// Users, keys and policies made through the IAM API are kept
		// with the rest of the metadata.
		dir.SetLogger(logger)
		if err := dir.UseStore(meta); err != nil {
			return err
		}
		hcfg.IAM = dir
	}
	fhAPI := firehoseapi.AccountsService(func(ctx context.Context) (*firehose.Service, error) {
		a, err := accounts.caller(ctx)
		if err != nil {
			return nil, err
		}
		return a.firehose, nil
	})
	kdaAPI := analyticsapi.AccountsService(func(ctx context.Context) (*analytics.Service, error) {
		a, err := accounts.caller(ctx)
		if err != nil {
			return nil, err
		}
		return a.analytics, nil
	})
	ddbAPI, kmsAPI := dynamoapi.RegionalService(ddbRegions), kmsapi.AccountsService(kmsAccounts)
	authorizeServices(cfg.AccountID, &fhAPI, &ddbAPI, &kmsAPI, &kdaAPI)
	srv, err := httpapi.New(hcfg, kinesisapi.RegionalService(regions), ddbAPI, fhAPI, kmsAPI, kdaAPI)
	if err != nil {
		return err
	}
	// TLS (--tls-cert, --tls auto), and what a listener beyond loopback
	// needs (docs/SECURITY.md#transport).
	stls, cleanupTLS, err := setupTLS(cfg, meta, logger)
	if err != nil {
		return err
	}
	defer cleanupTLS()
	token, err := adminToken(cfg, os.Getenv)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return err
	}
	if err := checkExposure(cfg, logger, "--listen", cfg.Listen, ln.Addr(), apiLacks(cfg, stls)); err != nil {
		ln.Close()
		return err
	}
	scheme := "http"
	if stls.config != nil {
		scheme = "https"
	}

	// Lambda functions on the same port (REST-JSON); their processes reach
	// Eddy back at the listener's address.
	lcfg := lambda.DefaultConfig()
	lcfg.Region, lcfg.AccountID, lcfg.Logger = cfg.Region, cfg.AccountID, logger
	lcfg.Launcher = runtimeapi.Launcher{}
	lcfg.Endpoint = scheme + "://" + loopbackAddr(ln.Addr())
	lcfg.CABundle = stls.caFile
	if cfg.AccessKeyID != "" {
		lcfg.AccessKeyID, lcfg.SecretAccessKey = cfg.AccessKeyID, cfg.SecretKey
	}
	if dir := hcfg.IAM; dir != nil {
		// With identities, functions act as their execution role, as on
		// Lambda (docs/SECURITY.md).
		lcfg.RoleCredentials = func(roleARN, session string) (lambda.RoleCredentials, error) {
			c, err := dir.ServiceRoleCredentials("lambda.amazonaws.com", roleARN, session, functionCredentialsLife, time.Now())
			if err != nil {
				return lambda.RoleCredentials{}, err
			}
			return lambda.RoleCredentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken, Expires: c.Expiration}, nil
		}
	}
	// S3 on-failure destinations are written to the external
	// S3-compatible server of --s3-endpoint, if any.
	esmCfg := esm.Config{Logger: logger, Exclusive: exclusive}
	var sink *s3sink.Sink
	if s3cfg, ok := cfg.s3Config(); ok {
		sink, err = s3sink.New(s3cfg)
		if err != nil {
			ln.Close()
			return err
		}
		esmCfg.Objects, lcfg.S3Destinations = sink, true
	}
	// The embedded S3 endpoint's store, written in process by delivery
	// streams and channels when there is no --s3-endpoint.
	var s3Store s3.ObjectStore
	if cfg.S3Listen != "off" && cfg.S3Listen != "" {
		st, cleanup, err := s3StoreOf(cfg, logs, meta)
		if err != nil {
			ln.Close()
			return err
		}
		defer cleanup()
		s3Store = st
	}
	var objects delivery.Objects
	switch {
	case sink != nil:
		objects = sink
	case s3Store != nil:
		objects = s3.Objects{Store: s3Store}
	}
	// --s3-bucket-dir: those buckets' objects are files in a directory.
	dirs, _ := cfg.bucketDirs() // validated
	router := delivery.BucketRouter{Buckets: map[string]delivery.Objects{}, Default: objects}
	for bucket, dir := range dirs {
		router.Buckets[bucket] = delivery.DirObjects{Dir: dir}
	}
	if len(dirs) > 0 {
		objects = router
	}
	// Kinesis channels to S3 deliver to the same S3-compatible server;
	// without one they are kept but deliver nothing.
	var channelRunner *channels.Runner
	if objects != nil {
		ccfg := channels.DefaultConfig()
		ccfg.Objects, ccfg.Logger, ccfg.ObjectSize = objects, logger, cfg.ChannelSize
		ccfg.Exclusive = exclusive
		ccfg.BucketDir = func(bucket string) (string, bool) { dir, ok := dirs[bucket]; return dir, ok }
		if channelRunner, err = channels.New(ccfg, regions, meta); err != nil {
			ln.Close()
			return err
		}
		defer channelRunner.Close()
	} else {
		logger.Info("kinesis channels are not delivered: no --s3-endpoint, --s3-listen or --s3-bucket-dir")
	}
	// Delivery streams: a pipeline per ACTIVE stream, reading its log or
	// its Kinesis stream in process, invoking Lambda processors in
	// process, writing to S3 (embedded or --s3-endpoint) or an HTTP
	// endpoint.
	schemaDir := cfg.GlueSchemas
	if schemaDir == "" && !cfg.InMemory {
		schemaDir = filepath.Join(cfg.DataDir, "glue")
	}
	dcfgBase := delivery.Config{
		Objects:   router.For,
		SchemaDir: schemaDir, Logger: logger, Exclusive: exclusive,
		MetricFamilies: delivery.NewMetrics(reg),
		Destinations: map[string]func(firehose.DeliveryStream, delivery.Deps) (delivery.Destination, delivery.Hints, error){
			fp.DestHTTPEndpoint:  httpendpoint.FromStream,
			fp.DestRedshift:      redshift.FromStream,
			fp.DestOpenSearch:    opensearch.FromStream(nil),
			fp.DestElasticsearch: opensearch.FromStream(nil),
			// Iceberg warehouses are local: a bucket of --s3-bucket-dir.
			fp.DestIceberg: iceberg.FromStream(func(bucket string) (string, bool) {
				dir, ok := dirs[bucket]
				return dir, ok
			}),
		},
	}
	esmCfg.MetricFamilies = esm.NewMetrics(reg)
	appMetrics := runner.NewMetrics(reg)
	// An account's services: the server's account's in the store's own
	// tables, another's under "accounts/<account>/" (accounts.go).
	accounts.open = func(account string) (*accountServices, error) {
		ameta, alogs, lambdaDir := meta, logs, filepath.Join(cfg.DataDir, "lambda")
		if account != cfg.AccountID {
			prefix := "accounts/" + account + "/"
			ameta, alogs = storage.PrefixMeta(meta, prefix), storage.PrefixLogs(logs, prefix)
			lambdaDir = filepath.Join(cfg.DataDir, "lambda-accounts", account)
		}
		a := &accountServices{}
		// Delivery streams: a pipeline per ACTIVE stream, reading its log
		// or its Kinesis stream in process, invoking Lambda processors in
		// process, writing to S3 (embedded or --s3-endpoint) or another
		// destination. The runner is told of appends and changes.
		fc := fcfg
		fc.AccountID = account
		fc.Appended = func(logID string) {
			if a.deliveries != nil {
				a.deliveries.Appended(logID)
			}
		}
		fc.Changed = func() {
			if a.deliveries != nil {
				a.deliveries.Changed()
			}
		}
		var err error
		if a.firehose, err = firehose.New(fc, ameta, alogs); err != nil {
			return nil, err
		}
		// Functions, whose processes reach Eddy back at the listener.
		lc := lcfg
		lc.AccountID = account
		if !cfg.InMemory {
			lc.DataDir = lambdaDir
		}
		if cfg.Backend == "jetstream" {
			// Zips in the shared store too, so every node runs every
			// function (lambda/code.go).
			lc.Code = alogs
		}
		if a.functions, err = lambda.New(lc, ameta); err != nil {
			return nil, err
		}
		kinesisOf := func(region string) (*kinesis.Engine, error) { return regions.GetAccount(account, region) }
		// Kinesis event source mappings read the account's streams in
		// process and invoke its functions in process.
		a.mappings = esm.New(esmCfg, a.functions, a.functions, func(region string) (esm.Source, error) {
			eng, err := kinesisOf(region)
			if err != nil {
				return nil, err
			}
			return eng, nil
		}, ameta)
		dc := dcfgBase
		dc.Streams, dc.Meta, dc.Invoker = a.firehose, ameta, a.functions
		dc.LabelByARN = account != cfg.AccountID
		dc.Kinesis = func(region string) (delivery.Kinesis, error) {
			eng, err := kinesisOf(region)
			if err != nil {
				return nil, err
			}
			return eng, nil
		}
		a.deliveries = delivery.NewRunner(dc)
		readObject := referenceObjects(s3Store, dirs)
		// SQL applications, run in process: inputs from the account's
		// streams and delivery streams, outputs to them and to its
		// functions, reference data from the S3-compatible store.
		a.apps = runner.New(runner.Config{
			Kinesis: func(region string) (runner.Kinesis, error) {
				eng, err := kinesisOf(region)
				if err != nil {
					return nil, err
				}
				return eng, nil
			},
			Firehose: a.firehose, Invoker: a.functions, Tap: a.deliveries.Tap,
			Object: func(ctx context.Context, bucket, key string) ([]byte, error) {
				return readObject(ctx, bucket, key, -1)
			},
			Meta: ameta, Logger: logger, Metrics: appMetrics, Exclusive: exclusive,
			Current: func(ctx context.Context, arn string) (kda.ApplicationDetail, bool, error) {
				return currentApplication(ctx, a.analytics, arn)
			},
		})
		acfg := analytics.DefaultConfig()
		acfg.Region, acfg.AccountID, acfg.Logger = cfg.Region, account, logger
		acfg.Runtime, acfg.Firehose, acfg.Functions = a.apps, a.firehose, a.functions
		acfg.ReadObject = readObject
		acfg.Invoke = func(ctx context.Context, fn string, payload []byte) ([]byte, error) {
			res, fnErr, err := a.functions.Invoke(ctx, fn, payload)
			if err == nil && fnErr != "" {
				err = fmt.Errorf("function %s: %s: %s", fn, fnErr, res)
			}
			return res, err
		}
		acfg.Kinesis = func(region string) (analytics.Kinesis, error) {
			eng, err := kinesisOf(region)
			if err != nil {
				return nil, err
			}
			return eng, nil
		}
		if a.analytics, err = analytics.New(acfg, ameta); err != nil {
			a.close()
			return nil, err
		}
		// The applications RUNNING at the last stop run again, from
		// where they stopped.
		if err := a.analytics.Resume(context.Background()); err != nil {
			a.close()
			return nil, err
		}
		return a, nil
	}
	if err := accounts.resume(); err != nil {
		ln.Close()
		accounts.close()
		return err
	}
	defer accounts.close()
	def, _ := accounts.get("")
	functions := def.functions
	if err := bootstrapFunctions(functions, cfg.Region, cfg.Functions, logger); err != nil {
		ln.Close()
		return err
	}
	srv.AddQuery(stsapi.Service(hcfg.IAM, cfg.AccountID, nil), iamapi.Service(hcfg.IAM, nil))
	lambdaAPI := lambdaapi.AccountsService(func(ctx context.Context) (*lambda.Service, error) {
		a, err := accounts.caller(ctx)
		if err != nil {
			return nil, err
		}
		return a.functions, nil
	})
	authorizeLambda(cfg.AccountID, &lambdaAPI)
	if err := srv.AddREST(lambdaAPI); err != nil {
		ln.Close()
		return err
	}
	var adminSrv *http.Server
	if cfg.AdminListen != "off" && cfg.AdminListen != "" {
		aln, err := net.Listen("tcp", cfg.AdminListen)
		if err != nil {
			ln.Close()
			return fmt.Errorf("admin listener: %w (move it with --admin-listen ADDR, or turn it off with --admin-listen off)", err)
		}
		if err := checkExposure(cfg, logger, "--admin-listen", cfg.AdminListen, aln.Addr(), adminLacks(stls, token)); err != nil {
			aln.Close()
			ln.Close()
			return err
		}
		handler := admin.Handler(regions, reg, ddbRegions.Ready)
		if cfg.Pprof {
			handler = withPprof(handler)
		}
		if token != "" {
			handler = withBearer(handler, token)
		}
		adminSrv = &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
		// Beyond loopback the admin listener serves TLS too; on loopback
		// it stays plain HTTP, as probes and scripts there expect.
		adminScheme := "http"
		if stls.config != nil && !isLoopback(aln.Addr()) {
			adminScheme, adminSrv.TLSConfig = "https", stls.config.Clone()
			go adminSrv.ServeTLS(aln, "", "")
		} else {
			go adminSrv.Serve(aln)
		}
		defer adminSrv.Close()
		fmt.Fprintf(stdout, "eddy admin on %s://%s\n", adminScheme, aln.Addr())
	}
	if s3Store != nil {
		s3Srv, s3URL, err := serveS3(cfg, s3Store, stls, hcfg.IAM, logger)
		if err != nil {
			ln.Close()
			return err
		}
		defer s3Srv.Close()
		fmt.Fprintf(stdout, "eddy s3 on %s\n", s3URL)
	}
	fmt.Fprintf(stdout, "eddy listening on %s://%s\n", scheme, ln.Addr())

	logger.Info("serving", "addr", ln.Addr().String(), "data", storageDesc(cfg), "sync", cfg.Sync,
		"verify signatures", cfg.AccessKeyID != "" || cfg.Identities != "", "identities", cfg.Identities != "", "limits", cfg.Limits, "fault rules", len(rules),
		"default region", cfg.Region, "regions", regions.List())

	errc := make(chan error, 1)
	go func() {
		if stls.config != nil {
			errc <- srv.ServeTLSConfig(ln, stls.config)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	case <-ctx.Done():
		logger.Info("shutting down")
		// Stop the channels' deliveries, which read the streams, then end
		// SubscribeToShard streams: Shutdown waits for active
		// connections, and a subscription stays active for minutes.
		if channelRunner != nil {
			channelRunner.Close()
		}
		regions.Close()
		ddbRegions.Close()
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			logger.Warn("shutdown", "err", err)
		}
	}
	return nil
}

// s3StoreOf returns the embedded S3 endpoint's store: with --backend
// jetstream, buckets and objects in the cluster's metadata and logs, which
// every node sees (docs/CLUSTER.md); otherwise objects under
// <data-dir>/s3, or with --in-memory a temporary directory that cleanup
// removes.
func s3StoreOf(cfg serveConfig, logs storage.Logs, meta storage.MetaStore) (s3.ObjectStore, func(), error) {
	if cfg.Backend == "jetstream" && !cfg.InMemory {
		return &s3.LogStore{Meta: meta, Logs: logs}, func() {}, nil
	}
	if cfg.InMemory {
		dir, err := os.MkdirTemp("", "eddy-s3-")
		if err != nil {
			return nil, nil, err
		}
		return &s3.Store{Root: dir}, func() { os.RemoveAll(dir) }, nil
	}
	return &s3.Store{Root: filepath.Join(cfg.DataDir, "s3")}, func() {}, nil
}

// serveS3 starts the embedded S3-compatible endpoint on cfg.S3Listen over
// store. With --access-key-id it verifies signatures by that key; with
// --identities (dir) by the identities' keys, and authorizes each request.
func serveS3(cfg serveConfig, store s3.ObjectStore, stls *serverTLS, dir *iam.Directory, logger *slog.Logger) (io.Closer, string, error) {
	ln, err := net.Listen("tcp", cfg.S3Listen)
	if err != nil {
		return nil, "", fmt.Errorf("s3 listener: %w (move it with --s3-listen ADDR, or turn it off with --s3-listen off)", err)
	}
	if err := checkExposure(cfg, logger, "--s3-listen", cfg.S3Listen, ln.Addr(), apiLacks(cfg, stls)); err != nil {
		ln.Close()
		return nil, "", err
	}
	h := &s3.Server{Store: store, Log: logger, Region: cfg.Region, AccountID: cfg.AccountID}
	if cfg.AccessKeyID != "" {
		// The same key as the Kinesis listener's: requests must be signed
		// by it (service "s3").
		h.Credentials = map[string]string{cfg.AccessKeyID: cfg.SecretKey}
	}
	h.IAM = dir
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	// Beyond loopback it serves TLS with the API's certificate; on
	// loopback plain HTTP, as the delivery streams in this process and
	// local tools expect.
	if stls.config != nil && !isLoopback(ln.Addr()) {
		srv.TLSConfig = stls.config.Clone()
		go srv.ServeTLS(ln, "", "")
		return srv, "https://" + ln.Addr().String(), nil
	}
	go srv.Serve(ln)
	return srv, "http://" + ln.Addr().String(), nil
}

// loopbackAddr is addr with an unspecified host (":4567", "0.0.0.0")
// replaced by 127.0.0.1, for processes on this machine to dial.
func loopbackAddr(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return addr.String()
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

func storageDesc(cfg serveConfig) string {
	if cfg.InMemory {
		return "in memory"
	}
	return cfg.DataDir
}

// openStorage opens the records and metadata stores cfg names: segment logs
// under <data-dir>/logs and bbolt metadata in <data-dir>/meta.db, or memory.
func openStorage(cfg serveConfig, logger *slog.Logger, reg *metrics.Registry) (storage.Logs, storage.MetaStore, error) {
	if cfg.InMemory {
		return mem.NewLogs(), mem.NewMeta(), nil
	}
	if cfg.Backend == "jetstream" {
		return openJetStream(cfg, logger)
	}
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, nil, err
	}
	if err := checkAtRestMode(cfg); err != nil {
		return nil, nil, err
	}
	scfg := segment.DefaultConfig()
	scfg.Sync = segment.SyncMode(cfg.Sync)
	scfg.SyncFS = cfg.SyncFS
	scfg.Logger = logger
	fsyncs := reg.HistogramVec("eddy_storage_fsync_seconds", "Durations of the fsyncs that make appended records durable (group commits).", metrics.LatencyBuckets)
	fsyncErrors := reg.CounterVec("eddy_storage_fsync_errors_total", "Failed fsyncs of appended records.")
	hist, errs := fsyncs.With(), fsyncErrors.With()
	scfg.OnSync = func(d time.Duration, err error) {
		hist.Observe(d.Seconds())
		if err != nil {
			errs.Inc()
		}
	}
	if cfg.EncryptAtRest {
		return openEncryptedStorage(cfg, logger, scfg)
	}
	// Metadata first: its file lock keeps a second server off the directory.
	meta, err := boltmeta.Open(filepath.Join(cfg.DataDir, plainMetaFile), boltmeta.DefaultConfig())
	if err != nil {
		return nil, nil, fmt.Errorf("open metadata in %s: %w", cfg.DataDir, err)
	}
	logs, err := segment.Open(filepath.Join(cfg.DataDir, "logs"), scfg)
	if err != nil {
		meta.Close()
		return nil, nil, err
	}
	return logs, meta, nil
}

// bootstrapStreams creates the streams the config file lists that do not
// exist yet, in their region (the default region unless they name one), and
// gives them their retention period. Existing streams are left as they are.
func bootstrapStreams(ctx context.Context, regions *kinesis.Regions, streams []bootstrapStream, logger *slog.Logger) error {
	for _, bs := range streams {
		region := bs.Region
		if region == "" {
			region = regions.DefaultRegion()
		}
		eng, err := regions.Get(region)
		if err != nil {
			return fmt.Errorf("config file: stream %s: %w", bs.Name, err)
		}
		logger := logger.With("region", region)
		in := &kds.CreateStreamInput{StreamName: &bs.Name}
		if bs.Mode == kinesis.ModeOnDemand {
			in.StreamModeDetails = &kds.StreamModeDetails{StreamMode: ptrTo(kds.StreamMode(kinesis.ModeOnDemand))}
		} else {
			in.ShardCount = ptrTo(int32(bs.Shards))
		}
		_, err = eng.CreateStream(ctx, in)
		var ee *eddy.Error
		if errors.As(err, &ee) && ee.Code == eddy.CodeResourceInUse {
			logger.Info("bootstrap stream exists", "stream", bs.Name)
			continue
		}
		if err != nil {
			return fmt.Errorf("config file: create stream %s: %w", bs.Name, err)
		}
		if bs.RetentionHours > 24 {
			if err := waitActive(ctx, eng, bs.Name); err != nil {
				return err
			}
			_, err := eng.IncreaseStreamRetentionPeriod(ctx, &kds.IncreaseStreamRetentionPeriodInput{StreamName: &bs.Name, RetentionPeriodHours: ptrTo(int32(bs.RetentionHours))})
			if err != nil {
				return fmt.Errorf("config file: stream %s retention: %w", bs.Name, err)
			}
		}
		logger.Info("bootstrap stream created", "stream", bs.Name)
	}
	return nil
}

// waitActive waits until a new stream leaves CREATING (--create-delay).
func waitActive(ctx context.Context, eng *kinesis.Engine, name string) error {
	for {
		out, err := eng.DescribeStreamSummary(ctx, &kds.DescribeStreamSummaryInput{StreamName: &name})
		if err != nil {
			return err
		}
		if out.StreamDescriptionSummary.StreamStatus == kinesis.StatusActive {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func ptrTo[T any](v T) *T { return &v }

// withPprof serves Go's profiler under /debug/pprof/ beside h (--pprof):
// `go tool pprof http://127.0.0.1:4568/debug/pprof/profile?seconds=10`.
func withPprof(h http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", h)
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}
