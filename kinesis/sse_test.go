package kinesis

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/kms"
	"github.com/eddy-streams/eddy/protocol/kds"
	kp "github.com/eddy-streams/eddy/protocol/kms"
	"github.com/eddy-streams/eddy/storage"
	"github.com/eddy-streams/eddy/storage/mem"
	"github.com/eddy-streams/eddy/storage/segment"
)

// sseEnv is an engine with Eddy's key service over the same store and
// clock.
type sseEnv struct {
	*testEnv
	root *kms.RootKey
	kms  *kms.Service
}

func newSSEEnv(t *testing.T) *sseEnv {
	t.Helper()
	root, err := kms.NewRootKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	env := &sseEnv{root: root, testEnv: &testEnv{clock: NewFakeClock(time.Unix(1700000000, 0)), logs: mem.NewLogs(), meta: mem.NewMeta()}}
	env.e = env.open(t, env.withKMS(t))
	return env
}

// withKMS opens a key service over the env's store (again, as a restart
// does) and gives it to the engine's config.
func (env *sseEnv) withKMS(t *testing.T) func(*Config) {
	return func(c *Config) {
		kcfg := kms.DefaultConfig()
		kcfg.Root, kcfg.Clock, kcfg.Logger = env.root, c.Clock, slog.New(slog.DiscardHandler)
		svc, err := kms.New(kcfg, env.meta)
		if err != nil {
			t.Fatal(err)
		}
		env.kms = svc
		c.KeyService = func(region string) KeyService { return svc.In(region) }
	}
}

func (env *sseEnv) createKey(t *testing.T) string {
	t.Helper()
	out, err := env.kms.CreateKey("", &kp.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	return *out.KeyMetadata.KeyId
}

func startEncryption(e *Engine, stream, key string) error {
	_, err := e.StartStreamEncryption(context.Background(), &kds.StartStreamEncryptionInput{
		StreamName: ptr(stream), EncryptionType: ptr(kds.EncryptionType(EncryptionKMS)), KeyId: ptr(key)})
	return err
}

func putOne(e *Engine, stream, pk, data string) error {
	_, err := e.PutRecords(context.Background(), &kds.PutRecordsInput{StreamName: ptr(stream),
		Records: []kds.PutRecordsRequestEntry{{PartitionKey: ptr(pk), Data: []byte(data)}}})
	return err
}

// readStream reads shard 0 of stream from TRIM_HORIZON through GetRecords.
func readStream(e *Engine, stream string) ([]kds.Record, error) {
	it, err := e.getShardIterator(context.Background(), stream, shardID(0), IterTrimHorizon, nil, nil)
	if err != nil {
		return nil, err
	}
	out, err := e.GetRecords(context.Background(), &kds.GetRecordsInput{ShardIterator: ptr(it)})
	if err != nil {
		return nil, err
	}
	recs := make([]kds.Record, len(out.Records))
	for i, r := range out.Records {
		r.Data = bytes.Clone(r.Data)
		recs[i] = r
	}
	out.Release()
	return recs, nil
}

func dataKeyCount(t *testing.T, meta storage.MetaStore) int {
	t.Helper()
	n := 0
	err := meta.View(func(tx storage.MetaTx) error {
		return tx.Scan(tableDataKeys, "", "", func(string, []byte) (bool, error) { n++; return true, nil })
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestEncryptionAtRest(t *testing.T) {
	env := newSSEEnv(t)
	e := env.e
	if err := e.createStream("s", 1, ModeProvisioned, nil); err != nil {
		t.Fatal(err)
	}
	key := env.createKey(t)
	wantCode(t, startEncryption(e, "s", "alias/missing"), eddy.CodeKinesisKMSNotFound)
	wantCode(t, startEncryption(e, "nope", key), eddy.CodeResourceNotFound)

	if err := putOne(e, "s", "plain-key", "plain-data"); err != nil {
		t.Fatal(err)
	}
	if err := startEncryption(e, "s", key); err != nil {
		t.Fatal(err)
	}
	const marker = "MARKER-7f3a"
	for i := range 3 {
		if err := putOne(e, "s", fmt.Sprint(marker, "-pk-", i), fmt.Sprint(marker, "-data-", i)); err != nil {
			t.Fatal(err)
		}
	}
	ehk := "12345"
	if _, err := e.putRecords(context.Background(), "PutRecords", "s",
		[]putEntry{{PartitionKey: marker + "-ehk", ExplicitHashKey: &ehk, Data: []byte(marker + "-ehk-data")}}); err != nil {
		t.Fatal(err)
	}

	// What the store holds: the plain record as sent, the others sealed.
	st := e.lookup("s").view.Load().shards[0]
	raw, err := st.log.Read(0, 100, 10<<20)
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) != 5 || raw[0].Flags != 0 || raw[0].PartitionKey != "plain-key" {
		t.Fatalf("stored %d records, first %+v", len(raw), raw[0])
	}
	for _, r := range raw[1:] {
		if r.Flags != flagEncrypted || r.PartitionKey != "" || r.ExplicitHashKey != "" ||
			bytes.Contains(r.Data, []byte(marker)) || r.Data[0] != envelopeVersion {
			t.Fatalf("stored encrypted record in the clear: %+v", r)
		}
	}
	if n := dataKeyCount(t, env.meta); n != 1 {
		t.Fatalf("%d data keys stored, want 1", n)
	}

	check := func(e *Engine) {
		t.Helper()
		recs, err := readStream(e, "s")
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 5 {
			t.Fatalf("read %d records, want 5", len(recs))
		}
		if recs[0].PartitionKey != "plain-key" || string(recs[0].Data) != "plain-data" || recs[0].EncryptionType != "" {
			t.Fatalf("plain record read as %+v", recs[0])
		}
		for i, r := range recs[1:4] {
			if r.PartitionKey != fmt.Sprint(marker, "-pk-", i) || string(r.Data) != fmt.Sprint(marker, "-data-", i) || r.EncryptionType != kds.EncryptionTypeKMS {
				t.Fatalf("record %d read as %+v", i+1, r)
			}
		}
		if r := recs[4]; r.PartitionKey != marker+"-ehk" || string(r.Data) != marker+"-ehk-data" {
			t.Fatalf("record with a hash key read as %+v", r)
		}
	}
	check(e)

	// A tampered envelope does not open.
	bad := storage.Record{Arrival: env.clock.Now(), Flags: flagEncrypted, Data: bytes.Clone(raw[1].Data)}
	bad.Data[len(bad.Data)-1] ^= 1
	if _, err := st.log.Append([]storage.Record{bad}); err != nil {
		t.Fatal(err)
	}
	if _, err := readStream(e, "s"); err == nil || !strings.Contains(err.Error(), "authentication failed") {
		t.Fatalf("tampered record read: %v", err)
	}
}

func TestEncryptionKeyStatesAndRotation(t *testing.T) {
	env := newSSEEnv(t)
	e := env.e
	if err := e.createStream("s", 1, ModeProvisioned, nil); err != nil {
		t.Fatal(err)
	}
	key := env.createKey(t)
	if err := startEncryption(e, "s", key); err != nil {
		t.Fatal(err)
	}
	if err := putOne(e, "s", "k", "one"); err != nil {
		t.Fatal(err)
	}
	// The data key is reused, then replaced after its lifetime.
	if err := putOne(e, "s", "k", "two"); err != nil {
		t.Fatal(err)
	}
	if n := dataKeyCount(t, env.meta); n != 1 {
		t.Fatalf("%d data keys, want 1", n)
	}
	env.clock.Advance(dataKeyLifetime + time.Second)
	if _, err := env.kms.RotateKeyOnDemand("", &kp.KeyIdInput{KeyId: ptr(key)}); err != nil {
		t.Fatal(err)
	}
	if err := putOne(e, "s", "k", "three"); err != nil {
		t.Fatal(err)
	}
	if n := dataKeyCount(t, env.meta); n != 2 {
		t.Fatalf("%d data keys after the lifetime, want 2", n)
	}

	// Disabled: puts and gets fail once the cached answer is older than
	// usableTTL; enabled again, both work.
	if _, err := env.kms.DisableKey("", &kp.KeyIdInput{KeyId: ptr(key)}); err != nil {
		t.Fatal(err)
	}
	if err := putOne(e, "s", "k", "cached"); err != nil {
		t.Fatalf("put within the usability cache: %v", err)
	}
	env.clock.Advance(usableTTL)
	wantCode(t, putOne(e, "s", "k", "x"), eddy.CodeKinesisKMSDisabled)
	_, err := readStream(e, "s")
	wantCode(t, err, eddy.CodeKinesisKMSDisabled)
	// SubscribeToShard ends with the same exception (an exception event).
	arn := register(t, e, "s", "c")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	err = e.SubscribeToShardEvents(sctx, &kds.SubscribeToShardInput{ConsumerARN: ptr(arn), ShardId: ptr(shardID(0)),
		StartingPosition: &kds.StartingPosition{Type: ptr(kds.ShardIteratorType(IterTrimHorizon))}},
		func(ev *kds.SubscribeToShardEvent) error {
			return fmt.Errorf("event with %d records while the key is disabled", len(ev.Records))
		})
	cancel()
	wantCode(t, err, eddy.CodeKinesisKMSDisabled)
	if _, err := env.kms.EnableKey("", &kp.KeyIdInput{KeyId: ptr(key)}); err != nil {
		t.Fatal(err)
	}
	env.clock.Advance(usableTTL)
	if err := putOne(e, "s", "k", "four"); err != nil {
		t.Fatal(err)
	}

	// A restart (engine and key service opened again) reads every record:
	// the data keys are opened from the store, across the key's rotation.
	e2 := env.open(t, env.withKMS(t))
	e.Close()
	recs, err := readStream(e2, "s")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range recs {
		got = append(got, string(r.Data))
	}
	if want := "[one two three cached four]"; fmt.Sprint(got) != want {
		t.Fatalf("after restart read %v, want %s", got, want)
	}

	// Stopped: new records are plain, old ones still readable.
	if _, err := e2.StopStreamEncryption(context.Background(), &kds.StopStreamEncryptionInput{StreamName: ptr("s"),
		EncryptionType: ptr(kds.EncryptionType(EncryptionKMS)), KeyId: ptr(key)}); err != nil {
		t.Fatal(err)
	}
	if err := putOne(e2, "s", "k", "plain"); err != nil {
		t.Fatal(err)
	}
	recs, err = readStream(e2, "s")
	if err != nil {
		t.Fatal(err)
	}
	if r := recs[len(recs)-1]; string(r.Data) != "plain" || r.EncryptionType != "" || recs[0].EncryptionType != kds.EncryptionTypeKMS {
		t.Fatalf("after StopStreamEncryption: %+v", recs)
	}

	// Pending deletion: KMSInvalidStateException on reads of the records
	// it sealed and on StartStreamEncryption.
	if _, err := env.kms.ScheduleKeyDeletion("", &kp.ScheduleKeyDeletionInput{KeyId: ptr(key), PendingWindowInDays: ptr(int32(7))}); err != nil {
		t.Fatal(err)
	}
	env.clock.Advance(usableTTL)
	_, err = readStream(e2, "s")
	wantCode(t, err, eddy.CodeKinesisKMSInvalidState)
	wantCode(t, startEncryption(e2, "s", key), eddy.CodeKinesisKMSInvalidState)

	// Deleting the stream deletes its data keys.
	if err := e2.deleteStream("s"); err != nil {
		t.Fatal(err)
	}
	if n := dataKeyCount(t, env.meta); n != 0 {
		t.Fatalf("%d data keys left after the stream's deletion", n)
	}
}

// BenchmarkEncryption compares the engine's put and get paths with
// encryption off and on: PutRecords of 500 × 1 KiB records into one shard
// of the segment store (without fsync, so the store does not hide the
// cost), and GetRecords of the same 500 records.
//
//	go test -run '^$' -bench Encryption -count 6 ./kinesis/
func BenchmarkEncryption(b *testing.B) {
	for _, enc := range []string{EncryptionNone, EncryptionKMS} {
		dir := b.TempDir()
		scfg := segment.DefaultConfig()
		scfg.Sync = segment.SyncNone
		logs, err := segment.Open(filepath.Join(dir, "logs"), scfg)
		if err != nil {
			b.Fatal(err)
		}
		meta := mem.NewMeta()
		root, err := kms.NewRootKey(rand.Reader)
		if err != nil {
			b.Fatal(err)
		}
		kcfg := kms.DefaultConfig()
		kcfg.Root, kcfg.Logger = root, slog.New(slog.DiscardHandler)
		svc, err := kms.New(kcfg, meta)
		if err != nil {
			b.Fatal(err)
		}
		cfg := DefaultConfig()
		cfg.KeyService = func(region string) KeyService { return svc.In(region) }
		e, err := New(cfg, logs, meta)
		if err != nil {
			b.Fatal(err)
		}
		if err := e.createStream("s", 1, ModeProvisioned, nil); err != nil {
			b.Fatal(err)
		}
		if enc == EncryptionKMS {
			if err := startEncryption(e, "s", "alias/aws/kinesis"); err != nil {
				b.Fatal(err)
			}
		}
		data := make([]byte, 1024)
		rand.Read(data)
		in := &kds.PutRecordsInput{StreamName: ptr("s"), Records: make([]kds.PutRecordsRequestEntry, 500)}
		for i := range in.Records {
			in.Records[i] = kds.PutRecordsRequestEntry{PartitionKey: ptr(fmt.Sprint("key-", i)), Data: data}
		}
		b.Run("PutRecords/"+enc, func(b *testing.B) {
			b.SetBytes(500 * 1024)
			for range b.N {
				out, err := e.PutRecords(context.Background(), in)
				if err != nil || out.FailedRecordCount != 0 {
					b.Fatalf("%v, %v failed", err, out.FailedRecordCount)
				}
			}
			b.ReportMetric(float64(b.N*500)/b.Elapsed().Seconds(), "records/s")
		})
		b.Run("GetRecords/"+enc, func(b *testing.B) {
			if _, err := e.PutRecords(context.Background(), in); err != nil { // 500 to read, if the put benchmark did not run
				b.Fatal(err)
			}
			it, err := e.getShardIterator(context.Background(), "s", shardID(0), IterTrimHorizon, nil, nil)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(500 * 1024)
			for range b.N {
				out, err := e.GetRecords(context.Background(), &kds.GetRecordsInput{ShardIterator: ptr(it), Limit: ptr(int32(500))})
				if err != nil || len(out.Records) != 500 {
					b.Fatalf("%v, %d records", err, len(out.Records))
				}
				out.Release()
			}
			b.ReportMetric(float64(b.N*500)/b.Elapsed().Seconds(), "records/s")
		})
		e.Close()
		logs.Close()
	}
}
