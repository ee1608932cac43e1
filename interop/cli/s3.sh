#!/usr/bin/env bash
# Interop tests: `aws s3` and `aws s3api` against Eddy's embedded S3 endpoint
# (eddy serve --s3-listen): buckets, cp up and down of a small and a 20 MB
# file (the CLI uploads files over 8 MB in parts), ls --recursive,
# rm --recursive (DeleteObjects), put-object/get-object/head-object/
# list-objects-v2, and S3's error codes as the CLI reports them.
#
# Usage: EDDY_S3_ENDPOINT=http://127.0.0.1:PORT interop/cli/s3.sh
#
# The last line printed is "cli-s3: N passed, M failed" (test cases).
set -uo pipefail

# shellcheck source=interop/cli/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cli_setup cli-s3

B=cli-s3-$run_id
tmp=$(mktemp -d "${TMPDIR:-/tmp}/eddy-cli-s3.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

s3() { "$AWS_CLI" --endpoint-url "$EDDY_S3_ENDPOINT" s3 "$@"; }
s3api() { "$AWS_CLI" --endpoint-url "$EDDY_S3_ENDPOINT" --output json s3api "$@"; }

test_make_bucket() {
	s3 mb "s3://$B"
	s3api head-bucket --bucket "$B"
	local out rc=0
	out=$(s3api create-bucket --bucket "$B" 2>&1) || rc=$?
	[[ $out == *"BucketAlreadyOwnedByYou"* ]] || fail "second create-bucket: $out"
	out=$(s3api create-bucket --bucket "Bad_Bucket" 2>&1) || rc=$?
	[[ $out == *"InvalidBucketName"* ]] || fail "bad name: $out"
}

test_cp_small_and_large() {
	echo '{"hello":"world"}' >"$tmp/small.json"
	head -c 20971520 /dev/urandom >"$tmp/big.bin"
	s3 cp "$tmp/small.json" "s3://$B/dir/small.json"
	s3 cp "$tmp/big.bin" "s3://$B/dir/sub/big.bin"
	s3 cp "s3://$B/dir/small.json" "$tmp/small.back"
	s3 cp "s3://$B/dir/sub/big.bin" "$tmp/big.back"
	cmp "$tmp/small.json" "$tmp/small.back" || fail "small file differs"
	cmp "$tmp/big.bin" "$tmp/big.back" || fail "20 MB file differs"
	local etag
	etag=$(s3api head-object --bucket "$B" --key dir/sub/big.bin | json 'd["ETag"]')
	[[ $etag == *-* ]] || fail "multipart ETag $etag has no -N"
}

test_ls_recursive() {
	local out
	out=$(s3 ls "s3://$B" --recursive)
	[[ $out == *"dir/small.json"* && $out == *"dir/sub/big.bin"* ]] || fail "ls --recursive: $out"
	out=$(s3 ls "s3://$B/dir/")
	[[ $out == *"PRE sub/"* && $out == *"small.json"* ]] || fail "ls dir/: $out"
}

test_s3api_objects() {
	printf 'some bytes' >"$tmp/body"
	s3api put-object --bucket "$B" --key "api/ü nicode.txt" --body "$tmp/body" --content-type text/plain --metadata a=b
	s3api get-object --bucket "$B" --key "api/ü nicode.txt" "$tmp/got" >"$tmp/get.json"
	cmp "$tmp/body" "$tmp/got" || fail "get-object body differs"
	assert_eq "$(json 'd["ContentType"]' <"$tmp/get.json")" text/plain ContentType
	assert_eq "$(s3api list-objects-v2 --bucket "$B" --prefix api/ | json 'str(len(d["Contents"]))')" 1 "objects under api/"
	local out rc=0
	out=$(s3api get-object --bucket "$B" --key nope "$tmp/x" 2>&1) || rc=$?
	[[ $out == *"NoSuchKey"* ]] || fail "missing key: $out"
}

test_rm_recursive_and_rb() {
	local out rc=0
	out=$(s3api delete-bucket --bucket "$B" 2>&1) || rc=$?
	[[ $out == *"BucketNotEmpty"* ]] || fail "delete non-empty: $out"
	s3 rm "s3://$B" --recursive
	[[ -z $(s3 ls "s3://$B" --recursive) ]] || fail "objects left after rm --recursive"
	s3 rb "s3://$B"
}

run_tests cli-s3 test_make_bucket test_cp_small_and_large test_ls_recursive test_s3api_objects test_rm_recursive_and_rb
echo "cli-s3: $passed passed, $failed failed"
((failed == 0))
