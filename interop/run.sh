#!/usr/bin/env bash
# Interop suite: real third-party clients drive the real eddy binary.
#
#   interop/run.sh            (from anywhere; `make test` runs it)
#   interop/run.sh --cluster  the Kinesis suites against a cluster (below)
#
# It builds bin/eddy, starts `eddy serve` on 127.0.0.1 (an ephemeral port) with
# durable storage in a temporary --data-dir, then runs, one after another:
#   cli         interop/cli/test.sh              the AWS CLI (Debian's awscli): Kinesis
#   python      interop/python/test_kinesis.py   boto3 (Debian's python3-boto3), unittest: Kinesis
#   js          interop/js/kinesis.test.mjs      @aws-sdk/client-kinesis over h2c,
#               interop/js/dynamodb.test.mjs     @aws-sdk/client-dynamodb and lib-dynamodb, and
#               interop/js/lambda.test.mjs       @aws-sdk/client-lambda (Node handlers), node --test
#   cli-ddb     interop/cli/dynamodb.sh          `aws dynamodb`
#   cli-lambda  interop/cli/lambda.sh            `aws lambda` (functions run by python3)
#   cli-s3      interop/cli/s3.sh                `aws s3`, `aws s3api` on --s3-listen
#   cli-firehose interop/cli/firehose.sh         `aws firehose`: delivery streams, put-record(-batch), tags
#   python-ddb  interop/python/test_dynamodb.py  boto3's DynamoDB client and resource layer
#   python-lambda interop/python/test_lambda.py  boto3's Lambda client: functions (python3) and event source mappings
#   python-firehose interop/python/test_firehose.py  boto3's Firehose client, delivery to the embedded S3 endpoint
#   cli-kms     interop/cli/kms.sh               `aws kms`: keys, aliases, encrypt/decrypt, data keys, rotation, deletion
#   python-kms  interop/python/test_kms.py       boto3's KMS client: envelope encryption, key states, paginators,
#                                                stream encryption and KMSDisabledException
#   cli-tls     interop/cli/tls.sh               the CLI and boto3 over HTTPS to a server of its own (--tls auto):
#                                                --ca-bundle, --no-verify-ssl, verification refused without them
#   cli-iam     interop/cli/iam.sh               the CLI and boto3 against a server of its own with --identities:
#                                                sts get-caller-identity, AccessDeniedException, boto3 AssumeRole
#   cli-analytics interop/cli/analytics.sh       `aws kinesisanalytics`: a SQL application over Kinesis streams
#                                                (discovery, outputs, tags, start/stop, a STAGGER window checked
#                                                against sqlite3, error codes)
#   python-analytics interop/python/test_analytics.py  boto3's kinesisanalytics client: lifecycle, a reference
#                                                join from the embedded S3 endpoint, tumbling and sliding windows,
#                                                RANDOM_CUT_FOREST and a Lambda preprocessor, checked against sqlite3
# All but cli-tls and cli-iam share the server; their stream and table names do not collide. It stops the
# server, removes the data directory, and prints one last line
# "N passed, M failed", counting test cases across the suites (a suite
# that crashes without reporting counts as one failed test case). It exits
# non-zero if anything failed. Nothing but 127.0.0.1 is contacted.
#
# Dependencies: scripts/install-test-deps.sh installs them (awscli,
# python3-boto3, npm ci in interop/js, bin/tools/nats-server).
#
# Cluster mode (--cluster, or INTEROP_CLUSTER=1): instead of one server on
# --data-dir, three nats-server processes (bin/tools/nats-server, or
# NATS_SERVER) form a JetStream cluster on 127.0.0.1 (free ports, sync_interval
# always, a store directory each, routes to one another), and two Eddy nodes
# A and B serve it (`--backend jetstream --replicas 3`, one --nats-prefix, one
# --kms-root-key-file). EDDY_ENDPOINTS holds both nodes' URLs: the cli and
# python suites send their calls to A and B in turn, so a stream one node
# made is described, written and read through the other. The default suites
# are then INTEROP_CLUSTER_SUITES ("cli python"), and a last check,
# cluster-views, makes and writes a stream through A, reads and deletes it
# through B, and requires list-streams through A and B to agree. Suites that need a node's own
# directories (S3, Lambda, ...) are not part of the cluster list. Three python
# cases send every call to node A (the admin API is per node, and two known
# gaps: SubscribeToShard subscriptions are per node); INTEROP_NO_PIN=1 spreads
# them too.
#
# Environment:
#   INTEROP_SUITES   which suites to run (default "cli python js cli-ddb python-ddb cli-lambda python-lambda cli-s3 cli-firehose python-firehose cli-kms python-kms cli-tls cli-iam cli-analytics python-analytics")
#   EDDY_BIN         use this eddy binary instead of building bin/eddy
#   INTEROP_CLUSTER  1: cluster mode (as --cluster)
#   INTEROP_CLUSTER_SUITES  the suites of cluster mode (default "cli python")
#   NATS_SERVER      the nats-server of cluster mode (default bin/tools/nats-server)
#   AWS_CLI, PYTHON  the aws and python3 to use (default: Debian's in /usr/bin)
#   SUITE_TIMEOUT    seconds each suite may take (default 300)
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
root=$PWD

cluster=${INTEROP_CLUSTER:-0}
for arg in "$@"; do
	case $arg in
	--cluster) cluster=1 ;;
	*)
		echo "usage: interop/run.sh [--cluster]" >&2
		exit 2
		;;
	esac
done
[[ $cluster == 0 || $cluster == 1 ]] || cluster=1

if ((cluster)); then
	suites=${INTEROP_SUITES:-${INTEROP_CLUSTER_SUITES:-cli python}}
else
	suites=${INTEROP_SUITES:-cli python js cli-ddb python-ddb cli-lambda python-lambda cli-s3 cli-firehose python-firehose cli-kms python-kms cli-tls cli-iam cli-analytics python-analytics}
fi
suite_timeout=${SUITE_TIMEOUT:-300}
passed=0
failed=0
reported=""
server_pid=""
node_pids=() # the nats-servers (cluster mode), then the Eddy servers
suite_pid=""
tail_pid=""
tmp=$(mktemp -d "${TMPDIR:-/tmp}/eddy-interop.XXXXXX") || exit 1

cleanup() {
	local rc=$?
	# A suite still running (interrupted): timeout passes the signal on to it.
	[[ -n $suite_pid ]] && kill -TERM "$suite_pid" 2>/dev/null
	[[ -n $tail_pid ]] && kill -TERM "$tail_pid" 2>/dev/null
	local i
	# The Eddy nodes first, then the nats-servers under them.
	for ((i = ${#node_pids[@]} - 1; i >= 0; i--)); do
		stop_pid "${node_pids[i]}"
	done
	rm -rf "$tmp"
	if [[ -z $reported ]]; then
		# Interrupted: what ran so far, and the interruption as a failure.
		echo "$passed passed, $((failed + 1)) failed"
	fi
	exit "$rc"
}
# stop_pid PID: SIGTERM, up to 5 s to exit, then SIGKILL.
stop_pid() {
	local pid=$1
	[[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null
	for _ in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

say() { echo "interop: $*" >&2; }

# finish: print the totals line and exit with the right status.
finish() {
	reported=1
	echo "$passed passed, $failed failed"
	((failed == 0 && passed > 0))
	exit
}

# Debian's clients unless told otherwise (a pyenv or pip install on PATH may
# shadow them).
if [[ -z ${AWS_CLI:-} ]]; then
	if [[ -x /usr/bin/aws ]]; then AWS_CLI=/usr/bin/aws; else AWS_CLI=$(command -v aws || echo aws); fi
fi
if [[ -z ${PYTHON:-} ]]; then
	if [[ -x /usr/bin/python3 ]]; then PYTHON=/usr/bin/python3; else PYTHON=$(command -v python3 || echo python3); fi
fi
export AWS_CLI PYTHON

# ---- the server -------------------------------------------------------------

if [[ -n ${EDDY_BIN:-} ]]; then
	bin=$EDDY_BIN
else
	bin=$root/bin/eddy
	say "building $bin"
	if ! go build -o "$bin" ./cmd/eddy; then
		say "go build failed"
		failed=$((failed + 1))
		finish
	fi
fi

# The server's settings are its defaults plus these flags: no EDDY_* variable
# from the caller's environment (see docs/CONFIGURATION.md) reaches it.
server_env=(env)
while IFS= read -r var; do server_env+=(-u "$var"); done < <(compgen -e | grep '^EDDY_')

# start_eddy NAME ARGS...: start `eddy serve ARGS...` (stdout and log in
# $tmp/NAME.out and $tmp/NAME.log), wait for its address, and set
# started_pid and started_endpoint (empty when it did not come up).
start_eddy() {
	local name=$1
	shift
	"${server_env[@]}" "$bin" serve --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 "$@" \
		>"$tmp/$name.out" 2>"$tmp/$name.log" </dev/null &
	started_pid=$!
	node_pids+=("$started_pid")
	started_endpoint=""
	for _ in $(seq 300); do
		started_endpoint=$(sed -n 's#^eddy listening on \(http://127\.0\.0\.1:[0-9][0-9]*\)$#\1#p' "$tmp/$name.out")
		[[ -n $started_endpoint ]] && break
		kill -0 "$started_pid" 2>/dev/null || break
		sleep 0.1
	done
	if [[ -z $started_endpoint ]]; then
		say "eddy serve ($name) did not report a 127.0.0.1 address; its stdout and log:"
		cat "$tmp/$name.out" "$tmp/$name.log" >&2
		failed=$((failed + 1))
		finish
	fi
}

# free_ports N: N distinct free TCP ports on 127.0.0.1, one a line.
free_ports() {
	"$PYTHON" -c '
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
for s in socks:
    print(s.getsockname()[1])
' "$1"
}

# start_nats: three nats-server processes, a JetStream cluster on 127.0.0.1;
# waits until each reports JetStream healthy (its /healthz, on a monitoring
# port of 127.0.0.1). Sets nats_urls (comma-separated client URLs).
start_nats() {
	local nats=${NATS_SERVER:-$root/bin/tools/nats-server} ports i routes="" healthy
	if [[ ! -x $nats ]]; then
		say "$nats not found; run scripts/install-test-deps.sh"
		failed=$((failed + 1))
		finish
	fi
	mapfile -t ports < <(free_ports 9)
	for i in 0 1 2; do
		routes+="nats-route://127.0.0.1:${ports[3 + i]}, "
	done
	nats_urls=""
	for i in 0 1 2; do
		mkdir -p "$tmp/nats$i"
		cat >"$tmp/nats$i.conf" <<-EOF
			server_name: n$((i + 1))
			listen: 127.0.0.1:${ports[i]}
			http: 127.0.0.1:${ports[6 + i]}
			max_payload: 8MB
			jetstream {
			  store_dir: "$tmp/nats$i"
			  sync_interval: always
			  max_memory_store: 256MB
			  max_file_store: 8GB
			}
			cluster {
			  name: eddy-interop
			  listen: 127.0.0.1:${ports[3 + i]}
			  routes: [${routes%, }]
			}
		EOF
		"$nats" -c "$tmp/nats$i.conf" >"$tmp/nats$i.log" 2>&1 </dev/null &
		node_pids+=("$!")
		nats_urls+="${nats_urls:+,}nats://127.0.0.1:${ports[i]}"
	done
	for i in 0 1 2; do
		healthy=""
		for _ in $(seq 600); do
			if curl -sf --noproxy '*' "http://127.0.0.1:${ports[6 + i]}/healthz" >/dev/null 2>&1; then
				healthy=1
				break
			fi
			sleep 0.1
		done
		if [[ -z $healthy ]]; then
			say "nats-server n$((i + 1)) is not healthy after 60 s; its log:"
			tail -n 40 "$tmp/nats$i.log" >&2
			failed=$((failed + 1))
			finish
		fi
	done
	say "NATS JetStream cluster on $nats_urls"
}

if ((cluster)); then
	start_nats
	head -c 32 /dev/urandom >"$tmp/kms-root.key"
	prefix=I$$
	cluster_args=(--backend jetstream --nats-url "$nats_urls" --nats-prefix "$prefix" --replicas 3
		--kms-root-key-file "$tmp/kms-root.key")
	start_eddy nodeA "${cluster_args[@]}" --data-dir "$tmp/nodeA"
	server_pid=$started_pid endpoint=$started_endpoint
	admin_out=$tmp/nodeA.out
	start_eddy nodeB "${cluster_args[@]}" --data-dir "$tmp/nodeB"
	endpoint_b=$started_endpoint
	server_log=$tmp/nodeA.log
	export EDDY_ENDPOINTS="$endpoint $endpoint_b"
	say "eddy nodes A $endpoint and B $endpoint_b on the NATS cluster (prefix $prefix)"
else
	start_eddy server --s3-listen 127.0.0.1:0 --data-dir "$tmp/data"
	server_pid=$started_pid endpoint=$started_endpoint
	admin_out=$tmp/server.out
	server_log=$tmp/server.log
	say "eddy serving on $endpoint (data in $tmp/data)"
	EDDY_S3_ENDPOINT=$(sed -n 's#^eddy s3 on \(http://127\.0\.0\.1:[0-9][0-9]*\)$#\1#p' "$tmp/server.out")
	export EDDY_S3_ENDPOINT
fi
export EDDY_ENDPOINT=$endpoint
EDDY_ADMIN_ENDPOINT=$(sed -n 's#^eddy admin on \(http://127\.0\.0\.1:[0-9][0-9]*\)$#\1#p' "$admin_out")
export EDDY_ADMIN_ENDPOINT
if [[ -z $EDDY_ADMIN_ENDPOINT ]]; then
	say "eddy serve did not report its admin address"
	failed=$((failed + 1))
fi

# Only loopback: no proxies, no shared AWS config, no instance metadata.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
export AWS_ACCESS_KEY_ID=AKIDINTEROP AWS_SECRET_ACCESS_KEY=interop-secret AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_ENDPOINT_URL_KINESIS

# ---- the suites -------------------------------------------------------------

# record SUITE STATUS PASSED FAILED: add a suite's counts. A suite that failed
# without reporting a failed test case counts as one.
record() {
	local suite=$1 status=$2 p=${3:-0} f=${4:-0}
	if ((status != 0 && f == 0)); then
		say "$suite: exit status $status without a failed test case; counting one failure"
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	say "$suite: $p passed, $f failed ($(($(date +%s) - suite_start))s)"
}

# run_suite SUITE LOG CMD...: run CMD with a time limit, its output to LOG and
# to the terminal (stderr); returns CMD's status. CMD runs in the background so
# that a signal to this script is handled at once (see cleanup).
run_suite() {
	local suite=$1 log=$2 status
	shift 2
	say "---- $suite ----"
	: >"$log"
	timeout --kill-after=10 "$suite_timeout" "$@" >"$log" 2>&1 </dev/null &
	suite_pid=$!
	tail -n +1 -s 0.2 -f --pid="$suite_pid" "$log" >&2 &
	tail_pid=$!
	wait "$suite_pid"
	status=$?
	suite_pid=""
	wait "$tail_pid"
	tail_pid=""
	((status == 124)) && say "$suite: timed out after ${suite_timeout}s"
	return "$status"
}

# counts SUITE LOG: "P F" from the "SUITE: P passed, F failed" line in LOG.
counts() {
	sed -n "s/^$1: \([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed\$/\1 \2/p" "$2" | tail -n 1
}

for suite in $suites; do
	suite_start=$(date +%s)
	case $suite in
	cli | cli-ddb | cli-lambda | cli-s3 | cli-firehose | cli-kms | cli-tls | cli-iam | cli-analytics)
		if ! command -v "$AWS_CLI" >/dev/null 2>&1; then
			say "$suite: $AWS_CLI not found; run scripts/install-test-deps.sh"
			record "$suite" 1 0 1
			continue
		fi
		script=interop/cli/test.sh
		[[ $suite == cli-ddb ]] && script=interop/cli/dynamodb.sh
		[[ $suite == cli-lambda ]] && script=interop/cli/lambda.sh
		[[ $suite == cli-s3 ]] && script=interop/cli/s3.sh
		[[ $suite == cli-firehose ]] && script=interop/cli/firehose.sh
		[[ $suite == cli-kms ]] && script=interop/cli/kms.sh
		[[ $suite == cli-tls ]] && script=interop/cli/tls.sh
		[[ $suite == cli-iam ]] && script=interop/cli/iam.sh
		[[ $suite == cli-analytics ]] && script=interop/cli/analytics.sh
		EDDY_BIN=$bin run_suite "$suite" "$tmp/$suite.log" bash "$script"
		status=$?
		read -r p f < <(counts "$suite" "$tmp/$suite.log"; echo)
		record "$suite" "$status" "$p" "$f"
		;;
	python | python-ddb | python-lambda | python-firehose | python-kms | python-analytics)
		if ! "$PYTHON" -c 'import boto3' 2>/dev/null; then
			say "$suite: $PYTHON cannot import boto3; run scripts/install-test-deps.sh"
			record "$suite" 1 0 1
			continue
		fi
		script=interop/python/test_kinesis.py
		[[ $suite == python-ddb ]] && script=interop/python/test_dynamodb.py
		[[ $suite == python-lambda ]] && script=interop/python/test_lambda.py
		[[ $suite == python-firehose ]] && script=interop/python/test_firehose.py
		[[ $suite == python-kms ]] && script=interop/python/test_kms.py
		[[ $suite == python-analytics ]] && script=interop/python/test_analytics.py
		run_suite "$suite" "$tmp/$suite.log" "$PYTHON" "$script" -v
		status=$?
		read -r p f < <(counts "$suite" "$tmp/$suite.log"; echo)
		record "$suite" "$status" "$p" "$f"
		;;
	js)
		node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
		if ((node_major < 20)); then
			say "js: needs Node.js 20 or later (found: $(node --version 2>/dev/null || echo none))"
			record js 1 0 1
			continue
		fi
		if [[ ! -d interop/js/node_modules/@aws-sdk/client-kinesis || ! -d interop/js/node_modules/@aws-sdk/lib-dynamodb || ! -d interop/js/node_modules/@aws-sdk/client-lambda ]]; then
			say "js: interop/js/node_modules is missing; run scripts/install-test-deps.sh"
			record js 1 0 1
			continue
		fi
		# spec to the terminal, TAP to a file for the counts.
		run_suite js "$tmp/js.log" node --test \
			--test-reporter=spec --test-reporter-destination=stdout \
			--test-reporter=tap --test-reporter-destination="$tmp/js.tap" \
			interop/js/kinesis.test.mjs interop/js/dynamodb.test.mjs interop/js/lambda.test.mjs
		status=$?
		p=$(sed -n 's/^# pass \([0-9][0-9]*\)$/\1/p' "$tmp/js.tap" 2>/dev/null | tail -n 1)
		f=0
		for k in fail cancelled; do
			n=$(sed -n "s/^# $k \\([0-9][0-9]*\\)\$/\\1/p" "$tmp/js.tap" 2>/dev/null | tail -n 1)
			f=$((f + ${n:-0}))
		done
		record js "$status" "${p:-0}" "$f"
		;;
	*)
		say "unknown suite '$suite' (want cli, python, js, cli-ddb, python-ddb, cli-lambda, python-lambda, cli-s3, cli-firehose, python-firehose, cli-kms or python-kms)"
		failed=$((failed + 1))
		;;
	esac
done

# cluster-views: what one node makes, the other sees. A stream created and
# written through node A is listed, described ACTIVE and read (the record)
# through node B; deleted through B, node A lists it no more; and
# list-streams through A and B agree at the end.
cluster_views() {
	local a b name=views-$$ d it got deadline
	read -r a b <<<"$EDDY_ENDPOINTS"
	aws_at() {
		local ep=$1
		shift
		"$AWS_CLI" --endpoint-url "$ep" --output json --cli-binary-format raw-in-base64-out "$@"
	}
	names() { "$PYTHON" -c 'import json,sys; print(" ".join(sorted(json.load(sys.stdin)["StreamNames"])))'; }
	aws_at "$a" kinesis create-stream --stream-name "$name" --shard-count 1 || return 1
	deadline=$((SECONDS + 20))
	while ((SECONDS < deadline)); do
		d=$(aws_at "$b" kinesis describe-stream-summary --stream-name "$name" 2>/dev/null |
			"$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["StreamDescriptionSummary"]["StreamStatus"])' 2>/dev/null)
		[[ $d == ACTIVE ]] && break
		sleep 0.1
	done
	[[ $d == ACTIVE ]] || { say "cluster-views: node B describes $name as '$d', want ACTIVE"; return 1; }
	[[ " $(aws_at "$b" kinesis list-streams | names) " == *" $name "* ]] ||
		{ say "cluster-views: node B does not list $name"; return 1; }
	aws_at "$a" kinesis put-record --stream-name "$name" --partition-key k --data "made-on-A" >/dev/null || return 1
	it=$(aws_at "$b" kinesis get-shard-iterator --stream-name "$name" --shard-id shardId-000000000000 \
		--shard-iterator-type TRIM_HORIZON | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["ShardIterator"])') || return 1
	got=$(aws_at "$b" kinesis get-records --shard-iterator "$it" |
		"$PYTHON" -c 'import base64,json,sys; print(" ".join(base64.b64decode(r["Data"]).decode() for r in json.load(sys.stdin)["Records"]))') || return 1
	[[ $got == made-on-A ]] || { say "cluster-views: node B reads '$got', want 'made-on-A'"; return 1; }
	aws_at "$b" kinesis delete-stream --stream-name "$name" || return 1
	deadline=$((SECONDS + 20))
	while ((SECONDS < deadline)); do
		[[ " $(aws_at "$a" kinesis list-streams | names) " != *" $name "* ]] && break
		sleep 0.1
	done
	[[ " $(aws_at "$a" kinesis list-streams | names) " != *" $name "* ]] ||
		{ say "cluster-views: node A still lists $name 20 s after node B deleted it"; return 1; }
	if [[ $(aws_at "$a" kinesis list-streams | names) != "$(aws_at "$b" kinesis list-streams | names)" ]]; then
		say "cluster-views: list-streams differs between node A and node B"
		return 1
	fi
	say "cluster-views: a stream made and written through node A was read and deleted through node B"
}
if ((cluster)); then
	suite_start=$(date +%s)
	if cluster_views >"$tmp/cluster-views.log" 2>&1; then
		record cluster-views 0 1 0
	else
		cat "$tmp/cluster-views.log" >&2
		record cluster-views 1 0 1
	fi
fi

# The servers must have survived all of that.
for pid in "${node_pids[@]}"; do
	if ! kill -0 "$pid" 2>/dev/null; then
		say "process $pid (an eddy node or nats-server) exited during the tests; the logs:"
		tail -n 40 "$tmp"/*.log >&2
		failed=$((failed + 1))
		break
	fi
done
if ((failed > 0)); then
	say "server log (last 40 lines):"
	tail -n 40 "$server_log" >&2
fi

finish
