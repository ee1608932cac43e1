package policy

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Request is what a call asks for, as policies see it.
type Request struct {
	// Principal is the caller's ARN (arn:aws:iam::123456789012:user/alice,
	// an assumed-role session's STS ARN, or the account's root).
	Principal string
	// Account is the caller's account id.
	Account string
	// Action is "service:Operation", e.g. "kinesis:PutRecord".
	Action string
	// Resource is the ARN the call acts on.
	Resource string
	// ResourceAccount is the account that owns Resource.
	ResourceAccount string
	// Context holds the condition keys (lower case) and their values, e.g.
	// "aws:sourceip" -> {"127.0.0.1"}. Keys with several values (a
	// multivalued key such as aws:TagKeys) list them all.
	Context map[string][]string
}

// Reason says why a request was allowed or denied.
type Reason int

const (
	// Allowed: an Allow applied and no Deny did.
	Allowed Reason = iota
	// ImplicitDenyIdentity: nothing allowed it (same account), or the
	// caller's identity policies did not (cross account).
	ImplicitDenyIdentity
	// ImplicitDenyResource: cross account, and the resource policy did not
	// allow the caller.
	ImplicitDenyResource
	// ExplicitDenyIdentity: a Deny in an identity policy applied.
	ExplicitDenyIdentity
	// ExplicitDenyResource: a Deny in the resource policy applied.
	ExplicitDenyResource
	// ImplicitDenySession: the session's policies (AssumeRole's Policy)
	// did not allow what the identity allowed.
	ImplicitDenySession
	// ExplicitDenySession: a Deny in a session policy applied.
	ExplicitDenySession
)

// Decision is the outcome of Evaluate.
type Decision struct {
	Reason Reason
}

// Allowed reports whether the request may proceed.
func (d Decision) Allowed() bool { return d.Reason == Allowed }

// Message is the AccessDeniedException message AWS writes for a denied
// request (IAM User Guide, "Troubleshoot access denied error messages":
// "User: user is not authorized to perform: action on resource: resource
// because no type policy allows the action action", or "with an explicit
// deny in a type policy"; the types are "identity-based", "resource-based"
// and "session").
func (d Decision) Message(r *Request) string {
	head := fmt.Sprintf("User: %s is not authorized to perform: %s on resource: %s ", r.Principal, r.Action, r.Resource)
	switch d.Reason {
	case ImplicitDenyIdentity:
		return head + fmt.Sprintf("because no identity-based policy allows the %s action", r.Action)
	case ImplicitDenyResource:
		return head + fmt.Sprintf("because no resource-based policy allows the %s action", r.Action)
	case ExplicitDenyIdentity:
		return head + "with an explicit deny in an identity-based policy"
	case ExplicitDenyResource:
		return head + "with an explicit deny in a resource-based policy"
	case ImplicitDenySession:
		return head + fmt.Sprintf("because no session policy allows the %s action", r.Action)
	case ExplicitDenySession:
		return head + "with an explicit deny in a session policy"
	}
	return ""
}

// Evaluate decides a request with the caller's identity policies and the
// resource's policy (nil if none), as IAM's evaluation logic does for
// these two policy types: an explicit Deny in either wins; then, in the
// same account, an Allow in either allows; across accounts, both must
// allow.
func Evaluate(r *Request, identity []*Policy, resource *Policy) Decision {
	idAllow, idDeny := false, false
	for _, p := range identity {
		a, d := p.match(r, false)
		idAllow, idDeny = idAllow || a, idDeny || d
	}
	resAllow, resDeny := false, false
	if resource != nil {
		resAllow, resDeny = resource.match(r, true)
	}
	switch {
	case idDeny:
		return Decision{ExplicitDenyIdentity}
	case resDeny:
		return Decision{ExplicitDenyResource}
	}
	if r.Account == r.ResourceAccount || r.ResourceAccount == "" {
		if idAllow || resAllow {
			return Decision{Allowed}
		}
		return Decision{ImplicitDenyIdentity}
	}
	switch {
	case !idAllow:
		return Decision{ImplicitDenyIdentity}
	case !resAllow:
		return Decision{ImplicitDenyResource}
	}
	return Decision{Allowed}
}

// match reports whether an Allow and whether a Deny of p apply to r.
func (p *Policy) match(r *Request, resourcePolicy bool) (allow, deny bool) {
	for i := range p.Statements {
		s := &p.Statements[i]
		if !s.applies(r, p.Version, resourcePolicy) {
			continue
		}
		if s.Allow {
			allow = true
		} else {
			deny = true
		}
	}
	return allow, deny
}

func (s *Statement) applies(r *Request, version string, resourcePolicy bool) bool {
	if resourcePolicy && s.Principal.principalMatches(r) == s.NotPrinc {
		return false
	}
	if anyMatch(s.Actions, r.Action, matchAction) == s.NotAction {
		return false
	}
	if anyMatch(s.Resources, r.Resource, func(pat, v string) bool {
		return matchARN(expand(pat, r, version), v)
	}) == s.NotResource {
		return false
	}
	for _, c := range s.Conditions {
		if !c.holds(r, version) {
			return false
		}
	}
	return true
}

func anyMatch(pats []string, v string, match func(pat, v string) bool) bool {
	for _, p := range pats {
		if match(p, v) {
			return true
		}
	}
	return false
}

// principalMatches: "*"; an account id or its root ARN, for any principal
// of that account; the principal's exact ARN; or, under "Service", the
// service principal's name.
func (p *Principals) principalMatches(r *Request) bool {
	if p.Any {
		return true
	}
	for _, id := range p.ByKey["Service"] {
		// A service principal (lambda.amazonaws.com) assuming a role.
		if id == r.Principal {
			return true
		}
	}
	for _, id := range p.ByKey["AWS"] {
		switch {
		case id == "*", id == r.Principal:
			return true
		case principalARNIs(r, id):
			// An assumed role's session is named by its role's ARN.
			return true
		case isAccountID(id) && id == r.Account, id == "arn:aws:iam::"+r.Account+":root":
			return true
		}
	}
	return false
}

// principalARNIs reports whether the request's aws:PrincipalArn (an
// assumed role's session has its role's ARN there) is arn.
func principalARNIs(r *Request, arn string) bool {
	v := r.Context["aws:principalarn"]
	return len(v) == 1 && v[0] == arn && v[0] != r.Principal
}

// matchAction compares "service:Operation" names case-insensitively, with
// * and ? wildcards.
func matchAction(pat, v string) bool { return wildcard(strings.ToLower(pat), strings.ToLower(v)) }

// matchARN compares an ARN pattern with an ARN segment by segment (the
// first five, split at ':'), then the resource part; * and ? do not cross
// a segment boundary before the resource part, as IAM documents.
func matchARN(pat, v string) bool {
	if pat == "*" {
		return true
	}
	ps, vs := strings.SplitN(pat, ":", 6), strings.SplitN(v, ":", 6)
	if len(ps) != 6 || len(vs) != 6 {
		// Not both ARNs of six segments: only an exact match (a pattern
		// of fewer segments does not stretch over the missing ones).
		return len(ps) != 6 && len(vs) != 6 && wildcard(pat, v)
	}
	for i := range ps {
		if !wildcard(ps[i], vs[i]) {
			return false
		}
	}
	return true
}

// wildcard matches s against a pattern of * (any run) and ? (one
// character), case-sensitively.
func wildcard(pat, s string) bool {
	// Iterative matching with backtracking to the last star: linear in
	// practice, no recursion to blow up on adversarial patterns.
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pat) && (pat[p] == '?' || pat[p] == s[i]):
			p++
			i++
		case p < len(pat) && pat[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pat) && pat[p] == '*' {
		p++
	}
	return p == len(pat)
}

// expand replaces policy variables in v under Version 2012-10-17: ${key}
// by the request's value of key (single-valued), ${key, 'default'} by the
// default when missing, and ${*}, ${?}, ${$} by those characters. A
// variable with no value leaves a pattern nothing matches.
func expand(v string, r *Request, version string) string {
	if version != "2012-10-17" || !strings.Contains(v, "${") {
		return v
	}
	var b strings.Builder
	for {
		i := strings.Index(v, "${")
		if i < 0 {
			b.WriteString(v)
			return b.String()
		}
		j := strings.IndexByte(v[i:], '}')
		if j < 0 {
			b.WriteString(v)
			return b.String()
		}
		b.WriteString(v[:i])
		name := strings.TrimSpace(v[i+2 : i+j])
		v = v[i+j+1:]
		switch name {
		case "*", "?", "$":
			b.WriteString(name)
			continue
		}
		def, hasDef := "", false
		if k, d, ok := strings.Cut(name, ","); ok {
			name = strings.TrimSpace(k)
			d = strings.TrimSpace(d)
			if len(d) >= 2 && d[0] == '\'' && d[len(d)-1] == '\'' {
				def, hasDef = d[1:len(d)-1], true
			}
		}
		vals := r.Context[strings.ToLower(name)]
		switch {
		case len(vals) == 1:
			b.WriteString(vals[0])
		case hasDef:
			b.WriteString(def)
		default:
			b.WriteString("\x00") // matches no request value
		}
	}
}

// holds evaluates one condition against the request.
func (c *Condition) holds(r *Request, version string) bool {
	set, base, ifExists, _ := splitOperator(c.Operator)
	vals, present := r.Context[strings.ToLower(c.Key)]
	if base == "Null" {
		want := strings.EqualFold(c.Values[0], "true")
		return want == (!present || len(vals) == 0)
	}
	if !present || len(vals) == 0 {
		// IAM User Guide, "Condition operators": a key missing from the
		// request context does not match, so the condition is false; one
		// that must not match (StringNotLike, ArnNotLike, ...) is true;
		// ...IfExists is true. ForAllValues over no values is true
		// ("Set operators for multivalued context keys").
		switch {
		case ifExists, set == "ForAllValues":
			return true
		case set == "ForAnyValue":
			return false
		}
		return strings.Contains(base, "Not")
	}
	want := make([]string, len(c.Values))
	for i, w := range c.Values {
		want[i] = expand(w, r, version)
	}
	one := func(v string) bool { return compare(base, v, want) }
	switch set {
	case "ForAllValues":
		for _, v := range vals {
			if !one(v) {
				return false
			}
		}
		return true
	case "ForAnyValue":
		for _, v := range vals {
			if one(v) {
				return true
			}
		}
		return false
	}
	// No set operator: a single-valued key's value; for a key the request
	// gave several values, a positive operator needs one to match and a
	// negated one needs all to hold.
	negated := strings.Contains(base, "Not")
	for _, v := range vals {
		if one(v) != negated {
			return !negated
		}
	}
	return negated
}

// compare applies a base operator to one request value and the
// condition's values (OR across them; for a negated operator, the value
// must match none).
func compare(op, v string, want []string) bool {
	// Every negated operator has "Not" in its name, and drops it to give
	// its positive form (StringNotEqualsIgnoreCase, NotIpAddress, ...).
	negated := strings.Contains(op, "Not")
	pos := strings.Replace(op, "Not", "", 1)
	matched := false
	for _, w := range want {
		if compareOne(pos, v, w) {
			matched = true
			break
		}
	}
	if negated {
		return !matched
	}
	return matched
}

func compareOne(op, v, w string) bool {
	switch op {
	case "StringEquals":
		return v == w
	case "StringEqualsIgnoreCase":
		return strings.EqualFold(v, w)
	case "StringLike":
		return wildcard(w, v)
	case "Bool":
		return strings.EqualFold(v, w)
	case "BinaryEquals":
		return v == w
	case "ArnEquals", "ArnLike":
		return matchARN(w, v)
	case "IpAddress":
		addr, err := netip.ParseAddr(v)
		if err != nil {
			return false
		}
		if pfx, err := netip.ParsePrefix(w); err == nil {
			return pfx.Contains(addr.Unmap())
		}
		if a, err := netip.ParseAddr(w); err == nil {
			return a.Unmap() == addr.Unmap()
		}
		return false
	}
	if num, ok := strings.CutPrefix(op, "Numeric"); ok {
		a, err1 := strconv.ParseFloat(v, 64)
		b, err2 := strconv.ParseFloat(w, 64)
		if err1 != nil || err2 != nil {
			return false
		}
		return order(num, cmpFloat(a, b))
	}
	if d, ok := strings.CutPrefix(op, "Date"); ok {
		a, ok1 := parseDate(v)
		b, ok2 := parseDate(w)
		if !ok1 || !ok2 {
			return false
		}
		return order(d, a.Compare(b))
	}
	return false
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func order(rel string, c int) bool {
	switch rel {
	case "Equals":
		return c == 0
	case "LessThan":
		return c < 0
	case "LessThanEquals":
		return c <= 0
	case "GreaterThan":
		return c > 0
	case "GreaterThanEquals":
		return c >= 0
	}
	return false
}

// parseDate reads an ISO 8601 date (as aws:CurrentTime gives it) or Unix
// epoch seconds (as aws:EpochTime does).
func parseDate(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0), true
	}
	return time.Time{}, false
}
