package redshift

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/eddy-streams/eddy/firehose/delivery"
	"github.com/eddy-streams/eddy/internal/pgtest"
)

// memObjects keeps the objects written, by "bucket/key".
type memObjects struct {
	mu      sync.Mutex
	objects map[string][]byte
}

func (m *memObjects) Put(ctx context.Context, bucket, key string, body []byte, contentType string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.objects == nil {
		m.objects = map[string][]byte{}
	}
	m.objects[bucket+"/"+key] = bytes.Clone(body)
	return nil
}

func (m *memObjects) get(k string) ([]byte, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.objects[k]
	return b, ok
}

func (m *memObjects) keys() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var ks []string
	for k := range m.objects {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func testKey(b *delivery.Buffer, now time.Time) (string, error) {
	return "staged/" + now.UTC().Format("2006/01/02/15/") + "s-1-" + b.Records[0].ID, nil
}

// fakeClock is a clock tests move.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func buffer(id string, recs ...string) *delivery.Buffer {
	b := &delivery.Buffer{}
	for i, r := range recs {
		b.Records = append(b.Records, delivery.Record{Pos: uint64(i), ID: id, Data: []byte(r)})
		b.Bytes += len(r)
	}
	return b
}

// pgEnv is a PostgreSQL server with a database and a table for a test.
type pgEnv struct {
	srv *pgtest.Server
	url string
}

func startPG(t *testing.T, ddl ...string) *pgEnv {
	t.Helper()
	srv := pgtest.Start(t)
	e := &pgEnv{srv: srv, url: srv.URL("postgres")}
	e.exec(t, ddl...)
	return e
}

func (e *pgEnv) exec(t *testing.T, stmts ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, e.url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, s := range stmts {
		if _, err := conn.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// rows returns a query's rows, each as its columns' text (NULL as "<null>").
func (e *pgEnv) rows(t *testing.T, query string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, e.url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rs, err := conn.Query(ctx, query, pgx.QueryExecModeSimpleProtocol) // text values
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rs.Next() {
		vals := rs.RawValues()
		parts := make([]string, len(vals))
		for i, v := range vals {
			if v == nil {
				parts[i] = "<null>"
			} else {
				parts[i] = string(v)
			}
		}
		out = append(out, strings.Join(parts, "|"))
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// jdbc is the server's ClusterJDBCURL.
func (e *pgEnv) jdbc(db string) string {
	return "jdbc:redshift://" + e.srv.Host + ":" + itoa(e.srv.Port) + "/" + db
}

func itoa(n int) string { return strconv.Itoa(n) }

func newDest(t *testing.T, e *pgEnv, objs *memObjects, edit func(*Config)) *Destination {
	t.Helper()
	cfg := Config{
		ClusterJDBCURL: e.jdbc("postgres"), Username: e.srv.User, Password: e.srv.Password,
		CopyCommand: CopyCommand{DataTableName: "events"},
		Objects:     objs, Bucket: "bkt", Key: testKey, RetryEvery: time.Millisecond,
		Clock: &fakeClock{now: time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)},
	}
	if edit != nil {
		edit(&cfg)
	}
	d, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func deliver(t *testing.T, d *Destination, b *delivery.Buffer) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := d.Deliver(ctx, b); err != nil {
		t.Fatal(err)
	}
}

// TestRedshiftDelivery runs the formats against one real PostgreSQL server.
func TestRedshiftDelivery(t *testing.T) {
	e := startPG(t)
	t.Run("TextExactValues", func(t *testing.T) {
		e.exec(t, `CREATE TABLE events (id int, name text, price numeric(10,2), at timestamptz, note text)`)
		defer e.exec(t, `DROP TABLE events`)
		objs := &memObjects{}
		d := newDest(t, e, objs, nil)
		recs := []string{"1|café ☕|12.50|2026-12-04 10:00:00+00|\\N\n", "2|a \\| b|0.01|2026-01-01 00:00:00+00|x\n"}
		deliver(t, d, buffer("r1", recs...))
		got := e.rows(t, `SELECT id, name, price, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), note FROM events ORDER BY id`)
		want := []string{"1|café ☕|12.50|2026-12-04 10:00:00|<null>", "2|a | b|0.01|2026-01-01 00:00:00|x"}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		// The staged object holds the same bytes, as Firehose stages them.
		staged, ok := objs.get("bkt/staged/2026/12/04/10/s-1-r1")
		if !ok || string(staged) != strings.Join(recs, "") {
			t.Fatalf("staged object %q (keys %v)", staged, objs.keys())
		}
	})
	t.Run("JSONAutoGzipColumns", func(t *testing.T) {
		e.exec(t, `CREATE TABLE events (id bigint, name text, tags jsonb, ok boolean, empty text, extra text DEFAULT 'dflt')`)
		defer e.exec(t, `DROP TABLE events`)
		objs := &memObjects{}
		d := newDest(t, e, objs, func(c *Config) {
			c.CopyCommand.DataTableColumns = "id, name, tags, ok, empty"
			c.CopyCommand.CopyOptions = "json 'auto' gzip"
			c.Encode = func(data []byte) ([]byte, error) {
				var buf bytes.Buffer
				zw := gzip.NewWriter(&buf)
				zw.Write(data)
				err := zw.Close()
				return buf.Bytes(), err
			}
		})
		deliver(t, d, buffer("j1",
			`{"id": 9007199254740993, "name": "quote \" and, comma", "tags": {"a": [1, 2]}, "ok": true, "empty": "", "ignored": 1}`+"\n",
			`{"id": 2, "name": null}{"id": 3, "Name": "case differs: ignored", "ok": false}`,
		))
		got := e.rows(t, `SELECT id, name, tags::text, ok, empty, extra FROM events ORDER BY id`)
		want := []string{
			`2|<null>|<null>|<null>|<null>|dflt`,
			`3|<null>|<null>|f|<null>|dflt`,
			`9007199254740993|quote " and, comma|{"a": [1, 2]}|t||dflt`,
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		staged, _ := objs.get("bkt/staged/2026/12/04/10/s-1-j1")
		if len(staged) < 2 || staged[0] != 0x1f || staged[1] != 0x8b {
			t.Fatalf("staged object is not gzip: %q", staged)
		}
	})
	t.Run("JSONAutoIgnoreCaseAllColumns", func(t *testing.T) {
		e.exec(t, `CREATE TABLE events (id int, name text)`)
		defer e.exec(t, `DROP TABLE events`)
		d := newDest(t, e, &memObjects{}, func(c *Config) { c.CopyCommand.CopyOptions = "JSON 'auto ignorecase'" })
		deliver(t, d, buffer("j2", `{"ID": 1, "Name": "x"}`, `{"id": 2, "NAME": "y"}`))
		if got := e.rows(t, `SELECT id, name FROM events ORDER BY id`); strings.Join(got, ",") != "1|x,2|y" {
			t.Fatalf("rows %q", got)
		}
	})
	t.Run("CSVHeaderQuoteNull", func(t *testing.T) {
		e.exec(t, `CREATE SCHEMA IF NOT EXISTS s`, `CREATE TABLE s.events (id int, name text, note text)`)
		defer e.exec(t, `DROP TABLE s.events`)
		d := newDest(t, e, &memObjects{}, func(c *Config) {
			c.CopyCommand.DataTableName = "S.Events"
			c.CopyCommand.DataTableColumns = "id,name,note"
			c.CopyCommand.CopyOptions = "CSV QUOTE AS '%' DELIMITER ';' IGNOREHEADER 1 NULL AS 'NIL'"
		})
		deliver(t, d, buffer("c1", "id;name;note\n", "1;%a;b%;NIL\n", "2;%say %%hi%%%;\n"))
		got := e.rows(t, `SELECT id, name, note FROM s.events ORDER BY id`)
		if strings.Join(got, "\n") != "1|a;b|<null>\n2|say %hi%|" {
			t.Fatalf("rows %q", got)
		}
	})
}

// TestRedshiftBadColumnRetriedThenManifest: a COPY naming a column the
// table lacks fails every time; it is retried for the retry duration, then
// the staged object's manifest goes under errors/ with the error code
// Redshift.ColumnNotFound, and Deliver returns nil.
func TestRedshiftBadColumnRetriedThenManifest(t *testing.T) {
	e := startPG(t, `CREATE TABLE events (id int)`)
	objs := &memObjects{}
	clock := &fakeClock{now: time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)}
	var attempts int
	var failedCode, failedKey string
	var failedRecords int
	retry := int32(60)
	d := newDest(t, e, objs, func(c *Config) {
		c.Clock = clock
		c.CopyCommand.DataTableColumns = "id, nosuchcolumn"
		c.RetryOptions.DurationInSeconds = &retry
		c.Attempted = func(err error) {
			if err != nil {
				attempts++
			}
			clock.Advance(20 * time.Second)
		}
		c.Failed = func(key string, n int, code, msg string) { failedKey, failedRecords, failedCode = key, n, code }
	})
	deliver(t, d, buffer("bad", "1|2\n", "3|4\n"))
	// Each attempt takes 20 s: those starting at 0, 20 and 40 s; the
	// third ends at 60 s, the retry duration.
	if attempts != 3 {
		t.Fatalf("%d attempts, want 3", attempts)
	}
	if failedCode != "Redshift.ColumnNotFound" || failedRecords != 2 || failedKey != "staged/2026/12/04/10/s-1-bad" {
		t.Fatalf("failed %q %d %q", failedCode, failedRecords, failedKey)
	}
	man, ok := objs.get("bkt/errors/staged/2026/12/04/10/s-1-bad")
	if !ok {
		t.Fatalf("no manifest; objects %v", objs.keys())
	}
	var m struct {
		Entries []struct {
			URL       string `json:"url"`
			Mandatory bool   `json:"mandatory"`
		} `json:"entries"`
	}
	if err := json.Unmarshal(man, &m); err != nil || len(m.Entries) != 1 ||
		m.Entries[0].URL != "s3://bkt/staged/2026/12/04/10/s-1-bad" || !m.Entries[0].Mandatory {
		t.Fatalf("manifest %s: %v", man, err)
	}
	if got := e.rows(t, `SELECT count(*) FROM events`); got[0] != "0" {
		t.Fatalf("%s rows loaded", got[0])
	}
}

// TestRedshiftNoRetryWithZeroDuration: DurationInSeconds 0 means one
// attempt; a wrong password is Redshift.AuthenticationFailed.
func TestRedshiftNoRetryWithZeroDuration(t *testing.T) {
	e := startPG(t, `CREATE TABLE events (id int)`)
	objs := &memObjects{}
	var attempts int
	var code string
	zero := int32(0)
	d := newDest(t, e, objs, func(c *Config) {
		c.Password = "wrong"
		c.RetryOptions.DurationInSeconds = &zero
		c.Attempted = func(error) { attempts++ }
		c.Failed = func(key string, n int, c, msg string) { code = c }
	})
	deliver(t, d, buffer("pw", "1\n"))
	if attempts != 1 || code != "Redshift.AuthenticationFailed" {
		t.Fatalf("%d attempts, code %q", attempts, code)
	}
	if _, ok := objs.get("bkt/errors/staged/2026/12/04/10/s-1-pw"); !ok {
		t.Fatalf("no manifest; objects %v", objs.keys())
	}
}

// TestRedshiftServerDownThenUp: with the server down, COPY is retried
// (Redshift.ConnectionFailed) until the server is back, then the rows
// arrive once.
func TestRedshiftServerDownThenUp(t *testing.T) {
	e := startPG(t, `CREATE TABLE events (id int, name text)`)
	var mu sync.Mutex
	var codes []string
	d := newDest(t, e, &memObjects{}, func(c *Config) {
		c.Clock = nil // the real clock: retried for the default hour
		c.RetryEvery = 20 * time.Millisecond
		c.ConnectTimeout = 5 * time.Second
		c.Attempted = func(err error) {
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				code, _ := classify(err)
				codes = append(codes, code)
			} else {
				codes = append(codes, "ok")
			}
		}
	})
	// A first delivery opens the connection, which the stop then breaks.
	deliver(t, d, buffer("up", "1|first\n"))
	e.srv.Stop(t)
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		done <- d.Deliver(ctx, buffer("down", "2|second\n", "3|third\n"))
	}()
	deadline := time.Now().Add(time.Minute)
	for {
		mu.Lock()
		n := len(codes)
		mu.Unlock()
		if n >= 4 { // "ok", then at least three failed attempts
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("attempts while down: %v", codes)
		}
		time.Sleep(5 * time.Millisecond)
	}
	e.srv.Restart(t)
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("Deliver did not return after the server came back")
	}
	mu.Lock()
	for _, c := range codes[1 : len(codes)-1] {
		if c != "Redshift.ConnectionFailed" {
			t.Errorf("attempt while down: %s, want Redshift.ConnectionFailed (all: %v)", c, codes)
		}
	}
	mu.Unlock()
	if got := e.rows(t, `SELECT id, name FROM events ORDER BY id`); strings.Join(got, ",") != "1|first,2|second,3|third" {
		t.Fatalf("rows %q", got)
	}
}

// TestRedshiftBackupAndFailed: with S3BackupMode Enabled every buffer also
// goes to the backup destination, and processing failures go to the
// intermediate bucket's error output.
func TestRedshiftBackupAndFailed(t *testing.T) {
	e := startPG(t, `CREATE TABLE events (id int)`)
	objs := &memObjects{}
	backup := &recordingDest{}
	d := newDest(t, e, objs, func(c *Config) {
		c.S3BackupMode = "Enabled"
		c.Backup = backup
		c.ErrorKey = func(outputType string, now time.Time) (string, error) { return "err/" + outputType, nil }
	})
	deliver(t, d, buffer("bk", "7\n"))
	if len(backup.buffers) != 1 || string(backup.buffers[0].Records[0].Data) != "7\n" {
		t.Fatalf("backup got %v", backup.buffers)
	}
	ctx := context.Background()
	if err := d.DeliverFailed(ctx, []delivery.Failed{{Record: delivery.Record{Data: []byte("x")}, ErrorCode: "Lambda.FunctionError"}}); err != nil {
		t.Fatal(err)
	}
	doc, ok := objs.get("bkt/err/processing-failed")
	if !ok || !strings.Contains(string(doc), `"errorCode":"Lambda.FunctionError"`) {
		t.Fatalf("error output %q (keys %v)", doc, objs.keys())
	}
	backup.err = errors.New("backup down")
	if err := d.Deliver(ctx, buffer("bk2", "8\n")); err == nil {
		t.Fatal("Deliver succeeded with the backup failing")
	}
}

type recordingDest struct {
	buffers []*delivery.Buffer
	err     error
}

func (r *recordingDest) Deliver(ctx context.Context, b *delivery.Buffer) error {
	if r.err != nil {
		return r.err
	}
	r.buffers = append(r.buffers, b)
	return nil
}

func (r *recordingDest) DeliverFailed(ctx context.Context, f []delivery.Failed) error { return nil }

// TestRedshiftReconnectsAfterRestart: a connection kept from an earlier
// delivery that the server's restart killed is replaced at once, without
// spending an attempt (DurationInSeconds 0 allows one).
func TestRedshiftReconnectsAfterRestart(t *testing.T) {
	e := startPG(t, `CREATE TABLE events (id int)`)
	objs := &memObjects{}
	var results []error
	zero := int32(0)
	d := newDest(t, e, objs, func(c *Config) {
		c.RetryOptions.DurationInSeconds = &zero
		c.Attempted = func(err error) { results = append(results, err) }
	})
	deliver(t, d, buffer("a", "1\n"))
	e.srv.Stop(t)
	e.srv.Restart(t)
	deliver(t, d, buffer("b", "2\n"))
	if len(results) != 2 || results[0] != nil || results[1] != nil {
		t.Fatalf("attempts %v", results)
	}
	if got := e.rows(t, `SELECT id FROM events ORDER BY id`); strings.Join(got, ",") != "1,2" {
		t.Fatalf("rows %q (objects %v)", got, objs.keys())
	}
}
