#!/usr/bin/env bash
# Interop tests: `aws s3` and `aws s3api` against Eddy's embedded S3 endpoint
# (eddy serve --s3-listen): buckets, cp up and down of a small and a 20 MB
# file (the CLI uploads files over 8 MB in parts), ls --recursive,
# rm --recursive (DeleteObjects), put-object/get-object/head-object/
# list-objects-v2/list-objects, cp between keys (CopyObject),
# get-bucket-location, keys with "+" and spaces (encoding-type=url),
# presign, S3's error codes as the CLI reports them, and a second server
# started with --access-key-id that verifies the CLI's signatures.
#
# Usage: EDDY_S3_ENDPOINT=http://127.0.0.1:PORT [EDDY_BIN=bin/eddy] interop/cli/s3.sh
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

test_list_objects_v1() {
	local k
	for k in v1/a/1 v1/a/2 v1/b v1/c; do
		s3api put-object --bucket "$B" --key "$k" --body "$tmp/body" >/dev/null
	done
	local page
	page=$(s3api list-objects --bucket "$B" --prefix v1/ --delimiter / --max-keys 2 --no-paginate)
	assert_eq "$(json 'd["IsTruncated"]' <<<"$page")" true "IsTruncated"
	assert_eq "$(json 'd["NextMarker"]' <<<"$page")" v1/b "NextMarker"
	assert_eq "$(json '",".join(p["Prefix"] for p in d["CommonPrefixes"])' <<<"$page")" v1/a/ "CommonPrefixes"
	# The CLI pages on by itself, with NextMarker or the last key.
	assert_eq "$(s3api list-objects --bucket "$B" --prefix v1/ --page-size 1 | json '",".join(o["Key"] for o in d["Contents"])')" \
		v1/a/1,v1/a/2,v1/b,v1/c "all keys, one per page"
}

test_copy_location_presign() {
	s3 cp "s3://$B/dir/small.json" "s3://$B/copy/small.json"
	s3 cp "s3://$B/copy/small.json" "$tmp/copy.back"
	cmp "$tmp/small.json" "$tmp/copy.back" || fail "copied object differs"
	assert_eq "$(s3api get-bucket-location --bucket "$B" | json 'str(d.get("LocationConstraint"))')" None "LocationConstraint"
	local url
	url=$(s3 presign "s3://$B/dir/small.json" --expires-in 300)
	curl -sSf -o "$tmp/presigned" "$url" || fail "presigned GET failed"
	cmp "$tmp/small.json" "$tmp/presigned" || fail "presigned GET differs"
}

test_keys_with_plus_and_spaces() {
	s3 cp "$tmp/small.json" "s3://$B/enc dir/a+b c.json"
	local out
	out=$(s3 ls "s3://$B/enc dir/")
	[[ $out == *"a+b c.json"* ]] || fail "ls: $out"
	s3 cp "s3://$B/enc dir/a+b c.json" "$tmp/enc.back"
	cmp "$tmp/small.json" "$tmp/enc.back" || fail "a+b c.json differs"
}

# A second server, started with the CLI's key: signed requests work, a
# wrong secret and a changed presigned URL do not.
test_signed_endpoint() {
	local bin=${EDDY_BIN:-bin/eddy} out="$tmp/signed.out" pid ep="" rc=0
	"$bin" serve --listen 127.0.0.1:0 --s3-listen 127.0.0.1:0 --in-memory \
		--access-key-id "$AWS_ACCESS_KEY_ID" --secret-access-key "$AWS_SECRET_ACCESS_KEY" >"$out" 2>"$tmp/signed.log" </dev/null &
	pid=$!
	for _ in $(seq 100); do
		ep=$(sed -n 's#^eddy s3 on \(http://127\.0\.0\.1:[0-9][0-9]*\)$#\1#p' "$out")
		[[ -n $ep ]] && break
		sleep 0.1
	done
	if [[ -z $ep ]]; then
		kill "$pid" 2>/dev/null
		fail "signed server did not start: $(cat "$tmp/signed.log")"
		return
	fi
	"$AWS_CLI" --endpoint-url "$ep" s3 mb s3://signed || fail "mb with the right key"
	"$AWS_CLI" --endpoint-url "$ep" s3 cp "$tmp/big.bin" s3://signed/big.bin || fail "20 MB cp with the right key"
	"$AWS_CLI" --endpoint-url "$ep" s3 cp s3://signed/big.bin "$tmp/signed.back" || fail "cp down with the right key"
	cmp "$tmp/big.bin" "$tmp/signed.back" || fail "signed 20 MB file differs"
	local url
	url=$("$AWS_CLI" --endpoint-url "$ep" s3 presign s3://signed/big.bin --expires-in 300)
	curl -sSf -o "$tmp/signed.presigned" "$url" || fail "presigned GET with the right key"
	cmp "$tmp/big.bin" "$tmp/signed.presigned" || fail "presigned body differs"
	out=$(curl -s "${url/X-Amz-Signature=/X-Amz-Signature=0}")
	[[ $out == *SignatureDoesNotMatch* ]] || fail "changed presigned URL: $out"
	out=$(AWS_SECRET_ACCESS_KEY=wrong "$AWS_CLI" --endpoint-url "$ep" s3 ls s3://signed 2>&1) || rc=$?
	[[ $out == *SignatureDoesNotMatch* ]] || fail "wrong secret: $out"
	out=$(AWS_ACCESS_KEY_ID=AKIDOTHER "$AWS_CLI" --endpoint-url "$ep" s3 ls s3://signed 2>&1) || rc=$?
	[[ $out == *InvalidAccessKeyId* ]] || fail "unknown key: $out"
	kill "$pid"
	wait "$pid" 2>/dev/null
}

test_rm_recursive_and_rb() {
	local out rc=0
	out=$(s3api delete-bucket --bucket "$B" 2>&1) || rc=$?
	[[ $out == *"BucketNotEmpty"* ]] || fail "delete non-empty: $out"
	s3 rm "s3://$B" --recursive
	[[ -z $(s3 ls "s3://$B" --recursive) ]] || fail "objects left after rm --recursive"
	s3 rb "s3://$B"
}

run_tests cli-s3 test_make_bucket test_cp_small_and_large test_ls_recursive test_s3api_objects test_list_objects_v1 \
	test_copy_location_presign test_keys_with_plus_and_spaces test_signed_endpoint test_rm_recursive_and_rb
echo "cli-s3: $passed passed, $failed failed"
((failed == 0))
