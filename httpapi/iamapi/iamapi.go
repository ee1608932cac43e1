// Package iamapi serves a subset of AWS IAM over the Query protocol IAM
// speaks (Action=...&Version=2010-05-08, answered in XML): users
// (CreateUser, GetUser, ListUsers, DeleteUser), their access keys
// (CreateAccessKey, ListAccessKeys, DeleteAccessKey), inline policies
// (PutUserPolicy, GetUserPolicy, ListUserPolicies, DeleteUserPolicy),
// customer managed policies (CreatePolicy, AttachUserPolicy,
// DetachUserPolicy, ListAttachedUserPolicies) and roles (CreateRole,
// GetRole, ListRoles, DeleteRole, UpdateAssumeRolePolicy, the
// Put/Get/List/DeleteRolePolicy and Attach/Detach/ListAttachedRolePolicies
// calls), over package iam's directory. Every call is authorized as iam:<Action> on the user's or
// the policy's ARN, so only the account's root, or a user whose policies
// allow it, manages identities.
//
// Shapes are IAM's (aws-sdk-go-v2 service/iam); policy documents are
// returned URL-encoded, as IAM returns them.
package iamapi

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/httpapi"
	"github.com/eddy-streams/eddy/iam"
)

// Namespace is IAM's XML namespace.
const Namespace = "https://iam.amazonaws.com/doc/2010-05-08/"

// errNoIdentities answers IAM calls on a server without --identities. No
// AWS source: IAM always has identities.
var errNoIdentities = eddy.Errorf("InvalidClientTokenId", "Eddy serves IAM only with identities (eddy serve --identities).")

// status is the HTTP status of IAM's error codes (service/iam's
// httpError traits).
func status(code string) int {
	switch code {
	case "NoSuchEntity":
		return http.StatusNotFound
	case "EntityAlreadyExists", "DeleteConflict", "LimitExceeded", eddy.CodeLimitExceeded:
		return http.StatusConflict
	}
	return http.StatusBadRequest
}

type op func(ctx context.Context, dir *iam.Directory, c *iam.Caller, f url.Values, now time.Time) (any, error)

// Service returns IAM over dir (nil: every call answers that Eddy has no
// identities). now is the clock (time.Now if nil).
func Service(dir *iam.Directory, now func() time.Time) httpapi.QueryService {
	if now == nil {
		now = time.Now
	}
	ops := map[string]op{
		"CreateUser": func(_ context.Context, d *iam.Directory, c *iam.Caller, f url.Values, now time.Time) (any, error) {
			u, err := d.CreateUser(c, f.Get("UserName"), f.Get("Path"), now)
			return userResult(u), err
		},
		"GetUser": func(_ context.Context, d *iam.Directory, c *iam.Caller, f url.Values, _ time.Time) (any, error) {
			u, err := d.GetUser(c, f.Get("UserName"))
			return userResult(u), err
		},
		"ListUsers": func(_ context.Context, d *iam.Directory, c *iam.Caller, f url.Values, _ time.Time) (any, error) {
			return &struct {
				Users       []iam.User `xml:"Users>member"`
				IsTruncated bool       `xml:"IsTruncated"`
			}{Users: d.ListUsers(c, f.Get("PathPrefix"))}, nil
		},
		"DeleteUser": func(_ context.Context, d *iam.Directory, c *iam.Caller, f url.Values, _ time.Time) (any, error) {
			return nil, d.DeleteUser(c, f.Get("UserName"))
		},
		"CreateAccessKey": func(_ context.Context, d *iam.Directory, c *iam.Caller, f url.Values, now time.Time) (any, error) {
			k, err := d.CreateAccessKey(c, f.Get("UserName"), now)
			if err != nil {
				return nil, err
			}
			return &struct {
				AccessKey *iam.AccessKey `xml:"AccessKey"`
			}{k}, nil
		},
		"ListAccessKeys": func(_ context.Context, d *iam.Directory, c *iam.Caller, f url.Values, _ time.Time) (any, error) {
			keys, err := d.ListAccessKeys(c, f.Get("UserName"))
			if err != nil {
				return nil, err
			}
			return &struct {
				Keys        []iam.AccessKey `xml:"AccessKeyMetadata>member"`
				IsTruncated bool            `xml:"IsTruncated"`
			}{Keys: keys}, nil
		},
		"DeleteAccessKey": func(_ context.Context, d *iam.Directory, c *iam.Caller, f url.Values, _ time.Time) (any, error) {
			return nil, d.DeleteAccessKey(c, f.Get("UserName"), f.Get("AccessKeyId"))
		},
		"PutUserPolicy": func(_ context.Context, d *iam.Directory, c *iam.Caller, f url.Values, _ time.Time) (any, error) {
			return nil, d.PutUserPolicy(c, f.Get("UserName"), f.Get("PolicyName"), f.Get("PolicyDocument"))
		},
		"GetUserPolicy": func(_ context.Context, d *iam.Directory, c *iam.Caller, f url.Values, _ time.Time) (any, error) {
			doc, err := d.GetUserPolicy(c, f.Get("UserName"), f.Get("PolicyName"))
			if err != nil {
				return nil, err
			}
			return &struct {
				UserName       string `xml:"UserName"`
				PolicyName     string `xml:"PolicyName"`
				PolicyDocument string `xml:"PolicyDocument"`
			}{f.Get("UserName"), f.Get("PolicyName"), encodeDocument(doc)}, nil
		},
		"ListUserPolicies": func(_ context.Context, d *iam.Directory, c *iam.Caller, f url.Values, _ time.Time) (any, error) {
			return namesResult(d.ListUserPolicies(c, f.Get("UserName")))
		},
		"DeleteUserPolicy": func(_ context.Context, d *iam.Directory, c *iam.Caller, f url.Values, _ time.Time) (any, error) {
			return nil, d.DeleteUserPolicy(c, f.Get("UserName"), f.Get("PolicyName"))
		},
		"CreatePolicy": func(_ context.Context, d *iam.Directory, c *iam.Caller, f url.Values, now time.Time) (any, error) {
			p, err := d.CreatePolicy(c, f.Get("PolicyName"), f.Get("Path"), f.Get("PolicyDocument"), f.Get("Description"), now)
			if err != nil {
				return nil, err
			}
			return &struct {
				Policy *iam.ManagedPolicy `xml:"Policy"`
			}{p}, nil
		},
		"AttachUserPolicy": func(_ context.Context, d *iam.Directory, c *iam.Caller, f url.Values, _ time.Time) (any, error) {
			return nil, d.AttachUserPolicy(c, f.Get("UserName"), f.Get("PolicyArn"))
		},
		"DetachUserPolicy": func(_ context.Context, d *iam.Directory, c *iam.Caller, f url.Values, _ time.Time) (any, error) {
			return nil, d.DetachUserPolicy(c, f.Get("UserName"), f.Get("PolicyArn"))
		},
		"ListAttachedUserPolicies": func(_ context.Context, d *iam.Directory, c *iam.Caller, f url.Values, _ time.Time) (any, error) {
			return attachedResult(d.ListAttachedUserPolicies(c, f.Get("UserName")))
		},
	}
	roleResult := func(r *iam.Role, err error) (any, error) {
		if err != nil {
			return nil, err
		}
		return &struct {
			Role *iam.Role `xml:"Role"`
		}{r}, nil
	}
	ops["CreateRole"] = func(_ context.Context, d *iam.Directory, c *iam.Caller, f url.Values, now time.Time) (any, error) {
		max := 0
		if v := f.Get("MaxSessionDuration"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return nil, eddy.Errorf("ValidationError", "Value '%s' at 'maxSessionDuration' failed to satisfy constraint: Member must be an integer", v)
			}
			max = n
		}
		return roleResult(d.CreateRole(c, f.Get("RoleName"), f.Get("Path"), f.Get("AssumeRolePolicyDocument"), f.Get("Description"), max, now, encodeDocument))
	}
	ops["GetRole"] = func(_ context.Context, d *iam.Directory, c *iam.Caller, f url.Values, _ time.Time) (any, error) {
		return roleResult(d.GetRole(c, f.Get("RoleName"), encodeDocument))
	}
	ops["ListRoles"] = func(_ context.Context, d *iam.Directory, c *iam.Caller, f url.Values, _ time.Time) (any, error) {
		return &struct {
			Roles       []iam.Role `xml:"Roles>member"`
			IsTruncated bool       `xml:"IsTruncated"`
		}{Roles: d.ListRoles(c, f.Get("PathPrefix"), encodeDocument)}, nil
	}
	ops["DeleteRole"] = func(_ context.Context, d *iam.Directory, c *iam.Caller, f url.Values, _ time.Time) (any, error) {
		return nil, d.DeleteRole(c, f.Get("RoleName"))
	}
	ops["UpdateAssumeRolePolicy"] = func(_ context.Context, d *iam.Directory, c *iam.Caller, f url.Values, _ time.Time) (any, error) {
		return nil, d.UpdateAssumeRolePolicy(c, f.Get("RoleName"), f.Get("PolicyDocument"))
	}
	ops["PutRolePolicy"] = func(_ context.Context, d *iam.Directory, c *iam.Caller, f url.Values, _ time.Time) (any, error) {
		return nil, d.PutRolePolicy(c, f.Get("RoleName"), f.Get("PolicyName"), f.Get("PolicyDocument"))
	}
	ops["GetRolePolicy"] = func(_ context.Context, d *iam.Directory, c *iam.Caller, f url.Values, _ time.Time) (any, error) {
		doc, err := d.GetRolePolicy(c, f.Get("RoleName"), f.Get("PolicyName"))
		if err != nil {
			return nil, err
		}
		return &struct {
			RoleName       string `xml:"RoleName"`
			PolicyName     string `xml:"PolicyName"`
			PolicyDocument string `xml:"PolicyDocument"`
		}{f.Get("RoleName"), f.Get("PolicyName"), encodeDocument(doc)}, nil
	}
	ops["ListRolePolicies"] = func(_ context.Context, d *iam.Directory, c *iam.Caller, f url.Values, _ time.Time) (any, error) {
		return namesResult(d.ListRolePolicies(c, f.Get("RoleName")))
	}
	ops["DeleteRolePolicy"] = func(_ context.Context, d *iam.Directory, c *iam.Caller, f url.Values, _ time.Time) (any, error) {
		return nil, d.DeleteRolePolicy(c, f.Get("RoleName"), f.Get("PolicyName"))
	}
	ops["AttachRolePolicy"] = func(_ context.Context, d *iam.Directory, c *iam.Caller, f url.Values, _ time.Time) (any, error) {
		return nil, d.AttachRolePolicy(c, f.Get("RoleName"), f.Get("PolicyArn"))
	}
	ops["DetachRolePolicy"] = func(_ context.Context, d *iam.Directory, c *iam.Caller, f url.Values, _ time.Time) (any, error) {
		return nil, d.DetachRolePolicy(c, f.Get("RoleName"), f.Get("PolicyArn"))
	}
	ops["ListAttachedRolePolicies"] = func(_ context.Context, d *iam.Directory, c *iam.Caller, f url.Values, _ time.Time) (any, error) {
		return attachedResult(d.ListAttachedRolePolicies(c, f.Get("RoleName")))
	}
	svc := httpapi.QueryService{
		SigningName: "iam",
		Namespace:   Namespace,
		Status:      status,
		Operations:  map[string]func(context.Context, url.Values) (any, error){},
		Authorize: func(ctx context.Context, action string, f url.Values) ([]iam.Resource, bool) {
			return resources(ctx, action, f), true
		},
	}
	for name, o := range ops {
		svc.Operations[name] = func(ctx context.Context, f url.Values) (any, error) {
			c := httpapi.Caller(ctx)
			if dir == nil || c == nil {
				return nil, errNoIdentities
			}
			out, err := o(ctx, dir, c, f, now())
			if err != nil {
				return nil, err
			}
			return out, nil
		}
	}
	return svc
}

// namesResult is List{User,Role}Policies' answer.
func namesResult(names []string, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	return &struct {
		PolicyNames []string `xml:"PolicyNames>member"`
		IsTruncated bool     `xml:"IsTruncated"`
	}{PolicyNames: names}, nil
}

// attachedResult is ListAttached{User,Role}Policies' answer.
func attachedResult(pairs [][2]string, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	type attached struct {
		PolicyName string `xml:"PolicyName"`
		PolicyArn  string `xml:"PolicyArn"`
	}
	out := &struct {
		Policies    []attached `xml:"AttachedPolicies>member"`
		IsTruncated bool       `xml:"IsTruncated"`
	}{}
	for _, p := range pairs {
		out.Policies = append(out.Policies, attached{p[0], p[1]})
	}
	return out, nil
}

func userResult(u *iam.User) any {
	if u == nil {
		return nil
	}
	return &struct {
		User *iam.User `xml:"User"`
	}{u}
}

// resources is what an IAM action acts on: the user named (the caller
// itself when none is), or the policy; ListUsers acts on "*". A user's
// ARN is taken without its path (the request does not carry it).
func resources(ctx context.Context, action string, f url.Values) []iam.Resource {
	c := httpapi.Caller(ctx)
	if c == nil {
		return nil
	}
	if role := f.Get("RoleName"); role != "" {
		p := "/"
		if action == "CreateRole" {
			p = path(f.Get("Path"))
		}
		return []iam.Resource{{ARN: "arn:aws:iam::" + c.Account + ":role" + p + role}}
	}
	switch action {
	case "ListUsers", "ListRoles":
		return nil
	case "CreatePolicy":
		return []iam.Resource{{ARN: "arn:aws:iam::" + c.Account + ":policy" + path(f.Get("Path")) + f.Get("PolicyName")}}
	}
	name := f.Get("UserName")
	if name == "" && c.Type == "User" {
		return []iam.Resource{{ARN: c.ARN}}
	}
	p := "/"
	if action == "CreateUser" {
		p = path(f.Get("Path"))
	}
	return []iam.Resource{{ARN: "arn:aws:iam::" + c.Account + ":user" + p + name}}
}

func path(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

// encodeDocument URL-encodes a policy document as IAM returns it (RFC
// 3986: a space is %20).
func encodeDocument(doc string) string {
	return strings.ReplaceAll(url.QueryEscape(doc), "+", "%20")
}
