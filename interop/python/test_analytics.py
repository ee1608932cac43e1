"""Interop tests: boto3's kinesisanalytics client (Debian's python3-boto3) against a running Eddy server.

SQL applications (Kinesis Data Analytics for SQL) read a Kinesis stream and
write another; the tests put records with boto3's Kinesis client, read the
output rows back with get_records and check them against an independent
computation with python3's sqlite3 module. The server's URL comes from
EDDY_ENDPOINT, its embedded S3 endpoint's (for reference data) from
EDDY_S3_ENDPOINT; interop/run.sh starts the server (with --s3-listen) and sets
both. Run with Debian's Python:

    EDDY_ENDPOINT=http://127.0.0.1:4567 EDDY_S3_ENDPOINT=http://127.0.0.1:4569 \\
        /usr/bin/python3 interop/python/test_analytics.py -v

botocore's kinesisanalytics model has no paginator and no waiter (checked:
client.waiter_names is empty, can_paginate("list_applications") is false),
so the tests page ListApplications and poll DescribeApplication themselves.
Every test makes its own streams and applications (names start with
"py-kda-"). The last line printed is "python-analytics: N passed, M failed";
interop/run.sh reads it.
"""

import csv
import io
import json
import zipfile
import os
import random
import sqlite3
import sys
import time
import unittest
import uuid

import boto3
import botocore
from botocore.config import Config
from botocore.exceptions import ClientError

ENDPOINT = os.environ.get("EDDY_ENDPOINT", "")
S3_ENDPOINT = os.environ.get("EDDY_S3_ENDPOINT", "")
ACCOUNT = os.environ.get("EDDY_ACCOUNT_ID", "000000000000")
REGION = "us-east-1"
ROLE = "arn:aws:iam::%s:role/interop" % ACCOUNT
RUN_ID = uuid.uuid4().hex[:8]


def client(service, endpoint):
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="AKIDINTEROP",
        aws_secret_access_key="secret",
        config=Config(retries={"max_attempts": 2}, s3={"addressing_style": "path"}),
    )


def wait_until(cond, timeout=60, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = cond()
        if got:
            return got
        time.sleep(0.1)
    raise AssertionError("timed out after %ss waiting for %s" % (timeout, what))


def stream_arn(name):
    return "arn:aws:kinesis:%s:%s:stream/%s" % (REGION, ACCOUNT, name)


def json_schema(columns):
    """An InputSchema of JSON records with these (name, SQL type) columns at $.name."""
    return {
        "RecordFormat": {"RecordFormatType": "JSON", "MappingParameters": {"JSONMappingParameters": {"RecordRowPath": "$"}}},
        "RecordEncoding": "UTF-8",
        "RecordColumns": [{"Name": n, "Mapping": "$." + n, "SqlType": t} for n, t in columns],
    }


TICKERS = {"AMZN": "TECHNOLOGY", "WMT": "RETAIL", "XOM": "ENERGY", "JNJ": "HEALTHCARE", "QXZ": "FINANCIAL"}


def ticker_records(seed, n):
    rnd = random.Random(seed)
    out = []
    for _ in range(n):
        t = rnd.choice(sorted(TICKERS))
        out.append({"TICKER_SYMBOL": t, "SECTOR": TICKERS[t], "PRICE": rnd.randint(100, 99999) / 100})
    return out


class AnalyticsTestCase(unittest.TestCase):
    def setUp(self):
        self.kda = client("kinesisanalytics", ENDPOINT)
        self.kin = client("kinesis", ENDPOINT)
        self.s3 = client("s3", S3_ENDPOINT)
        self.lam = client("lambda", ENDPOINT)
        self.apps, self.streams, self.functions = [], [], []

    def tearDown(self):
        for name in self.apps:
            try:
                d = self.kda.describe_application(ApplicationName=name)["ApplicationDetail"]
                if d["ApplicationStatus"] == "RUNNING":
                    self.kda.stop_application(ApplicationName=name)
                    wait_until(lambda: self.status(name) == "READY", 30, "READY")
                self.kda.delete_application(ApplicationName=name, CreateTimestamp=d["CreateTimestamp"])
            except (ClientError, AssertionError):
                pass
        for name in self.functions:
            try:
                self.lam.delete_function(FunctionName=name)
            except ClientError:
                pass
        for name in self.streams:
            try:
                self.kin.delete_stream(StreamName=name, EnforceConsumerDeletion=True)
            except ClientError:
                pass

    # ---- helpers ----

    def make_stream(self, name):
        self.kin.create_stream(StreamName=name, ShardCount=1)
        self.streams.append(name)
        wait_until(
            lambda: self.kin.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamStatus"] == "ACTIVE",
            30,
            "stream %s ACTIVE" % name,
        )
        return stream_arn(name)

    def status(self, name):
        return self.kda.describe_application(ApplicationName=name)["ApplicationDetail"]["ApplicationStatus"]

    def create_app(self, name, code, columns, src, out, processing=None, **extra):
        """An application reading stream src (JSON records of columns) and writing DESTINATION_SQL_STREAM to out as JSON."""
        inp = {
            "NamePrefix": "SOURCE_SQL_STREAM",
            "KinesisStreamsInput": {"ResourceARN": stream_arn(src), "RoleARN": ROLE},
            "InputSchema": json_schema(columns),
        }
        if processing:
            inp["InputProcessingConfiguration"] = processing
        resp = self.kda.create_application(
            ApplicationName=name,
            ApplicationCode=code,
            Inputs=[inp],
            Outputs=[
                {
                    "Name": "DESTINATION_SQL_STREAM",
                    "DestinationSchema": {"RecordFormatType": "JSON"},
                    "KinesisStreamsOutput": {"ResourceARN": stream_arn(out), "RoleARN": ROLE},
                }
            ],
            **extra,
        )
        self.apps.append(name)
        return resp

    def start(self, name):
        d = self.kda.describe_application(ApplicationName=name)["ApplicationDetail"]
        self.kda.start_application(
            ApplicationName=name,
            InputConfigurations=[
                {"Id": d["InputDescriptions"][0]["InputId"], "InputStartingPositionConfiguration": {"InputStartingPosition": "TRIM_HORIZON"}}
            ],
        )
        wait_until(lambda: self.status(name) == "RUNNING", 30, "%s RUNNING" % name)

    def put(self, stream, records):
        for i in range(0, len(records), 500):
            batch = records[i : i + 500]
            resp = self.kin.put_records(
                StreamName=stream,
                Records=[{"Data": json.dumps(r).encode(), "PartitionKey": str(i + j)} for j, r in enumerate(batch)],
            )
            self.assertEqual(resp["FailedRecordCount"], 0)

    def read_rows(self, stream, done, timeout=60):
        """The JSON rows of stream's shard, read until done(rows) is true (or timeout: then the rows so far)."""
        it = self.kin.get_shard_iterator(StreamName=stream, ShardId="shardId-000000000000", ShardIteratorType="TRIM_HORIZON")[
            "ShardIterator"
        ]
        rows = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            resp = self.kin.get_records(ShardIterator=it, Limit=10000)
            rows.extend(json.loads(r["Data"]) for r in resp["Records"])
            it = resp["NextShardIterator"]
            if done(rows):
                return rows
            if not resp["Records"]:
                time.sleep(0.3)
        return rows

    # ---- tests ----

    def test_lifecycle(self):
        name, src, out = "py-kda-life-" + RUN_ID, "py-kda-life-src-" + RUN_ID, "py-kda-life-out-" + RUN_ID
        self.make_stream(src)
        self.make_stream(out)
        code = (
            'CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (TICKER_SYMBOL VARCHAR(4), PRICE DOUBLE);\n'
            'CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"\n'
            '  SELECT STREAM TICKER_SYMBOL, PRICE FROM "SOURCE_SQL_STREAM_001" WHERE PRICE > 500;'
        )
        cols = [("TICKER_SYMBOL", "VARCHAR(4)"), ("SECTOR", "VARCHAR(16)"), ("PRICE", "DOUBLE")]
        summary = self.create_app(name, code, cols, src, out, Tags=[{"Key": "suite", "Value": "python"}])["ApplicationSummary"]
        arn = "arn:aws:kinesisanalytics:%s:%s:application/%s" % (REGION, ACCOUNT, name)
        self.assertEqual(summary, {"ApplicationName": name, "ApplicationARN": arn, "ApplicationStatus": "READY"})
        with self.assertRaises(ClientError) as ctx:
            self.create_app(name, code, cols, src, out)
        self.assertEqual(ctx.exception.response["Error"]["Code"], "ResourceInUseException")
        with self.assertRaises(ClientError) as ctx:
            self.kda.create_application(ApplicationName=name + "-bad", ApplicationCode="SELECT STREAM FROM")
        self.assertEqual(ctx.exception.response["Error"]["Code"], "CodeValidationException")

        d = self.kda.describe_application(ApplicationName=name)["ApplicationDetail"]
        self.assertEqual((d["ApplicationVersionId"], d["ApplicationCode"]), (1, code))
        self.assertEqual(d["InputDescriptions"][0]["InAppStreamNames"], ["SOURCE_SQL_STREAM_001"])
        self.assertEqual(
            [(c["Name"], c["SqlType"]) for c in d["InputDescriptions"][0]["InputSchema"]["RecordColumns"]], cols
        )
        self.assertEqual(d["OutputDescriptions"][0]["KinesisStreamsOutputDescription"]["ResourceARN"], stream_arn(out))

        # ListApplications has no paginator in botocore: page by hand, one at a time.
        names, start = [], None
        while True:
            kw = {"Limit": 1}
            if start:
                kw["ExclusiveStartApplicationName"] = start
            page = self.kda.list_applications(**kw)
            names += [a["ApplicationName"] for a in page["ApplicationSummaries"]]
            if not page["HasMoreApplications"]:
                break
            start = page["ApplicationSummaries"][-1]["ApplicationName"]
        self.assertIn(name, names)
        self.assertNotIn(name + "-bad", names)
        self.assertEqual(len(names), len(set(names)))

        self.kda.tag_resource(ResourceARN=arn, Tags=[{"Key": "env", "Value": "test"}])
        tags = self.kda.list_tags_for_resource(ResourceARN=arn)["Tags"]
        self.assertEqual(sorted((t["Key"], t["Value"]) for t in tags), [("env", "test"), ("suite", "python")])

        with self.assertRaises(ClientError) as ctx:
            self.kda.update_application(
                ApplicationName=name, CurrentApplicationVersionId=7, ApplicationUpdate={"ApplicationCodeUpdate": code}
            )
        self.assertEqual(ctx.exception.response["Error"]["Code"], "ConcurrentModificationException")

        recs = ticker_records(1, 50)
        self.put(src, recs)
        self.start(name)
        want = sorted((r["TICKER_SYMBOL"], r["PRICE"]) for r in recs if r["PRICE"] > 500)
        rows = self.read_rows(out, lambda rows: len(rows) >= len(want), 30)
        self.assertEqual(sorted((r["TICKER_SYMBOL"], r["PRICE"]) for r in rows), want)

        self.kda.stop_application(ApplicationName=name)
        wait_until(lambda: self.status(name) == "READY", 30, "READY")
        d = self.kda.describe_application(ApplicationName=name)["ApplicationDetail"]
        self.kda.delete_application(ApplicationName=name, CreateTimestamp=d["CreateTimestamp"])
        with self.assertRaises(ClientError) as ctx:
            self.kda.describe_application(ApplicationName=name)
        self.assertEqual(ctx.exception.response["Error"]["Code"], "ResourceNotFoundException")

    def test_reference_data_join(self):
        name, src, out = "py-kda-ref-" + RUN_ID, "py-kda-ref-src-" + RUN_ID, "py-kda-ref-out-" + RUN_ID
        bucket = "py-kda-ref-" + RUN_ID
        self.make_stream(src)
        self.make_stream(out)
        companies = [("AMZN", "Amazon"), ("WMT", "Walmart"), ("XOM", "ExxonMobil")]  # no JNJ, no QXZ
        body = io.StringIO()
        csv.writer(body, lineterminator="\n").writerows(companies)
        self.s3.create_bucket(Bucket=bucket)
        self.s3.put_object(Bucket=bucket, Key="companies.csv", Body=body.getvalue().encode())
        code = (
            'CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (TICKER_SYMBOL VARCHAR(4), COMPANY VARCHAR(20), PRICE DOUBLE);\n'
            'CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"\n'
            '  SELECT STREAM s.TICKER_SYMBOL, c."Company", s.PRICE\n'
            '  FROM "SOURCE_SQL_STREAM_001" AS s JOIN "CompanyName" AS c ON s.TICKER_SYMBOL = c."Ticker";'
        )
        self.create_app(name, code, [("TICKER_SYMBOL", "VARCHAR(4)"), ("PRICE", "DOUBLE")], src, out)
        self.kda.add_application_reference_data_source(
            ApplicationName=name,
            CurrentApplicationVersionId=1,
            ReferenceDataSource={
                "TableName": "CompanyName",
                "S3ReferenceDataSource": {"BucketARN": "arn:aws:s3:::" + bucket, "FileKey": "companies.csv", "ReferenceRoleARN": ROLE},
                "ReferenceSchema": {
                    "RecordFormat": {
                        "RecordFormatType": "CSV",
                        "MappingParameters": {"CSVMappingParameters": {"RecordRowDelimiter": "\n", "RecordColumnDelimiter": ","}},
                    },
                    "RecordColumns": [{"Name": "Ticker", "SqlType": "VARCHAR(4)"}, {"Name": "Company", "SqlType": "VARCHAR(20)"}],
                },
            },
        )
        d = self.kda.describe_application(ApplicationName=name)["ApplicationDetail"]
        self.assertEqual(d["ApplicationVersionId"], 2)
        self.assertEqual(d["ReferenceDataSourceDescriptions"][0]["TableName"], "CompanyName")

        recs = [{"TICKER_SYMBOL": r["TICKER_SYMBOL"], "PRICE": r["PRICE"]} for r in ticker_records(2, 120)]
        self.put(src, recs)
        self.start(name)

        db = sqlite3.connect(":memory:")
        db.execute("CREATE TABLE s (seq INTEGER, ticker TEXT, price REAL)")
        db.execute("CREATE TABLE c (ticker TEXT, company TEXT)")
        db.executemany("INSERT INTO s VALUES (?, ?, ?)", [(i, r["TICKER_SYMBOL"], r["PRICE"]) for i, r in enumerate(recs)])
        db.executemany("INSERT INTO c VALUES (?, ?)", companies)
        want = db.execute("SELECT s.ticker, c.company, s.price FROM s JOIN c ON s.ticker = c.ticker ORDER BY s.seq").fetchall()
        self.assertTrue(0 < len(want) < len(recs))
        rows = self.read_rows(out, lambda rows: len(rows) >= len(want), 30)
        # One shard in, one shard out: the rows keep the records' order.
        self.assertEqual([(r["TICKER_SYMBOL"], r["COMPANY"], r["PRICE"]) for r in rows], want)

    def test_sliding_windows(self):
        """The developer guide's sliding windows: aggregates OVER a window partitioned by ticker, one output row per
        input row. ROWS 2 PRECEDING and a RANGE of an hour (all the rows, as the records come within seconds) depend
        only on the order of each ticker's rows, which one shard keeps: sqlite3's window functions over the same rows
        in the same order give the expected values."""
        name, src, out = "py-kda-slide-" + RUN_ID, "py-kda-slide-src-" + RUN_ID, "py-kda-slide-out-" + RUN_ID
        self.make_stream(src)
        self.make_stream(out)
        code = (
            'CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (TICKER_SYMBOL VARCHAR(4), PRICE DOUBLE, AVG3 DOUBLE,\n'
            "  AVG_HOUR DOUBLE, N_HOUR INTEGER, MAX_HOUR DOUBLE);\n"
            'CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"\n'
            "  SELECT STREAM TICKER_SYMBOL, PRICE, AVG(PRICE) OVER W3, AVG(PRICE) OVER WH, COUNT(*) OVER WH, MAX(PRICE) OVER WH\n"
            '  FROM "SOURCE_SQL_STREAM_001"\n'
            "  WINDOW W3 AS (PARTITION BY TICKER_SYMBOL ROWS 2 PRECEDING),\n"
            "         WH AS (PARTITION BY TICKER_SYMBOL RANGE INTERVAL '1' HOUR PRECEDING);"
        )
        self.create_app(name, code, [("TICKER_SYMBOL", "VARCHAR(4)"), ("SECTOR", "VARCHAR(16)"), ("PRICE", "DOUBLE")], src, out)
        recs = ticker_records(5, 300)
        self.put(src, recs)
        self.start(name)

        db = sqlite3.connect(":memory:")
        db.execute("CREATE TABLE s (seq INTEGER, ticker TEXT, price REAL)")
        db.executemany("INSERT INTO s VALUES (?, ?, ?)", [(i, r["TICKER_SYMBOL"], r["PRICE"]) for i, r in enumerate(recs)])
        want = db.execute(
            "SELECT ticker, price,"
            " AVG(price) OVER (PARTITION BY ticker ORDER BY seq ROWS 2 PRECEDING),"
            " AVG(price) OVER (PARTITION BY ticker ORDER BY seq ROWS UNBOUNDED PRECEDING),"
            " COUNT(*) OVER (PARTITION BY ticker ORDER BY seq ROWS UNBOUNDED PRECEDING),"
            " MAX(price) OVER (PARTITION BY ticker ORDER BY seq ROWS UNBOUNDED PRECEDING)"
            " FROM s ORDER BY seq"
        ).fetchall()
        rows = self.read_rows(out, lambda rows: len(rows) >= len(want), 30)
        self.assertEqual(len(rows), len(want))
        for got, w in zip(rows, want):
            self.assertEqual((got["TICKER_SYMBOL"], got["PRICE"], got["N_HOUR"], got["MAX_HOUR"]), (w[0], w[1], w[4], w[5]))
            self.assertAlmostEqual(got["AVG3"], w[2], places=6)
            self.assertAlmostEqual(got["AVG_HOUR"], w[3], places=6)

    def test_tumbling_window(self):
        name, src, out = "py-kda-step-" + RUN_ID, "py-kda-step-src-" + RUN_ID, "py-kda-step-out-" + RUN_ID
        self.make_stream(src)
        self.make_stream(out)
        code = (
            'CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (TICKER_SYMBOL VARCHAR(4), TICKER_COUNT INTEGER, PRICE_SUM DOUBLE);\n'
            'CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"\n'
            "  SELECT STREAM TICKER_SYMBOL, COUNT(*), SUM(PRICE) FROM \"SOURCE_SQL_STREAM_001\"\n"
            "  GROUP BY TICKER_SYMBOL, STEP(\"SOURCE_SQL_STREAM_001\".ROWTIME BY INTERVAL '2' SECOND);"
        )
        self.create_app(name, code, [("TICKER_SYMBOL", "VARCHAR(4)"), ("SECTOR", "VARCHAR(16)"), ("PRICE", "DOUBLE")], src, out)
        self.start(name)
        # Two bursts a little apart, read as they come: ROWTIMEs are read
        # times, so a burst falls in one window or two.
        recs = ticker_records(3, 300)
        self.put(src, recs[:150])
        time.sleep(1.5)
        self.put(src, recs[150:])

        db = sqlite3.connect(":memory:")
        db.execute("CREATE TABLE t (ticker TEXT, price REAL)")
        db.executemany("INSERT INTO t VALUES (?, ?)", [(r["TICKER_SYMBOL"], r["PRICE"]) for r in recs])
        want = {t: (c, s) for t, c, s in db.execute("SELECT ticker, COUNT(*), SUM(price) FROM t GROUP BY ticker")}

        def totals(rows):
            got = {}
            for r in rows:
                c, s = got.get(r["TICKER_SYMBOL"], (0, 0.0))
                got[r["TICKER_SYMBOL"]] = (c + r["TICKER_COUNT"], s + r["PRICE_SUM"])
            return got

        rows = self.read_rows(out, lambda rows: sum(c for c, _ in totals(rows).values()) >= len(recs), 30)
        got = totals(rows)
        self.assertEqual(sorted(got), sorted(want))
        for t in want:
            self.assertEqual(got[t][0], want[t][0], t)
            self.assertAlmostEqual(got[t][1], want[t][1], delta=1e-6, msg=t)
        # A window's rows: one per ticker; at least one window, at most one per 2 s.
        self.assertGreaterEqual(len(rows), len(want))

    def test_random_cut_forest(self):
        name, src, out = "py-kda-rcf-" + RUN_ID, "py-kda-rcf-src-" + RUN_ID, "py-kda-rcf-out-" + RUN_ID
        self.make_stream(src)
        self.make_stream(out)
        code = (
            'CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (REC_ID VARCHAR(8), TICKER_SYMBOL VARCHAR(4), PRICE DOUBLE, ANOMALY_SCORE DOUBLE);\n'
            'CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"\n'
            '  SELECT STREAM REC_ID, TICKER_SYMBOL, PRICE, ANOMALY_SCORE\n'
            '  FROM TABLE(RANDOM_CUT_FOREST(CURSOR(SELECT STREAM REC_ID, TICKER_SYMBOL, PRICE FROM "SOURCE_SQL_STREAM_001")));'
        )
        self.create_app(name, code, [("REC_ID", "VARCHAR(8)"), ("TICKER_SYMBOL", "VARCHAR(4)"), ("PRICE", "DOUBLE")], src, out)
        # 1,200 normal prices around 100, then 10 far from them.
        rnd = random.Random(4)
        recs = []
        for i in range(1210):
            price = rnd.gauss(100, 1) if i < 1200 else rnd.gauss(130, 1)
            recs.append({"REC_ID": "r%05d" % i, "TICKER_SYMBOL": "T%d" % (i % 5), "PRICE": price})
        self.put(src, recs)
        self.start(name)
        rows = self.read_rows(out, lambda rows: len({r["REC_ID"] for r in rows}) >= len(recs), 60)
        score = {r["REC_ID"]: r["ANOMALY_SCORE"] for r in rows}
        self.assertEqual(len(score), len(recs))
        # The forest fills with the first 256 rows: they score 0.
        self.assertTrue(all(score["r%05d" % i] == 0 for i in range(256)))
        normal = sorted(score["r%05d" % i] for i in range(256, 1200))
        p95 = normal[int(0.95 * len(normal))]
        anomalies = [score["r%05d" % i] for i in range(1200, 1210)]
        mean = sum(anomalies) / len(anomalies)
        print("\n  RCF: normal p95 %.3f, anomalies' mean %.3f" % (p95, mean), file=sys.stderr)
        self.assertGreater(p95, 0)
        self.assertGreater(mean, 3 * p95)

    def test_lambda_preprocessor(self):
        # A python function (boto3's Lambda client; eddy runs it with
        # python3) turns "TICKER,PRICE" lines into JSON records and drops
        # QXZ's: the preprocessing contract of the SQL Developer Guide
        # (recordId, result Ok/Dropped, base64 data).
        name, src, out = "py-kda-pre-" + RUN_ID, "py-kda-pre-src-" + RUN_ID, "py-kda-pre-out-" + RUN_ID
        fn = "py-kda-pre-" + RUN_ID
        self.make_stream(src)
        self.make_stream(out)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("app.py", PREPROCESSOR)
        self.lam.create_function(
            FunctionName=fn, Runtime="python3.12", Handler="app.handler", Role=ROLE, Code={"ZipFile": buf.getvalue()}, Timeout=10
        )
        self.functions.append(fn)
        wait_until(lambda: self.lam.get_function(FunctionName=fn)["Configuration"].get("State", "Active") == "Active", 30, "function Active")
        fn_arn = "arn:aws:lambda:%s:%s:function:%s" % (REGION, ACCOUNT, fn)
        code = (
            'CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (TICKER_SYMBOL VARCHAR(4), PRICE DOUBLE);\n'
            'CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"\n'
            '  SELECT STREAM TICKER_SYMBOL, PRICE FROM "SOURCE_SQL_STREAM_001";'
        )
        self.create_app(
            name,
            code,
            [("TICKER_SYMBOL", "VARCHAR(4)"), ("PRICE", "DOUBLE")],
            src,
            out,
            processing={"InputLambdaProcessor": {"ResourceARN": fn_arn, "RoleARN": ROLE}},
        )
        d = self.kda.describe_application(ApplicationName=name)["ApplicationDetail"]
        self.assertEqual(
            d["InputDescriptions"][0]["InputProcessingConfigurationDescription"]["InputLambdaProcessorDescription"]["ResourceARN"], fn_arn
        )
        recs = ticker_records(5, 60)
        resp = self.kin.put_records(
            StreamName=src,
            Records=[{"Data": ("%s,%r" % (r["TICKER_SYMBOL"], r["PRICE"])).encode(), "PartitionKey": str(j)} for j, r in enumerate(recs)],
        )
        self.assertEqual(resp["FailedRecordCount"], 0)
        self.start(name)
        db = sqlite3.connect(":memory:")
        db.execute("CREATE TABLE t (seq INTEGER, ticker TEXT, price REAL)")
        db.executemany("INSERT INTO t VALUES (?, ?, ?)", [(i, r["TICKER_SYMBOL"], r["PRICE"]) for i, r in enumerate(recs)])
        want = db.execute("SELECT ticker, price FROM t WHERE ticker <> 'QXZ' ORDER BY seq").fetchall()
        self.assertTrue(0 < len(want) < len(recs))
        rows = self.read_rows(out, lambda rows: len(rows) >= len(want), 30)
        self.assertEqual([(r["TICKER_SYMBOL"], r["PRICE"]) for r in rows], want)


PREPROCESSOR = """
import base64, json

def handler(event, context):
    out = []
    for r in event["records"]:
        ticker, price = base64.b64decode(r["data"]).decode().strip().split(",")
        if ticker == "QXZ":
            out.append({"recordId": r["recordId"], "result": "Dropped"})
            continue
        data = json.dumps({"TICKER_SYMBOL": ticker, "PRICE": float(price)}).encode()
        out.append({"recordId": r["recordId"], "result": "Ok", "data": base64.b64encode(data).decode()})
    return {"records": out}
"""


def main():
    if not ENDPOINT or not S3_ENDPOINT:
        print("EDDY_ENDPOINT and EDDY_S3_ENDPOINT must be set", file=sys.stderr)
        return 2
    print(
        "boto3 %s, botocore %s, python %s (%s)"
        % (boto3.__version__, botocore.__version__, sys.version.split()[0], sys.executable),
        file=sys.stderr,
    )
    verbosity = 2 if "-v" in sys.argv[1:] else 1
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    result = unittest.TextTestRunner(verbosity=verbosity, stream=sys.stderr).run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    passed = result.testsRun - failed - len(result.skipped)
    print("python-analytics: %d passed, %d failed" % (passed, failed))
    return 0 if result.wasSuccessful() and result.testsRun > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
