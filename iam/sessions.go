package iam

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/eddy-streams/eddy/iam/policy"
	"github.com/eddy-streams/eddy/storage"
)

// Temporary credentials across a cluster.
//
// AssumeRole's credentials are kept in memory by the node that issued
// them. On a store other nodes share (UseStore on a storage.Watcher) they
// are also kept in the table
//
//	iam/sessions   <access key id> -> storedSession (JSON)
//
// and a node asked for an access key it does not know, with a session
// token, looks for it there and makes the session's caller of the role
// as it is now. So credentials from STS through one node sign requests
// to any other. Records expired for more than a minute are deleted as
// new ones are written.
const tableSessions = "iam/sessions"

// maxSweep bounds the expired sessions one issue deletes (a store
// transaction writes a bounded number of keys).
const maxSweep = 100

type storedSession struct {
	Secret  string    `json:"secret"`
	Token   string    `json:"token"`
	Expires time.Time `json:"expires"`
	Account string    `json:"account"`
	Role    string    `json:"role"`
	Session string    `json:"session"`
	Policy  string    `json:"policy,omitempty"` // the session policy's text
}

// shareSession records temporary credentials in the shared store, if
// there is one.
func (d *Directory) shareSession(keyID string, s storedSession, now time.Time) error {
	d.mu.RLock()
	meta, shared := d.meta, d.shared
	d.mu.RUnlock()
	if !shared {
		return nil
	}
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return meta.Update(func(tx storage.MetaTx) error {
		var expired []string
		if err := tx.Scan(tableSessions, "", "", func(k string, v []byte) (bool, error) {
			var old storedSession
			if json.Unmarshal(v, &old) != nil || now.After(old.Expires.Add(time.Minute)) {
				expired = append(expired, k)
			}
			return len(expired) < maxSweep, nil
		}); err != nil {
			return err
		}
		for _, k := range expired {
			if err := tx.Delete(tableSessions, k); err != nil {
				return err
			}
		}
		return tx.Put(tableSessions, keyID, b)
	})
}

// storedKey reports whether a user record in the store holds the access
// key keyID.
func (d *Directory) storedKey(keyID string) bool {
	d.mu.RLock()
	meta := d.meta
	d.mu.RUnlock()
	want := []byte(`"id":"` + keyID + `"`)
	found := false
	meta.View(func(tx storage.MetaTx) error {
		return tx.Scan(tableEntities, "", "", func(k string, v []byte) (bool, error) {
			found = strings.Contains(k, "/user/") && bytes.Contains(v, want)
			return !found, nil
		})
	})
	return found
}

// sharedSession looks for temporary credentials another node issued and,
// if found, adds them to the directory.
func (d *Directory) sharedSession(keyID string) (*credential, error) {
	d.mu.RLock()
	meta := d.meta
	d.mu.RUnlock()
	var s storedSession
	err := meta.View(func(tx storage.MetaTx) error {
		b, err := tx.Get(tableSessions, keyID)
		if err != nil {
			return err
		}
		return json.Unmarshal(b, &s)
	})
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var session []*policy.Policy
	if s.Policy != "" {
		p, err := policy.Parse(s.Policy, policy.Identity)
		if err != nil {
			return nil, err
		}
		session = []*policy.Policy{p}
	}
	find := func() *role {
		if a := d.accounts[s.Account]; a != nil {
			return a.roles[s.Role]
		}
		return nil
	}
	d.mu.RLock()
	r := find()
	d.mu.RUnlock()
	if r == nil {
		// A role made through another node moments ago.
		if err := d.reload(); err != nil {
			return nil, err
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if r = find(); r == nil {
		return nil, nil // the role is gone: so are its sessions
	}
	sess := d.accounts[s.Account].sessionCaller(r, s.Session)
	sess.session = session
	c := &credential{secret: s.Secret, token: s.Token, expires: s.Expires, caller: sess}
	d.keys[keyID] = c
	return c, nil
}
