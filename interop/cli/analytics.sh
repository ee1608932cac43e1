#!/usr/bin/env bash
# Interop tests: `aws kinesisanalytics` (Debian's awscli package) against a
# running Eddy server: a SQL application (Kinesis Data Analytics for SQL)
# created over Kinesis streams made with `aws kinesis`, described, listed,
# given an output and tags, its input schema discovered, started from
# TRIM_HORIZON, its output rows read back with `aws kinesis get-records` and
# checked against an independent computation (python3's sqlite3), stopped
# and deleted; and the error codes of a missing application, bad code and a
# stale version.
#
# Usage: EDDY_ENDPOINT=http://127.0.0.1:PORT interop/cli/analytics.sh
#
# Environment: as interop/cli/test.sh (EDDY_ENDPOINT, AWS_CLI, PYTHON).
#
# The tests run in order, each in its own subshell with `set -e`; later tests
# use the streams and the application the first ones created. Names start
# with "cli-kda-". The last line printed is "cli-analytics: N passed, M failed"
# (test cases).
set -uo pipefail

# shellcheck source=interop/cli/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cli_setup cli-analytics

A=cli-kda-$run_id
SRC=cli-kda-src-$run_id
OUT=cli-kda-out-$run_id
OUT2=cli-kda-out2-$run_id
DISC=cli-kda-disc-$run_id
REGION=${AWS_DEFAULT_REGION:-us-east-1}
ACCT=${EDDY_ACCOUNT_ID:-000000000000}
APP_ARN=arn:aws:kinesisanalytics:$REGION:$ACCT:application/$A
ROLE=arn:aws:iam::$ACCT:role/kda
stream_arn() { echo "arn:aws:kinesis:$REGION:$ACCT:stream/$1"; }

# Files shared by the tests (each runs in a subshell: state lives on disk).
work=$(mktemp -d "${TMPDIR:-/tmp}/cli-kda.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT

kda() {
	"$AWS_CLI" --endpoint-url "$EDDY_ENDPOINT" --output json kinesisanalytics "$@"
}
kin() {
	"$AWS_CLI" --endpoint-url "$EDDY_ENDPOINT" --output json kinesis "$@"
}

# expect_error CODE ARGS...: `kda ARGS...` must fail with exit status 254
# (255 for the AWS CLI v1) and "An error occurred (CODE) when calling ...".
# The messages are Eddy's (no recording of the service's was found; see
# analytics/service.go), so only the code is checked.
expect_error() {
	local code=$1 out rc=0
	shift
	out=$(kda "$@" 2>&1) || rc=$?
	[[ $rc == 254 || $rc == 255 ]] || fail "aws kinesisanalytics $1: exit status $rc, want 254; output: $out"
	[[ $out == *"An error occurred ($code) when calling"* ]] || fail "aws kinesisanalytics $1: want $code, got: $out"
}

# status: the application's ApplicationStatus.
status() { kda describe-application --application-name "$A" | json 'd["ApplicationDetail"]["ApplicationStatus"]'; }
version() { kda describe-application --application-name "$A" | json 'str(d["ApplicationDetail"]["ApplicationVersionId"])'; }

# wait_status WANT: poll describe-application until the status is WANT (60 s).
wait_status() {
	local got deadline=$((SECONDS + 60))
	while :; do
		got=$(status)
		[[ $got == "$1" || $SECONDS -ge $deadline ]] && break
		sleep 0.2
	done
	assert_eq "$got" "$1" "application status"
}

# put_file STREAM FILE: put-records of a JSON list of {"Data": base64, "PartitionKey"}.
put_file() {
	local got
	got=$(kin put-records --stream-name "$1" --records "file://$2" | json 'd.get("FailedRecordCount", 0)')
	assert_eq "$got" 0 "put-records FailedRecordCount"
}

# The worked example: a STAGGER window keyed on the records' event time
# (the minute) and ticker, so each group's COUNT and SUM are fixed whatever
# the ROWTIMEs (the times the runner read the records).
CODE='CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (EVENT_TIME TIMESTAMP, TICKER_SYMBOL VARCHAR(4), TICKER_COUNT INTEGER, PRICE_SUM DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM FLOOR(EVENT_TIME TO MINUTE), TICKER_SYMBOL, COUNT(*), SUM(PRICE) FROM "SOURCE_SQL_STREAM_001"
  WINDOWED BY STAGGER (PARTITION BY FLOOR(EVENT_TIME TO MINUTE), TICKER_SYMBOL RANGE INTERVAL '"'"'2'"'"' SECOND);'
export CODE

INPUTS='[{"NamePrefix":"SOURCE_SQL_STREAM","KinesisStreamsInput":{"ResourceARN":"'$(stream_arn "$SRC")'","RoleARN":"'$ROLE'"},
"InputSchema":{"RecordFormat":{"RecordFormatType":"JSON","MappingParameters":{"JSONMappingParameters":{"RecordRowPath":"$"}}},"RecordEncoding":"UTF-8",
"RecordColumns":[{"Name":"EVENT_TIME","Mapping":"$.EVENT_TIME","SqlType":"TIMESTAMP"},{"Name":"TICKER_SYMBOL","Mapping":"$.TICKER_SYMBOL","SqlType":"VARCHAR(4)"},
{"Name":"SECTOR","Mapping":"$.SECTOR","SqlType":"VARCHAR(16)"},{"Name":"PRICE","Mapping":"$.PRICE","SqlType":"DOUBLE"}]}}]'
OUTPUTS='[{"Name":"DESTINATION_SQL_STREAM","DestinationSchema":{"RecordFormatType":"JSON"},"KinesisStreamsOutput":{"ResourceARN":"'$(stream_arn "$OUT")'","RoleARN":"'$ROLE'"}}]'

# check_rows STREAM FORMAT: read STREAM's shard with get-records until its
# rows (FORMAT JSON or CSV: EVENT_TIME, TICKER_SYMBOL, TICKER_COUNT,
# PRICE_SUM) hold every (minute, ticker) group of $work/want.json, or 60 s
# passed; per group the counts summed over the rows must equal sqlite3's
# exactly and the sums within 1e-6 (a group's rows may be split if its
# records were read more than the window's 2 seconds apart).
check_rows() {
	local stream=$1 format=$2 it deadline=$((SECONDS + 60)) verdict
	it=$(kin get-shard-iterator --stream-name "$stream" --shard-id shardId-000000000000 --shard-iterator-type TRIM_HORIZON | json 'd["ShardIterator"]')
	: >"$work/out.$format"
	while :; do
		kin get-records --shard-iterator "$it" --limit 1000 >"$work/page.json"
		"$PYTHON" -c '
import base64, json, sys
d = json.load(open(sys.argv[1]))
with open(sys.argv[2], "a") as f:
    for r in d["Records"]:
        f.write(base64.b64decode(r["Data"]).decode().strip() + "\n")
print(d["NextShardIterator"])' "$work/page.json" "$work/out.$format" >"$work/it"
		it=$(cat "$work/it")
		verdict=$("$PYTHON" - "$work/want.json" "$work/out.$format" "$format" <<'EOF2'
import csv, json, sys
want = {(m, t): (c, s) for m, t, c, s in json.load(open(sys.argv[1]))}
lines = [l for l in open(sys.argv[2]) if l.strip()]
if sys.argv[3] == "JSON":
    rows = [(r["EVENT_TIME"], r["TICKER_SYMBOL"], r["TICKER_COUNT"], r["PRICE_SUM"]) for r in map(json.loads, lines)]
else:
    rows = [(a, b, int(c), float(d)) for a, b, c, d in csv.reader(lines)]
got = {}
for et, t, n, s in rows:
    k = (et[:16].replace("T", " "), t)
    c, s0 = got.get(k, (0, 0.0))
    got[k] = (c + n, s0 + s)
bad = []
for k in sorted(set(want) | set(got)):
    w, g = want.get(k), got.get(k)
    if w is None or g is None or w[0] != g[0] or abs(w[1] - g[1]) > 1e-6:
        bad.append("%s: want %s, got %s" % (k, w, g))
print("ok %d groups in %d rows" % (len(want), len(rows)) if not bad else "; ".join(bad[:5]) + " (%d of %d groups differ)" % (len(bad), len(want)))
EOF2
)
		[[ $verdict == ok* || $SECONDS -ge $deadline ]] && break
		sleep 0.5
	done
	echo "  $format output rows: $verdict" >&2
	[[ $verdict == ok* ]] || fail "$format output rows against sqlite3: $verdict"
}

# ---- tests -------------------------------------------------------------------

test_streams() {
	local s got deadline
	for s in "$SRC" "$OUT" "$OUT2" "$DISC"; do
		kin create-stream --stream-name "$s" --shard-count 1 >/dev/null
	done
	for s in "$SRC" "$OUT" "$OUT2" "$DISC"; do
		deadline=$((SECONDS + 60))
		while :; do
			got=$(kin describe-stream-summary --stream-name "$s" | json 'd["StreamDescriptionSummary"]["StreamStatus"]')
			[[ $got == ACTIVE || $SECONDS -ge $deadline ]] && break
			sleep 0.2
		done
		assert_eq "$got" ACTIVE "stream $s"
	done
}

test_discover_input_schema() {
	# Stock-ticker records as the console's demo stream has them.
	"$PYTHON" - "$work/disc.json" <<'EOF'
import base64, json, random, sys
rnd = random.Random(7)
sectors = {"AMZN": "TECHNOLOGY", "WMT": "RETAIL", "XOM": "ENERGY", "JNJ": "HEALTHCARE", "QXZ": "FINANCIAL"}
recs = []
for i in range(40):
    t = rnd.choice(sorted(sectors))
    r = {"TICKER_SYMBOL": t, "SECTOR": sectors[t], "CHANGE": rnd.randint(-300, 300) / 100 + 0.005, "PRICE": rnd.randint(1000, 9000) + 0.25}
    recs.append({"Data": base64.b64encode(json.dumps(r).encode()).decode(), "PartitionKey": str(i)})
json.dump(recs, open(sys.argv[1], "w"))
EOF
	put_file "$DISC" "$work/disc.json"
	local got
	got=$(kda discover-input-schema --resource-arn "$(stream_arn "$DISC")" --role-arn "$ROLE" \
		--input-starting-position-configuration InputStartingPosition=TRIM_HORIZON |
		json '[d["InputSchema"]["RecordFormat"]["RecordFormatType"]] + [[c["Name"], c["SqlType"], c["Mapping"]] for c in d["InputSchema"]["RecordColumns"]] + [len(d["ParsedInputRecords"]), len(d["RawInputRecords"])]')
	assert_eq "$got" '["JSON", ["TICKER_SYMBOL", "VARCHAR(4)", "$.TICKER_SYMBOL"], ["SECTOR", "VARCHAR(16)", "$.SECTOR"], ["CHANGE", "REAL", "$.CHANGE"], ["PRICE", "REAL", "$.PRICE"], 40, 40]' "discover-input-schema"
}

test_create_application() {
	local got
	got=$(kda create-application --application-name "$A" --application-description "cli interop" \
		--inputs "$INPUTS" --outputs "$OUTPUTS" --application-code "$CODE" --tags Key=suite,Value=cli |
		json '[d["ApplicationSummary"]["ApplicationName"], d["ApplicationSummary"]["ApplicationARN"], d["ApplicationSummary"]["ApplicationStatus"]]')
	assert_eq "$got" "[\"$A\", \"$APP_ARN\", \"READY\"]" "create-application"
	expect_error ResourceInUseException create-application --application-name "$A" --inputs "$INPUTS"
	# Code that does not parse.
	expect_error CodeValidationException create-application --application-name "$A-bad" --inputs "$INPUTS" \
		--application-code 'CREATE OR REPLACE STREAM "D" (A INTEGER;'
	# An input stream that is not there.
	expect_error InvalidArgumentException create-application --application-name "$A-bad" \
		--inputs "${INPUTS//$SRC/cli-kda-nope-$run_id}"
	got=$(kda list-applications --limit 50 | json "[a['ApplicationName'] for a in d['ApplicationSummaries'] if a['ApplicationName'].startswith('$A')]")
	assert_eq "$got" "[\"$A\"]" "list-applications (the bad ones are not there)"
}

test_describe_application() {
	local got
	got=$(kda describe-application --application-name "$A" | json '(lambda a: [a["ApplicationARN"], a["ApplicationStatus"], a["ApplicationVersionId"], a["ApplicationDescription"], a["ApplicationCode"] == os.environ["CODE"],
		[i["NamePrefix"] for i in a["InputDescriptions"]], a["InputDescriptions"][0]["InAppStreamNames"], a["InputDescriptions"][0]["KinesisStreamsInputDescription"]["ResourceARN"],
		[c["SqlType"] for c in a["InputDescriptions"][0]["InputSchema"]["RecordColumns"]],
		[(o["Name"], o["KinesisStreamsOutputDescription"]["ResourceARN"], o["DestinationSchema"]["RecordFormatType"]) for o in a["OutputDescriptions"]]])(d["ApplicationDetail"])')
	assert_eq "$got" "[\"$APP_ARN\", \"READY\", 1, \"cli interop\", true, [\"SOURCE_SQL_STREAM\"], [\"SOURCE_SQL_STREAM_001\"], \"$(stream_arn "$SRC")\", [\"TIMESTAMP\", \"VARCHAR(4)\", \"VARCHAR(16)\", \"DOUBLE\"], [[\"DESTINATION_SQL_STREAM\", \"$(stream_arn "$OUT")\", \"JSON\"]]]" "describe-application"
	expect_error ResourceNotFoundException describe-application --application-name "cli-kda-nope-$run_id"
}

test_add_application_output() {
	local got
	kda add-application-output --application-name "$A" --current-application-version-id 1 \
		--application-output '{"Name":"DESTINATION_SQL_STREAM","DestinationSchema":{"RecordFormatType":"CSV"},"KinesisStreamsOutput":{"ResourceARN":"'"$(stream_arn "$OUT2")"'","RoleARN":"'"$ROLE"'"}}' >/dev/null
	got=$(kda describe-application --application-name "$A" | json '[d["ApplicationDetail"]["ApplicationVersionId"]] + [(o["KinesisStreamsOutputDescription"]["ResourceARN"], o["DestinationSchema"]["RecordFormatType"]) for o in d["ApplicationDetail"]["OutputDescriptions"]]')
	assert_eq "$got" "[2, [\"$(stream_arn "$OUT")\", \"JSON\"], [\"$(stream_arn "$OUT2")\", \"CSV\"]]" "add-application-output"
	# Version 1 is stale now.
	expect_error ConcurrentModificationException add-application-output --application-name "$A" --current-application-version-id 1 \
		--application-output '{"Name":"DESTINATION_SQL_STREAM","DestinationSchema":{"RecordFormatType":"JSON"},"KinesisStreamsOutput":{"ResourceARN":"'"$(stream_arn "$OUT2")"'","RoleARN":"'"$ROLE"'"}}'
	expect_error ResourceNotFoundException add-application-output --application-name "cli-kda-nope-$run_id" --current-application-version-id 1 \
		--application-output '{"Name":"DESTINATION_SQL_STREAM","DestinationSchema":{"RecordFormatType":"JSON"},"KinesisStreamsOutput":{"ResourceARN":"'"$(stream_arn "$OUT2")"'","RoleARN":"'"$ROLE"'"}}'
	assert_eq "$(version)" 2 "version after the refused changes"
}

test_update_bad_code() {
	# UpdateApplication with code that does not parse changes nothing.
	expect_error CodeValidationException update-application --application-name "$A" --current-application-version-id 2 \
		--application-update '{"ApplicationCodeUpdate":"SELECT STREAM FROM"}'
	assert_eq "$(version)" 2 "version after a refused update"
}

test_tags() {
	local got
	kda tag-resource --resource-arn "$APP_ARN" --tags Key=env,Value=test >/dev/null
	got=$(kda list-tags-for-resource --resource-arn "$APP_ARN" | json 'sorted([t["Key"], t.get("Value")] for t in d["Tags"])')
	assert_eq "$got" '[["env", "test"], ["suite", "cli"]]' "list-tags-for-resource"
	kda untag-resource --resource-arn "$APP_ARN" --tag-keys suite >/dev/null
	got=$(kda list-tags-for-resource --resource-arn "$APP_ARN" | json '[t["Key"] for t in d["Tags"]]')
	assert_eq "$got" '["env"]' "untag-resource"
	expect_error ResourceNotFoundException list-tags-for-resource --resource-arn "$APP_ARN-nope"
}

test_start_and_output_rows() {
	# ~200 records, several tickers and event minutes, fixed by a seed; put
	# before the start so that TRIM_HORIZON reads them.
	"$PYTHON" - "$work/src.json" "$work/src.csv" <<'EOF'
import base64, csv, json, random, sys
rnd = random.Random(20)
tickers = {"AMZN": "TECHNOLOGY", "WMT": "RETAIL", "XOM": "ENERGY", "JNJ": "HEALTHCARE"}
recs, rows = [], []
for i in range(200):
    t = rnd.choice(sorted(tickers))
    et = "2026-01-01 10:%02d:%02d" % (rnd.randint(0, 4), rnd.randint(0, 59))
    price = rnd.randint(100, 99999) / 100
    recs.append({"Data": base64.b64encode(json.dumps({"EVENT_TIME": et, "TICKER_SYMBOL": t, "SECTOR": tickers[t], "PRICE": price}).encode()).decode(), "PartitionKey": str(i)})
    rows.append((et, t, repr(price)))
json.dump(recs, open(sys.argv[1], "w"))
csv.writer(open(sys.argv[2], "w", newline="")).writerows(rows)
EOF
	put_file "$SRC" "$work/src.json"
	local id
	id=$(kda describe-application --application-name "$A" | json 'd["ApplicationDetail"]["InputDescriptions"][0]["InputId"]')
	expect_error ResourceNotFoundException start-application --application-name "cli-kda-nope-$run_id" \
		--input-configurations "Id=$id,InputStartingPositionConfiguration={InputStartingPosition=TRIM_HORIZON}"
	kda start-application --application-name "$A" \
		--input-configurations "Id=$id,InputStartingPositionConfiguration={InputStartingPosition=TRIM_HORIZON}" >/dev/null
	wait_status RUNNING

	# The expected rows: sqlite3 over the same records.
	"$PYTHON" - "$work/src.csv" >"$work/want.json" <<'EOF'
import csv, json, sqlite3, sys
db = sqlite3.connect(":memory:")
db.execute("CREATE TABLE t (event_time TEXT, ticker TEXT, price REAL)")
db.executemany("INSERT INTO t VALUES (?, ?, ?)", [(a, b, float(c)) for a, b, c in csv.reader(open(sys.argv[1]))])
q = "SELECT substr(event_time, 1, 16), ticker, COUNT(*), SUM(price) FROM t GROUP BY 1, 2 ORDER BY 1, 2"
json.dump([list(r) for r in db.execute(q)], sys.stdout)
EOF
	check_rows "$OUT" JSON
	# The second output (add-application-output) writes the same rows as CSV.
	check_rows "$OUT2" CSV
	# A RUNNING application cannot be deleted with a stale CreateTimestamp either.
	expect_error ResourceNotFoundException delete-application --application-name "$A" --create-timestamp 2001-01-01T00:00:00Z
}

test_stop_and_delete() {
	kda stop-application --application-name "$A" >/dev/null
	wait_status READY
	local ts got deadline=$((SECONDS + 60))
	ts=$(kda describe-application --application-name "$A" | json 'd["ApplicationDetail"]["CreateTimestamp"]')
	expect_error ResourceNotFoundException delete-application --application-name "$A" --create-timestamp 2001-01-01T00:00:00Z
	kda delete-application --application-name "$A" --create-timestamp "$ts" >/dev/null
	while :; do
		got=$(kda list-applications --limit 50 | json "[a['ApplicationName'] for a in d['ApplicationSummaries'] if a['ApplicationName'] == '$A']")
		[[ $got == '[]' || $SECONDS -ge $deadline ]] && break
		sleep 0.2
	done
	assert_eq "$got" '[]' "gone after delete-application"
	expect_error ResourceNotFoundException describe-application --application-name "$A"
}

# ---- runner ------------------------------------------------------------------

run_tests cli-analytics test_streams test_discover_input_schema test_create_application test_describe_application \
	test_add_application_output test_update_bad_code test_tags test_start_and_output_rows test_stop_and_delete

kda stop-application --application-name "$A" >/dev/null 2>&1 || true
for s in "$SRC" "$OUT" "$OUT2" "$DISC"; do
	kin delete-stream --stream-name "$s" --enforce-consumer-deletion >/dev/null 2>&1 || true
done

echo "cli-analytics: $passed passed, $failed failed"
((failed == 0))
