#!/usr/bin/env bash
# Interop tests: the AWS CLI and boto3 (Debian's packages) over HTTPS against
# an Eddy server of its own started with `--tls auto`: the CLI trusts its
# self-signed certificate with --ca-bundle, skips verification with
# --no-verify-ssl, and refuses it with neither; boto3 with verify=<file>.
#
# Usage: EDDY_BIN=bin/eddy interop/cli/tls.sh
#
# Environment: as interop/cli/test.sh, plus EDDY_BIN (the eddy binary). The
# server listens on 127.0.0.1 (an ephemeral port) with its data in a
# temporary directory, both removed at exit. The last line printed is
# "cli-tls: N passed, M failed".
set -uo pipefail

# shellcheck source=interop/cli/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
EDDY_ENDPOINT=${EDDY_ENDPOINT:-unused} # this script starts its own server
cli_setup cli-tls

dir=$(mktemp -d)
server=""
stop() {
	[[ -n $server ]] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
	rm -rf "$dir"
}
trap stop EXIT

"${EDDY_BIN:?EDDY_BIN is not set}" serve --listen 127.0.0.1:0 --admin-listen off --tls auto --data-dir "$dir/data" \
	>"$dir/out" 2>"$dir/log" </dev/null &
server=$!
url=""
for _ in $(seq 100); do
	url=$(sed -n 's#^eddy listening on \(https://127\.0\.0\.1:[0-9][0-9]*\)$#\1#p' "$dir/out")
	[[ -n $url ]] && break
	sleep 0.1
done
if [[ -z $url ]]; then
	echo "eddy serve --tls auto did not report an https address; its log:" >&2
	cat "$dir/out" "$dir/log" >&2
	echo "cli-tls: 0 passed, 1 failed"
	exit 1
fi
ca=$dir/data/tls-cert.pem

ks() { "$AWS_CLI" --endpoint-url "$url" --output json kinesis "$@"; }

# ---- tests -------------------------------------------------------------------

test_ca_bundle() {
	local s=cli-tls-$run_id got
	ks --ca-bundle "$ca" create-stream --stream-name "$s" --shard-count 1
	ks --ca-bundle "$ca" wait stream-exists --stream-name "$s"
	got=$(ks --ca-bundle "$ca" put-record --stream-name "$s" --partition-key k --data aGk= | json 'd["ShardId"]')
	assert_eq "$got" shardId-000000000000 "put-record over HTTPS"
	AWS_CA_BUNDLE=$ca ks list-streams | grep -q "$s" || fail "list-streams with AWS_CA_BUNDLE"
}

test_no_verify_ssl() {
	ks --no-verify-ssl list-streams 2>/dev/null | json 'd["StreamNames"]' >/dev/null
}

test_unknown_certificate_refused() {
	local out rc=0
	out=$(ks list-streams 2>&1) || rc=$?
	((rc != 0)) || fail "list-streams without --ca-bundle succeeded"
	[[ $out == *"SSL validation failed"* || $out == *"CERTIFICATE_VERIFY_FAILED"* ]] ||
		fail "list-streams without --ca-bundle: want a certificate verification error, got: $out"
}

test_boto3_verify() {
	"$PYTHON" - "$url" "$ca" <<'PY'
import sys
import boto3
from botocore.config import Config
url, ca = sys.argv[1], sys.argv[2]
c = boto3.client("kinesis", endpoint_url=url, region_name="us-east-1", verify=ca,
                 aws_access_key_id="AKIDINTEROP", aws_secret_access_key="secret",
                 config=Config(retries={"max_attempts": 1}))
c.list_streams()
PY
}

test_fingerprint_logged() {
	# The log names the certificate's SHA-256 fingerprint; it matches the file's.
	local want got
	want=$(openssl x509 -in "$ca" -noout -fingerprint -sha256 | sed 's/^.*=//')
	got=$(sed -n 's/.*msg="tls: self-signed certificate".* sha256=\([0-9A-F:]*\).*/\1/p' "$dir/log")
	assert_eq "$got" "$want" "logged fingerprint"
}

# ---- runner ------------------------------------------------------------------

tests=(test_ca_bundle test_no_verify_ssl test_unknown_certificate_refused test_boto3_verify)
command -v openssl >/dev/null && tests+=(test_fingerprint_logged)
run_tests cli-tls "${tests[@]}"

echo "cli-tls: $passed passed, $failed failed"
((failed == 0))
