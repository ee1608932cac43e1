package httpapi

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/iam"
)

// Defaults for the Config fields; a zero field in the Config given to New
// takes these values.
const (
	// DefaultRegion is the default of Config.Region.
	DefaultRegion = "us-east-1"
	// DefaultMaxBodyBytes is 32 MiB. The largest valid Kinesis request is a
	// PutRecords of 500 records carrying 10 MiB of data in all (the limit
	// since UpdateMaxRecordSize raised records to 10 MiB); in JSON the data
	// is base64, 13.4 MiB, plus up to 500 partition keys (256 characters,
	// possibly escaped) and explicit hash keys. 32 MiB leaves twice that.
	DefaultMaxBodyBytes = 32 << 20
	// DefaultMaxInflightBytes is 64 MiB: two bodies of the largest size,
	// or about 90 PutRecords of 500 1 KiB records, at once. A request holds
	// a few times its body while it is served (the body, the decoded
	// records, the frames written), so this keeps a burst of large
	// requests to a few hundred MB: 100 concurrent PutRecords of 4 × 1 MiB
	// peaked at 265 MB RSS with it, 539 MB with 128 MiB and 1.1 GB with
	// 256 MiB (docs/BENCHMARKS.md).
	DefaultMaxInflightBytes = 64 << 20
	// NoInflightLimit as Config.MaxInflightBytes removes the bound on
	// request bytes in flight.
	NoInflightLimit = -1
	// DefaultMaxClockSkew is how far X-Amz-Date may be from the server's
	// clock, as AWS allows for SigV4.
	DefaultMaxClockSkew = 15 * time.Minute
	// DefaultReadHeaderTimeout bounds how long a client may take to send
	// its request headers.
	DefaultReadHeaderTimeout = 30 * time.Second
	// DefaultIdleTimeout is how long an idle keep-alive connection stays
	// open. It is longer than the SDKs' own idle timeouts (Go 90 s, Java
	// 60 s) so that the client, not the server, closes idle connections and
	// no request races a server-side close.
	DefaultIdleTimeout = 2 * time.Minute
)

// Config configures a Server. The zero value of every field means its
// default; DefaultConfig returns the defaults spelled out.
type Config struct {
	// Region is the region of a request whose credential scope names none
	// that is valid (see eddy.ValidRegion), which can happen only without
	// Credentials: a request is served in the region its signature is
	// scoped to (see Region(ctx)). Default "us-east-1".
	Region string

	// Credentials maps access key ID to secret access key. When set, every
	// request's SigV4 signature is verified in full: scope, clock skew and
	// signature. When empty (the default, for local development), a request
	// must still carry a well-formed SigV4 Authorization header or presigned
	// query (AWS's MissingAuthenticationToken and IncompleteSignature checks
	// apply) but its scope, date and signature are not checked, so any
	// access key, secret and region work.
	Credentials map[string]string

	// IAM, if set, holds the identities requests are signed by (checked in
	// full, as with Credentials, which it takes the place of) and
	// authorizes every call before it runs: the service's action on the
	// resources Service.Resources names, with IAM's evaluation logic. A
	// denied call is answered AccessDeniedException and changes nothing.
	IAM *iam.Directory

	// MaxBodyBytes is the largest request body accepted. A request whose
	// body is larger is answered 413 (Request Entity Too Large) as AWS
	// does; at most MaxBodyBytes+1 bytes of it are read. Default 32 MiB
	// (DefaultMaxBodyBytes).
	MaxBodyBytes int64

	// MaxInflightBytes bounds the request-body bytes held at once across
	// the whole server. A request reserves its Content-Length (MaxBodyBytes
	// if the body has no declared length, giving back what it did not use
	// once read) before reading its body, and holds it until its response
	// is written; while the budget is spent, requests wait for it in
	// arrival order, or until their client goes away. A request larger
	// than the budget reserves all of it and runs alone. Bodies declared
	// larger than MaxBodyBytes, which are not read, reserve nothing.
	// Default 64 MiB (DefaultMaxInflightBytes); NoInflightLimit (-1)
	// removes the bound.
	MaxInflightBytes int64

	// MaxClockSkew is how far the signing time (X-Amz-Date) of a verified
	// request may be from Now, either way. Default 15 minutes.
	MaxClockSkew time.Duration

	// ReadHeaderTimeout bounds reading a request's headers (Serve and
	// ServeTLS only). Default 30 s.
	ReadHeaderTimeout time.Duration

	// IdleTimeout is how long an idle keep-alive connection is kept (Serve
	// and ServeTLS only). Default 2 minutes.
	IdleTimeout time.Duration

	// Logger receives the server's log records: one record per request
	// when it is answered, at info level for a failed request (error level
	// for a 5xx, with the cause of an InternalFailure) and at debug level
	// otherwise (see LogRequests). Default: records are discarded.
	Logger *slog.Logger

	// LogRequests logs every request at info level, not only failed ones:
	// operation, stream, status, duration and request id. Default false.
	LogRequests bool

	// Now is the server's clock, used for the SigV4 clock-skew check and the
	// Date response header. Default time.Now.
	Now func() time.Time
}

// DefaultConfig returns a Config with every field at its default:
// us-east-1, no credentials (signatures are not verified), 32 MiB bodies,
// 64 MiB of bodies in flight, 15 minutes of clock skew, a discarding
// logger and time.Now.
func DefaultConfig() Config {
	return Config{
		Region:            DefaultRegion,
		MaxBodyBytes:      DefaultMaxBodyBytes,
		MaxInflightBytes:  DefaultMaxInflightBytes,
		MaxClockSkew:      DefaultMaxClockSkew,
		ReadHeaderTimeout: DefaultReadHeaderTimeout,
		IdleTimeout:       DefaultIdleTimeout,
		Logger:            slog.New(slog.DiscardHandler),
		Now:               time.Now,
	}
}

// withDefaults returns c with every zero field set to its default.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.Region == "" {
		c.Region = d.Region
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = d.MaxBodyBytes
	}
	if c.MaxInflightBytes == 0 {
		c.MaxInflightBytes = d.MaxInflightBytes
	}
	if c.MaxClockSkew == 0 {
		c.MaxClockSkew = d.MaxClockSkew
	}
	if c.ReadHeaderTimeout == 0 {
		c.ReadHeaderTimeout = d.ReadHeaderTimeout
	}
	if c.IdleTimeout == 0 {
		c.IdleTimeout = d.IdleTimeout
	}
	if c.Logger == nil {
		c.Logger = d.Logger
	}
	if c.Now == nil {
		c.Now = d.Now
	}
	return c
}

// Validate reports the first problem with c, treating zero fields as their
// defaults: negative sizes or durations (NoInflightLimit aside), a region
// that is not a lowercase AWS-style name, or an empty or malformed access
// key or secret.
func (c Config) Validate() error {
	c = c.withDefaults()
	if !eddy.ValidRegion(c.Region) {
		return fmt.Errorf("httpapi: region %q: want lowercase letters, digits and hyphens, like us-east-1", c.Region)
	}
	if c.MaxBodyBytes < 0 {
		return fmt.Errorf("httpapi: MaxBodyBytes %d is negative", c.MaxBodyBytes)
	}
	if c.MaxInflightBytes < 0 && c.MaxInflightBytes != NoInflightLimit {
		return fmt.Errorf("httpapi: MaxInflightBytes %d is negative (NoInflightLimit, -1, removes the bound)", c.MaxInflightBytes)
	}
	if c.MaxClockSkew < 0 {
		return fmt.Errorf("httpapi: MaxClockSkew %v is negative", c.MaxClockSkew)
	}
	if c.ReadHeaderTimeout < 0 {
		return fmt.Errorf("httpapi: ReadHeaderTimeout %v is negative", c.ReadHeaderTimeout)
	}
	if c.IdleTimeout < 0 {
		return fmt.Errorf("httpapi: IdleTimeout %v is negative", c.IdleTimeout)
	}
	for id, secret := range c.Credentials {
		switch {
		case id == "":
			return errors.New("httpapi: Credentials has an empty access key id")
		case strings.ContainsAny(id, "/ ,="):
			// The Credential parameter is "<id>/<date>/<region>/<service>/aws4_request".
			return fmt.Errorf("httpapi: access key id %q contains '/', ' ', ',' or '='", id)
		case secret == "":
			return fmt.Errorf("httpapi: access key id %q has an empty secret", id)
		}
	}
	return nil
}
