package iam

import (
	"strings"
	"testing"
	"time"

	"github.com/eddy-streams/eddy"
)

const testFile = `{"Accounts":[{"Id":"111111111111",
  "Users":[{"UserName":"u","AccessKeys":[{"AccessKeyId":"AKIAUSER000000000000","SecretAccessKey":"s"}],
    "Policies":{"p":{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}}}}],
  "Roles":[{"RoleName":"r","MaxSessionDuration":3600,
    "AssumeRolePolicyDocument":{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"sts:AssumeRole",
      "Condition":{"StringEquals":{"sts:ExternalId":"ext-1"}}}},
    "Policies":{"q":{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kinesis:List*","Resource":"*"}}}}]}]}`

func TestAssumeRoleAndExpiry(t *testing.T) {
	d, err := Parse([]byte(testFile))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	secret, u, eerr := d.Credential("AKIAUSER000000000000", "", now)
	if eerr != nil || secret != "s" || u.ARN != "arn:aws:iam::111111111111:user/u" {
		t.Fatalf("Credential: %q %+v %v", secret, u, eerr)
	}
	const role = "arn:aws:iam::111111111111:role/r"
	// The trust policy's condition wants the external id.
	if _, _, err := d.AssumeRole(u, role, "s1", "", "", 0, Call{Now: now}); err == nil || err.Code != eddy.CodeAccessDenied {
		t.Errorf("without the external id: %v", err)
	}
	if _, _, err := d.AssumeRole(u, role, "s1", "ext-1", "", 2*time.Hour, Call{Now: now}); err == nil || !strings.Contains(err.Message, "MaxSessionDuration") {
		t.Errorf("beyond MaxSessionDuration: %v", err)
	}
	if _, _, err := d.AssumeRole(u, "arn:aws:iam::111111111111:role/missing", "s1", "ext-1", "", 0, Call{Now: now}); err == nil || err.Code != eddy.CodeAccessDenied {
		t.Errorf("a missing role: %v", err)
	}
	creds, sess, aerr := d.AssumeRole(u, role, "s1", "ext-1", "", 15*time.Minute, Call{Now: now})
	if aerr != nil {
		t.Fatal(aerr)
	}
	if !strings.HasPrefix(creds.AccessKeyID, "ASIA") || sess.ARN != "arn:aws:sts::111111111111:assumed-role/r/s1" || sess.PrincipalARN != role {
		t.Errorf("session %+v %+v", creds, sess)
	}
	if _, _, err := d.Credential(creds.AccessKeyID, "wrong", now); err == nil || err.Code != eddy.CodeUnrecognizedClient {
		t.Errorf("a wrong session token: %v", err)
	}
	if _, c, err := d.Credential(creds.AccessKeyID, creds.SessionToken, now.Add(14*time.Minute)); err != nil || c != sess {
		t.Errorf("within the session: %v", err)
	}
	if _, _, err := d.Credential(creds.AccessKeyID, creds.SessionToken, now.Add(15*time.Minute)); err == nil || err.Code != eddy.CodeExpiredToken {
		t.Errorf("after expiry: %v", err)
	}
	// The session has the role's permissions, not the user's.
	if err := d.Authorize(sess, &Call{Action: "kinesis:ListStreams", Now: now}); err != nil {
		t.Errorf("session ListStreams: %v", err)
	}
	if err := d.Authorize(sess, &Call{Action: "sts:AssumeRole", Now: now, Resources: []Resource{{ARN: role}}}); err == nil {
		t.Error("the session may assume roles: its role's policies do not allow it")
	}
}

func TestParseRejects(t *testing.T) {
	for _, tc := range []struct{ doc, want string }{
		{`{"Accounts":[{"Id":"111111111111","RootAccessKeys":[{"AccessKeyId":"short","SecretAccessKey":"s"}]}]}`, "16 to 128"},
		{`{"Accounts":[{"Id":"111111111111","RootAccessKeys":[{"AccessKeyId":"AKIAAAAAAAAAAAAAAAAA","SecretAccessKey":"s"}]},{"Id":"222222222222","RootAccessKeys":[{"AccessKeyId":"AKIAAAAAAAAAAAAAAAAA","SecretAccessKey":"t"}]}]}`, "given twice"},
		{`{"Accounts":[{"Id":"111111111111","Roles":[{"RoleName":"r","AssumeRolePolicyDocument":{"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Resource":"*"}}}]}]}`, "prohibited field Resource"},
		{`{"Accounts":[{"Id":"111111111111","Users":[{"UserName":"bad name"}]}]}`, "UserName"},
		{`{"Accounts":[{"Id":"111111111111","Roles":[{"RoleName":"r","MaxSessionDuration":60,"AssumeRolePolicyDocument":{"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}}}]}]}`, "MaxSessionDuration"},
	} {
		if _, err := Parse([]byte(tc.doc)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.doc, err, tc.want)
		}
	}
}

// BenchmarkAuthorize is one call's authorization: a user with an inline
// policy of two statements (one with a condition), on a stream with a
// resource policy.
func BenchmarkAuthorize(b *testing.B) {
	d, err := Parse([]byte(`{"Accounts":[{"Id":"111111111111","Users":[{"UserName":"u",
	  "AccessKeys":[{"AccessKeyId":"AKIAUSER000000000000","SecretAccessKey":"s"}],
	  "Policies":{"p":{"Version":"2012-10-17","Statement":[
	    {"Effect":"Allow","Action":["kinesis:PutRecord*","kinesis:Get*"],"Resource":"arn:aws:kinesis:*:111111111111:stream/orders-*",
	     "Condition":{"IpAddress":{"aws:SourceIp":"127.0.0.0/8"}}},
	    {"Effect":"Deny","Action":"kinesis:DeleteStream","Resource":"*"}]}}}]}]}`))
	if err != nil {
		b.Fatal(err)
	}
	_, c, eerr := d.Credential("AKIAUSER000000000000", "", time.Now())
	if eerr != nil {
		b.Fatal(eerr)
	}
	call := &Call{Action: "kinesis:PutRecords", Region: "us-east-1", SourceIP: "127.0.0.1", Now: time.Now(),
		Resources: []Resource{{ARN: "arn:aws:kinesis:us-east-1:111111111111:stream/orders-1", Tags: map[string]string{"team": "blue"},
			Policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"kinesis:PutRecord","Resource":"*"}]}`}}}
	b.ReportAllocs()
	for b.Loop() {
		if err := d.Authorize(c, call); err != nil {
			b.Fatal(err)
		}
	}
}

// TestConcurrentChanges changes a user's and a role's policies while
// their keys and sessions are authorized (run with -race).
func TestConcurrentChanges(t *testing.T) {
	d := NewDirectory()
	if err := d.AddRootKey("111111111111", "AKIAROOT000000000000", "r"); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	_, root, _ := d.Credential("AKIAROOT000000000000", "", now)
	if _, err := d.CreateUser(root, "u", "", now); err != nil {
		t.Fatal(err)
	}
	key, err := d.CreateAccessKey(root, "u", now)
	if err != nil {
		t.Fatal(err)
	}
	trust := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/u"},"Action":"sts:AssumeRole"}}`
	if _, err := d.CreateRole(root, "r", "", trust, "", 0, now, func(s string) string { return s }); err != nil {
		t.Fatal(err)
	}
	_, u, _ := d.Credential(key.AccessKeyID, "", now)
	creds, _, aerr := d.AssumeRole(u, "arn:aws:iam::111111111111:role/r", "s", "", "", 0, Call{Now: now})
	if aerr != nil {
		t.Fatal(aerr)
	}
	allow := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kinesis:ListStreams","Resource":"*"}}`
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 200; i++ {
			if err := d.PutUserPolicy(root, "u", "p", allow); err != nil {
				t.Error(err)
			}
			if err := d.PutRolePolicy(root, "r", "p", allow); err != nil {
				t.Error(err)
			}
			d.DeleteUserPolicy(root, "u", "p")
			d.DeleteRolePolicy(root, "r", "p")
		}
	}()
	for i := 0; i < 200; i++ {
		for _, k := range [][2]string{{key.AccessKeyID, ""}, {creds.AccessKeyID, creds.SessionToken}} {
			_, c, err := d.Credential(k[0], k[1], now)
			if err != nil {
				t.Fatal(err)
			}
			d.Authorize(c, &Call{Action: "kinesis:ListStreams", Now: now})
		}
	}
	<-done
	// In the end both have the policy removed: denied.
	_, c, _ := d.Credential(creds.AccessKeyID, creds.SessionToken, now)
	if err := d.Authorize(c, &Call{Action: "kinesis:ListStreams", Now: now}); err == nil {
		t.Error("the session is allowed after its role's policy was deleted")
	}
	if err := d.PutRolePolicy(root, "r", "p", allow); err != nil {
		t.Fatal(err)
	}
	_, c, _ = d.Credential(creds.AccessKeyID, creds.SessionToken, now)
	if err := d.Authorize(c, &Call{Action: "kinesis:ListStreams", Now: now}); err != nil {
		t.Errorf("the session after its role got the policy back: %v", err)
	}
}

// TestSessionPolicy: an AssumeRole session policy bounds the role's
// permissions, with IAM's session-policy messages.
func TestSessionPolicy(t *testing.T) {
	d, err := Parse([]byte(`{"Accounts":[{"Id":"111111111111",
	  "Users":[{"UserName":"u","AccessKeys":[{"AccessKeyId":"AKIAUSER000000000000","SecretAccessKey":"s"}]}],
	  "Roles":[{"RoleName":"r","AssumeRolePolicyDocument":{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/u"},"Action":"sts:AssumeRole"}},
	    "Policies":{"all":{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kinesis:*","Resource":"*"}}}}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	_, u, _ := d.Credential("AKIAUSER000000000000", "", now)
	const role = "arn:aws:iam::111111111111:role/r"
	if _, _, err := d.AssumeRole(u, role, "s", "", `{"Statement":{"Effect":"Allow","Action":"kinesis:*"}}`, 0, Call{Now: now}); err == nil || err.Code != "MalformedPolicyDocument" {
		t.Errorf("a session policy without resources: %v", err)
	}
	creds, _, aerr := d.AssumeRole(u, role, "s", "", `{"Version":"2012-10-17","Statement":[
	  {"Effect":"Allow","Action":"kinesis:Get*","Resource":"arn:aws:kinesis:*:111111111111:stream/a"},
	  {"Effect":"Deny","Action":"kinesis:GetShardIterator","Resource":"*"}]}`, 0, Call{Now: now})
	if aerr != nil {
		t.Fatal(aerr)
	}
	_, c, _ := d.Credential(creds.AccessKeyID, creds.SessionToken, now)
	on := func(action, stream string) *Call {
		return &Call{Action: action, Now: now, Resources: []Resource{{ARN: "arn:aws:kinesis:us-east-1:111111111111:stream/" + stream}}}
	}
	if err := d.Authorize(c, on("kinesis:GetRecords", "a")); err != nil {
		t.Errorf("allowed by both: %v", err)
	}
	const head = "User: arn:aws:sts::111111111111:assumed-role/r/s is not authorized to perform: "
	for _, tc := range []struct {
		call *Call
		want string
	}{
		{on("kinesis:GetRecords", "b"), head + "kinesis:GetRecords on resource: arn:aws:kinesis:us-east-1:111111111111:stream/b because no session policy allows the kinesis:GetRecords action"},
		{on("kinesis:PutRecord", "a"), head + "kinesis:PutRecord on resource: arn:aws:kinesis:us-east-1:111111111111:stream/a because no session policy allows the kinesis:PutRecord action"},
		{on("kinesis:GetShardIterator", "a"), head + "kinesis:GetShardIterator on resource: arn:aws:kinesis:us-east-1:111111111111:stream/a with an explicit deny in a session policy"},
	} {
		if err := d.Authorize(c, tc.call); err == nil || err.Message != tc.want {
			t.Errorf("%s: %v\nwant %s", tc.call.Action, err, tc.want)
		}
	}
}
