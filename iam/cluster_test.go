package iam

import (
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/internal/natstest"
	"github.com/eddy-streams/eddy/storage/jetstream"
)

// TestClusterDirectories: two directories on one JetStream store (two
// Eddy nodes of a cluster) share the IAM API's changes: an access key
// made through one signs through the other at once, a policy put through
// one applies through the other, a key deleted through one is refused
// through the other once its notice came.
func TestClusterDirectories(t *testing.T) {
	srv := natstest.Embedded(t)
	var p [6]byte
	rand.Read(p[:])
	prefix := "T" + hex.EncodeToString(p[:])
	const acct, rootKey = "111111111111", "AKIAROOT000000000001"
	open := func() (*Directory, *Caller) {
		c, err := jetstream.Open(jetstream.Config{URLs: srv.URL, Replicas: 1, Prefix: prefix})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		m, err := c.Meta()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		d := NewDirectory()
		if err := d.AddRootKey(acct, rootKey, "root-secret"); err != nil {
			t.Fatal(err)
		}
		if err := d.UseStore(m); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(d.StopWatching)
		_, root, e := d.Credential(rootKey, "", time.Now())
		if e != nil {
			t.Fatal(e)
		}
		return d, root
	}
	a, rootA := open()
	b, _ := open()
	// c hears no notices: what it knows of A's changes it reads from
	// the store when asked.
	c, _ := open()
	c.StopWatching()
	now := time.Now()
	if _, err := a.CreateUser(rootA, "app", "/", now); err != nil {
		t.Fatal(err)
	}
	key, err := a.CreateAccessKey(rootA, "app", now)
	if err != nil {
		t.Fatal(err)
	}
	secret, caller, e := b.Credential(key.AccessKeyID, "", now)
	if e != nil || secret != key.SecretAccessKey || caller.ARN != "arn:aws:iam::"+acct+":user/app" {
		t.Fatalf("B: %q %+v %v", secret, caller, e)
	}
	if secret, _, e := c.Credential(key.AccessKeyID, "", now); e != nil || secret != key.SecretAccessKey {
		t.Fatalf("C (no notices): %q %v", secret, e)
	}
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kinesis:*","Resource":"*"}]}`
	if err := a.PutUserPolicy(rootA, "app", "p", doc); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "B applies the policy put through A", func() bool {
		_, c, e := b.Credential(key.AccessKeyID, "", now)
		return e == nil && len(c.policies) == 1
	})
	if got, err := b.GetUserPolicy(rootA, "app", "p"); err != nil || got != doc {
		t.Fatalf("B's GetUserPolicy: %q %v", got, err)
	}
	// A role made through A, assumed through A: its session's
	// credentials sign through C, which hears no notices.
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:user/app"},"Action":"sts:AssumeRole"}]}`
	if _, err := a.CreateRole(rootA, "worker", "/", trust, "", 3600, now, func(s string) string { return s }); err != nil {
		t.Fatal(err)
	}
	creds, _, e := a.AssumeRole(caller, "arn:aws:iam::"+acct+":role/worker", "s1", "", "", time.Hour, Call{Now: now})
	if e != nil {
		t.Fatal(e)
	}
	if _, _, e := c.Credential(creds.AccessKeyID, "not-the-token", now); e == nil {
		t.Fatal("C took another node's session with a wrong token")
	}
	secret, sess, e := c.Credential(creds.AccessKeyID, creds.SessionToken, now)
	if e != nil || secret != creds.SecretAccessKey || sess.ARN != "arn:aws:sts::"+acct+":assumed-role/worker/s1" {
		t.Fatalf("C: %q %+v %v", secret, sess, e)
	}
	if _, _, e := c.Credential(creds.AccessKeyID, creds.SessionToken, creds.Expiration.Add(time.Second)); e == nil {
		t.Fatal("C took an expired session")
	}
	if err := a.DeleteAccessKey(rootA, "app", key.AccessKeyID); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "B refuses the key deleted through A", func() bool {
		_, _, e := b.Credential(key.AccessKeyID, "", now)
		return e != nil
	})
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
