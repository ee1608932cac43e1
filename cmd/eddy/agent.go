package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"

	"github.com/eddy-streams/eddy/agent"
	"github.com/eddy-streams/eddy/metrics"
)

// agentFile is the temporary --config format: agent.Options and the flows
// as JSON (durations in nanoseconds). The agent.json format of the Kinesis
// Agent replaces it once agent/config is merged.
type agentFile struct {
	Options agent.Options       `json:"options"`
	Flows   []agent.FlowOptions `json:"flows"`
}

func runAgent(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("agent", "--config FILE [--check] [--metrics-listen ADDR]", stderr)
	cfgPath := fs.String("config", "", "the agent's configuration file")
	check := fs.Bool("check", false, "check the configuration and exit")
	metricsListen := fs.String("metrics-listen", "", "serve the agent's metrics (Prometheus text) at http://ADDR/metrics")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cfgPath == "" {
		return &usageError{"agent: --config is required"}
	}
	b, err := os.ReadFile(*cfgPath)
	if err != nil {
		return err
	}
	var cfg agentFile
	if err := json.Unmarshal(b, &cfg); err != nil {
		return fmt.Errorf("agent: %s: %v", *cfgPath, err)
	}
	if err := agent.Validate(cfg.Options, cfg.Flows); err != nil {
		return err
	}
	if *check {
		fmt.Fprintln(stdout, "configuration OK")
		return nil
	}
	cfg.Options.Logger = slog.New(slog.NewTextHandler(stderr, nil))
	cfg.Options.Metrics = metrics.NewRegistry()
	if *metricsListen != "" {
		ln, err := net.Listen("tcp", *metricsListen)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "eddy agent metrics on http://%s/metrics\n", ln.Addr())
		mux := http.NewServeMux()
		reg := cfg.Options.Metrics
		mux.HandleFunc("/metrics", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain; version=0.0.4")
			reg.WriteText(w)
		})
		srv := &http.Server{Handler: mux}
		go srv.Serve(ln)
		defer srv.Close()
	}
	fmt.Fprintln(stdout, "eddy agent running")
	return agent.Run(ctx, cfg.Options, cfg.Flows)
}
