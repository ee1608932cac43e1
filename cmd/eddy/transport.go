package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/eddy-streams/eddy/storage"
)

// Transport security (docs/SECURITY.md#transport):
//
//   - --tls-cert/--tls-key serve HTTPS with the given certificate;
//     --tls auto with a self-signed one Eddy makes and keeps in its
//     metadata store (table "tls/auto"), its certificate also written to
//     <data-dir>/tls-cert.pem for clients' --ca-bundle.
//   - A listener (API, S3, admin) whose address is not loopback is refused
//     without TLS, and the API and S3 listeners without signature
//     verification (--access-key-id), unless --insecure: a server reachable
//     from other machines would otherwise take anyone's calls in the
//     clear. The admin listener needs a bearer token (--admin-token-file)
//     there.

const (
	tableTLS   = "tls/auto"
	rowTLS     = "certificate"
	tlsCertPEM = "tls-cert.pem"
	// autoCertLife is the validity of a made certificate: 397 days, the
	// most browsers and Apple platforms accept for a TLS server
	// certificate. One with less than autoCertRenew left is replaced at
	// start-up.
	autoCertLife  = 397 * 24 * time.Hour
	autoCertRenew = 30 * 24 * time.Hour
)

// serverTLS is the API's TLS setup.
type serverTLS struct {
	config      *tls.Config // nil: no TLS
	caFile      string      // a PEM file holding the certificate, for clients
	fingerprint string      // SHA-256 of the leaf certificate, hex pairs
}

// storedCert is the made certificate in the metadata store.
type storedCert struct {
	CertPEM string   `json:"certPem"`
	KeyPEM  string   `json:"keyPem"`
	Names   []string `json:"names"` // the DNS names and IPs it covers
}

// setupTLS returns the TLS setup cfg asks for; cleanup removes what it
// made outside the data directory.
func setupTLS(cfg serveConfig, meta storage.MetaStore, logger *slog.Logger) (*serverTLS, func(), error) {
	switch {
	case cfg.TLSCert != "":
		cert, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			return nil, nil, fmt.Errorf("--tls-cert/--tls-key: %w", err)
		}
		return &serverTLS{config: tlsConfig(cert), caFile: cfg.TLSCert, fingerprint: fingerprint(cert.Certificate[0])}, func() {}, nil
	case cfg.TLS == "auto":
		return autoTLS(cfg, meta, logger)
	}
	return &serverTLS{}, func() {}, nil
}

func tlsConfig(cert tls.Certificate) *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
}

func fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	hexed := make([]string, len(sum))
	for i, b := range sum {
		hexed[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(hexed, ":")
}

// certNames are the names a made certificate covers: localhost, the
// loopback addresses, this host's name, the listen address's host if it
// names one, and every address of this machine's interfaces (so a client
// on another machine can verify whichever address it dials).
func certNames(listen string) []string {
	names := []string{"localhost", "127.0.0.1", "::1"}
	if h, err := os.Hostname(); err == nil && h != "" {
		names = append(names, h)
	}
	if host, _, err := net.SplitHostPort(listen); err == nil && host != "" {
		if ip := net.ParseIP(host); ip == nil || !ip.IsUnspecified() {
			names = append(names, host)
		}
	}
	if addrs, err := net.InterfaceAddrs(); err == nil {
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok && !n.IP.IsLinkLocalUnicast() {
				names = append(names, n.IP.String())
			}
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// autoTLS loads the made certificate, or makes one when there is none, it
// expires within autoCertRenew, or it does not cover this host's names.
//
// With --backend jetstream every node of the cluster serves the one
// certificate in the shared store (tlscluster.go): a node whose names it
// does not cover replaces it by one covering its names too, stored only
// over the certificate it read, and every node takes up a replacement on
// the store's notice.
func autoTLS(cfg serveConfig, meta storage.MetaStore, logger *slog.Logger) (*serverTLS, func(), error) {
	for attempt := 0; ; attempt++ {
		st, cleanup, err := autoTLSOnce(cfg, meta, logger)
		if errors.Is(err, errCertChanged) && attempt < 10 {
			continue // another node stored one meanwhile
		}
		return st, cleanup, err
	}
}

// autoTLSOnce is autoTLS from the certificate stored now.
func autoTLSOnce(cfg serveConfig, meta storage.MetaStore, logger *slog.Logger) (*serverTLS, func(), error) {
	names := certNames(cfg.Listen)
	var sc storedCert
	var read []byte // the stored certificate as read (nil: none)
	err := meta.View(func(tx storage.MetaTx) error {
		b, err := tx.Get(tableTLS, rowTLS)
		if err != nil {
			return err
		}
		read = b
		return json.Unmarshal(b, &sc)
	})
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return nil, nil, fmt.Errorf("--tls auto: read the certificate: %w", err)
	}
	var cert tls.Certificate
	made := false
	reuse := err == nil
	if reuse {
		cert, err = tls.X509KeyPair([]byte(sc.CertPEM), []byte(sc.KeyPEM))
		reuse = err == nil && cert.Leaf != nil && time.Until(cert.Leaf.NotAfter) > autoCertRenew
		for _, n := range names {
			reuse = reuse && slices.Contains(sc.Names, n)
		}
	}
	if !reuse {
		if cfg.Backend == "jetstream" && cert.Leaf != nil && time.Until(cert.Leaf.NotAfter) > autoCertRenew {
			// Still valid: the other nodes' names stay covered.
			names = slices.Compact(slices.Sorted(slices.Values(append(names, sc.Names...))))
		}
		if sc, err = makeCert(names); err != nil {
			return nil, nil, fmt.Errorf("--tls auto: %w", err)
		}
		if cert, err = tls.X509KeyPair([]byte(sc.CertPEM), []byte(sc.KeyPEM)); err != nil {
			return nil, nil, fmt.Errorf("--tls auto: %w", err)
		}
		b, err := json.Marshal(sc)
		if err != nil {
			return nil, nil, err
		}
		err = meta.Update(func(tx storage.MetaTx) error {
			cur, err := tx.Get(tableTLS, rowTLS)
			if err != nil && !errors.Is(err, storage.ErrNotFound) {
				return err
			}
			if !bytes.Equal(cur, read) {
				return errCertChanged
			}
			return tx.Put(tableTLS, rowTLS, b)
		})
		if errors.Is(err, errCertChanged) {
			return nil, nil, err
		}
		if err != nil {
			return nil, nil, fmt.Errorf("--tls auto: store the certificate: %w", err)
		}
		made = true
	}
	// The certificate (public) as a file clients can trust.
	dir, cleanup := cfg.DataDir, func() {}
	if cfg.InMemory {
		if dir, err = os.MkdirTemp("", "eddy-tls-"); err != nil {
			return nil, nil, err
		}
		cleanup = func() { os.RemoveAll(dir) }
	}
	caFile := filepath.Join(dir, tlsCertPEM)
	if err := writeFileAtomic(caFile, []byte(sc.CertPEM), 0o644); err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("--tls auto: %w", err)
	}
	st := &serverTLS{config: tlsConfig(cert), caFile: caFile, fingerprint: fingerprint(cert.Certificate[0])}
	if cfg.Backend == "jetstream" {
		stop := followCert(st, cert, meta, logger)
		prev := cleanup
		cleanup = func() { stop(); prev() }
	}
	logger.Info("tls: self-signed certificate", "made", made, "sha256", st.fingerprint, "file", caFile,
		"expires", cert.Leaf.NotAfter.Format(time.DateOnly), "names", strings.Join(sc.Names, ","))
	return st, cleanup, nil
}

// makeCert makes a self-signed ECDSA P-256 certificate for names.
func makeCert(names []string) (storedCert, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return storedCert{}, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return storedCert{}, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "eddy", Organization: []string{"Eddy (self-signed, --tls auto)"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(autoCertLife),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true, // its own issuer: clients trust it with --ca-bundle
	}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return storedCert{}, err
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return storedCert{}, err
	}
	return storedCert{
		CertPEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		KeyPEM:  string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb})),
		Names:   names,
	}, nil
}

func writeFileAtomic(path string, b []byte, mode os.FileMode) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, mode); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// isLoopback reports whether a listener's address is on the loopback
// interface only.
func isLoopback(addr net.Addr) bool {
	if tcp, ok := addr.(*net.TCPAddr); ok {
		return tcp.IP.IsLoopback()
	}
	host, _, err := net.SplitHostPort(addr.String())
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// checkExposure refuses a listener reachable from other machines that
// lacks what protects it, unless --insecure (then it warns).
//
// flag names the listener ("--listen"), given is its address as given,
// addr the one bound, lacks what it lacks (none: nothing to refuse).
func checkExposure(cfg serveConfig, logger *slog.Logger, flag, given string, addr net.Addr, lacks []string) error {
	if isLoopback(addr) || len(lacks) == 0 {
		return nil
	}
	what := strings.Join(lacks, " and ")
	if cfg.Insecure {
		logger.Warn("listening beyond loopback "+what+" (--insecure): anyone who reaches it can use it", "listener", flag, "addr", given)
		return nil
	}
	return fmt.Errorf("%s %s (%s) is reachable from other machines, and would serve them %s: anyone who reaches it could read and write everything. Listen on 127.0.0.1, or give what is missing (docs/SECURITY.md#transport), or --insecure to serve anyway", flag, given, addr, what)
}

// apiLacks lists what the API and S3 listeners lack beyond loopback.
func apiLacks(cfg serveConfig, st *serverTLS) []string {
	var lacks []string
	if st.config == nil {
		lacks = append(lacks, "without TLS (--tls auto, or --tls-cert and --tls-key)")
	}
	if cfg.AccessKeyID == "" && cfg.Identities == "" {
		lacks = append(lacks, "without verifying signatures (--access-key-id and --secret-access-key, or --identities)")
	}
	return lacks
}

// adminLacks lists what the admin listener lacks beyond loopback.
func adminLacks(st *serverTLS, token string) []string {
	var lacks []string
	if st.config == nil {
		lacks = append(lacks, "without TLS (--tls auto, or --tls-cert and --tls-key)")
	}
	if token == "" {
		lacks = append(lacks, "without a bearer token (--admin-token-file)")
	}
	return lacks
}

// adminToken reads --admin-token-file (or EDDY_ADMIN_TOKEN): "" if unset.
func adminToken(cfg serveConfig, getenv func(string) string) (string, error) {
	env := getenv("EDDY_ADMIN_TOKEN")
	if cfg.AdminToken != "" && env != "" {
		return "", errors.New("give the admin token one way only: --admin-token-file or EDDY_ADMIN_TOKEN")
	}
	t := env
	if cfg.AdminToken != "" {
		b, err := os.ReadFile(cfg.AdminToken)
		if err != nil {
			return "", fmt.Errorf("--admin-token-file: %w", err)
		}
		t = strings.TrimSpace(string(b))
		if t == "" {
			return "", fmt.Errorf("--admin-token-file %s is empty", cfg.AdminToken)
		}
	}
	if t != "" && len(t) < 16 {
		return "", errors.New("the admin token is shorter than 16 characters: make a long random one (e.g. openssl rand -hex 32)")
	}
	return t, nil
}

// withBearer makes every admin request but /health and /ready (probes of
// load balancers and orchestrators, which say nothing secret) carry
// "Authorization: Bearer <token>".
func withBearer(h http.Handler, token string) http.Handler {
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/health" && r.URL.Path != "/ready" &&
			subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="eddy admin"`)
			http.Error(w, "unauthorized: this admin API needs Authorization: Bearer <token> (--admin-token-file)", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}
