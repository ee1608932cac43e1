// Package stsapi serves the subset of AWS STS (Security Token Service)
// that Eddy's identities need, over the Query protocol STS speaks
// (Action=...&Version=2011-06-15, answered in XML): GetCallerIdentity,
// and AssumeRole issuing temporary credentials with a session token for
// the roles of the identities file (package iam).
//
// Shapes, parameter constraints and messages are STS's (aws-sdk-go-v2
// service/sts, and the STS API Reference).
package stsapi

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/httpapi"
	"github.com/eddy-streams/eddy/iam"
)

// Namespace is STS's XML namespace.
const Namespace = "https://sts.amazonaws.com/doc/2011-06-15/"

// Service returns STS over dir (nil: a server without identities, where
// GetCallerIdentity answers the root of account, as every caller acts for
// it, and AssumeRole is refused). now is the clock (time.Now if nil).
func Service(dir *iam.Directory, account string, now func() time.Time) httpapi.QueryService {
	if now == nil {
		now = time.Now
	}
	return httpapi.QueryService{
		SigningName: "sts",
		Namespace:   Namespace,
		Operations: map[string]func(context.Context, url.Values) (any, error){
			"GetCallerIdentity": func(ctx context.Context, _ url.Values) (any, error) {
				c := httpapi.Caller(ctx)
				if c == nil {
					return &callerIdentity{UserID: account, Account: account, Arn: "arn:aws:iam::" + account + ":root"}, nil
				}
				return &callerIdentity{UserID: c.UserID, Account: c.Account, Arn: c.ARN}, nil
			},
			"AssumeRole": func(ctx context.Context, form url.Values) (any, error) {
				return assumeRole(ctx, dir, form, now())
			},
		},
	}
}

// errNoIdentities answers STS calls on a server without --identities: no
// caller is known. No AWS source: STS always knows its callers.
var errNoIdentities = eddy.Errorf("InvalidClientTokenId", "Eddy serves STS only with identities (eddy serve --identities).")

type callerIdentity struct {
	UserID  string `xml:"UserId"`
	Account string `xml:"Account"`
	Arn     string `xml:"Arn"`
}

type assumeRoleResult struct {
	Credentials struct {
		AccessKeyID     string `xml:"AccessKeyId"`
		SecretAccessKey string `xml:"SecretAccessKey"`
		SessionToken    string `xml:"SessionToken"`
		Expiration      string `xml:"Expiration"`
	} `xml:"Credentials"`
	AssumedRoleUser struct {
		AssumedRoleID string `xml:"AssumedRoleId"`
		Arn           string `xml:"Arn"`
	} `xml:"AssumedRoleUser"`
}

// STS's constraints on AssumeRole's parameters (the model's: RoleArn
// 20-2048, RoleSessionName 2-64 of [\w+=,.@-]*, DurationSeconds
// 900-43200, ExternalId 2-1224 of [\w+=,.@:\/-]*).
var (
	sessionNamePattern = regexp.MustCompile(`^[\w+=,.@-]*$`)
	externalIDPattern  = regexp.MustCompile(`^[\w+=,.@:/-]*$`)
)

func assumeRole(ctx context.Context, dir *iam.Directory, form url.Values, now time.Time) (any, error) {
	c := httpapi.Caller(ctx)
	if c == nil || dir == nil {
		return nil, errNoIdentities
	}
	roleARN, session, ext := form.Get("RoleArn"), form.Get("RoleSessionName"), form.Get("ExternalId")
	var problems []string
	// AWS's validation message: "N validation error(s) detected: Value
	// 'v' at 'member' failed to satisfy constraint: Member must ...",
	// members in the model's lowerCamel names.
	check := func(ok bool, v, member, constraint string) {
		if !ok {
			problems = append(problems, fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: Member must %s", v, member, constraint))
		}
	}
	check(len(roleARN) >= 20, roleARN, "roleArn", "have length greater than or equal to 20")
	check(len(roleARN) <= 2048, roleARN, "roleArn", "have length less than or equal to 2048")
	check(len(session) >= 2, session, "roleSessionName", "have length greater than or equal to 2")
	check(len(session) <= 64, session, "roleSessionName", "have length less than or equal to 64")
	check(sessionNamePattern.MatchString(session), session, "roleSessionName", "satisfy regular expression pattern: [\\w+=,.@-]*")
	var duration time.Duration
	if d := form.Get("DurationSeconds"); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil {
			return nil, eddy.Errorf("ValidationError", "Value '%s' at 'durationSeconds' failed to satisfy constraint: Member must be an integer", d)
		}
		check(n >= 900, d, "durationSeconds", "have value greater than or equal to 900")
		check(n <= 43200, d, "durationSeconds", "have value less than or equal to 43200")
		duration = time.Duration(n) * time.Second
	}
	if ext != "" {
		check(len(ext) >= 2, ext, "externalId", "have length greater than or equal to 2")
		check(len(ext) <= 1224, ext, "externalId", "have length less than or equal to 1224")
		check(externalIDPattern.MatchString(ext), ext, "externalId", "satisfy regular expression pattern: [\\w+=,.@:\\/-]*")
	}
	if len(problems) > 0 {
		msg := fmt.Sprintf("%d validation error", len(problems))
		if len(problems) > 1 {
			msg += "s"
		}
		msg += " detected: " + problems[0]
		for _, p := range problems[1:] {
			msg += "; " + p
		}
		return nil, &eddy.Error{Code: "ValidationError", Message: msg}
	}
	if form.Get("PolicyArns.member.1.arn") != "" {
		// Managed session policies narrow a session's permissions;
		// granting the role's whole permissions instead would be wrong,
		// so refuse. (The inline Policy is supported.)
		return nil, eddy.Errorf("ValidationError", "Eddy does not support managed session policies (PolicyArns) in AssumeRole; give the policy inline (Policy).")
	}
	if p := form.Get("Policy"); len(p) > 2048 {
		// The model's limit on Policy (1 to 2048 characters).
		return nil, eddy.Errorf("ValidationError", "1 validation error detected: Value at 'policy' failed to satisfy constraint: Member must have length less than or equal to 2048")
	}
	creds, sess, err := dir.AssumeRole(c, roleARN, session, ext, form.Get("Policy"), duration, iam.Call{Region: httpapi.Region(ctx), Now: now})
	if err != nil {
		if err.Code == eddy.CodeAccessDenied {
			err = &eddy.Error{Code: "AccessDenied", Message: err.Message}
		}
		return nil, err
	}
	out := &assumeRoleResult{}
	out.Credentials.AccessKeyID = creds.AccessKeyID
	out.Credentials.SecretAccessKey = creds.SecretAccessKey
	out.Credentials.SessionToken = creds.SessionToken
	out.Credentials.Expiration = creds.Expiration.UTC().Format(time.RFC3339)
	out.AssumedRoleUser.AssumedRoleID = sess.UserID
	out.AssumedRoleUser.Arn = sess.ARN
	return out, nil
}
