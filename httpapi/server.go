package httpapi

import (
	"context"
	"log/slog"
	"net"
	"net/http"
)

// Server serves the registered services over HTTP. Its methods are safe for
// concurrent use. Serve and ServeTLS may both run, on different listeners;
// Shutdown stops both.
type Server struct {
	cfg      Config
	log      *slog.Logger
	routes   map[string]*route
	prefixes map[string]bool // the services' target prefixes
	hs       *http.Server
	inflight *inflight // request-body bytes in flight; nil: no bound
}

// New returns a Server for services. It fills zero fields of cfg with their
// defaults and returns an error if cfg is invalid (see Config.Validate) or
// the services are: an empty or dotted target prefix, signing name or
// operation name, a target registered twice, or an operation without Call or
// whose NewInput does not return a non-nil pointer.
func New(cfg Config, services ...Service) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	routes, prefixes, err := buildRoutes(services)
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:      cfg,
		log:      cfg.Logger.With("component", "httpapi"),
		routes:   routes,
		prefixes: prefixes,
		inflight: newInflight(cfg.MaxInflightBytes),
	}
	var protocols http.Protocols
	protocols.SetHTTP1(true)
	protocols.SetHTTP2(true)            // over TLS, negotiated by ALPN
	protocols.SetUnencryptedHTTP2(true) // h2c with prior knowledge, as the JS SDK v3 sends it
	s.hs = &http.Server{
		Handler:           s,
		Protocols:         &protocols,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		// net/http reports connection-level trouble here (TLS handshake
		// failures, bad preface); it is noise at any level above debug.
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	return s, nil
}

// Handler returns the http.Handler that serves the API, for use with a
// caller-owned http.Server or httptest. It handles every path alike, as AWS
// does: a POST is an API call, anything else gets AWS's answer to a non-API
// request.
func (s *Server) Handler() http.Handler { return s }

// Serve accepts connections on l and serves HTTP/1.1 and cleartext HTTP/2
// with prior knowledge (h2c, no Upgrade) on them, until Shutdown. It always
// returns a non-nil error: http.ErrServerClosed after Shutdown.
func (s *Server) Serve(l net.Listener) error {
	return s.hs.Serve(l)
}

// ServeTLS accepts TLS connections on l, with the certificate and key from
// the PEM files certFile and keyFile, and serves HTTP/2 (negotiated by ALPN)
// and HTTP/1.1 on them, until Shutdown. It always returns a non-nil error:
// http.ErrServerClosed after Shutdown.
func (s *Server) ServeTLS(l net.Listener, certFile, keyFile string) error {
	return s.hs.ServeTLS(l, certFile, keyFile)
}

// Shutdown stops accepting connections, closes idle ones and waits for
// requests in flight to finish or ctx to end, whichever comes first; it then
// returns ctx's error if the wait was cut short. Operations see their request
// context cancelled only if their client goes away.
func (s *Server) Shutdown(ctx context.Context) error {
	return s.hs.Shutdown(ctx)
}
