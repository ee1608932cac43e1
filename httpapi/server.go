package httpapi

import (
	"context"
	"crypto/tls"
	"log/slog"
	"net"
	"net/http"
	"strings"

	"github.com/eddy-streams/eddy"
)

// Server serves the registered services over HTTP. Its methods are safe for
// concurrent use. Serve and ServeTLS may both run, on different listeners;
// Shutdown stops both.
type Server struct {
	cfg      Config
	log      *slog.Logger
	routes   map[string]*route
	prefixes map[string]bool // the services' target prefixes
	services []*service      // in the order given to New; never empty (see New)
	hs       *http.Server
	inflight *inflight // request-body bytes in flight; nil: no bound

	rest         *restRouter    // REST-JSON services (AddREST); nil: none
	query        []QueryService // Query-protocol services (AddQuery)
	restServices []RESTService
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
	routes, prefixes, svcs, err := buildRoutes(services)
	if err != nil {
		return nil, err
	}
	if len(svcs) == 0 {
		// A server without services answers every request as a JSON 1.1
		// front end that knows no operation.
		svcs = []*service{{Service: Service{InternalErrorCode: eddy.CodeInternalFailure}}}
	}
	s := &Server{
		cfg:      cfg,
		log:      cfg.Logger.With("component", "httpapi"),
		routes:   routes,
		prefixes: prefixes,
		services: svcs,
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

// ServeTLSConfig is ServeTLS with the certificates of cfg (which it does
// not modify) instead of PEM files.
func (s *Server) ServeTLSConfig(l net.Listener, cfg *tls.Config) error {
	s.hs.TLSConfig = cfg.Clone()
	return s.hs.ServeTLS(l, "", "")
}

// Shutdown stops accepting connections, closes idle ones and waits for
// requests in flight to finish or ctx to end, whichever comes first; it then
// returns ctx's error if the wait was cut short. Operations see their request
// context cancelled only if their client goes away.
func (s *Server) Shutdown(ctx context.Context) error {
	return s.hs.Shutdown(ctx)
}

// serviceFor picks the service a request is for, from its headers alone
// (see Service): the target's prefix, else the credential scope's service,
// else the Content-Type, else the first service.
func (s *Server) serviceFor(r *http.Request, target string) *service {
	if len(s.services) == 1 {
		return s.services[0]
	}
	if prefix, _, _ := strings.Cut(target, "."); prefix != "" {
		for _, svc := range s.services {
			if svc.TargetPrefix == prefix {
				return svc
			}
		}
	}
	if name := scopeService(r); name != "" {
		for _, svc := range s.services {
			if svc.SigningName == name {
				return svc
			}
		}
	}
	mt := mediaType(r.Header.Get("Content-Type"))
	for _, svc := range s.services {
		if svc.Protocol.accepts(mt) {
			return svc
		}
	}
	return s.services[0]
}

// scopeService returns the service of the SigV4 credential scope of r
// ("<key>/<date>/<region>/<service>/aws4_request", from the Authorization
// header or a presigned query), or "" if it has none.
func scopeService(r *http.Request) string {
	cred := ""
	if auth := r.Header.Get("Authorization"); auth != "" {
		i := strings.Index(auth, "Credential=")
		if i < 0 {
			return ""
		}
		cred = auth[i+len("Credential="):]
		if j := strings.IndexAny(cred, ", "); j >= 0 {
			cred = cred[:j]
		}
	} else if r.URL.RawQuery != "" {
		cred = r.URL.Query().Get("X-Amz-Credential")
	}
	parts := strings.Split(cred, "/")
	if len(parts) != 5 {
		return ""
	}
	return parts[3]
}
