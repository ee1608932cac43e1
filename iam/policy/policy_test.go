package policy

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

const (
	alice      = "arn:aws:iam::111122223333:user/alice"
	bob        = "arn:aws:iam::444455556666:user/bob"
	stream     = "arn:aws:kinesis:us-east-1:111122223333:stream/orders"
	otherShard = "arn:aws:kinesis:us-east-1:111122223333:stream/clicks"
)

func mustParse(t *testing.T, doc string, kind Kind) *Policy {
	t.Helper()
	p, err := Parse(doc, kind)
	if err != nil {
		t.Fatalf("Parse(%s): %v", doc, err)
	}
	return p
}

func req(principal, account, action, resource string, ctx map[string][]string) *Request {
	return &Request{Principal: principal, Account: account, Action: action, Resource: resource, ResourceAccount: "111122223333", Context: ctx}
}

// TestEvaluateMatrix: allow, implicit deny, explicit deny winning,
// wildcards, NotAction / NotResource, and the message of each denial.
func TestEvaluateMatrix(t *testing.T) {
	allowPut := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kinesis:Put*","Resource":"arn:aws:kinesis:*:111122223333:stream/ord?rs"}]}`
	denyOrders := `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"kinesis:*","Resource":"` + stream + `"}}`
	notAction := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"kinesis:Delete*","Resource":"*"}]}`
	notResource := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kinesis:*","NotResource":"` + stream + `"}]}`
	cases := []struct {
		name     string
		identity []string
		resource string
		r        *Request
		want     Reason
		message  string
	}{
		{"allowed by wildcards", []string{allowPut}, "", req(alice, "111122223333", "kinesis:PutRecord", stream, nil), Allowed, ""},
		{"actions are case-insensitive", []string{allowPut}, "", req(alice, "111122223333", "Kinesis:putrecords", stream, nil), Allowed, ""},
		{"no policy allows", []string{allowPut}, "", req(alice, "111122223333", "kinesis:GetRecords", stream, nil), ImplicitDenyIdentity,
			"User: " + alice + " is not authorized to perform: kinesis:GetRecords on resource: " + stream + " because no identity-based policy allows the kinesis:GetRecords action"},
		{"? matches one character only", []string{allowPut}, "", req(alice, "111122223333", "kinesis:PutRecord", "arn:aws:kinesis:us-east-1:111122223333:stream/ordders", nil), ImplicitDenyIdentity, ""},
		{"* does not cross an ARN segment", []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"arn:aws:kinesis:*:stream/orders"}]}`}, "",
			req(alice, "111122223333", "kinesis:PutRecord", stream, nil), ImplicitDenyIdentity, ""},
		{"explicit deny wins", []string{allowPut, denyOrders}, "", req(alice, "111122223333", "kinesis:PutRecord", stream, nil), ExplicitDenyIdentity,
			"User: " + alice + " is not authorized to perform: kinesis:PutRecord on resource: " + stream + " with an explicit deny in an identity-based policy"},
		{"NotAction allows the rest", []string{notAction}, "", req(alice, "111122223333", "kinesis:ListShards", stream, nil), Allowed, ""},
		{"NotAction leaves out", []string{notAction}, "", req(alice, "111122223333", "kinesis:DeleteStream", stream, nil), ImplicitDenyIdentity, ""},
		{"NotResource allows others", []string{notResource}, "", req(alice, "111122223333", "kinesis:PutRecord", otherShard, nil), Allowed, ""},
		{"NotResource leaves out", []string{notResource}, "", req(alice, "111122223333", "kinesis:PutRecord", stream, nil), ImplicitDenyIdentity, ""},
		{"same account: resource policy alone allows", nil,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + alice + `"},"Action":"kinesis:GetRecords","Resource":"` + stream + `"}]}`,
			req(alice, "111122223333", "kinesis:GetRecords", stream, nil), Allowed, ""},
		{"resource policy deny wins over identity allow", []string{allowPut},
			`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"kinesis:PutRecord","Resource":"` + stream + `"}]}`,
			req(alice, "111122223333", "kinesis:PutRecord", stream, nil), ExplicitDenyResource,
			"User: " + alice + " is not authorized to perform: kinesis:PutRecord on resource: " + stream + " with an explicit deny in a resource-based policy"},
		{"cross account: both allow", []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kinesis:*","Resource":"*"}]}`},
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"kinesis:GetRecords","Resource":"` + stream + `"}]}`,
			req(bob, "444455556666", "kinesis:GetRecords", stream, nil), Allowed, ""},
		{"cross account: no resource policy allows", []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kinesis:*","Resource":"*"}]}`},
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999999999999:root"},"Action":"kinesis:GetRecords","Resource":"` + stream + `"}]}`,
			req(bob, "444455556666", "kinesis:GetRecords", stream, nil), ImplicitDenyResource,
			"User: " + bob + " is not authorized to perform: kinesis:GetRecords on resource: " + stream + " because no resource-based policy allows the kinesis:GetRecords action"},
		{"cross account: resource policy alone is not enough", nil,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"kinesis:GetRecords","Resource":"` + stream + `"}]}`,
			req(bob, "444455556666", "kinesis:GetRecords", stream, nil), ImplicitDenyIdentity, ""},
		{"NotPrincipal deny spares the named", nil,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"kinesis:*","Resource":"` + stream + `"},{"Effect":"Deny","NotPrincipal":{"AWS":"` + alice + `"},"Action":"kinesis:*","Resource":"` + stream + `"}]}`,
			req(alice, "111122223333", "kinesis:PutRecord", stream, nil), Allowed, ""},
		{"NotPrincipal deny hits the others", nil,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"kinesis:*","Resource":"` + stream + `"},{"Effect":"Deny","NotPrincipal":{"AWS":"` + alice + `"},"Action":"kinesis:*","Resource":"` + stream + `"}]}`,
			req("arn:aws:iam::111122223333:user/carol", "111122223333", "kinesis:PutRecord", stream, nil), ExplicitDenyResource, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var ids []*Policy
			for _, d := range c.identity {
				ids = append(ids, mustParse(t, d, Identity))
			}
			var res *Policy
			if c.resource != "" {
				res = mustParse(t, c.resource, Resource)
			}
			d := Evaluate(c.r, ids, res)
			if d.Reason != c.want {
				t.Fatalf("reason %d, want %d", d.Reason, c.want)
			}
			if d.Allowed() != (c.want == Allowed) {
				t.Fatal("Allowed() disagrees with the reason")
			}
			if c.message != "" && d.Message(c.r) != c.message {
				t.Fatalf("message\n %s\nwant\n %s", d.Message(c.r), c.message)
			}
		})
	}
}

// TestConditions: each operator family with the key present and missing,
// IfExists, Null, and the set qualifiers.
func TestConditions(t *testing.T) {
	cond := func(c string) *Policy {
		return mustParse(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kinesis:*","Resource":"*","Condition":`+c+`}]}`, Identity)
	}
	ctx := map[string][]string{
		"aws:sourceip":           {"10.1.2.3"},
		"aws:securetransport":    {"true"},
		"aws:principalarn":       {alice},
		"aws:requestedregion":    {"eu-west-1"},
		"aws:currenttime":        {"2026-12-05T12:00:00Z"},
		"aws:epochtime":          {"1796472000"},
		"aws:resourcetag/team":   {"Payments"},
		"aws:tagkeys":            {"team", "env"},
		"kinesis:shardcount":     {"4"},
		"aws:principaltag/level": {"7"},
	}
	cases := []struct {
		cond string
		want bool
	}{
		{`{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}`, true},
		{`{"StringEquals":{"aws:RequestedRegion":["us-east-1","eu-west-1"]}}`, true}, // OR of values
		{`{"StringEquals":{"aws:RequestedRegion":"EU-WEST-1"}}`, false},
		{`{"StringEqualsIgnoreCase":{"aws:RequestedRegion":"EU-WEST-1"}}`, true},
		{`{"StringNotEquals":{"aws:RequestedRegion":["us-east-1","us-west-2"]}}`, true}, // NOR
		{`{"StringNotEquals":{"aws:RequestedRegion":["us-east-1","eu-west-1"]}}`, false},
		{`{"StringLike":{"aws:ResourceTag/team":"Pay*"}}`, true},
		{`{"StringNotLike":{"aws:ResourceTag/team":"Pay*"}}`, false},
		{`{"StringEquals":{"aws:ResourceTag/missing":"x"}}`, false},        // missing key: false
		{`{"StringNotEquals":{"aws:ResourceTag/missing":"x"}}`, true},      // negated, missing: true
		{`{"StringEqualsIfExists":{"aws:ResourceTag/missing":"x"}}`, true}, // IfExists, missing: true
		{`{"StringEqualsIfExists":{"aws:ResourceTag/team":"x"}}`, false},   // IfExists, present: compared
		{`{"Null":{"aws:ResourceTag/missing":"true"}}`, true},
		{`{"Null":{"aws:ResourceTag/team":"true"}}`, false},
		{`{"Null":{"aws:ResourceTag/team":"false"}}`, true},
		{`{"Bool":{"aws:SecureTransport":"true"}}`, true},
		{`{"Bool":{"aws:SecureTransport":false}}`, false},
		{`{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, true},
		{`{"IpAddress":{"aws:SourceIp":["192.168.0.0/16","10.1.2.3"]}}`, true},
		{`{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, false},
		{`{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}`, false},
		{`{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::111122223333:user/*"}}`, true},
		{`{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::111122223333:user/*"}}`, false},
		{`{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:user/bob"}}`, false},
		{`{"NumericLessThan":{"kinesis:ShardCount":"10"}}`, true},
		{`{"NumericGreaterThanEquals":{"kinesis:ShardCount":4}}`, true},
		{`{"NumericGreaterThan":{"kinesis:ShardCount":"4"}}`, false},
		{`{"NumericEquals":{"kinesis:ShardCount":"four"}}`, false},
		{`{"DateLessThan":{"aws:CurrentTime":"2027-01-01T00:00:00Z"}}`, true},
		{`{"DateGreaterThan":{"aws:CurrentTime":"2027-01-01T00:00:00Z"}}`, false},
		{`{"DateGreaterThan":{"aws:EpochTime":"2026-01-01"}}`, true},
		{`{"ForAnyValue:StringEquals":{"aws:TagKeys":["env","owner"]}}`, true},
		{`{"ForAllValues:StringEquals":{"aws:TagKeys":["env","owner"]}}`, false},
		{`{"ForAllValues:StringEquals":{"aws:TagKeys":["env","team","owner"]}}`, true},
		{`{"ForAllValues:StringEquals":{"aws:RequestTag/missing":["x"]}}`, true}, // no values: vacuously true
		{`{"ForAnyValue:StringEquals":{"aws:RequestTag/missing":["x"]}}`, false},
		// AND across keys and operators.
		{`{"StringEquals":{"aws:RequestedRegion":"eu-west-1","aws:ResourceTag/team":"Payments"},"Bool":{"aws:SecureTransport":"true"}}`, true},
		{`{"StringEquals":{"aws:RequestedRegion":"eu-west-1","aws:ResourceTag/team":"Other"}}`, false},
		// Policy variables in values.
		{`{"StringEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:user/${aws:username}"}}`, true},
		{`{"StringEquals":{"aws:ResourceTag/team":"${aws:PrincipalTag/nope, 'Payments'}"}}`, true},
		{`{"NumericLessThanEquals":{"kinesis:ShardCount":"${aws:PrincipalTag/level}"}}`, true},
	}
	ctx["aws:username"] = []string{"alice"}
	for _, c := range cases {
		r := req(alice, "111122223333", "kinesis:PutRecord", stream, ctx)
		if got := Evaluate(r, []*Policy{cond(c.cond)}, nil).Allowed(); got != c.want {
			t.Errorf("%s: allowed %v, want %v", c.cond, got, c.want)
		}
	}
}

// TestResourceVariables: ${aws:username} in a Resource (2012-10-17 only).
func TestResourceVariables(t *testing.T) {
	doc := func(v string) *Policy {
		return mustParse(t, `{"Version":"`+v+`","Statement":[{"Effect":"Allow","Action":"kinesis:*","Resource":"arn:aws:kinesis:*:111122223333:stream/${aws:username}-*"}]}`, Identity)
	}
	r := req(alice, "111122223333", "kinesis:PutRecord", "arn:aws:kinesis:us-east-1:111122223333:stream/alice-logs", map[string][]string{"aws:username": {"alice"}})
	if !Evaluate(r, []*Policy{doc("2012-10-17")}, nil).Allowed() {
		t.Error("2012-10-17: the variable was not replaced")
	}
	if Evaluate(r, []*Policy{doc("2008-10-17")}, nil).Allowed() {
		t.Error("2008-10-17: variables are literal text there")
	}
	r.Resource = "arn:aws:kinesis:us-east-1:111122223333:stream/bob-logs"
	if Evaluate(r, []*Policy{doc("2012-10-17")}, nil).Allowed() {
		t.Error("another user's stream allowed")
	}
}

// TestValidation: documents IAM refuses, with their messages.
func TestValidation(t *testing.T) {
	cases := []struct {
		doc  string
		kind Kind
		want string
	}{
		{`{`, Identity, "Syntax errors in policy."},
		{`[]`, Identity, "Syntax errors in policy."},
		{`{"Version":"2012-10-17"}`, Identity, "Syntax errors in policy."},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kinesis:*","Resource":"*","Principal":"*"}]}`, Identity, "Policy document should not specify a principal."},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kinesis:*","Resource":"*"}]}`, Resource, "Missing required field Principal"},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*"}]}`, Identity, "Policy statement must contain actions."},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kinesis:*"}]}`, Identity, "Policy statement must contain resources."},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"kinesis:*","Resource":"*"}]}`, Identity, "Syntax errors in policy."},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"PutRecord","Resource":"*"}]}`, Identity, "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kinesis:*","Resource":"orders"}]}`, Identity, `Resource orders must be in ARN format or "*".`},
		{`{"Version":"2013-01-01","Statement":[{"Effect":"Allow","Action":"kinesis:*","Resource":"*"}]}`, Identity, "The policy must contain a valid version string"},
		{`{"Version":"2012-10-17","Statement":[{"Sid":"a","Effect":"Allow","Action":"kinesis:*","Resource":"*"},{"Sid":"a","Effect":"Deny","Action":"kinesis:*","Resource":"*"}]}`, Identity, "Statement IDs (SID) in a single policy must be unique."},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"alice"},"Action":"kinesis:*","Resource":"*"}]}`, Resource, "Invalid principal in policy"},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kinesis:*","Resource":"*","Condition":{"StringSortOf":{"a:b":"c"}}}]}`, Identity, "Invalid Condition type : StringSortOf"},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kinesis:*","Resource":"*","Extra":1}]}`, Identity, "Syntax errors in policy."},
	}
	for _, c := range cases {
		_, err := Parse(c.doc, c.kind)
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Message != c.want {
			t.Errorf("Parse(%s): %v, want %q", c.doc, err, c.want)
		}
	}
}

// TestAWSExamples: policies from the Kinesis and IAM documentation parse
// and decide as described there.
func TestAWSExamples(t *testing.T) {
	// Kinesis Data Streams developer guide, "Example producer policy".
	producer := mustParse(t, `{
	  "Version": "2012-10-17",
	  "Statement": [
	    {"Effect": "Allow", "Action": ["kinesis:DescribeStream", "kinesis:PutRecord", "kinesis:PutRecords"],
	     "Resource": ["arn:aws:kinesis:us-east-1:111122223333:stream/stream1"]}
	  ]}`, Identity)
	r := req(alice, "111122223333", "kinesis:PutRecords", "arn:aws:kinesis:us-east-1:111122223333:stream/stream1", nil)
	if !Evaluate(r, []*Policy{producer}, nil).Allowed() {
		t.Error("producer policy: PutRecords refused")
	}
	r.Action = "kinesis:GetRecords"
	if Evaluate(r, []*Policy{producer}, nil).Allowed() {
		t.Error("producer policy: GetRecords allowed")
	}
	// IAM user guide: deny everything outside an IP range
	// (aws:SourceIp with NotIpAddress) next to an allow.
	ipDeny := mustParse(t, `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"*","Resource":"*",
	  "Condition":{"NotIpAddress":{"aws:SourceIp":["192.0.2.0/24","203.0.113.0/24"]}}}}`, Identity)
	r.Action, r.Context = "kinesis:PutRecords", map[string][]string{"aws:sourceip": {"198.51.100.7"}}
	if d := Evaluate(r, []*Policy{producer, ipDeny}, nil); d.Reason != ExplicitDenyIdentity {
		t.Errorf("from outside the ranges: %v", d)
	}
	r.Context = map[string][]string{"aws:sourceip": {"192.0.2.9"}}
	if !Evaluate(r, []*Policy{producer, ipDeny}, nil).Allowed() {
		t.Error("from inside the ranges: refused")
	}
}

// TestRoundTrip: MarshalJSON writes what Parse reads back equal.
func TestRoundTrip(t *testing.T) {
	p := mustParse(t, `{"Version":"2012-10-17","Id":"x","Statement":[{"Sid":"s1","Effect":"Deny","NotPrincipal":{"AWS":["111122223333"]},
	  "NotAction":["kinesis:Get*"],"Resource":"*","Condition":{"StringLike":{"aws:PrincipalArn":["a*","b"]},"Bool":{"aws:SecureTransport":"false"}}}]}`, Resource)
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	q := mustParse(t, string(b), Resource)
	if !reflect.DeepEqual(p, q) {
		t.Fatalf("round trip:\n%+v\n%+v\n%s", p, q, b)
	}
}

func TestWildcard(t *testing.T) {
	for _, c := range []struct {
		pat, s string
		want   bool
	}{
		{"*", "", true}, {"a*c", "abbbc", true}, {"a*c", "abbbd", false}, {"a?c", "abc", true}, {"a?c", "ac", false},
		{"*a*b*", "xaxbx", true}, {strings.Repeat("*a", 30) + "b", strings.Repeat("a", 60), false},
	} {
		if got := wildcard(c.pat, c.s); got != c.want {
			t.Errorf("wildcard(%q, %q) = %v", c.pat, c.s, got)
		}
	}
}

// FuzzParse: the parser never panics, and what it accepts writes back to
// a document it reads as the same policy.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kinesis:*","Resource":"*"}]}`,
		`{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*","NotAction":["a:b"],"NotResource":"arn:aws:x:::y","Condition":{"ForAnyValue:StringLikeIfExists":{"k":["v",1,true]}}}}`,
		`{"Statement":[{"Effect":"Allow","Principal":{"AWS":["111122223333","arn:aws:iam::111122223333:root"],"Service":"s"},"Action":"a:b","Resource":"*"}]}`,
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, doc string, resource bool) {
		kind := Identity
		if resource {
			kind = Resource
		}
		p, err := Parse(doc, kind)
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error of another type: %T %v", err, err)
			}
			return
		}
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		q, err := Parse(string(b), kind)
		if err != nil {
			t.Fatalf("re-encoded %s does not parse: %v", b, err)
		}
		if !reflect.DeepEqual(p, q) {
			t.Fatalf("round trip differs:\n%+v\n%+v", p, q)
		}
		// Evaluation never panics either.
		Evaluate(&Request{Principal: alice, Account: "111122223333", Action: "kinesis:PutRecord", Resource: stream,
			Context: map[string][]string{"k": {"v"}}}, []*Policy{p}, p)
	})
}

// BenchmarkEvaluate: a five-statement identity policy with conditions
// and a resource policy, as a typical request meets them.
//
//	go test -run '^$' -bench Evaluate ./iam/policy/
func BenchmarkEvaluate(b *testing.B) {
	id, err := Parse(`{"Version":"2012-10-17","Statement":[
	  {"Effect":"Allow","Action":["kinesis:Describe*","kinesis:List*"],"Resource":"*"},
	  {"Effect":"Allow","Action":["kinesis:PutRecord","kinesis:PutRecords"],"Resource":"arn:aws:kinesis:*:111122223333:stream/orders*",
	   "Condition":{"Bool":{"aws:SecureTransport":"true"},"IpAddress":{"aws:SourceIp":["10.0.0.0/8","192.168.0.0/16"]}}},
	  {"Effect":"Allow","Action":"kinesis:Get*","Resource":"arn:aws:kinesis:*:111122223333:stream/${aws:username}-*"},
	  {"Effect":"Deny","Action":"kinesis:Delete*","Resource":"*"},
	  {"Effect":"Deny","NotAction":"kinesis:*","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["us-east-1","eu-west-1"]}}}]}`, Identity)
	if err != nil {
		b.Fatal(err)
	}
	res, err := Parse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kinesis:*","Resource":"`+stream+`"}]}`, Resource)
	if err != nil {
		b.Fatal(err)
	}
	r := req(alice, "111122223333", "kinesis:PutRecords", stream, map[string][]string{
		"aws:securetransport": {"true"}, "aws:sourceip": {"10.1.2.3"}, "aws:requestedregion": {"us-east-1"}, "aws:username": {"alice"}})
	for b.Loop() {
		if !Evaluate(r, []*Policy{id}, res).Allowed() {
			b.Fatal("denied")
		}
	}
}
