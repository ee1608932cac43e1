#!/usr/bin/env bash
# Eddy side by side with kinesalite and kinesis-mock: the same load generator
# (bench/loadgen), the same workloads, on the same machine.
#
#   bench/compare.sh            (from anywhere; takes ~6 minutes on 2 cores)
#
# It builds eddy and loadgen, installs kinesalite 3.3.3 and kinesis-local
# 0.6.2 (etspaceman's kinesis-mock built for Node) with npm into a temporary
# directory, then for each of ROUNDS rounds starts each server fresh on
# 127.0.0.1, runs loadgen's put (with its GetRecords read-back), visible and
# efo workloads against it, and stops it. The servers take turns, and the
# order rotates from round to round. Then, MEM_ROUNDS times, the memory test
# against a fresh process of each server. Finally it prints a Markdown table
# of the medians with ratios to Eddy, and checks the goals of the benchmarks
# issue. The servers:
#
#   eddy              bin/eddy serve --sync always (segment log, every batch
#                     fsync'd before it is acknowledged)
#   eddy --in-memory  bin/eddy serve --in-memory
#   kinesalite        in memory (its default); streams become ACTIVE at once
#   kinesis-mock      in memory (its default); streams and consumers become
#                     ACTIVE at once, log level WARN
#
# Both emulators listen on every interface when started as their READMEs say;
# here kinesalite runs from a three-line launcher that listens on 127.0.0.1,
# and kinesis-mock's main.js gets its hard-coded bind address "0.0.0.0"
# replaced with "127.0.0.1" in the temporary copy. Nothing but 127.0.0.1 is
# contacted, apart from the npm registry for the install.
#
# loadgen reads each server's CPU time and peak memory from /proc/<pid>, so
# the pid must be the server itself: eddy, or node running the emulator
# (not npx or a shell); the script checks /proc/<pid>/exe.
#
# Environment (defaults in parentheses):
#   ROUNDS            rounds of the throughput and latency workloads (3)
#   MEM_ROUNDS        rounds of the memory test (1)
#   SERVERS           which servers, in this order (eddy eddy-mem kinesalite kinesis-mock)
#   PUT_DURATION      put workload length (5s); PUT_RECORDS caps it (3000000)
#   PUT_CLIENT        the put workload's client: lean (default; the same
#                     JSON and SigV4 as the SDK, built by hand) or sdk
#                     (aws-sdk-go-v2, which costs more CPU per record than
#                     Eddy's server on the same two cores)
#   SHARDS CLIENTS BATCH SIZE   put: shards (16), producers (16), records per
#                     PutRecords (500), record bytes (1024)
#   LATENCY_DURATION LATENCY_RATE  visible/efo: 3s at 200 PutRecord/s
#   MEM_CLIENTS MEM_BATCH MEM_RECORD  memory test: 100 concurrent PutRecords
#                     of 1 record of 1 MiB (data plus key)
#   LOADGEN_ARGS      more loadgen flags for every run
#   RESULTS           file the JSON lines are appended to (default: a new
#                     /tmp/eddy-compare-*.jsonl, kept; its path is printed)
#   RUN_TIMEOUT       seconds one loadgen run may take (900)
#
# Exit status: 0, or 1 when a run against Eddy lost, duplicated or damaged a
# record, or a server could not be started.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
root=$PWD

ROUNDS=${ROUNDS:-3}
MEM_ROUNDS=${MEM_ROUNDS:-1}
SERVERS=${SERVERS:-eddy eddy-mem kinesalite kinesis-mock}
PUT_DURATION=${PUT_DURATION:-5s}
PUT_RECORDS=${PUT_RECORDS:-3000000}
PUT_CLIENT=${PUT_CLIENT:-lean}
SHARDS=${SHARDS:-16}
# 16 producers: a durable server needs requests in flight to share its
# syncs (with 8, Eddy's CPU idled while they waited on syncfs); the
# emulators, single-threaded, neither gain nor lose (kinesalite: 11,402
# records/s with 8, 10,703 with 16, within its run-to-run spread).
CLIENTS=${CLIENTS:-16}
BATCH=${BATCH:-500}
SIZE=${SIZE:-1024}
LATENCY_DURATION=${LATENCY_DURATION:-3s}
LATENCY_RATE=${LATENCY_RATE:-200}
MEM_CLIENTS=${MEM_CLIENTS:-100}
MEM_BATCH=${MEM_BATCH:-1}
MEM_RECORD=${MEM_RECORD:-1048576}
LOADGEN_ARGS=${LOADGEN_ARGS:-}
RUN_TIMEOUT=${RUN_TIMEOUT:-900}
KINESALITE_VERSION=3.3.3
KINESIS_LOCAL_VERSION=0.6.2

tmp=$(mktemp -d "${TMPDIR:-/tmp}/eddy-compare.XXXXXX") || exit 1
RESULTS=${RESULTS:-$(mktemp "${TMPDIR:-/tmp}/eddy-compare-XXXXXX.jsonl")} || exit 1
server_pid=""
run_pid=""
status=0

say() { echo "compare: $*" >&2; }

# stop_server: TERM, up to 10 s, then KILL the current server.
stop_server() {
	if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
		kill -TERM "$server_pid" 2>/dev/null
		for _ in $(seq 100); do
			kill -0 "$server_pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$server_pid" 2>/dev/null
	fi
	[[ -n $server_pid ]] && wait "$server_pid" 2>/dev/null
	server_pid=""
	rm -rf "$tmp/data"
}

cleanup() {
	local rc=$?
	[[ -n $run_pid ]] && kill -TERM "$run_pid" 2>/dev/null && wait "$run_pid" 2>/dev/null
	stop_server
	rm -rf "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

for tool in go node npm; do
	command -v "$tool" >/dev/null || { say "$tool is required"; exit 1; }
done

# ---- build and install --------------------------------------------------------

say "building eddy and loadgen into $tmp/bin"
go build -o "$tmp/bin/eddy" ./cmd/eddy && go build -o "$tmp/bin/loadgen" ./bench/loadgen || exit 1

say "installing kinesalite@$KINESALITE_VERSION and kinesis-local@$KINESIS_LOCAL_VERSION into $tmp/npm"
# --ignore-scripts: kinesalite's optional native leveldown is not built (it
# runs on memdown, its default, without it).
npm install --prefix "$tmp/npm" --no-audit --no-fund --no-save --ignore-scripts --loglevel=error \
	"kinesalite@$KINESALITE_VERSION" "kinesis-local@$KINESIS_LOCAL_VERSION" >&2 || exit 1
for pkg in "kinesalite $KINESALITE_VERSION" "kinesis-local $KINESIS_LOCAL_VERSION"; do
	set -- $pkg
	got=$(node -p "require('$tmp/npm/node_modules/$1/package.json').version") || exit 1
	[[ $got == "$2" ]] || { say "$1: installed $got, wanted $2"; exit 1; }
done

mock=$tmp/npm/node_modules/kinesis-local
# kinesis-mock binds both its ports to a hard-coded 0.0.0.0.
if [[ $(grep -c 'Host$().em("0.0.0.0")' "$mock/main.js") != 1 ]]; then
	say "kinesis-local main.js: did not find its one bind address to patch"
	exit 1
fi
sed -i 's/Host\$().em("0\.0\.0\.0")/Host$().em("127.0.0.1")/' "$mock/main.js"

cat >"$tmp/npm/kinesalite.js" <<'EOF'
// kinesalite on 127.0.0.1 (its CLI listens on every interface); streams
// become ACTIVE and are deleted at once.
const server = require('kinesalite')({createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 10000})
server.listen(parseInt(process.argv[2], 10), '127.0.0.1', () => {
  const a = server.address()
  console.log('kinesalite listening on http://' + a.address + ':' + a.port)
})
EOF

# Eddy's settings are its defaults plus the flags given here: no EDDY_*
# variable from the caller's environment reaches it.
server_env=(env)
while IFS= read -r var; do server_env+=(-u "$var"); done < <(compgen -e | grep '^EDDY_')

free_port() {
	node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close() })'
}

# ---- servers ------------------------------------------------------------------

label_of() {
	case $1 in
	eddy) echo "eddy" ;;
	eddy-mem) echo "eddy --in-memory" ;;
	*) echo "$1" ;;
	esac
}

# wait_line FILE REGEX: print the first capture of REGEX in FILE (sed -n
# s#REGEX#\1#p) once the server writes it; 30 s at most.
wait_line() {
	local got
	for _ in $(seq 300); do
		got=$(sed -n "s#$2#\\1#p" "$1" | head -1)
		[[ -n $got ]] && { echo "$got"; return 0; }
		kill -0 "$server_pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# start_server NAME LOG: start a fresh server; sets server_pid and endpoint.
start_server() {
	local name=$1 log=$2 port tls want
	mkdir -p "$tmp/data"
	case $name in
	eddy | eddy-mem)
		local store=(--data-dir "$tmp/data" --sync always)
		[[ $name == eddy-mem ]] && store=(--in-memory)
		"${server_env[@]}" "$tmp/bin/eddy" serve --listen 127.0.0.1:0 --admin-listen off --log-level warn "${store[@]}" >"$log" 2>&1 </dev/null &
		server_pid=$!
		want=eddy
		endpoint=$(wait_line "$log" '^eddy listening on \(http://127\.0\.0\.1:[0-9]*\)$')
		;;
	kinesalite)
		port=$(free_port) || return 1
		node "$tmp/npm/kinesalite.js" "$port" >"$log" 2>&1 </dev/null &
		server_pid=$!
		want=node
		endpoint=$(wait_line "$log" '^kinesalite listening on \(http://127\.0\.0\.1:[0-9]*\)$')
		;;
	kinesis-mock)
		port=$(free_port) && tls=$(free_port) || return 1
		(
			cd "$mock" || exit 1
			export KINESIS_MOCK_PLAIN_PORT=$port KINESIS_MOCK_TLS_PORT=$tls LOG_LEVEL=WARN SHARD_LIMIT=10000 \
				CREATE_STREAM_DURATION=0ms DELETE_STREAM_DURATION=0ms \
				REGISTER_STREAM_CONSUMER_DURATION=0ms DEREGISTER_STREAM_CONSUMER_DURATION=0ms
			exec node main.js
		) >"$log" 2>&1 </dev/null &
		server_pid=$!
		want=node
		endpoint=http://127.0.0.1:$port # loadgen -wait polls until it answers
		;;
	*)
		say "unknown server $name"
		return 1
		;;
	esac
	if [[ -z $endpoint ]]; then
		say "$name did not start; its log:"
		cat "$log" >&2
		return 1
	fi
	# The pid must be the server's own process (a subshell execs it).
	local exe=""
	for _ in $(seq 50); do
		exe=$(readlink "/proc/$server_pid/exe")
		[[ $(basename "$exe") == "$want" ]] && return 0
		sleep 0.1
	done
	say "$name: pid $server_pid runs $exe, not $want"
	return 1
}

# run_loadgen NAME ROUND WORKLOADS FLAGS...: one run against a fresh server;
# appends its JSON line to RESULTS.
run_loadgen() {
	local name=$1 round=$2 workloads=$3
	shift 3
	local label out
	label=$(label_of "$name")
	out=$tmp/run-$name-$round-$workloads
	if ! start_server "$name" "$out.server.log"; then
		stop_server
		status=1
		return
	fi
	say "round $round: $label ($endpoint, pid $server_pid): $workloads"
	# shellcheck disable=SC2086
	timeout --signal=INT "$RUN_TIMEOUT" "$tmp/bin/loadgen" -endpoint "$endpoint" -label "$label" -server-pid "$server_pid" \
		-workloads "$workloads" -wait 60s "$@" $LOADGEN_ARGS >"$out.out" &
	run_pid=$!
	wait "$run_pid"
	local rc=$?
	run_pid=""
	sed '$d' "$out.out" >&2 # the table; the last line is the JSON
	if tail -1 "$out.out" | grep -q '^{'; then
		tail -1 "$out.out" >>"$RESULTS"
	else
		say "$label: no result (loadgen exit status $rc)"
		rc=1
	fi
	if ((rc != 0)) && [[ $name == eddy* ]]; then
		status=1
	fi
	if ! kill -0 "$server_pid" 2>/dev/null; then
		wait "$server_pid"
		say "$label exited during the run with status $?; the end of its output:"
		tail -20 "$out.server.log" >&2
		server_pid=""
	fi
	stop_server
}

put_flags=(-duration "$PUT_DURATION" -records "$PUT_RECORDS" -put-client "$PUT_CLIENT" -shards "$SHARDS" -clients "$CLIENTS" -batch "$BATCH" -size "$SIZE"
	-latency-duration "$LATENCY_DURATION" -latency-rate "$LATENCY_RATE")
mem_flags=(-mem-clients "$MEM_CLIENTS" -mem-batch "$MEM_BATCH" -mem-record "$MEM_RECORD")
read -r -a servers <<<"$SERVERS"
n=${#servers[@]}

say "results: $RESULTS"
for ((r = 1; r <= ROUNDS; r++)); do
	for ((i = 0; i < n; i++)); do
		run_loadgen "${servers[$(((i + r - 1) % n))]}" "$r" put,visible,efo "${put_flags[@]}"
	done
done
for ((r = 1; r <= MEM_ROUNDS; r++)); do
	for ((i = 0; i < n; i++)); do
		run_loadgen "${servers[$(((i + r - 1) % n))]}" "$r" memory "${mem_flags[@]}"
	done
done

# ---- the table ------------------------------------------------------------------

emulators=()
for s in "${servers[@]}"; do
	[[ $s == eddy* ]] || emulators+=("$(label_of "$s")")
done
echo
echo "Machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)," \
	"$(awk '/MemTotal/ {printf "%.0f GiB RAM", $2/1048576}' /proc/meminfo), Linux $(uname -r), $(go version | cut -d' ' -f3), node $(node --version)"
echo "Workloads: put $PUT_DURATION (at most $PUT_RECORDS records), $SHARDS shards, $CLIENTS clients ($PUT_CLIENT) x PutRecords of $BATCH x $SIZE B;" \
	"visible/efo $LATENCY_RATE PutRecord/s for $LATENCY_DURATION; memory $MEM_CLIENTS concurrent PutRecords of $MEM_BATCH x $MEM_RECORD B;" \
	"$ROUNDS rounds ($MEM_ROUNDS of the memory test)"
echo
IFS=,
"$tmp/bin/loadgen" -summarize -emulators "${emulators[*]}" "$RESULTS"
unset IFS
echo
echo "results: $RESULTS; took $SECONDS s"
exit "$status"
