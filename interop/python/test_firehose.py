"""Interop tests: boto3's Firehose and S3 clients (Debian's python3-boto3) against a running Eddy server.

The server's URL comes from EDDY_ENDPOINT, its embedded S3 endpoint's from
EDDY_S3_ENDPOINT; interop/run.sh starts the server (with --s3-listen) and sets
both. Run with Debian's Python:

    EDDY_ENDPOINT=http://127.0.0.1:4567 EDDY_S3_ENDPOINT=http://127.0.0.1:4569 \\
        /usr/bin/python3 interop/python/test_firehose.py -v

A delivery stream writes GZIP objects into a bucket of the embedded endpoint;
the test reads them back with boto3's S3 client and gzip. Every test makes its
own delivery streams and buckets (names start with "py-fh-"). The last line
printed is "python-firehose: N passed, M failed"; interop/run.sh reads it.
"""

import gzip
import os
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


class FirehoseTestCase(unittest.TestCase):
    def setUp(self):
        self.fh = client("firehose", ENDPOINT)
        self.s3 = client("s3", S3_ENDPOINT)
        self.streams = []

    def tearDown(self):
        for name in self.streams:
            try:
                self.fh.delete_delivery_stream(DeliveryStreamName=name)
            except ClientError:
                pass

    def create(self, name, bucket, **extra):
        dest = {
            "RoleARN": ROLE,
            "BucketARN": "arn:aws:s3:::" + bucket,
            "Prefix": "in/",
            "CompressionFormat": "GZIP",
            # IntervalInSeconds: older botocore models (Debian's) refuse
            # less than 60; the test fills the 1 MiB size hint instead.
            "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 60},
        }
        dest.update(extra)
        out = self.fh.create_delivery_stream(
            DeliveryStreamName=name, DeliveryStreamType="DirectPut", ExtendedS3DestinationConfiguration=dest
        )
        self.streams.append(name)
        return out

    def delivered(self, bucket):
        """The lines of every GZIP object in bucket, and the keys."""
        lines, keys = [], []
        listing = self.s3.list_objects_v2(Bucket=bucket, Prefix="in/")
        for obj in listing.get("Contents", []):
            keys.append(obj["Key"])
            body = self.s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read()
            lines.extend(gzip.decompress(body).decode().splitlines())
        return lines, keys

    def test_records_reach_s3_objects(self):
        name, bucket = "py-fh-s3-" + RUN_ID, "py-fh-" + RUN_ID
        self.s3.create_bucket(Bucket=bucket)
        arn = self.create(
            name,
            bucket,
            ProcessingConfiguration={"Enabled": True, "Processors": [{"Type": "AppendDelimiterToRecord"}]},
        )["DeliveryStreamARN"]
        self.assertEqual(arn, "arn:aws:firehose:%s:%s:deliverystream/%s" % (REGION, ACCOUNT, name))
        desc = wait_until(
            lambda: (lambda d: d if d["DeliveryStreamStatus"] == "ACTIVE" else None)(
                self.fh.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]
            ),
            30,
            "ACTIVE",
        )
        self.assertEqual(desc["DeliveryStreamType"], "DirectPut")
        s3d = desc["Destinations"][0]["ExtendedS3DestinationDescription"]
        self.assertEqual(s3d["CompressionFormat"], "GZIP")
        self.assertEqual(s3d["BufferingHints"], {"SizeInMBs": 1, "IntervalInSeconds": 60})

        # 1,024 records of 1,023 bytes, 1,024 with the delimiter: exactly
        # the 1 MiB size hint, so the buffer is delivered at once.
        want = [("rec-%04d-" % i).ljust(1023, "x") for i in range(1024)]
        for i in range(0, 1023, 500):
            chunk = want[i : min(i + 500, 1023)]
            out = self.fh.put_record_batch(DeliveryStreamName=name, Records=[{"Data": w.encode()} for w in chunk])
            self.assertEqual(out["FailedPutCount"], 0)
            self.assertEqual(len(out["RequestResponses"]), len(chunk))
            self.assertTrue(all(r.get("RecordId") for r in out["RequestResponses"]))
        one = self.fh.put_record(DeliveryStreamName=name, Record={"Data": want[1023].encode()})
        self.assertTrue(one["RecordId"])

        def all_there():
            lines, keys = self.delivered(bucket)
            return (lines, keys) if set(want) <= set(lines) else None

        lines, keys = wait_until(all_there, 60, "every record in an object")
        self.assertEqual(set(lines), set(want))
        for k in keys:
            self.assertRegex(k, r"^in/\d{4}/\d{2}/\d{2}/\d{2}/" + name + r"-1-\d{4}(-\d{2}){5}-[0-9a-f-]{36}\.gz$")

        names = self.fh.list_delivery_streams(Limit=100)["DeliveryStreamNames"]
        self.assertIn(name, names)

    def test_errors(self):
        with self.assertRaises(ClientError) as ctx:
            self.fh.describe_delivery_stream(DeliveryStreamName="py-fh-missing-" + RUN_ID)
        self.assertEqual(ctx.exception.response["Error"]["Code"], "ResourceNotFoundException")
        name = "py-fh-err-" + RUN_ID
        self.create(name, "py-fh-unused-" + RUN_ID)
        with self.assertRaises(ClientError) as ctx:
            self.create(name, "py-fh-unused-" + RUN_ID)
        self.assertEqual(ctx.exception.response["Error"]["Code"], "ResourceInUseException")
        wait_until(
            lambda: self.fh.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"][
                "DeliveryStreamStatus"
            ]
            == "ACTIVE",
            30,
            "ACTIVE",
        )
        with self.assertRaises(ClientError) as ctx:
            self.fh.put_record_batch(DeliveryStreamName=name, Records=[{"Data": b"x"}] * 501)
        self.assertEqual(ctx.exception.response["Error"]["Code"], "ValidationException")

    def test_tags(self):
        name = "py-fh-tags-" + RUN_ID
        self.create(name, "py-fh-unused-" + RUN_ID)
        self.fh.tag_delivery_stream(DeliveryStreamName=name, Tags=[{"Key": "team", "Value": "data"}])
        tags = self.fh.list_tags_for_delivery_stream(DeliveryStreamName=name)
        self.assertEqual(tags["Tags"], [{"Key": "team", "Value": "data"}])
        self.assertFalse(tags["HasMoreTags"])
        self.fh.untag_delivery_stream(DeliveryStreamName=name, TagKeys=["team"])
        self.assertEqual(self.fh.list_tags_for_delivery_stream(DeliveryStreamName=name)["Tags"], [])


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
    print("python-firehose: %d passed, %d failed" % (passed, failed))
    return 0 if result.wasSuccessful() and result.testsRun > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
