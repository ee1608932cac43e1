package jetstream

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/eddy-streams/eddy/storage"
)

// Logs is storage.Logs (and storage.MultiAppender) on JetStream: one
// JetStream stream per log.
//
// # Streams, subjects and messages
//
// The log with id ID is the stream Prefix+"_L_"+enc(ID) whose only subject is
// Prefix+".l."+enc(ID), where enc escapes the characters of an id that a
// stream name cannot hold ('_' -> "__", '.' -> "_d", ':' -> "_c",
// '/' -> "_s"). When enc(ID) is longer than 200 bytes the stream is
// Prefix+"_LH_"+the first 40 hex digits of SHA-256(ID) instead, with the
// subject Prefix+".lh."+those digits. The id
// itself is kept in the stream's metadata ("eddy-id"), with the base
// position ("eddy-base") and a random nonce ("eddy-nonce") that makes every
// Create's configuration different, so that of two Creates racing on two
// nodes exactly one succeeds.
//
// Every Append is one message (or, when its blob is larger than the
// connection's maximum payload, a few "parts" published as one atomic
// batch) whose data is the blob of the batch's records (see blob.go) and
// whose headers are:
//
//	Eddy-First         position of the batch's first record
//	Eddy-Count         number of records in the batch (0: a marker)
//	Eddy-Last-Arrival  the last record's arrival, Unix nanoseconds
//	Eddy-Part          "k/n": this is part k (from 0) of n; absent if n = 1
//	Eddy-Sealed        "1" on the marker Seal appends
//	Eddy-Batch         a random id of the batch (see publishLocked)
//
// So Bounds, SeekTime and TrimBefore read headers, never records. Markers
// (count 0) are appended by Seal and by a TrimBefore that would otherwise
// purge every message: the last message always tells Next and whether the
// log is sealed.
//
// Positions are assigned by the appending node from its view of the log's
// last message, and every publish carries Nats-Expected-Last-Sequence, so
// that two nodes appending to one log never take the same positions: the
// loser refreshes its view and tries again.
//
// # Handles of logs deleted elsewhere
//
// A handle learns that its log was deleted through another node when its
// stream is gone (every call then returns storage.ErrDeleted). If another
// node deletes the log and creates it again between two calls, the handle
// goes on with the new stream, with the old base position for as long as
// the new log is empty.
//
// # Ownership
//
// Logs does not own the Conn it was made from: Close closes the Logs (every
// later call returns storage.ErrClosed) but leaves the connection open for
// its owner to close.
type Logs struct {
	c *Conn
	// partSize is the largest blob part of one message.
	partSize int
	// testSend and testAckLost, when set (by tests), run before each
	// publish and after each acknowledged one; an error they return is
	// taken as the publish's.
	testSend, testAckLost func() error
	// testRefresh, when set, runs when an appender finds no last message,
	// before it asks for the stream's last sequence.
	testRefresh func()

	mu struct {
		sync.Mutex
		closed bool
		logs   map[string]*shardLog
	}
}

var (
	_ storage.Logs          = (*Logs)(nil)
	_ storage.MultiAppender = (*Logs)(nil)
)

// Message headers (see Logs).
const (
	hdrFirst       = "Eddy-First"
	hdrCount       = "Eddy-Count"
	hdrLastArrival = "Eddy-Last-Arrival"
	hdrPart        = "Eddy-Part"
	hdrSealed      = "Eddy-Sealed"
	hdrBatch       = "Eddy-Batch"
)

// Stream metadata keys.
const (
	metaID    = "eddy-id"
	metaBase  = "eddy-base"
	metaNonce = "eddy-nonce"
)

// duplicateWindow is every log stream's duplicate-detection window. Eddy
// sends no Nats-Msg-Id (Kinesis has no idempotent put, and positions are
// made unique by the expected-last-sequence check, not by deduplication),
// so the window only needs to be short: JetStream rebuilds its duplicate
// map from the messages in the window when a stream is loaded, which a long
// window makes slow for thousands of streams.
const duplicateWindow = time.Second

// maxNameLen is the longest encoded id kept as is in a stream name.
const maxNameLen = 200

// payloadHeadroom is what a part leaves of the maximum payload for the
// message's headers (ours, the batch's and the expected last sequence).
const payloadHeadroom = 4 << 10

// maxHints bounds each log's map of position -> message sequence.
const maxHints = 4096

// Logs returns the logs kept in the cluster under Config.Prefix.
func (c *Conn) Logs() (*Logs, error) {
	part := int(c.nc.MaxPayload()) - payloadHeadroom
	if part < 64<<10 {
		return nil, fmt.Errorf("jetstream: server max payload %d is too small (want >= 68 KiB)", c.nc.MaxPayload())
	}
	s := &Logs{c: c, partSize: part}
	s.mu.logs = make(map[string]*shardLog)
	return s, nil
}

// encodeID maps id to the part of a stream name and subject that names it.
func (s *Logs) names(id string) (name, subject string) {
	var b strings.Builder
	for i := 0; i < len(id); i++ {
		switch c := id[i]; c {
		case '_':
			b.WriteString("__")
		case '.':
			b.WriteString("_d")
		case ':':
			b.WriteString("_c")
		case '/':
			b.WriteString("_s")
		default:
			b.WriteByte(c)
		}
	}
	enc := b.String()
	if len(enc) > maxNameLen {
		sum := sha256.Sum256([]byte(id))
		h := hex.EncodeToString(sum[:])[:40]
		return s.c.cfg.Prefix + "_LH_" + h, s.c.cfg.Prefix + ".lh." + h
	}
	return s.c.cfg.Prefix + "_L_" + enc, s.c.cfg.Prefix + ".l." + enc
}

func (s *Logs) closed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mu.closed
}

// Create makes the stream of a new log.
func (s *Logs) Create(id string, base uint64) (storage.ShardLog, error) {
	if !storage.ValidID(id) {
		return nil, fmt.Errorf("jetstream: invalid log id %q", id)
	}
	if s.closed() {
		return nil, storage.ErrClosed
	}
	name, subject := s.names(id)
	var nonce [12]byte
	_, _ = rand.Read(nonce[:])
	cfg := jetstream.StreamConfig{
		Name:               name,
		Subjects:           []string{subject},
		Storage:            jetstream.FileStorage,
		Replicas:           s.c.cfg.Replicas,
		Retention:          jetstream.LimitsPolicy,
		Discard:            jetstream.DiscardOld,
		Duplicates:         duplicateWindow,
		AllowAtomicPublish: true,
		AllowDirect:        false, // reads go to the leader: never stale
		DenyDelete:         true,
		Metadata: map[string]string{
			metaID:    id,
			metaBase:  fmt.Sprint(base),
			metaNonce: hex.EncodeToString(nonce[:]),
		},
	}
	ctx, cancel := s.c.ctx()
	defer cancel()
	st, err := s.c.js.CreateStream(ctx, cfg)
	if err != nil {
		if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) || apiCode(err) == jetstream.JSErrCodeStreamNameInUse {
			return nil, fmt.Errorf("jetstream: create log %q: %w", id, storage.ErrExists)
		}
		return nil, fmt.Errorf("jetstream: create log %q: %w", id, err)
	}
	l := newShardLog(s, id, name, subject, base, st)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mu.closed {
		return nil, storage.ErrClosed
	}
	if old := s.mu.logs[id]; old != nil {
		// The stream was deleted (by another node) and we made it anew.
		old.deleted.Store(true)
	}
	s.mu.logs[id] = l
	return l, nil
}

// Open returns the log's handle, looking its stream up on first use.
func (s *Logs) Open(id string) (storage.ShardLog, error) {
	if !storage.ValidID(id) {
		return nil, fmt.Errorf("jetstream: invalid log id %q", id)
	}
	s.mu.Lock()
	if s.mu.closed {
		s.mu.Unlock()
		return nil, storage.ErrClosed
	}
	if l := s.mu.logs[id]; l != nil && !l.deleted.Load() {
		s.mu.Unlock()
		return l, nil
	}
	s.mu.Unlock()

	name, subject := s.names(id)
	ctx, cancel := s.c.ctx()
	defer cancel()
	st, err := s.c.js.Stream(ctx, name)
	if err != nil {
		if isStreamNotFound(err) {
			return nil, fmt.Errorf("jetstream: open log %q: %w", id, storage.ErrNotFound)
		}
		return nil, fmt.Errorf("jetstream: open log %q: %w", id, err)
	}
	md := st.CachedInfo().Config.Metadata
	if md[metaID] != id {
		return nil, fmt.Errorf("jetstream: open log %q: stream %s holds %q: %w", id, name, md[metaID], storage.ErrNotFound)
	}
	var base uint64
	if _, err := fmt.Sscan(md[metaBase], &base); err != nil {
		return nil, fmt.Errorf("jetstream: open log %q: stream %s base %q: %w", id, name, md[metaBase], storage.ErrCorrupt)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mu.closed {
		return nil, storage.ErrClosed
	}
	if l := s.mu.logs[id]; l != nil && !l.deleted.Load() {
		return l, nil // opened concurrently
	}
	l := newShardLog(s, id, name, subject, base, st)
	s.mu.logs[id] = l
	return l, nil
}

// List lists the streams whose subjects are under Prefix.l and Prefix.lh.
func (s *Logs) List() ([]string, error) {
	if s.closed() {
		return nil, storage.ErrClosed
	}
	ids := []string{}
	for _, under := range []string{".l.>", ".lh.>"} {
		ctx, cancel := s.c.ctx()
		lister := s.c.js.ListStreams(ctx, jetstream.WithStreamListSubject(s.c.cfg.Prefix+under))
		for info := range lister.Info() {
			if !strings.HasPrefix(info.Config.Name, s.c.cfg.Prefix+"_L") {
				continue
			}
			if id := info.Config.Metadata[metaID]; id != "" {
				ids = append(ids, id)
			}
		}
		err := lister.Err()
		cancel()
		if err != nil {
			return nil, fmt.Errorf("jetstream: list logs: %w", err)
		}
	}
	slices.Sort(ids)
	return ids, nil
}

// Close marks the store closed. It does not close the Conn.
func (s *Logs) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mu.closed {
		return storage.ErrClosed
	}
	s.mu.closed = true
	s.mu.logs = nil
	return nil
}

// AppendMulti appends every batch concurrently, so that a PutRecords over
// many shards costs about one round trip to the cluster, not one per shard.
func (s *Logs) AppendMulti(batches []storage.AppendBatch) {
	for i := range batches {
		b := &batches[i]
		if l, ok := b.Log.(*shardLog); !ok || l.s != s {
			b.Log = foreignLog{b.Log}
		}
	}
	storage.AppendEach(batches)
}

// foreignLog fails every Append: a batch given to AppendMulti for a log of
// another store.
type foreignLog struct{ storage.ShardLog }

func (f foreignLog) Append([]storage.Record) (uint64, error) {
	if f.ShardLog == nil {
		return 0, errors.New("jetstream: AppendMulti: no log")
	}
	return 0, fmt.Errorf("jetstream: AppendMulti: log %q is not of this store", f.ID())
}

// apiCode returns err's JetStream error code, or 0.
func apiCode(err error) jetstream.ErrorCode {
	var ae *jetstream.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode
	}
	return 0
}

func isStreamNotFound(err error) bool {
	return errors.Is(err, jetstream.ErrStreamNotFound) || apiCode(err) == jetstream.JSErrCodeStreamNotFound
}

func isWrongLastSeq(err error) bool {
	c := apiCode(err)
	return c == jetstream.JSErrCodeStreamWrongLastSequence || c == jetstream.JSErrCodeStreamWrongLastSequenceConstant
}

// newNonce returns a random id for an atomic batch.
func newNonce() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// shardLog is one log's handle.
type shardLog struct {
	s       *Logs
	id      string
	name    string // stream
	subject string
	base    uint64
	stream  jetstream.Stream
	deleted atomic.Bool

	// appendMu serialises this node's appends (and Seal and TrimBefore)
	// to the log and guards view.
	appendMu sync.Mutex
	view     view

	hints struct {
		sync.Mutex
		m map[uint64]uint64 // position -> sequence of a message holding it
	}
}

// view is what an appender believes the log's last message to be.
type view struct {
	valid       bool
	lastSeq     uint64 // stream sequence of the last message (0: none)
	next        uint64
	lastArrival int64
	sealed      bool
}

func newShardLog(s *Logs, id, name, subject string, base uint64, st jetstream.Stream) *shardLog {
	l := &shardLog{s: s, id: id, name: name, subject: subject, base: base, stream: st}
	l.hints.m = make(map[uint64]uint64)
	return l
}

func (l *shardLog) ID() string { return l.id }

// check returns ErrClosed or ErrDeleted when the handle may not be used.
func (l *shardLog) check() error {
	if l.s.closed() {
		return storage.ErrClosed
	}
	if l.deleted.Load() {
		return storage.ErrDeleted
	}
	return nil
}

// fail maps a JetStream error: a vanished stream means the log was
// deleted (by this or another node).
func (l *shardLog) fail(op string, err error) error {
	if isStreamNotFound(err) {
		l.deleted.Store(true)
		return fmt.Errorf("jetstream: %s log %q: %w", op, l.id, storage.ErrDeleted)
	}
	if l.s.closed() {
		return storage.ErrClosed
	}
	return fmt.Errorf("jetstream: %s log %q: %w", op, l.id, err)
}

func (l *shardLog) hint(pos, seq uint64) {
	l.hints.Lock()
	defer l.hints.Unlock()
	if len(l.hints.m) >= maxHints {
		clear(l.hints.m)
	}
	l.hints.m[pos] = seq
}

func (l *shardLog) lookupHint(pos uint64) (uint64, bool) {
	l.hints.Lock()
	defer l.hints.Unlock()
	seq, ok := l.hints.m[pos]
	return seq, ok
}

// Delete deletes the log's stream.
func (l *shardLog) Delete() error {
	if err := l.check(); err != nil {
		return err
	}
	ctx, cancel := l.s.c.ctx()
	defer cancel()
	if err := l.s.c.js.DeleteStream(ctx, l.name); err != nil {
		return l.fail("delete", err)
	}
	l.deleted.Store(true)
	l.s.mu.Lock()
	if l.s.mu.logs[l.id] == l {
		delete(l.s.mu.logs, l.id)
	}
	l.s.mu.Unlock()
	return nil
}
