#!/usr/bin/env bash
# Interop tests: `aws dynamodb` (Debian's awscli package) against a running
# Eddy server.
#
# Usage: EDDY_ENDPOINT=http://127.0.0.1:PORT interop/cli/dynamodb.sh
#
# Environment: as interop/cli/test.sh (EDDY_ENDPOINT, AWS_CLI, PYTHON).
#
# The tests run in order, each in its own subshell with `set -e`; later tests
# use the table the first one created. Table names start with "cli-ddb-".
# The last line printed is "cli-ddb: N passed, M failed" (test cases).
set -uo pipefail

# shellcheck source=interop/cli/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cli_setup cli-ddb
export JSON_SORT_KEYS=1

T=cli-ddb-$run_id # pk (S) HASH, sk (N) RANGE
tmp=$(mktemp -d "${TMPDIR:-/tmp}/eddy-cli-ddb.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# ddb ARGS...: one `aws dynamodb` call against Eddy, JSON output.
ddb() {
	"$AWS_CLI" --endpoint-url "$EDDY_ENDPOINT" --output json dynamodb "$@"
}

# expect_error CODE MESSAGE ARGS...: `ddb ARGS...` must fail with exit status
# 254 and the CLI's "An error occurred (CODE) when calling ...: MESSAGE"
# (any message when MESSAGE is empty).
expect_error() {
	local code=$1 msg=$2 out rc=0
	shift 2
	out=$(ddb "$@" 2>&1) || rc=$?
	[[ $rc == 254 ]] || fail "aws dynamodb $1: exit status $rc, want 254; output: $out"
	[[ $out == *"An error occurred ($code)"*": $msg"* ]] || fail "aws dynamodb $1: want $code: $msg, got: $out"
}

# ---- tests -------------------------------------------------------------------

test_create_table_and_wait() {
	ddb create-table --table-name "$T" \
		--attribute-definitions AttributeName=pk,AttributeType=S AttributeName=sk,AttributeType=N \
		--key-schema AttributeName=pk,KeyType=HASH AttributeName=sk,KeyType=RANGE \
		--provisioned-throughput ReadCapacityUnits=5,WriteCapacityUnits=5
	ddb wait table-exists --table-name "$T"
	local got
	got=$(ddb describe-table --table-name "$T" | json '[d["Table"][k] for k in ("TableName", "TableStatus", "KeySchema", "ItemCount")]')
	assert_eq "$got" "[\"$T\", \"ACTIVE\", [{\"AttributeName\": \"pk\", \"KeyType\": \"HASH\"}, {\"AttributeName\": \"sk\", \"KeyType\": \"RANGE\"}], 0]" "describe-table"
	# The code only: dynalite's message is empty, AWS's "Table already exists: NAME"
	# as quoted in joshsymonds/Dynamoid issue 178; no AWS page words it.
	expect_error ResourceInUseException "" create-table --table-name "$T" \
		--attribute-definitions AttributeName=pk,AttributeType=S --key-schema AttributeName=pk,KeyType=HASH \
		--billing-mode PAY_PER_REQUEST
}

test_put_get_update_delete() {
	ddb put-item --table-name "$T" --item '{"pk":{"S":"a"},"sk":{"N":"1"},"n":{"N":"10"},"tags":{"SS":["x","y"]}}'
	expect_error ConditionalCheckFailedException "The conditional request failed" put-item --table-name "$T" \
		--item '{"pk":{"S":"a"},"sk":{"N":"1"}}' --condition-expression 'attribute_not_exists(pk)'
	local got
	got=$(ddb get-item --table-name "$T" --key '{"pk":{"S":"a"},"sk":{"N":"1"}}' --consistent-read | json 'd["Item"]')
	assert_eq "$got" '{"n": {"N": "10"}, "pk": {"S": "a"}, "sk": {"N": "1"}, "tags": {"SS": ["x", "y"]}}' "get-item"
	got=$(ddb update-item --table-name "$T" --key '{"pk":{"S":"a"},"sk":{"N":"1"}}' \
		--update-expression 'SET #n = #n + :inc, note = :note ADD tags :t REMOVE gone' \
		--condition-expression '#n = :ten' \
		--expression-attribute-names '{"#n":"n"}' \
		--expression-attribute-values '{":inc":{"N":"5"},":ten":{"N":"10"},":note":{"S":"hi"},":t":{"SS":["z"]}}' \
		--return-values UPDATED_NEW | json 'd["Attributes"]')
	assert_eq "$got" '{"n": {"N": "15"}, "note": {"S": "hi"}, "tags": {"SS": ["x", "y", "z"]}}' "update-item UPDATED_NEW"
	expect_error ConditionalCheckFailedException "The conditional request failed" update-item --table-name "$T" \
		--key '{"pk":{"S":"a"},"sk":{"N":"1"}}' --update-expression 'SET n = :v' --condition-expression 'n = :v' \
		--expression-attribute-values '{":v":{"N":"10"}}'
	got=$(ddb delete-item --table-name "$T" --key '{"pk":{"S":"a"},"sk":{"N":"1"}}' --return-values ALL_OLD | json 'd["Attributes"]["note"]')
	assert_eq "$got" '{"S": "hi"}' "delete-item ALL_OLD"
	# The CLI prints nothing for GetItem's {} (no item).
	got=$(ddb get-item --table-name "$T" --key '{"pk":{"S":"a"},"sk":{"N":"1"}}')
	[[ $got != *'"Item"'* ]] || fail "get-item after delete-item: $got"
}

test_batch_write_query_scan() {
	# 25 items in one batch-write-item: pk "q", sk 0..19, and pk "r", sk 0..4.
	"$PYTHON" -c '
import json, sys
reqs = [{"PutRequest": {"Item": {"pk": {"S": "q"}, "sk": {"N": str(i)}, "v": {"N": str(i * i)}}}} for i in range(20)]
reqs += [{"PutRequest": {"Item": {"pk": {"S": "r"}, "sk": {"N": str(i)}}}} for i in range(5)]
json.dump({sys.argv[1]: reqs}, open(sys.argv[2], "w"))
' "$T" "$tmp/batch.json"
	local got
	got=$(ddb batch-write-item --request-items "file://$tmp/batch.json" | json 'd["UnprocessedItems"]')
	assert_eq "$got" "{}" "batch-write-item UnprocessedItems"
	got=$(ddb query --table-name "$T" --key-condition-expression 'pk = :p AND sk BETWEEN :lo AND :hi' \
		--expression-attribute-values '{":p":{"S":"q"},":lo":{"N":"3"},":hi":{"N":"6"}}' --no-scan-index-forward |
		json '[d["Count"]] + [i["sk"]["N"] for i in d["Items"]]')
	assert_eq "$got" '[4, "6", "5", "4", "3"]' "query BETWEEN, descending"
	got=$(ddb query --table-name "$T" --key-condition-expression 'pk = :p' --filter-expression 'v > :x' \
		--projection-expression 'sk' --expression-attribute-values '{":p":{"S":"q"},":x":{"N":"300"}}' |
		json '[d["Count"], d["ScannedCount"]] + [i["sk"]["N"] for i in d["Items"]]')
	assert_eq "$got" '[2, 20, "18", "19"]' "query with a filter"
	# The CLI pages by itself (--page-size is each request's Limit).
	got=$(ddb scan --table-name "$T" --page-size 4 | json '[d["Count"], len(set((i["pk"]["S"], i["sk"]["N"]) for i in d["Items"]))]')
	assert_eq "$got" '[25, 25]' "scan, pages of 4"
	# And by hand: --max-items, then --starting-token.
	local first token rest
	first=$(ddb scan --table-name "$T" --page-size 3 --max-items 10)
	token=$(json 'd["NextToken"]' <<<"$first")
	[[ -n $token ]] || fail "scan --max-items 10: no NextToken"
	rest=$(ddb scan --table-name "$T" --page-size 3 --starting-token "$token")
	got=$("$PYTHON" -c '
import json, sys
a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
keys = [(i["pk"]["S"], i["sk"]["N"]) for i in a["Items"] + b["Items"]]
print(len(a["Items"]), len(keys), len(set(keys)))
' "$first" "$rest")
	assert_eq "$got" "10 25 25" "scan --max-items / --starting-token"
}

test_transact_write_items() {
	cat >"$tmp/tx.json" <<JSON
[{"Put":{"TableName":"$T","Item":{"pk":{"S":"tx"},"sk":{"N":"1"}},"ConditionExpression":"attribute_not_exists(pk)"}},
 {"Update":{"TableName":"$T","Key":{"pk":{"S":"tx"},"sk":{"N":"2"}},"UpdateExpression":"ADD c :one","ExpressionAttributeValues":{":one":{"N":"1"}}}}]
JSON
	ddb transact-write-items --transact-items "file://$tmp/tx.json"
	local got
	got=$(ddb query --table-name "$T" --key-condition-expression 'pk = :p' --expression-attribute-values '{":p":{"S":"tx"}}' --consistent-read |
		json '[d["Count"], d["Items"][1]["c"]]')
	assert_eq "$got" '[2, {"N": "1"}]' "transact-write-items wrote both"
	expect_error TransactionCanceledException "Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed, None]" \
		transact-write-items --transact-items "file://$tmp/tx.json"
}

test_time_to_live() {
	local got
	got=$(ddb update-time-to-live --table-name "$T" --time-to-live-specification Enabled=true,AttributeName=expires | json 'd["TimeToLiveSpecification"]')
	assert_eq "$got" '{"AttributeName": "expires", "Enabled": true}' "update-time-to-live"
	got=$(ddb describe-time-to-live --table-name "$T" | json 'd["TimeToLiveDescription"]')
	assert_eq "$got" '{"AttributeName": "expires", "TimeToLiveStatus": "ENABLED"}' "describe-time-to-live"
}

test_tags() {
	local arn got
	arn=$(ddb describe-table --table-name "$T" | json 'd["Table"]["TableArn"]')
	ddb tag-resource --resource-arn "$arn" --tags Key=team,Value=streams Key=env,Value=test
	got=$(ddb list-tags-of-resource --resource-arn "$arn" | json 'sorted((t["Key"], t["Value"]) for t in d["Tags"])')
	assert_eq "$got" '[["env", "test"], ["team", "streams"]]' "list-tags-of-resource"
	ddb untag-resource --resource-arn "$arn" --tag-keys env
	got=$(ddb list-tags-of-resource --resource-arn "$arn" | json '[(t["Key"], t["Value"]) for t in d["Tags"]]')
	assert_eq "$got" '[["team", "streams"]]' "list-tags-of-resource after untag-resource"
}

test_list_tables() {
	local got
	got=$(ddb list-tables --page-size 1 | json '[n for n in d["TableNames"] if n == "'"$T"'"]')
	assert_eq "$got" "[\"$T\"]" "list-tables, pages of 1"
}

test_delete_table() {
	ddb delete-table --table-name "$T" >/dev/null
	ddb wait table-not-exists --table-name "$T"
	expect_error ResourceNotFoundException "Requested resource not found: Table: $T not found" describe-table --table-name "$T"
}

# ---- runner ------------------------------------------------------------------

run_tests cli-ddb test_create_table_and_wait test_put_get_update_delete test_batch_write_query_scan \
	test_transact_write_items test_time_to_live test_tags test_list_tables test_delete_table

if ((failed > 0)); then
	ddb delete-table --table-name "$T" >/dev/null 2>&1 || true
fi

echo "cli-ddb: $passed passed, $failed failed"
((failed == 0))
