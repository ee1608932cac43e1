// Interop tests: the AWS SDK for JavaScript v3 (@aws-sdk/client-kinesis) against a
// running Eddy server, every call over cleartext HTTP/2 with prior knowledge (h2c)
// through @smithy/node-http-handler's NodeHttp2Handler. (The Kinesis client picks
// NodeHttp2Handler by default too, for SubscribeToShard; the tests set it
// explicitly and check the bytes on the wire.)
//
//   cd interop/js && npm ci && EDDY_ENDPOINT=http://127.0.0.1:PORT node --test
//
// Every test creates its own streams (names start with "js-") and deletes them,
// so this suite can share a server with the other interop suites.

import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import net from "node:net";
import {
  AddTagsToStreamCommand,
  CreateStreamCommand,
  DecreaseStreamRetentionPeriodCommand,
  DeleteStreamCommand,
  DeregisterStreamConsumerCommand,
  DescribeStreamCommand,
  DescribeStreamConsumerCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  IncreaseStreamRetentionPeriodCommand,
  InvalidArgumentException,
  KinesisClient,
  ListShardsCommand,
  ListStreamConsumersCommand,
  ListStreamsCommand,
  ListTagsForStreamCommand,
  MergeShardsCommand,
  PutRecordCommand,
  PutRecordsCommand,
  RegisterStreamConsumerCommand,
  RemoveTagsFromStreamCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  SplitShardCommand,
  SubscribeToShardCommand,
  UpdateShardCountCommand,
  ValidationException,
  paginateListStreamConsumers,
  paginateListStreams,
  waitUntilStreamExists,
  waitUntilStreamNotExists,
} from "@aws-sdk/client-kinesis";
import { NodeHttp2Handler } from "@smithy/node-http-handler";

const ENDPOINT = process.env.EDDY_ENDPOINT;
if (!ENDPOINT) throw new Error("EDDY_ENDPOINT is not set (e.g. http://127.0.0.1:4567)");
const ACCOUNT = process.env.EDDY_ACCOUNT_ID ?? "000000000000";
const REGION = "us-east-1";
const MAX_HASH = (1n << 128n) - 1n;
const MID_HASH = 1n << 127n;
const RUN_ID = randomBytes(4).toString("hex");
const H2_PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

function newClient(endpoint = ENDPOINT, region = REGION) {
  return new KinesisClient({
    endpoint,
    region,
    credentials: { accessKeyId: "AKIDINTEROPJS", secretAccessKey: "interop-secret" },
    requestHandler: new NodeHttp2Handler({ requestTimeout: 30_000, sessionTimeout: 60_000 }),
    maxAttempts: 1,
  });
}

const kinesis = newClient();
const created = new Set();
const clients = [kinesis];

after(async () => {
  for (const name of created) {
    try {
      await kinesis.send(new DeleteStreamCommand({ StreamName: name, EnforceConsumerDeletion: true }));
    } catch {
      // already gone
    }
  }
  for (const c of clients) c.destroy();
});

const streamName = (suffix) => `js-${RUN_ID}-${suffix}`;
const enc = (s) => new TextEncoder().encode(s);
const dec = (b) => new TextDecoder().decode(b);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitActive(name) {
  const r = await waitUntilStreamExists({ client: kinesis, maxWaitTime: 30, minDelay: 1, maxDelay: 2 }, { StreamName: name });
  assert.equal(r.state, "SUCCESS");
}

async function createStream(suffix, shards = 1) {
  const name = streamName(suffix);
  await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  created.add(name);
  await waitActive(name);
  return name;
}

async function deleteStream(name, extra = {}) {
  await kinesis.send(new DeleteStreamCommand({ StreamName: name, ...extra }));
  created.delete(name);
}

// listShards: every shard, paged with NextToken (StreamName only on the first call).
async function listShards(name, maxResults) {
  const shards = [];
  let token;
  for (let pages = 0; pages < 100; pages++) {
    const page = await kinesis.send(
      new ListShardsCommand(token ? { NextToken: token, MaxResults: maxResults } : { StreamName: name, MaxResults: maxResults }),
    );
    shards.push(...page.Shards);
    token = page.NextToken;
    if (!token) return shards;
  }
  assert.fail("ListShards paging does not end");
}

const isOpen = (s) => s.SequenceNumberRange.EndingSequenceNumber === undefined;
const ranges = (shards) =>
  shards
    .map((s) => [BigInt(s.HashKeyRange.StartingHashKey), BigInt(s.HashKeyRange.EndingHashKey)])
    .sort((a, b) => (a[0] < b[0] ? -1 : 1));

function assertCoversHashSpace(shards) {
  const r = ranges(shards);
  assert.equal(r[0][0], 0n);
  assert.equal(r.at(-1)[1], MAX_HASH);
  for (let i = 1; i < r.length; i++) assert.equal(r[i][0], r[i - 1][1] + 1n, `gap or overlap at ${i}`);
}

async function iterator(name, shardId, type, extra = {}) {
  const r = await kinesis.send(new GetShardIteratorCommand({ StreamName: name, ShardId: shardId, ShardIteratorType: type, ...extra }));
  assert.equal(typeof r.ShardIterator, "string");
  assert.ok(r.ShardIterator.length <= 512);
  return r.ShardIterator;
}

// read: GetRecords from it until want records arrived; returns {records, next, last}.
async function read(it, want) {
  const records = [];
  let last;
  for (let i = 0; i < 20 && it; i++) {
    last = await kinesis.send(new GetRecordsCommand({ ShardIterator: it }));
    assert.equal(typeof last.MillisBehindLatest, "number");
    records.push(...last.Records);
    it = last.NextShardIterator;
    if (records.length >= want) break;
  }
  return { records, next: it, last };
}

const view = (records) => records.map((r) => [dec(r.Data), r.PartitionKey, r.SequenceNumber]);

// rejects: the call fails with the modeled exception class, HTTP 400 and a request id.
async function rejects(promise, Class, messageCheck) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof Class, `want ${Class.name}, got ${err?.name}: ${err?.message}`);
    assert.equal(err.name, Class.name);
    assert.equal(err.$fault, "client");
    assert.equal(err.$metadata.httpStatusCode, 400);
    assert.ok(err.$metadata.requestId, "no request id");
    assert.ok(err.message, "empty message");
    if (typeof messageCheck === "string") assert.equal(err.message, messageCheck);
    else if (messageCheck) assert.match(err.message, messageCheck);
    return true;
  });
}

describe("transport", () => {
  test("the client uses NodeHttp2Handler", () => {
    const handler = kinesis.config.requestHandler;
    assert.ok(handler instanceof NodeHttp2Handler, `requestHandler is ${handler?.constructor?.name}`);
    assert.equal(handler.metadata?.handlerProtocol, "h2");
  });

  test("calls go over h2c: the connection starts with the HTTP/2 preface and the server answers in HTTP/2", async () => {
    // A byte-sniffing TCP proxy on loopback between the SDK and Eddy.
    const target = new URL(ENDPOINT);
    const conns = [];
    const proxy = net.createServer((down) => {
      const c = { up: Buffer.alloc(0), down: Buffer.alloc(0) };
      conns.push(c);
      const up = net.connect(Number(target.port), target.hostname);
      down.on("data", (b) => {
        if (c.up.length < 64) c.up = Buffer.concat([c.up, b]);
      });
      up.on("data", (b) => {
        if (c.down.length < 64) c.down = Buffer.concat([c.down, b]);
      });
      down.pipe(up).pipe(down);
      down.on("error", () => up.destroy());
      up.on("error", () => down.destroy());
    });
    await new Promise((r) => proxy.listen(0, "127.0.0.1", r));
    const viaProxy = newClient(`http://127.0.0.1:${proxy.address().port}`);
    try {
      const name = streamName("h2c");
      await viaProxy.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
      created.add(name);
      const put = await viaProxy.send(new PutRecordCommand({ StreamName: name, PartitionKey: "k", Data: enc("over-h2c") }));
      const sum = await viaProxy.send(new DescribeStreamSummaryCommand({ StreamName: name }));
      assert.equal(sum.StreamDescriptionSummary.StreamName, name);
      await rejects(viaProxy.send(new DescribeStreamCommand({ StreamName: streamName("h2c-missing") })), ResourceNotFoundException);
      const it = (await viaProxy.send(new GetShardIteratorCommand({ StreamName: name, ShardId: put.ShardId, ShardIteratorType: "TRIM_HORIZON" }))).ShardIterator;
      const got = await viaProxy.send(new GetRecordsCommand({ ShardIterator: it }));
      assert.deepEqual(view(got.Records), [["over-h2c", "k", put.SequenceNumber]]);
      await deleteStream(name);
    } finally {
      viaProxy.destroy();
      await new Promise((r) => proxy.close(r));
    }
    assert.ok(conns.length >= 1, "no connection reached the proxy");
    for (const c of conns) {
      assert.equal(c.up.subarray(0, 24).toString("latin1"), H2_PREFACE, "client did not start with the HTTP/2 preface");
      // The server's first frame is SETTINGS (type 0x4) on stream 0.
      assert.ok(c.down.length >= 9, "server sent no HTTP/2 frame");
      assert.equal(c.down[3], 0x4, `server's first frame has type ${c.down[3]}, want SETTINGS`);
      assert.equal(c.down.readUInt32BE(5) & 0x7fffffff, 0);
    }
  });
});

describe("streams", () => {
  test("create, wait for ACTIVE with the waiter, describe", async () => {
    const name = await createStream("create", 3);
    const resp = await kinesis.send(new DescribeStreamCommand({ StreamName: name }));
    assert.equal(resp.$metadata.httpStatusCode, 200);
    assert.ok(resp.$metadata.requestId, "no x-amzn-RequestId");
    const d = resp.StreamDescription;
    assert.equal(d.StreamName, name);
    assert.equal(d.StreamStatus, "ACTIVE");
    assert.equal(d.StreamARN, `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/${name}`);
    assert.equal(d.RetentionPeriodHours, 24);
    assert.equal(d.HasMoreShards, false);
    assert.ok(d.StreamCreationTimestamp instanceof Date);
    assert.ok(Math.abs(d.StreamCreationTimestamp.getTime() - Date.now()) < 60_000, "creation time is off");
    assert.deepEqual(d.Shards.map((s) => s.ShardId), ["shardId-000000000000", "shardId-000000000001", "shardId-000000000002"]);
    assertCoversHashSpace(d.Shards);
    const s = (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }))).StreamDescriptionSummary;
    assert.equal(s.OpenShardCount, 3);
    assert.equal(s.StreamModeDetails?.StreamMode, "PROVISIONED");
  });

  test("errors: ResourceNotFoundException and ResourceInUseException", async () => {
    const missing = streamName("missing");
    await rejects(
      kinesis.send(new DescribeStreamCommand({ StreamName: missing })),
      ResourceNotFoundException,
      `Stream ${missing} under account ${ACCOUNT} not found.`,
    );
    await rejects(kinesis.send(new DescribeStreamSummaryCommand({ StreamName: missing })), ResourceNotFoundException);
    await rejects(kinesis.send(new PutRecordCommand({ StreamName: missing, PartitionKey: "k", Data: enc("x") })), ResourceNotFoundException);
    const name = await createStream("dup");
    await rejects(kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 })), ResourceInUseException, new RegExp(name));
    await deleteStream(name);
  });

  test("delete stream, wait until it is gone, describe fails", async () => {
    const name = await createStream("delete");
    await deleteStream(name);
    const r = await waitUntilStreamNotExists({ client: kinesis, maxWaitTime: 30, minDelay: 1, maxDelay: 2 }, { StreamName: name });
    assert.equal(r.state, "SUCCESS");
    await rejects(
      kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name })),
      ResourceNotFoundException,
      `Stream ${name} under account ${ACCOUNT} not found.`,
    );
  });

  test("list streams with paging (NextToken)", async () => {
    const names = [];
    for (let i = 0; i < 3; i++) names.push(await createStream(`list-${i}`));
    const seen = [];
    let pages = 0;
    for await (const page of paginateListStreams({ client: kinesis, pageSize: 1 }, {})) {
      pages++;
      assert.ok(page.StreamNames.length <= 1, `page of ${page.StreamNames.length}`);
      assert.deepEqual(page.StreamSummaries.map((s) => s.StreamName), page.StreamNames);
      seen.push(...page.StreamNames);
      assert.ok(pages < 100, "ListStreams paging does not end");
    }
    assert.equal(new Set(seen).size, seen.length, `a stream was listed twice: ${seen}`);
    for (const n of names) assert.ok(seen.includes(n), `${n} not listed`);
    // By hand: NextToken continues where the first page ended.
    const first = await kinesis.send(new ListStreamsCommand({ Limit: 1 }));
    assert.equal(first.HasMoreStreams, true);
    assert.ok(first.NextToken, "no NextToken though HasMoreStreams");
    const second = await kinesis.send(new ListStreamsCommand({ Limit: 1, NextToken: first.NextToken }));
    assert.deepEqual([...first.StreamNames, ...second.StreamNames], seen.slice(0, 2));
    const all = await kinesis.send(new ListStreamsCommand({}));
    assert.deepEqual(all.StreamNames, seen);
    assert.equal(all.HasMoreStreams, false);
    assert.equal(all.NextToken, undefined);
    for (const n of names) await deleteStream(n);
  });

  test("list shards with paging (NextToken)", async () => {
    const name = await createStream("shards", 5);
    const want = [0, 1, 2, 3, 4].map((i) => `shardId-${String(i).padStart(12, "0")}`);
    const first = await kinesis.send(new ListShardsCommand({ StreamName: name, MaxResults: 2 }));
    assert.deepEqual(first.Shards.map((s) => s.ShardId), want.slice(0, 2));
    assert.ok(first.NextToken);
    assert.deepEqual((await listShards(name, 2)).map((s) => s.ShardId), want);
    assert.deepEqual((await listShards(name)).map((s) => s.ShardId), want);
    const rest = await kinesis.send(new ListShardsCommand({ StreamName: name, ExclusiveStartShardId: want[2] }));
    assert.deepEqual(rest.Shards.map((s) => s.ShardId), want.slice(3));
    await rejects(
      kinesis.send(new ListShardsCommand({ StreamName: name, NextToken: first.NextToken })),
      InvalidArgumentException,
      "NextToken and StreamName cannot be provided together.",
    );
    await deleteStream(name);
  });

  test("tags: add, list, remove", async () => {
    const name = await createStream("tags");
    await kinesis.send(new AddTagsToStreamCommand({ StreamName: name, Tags: { env: "test", team: "data" } }));
    let r = await kinesis.send(new ListTagsForStreamCommand({ StreamName: name }));
    assert.deepEqual(r.Tags.map((t) => [t.Key, t.Value]).sort(), [["env", "test"], ["team", "data"]]);
    assert.equal(r.HasMoreTags, false);
    await kinesis.send(new RemoveTagsFromStreamCommand({ StreamName: name, TagKeys: ["env"] }));
    r = await kinesis.send(new ListTagsForStreamCommand({ StreamName: name }));
    assert.deepEqual(r.Tags, [{ Key: "team", Value: "data" }]);
    await deleteStream(name);
  });

  test("retention: increase, decrease, and out-of-range values", async () => {
    const name = await createStream("retention");
    const hours = async () =>
      (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }))).StreamDescriptionSummary.RetentionPeriodHours;
    await kinesis.send(new IncreaseStreamRetentionPeriodCommand({ StreamName: name, RetentionPeriodHours: 72 }));
    await waitActive(name);
    assert.equal(await hours(), 72);
    await kinesis.send(new DecreaseStreamRetentionPeriodCommand({ StreamName: name, RetentionPeriodHours: 30 }));
    await waitActive(name);
    assert.equal(await hours(), 30);
    await rejects(
      kinesis.send(new DecreaseStreamRetentionPeriodCommand({ StreamName: name, RetentionPeriodHours: 40 })),
      InvalidArgumentException,
    );
    await rejects(
      kinesis.send(new IncreaseStreamRetentionPeriodCommand({ StreamName: name, RetentionPeriodHours: 9000 })),
      InvalidArgumentException,
    );
    assert.equal(await hours(), 30);
    await deleteStream(name);
  });
});

describe("records", () => {
  test("PutRecord, PutRecords and GetRecords with every iterator type", async () => {
    const name = await createStream("iter");
    const shard = "shardId-000000000000";
    const put = [];
    for (let i = 0; i < 2; i++) {
      const r = await kinesis.send(new PutRecordCommand({ StreamName: name, PartitionKey: `pk-${i}`, Data: enc(`record-${i}`) }));
      assert.equal(r.ShardId, shard);
      assert.match(r.SequenceNumber, /^\d+$/);
      put.push([`record-${i}`, `pk-${i}`, r.SequenceNumber]);
    }
    const entries = [2, 3, 4].map((i) => ({ Data: enc(`record-${i}`), PartitionKey: `pk-${i}` }));
    const pr = await kinesis.send(new PutRecordsCommand({ StreamName: name, Records: entries }));
    assert.equal(pr.FailedRecordCount, 0);
    assert.equal(pr.Records.length, 3);
    pr.Records.forEach((r, j) => {
      assert.equal(r.ErrorCode, undefined);
      assert.equal(r.ShardId, shard);
      put.push([`record-${j + 2}`, `pk-${j + 2}`, r.SequenceNumber]);
    });
    const seqs = put.map((p) => BigInt(p[2]));
    for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i] > seqs[i - 1], "sequence numbers not increasing");

    let r = await read(await iterator(name, shard, "TRIM_HORIZON"), 5);
    assert.deepEqual(view(r.records), put);
    for (const rec of r.records) assert.ok(rec.ApproximateArrivalTimestamp instanceof Date);

    r = await read(await iterator(name, shard, "AT_SEQUENCE_NUMBER", { StartingSequenceNumber: put[1][2] }), 4);
    assert.deepEqual(view(r.records), put.slice(1));

    r = await read(await iterator(name, shard, "AFTER_SEQUENCE_NUMBER", { StartingSequenceNumber: put[1][2] }), 3);
    assert.deepEqual(view(r.records), put.slice(2));

    // LATEST: nothing now; then exactly what is put afterwards.
    const empty = await kinesis.send(new GetRecordsCommand({ ShardIterator: await iterator(name, shard, "LATEST") }));
    assert.deepEqual(empty.Records, []);
    assert.equal(empty.MillisBehindLatest, 0);
    const late = await kinesis.send(new PutRecordCommand({ StreamName: name, PartitionKey: "late", Data: enc("after-latest") }));
    r = await read(empty.NextShardIterator, 1);
    assert.deepEqual(view(r.records), [["after-latest", "late", late.SequenceNumber]]);

    // AT_TIMESTAMP: this SDK sends milliseconds, so a short gap separates before and after.
    await sleep(50);
    const at = new Date();
    await sleep(50);
    const ts = await kinesis.send(new PutRecordCommand({ StreamName: name, PartitionKey: "ts", Data: Uint8Array.of(0, 0xff, 0x80) }));
    r = await read(await iterator(name, shard, "AT_TIMESTAMP", { Timestamp: at }), 1);
    assert.equal(r.records.length, 1, `AT_TIMESTAMP returned ${r.records.length} records`);
    assert.deepEqual([...r.records[0].Data], [0, 0xff, 0x80]);
    assert.equal(r.records[0].SequenceNumber, ts.SequenceNumber);
    assert.ok(r.records[0].ApproximateArrivalTimestamp.getTime() >= at.getTime() - 1);
    // A timestamp before the stream existed starts at the trim horizon.
    r = await read(await iterator(name, shard, "AT_TIMESTAMP", { Timestamp: new Date(Date.now() - 3600_000) }), 7);
    assert.equal(r.records.length, 7);
    // Limit.
    const lim = await kinesis.send(new GetRecordsCommand({ ShardIterator: await iterator(name, shard, "TRIM_HORIZON"), Limit: 2 }));
    assert.deepEqual(view(lim.Records), put.slice(0, 2));
    await deleteStream(name);
  });

  test("iterator errors", async () => {
    const name = await createStream("iter-err", 2);
    const r = await kinesis.send(new PutRecordCommand({ StreamName: name, PartitionKey: "k", Data: enc("x"), ExplicitHashKey: "0" }));
    assert.equal(r.ShardId, "shardId-000000000000");
    await rejects(iterator(name, "shardId-000000000009", "TRIM_HORIZON"), ResourceNotFoundException, /shardId-000000000009/);
    await rejects(
      iterator(name, "shardId-000000000001", "AT_SEQUENCE_NUMBER", { StartingSequenceNumber: r.SequenceNumber }),
      InvalidArgumentException,
    );
    await rejects(iterator(name, "shardId-000000000000", "AFTER_SEQUENCE_NUMBER"), InvalidArgumentException);
    const good = await iterator(name, "shardId-000000000000", "TRIM_HORIZON");
    const forged = good.slice(0, -4) + (good.endsWith("AAAA") ? "BBBB" : "AAAA");
    await rejects(kinesis.send(new GetRecordsCommand({ ShardIterator: forged })), InvalidArgumentException);
    await deleteStream(name);
  });
});

describe("more", () => {
  test("operations addressed by StreamARN", async () => {
    const name = await createStream("arn");
    const arn = `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/${name}`;
    const sum = (await kinesis.send(new DescribeStreamSummaryCommand({ StreamARN: arn }))).StreamDescriptionSummary;
    assert.equal(sum.StreamName, name);
    const put = await kinesis.send(new PutRecordsCommand({ StreamARN: arn, Records: [{ PartitionKey: "k", Data: enc("by-arn") }] }));
    assert.equal(put.FailedRecordCount, 0);
    const it = await kinesis.send(
      new GetShardIteratorCommand({ StreamARN: arn, ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" }),
    );
    const got = await kinesis.send(new GetRecordsCommand({ StreamARN: arn, ShardIterator: it.ShardIterator }));
    assert.deepEqual(view(got.Records), [["by-arn", "k", put.Records[0].SequenceNumber]]);
    const shards = await kinesis.send(new ListShardsCommand({ StreamARN: arn }));
    assert.equal(shards.Shards.length, 1);
    await kinesis.send(new AddTagsToStreamCommand({ StreamARN: arn, Tags: { via: "arn" } }));
    const tags = await kinesis.send(new ListTagsForStreamCommand({ StreamARN: arn }));
    assert.deepEqual(tags.Tags, [{ Key: "via", Value: "arn" }]);
    await rejects(
      kinesis.send(new DescribeStreamSummaryCommand({ StreamARN: `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/${streamName("arn-missing")}` })),
      ResourceNotFoundException,
    );
    await kinesis.send(new DeleteStreamCommand({ StreamARN: arn }));
    created.delete(name);
  });

  test("1 MiB records over HTTP/2: four in one PutRecords, read back with GetRecords", async () => {
    const name = await createStream("big");
    const MiB = 1 << 20;
    const blobs = [0, 1, 2, 3].map((i) => {
      const b = new Uint8Array(MiB - 1); // data + the 1-byte partition key = 1 MiB
      for (let j = 0; j < b.length; j += 4096) b[j] = (i * 31 + j / 4096) & 0xff;
      b[b.length - 1] = i;
      return b;
    });
    const put = await kinesis.send(
      new PutRecordsCommand({ StreamName: name, Records: blobs.map((Data, i) => ({ Data, PartitionKey: String(i) })) }),
    );
    assert.equal(put.FailedRecordCount, 0, JSON.stringify(put.Records.filter((r) => r.ErrorCode)));
    const { records } = await read(await iterator(name, "shardId-000000000000", "TRIM_HORIZON"), 4);
    assert.equal(records.length, 4);
    records.forEach((r, i) => {
      assert.equal(r.PartitionKey, String(i));
      assert.equal(r.Data.length, blobs[i].length);
      assert.ok(Buffer.from(r.Data).equals(Buffer.from(blobs[i])), `record ${i} differs`);
    });
    // One byte over 1 MiB is rejected.
    await assert.rejects(
      kinesis.send(new PutRecordCommand({ StreamName: name, PartitionKey: "k", Data: new Uint8Array(MiB + 1) })),
      (err) => {
        assert.ok(err instanceof ValidationException || err instanceof InvalidArgumentException, `${err.name}: ${err.message}`);
        assert.equal(err.$metadata.httpStatusCode, 400);
        return true;
      },
    );
    await deleteStream(name);
  });

  test("a stream name that breaks the naming rules is a ValidationException", async () => {
    await rejects(
      kinesis.send(new CreateStreamCommand({ StreamName: "bad name!", ShardCount: 1 })),
      ValidationException,
      /failed to satisfy constraint/,
    );
  });
});

describe("regions", () => {
  test("a client's region is its own namespace: same name, other stream; a foreign ARN is not found", async () => {
    const OTHER = "eu-central-1";
    const other = newClient(ENDPOINT, OTHER);
    clients.push(other);
    const name = await createStream("regions");
    await other.send(new CreateStreamCommand({ StreamName: name, ShardCount: 2 }));
    try {
      const w = await waitUntilStreamExists({ client: other, maxWaitTime: 30, minDelay: 1, maxDelay: 2 }, { StreamName: name });
      assert.equal(w.state, "SUCCESS");
      for (const [c, region, shards] of [[kinesis, REGION, 1], [other, OTHER, 2]]) {
        const s = (await c.send(new DescribeStreamSummaryCommand({ StreamName: name }))).StreamDescriptionSummary;
        assert.equal(s.OpenShardCount, shards, region);
        assert.equal(s.StreamARN, `arn:aws:kinesis:${region}:${ACCOUNT}:stream/${name}`);
      }
      await other.send(new PutRecordCommand({ StreamName: name, PartitionKey: "k", Data: enc("frankfurt"), ExplicitHashKey: "0" }));
      const it = await iterator(name, "shardId-000000000000", "TRIM_HORIZON");
      assert.deepEqual((await kinesis.send(new GetRecordsCommand({ ShardIterator: it }))).Records, []);
      const oit = await other.send(
        new GetShardIteratorCommand({ StreamName: name, ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" }),
      );
      const got = await other.send(new GetRecordsCommand({ ShardIterator: oit.ShardIterator }));
      assert.deepEqual(got.Records.map((r) => dec(r.Data)), ["frankfurt"]);
      const listed = (await other.send(new ListStreamsCommand({}))).StreamNames.filter((n) => n.startsWith(`js-${RUN_ID}-`));
      assert.deepEqual(listed, [name]);
      await rejects(
        other.send(new DescribeStreamSummaryCommand({ StreamARN: `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/${name}` })),
        ResourceNotFoundException,
        `Stream ${name} under account ${ACCOUNT} not found.`,
      );
    } finally {
      await other.send(new DeleteStreamCommand({ StreamName: name }));
    }
    await deleteStream(name);
  });
});

describe("resharding", () => {
  test("split shard, merge shards, update shard count", async () => {
    const name = await createStream("reshard");
    const parent = "shardId-000000000000";
    const before = await kinesis.send(new PutRecordCommand({ StreamName: name, PartitionKey: "k", Data: enc("before-split") }));
    await kinesis.send(new SplitShardCommand({ StreamName: name, ShardToSplit: parent, NewStartingHashKey: MID_HASH.toString() }));
    await waitActive(name);
    let shards = await listShards(name);
    assert.equal(shards.length, 3);
    assert.ok(!isOpen(shards.find((s) => s.ShardId === parent)), "parent still open after split");
    const children = shards.filter((s) => s.ParentShardId === parent).sort((a, b) => (BigInt(a.HashKeyRange.StartingHashKey) < BigInt(b.HashKeyRange.StartingHashKey) ? -1 : 1));
    assert.deepEqual(
      children.map((c) => [c.HashKeyRange.StartingHashKey, c.HashKeyRange.EndingHashKey]),
      [["0", (MID_HASH - 1n).toString()], [MID_HASH.toString(), MAX_HASH.toString()]],
    );

    // The closed parent serves its record, then ends with ChildShards.
    const r = await read(await iterator(name, parent, "TRIM_HORIZON"), 2);
    assert.deepEqual(r.records.map((x) => x.SequenceNumber), [before.SequenceNumber]);
    assert.equal(r.next, undefined, "a closed shard's iterator should end");
    assert.deepEqual(r.last.ChildShards?.map((c) => c.ShardId).sort(), children.map((c) => c.ShardId).sort());

    const after = await kinesis.send(
      new PutRecordCommand({ StreamName: name, PartitionKey: "k", Data: enc("after-split"), ExplicitHashKey: MAX_HASH.toString() }),
    );
    assert.equal(after.ShardId, children[1].ShardId);

    await kinesis.send(new MergeShardsCommand({ StreamName: name, ShardToMerge: children[0].ShardId, AdjacentShardToMerge: children[1].ShardId }));
    await waitActive(name);
    shards = await listShards(name);
    const open = shards.filter(isOpen);
    assert.equal(open.length, 1);
    assert.equal(open[0].ParentShardId, children[0].ShardId);
    assert.equal(open[0].AdjacentParentShardId, children[1].ShardId);
    assertCoversHashSpace(open);

    const u = await kinesis.send(new UpdateShardCountCommand({ StreamName: name, TargetShardCount: 2, ScalingType: "UNIFORM_SCALING" }));
    assert.equal(u.CurrentShardCount, 1);
    assert.equal(u.TargetShardCount, 2);
    assert.equal(u.StreamName, name);
    await waitActive(name);
    const open2 = (await listShards(name, 1)).filter(isOpen);
    assert.equal(open2.length, 2);
    assertCoversHashSpace(open2);
    const s = (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }))).StreamDescriptionSummary;
    assert.equal(s.OpenShardCount, 2);
    await deleteStream(name);
  });
});

// ---- enhanced fan-out ---------------------------------------------------------

const SHARD0 = "shardId-000000000000";

// deferred: a promise and its resolve, to order the steps of concurrent work.
function deferred() {
  let resolve;
  const promise = new Promise((r) => (resolve = r));
  return { promise, resolve };
}

// within: p, or a rejection after ms.
async function within(p, ms, what) {
  let timer;
  try {
    return await Promise.race([
      p,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: still waiting after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function streamARN(name) {
  return (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }))).StreamDescriptionSummary.StreamARN;
}

// waitConsumer: polls DescribeStreamConsumer until the status is want, or
// for want null until it answers ResourceNotFoundException.
async function waitConsumer(consumerARN, want, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let d;
    try {
      d = (await kinesis.send(new DescribeStreamConsumerCommand({ ConsumerARN: consumerARN }))).ConsumerDescription;
    } catch (err) {
      if (want === null && err instanceof ResourceNotFoundException) return err;
      throw err;
    }
    if (d.ConsumerStatus === want) return d;
    assert.ok(["CREATING", "ACTIVE", "DELETING"].includes(d.ConsumerStatus), d.ConsumerStatus);
    assert.ok(Date.now() < deadline, `consumer not ${want} after ${timeoutMs} ms: ${JSON.stringify(d)}`);
    await sleep(100);
  }
}

// register: RegisterStreamConsumer, then wait until ACTIVE; returns the consumer ARN.
async function register(arn, consumerName) {
  const c = (await kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: arn, ConsumerName: consumerName }))).Consumer;
  assert.equal(c.ConsumerName, consumerName);
  assert.ok(c.ConsumerARN.startsWith(`${arn}/consumer/${consumerName}:`), c.ConsumerARN);
  assert.ok(["CREATING", "ACTIVE"].includes(c.ConsumerStatus), c.ConsumerStatus);
  assert.ok(c.ConsumerCreationTimestamp instanceof Date);
  await waitConsumer(c.ConsumerARN, "ACTIVE");
  return c.ConsumerARN;
}

const subscriptions = new Set();
after(() => {
  for (const s of subscriptions) s.close();
});

// subscribe: SubscribeToShard. Returns {events, close}: events(totalMs) yields
// the SubscribeToShardEvents until the stream ends, failing when one takes
// longer than timeoutMs (a heartbeat comes every 5 s) or when the stream
// still goes on after totalMs (default 10 s); close aborts the request,
// which resets the HTTP/2 stream (leaving the for-await loop does not end
// the SDK's request). retryInUseMs: how long to retry ResourceInUseException
// (the server may take a moment to see a closed subscription go).
async function subscribe(consumerARN, shardId, type, seq, { retryInUseMs = 0, timeoutMs = 8_000 } = {}) {
  const StartingPosition = seq === undefined ? { Type: type } : { Type: type, SequenceNumber: seq };
  const deadline = Date.now() + retryInUseMs;
  for (;;) {
    const ac = new AbortController();
    let r;
    try {
      r = await within(
        kinesis.send(new SubscribeToShardCommand({ ConsumerARN: consumerARN, ShardId: shardId, StartingPosition }), { abortSignal: ac.signal }),
        10_000,
        "SubscribeToShard",
      );
    } catch (err) {
      ac.abort();
      if (err instanceof ResourceInUseException && Date.now() < deadline) {
        await sleep(50);
        continue;
      }
      throw err;
    }
    assert.equal(r.$metadata.httpStatusCode, 200);
    assert.ok(r.$metadata.requestId, "no request id");
    const sub = {
      close() {
        ac.abort();
        subscriptions.delete(sub);
      },
      async *events(totalMs = 10_000) {
        const it = r.EventStream[Symbol.asyncIterator]();
        const end = Date.now() + totalMs;
        for (;;) {
          const ms = Math.min(timeoutMs, end - Date.now());
          assert.ok(ms > 0, `event stream of ${shardId}: still going after ${totalMs} ms`);
          const n = await within(it.next(), ms, `event stream of ${shardId} (${totalMs} ms in all)`);
          if (n.done) return;
          assert.deepEqual(Object.keys(n.value), ["SubscribeToShardEvent"], JSON.stringify(n.value));
          const e = n.value.SubscribeToShardEvent;
          assert.ok(Array.isArray(e.Records), JSON.stringify(e));
          assert.equal(typeof e.MillisBehindLatest, "number", JSON.stringify(e));
          assert.ok(e.MillisBehindLatest >= 0);
          for (const rec of e.Records) {
            assert.ok(rec.Data instanceof Uint8Array);
            assert.ok(rec.ApproximateArrivalTimestamp instanceof Date);
          }
          yield e;
        }
      },
    };
    subscriptions.add(sub);
    return sub;
  }
}

// receive: records from the iterator of events until want arrived; returns
// {records, last}. Every event with records continues after its last record.
async function receive(events, want) {
  const records = [];
  let last;
  while (records.length < want) {
    const n = await events.next();
    if (n.done) break;
    last = n.value;
    records.push(...last.Records);
    if (last.ChildShards === undefined) assert.ok(last.ContinuationSequenceNumber, `no ContinuationSequenceNumber: ${JSON.stringify(last)}`);
    if (last.Records.length > 0) assert.equal(last.ContinuationSequenceNumber, last.Records.at(-1).SequenceNumber);
  }
  assert.ok(records.length >= want, `event stream ended after ${records.length} of ${want} records`);
  return { records, last };
}

describe("enhanced fan-out", () => {
  test("consumers: register, describe, list, deregister", async () => {
    const name = await createStream("efo-consumers");
    const arn = await streamARN(name);
    const one = await register(arn, "one");
    const d = (await kinesis.send(new DescribeStreamConsumerCommand({ ConsumerARN: one }))).ConsumerDescription;
    assert.equal(d.ConsumerName, "one");
    assert.equal(d.ConsumerARN, one);
    assert.equal(d.StreamARN, arn);
    assert.equal(d.ConsumerStatus, "ACTIVE");
    assert.ok(d.ConsumerCreationTimestamp instanceof Date);
    assert.ok(Math.abs(d.ConsumerCreationTimestamp.getTime() - Date.now()) < 60_000, "creation time is off");
    const byName = await kinesis.send(new DescribeStreamConsumerCommand({ StreamARN: arn, ConsumerName: "one" }));
    assert.equal(byName.ConsumerDescription.ConsumerARN, one);
    const two = await register(arn, "two");
    await rejects(kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: arn, ConsumerName: "two" })), ResourceInUseException);

    const listed = [];
    let pages = 0;
    for await (const page of paginateListStreamConsumers({ client: kinesis, pageSize: 1 }, { StreamARN: arn })) {
      pages++;
      assert.ok(page.Consumers.length <= 1, `page of ${page.Consumers.length}`);
      listed.push(...page.Consumers);
      assert.ok(pages < 10, "ListStreamConsumers paging does not end");
    }
    assert.ok(pages >= 2, `${pages} pages`);
    assert.deepEqual(
      listed.map((c) => [c.ConsumerName, c.ConsumerARN, c.ConsumerStatus]).sort(),
      [["one", one, "ACTIVE"], ["two", two, "ACTIVE"]],
    );

    // Deregistering ends the consumer's subscriptions.
    const sub = await subscribe(one, SHARD0, "LATEST");
    const events = sub.events();
    assert.equal((await events.next()).done, false);
    await kinesis.send(new DeregisterStreamConsumerCommand({ ConsumerARN: one }));
    const rest = [];
    for await (const e of events) rest.push(e);
    assert.deepEqual(rest.flatMap((e) => e.Records), [], "records after deregistration");
    sub.close();
    await waitConsumer(one, null);
    await rejects(kinesis.send(new DescribeStreamConsumerCommand({ ConsumerARN: one })), ResourceNotFoundException);
    await rejects(
      kinesis.send(new SubscribeToShardCommand({ ConsumerARN: one, ShardId: SHARD0, StartingPosition: { Type: "LATEST" } })),
      ResourceNotFoundException,
    );
    await kinesis.send(new DeregisterStreamConsumerCommand({ StreamARN: arn, ConsumerName: "two" }));
    await waitConsumer(two, null);
    await rejects(kinesis.send(new DescribeStreamConsumerCommand({ StreamARN: arn, ConsumerName: "two" })), ResourceNotFoundException);
    assert.deepEqual((await kinesis.send(new ListStreamConsumersCommand({ StreamARN: arn }))).Consumers, []);
    await deleteStream(name, { EnforceConsumerDeletion: true });
  });

  test("SubscribeToShard delivers records put after subscribing; resuming from the continuation loses and repeats none", async () => {
    const name = await createStream("efo-sub");
    const consumer = await register(await streamARN(name), "reader");
    const closed = deferred();
    const writtenB = deferred();
    const resubscribed = deferred();
    const put = [];
    const putOne = async (i) => {
      const [data, key] = [`rec-${i}`, `pk-${i % 3}`];
      const r = await kinesis.send(new PutRecordCommand({ StreamName: name, PartitionKey: key, Data: enc(data) }));
      put.push([data, key, r.SequenceNumber]);
    };
    const putBatch = async (lo, hi) => {
      const entries = [];
      for (let i = lo; i < hi; i++) entries.push({ Data: enc(`batch-${i}`), PartitionKey: `bk-${i}` });
      const r = await kinesis.send(new PutRecordsCommand({ StreamName: name, Records: entries }));
      assert.equal(r.FailedRecordCount, 0);
      r.Records.forEach((x, j) => put.push([dec(entries[j].Data), entries[j].PartitionKey, x.SequenceNumber]));
    };
    // 8 records now, 6 while nobody is subscribed, 6 after resubscribing.
    const writer = async () => {
      for (let i = 0; i < 5; i++) await putOne(i);
      await putBatch(5, 8);
      await within(closed.promise, 10_000, "first subscription closed");
      await putBatch(8, 11);
      for (let i = 11; i < 14; i++) await putOne(i);
      writtenB.resolve();
      await within(resubscribed.promise, 10_000, "resubscribed");
      for (let i = 14; i < 17; i++) await putOne(i);
      await putBatch(17, 20);
    };

    let sub = await subscribe(consumer, SHARD0, "LATEST");
    const writing = writer(); // concurrently, from now on
    writing.catch(() => {}); // awaited below
    let first, rest, last;
    try {
      ({ records: first, last } = await receive(sub.events(), 8));
      const cont = last.ContinuationSequenceNumber;
      assert.equal(cont, first.at(-1).SequenceNumber);
      sub.close();
      closed.resolve();
      await within(writtenB.promise, 10_000, "writer");
      sub = await subscribe(consumer, SHARD0, "AFTER_SEQUENCE_NUMBER", cont, { retryInUseMs: 3_000 });
      resubscribed.resolve();
      ({ records: rest, last } = await receive(sub.events(), 12));
    } finally {
      closed.resolve();
      resubscribed.resolve();
      sub.close();
    }
    await within(writing, 10_000, "writer");
    assert.equal(put.length, 20);
    assert.deepEqual(view(first), put.slice(0, 8));
    assert.deepEqual(view(rest), put.slice(8), "records lost or duplicated across the resubscription");
    assert.equal(last.ContinuationSequenceNumber, put.at(-1)[2]);
    assert.equal(last.MillisBehindLatest, 0);

    // From the start of the shard, and from a sequence number on.
    sub = await subscribe(consumer, SHARD0, "TRIM_HORIZON", undefined, { retryInUseMs: 3_000 });
    const all = await receive(sub.events(), 20);
    sub.close();
    assert.deepEqual(view(all.records), put);
    sub = await subscribe(consumer, SHARD0, "AT_SEQUENCE_NUMBER", put[15][2], { retryInUseMs: 3_000 });
    const tail = await receive(sub.events(), 5);
    sub.close();
    assert.deepEqual(view(tail.records), put.slice(15));
    await deleteStream(name, { EnforceConsumerDeletion: true });
  });

  test("a second subscription for the same consumer and shard is a ResourceInUseException", async () => {
    const name = await createStream("efo-busy", 2);
    const arn = await streamARN(name);
    const consumer = await register(arn, "busy");
    const other = await register(arn, "other");
    const sub = await subscribe(consumer, SHARD0, "LATEST");
    const events = sub.events();
    assert.equal((await events.next()).done, false);
    await rejects(
      kinesis.send(new SubscribeToShardCommand({ ConsumerARN: consumer, ShardId: SHARD0, StartingPosition: { Type: "TRIM_HORIZON" } })),
      ResourceInUseException,
    );
    // Another shard, or another consumer: no conflict.
    for (const [c, shard] of [[consumer, "shardId-000000000001"], [other, SHARD0]]) {
      const s = await subscribe(c, shard, "LATEST");
      assert.equal((await s.events().next()).done, false);
      s.close();
    }
    // The first subscription still delivers.
    const p = await kinesis.send(new PutRecordCommand({ StreamName: name, PartitionKey: "k", Data: enc("still-here"), ExplicitHashKey: "0" }));
    const { records } = await receive(events, 1);
    sub.close();
    assert.deepEqual(view(records), [["still-here", "k", p.SequenceNumber]]);
    await deleteStream(name, { EnforceConsumerDeletion: true });
  });

  test("an idle subscription gets a heartbeat event after 5 s", async () => {
    const name = await createStream("efo-idle");
    const consumer = await register(await streamARN(name), "idle");
    const p = await kinesis.send(new PutRecordCommand({ StreamName: name, PartitionKey: "k", Data: enc("only") }));
    const sub = await subscribe(consumer, SHARD0, "AFTER_SEQUENCE_NUMBER", p.SequenceNumber);
    const events = sub.events();
    try {
      const first = await events.next();
      assert.equal(first.done, false);
      assert.deepEqual(first.value.Records, []);
      assert.equal(first.value.ContinuationSequenceNumber, p.SequenceNumber);
      const t0 = Date.now();
      const beat = await events.next(); // fails after 8 s
      const waited = Date.now() - t0;
      assert.equal(beat.done, false);
      assert.ok(waited >= 4_000 && waited <= 7_000, `heartbeat after ${waited} ms, want about 5000`);
      assert.deepEqual(beat.value.Records, []);
      assert.equal(beat.value.ContinuationSequenceNumber, p.SequenceNumber);
      assert.equal(beat.value.MillisBehindLatest, 0);
    } finally {
      sub.close();
    }
    await deleteStream(name, { EnforceConsumerDeletion: true });
  });

  test("splitting the shard ends its subscription with ChildShards", async () => {
    const name = await createStream("efo-split");
    const consumer = await register(await streamARN(name), "splitter");
    const before = await kinesis.send(new PutRecordCommand({ StreamName: name, PartitionKey: "k", Data: enc("before-split") }));
    let sub = await subscribe(consumer, SHARD0, "TRIM_HORIZON");
    const events = sub.events();
    const { records } = await receive(events, 1);
    assert.deepEqual(view(records), [["before-split", "k", before.SequenceNumber]]);
    await kinesis.send(new SplitShardCommand({ StreamName: name, ShardToSplit: SHARD0, NewStartingHashKey: MID_HASH.toString() }));
    const rest = [];
    for await (const e of events) rest.push(e);
    sub.close();
    assert.ok(rest.length > 0, "the subscription ended without a last event");
    assert.deepEqual(rest.flatMap((e) => e.Records), []);
    const end = rest.at(-1);
    assert.ok(end.ChildShards, `the last event has no ChildShards: ${JSON.stringify(rest)}`);
    for (const e of rest.slice(0, -1)) assert.equal(e.ChildShards, undefined);
    const children = [...end.ChildShards].sort((a, b) => (BigInt(a.HashKeyRange.StartingHashKey) < BigInt(b.HashKeyRange.StartingHashKey) ? -1 : 1));
    assert.equal(children.length, 2);
    for (const c of children) assert.deepEqual(c.ParentShards, [SHARD0]);
    assert.deepEqual(
      children.map((c) => [c.HashKeyRange.StartingHashKey, c.HashKeyRange.EndingHashKey]),
      [["0", (MID_HASH - 1n).toString()], [MID_HASH.toString(), MAX_HASH.toString()]],
    );
    await waitActive(name);
    assert.deepEqual((await listShards(name)).filter(isOpen).map((s) => s.ShardId).sort(), children.map((c) => c.ShardId).sort());
    // A child shard serves new records to a subscription.
    sub = await subscribe(consumer, children[1].ShardId, "TRIM_HORIZON");
    const p = await kinesis.send(
      new PutRecordCommand({ StreamName: name, PartitionKey: "k", Data: enc("after-split"), ExplicitHashKey: MAX_HASH.toString() }),
    );
    const got = await receive(sub.events(), 1);
    sub.close();
    assert.deepEqual(view(got.records), [["after-split", "k", p.SequenceNumber]]);
    await deleteStream(name, { EnforceConsumerDeletion: true });
  });
});
