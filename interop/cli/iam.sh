#!/usr/bin/env bash
# Interop tests: the AWS CLI and boto3 (Debian's packages) against an Eddy
# server of its own started with --identities: `aws sts
# get-caller-identity`, AccessDeniedException with IAM's message from
# `aws kinesis`, `aws iam` making a user, key and policy that then sign and
# govern Kinesis calls, and boto3's STS AssumeRole whose temporary
# credentials (session token included) sign Kinesis calls.
#
# Usage: EDDY_BIN=bin/eddy interop/cli/iam.sh
#
# Environment: as interop/cli/test.sh, plus EDDY_BIN (the eddy binary). The
# server listens on 127.0.0.1 (an ephemeral port) with its data in memory;
# its files live in a temporary directory removed at exit. The last line
# printed is "cli-iam: N passed, M failed".
set -uo pipefail

# shellcheck source=interop/cli/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
EDDY_ENDPOINT=${EDDY_ENDPOINT:-unused} # this script starts its own server
cli_setup cli-iam

dir=$(mktemp -d)
server=""
stop() {
	[[ -n $server ]] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
	rm -rf "$dir"
}
trap stop EXIT

cat >"$dir/identities.json" <<'JSON'
{"Accounts": [
  {"Id": "111111111111",
   "RootAccessKeys": [{"AccessKeyId": "AKIAINTEROPROOT00000", "SecretAccessKey": "root-secret"}],
   "Users": [
     {"UserName": "nobody", "AccessKeys": [{"AccessKeyId": "AKIAINTEROPNOBODY000", "SecretAccessKey": "nobody-secret"}]},
     {"UserName": "caller", "AccessKeys": [{"AccessKeyId": "AKIAINTEROPCALLER000", "SecretAccessKey": "caller-secret"}],
      "Policies": {"assume": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}}}],
   "Roles": [
     {"RoleName": "lister",
      "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:user/caller"}, "Action": "sts:AssumeRole"}]},
      "Policies": {"list": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kinesis:ListStreams", "Resource": "*"}]}}}]}
]}
JSON

"${EDDY_BIN:?EDDY_BIN is not set}" serve --in-memory --listen 127.0.0.1:0 --admin-listen off --s3-listen off \
	--account-id 111111111111 --identities "$dir/identities.json" >"$dir/out" 2>"$dir/log" </dev/null &
server=$!
url=""
for _ in $(seq 100); do
	url=$(sed -n 's#^eddy listening on \(http://127\.0\.0\.1:[0-9][0-9]*\)$#\1#p' "$dir/out")
	[[ -n $url ]] && break
	sleep 0.1
done
if [[ -z $url ]]; then
	echo "eddy serve --identities did not report its address; its log:" >&2
	cat "$dir/out" "$dir/log" >&2
	echo "cli-iam: 0 passed, 1 failed"
	exit 1
fi

as() { # as KEY SECRET aws-args...: the CLI signing with that key
	local key=$1 secret=$2
	shift 2
	AWS_ACCESS_KEY_ID=$key AWS_SECRET_ACCESS_KEY=$secret "$AWS_CLI" --endpoint-url "$url" --output json "$@"
}

# ---- tests -------------------------------------------------------------------

test_get_caller_identity() {
	local got
	got=$(as AKIAINTEROPNOBODY000 nobody-secret sts get-caller-identity | json 'd["Arn"] + " " + d["Account"]')
	assert_eq "$got" "arn:aws:iam::111111111111:user/nobody 111111111111" "get-caller-identity"
}

test_access_denied() {
	local out rc=0
	out=$(as AKIAINTEROPNOBODY000 nobody-secret kinesis create-stream --stream-name cli-iam-$run_id --shard-count 1 2>&1) || rc=$?
	((rc != 0)) || fail "create-stream by a user without policies succeeded"
	[[ $out == *"(AccessDeniedException)"*"User: arn:aws:iam::111111111111:user/nobody is not authorized to perform: kinesis:CreateStream on resource: arn:aws:kinesis:us-east-1:111111111111:stream/cli-iam-$run_id because no identity-based policy allows the kinesis:CreateStream action"* ]] ||
		fail "create-stream: want AccessDeniedException with IAM's message, got: $out"
	# Nothing was created.
	as AKIAINTEROPROOT00000 root-secret kinesis list-streams | grep -q "cli-iam-$run_id" && fail "the denied stream exists"
	return 0
}

test_root_allowed() {
	as AKIAINTEROPROOT00000 root-secret kinesis list-streams | json 'd["StreamNames"]' >/dev/null
}

test_iam_user_lifecycle() {
	# The root makes a user, a key and a policy with `aws iam`; the key then
	# signs as that user, held to the policy.
	local u=cli-iam-user-$run_id arn key secret out rc=0
	arn=$(as AKIAINTEROPROOT00000 root-secret iam create-user --user-name "$u" | json 'd["User"]["Arn"]')
	assert_eq "$arn" "arn:aws:iam::111111111111:user/$u" "create-user"
	as AKIAINTEROPROOT00000 root-secret iam put-user-policy --user-name "$u" --policy-name list \
		--policy-document '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kinesis:ListStreams","Resource":"*"}}'
	out=$(as AKIAINTEROPROOT00000 root-secret iam create-access-key --user-name "$u")
	key=$(json 'd["AccessKey"]["AccessKeyId"]' <<<"$out")
	secret=$(json 'd["AccessKey"]["SecretAccessKey"]' <<<"$out")
	# The CLI decodes the URL-encoded document IAM returns.
	got=$(as AKIAINTEROPROOT00000 root-secret iam get-user-policy --user-name "$u" --policy-name list | json 'd["PolicyDocument"]["Statement"]["Action"]')
	assert_eq "$got" kinesis:ListStreams "get-user-policy"
	as "$key" "$secret" kinesis list-streams | json 'd["StreamNames"]' >/dev/null || fail "list-streams with the new key"
	out=$(as "$key" "$secret" kinesis create-stream --stream-name "$u" --shard-count 1 2>&1) || rc=$?
	((rc != 0)) && [[ $out == *AccessDeniedException* ]] || fail "create-stream with the new key: $out"
	out=$(as AKIAINTEROPROOT00000 root-secret iam delete-user --user-name "$u" 2>&1) && fail "delete-user with keys succeeded"
	[[ $out == *DeleteConflict* ]] || fail "delete-user with keys: $out"
	return 0
}

test_boto3_assume_role() {
	"$PYTHON" - "$url" <<'PY'
import sys
import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
url = sys.argv[1]
cfg = Config(retries={"max_attempts": 1})
sts = boto3.client("sts", endpoint_url=url, region_name="us-east-1", config=cfg,
                   aws_access_key_id="AKIAINTEROPCALLER000", aws_secret_access_key="caller-secret")
out = sts.assume_role(RoleArn="arn:aws:iam::111111111111:role/lister", RoleSessionName="interop")
c = out["Credentials"]
assert c["AccessKeyId"].startswith("ASIA"), c
assert out["AssumedRoleUser"]["Arn"] == "arn:aws:sts::111111111111:assumed-role/lister/interop", out
k = boto3.client("kinesis", endpoint_url=url, region_name="us-east-1", config=cfg,
                 aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
                 aws_session_token=c["SessionToken"])
k.list_streams()
try:
    k.create_stream(StreamName="never", ShardCount=1)
    raise SystemExit("create_stream by the lister role succeeded")
except ClientError as e:
    assert e.response["Error"]["Code"] == "AccessDeniedException", e.response
    assert "arn:aws:sts::111111111111:assumed-role/lister/interop is not authorized to perform: kinesis:CreateStream" in e.response["Error"]["Message"], e.response
try:
    sts.assume_role(RoleArn="arn:aws:iam::111111111111:role/lister", RoleSessionName="bad name")
    raise SystemExit("a session name with a space was accepted")
except ClientError as e:
    assert e.response["Error"]["Code"] == "ValidationError", e.response
PY
}

# ---- runner ------------------------------------------------------------------

run_tests cli-iam test_get_caller_identity test_access_denied test_root_allowed test_iam_user_lifecycle test_boto3_assume_role

echo "cli-iam: $passed passed, $failed failed"
((failed == 0))
