package redshift

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/eddy-streams/eddy/firehose/delivery"
)

// Destination delivers buffers to a table of a PostgreSQL database the way
// Firehose delivers them to Redshift. It implements delivery.Destination.
type Destination struct {
	cfg     Config
	plan    copyPlan
	table   string   // quoted
	columns []string // lower case, unquoted; nil: the table's own
	conn    string
	logger  *slog.Logger
	clock   delivery.Clock

	mu struct {
		sync.Mutex
		conn *pgx.Conn
	}
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// New checks cfg (an InvalidArgumentException when it is wrong, unsupported
// COPY options included) and returns its destination. It does not connect:
// the first delivery does.
func New(cfg Config) (*Destination, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	d := &Destination{cfg: cfg, logger: cfg.Logger, clock: cfg.Clock}
	d.plan, _ = parseCopyOptions(cfg.CopyCommand.CopyOptions)
	d.table, _ = tableName(cfg.CopyCommand.DataTableName)
	d.columns, _ = columnNames(cfg.CopyCommand.DataTableColumns)
	d.conn, _ = ConnString(cfg.ClusterJDBCURL)
	if d.logger == nil {
		d.logger = slog.New(slog.DiscardHandler)
	}
	if d.clock == nil {
		d.clock = systemClock{}
	}
	if d.cfg.RetryEvery <= 0 {
		d.cfg.RetryEvery = 5 * time.Second
	}
	if d.cfg.ConnectTimeout <= 0 {
		d.cfg.ConnectTimeout = 30 * time.Second
	}
	return d, nil
}

// Close closes the connection to the database, if one is open.
func (d *Destination) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.mu.conn == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := d.mu.conn.Close(ctx)
	d.mu.conn = nil
	return err
}

// staging is the intermediate bucket's writer for one object: delivery.S3's
// writes (retried every 5 s for 24 h, as Firehose retries S3) with a key
// and body already made.
func (d *Destination) staging(key string, body []byte) *delivery.S3 {
	return &delivery.S3{
		Objects: d.cfg.Objects, Bucket: d.cfg.Bucket, Clock: d.clock,
		Key:      func(*delivery.Buffer, time.Time) (string, error) { return key, nil },
		Encode:   func(*delivery.Buffer) ([]byte, []delivery.Failed, error) { return body, nil, nil },
		ErrorKey: d.cfg.ErrorKey,
		Dropped: func(key string, n int, err error) {
			d.logger.Error("redshift: intermediate S3 object dropped after 24h of failed writes", "key", key, "records", n, "err", err)
		},
	}
}

// Deliver implements delivery.Destination: the buffer is backed up (with
// S3BackupMode Enabled), staged as one object of the intermediate bucket,
// then copied into the table from the staged bytes. A COPY that fails is
// retried every RetryEvery for the retry duration (none with 0); after
// that, as Firehose does, the object is skipped and its manifest is
// written under errors/, and Deliver returns nil (the records are in the
// staged object, to be loaded by hand).
func (d *Destination) Deliver(ctx context.Context, b *delivery.Buffer) error {
	if d.cfg.S3BackupMode == "Enabled" {
		if err := d.cfg.Backup.Deliver(ctx, b); err != nil {
			return err
		}
	}
	data := make([]byte, 0, b.Bytes)
	for _, r := range b.Records {
		data = append(data, r.Data...)
	}
	body := data
	if d.cfg.Encode != nil {
		var err error
		if body, err = d.cfg.Encode(data); err != nil {
			return fmt.Errorf("redshift: encode staged object: %w", err)
		}
	}
	key, err := d.cfg.Key(b, d.clock.Now())
	if err != nil {
		return err
	}
	if err := d.staging(key, body).Deliver(ctx, b); err != nil {
		return err
	}
	start := d.clock.Now()
	retryFor := d.cfg.retryFor()
	for {
		err := d.copy(ctx, body)
		if d.cfg.Attempted != nil && ctx.Err() == nil {
			d.cfg.Attempted(err)
		}
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		code, msg := classify(err)
		d.logger.Warn("redshift: copy failed", "table", d.cfg.CopyCommand.DataTableName, "key", key, "errorCode", code, "err", err)
		if d.clock.Now().Sub(start) >= retryFor {
			return d.skip(ctx, b, key, code, msg)
		}
		t := time.NewTimer(d.cfg.RetryEvery)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// manifest is a Redshift COPY manifest ("Using a manifest to specify data
// files", Amazon Redshift Database Developer Guide): the form of the
// manifests Firehose leaves under errors/ for a manual backfill.
type manifest struct {
	Entries []manifestEntry `json:"entries"`
}

type manifestEntry struct {
	URL       string `json:"url"`
	Mandatory bool   `json:"mandatory"`
}

// skip gives up on a staged object: its manifest goes under errors/.
func (d *Destination) skip(ctx context.Context, b *delivery.Buffer, key, code, msg string) error {
	mkey := "errors/" + key
	if d.cfg.ManifestErrorKey != nil {
		var err error
		if mkey, err = d.cfg.ManifestErrorKey(key, d.clock.Now()); err != nil {
			return err
		}
	}
	body, err := json.Marshal(manifest{Entries: []manifestEntry{{URL: "s3://" + d.cfg.Bucket + "/" + key, Mandatory: true}}})
	if err != nil {
		return err
	}
	if err := d.staging(mkey, body).Deliver(ctx, b); err != nil {
		return err
	}
	d.logger.Error("redshift: copy given up after the retry duration; manifest written for a manual backfill",
		"table", d.cfg.CopyCommand.DataTableName, "key", key, "manifest", mkey, "records", len(b.Records), "errorCode", code, "errorMessage", msg)
	if d.cfg.Failed != nil {
		d.cfg.Failed(key, len(b.Records), code, msg)
	}
	return nil
}

// DeliverFailed implements delivery.Destination: records that failed
// processing go to the intermediate bucket's error output, as for S3.
func (d *Destination) DeliverFailed(ctx context.Context, failed []delivery.Failed) error {
	return d.staging("", nil).DeliverFailed(ctx, failed)
}

// copy loads the staged body into the table in one COPY (one transaction:
// all rows or none). A connection kept from an earlier delivery that turns
// out dead (the server restarted, or closed it while idle) is replaced and
// the COPY run again at once: that is not a failed attempt.
func (d *Destination) copy(ctx context.Context, body []byte) error {
	data, err := d.decode(body)
	if err != nil {
		return &loadError{err}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for try := 0; ; try++ {
		reused := d.mu.conn != nil && !d.mu.conn.IsClosed()
		conn, err := d.connLocked(ctx)
		if err != nil {
			return err
		}
		err = d.copyLocked(ctx, conn, data)
		if err == nil {
			return nil
		}
		d.dropConnLocked(err)
		if !reused || d.mu.conn != nil || try > 0 || ctx.Err() != nil {
			return err
		}
		d.logger.Info("redshift: connection lost, reconnecting", "err", err)
	}
}

// copyLocked runs the COPY on conn.
func (d *Destination) copyLocked(ctx context.Context, conn *pgx.Conn, data []byte) error {
	var err error
	cols := d.columns
	if d.plan.format == "json" {
		if cols == nil {
			if cols, err = tableColumns(ctx, conn, d.table); err != nil {
				return err
			}
		}
		if data, err = jsonToCSV(data, cols, d.plan.jsonIgnoreCase); err != nil {
			return &loadError{err}
		}
	}
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = quoteIdent(c)
	}
	_, err = conn.PgConn().CopyFrom(ctx, bytes.NewReader(data), d.plan.pgCopySQL(d.table, quoted))
	return err
}

// decode turns the staged body into what COPY reads: gunzipped (GZIP),
// its first IGNOREHEADER lines dropped.
func (d *Destination) decode(body []byte) ([]byte, error) {
	data := body
	if d.plan.gzip {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return nil, fmt.Errorf("GZIP: the staged object is not gzip data: %w", err)
		}
		if data, err = io.ReadAll(zr); err != nil {
			return nil, fmt.Errorf("GZIP: %w", err)
		}
	}
	for range d.plan.ignoreHeader {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			return nil, nil
		}
		data = data[i+1:]
	}
	return data, nil
}

// connLocked returns the open connection, connecting first if there is none.
func (d *Destination) connLocked(ctx context.Context) (*pgx.Conn, error) {
	if d.mu.conn != nil && !d.mu.conn.IsClosed() {
		return d.mu.conn, nil
	}
	cfg, err := pgx.ParseConfig(d.conn)
	if err != nil {
		return nil, err
	}
	if d.cfg.Username != "" {
		cfg.User = d.cfg.Username
	}
	if d.cfg.Password != "" {
		cfg.Password = d.cfg.Password
	}
	cfg.ConnectTimeout = d.cfg.ConnectTimeout
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	d.mu.conn = conn
	return conn, nil
}

// dropConnLocked closes the connection after an error that may have left
// it unusable: anything but an error the server reported about the
// statement (a FATAL one, or one of the connection classes 08 and 57,
// ends the session).
func (d *Destination) dropConnLocked(err error) {
	var pgErr *pgconn.PgError
	var le *loadError
	if d.mu.conn == nil || errors.As(err, &le) {
		return
	}
	if errors.As(err, &pgErr) && pgErr.Severity != "FATAL" && pgErr.Severity != "PANIC" &&
		!strings.HasPrefix(pgErr.Code, "08") && !strings.HasPrefix(pgErr.Code, "57") {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = d.mu.conn.Close(ctx)
	d.mu.conn = nil
}

// tableColumns lists a table's columns in order.
func tableColumns(ctx context.Context, conn *pgx.Conn, table string) ([]string, error) {
	rows, err := conn.Query(ctx, `SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`, table)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// loadError is data that cannot be read as the COPY options say.
type loadError struct{ err error }

func (e *loadError) Error() string { return e.err.Error() }
func (e *loadError) Unwrap() error { return e.err }

// classify names a failed COPY as Firehose names Redshift delivery errors
// (the error codes and messages of "Amazon Redshift Data Delivery Errors",
// Firehose developer guide, "Monitoring with Amazon CloudWatch Logs"),
// from PostgreSQL's SQLSTATE. The message is Firehose's, then PostgreSQL's
// own words.
func classify(err error) (code, message string) {
	var pgErr *pgconn.PgError
	var le *loadError
	switch {
	case errors.As(err, &le):
		return "Redshift.DataLoadFailed", "Loading data into the table failed. " + le.Error()
	case errors.As(err, &pgErr):
		detail := pgErr.Message
		if pgErr.Detail != "" {
			detail += " (" + pgErr.Detail + ")"
		}
		switch c := pgErr.Code; {
		case c == "42P01" || c == "3F000": // undefined_table, invalid_schema_name
			return "Redshift.TableNotFound", "The table to which to load data was not found. Ensure that the specified table exists. " + detail
		case c == "42703": // undefined_column
			return "Redshift.ColumnNotFound", "A column in the COPY command does not exist in the table. Specify a valid column name. " + detail
		case c == "42601": // syntax_error
			return "Redshift.SyntaxError", "The COPY command contains a syntax error. Retry the command. " + detail
		case c == "28P01" || c == "28000": // invalid_password, invalid_authorization_specification
			return "Redshift.AuthenticationFailed", "The provided user name and password failed authentication. Provide a valid user name and password. " + detail
		case c == "3D000": // invalid_catalog_name
			return "Redshift.DatabaseNotFound", "The database specified in the Amazon Redshift destination configuration or JDBC URL was not found. Specify a valid database name. " + detail
		case c == "42501": // insufficient_privilege
			return "Redshift.InsufficientPrivilege", "The user does not have permissions to load data into the table. Check the Amazon Redshift user permissions for the INSERT privilege. " + detail
		case c == "53100": // disk_full
			return "Redshift.DiskFull", "Data could not be loaded because the disk is full. " + detail
		case c == "25006": // read_only_sql_transaction
			return "Redshift.ReadOnlyCluster", "The query cannot be executed because the system is in resize mode. Try the query again later. " + detail
		case c == "23502" && pgErr.ColumnName != "": // not_null_violation
			return "Redshift.DataLoadFailed", "Loading data into the table failed. " + detail
		case strings.HasPrefix(c, "08") || strings.HasPrefix(c, "57"): // connection_exception, operator_intervention
			return "Redshift.ConnectionFailed", connFailed + " " + detail
		default:
			return "Redshift.DataLoadFailed", "Loading data into the table failed. " + detail
		}
	}
	var netErr net.Error
	var connErr *pgconn.ConnectError
	if errors.As(err, &connErr) || errors.As(err, &netErr) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "Redshift.ConnectionFailed", connFailed + " " + err.Error()
	}
	return "InternalError", "An internal error occurred while attempting to deliver data. " + err.Error()
}

const connFailed = "The connection to the specified Amazon Redshift cluster failed. Ensure that security settings allow " +
	"Firehose connections, that the cluster or database specified in the Amazon Redshift destination configuration or " +
	"JDBC URL is correct, and that the cluster is available."

var _ delivery.Destination = (*Destination)(nil)
