package main

import (
	"crypto/tls"
	"encoding/json"
	"errors"
	"log/slog"
	"sync/atomic"

	"github.com/eddy-streams/eddy/storage"
)

// --tls auto on a cluster: one certificate, in the shared store, served
// by every node.

// errCertChanged: another node stored a certificate since this one read
// the store.
var errCertChanged = errors.New("the stored certificate changed")

// followCert makes st serve the certificate stored in meta as it changes:
// when another node replaces it (to cover its own names too), this node
// serves the new one from then on and writes it to st.caFile. It returns
// the function that stops following.
func followCert(st *serverTLS, cert tls.Certificate, meta storage.MetaStore, logger *slog.Logger) (stop func()) {
	var cur atomic.Pointer[tls.Certificate]
	cur.Store(&cert)
	st.config = &tls.Config{MinVersion: tls.VersionTLS12,
		GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return cur.Load(), nil }}
	stop, _ = storage.Follow(meta, func(table, _ string) string {
		if table == tableTLS {
			return tableTLS
		}
		return ""
	}, func(string) {
		var sc storedCert
		err := meta.View(func(tx storage.MetaTx) error {
			b, err := tx.Get(tableTLS, rowTLS)
			if err != nil {
				return err
			}
			return json.Unmarshal(b, &sc)
		})
		if err != nil {
			logger.Warn("tls: reading the certificate another node stored", "err", err)
			return
		}
		c, err := tls.X509KeyPair([]byte(sc.CertPEM), []byte(sc.KeyPEM))
		if err != nil {
			logger.Warn("tls: the certificate another node stored", "err", err)
			return
		}
		if err := writeFileAtomic(st.caFile, []byte(sc.CertPEM), 0o644); err != nil {
			logger.Warn("tls: writing the certificate another node stored", "err", err)
		}
		cur.Store(&c)
		logger.Info("tls: serving the certificate another node stored", "sha256", fingerprint(c.Certificate[0]), "names", sc.Names)
	})
	return stop
}
