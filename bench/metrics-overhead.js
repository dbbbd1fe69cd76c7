#!/usr/bin/env node
// What db.metrics()' timing costs on the hot paths: getSync (1 call in 64
// timed) and a 1000-put batch (timed once per group commit), against a
// build of lsmkv without metrics. Both sides run in this process on the same
// addon, interleaved in small chunks (A B B A ...), so JIT state and the
// noise of a shared machine hit both alike; each chunk of one side is
// compared with its neighbour of the other, and the median of those paired
// differences is the overhead. Times are CPU time of the process
// (process.cpuUsage: being descheduled on a busy machine does not count).
// The same comparison between two databases of the baseline (A/A) shows how
// large a difference noise alone makes.
//
//   node bench/metrics-overhead.js --baseline <dist/ built from the previous
//     commit's lib/> [--chunks 400] [--reads 2000] [--batches 2]
//
// Nothing is asserted (speed belongs here, not in test/).
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
  process.stderr.write('usage: node bench/metrics-overhead.js --baseline <dist dir> [--chunks N] [--reads N] [--batches N]\n')
  process.exit(2)
}
const chunks = Number(arg('chunks', 400))
const reads = Number(arg('reads', 2000))      // getSync calls per chunk
const batches = Number(arg('batches', 2))     // 1000-put batches per chunk
const KEYS = 100000
const addon = path.join(__dirname, '..', 'build', 'Release', 'lsmkv.node')

function load (dir) {
  const lib = require(path.resolve(dir))
  try {
    lib.setNativeBinding(addon)
  } catch {}  // already loaded in this process: the same file
  return lib
}

// Microseconds of CPU this process used (all threads; only the JS thread
// works during getSync chunks, the commit thread joins in batch chunks).
function cpuMicros () {
  const u = process.cpuUsage()
  return u.user + u.system
}

const key = (i) => String(i).padStart(16, '0')
const keys = Array.from({ length: KEYS }, (_, i) => key(i))
const value = 'v'.repeat(100)

async function prepare (lib, name) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `lsmkv-metrics-bench-${name}-`))
  const db = await lib.open(dir)
  for (let b = 0; b < KEYS; b += 1000) {
    await db.batch(Array.from({ length: 1000 }, (_, i) => ({ type: 'put', key: keys[b + i], value })))
  }
  await db.flush()  // reads come from the mmap'd tables, as in readrandom
  return { db, dir, x: 12345 }
}

// ns per getSync over one chunk.
function getSyncChunk (side) {
  const db = side.db
  let x = side.x
  let found = 0
  const start = cpuMicros()
  for (let i = 0; i < reads; i++) {
    x = (x * 1103515245 + 12345) >>> 0
    if (db.getSync(keys[x % KEYS]) !== undefined) found++
  }
  const ns = (cpuMicros() - start) * 1000 / reads
  side.x = x
  if (found !== reads) throw new Error('missing keys')
  return ns
}

const batchOps = Array.from({ length: 1000 }, (_, i) => ({ type: 'put', key: keys[i * 97 % KEYS], value }))

// µs per 1000-put batch over one chunk.
async function batchChunk (side) {
  const start = cpuMicros()
  for (let b = 0; b < batches; b++) await side.db.batch(batchOps)
  return (cpuMicros() - start) / batches
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

async function compare (name, unit, baseline, other, run) {
  const base = []
  const metr = []
  const paired = []
  for (let c = 0; c < chunks; c++) {
    let b, m
    if (c % 2 === 0) {
      b = await run(baseline)
      m = await run(other)
    } else {
      m = await run(other)
      b = await run(baseline)
    }
    base.push(b)
    metr.push(m)
    paired.push(m / b - 1)
  }
  const warm = Math.floor(chunks / 10)  // drop the first 10%: JIT warm-up
  const b = median(base.slice(warm))
  const m = median(metr.slice(warm))
  const d = median(paired.slice(warm)) * 100
  return `${name}: ${b.toFixed(1)} vs ${m.toFixed(1)} ${unit} (medians of ${chunks - warm} chunks); ` +
    `median paired difference ${d >= 0 ? '+' : ''}${d.toFixed(1)}%`
}

async function main () {
  const baselineLib = load(baselineDir)
  const sides = {
    baseline: await prepare(baselineLib, 'baseline'),
    control: await prepare(baselineLib, 'control'),
    metrics: await prepare(load(path.join(__dirname, '..')), 'metrics')
  }
  const rows = []
  for (const [name, unit, run] of [['getSync', 'CPU ns/op', getSyncChunk], ['batch(1000 puts)', 'CPU µs/batch', batchChunk]]) {
    rows.push(await compare(`${name}, baseline vs baseline (noise)`, unit, sides.baseline, sides.control, run))
    rows.push(await compare(`${name}, baseline vs metrics`, unit, sides.baseline, sides.metrics, run))
  }
  const m = sides.metrics.db.metrics()
  rows.push(`metrics() of the metrics side: getSync p50 ${m.latency.getSync.p50.toFixed(2)} µs, p99 ${m.latency.getSync.p99.toFixed(2)} µs ` +
    `(${m.latency.getSync.count} samples of ${m.operations.getSync} calls); batch p50 ${m.latency.batch.p50.toFixed(0)} µs, p99 ${m.latency.batch.p99.toFixed(0)} µs`)
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
