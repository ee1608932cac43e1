// Interop tests: the AWS SDK for JavaScript v3's DynamoDB client
// (@aws-sdk/client-dynamodb) and its DocumentClient (@aws-sdk/lib-dynamodb)
// against a running Eddy server, over HTTP/1.1 (the DynamoDB client's
// default handler) and one test over h2c.
//
//   cd interop/js && npm ci && EDDY_ENDPOINT=http://127.0.0.1:PORT node --test dynamodb.test.mjs
//
// Every test creates its own table (names start with "js-ddb-") and the
// suite deletes them at the end.

import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ResourceNotFoundException,
  TransactionCanceledException,
  UpdateItemCommand,
  paginateListTables,
  paginateScan,
  waitUntilTableExists,
} from "@aws-sdk/client-dynamodb";
import {
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  paginateQuery,
} from "@aws-sdk/lib-dynamodb";
import { NodeHttp2Handler } from "@smithy/node-http-handler";

const ENDPOINT = process.env.EDDY_ENDPOINT;
if (!ENDPOINT) throw new Error("EDDY_ENDPOINT is not set (e.g. http://127.0.0.1:4567)");
const RUN_ID = randomBytes(4).toString("hex");

function newClient(extra = {}) {
  return new DynamoDBClient({
    endpoint: ENDPOINT,
    region: "us-east-1",
    credentials: { accessKeyId: "AKIDINTEROPJS", secretAccessKey: "interop-secret" },
    maxAttempts: 1,
    ...extra,
  });
}

const ddb = newClient();
const doc = DynamoDBDocumentClient.from(ddb, { marshallOptions: { removeUndefinedValues: true } });
const clients = [ddb];
const created = [];

after(async () => {
  for (const name of created) {
    try {
      await ddb.send(new DeleteTableCommand({ TableName: name }));
    } catch {
      // already gone
    }
  }
  for (const c of clients) c.destroy();
});

// createTable makes js-ddb-RUN-SUFFIX keyed by pk (S) and, with rangeType, sk.
async function createTable(suffix, rangeType, extra = {}) {
  const name = `js-ddb-${RUN_ID}-${suffix}`;
  const AttributeDefinitions = [{ AttributeName: "pk", AttributeType: "S" }, ...(extra.attrs ?? [])];
  const KeySchema = [{ AttributeName: "pk", KeyType: "HASH" }];
  if (rangeType) {
    AttributeDefinitions.push({ AttributeName: "sk", AttributeType: rangeType });
    KeySchema.push({ AttributeName: "sk", KeyType: "RANGE" });
  }
  await ddb.send(new CreateTableCommand({ TableName: name, AttributeDefinitions, KeySchema, BillingMode: "PAY_PER_REQUEST", ...(extra.table ?? {}) }));
  created.push(name);
  await waitUntilTableExists({ client: ddb, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { TableName: name });
  return name;
}

describe("DynamoDBClient", () => {
  test("create, describe, list tables", async () => {
    const name = await createTable("desc", "N");
    const d = (await ddb.send(new DescribeTableCommand({ TableName: name }))).Table;
    assert.equal(d.TableStatus, "ACTIVE");
    assert.deepEqual(d.KeySchema, [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }]);
    const names = [];
    for await (const page of paginateListTables({ client: ddb, pageSize: 2 }, {})) names.push(...page.TableNames);
    assert.ok(names.includes(name), `${name} not in ${names}`);
    await assert.rejects(ddb.send(new DescribeTableCommand({ TableName: `${name}-missing` })), ResourceNotFoundException);
  });

  test("conditional put and update, typed errors", async () => {
    const name = await createTable("cond");
    const Item = { pk: { S: "k" }, n: { N: "1" }, b: { B: new Uint8Array([0, 1, 255]) } };
    await ddb.send(new PutItemCommand({ TableName: name, Item, ConditionExpression: "attribute_not_exists(pk)" }));
    await assert.rejects(
      ddb.send(new PutItemCommand({ TableName: name, Item, ConditionExpression: "attribute_not_exists(pk)" })),
      (err) => err instanceof ConditionalCheckFailedException && err.message === "The conditional request failed",
    );
    const out = await ddb.send(new UpdateItemCommand({
      TableName: name, Key: { pk: { S: "k" } }, UpdateExpression: "SET n = n + :one", ConditionExpression: "n = :one",
      ExpressionAttributeValues: { ":one": { N: "1" } }, ReturnValues: "UPDATED_NEW",
    }));
    assert.deepEqual(out.Attributes, { n: { N: "2" } });
    const got = await ddb.send(new GetItemCommand({ TableName: name, Key: { pk: { S: "k" } }, ConsistentRead: true }));
    assert.deepEqual(got.Item.b, { B: new Uint8Array([0, 1, 255]) });
  });

  test("scan paginator", async () => {
    const name = await createTable("scan", "N");
    const items = Array.from({ length: 25 }, (_, i) => ({ PutRequest: { Item: { pk: `p${i % 4}`, sk: i } } }));
    await doc.send(new BatchWriteCommand({ RequestItems: { [name]: items } }));
    const seen = [];
    for await (const page of paginateScan({ client: ddb, pageSize: 6 }, { TableName: name })) {
      seen.push(...page.Items.map((i) => Number(i.sk.N)));
    }
    assert.deepEqual(seen.sort((a, b) => a - b), Array.from({ length: 25 }, (_, i) => i));
  });

  test("over h2c", async () => {
    const h2 = newClient({ requestHandler: new NodeHttp2Handler({ requestTimeout: 30_000, sessionTimeout: 60_000 }) });
    clients.push(h2);
    const name = await createTable("h2");
    await h2.send(new PutItemCommand({ TableName: name, Item: { pk: { S: "h2" } } }));
    const got = await h2.send(new GetItemCommand({ TableName: name, Key: { pk: { S: "h2" } } }));
    assert.deepEqual(got.Item, { pk: { S: "h2" } });
  });
});

describe("DynamoDBDocumentClient", () => {
  test("put, get, update with native values", async () => {
    const name = await createTable("doc");
    const item = { pk: "doc", n: 42, s: "text", t: true, z: null, l: [1, "two", { three: 3 }], m: { a: { b: "c" } }, ss: new Set(["x", "y"]) };
    await doc.send(new PutCommand({ TableName: name, Item: item }));
    assert.deepEqual((await doc.send(new GetCommand({ TableName: name, Key: { pk: "doc" } }))).Item, item);
    const out = await doc.send(new UpdateCommand({
      TableName: name, Key: { pk: "doc" },
      UpdateExpression: "SET #m.#a.#b = :v, l[2].three = l[2].three + :one, #c = if_not_exists(#c, :zero) + :one REMOVE z",
      ConditionExpression: "attribute_exists(#m.#a) AND size(l) = :three",
      ExpressionAttributeNames: { "#m": "m", "#a": "a", "#b": "b", "#c": "counter" }, // counter is a reserved word
      ExpressionAttributeValues: { ":v": "d", ":one": 1, ":zero": 0, ":three": 3 },
      ReturnValues: "ALL_NEW",
    }));
    assert.deepEqual(out.Attributes.m, { a: { b: "d" } });
    assert.deepEqual(out.Attributes.l, [1, "two", { three: 4 }]);
    assert.equal(out.Attributes.counter, 1);
    assert.ok(!("z" in out.Attributes));
    const del = await doc.send(new DeleteCommand({ TableName: name, Key: { pk: "doc" }, ReturnValues: "ALL_OLD" }));
    assert.equal(del.Attributes.s, "text");
  });

  test("query paginator, both directions, with a filter", async () => {
    const name = await createTable("query", "N");
    for (let i = 0; i < 40; i += 20) {
      const batch = Array.from({ length: 20 }, (_, j) => ({ PutRequest: { Item: { pk: "p", sk: i + j, even: (i + j) % 2 === 0 } } }));
      await doc.send(new BatchWriteCommand({ RequestItems: { [name]: batch } }));
    }
    for (const forward of [true, false]) {
      const keys = [];
      for await (const page of paginateQuery({ client: doc, pageSize: 7 }, {
        TableName: name, KeyConditionExpression: "pk = :p AND sk >= :lo", FilterExpression: "even = :t",
        ExpressionAttributeValues: { ":p": "p", ":lo": 10, ":t": true }, ScanIndexForward: forward,
      })) keys.push(...page.Items.map((i) => i.sk));
      const want = Array.from({ length: 15 }, (_, i) => 10 + 2 * i);
      assert.deepEqual(keys, forward ? want : want.reverse());
    }
    const q = await doc.send(new QueryCommand({ TableName: name, KeyConditionExpression: "pk = :p AND begins_with(#s, :x)",
      ExpressionAttributeNames: { "#s": "sk" }, ExpressionAttributeValues: { ":p": "p", ":x": 1 } })).catch((e) => e);
    assert.equal(q.name, "ValidationException");
  });

  test("transactions", async () => {
    const name = await createTable("tx");
    await doc.send(new TransactWriteCommand({ TransactItems: [
      { Put: { TableName: name, Item: { pk: "a", v: 1 }, ConditionExpression: "attribute_not_exists(pk)" } },
      { Put: { TableName: name, Item: { pk: "b", v: 2 } } },
    ] }));
    const err = await doc.send(new TransactWriteCommand({ TransactItems: [
      { Update: { TableName: name, Key: { pk: "a" }, UpdateExpression: "SET v = :v", ExpressionAttributeValues: { ":v": 10 } } },
      { ConditionCheck: { TableName: name, Key: { pk: "b" }, ConditionExpression: "v = :x", ExpressionAttributeValues: { ":x": 3 } } },
    ] })).catch((e) => e);
    assert.ok(err instanceof TransactionCanceledException, String(err));
    assert.deepEqual(err.CancellationReasons.map((r) => r.Code), ["None", "ConditionalCheckFailed"]);
    assert.equal((await doc.send(new GetCommand({ TableName: name, Key: { pk: "a" }, ConsistentRead: true }))).Item.v, 1);
  });
});
