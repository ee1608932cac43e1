package kinesis

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"github.com/eddy-streams/eddy/storage"
)

// Engines on a shared store.
//
// With storage/jetstream every Eddy node of a cluster runs an engine over
// the same metadata. Each engine holds its streams in memory (views), so
// it must learn what the others change:
//
//   - The store tells it (storage.Watcher) of every stream another node
//     wrote; a goroutine reloads those streams from the store.
//   - A stream this engine does not hold is looked up in the store before
//     it is called missing (lookup), so a stream created through one node
//     is usable through every other at once, before the notice arrives.
//   - Every change is stored over the revision it was made from (persist):
//     a change made from a stale view is refused with errStale, the view
//     is reloaded and the change made again, so no node overwrites
//     another's.

// peers is the engine's side of a shared store.
type peers struct {
	stop func() // stops the store's notices
}

// watchPeers starts following other nodes' changes if the store is
// shared; it does nothing otherwise.
func (e *Engine) watchPeers() {
	stop, shared := storage.Follow(e.meta, func(table, key string) string {
		switch table {
		case tableStreams:
			return key
		case tableSubs:
			return subNotice + key
		}
		return ""
	}, e.peerChanged)
	if shared {
		e.peers = &peers{stop: stop}
	}
}

// stopPeers stops following other nodes (Close).
func (e *Engine) stopPeers() {
	if e.peers != nil {
		e.peers.stop()
	}
}

// peerChanged handles another node's write of a stream or a subscription.
func (e *Engine) peerChanged(name string) {
	if key, ok := strings.CutPrefix(name, subNotice); ok {
		e.checkTakeover(key)
		return
	}
	if _, err := e.reload(name); err != nil {
		e.log.Warn("reloading a stream another node changed", "stream", name, "err", err)
	}
}

// loadStored reads a stream's stored metadata; ok is false if there is
// none.
func (e *Engine) loadStored(name string) (m streamMeta, ok bool, err error) {
	err = e.meta.View(func(tx storage.MetaTx) error {
		b, err := tx.Get(tableStreams, name)
		if errors.Is(err, storage.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		ok = true
		return json.Unmarshal(b, &m)
	})
	return m, ok, err
}

// reload brings the engine's copy of a stream in line with the store and
// returns it (nil if the stream is not stored).
func (e *Engine) reload(name string) (*stream, error) {
	m, ok, err := e.loadStored(name)
	if err != nil {
		return nil, err
	}
	s := e.held(name)
	switch {
	case !ok && s == nil:
		return nil, nil
	case !ok: // deleted through another node
		e.forget(s)
		return nil, nil
	case s != nil && s.view.Load().meta.Created == m.Created:
		s.mu.Lock()
		defer s.mu.Unlock()
		return s, e.refreshLocked(s)
	}
	ns, err := e.openStream(m)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	if cur := e.mu.streams[name]; cur != nil && cur.view.Load().meta.Created == m.Created {
		ns = cur // loaded meanwhile
	} else {
		e.mu.streams[name] = ns
	}
	e.mu.Unlock()
	if s != nil && s != ns {
		e.forgetView(s)
	}
	e.scheduleTransition(ns)
	return ns, nil
}

// refreshLocked replaces s's view with its stored metadata if that is a
// newer revision; s.mu must be held. A stream deleted or created again
// through another node is taken out of the engine and reported missing.
func (e *Engine) refreshLocked(s *stream) error {
	v := s.view.Load()
	m, ok, err := e.loadStored(v.meta.Name)
	if err != nil {
		return internalf("reload stream %s: %w", v.meta.Name, err)
	}
	if !ok || m.Created != v.meta.Created {
		go e.reload(v.meta.Name) // outside s.mu: it takes the engine's lock
		return e.notFound(v.meta.Name)
	}
	if m.Rev == v.meta.Rev {
		return nil
	}
	nv, err := e.buildView(m)
	if err != nil {
		return err
	}
	s.view.Store(nv)
	// Subscriptions of consumers deregistered through another node end.
	for _, c := range m.Consumers {
		if c.Deleted != 0 {
			e.endSubscriptions(m.Name, c.Name)
		}
	}
	for _, c := range v.meta.Consumers {
		if !slices.ContainsFunc(m.Consumers, func(n consumerMeta) bool { return n.Name == c.Name && n.Created == c.Created }) {
			e.endSubscriptions(m.Name, c.Name)
		}
	}
	// Subscribers look again: a shard may have closed.
	for _, st := range v.shards {
		st.appended.notify()
	}
	e.scheduleTransition(s)
	return nil
}

// forget takes a stream deleted through another node out of the engine.
// Its logs were deleted by that node.
func (e *Engine) forget(s *stream) {
	v := s.view.Load()
	e.mu.Lock()
	if e.mu.streams[v.meta.Name] == s {
		delete(e.mu.streams, v.meta.Name)
	}
	e.mu.Unlock()
	e.forgetView(s)
	for _, c := range v.meta.Consumers {
		e.endSubscriptions(v.meta.Name, c.Name)
	}
}

func (e *Engine) forgetView(s *stream) {
	v := s.view.Load()
	e.limits.dropStream(v.meta.Name)
	e.forgetStreamMetrics(v)
	for _, st := range v.shards {
		st.appended.notify()
	}
}

// lookupFresh is lookup for the control plane's reads (Describe*,
// ListShards, consumers): on a shared store it first brings the stream in
// line with the store, so what another node changed is seen at once. It
// costs a round trip to the store, which the data plane does not pay: a
// node's puts and reads follow another node's change when its notice
// arrives, milliseconds later.
func (e *Engine) lookupFresh(name string) *stream {
	if e.peers == nil {
		return e.lookup(name)
	}
	s, err := e.reload(name)
	if err != nil {
		e.log.Warn("reloading a stream from the shared store", "stream", name, "err", err)
		return e.held(name)
	}
	return s
}

// syncPeers brings every stream in line with a shared store (before
// ListStreams); it does nothing on a store of this node's own.
func (e *Engine) syncPeers() {
	if e.peers == nil {
		return
	}
	type stamp struct {
		created int64
		rev     uint64
	}
	stored := map[string]stamp{}
	err := e.meta.View(func(tx storage.MetaTx) error {
		return tx.Scan(tableStreams, "", "", func(key string, value []byte) (bool, error) {
			var m struct {
				Created int64  `json:"created"`
				Rev     uint64 `json:"rev"`
			}
			if err := json.Unmarshal(value, &m); err != nil {
				return false, err
			}
			stored[key] = stamp{m.Created, m.Rev}
			return true, nil
		})
	})
	if err != nil {
		e.log.Warn("listing the shared store's streams", "err", err)
		return
	}
	for _, s := range e.allStreams() {
		if _, ok := stored[s.view.Load().meta.Name]; !ok {
			e.forget(s)
		}
	}
	for name, st := range stored {
		if s := e.held(name); s != nil {
			if m := s.view.Load().meta; m.Created == st.created && m.Rev == st.rev {
				continue
			}
		}
		if _, err := e.reload(name); err != nil {
			e.log.Warn("reloading a stream from the shared store", "stream", name, "err", err)
		}
	}
}

// SubscribeToShard across nodes: one subscription per consumer and shard
// in the whole cluster. Each is recorded in the store (table
// subscriptions, key the engine's subKey) with a token of its own; a call
// within subscribeTakeover of the recorded one is refused, a later one
// takes it over, and the node holding the old one ends it when the
// store's notice of the new record arrives.
const (
	tableSubs = "subscriptions"
	subNotice = "\x00sub:" // marks a subscription key among reload names
)

type subRecord struct {
	Token   string `json:"token"`
	Started int64  `json:"started"` // Unix ns
}

var errSubBusy = errors.New("kinesis: another active subscription")

// claimSubscription records sub as its consumer's subscription to its
// shard across the cluster, or returns errSubBusy within subscribeTakeover
// of another's. It does nothing on a store no other node shares.
func (e *Engine) claimSubscription(sub *Subscription) error {
	if e.peers == nil {
		return nil
	}
	var b [12]byte
	rand.Read(b[:])
	sub.token = hex.EncodeToString(b[:])
	rec, err := json.Marshal(subRecord{Token: sub.token, Started: sub.started})
	if err != nil {
		return err
	}
	return e.meta.Update(func(tx storage.MetaTx) error {
		cur, err := tx.Get(tableSubs, sub.key)
		switch {
		case errors.Is(err, storage.ErrNotFound):
		case err != nil:
			return err
		default:
			var r subRecord
			if err := json.Unmarshal(cur, &r); err == nil && sub.started < r.Started+int64(subscribeTakeover) {
				return errSubBusy
			}
		}
		return tx.Put(tableSubs, sub.key, rec)
	})
}

// unclaimSubscription removes sub's record if it is still sub's.
func (e *Engine) unclaimSubscription(sub *Subscription) {
	if e.peers == nil || sub.token == "" {
		return
	}
	err := e.meta.Update(func(tx storage.MetaTx) error {
		cur, err := tx.Get(tableSubs, sub.key)
		if err != nil {
			return nil
		}
		var r subRecord
		if json.Unmarshal(cur, &r) == nil && r.Token == sub.token {
			return tx.Delete(tableSubs, sub.key)
		}
		return nil
	})
	if err != nil {
		e.log.Warn("removing a subscription's record", "subscription", sub.key, "err", err)
	}
}

// checkTakeover ends this node's subscription of key if another node's
// has taken its place in the store.
func (e *Engine) checkTakeover(key string) {
	var r subRecord
	found := false
	err := e.meta.View(func(tx storage.MetaTx) error {
		b, err := tx.Get(tableSubs, key)
		if errors.Is(err, storage.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		found = true
		return json.Unmarshal(b, &r)
	})
	if err != nil || !found {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if sub := e.mu.subs[key]; sub != nil && sub.token != "" && sub.token != r.Token {
		close(sub.done)
		delete(e.mu.subs, key)
	}
}
