#!/usr/bin/env node
// What db.metrics()' timing costs on the hot paths: getSync (1 call in 64
// timed) and a 1000-put batch (timed once per group commit), against a
// build of lsmkv without metrics. Both run in this process, in alternating
// rounds, on the same addon, so JIT and machine noise hit both alike.
//
//   node bench/metrics-overhead.js --baseline <dir of a dist/ built from the
//     previous commit's lib/> [--rounds 9] [--reads 300000] [--batches 300]
//
// Prints the median of each side and their difference; nothing is asserted
// (speed belongs here, not in test/).
'use strict'
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

function arg (name, fallback) {
  const i = process.argv.indexOf(`--${name}`)
  return i === -1 ? fallback : process.argv[i + 1]
}

const baselineDir = arg('baseline')
if (baselineDir === undefined) {
  process.stderr.write('usage: node bench/metrics-overhead.js --baseline <dist dir> [--rounds N] [--reads N] [--batches N]\n')
  process.exit(2)
}
const rounds = Number(arg('rounds', 9))
const reads = Number(arg('reads', 300000))
const batches = Number(arg('batches', 300))
const KEYS = 100000
const addon = path.join(__dirname, '..', 'build', 'Release', 'lsmkv.node')

function load (dir) {
  const lib = require(path.resolve(dir))
  try {
    lib.setNativeBinding(addon)
  } catch {}  // already loaded in this process: the same file
  return lib
}

const key = (i) => String(i).padStart(16, '0')
const value = 'v'.repeat(100)

async function prepare (lib, name) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `lsmkv-metrics-bench-${name}-`))
  const db = await lib.open(dir)
  for (let b = 0; b < KEYS; b += 1000) {
    await db.batch(Array.from({ length: 1000 }, (_, i) => ({ type: 'put', key: key(b + i), value })))
  }
  await db.flush()  // reads come from the mmap'd tables, as in readrandom
  return { db, dir }
}

function getSyncRound (db) {
  let x = 12345
  let found = 0
  const start = process.hrtime.bigint()
  for (let i = 0; i < reads; i++) {
    x = (x * 1103515245 + 12345) >>> 0
    if (db.getSync(key(x % KEYS)) !== undefined) found++
  }
  const ns = Number(process.hrtime.bigint() - start) / reads
  if (found !== reads) throw new Error('missing keys')
  return ns
}

async function batchRound (db, round) {
  const ops = Array.from({ length: 1000 }, (_, i) => ({ type: 'put', key: key(i * 97 % KEYS), value: `${value}${round}` }))
  const start = process.hrtime.bigint()
  for (let b = 0; b < batches; b++) await db.batch(ops)
  return Number(process.hrtime.bigint() - start) / batches / 1000  // µs per batch
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

async function main () {
  const sides = {
    baseline: await prepare(load(baselineDir), 'baseline'),
    metrics: await prepare(load(path.join(__dirname, '..')), 'metrics')
  }
  const results = { baseline: { getSync: [], batch: [] }, metrics: { getSync: [], batch: [] } }
  for (let r = 0; r < rounds; r++) {
    // Alternate which side goes first.
    const order = r % 2 === 0 ? ['baseline', 'metrics'] : ['metrics', 'baseline']
    for (const side of order) results[side].getSync.push(getSyncRound(sides[side].db))
    for (const side of order) results[side].batch.push(await batchRound(sides[side].db, r))
  }
  const rows = []
  for (const [what, unit] of [['getSync', 'ns/op'], ['batch', 'µs per 1000-put batch']]) {
    const b = median(results.baseline[what])
    const m = median(results.metrics[what])
    rows.push(`${what.padEnd(8)} baseline ${b.toFixed(1)} ${unit}, with metrics ${m.toFixed(1)} ${unit}: ${((m / b - 1) * 100).toFixed(1)}%` +
      `  (rounds: baseline ${results.baseline[what].map((v) => v.toFixed(0)).join(' ')}; metrics ${results.metrics[what].map((v) => v.toFixed(0)).join(' ')})`)
  }
  const m = sides.metrics.db.metrics()
  rows.push(`metrics: getSync p50 ${m.latency.getSync.p50.toFixed(2)} µs p99 ${m.latency.getSync.p99.toFixed(2)} µs (${m.latency.getSync.count} samples of ${m.operations.getSync}); ` +
    `batch p50 ${m.latency.batch.p50.toFixed(0)} µs p99 ${m.latency.batch.p99.toFixed(0)} µs`)
  for (const side of Object.values(sides)) {
    await side.db.close()
    fs.rmSync(side.dir, { recursive: true, force: true })
  }
  process.stdout.write(rows.join('\n') + '\n')
}

main().catch((err) => {
  process.stderr.write(`${err.stack}\n`)
  process.exit(1)
})
