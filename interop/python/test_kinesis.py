"""Interop tests: boto3 (Debian's python3-boto3) against a running Eddy server.

The server's URL comes from EDDY_ENDPOINT (for example http://127.0.0.1:4567);
interop/run.sh starts the server and sets it. Run with Debian's Python:

    EDDY_ENDPOINT=http://127.0.0.1:4567 /usr/bin/python3 interop/python/test_kinesis.py -v

Every test creates its own streams (names start with "py-") and deletes them,
so this suite can share a server with the other interop suites. The last line
printed is "python: N passed, M failed" (test cases); interop/run.sh reads it.
"""

import base64
import concurrent.futures
import datetime
import itertools
import json
import os
import sys
import threading
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request
import uuid

import boto3
import botocore
from botocore.config import Config
from botocore.exceptions import ClientError

ENDPOINT = os.environ.get("EDDY_ENDPOINT", "")
# Several nodes of one cluster (interop/run.sh --cluster): each call goes to
# the next of them in turn, so a stream made through one node is used
# through the other.
ENDPOINTS = os.environ.get("EDDY_ENDPOINTS", "").split() or [ENDPOINT]
_endpoint_turn = itertools.count()
# While set, every client sends to ENDPOINTS[0] (node A) only: see
# one_node_in_a_cluster.
_pinned = threading.Event()
ADMIN = os.environ.get("EDDY_ADMIN_ENDPOINT", "")
ACCOUNT = os.environ.get("EDDY_ACCOUNT_ID", "000000000000")
REGION = "us-east-1"
MAX_HASH = 2**128 - 1
RUN_ID = uuid.uuid4().hex[:8]


def _next_endpoint(request, **kwargs):
    """before-sign hook: send the request to the next of ENDPOINTS (before
    signing, so that the signed Host is the node's)."""
    parts = urllib.parse.urlsplit(request.url)
    turn = 0 if _pinned.is_set() else next(_endpoint_turn)
    node = urllib.parse.urlsplit(ENDPOINTS[turn % len(ENDPOINTS)])
    request.url = urllib.parse.urlunsplit(parts._replace(scheme=node.scheme, netloc=node.netloc))


def one_node_in_a_cluster(why):
    """Decorates a test that, against a cluster, must send every call to one
    node (node A): its behaviour is one node's (the admin API), or a known
    gap between nodes (why says which). The test still runs; the reason is
    printed. INTEROP_NO_PIN=1 sends its calls to the nodes in turn like any
    other test's (to see a gap, or that it is closed)."""

    def decorate(test):
        def run(self):
            if len(ENDPOINTS) < 2 or os.environ.get("INTEROP_NO_PIN") == "1":
                return test(self)
            print("\n  (cluster: every call to node A only: %s)" % why, file=sys.stderr)
            _pinned.set()
            try:
                return test(self)
            finally:
                _pinned.clear()

        run.__name__ = test.__name__
        run.__doc__ = test.__doc__
        return run

    return decorate


def make_client(read_timeout=30, region=REGION):
    client = boto3.session.Session().client(
        "kinesis",
        endpoint_url=ENDPOINT,
        region_name=region,
        aws_access_key_id="AKIDINTEROPPYTHON",
        aws_secret_access_key="interop-secret",
        config=Config(
            retries={"max_attempts": 1, "mode": "standard"},
            connect_timeout=5,
            read_timeout=read_timeout,
        ),
    )
    if len(ENDPOINTS) > 1:
        client.meta.events.register("before-sign.kinesis", _next_endpoint)
    return client


def error_code(exc):
    return exc.response.get("Error", {}).get("Code")


def error_message(exc):
    return exc.response.get("Error", {}).get("Message", "")


class KinesisTestCase(unittest.TestCase):
    """Creates a client per test and deletes the streams a test created."""

    def setUp(self):
        self.kinesis = make_client()
        self.created = []

    def tearDown(self):
        for name in self.created:
            try:
                self.kinesis.delete_stream(StreamName=name, EnforceConsumerDeletion=True)
            except ClientError:
                pass

    def stream_name(self, suffix):
        return "py-%s-%s" % (RUN_ID, suffix)

    def create_stream(self, suffix, shards=1):
        name = self.stream_name(suffix)
        self.kinesis.create_stream(StreamName=name, ShardCount=shards)
        self.created.append(name)
        self.wait_active(name)
        return name

    def wait_active(self, name):
        self.kinesis.get_waiter("stream_exists").wait(
            StreamName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30}
        )

    def shards(self, name):
        """Every shard of the stream, through ListShards (paged by NextToken)."""
        out, token = [], None
        while True:
            if token:
                page = self.kinesis.list_shards(NextToken=token)
            else:
                page = self.kinesis.list_shards(StreamName=name)
            out.extend(page["Shards"])
            token = page.get("NextToken")
            if not token:
                return out

    def open_shards(self, name):
        return [s for s in self.shards(name) if "EndingSequenceNumber" not in s["SequenceNumberRange"]]

    def assert_covers_hash_space(self, shards):
        ranges = sorted(
            (int(s["HashKeyRange"]["StartingHashKey"]), int(s["HashKeyRange"]["EndingHashKey"]))
            for s in shards
        )
        self.assertEqual(ranges[0][0], 0, ranges)
        self.assertEqual(ranges[-1][1], MAX_HASH, ranges)
        for (_, end), (start, _) in zip(ranges, ranges[1:]):
            self.assertEqual(start, end + 1, "gap or overlap in %r" % (ranges,))

    def iterator(self, name, shard_id, kind, **extra):
        resp = self.kinesis.get_shard_iterator(
            StreamName=name, ShardId=shard_id, ShardIteratorType=kind, **extra
        )
        it = resp["ShardIterator"]
        self.assertIsInstance(it, str)
        self.assertLessEqual(len(it), 512)
        return it

    def read(self, it, want, max_calls=20):
        """GetRecords from it until want records arrived (or max_calls); returns (records, next)."""
        records = []
        for _ in range(max_calls):
            resp = self.kinesis.get_records(ShardIterator=it)
            self.assertIn("MillisBehindLatest", resp)
            records.extend(resp["Records"])
            it = resp.get("NextShardIterator")
            if len(records) >= want or it is None:
                break
        return records, it

    def assert_client_error(self, code, fn, *args, **kwargs):
        with self.assertRaises(ClientError) as cm:
            fn(*args, **kwargs)
        exc = cm.exception
        self.assertEqual(error_code(exc), code, exc.response)
        self.assertEqual(exc.response["ResponseMetadata"]["HTTPStatusCode"], 400, exc.response)
        self.assertTrue(exc.response["ResponseMetadata"].get("RequestId"), exc.response)
        self.assertTrue(error_message(exc), "empty error message: %r" % (exc.response,))
        return exc


class TestStreams(KinesisTestCase):
    def test_create_wait_describe(self):
        name = self.create_stream("create", shards=3)
        resp = self.kinesis.describe_stream(StreamName=name)
        # x-amzn-RequestId on a success too.
        self.assertTrue(resp["ResponseMetadata"].get("RequestId"), resp["ResponseMetadata"])
        desc = resp["StreamDescription"]
        self.assertEqual(desc["StreamName"], name)
        self.assertEqual(desc["StreamStatus"], "ACTIVE")
        self.assertEqual(desc["StreamARN"], "arn:aws:kinesis:%s:%s:stream/%s" % (REGION, ACCOUNT, name))
        self.assertEqual(desc["RetentionPeriodHours"], 24)
        self.assertIs(desc["HasMoreShards"], False)
        self.assertIsInstance(desc["StreamCreationTimestamp"], datetime.datetime)
        self.assertEqual(
            [s["ShardId"] for s in desc["Shards"]],
            ["shardId-000000000000", "shardId-000000000001", "shardId-000000000002"],
        )
        self.assert_covers_hash_space(desc["Shards"])
        summary = self.kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        self.assertEqual(summary["OpenShardCount"], 3)
        self.assertEqual(summary["StreamStatus"], "ACTIVE")
        self.assertEqual(summary["StreamARN"], desc["StreamARN"])

    def test_create_existing_stream_is_resource_in_use(self):
        name = self.create_stream("dup")
        exc = self.assert_client_error(
            "ResourceInUseException", self.kinesis.create_stream, StreamName=name, ShardCount=1
        )
        self.assertIn(name, error_message(exc))

    def test_describe_missing_stream_is_resource_not_found(self):
        name = self.stream_name("missing")
        # The modeled exception class and the generic error code agree.
        with self.assertRaises(self.kinesis.exceptions.ResourceNotFoundException) as cm:
            self.kinesis.describe_stream(StreamName=name)
        exc = cm.exception
        self.assertEqual(error_code(exc), "ResourceNotFoundException")
        self.assertEqual(
            error_message(exc), "Stream %s under account %s not found." % (name, ACCOUNT)
        )
        self.assertEqual(exc.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.assertTrue(exc.response["ResponseMetadata"]["RequestId"])

    def test_delete_stream(self):
        name = self.create_stream("delete")
        self.kinesis.delete_stream(StreamName=name)
        self.kinesis.get_waiter("stream_not_exists").wait(
            StreamName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30}
        )
        exc = self.assert_client_error(
            "ResourceNotFoundException", self.kinesis.describe_stream, StreamName=name
        )
        self.assertIn(name, error_message(exc))
        self.assert_client_error(
            "ResourceNotFoundException", self.kinesis.delete_stream, StreamName=name
        )
        self.created.remove(name)

    def test_list_streams_paging(self):
        names = [self.create_stream("list-%d" % i) for i in range(3)]
        # One name a page: the paginator follows HasMoreStreams with
        # ExclusiveStartStreamName (this botocore's model of ListStreams).
        paginator = self.kinesis.get_paginator("list_streams")
        seen, pages = [], 0
        for page in paginator.paginate(PaginationConfig={"PageSize": 1}):
            pages += 1
            self.assertLessEqual(len(page["StreamNames"]), 1, page)
            seen.extend(page["StreamNames"])
        self.assertEqual(len(seen), len(set(seen)), "a stream was listed twice: %r" % seen)
        for n in names:
            self.assertIn(n, seen)
        self.assertGreaterEqual(pages, 3)
        # By hand: the first page of one says there is more.
        first = self.kinesis.list_streams(Limit=1)
        self.assertEqual(len(first["StreamNames"]), 1)
        self.assertIs(first["HasMoreStreams"], True)
        # Everything at once has the same names in the same order.
        everything = self.kinesis.list_streams()
        self.assertEqual(everything["StreamNames"], seen)
        self.assertIs(everything["HasMoreStreams"], False)

    def test_list_shards_paging(self):
        name = self.create_stream("shards", shards=5)
        want = ["shardId-%012d" % i for i in range(5)]
        page = self.kinesis.list_shards(StreamName=name, MaxResults=2)
        got = [s["ShardId"] for s in page["Shards"]]
        self.assertEqual(got, want[:2])
        pages = 1
        while page.get("NextToken"):
            page = self.kinesis.list_shards(NextToken=page["NextToken"], MaxResults=2)
            self.assertLessEqual(len(page["Shards"]), 2)
            got.extend(s["ShardId"] for s in page["Shards"])
            pages += 1
            self.assertLess(pages, 10, "ListShards paging does not end")
        self.assertEqual(got, want)
        self.assertEqual(pages, 3)
        # botocore's list_shards paginator resends StreamName with NextToken,
        # which Kinesis rejects (boto/botocore#2009): Eddy must reject it the
        # same way, with AWS's message.
        with self.assertRaises(ClientError) as cm:
            for _ in self.kinesis.get_paginator("list_shards").paginate(
                StreamName=name, PaginationConfig={"PageSize": 2}
            ):
                pass
        self.assertEqual(error_code(cm.exception), "InvalidArgumentException")
        self.assertEqual(
            error_message(cm.exception), "NextToken and StreamName cannot be provided together."
        )
        # ExclusiveStartShardId skips to after the given shard.
        rest = self.kinesis.list_shards(StreamName=name, ExclusiveStartShardId=want[2])
        self.assertEqual([s["ShardId"] for s in rest["Shards"]], want[3:])
        # NextToken and StreamName together are rejected.
        first = self.kinesis.list_shards(StreamName=name, MaxResults=1)
        self.assert_client_error(
            "InvalidArgumentException",
            self.kinesis.list_shards,
            StreamName=name,
            NextToken=first["NextToken"],
        )

    def test_tags(self):
        name = self.create_stream("tags")
        self.kinesis.add_tags_to_stream(StreamName=name, Tags={"env": "test", "team": "data"})
        resp = self.kinesis.list_tags_for_stream(StreamName=name)
        self.assertEqual(
            sorted((t["Key"], t["Value"]) for t in resp["Tags"]),
            [("env", "test"), ("team", "data")],
        )
        self.assertIs(resp["HasMoreTags"], False)
        # Overwrite a value.
        self.kinesis.add_tags_to_stream(StreamName=name, Tags={"env": "prod"})
        resp = self.kinesis.list_tags_for_stream(StreamName=name)
        self.assertEqual(
            sorted((t["Key"], t["Value"]) for t in resp["Tags"]),
            [("env", "prod"), ("team", "data")],
        )
        # Paging with Limit.
        resp = self.kinesis.list_tags_for_stream(StreamName=name, Limit=1)
        self.assertEqual(len(resp["Tags"]), 1)
        self.assertIs(resp["HasMoreTags"], True)
        rest = self.kinesis.list_tags_for_stream(
            StreamName=name, ExclusiveStartTagKey=resp["Tags"][0]["Key"]
        )
        self.assertEqual(len(rest["Tags"]), 1)
        self.assertNotEqual(rest["Tags"][0]["Key"], resp["Tags"][0]["Key"])
        self.kinesis.remove_tags_from_stream(StreamName=name, TagKeys=["env"])
        resp = self.kinesis.list_tags_for_stream(StreamName=name)
        self.assertEqual([(t["Key"], t["Value"]) for t in resp["Tags"]], [("team", "data")])
        self.assert_client_error(
            "ResourceNotFoundException",
            self.kinesis.list_tags_for_stream,
            StreamName=self.stream_name("no-such-tags"),
        )

    def test_retention(self):
        name = self.create_stream("retention")

        def hours():
            return self.kinesis.describe_stream_summary(StreamName=name)[
                "StreamDescriptionSummary"
            ]["RetentionPeriodHours"]

        self.assertEqual(hours(), 24)
        self.kinesis.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=48)
        self.wait_active(name)
        self.assertEqual(hours(), 48)
        # Increase to less than the current period: rejected.
        self.assert_client_error(
            "InvalidArgumentException",
            self.kinesis.increase_stream_retention_period,
            StreamName=name,
            RetentionPeriodHours=36,
        )
        self.kinesis.decrease_stream_retention_period(StreamName=name, RetentionPeriodHours=24)
        self.wait_active(name)
        self.assertEqual(hours(), 24)
        # Below the 24-hour minimum: rejected.
        self.assert_client_error(
            "InvalidArgumentException",
            self.kinesis.decrease_stream_retention_period,
            StreamName=name,
            RetentionPeriodHours=12,
        )
        self.assertEqual(hours(), 24)


class TestRecords(KinesisTestCase):
    def put_six(self, name):
        """Three PutRecord and one PutRecords of three; returns [(data, key, seq)]."""
        out = []
        for i in range(3):
            data = ("record-%d" % i).encode()
            resp = self.kinesis.put_record(StreamName=name, PartitionKey="pk-%d" % i, Data=data)
            self.assertEqual(resp["ShardId"], "shardId-000000000000")
            self.assertTrue(resp["SequenceNumber"].isdigit(), resp)
            out.append((data, "pk-%d" % i, resp["SequenceNumber"]))
        entries = [
            {"Data": ("batch-%d" % i).encode(), "PartitionKey": "bk-%d" % i} for i in range(3)
        ]
        resp = self.kinesis.put_records(StreamName=name, Records=entries)
        self.assertEqual(resp["FailedRecordCount"], 0, resp)
        self.assertEqual(len(resp["Records"]), 3)
        for entry, result in zip(entries, resp["Records"]):
            self.assertNotIn("ErrorCode", result, result)
            self.assertEqual(result["ShardId"], "shardId-000000000000")
            out.append((entry["Data"], entry["PartitionKey"], result["SequenceNumber"]))
        seqs = [int(s) for _, _, s in out]
        self.assertEqual(seqs, sorted(seqs), "sequence numbers not increasing")
        self.assertEqual(len(set(seqs)), len(seqs), "sequence numbers not unique")
        return out

    def assert_records(self, records, want):
        self.assertEqual(
            [(r["Data"], r["PartitionKey"], r["SequenceNumber"]) for r in records], want
        )
        for r in records:
            self.assertIsInstance(r["ApproximateArrivalTimestamp"], datetime.datetime)

    def test_put_and_get_every_iterator_type(self):
        name = self.create_stream("iter")
        shard = "shardId-000000000000"
        put = self.put_six(name)

        records, _ = self.read(self.iterator(name, shard, "TRIM_HORIZON"), 6)
        self.assert_records(records, put)

        records, _ = self.read(
            self.iterator(name, shard, "AT_SEQUENCE_NUMBER", StartingSequenceNumber=put[2][2]), 4
        )
        self.assert_records(records, put[2:])

        records, _ = self.read(
            self.iterator(name, shard, "AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=put[2][2]),
            3,
        )
        self.assert_records(records, put[3:])

        # LATEST: nothing now; then exactly what is put afterwards.
        latest = self.iterator(name, shard, "LATEST")
        resp = self.kinesis.get_records(ShardIterator=latest)
        self.assertEqual(resp["Records"], [])
        self.assertEqual(resp["MillisBehindLatest"], 0)
        seq = self.kinesis.put_record(StreamName=name, PartitionKey="late", Data=b"after-latest")[
            "SequenceNumber"
        ]
        records, _ = self.read(resp["NextShardIterator"], 1)
        self.assert_records(records, [(b"after-latest", "late", seq)])
        put.append((b"after-latest", "late", seq))

        # AT_TIMESTAMP: this botocore sends whole seconds, so wait for the
        # next second boundary, put one record, and start there.
        now = time.time()
        time.sleep(int(now) + 1 - now + 0.05)
        boundary = datetime.datetime.fromtimestamp(int(time.time()), tz=datetime.timezone.utc)
        seq = self.kinesis.put_record(StreamName=name, PartitionKey="ts", Data=b"\x00\xffbinary")[
            "SequenceNumber"
        ]
        records, _ = self.read(self.iterator(name, shard, "AT_TIMESTAMP", Timestamp=boundary), 1)
        self.assert_records(records, [(b"\x00\xffbinary", "ts", seq)])
        self.assertGreaterEqual(records[0]["ApproximateArrivalTimestamp"], boundary)
        # A timestamp before the stream existed starts at the trim horizon.
        hour_ago = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=1)
        records, _ = self.read(self.iterator(name, shard, "AT_TIMESTAMP", Timestamp=hour_ago), 8)
        self.assertEqual([r["SequenceNumber"] for r in records], [p[2] for p in put] + [seq])

        # GetRecords Limit.
        resp = self.kinesis.get_records(
            ShardIterator=self.iterator(name, shard, "TRIM_HORIZON"), Limit=2
        )
        self.assert_records(resp["Records"], put[:2])
        self.assertGreater(resp["MillisBehindLatest"], -1)

    def test_put_records_spread_over_shards(self):
        name = self.create_stream("spread", shards=2)
        # ExplicitHashKey picks the shard: 0 -> first, max -> second.
        resp = self.kinesis.put_records(
            StreamName=name,
            Records=[
                {"Data": b"low", "PartitionKey": "k", "ExplicitHashKey": "0"},
                {"Data": b"high", "PartitionKey": "k", "ExplicitHashKey": str(MAX_HASH)},
            ],
        )
        self.assertEqual(resp["FailedRecordCount"], 0, resp)
        self.assertEqual(
            [r["ShardId"] for r in resp["Records"]],
            ["shardId-000000000000", "shardId-000000000001"],
        )
        for shard, data in (("shardId-000000000000", b"low"), ("shardId-000000000001", b"high")):
            records, _ = self.read(self.iterator(name, shard, "TRIM_HORIZON"), 1)
            self.assertEqual([r["Data"] for r in records], [data])

    def test_put_errors(self):
        name = self.create_stream("put-err")
        # An ExplicitHashKey out of range fails the whole PutRecords request.
        exc = self.assert_client_error(
            "InvalidArgumentException",
            self.kinesis.put_records,
            StreamName=name,
            Records=[
                {"Data": b"ok", "PartitionKey": "k"},
                {"Data": b"bad", "PartitionKey": "k", "ExplicitHashKey": str(2**128)},
            ],
        )
        self.assertIn("ExplicitHashKey", error_message(exc))
        # A stream name outside [a-zA-Z0-9_.-]+ fails validation.
        exc = self.assert_client_error(
            "ValidationException",
            self.kinesis.create_stream,
            StreamName="bad name!",
            ShardCount=1,
        )
        self.assertIn("failed to satisfy constraint", error_message(exc))
        self.assertIsInstance(exc, self.kinesis.exceptions.ValidationException)
        # Nothing was written.
        records, _ = self.read(self.iterator(name, "shardId-000000000000", "TRIM_HORIZON"), 1, max_calls=1)
        self.assertEqual(records, [])

    def test_iterator_errors(self):
        name = self.create_stream("iter-err", shards=2)
        seq0 = self.kinesis.put_record(
            StreamName=name, PartitionKey="k", Data=b"x", ExplicitHashKey="0"
        )["SequenceNumber"]
        # A shard that does not exist.
        exc = self.assert_client_error(
            "ResourceNotFoundException",
            self.kinesis.get_shard_iterator,
            StreamName=name,
            ShardId="shardId-000000000009",
            ShardIteratorType="TRIM_HORIZON",
        )
        self.assertIn("shardId-000000000009", error_message(exc))
        # A sequence number from another shard.
        self.assert_client_error(
            "InvalidArgumentException",
            self.kinesis.get_shard_iterator,
            StreamName=name,
            ShardId="shardId-000000000001",
            ShardIteratorType="AT_SEQUENCE_NUMBER",
            StartingSequenceNumber=seq0,
        )
        # AT_SEQUENCE_NUMBER without a sequence number.
        self.assert_client_error(
            "InvalidArgumentException",
            self.kinesis.get_shard_iterator,
            StreamName=name,
            ShardId="shardId-000000000000",
            ShardIteratorType="AT_SEQUENCE_NUMBER",
        )
        # A forged iterator.
        good = self.iterator(name, "shardId-000000000000", "TRIM_HORIZON")
        forged = good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB")
        self.assert_client_error(
            "InvalidArgumentException", self.kinesis.get_records, ShardIterator=forged
        )
        # AT_TIMESTAMP in the future.
        self.assert_client_error(
            "InvalidArgumentException",
            self.kinesis.get_shard_iterator,
            StreamName=name,
            ShardId="shardId-000000000000",
            ShardIteratorType="AT_TIMESTAMP",
            Timestamp=datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1),
        )
        # A put to a missing stream.
        self.assert_client_error(
            "ResourceNotFoundException",
            self.kinesis.put_record,
            StreamName=self.stream_name("nowhere"),
            PartitionKey="k",
            Data=b"x",
        )


class TestResharding(KinesisTestCase):
    def test_split_merge_update_shard_count(self):
        name = self.create_stream("reshard")
        parent = "shardId-000000000000"
        before = self.kinesis.put_record(StreamName=name, PartitionKey="k", Data=b"before-split")[
            "SequenceNumber"
        ]
        mid = 2**127
        self.kinesis.split_shard(
            StreamName=name, ShardToSplit=parent, NewStartingHashKey=str(mid)
        )
        self.wait_active(name)
        shards = {s["ShardId"]: s for s in self.shards(name)}
        self.assertEqual(len(shards), 3, shards)
        self.assertIn("EndingSequenceNumber", shards[parent]["SequenceNumberRange"])
        children = sorted(
            (s for s in shards.values() if s.get("ParentShardId") == parent),
            key=lambda s: int(s["HashKeyRange"]["StartingHashKey"]),
        )
        self.assertEqual(len(children), 2, shards)
        self.assertEqual(
            [(c["HashKeyRange"]["StartingHashKey"], c["HashKeyRange"]["EndingHashKey"]) for c in children],
            [("0", str(mid - 1)), (str(mid), str(MAX_HASH))],
        )
        self.assert_covers_hash_space(children)

        # The closed parent still serves its record, then ends with ChildShards.
        it = self.iterator(name, parent, "TRIM_HORIZON")
        records, child_shards = [], None
        for _ in range(10):
            resp = self.kinesis.get_records(ShardIterator=it)
            records.extend(resp["Records"])
            it = resp.get("NextShardIterator")
            if it is None:
                child_shards = resp.get("ChildShards")
                break
        self.assertIsNone(it, "a closed shard's iterator should end")
        self.assertEqual([r["SequenceNumber"] for r in records], [before])
        self.assertEqual(
            sorted(c["ShardId"] for c in child_shards or []),
            sorted(c["ShardId"] for c in children),
        )
        for c in child_shards:
            self.assertEqual(c["ParentShards"], [parent])

        # New records go to the children.
        resp = self.kinesis.put_record(
            StreamName=name, PartitionKey="k", Data=b"after-split", ExplicitHashKey="1"
        )
        self.assertEqual(resp["ShardId"], children[0]["ShardId"])

        # Merge the two children back into one.
        self.kinesis.merge_shards(
            StreamName=name,
            ShardToMerge=children[0]["ShardId"],
            AdjacentShardToMerge=children[1]["ShardId"],
        )
        self.wait_active(name)
        open_shards = self.open_shards(name)
        self.assertEqual(len(open_shards), 1, open_shards)
        merged = open_shards[0]
        self.assertEqual(merged["ParentShardId"], children[0]["ShardId"])
        self.assertEqual(merged["AdjacentParentShardId"], children[1]["ShardId"])
        self.assert_covers_hash_space(open_shards)
        self.assertEqual(len(self.shards(name)), 4)

        # Merging shards that are already closed is rejected.
        with self.assertRaises(ClientError) as cm:
            self.kinesis.merge_shards(
                StreamName=name,
                ShardToMerge=children[0]["ShardId"],
                AdjacentShardToMerge=children[1]["ShardId"],
            )
        self.assertIn(
            error_code(cm.exception), ("ResourceNotFoundException", "InvalidArgumentException")
        )

        # UpdateShardCount to 2.
        resp = self.kinesis.update_shard_count(
            StreamName=name, TargetShardCount=2, ScalingType="UNIFORM_SCALING"
        )
        self.assertEqual(resp["StreamName"], name)
        self.assertEqual(resp["CurrentShardCount"], 1)
        self.assertEqual(resp["TargetShardCount"], 2)
        self.wait_active(name)
        open_shards = self.open_shards(name)
        self.assertEqual(len(open_shards), 2, open_shards)
        self.assert_covers_hash_space(open_shards)
        summary = self.kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        self.assertEqual(summary["OpenShardCount"], 2)
        # DescribeStream lists the same shards as ListShards.
        all_ids = [s["ShardId"] for s in self.shards(name)]
        self.assertEqual(len(all_ids), 6)
        self.assertEqual(
            [s["ShardId"] for s in self.kinesis.describe_stream(StreamName=name)["StreamDescription"]["Shards"]],
            all_ids,
        )

        # ListShards ShardFilter over the lineage 0 -> (1, 2) -> 3 -> (4, 5).
        def filtered(**f):
            return [s["ShardId"] for s in self.kinesis.list_shards(StreamName=name, ShardFilter=f)["Shards"]]

        self.assertEqual(filtered(Type="AT_LATEST"), sorted(s["ShardId"] for s in open_shards))
        self.assertEqual(filtered(Type="AT_TRIM_HORIZON"), [parent])
        self.assertEqual(filtered(Type="FROM_TRIM_HORIZON"), all_ids)
        self.assertEqual(filtered(Type="AFTER_SHARD_ID", ShardId=all_ids[3]), all_ids[4:])

    def test_reshard_errors(self):
        name = self.create_stream("reshard-err", shards=3)
        # Shards 0 and 2 are not adjacent.
        exc = self.assert_client_error(
            "InvalidArgumentException",
            self.kinesis.merge_shards,
            StreamName=name,
            ShardToMerge="shardId-000000000000",
            AdjacentShardToMerge="shardId-000000000002",
        )
        self.assertIn("adjacent", error_message(exc))
        # A shard that does not exist.
        self.assert_client_error(
            "ResourceNotFoundException",
            self.kinesis.merge_shards,
            StreamName=name,
            ShardToMerge="shardId-000000000002",
            AdjacentShardToMerge="shardId-000000000007",
        )
        # Splitting at the shard's own starting hash key splits nothing.
        start = self.shards(name)[1]["HashKeyRange"]["StartingHashKey"]
        self.assert_client_error(
            "InvalidArgumentException",
            self.kinesis.split_shard,
            StreamName=name,
            ShardToSplit="shardId-000000000001",
            NewStartingHashKey=start,
        )
        # Nothing changed.
        self.assertEqual(len(self.open_shards(name)), 3)


# Enhanced fan-out. A subscription sends an event at least every 5 s (a
# heartbeat when idle), so a read that waits longer than this means the
# server hung: the subscriptions' client gives up after it.
SUBSCRIBE_READ_TIMEOUT = 8
SHARD0 = "shardId-000000000000"


class TestFanOut(KinesisTestCase):
    """Consumers and SubscribeToShard's event stream (HTTP/1.1, chunked)."""

    def setUp(self):
        super().setUp()
        self.subscriber = make_client(read_timeout=SUBSCRIBE_READ_TIMEOUT)
        self.event_streams = []
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)

    def tearDown(self):
        for es in self.event_streams:
            try:
                es.close()
            except Exception:
                pass
        self.pool.shutdown(wait=False)
        self.subscriber.close()
        super().tearDown()

    def stream_arn(self, name):
        return self.kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"][
            "StreamARN"
        ]

    def register(self, stream_arn, consumer_name):
        """Registers a consumer and waits until it is ACTIVE; returns its ARN."""
        c = self.kinesis.register_stream_consumer(StreamARN=stream_arn, ConsumerName=consumer_name)[
            "Consumer"
        ]
        self.assertEqual(c["ConsumerName"], consumer_name)
        self.assertTrue(
            c["ConsumerARN"].startswith("%s/consumer/%s:" % (stream_arn, consumer_name)), c
        )
        self.assertIn(c["ConsumerStatus"], ("CREATING", "ACTIVE"))
        self.assertIsInstance(c["ConsumerCreationTimestamp"], datetime.datetime)
        self.wait_consumer(c["ConsumerARN"], "ACTIVE")
        return c["ConsumerARN"]

    def wait_consumer(self, consumer_arn, want, timeout=10):
        """Polls DescribeStreamConsumer until the status is want ("ACTIVE") or,
        for want None, until it answers ResourceNotFoundException."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                d = self.kinesis.describe_stream_consumer(ConsumerARN=consumer_arn)[
                    "ConsumerDescription"
                ]
            except ClientError as exc:
                if want is None and error_code(exc) == "ResourceNotFoundException":
                    return exc
                raise
            if d["ConsumerStatus"] == want:
                return d
            self.assertIn(d["ConsumerStatus"], ("CREATING", "DELETING", "ACTIVE"), d)
            self.assertLess(
                time.monotonic(), deadline, "consumer not %s after %ds: %r" % (want, timeout, d)
            )
            time.sleep(0.1)

    def subscribe(self, consumer_arn, shard_id, kind, seq=None, retry_in_use=0.0):
        """SubscribeToShard; returns the EventStream. retry_in_use: for how
        long to retry ResourceInUseException (the server may take a moment to
        see that a closed subscription's client went away)."""
        pos = {"Type": kind}
        if seq is not None:
            pos["SequenceNumber"] = seq
        deadline = time.monotonic() + retry_in_use
        while True:
            try:
                resp = self.subscriber.subscribe_to_shard(
                    ConsumerARN=consumer_arn, ShardId=shard_id, StartingPosition=pos
                )
                break
            except ClientError as exc:
                if error_code(exc) != "ResourceInUseException" or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        meta = resp["ResponseMetadata"]
        self.assertEqual(meta["HTTPStatusCode"], 200, meta)
        self.assertTrue(meta.get("RequestId"), meta)
        self.assertEqual(meta["HTTPHeaders"].get("content-type"), "application/vnd.amazon.eventstream")
        es = resp["EventStream"]
        self.event_streams.append(es)
        return es

    def events(self, es, timeout=10):
        """The SubscribeToShardEvents of es until it ends; fails after timeout seconds."""
        deadline = time.monotonic() + timeout
        for ev in es:
            self.assertEqual(list(ev), ["SubscribeToShardEvent"], ev)
            e = ev["SubscribeToShardEvent"]
            self.assertIsInstance(e.get("Records"), list, e)
            self.assertIsInstance(e.get("MillisBehindLatest"), int, e)
            self.assertGreaterEqual(e["MillisBehindLatest"], 0, e)
            for r in e["Records"]:
                self.assertIsInstance(r["Data"], bytes, r)
                self.assertIsInstance(r["ApproximateArrivalTimestamp"], datetime.datetime, r)
            yield e
            self.assertLess(time.monotonic(), deadline, "event stream: still waiting after %ds" % timeout)

    def receive(self, events, want):
        """Records from events until want arrived; returns (records, last event).
        Every event with records continues after its last record."""
        records, last = [], None
        for e in events:
            last = e
            records.extend(e["Records"])
            if "ChildShards" not in e:
                self.assertIn("ContinuationSequenceNumber", e, e)
            if e["Records"]:
                self.assertEqual(
                    e.get("ContinuationSequenceNumber"), e["Records"][-1]["SequenceNumber"], e
                )
            if len(records) >= want:
                break
        self.assertGreaterEqual(len(records), want, "event stream ended early: %r" % (records,))
        return records, last

    def view(self, records):
        return [(r["Data"], r["PartitionKey"], r["SequenceNumber"]) for r in records]

    def test_consumers_register_describe_list_deregister(self):
        name = self.create_stream("efo-consumers")
        arn = self.stream_arn(name)
        one = self.register(arn, "one")
        d = self.kinesis.describe_stream_consumer(ConsumerARN=one)["ConsumerDescription"]
        self.assertEqual(d["ConsumerName"], "one")
        self.assertEqual(d["ConsumerARN"], one)
        self.assertEqual(d["StreamARN"], arn)
        self.assertEqual(d["ConsumerStatus"], "ACTIVE")
        self.assertIsInstance(d["ConsumerCreationTimestamp"], datetime.datetime)
        # By stream ARN and name, the same consumer.
        d2 = self.kinesis.describe_stream_consumer(StreamARN=arn, ConsumerName="one")
        self.assertEqual(d2["ConsumerDescription"]["ConsumerARN"], one)
        two = self.register(arn, "two")
        self.assert_client_error(
            "ResourceInUseException",
            self.kinesis.register_stream_consumer,
            StreamARN=arn,
            ConsumerName="one",
        )

        # ListStreamConsumers, in pages of one.
        listed, pages = [], 0
        for page in self.kinesis.get_paginator("list_stream_consumers").paginate(
            StreamARN=arn, PaginationConfig={"PageSize": 1}
        ):
            pages += 1
            self.assertLessEqual(len(page["Consumers"]), 1, page)
            listed.extend(page["Consumers"])
            self.assertLess(pages, 10, "ListStreamConsumers paging does not end")
        self.assertEqual(
            sorted((c["ConsumerName"], c["ConsumerARN"], c["ConsumerStatus"]) for c in listed),
            [("one", one, "ACTIVE"), ("two", two, "ACTIVE")],
        )
        self.assertGreaterEqual(pages, 2)

        # Deregistering ends the consumer's subscriptions.
        es = self.subscribe(one, SHARD0, "LATEST")
        events = self.events(es, timeout=10)
        next(events)
        self.kinesis.deregister_stream_consumer(ConsumerARN=one)
        rest = list(events)  # the stream ends
        self.assertEqual([r for e in rest for r in e["Records"]], [], "records after deregistration")
        exc = self.wait_consumer(one, None)
        self.assertEqual(exc.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.assert_client_error(
            "ResourceNotFoundException",
            self.subscriber.subscribe_to_shard,
            ConsumerARN=one,
            ShardId=SHARD0,
            StartingPosition={"Type": "LATEST"},
        )
        # By stream ARN and name.
        self.kinesis.deregister_stream_consumer(StreamARN=arn, ConsumerName="two")
        self.wait_consumer(two, None)
        self.assert_client_error(
            "ResourceNotFoundException",
            self.kinesis.describe_stream_consumer,
            StreamARN=arn,
            ConsumerName="two",
        )
        self.assertEqual(self.kinesis.list_stream_consumers(StreamARN=arn)["Consumers"], [])

    def test_subscribe_receives_records_and_resumes_after_close(self):
        name = self.create_stream("efo-sub")
        consumer = self.register(self.stream_arn(name), "reader")
        closed, written_b, resubscribed = threading.Event(), threading.Event(), threading.Event()

        def writer():
            """Puts 8 records, 6 while nobody is subscribed, 6 after the resubscription."""
            k = make_client()
            out = []

            def put(i):
                data, key = b"rec-%02d-\x00\xff" % i, "pk-%d" % (i % 3)
                seq = k.put_record(StreamName=name, PartitionKey=key, Data=data)["SequenceNumber"]
                out.append((data, key, seq))

            def put_batch(lo, hi):
                entries = [{"Data": b"batch-%02d" % i, "PartitionKey": "bk-%d" % i} for i in range(lo, hi)]
                resp = k.put_records(StreamName=name, Records=entries)
                assert resp["FailedRecordCount"] == 0, resp
                out.extend(
                    (e["Data"], e["PartitionKey"], r["SequenceNumber"])
                    for e, r in zip(entries, resp["Records"])
                )

            for i in range(5):
                put(i)
            put_batch(5, 8)
            if not closed.wait(10):
                raise AssertionError("reader did not close the first subscription")
            for i in range(8, 11):
                put(i)
            put_batch(11, 14)
            written_b.set()
            if not resubscribed.wait(10):
                raise AssertionError("reader did not resubscribe")
            put_batch(14, 17)
            for i in range(17, 20):
                put(i)
            k.close()
            return out

        es = self.subscribe(consumer, SHARD0, "LATEST")
        # Subscribed: the records are put from now on.
        wrote = self.pool.submit(writer)
        try:
            first, last = self.receive(self.events(es), 8)
            cont = last["ContinuationSequenceNumber"]
            self.assertEqual(cont, first[-1]["SequenceNumber"])
            es.close()
            closed.set()
            self.assertTrue(written_b.wait(10), "writer stuck")
            # Resume after the last record delivered, from the continuation.
            es = self.subscribe(consumer, SHARD0, "AFTER_SEQUENCE_NUMBER", seq=cont, retry_in_use=3)
            resubscribed.set()
            rest, last = self.receive(self.events(es), 12)
        finally:
            closed.set()
            resubscribed.set()
        put = wrote.result(timeout=15)
        self.assertEqual(len(put), 20)
        self.assertEqual(self.view(first), put[:8])
        self.assertEqual(self.view(rest), put[8:], "records lost or duplicated across the resubscription")
        self.assertEqual(last["ContinuationSequenceNumber"], put[-1][2])
        self.assertEqual(last["MillisBehindLatest"], 0, last)
        es.close()
        # The same from the start of the shard, in one subscription.
        es = self.subscribe(consumer, SHARD0, "TRIM_HORIZON", retry_in_use=3)
        everything, _ = self.receive(self.events(es), 20)
        self.assertEqual(self.view(everything), put)
        es.close()
        # And from a sequence number on.
        es = self.subscribe(consumer, SHARD0, "AT_SEQUENCE_NUMBER", seq=put[15][2], retry_in_use=3)
        tail, _ = self.receive(self.events(es), 5)
        self.assertEqual(self.view(tail), put[15:])

    def test_second_subscription_is_resource_in_use(self):
        name = self.create_stream("efo-busy", shards=2)
        arn = self.stream_arn(name)
        consumer = self.register(arn, "busy")
        other = self.register(arn, "other")
        es = self.subscribe(consumer, SHARD0, "LATEST")
        events = self.events(es)
        next(events)
        exc = self.assert_client_error(
            "ResourceInUseException",
            self.subscriber.subscribe_to_shard,
            ConsumerARN=consumer,
            ShardId=SHARD0,
            StartingPosition={"Type": "TRIM_HORIZON"},
        )
        self.assertIsInstance(exc, self.subscriber.exceptions.ResourceInUseException)
        # Another shard, or another consumer: no conflict.
        for c, shard in ((consumer, "shardId-000000000001"), (other, SHARD0)):
            e = self.subscribe(c, shard, "LATEST")
            next(self.events(e))
            e.close()
        # The first subscription still delivers.
        seq = self.kinesis.put_record(
            StreamName=name, PartitionKey="k", Data=b"still-here", ExplicitHashKey="0"
        )["SequenceNumber"]
        records, _ = self.receive(events, 1)
        self.assertEqual(self.view(records), [(b"still-here", "k", seq)])

    def test_split_while_subscribed_ends_with_child_shards(self):
        name = self.create_stream("efo-split")
        consumer = self.register(self.stream_arn(name), "splitter")
        before = self.kinesis.put_record(StreamName=name, PartitionKey="k", Data=b"before-split")[
            "SequenceNumber"
        ]
        es = self.subscribe(consumer, SHARD0, "TRIM_HORIZON")
        events = self.events(es, timeout=15)
        records, _ = self.receive(events, 1)
        self.assertEqual(self.view(records), [(b"before-split", "k", before)])
        mid = 2**127
        self.kinesis.split_shard(StreamName=name, ShardToSplit=SHARD0, NewStartingHashKey=str(mid))
        # The subscription ends with an event naming the two children.
        rest = list(events)
        self.assertTrue(rest, "the subscription ended without a last event")
        self.assertEqual([r for e in rest for r in e["Records"]], [])
        end = rest[-1]
        self.assertIn("ChildShards", end, "the last event has no ChildShards: %r" % (rest,))
        children = sorted(end["ChildShards"], key=lambda c: int(c["HashKeyRange"]["StartingHashKey"]))
        self.assertEqual(len(children), 2, end)
        for c in children:
            self.assertEqual(c["ParentShards"], [SHARD0], c)
        self.assertEqual(
            [(c["HashKeyRange"]["StartingHashKey"], c["HashKeyRange"]["EndingHashKey"]) for c in children],
            [("0", str(mid - 1)), (str(mid), str(MAX_HASH))],
        )
        for e in rest[:-1]:
            self.assertNotIn("ChildShards", e, rest)
        self.wait_active(name)
        listed = {s["ShardId"] for s in self.open_shards(name)}
        self.assertEqual(listed, {c["ShardId"] for c in children})
        # A child shard serves new records to a subscription.
        es = self.subscribe(consumer, children[1]["ShardId"], "TRIM_HORIZON")
        seq = self.kinesis.put_record(
            StreamName=name, PartitionKey="k", Data=b"after-split", ExplicitHashKey=str(MAX_HASH)
        )["SequenceNumber"]
        records, _ = self.receive(self.events(es), 1)
        self.assertEqual(self.view(records), [(b"after-split", "k", seq)])


class TestRegions(KinesisTestCase):
    """A client's region_name picks its region: each region is a namespace."""

    OTHER = "eu-central-1"

    def setUp(self):
        super().setUp()
        self.other = make_client(region=self.OTHER)
        self.other_created = []

    def tearDown(self):
        super().tearDown()
        for name in self.other_created:
            try:
                self.other.delete_stream(StreamName=name, EnforceConsumerDeletion=True)
            except ClientError:
                pass

    def test_same_name_two_regions(self):
        name = self.create_stream("regions", shards=1)
        self.other.create_stream(StreamName=name, ShardCount=2)
        self.other_created.append(name)
        self.other.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30})

        for client, region, shards in ((self.kinesis, REGION, 1), (self.other, self.OTHER, 2)):
            summary = client.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
            self.assertEqual(summary["OpenShardCount"], shards, region)
            self.assertEqual(summary["StreamARN"], "arn:aws:kinesis:%s:%s:stream/%s" % (region, ACCOUNT, name))

        self.kinesis.put_record(StreamName=name, PartitionKey="k", Data=b"virginia")
        self.other.put_record(StreamName=name, PartitionKey="k", Data=b"frankfurt", ExplicitHashKey="0")
        for client, data in ((self.kinesis, b"virginia"), (self.other, b"frankfurt")):
            it = client.get_shard_iterator(
                StreamName=name, ShardId="shardId-000000000000", ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            self.assertEqual([r["Data"] for r in client.get_records(ShardIterator=it)["Records"]], [data])

        mine = "py-%s-" % RUN_ID
        listed = [n for n in self.other.list_streams()["StreamNames"] if n.startswith(mine)]
        self.assertEqual(listed, [name])

    def test_foreign_region_arn(self):
        """ARNs of another region name nothing here, even where a stream of that name exists."""
        name = self.create_stream("regions-arn")
        self.other.create_stream(StreamName=name, ShardCount=1)
        self.other_created.append(name)
        self.other.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
        arn = "arn:aws:kinesis:%s:%s:stream/%s" % (REGION, ACCOUNT, name)
        consumer = self.kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="c")["Consumer"]["ConsumerARN"]
        with self.assertRaises(ClientError) as cm:
            self.other.describe_stream_consumer(ConsumerARN=consumer)
        self.assertEqual(error_code(cm.exception), "ResourceNotFoundException")
        self.assertEqual(error_message(cm.exception), "Consumer %s under account %s not found." % (consumer, ACCOUNT))
        with self.assertRaises(ClientError) as cm:
            self.other.list_stream_consumers(StreamARN=arn)
        self.assertEqual(error_code(cm.exception), "ResourceNotFoundException")
        self.assertEqual(error_message(cm.exception), "Stream %s under account %s not found." % (name, ACCOUNT))
        # Debian 12's botocore (1.29) knows StreamARN only for the consumer
        # operations; a newer one sends it to DescribeStreamSummary too.
        members = self.other.meta.service_model.operation_model("DescribeStreamSummary").input_shape.members
        if "StreamARN" in members:
            with self.assertRaises(ClientError) as cm:
                self.other.describe_stream_summary(StreamARN=arn)
            self.assertEqual(error_code(cm.exception), "ResourceNotFoundException")


@unittest.skipUnless(ADMIN, "EDDY_ADMIN_ENDPOINT is not set")
class TestAdmin(KinesisTestCase):
    """The admin API (fault injection, purge, metrics) as boto3 sees it."""

    def admin(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(ADMIN + path, data=data, method=method)
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    @one_node_in_a_cluster("the admin API's faults and metrics are node A's own")
    def test_injected_throttling_per_entry(self):
        name = self.create_stream("faults")
        code, body = self.admin("PUT", "/faults", {"rules": [
            {"stream": name, "operation": "PutRecords", "throttleRate": 0.5, "seed": 42}]})
        self.assertEqual(code, 200, body)
        try:
            out = self.kinesis.put_records(
                StreamName=name, Records=[{"PartitionKey": str(i), "Data": b"x"} for i in range(200)])
        finally:
            self.admin("DELETE", "/faults")
        failed = [r for r in out["Records"] if "ErrorCode" in r]
        self.assertEqual(out["FailedRecordCount"], len(failed))
        self.assertTrue(40 < len(failed) < 160, len(failed))
        for r in failed:
            self.assertEqual(r["ErrorCode"], "ProvisionedThroughputExceededException")
            self.assertEqual(
                r["ErrorMessage"],
                "Rate exceeded for shard shardId-000000000000 in stream %s under account %s." % (name, ACCOUNT))
        # Without the rule every entry is written.
        out = self.kinesis.put_records(StreamName=name, Records=[{"PartitionKey": "k", "Data": b"y"}] * 10)
        self.assertEqual(out["FailedRecordCount"], 0)
        code, text = self.admin("GET", "/metrics")
        self.assertEqual(code, 200)
        self.assertIn('kinesis_write_provisioned_throughput_exceeded_total{region="%s",stream="%s"} %d'
                      % (REGION, name, len(failed)), text)
        self.assertIn('kinesis_incoming_records_total{region="%s",stream="%s"} %d' % (REGION, name, 200 - len(failed) + 10), text)

    def test_purge(self):
        name = self.create_stream("purge")
        self.kinesis.put_record(StreamName=name, PartitionKey="k", Data=b"old")
        code, body = self.admin("POST", "/streams/%s/purge" % name)
        self.assertEqual(code, 200, body)
        seq = self.kinesis.put_record(StreamName=name, PartitionKey="k", Data=b"new")["SequenceNumber"]
        it = self.kinesis.get_shard_iterator(
            StreamName=name, ShardId="shardId-000000000000", ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        recs = self.kinesis.get_records(ShardIterator=it)["Records"]
        self.assertEqual([(r["Data"], r["SequenceNumber"]) for r in recs], [(b"new", seq)])
        code, body = self.admin("POST", "/streams/py-missing/purge")
        self.assertEqual(code, 404, body)
        self.assertEqual(json.loads(body)["__type"], "ResourceNotFoundException")


def main():
    if not ENDPOINT:
        print("EDDY_ENDPOINT is not set (e.g. http://127.0.0.1:4567)", file=sys.stderr)
        print("python: 0 passed, 1 failed")
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
    print("python: %d passed, %d failed" % (passed, failed))
    return 0 if result.wasSuccessful() and result.testsRun > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
