"""Interop tests: boto3's DynamoDB client and resource layer (Debian's
python3-boto3) against a running Eddy server.

    EDDY_ENDPOINT=http://127.0.0.1:4567 /usr/bin/python3 interop/python/test_dynamodb.py -v

interop/run.sh starts the server and sets EDDY_ENDPOINT. Every test creates
its own table (names start with "py-ddb-") and deletes it. The last line
printed is "python-ddb: N passed, M failed" (test cases).

The resource layer is what most Python code uses: Table.put_item with plain
Python values (Decimal numbers, bytes, sets), batch_writer, and query / scan
with boto3.dynamodb.conditions Key and Attr, which build expressions with
#n0-style names and :v0-style values.
"""

import decimal
import os
import sys
import unittest
import uuid

import boto3
import botocore
from boto3.dynamodb.conditions import Attr, Key
from botocore.config import Config
from botocore.exceptions import ClientError

ENDPOINT = os.environ.get("EDDY_ENDPOINT", "")
REGION = "us-east-1"
RUN_ID = uuid.uuid4().hex[:8]

SESSION_ARGS = dict(
    endpoint_url=ENDPOINT,
    region_name=REGION,
    aws_access_key_id="AKIDINTEROPPYTHON",
    aws_secret_access_key="interop-secret",
    config=Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=30),
)


def error_code(exc):
    return exc.response.get("Error", {}).get("Code")


def error_message(exc):
    return exc.response.get("Error", {}).get("Message", "")


class DynamoDBTestCase(unittest.TestCase):
    def setUp(self):
        session = boto3.session.Session()
        self.client = session.client("dynamodb", **SESSION_ARGS)
        self.resource = session.resource("dynamodb", **SESSION_ARGS)
        self.tables = []

    def tearDown(self):
        for name in self.tables:
            try:
                self.client.delete_table(TableName=name)
            except ClientError:
                pass

    def create_table(self, suffix, range_type=None, **extra):
        name = "py-ddb-%s-%s" % (RUN_ID, suffix)
        attrs = [{"AttributeName": "pk", "AttributeType": "S"}]
        keys = [{"AttributeName": "pk", "KeyType": "HASH"}]
        if range_type:
            attrs.append({"AttributeName": "sk", "AttributeType": range_type})
            keys.append({"AttributeName": "sk", "KeyType": "RANGE"})
        attrs += extra.pop("ExtraAttributes", [])
        self.client.create_table(TableName=name, AttributeDefinitions=attrs, KeySchema=keys,
                                 BillingMode="PAY_PER_REQUEST", **extra)
        self.tables.append(name)
        self.client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
        return self.resource.Table(name)


class TestClient(DynamoDBTestCase):
    def test_describe_and_list(self):
        table = self.create_table("desc", "N")
        d = self.client.describe_table(TableName=table.name)["Table"]
        self.assertEqual(d["TableStatus"], "ACTIVE")
        self.assertEqual(d["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST")
        self.assertEqual([k["AttributeName"] for k in d["KeySchema"]], ["pk", "sk"])
        names = []
        for page in self.client.get_paginator("list_tables").paginate(PaginationConfig={"PageSize": 2}):
            names += page["TableNames"]
        self.assertIn(table.name, names)

    def test_conditional_put_and_errors(self):
        table = self.create_table("cond")
        item = {"pk": {"S": "k"}, "n": {"N": "1"}}
        self.client.put_item(TableName=table.name, Item=item, ConditionExpression="attribute_not_exists(pk)")
        # ReturnValuesOnConditionCheckFailure (API reference, ConditionalCheckFailedException: "Item: Item which caused
        # the ConditionalCheckFailedException"; dynalite 4.0.0 predates it), where this botocore knows it (Debian 12's
        # does not).
        extra = {}
        if "ReturnValuesOnConditionCheckFailure" in self.client.meta.service_model.operation_model("PutItem").input_shape.members:
            extra["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        with self.assertRaises(self.client.exceptions.ConditionalCheckFailedException) as cm:
            self.client.put_item(TableName=table.name, Item=item, ConditionExpression="attribute_not_exists(pk)", **extra)
        self.assertEqual(error_message(cm.exception), "The conditional request failed")
        if extra:
            self.assertEqual(cm.exception.response.get("Item"), item)
        with self.assertRaises(self.client.exceptions.ResourceNotFoundException):
            self.client.get_item(TableName=table.name + "-missing", Key={"pk": {"S": "k"}})
        with self.assertRaises(ClientError) as cm:
            self.client.update_item(TableName=table.name, Key={"pk": {"S": "k"}}, UpdateExpression="SET n = n +")
        self.assertEqual(error_code(cm.exception), "ValidationException")
        self.assertTrue(error_message(cm.exception).startswith("Invalid UpdateExpression: Syntax error;"), error_message(cm.exception))

    def test_transactions(self):
        table = self.create_table("tx")
        self.client.transact_write_items(TransactItems=[
            {"Put": {"TableName": table.name, "Item": {"pk": {"S": "a"}}, "ConditionExpression": "attribute_not_exists(pk)"}},
            {"Update": {"TableName": table.name, "Key": {"pk": {"S": "b"}}, "UpdateExpression": "ADD c :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}}}},
        ])
        with self.assertRaises(self.client.exceptions.TransactionCanceledException) as cm:
            self.client.transact_write_items(TransactItems=[
                {"ConditionCheck": {"TableName": table.name, "Key": {"pk": {"S": "b"}}, "ConditionExpression": "c = :two",
                                    "ExpressionAttributeValues": {":two": {"N": "2"}}}},
                {"Delete": {"TableName": table.name, "Key": {"pk": {"S": "a"}}}},
            ])
        self.assertEqual([r["Code"] for r in cm.exception.response["CancellationReasons"]], ["ConditionalCheckFailed", "None"])
        got = self.client.transact_get_items(TransactItems=[
            {"Get": {"TableName": table.name, "Key": {"pk": {"S": "a"}}}},
            {"Get": {"TableName": table.name, "Key": {"pk": {"S": "b"}}}},
        ])["Responses"]
        self.assertEqual([r["Item"] for r in got], [{"pk": {"S": "a"}}, {"pk": {"S": "b"}, "c": {"N": "1"}}])

    def test_scan_paginator(self):
        table = self.create_table("scan", "N")
        with table.batch_writer() as batch:
            for i in range(30):
                batch.put_item(Item={"pk": "p%d" % (i % 3), "sk": i})
        seen = []
        for page in self.client.get_paginator("scan").paginate(TableName=table.name, PaginationConfig={"PageSize": 7}):
            seen += [(i["pk"]["S"], i["sk"]["N"]) for i in page["Items"]]
        self.assertEqual(sorted(seen), sorted(("p%d" % (i % 3), str(i)) for i in range(30)))


class TestResource(DynamoDBTestCase):
    def test_put_get_update_python_types(self):
        table = self.create_table("types")
        item = {"pk": "doc", "n": decimal.Decimal("12345678901234567890.123456789"), "b": b"\x00\xff", "t": True,
                "z": None, "ss": {"a", "b"}, "ns": {decimal.Decimal(1), decimal.Decimal("2.5")}, "l": [1, "x", {"m": [True]}],
                "m": {"nested": {"deep": "v"}}}
        table.put_item(Item=item)
        got = table.get_item(Key={"pk": "doc"}, ConsistentRead=True)["Item"]
        got["b"] = bytes(got["b"].value)
        self.assertEqual(got, item)
        out = table.update_item(
            Key={"pk": "doc"},
            UpdateExpression="SET m.nested.deep = :v, l[2].m[1] = :f, n = n + :one REMOVE t ADD ss :s DELETE ns :d",
            ConditionExpression=Attr("m.nested.deep").eq("v") & Attr("t").exists(),
            ExpressionAttributeValues={":v": "w", ":f": False, ":one": 1, ":s": {"c"}, ":d": {decimal.Decimal(1)}},
            ReturnValues="ALL_NEW")["Attributes"]
        self.assertEqual(out["m"], {"nested": {"deep": "w"}})
        self.assertEqual(out["l"][2], {"m": [True, False]})
        self.assertEqual(out["n"], decimal.Decimal("12345678901234567891.123456789"))
        self.assertNotIn("t", out)
        self.assertEqual(out["ss"], {"a", "b", "c"})
        self.assertEqual(out["ns"], {decimal.Decimal("2.5")})

    def test_batch_writer_and_conditions(self):
        table = self.create_table("query", "N")
        with table.batch_writer(overwrite_by_pkeys=["pk", "sk"]) as batch:
            for i in range(60):
                batch.put_item(Item={"pk": "p%d" % (i % 2), "sk": i, "v": i * 10, "tag": "t%d" % (i % 5)})
            batch.put_item(Item={"pk": "p0", "sk": 0, "v": -1, "tag": "overwritten"})
            batch.delete_item(Key={"pk": "p1", "sk": 59})
        r = table.query(KeyConditionExpression=Key("pk").eq("p0") & Key("sk").between(10, 20), ScanIndexForward=False)
        self.assertEqual([int(i["sk"]) for i in r["Items"]], [20, 18, 16, 14, 12, 10])
        r = table.query(KeyConditionExpression=Key("pk").eq("p1") & Key("sk").gt(50),
                        FilterExpression=Attr("tag").is_in(["t1", "t2"]) | Attr("v").lt(0))
        self.assertEqual([int(i["sk"]) for i in r["Items"]], [51, 57])
        self.assertEqual((r["Count"], r["ScannedCount"]), (2, 4))
        r = table.query(KeyConditionExpression=Key("pk").eq("p0") & Key("sk").lte(4), ProjectionExpression="sk, v")
        self.assertEqual(r["Items"], [{"sk": 0, "v": -1}, {"sk": 2, "v": 20}, {"sk": 4, "v": 40}])
        # Paged query with Limit, following LastEvaluatedKey.
        keys, kwargs = [], {"KeyConditionExpression": Key("pk").eq("p1"), "Limit": 7}
        for _ in range(20):
            r = table.query(**kwargs)
            keys += [int(i["sk"]) for i in r["Items"]]
            if "LastEvaluatedKey" not in r:
                break
            kwargs["ExclusiveStartKey"] = r["LastEvaluatedKey"]
        self.assertEqual(keys, list(range(1, 59, 2)))
        r = table.scan(FilterExpression=Attr("tag").begins_with("t4") & Attr("sk").gte(30), Select="COUNT")
        self.assertEqual(r["Count"], 5)  # sk 34, 39, 44, 49, 54 (59 was deleted)

    def test_gsi_query(self):
        table = self.create_table("gsi", None, ExtraAttributes=[{"AttributeName": "owner", "AttributeType": "S"}],
                                  GlobalSecondaryIndexes=[{"IndexName": "by-owner", "Projection": {"ProjectionType": "ALL"},
                                                           "KeySchema": [{"AttributeName": "owner", "KeyType": "HASH"}]}])
        for i in range(6):
            table.put_item(Item={"pk": "lease-%d" % i, "owner": "w%d" % (i % 2), "counter": i})
        r = table.query(IndexName="by-owner", KeyConditionExpression=Key("owner").eq("w1"))
        self.assertEqual(sorted(i["pk"] for i in r["Items"]), ["lease-1", "lease-3", "lease-5"])


def main():
    if not ENDPOINT:
        print("EDDY_ENDPOINT is not set (e.g. http://127.0.0.1:4567)", file=sys.stderr)
        print("python-ddb: 0 passed, 1 failed")
        return 2
    print("boto3 %s, botocore %s" % (boto3.__version__, botocore.__version__), file=sys.stderr)
    verbosity = 2 if "-v" in sys.argv[1:] else 1
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    result = unittest.TextTestRunner(verbosity=verbosity, stream=sys.stderr).run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    passed = result.testsRun - failed - len(result.skipped)
    print("python-ddb: %d passed, %d failed" % (passed, failed))
    return 0 if result.wasSuccessful() and result.testsRun > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
