#!/usr/bin/env bash
# Interop tests: the AWS CLI (Debian's awscli package) against a running Eddy server.
#
# Usage: EDDY_ENDPOINT=http://127.0.0.1:PORT interop/cli/test.sh
#
# Environment:
#   EDDY_ENDPOINT    the server's URL (required)
#   EDDY_ENDPOINTS   nodes of one cluster, space-separated: the calls go to each in turn
#   AWS_CLI          the aws executable (default: /usr/bin/aws if present, else aws on PATH)
#   PYTHON           a python3 for parsing JSON output (default: /usr/bin/python3 or python3)
#   EDDY_ACCOUNT_ID  the account id the server uses in ARNs and messages (default 000000000000)
#
# The tests run in order, each in its own subshell with `set -e`; a later test
# may use a stream an earlier one created. Stream names start with "cli-".
# The last line printed is "cli: N passed, M failed" (test cases).
set -uo pipefail

# shellcheck source=interop/cli/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cli_setup cli

MAIN=cli-$run_id-main # 2 shards: describe, tags, retention, list shards, errors
RECS=cli-$run_id-recs # 1 shard: records and every iterator type, then resharding
REG=cli-$run_id-reg   # in us-east-1 (1 shard) and eu-central-1 (2 shards): regions
MAX_HASH=340282366920938463463374607431768211455
MID_HASH=170141183460469231731687303715884105728  # 2^127
HALF_END=170141183460469231731687303715884105727  # 2^127 - 1

echo "$("$AWS_CLI" --version 2>&1)" >&2

# kin ARGS...: one `aws kinesis` call against Eddy, JSON output, raw blobs in.
# With CLI_TRACE=1 it logs each call and how long it took.
kin() {
	local t0=${EPOCHREALTIME/./} rc=0 ep
	ep=$(next_endpoint)
	"$AWS_CLI" --endpoint-url "$ep" --output json --cli-binary-format raw-in-base64-out \
		kinesis "$@" || rc=$?
	if [[ ${CLI_TRACE:-} == 1 ]]; then
		echo "    aws kinesis $1 ($ep): $(((${EPOCHREALTIME/./} - t0) / 1000)) ms, exit status $rc" >&2
	fi
	return $rc
}

# records: print each record of a get-records response on stdin as
# "data|partition-key|sequence-number", the data base64-decoded.
records() {
	"$PYTHON" -c '
import base64, json, sys
d = json.load(sys.stdin)
assert "MillisBehindLatest" in d, d
for r in d["Records"]:
    assert r["ApproximateArrivalTimestamp"], r
    print("%s|%s|%s" % (base64.b64decode(r["Data"]).decode(), r["PartitionKey"], r["SequenceNumber"]))
'
}

# expect_error CODE MESSAGE-FRAGMENT ARGS...: `kin ARGS...` must fail with
# exit status 254 and the CLI's "An error occurred (CODE) ... : MESSAGE".
expect_error() {
	local code=$1 fragment=$2 out rc=0
	shift 2
	out=$(kin "$@" 2>&1) || rc=$?
	[[ $rc == 254 ]] || fail "aws kinesis $1: exit status $rc, want 254; output: $out"
	[[ $out == *"An error occurred ($code)"* ]] || fail "aws kinesis $1: want error $code, got: $out"
	[[ $out == *"$fragment"* ]] || fail "aws kinesis $1: message lacks '$fragment': $out"
}

# iterator SHARD TYPE [ARGS...]: a shard iterator of $RECS.
iterator() {
	local shard=$1 type=$2
	shift 2
	kin get-shard-iterator --stream-name "$RECS" --shard-id "$shard" \
		--shard-iterator-type "$type" "$@" --query ShardIterator --output text
}

# open_shards STREAM: "shardId start end" of each open shard, sorted by start.
open_shards() {
	kin list-shards --stream-name "$1" --no-paginate | json '
"\n".join("%s %s %s" % (s["ShardId"], s["HashKeyRange"]["StartingHashKey"], s["HashKeyRange"]["EndingHashKey"])
          for s in sorted(d["Shards"], key=lambda s: int(s["HashKeyRange"]["StartingHashKey"]))
          if "EndingSequenceNumber" not in s["SequenceNumberRange"])'
}

# ---- tests -------------------------------------------------------------------

test_create_stream_and_wait() {
	kin create-stream --stream-name "$MAIN" --shard-count 2
	kin create-stream --stream-name "$RECS" --shard-count 1
	kin wait stream-exists --stream-name "$MAIN"
	kin wait stream-exists --stream-name "$RECS"
	local got
	got=$(kin describe-stream-summary --stream-name "$MAIN" --output text --query \
		'StreamDescriptionSummary.[StreamStatus,OpenShardCount,RetentionPeriodHours,StreamARN]')
	assert_eq "$got" "ACTIVE	2	24	arn:aws:kinesis:us-east-1:$ACCOUNT:stream/$MAIN" "describe-stream-summary"
	got=$(kin describe-stream --stream-name "$MAIN" --no-paginate | json '
[d["StreamDescription"]["HasMoreShards"]] + [
  (s["ShardId"], s["HashKeyRange"]["StartingHashKey"], s["HashKeyRange"]["EndingHashKey"])
  for s in d["StreamDescription"]["Shards"]]')
	assert_eq "$got" "[false, [\"shardId-000000000000\", \"0\", \"$HALF_END\"], [\"shardId-000000000001\", \"$MID_HASH\", \"$MAX_HASH\"]]" \
		"describe-stream shards"
}

test_error_resource_not_found() {
	expect_error ResourceNotFoundException "Stream cli-$run_id-nope under account $ACCOUNT not found." \
		describe-stream --stream-name "cli-$run_id-nope"
	expect_error ResourceInUseException "$MAIN" create-stream --stream-name "$MAIN" --shard-count 1
	expect_error ResourceNotFoundException "shardId-000000000009" \
		get-shard-iterator --stream-name "$MAIN" --shard-id shardId-000000000009 --shard-iterator-type LATEST
}

test_put_and_get_every_iterator_type() {
	local out seq0 seqs n
	out=$(kin put-record --stream-name "$RECS" --partition-key pk-0 --data record-0)
	assert_eq "$(json 'd["ShardId"]' <<<"$out")" shardId-000000000000 "put-record ShardId"
	seq0=$(json 'd["SequenceNumber"]' <<<"$out")
	[[ $seq0 =~ ^[0-9]+$ ]] || fail "put-record SequenceNumber '$seq0' is not a decimal string"

	out=$(kin put-records --stream-name "$RECS" --records \
		'[{"Data":"record-1","PartitionKey":"pk-1"},{"Data":"record-2","PartitionKey":"pk-2"},{"Data":"record-3","PartitionKey":"pk-3"}]')
	assert_eq "$(json 'd["FailedRecordCount"]' <<<"$out")" 0 "put-records FailedRecordCount"
	assert_eq "$(json '[("ErrorCode" in r, r["ShardId"]) for r in d["Records"]]' <<<"$out")" \
		'[[false, "shardId-000000000000"], [false, "shardId-000000000000"], [false, "shardId-000000000000"]]' \
		"put-records results"
	seqs=("$seq0")
	mapfile -t -O 1 seqs < <(json '"\n".join(r["SequenceNumber"] for r in d["Records"])' <<<"$out")
	for n in 1 2 3; do
		"$PYTHON" -c 'import sys; sys.exit(not int(sys.argv[1]) < int(sys.argv[2]))' "${seqs[n - 1]}" "${seqs[n]}" ||
			fail "sequence numbers not increasing: ${seqs[*]}"
	done
	local all
	all=$(printf 'record-%d|pk-%d|%s\n' 0 0 "${seqs[0]}" 1 1 "${seqs[1]}" 2 2 "${seqs[2]}" 3 3 "${seqs[3]}")

	local it
	it=$(iterator shardId-000000000000 TRIM_HORIZON)
	assert_eq "$(kin get-records --shard-iterator "$it" | records)" "$all" "TRIM_HORIZON"

	it=$(iterator shardId-000000000000 AT_SEQUENCE_NUMBER --starting-sequence-number "${seqs[1]}")
	assert_eq "$(kin get-records --shard-iterator "$it" | records)" "$(sed -n '2,$p' <<<"$all")" "AT_SEQUENCE_NUMBER"

	it=$(iterator shardId-000000000000 AFTER_SEQUENCE_NUMBER --starting-sequence-number "${seqs[1]}")
	assert_eq "$(kin get-records --shard-iterator "$it" | records)" "$(sed -n '3,$p' <<<"$all")" "AFTER_SEQUENCE_NUMBER"

	# LATEST: nothing now, then exactly the record put afterwards.
	it=$(iterator shardId-000000000000 LATEST)
	out=$(kin get-records --shard-iterator "$it")
	assert_eq "$(records <<<"$out")" "" "LATEST before a put"
	it=$(json 'd["NextShardIterator"]' <<<"$out")
	local seq4
	seq4=$(kin put-record --stream-name "$RECS" --partition-key pk-4 --data record-4 --query SequenceNumber --output text)
	assert_eq "$(kin get-records --shard-iterator "$it" | records)" "record-4|pk-4|$seq4" "LATEST after a put"

	# AT_TIMESTAMP: the CLI sends whole seconds, so wait for the next second,
	# put one record, and start at that second.
	sleep "$("$PYTHON" -c 'import time; t = time.time(); print(int(t) + 1 - t + 0.05)')"
	local ts seq5
	ts=$(date +%s)
	seq5=$(kin put-record --stream-name "$RECS" --partition-key pk-5 --data record-5 --query SequenceNumber --output text)
	it=$(iterator shardId-000000000000 AT_TIMESTAMP --timestamp "$ts")
	assert_eq "$(kin get-records --shard-iterator "$it" | records)" "record-5|pk-5|$seq5" "AT_TIMESTAMP"
}

test_split_merge_update_shard_count() {
	kin split-shard --stream-name "$RECS" --shard-to-split shardId-000000000000 --new-starting-hash-key "$MID_HASH"
	kin wait stream-exists --stream-name "$RECS"
	local want
	want=$(printf '%s\n' "shardId-000000000001 0 $HALF_END" \
		"shardId-000000000002 $MID_HASH $MAX_HASH")
	assert_eq "$(open_shards "$RECS")" "$want" "open shards after split-shard"

	kin merge-shards --stream-name "$RECS" --shard-to-merge shardId-000000000001 \
		--adjacent-shard-to-merge shardId-000000000002
	kin wait stream-exists --stream-name "$RECS"
	local shards
	shards=$(kin list-shards --stream-name "$RECS" --no-paginate)
	assert_eq "$(json '[(s["ShardId"], s.get("ParentShardId"), s.get("AdjacentParentShardId"), s["HashKeyRange"]["StartingHashKey"], s["HashKeyRange"]["EndingHashKey"]) for s in d["Shards"] if "EndingSequenceNumber" not in s["SequenceNumberRange"]]' <<<"$shards")" \
		"[[\"shardId-000000000003\", \"shardId-000000000001\", \"shardId-000000000002\", \"0\", \"$MAX_HASH\"]]" \
		"open shards after merge-shards"

	local out
	out=$(kin update-shard-count --stream-name "$RECS" --target-shard-count 2 --scaling-type UNIFORM_SCALING)
	assert_eq "$(json '[d["StreamName"], d["CurrentShardCount"], d["TargetShardCount"]]' <<<"$out")" \
		"[\"$RECS\", 1, 2]" "update-shard-count response"
	kin wait stream-exists --stream-name "$RECS"
	assert_eq "$(open_shards "$RECS" | awk '{print $2, $3}' | tr '\n' ' ')" \
		"0 $HALF_END $MID_HASH $MAX_HASH " "open shards after update-shard-count"
}

test_list_shards_paging() {
	# $RECS now has 6 shards: 0, its children 1 and 2, their merge 3, and 4 and 5.
	local page ids token pages=1
	page=$(kin list-shards --stream-name "$RECS" --max-results 4 --no-paginate)
	ids=$(json '" ".join(s["ShardId"][-1] for s in d["Shards"])' <<<"$page")
	assert_eq "$ids" "0 1 2 3" "list-shards first page"
	token=$(json 'd.get("NextToken") or ""' <<<"$page")
	[[ -n $token ]] || fail "list-shards first page has no NextToken: $page"
	page=$(kin list-shards --next-token "$token" --max-results 4 --no-paginate)
	ids=$(json '" ".join(s["ShardId"][-1] for s in d["Shards"])' <<<"$page")
	assert_eq "$ids" "4 5" "list-shards second page"
	assert_eq "$(json 'd.get("NextToken") or ""' <<<"$page")" "" "list-shards last page NextToken"
	expect_error InvalidArgumentException "NextToken and StreamName cannot be provided together" \
		list-shards --stream-name "$RECS" --next-token "$token" --no-paginate
	# The CLI's own paging of describe-stream: Limit, ExclusiveStartShardId, HasMoreShards.
	assert_eq "$(kin describe-stream --stream-name "$RECS" --page-size 4 \
		--query 'StreamDescription.Shards[].ShardId' | json '" ".join(d)')" \
		"$(printf 'shardId-00000000000%d ' 0 1 2 3 4 5 | sed 's/ $//')" "describe-stream paged by the CLI"
}

test_list_streams_paging() {
	local page names="" token="" pages=0
	while :; do
		if [[ -z $token ]]; then
			page=$(kin list-streams --limit 1 --no-paginate)
		else
			page=$(kin list-streams --limit 1 --next-token "$token" --no-paginate)
		fi
		pages=$((pages + 1))
		assert_eq "$(json 'len(d["StreamNames"]) == 1 and len(d["StreamSummaries"]) == 1 and d["StreamSummaries"][0]["StreamName"] == d["StreamNames"][0]' <<<"$page")" true \
			"list-streams page $pages: $page"
		names+="$(json 'd["StreamNames"][0]' <<<"$page") "
		token=$(json 'd.get("NextToken") or ""' <<<"$page")
		if [[ $(json 'd["HasMoreStreams"]' <<<"$page") == false ]]; then
			assert_eq "$token" "" "NextToken on the last list-streams page"
			break
		fi
		[[ -n $token ]] || fail "HasMoreStreams but no NextToken: $page"
		((pages < 50)) || fail "list-streams paging does not end"
	done
	[[ " $names" == *" $MAIN "* && " $names" == *" $RECS "* ]] || fail "list-streams pages ($names) lack $MAIN or $RECS"
	local all
	all=$(kin list-streams --no-paginate | json '" ".join(d["StreamNames"]) + " "')
	assert_eq "$all" "$names" "list-streams in one page vs. paged"
	# The CLI's own paging (Limit and NextToken under the hood).
	all=$(kin list-streams --page-size 1 | json '" ".join(d["StreamNames"]) + " "')
	assert_eq "$all" "$names" "list-streams paged by the CLI"
}

test_tags() {
	kin add-tags-to-stream --stream-name "$MAIN" --tags env=test,team=data
	assert_eq "$(kin list-tags-for-stream --stream-name "$MAIN" | json 'sorted((t["Key"], t["Value"]) for t in d["Tags"]) + [d["HasMoreTags"]]')" \
		'[["env", "test"], ["team", "data"], false]' "tags after add"
	kin remove-tags-from-stream --stream-name "$MAIN" --tag-keys env
	assert_eq "$(kin list-tags-for-stream --stream-name "$MAIN" --output text --query 'Tags[].[Key,Value]')" \
		"team	data" "tags after remove"
}

test_retention() {
	kin increase-stream-retention-period --stream-name "$MAIN" --retention-period-hours 48
	assert_eq "$(kin describe-stream-summary --stream-name "$MAIN" --query StreamDescriptionSummary.RetentionPeriodHours)" \
		48 "retention after increase"
	kin decrease-stream-retention-period --stream-name "$MAIN" --retention-period-hours 24
	assert_eq "$(kin describe-stream-summary --stream-name "$MAIN" --query StreamDescriptionSummary.RetentionPeriodHours)" \
		24 "retention after decrease"
	expect_error InvalidArgumentException "" \
		decrease-stream-retention-period --stream-name "$MAIN" --retention-period-hours 12
}

# Every region is its own namespace: the same name in two regions is two
# streams; an ARN of another region names nothing.
test_regions() {
	kin create-stream --stream-name "$REG" --shard-count 1
	kin --region eu-central-1 create-stream --stream-name "$REG" --shard-count 2
	kin wait stream-exists --stream-name "$REG"
	kin --region eu-central-1 wait stream-exists --stream-name "$REG"
	assert_eq "$(kin describe-stream-summary --stream-name "$REG" --output text --query \
		'StreamDescriptionSummary.[OpenShardCount,StreamARN]')" \
		"1	arn:aws:kinesis:us-east-1:$ACCOUNT:stream/$REG" "us-east-1 describe-stream-summary"
	assert_eq "$(kin --region eu-central-1 describe-stream-summary --stream-name "$REG" --output text --query \
		'StreamDescriptionSummary.[OpenShardCount,StreamARN]')" \
		"2	arn:aws:kinesis:eu-central-1:$ACCOUNT:stream/$REG" "eu-central-1 describe-stream-summary"

	kin --region eu-central-1 put-record --stream-name "$REG" --partition-key pk --data in-frankfurt
	local it
	it=$(kin get-shard-iterator --stream-name "$REG" --shard-id shardId-000000000000 \
		--shard-iterator-type TRIM_HORIZON --query ShardIterator --output text)
	assert_eq "$(kin get-records --shard-iterator "$it" | records)" "" "us-east-1 records"

	local names
	names=$(kin --region eu-central-1 list-streams --no-paginate | json '" ".join(n for n in d["StreamNames"] if n.startswith("cli-'"$run_id"'-"))')
	assert_eq "$names" "$REG" "eu-central-1 list-streams"
	names=$(kin list-streams --no-paginate | json '" ".join(sorted(n for n in d["StreamNames"] if n.startswith("cli-'"$run_id"'-")))')
	assert_eq "$names" "$(printf '%s\n' "$MAIN" "$RECS" "$REG" | sort | tr '\n' ' ' | sed 's/ $//')" "us-east-1 list-streams"

	expect_error ResourceNotFoundException "Stream $MAIN under account $ACCOUNT not found." \
		--region eu-central-1 describe-stream-summary --stream-arn "arn:aws:kinesis:us-east-1:$ACCOUNT:stream/$MAIN"

	kin delete-stream --stream-name "$REG"
	kin --region eu-central-1 delete-stream --stream-name "$REG"
	kin --region eu-central-1 wait stream-not-exists --stream-name "$REG"
}

test_delete_stream() {
	kin delete-stream --stream-name "$MAIN"
	kin delete-stream --stream-name "$RECS"
	kin wait stream-not-exists --stream-name "$MAIN"
	expect_error ResourceNotFoundException "Stream $MAIN under account $ACCOUNT not found." \
		describe-stream-summary --stream-name "$MAIN"
	expect_error ResourceNotFoundException "$RECS" describe-stream --stream-name "$RECS"
}

# ---- runner ------------------------------------------------------------------

run_tests cli test_create_stream_and_wait test_error_resource_not_found test_put_and_get_every_iterator_type \
	test_split_merge_update_shard_count test_list_shards_paging test_list_streams_paging test_tags \
	test_retention test_regions test_delete_stream

# Best effort: leave nothing behind after a failure.
if ((failed > 0)); then
	kin delete-stream --stream-name "$MAIN" >/dev/null 2>&1 || true
	kin delete-stream --stream-name "$RECS" >/dev/null 2>&1 || true
	kin delete-stream --stream-name "$REG" >/dev/null 2>&1 || true
	kin --region eu-central-1 delete-stream --stream-name "$REG" >/dev/null 2>&1 || true
fi

echo "cli: $passed passed, $failed failed"
((failed == 0))
