// Interop tests: the AWS SDK for JavaScript v3 (@aws-sdk/client-lambda) against a
// running Eddy server: functions created from a zip holding a Node.js handler (run
// by Eddy's node runtime client in the local node), configuration calls, invocations
// (RequestResponse with the log tail, Event, a function error), Lambda's errors,
// and a Kinesis event source mapping fed with records put by @aws-sdk/client-kinesis.
//
//   cd interop/js && npm ci && EDDY_ENDPOINT=http://127.0.0.1:PORT node --test lambda.test.mjs
//
// The handlers report what they were given by appending JSON lines to a file named
// by their OUT variable (the functions run on this machine), which the tests read.
// Names start with "js-fn-" and "js-esm-"; everything created is deleted.

import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { crc32 } from "node:zlib";
import {
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  DeleteEventSourceMappingCommand,
  DeleteFunctionCommand,
  GetEventSourceMappingCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  ResourceConflictException,
  ResourceNotFoundException,
  UpdateEventSourceMappingCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  paginateListFunctions,
} from "@aws-sdk/client-lambda";
import { CreateStreamCommand, DeleteStreamCommand, KinesisClient, PutRecordsCommand, waitUntilStreamExists } from "@aws-sdk/client-kinesis";

const ENDPOINT = process.env.EDDY_ENDPOINT;
if (!ENDPOINT) throw new Error("EDDY_ENDPOINT is not set (e.g. http://127.0.0.1:4567)");
const ACCOUNT = process.env.EDDY_ACCOUNT_ID ?? "000000000000";
const REGION = "us-east-1";
const ROLE = `arn:aws:iam::${ACCOUNT}:role/interop`;
const RUN_ID = randomBytes(4).toString("hex");
const credentials = { accessKeyId: "AKIDINTEROPJS", secretAccessKey: "interop-secret" };

const lambda = new LambdaClient({ endpoint: ENDPOINT, region: REGION, credentials, maxAttempts: 1 });
const kinesis = new KinesisClient({ endpoint: ENDPOINT, region: REGION, credentials, maxAttempts: 1 });
const dir = mkdtempSync(path.join(tmpdir(), "eddy-js-lambda-"));
const functions = new Set();
const streams = new Set();
const mappings = new Set();

after(async () => {
  for (const UUID of mappings) await lambda.send(new DeleteEventSourceMappingCommand({ UUID })).catch(() => {});
  for (const FunctionName of functions) await lambda.send(new DeleteFunctionCommand({ FunctionName })).catch(() => {});
  for (const StreamName of streams) await kinesis.send(new DeleteStreamCommand({ StreamName })).catch(() => {});
  lambda.destroy();
  kinesis.destroy();
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const fnName = (suffix) => `js-fn-${RUN_ID}-${suffix}`;
const fnArn = (name) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
const json = (b) => JSON.parse(new TextDecoder().decode(b));

// zip: a zip archive (stored entries) of { name: text }.
function zip(files) {
  const locals = [];
  const central = [];
  let offset = 0;
  for (const [name, text] of Object.entries(files)) {
    const data = Buffer.from(text);
    const fname = Buffer.from(name);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(fname.length, 26);
    const cen = Buffer.alloc(46);
    cen.writeUInt32LE(0x02014b50, 0);
    cen.writeUInt16LE(0x0314, 4); // made by Unix, so the mode below counts
    cen.writeUInt16LE(20, 6);
    cen.writeUInt32LE(crc, 16);
    cen.writeUInt32LE(data.length, 20);
    cen.writeUInt32LE(data.length, 24);
    cen.writeUInt16LE(fname.length, 28);
    cen.writeUInt32LE((0o100644 << 16) >>> 0, 38);
    cen.writeUInt32LE(offset, 42);
    locals.push(local, fname, data);
    central.push(cen, fname);
    offset += 30 + fname.length + data.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(central.length / 2, 8);
  end.writeUInt16LE(central.length / 2, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

// The handler: appends {event, fn} to $OUT, fails when asked to, and answers
// with a greeting; console.log output goes to the log tail.
const HANDLER = `
import { appendFileSync } from "node:fs";
export const handler = async (event, context) => {
  console.log("event", JSON.stringify(event));
  if (process.env.OUT) appendFileSync(process.env.OUT, JSON.stringify({ event, fn: context.functionName }) + "\\n");
  if (event.fail) throw new TypeError("asked to fail");
  return { GREETING: event.name, color: process.env.COLOR ?? null };
};
`;

async function createFunction(suffix, extra = {}, source = HANDLER) {
  const name = fnName(suffix);
  const out = await lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: "nodejs20.x",
      Handler: "index.handler",
      Role: ROLE,
      Code: { ZipFile: zip({ "index.mjs": source.replace("GREETING", "hello") }) },
      ...extra,
    }),
  );
  functions.add(name);
  return out;
}

// lines: the JSON lines in file, once at least n are there (60 s at most).
async function lines(file, n) {
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(100)) {
    if (!existsSync(file)) continue;
    const got = readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
    if (got.length >= n) return got;
  }
  assert.fail(`fewer than ${n} lines in ${file} after 60 s`);
}

describe("LambdaClient functions", () => {
  test("create, get, list, update configuration and code, delete", async () => {
    const name = fnName("crud");
    const created = await createFunction("crud", { Description: "first", Timeout: 5 });
    assert.equal(created.$metadata.httpStatusCode, 201);
    assert.equal(created.FunctionArn, fnArn(name));
    assert.deepEqual(
      [created.Runtime, created.Handler, created.Role, created.Timeout, created.MemorySize, created.Description, created.PackageType],
      ["nodejs20.x", "index.handler", ROLE, 5, 128, "first", "Zip"],
    );

    const got = await lambda.send(new GetFunctionCommand({ FunctionName: name }));
    assert.equal(got.Configuration.CodeSha256, created.CodeSha256);
    const conf = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fnArn(name) }));
    assert.equal(conf.FunctionName, name);

    const names = [];
    for await (const page of paginateListFunctions({ client: lambda, pageSize: 2 }, {})) {
      names.push(...page.Functions.map((f) => f.FunctionName));
    }
    assert.ok(names.includes(name), `${name} not listed`);

    const upd = await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: name,
        Description: "second",
        Timeout: 10,
        Environment: { Variables: { COLOR: "green" } },
      }),
    );
    assert.deepEqual([upd.Description, upd.Timeout, upd.Environment.Variables], ["second", 10, { COLOR: "green" }]);
    let res = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: JSON.stringify({ name: "js" }) }));
    assert.deepEqual(json(res.Payload), { hello: "js", color: "green" });

    const code = await lambda.send(
      new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: zip({ "index.mjs": HANDLER.replace("GREETING", "hi") }) }),
    );
    assert.notEqual(code.CodeSha256, created.CodeSha256);
    res = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: JSON.stringify({ name: "again" }) }));
    assert.deepEqual(json(res.Payload), { hi: "again", color: "green" });

    const del = await lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
    assert.equal(del.$metadata.httpStatusCode, 204);
    functions.delete(name);
    await assert.rejects(lambda.send(new GetFunctionCommand({ FunctionName: name })), (err) => {
      assert.ok(err instanceof ResourceNotFoundException, err.name);
      assert.equal(err.message, `Function not found: ${fnArn(name)}`);
      assert.equal(err.$metadata.httpStatusCode, 404);
      return true;
    });
  });

  test("a second CreateFunction of a name is ResourceConflictException", async () => {
    const name = fnName("twice");
    await createFunction("twice");
    await assert.rejects(createFunction("twice"), (err) => {
      assert.ok(err instanceof ResourceConflictException, err.name);
      assert.equal(err.message, `Function already exist: ${name}`);
      return true;
    });
  });

  test("RequestResponse with LogType Tail", async () => {
    const name = fnName("tail");
    await createFunction("tail");
    const res = await lambda.send(
      new InvokeCommand({ FunctionName: name, InvocationType: "RequestResponse", LogType: "Tail", Payload: JSON.stringify({ name: "tail" }) }),
    );
    assert.equal(res.StatusCode, 200);
    assert.equal(res.FunctionError, undefined);
    assert.deepEqual(json(res.Payload), { hello: "tail", color: null });
    const log = Buffer.from(res.LogResult, "base64").toString();
    assert.match(log, /START RequestId: \S+/);
    assert.match(log, /event \{"name":"tail"\}/);
    assert.match(log, /END RequestId: \S+/);
    assert.match(log, /REPORT RequestId: \S+\s+Duration: [0-9.]+ ms/);
  });

  test("Event invocations are queued (202) and run", async () => {
    const name = fnName("event");
    const out = path.join(dir, "event.jsonl");
    await createFunction("event", { Environment: { Variables: { OUT: out } } });
    const res = await lambda.send(new InvokeCommand({ FunctionName: name, InvocationType: "Event", Payload: JSON.stringify({ name: "async" }) }));
    assert.equal(res.StatusCode, 202);
    const got = await lines(out, 1);
    assert.deepEqual(got, [{ event: { name: "async" }, fn: name }]);
  });

  test("a thrown error is FunctionError Unhandled", async () => {
    const name = fnName("error");
    await createFunction("error");
    const res = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: JSON.stringify({ fail: true }) }));
    assert.equal(res.StatusCode, 200);
    assert.equal(res.FunctionError, "Unhandled");
    const body = json(res.Payload);
    assert.equal(body.errorType, "TypeError");
    assert.equal(body.errorMessage, "asked to fail");
  });

  test("unknown functions and mappings are ResourceNotFoundException", async () => {
    const name = fnName("missing");
    for (const cmd of [
      new InvokeCommand({ FunctionName: name, Payload: "{}" }),
      new GetFunctionConfigurationCommand({ FunctionName: name }),
      new DeleteFunctionCommand({ FunctionName: name }),
    ]) {
      await assert.rejects(lambda.send(cmd), (err) => {
        assert.ok(err instanceof ResourceNotFoundException, err.name);
        assert.equal(err.message, `Function not found: ${fnArn(name)}`);
        return true;
      });
    }
    await assert.rejects(lambda.send(new GetEventSourceMappingCommand({ UUID: randomUUID() })), (err) => {
      assert.ok(err instanceof ResourceNotFoundException, err.name);
      assert.equal(err.message, "The resource you requested does not exist.");
      return true;
    });
  });
});

describe("LambdaClient event source mappings", () => {
  test("records put with client-kinesis reach the function", async () => {
    const stream = `js-esm-${RUN_ID}-src`;
    await kinesis.send(new CreateStreamCommand({ StreamName: stream, ShardCount: 2 }));
    streams.add(stream);
    await waitUntilStreamExists({ client: kinesis, maxWaitTime: 30, minDelay: 1, maxDelay: 2 }, { StreamName: stream });
    const arn = `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/${stream}`;
    const name = fnName("esm");
    const out = path.join(dir, "esm.jsonl");
    await createFunction("esm", { Environment: { Variables: { OUT: out } } });

    const m = await lambda.send(
      new CreateEventSourceMappingCommand({ FunctionName: name, EventSourceArn: arn, StartingPosition: "TRIM_HORIZON", BatchSize: 10 }),
    );
    mappings.add(m.UUID);
    assert.equal(m.$metadata.httpStatusCode, 202);
    assert.deepEqual([m.EventSourceArn, m.FunctionArn, m.BatchSize, m.State], [arn, fnArn(name), 10, "Creating"]);

    const sent = Array.from({ length: 25 }, (_, i) => `record-${i}`);
    const put = await kinesis.send(
      new PutRecordsCommand({ StreamName: stream, Records: sent.map((d, i) => ({ Data: Buffer.from(d), PartitionKey: `pk-${i}` })) }),
    );
    assert.equal(put.FailedRecordCount, 0);
    const got = [];
    for (const deadline = Date.now() + 60_000; got.length < sent.length && Date.now() < deadline; await sleep(100)) {
      if (!existsSync(out)) continue;
      got.length = 0;
      for (const l of readFileSync(out, "utf8").split("\n").filter(Boolean)) {
        const { event } = JSON.parse(l);
        for (const r of event.Records) {
          assert.equal(r.eventSource, "aws:kinesis");
          assert.equal(r.eventSourceARN, arn);
          got.push(Buffer.from(r.kinesis.data, "base64").toString());
        }
      }
    }
    assert.deepEqual(got.sort(), [...sent].sort());

    let state;
    for (const deadline = Date.now() + 30_000; state !== "Enabled" && Date.now() < deadline; await sleep(100)) {
      state = (await lambda.send(new GetEventSourceMappingCommand({ UUID: m.UUID }))).State;
    }
    assert.equal(state, "Enabled");
    const listed = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: name }));
    assert.deepEqual(listed.EventSourceMappings.map((x) => x.UUID), [m.UUID]);

    const upd = await lambda.send(new UpdateEventSourceMappingCommand({ UUID: m.UUID, BatchSize: 50 }));
    assert.equal(upd.$metadata.httpStatusCode, 202);
    assert.equal(upd.BatchSize, 50);

    const del = await lambda.send(new DeleteEventSourceMappingCommand({ UUID: m.UUID }));
    assert.equal(del.$metadata.httpStatusCode, 202);
    assert.equal(del.State, "Deleting");
    mappings.delete(m.UUID);
  });
});
