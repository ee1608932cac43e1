package iam

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/iam/policy"
	"github.com/eddy-streams/eddy/storage"
)

// Roles through the IAM API: CreateRole, GetRole, ListRoles, DeleteRole,
// UpdateAssumeRolePolicy, Put/Get/List/DeleteRolePolicy and
// Attach/Detach/ListAttachedRolePolicies, kept in "iam/entities" under
// "<account>/role/<name>". A role's sessions (AssumeRole's, a function's)
// see its policies as they are now: a change applies to sessions already
// issued, as in IAM.

type storedRole struct {
	Path        string            `json:"path"`
	ID          string            `json:"id"`
	Created     time.Time         `json:"created"`
	Trust       string            `json:"trust"`
	Description string            `json:"description,omitempty"`
	MaxSession  int               `json:"maxSession"`
	Inline      map[string]string `json:"inline,omitempty"`
	Attached    []string          `json:"attached,omitempty"`
}

// Role is IAM's Role shape. The trust policy is URL-encoded, as IAM
// returns it.
type Role struct {
	Path                     string `xml:"Path"`
	RoleName                 string `xml:"RoleName"`
	RoleID                   string `xml:"RoleId"`
	Arn                      string `xml:"Arn"`
	CreateDate               string `xml:"CreateDate"`
	AssumeRolePolicyDocument string `xml:"AssumeRolePolicyDocument"`
	Description              string `xml:"Description,omitempty"`
	MaxSessionDuration       int    `xml:"MaxSessionDuration"`
}

func errNoRole(name string) *eddy.Error {
	return eddy.Errorf("NoSuchEntity", "The role with name %s cannot be found.", name)
}

func (a *account) roleShape(r *role, encode func(string) string) *Role {
	return &Role{Path: r.path, RoleName: r.name, RoleID: r.id, Arn: a.roleARN(r), CreateDate: iamTime(r.created),
		AssumeRolePolicyDocument: encode(r.trustText), Description: r.description, MaxSessionDuration: int(r.maxSession / time.Second)}
}

// loadRole adds a stored role (UseStore).
func (d *Directory) loadRole(acct, name string, rec storedRole) error {
	a := d.account(acct)
	if a.roles[name] != nil {
		return &policy.ValidationError{Message: "iam: role " + name + " of account " + acct + " is both in the identities file and made by the IAM API"}
	}
	trust, err := policy.Parse(rec.Trust, policy.Trust)
	if err != nil {
		return err
	}
	r := &role{name: name, path: rec.Path, id: rec.ID, created: rec.Created, trust: trust, trustText: rec.Trust,
		description: rec.Description, maxSession: time.Duration(rec.MaxSession) * time.Second,
		inline: map[string]*policy.Policy{}, inlineText: map[string]string{}, attached: rec.Attached}
	for n, text := range rec.Inline {
		p, err := policy.Parse(text, policy.Identity)
		if err != nil {
			return err
		}
		r.inline[n], r.inlineText[n] = p, text
	}
	if err := a.checkAttached(r.attached); err != nil {
		return err
	}
	a.roles[name] = r
	return nil
}

// saveRole writes a role's record, or deletes it when r is nil.
func (d *Directory) saveRole(a *account, name string, r *role) error {
	if d.meta == nil {
		return nil
	}
	key := a.id + "/role/" + name
	return d.meta.Update(func(tx storage.MetaTx) error {
		if r == nil {
			return tx.Delete(tableEntities, key)
		}
		b, err := json.Marshal(storedRole{Path: r.path, ID: r.id, Created: r.created, Trust: r.trustText,
			Description: r.description, MaxSession: int(r.maxSession / time.Second), Inline: r.inlineText, Attached: r.attached})
		if err != nil {
			return err
		}
		return tx.Put(tableEntities, key, b)
	})
}

// refreshRoleLocked gives r's sessions callers with r's policies as they
// are now.
func (d *Directory) refreshRoleLocked(a *account, r *role) {
	arn := a.roleARN(r)
	for _, k := range d.keys {
		if k.token != "" && k.caller.PrincipalARN == arn {
			name := k.caller.ARN[strings.LastIndexByte(k.caller.ARN, '/')+1:]
			c := a.sessionCaller(r, name)
			c.session = k.caller.session
			k.caller = c
		}
	}
}

// roleOf returns the caller's account's role name.
func (d *Directory) roleOf(c *Caller, name string) (*account, *role, *eddy.Error) {
	a := d.accounts[c.Account]
	if a == nil || a.roles[name] == nil {
		return nil, nil, errNoRole(name)
	}
	return a, a.roles[name], nil
}

// CreateRole makes a role in the caller's account. maxSession 0 is IAM's
// default, an hour.
func (d *Directory) CreateRole(c *Caller, name, path, trust, description string, maxSession int, now time.Time, encode func(string) string) (*Role, error) {
	if err := checkName(name, "roleName"); err != nil {
		return nil, err
	}
	p, perr := checkPath(path)
	if perr != nil {
		return nil, validationError(path, "path", "satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)")
	}
	if maxSession == 0 {
		maxSession = 3600
	}
	if maxSession < 3600 || maxSession > 43200 {
		return nil, eddy.Errorf("ValidationError", "The requested MaxSessionDuration (%d) is not within the allowed range of 3600 to 43200 seconds.", maxSession)
	}
	doc, err := policy.Parse(trust, policy.Trust)
	if err != nil {
		return nil, eddy.Errorf("MalformedPolicyDocument", "%s", err.Error())
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	a := d.account(c.Account)
	for existing := range a.roles {
		if strings.EqualFold(existing, name) {
			return nil, eddy.Errorf("EntityAlreadyExists", "Role with name %s already exists.", name)
		}
	}
	r := &role{name: name, path: p, id: uniqueID("AROA"), created: now.UTC().Truncate(time.Second), trust: doc, trustText: trust,
		description: description, maxSession: time.Duration(maxSession) * time.Second,
		inline: map[string]*policy.Policy{}, inlineText: map[string]string{}}
	if err := d.saveRole(a, name, r); err != nil {
		return nil, err
	}
	a.roles[name] = r
	return a.roleShape(r, encode), nil
}

// GetRole returns a role of the caller's account.
func (d *Directory) GetRole(c *Caller, name string, encode func(string) string) (*Role, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	a, r, err := d.roleOf(c, name)
	if err != nil {
		return nil, err
	}
	return a.roleShape(r, encode), nil
}

// ListRoles lists the caller's account's roles whose path starts with
// prefix, by name.
func (d *Directory) ListRoles(c *Caller, prefix string, encode func(string) string) []Role {
	d.mu.RLock()
	defer d.mu.RUnlock()
	a := d.accounts[c.Account]
	out := []Role{}
	if a == nil {
		return out
	}
	for _, name := range slices.Sorted(maps.Keys(a.roles)) {
		if r := a.roles[name]; strings.HasPrefix(r.path, prefix) {
			out = append(out, *a.roleShape(r, encode))
		}
	}
	return out
}

// DeleteRole deletes a role without policies, as IAM requires. Its
// sessions end with it.
func (d *Directory) DeleteRole(c *Caller, name string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	a, r, err := d.roleOf(c, name)
	if err != nil {
		return err
	}
	switch {
	case r.fromFile:
		return errUnmodifiable("role", name)
	case len(r.inline) > 0:
		return eddy.Errorf("DeleteConflict", "Cannot delete entity, must delete policies first.")
	case len(r.attached) > 0:
		return eddy.Errorf("DeleteConflict", "Cannot delete entity, must detach all policies first.")
	}
	if err := d.saveRole(a, name, nil); err != nil {
		return err
	}
	arn := a.roleARN(r)
	for id, k := range d.keys {
		if k.token != "" && k.caller.PrincipalARN == arn {
			delete(d.keys, id)
		}
	}
	delete(a.roles, name)
	return nil
}

// UpdateAssumeRolePolicy replaces a role's trust policy.
func (d *Directory) UpdateAssumeRolePolicy(c *Caller, name, trust string) error {
	doc, perr := policy.Parse(trust, policy.Trust)
	if perr != nil {
		return eddy.Errorf("MalformedPolicyDocument", "%s", perr.Error())
	}
	return d.changeRole(c, name, func(r *role) { r.trust, r.trustText = doc, trust })
}

// changeRole applies change to a copy of a role of the API, saves it and
// puts it in place.
func (d *Directory) changeRole(c *Caller, name string, change func(*role)) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	a, r, err := d.roleOf(c, name)
	if err != nil {
		return err
	}
	if r.fromFile {
		return errUnmodifiable("role", name)
	}
	next := *r
	next.inline, next.inlineText, next.attached = maps.Clone(r.inline), maps.Clone(r.inlineText), slices.Clone(r.attached)
	change(&next)
	if err := d.saveRole(a, name, &next); err != nil {
		return err
	}
	*r = next
	d.refreshRoleLocked(a, r)
	return nil
}

// PutRolePolicy sets an inline policy of a role.
func (d *Directory) PutRolePolicy(c *Caller, name, policyName, document string) error {
	if err := checkName(policyName, "policyName"); err != nil {
		return err
	}
	p, perr := policy.Parse(document, policy.Identity)
	if perr != nil {
		return eddy.Errorf("MalformedPolicyDocument", "%s", perr.Error())
	}
	return d.changeRole(c, name, func(r *role) { r.inline[policyName], r.inlineText[policyName] = p, document })
}

// GetRolePolicy returns a role's inline policy document.
func (d *Directory) GetRolePolicy(c *Caller, name, policyName string) (string, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	_, r, err := d.roleOf(c, name)
	if err != nil {
		return "", err
	}
	text, ok := r.inlineText[policyName]
	if !ok {
		return "", eddy.Errorf("NoSuchEntity", "The role policy with name %s cannot be found.", policyName)
	}
	return text, nil
}

// ListRolePolicies lists a role's inline policy names.
func (d *Directory) ListRolePolicies(c *Caller, name string) ([]string, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	_, r, err := d.roleOf(c, name)
	if err != nil {
		return nil, err
	}
	return slices.Sorted(maps.Keys(r.inline)), nil
}

// DeleteRolePolicy removes a role's inline policy.
func (d *Directory) DeleteRolePolicy(c *Caller, name, policyName string) error {
	d.mu.RLock()
	_, r, err := d.roleOf(c, name)
	missing := err == nil && r.inline[policyName] == nil
	d.mu.RUnlock()
	if err != nil {
		return err
	}
	if missing {
		return eddy.Errorf("NoSuchEntity", "The role policy with name %s cannot be found.", policyName)
	}
	return d.changeRole(c, name, func(r *role) { delete(r.inline, policyName); delete(r.inlineText, policyName) })
}

// AttachRolePolicy attaches a managed policy of the caller's account to a
// role; DetachRolePolicy detaches it.
func (d *Directory) AttachRolePolicy(c *Caller, name, policyARN string) error {
	return d.attachRole(c, name, policyARN, true)
}

// DetachRolePolicy detaches a managed policy from a role.
func (d *Directory) DetachRolePolicy(c *Caller, name, policyARN string) error {
	return d.attachRole(c, name, policyARN, false)
}

func (d *Directory) attachRole(c *Caller, name, policyARN string, on bool) error {
	d.mu.RLock()
	a, r, err := d.roleOf(c, name)
	var exists, attached bool
	if err == nil {
		exists, attached = a.policies[policyARN] != nil, slices.Contains(r.attached, policyARN)
	}
	d.mu.RUnlock()
	switch {
	case err != nil:
		return err
	case !exists:
		return eddy.Errorf("NoSuchEntity", "Policy %s does not exist or is not attachable.", policyARN)
	case on && attached:
		return nil
	case !on && !attached:
		return eddy.Errorf("NoSuchEntity", "Policy %s was not found.", policyARN)
	}
	return d.changeRole(c, name, func(r *role) {
		if on {
			r.attached = append(r.attached, policyARN)
		} else {
			r.attached = slices.DeleteFunc(r.attached, func(s string) bool { return s == policyARN })
		}
	})
}

// ListAttachedRolePolicies lists the managed policies attached to a role
// as (name, ARN) pairs.
func (d *Directory) ListAttachedRolePolicies(c *Caller, name string) ([][2]string, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	a, r, err := d.roleOf(c, name)
	if err != nil {
		return nil, err
	}
	var out [][2]string
	for _, arn := range r.attached {
		out = append(out, [2]string{a.policies[arn].name, arn})
	}
	return out, nil
}
