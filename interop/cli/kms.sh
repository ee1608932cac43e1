#!/usr/bin/env bash
# Interop tests: `aws kms` (Debian's awscli package) against a running Eddy
# server: a key created, described, listed, aliased, tagged, disabled and
# enabled, used to encrypt, decrypt, generate data keys and re-encrypt,
# rotated, and scheduled for deletion and cancelled.
#
# Usage: EDDY_ENDPOINT=http://127.0.0.1:PORT interop/cli/kms.sh
#
# Environment: as interop/cli/test.sh (EDDY_ENDPOINT, AWS_CLI, PYTHON).
#
# The tests run in order, each in its own subshell with `set -e`; later tests
# use the key the first one created (its id is kept in a temporary file).
# Aliases start with "alias/cli-kms-". The last line printed is
# "cli-kms: N passed, M failed" (test cases).
set -uo pipefail

# shellcheck source=interop/cli/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cli_setup cli-kms

A=alias/cli-kms-$run_id
REGION=${AWS_DEFAULT_REGION:-us-east-1}
PREFIX=arn:aws:kms:$REGION:${EDDY_ACCOUNT_ID:-000000000000}
state=$(mktemp)
trap 'rm -f "$state" "$state".*' EXIT

# k ARGS...: one `aws kms` call against Eddy, JSON output.
k() {
	"$AWS_CLI" --endpoint-url "$EDDY_ENDPOINT" --output json kms "$@"
}

# expect_error CODE MESSAGE ARGS...: `k ARGS...` must fail with exit status
# 254 (255 for the AWS CLI v1) and "An error occurred (CODE) when calling ...: MESSAGE".
expect_error() {
	local code=$1 msg=$2 out rc=0
	shift 2
	out=$(k "$@" 2>&1) || rc=$?
	[[ $rc == 254 || $rc == 255 ]] || fail "aws kms $1: exit status $rc, want 254; output: $out"
	[[ $out == *"An error occurred ($code)"*": $msg"* ]] || fail "aws kms $1: want $code: $msg, got: $out"
}

key() { cat "$state"; }

# ---- tests -------------------------------------------------------------------

test_create() {
	local id
	id=$(k create-key --description "cli $run_id" --tags TagKey=suite,TagValue=cli | json 'd["KeyMetadata"]["KeyId"]')
	[[ -n $id ]] || fail "create-key: no KeyId"
	echo "$id" >"$state"
	expect_error UnsupportedOperationException "Eddy supports only SYMMETRIC_DEFAULT keys" \
		create-key --key-spec RSA_2048 --key-usage SIGN_VERIFY
}

test_describe() {
	local got
	got=$(k describe-key --key-id "$(key)" | json '[d["KeyMetadata"][m] for m in ("Arn", "KeyState", "KeySpec", "KeyUsage", "KeyManager", "Description")]')
	assert_eq "$got" "[\"$PREFIX:key/$(key)\", \"Enabled\", \"SYMMETRIC_DEFAULT\", \"ENCRYPT_DECRYPT\", \"CUSTOMER\", \"cli $run_id\"]" "describe-key"
	expect_error NotFoundException "Key '$PREFIX:key/00000000-0000-4000-8000-000000000000' does not exist" \
		describe-key --key-id 00000000-0000-4000-8000-000000000000
}

test_aliases() {
	local got
	k create-alias --alias-name "$A" --target-key-id "$(key)" >/dev/null
	expect_error AlreadyExistsException "An alias with the name $PREFIX:$A already exists" \
		create-alias --alias-name "$A" --target-key-id "$(key)"
	expect_error ValidationException 'Alias must start with the prefix "alias/".' \
		create-alias --alias-name "cli-kms-$run_id" --target-key-id "$(key)"
	got=$(k list-aliases --key-id "$(key)" | json '[a["AliasName"] for a in d["Aliases"]]')
	assert_eq "$got" "[\"$A\"]" "list-aliases --key-id"
	got=$(k list-aliases | json '"alias/aws/kinesis" in [a["AliasName"] for a in d["Aliases"]]')
	assert_eq "$got" true "alias/aws/kinesis is listed"
	got=$(k describe-key --key-id "$PREFIX:$A" | json 'd["KeyMetadata"]["KeyId"]')
	assert_eq "$got" "$(key)" "describe-key by alias ARN"
}

test_list_keys() {
	local got
	got=$(k list-keys | json "[x['KeyArn'] for x in d['Keys'] if x['KeyId'] == '$(key)']")
	assert_eq "$got" "[\"$PREFIX:key/$(key)\"]" "list-keys"
}

test_encrypt_decrypt() {
	local blob got
	printf 'hello kms' >"$state.pt"
	blob=$(k encrypt --key-id "$A" --plaintext "fileb://$state.pt" --encryption-context purpose=cli |
		json 'd["CiphertextBlob"]')
	printf '%s' "$blob" | "$PYTHON" -c 'import base64, sys; sys.stdout.buffer.write(base64.b64decode(sys.stdin.read()))' >"$state.ct"
	got=$(k decrypt --ciphertext-blob "fileb://$state.ct" --encryption-context purpose=cli |
		json '[__import__("base64").b64decode(d["Plaintext"]).decode(), d["KeyId"]]')
	assert_eq "$got" "[\"hello kms\", \"$PREFIX:key/$(key)\"]" "decrypt"
	expect_error InvalidCiphertextException "" decrypt --ciphertext-blob "fileb://$state.ct"
	got=$(k re-encrypt --ciphertext-blob "fileb://$state.ct" --source-encryption-context purpose=cli \
		--destination-key-id alias/aws/kinesis | json 'd["SourceKeyId"]')
	assert_eq "$got" "$PREFIX:key/$(key)" "re-encrypt"
}

test_data_keys() {
	local got
	got=$(k generate-data-key --key-id "$(key)" --key-spec AES_256 | json '[len(__import__("base64").b64decode(d["Plaintext"])), len(d["CiphertextBlob"]) > 0]')
	assert_eq "$got" '[32, true]' "generate-data-key"
	got=$(k generate-data-key-without-plaintext --key-id "$A" --number-of-bytes 64 | json '["Plaintext" in d, len(d["CiphertextBlob"]) > 0]')
	assert_eq "$got" '[false, true]' "generate-data-key-without-plaintext"
}

test_tags() {
	local got
	k tag-resource --key-id "$(key)" --tags TagKey=env,TagValue=test >/dev/null
	got=$(k list-resource-tags --key-id "$(key)" | json '[[t["TagKey"], t["TagValue"]] for t in d["Tags"]]')
	assert_eq "$got" '[["env", "test"], ["suite", "cli"]]' "list-resource-tags"
	k untag-resource --key-id "$(key)" --tag-keys suite >/dev/null
	got=$(k list-resource-tags --key-id "$(key)" | json '[t["TagKey"] for t in d["Tags"]]')
	assert_eq "$got" '["env"]' "untag-resource"
}

test_rotation() {
	local got
	k enable-key-rotation --key-id "$(key)" >/dev/null
	# RotationPeriodInDays and rotate-key-on-demand came in 2024: Debian's
	# CLI (2.9) drops the member and lacks the command.
	got=$(k get-key-rotation-status --key-id "$(key)" | json '[d["KeyRotationEnabled"], d.get("RotationPeriodInDays", 365)]')
	assert_eq "$got" '[true, 365]' "get-key-rotation-status"
	if k rotate-key-on-demand help >/dev/null 2>&1; then
		k rotate-key-on-demand --key-id "$(key)" >/dev/null
	else
		echo "  (this AWS CLI has no rotate-key-on-demand: decrypting without a rotation)"
	fi
	got=$(k decrypt --ciphertext-blob "fileb://$state.ct" --encryption-context purpose=cli | json '__import__("base64").b64decode(d["Plaintext"]).decode()')
	assert_eq "$got" "hello kms" "decrypt after rotate-key-on-demand"
	k disable-key-rotation --key-id "$(key)" >/dev/null
}

test_disable_enable() {
	k disable-key --key-id "$(key)" >/dev/null
	expect_error DisabledException "$PREFIX:key/$(key) is disabled." encrypt --key-id "$A" --plaintext aGk=
	k enable-key --key-id "$(key)" >/dev/null
	k encrypt --key-id "$A" --plaintext aGk= >/dev/null
}

test_deletion() {
	local got
	got=$(k schedule-key-deletion --key-id "$(key)" --pending-window-in-days 7 | json '[d["KeyState"], d["PendingWindowInDays"]]')
	assert_eq "$got" '["PendingDeletion", 7]' "schedule-key-deletion"
	expect_error KMSInvalidStateException "$PREFIX:key/$(key) is pending deletion." encrypt --key-id "$(key)" --plaintext aGk=
	k cancel-key-deletion --key-id "$(key)" >/dev/null
	got=$(k describe-key --key-id "$(key)" | json 'd["KeyMetadata"]["KeyState"]')
	assert_eq "$got" Disabled "state after cancel-key-deletion"
	k delete-alias --alias-name "$A" >/dev/null
	expect_error NotFoundException "Alias $PREFIX:$A is not found." delete-alias --alias-name "$A"
	k schedule-key-deletion --key-id "$(key)" >/dev/null
}

test_stream_encryption() {
	# aws kinesis start-stream-encryption under the key: a record reads back
	# with EncryptionType KMS; while the key is disabled put-record fails
	# with Kinesis's KMSDisabledException (within the second the engine
	# caches a key's state); enabled again, it works.
	local s=cli-kms-sse-$run_id out rc got i
	ks() { "$AWS_CLI" --endpoint-url "$EDDY_ENDPOINT" --output json kinesis "$@"; }
	ks create-stream --stream-name "$s" --shard-count 1
	ks wait stream-exists --stream-name "$s"
	ks start-stream-encryption --stream-name "$s" --encryption-type KMS --key-id "$A"
	ks wait stream-exists --stream-name "$s"
	got=$(ks put-record --stream-name "$s" --partition-key pk --data c2VjcmV0 | json 'd["EncryptionType"]')
	assert_eq "$got" KMS "put-record's EncryptionType"
	it=$(ks get-shard-iterator --stream-name "$s" --shard-id shardId-000000000000 --shard-iterator-type TRIM_HORIZON | json 'd["ShardIterator"]')
	got=$(ks get-records --shard-iterator "$it" | json '[(r["Data"], r["EncryptionType"]) for r in d["Records"]]')
	assert_eq "$got" '[["c2VjcmV0", "KMS"]]' "get-records"
	k disable-key --key-id "$(key)" >/dev/null
	for i in $(seq 50); do
		rc=0
		out=$(ks put-record --stream-name "$s" --partition-key k --data eA== 2>&1) || rc=$?
		((rc != 0)) && break
		sleep 0.2
	done
	[[ $out == *"An error occurred (KMSDisabledException) when calling the PutRecord operation"* ]] ||
		fail "put-record with the key disabled: exit status $rc, output: $out"
	k enable-key --key-id "$(key)" >/dev/null
	for i in $(seq 50); do
		ks put-record --stream-name "$s" --partition-key k --data eQ== >/dev/null 2>&1 && break
		sleep 0.2
	done
	ks put-record --stream-name "$s" --partition-key k --data eQ== >/dev/null
	ks delete-stream --stream-name "$s"
}

# ---- runner ------------------------------------------------------------------

run_tests cli-kms test_create test_describe test_aliases test_list_keys test_encrypt_decrypt test_data_keys \
	test_tags test_rotation test_disable_enable test_stream_encryption test_deletion

echo "cli-kms: $passed passed, $failed failed"
((failed == 0))
