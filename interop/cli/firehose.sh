#!/usr/bin/env bash
# Interop tests: `aws firehose` (Debian's awscli package) against a running
# Eddy server: delivery streams created, described, listed, tagged and
# deleted, and records put with put-record and put-record-batch.
#
# Usage: EDDY_ENDPOINT=http://127.0.0.1:PORT interop/cli/firehose.sh
#
# Environment: as interop/cli/test.sh (EDDY_ENDPOINT, AWS_CLI, PYTHON).
#
# The tests run in order, each in its own subshell with `set -e`; later tests
# use the delivery stream the first one created. Names start with "cli-fh-".
# The last line printed is "cli-firehose: N passed, M failed" (test cases).
set -uo pipefail

# shellcheck source=interop/cli/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cli_setup cli-firehose

D=cli-fh-$run_id
REGION=${AWS_DEFAULT_REGION:-us-east-1}
ARN=arn:aws:firehose:$REGION:${EDDY_ACCOUNT_ID:-000000000000}:deliverystream/$D

# fh ARGS...: one `aws firehose` call against Eddy, JSON output.
fh() {
	"$AWS_CLI" --endpoint-url "$EDDY_ENDPOINT" --output json firehose "$@"
}

# expect_error CODE MESSAGE ARGS...: `fh ARGS...` must fail with exit status
# 254 (255 for the AWS CLI v1) and "An error occurred (CODE) when calling ...: MESSAGE".
expect_error() {
	local code=$1 msg=$2 out rc=0
	shift 2
	out=$(fh "$@" 2>&1) || rc=$?
	[[ $rc == 254 || $rc == 255 ]] || fail "aws firehose $1: exit status $rc, want 254; output: $out"
	[[ $out == *"An error occurred ($code)"*": $msg"* ]] || fail "aws firehose $1: want $code: $msg, got: $out"
}

S3='{"RoleARN":"arn:aws:iam::000000000000:role/firehose","BucketARN":"arn:aws:s3:::cli-bucket","Prefix":"p/","BufferingHints":{"SizeInMBs":1,"IntervalInSeconds":60},"CompressionFormat":"GZIP"}'

# ---- tests -------------------------------------------------------------------

test_create() {
	local got
	got=$(fh create-delivery-stream --delivery-stream-name "$D" --extended-s3-destination-configuration "$S3" \
		--tags Key=suite,Value=cli | json 'd["DeliveryStreamARN"]')
	assert_eq "$got" "$ARN" "create-delivery-stream"
	expect_error ResourceInUseException "Firehose $D under account ${EDDY_ACCOUNT_ID:-000000000000} already exists." \
		create-delivery-stream --delivery-stream-name "$D" --extended-s3-destination-configuration "$S3"
	expect_error ValidationException "1 validation error detected: Value at 'deliveryStreamName' failed to satisfy constraint" \
		create-delivery-stream --delivery-stream-name "a b" --extended-s3-destination-configuration "$S3"
}

test_describe() {
	local got deadline=$((SECONDS + 60))
	# eddy serve's --create-delay may keep it CREATING for a moment.
	while :; do
		got=$(fh describe-delivery-stream --delivery-stream-name "$D" | json 'd["DeliveryStreamDescription"]["DeliveryStreamStatus"]')
		[[ $got == ACTIVE || $SECONDS -ge $deadline ]] && break
		sleep 0.2
	done
	assert_eq "$got" ACTIVE "status"
	got=$(fh describe-delivery-stream --delivery-stream-name "$D" |
		json '(lambda x, s: [x["VersionId"], x["Destinations"][0]["DestinationId"], s["BucketARN"], s["Prefix"], s["CompressionFormat"], s["BufferingHints"]["SizeInMBs"]])(d["DeliveryStreamDescription"], d["DeliveryStreamDescription"]["Destinations"][0]["ExtendedS3DestinationDescription"])')
	assert_eq "$got" '["1", "destinationId-000000000001", "arn:aws:s3:::cli-bucket", "p/", "GZIP", 1]' "describe-delivery-stream"
	expect_error ResourceNotFoundException "Firehose cli-fh-nope-$run_id under account ${EDDY_ACCOUNT_ID:-000000000000} not found." \
		describe-delivery-stream --delivery-stream-name "cli-fh-nope-$run_id"
}

test_list() {
	local got
	got=$(fh list-delivery-streams --limit 10000 | json "[n for n in d['DeliveryStreamNames'] if n == '$D']")
	assert_eq "$got" "[\"$D\"]" "list-delivery-streams"
}

test_put_record() {
	local got
	got=$(fh put-record --delivery-stream-name "$D" --record Data=aGVsbG8K | json '[len(d["RecordId"]) > 0, d["Encrypted"]]')
	assert_eq "$got" '[true, false]' "put-record"
}

test_put_record_batch() {
	local got
	got=$(fh put-record-batch --delivery-stream-name "$D" --records Data=YQo= Data=Ygo= Data=Ywo= |
		json '[d["FailedPutCount"], len(d["RequestResponses"]), len(set(r["RecordId"] for r in d["RequestResponses"]))]')
	assert_eq "$got" '[0, 3, 3]' "put-record-batch"
}

test_tags() {
	local got
	fh tag-delivery-stream --delivery-stream-name "$D" --tags Key=env,Value=test >/dev/null
	got=$(fh list-tags-for-delivery-stream --delivery-stream-name "$D" | json '[[t["Key"], t.get("Value")] for t in d["Tags"]] + [d["HasMoreTags"]]')
	assert_eq "$got" '[["env", "test"], ["suite", "cli"], false]' "list-tags-for-delivery-stream"
	fh untag-delivery-stream --delivery-stream-name "$D" --tag-keys suite >/dev/null
	got=$(fh list-tags-for-delivery-stream --delivery-stream-name "$D" | json '[t["Key"] for t in d["Tags"]]')
	assert_eq "$got" '["env"]' "untag-delivery-stream"
}

test_delete() {
	fh delete-delivery-stream --delivery-stream-name "$D" >/dev/null
	local got deadline=$((SECONDS + 60))
	# eddy serve's --delete-delay may keep it DELETING for a moment.
	while :; do
		got=$(fh list-delivery-streams --limit 10000 | json "[n for n in d['DeliveryStreamNames'] if n == '$D']")
		[[ $got == '[]' || $SECONDS -ge $deadline ]] && break
		sleep 0.2
	done
	assert_eq "$got" '[]' "gone after delete-delivery-stream"
}

# ---- runner ------------------------------------------------------------------

run_tests cli-firehose test_create test_describe test_list test_put_record test_put_record_batch test_tags test_delete

if ((failed > 0)); then
	fh delete-delivery-stream --delivery-stream-name "$D" >/dev/null 2>&1 || true
fi

echo "cli-firehose: $passed passed, $failed failed"
((failed == 0))
