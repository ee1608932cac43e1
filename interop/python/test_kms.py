"""Interop tests: boto3's KMS client (Debian's python3-boto3) against a running Eddy server.

The server's URL comes from EDDY_ENDPOINT; interop/run.sh starts the server
and sets it. Run with Debian's Python:

    EDDY_ENDPOINT=http://127.0.0.1:4567 /usr/bin/python3 interop/python/test_kms.py -v

Each test makes its own keys (aliases start with "alias/py-kms-"). The last
line printed is "python-kms: N passed, M failed"; interop/run.sh reads it.
"""

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
ACCOUNT = os.environ.get("EDDY_ACCOUNT_ID", "000000000000")
REGION = "us-east-1"
PREFIX = "arn:aws:kms:%s:%s:" % (REGION, ACCOUNT)
RUN_ID = uuid.uuid4().hex[:8]


def client():
    return boto3.client(
        "kms",
        endpoint_url=ENDPOINT,
        region_name=REGION,
        aws_access_key_id="AKIDINTEROP",
        aws_secret_access_key="secret",
        config=Config(retries={"max_attempts": 1}),
    )


class KMSTestCase(unittest.TestCase):
    def setUp(self):
        self.kms = client()
        self.key = self.kms.create_key(Description="py " + RUN_ID)["KeyMetadata"]["KeyId"]
        self.alias = "alias/py-kms-%s-%s" % (RUN_ID, self._testMethodName)
        self.kms.create_alias(AliasName=self.alias, TargetKeyId=self.key)

    def tearDown(self):
        try:
            self.kms.schedule_key_deletion(KeyId=self.key, PendingWindowInDays=7)
        except ClientError:
            pass

    def assertError(self, code, fn, message=None, **kwargs):
        with self.assertRaises(ClientError) as cm:
            fn(**kwargs)
        err = cm.exception.response["Error"]
        self.assertEqual(err["Code"], code, err)
        if message is not None:
            self.assertEqual(err["Message"], message)
        return cm.exception

    def test_encrypt_decrypt_with_context(self):
        ctx = {"stream": "orders", "shard": "0001"}
        out = self.kms.encrypt(KeyId=self.alias, Plaintext=b"boto3 secret", EncryptionContext=ctx)
        self.assertEqual(out["KeyId"], PREFIX + "key/" + self.key)
        dec = self.kms.decrypt(CiphertextBlob=out["CiphertextBlob"], EncryptionContext=dict(reversed(list(ctx.items()))))
        self.assertEqual(dec["Plaintext"], b"boto3 secret")
        self.assertEqual(dec["EncryptionAlgorithm"], "SYMMETRIC_DEFAULT")
        self.assertError("InvalidCiphertextException", self.kms.decrypt, CiphertextBlob=out["CiphertextBlob"])
        self.assertError("InvalidCiphertextException", self.kms.decrypt, CiphertextBlob=out["CiphertextBlob"],
                         EncryptionContext={"stream": "orders", "shard": "0002"})

    def test_data_key_envelope(self):
        dk = self.kms.generate_data_key(KeyId=self.key, KeySpec="AES_128")
        self.assertEqual(len(dk["Plaintext"]), 16)
        dec = self.kms.decrypt(CiphertextBlob=dk["CiphertextBlob"], KeyId=self.alias)
        self.assertEqual(dec["Plaintext"], dk["Plaintext"])
        self.assertError("ValidationException", self.kms.generate_data_key, KeyId=self.key)

    def test_states_and_errors(self):
        arn = PREFIX + "key/" + self.key
        self.kms.disable_key(KeyId=self.key)
        self.assertError("DisabledException", self.kms.encrypt, arn + " is disabled.", KeyId=self.alias, Plaintext=b"x")
        self.kms.enable_key(KeyId=self.key)
        out = self.kms.schedule_key_deletion(KeyId=self.key, PendingWindowInDays=7)
        self.assertEqual(out["KeyState"], "PendingDeletion")
        self.assertError("KMSInvalidStateException", self.kms.encrypt, arn + " is pending deletion.", KeyId=self.key, Plaintext=b"x")
        self.kms.cancel_key_deletion(KeyId=self.key)
        self.assertEqual(self.kms.describe_key(KeyId=self.key)["KeyMetadata"]["KeyState"], "Disabled")
        self.assertError("NotFoundException", self.kms.describe_key, "Alias %salias/py-none-%s is not found." % (PREFIX, RUN_ID),
                         KeyId="alias/py-none-" + RUN_ID)
        err = self.assertError("AlreadyExistsException", self.kms.create_alias, AliasName=self.alias, TargetKeyId=self.key)
        self.assertEqual(err.response["ResponseMetadata"]["HTTPStatusCode"], 409)

    def test_rotation_keeps_old_ciphertexts(self):
        # RotateKeyOnDemand came in 2024: Debian's boto3 (1.26) lacks it.
        if not hasattr(self.kms, "rotate_key_on_demand"):
            self.skipTest("this boto3 has no rotate_key_on_demand")
        old = self.kms.encrypt(KeyId=self.key, Plaintext=b"before")
        self.kms.rotate_key_on_demand(KeyId=self.key)
        new = self.kms.encrypt(KeyId=self.key, Plaintext=b"after")
        a = self.kms.decrypt(CiphertextBlob=old["CiphertextBlob"])
        b = self.kms.decrypt(CiphertextBlob=new["CiphertextBlob"])
        self.assertEqual((a["Plaintext"], b["Plaintext"]), (b"before", b"after"))
        self.assertNotEqual(a["KeyMaterialId"], b["KeyMaterialId"])

    def test_paginators(self):
        keys = [k["KeyId"] for page in self.kms.get_paginator("list_keys").paginate(PaginationConfig={"PageSize": 1}) for k in page["Keys"]]
        self.assertIn(self.key, keys)
        aliases = [a["AliasName"] for page in self.kms.get_paginator("list_aliases").paginate(PaginationConfig={"PageSize": 1})
                   for a in page["Aliases"]]
        self.assertIn(self.alias, aliases)
        self.assertIn("alias/aws/kinesis", aliases)


    def test_stream_encryption_and_disabled_key(self):
        """Kinesis's StartStreamEncryption under this key: records read back with
        EncryptionType KMS; while the key is disabled, puts and gets fail with
        Kinesis's KMSDisabledException (within the second the engine caches a
        key's state), and work again once it is enabled."""
        ks = boto3.client("kinesis", endpoint_url=ENDPOINT, region_name=REGION, aws_access_key_id="AKIDINTEROP",
                          aws_secret_access_key="secret", config=Config(retries={"max_attempts": 1}))
        name = "py-kms-sse-" + RUN_ID
        wait = {"Delay": 1, "MaxAttempts": 60}
        ks.create_stream(StreamName=name, ShardCount=1)
        try:
            ks.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig=wait)
            ks.start_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId=self.alias)
            ks.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig=wait)
            desc = ks.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
            self.assertEqual((desc["EncryptionType"], desc["KeyId"]), ("KMS", self.alias))
            out = ks.put_record(StreamName=name, PartitionKey="pk", Data=b"secret")
            self.assertEqual(out["EncryptionType"], "KMS")

            def get():
                it = ks.get_shard_iterator(StreamName=name, ShardId=out["ShardId"],
                                           ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
                return ks.get_records(ShardIterator=it)["Records"]

            recs = get()
            self.assertEqual([(r["Data"], r["PartitionKey"], r["EncryptionType"]) for r in recs], [(b"secret", "pk", "KMS")])

            def error_of(fn):
                try:
                    fn()
                except ClientError as e:
                    return e.response["Error"]["Code"]
                return None

            def until(what, cond):
                deadline = time.time() + 15
                while not cond():
                    if time.time() > deadline:
                        self.fail("waited 15 s for " + what)
                    time.sleep(0.2)

            self.kms.disable_key(KeyId=self.key)
            until("puts to fail", lambda: error_of(lambda: ks.put_record(StreamName=name, PartitionKey="k", Data=b"x")) is not None)
            self.assertEqual(error_of(lambda: ks.put_record(StreamName=name, PartitionKey="k", Data=b"x")), "KMSDisabledException")
            self.assertEqual(error_of(get), "KMSDisabledException")
            self.kms.enable_key(KeyId=self.key)
            until("puts to work again", lambda: error_of(lambda: ks.put_record(StreamName=name, PartitionKey="k", Data=b"y")) is None)
            self.assertEqual(get()[0]["Data"], b"secret")
        finally:
            ks.delete_stream(StreamName=name, EnforceConsumerDeletion=True)

def main():
    if not ENDPOINT:
        print("EDDY_ENDPOINT is not set", file=sys.stderr)
        print("python-kms: 0 passed, 1 failed")
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
    print("python-kms: %d passed, %d failed" % (passed, failed))
    return 0 if result.wasSuccessful() and result.testsRun > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
