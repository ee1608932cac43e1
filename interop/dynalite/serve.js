// Starts dynalite (the npm package pinned in package.json) for Eddy's
// DynamoDB differential tests and benchmark:
//
//   node interop/dynalite/serve.js [--port N] [--path DIR] [--createTableMs MS] ...
//
// Unlike dynalite's own cli.js, it listens on 127.0.0.1 only, takes port 0
// (cli.js reads 0 as "unset" and falls back to 4567) and prints the port it
// got as "dynalite listening on http://127.0.0.1:PORT" once it listens.
// Other options go to dynalite as its cli.js passes them (--path: the
// LevelDB store, in memory without it; --createTableMs, --deleteTableMs,
// --updateTableMs: how long tables stay CREATING, DELETING, UPDATING,
// default 0 here rather than dynalite's 500).
//
// It exits when its standard input closes, so a test that dies without
// stopping it does not leave it running: start it with a pipe on stdin.
'use strict'

const dynalite = require('dynalite')

const opts = { createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }
const args = process.argv.slice(2)
let port = 0
for (let i = 0; i < args.length; i++) {
  const m = /^--([A-Za-z]+)$/.exec(args[i])
  if (!m || i + 1 >= args.length) {
    console.error(`serve.js: bad argument ${args[i]}`)
    process.exit(2)
  }
  const v = args[++i]
  if (m[1] === 'port') port = Number(v)
  else if (m[1] === 'path') opts.path = v
  else opts[m[1]] = Number(v)
}

const server = dynalite(opts)
server.listen(port, '127.0.0.1', () => {
  console.log(`dynalite listening on http://127.0.0.1:${server.address().port}`)
})
server.on('error', (err) => {
  console.error(`serve.js: ${err.message}`)
  process.exit(1)
})
process.stdin.on('end', () => process.exit(0))
process.stdin.on('error', () => process.exit(0))
process.stdin.resume()
