"""Interop tests: boto3's Lambda client (Debian's python3-boto3) against a running Eddy server.

The server's URL comes from EDDY_ENDPOINT; interop/run.sh starts the server and
sets it. Run with Debian's Python:

    EDDY_ENDPOINT=http://127.0.0.1:4567 /usr/bin/python3 interop/python/test_lambda.py -v

Functions are Python handlers zipped in memory and run by Eddy's python runtime
client in the local python3; the event source mapping's handler uses boto3
inside the function (pointed at Eddy by AWS_ENDPOINT_URL) to copy every record
it is given to an output stream, which the test reads back. Every test creates
its own functions and streams (names start with "py-fn-" and "py-esm-") and
deletes them. The last line printed is "python-lambda: N passed, M failed"
(test cases); interop/run.sh reads it.
"""

import base64
import io
import json
import os
import sys
import time
import unittest
import uuid
import zipfile

import boto3
import botocore
from botocore.config import Config
from botocore.exceptions import ClientError

ENDPOINT = os.environ.get("EDDY_ENDPOINT", "")
ACCOUNT = os.environ.get("EDDY_ACCOUNT_ID", "000000000000")
REGION = "us-east-1"
ROLE = "arn:aws:iam::%s:role/interop" % ACCOUNT
RUN_ID = uuid.uuid4().hex[:8]

HELLO = '''
import os

def handler(event, context):
    print("event", event)
    if event.get("fail"):
        raise ValueError("asked to fail")
    return {"hello": event.get("name"), "fn": context.function_name, "color": os.environ.get("COLOR")}
'''

# Copies the records of a Kinesis event to the stream named by $OUT, with
# boto3 inside the function (botocore 1.29 does not read AWS_ENDPOINT_URL
# itself, so the handler passes it on).
COPY = '''
import base64
import os

import boto3

kinesis = boto3.client("kinesis", endpoint_url=os.environ["AWS_ENDPOINT_URL"])

def handler(event, context):
    entries = [{"Data": base64.b64decode(r["kinesis"]["data"]), "PartitionKey": r["kinesis"]["partitionKey"]}
               for r in event["Records"]]
    kinesis.put_records(StreamName=os.environ["OUT"], Records=entries)
    return {"copied": len(entries)}
'''


def client(service):
    return boto3.session.Session().client(
        service,
        endpoint_url=ENDPOINT,
        region_name=REGION,
        aws_access_key_id="AKIDINTEROPPYTHON",
        aws_secret_access_key="interop-secret",
        config=Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=60),
    )


def zip_source(source, name="app.py"):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(name, source)
    return buf.getvalue()


def function_arn(name):
    return "arn:aws:lambda:%s:%s:function:%s" % (REGION, ACCOUNT, name)


def error_code(exc):
    return exc.response.get("Error", {}).get("Code")


def error_message(exc):
    return exc.response.get("Error", {}).get("Message", "")


def wait_until(cond, timeout=60, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = cond()
        if got:
            return got
        time.sleep(0.1)
    raise AssertionError("timed out after %ss waiting for %s" % (timeout, what))


class LambdaTestCase(unittest.TestCase):
    """Clients per test; deletes the functions, mappings and streams a test made."""

    def setUp(self):
        self.lam = client("lambda")
        self.kinesis = client("kinesis")
        self.functions, self.mappings, self.streams = [], [], []

    def tearDown(self):
        for u in self.mappings:
            try:
                self.lam.delete_event_source_mapping(UUID=u)
            except ClientError:
                pass
        for f in self.functions:
            try:
                self.lam.delete_function(FunctionName=f)
            except ClientError:
                pass
        for s in self.streams:
            try:
                self.kinesis.delete_stream(StreamName=s)
            except ClientError:
                pass

    def create_function(self, suffix, source=HELLO, **kw):
        name = "py-fn-%s-%s" % (RUN_ID, suffix)
        out = self.lam.create_function(
            FunctionName=name, Runtime="python3.12", Handler="app.handler", Role=ROLE,
            Code={"ZipFile": zip_source(source)}, **kw)
        self.functions.append(name)
        return name, out

    def create_stream(self, suffix, shards=1):
        name = "py-esm-%s-%s" % (RUN_ID, suffix)
        self.kinesis.create_stream(StreamName=name, ShardCount=shards)
        self.streams.append(name)
        self.kinesis.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 300})
        return name, self.kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]


class TestFunctions(LambdaTestCase):
    def test_create_get_list_update_delete(self):
        name, out = self.create_function("crud", Description="first", Timeout=5)
        self.assertEqual(out["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertEqual(out["FunctionName"], name)
        self.assertEqual(out["FunctionArn"], function_arn(name))
        self.assertEqual((out["Runtime"], out["Handler"], out["Role"]), ("python3.12", "app.handler", ROLE))
        self.assertEqual((out["Timeout"], out["MemorySize"], out["Description"]), (5, 128, "first"))
        self.assertEqual(out["PackageType"], "Zip")

        got = self.lam.get_function(FunctionName=name)
        self.assertEqual(got["Configuration"]["FunctionArn"], function_arn(name))
        self.assertEqual(got["Configuration"]["CodeSha256"], out["CodeSha256"])
        self.assertIn("Location", got["Code"])
        conf = self.lam.get_function_configuration(FunctionName=function_arn(name))
        self.assertEqual(conf["FunctionName"], name)

        names = []
        for page in self.lam.get_paginator("list_functions").paginate(PaginationConfig={"PageSize": 2}):
            names += [f["FunctionName"] for f in page["Functions"]]
        self.assertIn(name, names)

        upd = self.lam.update_function_configuration(
            FunctionName=name, Description="second", Timeout=10, MemorySize=256,
            Environment={"Variables": {"COLOR": "blue"}})
        self.assertEqual((upd["Description"], upd["Timeout"], upd["MemorySize"]), ("second", 10, 256))
        self.assertEqual(upd["Environment"]["Variables"], {"COLOR": "blue"})
        self.lam.get_waiter("function_updated").wait(FunctionName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
        res = self.lam.invoke(FunctionName=name, Payload=json.dumps({"name": "eddy"}))
        self.assertEqual(json.loads(res["Payload"].read()), {"hello": "eddy", "fn": name, "color": "blue"})

        code = self.lam.update_function_code(FunctionName=name, ZipFile=zip_source(HELLO.replace('"hello"', '"hi"')))
        self.assertNotEqual(code["CodeSha256"], out["CodeSha256"])
        res = self.lam.invoke(FunctionName=name, Payload=json.dumps({"name": "again"}))
        self.assertEqual(json.loads(res["Payload"].read())["hi"], "again")

        deleted = self.lam.delete_function(FunctionName=name)
        self.assertEqual(deleted["ResponseMetadata"]["HTTPStatusCode"], 204)
        with self.assertRaises(ClientError) as cm:
            self.lam.get_function(FunctionName=name)
        self.assertEqual(error_code(cm.exception), "ResourceNotFoundException")
        self.assertEqual(error_message(cm.exception), "Function not found: " + function_arn(name))
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 404)

    def test_create_twice_conflicts(self):
        name, _ = self.create_function("twice")
        with self.assertRaises(self.lam.exceptions.ResourceConflictException) as cm:
            self.lam.create_function(FunctionName=name, Runtime="python3.12", Handler="app.handler", Role=ROLE,
                                     Code={"ZipFile": zip_source(HELLO)})
        self.assertEqual(error_message(cm.exception), "Function already exist: " + name)

    def test_invoke_request_response_with_log_tail(self):
        name, _ = self.create_function("tail")
        res = self.lam.invoke(FunctionName=name, InvocationType="RequestResponse", LogType="Tail",
                              Payload=json.dumps({"name": "tail"}))
        self.assertEqual(res["StatusCode"], 200)
        self.assertNotIn("FunctionError", res)
        self.assertEqual(json.loads(res["Payload"].read())["hello"], "tail")
        log = base64.b64decode(res["LogResult"]).decode()
        self.assertRegex(log, r"START RequestId: \S+")
        self.assertIn("event {'name': 'tail'}", log)
        self.assertRegex(log, r"END RequestId: \S+")
        self.assertRegex(log, r"REPORT RequestId: \S+\s+Duration: [0-9.]+ ms")

    def test_invoke_event_is_queued_and_runs(self):
        out_stream, _ = self.create_stream("event-out")
        name, _ = self.create_function("event", source=COPY, Environment={"Variables": {"OUT": out_stream}})
        event = {"Records": [{"kinesis": {"data": base64.b64encode(b"from-event").decode(), "partitionKey": "k"}}]}
        res = self.lam.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps(event))
        self.assertEqual(res["StatusCode"], 202)
        self.assertEqual(res["Payload"].read(), b"")
        self.assertEqual(read_all(self.kinesis, out_stream, 1), [b"from-event"])

    def test_function_error(self):
        name, _ = self.create_function("error")
        res = self.lam.invoke(FunctionName=name, Payload=json.dumps({"fail": True}))
        self.assertEqual(res["StatusCode"], 200)
        self.assertEqual(res["FunctionError"], "Unhandled")
        body = json.loads(res["Payload"].read())
        self.assertEqual(body["errorType"], "ValueError")
        self.assertEqual(body["errorMessage"], "asked to fail")

    def test_not_found(self):
        missing = "py-fn-%s-missing" % RUN_ID
        for call in (lambda: self.lam.invoke(FunctionName=missing, Payload=b"{}"),
                     lambda: self.lam.get_function_configuration(FunctionName=missing),
                     lambda: self.lam.delete_function(FunctionName=missing)):
            with self.assertRaises(self.lam.exceptions.ResourceNotFoundException) as cm:
                call()
            self.assertEqual(error_message(cm.exception), "Function not found: " + function_arn(missing))
        with self.assertRaises(self.lam.exceptions.ResourceNotFoundException) as cm:
            self.lam.get_event_source_mapping(UUID=str(uuid.uuid4()))
        self.assertEqual(error_message(cm.exception), "The resource you requested does not exist.")


def read_all(kinesis, stream, want, timeout=60):
    """Reads every shard of stream from TRIM_HORIZON until want records arrived."""
    shards = kinesis.list_shards(StreamName=stream)["Shards"]
    its = [kinesis.get_shard_iterator(StreamName=stream, ShardId=s["ShardId"], ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
           for s in shards]
    got = []

    def poll():
        for i, it in enumerate(its):
            out = kinesis.get_records(ShardIterator=it)
            its[i] = out["NextShardIterator"]
            got.extend(r["Data"] for r in out["Records"])
        return len(got) >= want

    wait_until(poll, timeout, "%d records in %s" % (want, stream))
    return got


class TestEventSourceMappings(LambdaTestCase):
    def test_records_reach_the_function(self):
        src, src_arn = self.create_stream("src", shards=2)
        out_stream, _ = self.create_stream("out")
        name, _ = self.create_function("copy", source=COPY, Environment={"Variables": {"OUT": out_stream}})

        m = self.lam.create_event_source_mapping(FunctionName=name, EventSourceArn=src_arn,
                                                 StartingPosition="TRIM_HORIZON", BatchSize=10)
        self.mappings.append(m["UUID"])
        self.assertEqual(m["ResponseMetadata"]["HTTPStatusCode"], 202)
        self.assertEqual((m["EventSourceArn"], m["FunctionArn"], m["BatchSize"]), (src_arn, function_arn(name), 10))
        self.assertEqual(m["State"], "Creating")

        sent = [("record-%d" % i).encode() for i in range(25)]
        self.kinesis.put_records(StreamName=src, Records=[{"Data": d, "PartitionKey": "pk-%d" % i} for i, d in enumerate(sent)])
        self.assertEqual(sorted(read_all(self.kinesis, out_stream, len(sent))), sorted(sent))

        got = wait_until(lambda: (lambda g: g if g["State"] == "Enabled" else None)(
            self.lam.get_event_source_mapping(UUID=m["UUID"])), 30, "mapping Enabled")
        self.assertEqual(got["FunctionArn"], function_arn(name))
        listed = self.lam.list_event_source_mappings(FunctionName=name)["EventSourceMappings"]
        self.assertEqual([x["UUID"] for x in listed], [m["UUID"]])
        listed = self.lam.list_event_source_mappings(EventSourceArn=src_arn)["EventSourceMappings"]
        self.assertEqual([x["UUID"] for x in listed], [m["UUID"]])

        upd = self.lam.update_event_source_mapping(UUID=m["UUID"], BatchSize=50)
        self.assertEqual(upd["ResponseMetadata"]["HTTPStatusCode"], 202)
        self.assertEqual(upd["BatchSize"], 50)

        deleted = self.lam.delete_event_source_mapping(UUID=m["UUID"])
        self.assertEqual(deleted["ResponseMetadata"]["HTTPStatusCode"], 202)
        self.assertEqual(deleted["State"], "Deleting")
        wait_until(lambda: not self.lam.list_event_source_mappings(FunctionName=name)["EventSourceMappings"], 30,
                   "the mapping to go")


def main():
    if not ENDPOINT:
        print("EDDY_ENDPOINT is not set (e.g. http://127.0.0.1:4567)", file=sys.stderr)
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
    print("python-lambda: %d passed, %d failed" % (passed, failed))
    return 0 if result.wasSuccessful() and result.testsRun > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
