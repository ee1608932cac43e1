package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/eddy-streams/eddy/agent"
	"github.com/eddy-streams/eddy/agent/config"
	"github.com/eddy-streams/eddy/metrics"
)

// runAgent is `eddy agent`: the Kinesis Agent's job, configured by its own
// agent.json (package agent/config), run by package agent.
func runAgent(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("agent", "--config FILE [--check] [--metrics-listen ADDR]", stderr)
	cfgPath := fs.String("config", "/etc/aws-kinesis/agent.json", "the Kinesis Agent's configuration file (agent.json)")
	check := fs.Bool("check", false, "check the configuration, print the flows it would run, and exit")
	metricsListen := fs.String("metrics-listen", "", "serve the agent's metrics (Prometheus text) at http://ADDR/metrics")
	rateLimit := fs.Int("rate-limit", 150, "cap the writes to each Kinesis shard at this percent of Kinesis's per-shard limits (the KPL's RateLimit); 0 turns the limiter off, for an Eddy without limits")
	checkpointEvery := fs.Duration("checkpoint-interval", time.Second, "how often the checkpoint file is written (when positions moved)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &usageError{"agent: unexpected argument " + fs.Arg(0)}
	}
	cfg, warnings, err := config.Load(*cfgPath)
	if err != nil {
		return err
	}
	opts, flows, err := agent.FromConfig(cfg)
	if err != nil {
		return err
	}
	if *check {
		for _, w := range warnings {
			fmt.Fprintf(stdout, "warning: %s\n", w)
		}
		fmt.Fprint(stdout, cfg.Describe())
		fmt.Fprintln(stdout, "configuration OK")
		return nil
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: agentLogLevel(cfg.LogLevel)}))
	for _, w := range warnings {
		log.Warn("agent config: " + w.String())
	}
	opts.Logger = log
	opts.Metrics = metrics.NewRegistry()
	opts.CheckpointInterval = *checkpointEvery
	opts.RateLimit = *rateLimit
	if *rateLimit == 0 {
		opts.RateLimit = -1
	}
	if *metricsListen != "" {
		ln, err := net.Listen("tcp", *metricsListen)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "eddy agent metrics on http://%s/metrics\n", ln.Addr())
		mux := http.NewServeMux()
		reg := opts.Metrics
		mux.HandleFunc("/metrics", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain; version=0.0.4")
			reg.WriteText(w)
		})
		srv := &http.Server{Handler: mux}
		go srv.Serve(ln)
		defer srv.Close()
	}
	fmt.Fprintf(stdout, "eddy agent running %d flows from %s\n", len(flows), *cfgPath)
	return agent.Run(ctx, opts, flows)
}

// agentLogLevel maps the agent's log.level (log4j names) to slog's.
func agentLogLevel(s string) slog.Level {
	switch strings.ToUpper(s) {
	case "TRACE", "DEBUG":
		return slog.LevelDebug
	case "WARN", "WARNING":
		return slog.LevelWarn
	case "ERROR", "FATAL":
		return slog.LevelError
	}
	return slog.LevelInfo
}
