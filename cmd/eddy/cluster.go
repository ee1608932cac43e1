package main

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"github.com/nats-io/nats.go"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/analytics"
	"github.com/eddy-streams/eddy/protocol/kda"
	"github.com/eddy-streams/eddy/storage"
	"github.com/eddy-streams/eddy/storage/jetstream"
)

// openJetStream connects to the NATS cluster of --nats-url and opens the
// shard logs and the metadata kept there (docs/CLUSTER.md).
func openJetStream(cfg serveConfig, logger *slog.Logger) (storage.Logs, storage.MetaStore, error) {
	jcfg := jetstream.Config{URLs: cfg.NATSURL, Replicas: cfg.Replicas, Prefix: cfg.NATSPrefix}
	if cfg.NATSCreds != "" {
		jcfg.Options = append(jcfg.Options, nats.UserCredentials(cfg.NATSCreds))
	}
	if cfg.NATSCA != "" {
		jcfg.Options = append(jcfg.Options, nats.RootCAs(cfg.NATSCA))
	}
	if cfg.NATSCert != "" {
		jcfg.Options = append(jcfg.Options, nats.ClientCert(cfg.NATSCert, cfg.NATSKey))
	}
	jcfg.Options = append(jcfg.Options,
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			logger.Warn("disconnected from NATS", "err", err)
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			logger.Info("reconnected to NATS", "server", nc.ConnectedUrlRedacted())
		}))
	conn, err := jetstream.Open(jcfg)
	if err != nil {
		return nil, nil, err
	}
	logs, err := conn.Logs()
	if err != nil {
		conn.Close()
		return nil, nil, err
	}
	meta, err := conn.Meta()
	if err != nil {
		logs.Close()
		conn.Close()
		return nil, nil, err
	}
	logger.Info("storage on NATS JetStream", "servers", cfg.NATSURL, "replicas", cfg.Replicas, "prefix", cfg.NATSPrefix)
	return logs, closingMeta{meta, conn}, nil
}

// closingMeta closes the NATS connection after the metadata store (the
// last store serve closes).
type closingMeta struct {
	*jetstream.Meta
	conn *jetstream.Conn
}

func (m closingMeta) Close() error {
	err := m.Meta.Close()
	m.conn.Close()
	return err
}

// currentApplication is the analytics runner's Config.Current: an
// application's stored configuration, and whether it should run (another
// node may have stopped or updated it), for the node taking over its lead.
func currentApplication(ctx context.Context, svc *analytics.Service, arn string) (kda.ApplicationDetail, bool, error) {
	// arn:aws:kinesisanalytics:<region>:<account>:application/<name>
	parts := strings.SplitN(arn, ":", 6)
	name, ok := "", len(parts) == 6
	if ok {
		name, ok = strings.CutPrefix(parts[5], "application/")
	}
	if !ok || svc == nil {
		return kda.ApplicationDetail{}, false, nil
	}
	out, err := svc.DescribeApplication(ctx, parts[3], &kda.DescribeApplicationInput{ApplicationName: &name})
	var ee *eddy.Error
	if errors.As(err, &ee) && ee.Code == eddy.CodeResourceNotFound {
		return kda.ApplicationDetail{}, false, nil
	}
	if err != nil || out.ApplicationDetail == nil {
		return kda.ApplicationDetail{}, false, err
	}
	d := *out.ApplicationDetail
	switch d.ApplicationStatus {
	case kda.StatusStarting, kda.StatusRunning, kda.StatusUpdating:
		return d, kda.Deref(d.ApplicationARN) == arn, nil
	}
	return d, false, nil
}
