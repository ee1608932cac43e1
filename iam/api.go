package iam

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/iam/policy"
	"github.com/eddy-streams/eddy/storage"
)

// The IAM API's part of the directory: users, their access keys and
// policies, and customer managed policies, made through IAM's API
// (CreateUser, CreateAccessKey, PutUserPolicy, CreatePolicy,
// AttachUserPolicy and their Get, List and Delete counterparts) in the
// caller's account, kept in the metadata store (table "iam/entities") so
// that they outlive a restart. Entities of the identities file are
// read-only to the API (UnmodifiableEntity): the file is their source.
//
// Codes and messages are IAM's (aws-sdk-go-v2 service/iam's errors, and
// the messages IAM answers with as its users record them):
// EntityAlreadyExists "User with name X already exists.", NoSuchEntity
// "The user with name X cannot be found.", DeleteConflict, LimitExceeded
// "Cannot exceed quota for AccessKeysPerUser: 2", MalformedPolicyDocument.

// tableEntities holds the API's entities: "<account>/user/<name>" and
// "<account>/policy/<name>" to their JSON records.
const tableEntities = "iam/entities"

// maxKeysPerUser is IAM's quota of access keys per user.
const maxKeysPerUser = 2

type storedKey struct {
	ID      string    `json:"id"`
	Secret  string    `json:"secret"`
	Created time.Time `json:"created"`
}

type storedUser struct {
	Path     string            `json:"path"`
	ID       string            `json:"id"`
	Created  time.Time         `json:"created"`
	Keys     []storedKey       `json:"keys,omitempty"`
	Inline   map[string]string `json:"inline,omitempty"`
	Attached []string          `json:"attached,omitempty"`
}

type storedPolicy struct {
	Path        string    `json:"path"`
	ID          string    `json:"id"`
	Document    string    `json:"document"`
	Description string    `json:"description,omitempty"`
	Created     time.Time `json:"created"`
}

// UseStore keeps the IAM API's entities in meta, loading those already
// there. Without it they live in memory only.
//
// On a store other nodes write too (storage.Watcher: eddy serve --backend
// jetstream) the directory follows their IAM API changes: the store's
// notice of an entity another node wrote makes it load the API's entities
// again, and an access key it does not know is looked for in the store
// before it is refused (Credential), so a key made through one node signs
// requests to every other at once.
func (d *Directory) UseStore(meta storage.MetaStore) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.meta = meta
	if err := d.loadLocked(); err != nil {
		return err
	}
	// Any entity written through another node: load them all again.
	stop, shared := storage.Follow(meta, func(table, _ string) string {
		if table == tableEntities {
			return tableEntities
		}
		return ""
	}, func(string) {
		if err := d.reload(); err != nil && d.logger() != nil {
			d.logger().Warn("iam: loading entities another node changed", "err", err)
		}
	})
	if shared {
		d.shared = true
		d.stopWatch = stop
	}
	return nil
}

// SetLogger gives the directory a logger for what it cannot report to a
// caller (a failed reload of another node's changes). Default: none.
func (d *Directory) SetLogger(l *slog.Logger) {
	d.mu.Lock()
	d.log = l
	d.mu.Unlock()
}

// StopWatching stops following other nodes' changes (UseStore).
func (d *Directory) StopWatching() {
	d.mu.Lock()
	stop := d.stopWatch
	d.stopWatch = nil
	d.mu.Unlock()
	if stop != nil {
		stop()
	}
}

func (d *Directory) logger() *slog.Logger {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.log
}

// reload replaces the IAM API's entities in memory by those stored now.
// Temporary credentials already issued are kept.
func (d *Directory) reload() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, a := range d.accounts {
		for name, u := range a.users {
			if u.fromFile {
				continue
			}
			for _, id := range u.keys {
				delete(d.keys, id)
			}
			delete(a.users, name)
		}
		for name, r := range a.roles {
			if !r.fromFile {
				delete(a.roles, name)
			}
		}
		for arn, p := range a.policies {
			if !p.fromFile {
				delete(a.policies, arn)
			}
		}
	}
	return d.loadLocked()
}

// loadLocked loads the IAM API's entities from d.meta.
func (d *Directory) loadLocked() error {
	meta := d.meta
	var users []struct {
		acct, name string
		rec        storedUser
	}
	var roles []struct {
		acct, name string
		rec        storedRole
	}
	err := meta.View(func(tx storage.MetaTx) error {
		return tx.Scan(tableEntities, "", "", func(k string, v []byte) (bool, error) {
			parts := strings.SplitN(k, "/", 3)
			if len(parts) != 3 {
				return false, fmt.Errorf("iam: bad entity key %q", k)
			}
			switch parts[1] {
			case "policy":
				var rec storedPolicy
				if err := json.Unmarshal(v, &rec); err != nil {
					return false, fmt.Errorf("iam: policy %s: %w", k, err)
				}
				p, err := policy.Parse(rec.Document, policy.Identity)
				if err != nil {
					return false, fmt.Errorf("iam: policy %s: %w", k, err)
				}
				a := d.account(parts[0])
				arn := "arn:aws:iam::" + a.id + ":policy" + rec.Path + parts[2]
				if a.policies[arn] != nil {
					return false, fmt.Errorf("iam: policy %s is both in the identities file and made by the IAM API", arn)
				}
				a.policies[arn] = &managed{name: parts[2], path: rec.Path, id: rec.ID, text: rec.Document,
					description: rec.Description, doc: p, created: rec.Created}
			case "role":
				var rec storedRole
				if err := json.Unmarshal(v, &rec); err != nil {
					return false, fmt.Errorf("iam: role %s: %w", k, err)
				}
				roles = append(roles, struct {
					acct, name string
					rec        storedRole
				}{parts[0], parts[2], rec})
			case "user":
				var rec storedUser
				if err := json.Unmarshal(v, &rec); err != nil {
					return false, fmt.Errorf("iam: user %s: %w", k, err)
				}
				users = append(users, struct {
					acct, name string
					rec        storedUser
				}{parts[0], parts[2], rec})
			}
			return true, nil
		})
	})
	if err != nil {
		return err
	}
	// Users and roles after policies: they attach them.
	for _, sr := range roles {
		if err := d.loadRole(sr.acct, sr.name, sr.rec); err != nil {
			return fmt.Errorf("iam: role %s of account %s: %w", sr.name, sr.acct, err)
		}
	}
	for _, su := range users {
		a := d.account(su.acct)
		if a.users[su.name] != nil {
			return fmt.Errorf("iam: user %s of account %s is both in the identities file and made by the IAM API", su.name, su.acct)
		}
		u := &user{name: su.name, path: su.rec.Path, id: su.rec.ID, created: su.rec.Created,
			inline: map[string]*policy.Policy{}, inlineText: map[string]string{}, attached: su.rec.Attached}
		for name, text := range su.rec.Inline {
			p, err := policy.Parse(text, policy.Identity)
			if err != nil {
				return fmt.Errorf("iam: user %s policy %s: %w", su.name, name, err)
			}
			u.inline[name], u.inlineText[name] = p, text
		}
		if err := a.checkAttached(u.attached); err != nil {
			return fmt.Errorf("iam: user %s: %w", su.name, err)
		}
		a.users[u.name] = u
		c := a.userCaller(u)
		for _, k := range su.rec.Keys {
			if _, dup := d.keys[k.ID]; dup {
				return fmt.Errorf("iam: access key %s of user %s is also in the identities file", k.ID, su.name)
			}
			d.keys[k.ID] = &credential{secret: k.Secret, caller: c, created: k.Created}
			u.keys = append(u.keys, k.ID)
		}
	}
	return nil
}

// User is IAM's User shape.
type User struct {
	Path       string `xml:"Path"`
	UserName   string `xml:"UserName"`
	UserID     string `xml:"UserId"`
	Arn        string `xml:"Arn"`
	CreateDate string `xml:"CreateDate"`
}

// AccessKey is IAM's AccessKey shape (CreateAccessKey's answer), and
// AccessKeyMetadata's without the secret.
type AccessKey struct {
	UserName        string `xml:"UserName"`
	AccessKeyID     string `xml:"AccessKeyId"`
	Status          string `xml:"Status"`
	SecretAccessKey string `xml:"SecretAccessKey,omitempty"`
	CreateDate      string `xml:"CreateDate"`
}

// ManagedPolicy is IAM's Policy shape.
type ManagedPolicy struct {
	PolicyName      string `xml:"PolicyName"`
	PolicyID        string `xml:"PolicyId"`
	Arn             string `xml:"Arn"`
	Path            string `xml:"Path"`
	DefaultVersion  string `xml:"DefaultVersionId"`
	AttachmentCount int    `xml:"AttachmentCount"`
	IsAttachable    bool   `xml:"IsAttachable"`
	Description     string `xml:"Description,omitempty"`
	CreateDate      string `xml:"CreateDate"`
	UpdateDate      string `xml:"UpdateDate"`
}

func iamTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func errNoUser(name string) *eddy.Error {
	return eddy.Errorf("NoSuchEntity", "The user with name %s cannot be found.", name)
}

func errUnmodifiable(kind, name string) *eddy.Error {
	// IAM's code for entities its API may not change; the message is
	// Eddy's (IAM's concerns service-linked roles).
	return eddy.Errorf("UnmodifiableEntity", "Cannot perform the operation on the %s %s: it is defined in the identities file.", kind, name)
}

// validationError is IAM's "1 validation error detected" answer.
func validationError(value, member, constraint string) *eddy.Error {
	return eddy.Errorf("ValidationError", "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must %s", value, member, constraint)
}

func checkName(value, member string) *eddy.Error {
	if !namePattern.MatchString(value) {
		if value == "" || len(value) > 64 {
			return validationError(value, member, "have length between 1 and 64")
		}
		return validationError(value, member, "satisfy regular expression pattern: [\\w+=,.@-]+")
	}
	return nil
}

// save writes a user's record (or deletes it when u is nil) and applies
// nothing else: callers change memory only after it succeeds.
func (d *Directory) saveUser(a *account, name string, u *user) error {
	if d.meta == nil {
		return nil
	}
	key := a.id + "/user/" + name
	return d.meta.Update(func(tx storage.MetaTx) error {
		if u == nil {
			return tx.Delete(tableEntities, key)
		}
		rec := storedUser{Path: u.path, ID: u.id, Created: u.created, Inline: u.inlineText, Attached: u.attached}
		for _, id := range u.keys {
			c := d.keys[id]
			rec.Keys = append(rec.Keys, storedKey{ID: id, Secret: c.secret, Created: c.created})
		}
		b, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		return tx.Put(tableEntities, key, b)
	})
}

// refreshLocked gives u's keys a caller with u's policies as they are now.
func (d *Directory) refreshLocked(a *account, u *user) {
	c := a.userCaller(u)
	for _, id := range u.keys {
		if k := d.keys[id]; k != nil {
			k.caller = c
		}
	}
}

// userOf returns the user named name of the caller's account, or the
// caller's own user when name is "" (as IAM's calls that default to the
// caller).
func (d *Directory) userOf(c *Caller, name string) (*account, *user, *eddy.Error) {
	a := d.accounts[c.Account]
	if name == "" {
		if c.Type != "User" {
			return nil, nil, eddy.Errorf("ValidationError", "Must specify userName when calling with non-User credentials")
		}
		name = c.UserName
	}
	if a == nil || a.users[name] == nil {
		return nil, nil, errNoUser(name)
	}
	return a, a.users[name], nil
}

// CreateUser makes a user in the caller's account.
func (d *Directory) CreateUser(c *Caller, name, path string, now time.Time) (*User, error) {
	if err := checkName(name, "userName"); err != nil {
		return nil, err
	}
	p, err := checkPath(path)
	if err != nil {
		return nil, validationError(path, "path", "satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)")
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	a := d.account(c.Account)
	for existing := range a.users {
		// IAM's names are unique case-insensitively.
		if strings.EqualFold(existing, name) {
			return nil, eddy.Errorf("EntityAlreadyExists", "User with name %s already exists.", name)
		}
	}
	u := &user{name: name, path: p, id: uniqueID("AIDA"), created: now.UTC().Truncate(time.Second),
		inline: map[string]*policy.Policy{}, inlineText: map[string]string{}}
	if err := d.saveUser(a, name, u); err != nil {
		return nil, err
	}
	a.users[name] = u
	return a.userShape(u), nil
}

func (a *account) userShape(u *user) *User {
	return &User{Path: u.path, UserName: u.name, UserID: u.id, Arn: a.userARN(u), CreateDate: iamTime(u.created)}
}

// GetUser returns a user of the caller's account ("" for the caller).
func (d *Directory) GetUser(c *Caller, name string) (*User, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	a, u, err := d.userOf(c, name)
	if err != nil {
		return nil, err
	}
	return a.userShape(u), nil
}

// ListUsers lists the caller's account's users whose path starts with
// prefix, by name.
func (d *Directory) ListUsers(c *Caller, prefix string) []User {
	d.mu.RLock()
	defer d.mu.RUnlock()
	a := d.accounts[c.Account]
	var out []User
	if a == nil {
		return out
	}
	for _, name := range slices.Sorted(maps.Keys(a.users)) {
		if u := a.users[name]; strings.HasPrefix(u.path, prefix) {
			out = append(out, *a.userShape(u))
		}
	}
	return out
}

// DeleteUser deletes a user that has no access keys and no policies, as
// IAM requires.
func (d *Directory) DeleteUser(c *Caller, name string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	a, u, err := d.userOf(c, name)
	if err != nil {
		return err
	}
	switch {
	case u.fromFile:
		return errUnmodifiable("user", name)
	case len(u.keys) > 0:
		return eddy.Errorf("DeleteConflict", "Cannot delete entity, must delete access keys first.")
	case len(u.inline) > 0:
		return eddy.Errorf("DeleteConflict", "Cannot delete entity, must delete policies first.")
	case len(u.attached) > 0:
		return eddy.Errorf("DeleteConflict", "Cannot delete entity, must detach all policies first.")
	}
	if err := d.saveUser(a, u.name, nil); err != nil {
		return err
	}
	delete(a.users, u.name)
	return nil
}

// CreateAccessKey makes an access key for a user ("" for the caller).
func (d *Directory) CreateAccessKey(c *Caller, name string, now time.Time) (*AccessKey, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	a, u, err := d.userOf(c, name)
	if err != nil {
		return nil, err
	}
	if u.fromFile {
		return nil, errUnmodifiable("user", u.name)
	}
	if len(u.keys) >= maxKeysPerUser {
		return nil, eddy.Errorf(eddy.CodeLimitExceeded, "Cannot exceed quota for AccessKeysPerUser: %d", maxKeysPerUser)
	}
	id := uniqueID("AKIA")
	k := &credential{secret: randomText(40), caller: a.userCaller(u), created: now.UTC().Truncate(time.Second)}
	d.keys[id] = k
	u.keys = append(u.keys, id)
	if err := d.saveUser(a, u.name, u); err != nil {
		delete(d.keys, id)
		u.keys = u.keys[:len(u.keys)-1]
		return nil, err
	}
	return &AccessKey{UserName: u.name, AccessKeyID: id, Status: "Active", SecretAccessKey: k.secret, CreateDate: iamTime(k.created)}, nil
}

// ListAccessKeys lists a user's keys ("" for the caller), without secrets.
func (d *Directory) ListAccessKeys(c *Caller, name string) ([]AccessKey, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	_, u, err := d.userOf(c, name)
	if err != nil {
		return nil, err
	}
	out := []AccessKey{}
	for _, id := range u.keys {
		out = append(out, AccessKey{UserName: u.name, AccessKeyID: id, Status: "Active", CreateDate: iamTime(d.keys[id].created)})
	}
	return out, nil
}

// DeleteAccessKey deletes a user's key ("" for the caller).
func (d *Directory) DeleteAccessKey(c *Caller, name, keyID string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	a, u, err := d.userOf(c, name)
	if err != nil {
		return err
	}
	i := slices.Index(u.keys, keyID)
	if i < 0 {
		return eddy.Errorf("NoSuchEntity", "The Access Key with id %s cannot be found.", keyID)
	}
	if u.fromFile {
		return errUnmodifiable("user", u.name)
	}
	old := u.keys
	u.keys = slices.Delete(slices.Clone(u.keys), i, i+1)
	if err := d.saveUser(a, u.name, u); err != nil {
		u.keys = old
		return err
	}
	delete(d.keys, keyID)
	return nil
}

// PutUserPolicy sets an inline policy of a user.
func (d *Directory) PutUserPolicy(c *Caller, name, policyName, document string) error {
	if err := checkName(policyName, "policyName"); err != nil {
		return err
	}
	p, perr := policy.Parse(document, policy.Identity)
	if perr != nil {
		return eddy.Errorf("MalformedPolicyDocument", "%s", perr.Error())
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	a, u, err := d.userOf(c, name)
	if err != nil {
		return err
	}
	if u.fromFile {
		return errUnmodifiable("user", u.name)
	}
	prev, prevText, had := u.inline[policyName], u.inlineText[policyName], u.inline[policyName] != nil
	u.inline[policyName], u.inlineText[policyName] = p, document
	if err := d.saveUser(a, u.name, u); err != nil {
		if had {
			u.inline[policyName], u.inlineText[policyName] = prev, prevText
		} else {
			delete(u.inline, policyName)
			delete(u.inlineText, policyName)
		}
		return err
	}
	d.refreshLocked(a, u)
	return nil
}

// GetUserPolicy returns a user's inline policy document.
func (d *Directory) GetUserPolicy(c *Caller, name, policyName string) (string, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	_, u, err := d.userOf(c, name)
	if err != nil {
		return "", err
	}
	text, ok := u.inlineText[policyName]
	if !ok {
		return "", eddy.Errorf("NoSuchEntity", "The user policy with name %s cannot be found.", policyName)
	}
	return text, nil
}

// ListUserPolicies lists a user's inline policy names.
func (d *Directory) ListUserPolicies(c *Caller, name string) ([]string, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	_, u, err := d.userOf(c, name)
	if err != nil {
		return nil, err
	}
	return slices.Sorted(maps.Keys(u.inline)), nil
}

// DeleteUserPolicy removes a user's inline policy.
func (d *Directory) DeleteUserPolicy(c *Caller, name, policyName string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	a, u, err := d.userOf(c, name)
	if err != nil {
		return err
	}
	if u.inline[policyName] == nil {
		return eddy.Errorf("NoSuchEntity", "The user policy with name %s cannot be found.", policyName)
	}
	if u.fromFile {
		return errUnmodifiable("user", u.name)
	}
	p, text := u.inline[policyName], u.inlineText[policyName]
	delete(u.inline, policyName)
	delete(u.inlineText, policyName)
	if err := d.saveUser(a, u.name, u); err != nil {
		u.inline[policyName], u.inlineText[policyName] = p, text
		return err
	}
	d.refreshLocked(a, u)
	return nil
}

// CreatePolicy makes a customer managed policy in the caller's account.
func (d *Directory) CreatePolicy(c *Caller, name, path, document, description string, now time.Time) (*ManagedPolicy, error) {
	if err := checkName(name, "policyName"); err != nil {
		return nil, err
	}
	pth, perr := checkPath(path)
	if perr != nil {
		return nil, validationError(path, "path", "satisfy regular expression pattern: ((/[A-Za-z0-9\\.,\\+@=_-]+)*)/")
	}
	doc, perr := policy.Parse(document, policy.Identity)
	if perr != nil {
		return nil, eddy.Errorf("MalformedPolicyDocument", "%s", perr.Error())
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	a := d.account(c.Account)
	for _, m := range a.policies {
		if m.name == name {
			return nil, eddy.Errorf("EntityAlreadyExists", "A policy called %s already exists. Duplicate names are not allowed.", name)
		}
	}
	m := &managed{name: name, path: pth, id: uniqueID("ANPA"), text: document, description: description, doc: doc,
		created: now.UTC().Truncate(time.Second)}
	arn := "arn:aws:iam::" + a.id + ":policy" + pth + name
	if d.meta != nil {
		b, err := json.Marshal(storedPolicy{Path: pth, ID: m.id, Document: document, Description: description, Created: m.created})
		if err != nil {
			return nil, err
		}
		if err := d.meta.Update(func(tx storage.MetaTx) error { return tx.Put(tableEntities, a.id+"/policy/"+name, b) }); err != nil {
			return nil, err
		}
	}
	a.policies[arn] = m
	return a.policyShape(arn, m), nil
}

func (a *account) policyShape(arn string, m *managed) *ManagedPolicy {
	n := 0
	for _, u := range a.users {
		if slices.Contains(u.attached, arn) {
			n++
		}
	}
	for _, r := range a.roles {
		if slices.Contains(r.attached, arn) {
			n++
		}
	}
	return &ManagedPolicy{PolicyName: m.name, PolicyID: m.id, Arn: arn, Path: m.path, DefaultVersion: "v1",
		AttachmentCount: n, IsAttachable: true, Description: m.description,
		CreateDate: iamTime(m.created), UpdateDate: iamTime(m.created)}
}

// AttachUserPolicy attaches a managed policy of the caller's account to a
// user.
func (d *Directory) AttachUserPolicy(c *Caller, name, policyARN string) error {
	return d.attach(c, name, policyARN, true)
}

// DetachUserPolicy detaches a managed policy from a user.
func (d *Directory) DetachUserPolicy(c *Caller, name, policyARN string) error {
	return d.attach(c, name, policyARN, false)
}

func (d *Directory) attach(c *Caller, name, policyARN string, on bool) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	a, u, err := d.userOf(c, name)
	if err != nil {
		return err
	}
	if a.policies[policyARN] == nil {
		return eddy.Errorf("NoSuchEntity", "Policy %s does not exist or is not attachable.", policyARN)
	}
	if u.fromFile {
		return errUnmodifiable("user", u.name)
	}
	i := slices.Index(u.attached, policyARN)
	old := u.attached
	switch {
	case on && i >= 0, !on && i < 0:
		if !on {
			return eddy.Errorf("NoSuchEntity", "Policy %s was not found.", policyARN)
		}
		return nil // attaching twice changes nothing, as in IAM
	case on:
		u.attached = append(slices.Clone(u.attached), policyARN)
	default:
		u.attached = slices.Delete(slices.Clone(u.attached), i, i+1)
	}
	if err := d.saveUser(a, u.name, u); err != nil {
		u.attached = old
		return err
	}
	d.refreshLocked(a, u)
	return nil
}

// ListAttachedUserPolicies lists the managed policies attached to a user
// as (name, ARN) pairs.
func (d *Directory) ListAttachedUserPolicies(c *Caller, name string) ([][2]string, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	a, u, err := d.userOf(c, name)
	if err != nil {
		return nil, err
	}
	var out [][2]string
	for _, arn := range u.attached {
		out = append(out, [2]string{a.policies[arn].name, arn})
	}
	return out, nil
}
