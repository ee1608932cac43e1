package iam

import (
	"strconv"
	"strings"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/iam/policy"
)

// Call is one request to authorize.
type Call struct {
	// Action is "service:Action", e.g. "kinesis:PutRecord".
	Action string
	// Region is the region the request is for (aws:RequestedRegion).
	Region string
	// Resources are what the call acts on; each must be allowed. None
	// means the action has no resource type, and is authorized on "*".
	Resources []Resource
	// SourceIP is the client's address (aws:SourceIp); Secure whether it
	// came over TLS (aws:SecureTransport).
	SourceIP string
	Secure   bool
	// Now is the request's time (aws:CurrentTime, aws:EpochTime).
	Now time.Time
}

// Resource is a resource a call acts on.
type Resource struct {
	// ARN is the resource's ARN. Its account field is the account that
	// owns it.
	ARN string
	// Account is the account that owns it when its ARN has no account
	// field (an S3 bucket's or object's); "" when the ARN says.
	Account string
	// Policy is its resource policy's text, "" if it has none.
	Policy string
	// Tags are its tags, for aws:ResourceTag/<key>.
	Tags map[string]string
}

// Authorize decides call for caller with IAM's evaluation logic: the
// caller's identity policies and each resource's policy; an explicit Deny
// wins; in the resource's account an Allow of either allows; across
// accounts both must allow. The root of an account may do anything to
// the account's resources that no resource policy denies. A denial is
// AccessDeniedException with IAM's message.
func (d *Directory) Authorize(caller *Caller, call *Call) *eddy.Error {
	if len(call.Resources) == 0 {
		return d.authorizeOne(caller, call, Resource{ARN: "*"})
	}
	for _, r := range call.Resources {
		if err := d.authorizeOne(caller, call, r); err != nil {
			return err
		}
	}
	return nil
}

func (d *Directory) authorizeOne(caller *Caller, call *Call, res Resource) *eddy.Error {
	acct := arnAccount(res.ARN)
	if acct == "" {
		acct = res.Account
	}
	req := d.request(caller, *call, res.ARN, acct, res.Tags)
	var rp *policy.Policy
	if res.Policy != "" && res.Policy != "{}" {
		var err error
		if rp, err = d.resourcePolicy(res.Policy); err != nil {
			// A stored policy that no longer parses (stored before
			// policies were validated) grants nothing.
			rp = nil
		}
	}
	dec := policy.Evaluate(req, d.identityPolicies(caller), rp)
	if caller.session != nil && dec.Reason != policy.ExplicitDenyIdentity && dec.Reason != policy.ExplicitDenyResource {
		// A session policy bounds what the role's policies allow: an
		// explicit Deny in it wins, and without its Allow nothing the
		// identity allowed is (IAM User Guide, "Session policies"; a
		// resource policy naming the session itself is not the
		// exception it is in IAM).
		sreq := *req
		sreq.ResourceAccount = req.Account
		switch sd := policy.Evaluate(&sreq, caller.session, nil); {
		case sd.Reason == policy.ExplicitDenyIdentity:
			dec = policy.Decision{Reason: policy.ExplicitDenySession}
		case dec.Allowed() && !sd.Allowed():
			dec = policy.Decision{Reason: policy.ImplicitDenySession}
		}
	}
	if dec.Allowed() {
		return nil
	}
	return &eddy.Error{Code: eddy.CodeAccessDenied, Message: dec.Message(req)}
}

// identityPolicies returns the caller's identity policies: the root's are
// an Allow of everything (the root is only limited by resource policies'
// Denies and, across accounts, by their Allows).
func (d *Directory) identityPolicies(c *Caller) []*policy.Policy {
	if c.root {
		return []*policy.Policy{allowAll}
	}
	return c.policies
}

// request builds the policy request of call on resource.
func (d *Directory) request(c *Caller, call Call, resource, resourceAccount string, tags map[string]string) *policy.Request {
	now := call.Now
	if now.IsZero() {
		now = time.Now()
	}
	ctx := map[string][]string{
		"aws:principalarn":     {c.PrincipalARN},
		"aws:principalaccount": {c.Account},
		"aws:principaltype":    {c.Type},
		"aws:userid":           {c.UserID},
		"aws:currenttime":      {now.UTC().Format(time.RFC3339)},
		"aws:epochtime":        {strconv.FormatInt(now.Unix(), 10)},
		"aws:securetransport":  {strconv.FormatBool(call.Secure)},
	}
	if c.UserName != "" {
		ctx["aws:username"] = []string{c.UserName}
	}
	if call.Region != "" {
		ctx["aws:requestedregion"] = []string{call.Region}
	}
	if call.SourceIP != "" {
		ctx["aws:sourceip"] = []string{call.SourceIP}
	}
	for k, v := range tags {
		// Condition keys are case-insensitive, tag values are not.
		ctx["aws:resourcetag/"+strings.ToLower(k)] = []string{v}
	}
	return &policy.Request{
		Principal:       c.ARN,
		Account:         c.Account,
		Action:          call.Action,
		Resource:        resource,
		ResourceAccount: resourceAccount,
		Context:         ctx,
	}
}

// resourcePolicy parses a resource policy's text, remembering the last
// few hundred parsed.
func (d *Directory) resourcePolicy(text string) (*policy.Policy, error) {
	d.cacheMu.Lock()
	p := d.resource[text]
	d.cacheMu.Unlock()
	if p != nil {
		return p, nil
	}
	p, err := policy.Parse(text, policy.Resource)
	if err != nil {
		return nil, err
	}
	d.cacheMu.Lock()
	if len(d.resource) >= 512 {
		clear(d.resource)
	}
	d.resource[text] = p
	d.cacheMu.Unlock()
	return p, nil
}

// deniedOn is AccessDenied for an action on a resource, in IAM's words.
func deniedOn(c *Caller, action, resource string, reason policy.Reason) *eddy.Error {
	r := &policy.Request{Principal: c.ARN, Action: action, Resource: resource}
	return &eddy.Error{Code: eddy.CodeAccessDenied, Message: policy.Decision{Reason: reason}.Message(r)}
}

// arnAccount returns the account field of an ARN, "" for "*" or a
// malformed ARN.
func arnAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 {
		return ""
	}
	return parts[4]
}

// ValidateResourcePolicy checks a resource policy as PutResourcePolicy
// must: its message, as IAM's MalformedPolicyDocument words it, or nil.
func ValidateResourcePolicy(text string) error {
	_, err := policy.Parse(text, policy.Resource)
	return err
}
