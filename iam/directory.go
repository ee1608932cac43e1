// Package iam holds Eddy's identities (accounts, users, roles, access keys
// and temporary credentials) and authorizes calls with IAM's evaluation
// logic (package iam/policy). Every Eddy service asks the same Directory:
// the transport looks up the caller of a request's access key and, before
// the operation runs, asks Authorize whether the caller may perform the
// operation's action on the resources it names.
//
// Identities come from a file (LoadFile; the format is docs/SECURITY.md's)
// and from STS's AssumeRole, which issues temporary credentials with a
// session token.
package iam

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/iam/policy"
	"github.com/eddy-streams/eddy/storage"
)

// Caller is who signed a request.
type Caller struct {
	// ARN is the caller's ARN: arn:aws:iam::<account>:root,
	// arn:aws:iam::<account>:user<path><name>, or an assumed role's
	// session, arn:aws:sts::<account>:assumed-role/<role>/<session>.
	ARN string
	// Account is the caller's account id.
	Account string
	// UserID is what GetCallerIdentity returns as UserId: the account id
	// for the root, the user's id, or "<role id>:<session name>".
	UserID string
	// Type is aws:PrincipalType: "Account", "User" or "AssumedRole".
	Type string
	// PrincipalARN is aws:PrincipalArn: the ARN, or an assumed role's
	// role ARN.
	PrincipalARN string
	// UserName is aws:username (users only).
	UserName string

	policies []*policy.Policy
	session  []*policy.Policy // an assumed role's session policies (AssumeRole's Policy)
	root     bool
}

// credential is an access key, long-term or temporary.
type credential struct {
	created time.Time // when the IAM API made it; zero for the file's
	secret  string
	token   string    // temporary credentials' session token, else ""
	expires time.Time // temporary credentials' expiry
	caller  *Caller
}

// Directory is the set of identities a server knows. It is safe for
// concurrent use.
type Directory struct {
	mu       sync.RWMutex
	accounts map[string]*account
	keys     map[string]*credential
	meta     storage.MetaStore // where the IAM API's entities are kept; nil: memory
	// shared: other nodes write meta too (UseStore); stopWatch stops
	// following them.
	shared    bool
	stopWatch func()
	log       *slog.Logger

	cacheMu  sync.Mutex
	resource map[string]*policy.Policy // parsed resource policies by text
}

// account is one account's identities.
type account struct {
	id       string
	users    map[string]*user
	roles    map[string]*role
	policies map[string]*managed // managed policies by ARN
}

type user struct {
	name, path, id string
	inline         map[string]*policy.Policy
	inlineText     map[string]string // the inline policies' documents, for the IAM API
	attached       []string          // managed policy ARNs
	keys           []string          // access key ids
	created        time.Time
	fromFile       bool // defined in the identities file: the IAM API may not change it
}

// managed is a customer managed policy.
type managed struct {
	name, path, id, text, description string
	doc                               *policy.Policy
	created                           time.Time
	fromFile                          bool
}

type role struct {
	name, path, id string
	trust          *policy.Policy
	trustText      string
	inline         map[string]*policy.Policy
	inlineText     map[string]string
	attached       []string
	maxSession     time.Duration
	description    string
	created        time.Time
	fromFile       bool
}

// File is the identities file (docs/SECURITY.md#identities). Its member
// names follow IAM's API (UserName, AccessKeyId, PolicyDocument, ...).
type File struct {
	Accounts []FileAccount `json:"Accounts"`
}

// FileAccount is one account of the identities file.
type FileAccount struct {
	ID string `json:"Id"`
	// RootAccessKeys sign as the account's root, which may do anything
	// to the account's own resources.
	RootAccessKeys []FileKey     `json:"RootAccessKeys"`
	Users          []FileUser    `json:"Users"`
	Roles          []FileRole    `json:"Roles"`
	Policies       []FileManaged `json:"Policies"`
}

// FileKey is an access key.
type FileKey struct {
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string `json:"SecretAccessKey"`
}

// FileUser is an IAM user.
type FileUser struct {
	UserName         string                     `json:"UserName"`
	Path             string                     `json:"Path"`
	AccessKeys       []FileKey                  `json:"AccessKeys"`
	Policies         map[string]json.RawMessage `json:"Policies"`
	AttachedPolicies []string                   `json:"AttachedPolicies"`
}

// FileRole is an IAM role, assumed through STS's AssumeRole.
type FileRole struct {
	RoleName                 string                     `json:"RoleName"`
	Path                     string                     `json:"Path"`
	AssumeRolePolicyDocument json.RawMessage            `json:"AssumeRolePolicyDocument"`
	Policies                 map[string]json.RawMessage `json:"Policies"`
	AttachedPolicies         []string                   `json:"AttachedPolicies"`
	MaxSessionDuration       int                        `json:"MaxSessionDuration"`
}

// FileManaged is a customer managed policy.
type FileManaged struct {
	PolicyName     string          `json:"PolicyName"`
	Path           string          `json:"Path"`
	PolicyDocument json.RawMessage `json:"PolicyDocument"`
}

// LoadFile reads and validates an identities file.
func LoadFile(path string) (*Directory, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	d, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return d, nil
}

var (
	accountIDPattern = regexp.MustCompile(`^[0-9]{12}$`)
	// IAM's user and role names: [\w+=,.@-]+, 1-64 characters (IAM API
	// Reference, CreateUser UserName and CreateRole RoleName; roles allow
	// 64 too).
	namePattern = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	// IAM's access key ids: 16-128 word characters (CreateAccessKey's
	// AccessKeyId).
	keyIDPattern = regexp.MustCompile(`^\w{16,128}$`)
	// IAM's paths: "/" or /.../ of printable ASCII.
	pathPattern = regexp.MustCompile(`^/([\x21-\x7E]*/)?$`)
)

// Parse reads an identities file's contents. Unknown members are errors,
// so a misspelt key does not silently grant or withhold anything.
func Parse(data []byte) (*Directory, error) {
	var f File
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("identities: %v", err)
	}
	d := NewDirectory()
	for i := range f.Accounts {
		if err := d.addAccount(&f.Accounts[i]); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// NewDirectory returns an empty directory.
func NewDirectory() *Directory {
	return &Directory{accounts: map[string]*account{}, keys: map[string]*credential{}, resource: map[string]*policy.Policy{}}
}

// AddRootKey lets keyID/secret sign as the root of account (eddy serve's
// --access-key-id, when an identities file is given too).
func (d *Directory) AddRootKey(accountID, keyID, secret string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	a := d.account(accountID)
	return d.addKey(FileKey{AccessKeyID: keyID, SecretAccessKey: secret}, a.rootCaller())
}

func (d *Directory) account(id string) *account {
	a := d.accounts[id]
	if a == nil {
		a = &account{id: id, users: map[string]*user{}, roles: map[string]*role{}, policies: map[string]*managed{}}
		d.accounts[id] = a
	}
	return a
}

func (a *account) rootCaller() *Caller {
	arn := "arn:aws:iam::" + a.id + ":root"
	return &Caller{ARN: arn, Account: a.id, UserID: a.id, Type: "Account", PrincipalARN: arn, root: true}
}

func (d *Directory) addKey(k FileKey, c *Caller) error {
	if !keyIDPattern.MatchString(k.AccessKeyID) {
		return fmt.Errorf("identities: access key id %q of %s: 16 to 128 letters, digits or underscores", k.AccessKeyID, c.ARN)
	}
	if k.SecretAccessKey == "" {
		return fmt.Errorf("identities: access key %s of %s has no SecretAccessKey", k.AccessKeyID, c.ARN)
	}
	if _, dup := d.keys[k.AccessKeyID]; dup {
		return fmt.Errorf("identities: access key %s is given twice", k.AccessKeyID)
	}
	d.keys[k.AccessKeyID] = &credential{secret: k.SecretAccessKey, caller: c}
	return nil
}

func (d *Directory) addAccount(fa *FileAccount) error {
	if !accountIDPattern.MatchString(fa.ID) {
		return fmt.Errorf("identities: account Id %q: 12 digits", fa.ID)
	}
	if _, dup := d.accounts[fa.ID]; dup {
		return fmt.Errorf("identities: account %s is given twice", fa.ID)
	}
	a := d.account(fa.ID)
	for _, k := range fa.RootAccessKeys {
		if err := d.addKey(k, a.rootCaller()); err != nil {
			return err
		}
	}
	for _, m := range fa.Policies {
		if !namePattern.MatchString(m.PolicyName) {
			return fmt.Errorf("identities: account %s: PolicyName %q: 1 to 64 of letters, digits and +=,.@_-", a.id, m.PolicyName)
		}
		p, err := parseDoc(m.PolicyDocument, policy.Identity)
		if err != nil {
			return fmt.Errorf("identities: account %s: policy %s: %w", a.id, m.PolicyName, err)
		}
		path, err := checkPath(m.Path)
		if err != nil {
			return fmt.Errorf("identities: account %s: policy %s: %w", a.id, m.PolicyName, err)
		}
		a.policies["arn:aws:iam::"+a.id+":policy"+path+m.PolicyName] = &managed{name: m.PolicyName, path: path,
			id: stableID("ANPA", a.id, "policy", m.PolicyName), text: docText(m.PolicyDocument), doc: p, fromFile: true}
	}
	for _, fu := range fa.Users {
		if !namePattern.MatchString(fu.UserName) {
			return fmt.Errorf("identities: account %s: UserName %q: 1 to 64 of letters, digits and +=,.@_-", a.id, fu.UserName)
		}
		if a.users[fu.UserName] != nil {
			return fmt.Errorf("identities: account %s: user %s is given twice", a.id, fu.UserName)
		}
		path, err := checkPath(fu.Path)
		if err != nil {
			return fmt.Errorf("identities: user %s: %w", fu.UserName, err)
		}
		u := &user{name: fu.UserName, path: path, id: stableID("AIDA", a.id, "user", fu.UserName), attached: fu.AttachedPolicies, fromFile: true}
		if u.inline, u.inlineText, err = parseInline(fu.Policies); err != nil {
			return fmt.Errorf("identities: user %s: %w", fu.UserName, err)
		}
		if err := a.checkAttached(fu.AttachedPolicies); err != nil {
			return fmt.Errorf("identities: user %s: %w", fu.UserName, err)
		}
		a.users[u.name] = u
		c := a.userCaller(u)
		for _, k := range fu.AccessKeys {
			if err := d.addKey(k, c); err != nil {
				return err
			}
			u.keys = append(u.keys, k.AccessKeyID)
		}
	}
	for _, fr := range fa.Roles {
		if !namePattern.MatchString(fr.RoleName) {
			return fmt.Errorf("identities: account %s: RoleName %q: 1 to 64 of letters, digits and +=,.@_-", a.id, fr.RoleName)
		}
		if a.roles[fr.RoleName] != nil {
			return fmt.Errorf("identities: account %s: role %s is given twice", a.id, fr.RoleName)
		}
		path, err := checkPath(fr.Path)
		if err != nil {
			return fmt.Errorf("identities: role %s: %w", fr.RoleName, err)
		}
		r := &role{name: fr.RoleName, path: path, id: stableID("AROA", a.id, "role", fr.RoleName), attached: fr.AttachedPolicies,
			maxSession: time.Hour, trustText: docText(fr.AssumeRolePolicyDocument), fromFile: true}
		if fr.MaxSessionDuration != 0 {
			// IAM's CreateRole: 3600 to 43200 seconds.
			if fr.MaxSessionDuration < 3600 || fr.MaxSessionDuration > 43200 {
				return fmt.Errorf("identities: role %s: MaxSessionDuration %d: 3600 to 43200 seconds", fr.RoleName, fr.MaxSessionDuration)
			}
			r.maxSession = time.Duration(fr.MaxSessionDuration) * time.Second
		}
		if len(fr.AssumeRolePolicyDocument) == 0 {
			return fmt.Errorf("identities: role %s has no AssumeRolePolicyDocument", fr.RoleName)
		}
		if r.trust, err = parseDoc(fr.AssumeRolePolicyDocument, policy.Trust); err != nil {
			return fmt.Errorf("identities: role %s: AssumeRolePolicyDocument: %w", fr.RoleName, err)
		}
		if r.inline, r.inlineText, err = parseInline(fr.Policies); err != nil {
			return fmt.Errorf("identities: role %s: %w", fr.RoleName, err)
		}
		if err := a.checkAttached(fr.AttachedPolicies); err != nil {
			return fmt.Errorf("identities: role %s: %w", fr.RoleName, err)
		}
		a.roles[r.name] = r
	}
	return nil
}

// checkPath returns an IAM path, "/" when empty.
func checkPath(p string) (string, error) {
	if p == "" {
		return "/", nil
	}
	if !pathPattern.MatchString(p) || len(p) > 512 {
		return "", fmt.Errorf("Path %q: \"/\", or printable characters between slashes", p)
	}
	return p, nil
}

func (a *account) checkAttached(arns []string) error {
	for _, arn := range arns {
		if a.policies[arn] == nil {
			return fmt.Errorf("attached policy %s is not among account %s's Policies", arn, a.id)
		}
	}
	return nil
}

// sessionCaller is the caller a session of role r signs as.
func (a *account) sessionCaller(r *role, sessionName string) *Caller {
	return &Caller{
		ARN:          "arn:aws:sts::" + a.id + ":assumed-role/" + r.name + "/" + sessionName,
		Account:      a.id,
		UserID:       r.id + ":" + sessionName,
		Type:         "AssumedRole",
		PrincipalARN: a.roleARN(r),
		policies:     a.policiesOf(r.inline, r.attached),
	}
}

func (a *account) roleARN(r *role) string { return "arn:aws:iam::" + a.id + ":role" + r.path + r.name }

// userCaller is the caller u's access keys sign as.
func (a *account) userCaller(u *user) *Caller {
	arn := a.userARN(u)
	return &Caller{ARN: arn, Account: a.id, UserID: u.id, Type: "User", PrincipalARN: arn, UserName: u.name,
		policies: a.policiesOf(u.inline, u.attached)}
}

func (a *account) userARN(u *user) string { return "arn:aws:iam::" + a.id + ":user" + u.path + u.name }

func (a *account) policiesOf(inline map[string]*policy.Policy, attached []string) []*policy.Policy {
	var ps []*policy.Policy
	for _, n := range slices.Sorted(maps.Keys(inline)) {
		ps = append(ps, inline[n])
	}
	for _, arn := range attached {
		ps = append(ps, a.policies[arn].doc)
	}
	return ps
}

func parseInline(docs map[string]json.RawMessage) (map[string]*policy.Policy, map[string]string, error) {
	out, texts := map[string]*policy.Policy{}, map[string]string{}
	for name, doc := range docs {
		if !namePattern.MatchString(name) {
			return nil, nil, fmt.Errorf("policy name %q: 1 to 64 of letters, digits and +=,.@_-", name)
		}
		p, err := parseDoc(doc, policy.Identity)
		if err != nil {
			return nil, nil, fmt.Errorf("policy %s: %w", name, err)
		}
		out[name], texts[name] = p, docText(doc)
	}
	return out, texts, nil
}

// docText is a policy document's text: the string, or the object's JSON.
func docText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

// stableID is an IAM-style unique id that stays the same across restarts
// for an entity of the identities file: the prefix and 17 base32
// characters of a hash of its account, kind and name.
func stableID(prefix, account, kind, name string) string {
	sum := sha256.Sum256([]byte(account + "/" + kind + "/" + name))
	return prefix + ids.EncodeToString(sum[:11])[:17]
}

// parseDoc parses a policy document given as a JSON object or as a
// string holding one (as IAM's API takes it).
func parseDoc(raw json.RawMessage, kind policy.Kind) (*policy.Policy, error) {
	text := string(raw)
	var s string
	if json.Unmarshal(raw, &s) == nil {
		text = s
	}
	return policy.Parse(text, kind)
}

// ids encodes the random part of IAM-style ids: base32, upper case.
var ids = base32.StdEncoding.WithPadding(base32.NoPadding)

// uniqueID returns an IAM-style unique id: a prefix and 17 base32
// characters (AIDA... for users, AROA... for roles, ASIA... for temporary
// keys).
func uniqueID(prefix string) string {
	b := make([]byte, 11)
	rand.Read(b)
	return prefix + ids.EncodeToString(b)[:17]
}

// invalidToken is the front end's answer to an unknown access key or a
// session token that does not belong to it (kinesalite's recorded
// UnrecognizedClientException text).
func invalidToken() *eddy.Error {
	return eddy.Errorf(eddy.CodeUnrecognizedClient, "The security token included in the request is invalid.")
}

// Credential returns the secret of keyID and the caller it identifies.
// Temporary credentials need their session token and must not have
// expired (ExpiredTokenException, STS's text).
func (d *Directory) Credential(keyID, sessionToken string, now time.Time) (string, *Caller, *eddy.Error) {
	d.mu.RLock()
	var c credential
	k := d.keys[keyID]
	if k != nil {
		c = *k // the IAM API replaces a key's caller under the lock
	}
	shared := d.shared
	d.mu.RUnlock()
	switch {
	case k == nil && shared && sessionToken == "":
		// Made through another node, whose notice has not come yet? (A
		// key no one made costs a look, not a reload.)
		if d.storedKey(keyID) && d.reload() == nil {
			d.mu.RLock()
			if k = d.keys[keyID]; k != nil {
				c = *k
			}
			d.mu.RUnlock()
		}
	case k == nil && shared:
		// Temporary credentials another node issued (sessions.go)?
		if sk, err := d.sharedSession(keyID); err == nil && sk != nil {
			k, c = sk, *sk
		}
	}
	if k == nil || c.token != sessionToken && c.token != "" {
		return "", nil, invalidToken()
	}
	if c.token != "" && !now.Before(c.expires) {
		return "", nil, eddy.Errorf(eddy.CodeExpiredToken, "The security token included in the request is expired")
	}
	return c.secret, c.caller, nil
}

// Credentials are temporary credentials (STS's Credentials shape).
type Credentials struct {
	AccessKeyID, SecretAccessKey, SessionToken string
	Expiration                                 time.Time
}

// AssumeRole issues temporary credentials for roleARN to caller, if the
// role's trust policy allows caller sts:AssumeRole and caller's own
// policies do (IAM's rules for a role of another account). It returns the
// credentials and the session's caller (its ARN and UserID are
// AssumedRoleUser's). Errors are STS's: AccessDenied with IAM's message,
// ValidationError for a duration beyond the role's maximum.
//
// sessionPolicy, if not empty, is a session policy (AssumeRole's Policy):
// the session may do only what both the role's policies and it allow.
func (d *Directory) AssumeRole(caller *Caller, roleARN, sessionName, externalID, sessionPolicy string, duration time.Duration, call Call) (*Credentials, *Caller, *eddy.Error) {
	var session []*policy.Policy
	if sessionPolicy != "" {
		p, err := policy.Parse(sessionPolicy, policy.Identity)
		if err != nil {
			// STS's code for a bad session policy.
			return nil, nil, eddy.Errorf("MalformedPolicyDocument", "%s", err.Error())
		}
		session = []*policy.Policy{p}
	}
	acct, name, ok := parseRoleARN(roleARN)
	d.mu.RLock()
	var r *role
	var trust *policy.Policy
	var maxSession time.Duration
	if ok && d.accounts[acct] != nil {
		if r = d.accounts[acct].roles[name]; r != nil {
			trust, maxSession = r.trust, r.maxSession // the IAM API changes them under the lock
		}
	}
	d.mu.RUnlock()
	call.Action = "sts:AssumeRole"
	if caller.root {
		// STS refuses the root user (AssumeRole API reference: "You
		// cannot use AWS account root user credentials to call
		// AssumeRole"); the message is STS's.
		return nil, nil, eddy.Errorf(eddy.CodeAccessDenied, "Roles may not be assumed by root accounts.")
	}
	if r == nil {
		// STS answers a missing role as it answers a refused one.
		return nil, nil, deniedOn(caller, call.Action, roleARN, policy.ImplicitDenyResource)
	}
	if duration == 0 {
		duration = time.Hour
	}
	if duration > maxSession {
		// STS's text (AssumeRole API reference, DurationSeconds).
		return nil, nil, eddy.Errorf("ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	// The role's trust policy must allow the caller, even in the role's
	// own account; across accounts the caller's identity policies must
	// allow sts:AssumeRole too (IAM User Guide, "Cross account resource
	// access in IAM"). In its own account Eddy takes the trust policy's
	// Allow as enough, also when it names the account rather than the
	// caller (where IAM would also want an identity policy's Allow).
	req := d.request(caller, call, roleARN, acct, nil)
	if externalID != "" {
		req.Context["sts:externalid"] = []string{externalID}
	}
	trustAllows, trustDenies := trustMatch(trust, req)
	switch {
	case trustDenies:
		return nil, nil, deniedOn(caller, call.Action, roleARN, policy.ExplicitDenyResource)
	case !trustAllows:
		return nil, nil, deniedOn(caller, call.Action, roleARN, policy.ImplicitDenyResource)
	}
	if caller.Account != acct {
		if dec := policy.Evaluate(req, d.identityPolicies(caller), trust); !dec.Allowed() {
			return nil, nil, deniedOn(caller, call.Action, roleARN, dec.Reason)
		}
	}
	creds, err := d.issue(acct, r, sessionName, session, sessionPolicy, duration, call.Now)
	if err != nil {
		return nil, nil, eddy.Errorf(eddy.CodeInternalFailure, "record the session: %v", err)
	}
	d.mu.RLock()
	sess := d.keys[creds.AccessKeyID].caller
	d.mu.RUnlock()
	return creds, sess, nil
}

// issue makes temporary credentials of role r (of account acct) for a
// session, and records them (in the shared store too, sessions.go);
// sessionText is the session policy's text.
func (d *Directory) issue(acct string, r *role, sessionName string, session []*policy.Policy, sessionText string, duration time.Duration, now time.Time) (*Credentials, error) {
	d.mu.RLock()
	sess := d.accounts[acct].sessionCaller(r, sessionName)
	d.mu.RUnlock()
	sess.session = session
	creds := &Credentials{
		AccessKeyID:     uniqueID("ASIA"),
		SecretAccessKey: randomText(30),
		SessionToken:    randomText(96),
		Expiration:      now.Add(duration).Truncate(time.Second),
	}
	err := d.shareSession(creds.AccessKeyID, storedSession{Secret: creds.SecretAccessKey, Token: creds.SessionToken, Expires: creds.Expiration,
		Account: acct, Role: r.name, Session: sessionName, Policy: sessionText}, now)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	d.keys[creds.AccessKeyID] = &credential{secret: creds.SecretAccessKey, token: creds.SessionToken, expires: creds.Expiration, caller: sess}
	d.expireLocked(now)
	d.mu.Unlock()
	return creds, nil
}

// expireLocked forgets temporary credentials that have expired.
func (d *Directory) expireLocked(now time.Time) {
	for id, c := range d.keys {
		if c.token != "" && now.After(c.expires.Add(time.Minute)) {
			delete(d.keys, id)
		}
	}
}

// trustMatch reports whether an Allow of a trust policy applies.
func trustMatch(p *policy.Policy, r *policy.Request) (allow, deny bool) {
	dec := policy.Evaluate(&policy.Request{
		Principal: r.Principal, Account: r.Account, Action: r.Action, Resource: r.Resource,
		ResourceAccount: r.Account + "-", // never the same: only the resource policy's Allow counts
		Context:         r.Context,
	}, []*policy.Policy{allowAll}, p)
	return dec.Allowed(), dec.Reason == policy.ExplicitDenyResource
}

var allowAll = mustParse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)

func mustParse(doc string) *policy.Policy {
	p, err := policy.Parse(doc, policy.Identity)
	if err != nil {
		panic(err)
	}
	return p
}

func parseRoleARN(arn string) (acct, name string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" {
		return "", "", false
	}
	rest, ok := strings.CutPrefix(parts[5], "role/")
	if !ok {
		return "", "", false
	}
	if i := strings.LastIndexByte(rest, '/'); i >= 0 {
		rest = rest[i+1:]
	}
	return parts[4], rest, rest != ""
}

func randomText(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawStdEncoding.EncodeToString(b)[:n]
}

// ServiceRoleCredentials issues temporary credentials of roleARN to a
// service principal (e.g. "lambda.amazonaws.com", for a function's
// execution role), if the role's trust policy allows the service
// sts:AssumeRole. They last duration; the session is named sessionName.
func (d *Directory) ServiceRoleCredentials(service, roleARN, sessionName string, duration time.Duration, now time.Time) (*Credentials, *eddy.Error) {
	acct, name, ok := parseRoleARN(roleARN)
	d.mu.RLock()
	var r *role
	var trust *policy.Policy
	if ok && d.accounts[acct] != nil {
		if r = d.accounts[acct].roles[name]; r != nil {
			trust = r.trust
		}
	}
	d.mu.RUnlock()
	svc := &Caller{ARN: service, PrincipalARN: service, Type: "Service"}
	if r == nil {
		return nil, deniedOn(svc, "sts:AssumeRole", roleARN, policy.ImplicitDenyResource)
	}
	req := d.request(svc, Call{Action: "sts:AssumeRole", Now: now}, roleARN, acct, nil)
	if allow, deny := trustMatch(trust, req); !allow || deny {
		return nil, deniedOn(svc, "sts:AssumeRole", roleARN, policy.ImplicitDenyResource)
	}
	creds, err := d.issue(acct, r, sessionName, nil, "", duration, now)
	if err != nil {
		return nil, eddy.Errorf(eddy.CodeInternalFailure, "record the session: %v", err)
	}
	return creds, nil
}
