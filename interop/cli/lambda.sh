#!/usr/bin/env bash
# Interop tests: `aws lambda` (Debian's awscli package) against a running
# Eddy server: functions created from a zip with --zip-file fileb://, and
# invoked through Eddy's python runtime client.
#
# Usage: EDDY_ENDPOINT=http://127.0.0.1:PORT interop/cli/lambda.sh
#
# Environment: as interop/cli/test.sh (EDDY_ENDPOINT, AWS_CLI, PYTHON).
#
# The tests run in order, each in its own subshell with `set -e`; later tests
# use the function the first one created. Function names start with "cli-fn-".
# The last line printed is "cli-lambda: N passed, M failed" (test cases).
set -uo pipefail

# shellcheck source=interop/cli/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cli_setup cli-lambda

F=cli-fn-$run_id
ARN=arn:aws:lambda:${AWS_DEFAULT_REGION:-us-east-1}:${EDDY_ACCOUNT_ID:-000000000000}:function:$F
tmp=$(mktemp -d "${TMPDIR:-/tmp}/eddy-cli-lambda.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# lam ARGS...: one `aws lambda` call against Eddy, JSON output.
lam() {
	"$AWS_CLI" --endpoint-url "$EDDY_ENDPOINT" --output json --cli-binary-format raw-in-base64-out lambda "$@"
}

# expect_error CODE MESSAGE ARGS...: `lam ARGS...` must fail with exit status
# 254 and the CLI's "An error occurred (CODE) when calling ...: MESSAGE".
expect_error() {
	local code=$1 msg=$2 out rc=0
	shift 2
	out=$(lam "$@" 2>&1) || rc=$?
	[[ $rc == 254 ]] || fail "aws lambda $1: exit status $rc, want 254; output: $out"
	[[ $out == *"An error occurred ($code)"*": $msg"* ]] || fail "aws lambda $1: want $code: $msg, got: $out"
}

# zip_handler BODY: write $tmp/fn.zip holding app.py with BODY.
zip_handler() {
	printf '%s\n' "$1" >"$tmp/app.py"
	(cd "$tmp" && "$PYTHON" -c 'import zipfile; z = zipfile.ZipFile("fn.zip", "w"); z.write("app.py"); z.close()')
}

# ---- tests -------------------------------------------------------------------

test_create_function() {
	zip_handler 'def handler(event, context):
    print("event", event)
    if event.get("fail"):
        raise RuntimeError("asked to fail")
    return {"hello": event.get("name"), "fn": context.function_name}'
	local got
	got=$(lam create-function --function-name "$F" --runtime python3.12 --handler app.handler \
		--role arn:aws:iam::000000000000:role/r --zip-file "fileb://$tmp/fn.zip" |
		json '[d[k] for k in ("FunctionName", "FunctionArn", "State", "LastUpdateStatus", "Timeout", "MemorySize")]')
	assert_eq "$got" "[\"$F\", \"$ARN\", \"Active\", \"Successful\", 3, 128]" "create-function"
	expect_error ResourceConflictException "Function already exist: $F" create-function --function-name "$F" \
		--runtime python3.12 --handler app.handler --role arn:aws:iam::000000000000:role/r --zip-file "fileb://$tmp/fn.zip"
}

test_invoke() {
	local meta got
	meta=$(lam invoke --function-name "$F" --payload '{"name":"cli"}' --log-type Tail "$tmp/out.json")
	got=$(json 'd' <"$tmp/out.json")
	assert_eq "$got" "{\"hello\": \"cli\", \"fn\": \"$F\"}" "invoke result"
	got=$(echo "$meta" | json '__import__("base64").b64decode(d["LogResult"]).decode()')
	[[ $got == *"START RequestId: "*"event {'name': 'cli'}"*"REPORT RequestId: "* ]] || fail "log tail: $got"
	meta=$(lam invoke --function-name "$F" --payload '{"fail":true}' "$tmp/err.json")
	got=$(echo "$meta" | json 'd["FunctionError"]')
	assert_eq "$got" "Unhandled" "invoke function error"
	got=$(json '[d["errorType"], d["errorMessage"]]' <"$tmp/err.json")
	assert_eq "$got" '["RuntimeError", "asked to fail"]' "invoke error payload"
	got=$(lam invoke --function-name "$F" --invocation-type Event --payload '{}' "$tmp/ev.json" | json 'd["StatusCode"]')
	assert_eq "$got" "202" "invoke Event"
}

test_update_and_concurrency() {
	local got
	got=$(lam update-function-configuration --function-name "$F" --timeout 10 --environment 'Variables={A=1}' |
		json '[d["Timeout"], d["Environment"]["Variables"]]')
	assert_eq "$got" '[10, {"A": "1"}]' "update-function-configuration"
	got=$(lam put-function-concurrency --function-name "$F" --reserved-concurrent-executions 0 | json 'd["ReservedConcurrentExecutions"]')
	assert_eq "$got" "0" "put-function-concurrency"
	expect_error TooManyRequestsException "Rate Exceeded." invoke --function-name "$F" --payload '{}' "$tmp/x.json"
	lam delete-function-concurrency --function-name "$F"
}

test_list_and_delete() {
	local got
	got=$(lam list-functions | json "[f['FunctionName'] for f in d['Functions'] if f['FunctionName'] == '$F']")
	assert_eq "$got" "[\"$F\"]" "list-functions"
	lam delete-function --function-name "$F" >/dev/null
	expect_error ResourceNotFoundException "Function not found: $ARN" get-function --function-name "$F"
}

# ---- runner ------------------------------------------------------------------

run_tests cli-lambda test_create_function test_invoke test_update_and_concurrency test_list_and_delete

if ((failed > 0)); then
	lam delete-function --function-name "$F" >/dev/null 2>&1 || true
fi

echo "cli-lambda: $passed passed, $failed failed"
((failed == 0))
