package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/eddy-streams/eddy/httpapi"
	"github.com/eddy-streams/eddy/iam"
)

// functionCredentialsLife is how long a function instance's execution
// role credentials last; an instance is not reused within 5 minutes of
// their end, so a new one gets fresh ones.
const functionCredentialsLife = 6 * time.Hour

// loadIdentities reads --identities; --access-key-id, if given too, signs
// as the root of --account-id.
func loadIdentities(cfg serveConfig) (*iam.Directory, error) {
	dir, err := iam.LoadFile(cfg.Identities)
	if err != nil {
		return nil, fmt.Errorf("--identities: %w", err)
	}
	if cfg.AccessKeyID != "" {
		if err := dir.AddRootKey(cfg.AccountID, cfg.AccessKeyID, cfg.SecretKey); err != nil {
			return nil, fmt.Errorf("--access-key-id with --identities: %w", err)
		}
	}
	return dir, nil
}

// namedResources authorizes a service's calls on the resource its input
// names (by name, or by an ARN given in its place): the ARN arn makes of
// the request's region, the account and the name; none when the input
// names none. The account is the caller's (each service keeps each
// account's resources apart), else the server's (account).
func namedResources(account string, nameOf func(any) string, arn func(region, account, name string) string) func(context.Context, string, any) []iam.Resource {
	return func(ctx context.Context, _ string, in any) []iam.Resource {
		name := nameOf(in)
		if name == "" {
			return nil
		}
		if strings.HasPrefix(name, "arn:") {
			return []iam.Resource{{ARN: name}}
		}
		acct := account
		if c := httpapi.Caller(ctx); c != nil {
			acct = c.Account
		}
		return []iam.Resource{{ARN: arn(httpapi.Region(ctx), acct, name)}}
	}
}

// authorizeServices gives the JSON services that are not Kinesis their
// resources for authorization: Firehose's delivery streams, DynamoDB's
// tables, KMS's keys and aliases (as named: an alias is not resolved to
// its key), each the caller's account's (dynamo.Regions, kms.Accounts,
// accountSet).
func authorizeServices(account string, fh, ddb, kms, kda *httpapi.Service) {
	kda.Resources = namedResources(account, kda.StreamOf, func(region, acct, name string) string {
		return "arn:aws:kinesisanalytics:" + region + ":" + acct + ":application/" + name
	})
	fh.Resources = namedResources(account, fh.StreamOf, func(region, acct, name string) string {
		return "arn:aws:firehose:" + region + ":" + acct + ":deliverystream/" + name
	})
	ddb.Resources = namedResources(account, ddb.StreamOf, func(region, acct, name string) string {
		return "arn:aws:dynamodb:" + region + ":" + acct + ":table/" + name
	})
	kms.Resources = namedResources(account, kms.StreamOf, func(region, acct, name string) string {
		if strings.HasPrefix(name, "alias/") {
			return "arn:aws:kms:" + region + ":" + acct + ":" + name
		}
		return "arn:aws:kms:" + region + ":" + acct + ":key/" + name
	})
}

// authorizeLambda gives Lambda's operations their IAM actions and
// resources: functions and event source mappings, the caller's account's
// (accountSet).
func authorizeLambda(account string, lambda *httpapi.RESTService) {
	lambda.Action = lambdaAction
	lambda.Resources = func(ctx context.Context, op string, req *httpapi.RESTRequest) []iam.Resource {
		region := httpapi.Region(ctx)
		account := account
		if c := httpapi.Caller(ctx); c != nil {
			account = c.Account
		}
		if fn := req.Params["FunctionName"]; fn != "" {
			if strings.HasPrefix(fn, "arn:") {
				return []iam.Resource{{ARN: fn}}
			}
			return []iam.Resource{{ARN: "arn:aws:lambda:" + region + ":" + account + ":function:" + fn}}
		}
		if id := req.Params["UUID"]; id != "" {
			return []iam.Resource{{ARN: "arn:aws:lambda:" + region + ":" + account + ":event-source-mapping:" + id}}
		}
		return nil
	}
}

// lambdaAction is the IAM action of a Lambda operation: its name, but
// Invoke's is lambda:InvokeFunction and the concurrency operations' are
// lambda:PutFunctionConcurrency... as named (Service Authorization
// Reference for AWS Lambda).
func lambdaAction(op string) string {
	if op == "Invoke" {
		return "lambda:InvokeFunction"
	}
	return "lambda:" + op
}
