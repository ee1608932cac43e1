# Shared by the AWS CLI interop scripts (test.sh, dynamodb.sh, lambda.sh): the checks on
# the environment, the isolation of the CLI from this machine's AWS
# configuration, assertions, and the runner. Source it, then call
# cli_setup LABEL first and run_tests LABEL TEST... last.
#
# Environment (every script):
#   EDDY_ENDPOINT    the server's URL (required)
#   EDDY_ENDPOINTS   several nodes of one cluster, space-separated: next_endpoint
#                    hands them out in turn (interop/run.sh --cluster)
#   AWS_CLI          the aws executable (default: /usr/bin/aws if present, else aws on PATH)
#   PYTHON           a python3 for parsing JSON output (default: /usr/bin/python3 or python3)
#   EDDY_ACCOUNT_ID  the account id the server uses in ARNs and messages (default 000000000000)

# cli_setup LABEL: check EDDY_ENDPOINT (printing "LABEL: 0 passed, 1 failed"
# and exiting when it is missing), pick AWS_CLI and PYTHON, and give the CLI
# dummy credentials, a fixed region, no config files, no pager, no retries
# and no instance metadata look-ups: only the endpoint is ever contacted.
# Sets ACCOUNT and run_id (8 random hex digits for resource names).
cli_setup() {
	if [[ -z ${EDDY_ENDPOINT:-} ]]; then
		echo "EDDY_ENDPOINT is not set (e.g. http://127.0.0.1:4567)" >&2
		echo "$1: 0 passed, 1 failed"
		exit 2
	fi
	if [[ -z ${AWS_CLI:-} ]]; then
		if [[ -x /usr/bin/aws ]]; then AWS_CLI=/usr/bin/aws; else AWS_CLI=aws; fi
	fi
	if [[ -z ${PYTHON:-} ]]; then
		if [[ -x /usr/bin/python3 ]]; then PYTHON=/usr/bin/python3; else PYTHON=python3; fi
	fi
	ACCOUNT=${EDDY_ACCOUNT_ID:-000000000000}
	export AWS_ACCESS_KEY_ID=AKIDINTEROPCLI AWS_SECRET_ACCESS_KEY=interop-secret
	export AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1
	export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
	export AWS_PAGER="" AWS_MAX_ATTEMPTS=1 AWS_RETRY_MODE=standard AWS_EC2_METADATA_DISABLED=true
	# Every AWS_ENDPOINT_URL_<SERVICE> would override --endpoint-url.
	unset AWS_PROFILE AWS_SESSION_TOKEN AWS_CLI_AUTO_PROMPT
	unset "${!AWS_ENDPOINT_URL@}"
	run_id=$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
	read -ra endpoints <<<"${EDDY_ENDPOINTS:-$EDDY_ENDPOINT}"
	# The turn is kept in a file: calls are made from subshells. (Only for a
	# cluster: the scripts that set an EXIT trap of their own, and would
	# leave the file behind, do not use next_endpoint.)
	if ((${#endpoints[@]} > 1)); then
		endpoint_turn=$(mktemp "${TMPDIR:-/tmp}/eddy-cli-turn.XXXXXX")
		trap 'rm -f "$endpoint_turn"' EXIT
	fi
}

# next_endpoint: print the endpoint for the next call: EDDY_ENDPOINT, or with
# EDDY_ENDPOINTS each of its URLs in turn, so that consecutive calls of a
# test go to different nodes of a cluster.
next_endpoint() {
	if ((${#endpoints[@]} < 2)); then
		echo "$EDDY_ENDPOINT"
		return
	fi
	local n
	n=$(<"$endpoint_turn")
	echo $((${n:-0} + 1)) >"$endpoint_turn"
	echo "${endpoints[${n:-0} % ${#endpoints[@]}]}"
}

fail() {
	echo "  FAIL: $*" >&2
	exit 1
}

# assert_eq ACTUAL EXPECTED WHAT
assert_eq() {
	[[ $1 == "$2" ]] || fail "$3: got '$1', want '$2'"
}

# json EXPR: evaluate a Python expression over the JSON on stdin (bound to d)
# and print it: strings as they are, anything else as JSON (object keys
# sorted when JSON_SORT_KEYS=1).
json() {
	"$PYTHON" -c '
import json, os, sys
d = json.load(sys.stdin)
v = eval(sys.argv[1])
print(v if isinstance(v, str) else json.dumps(v, sort_keys=os.environ.get("JSON_SORT_KEYS") == "1"))
' "$1"
}

now_ms() { echo $((${EPOCHREALTIME/./} / 1000)); }

# run_tests LABEL TEST...: run each test function in order, each in its own
# subshell with `set -e` and its stdout discarded, printing "ok"/"FAIL" and
# its time on stderr. Sets passed and failed, and prints
# "LABEL: N passed, M failed" last.
run_tests() {
	local label=$1 t start_ms rc secs
	shift
	passed=0
	failed=0
	for t in "$@"; do
		start_ms=$(now_ms)
		(
			set -eE
			trap 'echo "  FAIL: line $LINENO: $BASH_COMMAND (exit status $?)" >&2' ERR
			"$t" >/dev/null
		)
		rc=$?
		secs=$(printf '%d.%d' $((($(now_ms) - start_ms) / 1000)) $((($(now_ms) - start_ms) % 1000 / 100)))
		if ((rc == 0)); then
			passed=$((passed + 1))
			echo "ok   $t (${secs}s)" >&2
		else
			failed=$((failed + 1))
			echo "FAIL $t (${secs}s)" >&2
		fi
	done
}
