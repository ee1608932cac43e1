// Package policy parses IAM JSON policy documents, identity-based and
// resource-based, and evaluates requests against them with IAM's policy
// evaluation logic (issue 19, the engine; wiring it into the services is
// separate).
//
// Supported: Version, Id, Statement (object or list), Sid, Effect,
// Principal / NotPrincipal ("*", AWS account ids and ARNs, Service,
// Federated, CanonicalUser), Action / NotAction and Resource / NotResource
// with * and ? wildcards, Condition with the String, Numeric, Date, Bool,
// Binary, IpAddress, Arn and Null operators, the IfExists suffix and the
// ForAnyValue / ForAllValues set qualifiers, and the policy variables
// ${aws:...} (with ${*}, ${?}, ${$} escapes) in Resource and condition
// values under Version 2012-10-17.
//
// Not modelled: permission boundaries, session policies, service control
// policies, and Principal matching of assumed-role sessions beyond their
// ARN.
package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Kind is where a policy is attached.
type Kind int

const (
	// Identity policies are attached to users, groups and roles: no
	// Principal.
	Identity Kind = iota
	// Resource policies are attached to resources (a stream, a
	// consumer): a Principal or NotPrincipal in every statement.
	Resource
	// Trust policies are a role's AssumeRolePolicyDocument: a resource
	// policy of the role, with a Principal and no Resource.
	Trust
)

// Policy is a parsed policy document.
type Policy struct {
	Version    string
	ID         string
	Statements []Statement
}

// Statement is one statement of a policy.
type Statement struct {
	Sid         string
	Allow       bool // Effect: Allow (else Deny)
	Principal   Principals
	NotPrinc    bool // the principals are NotPrincipal's
	Actions     []string
	NotAction   bool
	Resources   []string
	NotResource bool
	Conditions  []Condition
}

// Principals are a statement's principals by type ("AWS", "Service",
// "Federated", "CanonicalUser"); Any is "Principal": "*".
type Principals struct {
	Any   bool
	ByKey map[string][]string
}

// Condition is one operator / key / values triple of a Condition block.
type Condition struct {
	Operator string // as written, e.g. "ForAnyValue:StringLikeIfExists"
	Key      string
	Values   []string
}

// ValidationError is a policy that IAM would refuse, with the message IAM
// writes (MalformedPolicyDocument).
type ValidationError struct{ Message string }

func (e *ValidationError) Error() string { return e.Message }

// Messages. "Policy document should not specify a principal.", "Policy
// statement must contain resources." (IAM's MalformedPolicyDocument) and
// "Missing required field Principal" (S3's bucket policies) are recorded
// answers, in public issue trackers (terraform-provider-aws#10419,
// aws-health-aware#1, S3-Uploads#191). "Policy statement must contain
// actions." follows the recorded resources message. "Syntax errors in
// policy.", "Invalid principal in policy", the version, SID, vendor prefix
// and ARN format messages are IAM's as remembered, without a recording
// found here; "Invalid Condition type : X" likewise. What Kinesis's
// PutResourcePolicy answers for a bad document is not recorded anywhere we
// found: the callers wrap these messages in InvalidArgumentException.
const (
	msgSyntax        = "Syntax errors in policy."
	msgNoPrincipal   = "Policy document should not specify a principal."
	msgNeedPrincipal = "Missing required field Principal"
	msgNeedActions   = "Policy statement must contain actions."
	msgNeedResources = "Policy statement must contain resources."
)

func invalid(format string, args ...any) error {
	return &ValidationError{Message: fmt.Sprintf(format, args...)}
}

// Parse parses and validates a policy document of the given kind.
func Parse(doc string, kind Kind) (*Policy, error) {
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(strings.NewReader(doc))
	if err := dec.Decode(&raw); err != nil || raw == nil || dec.More() {
		return nil, invalid(msgSyntax)
	}
	p := &Policy{}
	for k, v := range raw {
		var err error
		switch k {
		case "Version":
			err = json.Unmarshal(v, &p.Version)
			if err == nil && p.Version != "2012-10-17" && p.Version != "2008-10-17" {
				return nil, invalid("The policy must contain a valid version string")
			}
		case "Id":
			err = json.Unmarshal(v, &p.ID)
		case "Statement":
			p.Statements, err = parseStatements(v, kind)
		default:
			return nil, invalid(msgSyntax)
		}
		if err != nil {
			if ve, ok := err.(*ValidationError); ok {
				return nil, ve
			}
			return nil, invalid(msgSyntax)
		}
	}
	if len(p.Statements) == 0 {
		return nil, invalid(msgSyntax)
	}
	return p, nil
}

func parseStatements(b json.RawMessage, kind Kind) ([]Statement, error) {
	b = bytes.TrimSpace(b)
	var raws []map[string]json.RawMessage
	if len(b) > 0 && b[0] == '{' {
		var one map[string]json.RawMessage
		if err := json.Unmarshal(b, &one); err != nil {
			return nil, err
		}
		raws = append(raws, one)
	} else if err := json.Unmarshal(b, &raws); err != nil {
		return nil, err
	}
	var out []Statement
	sids := map[string]bool{}
	for _, r := range raws {
		s, err := parseStatement(r, kind)
		if err != nil {
			return nil, err
		}
		if s.Sid != "" {
			if sids[s.Sid] {
				return nil, invalid("Statement IDs (SID) in a single policy must be unique.")
			}
			sids[s.Sid] = true
		}
		out = append(out, s)
	}
	return out, nil
}

func parseStatement(r map[string]json.RawMessage, kind Kind) (Statement, error) {
	var s Statement
	var effect string
	var havePrincipal, haveAction, haveResource bool
	for k, v := range r {
		var err error
		switch k {
		case "Sid":
			err = json.Unmarshal(v, &s.Sid)
		case "Effect":
			err = json.Unmarshal(v, &effect)
		case "Principal", "NotPrincipal":
			if havePrincipal {
				return s, invalid(msgSyntax)
			}
			havePrincipal, s.NotPrinc = true, k == "NotPrincipal"
			s.Principal, err = parsePrincipals(v)
		case "Action", "NotAction":
			if haveAction {
				return s, invalid(msgSyntax)
			}
			haveAction, s.NotAction = true, k == "NotAction"
			s.Actions, err = stringOrList(v)
			for _, a := range s.Actions {
				if a != "*" && !strings.Contains(a, ":") {
					return s, invalid("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.")
				}
			}
		case "Resource", "NotResource":
			if haveResource {
				return s, invalid(msgSyntax)
			}
			haveResource, s.NotResource = true, k == "NotResource"
			s.Resources, err = stringOrList(v)
			for _, res := range s.Resources {
				if res != "*" && !strings.HasPrefix(res, "arn:") {
					return s, invalid("Resource %s must be in ARN format or \"*\".", res)
				}
			}
		case "Condition":
			s.Conditions, err = parseConditions(v)
		default:
			return s, invalid(msgSyntax)
		}
		if err != nil {
			return s, err
		}
	}
	switch effect {
	case "Allow":
		s.Allow = true
	case "Deny":
	default:
		return s, invalid(msgSyntax)
	}
	if !haveAction || len(s.Actions) == 0 {
		return s, invalid(msgNeedActions)
	}
	switch kind {
	case Identity:
		if havePrincipal {
			return s, invalid(msgNoPrincipal)
		}
		if !haveResource || len(s.Resources) == 0 {
			return s, invalid(msgNeedResources)
		}
	case Trust:
		if !havePrincipal {
			return s, invalid(msgNeedPrincipal)
		}
		if haveResource {
			// IAM's answer to a trust policy with a Resource, as
			// remembered ("Has prohibited field Resource"); no recording
			// was found here.
			return s, invalid("Has prohibited field Resource")
		}
		// A trust policy's statements apply to the role they belong to.
		s.Resources = []string{"*"}
	case Resource:
		if !havePrincipal {
			return s, invalid(msgNeedPrincipal)
		}
		if !haveResource {
			// A resource policy's statements apply to the resource they
			// are attached to; Kinesis's examples name it.
			return s, invalid(msgNeedResources)
		}
	}
	return s, nil
}

// stringOrList decodes a string or a non-empty list of strings.
func stringOrList(b json.RawMessage) ([]string, error) {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		return []string{one}, nil
	}
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		return nil, invalid(msgSyntax)
	}
	return list, nil
}

func parsePrincipals(b json.RawMessage) (Principals, error) {
	var star string
	if err := json.Unmarshal(b, &star); err == nil {
		if star != "*" {
			return Principals{}, invalid("Invalid principal in policy")
		}
		return Principals{Any: true}, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil || len(m) == 0 {
		return Principals{}, invalid("Invalid principal in policy")
	}
	p := Principals{ByKey: map[string][]string{}}
	for k, v := range m {
		switch k {
		case "AWS", "Service", "Federated", "CanonicalUser":
		default:
			return Principals{}, invalid("Invalid principal in policy")
		}
		vals, err := stringOrList(v)
		if err != nil || len(vals) == 0 {
			return Principals{}, invalid("Invalid principal in policy")
		}
		for _, id := range vals {
			if k == "AWS" && !validAWSPrincipal(id) {
				return Principals{}, invalid("Invalid principal in policy")
			}
		}
		p.ByKey[k] = vals
	}
	return p, nil
}

// validAWSPrincipal: "*", a 12-digit account id, or an IAM or STS ARN.
func validAWSPrincipal(id string) bool {
	if id == "*" || isAccountID(id) {
		return true
	}
	parts := strings.SplitN(id, ":", 6)
	return len(parts) == 6 && parts[0] == "arn" && (parts[2] == "iam" || parts[2] == "sts") && isAccountID(parts[4])
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

var operators = []string{
	"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike",
	"NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals",
	"DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals",
	"Bool", "BinaryEquals", "IpAddress", "NotIpAddress", "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "Null",
}

// splitOperator returns an operator's set qualifier, base operator and
// IfExists suffix, or false for an unknown operator.
func splitOperator(op string) (set, base string, ifExists, ok bool) {
	rest := op
	if q, r, found := strings.Cut(op, ":"); found {
		if q != "ForAnyValue" && q != "ForAllValues" {
			return "", "", false, false
		}
		set, rest = q, r
	}
	base, ifExists = strings.CutSuffix(rest, "IfExists")
	if base == "Null" && ifExists {
		return "", "", false, false
	}
	return set, base, ifExists, slices.Contains(operators, base)
}

func parseConditions(b json.RawMessage) ([]Condition, error) {
	var m map[string]map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, invalid(msgSyntax)
	}
	var out []Condition
	ops := make([]string, 0, len(m))
	for op := range m {
		ops = append(ops, op)
	}
	slices.Sort(ops)
	for _, op := range ops {
		if _, _, _, ok := splitOperator(op); !ok {
			return nil, invalid("Invalid Condition type : %s", op)
		}
		keys := make([]string, 0, len(m[op]))
		for k := range m[op] {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			vals, err := conditionValues(m[op][k])
			if err != nil {
				return nil, err
			}
			out = append(out, Condition{Operator: op, Key: k, Values: vals})
		}
	}
	return out, nil
}

// conditionValues decodes a condition's value or values: strings, numbers
// and booleans, kept as their text.
func conditionValues(b json.RawMessage) ([]string, error) {
	var list []json.RawMessage
	if err := json.Unmarshal(b, &list); err != nil {
		list = []json.RawMessage{b}
	}
	var out []string
	for _, v := range list {
		var s string
		if err := json.Unmarshal(v, &s); err == nil {
			out = append(out, s)
			continue
		}
		var n json.Number
		if err := json.Unmarshal(v, &n); err == nil {
			out = append(out, n.String())
			continue
		}
		var bv bool
		if err := json.Unmarshal(v, &bv); err == nil {
			out = append(out, fmt.Sprint(bv))
			continue
		}
		return nil, invalid(msgSyntax)
	}
	if len(out) == 0 {
		return nil, invalid(msgSyntax)
	}
	return out, nil
}

// MarshalJSON writes the policy back as a document Parse accepts.
func (p *Policy) MarshalJSON() ([]byte, error) {
	type st struct {
		Sid          string                         `json:"Sid,omitempty"`
		Effect       string                         `json:"Effect"`
		Principal    any                            `json:"Principal,omitempty"`
		NotPrincipal any                            `json:"NotPrincipal,omitempty"`
		Action       []string                       `json:"Action,omitempty"`
		NotAction    []string                       `json:"NotAction,omitempty"`
		Resource     []string                       `json:"Resource,omitempty"`
		NotResource  []string                       `json:"NotResource,omitempty"`
		Condition    map[string]map[string][]string `json:"Condition,omitempty"`
	}
	doc := struct {
		Version   string `json:"Version,omitempty"`
		ID        string `json:"Id,omitempty"`
		Statement []st   `json:"Statement"`
	}{Version: p.Version, ID: p.ID}
	for _, s := range p.Statements {
		o := st{Sid: s.Sid, Effect: "Deny"}
		if s.Allow {
			o.Effect = "Allow"
		}
		var pr any
		if s.Principal.Any {
			pr = "*"
		} else if s.Principal.ByKey != nil {
			pr = s.Principal.ByKey
		}
		if s.NotPrinc {
			o.NotPrincipal = pr
		} else {
			o.Principal = pr
		}
		if s.NotAction {
			o.NotAction = s.Actions
		} else {
			o.Action = s.Actions
		}
		if s.NotResource {
			o.NotResource = s.Resources
		} else {
			o.Resource = s.Resources
		}
		for _, c := range s.Conditions {
			if o.Condition == nil {
				o.Condition = map[string]map[string][]string{}
			}
			if o.Condition[c.Operator] == nil {
				o.Condition[c.Operator] = map[string][]string{}
			}
			o.Condition[c.Operator][c.Key] = append(o.Condition[c.Operator][c.Key], c.Values...)
		}
		doc.Statement = append(doc.Statement, o)
	}
	return json.Marshal(doc)
}
