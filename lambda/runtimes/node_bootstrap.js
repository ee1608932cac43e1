// Eddy's runtime client for nodejs*.x functions: the Lambda Runtime API
// loop (Node's standard library only). It loads the handler
// "file.function" from LAMBDA_TASK_ROOT (CommonJS, or an ES module for
// .mjs), then for each invocation calls handler(event, context[, callback])
// and posts the result or the error.
'use strict';
const http = require('http');
const path = require('path');
const fs = require('fs');
const { pathToFileURL } = require('url');

const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
const BASE = '/2018-06-01/runtime';

function request(method, p, body, headers) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, method, path: BASE + p, headers: headers || {} }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

function errorBody(err, type) {
  const e = err instanceof Error ? err : new Error(String(err));
  return {
    errorType: type || e.name || 'Error',
    errorMessage: e.message,
    trace: (e.stack || '').split('\n'),
  };
}

async function loadHandler() {
  const spec = process.env._HANDLER || '';
  const dot = spec.lastIndexOf('.');
  const modPath = spec.slice(0, dot);
  const fnName = spec.slice(dot + 1);
  const root = process.env.LAMBDA_TASK_ROOT;
  let mod;
  try {
    const base = path.resolve(root, modPath);
    if (fs.existsSync(base + '.mjs')) {
      mod = await import(pathToFileURL(base + '.mjs').href);
    } else {
      mod = require(base);
    }
  } catch (e) {
    const err = new Error(`Error: Cannot find module '${modPath}'\n${e.message}`);
    err.lambdaType = 'Runtime.ImportModuleError';
    throw err;
  }
  const fn = mod[fnName] || (mod.default && mod.default[fnName]);
  if (typeof fn !== 'function') {
    const err = new Error(`${spec} is undefined or not exported`);
    err.lambdaType = 'Runtime.HandlerNotFound';
    throw err;
  }
  return fn;
}

function invoke(fn, event, context) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const callback = (err, result) => {
      if (settled) return;
      settled = true;
      err ? reject(err) : resolve(result);
    };
    try {
      const r = fn(event, context, callback);
      if (r && typeof r.then === 'function') {
        r.then((v) => callback(null, v), (e) => callback(e));
      } else if (fn.length < 3) {
        callback(null, r);
      }
    } catch (e) {
      callback(e);
    }
  });
}

async function main() {
  let fn;
  try {
    fn = await loadHandler();
  } catch (e) {
    const type = e.lambdaType || 'Runtime.UserCodeSyntaxError';
    console.error(`ERROR\t${type}: ${e.message}`);
    await request('POST', '/init/error', JSON.stringify(errorBody(e, type)),
      { 'Content-Type': 'application/json', 'Lambda-Runtime-Function-Error-Type': type });
    process.exit(1);
  }
  for (;;) {
    const next = await request('GET', '/invocation/next');
    const h = next.headers;
    const id = h['lambda-runtime-aws-request-id'];
    const deadline = Number(h['lambda-runtime-deadline-ms']);
    const context = {
      awsRequestId: id,
      invokedFunctionArn: h['lambda-runtime-invoked-function-arn'],
      functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
      functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
      memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
      logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
      logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      callbackWaitsForEmptyEventLoop: true,
    };
    let event = null;
    try {
      event = next.body.length ? JSON.parse(next.body.toString('utf8')) : null;
      const result = await invoke(fn, event, context);
      const body = JSON.stringify(result === undefined ? null : result);
      await request('POST', `/invocation/${id}/response`, body, { 'Content-Type': 'application/json' });
    } catch (e) {
      const body = errorBody(e);
      console.error(`${new Date().toISOString()}\t${id}\tERROR\tInvoke Error \t${JSON.stringify(body)}`);
      await request('POST', `/invocation/${id}/error`, JSON.stringify(body),
        { 'Content-Type': 'application/json', 'Lambda-Runtime-Function-Error-Type': 'Unhandled' });
    }
  }
}

main();
