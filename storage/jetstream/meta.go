package jetstream

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/eddy-streams/eddy/storage"
	"github.com/eddy-streams/eddy/storage/mem"
)

// The MetaStore.
//
// All metadata lives in one JetStream stream, <Prefix>_META, used as a
// key-value bucket: each (table, key) has its own subject (a hash of both),
// and the stream keeps one message per subject (MaxMsgsPerSubject 1), the
// key's latest value or a deletion marker. So the stream's size follows
// the metadata's, not its history.
//
// Every node keeps the whole metadata in memory (a mem.Committing store,
// the "view") and follows the stream with an ordered consumer, applying
// what other nodes commit. A transaction runs against the view and commits
// its writes as one JetStream atomic batch (one message per key written)
// whose first message says Nats-Expected-Last-Sequence: the stream sequence
// the view reflects. JetStream accepts the batch only if nothing was
// committed since, so every node's transactions are serialised through the
// stream, as if they ran one at a time on one machine; a node that lost the
// race catches up and runs the transaction again (MetaStore.Batch and
// Update allow fn to run more than once).
//
// The view only ever moves between states the stream actually had: the
// follower applies a run of messages when it reaches a transaction's last
// message, if no message is missing since the last state it applied or if
// that message is the last in the stream. (Messages go missing when a
// later write replaced their key; at the end of the stream every
// replacement has been seen, so the state is exact there. A node that
// falls behind a stream whose keys are rewritten faster than it reads
// would wait for an end it never reaches; a follower reads far faster
// than metadata is written, and View waits at most Config.Timeout.)
//
// View and Update first ask the stream leader for its last sequence and
// wait until the view has caught up to it, so a write acknowledged through
// one node is seen by every transaction that starts afterwards on any
// node (read-your-writes across nodes, at the cost of one round trip).

// maxTxWrites is the most keys one transaction may write: JetStream's
// default limit on an atomic batch (nats-server's max_batch_size, 1000).
const maxTxWrites = 1000

// Message flags (the first byte of a message's data).
const (
	opPut    = 'P'
	opDelete = 'D'
	flagEnd  = 0x80 // the transaction's last message
)

// Meta is a storage.MetaStore kept in a JetStream stream. Make one with
// Conn.Meta.
type Meta struct {
	c       *Conn
	stream  string
	subject string // subject prefix; a key's subject is subject + hash
	view    *mem.Committing

	// applied is the stream sequence the view reflects. It only grows; it
	// is written under the view's write lock (in commit and in Apply).
	applied atomic.Uint64
	// changed is closed and replaced whenever applied grows.
	wmu     sync.Mutex
	changed chan struct{}

	// The follower's state: only the consume callback touches it, under
	// followMu.
	followMu      sync.Mutex
	pending       []pendingWrite
	gap           bool   // a message is missing since the last flush
	lastDelivered uint64 // stream sequence of the last message seen

	// watchers are called with other nodes' writes (Watch).
	watchMu  sync.Mutex
	watchers map[int]func(table, key string)
	watchID  int

	cons   jetstream.ConsumeContext
	closed atomic.Bool
	ferr   atomic.Value // error: the follower's last failure, for messages
}

type pendingWrite struct {
	seq uint64
	w   mem.Write
}

// errConflict: another node committed first; catch up and run fn again.
var errConflict = errors.New("jetstream: metadata changed by another node")

// Meta opens the cluster's metadata store (creating its stream if needed)
// and waits until this node's copy has caught up with it.
func (c *Conn) Meta() (*Meta, error) {
	m := &Meta{
		c:       c,
		stream:  c.cfg.Prefix + "_META",
		subject: c.cfg.Prefix + ".m.",
		changed: make(chan struct{}),
	}
	m.view = mem.NewCommitting(m.commit)
	s, err := c.ensureStream(jetstream.StreamConfig{
		Name:               m.stream,
		Description:        "Eddy metadata (storage/jetstream)",
		Subjects:           []string{m.subject + ">"},
		Storage:            jetstream.FileStorage,
		Replicas:           c.cfg.Replicas,
		MaxMsgsPerSubject:  1,
		Discard:            jetstream.DiscardOld,
		Duplicates:         time.Second, // the shortest JetStream allows usefully; Eddy sets no Nats-Msg-Id
		AllowAtomicPublish: true,
		DenyDelete:         true,
		DenyPurge:          true,
	})
	if err != nil {
		return nil, fmt.Errorf("jetstream: metadata stream %s: %w", m.stream, err)
	}
	ctx, cancel := c.ctx()
	defer cancel()
	cons, err := s.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverAllPolicy})
	if err != nil {
		return nil, fmt.Errorf("jetstream: metadata follower: %w", err)
	}
	m.cons, err = cons.Consume(m.follow, jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
		m.ferr.Store(err)
	}))
	if err != nil {
		return nil, fmt.Errorf("jetstream: metadata follower: %w", err)
	}
	if err := m.sync(); err != nil {
		m.cons.Stop()
		return nil, err
	}
	return m, nil
}

// subjectOf is the subject of (table, key): a hash, since keys may hold
// any byte and be longer than a subject should be.
func (m *Meta) subjectOf(table, key string) string {
	h := sha256.New()
	h.Write([]byte(table))
	h.Write([]byte{0})
	h.Write([]byte(key))
	return m.subject + hex.EncodeToString(h.Sum(nil)[:16])
}

// encode lays out one write: flags, table, key, value.
func encode(w mem.Write, end bool) []byte {
	op := byte(opPut)
	if w.Delete {
		op = opDelete
	}
	if end {
		op |= flagEnd
	}
	b := make([]byte, 0, 1+2*binary.MaxVarintLen32+len(w.Table)+len(w.Key)+len(w.Value))
	b = append(b, op)
	b = binary.AppendUvarint(b, uint64(len(w.Table)))
	b = append(b, w.Table...)
	b = binary.AppendUvarint(b, uint64(len(w.Key)))
	b = append(b, w.Key...)
	if !w.Delete {
		b = append(b, w.Value...)
	}
	return b
}

func decode(b []byte) (w mem.Write, end bool, err error) {
	if len(b) < 1 {
		return w, false, errors.New("empty message")
	}
	op := b[0] &^ flagEnd
	end = b[0]&flagEnd != 0
	b = b[1:]
	field := func() (string, error) {
		n, k := binary.Uvarint(b)
		if k <= 0 || n > uint64(len(b)-k) {
			return "", errors.New("bad length")
		}
		s := string(b[k : k+int(n)])
		b = b[k+int(n):]
		return s, nil
	}
	if w.Table, err = field(); err != nil {
		return w, end, err
	}
	if w.Key, err = field(); err != nil {
		return w, end, err
	}
	switch op {
	case opPut:
		w.Value = append([]byte{}, b...)
	case opDelete:
		w.Delete = true
	default:
		return w, end, fmt.Errorf("unknown operation %q", op)
	}
	return w, end, nil
}

// follow is the consume callback: it receives every message of the
// stream in order (the ordered consumer restarts itself after the last one
// seen if its subscription breaks; a message it hands over again is
// skipped).
func (m *Meta) follow(msg jetstream.Msg) {
	md, err := msg.Metadata()
	if err != nil {
		m.ferr.Store(err)
		return
	}
	seq := md.Sequence.Stream
	// The ordered consumer makes a new subscription when its old one
	// breaks (a server died), and the old one's goroutine may still be
	// handing over a message: calls can overlap, and repeat a message.
	m.followMu.Lock()
	defer m.followMu.Unlock()
	if seq <= m.lastDelivered {
		return // seen already
	}
	if seq != m.lastDelivered+1 {
		m.gap = true
	}
	m.lastDelivered = seq
	w, end, err := decode(msg.Data())
	if err != nil {
		// Not written by Eddy: skip it, loudly (it cannot be applied).
		m.ferr.Store(fmt.Errorf("jetstream: %s message %d: %w", m.stream, seq, err))
	} else if seq > m.applied.Load() {
		m.pending = append(m.pending, pendingWrite{seq: seq, w: w})
	}
	// Only a transaction's last message ends a state the stream had: a
	// batch's messages may reach the store (and this consumer) one by one.
	if end && (!m.gap || md.NumPending == 0) {
		m.flush(seq)
	}
}

// flush applies the pending writes the view does not have yet and moves
// applied to seq.
func (m *Meta) flush(seq uint64) {
	pending := m.pending
	m.pending = nil
	m.gap = false
	var applied []mem.Write
	err := m.view.Apply(func() []mem.Write {
		a := m.applied.Load()
		for _, p := range pending {
			if p.seq > a {
				applied = append(applied, p.w)
			}
		}
		if seq > a {
			m.applied.Store(seq)
		}
		return applied
	})
	if err != nil {
		return
	}
	m.notify()
	// What this node committed itself was applied by its commit and is
	// not among these.
	m.watchMu.Lock()
	defer m.watchMu.Unlock()
	for _, fn := range m.watchers {
		for _, w := range applied {
			fn(w.Table, w.Key)
		}
	}
}

// Watch calls fn with the table and key of every write another node
// commits, once this node's transactions see it (storage.Watcher).
func (m *Meta) Watch(fn func(table, key string)) (stop func()) {
	m.watchMu.Lock()
	defer m.watchMu.Unlock()
	if m.watchers == nil {
		m.watchers = make(map[int]func(table, key string))
	}
	m.watchID++
	id := m.watchID
	m.watchers[id] = fn
	return func() {
		m.watchMu.Lock()
		delete(m.watchers, id)
		m.watchMu.Unlock()
	}
}

func (m *Meta) notify() {
	m.wmu.Lock()
	close(m.changed)
	m.changed = make(chan struct{})
	m.wmu.Unlock()
}

// sync waits until the view reflects everything the stream held when sync
// was called.
func (m *Meta) sync() error {
	if m.closed.Load() {
		return storage.ErrClosed
	}
	ctx, cancel := m.c.ctx()
	defer cancel()
	// While the stream elects a leader (a server died, the cluster is
	// starting) its API does not answer: ask again until the timeout.
	var s jetstream.Stream
	var err error
	for {
		if s, err = m.c.js.Stream(ctx, m.stream); err == nil {
			break
		}
		if ctx.Err() != nil || m.closed.Load() {
			return m.unavailable(err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	info := s.CachedInfo()
	last := info.State.LastSeq
	for {
		m.wmu.Lock()
		ch := m.changed
		m.wmu.Unlock()
		if m.applied.Load() >= last {
			return nil
		}
		if m.closed.Load() {
			return storage.ErrClosed
		}
		select {
		case <-ch:
		case <-ctx.Done():
			msg := fmt.Sprintf("jetstream: metadata copy at %d, stream at %d after %v", m.applied.Load(), last, m.c.cfg.Timeout)
			if e, _ := m.ferr.Load().(error); e != nil {
				msg += " (last follower error: " + e.Error() + ")"
			}
			return errors.New(msg)
		}
	}
}

func (m *Meta) unavailable(err error) error {
	if m.closed.Load() {
		return storage.ErrClosed
	}
	return fmt.Errorf("jetstream: metadata stream %s: %w", m.stream, err)
}

// View runs fn on this node's copy once it has caught up with the stream.
func (m *Meta) View(fn func(storage.MetaTx) error) error {
	if err := m.sync(); err != nil {
		return err
	}
	return m.view.View(fn)
}

// Update runs fn on this node's copy and commits its writes to the stream,
// running it again after catching up when another node committed first.
func (m *Meta) Update(fn func(storage.MetaTx) error) error {
	for attempt := 0; ; attempt++ {
		if err := m.sync(); err != nil {
			return err
		}
		err := m.view.Update(fn)
		if !errors.Is(err, errConflict) {
			return err
		}
		if attempt > 100 {
			return fmt.Errorf("jetstream: metadata transaction lost the race to other nodes %d times: %w", attempt, err)
		}
	}
}

// Batch is Update: JetStream has no sync to share between transactions
// (each commit is replicated and synced by the stream's leader).
func (m *Meta) Batch(fn func(storage.MetaTx) error) error { return m.Update(fn) }

// commit publishes a transaction's writes as one atomic batch, expecting
// the stream to be at the sequence the view reflects. The view's write
// lock is held, so the follower cannot move applied meanwhile.
func (m *Meta) commit(writes []mem.Write) error {
	if len(writes) > maxTxWrites {
		return fmt.Errorf("jetstream: a metadata transaction writes %d keys, more than JetStream's atomic batch of %d", len(writes), maxTxWrites)
	}
	expect := m.applied.Load()
	var batchID string
	if len(writes) > 1 {
		var b [12]byte
		_, _ = rand.Read(b[:])
		batchID = hex.EncodeToString(b[:])
	}
	for i, w := range writes {
		last := i == len(writes)-1
		msg := nats.NewMsg(m.subjectOf(w.Table, w.Key))
		msg.Data = encode(w, last)
		if i == 0 {
			msg.Header.Set(jetstream.ExpectedLastSeqHeader, strconv.FormatUint(expect, 10))
		}
		if batchID != "" {
			msg.Header.Set("Nats-Batch-Id", batchID)
			msg.Header.Set("Nats-Batch-Sequence", strconv.Itoa(i+1))
			if last {
				msg.Header.Set("Nats-Batch-Commit", "1")
			}
		}
		if !last {
			if err := m.c.nc.PublishMsg(msg); err != nil {
				return m.unavailable(err)
			}
			continue
		}
		seq, err := m.publish(msg)
		if err != nil {
			return err
		}
		if seq > m.applied.Load() {
			m.applied.Store(seq)
		}
	}
	m.notify()
	return nil
}

// pubAck is JetStream's answer to a publish.
type pubAck struct {
	Stream   string `json:"stream"`
	Sequence uint64 `json:"seq"`
	Error    *struct {
		Code        int    `json:"code"`
		ErrCode     int    `json:"err_code"`
		Description string `json:"description"`
	} `json:"error"`
}

// Error codes from nats-server's errors.json.
const (
	errWrongLastSequence         = 10071
	errWrongLastSequenceConstant = 10164
)

// publish sends msg as a request and returns the stream sequence JetStream
// acknowledged, errConflict when the expected last sequence did not hold.
func (m *Meta) publish(msg *nats.Msg) (uint64, error) {
	resp, err := m.c.nc.RequestMsg(msg, m.c.cfg.Timeout)
	if errors.Is(err, nats.ErrNoResponders) {
		// No stream leader heard it (one is being elected), so nothing
		// was stored: Update catches up and tries again.
		time.Sleep(100 * time.Millisecond)
		return 0, errConflict
	}
	if err != nil {
		return 0, m.unavailable(err)
	}
	var ack pubAck
	if err := json.Unmarshal(resp.Data, &ack); err != nil {
		return 0, m.unavailable(fmt.Errorf("bad publish acknowledgement %q: %w", resp.Data, err))
	}
	if ack.Error != nil {
		switch ack.Error.ErrCode {
		case errWrongLastSequence, errWrongLastSequenceConstant:
			return 0, errConflict
		}
		return 0, m.unavailable(fmt.Errorf("%s (%d)", ack.Error.Description, ack.Error.ErrCode))
	}
	if ack.Stream != m.stream {
		return 0, m.unavailable(fmt.Errorf("acknowledged by stream %q", ack.Stream))
	}
	return ack.Sequence, nil
}

// Close stops following the stream. Later calls return storage.ErrClosed.
// It does not close the Conn.
func (m *Meta) Close() error {
	if m.closed.Swap(true) {
		return storage.ErrClosed
	}
	m.cons.Stop()
	m.notify()
	return m.view.Close()
}

var (
	_ storage.MetaStore = (*Meta)(nil)
	_ storage.Watcher   = (*Meta)(nil)
)
